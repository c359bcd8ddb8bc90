// The speculative typed build of a first CSV upload (speculate.ts) against the full inference over the same file:
// the same proposed schema and PII sample, the same version file, and a miss (a value after the first rows that
// breaks their prediction) detected so the caller falls back to the full profile.
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { buildVersion } from './build.ts';
import { DuckEngine, quoteLiteral } from './duckdb.ts';
import { directSource, type DirectSource } from './ingest/index.ts';
import { inferSchemaAndSample, type TableSchema } from './schema-infer.ts';
import { sameBuild, speculativeBuild } from './speculate.ts';
import { createRng, idNumber, mobile, personName } from '../privacy/synthetic.ts';
import { scratchEngine } from '../../../test/duck.ts';

let root: string;
let engine: DuckEngine;
let close: () => Promise<void>;
before(async () => ({ root, engine, close } = await scratchEngine('shuyuan-speculate-')));
after(() => close());

let seq = 0;
async function source(csv: string): Promise<DirectSource> {
  const file = path.join(root, `${++seq}.csv`);
  await fs.writeFile(file, csv);
  const d = await directSource(engine, { path: file, fileName: `${seq}.csv` });
  assert.ok(d);
  return d;
}

async function rowsOf(file: string): Promise<unknown[][]> {
  const con = await engine.connect();
  try {
    return (await con.runAndReadAll(`SELECT * FROM read_parquet(${quoteLiteral(file)})`)).getRowsJson() as unknown[][];
  } finally {
    con.closeSync();
  }
}

const SAMPLE = { sample: 200 };

/** Speculation and the full inference over one file: same schema, rows and sample; the file is the version. */
async function compare(csv: string): Promise<{ schema: TableSchema; used: boolean }> {
  const d = await source(csv);
  const opts = { ...SAMPLE, expectedRows: d.estimatedRows };
  const full = await inferSchemaAndSample(engine, d, opts);
  const out = path.join(root, `${seq}.speculative.parquet`);
  const spec = await speculativeBuild(engine, d, out, opts);
  assert.ok(spec, 'the first rows predict the types');
  assert.deepEqual(spec.inferred.schema, full.schema);
  assert.equal(spec.inferred.rows, full.rows);
  assert.deepEqual(spec.inferred.sample, full.sample);
  if (spec.file) {
    assert.equal(spec.file.rows, full.rows);
    const built = path.join(root, `${seq}.built.parquet`);
    await buildVersion(engine, d, full.schema, built);
    assert.deepEqual(await rowsOf(out), await rowsOf(built), 'the speculative file holds the version the build writes');
  } else {
    await assert.rejects(fs.stat(out), 'a file that is not the version is removed');
  }
  return { schema: full.schema, used: spec.file !== null };
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** Every type and text form the inference knows, with identifiers that must stay strings. */
function mixed(n: number): string {
  const rng = createRng(3);
  const lines = ['id,姓名,身份证号,手机,邮编,代码20,金额,数量,负数,是否有效,日期1,日期2,日期3,日期4,日期5,时间,时间2,类别,备注'];
  for (let i = 1; i <= n; i++) {
    const t = new Date(Date.UTC(2020, 0, 1) + i * 86400000);
    const [y, m, day] = [t.getUTCFullYear(), t.getUTCMonth() + 1, t.getUTCDate()];
    lines.push(
      [
        i,
        personName(rng),
        idNumber(rng),
        mobile(rng),
        i % 3 ? '012345' : '310000',
        '12345678901234567890',
        i === 2000 ? '-0.00' : ((i % 7 === 0 ? -1 : 1) * i * 1.25).toFixed(2),
        i % 50,
        i % 11 === 0 ? 0 : -i,
        i % 4 ? '是' : '否',
        `${y}-${pad(m)}-${pad(day)}`,
        `${y}/${m}/${day}`,
        `${y}年${m}月${day}日`,
        `${y}${pad(m)}${pad(day)}`,
        `${y}.${m}.${day}`,
        `${y}-${pad(m)}-${pad(day)} 08:${pad(i % 60)}:00`,
        `${y}年${m}月${day}日 ${i % 24}时${i % 60}分${(i * 7) % 60}秒`,
        ['A', 'B', 'C'][i % 3],
        i % 5 ? '' : `备注${i % 9}`,
      ].join(','),
    );
  }
  return lines.join('\n') + '\n';
}

test('one read: every type and format the inference knows, the same schema, PII sample and version file', async () => {
  const { schema, used } = await compare(mixed(3000));
  assert.ok(used, 'the speculative file is the version');
  const types = Object.fromEntries(schema.fields.map((f) => [f.name, f.format ? `${f.type}:${f.format}` : f.type]));
  assert.deepEqual(types, {
    id: 'integer',
    姓名: 'string',
    身份证号: 'string',
    手机: 'string',
    邮编: 'string',
    代码20: 'string',
    金额: 'number',
    数量: 'integer',
    负数: 'integer',
    是否有效: 'boolean',
    日期1: 'date:%Y-%m-%d',
    日期2: 'date:%Y/%m/%d',
    日期3: 'date:%Y年%m月%d日',
    日期4: 'date:%Y%m%d',
    日期5: 'date:%Y.%m.%d',
    时间: 'datetime:%Y-%m-%d %H:%M:%S',
    时间2: 'datetime:%Y年%m月%d日 %H时%M分%S秒',
    类别: 'string',
    备注: 'string',
  });
  assert.deepEqual(schema.primaryKey, ['id']);
});

test("a value past row 50,000 that breaks the first rows' prediction: speculation misses, the inference decides", async () => {
  const n = 60_000;
  const cases: { name: string; value: (i: number) => string; breakAt: number; breaks: string; type: string }[] = [
    { name: 'leading zero', value: (i) => String(i), breakAt: 50_001, breaks: '007', type: 'string' },
    { name: '18-digit ID', value: (i) => String(i), breakAt: 55_000, breaks: '110101199003071234', type: 'string' },
    { name: 'phone', value: (i) => String(i), breakAt: 59_999, breaks: '13800138000', type: 'string' },
    { name: 'other decimals', value: (i) => (i / 4).toFixed(2), breakAt: 52_000, breaks: '12.5', type: 'number' },
    { name: 'integer in a number column', value: (i) => (i / 4).toFixed(2), breakAt: 52_000, breaks: '12', type: 'number' },
    { name: 'other date format', value: (i) => `2024-01-${pad((i % 28) + 1)}`, breakAt: 51_000, breaks: '2024/1/5', type: 'string' },
    { name: 'unpadded month', value: (i) => `2024-01-${pad((i % 28) + 1)}`, breakAt: 51_000, breaks: '2024-1-05', type: 'date' },
    { name: 'padded Chinese date', value: (i) => `2024年1月${(i % 28) + 1}日`, breakAt: 51_000, breaks: '2024年01月05日', type: 'date' },
    { name: 'impossible ISO date', value: (i) => `2024-01-${pad((i % 28) + 1)}`, breakAt: 51_000, breaks: '2024-02-30', type: 'string' },
    { name: 'year before 1000', value: (i) => `2024-01-${pad((i % 28) + 1)}`, breakAt: 51_000, breaks: '0999-01-05', type: 'string' },
    { name: 'year 3000 in a datetime', value: () => '2024-01-05 10:00:00', breakAt: 51_000, breaks: '3000-01-05 10:00:00', type: 'string' },
    { name: 'compact date after 2199', value: () => '20240105', breakAt: 51_000, breaks: '22000105', type: 'integer' },
    {
      name: 'impossible Chinese date',
      value: (i) => `2024年1月${(i % 28) + 1}日`,
      breakAt: 51_000,
      breaks: '2024年2月30日',
      type: 'string',
    },
    { name: 'impossible compact date', value: () => '20240105', breakAt: 51_000, breaks: '20240230', type: 'integer' },
    { name: 'another boolean spelling', value: (i) => (i % 2 ? '是' : '否'), breakAt: 58_000, breaks: 'Y', type: 'boolean' },
    { name: 'text in an integer column', value: (i) => String(i), breakAt: 50_500, breaks: '无', type: 'string' },
    { name: 'negative zero', value: (i) => String(i), breakAt: 50_500, breaks: '-0', type: 'integer' },
    { name: 'a number with more decimals', value: (i) => (i / 4).toFixed(2), breakAt: 50_500, breaks: '0.125', type: 'number' },
    { name: 'spaces around a number', value: (i) => String(i), breakAt: 50_500, breaks: ' 12 ', type: 'integer' },
  ];
  for (const c of cases) {
    const lines = ['k,v'];
    for (let i = 1; i <= n; i++) lines.push(`k${i},${i === c.breakAt ? c.breaks : c.value(i)}`);
    const d = await source(lines.join('\n') + '\n');
    const out = path.join(root, `${seq}.speculative.parquet`);
    const spec = await speculativeBuild(engine, d, out, { ...SAMPLE, expectedRows: d.estimatedRows });
    assert.equal(spec, null, `${c.name}: the guarded COPY fails`);
    await assert.rejects(fs.stat(out), `${c.name}: nothing left`);
    assert.deepEqual(
      (await fs.readdir(root)).filter((f) => f.startsWith(`.${seq}.`)),
      [],
      `${c.name}: no temporary file`,
    );
    const full = await inferSchemaAndSample(engine, d, { ...SAMPLE, expectedRows: d.estimatedRows });
    assert.equal(full.schema.fields[1]!.type, c.type, c.name);
  }
});

test('a column empty in the first rows and typed by its later values: the schema stands, the file is dropped', async () => {
  const lines = ['编号,状态,备注'];
  for (let i = 0; i < 3000; i++) lines.push(`${i + 1},${['正常', '注销'][i % 2]},${i < 1200 ? '' : i}`);
  const { schema, used } = await compare(lines.join('\n') + '\n');
  assert.equal(used, false);
  assert.equal(schema.fields[2]!.type, 'integer');
});

test('text-only, people-like and header-only files', async () => {
  const rng = createRng(9);
  const people = ['姓名,身份证号,手机号,地址'];
  for (let i = 0; i < 5000; i++) people.push(`${personName(rng)},${idNumber(rng)},${mobile(rng)},示范市${i % 13}路${i}号`);
  assert.ok((await compare(people.join('\n') + '\n')).used);
  // Duplicate rows and no key: the sample is drawn by the hash of whole rows.
  const dup = ['a,b,c'];
  for (let i = 0; i < 4000; i++) dup.push(`${i % 10},${(i % 3) + 0.5},x${i % 7}`);
  assert.ok((await compare(dup.join('\n') + '\n')).used);
  // Only a header: nothing to speculate on.
  const d = await source('a,b\n');
  assert.equal(await speculativeBuild(engine, d, path.join(root, 'empty.parquet')), null);
});

test('sameBuild: only what changes the file counts', () => {
  const proposed: TableSchema = {
    fields: [
      { name: 'id', type: 'integer', constraints: { required: true } },
      { name: 'd', type: 'date', format: '%Y/%m/%d' },
      { name: 'b', type: 'boolean', trueValues: ['是'], falseValues: ['否'] },
    ],
  };
  const edit = (f: (s: TableSchema) => void) => {
    const s = structuredClone(proposed);
    f(s);
    return sameBuild(proposed, s);
  };
  assert.equal(
    edit((s) => {
      s.fields[0]!.title = '编号';
      s.fields[0]!.constraints = { unique: true };
      s.primaryKey = ['id'];
    }),
    true,
    'titles, keys, unique, a dropped required',
  );
  assert.equal(
    edit((s) => (s.fields[0]!.source = 'id')),
    true,
  );
  assert.equal(
    edit((s) => (s.fields[1]!.constraints = { required: true })),
    false,
    'a required field with empty values would fail the build',
  );
  assert.equal(
    edit((s) => (s.fields[0]!.name = '编号')),
    false,
    'renamed',
  );
  assert.equal(
    edit((s) => (s.fields[1]!.type = 'string')),
    false,
    'retyped',
  );
  assert.equal(
    edit((s) => (s.fields[1]!.format = '%Y-%m-%d')),
    false,
    'another format',
  );
  assert.equal(
    edit((s) => (s.fields[2]!.trueValues = ['是', 'Y'])),
    false,
    'other spellings',
  );
  assert.equal(
    edit((s) => s.fields.reverse()),
    false,
    'another order',
  );
});
