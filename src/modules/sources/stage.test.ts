// stageQuery against the real PostgreSQL and MariaDB servers of this machine, into a real locked-down DuckDB:
// values rendered to text without loss (Chinese text, NULLs, numerics, dates, binary), 100k rows streamed,
// incremental runs picking up only new rows, refusals (non-SELECT, writes under read-only, timeouts,
// unreachable servers, wrong passwords) leaving no staging file behind.
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { AppError } from '../../errors.ts';
import { DuckEngine } from '../datasets/duckdb.ts';
import { inferSchema } from '../datasets/schema-infer.ts';
import { probeSource, stageQuery, type SourceEndpoint, type StageSpec } from './stage.ts';
import { closedPort, scratchMysql, scratchPg, type ScratchMysql, type ScratchPg } from './testkit.ts';

let root: string;
let engine: DuckEngine;
let pgdb: ScratchPg;
let mydb: ScratchMysql;
let n = 0;

before(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'shuyuan-sources-'));
  engine = await DuckEngine.open({ allowedDirs: [root], tempDir: path.join(root, 'tmp'), memoryLimit: '256MB', threads: 1 });
  pgdb = await scratchPg();
  mydb = await scratchMysql();
});
after(async () => {
  engine?.close();
  await pgdb?.drop();
  await mydb?.drop();
  await fs.rm(root, { recursive: true, force: true });
});

const out = () => path.join(root, `stage-${++n}.parquet`);
const full = (query: string): StageSpec => ({ query, mode: 'full' });

async function rows(file: string): Promise<Array<Record<string, string | null>>> {
  return engine.json<Record<string, string | null>>(`select * from read_parquet($1) order by _row`, [file]);
}

async function parquetTypes(file: string): Promise<Record<string, string>> {
  const r = await engine.json<{ column_name: string; column_type: string }>(`describe select * from read_parquet($1)`, [file]);
  return Object.fromEntries(r.map((c) => [c.column_name, c.column_type]));
}

/** Stages and expects an AppError with `code`; no file may remain at the output path. */
async function refused(ep: SourceEndpoint, spec: StageSpec, code: string, timeoutSeconds = 30): Promise<AppError> {
  const file = out();
  let err: unknown;
  try {
    await stageQuery(engine, ep, spec, file, undefined, { timeoutSeconds });
  } catch (e) {
    err = e;
  }
  assert.ok(err instanceof AppError, `expected ${code}, got ${String(err)}`);
  assert.equal(err.code, code, JSON.stringify(err.params));
  await assert.rejects(fs.stat(file), { code: 'ENOENT' });
  await assert.rejects(fs.stat(`${file}.part`), { code: 'ENOENT' });
  return err;
}

describe('PostgreSQL', () => {
  before(async () => {
    await pgdb.query(`create table people (
      id bigint primary key, name text, note text, amount numeric(30,10), ratio double precision, born date,
      seen timestamp, seen_tz timestamptz, active boolean, photo bytea, extra jsonb, tags text[])`);
    await pgdb.query(`insert into people values
      (1, '张三', '第一行，含"引号"与
换行', 12345678901234567890.0123456789, 0.1, '2024-01-05', '2024-01-05 10:00:00.5', '2024-01-05 10:00:00+08', true, '\\x00ff10', '{"城市": "示范市"}', '{a,b}'),
      (2, '李四', '', -0.0000000001, 1e300, '1999-12-31', '1999-12-31 23:59:59', '1999-12-31 16:00:00+00', false, null, null, '{}'),
      (3, null, null, null, null, null, null, null, null, null, null, null)`);
  });

  test('stages every value as text without loss (the empty string as NULL, per the staging contract), in source order', async () => {
    const file = out();
    const progress: number[] = [];
    const r = await stageQuery(
      engine,
      pgdb.endpoint,
      full('select id, name, note, amount, ratio, born, seen, seen_tz, active, photo, extra, tags from people order by id'),
      file,
      (k) => progress.push(k),
      { timeoutSeconds: 30 },
    );
    assert.equal(r.format, 'postgresql');
    assert.equal(r.rows, 3);
    assert.deepEqual(r.columns, ['id', 'name', 'note', 'amount', 'ratio', 'born', 'seen', 'seen_tz', 'active', 'photo', 'extra', 'tags']);
    assert.equal(r.highWater, null);
    assert.match(r.serverVersion, /^PostgreSQL \d+/);
    assert.deepEqual(r.warnings, ['column "photo": binary values stored as base64']);
    assert.deepEqual(progress, [3]);
    const types = await parquetTypes(file);
    assert.equal(types._row, 'BIGINT');
    for (const c of r.columns) assert.equal(types[c], 'VARCHAR', c);
    const got = await rows(file);
    assert.deepEqual(got[0], {
      _row: '1',
      id: '1',
      name: '张三',
      note: '第一行，含"引号"与\n换行',
      amount: '12345678901234567890.0123456789',
      ratio: '0.1',
      born: '2024-01-05',
      seen: '2024-01-05 10:00:00.5',
      seen_tz: '2024-01-05 10:00:00',
      active: 'true',
      photo: Buffer.from([0x00, 0xff, 0x10]).toString('base64'),
      extra: '{"城市": "示范市"}',
      tags: '{a,b}',
    });
    assert.deepEqual(got[1], {
      _row: '2',
      id: '2',
      name: '李四',
      note: null,
      amount: '-0.0000000001',
      ratio: '1e+300',
      born: '1999-12-31',
      seen: '1999-12-31 23:59:59.0', // padded like the column's longest fraction
      seen_tz: '2000-01-01 00:00:00',
      active: 'false',
      photo: null,
      extra: null,
      tags: '{}',
    });
    assert.deepEqual(
      Object.entries(got[2]!).filter(([k, v]) => v !== null && k !== '_row' && k !== 'id'),
      [],
    );
  });

  test('times with a zone are China time; another offset (summer time 1986–1991) is kept; the data plane types them', async () => {
    const file = out();
    await stageQuery(
      engine,
      pgdb.endpoint,
      full(
        `select timestamptz '2024-07-01 04:00:00+00' + g * interval '1 hour' as at, timestamp '2024-07-01 12:00' + g * interval '1 day' as local_at,
                timestamp '2024-07-01 12:00' + g * interval '0.25 second' as fine_at, date '2024-07-01' + g as day, (g * 1.5)::numeric(8,2) as amount, g as n from generate_series(1, 20) g`,
      ),
      file,
      undefined,
      { timeoutSeconds: 30 },
    );
    const got = await rows(file);
    assert.deepEqual(got[0], {
      _row: '1',
      at: '2024-07-01 13:00:00',
      local_at: '2024-07-02 12:00:00',
      fine_at: '2024-07-01 12:00:00.25',
      day: '2024-07-02',
      amount: '1.50',
      n: '1',
    });
    // PostgreSQL prints '12:00:01' for a whole second: padded like the rest of the column.
    assert.deepEqual(
      got.slice(1, 4).map((r) => r.fine_at),
      ['2024-07-01 12:00:00.50', '2024-07-01 12:00:00.75', '2024-07-01 12:00:01.00'],
    );
    const schema = await inferSchema(engine, file);
    assert.deepEqual(
      schema.fields.map((f) => [f.name, f.type]),
      [
        ['at', 'datetime'],
        ['local_at', 'datetime'],
        ['fine_at', 'datetime'],
        ['day', 'date'],
        ['amount', 'number'],
        ['n', 'integer'],
      ],
    );
    const summer = out();
    await stageQuery(engine, pgdb.endpoint, full(`select timestamptz '1988-07-01 03:00:00+00' as t`), summer, undefined, {
      timeoutSeconds: 30,
    });
    assert.deepEqual(await rows(summer), [{ _row: '1', t: '1988-07-01 12:00:00+09' }]);
  });

  test('100k rows stream through in batches (progress per batch) into one file', async (t) => {
    await pgdb.query(`create table big as
      select g as id, '用户' || g as name, (g * 1.25)::numeric(12,2) as amount, date '2024-01-01' + (g % 366) as day
      from generate_series(1, 100000) g`);
    const file = out();
    const progress: number[] = [];
    const t0 = performance.now();
    const r = await stageQuery(engine, pgdb.endpoint, full('select * from big order by id'), file, (k) => progress.push(k), {
      timeoutSeconds: 120,
    });
    t.diagnostic(`PostgreSQL 100k rows × 4 columns → staging Parquet: ${Math.round(performance.now() - t0)} ms`);
    assert.equal(r.rows, 100_000);
    assert.equal(progress.length, 10);
    assert.equal(progress.at(-1), 100_000);
    const agg = await engine.json(
      `select count(*) as n, max(_row) as last, count(distinct name) as names, sum(amount::decimal(18,2)) as total from read_parquet($1)`,
      [file],
    );
    assert.deepEqual(agg, [{ n: '100000', last: '100000', names: '100000', total: '6250062500.00' }]);
    const [row] = await engine.json(`select * from read_parquet($1) where _row = 54321`, [file]);
    assert.deepEqual(row, { _row: '54321', id: '54321', name: '用户54321', amount: '67901.25', day: '2024-06-02' });
  });

  test('incremental: the first run takes everything, later runs only rows past the mark', async () => {
    await pgdb.query(`create table events (id bigint, changed timestamptz, what text)`);
    await pgdb.query(`insert into events values (1, '2024-01-01 09:00+08', '甲'), (2, '2024-01-02 09:00+08', '乙'), (3, null, '丙')`);
    const spec: StageSpec = { query: 'select id, changed, what from events', mode: 'incremental', incrementalColumn: 'changed' };
    const first = await stageQuery(engine, pgdb.endpoint, spec, out(), undefined, { timeoutSeconds: 30 });
    assert.equal(first.rows, 3);
    assert.deepEqual(first.highWater, { value: '2024-01-02 09:00:00+08', type: 'pg:1184' });

    await pgdb.query(`insert into events values (4, '2024-01-03 09:00+08', '丁'), (5, '2024-01-01 10:00+08', '戊（迟到的旧时间）')`);
    const file = out();
    const second = await stageQuery(
      engine,
      pgdb.endpoint,
      { ...spec, lastValue: first.highWater!.value, lastValueType: first.highWater!.type },
      file,
      undefined,
      {
        timeoutSeconds: 30,
      },
    );
    assert.equal(second.rows, 1);
    assert.deepEqual(
      (await rows(file)).map((r) => [r._row, r.id, r.what, r.changed]),
      [['1', '4', '丁', '2024-01-03 09:00:00']],
    );
    assert.deepEqual(second.highWater, { value: '2024-01-03 09:00:00+08', type: 'pg:1184' });

    // Nothing new: no rows, the mark stays.
    const third = await stageQuery(engine, pgdb.endpoint, { ...spec, lastValue: second.highWater!.value }, out(), undefined, {
      timeoutSeconds: 30,
    });
    assert.equal(third.rows, 0);
    assert.equal(third.highWater!.value, second.highWater!.value);
    // A column the result does not have: the server says so.
    await refused(pgdb.endpoint, { ...spec, incrementalColumn: 'nope' }, 'SOURCE_QUERY_FAILED');
  });

  test('refusals: not a SELECT, writes under read-only, duplicate columns, timeout — nothing written', async () => {
    await pgdb.query(`create table guarded (id int)`);
    await pgdb.query(`insert into guarded values (1), (2)`);
    await pgdb.query(`create function sy_write() returns int language sql as 'insert into guarded values (99) returning 1'`);
    let e = await refused(pgdb.endpoint, full('delete from guarded'), 'SOURCE_QUERY_NOT_SELECT');
    assert.equal(e.status, 400);
    await refused(pgdb.endpoint, full('select 1; delete from guarded'), 'SOURCE_QUERY_NOT_SELECT');
    e = await refused(pgdb.endpoint, full('with d as (delete from guarded returning *) select * from d'), 'SOURCE_QUERY_FAILED');
    assert.match(String(e.params.reason), /data-modifying/);
    e = await refused(pgdb.endpoint, full('select sy_write()'), 'SOURCE_QUERY_FAILED');
    assert.match(String(e.params.reason), /read-only transaction/);
    assert.deepEqual(await pgdb.query('select id from guarded order by id'), [{ id: 1 }, { id: 2 }]);
    e = await refused(pgdb.endpoint, full('select 1 as a, 2 as "A"'), 'SOURCE_COLUMN_DUPLICATE');
    assert.equal(e.params.column, 'A');
    await refused(pgdb.endpoint, full('select 1 as _row'), 'SOURCE_COLUMN_DUPLICATE');
    e = await refused(pgdb.endpoint, full('select no_such_column from guarded'), 'SOURCE_QUERY_FAILED');
    assert.match(String(e.params.reason), /no_such_column/);
    e = await refused(pgdb.endpoint, full('select id, pg_sleep(3) from guarded'), 'SOURCE_QUERY_TIMEOUT', 1);
    assert.equal(e.status, 504);
    assert.equal(e.params.seconds, 1);
  });

  test('unreachable server, unknown role, unknown database', async () => {
    const port = await closedPort();
    let e = await refused({ ...pgdb.endpoint, port }, full('select 1'), 'SOURCE_UNREACHABLE');
    assert.equal(e.params.port, port);
    await assert.rejects(probeSource({ ...pgdb.endpoint, port }), (x: unknown) => x instanceof AppError && x.code === 'SOURCE_UNREACHABLE');
    e = await refused({ ...pgdb.endpoint, user: 'sy_no_such_role', password: 'secret-pw-123' }, full('select 1'), 'SOURCE_AUTH_FAILED');
    assert.doesNotMatch(JSON.stringify(e.params), /secret-pw-123/);
    await refused({ ...pgdb.endpoint, database: 'sy_no_such_db' }, full('select 1'), 'SOURCE_DATABASE_UNKNOWN');
    const ok = await probeSource(pgdb.endpoint);
    assert.equal(ok.kind, 'postgresql');
    assert.match(ok.serverVersion, /^PostgreSQL \d+/);
  });
});

describe('MariaDB / MySQL', () => {
  before(async () => {
    // TIMESTAMP values are given in UTC here; the ingest session reads them at +08:00.
    await mydb.query(`set time_zone = '+00:00'`);
    await mydb.query(`create table people (
      id bigint unsigned primary key, name varchar(50), note text, amount decimal(30,10), ratio double, born date,
      seen datetime(3), stamped timestamp null, active tinyint(1), photo blob, code varbinary(8), extra json, flags bit(3), yr year)`);
    await mydb.query(
      `insert into people values
        (18446744073709551615, '张三😀', '第一行，含"引号"与\n换行', 12345678901234567890.0123456789, 0.1, '2024-01-05', '2024-01-05 10:00:00.500',
         '2024-01-05 10:00:00', 1, x'00ff10', x'41', '{"城市": "示范市"}', b'101', 2024),
        (2, '李四', '', -0.0000000001, 1e300, '1999-12-31', '1999-12-31 23:59:59', null, 0, null, null, null, b'000', null),
        (3, null, null, null, null, null, null, null, null, null, null, null, null, null)`,
    );
  });

  test('stages every value as text without loss (utf8mb4, unsigned bigint, decimals, binary as base64)', async () => {
    const file = out();
    const r = await stageQuery(engine, mydb.endpoint, full('select * from people order by id desc'), file, undefined, {
      timeoutSeconds: 30,
    });
    assert.equal(r.format, 'mysql');
    assert.equal(r.rows, 3);
    assert.match(r.serverVersion, /^(MariaDB|MySQL) \d+/);
    assert.deepEqual(r.warnings, ['column "photo": binary values stored as base64', 'column "code": binary values stored as base64']);
    const got = await rows(file);
    assert.deepEqual(got[0], {
      _row: '1',
      id: '18446744073709551615',
      name: '张三😀',
      note: '第一行，含"引号"与\n换行',
      amount: '12345678901234567890.0123456789',
      ratio: '0.1',
      born: '2024-01-05',
      seen: '2024-01-05 10:00:00.500',
      stamped: '2024-01-05 18:00:00',
      active: '1',
      photo: Buffer.from([0x00, 0xff, 0x10]).toString('base64'),
      code: Buffer.from('A').toString('base64'),
      extra: '{"城市": "示范市"}',
      flags: '5',
      yr: '2024',
    });
    // id desc: 3 (all NULL) before 2.
    assert.deepEqual(
      Object.entries(got[1]!).filter(([k, v]) => v !== null && k !== '_row' && k !== 'id'),
      [],
    );
    assert.equal(got[2]!.note, null); // '' in the source
    assert.equal(got[2]!.ratio, '1e300');
    assert.equal(got[2]!.flags, '0');
  });

  test('100k rows stream through into one file', async (t) => {
    await mydb.query(`create table big (id int primary key, name varchar(20), amount decimal(12,2), day date)`);
    await mydb.query(
      `insert into big select seq, concat('用户', seq), seq * 1.25, date '2024-01-01' + interval (seq % 366) day from seq_1_to_100000`,
    );
    const file = out();
    const progress: number[] = [];
    const t0 = performance.now();
    const r = await stageQuery(engine, mydb.endpoint, full('select * from big order by id'), file, (k) => progress.push(k), {
      timeoutSeconds: 120,
    });
    t.diagnostic(`MariaDB 100k rows × 4 columns → staging Parquet: ${Math.round(performance.now() - t0)} ms`);
    assert.equal(r.rows, 100_000);
    assert.equal(progress.at(-1), 100_000);
    assert.ok(progress.length >= 10);
    const agg = await engine.json(`select count(*) as n, max(_row) as last, sum(amount::decimal(18,2)) as total from read_parquet($1)`, [
      file,
    ]);
    assert.deepEqual(agg, [{ n: '100000', last: '100000', total: '6250062500.00' }]);
    const [row] = await engine.json(`select * from read_parquet($1) where _row = 54321`, [file]);
    assert.deepEqual(row, { _row: '54321', id: '54321', name: '用户54321', amount: '67901.25', day: '2024-06-02' });
  });

  test('incremental on snowflake-sized ids compares exactly (beyond 2^53)', async () => {
    await mydb.query(`create table orders (id bigint primary key, what varchar(20))`);
    await mydb.query(`insert into orders values (9007199254740992, '甲'), (9007199254740991, '乙')`);
    const spec: StageSpec = { query: 'select id, what from orders', mode: 'incremental', incrementalColumn: 'ID' };
    const first = await stageQuery(engine, mydb.endpoint, spec, out(), undefined, { timeoutSeconds: 30 });
    assert.equal(first.rows, 2);
    assert.deepEqual(first.highWater, { value: '9007199254740992', type: 'mysql:8' });
    // 2^53 + 1 is the same double as 2^53: compared as doubles (MySQL's rule for a number against a string) it
    // would never come.
    await mydb.query(`insert into orders values (9007199254740993, '丙')`);
    const file = out();
    const second = await stageQuery(
      engine,
      mydb.endpoint,
      { ...spec, lastValue: first.highWater!.value, lastValueType: first.highWater!.type },
      file,
      undefined,
      {
        timeoutSeconds: 30,
      },
    );
    assert.deepEqual(
      (await rows(file)).map((r) => [r.id, r.what]),
      [['9007199254740993', '丙']],
    );
    assert.equal(second.highWater!.value, '9007199254740993');
  });

  test('refusals: not a SELECT, writes under read-only, timeout, wrong password, closed port', async () => {
    await mydb.query(`create table guarded (id int)`);
    await mydb.query(`insert into guarded values (1), (2)`);
    await mydb.query(`create function sy_write() returns int modifies sql data begin insert into guarded values (99); return 1; end`);
    await refused(mydb.endpoint, full('delete from guarded'), 'SOURCE_QUERY_NOT_SELECT');
    await refused(mydb.endpoint, full("select 1 into outfile '/tmp/sy-x'"), 'SOURCE_QUERY_NOT_SELECT');
    let e = await refused(mydb.endpoint, full('select sy_write()'), 'SOURCE_QUERY_FAILED');
    assert.match(String(e.params.reason), /READ ONLY/i);
    assert.deepEqual(await mydb.query('select id from guarded order by id'), [{ id: 1 }, { id: 2 }]);
    e = await refused(mydb.endpoint, full('select id, sleep(3) from guarded'), 'SOURCE_QUERY_TIMEOUT', 1);
    assert.equal(e.status, 504);
    const user = await mydb.createUser('Right-pw-2024');
    e = await refused({ ...mydb.endpoint, user, password: 'wrong-pw-2024' }, full('select 1'), 'SOURCE_AUTH_FAILED');
    assert.doesNotMatch(JSON.stringify(e.params), /wrong-pw-2024/);
    const probe = await probeSource({ ...mydb.endpoint, user, password: 'Right-pw-2024' });
    assert.equal(probe.privileged, false);
    assert.equal((await probeSource(mydb.endpoint)).privileged, mydb.endpoint.user === 'root');
    await refused({ ...mydb.endpoint, port: await closedPort() }, full('select 1'), 'SOURCE_UNREACHABLE');
    await refused({ ...mydb.endpoint, database: 'sy_no_such_db' }, full('select 1'), 'SOURCE_DATABASE_UNKNOWN');
  });
});
