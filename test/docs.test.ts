// The README and the docs stay true to the code: the configuration table is CONFIG_VARS, every demo login
// listed is one the seed creates, every local link points at a file that exists, and the API-signing
// examples in docs/api.md compute the right values and work against a running platform.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash, createHmac } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { configTable, README, readmeTable } from '../scripts/config-table.ts';
import { makeDataDir, REPO_ROOT, startTestPlatform } from './helpers.ts';

const readme = fs.readFileSync(README, 'utf8');

test('README opens with the name, then the two commands', () => {
  assert.ok(readme.startsWith('# 数源 Shuyuan\n'));
  const blocks = [...readme.matchAll(/```(?:sh|bash)?\n([\s\S]*?)```/g)].map((m) => m[1]!.trim());
  assert.equal(blocks[0], 'npm install && npm start');
  assert.equal(blocks[1], 'npm test');
});

test('README configuration table is generated from CONFIG_VARS (run: node --import tsx scripts/config-table.ts --write)', () => {
  assert.equal(readmeTable(readme), configTable());
});

test('local links in README and docs/ point at files that exist', () => {
  const files = [
    README,
    ...fs
      .readdirSync(path.join(REPO_ROOT, 'docs'))
      .filter((f) => f.endsWith('.md'))
      .map((f) => path.join(REPO_ROOT, 'docs', f)),
  ];
  const broken: string[] = [];
  for (const file of files) {
    const text = fs.readFileSync(file, 'utf8');
    for (const m of text.matchAll(/\]\(([^)\s]+)\)/g)) {
      const target = m[1]!.split('#')[0]!;
      if (!target || /^[a-z]+:/i.test(target)) continue;
      if (!fs.existsSync(path.resolve(path.dirname(file), target))) broken.push(`${path.relative(REPO_ROOT, file)} → ${m[1]}`);
    }
  }
  assert.deepEqual(broken, []);
});

const apiDoc = fs.readFileSync(path.join(REPO_ROOT, 'docs/api.md'), 'utf8');

test('docs/api.md: the worked signing example is right (recomputed with node:crypto alone)', () => {
  const body = '{"kind":"workday","note":"调休上班"}';
  const bodySha = createHash('sha256').update(body, 'utf8').digest('hex');
  const toSign = ['PUT', '/api/calendar/overrides/2026-10-10', '1767225600', 'b7e2c94f1a0d4e8f9c3a5b6d7e8f9a0b', bodySha].join('\n');
  const signature = createHmac('sha256', 'sk_EXAMPLE-ONLY_9q3sVb0xK2mT7wLr4nYc8uJd1hPz6aGe').update(toSign).digest('hex');
  assert.ok(apiDoc.includes(`UTF-8, ${Buffer.byteLength(body)} bytes`));
  assert.ok(apiDoc.includes(`the body hash is \`${bodySha}\``));
  assert.ok(apiDoc.includes('```\n' + toSign + '\n```'), 'the string to sign is shown exactly');
  assert.ok(apiDoc.includes(`the signature is \`${signature}\``));
  assert.ok(apiDoc.includes(createHash('sha256').update('').digest('hex')), 'the hash of an empty body');
});

test('docs/api.md: the Node.js signing example works against a running platform', { timeout: 120_000 }, async () => {
  const block = /<!-- example:node-signing[^>]*-->\s*```js\n([\s\S]*?)```/.exec(apiDoc)?.[1];
  assert.ok(block, 'the example block is marked');
  const p = await startTestPlatform();
  const dir = await makeDataDir('shuyuan-doc-example-');
  try {
    const c = p.client();
    await c.login('admin', 'Shuyuan@2024');
    const key = await c.post('/api/api-keys', { name: 'docs example' });
    assert.equal(key.status, 201, key.text);
    const file = path.join(dir, 'example.mjs');
    fs.writeFileSync(file, block);
    // Asynchronously: the platform answers from this process's event loop.
    const run = await promisify(execFile)(process.execPath, [file], {
      env: { ...process.env, SHUYUAN_URL: p.url, SHUYUAN_APPKEY: key.body.appKey, SHUYUAN_APPSECRET: key.body.appSecret },
      timeout: 60_000,
    });
    const [me, add] = run.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { status: number; body: Record<string, unknown> });
    assert.equal(me?.status, 200, JSON.stringify(me));
    assert.equal(me?.body.username, 'admin');
    assert.equal(me?.body.authMethod, 'api_key');
    assert.equal(add?.status, 200, JSON.stringify(add));
    assert.match(String(add?.body.deadline), /^\d{4}-\d{2}-\d{2}$/);
  } finally {
    await p.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('docs/ledger.md: the dependency-free checking script verifies a live ledger', { timeout: 120_000 }, async () => {
  const ledgerDoc = fs.readFileSync(path.join(REPO_ROOT, 'docs/ledger.md'), 'utf8');
  const block = /<!-- example:ledger-check[^>]*-->\s*```js\n([\s\S]*?)```/.exec(ledgerDoc)?.[1];
  assert.ok(block, 'the example block is marked');
  const p = await startTestPlatform();
  const dir = await makeDataDir('shuyuan-doc-ledger-');
  try {
    const c = p.client();
    await c.login('auditor', 'Shuyuan@2024');
    const cp = await p.ctx.ledger.checkpoint();
    assert.ok(cp && cp.treeSize > 1);
    const file = path.join(dir, 'check-ledger.mjs');
    fs.writeFileSync(file, block);
    const cookie = [...c.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    for (const seq of [1, Math.ceil(cp.treeSize / 2), cp.treeSize]) {
      const run = await promisify(execFile)(process.execPath, [file], {
        env: { ...process.env, SHUYUAN_URL: p.url, SHUYUAN_COOKIE: cookie, SEQ: String(seq) },
        timeout: 60_000,
      });
      assert.equal(
        run.stdout.trim(),
        [
          `checkpoint ${cp.treeSize}: signature OK`,
          `entry ${seq}: hash OK`,
          `entry ${seq} in checkpoint ${cp.treeSize}: inclusion OK`,
        ].join('\n'),
      );
    }
  } finally {
    await p.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
