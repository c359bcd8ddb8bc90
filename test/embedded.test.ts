// The embedded default, booted exactly as `npm start` does (`node bin/shuyuan.js start`, no DATABASE_URL):
// first start from an empty data directory, clean stop, restart on the same data, recovery after SIGKILL
// (of the platform alone, and of the platform and its database), two processes migrating one database at
// once, and refusal of a database migrated by a newer version.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import { loadMigrations } from '../src/db/migrate.ts';
import {
  createTestDatabase,
  makeDataDir,
  pidAlive,
  spawnCli,
  TestClient,
  waitForPidGone,
  waitForReady,
  type CliProcess,
} from './helpers.ts';

const DEMO_PASSWORD = 'Shuyuan@2024';
const T = { timeout: 240_000 };

const started: CliProcess[] = [];
const dataDirs: string[] = [];

async function start(env: Record<string, string>): Promise<CliProcess & { base: string }> {
  const proc = await spawnCli(['start'], env);
  started.push(proc);
  const base = await proc.url;
  await waitForReady(base);
  return Object.assign(proc, { base });
}

async function stop(proc: CliProcess, signal: NodeJS.Signals = 'SIGTERM') {
  proc.child.kill(signal);
  return proc.exited;
}

function postmasterPid(dataDir: string): number | null {
  const file = path.join(dataDir, 'pg', 'postmaster.pid');
  if (!fs.existsSync(file)) return null;
  return Number(fs.readFileSync(file, 'utf8').split('\n')[0]);
}

function userIdOf(me: unknown): string {
  const b = me as { id?: string; user?: { id?: string } };
  const id = b.user?.id ?? b.id;
  assert.ok(typeof id === 'string' && id.length > 0, `no user id in ${JSON.stringify(me)}`);
  return id;
}

async function loginAdmin(base: string): Promise<{ client: TestClient; userId: string }> {
  const client = new TestClient(base);
  await client.login('admin', DEMO_PASSWORD);
  const me = await client.get('/api/auth/me');
  assert.equal(me.status, 200, me.text);
  return { client, userId: userIdOf(me.body) };
}

after(async () => {
  // Whatever a failed test left behind: platform processes, then database servers, then the directories.
  for (const p of started) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
  for (const dir of dataDirs) {
    const pid = postmasterPid(dir);
    if (pid && pidAlive(pid)) {
      try {
        process.kill(pid, 'SIGINT');
      } catch {
        /* gone */
      }
      await waitForPidGone(pid, 15_000);
    }
    await fsp.rm(dir, { recursive: true, force: true });
  }
});

describe('embedded PostgreSQL default (shuyuan start)', () => {
  let dataDir: string;
  let adminId: string;

  test('first start from an empty data directory: initdb, migrations, demo seed, login over HTTP', T, async () => {
    dataDir = await makeDataDir('shuyuan-embedded-');
    dataDirs.push(dataDir);
    const proc = await start({ SHUYUAN_DATA_DIR: dataDir });
    // The banner names the demo logins.
    assert.match(proc.output(), /admin\s+Shuyuan@2024/);
    const { client, userId } = await loginAdmin(proc.base);
    adminId = userId;
    const meta = await client.get('/api/meta');
    assert.equal(meta.status, 200);
    // Where the data lives.
    assert.ok(fs.existsSync(path.join(dataDir, 'pg', 'PG_VERSION')), 'cluster under <data>/pg');
    assert.equal(fs.readFileSync(path.join(dataDir, 'pg', 'PG_VERSION'), 'utf8').trim(), '15');
    assert.ok(fs.statSync(path.join(dataDir, 'objects')).isDirectory(), 'object store under <data>/objects');
    const pwFile = path.join(dataDir, 'keys', 'pg-password');
    assert.equal(fs.statSync(pwFile).mode & 0o077, 0, 'the database password file is private');

    const pgPid = postmasterPid(dataDir);
    assert.ok(pgPid && pidAlive(pgPid), 'PostgreSQL runs');
    const exit = await stop(proc, 'SIGTERM');
    assert.equal(exit.code, 0, proc.output());
    assert.ok(await waitForPidGone(pgPid, 10_000), 'PostgreSQL stopped with the platform');
    assert.ok(!fs.existsSync(path.join(dataDir, 'pg', 'postmaster.pid')), 'postmaster.pid removed by a clean shutdown');
    assert.ok(!fs.existsSync(path.join(dataDir, 'shuyuan-pg.owner')), 'owner file removed');
  });

  test('a second start reuses the data: same users, demo not seeded again', T, async () => {
    assert.ok(adminId, 'depends on the first start');
    const proc = await start({ SHUYUAN_DATA_DIR: dataDir });
    const { userId } = await loginAdmin(proc.base);
    assert.equal(userId, adminId);
    assert.ok(!/initialising PostgreSQL cluster/.test(proc.output()), 'no second initdb');
    const pgPid = postmasterPid(dataDir)!;
    assert.equal((await stop(proc)).code, 0);
    assert.ok(await waitForPidGone(pgPid, 10_000));
  });

  test('SIGINT (Ctrl-C) stops the platform and its database too', T, async () => {
    const proc = await start({ SHUYUAN_DATA_DIR: dataDir });
    const pgPid = postmasterPid(dataDir)!;
    assert.equal((await stop(proc, 'SIGINT')).code, 0);
    assert.ok(await waitForPidGone(pgPid, 10_000));
    assert.ok(!fs.existsSync(path.join(dataDir, 'pg', 'postmaster.pid')));
  });

  test('killed with SIGKILL: the next start adopts the orphaned PostgreSQL and committed data is there', T, async () => {
    const first = await start({ SHUYUAN_DATA_DIR: dataDir });
    // A login commits a session (and its ledger entry); the session cookie must work after the crash.
    const { client } = await loginAdmin(first.base);
    const orphan = postmasterPid(dataDir)!;
    const exit = await stop(first, 'SIGKILL');
    assert.equal(exit.signal, 'SIGKILL');
    assert.ok(pidAlive(orphan), 'PostgreSQL outlives a SIGKILLed platform (own process group)');

    const second = await start({ SHUYUAN_DATA_DIR: dataDir });
    assert.equal(postmasterPid(dataDir), orphan, 'the orphan was adopted, not duplicated');
    const again = new TestClient(second.base);
    again.cookies = new Map(client.cookies);
    const me = await again.get('/api/auth/me');
    assert.equal(me.status, 200, 'the session committed before the crash is still valid');
    assert.equal(userIdOf(me.body), adminId);

    // The adopter owns it now: a clean stop stops the database.
    assert.equal((await stop(second)).code, 0);
    assert.ok(await waitForPidGone(orphan, 10_000), 'adopted PostgreSQL stopped');
  });

  test('platform and database both killed (power loss): stale lock files are handled, data survives', T, async () => {
    const first = await start({ SHUYUAN_DATA_DIR: dataDir });
    const { client } = await loginAdmin(first.base);
    const pgPid = postmasterPid(dataDir)!;
    await stop(first, 'SIGKILL');
    process.kill(-pgPid, 'SIGKILL'); // the postmaster and all its backends (one process group)
    assert.ok(await waitForPidGone(pgPid, 10_000));
    assert.ok(fs.existsSync(path.join(dataDir, 'pg', 'postmaster.pid')), 'a stale postmaster.pid is left behind');
    assert.ok(fs.existsSync(path.join(dataDir, 'shuyuan-pg.owner')), 'a stale owner file is left behind');

    const second = await start({ SHUYUAN_DATA_DIR: dataDir });
    const again = new TestClient(second.base);
    again.cookies = new Map(client.cookies);
    const me = await again.get('/api/auth/me');
    assert.equal(me.status, 200, 'committed session survived crash recovery');
    assert.equal(userIdOf(me.body), adminId);
    const pid = postmasterPid(dataDir)!;
    assert.equal((await stop(second)).code, 0);
    assert.ok(await waitForPidGone(pid, 10_000));
  });
});

describe('DATABASE_URL', () => {
  test('two processes started at once on one database: migrations run once, both serve', T, async () => {
    const db = await createTestDatabase(false);
    try {
      const dirs = [await makeDataDir('shuyuan-twin-'), await makeDataDir('shuyuan-twin-')];
      dataDirs.push(...dirs);
      const [a, b] = await Promise.all(dirs.map((dir) => start({ DATABASE_URL: db.url, SHUYUAN_DATA_DIR: dir })));
      for (const p of [a!, b!]) {
        const ready = await fetch(`${p.base}/readyz`);
        assert.equal(ready.status, 200, p.output());
        await loginAdmin(p.base);
      }
      assert.ok(!fs.existsSync(path.join(dirs[0]!, 'pg')), 'no embedded database started when DATABASE_URL is set');

      const c = new pg.Client({ connectionString: db.url });
      await c.connect();
      try {
        const { rows } = await c.query<{ version: number; n: number }>(
          'select version, count(*)::int as n from schema_migrations group by version order by version',
        );
        const known = (await loadMigrations()).map((m) => m.version);
        assert.deepEqual(
          rows.map((r) => r.version),
          known,
        );
        assert.ok(rows.every((r) => r.n === 1));
        const users = await c.query<{ n: number }>(`select count(*)::int as n from users where username = 'admin'`);
        assert.equal(users.rows[0]!.n, 1, 'the demo world was seeded once');
      } finally {
        await c.end();
      }
      await Promise.all([stop(a!), stop(b!)]);
    } finally {
      await db.drop();
    }
  });

  test('a database migrated by a newer version is refused with a clear message', T, async () => {
    const db = await createTestDatabase(true);
    try {
      const c = new pg.Client({ connectionString: db.url });
      await c.connect();
      const next = (await loadMigrations()).length + 1;
      await c.query(`insert into schema_migrations (version, name, checksum) values ($1, 'from_the_future', 'x')`, [next]);
      await c.end();

      const dir = await makeDataDir('shuyuan-newer-');
      dataDirs.push(dir);
      const proc = await spawnCli(['start'], { DATABASE_URL: db.url, SHUYUAN_DATA_DIR: dir });
      started.push(proc);
      const exit = await proc.exited;
      assert.notEqual(exit.code, 0);
      assert.match(proc.output(), /newer version of Shuyuan \(schema \d+, this version knows \d+\)/);
      assert.ok(!proc.output().includes(db.url), 'the database URL (with its password) is not printed');

      const migrate = await spawnCli(['migrate'], { DATABASE_URL: db.url, SHUYUAN_DATA_DIR: dir });
      started.push(migrate);
      assert.notEqual((await migrate.exited).code, 0);
      assert.match(migrate.output(), /newer version/);
    } finally {
      await db.drop();
    }
  });
});
