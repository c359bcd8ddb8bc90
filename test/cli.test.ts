// The `shuyuan` CLI as an operator uses it: migrate, seed-demo, user create, ledger verify (against DATABASE_URL).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import { createTestDatabase, makeDataDir, REPO_ROOT, type TestDatabase } from './helpers.ts';

let tdb: TestDatabase;
let dataDir: string;
before(async () => {
  tdb = await createTestDatabase(false);
  dataDir = await makeDataDir();
});
after(async () => {
  await tdb.drop();
  await fs.rm(dataDir, { recursive: true, force: true });
});

function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [path.join(REPO_ROOT, 'bin/shuyuan.js'), ...args],
      { env: { ...process.env, DATABASE_URL: tdb.url, SHUYUAN_DATA_DIR: dataDir, SHUYUAN_LOG_LEVEL: 'warn' }, cwd: REPO_ROOT },
      (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

async function query<T extends pg.QueryResultRow>(text: string, values: unknown[] = []): Promise<T[]> {
  const c = new pg.Client({ connectionString: tdb.url });
  await c.connect();
  try {
    return (await c.query<T>(text, values)).rows;
  } finally {
    await c.end();
  }
}

test('migrate applies every migration once, then reports up to date', async () => {
  const first = await cli('migrate');
  assert.equal(first.code, 0, first.stderr);
  assert.match(first.stdout, /applied \d+ migration\(s\)/);
  const second = await cli('migrate');
  assert.match(second.stdout, /schema is up to date/);
});

test('seed-demo creates the demo world once and prints the logins', async () => {
  const first = await cli('seed-demo');
  assert.equal(first.code, 0, first.stderr);
  assert.match(first.stdout, /demo world created/);
  assert.match(first.stdout, /^admin\t/m);
  const again = await cli('seed-demo');
  assert.match(again.stdout, /demo world already present/);
  const [row] = await query<{ n: number }>('select count(*)::int as n from users where username = $1', ['admin']);
  assert.equal(row!.n, 1);
});

test('user create: a policy-compliant user is created and ledgered; bad input is refused with code, message and field', async () => {
  const ok = await cli('user', 'create', '-u', 'zhang.san', '-p', 'Zhang#San2024x', '-n', '张三', '-o', 'GA', '-r', 'provider_clerk');
  assert.equal(ok.code, 0, ok.stderr);
  assert.match(ok.stdout, /created user zhang\.san/);
  const [entry] = await query<{ action: string; actor_kind: string }>(
    `select action, actor_kind from ledger_entries where action = 'user.create' and details->>'username' = 'zhang.san'`,
  );
  assert.deepEqual(entry, { action: 'user.create', actor_kind: 'system' });

  const weak = await cli('user', 'create', '-u', 'li.si', '-p', 'weak', '-o', 'GA', '-r', 'provider_clerk');
  assert.equal(weak.code, 1);
  assert.match(weak.stderr, /error PASSWORD_POLICY: 密码不符合要求.* \/ The password does not meet the policy/);
  assert.match(weak.stderr, /"field": "password"/);
  const unknownOrg = await cli('user', 'create', '-u', 'li.si', '-p', 'Zhang#San2024x', '-o', 'NOPE', '-r', 'provider_clerk');
  assert.match(unknownOrg.stderr, /error ORG_UNKNOWN/);
  const [none] = await query<{ n: number }>('select count(*)::int as n from users where username = $1', ['li.si']);
  assert.equal(none!.n, 0, 'refused input changes nothing');
});

test('ledger verify: OK on an intact ledger; names the tampered entry and exits 2', async () => {
  const ok = await cli('ledger', 'verify');
  assert.equal(ok.code, 0, ok.stderr);
  assert.match(ok.stdout, /ledger OK: \d+ entries/);
  // Tamper as the database owner, with the append-only triggers switched off.
  const c = new pg.Client({ connectionString: tdb.url });
  await c.connect();
  await c.query('alter table ledger_entries disable trigger user');
  await c.query(`update ledger_entries set details = '{"forged": true}' where seq = 5`);
  await c.query('alter table ledger_entries enable trigger user');
  await c.end();
  const broken = await cli('ledger', 'verify');
  assert.equal(broken.code, 2);
  assert.match(broken.stdout, /ledger BROKEN at entry #5/);
});
