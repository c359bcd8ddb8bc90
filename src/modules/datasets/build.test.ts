// Staging + schema → typed Parquet, on real files: types, renames, bad values (reject / quarantine), no leftovers.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import ExcelJS from 'exceljs';
import { AppError } from '../../errors.ts';
import { translate } from '../../i18n/messages.ts';
import { buildVersion } from './build.ts';
import { DuckEngine, quoteLiteral } from './duckdb.ts';
import { stageFile } from './ingest/index.ts';
import { inferSchema, type TableSchema } from './schema-infer.ts';

let root: string;
let outDir: string;
let engine: DuckEngine;

before(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'shuyuan-build-'));
  outDir = path.join(root, 'versions');
  await fs.mkdir(outDir);
  engine = await DuckEngine.open({ allowedDirs: [root], tempDir: path.join(root, 'tmp'), memoryLimit: '256MB', threads: 2 });
});
after(async () => {
  engine.close();
  await fs.rm(root, { recursive: true, force: true });
});

let seq = 0;
async function staged(name: string, content: string | Buffer): Promise<string> {
  const n = ++seq;
  const p = path.join(root, `${n}-${name}`);
  await fs.writeFile(p, content);
  const out = path.join(root, `${n}-staging.parquet`);
  await stageFile(engine, { path: p, fileName: name }, out);
  return out;
}
const versionPath = () => path.join(outDir, `v${++seq}.parquet`);

async function read(file: string): Promise<{ types: Record<string, string>; rows: unknown[][] }> {
  const con = await engine.connect();
  try {
    const d = (await con.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet(${quoteLiteral(file)})`)).getRowObjectsJS() as {
      column_name: string;
      column_type: string;
    }[];
    const rows = (await con.runAndReadAll(`SELECT * FROM read_parquet(${quoteLiteral(file)})`)).getRowsJson() as unknown[][];
    return { types: Object.fromEntries(d.map((c) => [c.column_name, c.column_type])), rows };
  } finally {
    con.closeSync();
  }
}

const CSV =
  'id,名称,金额,有效,成立日期,更新时间,代码\n' +
  '1,甲公司,12.5,是,2024年1月5日,2024-01-05 08:30:00,007\n' +
  '2,乙公司,-3,否,2023年12月31日,2024-01-06 09:00:00,010\n' +
  '3,,0.25,是,2024年2月29日,2024-01-07 10:15:30,999\n';

test('builds typed Parquet (zstd) from the inferred schema: types, values, no _row, hash and size', async () => {
  const st = await staged('a.csv', CSV);
  const schema = await inferSchema(engine, st);
  const out = versionPath();
  const r = await buildVersion(engine, st, schema, out);
  assert.equal(r.rows, 3);
  assert.equal(r.badRowCount, 0);
  assert.deepEqual(r.badRows, []);
  const bytes = await fs.readFile(out);
  assert.equal(r.bytes, bytes.length);
  assert.equal(r.sha256, crypto.createHash('sha256').update(bytes).digest('hex'));
  const { types, rows } = await read(out);
  assert.deepEqual(types, {
    id: 'BIGINT',
    名称: 'VARCHAR',
    金额: 'DOUBLE',
    有效: 'BOOLEAN',
    成立日期: 'DATE',
    更新时间: 'TIMESTAMP',
    代码: 'VARCHAR',
  });
  assert.deepEqual(rows, [
    ['1', '甲公司', 12.5, true, '2024-01-05', '2024-01-05 08:30:00', '007'],
    ['2', '乙公司', -3, false, '2023-12-31', '2024-01-06 09:00:00', '010'],
    ['3', null, 0.25, true, '2024-02-29', '2024-01-07 10:15:30', '999'],
  ]);
  const [codec] = await engine.json<{ c: string }>(`SELECT DISTINCT compression::VARCHAR AS c FROM parquet_metadata($1)`, [out]);
  assert.equal(codec!.c, 'ZSTD');
  assert.deepEqual(
    (await fs.readdir(outDir)).filter((f) => f.startsWith('.')),
    [],
  );
});

test('fields renamed by the provider read their source column (field.source or columnMap)', async () => {
  const st = await staged('b.csv', CSV);
  const schema: TableSchema = {
    fields: [
      { name: '企业编号', type: 'integer', source: 'id' },
      { name: 'company', type: 'string', source: '名称' },
      { name: '代码', type: 'integer' },
    ],
  };
  const out = versionPath();
  await buildVersion(engine, st, schema, out);
  const { types, rows } = await read(out);
  assert.deepEqual(types, { 企业编号: 'BIGINT', company: 'VARCHAR', 代码: 'BIGINT' });
  assert.deepEqual(rows[0], ['1', '甲公司', '7']);
  const out2 = versionPath();
  await buildVersion(engine, st, { fields: [{ name: 'x', type: 'string' }] }, out2, { columnMap: { x: '代码' } });
  assert.deepEqual((await read(out2)).rows, [['007'], ['010'], ['999']]);
});

/** The build fails with ROWS_INVALID and leaves no file behind. */
async function rejected(staging: string, schema: TableSchema): Promise<AppError> {
  const before = await fs.readdir(outDir);
  const out = versionPath();
  const err = await buildVersion(engine, staging, schema, out).then(
    () => assert.fail('expected ROWS_INVALID'),
    (e: unknown) => e,
  );
  assert.ok(err instanceof AppError);
  assert.equal(err.code, 'ROWS_INVALID');
  assert.deepEqual(await fs.readdir(outDir), before, 'no output file');
  return err;
}

test('integer overflow, invalid dates, bad booleans and empty required values are reported with row and column', async () => {
  const csv =
    'n,d,b,req\n' + // line 1
    '1,2024-01-05,是,a\n' + // 2
    '99999999999999999999,2024-02-30,是,b\n' + // 3: overflow, invalid date
    '3,2024-01-06,也许,\n' + // 4: bad boolean, required empty
    '4,2024-01-07,否,d\n'; // 5
  const st = await staged('c.csv', csv);
  const schema: TableSchema = {
    fields: [
      { name: 'n', type: 'integer' },
      { name: 'd', type: 'date', format: '%Y-%m-%d' },
      { name: 'b', type: 'boolean', trueValues: ['是'], falseValues: ['否'] },
      { name: 'req', type: 'string', constraints: { required: true } },
    ],
  };
  const err = await rejected(st, schema);
  const details = err.details as { errors: unknown[]; total: number; rows: number };
  assert.deepEqual(details.errors, [
    { row: 3, column: 'n', value: '99999999999999999999', reason: 'VALUE_OVERFLOW' },
    { row: 3, column: 'd', value: '2024-02-30', reason: 'VALUE_NOT_DATE' },
    { row: 4, column: 'b', value: '也许', reason: 'VALUE_NOT_BOOLEAN' },
    { row: 4, column: 'req', value: null, reason: 'VALUE_REQUIRED' },
  ]);
  assert.equal(details.total, 4);
  assert.equal(details.rows, 2);
  assert.deepEqual([err.params.row, err.params.column], [3, 'n']);
  assert.match(translate('ROWS_INVALID', 'zh-CN', err.params), /有 2 行共 4 个值.*第 3 行“n”/);

  // quarantine: the good rows are written, the bad ones returned
  const out = versionPath();
  const r = await buildVersion(engine, st, schema, out, { badRows: 'quarantine' });
  assert.equal(r.rows, 2);
  assert.equal(r.badRowCount, 2);
  assert.equal(r.badValueCount, 4);
  assert.deepEqual(
    r.badRows.map((b) => [b.row, b.column, b.reason]),
    [
      [3, 'n', 'VALUE_OVERFLOW'],
      [3, 'd', 'VALUE_NOT_DATE'],
      [4, 'b', 'VALUE_NOT_BOOLEAN'],
      [4, 'req', 'VALUE_REQUIRED'],
    ],
  );
  assert.deepEqual((await read(out)).rows, [
    ['1', '2024-01-05', true, 'a'],
    ['4', '2024-01-07', false, 'd'],
  ]);
});

test('values with surrounding spaces are trimmed for typed fields; blank is empty', async () => {
  const st = await staged('s.csv', 'n,d,x,s\n 12 , 2024-01-05 ,  1.5,  keep  \n   ,2024-01-06,2,\n');
  const out = versionPath();
  await buildVersion(
    engine,
    st,
    {
      fields: [
        { name: 'n', type: 'integer' },
        { name: 'd', type: 'date', format: '%Y-%m-%d' },
        { name: 'x', type: 'number' },
        { name: 's', type: 'string' },
      ],
    },
    out,
  );
  assert.deepEqual((await read(out)).rows, [
    ['12', '2024-01-05', 1.5, '  keep  '],
    [null, '2024-01-06', 2, null],
  ]);
});

test('numbers: text and out-of-range values; the bad-value list is capped at 1000 with exact counts', async () => {
  const lines = ['x'];
  for (let i = 0; i < 1500; i++) lines.push(i % 2 ? 'abc' : '1e400');
  lines.push('2.5');
  const st = await staged('d.csv', lines.join('\n') + '\n');
  const err = await rejected(st, { fields: [{ name: 'x', type: 'number' }] });
  const details = err.details as { errors: { row: number; reason: string }[]; total: number };
  assert.equal(details.total, 1500);
  assert.equal(details.errors.length, 1000);
  assert.deepEqual(details.errors.slice(0, 2), [
    { row: 2, column: 'x', value: '1e400', reason: 'VALUE_OVERFLOW' },
    { row: 3, column: 'x', value: 'abc', reason: 'VALUE_NOT_NUMBER' },
  ]);
});

test('row numbers come from the staging file in both forms: quoted line breaks (a _row column) and XLSX rows', async () => {
  const st = await staged('e.csv', 'a,b\n1,"x\ny"\n2,z\nbad,w\n');
  const err = await rejected(st, { fields: [{ name: 'a', type: 'integer' }] });
  assert.deepEqual((err.details as { errors: unknown[] }).errors, [{ row: 5, column: 'a', value: 'bad', reason: 'VALUE_NOT_INTEGER' }]);

  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('s');
  ws.addRow(['标题']);
  ws.addRow([]);
  ws.addRow(['数量', '日期']);
  ws.addRow([1, '2024/1/5']);
  ws.addRow(['十', '2024/13/5']);
  const x = await staged('f.xlsx', Buffer.from(await wb.xlsx.writeBuffer()));
  const err2 = await rejected(x, {
    fields: [
      { name: '数量', type: 'integer' },
      { name: '日期', type: 'date', format: '%Y/%m/%d' },
    ],
  });
  assert.deepEqual((err2.details as { errors: unknown[] }).errors, [
    { row: 5, column: '数量', value: '十', reason: 'VALUE_NOT_INTEGER' },
    { row: 5, column: '日期', value: '2024/13/5', reason: 'VALUE_NOT_DATE' },
  ]);
});

test('schema errors: unknown source column, duplicate names, unsupported format, reserved name', async () => {
  const st = await staged('g.csv', CSV);
  const cases: [TableSchema, string][] = [
    [{ fields: [{ name: 'x', type: 'string', source: 'nope' }] }, 'SCHEMA_SOURCE_UNKNOWN'],
    [
      {
        fields: [
          { name: 'id', type: 'integer' },
          { name: 'ID', type: 'string', source: '名称' },
        ],
      },
      'SCHEMA_INVALID',
    ],
    [{ fields: [{ name: '成立日期', type: 'date', format: '%Y年%m月%d日 %Q' }] }, 'SCHEMA_INVALID'],
    [{ fields: [{ name: '_row', type: 'integer', source: 'id' }] }, 'SCHEMA_INVALID'],
    [{ fields: [] }, 'SCHEMA_INVALID'],
  ];
  for (const [schema, code] of cases) {
    await assert.rejects(buildVersion(engine, st, schema, versionPath()), (e: unknown) => e instanceof AppError && e.code === code);
  }
  assert.deepEqual(await fs.readdir(outDir).then((fs) => fs.filter((f) => f.startsWith('.'))), []);
});
