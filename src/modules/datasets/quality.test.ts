import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { AppError } from '../../errors.ts';
import { makeUscc } from '../privacy/uscc.ts';
import { DuckEngine, quoteIdent, quoteLiteral } from './duckdb.ts';
import {
  checkRules,
  defaultRules,
  evaluate,
  failingRows,
  gate,
  validateRules,
  writeFailingRowsCsv,
  type QualityReport,
  type QualityRule,
  type QualitySchema,
} from './quality.ts';

let root: string;
let engine: DuckEngine;

/** The real engine, counting the statements that go through it. */
function counting(e: DuckEngine) {
  const statements: string[] = [];
  return {
    statements,
    engine: {
      json: <T>(sqlText: string, params?: Parameters<DuckEngine['json']>[1]) => {
        statements.push(sqlText);
        return e.json<T>(sqlText, params);
      },
      allows: (f: string) => e.allows(f),
    },
  };
}

/** GB 11643-1999 check character (an oracle of our own, independent of the privacy module). */
function idNumber(first17: string): string {
  const w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  const sum = [...first17].reduce((s, d, i) => s + Number(d) * w[i]!, 0);
  return first17 + '10X98765432'[sum % 11];
}
const ID1 = idNumber('11010119900101123');
const ID2 = idNumber('44030619850520002');
const ID3 = idNumber('31011520010101456');
const ID4 = idNumber('51010720101010789');
const ID_BAD = ID1.slice(0, 17) + (ID1.endsWith('0') ? '1' : '0');

const sqlValue = (v: unknown) => (v === null ? 'NULL' : typeof v === 'number' ? String(v) : quoteLiteral(String(v)));

async function writeParquet(file: string, columns: [string, string][], rows: unknown[][]): Promise<string> {
  const out = path.join(root, file);
  const values = rows.map((r) => `(${r.map(sqlValue).join(', ')})`).join(',\n');
  const names = columns.map((c, i) => `CAST(col${i} AS ${c[1]}) AS ${quoteIdent(c[0])}`).join(', ');
  await engine.run(
    `COPY (SELECT ${names} FROM (VALUES ${values}) v(${columns.map((_, i) => `col${i}`).join(', ')})) TO ${quoteLiteral(out)} (FORMAT parquet)`,
  );
  return out;
}

// The small known table: _row holds the source line numbers (CSV header on line 1).
const COLUMNS: [string, string][] = [
  ['_row', 'BIGINT'],
  ['id', 'BIGINT'],
  ['name', 'VARCHAR'],
  ['age', 'BIGINT'],
  ['status', 'VARCHAR'],
  ['code', 'VARCHAR'],
  ['sfz', 'VARCHAR'],
  ['birth', 'DATE'],
  ['dtext', 'VARCHAR'],
  ['dept', 'VARCHAR'],
  ['updated', 'DATE'],
  ['note', 'VARCHAR'],
];
const ROWS: unknown[][] = [
  [2, 1, '张三', 30, 'A', 'AB-001', ID1, '1990-01-01', '2024-01-05', 'D1', '2024-06-20', '=1+1'],
  [3, 2, null, 17, 'B', 'AB-002', ID2, '1985-05-20', '2024/1/5', 'D2', '2024-06-20', 'ok'],
  [4, 3, '', null, 'C', 'ab-003', ID_BAD, '1800-01-01', '2024年1月5日', 'D9', '2024-06-20', 'ok'],
  [5, 3, '李四', 150, 'A', 'AB-04', null, '2099-01-01', '2024-02-30', null, '2024-06-20', 'ok'],
  [6, 5, '王五', 45, null, null, '', null, 'abc', 'D1', '2024-06-25', 'ok'],
  [7, 6, '  ', -1, 'X', 'AB-006', 'abc', '2000-02-29', null, 'D3', '2024-06-20', 'ok'],
  [8, 7, '赵六', 60, 'B', 'AB-007', ID3, '2001-01-01', '20240105', 'D2', '2024-06-28', 'ok'],
  [9, 8, '欧阳明', 18, 'A', 'AB-008', ID4, '2010-10-10', '2024-12-31', 'D1', null, 'ok'],
  [10, 8, '周八', 99, 'A', 'AB-009', ID1, '2020-01-01', '1899-12-31', 'D2', '2024-06-01', 'ok'],
  [11, null, '吴九', 100, 'B', 'AB-010', ID2, '2024-06-01', '2024-06-01', 'D1', '2024-06-20', 'ok'],
];
const SCHEMA: QualitySchema = {
  fields: [
    { name: 'id', type: 'integer' },
    { name: 'name', type: 'string' },
    { name: 'age', type: 'integer' },
    { name: 'status', type: 'string' },
    { name: 'code', type: 'string' },
    { name: 'sfz', type: 'string' },
    { name: 'birth', type: 'date' },
    { name: 'dtext', type: 'string' },
    { name: 'dept', type: 'string' },
    { name: 'updated', type: 'date' },
    { name: 'note', type: 'string' },
  ],
};
const NOW = new Date('2024-07-01T04:00:00Z'); // 2024-07-01 12:00 in China

let small: string;
let smallNoRow: string;
let depts: string;

before(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'shuyuan-quality-'));
  engine = await DuckEngine.open({ allowedDirs: [root], tempDir: path.join(root, 'tmp'), memoryLimit: '256MB', threads: 1 });
  small = await writeParquet('small.parquet', COLUMNS, ROWS);
  smallNoRow = await writeParquet(
    'small-norow.parquet',
    COLUMNS.slice(1),
    ROWS.map((r) => r.slice(1)),
  );
  depts = await writeParquet(
    'depts.parquet',
    [
      ['code', 'VARCHAR'],
      ['title', 'VARCHAR'],
    ],
    [
      ['D1', '一处'],
      ['D2', '二处'],
      ['D3', '三处'],
      [null, '空'],
    ],
  );
});
after(async () => {
  engine.close();
  await fs.rm(root, { recursive: true, force: true });
});

const byId = (report: QualityReport) => Object.fromEntries(report.rules.map((r) => [r.id, r]));
const counts = (report: QualityReport) =>
  Object.fromEntries(report.rules.map((r) => [r.id, { applicable: r.applicable, passed: r.passed, failed: r.failed }]));

describe('rule kinds on a known table', () => {
  test('each kind passes and fails where expected, with exact counts', async () => {
    const rules: QualityRule[] = [
      { id: 'nn_name', kind: 'not_null', column: 'name' },
      { id: 'nn_id', kind: 'not_null', column: 'id' },
      { id: 'uq_id', kind: 'unique', column: 'id' },
      { id: 'uq_code', kind: 'unique', column: 'code' },
      { id: 'age', kind: 'range', column: 'age', params: { min: 18, max: 100 } },
      { id: 'age_min', kind: 'range', column: 'age', params: { min: 0 } },
      { id: 'birth_range', kind: 'range', column: 'birth', params: { min: '1950-01-01', max: '2020-12-31' } },
      { id: 'len', kind: 'length', column: 'name', params: { max: 2 } },
      { id: 'status', kind: 'enum', column: 'status', params: { values: ['A', 'B', 'C'] } },
      { id: 'code', kind: 'regex', column: 'code', params: { pattern: 'AB-[0-9]{3}' } },
      { id: 'sfz', kind: 'pii_valid', column: 'sfz', params: { kind: 'id_number' } },
      { id: 'birth', kind: 'date_valid', column: 'birth', params: {} },
      { id: 'birth_past', kind: 'date_valid', column: 'birth', params: { notFuture: true } },
      { id: 'dtext', kind: 'date_valid', column: 'dtext', params: {} },
      { id: 'dept', kind: 'reference', column: 'dept', params: { parquetPath: depts, column: 'code' } },
      { id: 'rows5', kind: 'row_count', params: { min: 5 } },
      { id: 'rows20', kind: 'row_count', params: { min: 20 } },
      { id: 'pk', kind: 'unique', params: { columns: ['id', 'status'] } },
    ];
    const report = await evaluate(engine, { parquetPath: small, schema: SCHEMA, rules, now: NOW });
    assert.equal(report.rows, 10);
    assert.deepEqual(counts(report), {
      // NULL, '' and blanks are missing
      nn_name: { applicable: 10, passed: 7, failed: 3 },
      nn_id: { applicable: 10, passed: 9, failed: 1 },
      // 9 ids, 7 distinct: the second 3 and the second 8 fail
      uq_id: { applicable: 9, passed: 7, failed: 2 },
      uq_code: { applicable: 9, passed: 9, failed: 0 },
      // the NULL age is not judged: 17, 150 and -1 fail
      age: { applicable: 9, passed: 6, failed: 3 },
      age_min: { applicable: 9, passed: 8, failed: 1 },
      // 1800-01-01, 2099-01-01, 2024-06-01 fail (NULL not judged)
      birth_range: { applicable: 9, passed: 6, failed: 3 },
      len: { applicable: 7, passed: 6, failed: 1 },
      status: { applicable: 9, passed: 8, failed: 1 },
      // ab-003 (case) and AB-04 (too short): the whole value must match
      code: { applicable: 9, passed: 7, failed: 2 },
      // the wrong check digit and 'abc'; NULL and '' not judged
      sfz: { applicable: 8, passed: 6, failed: 2 },
      birth: { applicable: 9, passed: 8, failed: 1 },
      birth_past: { applicable: 9, passed: 7, failed: 2 },
      // Chinese formats parse; 2024-02-30, abc and 1899-12-31 fail
      dtext: { applicable: 9, passed: 6, failed: 3 },
      dept: { applicable: 9, passed: 8, failed: 1 },
      rows5: { applicable: 1, passed: 1, failed: 0 },
      rows20: { applicable: 1, passed: 0, failed: 1 },
      // (3,'C') and (3,'A') differ, (8,'A') twice; rows with a missing part are not judged
      pk: { applicable: 8, passed: 7, failed: 1 },
    });
    assert.equal(byId(report).rows20!.observed, 10);
    assert.equal(byId(report).nn_name!.dimension, 'completeness');
    assert.equal(byId(report).dept!.dimension, 'consistency');
    assert.equal(report.rulesJudged, 18);
    assert.equal(report.rulesPassed, 2); // uq_code and rows5
  });

  test('pii_valid for credit codes, phones and bank cards (check digits)', async () => {
    const uscc = makeUscc('91', '350100', 'M0001000');
    const usccBad = uscc.slice(0, 17) + (uscc.endsWith('0') ? '1' : '0');
    // 4111 1111 1111 1111 passes Luhn; changing the last digit breaks it
    const file = await writeParquet(
      'pii.parquet',
      [
        ['uscc', 'VARCHAR'],
        ['tel', 'VARCHAR'],
        ['card', 'VARCHAR'],
      ],
      [
        [uscc, '13812345678', '4111111111111111'],
        [usccBad, '12812345678', '4111111111111112'],
        [null, '+86 138 1234 5678', null],
        ['91350100', '1381234567', '411111111111111'],
      ],
    );
    const schema = { fields: ['uscc', 'tel', 'card'].map((name) => ({ name, type: 'string' })) };
    const report = await evaluate(engine, {
      parquetPath: file,
      schema,
      now: NOW,
      rules: [
        { id: 'uscc', kind: 'pii_valid', column: 'uscc', params: { kind: 'credit_code' } },
        { id: 'tel', kind: 'pii_valid', column: 'tel', params: { kind: 'phone' } },
        { id: 'card', kind: 'pii_valid', column: 'card', params: { kind: 'bank_card' } },
      ],
    });
    assert.deepEqual(counts(report), {
      uscc: { applicable: 3, passed: 1, failed: 2 },
      // a +86 prefix and separators are tolerated; a 12x prefix and 10 digits are not
      tel: { applicable: 4, passed: 2, failed: 2 },
      card: { applicable: 3, passed: 1, failed: 2 },
    });
    const rows = await failingRows(engine, {
      parquetPath: file,
      schema,
      rules: [{ id: 'u', kind: 'pii_valid', column: 'uscc', params: { kind: 'credit_code' } }],
      limit: 10,
    });
    assert.deepEqual(
      rows.map((r) => [r.row, r.value, r.reason]),
      [
        [2, usccBad, '不是有效的统一社会信用代码（格式或校验位错误）'],
        [4, '91350100', '不是有效的统一社会信用代码（格式或校验位错误）'],
      ],
    );
  });

  test('null handling: a null is not invalid for range, only for not_null', async () => {
    const file = await writeParquet(
      'nulls.parquet',
      [
        ['v', 'BIGINT'],
        ['s', 'VARCHAR'],
      ],
      [
        [null, null],
        [null, ''],
        [5, 'x'],
      ],
    );
    const schema = {
      fields: [
        { name: 'v', type: 'integer' },
        { name: 's', type: 'string' },
      ],
    };
    const report = await evaluate(engine, {
      parquetPath: file,
      schema,
      now: NOW,
      rules: [
        { id: 'r', kind: 'range', column: 'v', params: { min: 10 } },
        { id: 'n', kind: 'not_null', column: 'v' },
        { id: 'e', kind: 'enum', column: 's', params: { values: ['y'] } },
        { id: 'all_null', kind: 'range', column: 'v', params: { max: 0 } },
      ],
    });
    assert.deepEqual(counts(report), {
      r: { applicable: 1, passed: 0, failed: 1 },
      n: { applicable: 3, passed: 1, failed: 2 },
      e: { applicable: 1, passed: 0, failed: 1 },
      all_null: { applicable: 1, passed: 0, failed: 1 },
    });
    const onlyNulls = await writeParquet('only-nulls.parquet', [['v', 'BIGINT']], [[null], [null]]);
    const r2 = await evaluate(engine, {
      parquetPath: onlyNulls,
      schema: { fields: [{ name: 'v', type: 'integer' }] },
      now: NOW,
      rules: [{ id: 'r', kind: 'range', column: 'v', params: { min: 10 } }],
    });
    // nothing to judge: ratio null, the dimension has no score (not 100)
    assert.equal(r2.rules[0]!.ratio, null);
    assert.equal(r2.dimensions.validity, null);
    assert.equal(r2.overall, null);
  });

  test('reference rule against a second file, with a type cast across files', async () => {
    const ids = await writeParquet('ids.parquet', [['k', 'VARCHAR']], [['1'], ['2'], ['5'], ['x']]);
    const report = await evaluate(engine, {
      parquetPath: small,
      schema: SCHEMA,
      now: NOW,
      rules: [
        { id: 'dept', kind: 'reference', column: 'dept', params: { parquetPath: depts, column: 'code' } },
        // integer ids against a text column of the other dataset: 1, 2 and 5 are there, 3, 3, 6, 7, 8, 8 are not
        { id: 'id', kind: 'reference', column: 'id', params: { parquetPath: ids, column: 'k' } },
      ],
    });
    assert.deepEqual(counts(report), {
      dept: { applicable: 9, passed: 8, failed: 1 },
      id: { applicable: 9, passed: 3, failed: 6 },
    });
    await assert.rejects(
      evaluate(engine, {
        parquetPath: small,
        schema: SCHEMA,
        now: NOW,
        rules: [{ id: 'dept', kind: 'reference', column: 'dept', params: { column: 'code' } }],
      }),
      (e: AppError) => e.code === 'QUALITY_REFERENCE_UNRESOLVED',
    );
    await assert.rejects(
      evaluate(engine, {
        parquetPath: small,
        schema: SCHEMA,
        now: NOW,
        rules: [{ id: 'dept', kind: 'reference', column: 'dept', params: { parquetPath: '/etc/passwd', column: 'code' } }],
      }),
      /outside DuckDB's allowed directories/,
    );
  });

  test('freshness against the update frequency, with a fixed now', async () => {
    // newest `updated` is 2024-06-28; now is 2024-07-01 (China): 3 days old
    const rules = (freq: string, extra: object = {}) => [
      { id: 'f', kind: 'freshness', column: 'updated', params: { updateFrequency: freq, ...extra } },
    ];
    const run = async (r: unknown[], input: object = {}) =>
      (await evaluate(engine, { parquetPath: small, schema: SCHEMA, now: NOW, rules: r, ...input })).rules[0]!;
    const daily = await run(rules('daily'));
    assert.deepEqual([daily.applicable, daily.failed, daily.observed, daily.expected], [1, 1, '2024-06-28', 2]);
    const weekly = await run(rules('weekly'));
    assert.deepEqual([weekly.applicable, weekly.failed], [1, 0]);
    const graced = await run(rules('daily', { graceDays: 2 }));
    assert.equal(graced.failed, 0);
    const irregular = await run(rules('irregular'));
    assert.deepEqual([irregular.applicable, irregular.ratio], [0, null]);
    // without a column: the gap since the previous version
    const byVersion = [{ id: 'f', kind: 'freshness', params: { updateFrequency: 'monthly' } }];
    const first = await run(byVersion);
    assert.equal(first.applicable, 0); // a first version has nothing to compare with
    const onTime = await run(byVersion, { previous: { createdAt: new Date('2024-06-01T00:00:00Z') } });
    assert.deepEqual([onTime.failed, onTime.observed, onTime.expected], [0, 30.17, 38]);
    // the catalog's frequency when the rule names none; none at all: not judged
    const catalog = [{ id: 'f', kind: 'freshness', params: {} }];
    const prev = { previous: { createdAt: new Date('2024-06-25T00:00:00Z') } };
    assert.deepEqual(
      [
        (await run(catalog, { ...prev, updateFrequency: 'daily' })).failed,
        (await run(catalog, { ...prev, updateFrequency: 'weekly' })).failed,
      ],
      [1, 0],
    );
    assert.equal((await run(catalog, prev)).applicable, 0);
    const late = await run(byVersion, { previous: { createdAt: new Date('2024-04-01T00:00:00Z') } });
    assert.equal(late.failed, 1);
    assert.equal(late.dimension, 'timeliness');
  });
});

describe('scores', () => {
  test('per dimension and overall on a known table', async () => {
    const report = await evaluate(engine, {
      parquetPath: small,
      schema: SCHEMA,
      now: NOW,
      rules: [
        { id: 'nn_name', kind: 'not_null', column: 'name' }, // major 7/10
        { id: 'nn_id', kind: 'not_null', column: 'id', severity: 'critical' }, // critical 9/10
        { id: 'uq', kind: 'unique', column: 'id' }, // 7/9
        { id: 'age', kind: 'range', column: 'age', params: { min: 18, max: 100 }, severity: 'minor' }, // minor 6/9
        { id: 'st', kind: 'enum', column: 'status', params: { values: ['A', 'B', 'C'] } }, // major 8/9
        { id: 'fresh', kind: 'freshness', params: { updateFrequency: 'irregular' } }, // never judged
        { id: 'code', kind: 'regex', column: 'code', params: { pattern: '.*' }, dimension: 'consistency' }, // 9/9
      ],
    });
    const validity = Math.round(((100 * (1 * (6 / 9) + 2 * (8 / 9))) / 3) * 100) / 100; // 81.48
    assert.deepEqual(report.dimensions, {
      completeness: 82, // 100 · (2·0.7 + 3·0.9) / 5
      validity,
      uniqueness: 77.78,
      consistency: 100,
      timeliness: null,
    });
    assert.equal(validity, 81.48);
    const overall = (0.25 * 82 + 0.3 * 81.48 + 0.15 * 77.78 + 0.15 * 100) / (0.25 + 0.3 + 0.15 + 0.15);
    assert.equal(report.overall, Math.round(overall * 100) / 100);
    assert.equal(report.overall, 84.25);
    assert.equal(report.grade, 'C');
    assert.deepEqual(gate(report, 80), { ok: true, score: 84.25, threshold: 80 });
    assert.deepEqual(gate(report, 90), { ok: false, score: 84.25, threshold: 90 });
    assert.deepEqual(gate({ overall: null }, 90), { ok: true, score: null, threshold: 90 });
  });
});

describe('failing rows', () => {
  const rules: QualityRule[] = [
    { id: 'nn', kind: 'not_null', column: 'name' },
    { id: 'uq', kind: 'unique', column: 'id' },
    { id: 'age', kind: 'range', column: 'age', params: { min: 18, max: 100 } },
    { id: 'rows', kind: 'row_count', params: { min: 1 } },
  ];
  const expected = (rowOf: (line: number) => number) => [
    { row: rowOf(3), column: 'name', value: null, rule: 'nn', kind: 'not_null', reason: '必填字段为空' },
    { row: rowOf(3), column: 'age', value: '17', rule: 'age', kind: 'range', reason: '不在允许范围 [18, 100] 内' },
    { row: rowOf(4), column: 'name', value: '', rule: 'nn', kind: 'not_null', reason: '必填字段为空' },
    { row: rowOf(5), column: 'id', value: '3', rule: 'uq', kind: 'unique', reason: `与第 ${rowOf(4)} 行重复` },
    { row: rowOf(5), column: 'age', value: '150', rule: 'age', kind: 'range', reason: '不在允许范围 [18, 100] 内' },
    { row: rowOf(7), column: 'name', value: '  ', rule: 'nn', kind: 'not_null', reason: '必填字段为空' },
    { row: rowOf(7), column: 'age', value: '-1', rule: 'age', kind: 'range', reason: '不在允许范围 [18, 100] 内' },
    { row: rowOf(10), column: 'id', value: '8', rule: 'uq', kind: 'unique', reason: `与第 ${rowOf(9)} 行重复` },
  ];

  test('row numbers from _row, reasons in zh-CN, counts agree with evaluate', async () => {
    const rows = await failingRows(engine, { parquetPath: small, schema: SCHEMA, rules, limit: 100 });
    assert.deepEqual(
      rows,
      expected((line) => line),
    );
    const report = await evaluate(engine, { parquetPath: small, schema: SCHEMA, rules, now: NOW });
    assert.equal(
      rows.length,
      report.rules.reduce((s, r) => s + (r.kind === 'row_count' ? 0 : r.failed), 0),
    );
    const limited = await failingRows(engine, { parquetPath: small, schema: SCHEMA, rules, limit: 3 });
    assert.deepEqual(limited, expected((line) => line).slice(0, 3));
  });

  test('row positions when the file has no _row; English reasons', async () => {
    const rows = await failingRows(engine, { parquetPath: smallNoRow, schema: SCHEMA, rules, limit: 100 });
    assert.deepEqual(
      rows,
      expected((line) => line - 1),
    );
    const en = await failingRows(engine, { parquetPath: smallNoRow, schema: SCHEMA, rules, limit: 100, lang: 'en' });
    assert.equal(en[0]!.reason, 'Required value is missing');
    assert.equal(en[3]!.reason, 'Duplicate of row 3');
    assert.deepEqual(await failingRows(engine, { parquetPath: small, schema: SCHEMA, rules: [rules[3]!], limit: 10 }), []);
  });

  test('CSV report: UTF-8 BOM, Chinese headers, row numbers, reasons, formulas neutralized', async () => {
    const out = path.join(root, 'report.csv');
    const res = await writeFailingRowsCsv(
      engine,
      {
        parquetPath: small,
        schema: SCHEMA,
        rules: [...rules, { id: 'note', kind: 'regex', column: 'note', params: { pattern: '[a-z]+' } }],
      },
      out,
    );
    assert.equal(res.rows, 9);
    const bytes = await fs.readFile(out);
    assert.deepEqual([...bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf]);
    const lines = bytes.subarray(3).toString('utf8').trimEnd().split('\n');
    assert.equal(lines[0], '行号,字段,值,规则,原因');
    assert.equal(lines.length, 10);
    // the '=1+1' of line 2 would be a formula in Excel: prefixed with '
    assert.equal(lines[1], "2,note,'=1+1,正则格式（note）,不符合格式 [a-z]+");
    assert.equal(lines[2], '3,name,,非空（nn）,必填字段为空');
    assert.ok(lines.includes('5,id,3,唯一（uq）,与第 4 行重复'), lines.join('\n'));
    assert.ok(lines.includes('7,age,-1,取值范围（age）,"不在允许范围 [18, 100] 内"'), lines.join('\n'));
    await assert.rejects(
      writeFailingRowsCsv(engine, { parquetPath: small, schema: SCHEMA, rules }, path.join(os.tmpdir(), 'elsewhere.csv')),
      /outside DuckDB's allowed directories/,
    );
  });
});

describe('safety', () => {
  test('a hostile column name is only ever an identifier', async () => {
    const hostile = `a"; DROP TABLE x; --'`;
    const file = await writeParquet(
      'hostile.parquet',
      [
        [hostile, 'VARCHAR'],
        ['ok', 'VARCHAR'],
      ],
      [
        ['v1', '1'],
        [null, '2'],
        ['v1', '3'],
      ],
    );
    const schema = {
      fields: [
        { name: hostile, type: 'string' },
        { name: 'ok', type: 'string' },
      ],
    };
    const rules = [
      { id: 'nn', kind: 'not_null', column: hostile },
      { id: 'uq', kind: 'unique', column: hostile },
      { id: 're', kind: 'regex', column: hostile, params: { pattern: 'v[0-9]' } },
    ];
    const report = await evaluate(engine, { parquetPath: file, schema, rules, now: NOW });
    assert.deepEqual(counts(report), {
      nn: { applicable: 3, passed: 2, failed: 1 },
      uq: { applicable: 2, passed: 1, failed: 1 },
      re: { applicable: 2, passed: 2, failed: 0 },
    });
    const rows = await failingRows(engine, { parquetPath: file, schema, rules, limit: 10 });
    assert.deepEqual(
      rows.map((r) => [r.row, r.column, r.rule]),
      [
        [2, hostile, 'nn'],
        [3, hostile, 'uq'],
      ],
    );
    // a column that is not in the schema is refused before any SQL is built
    await assert.rejects(
      evaluate(engine, { parquetPath: file, schema, now: NOW, rules: [{ id: 'x', kind: 'not_null', column: 'ok"' }] }),
      (e: AppError) => e.code === 'QUALITY_COLUMN_UNKNOWN' && e.params.column === 'ok"',
    );
  });

  test('hostile regex patterns are literals, linear-time, or refused', async () => {
    const long = 'a'.repeat(5000) + 'b';
    const file = await writeParquet('re.parquet', [['s', 'VARCHAR']], [[long], ["x' OR '1'='1"], ['aaa']]);
    const schema = { fields: [{ name: 's', type: 'string' }] };
    const report = await evaluate(engine, {
      parquetPath: file,
      schema,
      now: NOW,
      rules: [
        // quotes in a pattern stay inside the literal: it matches exactly that one value
        { id: 'quote', kind: 'regex', column: 's', params: { pattern: "x' OR '1'='1" } },
        // catastrophic for a backtracking engine; RE2 is linear
        { id: 'redos', kind: 'regex', column: 's', params: { pattern: '(a+)+$' } },
        { id: 'backslash', kind: 'regex', column: 's', params: { pattern: "\\'|a+" } },
      ],
    });
    assert.deepEqual(counts(report), {
      quote: { applicable: 3, passed: 1, failed: 2 },
      redos: { applicable: 3, passed: 1, failed: 2 },
      backslash: { applicable: 3, passed: 1, failed: 2 },
    });
    const refused = async (pattern: string, code: string) => {
      const rules = [{ id: 'bad', kind: 'regex', column: 's', params: { pattern } }];
      await assert.rejects(evaluate(engine, { parquetPath: file, schema, now: NOW, rules }), (e: AppError) => e.code === code);
      await assert.rejects(validateRules(engine, schema, rules), (e: AppError) => e.code === code);
    };
    await refused('(a)\\1', 'QUALITY_REGEX_INVALID'); // backreferences are not RE2
    await refused('(?=a)', 'QUALITY_REGEX_INVALID'); // nor lookahead
    await refused('((a{1000}){1000}){1000}', 'QUALITY_REGEX_INVALID'); // over RE2's program budget
    await refused('a'.repeat(501), 'QUALITY_RULE_INVALID'); // over MAX_PATTERN_LENGTH
    const ok = await validateRules(engine, schema, [{ id: 'good', kind: 'regex', column: 's', params: { pattern: '[0-9]+' } }]);
    assert.equal(ok.length, 1);
  });

  test('rule shape, parameters and ids are checked', () => {
    const bad = (rule: unknown, re: RegExp) =>
      assert.throws(
        () => checkRules(SCHEMA, [rule]),
        (e: AppError) => e.code === 'QUALITY_RULE_INVALID' && re.test(String(e.params.detail)),
      );
    bad({ id: 'x', kind: 'drop_table', column: 'id' }, /kind must be one of/);
    bad({ id: 'x', kind: 'range', column: 'age', params: {} }, /min or max/);
    bad({ id: 'x', kind: 'range', column: 'age', params: { min: 5, max: 1 } }, /min > max/);
    bad({ id: 'x', kind: 'range', column: 'age', params: { min: '2024-01-01' } }, /finite numbers/);
    bad({ id: 'x', kind: 'range', column: 'birth', params: { min: '2024-02-30' } }, /real dates/);
    bad({ id: 'x', kind: 'enum', column: 'status', params: { values: [] } }, /^\/params\/values /);
    bad({ id: 'x', kind: 'not_null', column: 'id', params: { extra: 1 } }, /^\/params/);
    bad({ id: 'x', kind: 'regex', column: 'code', params: { pattern: 'a'.repeat(501) } }, /^\/params\/pattern /);
    bad({ id: 'x', kind: 'unique' }, /column or params.columns/);
    assert.throws(
      () =>
        checkRules(SCHEMA, [
          { id: 'a', kind: 'not_null', column: 'id' },
          { id: 'a', kind: 'not_null', column: 'name' },
        ]),
      (e: AppError) => e.code === 'QUALITY_RULE_INVALID' && e.params.detail === 'duplicate id',
    );
    assert.throws(
      () => checkRules(SCHEMA, [{ id: 'u', kind: 'unique', params: { columns: ['id', 'nope'] } }]),
      (e: AppError) => e.code === 'QUALITY_COLUMN_UNKNOWN' && e.params.column === 'nope',
    );
  });
});

describe('default rules', () => {
  test('proposed from the Table Schema and the PII kinds', () => {
    const schema: QualitySchema = {
      primaryKey: ['org', 'seq'],
      fields: [
        { name: 'org', type: 'string', constraints: { required: true } },
        { name: 'seq', type: 'integer' },
        { name: 'uscc', type: 'string', constraints: { unique: true } },
        { name: 'kind', type: 'string', constraints: { enum: ['甲', '乙'] } },
        { name: 'day', type: 'date' },
        { name: 'at', type: 'datetime' },
        { name: 'amount', type: 'number', constraints: { minimum: 0, maximum: 1e9 } },
        { name: 'code', type: 'string', constraints: { maxLength: 18, pattern: '[0-9A-Z]+' } },
        { name: 'sfz', type: 'string', 'x-shuyuan': { piiKind: 'id_number' } },
        { name: 'tel', type: 'string' },
        { name: 'addr', type: 'string', 'x-shuyuan': { piiKind: 'address' } },
      ],
    };
    const rules = defaultRules(schema, { tel: { piiKind: 'phone' }, uscc: { piiKind: 'credit_code' } });
    // the catalog's field list works too (matched by code or Chinese name)
    assert.deepEqual(
      defaultRules(schema, [
        { code: 'tel', nameZh: '电话', piiKind: 'phone' },
        { code: 'X', nameZh: 'uscc', piiKind: 'credit_code' },
      ]),
      rules,
    );
    assert.deepEqual(rules, [
      { id: 'not_null:org', kind: 'not_null', column: 'org' },
      { id: 'not_null:seq', kind: 'not_null', column: 'seq' },
      { id: 'unique:uscc', kind: 'unique', column: 'uscc' },
      { id: 'pii_valid:uscc', kind: 'pii_valid', column: 'uscc', params: { kind: 'credit_code' } },
      { id: 'enum:kind', kind: 'enum', column: 'kind', params: { values: ['甲', '乙'] } },
      { id: 'date_valid:day', kind: 'date_valid', column: 'day', params: {} },
      { id: 'date_valid:at', kind: 'date_valid', column: 'at', params: {} },
      { id: 'range:amount', kind: 'range', column: 'amount', params: { min: 0, max: 1e9 } },
      { id: 'length:code', kind: 'length', column: 'code', params: { max: 18 } },
      { id: 'regex:code', kind: 'regex', column: 'code', params: { pattern: '[0-9A-Z]+' } },
      { id: 'pii_valid:sfz', kind: 'pii_valid', column: 'sfz', params: { kind: 'id_number' } },
      { id: 'pii_valid:tel', kind: 'pii_valid', column: 'tel', params: { kind: 'phone' } },
      { id: 'unique:org,seq', kind: 'unique', params: { columns: ['org', 'seq'] } },
      { id: 'freshness', kind: 'freshness', params: {} },
    ]);
    // they are valid rules for that schema
    assert.equal(checkRules(schema, rules).length, rules.length);
  });
});

describe('one pass', () => {
  test('100k rows, every kind of rule: one aggregate statement, exact counts', async () => {
    const big = path.join(root, 'big.parquet');
    // i = 0..99999: every 10th name NULL; ids unique except i % 1000 = 999 repeats i - 1; age = i % 120;
    // status cycles A,B,C,D; sfz valid except every 100th; day = 2000-01-01 + i % 10000 days; dept D0..D4 (D4 unknown).
    await engine.run(`COPY (
      SELECT i + 2 AS _row,
        CASE WHEN i % 1000 = 999 THEN i - 1 ELSE i END AS id,
        CASE WHEN i % 10 = 0 THEN NULL ELSE 'n' || i END AS name,
        i % 120 AS age,
        ['A','B','C','D'][i % 4 + 1] AS status,
        CASE WHEN i % 100 = 0 THEN ${quoteLiteral(ID_BAD)} ELSE ${quoteLiteral(ID1)} END AS sfz,
        DATE '2000-01-01' + (i % 10000)::INTEGER AS day,
        'D' || (i % 5) AS dept,
        'c' || (i % 7) AS code
      FROM range(100000) r(i)) TO ${quoteLiteral(big)} (FORMAT parquet)`);
    const refs = await writeParquet('big-ref.parquet', [['d', 'VARCHAR']], [['D0'], ['D1'], ['D2'], ['D3']]);
    const schema: QualitySchema = {
      fields: [
        { name: 'id', type: 'integer' },
        { name: 'name', type: 'string' },
        { name: 'age', type: 'integer' },
        { name: 'status', type: 'string' },
        { name: 'sfz', type: 'string' },
        { name: 'day', type: 'date' },
        { name: 'dept', type: 'string' },
        { name: 'code', type: 'string' },
      ],
    };
    const rules: QualityRule[] = [
      { id: 'nn', kind: 'not_null', column: 'name' },
      { id: 'uq', kind: 'unique', column: 'id' },
      { id: 'age', kind: 'range', column: 'age', params: { min: 0, max: 99 } },
      { id: 'len', kind: 'length', column: 'code', params: { max: 2 } },
      { id: 'st', kind: 'enum', column: 'status', params: { values: ['A', 'B', 'C'] } },
      { id: 're', kind: 'regex', column: 'code', params: { pattern: 'c[0-5]' } },
      { id: 'sfz', kind: 'pii_valid', column: 'sfz', params: { kind: 'id_number' } },
      { id: 'day', kind: 'date_valid', column: 'day', params: { max: '2020-12-31' } },
      { id: 'ref', kind: 'reference', column: 'dept', params: { parquetPath: refs, column: 'd' } },
      { id: 'fresh', kind: 'freshness', column: 'day', params: { updateFrequency: 'yearly' } },
      { id: 'rows', kind: 'row_count', params: { min: 100000 } },
    ];
    const c = counting(engine);
    const report = await evaluate(c.engine, { parquetPath: big, schema, rules, now: NOW });
    assert.equal(c.statements.length, 1);
    // The row rules in one scan; the uniqueness rule's count(DISTINCT) in a subquery reading its own column.
    assert.equal(c.statements[0]!.match(/read_parquet\(\$1\)/g)?.length, 2);
    assert.equal(report.rows, 100000);
    assert.deepEqual(counts(report), {
      nn: { applicable: 100000, passed: 90000, failed: 10000 },
      uq: { applicable: 100000, passed: 99900, failed: 100 },
      // ages 100..119: 20 of every 120 → 833 full cycles × 20 + (100000 - 99960 = 40 → 0)
      age: { applicable: 100000, passed: 100000 - 833 * 20, failed: 833 * 20 },
      len: { applicable: 100000, passed: 100000, failed: 0 },
      st: { applicable: 100000, passed: 75000, failed: 25000 },
      // c6 fails: i % 7 = 6 → floor((100000 - 7) / 7) + 1 = 14285
      re: { applicable: 100000, passed: 100000 - 14285, failed: 14285 },
      sfz: { applicable: 100000, passed: 99000, failed: 1000 },
      // 2021-01-01 is day 7671 of 0..9999: 2329 days of every 10000 fail, ten times
      day: { applicable: 100000, passed: 100000 - 23290, failed: 23290 },
      ref: { applicable: 100000, passed: 80000, failed: 20000 },
      // newest day is 2000-01-01 + 9999 = 2027-05-19: in the future, so fresh
      fresh: { applicable: 1, passed: 1, failed: 0 },
      rows: { applicable: 1, passed: 1, failed: 0 },
    });
    const fr = await failingRows(c.engine, { parquetPath: big, schema, rules, limit: 5 });
    assert.equal(c.statements.length, 3); // a DESCRIBE of the file's columns, then one query
    assert.deepEqual(
      fr.map((r) => [r.row, r.rule]),
      [
        [2, 'nn'],
        [2, 'sfz'],
        [5, 'st'],
        [6, 'ref'],
        [8, 're'],
      ],
    );
  });
});
