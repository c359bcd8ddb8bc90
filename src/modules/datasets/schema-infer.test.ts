// Schema inference over real staging files (CSV → stageFile → inferSchema), and the schema diff.
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { DuckEngine } from './duckdb.ts';
import { directSource, stageFile } from './ingest/index.ts';
import {
  candidateFor,
  diffSchema,
  formatRegex,
  inferSchema,
  inferSchemaAndSample,
  type SchemaField,
  type TableSchema,
} from './schema-infer.ts';
import { scratchEngine } from '../../../test/duck.ts';

let root: string;
let engine: DuckEngine;
let close: () => Promise<void>;
before(async () => ({ root, engine, close } = await scratchEngine('shuyuan-infer-')));
after(() => close());

let seq = 0;
async function stageCsv(csv: string): Promise<string> {
  const n = ++seq;
  const p = path.join(root, `${n}.csv`);
  await fs.writeFile(p, csv);
  const out = path.join(root, `${n}.parquet`);
  await stageFile(engine, { path: p, fileName: `${n}.csv` }, out);
  return out;
}

const byName = (s: TableSchema) => Object.fromEntries(s.fields.map((f) => [f.name, f])) as Record<string, SchemaField>;
const typeOf = (f: SchemaField | undefined) => (f?.format ? `${f.type}:${f.format}` : f?.type);

const HEADER = [
  'id',
  '身份证号',
  '旧身份证号',
  '手机',
  '邮编',
  '代码20',
  '金额',
  '数量',
  '是否有效',
  '日期1',
  '日期2',
  '日期3',
  '日期4',
  '日期5',
  '时间',
  '类别',
  '八位数',
  '空列',
  '稀疏',
  '迟到文字',
  '迟到小数',
  '统一代码',
];

function rows(n: number): string {
  const lines = [HEADER.join(',')];
  for (let i = 1; i <= n; i++) {
    const d = new Date(Date.UTC(2020, 0, 1) + i * 86400000);
    const [y, m, day] = [d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate()];
    const mm = String(m).padStart(2, '0');
    const dd = String(day).padStart(2, '0');
    lines.push(
      [
        i,
        i % 2 ? '11010119900307123X' : '110101199003071234',
        '110101900307123',
        `138${String(i).padStart(8, '0')}`,
        i % 3 ? '012345' : '310000',
        '12345678901234567890',
        (i * 1.25).toFixed(2),
        i % 50,
        i % 4 ? '是' : '否',
        `${y}-${mm}-${dd}`,
        `${y}/${m}/${day}`,
        `${y}年${m}月${day}日`,
        `${y}${mm}${dd}`,
        `${y}.${m}.${day}`,
        `${y}-${mm}-${dd} 08:${String(i % 60).padStart(2, '0')}:00`,
        ['A', 'B', 'C'][i % 3],
        i === 1100 ? '20240230' : '20240105',
        '',
        i === 1100 ? '42' : '',
        i === 1150 ? '无' : String(i),
        i === 1199 ? '3.5' : String(i),
        '91330100MA27XXXX1X',
      ].join(','),
    );
  }
  return lines.join('\n') + '\n';
}

test('types, formats, identifiers kept as strings, nullability, enum and key candidates, samples', async () => {
  const out = await stageCsv(rows(1200));
  const schema = await inferSchema(engine, out);
  const f = byName(schema);
  assert.deepEqual(
    schema.fields.map((x) => x.name),
    HEADER,
  );
  const types = Object.fromEntries(HEADER.map((h) => [h, typeOf(f[h])]));
  assert.deepEqual(types, {
    id: 'integer',
    身份证号: 'string',
    旧身份证号: 'string',
    手机: 'string',
    邮编: 'string',
    代码20: 'string',
    金额: 'number',
    数量: 'integer',
    是否有效: 'boolean',
    日期1: 'date:%Y-%m-%d',
    日期2: 'date:%Y/%m/%d',
    日期3: 'date:%Y年%m月%d日',
    日期4: 'date:%Y%m%d',
    日期5: 'date:%Y.%m.%d',
    时间: 'datetime:%Y-%m-%d %H:%M:%S',
    类别: 'string',
    八位数: 'integer',
    空列: 'string',
    稀疏: 'integer',
    迟到文字: 'string',
    迟到小数: 'number',
    统一代码: 'string',
  });
  assert.deepEqual(f['是否有效']!.trueValues, ['是']);
  assert.deepEqual(f['是否有效']!.falseValues, ['否']);
  // nullability
  assert.deepEqual(f.id!.constraints, { required: true });
  assert.equal(f['空列']!.constraints, undefined);
  assert.equal(f['空列']!['x-shuyuan']!.nullCount, 1200);
  assert.equal(f['稀疏']!['x-shuyuan']!.nullCount, 1199);
  assert.deepEqual(f['稀疏']!['x-shuyuan']!.sample, ['42']);
  // enum candidates: few distinct values, repeated
  assert.equal(f['类别']!['x-shuyuan']!.enumCandidate, true);
  assert.deepEqual(f['类别']!['x-shuyuan']!.enumValues, ['A', 'B', 'C']);
  assert.equal(f.id!['x-shuyuan']!.enumCandidate, false);
  // key candidates: unique, no empty value
  assert.equal(f.id!['x-shuyuan']!.keyCandidate, true);
  assert.equal(f['手机']!['x-shuyuan']!.keyCandidate, true);
  assert.equal(f['数量']!['x-shuyuan']!.keyCandidate, false);
  assert.deepEqual(schema.primaryKey, ['id']);
  assert.equal(f.id!['x-shuyuan']!.distinct, 1200);
  assert.deepEqual(f['身份证号']!['x-shuyuan']!.sample, ['11010119900307123X', '110101199003071234']);
  assert.equal(f['身份证号']!['x-shuyuan']!.maxLength, 18);
});

test('a column is typed only when every value parses: one bad value anywhere makes it a string', async () => {
  const lines = ['n,d,b'];
  for (let i = 0; i < 3000; i++) lines.push(`${i},2024-01-${String((i % 28) + 1).padStart(2, '0')},${i % 2 ? 'Y' : 'N'}`);
  lines.push('x,2024-02-30,maybe');
  const s = byName(await inferSchema(engine, await stageCsv(lines.join('\n') + '\n')));
  assert.equal(s.n!.type, 'string');
  assert.equal(s.d!.type, 'string');
  assert.equal(s.b!.type, 'string');
  // without the last line they are typed
  const ok = byName(await inferSchema(engine, await stageCsv(lines.slice(0, -1).join('\n') + '\n')));
  assert.deepEqual([ok.n!.type, typeOf(ok.d), ok.b!.type], ['integer', 'date:%Y-%m-%d', 'boolean']);
  assert.deepEqual([ok.b!.trueValues, ok.b!.falseValues], [['Y'], ['N']]);
});

test('long digit strings, leading zeros and mixed date formats stay strings; blanks count as empty', async () => {
  const csv = 'a,b,c,d,e\n' + '9999999999999999,0.5,2024-01-05, 7 ,1234567890123.5\n' + '1,00.5,2024/1/6,  ,1.25\n';
  const s = byName(await inferSchema(engine, await stageCsv(csv)));
  assert.deepEqual(
    ['a', 'b', 'c', 'd', 'e'].map((k) => s[k]!.type),
    ['string', 'string', 'string', 'integer', 'number'],
  );
  assert.equal(s.d!['x-shuyuan']!.nullCount, 1);
  // 16 significant digits would not survive a double
  const t = byName(await inferSchema(engine, await stageCsv('x\n1234567890123.456\n')));
  assert.equal(t.x!.type, 'string');
});

test('read in place (a UTF-8 CSV) the schema is the staged one; enums from one pass, in byte order; a uniform sample', async () => {
  // 状态: 4 values in byte order of their UTF-8 text. 街道: 3 values in the first 1000 rows, 2000 in all (no enum).
  // 编号: unique (a key). 备注: empty in the first 1200 rows, integers after (its candidate from its first values).
  const states = ['正常', '注销', '已办结', 'A'];
  const lines = ['编号,状态,街道,备注'];
  for (let i = 0; i < 3000; i++) lines.push(`${i + 1},${states[i % 4]},${i < 1000 ? `街${i % 3}` : `路${i}`},${i < 1200 ? '' : i}`);
  const file = path.join(root, 'direct.csv');
  await fs.writeFile(file, lines.join('\n') + '\n');
  const staged = await inferSchema(engine, await stageCsv(lines.join('\n') + '\n'));
  const direct = await directSource(engine, { path: file, fileName: 'direct.csv' });
  assert.ok(direct);
  const r = await inferSchemaAndSample(engine, direct, { sample: 100, expectedRows: direct.estimatedRows });
  assert.deepEqual(r.schema, staged);
  assert.equal(r.rows, 3000);
  const f = byName(r.schema);
  assert.deepEqual(f['状态']!['x-shuyuan']!.enumValues, ['A', '已办结', '正常', '注销']);
  assert.equal(f['街道']!['x-shuyuan']!.enumCandidate, false);
  assert.deepEqual(r.schema.primaryKey, ['编号']);
  assert.equal(f['备注']!.type, 'integer');
  // 100 rows, spread over the file, the same each time
  assert.equal(r.sample.length, 100);
  assert.ok(r.sample.some((row) => Number(row[0]) > 2000) && r.sample.some((row) => Number(row[0]) <= 1000));
  const again = await inferSchemaAndSample(engine, direct, { sample: 100, expectedRows: direct.estimatedRows });
  assert.deepEqual(again.sample, r.sample);
});

test('an empty table and a header-only table', async () => {
  const s = await inferSchema(engine, await stageCsv('a,b\n'));
  assert.deepEqual(
    s.fields.map((f) => [f.name, f.type, f['x-shuyuan']!.nullCount]),
    [
      ['a', 'string', 0],
      ['b', 'string', 0],
    ],
  );
  assert.equal(s.primaryKey, undefined);
});

test('candidateFor and formatRegex', () => {
  assert.deepEqual(candidateFor(['是', '否', 'Y']), { type: 'boolean' });
  assert.deepEqual(candidateFor(['20240105', '20231231']), { type: 'compact' });
  assert.deepEqual(candidateFor(['1', '-2', '0']), { type: 'integer' });
  assert.deepEqual(candidateFor(['1', '2.5']), { type: 'number' });
  assert.deepEqual(candidateFor(['13800138000']), null);
  assert.deepEqual(candidateFor(['007']), null);
  assert.deepEqual(candidateFor(['2024年1月5日', '2024年12月31日']), { type: 'date', format: '%Y年%m月%d日' });
  assert.deepEqual(candidateFor(['2024-01-05 08:00', '2024-01-05 23:59']), { type: 'datetime', format: '%Y-%m-%d %H:%M' });
  assert.deepEqual(candidateFor(['', '  ']), null);
  assert.equal(formatRegex('%Y%m%d'), '[0-9]{4}[0-9]{2}[0-9]{2}');
  assert.equal(formatRegex('%Y/%m/%d'), '[0-9]{4}/[0-9]{1,2}/[0-9]{1,2}');
  assert.equal(formatRegex('%Y.%m.%d'), '[0-9]{4}\\.[0-9]{1,2}\\.[0-9]{1,2}');
  assert.equal(formatRegex('%Q'), null);
});

test('diffSchema: added, removed, retyped, renamed and newly empty fields, matched by source column', () => {
  const a: TableSchema = {
    fields: [
      { name: 'id', type: 'integer', constraints: { required: true } },
      { name: '日期', type: 'date', format: '%Y/%m/%d' },
      { name: '旧列', type: 'string' },
      { name: '名称', type: 'string', source: 'name' },
    ],
  };
  const b: TableSchema = {
    fields: [
      { name: 'id', type: 'integer' },
      { name: '日期', type: 'string' },
      { name: '企业名称', type: 'string', source: 'name' },
      { name: '新列', type: 'number' },
    ],
  };
  assert.deepEqual(diffSchema(a, b), {
    changed: true,
    added: ['新列'],
    removed: ['旧列'],
    retyped: [{ name: '日期', from: 'date(%Y/%m/%d)', to: 'string' }],
    renamed: [{ from: '名称', to: '企业名称' }],
    constraints: [{ name: 'id', what: 'required' }],
  });
  assert.equal(diffSchema(a, a).changed, false);
  // a confirmed schema (renamed fields carry their source) against a fresh inference of the same file: no change
  const inferred: TableSchema = { fields: [{ name: 'name', type: 'string' }] };
  assert.equal(diffSchema({ fields: [{ name: '企业名称', type: 'string', source: 'name' }] }, inferred).changed, false);
});
