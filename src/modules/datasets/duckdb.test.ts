import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { DuckEngine, quoteIdent } from './duckdb.ts';

let root: string;
let engine: DuckEngine;

before(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'shuyuan-duck-'));
  await fs.mkdir(path.join(root, 'allowed'));
  await fs.mkdir(path.join(root, 'outside'));
  await fs.writeFile(path.join(root, 'allowed', 'a.csv'), 'x,y\n1,2\n');
  await fs.writeFile(path.join(root, 'outside', 'secret.csv'), 'x,y\n3,4\n');
  engine = await DuckEngine.open({
    allowedDirs: [path.join(root, 'allowed')],
    tempDir: path.join(root, 'allowed', 'tmp'),
    memoryLimit: '256MB',
    threads: 1,
  });
});
after(async () => {
  engine.close();
  await fs.rm(root, { recursive: true, force: true });
});

test('reads files in an allowed directory, with bound parameters', async () => {
  const rows = await engine.all<{ x: bigint }>(`select x from read_csv($1) where y = $2`, [path.join(root, 'allowed', 'a.csv'), 2]);
  assert.deepEqual(rows, [{ x: 1n }]);
});

test('refuses files outside the allowed directories, also through ..', async () => {
  for (const f of [path.join(root, 'outside', 'secret.csv'), path.join(root, 'allowed', '..', 'outside', 'secret.csv'), '/etc/passwd']) {
    await assert.rejects(engine.all(`select * from read_csv($1)`, [f]), /Permission Error/);
  }
  await assert.rejects(engine.run(`copy (select 1) to '${path.join(root, 'outside', 'o.csv')}'`), /Permission Error/);
  assert.equal(engine.allows(path.join(root, 'allowed', 'x.parquet')), true);
  assert.equal(engine.allows(path.join(root, 'allowed', '..', 'outside', 'secret.csv')), false);
});

test('configuration is locked and extensions cannot be installed', async () => {
  await assert.rejects(engine.run('SET enable_external_access = true'), /locked/);
  await assert.rejects(engine.run("SET allowed_directories = ['/']"), /locked/);
  await assert.rejects(engine.run('INSTALL excel'));
  await assert.rejects(engine.run('LOAD httpfs'));
});

test('quoteIdent keeps hostile column names literal', async () => {
  const name = 'a"; drop table t; --';
  const rows = await engine.json(`select 1 as ${quoteIdent(name)}`);
  assert.deepEqual(Object.keys(rows[0]!), [name]);
});
