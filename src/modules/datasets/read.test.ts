import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import ExcelJS from 'exceljs';
import Fastify, { type FastifyInstance } from 'fastify';
import { AppError } from '../../errors.ts';
import { mask } from '../privacy/mask.ts';
import { pseudonym } from '../privacy/pseudonym.ts';
import { createRng, idNumber, mobile, personName } from '../privacy/synthetic.ts';
import { DuckEngine, quoteIdent, quoteLiteral } from './duckdb.ts';
import {
  contentDisposition,
  enableTokens,
  ExportCache,
  exportTo,
  followFile,
  formulaFreeColumns,
  parseRange,
  preview,
  query,
  sendFile,
  type Filter,
  type MaskingPolicy,
  type ReadColumn,
  type ReadSource,
} from './read.ts';

let root: string;
let engine: DuckEngine;
const key = crypto.randomBytes(32);

// ------------------------------------------------------------------------------------------ fixture

const HOSTILE = 'a"; DROP TABLE t; --';

interface Fix {
  _row: number;
  name: string | null;
  id: string | null;
  phone: string | null;
  age: number | null;
  amt: string | null; // DECIMAL(18,2) as text
  score: number | null;
  active: boolean | null;
  birth: string | null;
  reg: string | null;
  note: string | null;
  hostile: string | null;
  proto: string | null;
  internal: string | null;
}

const rng = createRng('read.test');
const AGES = [30, -5, 0, 45, null, 18, 30, 61, 22, 30, 99, 7];
const AMTS = ['12.50', '-3.25', '0.00', '1000000.99', null, '7.10', '12.50', '-0.01', '3.33', '8.00', '2.00', '1.00'];
const SCORES = [1.5, -2.25, 0, 3.14159, 2.5, null, 1e-7, 100, -0.5, 42, 0.1, 0.2];
const ACTIVE = [true, false, true, null, false, true, true, false, true, false, true, false];
const BIRTHS = [
  '1990-03-07',
  '2000-02-29',
  '1985-12-31',
  null,
  '1970-01-01',
  '2004-06-15',
  '1990-03-07',
  '1962-11-11',
  '2001-09-09',
  '1999-12-31',
  '1925-05-05',
  '2017-01-01',
];
const REGS = [
  '2024-01-05 08:30:00',
  '2024-01-05 08:30:00.5',
  '2023-12-31 23:59:59',
  '2024-02-29 12:00:00',
  null,
  '2024-01-05 00:00:00',
  '2022-06-01 09:15:30',
  '2024-01-04 23:59:59.999999',
  '2024-03-01 00:00:00',
  '2021-01-01 00:00:00',
  '2024-01-05 08:30:01',
  '2020-02-02 02:02:02',
];
const NOTES = [
  '=1+2',
  '-5',
  '+86 电话',
  '@SUM(A1)',
  'plain, with comma',
  'line\nbreak',
  'quote "x"',
  null,
  '',
  '\tTab',
  '普通文本',
  '=HYPERLINK("http://x")',
];
const FIX: Fix[] = AGES.map((age, i) => ({
  _row: i + 2, // source lines start after the header
  name: i === 11 ? null : personName(rng),
  id: i === 10 ? null : idNumber(rng),
  phone: mobile(rng),
  age,
  amt: AMTS[i]!,
  score: SCORES[i]!,
  active: ACTIVE[i]!,
  birth: BIRTHS[i]!,
  reg: REGS[i]!,
  note: NOTES[i]!,
  hostile: i === 0 ? "'; DROP TABLE t; --" : `h${i % 3}`,
  proto: `p${i}`,
  internal: `secret-${i}`,
}));

const COLUMNS: ReadColumn[] = [
  { name: '姓名', type: 'string', piiKind: 'name' },
  { name: '身份证号', type: 'string', piiKind: 'id_number' },
  { name: '手机号', type: 'string', piiKind: 'phone' },
  { name: '年龄', type: 'integer' },
  { name: '金额', type: 'number' },
  { name: '分数', type: 'number' },
  { name: '在职', type: 'boolean' },
  { name: '出生日期', type: 'date' },
  { name: '登记时间', type: 'datetime' },
  { name: '备注', type: 'string' },
  { name: HOSTILE, type: 'string' },
  { name: '__proto__', type: 'string' },
  { name: '内部编号', type: 'string' },
];
const CLEAR: MaskingPolicy = Object.fromEntries(COLUMNS.map((c) => [c.name, 'clear']));
let src: ReadSource;

const lit = (v: unknown) => (v === null ? 'NULL' : typeof v === 'string' ? quoteLiteral(v) : String(v));

async function writeFixture(file: string): Promise<void> {
  const values = FIX.map(
    (r) =>
      `(${[r._row, r.name, r.id, r.phone, r.age, r.amt, r.score, r.active, r.birth, r.reg, r.note, r.hostile, r.proto, r.internal].map(lit).join(', ')})`,
  ).join(',\n');
  const names = ['_row', ...COLUMNS.map((c) => c.name)];
  const casts = [
    'BIGINT',
    'VARCHAR',
    'VARCHAR',
    'VARCHAR',
    'BIGINT',
    'DECIMAL(18,2)',
    'DOUBLE',
    'BOOLEAN',
    'DATE',
    'TIMESTAMP',
    'VARCHAR',
    'VARCHAR',
    'VARCHAR',
    'VARCHAR',
  ];
  const select = names.map((n, i) => `CAST(c${i} AS ${casts[i]}) AS ${quoteIdent(n)}`).join(', ');
  await engine.run(
    `COPY (SELECT ${select} FROM (VALUES ${values}) t(${names.map((_, i) => `c${i}`).join(', ')})) TO ${quoteLiteral(file)} (FORMAT parquet)`,
  );
}

before(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'shuyuan-read-'));
  engine = await DuckEngine.open({ allowedDirs: [root], tempDir: path.join(root, 'duck-tmp'), memoryLimit: '256MB', threads: 2 });
  await enableTokens(engine, key);
  src = { parquetPath: path.join(root, 'v1.parquet'), columns: COLUMNS };
  await writeFixture(src.parquetPath);
});
after(async () => {
  engine.close();
  await fs.rm(root, { recursive: true, force: true });
});

async function rowsOf(filter: Filter, policy = CLEAR): Promise<number[]> {
  const r = await query(engine, src, { columns: ['_row'], filter, limit: 1000 }, policy);
  return r.rows.map((x) => x._row as number).sort((a, b) => a - b);
}

function expectRows(pred: (r: Fix) => boolean): number[] {
  return FIX.filter(pred).map((r) => r._row);
}

async function rejects(p: Promise<unknown>, field: string, reason: string) {
  await assert.rejects(p, (err: unknown) => {
    assert.ok(err instanceof AppError, String(err));
    assert.equal(err.status, 400);
    assert.equal(err.code, 'QUERY_INVALID');
    assert.deepEqual(err.details, { field, reason });
    return true;
  });
}

// ------------------------------------------------------------------------------------------ preview and columns

test('preview: every readable column in schema order, _row only when asked, values typed', async () => {
  const policy = { ...CLEAR, 内部编号: 'hide' } as MaskingPolicy;
  const r = await preview(engine, src, policy, 3);
  assert.deepEqual(
    r.columns.map((c) => c.name),
    COLUMNS.map((c) => c.name).filter((n) => n !== '内部编号'),
  );
  assert.equal(r.rows.length, 3);
  const first = r.rows[0]!;
  assert.ok(!('_row' in first) && !('内部编号' in first));
  assert.equal(first['年龄'], 30);
  assert.equal(first['金额'], 12.5);
  assert.equal(first['分数'], 1.5);
  assert.equal(first['在职'], true);
  assert.equal(first['出生日期'], '1990-03-07');
  assert.equal(first['登记时间'], '2024-01-05 08:30:00');
  assert.equal(first[HOSTILE], "'; DROP TABLE t; --");
  assert.ok(Object.hasOwn(first, '__proto__') && Object.getPrototypeOf(first) === Object.prototype);
  assert.equal(Object.getOwnPropertyDescriptor(first, '__proto__')!.value, 'p0');
  const withRow = await query(engine, src, { columns: ['_row', '姓名'], limit: 2 }, policy);
  assert.deepEqual(withRow.rows, [
    { _row: 2, 姓名: FIX[0]!.name },
    { _row: 3, 姓名: FIX[1]!.name },
  ]);
  await rejects(preview(engine, src, {}, 5), 'columns', 'no_columns');
  await rejects(query(engine, src, { columns: ['内部编号'] }, policy), 'columns[0]', 'column_hidden');
  await rejects(query(engine, src, { columns: ['nope'] }, policy), 'columns[0]', 'unknown_column');
  await rejects(query(engine, src, { columns: ['姓名', '姓名'] }, policy), 'columns[1]', 'duplicate_column');
  await rejects(query(engine, src, { limit: 1001 }, policy), 'limit', 'out_of_range');
  await rejects(query(engine, src, { limit: 0 }, policy), 'limit', 'out_of_range');
  await rejects(query(engine, src, { offset: -1 }, policy), 'offset', 'out_of_range');
});

test('offset paging and the total (counted only when asked)', async () => {
  const page = await query(engine, src, { columns: ['_row'], limit: 5, offset: 10 }, CLEAR);
  assert.deepEqual(
    page.rows.map((r) => r._row),
    [12, 13],
  );
  assert.equal(page.total, undefined);
  const counted = await query(
    engine,
    src,
    { columns: ['_row'], filter: [{ column: '年龄', op: 'ge', value: 30 }], limit: 1, total: true },
    CLEAR,
  );
  assert.equal(counted.total, FIX.filter((r) => r.age !== null && r.age >= 30).length);
  assert.equal(counted.rows.length, 1);
});

// ------------------------------------------------------------------------------------------ typed filters

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const CASES: [string, Filter[number], (r: Fix) => boolean][] = [
  // string
  ['string eq', { column: '备注', op: 'eq', value: '=1+2' }, (r) => r.note === '=1+2'],
  ['string ne (empty cells included)', { column: '备注', op: 'ne', value: '=1+2' }, (r) => r.note !== '=1+2'],
  ['string lt', { column: '备注', op: 'lt', value: '@' }, (r) => r.note !== null && cmp(r.note, '@') < 0],
  ['string ge', { column: '备注', op: 'ge', value: 'p' }, (r) => r.note !== null && cmp(r.note, 'p') >= 0],
  ['string in', { column: '备注', op: 'in', value: ['-5', '', 'x'] }, (r) => r.note === '-5' || r.note === ''],
  ['string contains', { column: '备注', op: 'contains', value: 'with' }, (r) => !!r.note?.includes('with')],
  ['string contains a quote', { column: '备注', op: 'contains', value: '"x"' }, (r) => !!r.note?.includes('"x"')],
  ['string contains % is literal', { column: '备注', op: 'contains', value: '%' }, () => false],
  ['string starts_with', { column: '备注', op: 'starts_with', value: '=' }, (r) => !!r.note?.startsWith('=')],
  ['string starts_with _ is literal', { column: '备注', op: 'starts_with', value: '_' }, () => false],
  ['string is_null', { column: '备注', op: 'is_null' }, (r) => r.note === null],
  ['string not_null', { column: '备注', op: 'not_null' }, (r) => r.note !== null],
  [
    'string between',
    { column: '备注', op: 'between', value: ['+', '=z'] },
    (r) => r.note !== null && cmp(r.note, '+') >= 0 && cmp(r.note, '=z') <= 0,
  ],
  ['hostile value is a value', { column: HOSTILE, op: 'eq', value: "'; DROP TABLE t; --" }, (r) => r.hostile === "'; DROP TABLE t; --"],
  ['hostile column name', { column: HOSTILE, op: 'eq', value: 'h1' }, (r) => r.hostile === 'h1'],
  ['__proto__ column', { column: '__proto__', op: 'eq', value: 'p3' }, (r) => r.proto === 'p3'],
  // integer
  ['integer eq', { column: '年龄', op: 'eq', value: 30 }, (r) => r.age === 30],
  ['integer eq as text', { column: '年龄', op: 'eq', value: '30' }, (r) => r.age === 30],
  ['integer ne', { column: '年龄', op: 'ne', value: 30 }, (r) => r.age !== 30],
  ['integer lt negative', { column: '年龄', op: 'lt', value: 0 }, (r) => r.age !== null && r.age < 0],
  ['integer le', { column: '年龄', op: 'le', value: '18' }, (r) => r.age !== null && r.age <= 18],
  ['integer gt', { column: '年龄', op: 'gt', value: 45 }, (r) => r.age !== null && r.age > 45],
  ['integer ge', { column: '年龄', op: 'ge', value: -5 }, (r) => r.age !== null && r.age >= -5],
  ['integer in', { column: '年龄', op: 'in', value: [0, '7', 99] }, (r) => r.age === 0 || r.age === 7 || r.age === 99],
  ['integer between', { column: '年龄', op: 'between', value: [18, 45] }, (r) => r.age !== null && r.age >= 18 && r.age <= 45],
  ['integer is_null', { column: '年龄', op: 'is_null' }, (r) => r.age === null],
  ['integer not_null', { column: '年龄', op: 'not_null' }, (r) => r.age !== null],
  ['_row gt', { column: '_row', op: 'gt', value: 10 }, (r) => r._row > 10],
  // number (DECIMAL and DOUBLE)
  ['decimal eq', { column: '金额', op: 'eq', value: 12.5 }, (r) => r.amt === '12.50'],
  ['decimal eq as text', { column: '金额', op: 'eq', value: '12.50' }, (r) => r.amt === '12.50'],
  ['decimal eq is exact (12.501 is not 12.50)', { column: '金额', op: 'eq', value: 12.501 }, () => false],
  ['decimal ne', { column: '金额', op: 'ne', value: '0' }, (r) => r.amt === null || Number(r.amt) !== 0],
  ['decimal lt', { column: '金额', op: 'lt', value: 0 }, (r) => r.amt !== null && Number(r.amt) < 0],
  ['decimal le', { column: '金额', op: 'le', value: '-0.01' }, (r) => r.amt !== null && Number(r.amt) <= -0.01],
  ['decimal gt', { column: '金额', op: 'gt', value: 1e3 }, (r) => r.amt !== null && Number(r.amt) > 1e3],
  ['decimal ge', { column: '金额', op: 'ge', value: '8' }, (r) => r.amt !== null && Number(r.amt) >= 8],
  ['decimal in', { column: '金额', op: 'in', value: [7.1, '3.33'] }, (r) => r.amt === '7.10' || r.amt === '3.33'],
  [
    'decimal between',
    { column: '金额', op: 'between', value: [-1, 2] },
    (r) => r.amt !== null && Number(r.amt) >= -1 && Number(r.amt) <= 2,
  ],
  ['decimal is_null', { column: '金额', op: 'is_null' }, (r) => r.amt === null],
  ['double eq', { column: '分数', op: 'eq', value: 1e-7 }, (r) => r.score === 1e-7],
  ['double ne', { column: '分数', op: 'ne', value: 0 }, (r) => r.score !== 0],
  ['double lt', { column: '分数', op: 'lt', value: '0' }, (r) => r.score !== null && r.score < 0],
  ['double gt exponent text', { column: '分数', op: 'gt', value: '1e1' }, (r) => r.score !== null && r.score > 10],
  ['double between', { column: '分数', op: 'between', value: [0.1, 3.2] }, (r) => r.score !== null && r.score >= 0.1 && r.score <= 3.2],
  ['double not_null', { column: '分数', op: 'not_null' }, (r) => r.score !== null],
  // boolean
  ['boolean eq', { column: '在职', op: 'eq', value: true }, (r) => r.active === true],
  ['boolean eq as text', { column: '在职', op: 'eq', value: 'FALSE' }, (r) => r.active === false],
  ['boolean ne', { column: '在职', op: 'ne', value: true }, (r) => r.active !== true],
  ['boolean in', { column: '在职', op: 'in', value: [false] }, (r) => r.active === false],
  ['boolean is_null', { column: '在职', op: 'is_null' }, (r) => r.active === null],
  // date
  ['date eq', { column: '出生日期', op: 'eq', value: '1990-03-07' }, (r) => r.birth === '1990-03-07'],
  ['date leap day', { column: '出生日期', op: 'eq', value: '2000-02-29' }, (r) => r.birth === '2000-02-29'],
  ['date ne', { column: '出生日期', op: 'ne', value: '1990-03-07' }, (r) => r.birth !== '1990-03-07'],
  ['date lt', { column: '出生日期', op: 'lt', value: '1970-01-01' }, (r) => r.birth !== null && r.birth < '1970-01-01'],
  ['date le', { column: '出生日期', op: 'le', value: '1970-01-01' }, (r) => r.birth !== null && r.birth <= '1970-01-01'],
  ['date gt', { column: '出生日期', op: 'gt', value: '2001-09-09' }, (r) => r.birth !== null && r.birth > '2001-09-09'],
  ['date ge', { column: '出生日期', op: 'ge', value: '2001-09-09' }, (r) => r.birth !== null && r.birth >= '2001-09-09'],
  [
    'date in',
    { column: '出生日期', op: 'in', value: ['1925-05-05', '2017-01-01'] },
    (r) => r.birth === '1925-05-05' || r.birth === '2017-01-01',
  ],
  [
    'date between',
    { column: '出生日期', op: 'between', value: ['1985-01-01', '1999-12-31'] },
    (r) => r.birth !== null && r.birth >= '1985-01-01' && r.birth <= '1999-12-31',
  ],
  ['date is_null', { column: '出生日期', op: 'is_null' }, (r) => r.birth === null],
  // datetime
  ['datetime eq', { column: '登记时间', op: 'eq', value: '2024-01-05T08:30:00' }, (r) => r.reg === '2024-01-05 08:30:00'],
  ['datetime eq fraction', { column: '登记时间', op: 'eq', value: '2024-01-05 08:30:00.5' }, (r) => r.reg === '2024-01-05 08:30:00.5'],
  ['datetime ne', { column: '登记时间', op: 'ne', value: '2024-01-05 08:30' }, (r) => r.reg !== '2024-01-05 08:30:00'],
  ['datetime lt a date (midnight)', { column: '登记时间', op: 'lt', value: '2024-01-05' }, (r) => r.reg !== null && r.reg < '2024-01-05'],
  ['datetime le', { column: '登记时间', op: 'le', value: '2024-01-05 00:00:00' }, (r) => r.reg !== null && r.reg <= '2024-01-05 00:00:00'],
  ['datetime gt', { column: '登记时间', op: 'gt', value: '2024-01-05 08:30:00' }, (r) => r.reg !== null && r.reg > '2024-01-05 08:30:00'],
  ['datetime ge', { column: '登记时间', op: 'ge', value: '2024-02-29T12:00:00' }, (r) => r.reg !== null && r.reg >= '2024-02-29 12:00:00'],
  [
    'datetime in',
    { column: '登记时间', op: 'in', value: ['2021-01-01 00:00:00', '2020-02-02 02:02:02'] },
    (r) => r.reg === '2021-01-01 00:00:00' || r.reg === '2020-02-02 02:02:02',
  ],
  [
    'datetime between a day',
    { column: '登记时间', op: 'between', value: ['2024-01-05 00:00:00', '2024-01-05 23:59:59.999999'] },
    (r) => r.reg !== null && r.reg.startsWith('2024-01-05'),
  ],
  ['datetime is_null', { column: '登记时间', op: 'is_null' }, (r) => r.reg === null],
];

describe('typed filters: each operator on each type', () => {
  for (const [label, cond, pred] of CASES) {
    test(label, async () => {
      assert.deepEqual(await rowsOf([cond]), expectRows(pred));
    });
  }
  test('conditions combine with AND', async () => {
    assert.deepEqual(
      await rowsOf([
        { column: '年龄', op: 'eq', value: 30 },
        { column: '在职', op: 'eq', value: true },
      ]),
      expectRows((r) => r.age === 30 && r.active === true),
    );
  });
});

test('type mismatches, bad operators and unknown columns are 400 QUERY_INVALID naming the field', async () => {
  const bad: [Filter[number], string, string][] = [
    [{ column: 'nope', op: 'eq', value: 1 }, 'filter[0].column', 'unknown_column'],
    [{ column: '年龄', op: 'like' as 'eq', value: 1 }, 'filter[0].op', 'op_unknown'],
    [{ column: '年龄', op: 'eq', value: 'abc' }, 'filter[0].value', 'type_mismatch'],
    [{ column: '年龄', op: 'eq', value: 1.5 }, 'filter[0].value', 'type_mismatch'],
    [{ column: '年龄', op: 'eq', value: '99999999999999999999' }, 'filter[0].value', 'type_mismatch'],
    [{ column: '年龄', op: 'eq' }, 'filter[0].value', 'value_required'],
    [{ column: '年龄', op: 'eq', value: [1] }, 'filter[0].value', 'type_mismatch'],
    [{ column: '年龄', op: 'contains', value: '1' }, 'filter[0].op', 'op_not_applicable'],
    [{ column: '金额', op: 'eq', value: '1,000' }, 'filter[0].value', 'type_mismatch'],
    [{ column: '分数', op: 'eq', value: 'NaN' }, 'filter[0].value', 'type_mismatch'],
    [{ column: '在职', op: 'eq', value: 'yes' }, 'filter[0].value', 'type_mismatch'],
    [{ column: '在职', op: 'lt', value: true }, 'filter[0].op', 'op_not_applicable'],
    [{ column: '出生日期', op: 'eq', value: '2023-02-29' }, 'filter[0].value', 'type_mismatch'],
    [{ column: '出生日期', op: 'eq', value: '2024/01/05' }, 'filter[0].value', 'type_mismatch'],
    [{ column: '出生日期', op: 'eq', value: 20240105 }, 'filter[0].value', 'type_mismatch'],
    [{ column: '登记时间', op: 'eq', value: '2024-01-05T25:00:00' }, 'filter[0].value', 'type_mismatch'],
    [{ column: '登记时间', op: 'eq', value: '2024-01-05T08:00:00+08:00' }, 'filter[0].value', 'type_mismatch'],
    [{ column: '备注', op: 'eq', value: 5 }, 'filter[0].value', 'type_mismatch'],
    [{ column: '备注', op: 'eq', value: 'x'.repeat(1001) }, 'filter[0].value', 'too_long'],
    [{ column: '备注', op: 'in', value: [] }, 'filter[0].value', 'list_required'],
    [{ column: '备注', op: 'in', value: 'a' }, 'filter[0].value', 'list_required'],
    [{ column: '备注', op: 'in', value: Array.from({ length: 1001 }, (_, i) => String(i)) }, 'filter[0].value', 'too_many'],
    [{ column: '年龄', op: 'in', value: [1, 'x'] }, 'filter[0].value[1]', 'type_mismatch'],
    [{ column: '年龄', op: 'between', value: [1] }, 'filter[0].value', 'pair_required'],
    [{ column: '年龄', op: 'is_null', value: 1 }, 'filter[0].value', 'value_not_allowed'],
  ];
  for (const [cond, field, reason] of bad) await rejects(rowsOf([cond]), field, reason);
  await rejects(
    rowsOf([
      { column: '年龄', op: 'is_null' },
      { column: '年龄', op: 'eq', value: 'x' },
    ]),
    'filter[1].value',
    'type_mismatch',
  );
  await rejects(rowsOf(Array.from({ length: 51 }, () => ({ column: '年龄', op: 'is_null' as const }))), 'filter', 'too_many');
  await rejects(query(engine, src, { sort: [{ column: 'nope', dir: 'asc' }] }, CLEAR), 'sort[0].column', 'unknown_column');
  await rejects(query(engine, src, { sort: [{ column: '年龄', dir: 'up' as 'asc' }] }, CLEAR), 'sort[0].dir', 'malformed');
});

// ------------------------------------------------------------------------------------------ masking

test('masking per policy: clear, mask (by PII kind), token (HMAC-SM3 with the key), hide', async () => {
  const policy: MaskingPolicy = { 姓名: 'mask', 身份证号: 'mask', 手机号: 'token', 年龄: 'clear', 备注: 'mask', 内部编号: 'hide' };
  const r = await query(engine, src, { limit: 100 }, policy);
  // Columns missing from the policy are hidden too.
  assert.deepEqual(r.columns, [
    { name: '姓名', type: 'string', policy: 'mask' },
    { name: '身份证号', type: 'string', policy: 'mask' },
    { name: '手机号', type: 'string', policy: 'token' },
    { name: '年龄', type: 'integer', policy: 'clear' },
    { name: '备注', type: 'string', policy: 'mask' },
  ]);
  r.rows.forEach((row, i) => {
    const f = FIX[i]!;
    assert.equal(row['姓名'], f.name === null ? null : mask('name', f.name));
    assert.equal(row['身份证号'], f.id === null ? null : mask('id_number', f.id));
    assert.notEqual(row['身份证号'], f.id ?? 'none');
    assert.equal(row['手机号'], pseudonym(key, f.phone!));
    assert.match(row['手机号'] as string, /^[0-9a-f]{64}$/);
    assert.equal(row['年龄'], f.age);
    // A field marked 'mask' without a PII kind is masked as kind 'none'.
    assert.equal(row['备注'], mask('none', f.note));
    assert.ok(!('内部编号' in row) && !('金额' in row));
  });
  // The same value gives the same token (joins still work), another key another token.
  const other = await DuckEngine.open({ allowedDirs: [root], tempDir: path.join(root, 'duck-tmp2'), memoryLimit: '128MB', threads: 1 });
  try {
    const key2 = crypto.randomBytes(32);
    await enableTokens(other, key2);
    const r2 = await query(other, src, { columns: ['手机号'], limit: 1 }, policy);
    assert.equal(r2.rows[0]!['手机号'], pseudonym(key2, FIX[0]!.phone!));
    assert.notEqual(r2.rows[0]!['手机号'], r.rows[0]!['手机号']);
  } finally {
    other.close();
  }
  // Filtering or sorting by a hidden or masked value would reveal it: refused. Null checks stay possible on
  // masked and tokenized columns (their output shows empty cells anyway), never on hidden ones.
  await rejects(rowsOf([{ column: '身份证号', op: 'eq', value: FIX[0]!.id! }], policy), 'filter[0].column', 'column_masked');
  await rejects(rowsOf([{ column: '身份证号', op: 'starts_with', value: '11' }], policy), 'filter[0].column', 'column_masked');
  await rejects(rowsOf([{ column: '手机号', op: 'eq', value: FIX[0]!.phone! }], policy), 'filter[0].column', 'column_masked');
  await rejects(rowsOf([{ column: '内部编号', op: 'eq', value: 'secret-1' }], policy), 'filter[0].column', 'column_hidden');
  await rejects(rowsOf([{ column: '内部编号', op: 'is_null' }], policy), 'filter[0].column', 'column_hidden');
  await rejects(rowsOf([{ column: '金额', op: 'gt', value: 1 }], policy), 'filter[0].column', 'column_hidden');
  assert.deepEqual(
    await rowsOf([{ column: '身份证号', op: 'is_null' }], policy),
    expectRows((f) => f.id === null),
  );
  assert.deepEqual(
    await rowsOf([{ column: '手机号', op: 'not_null' }], policy),
    expectRows(() => true),
  );
  await rejects(query(engine, src, { sort: [{ column: '身份证号', dir: 'asc' }] }, policy), 'sort[0].column', 'column_masked');
  await rejects(query(engine, src, { sort: [{ column: '内部编号', dir: 'asc' }] }, policy), 'sort[0].column', 'column_hidden');
  // A policy with a tokenized column on an engine without the token function is a programming error.
  const bare = await DuckEngine.open({ allowedDirs: [root], tempDir: path.join(root, 'duck-tmp3'), memoryLimit: '128MB', threads: 1 });
  try {
    await assert.rejects(query(bare, src, { columns: ['手机号'] }, policy), /enableTokens/);
  } finally {
    bare.close();
  }
});

// ------------------------------------------------------------------------------------------ cursor paging

describe('cursor paging', () => {
  const N = 5000;
  let big: ReadSource;
  let keyed: ReadSource;
  const bigCols: ReadColumn[] = [
    { name: 'g', type: 'integer' },
    { name: 'd', type: 'number' },
    { name: 's', type: 'string' },
    { name: 't', type: 'datetime' },
    { name: 'dt', type: 'date' },
    { name: 'id', type: 'string', piiKind: 'id_number' },
  ];
  const all: MaskingPolicy = { g: 'clear', d: 'clear', s: 'clear', t: 'clear', dt: 'clear', id: 'mask' };

  before(async () => {
    big = { parquetPath: path.join(root, 'big.parquet'), columns: bigCols };
    // Deliberately not in _row order on disk, with duplicates and empty cells in every sort column.
    await engine.run(
      `COPY (SELECT (i * 7919) % ${N} + 1 AS _row,
         CASE WHEN i % 11 = 0 THEN NULL ELSE (i % 7)::BIGINT END AS g,
         CASE WHEN i % 13 = 0 THEN NULL ELSE ((hash(i) % 1000)::DOUBLE / 7 - 50) END AS d,
         CASE WHEN i % 17 = 0 THEN NULL ELSE 'k' || (i % 23) END AS s,
         TIMESTAMP '2024-01-01 00:00:00' + INTERVAL (i % 97) SECOND + INTERVAL ((i % 3) * 250) MILLISECOND AS t,
         DATE '2024-01-01' + (i % 5)::INT AS dt,
         '110101199003070' || lpad((i % 1000)::VARCHAR, 3, '0') AS id
       FROM range(${N}) r(i)) TO ${quoteLiteral(big.parquetPath)} (FORMAT parquet, ROW_GROUP_SIZE 1000)`,
    );
    keyed = {
      parquetPath: path.join(root, 'keyed.parquet'),
      columns: [
        { name: 'k', type: 'string' },
        { name: 'v', type: 'integer' },
      ],
      primaryKey: ['k'],
    };
    await engine.run(
      `COPY (SELECT 'key-' || lpad(i::VARCHAR, 5, '0') AS k, (i % 10)::BIGINT AS v FROM range(1234) r(i) ORDER BY hash(i)) TO ${quoteLiteral(keyed.parquetPath)} (FORMAT parquet)`,
    );
  });

  async function pageAll(
    s: ReadSource,
    policy: MaskingPolicy,
    opts: { sort?: { column: string; dir: 'asc' | 'desc' }[]; filter?: Filter },
    keyCol: string,
  ) {
    const seen: unknown[] = [];
    let cursor = '';
    let pages = 0;
    for (;;) {
      const r = await query(engine, s, { columns: [keyCol], limit: 97, cursor, ...opts }, policy);
      seen.push(...r.rows.map((x) => x[keyCol]));
      pages++;
      if (!r.nextCursor) break;
      assert.equal(r.rows.length, 97);
      cursor = r.nextCursor;
      assert.ok(pages < 1000);
    }
    return seen;
  }

  const sorts: { column: string; dir: 'asc' | 'desc' }[][] = [
    [],
    [{ column: 'g', dir: 'asc' }],
    [
      { column: 'g', dir: 'desc' },
      { column: 'd', dir: 'asc' },
    ],
    [{ column: 'd', dir: 'desc' }],
    [
      { column: 's', dir: 'desc' },
      { column: 't', dir: 'asc' },
    ],
    [
      { column: 'dt', dir: 'asc' },
      { column: 't', dir: 'desc' },
      { column: 'g', dir: 'asc' },
    ],
  ];
  for (const sort of sorts) {
    test(`covers every row exactly once, in order: ${JSON.stringify(sort)}`, async () => {
      const seen = await pageAll(big, all, { sort }, '_row');
      assert.equal(seen.length, N);
      assert.equal(new Set(seen).size, N);
      const order = [...sort.map((s) => `${quoteIdent(s.column)} ${s.dir} NULLS LAST`), '_row'].join(', ');
      const direct = await engine.all<{ _row: bigint }>(`SELECT _row FROM read_parquet($1) ORDER BY ${order}`, [big.parquetPath]);
      assert.deepEqual(
        seen,
        direct.map((r) => Number(r._row)),
      );
    });
  }

  test('with a filter, and the total', async () => {
    const filter: Filter = [{ column: 'g', op: 'in', value: [1, 2] }];
    const seen = await pageAll(big, all, { sort: [{ column: 'd', dir: 'asc' }], filter }, '_row');
    const [{ n }] = (await engine.all<{ n: bigint }>(`SELECT count(*) AS n FROM read_parquet($1) WHERE g IN (1, 2)`, [
      big.parquetPath,
    ])) as [{ n: bigint }];
    assert.equal(seen.length, Number(n));
    assert.equal(new Set(seen).size, Number(n));
    const first = await query(engine, big, { columns: ['_row'], filter, cursor: '', limit: 10, total: true }, all);
    assert.equal(first.total, Number(n));
  });

  test('without _row the declared primary key is the tie-breaker', async () => {
    const seen = await pageAll(keyed, { k: 'clear', v: 'clear' }, { sort: [{ column: 'v', dir: 'desc' }] }, 'k');
    assert.equal(seen.length, 1234);
    assert.equal(new Set(seen).size, 1234);
    // Not readable in clear, the key cannot go into a cursor; no key at all: offset paging only.
    await rejects(query(engine, keyed, { cursor: '', columns: ['v'] }, { k: 'mask', v: 'clear' }), 'cursor', 'no_key');
    await rejects(query(engine, { ...keyed, primaryKey: undefined }, { cursor: '' }, { k: 'clear', v: 'clear' }), 'cursor', 'no_key');
  });

  test('a forged or foreign cursor is refused', async () => {
    const r = await query(engine, big, { columns: ['_row'], limit: 5, cursor: '', sort: [{ column: 'g', dir: 'asc' }] }, all);
    assert.ok(r.nextCursor);
    await rejects(
      query(engine, big, { columns: ['_row'], cursor: r.nextCursor, sort: [{ column: 'd', dir: 'asc' }] }, all),
      'cursor',
      'bad_cursor',
    );
    await rejects(query(engine, big, { columns: ['_row'], cursor: 'not-base64-json' }, all), 'cursor', 'bad_cursor');
    const forged = Buffer.from(JSON.stringify({ s: 'x', v: ["1') OR 1=1 --"] })).toString('base64url');
    await rejects(query(engine, big, { columns: ['_row'], cursor: forged }, all), 'cursor', 'bad_cursor');
    await rejects(query(engine, big, { columns: ['_row'], cursor: '', offset: 5 }, all), 'cursor', 'cursor_with_offset');
    await rejects(query(engine, big, { cursor: 'x'.repeat(5000) }, all), 'cursor', 'too_long');
  });
});

// ------------------------------------------------------------------------------------------ exports

describe('exports', () => {
  const policy: MaskingPolicy = { ...CLEAR, 身份证号: 'mask', 手机号: 'token', 内部编号: 'hide' };
  const visible = COLUMNS.map((c) => c.name).filter((n) => n !== '内部编号');
  const out = (name: string) => path.join(root, 'out', name);

  before(async () => {
    await fs.mkdir(path.join(root, 'out'), { recursive: true });
  });

  /** Column names of a relation (engine.json/all build objects, where a column named __proto__ is lost). */
  async function namesOf(relation: string): Promise<string[]> {
    return (await engine.all<{ column_name: string }>(`SELECT column_name FROM (DESCRIBE SELECT * FROM ${relation})`)).map(
      (r) => r.column_name,
    );
  }

  async function readCsv(file: string) {
    return engine.json<Record<string, string | null>>(
      `SELECT * FROM read_csv($1, header = true, all_varchar = true, quote = '"', escape = '"', delim = ',', new_line = '\\n', strict_mode = true)`,
      [file],
    );
  }

  test('csv: header and masked values, formula cells neutralized, numbers stay numbers; no temporary file left', async () => {
    const file = out('a.csv');
    const r = await exportTo(engine, src, { format: 'csv' }, policy, file);
    assert.equal(r.rows, FIX.length);
    const bytes = await fs.readFile(file);
    assert.equal(r.bytes, bytes.length);
    assert.notEqual(bytes[0], 0xef);
    const text = bytes.toString('utf8');
    assert.ok(
      text.startsWith('姓名,身份证号,手机号,年龄,金额,分数,在职,出生日期,登记时间,备注,"a""; DROP TABLE t; --",__proto__\n'),
      text.slice(0, 200),
    );
    assert.ok(text.endsWith('\n') && !text.endsWith('\n\n'));
    const rows = await readCsv(file);
    assert.deepEqual(await namesOf(`read_csv(${quoteLiteral(file)}, header = true)`), visible);
    rows.forEach((row, i) => {
      const f = FIX[i]!;
      assert.equal(row['身份证号'], f.id === null ? null : mask('id_number', f.id));
      assert.equal(row['手机号'], pseudonym(key, f.phone!));
      assert.equal(row['年龄'], f.age === null ? null : String(f.age)); // -5 written as a number, not '-5
      assert.equal(row['金额'], f.amt);
      const note = f.note === null ? null : /^[=+\-@\t\r]/.test(f.note) ? `'${f.note}` : f.note;
      assert.equal(row['备注'], note === '' ? null : note, `row ${i}`);
      assert.equal(row[HOSTILE], /^[=+\-@]/.test(f.hostile!) ? `'${f.hostile}` : f.hostile);
    });
    assert.ok(text.includes(",'=1+2,") && text.includes(",'-5,") && text.includes(',"\'=HYPERLINK(""http://x"")",'));
    assert.ok(text.includes(',-5,-3.25,-2.25,'), 'negative numbers are plain numbers');
    assert.deepEqual(
      (await fs.readdir(path.join(root, 'out'))).filter((n) => n.endsWith('.part')),
      [],
    );
  });

  test('csv-bom: the same bytes after a UTF-8 BOM; a formula-like column name is neutralized; zero rows is the header', async () => {
    const plain = await fs.readFile(out('a.csv'));
    const r = await exportTo(engine, src, { format: 'csv-bom' }, policy, out('b.csv'));
    const bom = await fs.readFile(out('b.csv'));
    assert.deepEqual([...bom.subarray(0, 3)], [0xef, 0xbb, 0xbf]);
    assert.deepEqual(bom.subarray(3), plain);
    assert.equal(r.bytes, plain.length + 3);

    const evil: ReadSource = {
      parquetPath: path.join(root, 'evil.parquet'),
      columns: [
        { name: '=cmd|calc', type: 'integer' },
        { name: 'x,y', type: 'string' },
      ],
    };
    await engine.run(`COPY (SELECT -1::BIGINT AS "=cmd|calc", '-1' AS "x,y") TO ${quoteLiteral(evil.parquetPath)} (FORMAT parquet)`);
    await exportTo(engine, evil, { format: 'csv' }, { '=cmd|calc': 'clear', 'x,y': 'clear' }, out('evil.csv'));
    assert.equal(await fs.readFile(out('evil.csv'), 'utf8'), `'=cmd|calc,"x,y"\n-1,'-1\n`);

    const none = await exportTo(
      engine,
      src,
      { format: 'csv-bom', columns: ['年龄', '备注'], filter: [{ column: '年龄', op: 'gt', value: 1000 }] },
      policy,
      out('none.csv'),
    );
    assert.equal(none.rows, 0);
    assert.equal(await fs.readFile(out('none.csv'), 'utf8'), '\uFEFF年龄,备注\n');
  });

  test('json and ndjson: typed values, filter and sort applied', async () => {
    const opts = {
      columns: ['_row', '年龄', '金额', '在职', '出生日期', '身份证号'],
      filter: [{ column: '年龄', op: 'not_null' as const }],
      sort: [{ column: '年龄', dir: 'desc' as const }],
    };
    const expected = FIX.filter((f) => f.age !== null)
      .sort((a, b) => b.age! - a.age! || a._row - b._row)
      .map((f) => ({
        _row: f._row,
        年龄: f.age,
        金额: f.amt === null ? null : Number(f.amt),
        在职: f.active,
        出生日期: f.birth,
        身份证号: f.id === null ? null : mask('id_number', f.id),
      }));
    const j = await exportTo(engine, src, { format: 'json', ...opts }, policy, out('a.json'));
    assert.equal(j.rows, expected.length);
    assert.deepEqual(JSON.parse(await fs.readFile(out('a.json'), 'utf8')), expected);
    const n = await exportTo(engine, src, { format: 'ndjson', ...opts }, policy, out('a.ndjson'));
    assert.equal(n.rows, expected.length);
    const lines = (await fs.readFile(out('a.ndjson'), 'utf8')).trimEnd().split('\n');
    assert.deepEqual(
      lines.map((l) => JSON.parse(l)),
      expected,
    );
  });

  test('parquet: column types kept, masked columns as text', async () => {
    const r = await exportTo(engine, src, { format: 'parquet' }, policy, out('a.parquet'));
    assert.equal(r.rows, FIX.length);
    const back = await engine.all<Record<string, unknown>>(`SELECT * FROM read_parquet($1)`, [out('a.parquet')]);
    assert.deepEqual(await namesOf(`read_parquet(${quoteLiteral(out('a.parquet'))})`), visible);
    const types = await engine.all<{ column_name: string; column_type: string }>(
      `SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM read_parquet(${quoteLiteral(out('a.parquet'))}))`,
    );
    assert.deepEqual(
      types.map((t) => t.column_type),
      [
        'VARCHAR',
        'VARCHAR',
        'VARCHAR',
        'BIGINT',
        'DECIMAL(18,2)',
        'DOUBLE',
        'BOOLEAN',
        'DATE',
        'TIMESTAMP',
        'VARCHAR',
        'VARCHAR',
        'VARCHAR',
      ],
    );
    back.forEach((row, i) => {
      assert.equal(row['手机号'], pseudonym(key, FIX[i]!.phone!));
      assert.equal(row['备注'], FIX[i]!.note); // no neutralization outside spreadsheets
    });
  });

  test('xlsx: header, text cells neutralized, numbers and dates typed', async () => {
    const r = await exportTo(engine, src, { format: 'xlsx' }, policy, out('a.xlsx'));
    assert.equal(r.rows, FIX.length);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(out('a.xlsx'));
    const ws = wb.worksheets[0]!;
    assert.equal(ws.rowCount, FIX.length + 1);
    const header = (ws.getRow(1).values as unknown[]).slice(1);
    assert.deepEqual(header, visible);
    const col = (name: string) => visible.indexOf(name) + 1;
    FIX.forEach((f, i) => {
      const row = ws.getRow(i + 2);
      assert.equal(row.getCell(col('年龄')).value, f.age);
      assert.equal(row.getCell(col('金额')).value, f.amt === null ? null : Number(f.amt));
      assert.equal(row.getCell(col('分数')).value, f.score);
      assert.equal(row.getCell(col('在职')).value, f.active);
      const birth = row.getCell(col('出生日期'));
      if (f.birth === null) assert.equal(birth.value, null);
      else {
        assert.ok(birth.value instanceof Date);
        assert.equal((birth.value as Date).toISOString().slice(0, 10), f.birth);
        assert.equal(birth.numFmt, 'yyyy-mm-dd');
      }
      const reg = row.getCell(col('登记时间')).value;
      if (f.reg !== null)
        assert.equal(
          (reg as Date).toISOString().replace('T', ' ').replace('Z', ''),
          new Date(`${f.reg.replace(' ', 'T')}Z`).toISOString().replace('T', ' ').replace('Z', ''),
        );
      const note = row.getCell(col('备注')).value;
      // An empty text is an empty cell in a spreadsheet.
      const expectedNote = f.note === null || f.note === '' ? null : /^[=+\-@\t\r]/.test(f.note) ? `'${f.note}` : f.note;
      assert.equal(note, expectedNote, `row ${i}`);
      assert.equal(row.getCell(col('身份证号')).value, f.id === null ? null : mask('id_number', f.id));
      assert.equal(row.getCell(col('手机号')).value, pseudonym(key, f.phone!));
    });
    // No formula anywhere.
    ws.eachRow((row) => row.eachCell((cell) => assert.notEqual(cell.type, ExcelJS.ValueType.Formula)));
  });

  test('neutralizing is skipped only where the row-group statistics prove no value starts a formula', async () => {
    // 3 row groups of 1000 rows. Each column hides at most one formula-like value in the last group.
    const file = path.join(root, 'stats.parquet');
    await engine.run(
      `COPY (SELECT i,
          CASE WHEN i = 2500 THEN '=1+1' ELSE '市' || i END AS late_formula,
          CASE WHEN i = 2999 THEN '-7' ELSE (100 + i)::VARCHAR END AS digits_then_minus,
          (100 + i)::VARCHAR AS digits,
          '东城区' AS district,
          CASE WHEN i = 2000 THEN '@x' || repeat('长', 100) ELSE repeat('长', 100) || i END AS long_text,
          NULL::VARCHAR AS empty,
          CASE WHEN i = 10 THEN '' ELSE '名' || i END AS with_empty
        FROM range(3000) t(i)) TO ${quoteLiteral(file)} (FORMAT parquet, ROW_GROUP_SIZE 1000)`,
    );
    const names = ['late_formula', 'digits_then_minus', 'digits', 'district', 'long_text', 'empty', 'with_empty'];
    const free = await formulaFreeColumns(engine, file);
    assert.deepEqual([...free].sort(), ['digits', 'district', 'empty'].sort());
    const s: ReadSource = {
      parquetPath: file,
      columns: [{ name: 'i', type: 'integer' }, ...names.map((name) => ({ name, type: 'string' }))],
    };
    const all: MaskingPolicy = Object.fromEntries(['i', ...names].map((n) => [n, 'clear']));
    await exportTo(engine, s, { format: 'csv' }, all, out('stats.csv'));
    const rows = await readCsv(out('stats.csv'));
    assert.equal(rows.length, 3000);
    assert.equal(rows[2500]!.late_formula, "'=1+1");
    assert.equal(rows[2999]!.digits_then_minus, "'-7");
    assert.equal(rows[2000]!.long_text, `'@x${'长'.repeat(100)}`);
    assert.equal(rows[5]!.digits, '105');
    const wb = new ExcelJS.Workbook();
    await exportTo(engine, s, { format: 'xlsx' }, all, out('stats.xlsx'));
    await wb.xlsx.readFile(out('stats.xlsx'));
    const ws = wb.worksheets[0]!;
    assert.equal(ws.getRow(2502).getCell(2).value, "'=1+1");
    assert.equal(ws.getRow(3001).getCell(3).value, "'-7");
    ws.eachRow((row) => row.eachCell((cell) => assert.notEqual(cell.type, ExcelJS.ValueType.Formula)));
  });

  test('an export outside the allowed directories or in an unknown format is refused', async () => {
    await assert.rejects(exportTo(engine, src, { format: 'csv' }, policy, '/tmp/elsewhere.csv'), /allowed directories/);
    await rejects(exportTo(engine, src, { format: 'xml' as 'csv' }, policy, out('x.xml')), 'format', 'format_unknown');
  });

  test('ExportCache: same request served from the file, another policy is another file, LRU beyond the budget, one COPY for concurrent requests', async () => {
    const cache = new ExportCache({ dir: path.join(root, 'cache'), maxBytes: 10_000_000 });
    const sha = 'a'.repeat(64);
    const a = await cache.get(engine, src, sha, { format: 'csv' }, policy);
    assert.equal(a.hit, false);
    assert.equal(a.rows, FIX.length);
    const st = await fs.stat(a.path);
    const b = await cache.get(engine, src, sha, { format: 'csv' }, { ...policy });
    assert.equal(b.hit, true);
    assert.equal(b.path, a.path);
    assert.equal(b.rows, FIX.length);
    assert.equal((await fs.stat(a.path)).mtimeMs, st.mtimeMs);
    const c = await cache.get(engine, src, sha, { format: 'csv' }, { ...policy, 身份证号: 'clear' });
    assert.notEqual(c.path, a.path);
    const d = await cache.get(engine, src, 'b'.repeat(64), { format: 'csv' }, policy);
    assert.notEqual(d.path, a.path);
    const e = await cache.get(engine, src, sha, { format: 'csv', filter: [{ column: '年龄', op: 'eq', value: '30' }] }, policy);
    const e2 = await cache.get(engine, src, sha, { format: 'csv', filter: [{ column: '年龄', op: 'eq', value: 30 }] }, policy);
    assert.equal(e2.path, e.path);
    assert.equal(e2.hit, true);
    // Concurrent identical requests: one export.
    const [p, q] = await Promise.all([
      cache.get(engine, src, sha, { format: 'json' }, policy),
      cache.get(engine, src, sha, { format: 'json' }, policy),
    ]);
    assert.equal(p.path, q.path);
    assert.deepEqual([p.hit, q.hit].sort(), [false, true]);
    // Budget: keep only what fits, the least recently used go first.
    const small = new ExportCache({ dir: path.join(root, 'cache'), maxBytes: a.bytes + p.bytes + 10 });
    await small.get(engine, src, sha, { format: 'csv' }, policy); // touches a
    await small.get(engine, src, sha, { format: 'json' }, policy); // touches p
    await small.prune();
    const left = (await fs.readdir(path.join(root, 'cache'))).filter((n) => !n.endsWith('.meta')).sort();
    assert.deepEqual(left, [path.basename(a.path), path.basename(p.path)].sort());
    assert.equal((await small.get(engine, src, sha, { format: 'csv' }, { ...policy, 身份证号: 'clear' })).hit, false);
  });
});

// ------------------------------------------------------------------------------------------ file order

// DuckDB (1.5) plans `x IN (5 or more constants)` as hash joins against the list, and then neither a query nor a
// COPY keeps the file's order across row groups: exports came out with blocks of rows swapped (a different order
// each time), and offset pages of an `in` filter skipped and repeated rows.
test('file order: CSV and XLSX exports, offset pages of an `in` filter, a restricted read keep the rows in file order', async () => {
  const file = path.join(root, 'ordered.parquet');
  const n = 30_000;
  await engine.run(
    `COPY (SELECT i + 1 AS _row, 'd' || (i % 7) AS 区县, CASE WHEN i % 5 = 0 THEN '=x' ELSE '备注' END AS 备注
     FROM range(${n}) r(i)) TO ${quoteLiteral(file)} (FORMAT parquet, ROW_GROUP_SIZE 1024)`,
  );
  const ordered: ReadSource = {
    parquetPath: file,
    columns: [
      { name: '区县', type: 'string' },
      { name: '备注', type: 'string' },
    ],
  };
  const policy: MaskingPolicy = { 区县: 'clear', 备注: 'clear' };
  const increasing = (xs: number[]) => xs.every((x, i) => i === 0 || x > xs[i - 1]!);
  for (let round = 0; round < 3; round++) {
    const csv = path.join(root, `ordered-${round}.csv`);
    await exportTo(engine, ordered, { format: 'csv', columns: ['_row', '区县', '备注'] }, policy, csv);
    const lines = (await fs.readFile(csv, 'utf8')).trimEnd().split('\n').slice(1);
    assert.equal(lines.length, n);
    assert.ok(increasing(lines.map((l) => Number(l.split(',')[0]))), 'CSV rows in file order');
    assert.equal(lines[5], "6,d5,'=x");
  }
  const xlsx = path.join(root, 'ordered.xlsx');
  await exportTo(engine, ordered, { format: 'xlsx', columns: ['_row', '备注'] }, policy, xlsx);
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.readFile(xlsx);
  const ids: number[] = [];
  wb.worksheets[0]!.eachRow((row, i) => i > 1 && ids.push(Number(row.getCell(1).value)));
  assert.equal(ids.length, n);
  assert.ok(increasing(ids), 'XLSX rows in file order');

  const five = ['d0', 'd1', 'd2', 'd3', 'd4'];
  const pages: number[] = [];
  for (let offset = 0; offset < n; offset += 1000) {
    const r = await query(
      engine,
      ordered,
      { columns: ['_row'], filter: [{ column: '区县', op: 'in', value: five }], limit: 1000, offset },
      policy,
    );
    pages.push(...r.rows.map((x) => x._row as number));
  }
  const expected = Array.from({ length: n }, (_, i) => i + 1).filter((i) => (i - 1) % 7 < 5);
  assert.deepEqual(pages, expected);

  const restricted = { ...ordered, restrict: { column: '区县', values: five } };
  const rcsv = path.join(root, 'ordered-restricted.csv');
  await exportTo(engine, restricted, { format: 'csv', columns: ['_row'] }, policy, rcsv);
  assert.deepEqual((await fs.readFile(rcsv, 'utf8')).trimEnd().split('\n').slice(1).map(Number), expected);
});

// ------------------------------------------------------------------------------------------ following an export

describe('following an export while DuckDB writes it', () => {
  let big: ReadSource;
  const policy: MaskingPolicy = { 姓名: 'mask', 身份证号: 'clear', 备注: 'clear' };
  const sha = 'c'.repeat(64);
  const drain = async (body: NodeJS.ReadableStream) => {
    const chunks: Buffer[] = [];
    for await (const c of body) chunks.push(c as Buffer);
    return Buffer.concat(chunks);
  };

  before(async () => {
    const file = path.join(root, 'follow.parquet');
    await engine.run(
      `COPY (SELECT i + 1 AS _row, '张' || (i % 1000) AS 姓名, '11010119900307' || lpad((i % 10000)::VARCHAR, 4, '0') AS 身份证号,
         CASE WHEN i % 10 = 0 THEN '=x' || i ELSE '备注' || i END AS 备注 FROM range(300000) r(i)) TO ${quoteLiteral(file)} (FORMAT parquet)`,
    );
    big = {
      parquetPath: file,
      columns: [
        { name: '姓名', type: 'string', piiKind: 'name' },
        { name: '身份证号', type: 'string' },
        { name: '备注', type: 'string' },
      ],
    };
  });

  test('the streamed body is the cached file byte for byte (CSV, NDJSON, zero rows); a second request gets the file', async () => {
    const cache = new ExportCache({ dir: path.join(root, 'follow-cache'), maxBytes: 1e9 });
    for (const [format, filter] of [
      ['csv', undefined],
      ['ndjson', undefined],
      ['csv-bom', [{ column: '备注', op: 'eq', value: 'none' }]],
    ] as const) {
      const out = await cache.follow(engine, big, sha, { format, filter: filter as Filter | undefined }, policy);
      assert.ok('growing' in out, `${format}: the request that starts the export follows it`);
      const body = await drain(out.body);
      const done = await out.done;
      assert.ok(body.equals(await fs.readFile(done.path)), `${format}: streamed = cached`);
      assert.equal(done.bytes, body.length);
      if (filter) assert.equal(body.toString(), '\uFEFF姓名,身份证号,备注\n', 'zero rows: the header only');
      else assert.equal(done.rows, 300_000);
      const next = await cache.follow(engine, big, sha, { format, filter: filter as Filter | undefined }, policy);
      assert.ok(!('growing' in next) && next.hit && next.path === done.path);
    }
    // Parquet and XLSX are not written front to back: the file is made first.
    const pq = await cache.follow(engine, big, sha, { format: 'parquet' }, policy);
    assert.ok(!('growing' in pq) && !pq.hit);
  });

  test('a client that goes away does not stop the export into the cache', async () => {
    const cache = new ExportCache({ dir: path.join(root, 'follow-cache-2'), maxBytes: 1e9 });
    const out = await cache.follow(engine, big, sha, { format: 'csv' }, policy);
    assert.ok('growing' in out);
    for await (const _ of out.body) break; // one chunk, then the stream is destroyed
    const done = await out.done;
    assert.equal(done.rows, 300_000);
    const again = await cache.get(engine, big, sha, { format: 'csv' }, policy);
    assert.ok(again.hit);
    const lines = (await fs.readFile(again.path, 'utf8')).trimEnd().split('\n');
    assert.equal(lines.length, 300_001);
    assert.equal(lines[1], '张*,110101199003070000,=x0'.replace('=x0', "'=x0"));
  });

  test('when the export fails after some bytes, the body fails (an HTTP client sees a broken transfer, not a short file)', async () => {
    const file = path.join(root, 'growing.bin');
    await fs.writeFile(file, 'first part,');
    let fail!: (e: Error) => void;
    const done = new Promise((_, reject) => (fail = reject));
    const app = Fastify();
    app.get('/f', async (_req, reply) => reply.header('content-type', 'text/csv').send(followFile(await fs.open(file, 'r'), done)));
    await app.listen({ port: 0, host: '127.0.0.1' });
    try {
      const { port } = app.server.address() as { port: number };
      const res = await fetch(`http://127.0.0.1:${port}/f`);
      assert.equal(res.status, 200);
      const reader = res.body!.getReader();
      const first = await reader.read();
      assert.equal(Buffer.from(first.value!).toString(), 'first part,');
      await fs.appendFile(file, 'second part,');
      fail(new Error('COPY failed'));
      await assert.rejects(async () => {
        for (;;) if ((await reader.read()).done) break;
      }, 'the transfer breaks off');
    } finally {
      await app.close();
    }
    // A file that ends shorter than what was sent fails too.
    await fs.writeFile(file, 'abcdef');
    const body = followFile(
      await fs.open(file, 'r'),
      Promise.resolve().then(() => fs.truncate(file, 2)),
    );
    await assert.rejects(drain(body), /shorter/);
  });
});

// ------------------------------------------------------------------------------------------ flat memory

test('a 1M-row export (CSV with masked and tokenized columns; XLSX) keeps memory flat', { timeout: 600_000 }, async () => {
  const file = path.join(root, 'million.parquet');
  await engine.run(
    `COPY (SELECT i + 1 AS _row, '张' || (i % 1000) AS 姓名,
       '11010119900307' || lpad((i % 10000)::VARCHAR, 4, '0') AS 身份证号,
       '138' || lpad((i % 100000000)::VARCHAR, 8, '0') AS 手机号,
       (i % 2000 - 1000)::BIGINT AS 金额,
       CASE WHEN i % 10 = 0 THEN '=x' || i ELSE '备注' || i END AS 备注
     FROM range(1000000) r(i)) TO ${quoteLiteral(file)} (FORMAT parquet)`,
  );
  const big: ReadSource = {
    parquetPath: file,
    columns: [
      { name: '姓名', type: 'string', piiKind: 'name' },
      { name: '身份证号', type: 'string', piiKind: 'id_number' },
      { name: '手机号', type: 'string', piiKind: 'phone' },
      { name: '金额', type: 'integer' },
      { name: '备注', type: 'string' },
    ],
  };
  const policy: MaskingPolicy = { 姓名: 'mask', 身份证号: 'mask', 手机号: 'token', 金额: 'clear', 备注: 'clear' };
  const measure = async <T>(run: () => Promise<T>): Promise<{ result: T; growth: number }> => {
    const base = process.memoryUsage().rss;
    let peak = base;
    const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
    try {
      const result = await run();
      return { result, growth: peak - base };
    } finally {
      clearInterval(timer);
    }
  };
  const csv = await measure(() => exportTo(engine, big, { format: 'csv' }, policy, path.join(root, 'million.csv')));
  assert.equal(csv.result.rows, 1_000_000);
  assert.ok(csv.growth < 300 * 1024 * 1024, `CSV export grew RSS by ${Math.round(csv.growth / 1048576)} MB`);
  const [{ n, tokens }] = (await engine.all<{ n: bigint; tokens: bigint }>(
    `SELECT count(*) AS n, count(*) FILTER (WHERE length(手机号) = 64) AS tokens FROM read_csv($1, header = true, all_varchar = true)`,
    [path.join(root, 'million.csv')],
  )) as [{ n: bigint; tokens: bigint }];
  assert.equal(n, 1_000_000n);
  assert.equal(tokens, 1_000_000n);

  const xlsx = await measure(() =>
    exportTo(engine, big, { format: 'xlsx', columns: ['姓名', '金额', '备注'] }, policy, path.join(root, 'million.xlsx')),
  );
  assert.equal(xlsx.result.rows, 1_000_000);
  // Measured here: +61 MB; without the backpressure in writeXlsx, +183 MB and growing with the row count.
  assert.ok(xlsx.growth < 160 * 1024 * 1024, `XLSX export grew RSS by ${Math.round(xlsx.growth / 1048576)} MB`);
});

// ------------------------------------------------------------------------------------------ sendFile

describe('sendFile', () => {
  const body = Buffer.from(Array.from({ length: 1000 }, (_, i) => i % 256));
  let file: string;
  let app: FastifyInstance;

  before(async () => {
    file = path.join(root, 'download.bin');
    await fs.writeFile(file, body);
    app = Fastify();
    app.setErrorHandler((err, _req, reply) => {
      void reply.code(err instanceof AppError ? err.status : 500).send({ code: (err as AppError).code });
    });
    app.get('/f', (req, reply) =>
      sendFile(req, reply, file, { contentType: 'text/csv; charset=utf-8', fileName: '人口数据 2024"final".csv' }),
    );
    app.get('/missing', (req, reply) => sendFile(req, reply, path.join(root, 'nope.csv'), { contentType: 'text/csv', fileName: 'x.csv' }));
    await app.ready();
  });
  after(async () => {
    await app.close();
  });

  test('whole file: 200, length, Accept-Ranges, strong ETag, Content-Disposition with the UTF-8 name', async () => {
    const r = await app.inject({ method: 'GET', url: '/f' });
    assert.equal(r.statusCode, 200);
    assert.deepEqual(r.rawPayload, body);
    assert.equal(r.headers['content-length'], '1000');
    assert.equal(r.headers['accept-ranges'], 'bytes');
    assert.match(String(r.headers.etag), /^"[0-9a-f]+-3e8-[0-9a-f]+"$/);
    assert.equal(r.headers['content-type'], 'text/csv; charset=utf-8');
    assert.equal(
      r.headers['content-disposition'],
      `attachment; filename="____ 2024_final_.csv"; filename*=UTF-8''%E4%BA%BA%E5%8F%A3%E6%95%B0%E6%8D%AE%202024_final_.csv`,
    );
    assert.equal(contentDisposition("a'b(1).csv", 'inline'), `inline; filename="a'b(1).csv"; filename*=UTF-8''a%27b%281%29.csv`);
    const head = await app.inject({ method: 'HEAD', url: '/f' });
    assert.equal(head.statusCode, 200);
    assert.equal(head.headers['content-length'], '1000');
    assert.equal(head.rawPayload.length, 0);
  });

  test('single ranges: 206 with Content-Range; suffix and open ranges; past the end is 416', async () => {
    const get = (range: string, extra: Record<string, string> = {}) =>
      app.inject({ method: 'GET', url: '/f', headers: { range, ...extra } });
    let r = await get('bytes=0-9');
    assert.equal(r.statusCode, 206);
    assert.equal(r.headers['content-range'], 'bytes 0-9/1000');
    assert.equal(r.headers['content-length'], '10');
    assert.deepEqual(r.rawPayload, body.subarray(0, 10));
    r = await get('bytes=990-');
    assert.equal(r.headers['content-range'], 'bytes 990-999/1000');
    assert.deepEqual(r.rawPayload, body.subarray(990));
    r = await get('bytes=-5');
    assert.equal(r.headers['content-range'], 'bytes 995-999/1000');
    assert.deepEqual(r.rawPayload, body.subarray(995));
    r = await get('bytes=500-5000');
    assert.equal(r.headers['content-range'], 'bytes 500-999/1000');
    assert.equal(r.rawPayload.length, 500);
    r = await get('bytes=1000-');
    assert.equal(r.statusCode, 416);
    assert.equal(r.headers['content-range'], 'bytes */1000');
    r = await get('bytes=-0');
    assert.equal(r.statusCode, 416);
    // Several ranges or a malformed header: the whole file.
    for (const h of ['bytes=0-1,5-6', 'bytes=5-1', 'items=0-1', 'bytes=abc']) {
      r = await get(h);
      assert.equal(r.statusCode, 200, h);
      assert.equal(r.rawPayload.length, 1000);
    }
    assert.deepEqual(parseRange('bytes=0-0', 1), { start: 0, end: 0 });
    assert.equal(parseRange('bytes=0-', 0), 'unsatisfiable');
  });

  test('If-Range: the range while the ETag (strong) or date matches, else the whole file; If-None-Match: 304', async () => {
    const full = await app.inject({ method: 'GET', url: '/f' });
    const etag = String(full.headers.etag);
    const lastModified = String(full.headers['last-modified']);
    const get = (headers: Record<string, string>) => app.inject({ method: 'GET', url: '/f', headers });
    let r = await get({ range: 'bytes=100-199', 'if-range': etag });
    assert.equal(r.statusCode, 206);
    assert.deepEqual(r.rawPayload, body.subarray(100, 200));
    r = await get({ range: 'bytes=100-199', 'if-range': '"stale"' });
    assert.equal(r.statusCode, 200);
    assert.equal(r.rawPayload.length, 1000);
    r = await get({ range: 'bytes=100-199', 'if-range': `W/${etag}` });
    assert.equal(r.statusCode, 200);
    r = await get({ range: 'bytes=100-199', 'if-range': lastModified });
    assert.equal(r.statusCode, 206);
    r = await get({ range: 'bytes=100-199', 'if-range': new Date(Date.parse(lastModified) - 3600_000).toUTCString() });
    assert.equal(r.statusCode, 200);
    r = await get({ 'if-none-match': etag });
    assert.equal(r.statusCode, 304);
    assert.equal(r.rawPayload.length, 0);
    // The file changed: its ETag changes, a resume with the old one gets the whole new file.
    await fs.writeFile(file, Buffer.concat([body, Buffer.from('more')]));
    r = await get({ range: 'bytes=100-199', 'if-range': etag });
    assert.equal(r.statusCode, 200);
    assert.equal(r.rawPayload.length, 1004);
    assert.notEqual(r.headers.etag, etag);
    await fs.writeFile(file, body);
  });

  test('a missing file is 404', async () => {
    const r = await app.inject({ method: 'GET', url: '/missing' });
    assert.equal(r.statusCode, 404);
  });
});
