import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { AppError } from '../../errors.ts';
import { MESSAGES, translate } from '../../i18n/messages.ts';
import { PORTAL_MESSAGES } from './messages.ts';
import {
  compileSoql,
  likeEscape,
  SOQL_DEFAULT_LIMIT,
  SOQL_MAX_DEPTH,
  SOQL_MAX_IN,
  SOQL_MAX_LIMIT,
  SOQL_MAX_QUERY_CHARS,
  type SoqlColumn,
  type SoqlParams,
} from './soql.ts';

// ------------------------------------------------------------------------------------------ fixture

const CITIES = ['北京', '上海', '广州', '深圳'];
const KINDS = ['科技', '贸易', '数据'];
const N = 300;

interface Row {
  企业名称: string;
  城市: string;
  amount: number;
  员工数: number | null;
  成立日期: string;
  更新时间: string;
  启用: boolean;
  '注册 地址': string;
}

function dateAdd(base: string, days: number): string {
  const d = new Date(`${base}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

const ROWS: Row[] = Array.from({ length: N }, (_, i) => {
  const city = CITIES[i % 4]!;
  let name = `${city}${KINDS[i % 3]}有限公司${i}`;
  if (i === 7) name = "'; DROP TABLE t; --";
  if (i === 8) name = "O'Brien 公司";
  if (i === 9) name = '100%_达标';
  if (i === 10) name = 'Alpha 数据';
  const h = new Date(Date.UTC(2024, 0, 1) + i * 3600_000 * 7);
  return {
    企业名称: name,
    城市: city,
    amount: ((i * 37) % 1000) / 10,
    员工数: i % 25 === 0 ? null : i % 50,
    成立日期: dateAdd('2015-01-01', i * 10),
    更新时间: h.toISOString().slice(0, 19).replace('T', ' '),
    启用: i % 3 === 0,
    '注册 地址': `${city}市第${i}路`,
  };
});

const COLUMNS: SoqlColumn[] = [
  { name: '企业名称', type: 'text' },
  { name: '城市', type: 'text' },
  { name: 'amount', type: 'number' },
  { name: '员工数', type: 'integer' },
  { name: '成立日期', type: 'date' },
  { name: '更新时间', type: 'timestamp' },
  { name: '启用', type: 'boolean' },
  { name: '注册 地址', type: 'text' },
];

let instance: DuckDBInstance;
let con: DuckDBConnection;

before(async () => {
  instance = await DuckDBInstance.create(':memory:');
  con = await instance.connect();
  await con.run(
    'CREATE TABLE t ("企业名称" VARCHAR, "城市" VARCHAR, amount DOUBLE, "员工数" BIGINT, "成立日期" DATE, "更新时间" TIMESTAMP, "启用" BOOLEAN, "注册 地址" VARCHAR)',
  );
  // A second table: a query on t must never reach it.
  await con.run('CREATE TABLE secret (token VARCHAR)');
  await con.run("INSERT INTO secret VALUES ('top-secret')");
  const stmt = await con.prepare('INSERT INTO t VALUES ($1, $2, $3, $4, CAST($5 AS DATE), CAST($6 AS TIMESTAMP), $7, $8)');
  for (const r of ROWS) {
    stmt.bind([r.企业名称, r.城市, r.amount, r.员工数 === null ? null : BigInt(r.员工数), r.成立日期, r.更新时间, r.启用, r['注册 地址']]);
    await stmt.run();
  }
  stmt.destroySync();
});

after(() => {
  con.closeSync();
  instance.closeSync();
});

function compile(p: SoqlParams, extra: { tieBreaker?: string[] } = {}) {
  return compileSoql(p, { from: 't', columns: COLUMNS, ...extra });
}

async function run(p: SoqlParams): Promise<Record<string, unknown>[]> {
  const c = compile(p);
  const r = await con.runAndReadAll(c.sql, c.params);
  assert.deepEqual(
    r.columnNames(),
    c.columns.map((x) => x.name),
  );
  return r.getRowObjectsJson() as Record<string, unknown>[];
}

async function names(where: string): Promise<string[]> {
  const rows = await run({ $select: '企业名称', $where: where, $limit: SOQL_MAX_LIMIT });
  return rows.map((r) => r.企业名称 as string).sort();
}

function expected(pred: (r: Row) => boolean): string[] {
  return ROWS.filter(pred)
    .map((r) => r.企业名称)
    .sort();
}

/** Asserts an AppError 400 with the code and (a subset of) details, whose messages fill in both languages. */
function expectError(p: SoqlParams, code: string, details: Record<string, unknown>): AppError {
  let err: unknown;
  try {
    compile(p);
  } catch (e) {
    err = e;
  }
  assert.ok(err instanceof AppError, `expected ${code}, got ${err === undefined ? 'no error' : String(err)}`);
  assert.equal(err.status, 400);
  assert.equal(err.code, code, JSON.stringify(err.details));
  const d = err.details as Record<string, unknown>;
  for (const [k, v] of Object.entries(details)) assert.deepEqual(d[k], v, `details.${k} of ${JSON.stringify(d)}`);
  for (const lang of ['zh-CN', 'en'] as const) {
    const template = MESSAGES[code]![lang];
    for (const [, k] of template.matchAll(/\{(\w+)\}/g)) assert.notEqual(err.params[k!], undefined, `${code} ${lang}: {${k}}`);
    assert.ok(translate(code, lang, err.params).length > 0);
  }
  return err;
}

// ------------------------------------------------------------------------------------------ parser and compiler

describe('parser and compiler', () => {
  test('precedence: OR < AND < NOT < comparison < + - < * / % < unary minus', () => {
    const w = (s: string) => compile({ $where: s }).sql.replace(/^.* WHERE (.*) LIMIT .*$/, '$1');
    assert.equal(
      w("城市 = '北京' OR 城市 = '上海' AND 员工数 > 1"),
      '(("城市" = CAST($1 AS VARCHAR)) OR (("城市" = CAST($2 AS VARCHAR)) AND ("员工数" > CAST($3 AS BIGINT))))',
    );
    assert.equal(w('NOT 员工数 = 1 AND 启用'), '((NOT ("员工数" = CAST($1 AS BIGINT))) AND "启用")');
    assert.equal(w('员工数 + 2 * 3 > 1'), '(("员工数" + (CAST($1 AS BIGINT) * CAST($2 AS BIGINT))) > CAST($3 AS BIGINT))');
    assert.equal(w('-员工数 * 2 % 3 = 1'), '((((- "员工数") * CAST($1 AS BIGINT)) % CAST($2 AS BIGINT)) = CAST($3 AS BIGINT))');
    assert.equal(w('(员工数 + 2) * 3 > 1'), '((("员工数" + CAST($1 AS BIGINT)) * CAST($2 AS BIGINT)) > CAST($3 AS BIGINT))');
    assert.equal(w('员工数 - 1 - 2 = 0'), '((("员工数" - CAST($1 AS BIGINT)) - CAST($2 AS BIGINT)) = CAST($3 AS BIGINT))');
    assert.equal(w('NOT NOT 启用'), '(NOT (NOT "启用"))');
  });

  test('literals are bound parameters in $n order, with their types', () => {
    const c = compile({ $where: "城市 = '北京' AND amount > 1.5 AND 员工数 < 40 AND 启用 = true AND 成立日期 >= '2016-02-29'" });
    assert.deepEqual(c.params.slice(0, 5), ['北京', 1.5, 40n, true, '2016-02-29']);
    assert.match(c.sql, /CAST\(\$5 AS DATE\)/);
    assert.deepEqual(c.params.slice(5), [BigInt(SOQL_DEFAULT_LIMIT), 0n]);
    // leadingParams keep $1 for the caller's FROM.
    const lead = compileSoql({ $where: "城市 = '北京'" }, { from: 'read_parquet($1)', columns: COLUMNS, leadingParams: ['/x.parquet'] });
    assert.deepEqual(lead.params, ['/x.parquet', '北京', 1000n, 0n]);
    assert.match(lead.sql, /FROM read_parquet\(\$1\) WHERE \("城市" = CAST\(\$2 AS VARCHAR\)\)/);
  });

  test('Chinese names bare, backquoted names with spaces, aliases and result columns', () => {
    const c = compile({ $select: '企业名称, `注册 地址` AS 地址, upper(城市), length(`企业名称`) AS `名称 长度`, 员工数 * 2' });
    assert.deepEqual(c.columns, [
      { name: '企业名称', type: 'text' },
      { name: '地址', type: 'text' },
      { name: 'upper_城市', type: 'text' },
      { name: '名称 长度', type: 'integer' },
      { name: '_5', type: 'integer' },
    ]);
    assert.deepEqual(compile({}).columns, COLUMNS);
    // A generated name gives way to an explicit alias.
    assert.deepEqual(
      compile({ $select: '城市, 员工数 AS 城市' }).columns.map((x) => x.name),
      ['城市_2', '城市'],
    );
  });

  test('ASC, DESC, NULLS, FIRST, LAST are column names outside $order; other keywords need backquotes', () => {
    const cols: SoqlColumn[] = [
      { name: 'desc', type: 'text' },
      { name: 'first', type: 'integer' },
      { name: 'order', type: 'text' },
    ];
    const c = compileSoql(
      { $select: 'desc, first, `order`', $where: "`order` = 'x' AND first > 1", $order: 'desc desc, first nulls last' },
      { from: 't', columns: cols },
    );
    assert.match(c.sql, /ORDER BY "desc" DESC, "first" ASC NULLS LAST/);
    assert.deepEqual(
      c.columns.map((x) => x.name),
      ['desc', 'first', 'order'],
    );
    assert.throws(
      () => compileSoql({ $select: 'order' }, { from: 't', columns: cols }),
      (e: AppError) => e.code === 'SOQL_SYNTAX' && (e.details as { reason: string }).reason === 'expected_expression',
    );
  });

  test('$query is the same statement as the parameters', () => {
    const a = compile({
      $select: '城市, count(*) AS n, sum(员工数) AS s',
      $where: "amount > 10 AND 企业名称 LIKE '%公司%'",
      $group: '城市',
      $having: 'count(*) > 2',
      $order: 'n DESC, 城市',
      $limit: '3',
      $offset: '1',
      $q: '有限',
    });
    const b = compile({
      $query:
        "select 城市, count(*) as n, sum(员工数) as s where amount > 10 and 企业名称 like '%公司%' group by 城市 having count(*) > 2 order by n desc, 城市 limit 3 offset 1",
      $q: '有限',
    });
    assert.deepEqual(b, a);
    assert.equal(a.limit, 3);
    assert.equal(a.offset, 1);
    assert.equal(a.aggregated, true);
  });

  test('$q escapes % _ and \\ and binds one pattern', () => {
    assert.equal(likeEscape('100%_a\\b'), '100\\%\\_a\\\\b');
    const c = compile({ $q: '50%' });
    assert.deepEqual(c.params, ['%50\\%%', 1000n, 0n]);
    assert.equal((c.sql.match(/ILIKE CAST\(\$1 AS VARCHAR\) ESCAPE/g) ?? []).length, 3); // the three text columns
  });

  test('tieBreaker orders plain queries only', () => {
    assert.match(compile({}, { tieBreaker: ['_row'] }).sql, /ORDER BY "_row" ASC/);
    assert.match(
      compile({ $order: '城市 DESC NULLS FIRST' }, { tieBreaker: ['_row'] }).sql,
      /ORDER BY "城市" DESC NULLS FIRST, "_row" ASC/,
    );
    assert.doesNotMatch(compile({ $select: 'count(*)' }, { tieBreaker: ['_row'] }).sql, /ORDER BY/);
  });
});

// ------------------------------------------------------------------------------------------ executed on DuckDB

describe('executed on DuckDB', () => {
  const gt = (v: number | null, x: number) => v !== null && v > x;
  const cases: [string, (r: Row) => boolean][] = [
    ["城市 = '深圳'", (r) => r.城市 === '深圳'],
    ["城市 != '深圳'", (r) => r.城市 !== '深圳'],
    ["城市 <> '深圳'", (r) => r.城市 !== '深圳'],
    ['员工数 < 10', (r) => r.员工数 !== null && r.员工数 < 10],
    ['员工数 <= 10', (r) => r.员工数 !== null && r.员工数 <= 10],
    ['员工数 > 40', (r) => gt(r.员工数, 40)],
    ['员工数 >= 40', (r) => r.员工数 !== null && r.员工数 >= 40],
    ['员工数 IN (1, 2, 3)', (r) => [1, 2, 3].includes(r.员工数 ?? -1)],
    ['员工数 NOT IN (1, 2, 3)', (r) => r.员工数 !== null && ![1, 2, 3].includes(r.员工数)],
    ['amount BETWEEN 10 AND 20.5', (r) => r.amount >= 10 && r.amount <= 20.5],
    ['amount NOT BETWEEN 10 AND 90', (r) => r.amount < 10 || r.amount > 90],
    ["企业名称 LIKE '北京%'", (r) => r.企业名称.startsWith('北京')],
    ["企业名称 NOT LIKE '%公司%'", (r) => !r.企业名称.includes('公司')],
    ['员工数 IS NULL', (r) => r.员工数 === null],
    ['员工数 IS NOT NULL', (r) => r.员工数 !== null],
    ['员工数 + 10 > 50', (r) => gt(r.员工数, 40)],
    ['员工数 - 10 > 30', (r) => gt(r.员工数, 40)],
    ['员工数 * 2 > 80', (r) => gt(r.员工数, 40)],
    ['员工数 / 2 > 20', (r) => gt(r.员工数, 40)],
    ['员工数 % 7 = 0', (r) => r.员工数 !== null && r.员工数 % 7 === 0],
    ['-员工数 < -40', (r) => gt(r.员工数, 40)],
    ["城市 = '北京' OR 城市 = '上海' AND 员工数 > 40", (r) => r.城市 === '北京' || (r.城市 === '上海' && gt(r.员工数, 40))],
    ["(城市 = '北京' OR 城市 = '上海') AND 员工数 > 40", (r) => (r.城市 === '北京' || r.城市 === '上海') && gt(r.员工数, 40)],
    ["NOT 城市 = '北京' AND amount > 50", (r) => r.城市 !== '北京' && r.amount > 50],
    ['启用', (r) => r.启用],
    ['启用 = false', (r) => !r.启用],
    ["启用 = 'true'", (r) => r.启用],
    ["成立日期 >= '2020-01-01' AND 成立日期 < '2021-01-01'", (r) => r.成立日期 >= '2020-01-01' && r.成立日期 < '2021-01-01'],
    ["成立日期 BETWEEN '2016-01-01' AND '2016-12-31'", (r) => r.成立日期 >= '2016-01-01' && r.成立日期 <= '2016-12-31'],
    ["更新时间 > '2024-03-01T12:00:00'", (r) => r.更新时间 > '2024-03-01 12:00:00'],
    ["员工数 > '45'", (r) => gt(r.员工数, 45)],
    ["成立日期 < '2015-03-01T12:00:00'", (r) => r.成立日期 <= '2015-03-01'],
    ["`注册 地址` = '广州市第2路'", (r) => r['注册 地址'] === '广州市第2路'],
    ["upper(企业名称) = 'ALPHA 数据'", (r) => r.企业名称 === 'Alpha 数据'],
    ["lower(企业名称) LIKE 'alpha%'", (r) => r.企业名称 === 'Alpha 数据'],
    ['length(企业名称) < 9', (r) => [...r.企业名称].length < 9],
    ["date_trunc_y(成立日期) = '2016-01-01'", (r) => r.成立日期.startsWith('2016')],
    ["date_trunc_ym(更新时间) = '2024-02-01'", (r) => r.更新时间.startsWith('2024-02')],
    ["date_trunc_ymd(更新时间) = '2024-01-02'", (r) => r.更新时间.startsWith('2024-01-02')],
    ['1=1 OR true', () => true],
    ['员工数 = null', () => false],
  ];
  for (const [where, pred] of cases) {
    test(`$where ${where}`, async () => {
      const want = expected(pred);
      assert.deepEqual(await names(where), want);
    });
  }

  test('an OR chain of 200 terms and an IN list of 1000 run', async () => {
    const or = Array.from({ length: 200 }, (_, i) => `员工数 = ${i}`).join(' OR ');
    assert.deepEqual(
      await names(or),
      expected((r) => r.员工数 !== null),
    );
    const list = Array.from({ length: SOQL_MAX_IN }, (_, i) => (i % 45) + 5).join(',');
    assert.deepEqual(
      await names(`员工数 IN (${list})`),
      expected((r) => r.员工数 !== null && r.员工数 >= 5 && r.员工数 < 50),
    );
  });

  test('select with aliases, order, limit and offset', async () => {
    const rows = await run({
      $select: '企业名称 AS 名称, 员工数, amount * 2 AS 双倍',
      $where: '员工数 IS NOT NULL',
      $order: '员工数 DESC, 企业名称',
      $limit: 5,
      $offset: 2,
    });
    const want = ROWS.filter((r) => r.员工数 !== null)
      .sort((a, b) => b.员工数! - a.员工数! || (a.企业名称 < b.企业名称 ? -1 : a.企业名称 > b.企业名称 ? 1 : 0))
      .slice(2, 7)
      .map((r) => ({ 名称: r.企业名称, 员工数: String(r.员工数), 双倍: r.amount * 2 }));
    assert.deepEqual(rows, want);
    assert.equal((await run({})).length, N); // default limit 1000 > 300
    assert.equal((await run({ $limit: '0' })).length, 0);
  });

  test('aggregates with $group, $having and $order', async () => {
    const rows = await run({
      $select: '城市, count(*) AS n, count(员工数) AS m, sum(员工数) AS s, avg(amount) AS a, min(成立日期) AS first, max(企业名称)',
      $group: '城市',
      $having: "count(*) > 10 AND 城市 != '上海'",
      $order: '城市',
    });
    const want = CITIES.filter((c) => c !== '上海')
      .sort()
      .map((city) => {
        const rs = ROWS.filter((r) => r.城市 === city);
        const ns = rs.map((r) => r.员工数).filter((x): x is number => x !== null);
        return {
          城市: city,
          n: String(rs.length),
          m: String(ns.length),
          s: String(ns.reduce((a, b) => a + b, 0)),
          a: rs.reduce((a, r) => a + r.amount, 0) / rs.length,
          first: rs.map((r) => r.成立日期).sort()[0],
          max_企业名称: rs.map((r) => r.企业名称).sort((x, y) => (x < y ? 1 : x > y ? -1 : 0))[0],
        };
      });
    assert.equal(rows.length, 3);
    for (const [i, r] of rows.entries()) {
      const w = want[i]!;
      assert.equal(r.城市, w.城市);
      assert.equal(r.n, w.n);
      assert.equal(r.m, w.m);
      assert.equal(r.s, w.s);
      assert.ok(Math.abs((r.a as number) - w.a) < 1e-9);
      assert.equal(r.first, w.first);
      assert.equal(r.max_企业名称, w.max_企业名称);
    }
    const whole = await run({ $select: 'count(*) AS n, sum(amount) AS total', $where: '启用' });
    assert.equal(whole.length, 1);
    assert.equal(whole[0]!.n, String(ROWS.filter((r) => r.启用).length));
  });

  test('date_trunc_* groups by year, month and day', async () => {
    const years = await run({ $select: 'date_trunc_y(成立日期) AS 年, count(*) AS n', $group: '年', $order: '年' });
    const byYear = new Map<string, number>();
    for (const r of ROWS) byYear.set(`${r.成立日期.slice(0, 4)}-01-01`, (byYear.get(`${r.成立日期.slice(0, 4)}-01-01`) ?? 0) + 1);
    assert.deepEqual(
      years,
      [...byYear].sort().map(([y, n]) => ({ 年: y, n: String(n) })),
    );
    const c = compile({ $select: 'date_trunc_ym(更新时间) AS 月, count(*) AS n', $group: 'date_trunc_ym(更新时间)', $order: '月 DESC' });
    assert.deepEqual(c.columns, [
      { name: '月', type: 'timestamp' },
      { name: 'n', type: 'integer' },
    ]);
    const months = await run({
      $select: 'date_trunc_ym(更新时间) AS 月, count(*) AS n',
      $group: 'date_trunc_ym(更新时间)',
      $order: '月 DESC',
    });
    const byMonth = new Map<string, number>();
    for (const r of ROWS)
      byMonth.set(`${r.更新时间.slice(0, 7)}-01 00:00:00`, (byMonth.get(`${r.更新时间.slice(0, 7)}-01 00:00:00`) ?? 0) + 1);
    assert.deepEqual(
      months,
      [...byMonth]
        .sort()
        .reverse()
        .map(([m, n]) => ({ 月: m, n: String(n) })),
    );
    const days = await run({ $select: 'date_trunc_ymd(更新时间) AS d, count(*) AS n', $group: 'd', $having: 'count(*) > 3' });
    const byDay = new Map<string, number>();
    for (const r of ROWS) byDay.set(`${r.更新时间.slice(0, 10)} 00:00:00`, (byDay.get(`${r.更新时间.slice(0, 10)} 00:00:00`) ?? 0) + 1);
    assert.deepEqual(
      days.map((d) => `${String(d.d)}=${String(d.n)}`).sort(),
      [...byDay]
        .filter(([, n]) => n > 3)
        .map(([d, n]) => `${d}=${n}`)
        .sort(),
    );
    assert.ok(days.length > 0);
  });

  test('grouped expression with a literal is recognized in $select', async () => {
    const rows = await run({
      $select: '员工数 % 2 AS parity, count(*) AS n',
      $where: '员工数 IS NOT NULL',
      $group: '员工数 % 2',
      $order: 'parity',
    });
    const odd = ROWS.filter((r) => r.员工数 !== null && r.员工数 % 2 === 1).length;
    const even = ROWS.filter((r) => r.员工数 !== null && r.员工数 % 2 === 0).length;
    assert.deepEqual(rows, [
      { parity: '0', n: String(even) },
      { parity: '1', n: String(odd) },
    ]);
  });

  test('$q: case-insensitive substring over text columns, % and _ are literal', async () => {
    const q = async (s: string) => (await run({ $select: '企业名称', $q: s })).map((r) => r.企业名称).sort();
    assert.deepEqual(await q('alpha'), ['Alpha 数据']);
    assert.deepEqual(await q('%'), ['100%_达标']);
    assert.deepEqual(await q('_'), ['100%_达标']);
    assert.deepEqual(
      await q('第12路'),
      expected((r) => r['注册 地址'].includes('第12路')),
    );
    assert.deepEqual(
      await q('深圳'),
      expected((r) => r.城市 === '深圳' || r.企业名称.includes('深圳')),
    );
    // $q with $where: both hold.
    const rows = await run({ $select: '企业名称', $q: '北京', $where: '员工数 > 40' });
    assert.deepEqual(
      rows.map((r) => r.企业名称).sort(),
      expected((r) => r.城市 === '北京' && gt(r.员工数, 40)),
    );
  });

  test('$query runs like the parameters', async () => {
    const a = await run({ $query: "SELECT 城市, count(*) AS n WHERE 成立日期 < '2018-01-01' GROUP BY 城市 ORDER BY 城市 LIMIT 2" });
    const b = await run({ $select: '城市, count(*) AS n', $where: "成立日期 < '2018-01-01'", $group: '城市', $order: '城市', $limit: '2' });
    assert.deepEqual(a, b);
    assert.equal(a.length, 2);
  });
});

// ------------------------------------------------------------------------------------------ attacks and errors

describe('attacks', () => {
  test('SQL in a literal is data: matched as a value, never executed', async () => {
    assert.deepEqual(await names("企业名称 = '''; DROP TABLE t; --'"), ["'; DROP TABLE t; --"]);
    assert.deepEqual(await names("企业名称 = 'x'' OR 1=1 --'"), []);
    assert.deepEqual(await names("企业名称 = 'O''Brien 公司'"), ["O'Brien 公司"]);
    assert.deepEqual(await names("企业名称 IN ('O''Brien 公司', '100%_达标')"), ['100%_达标', "O'Brien 公司"]);
    assert.equal((await run({ $q: "'; DROP TABLE t; --" })).length, 1);
    const count = await con.runAndReadAll('SELECT count(*) AS n FROM t');
    assert.equal(count.getRowObjectsJson()[0]!.n, String(N));
  });

  test("'; DROP TABLE x; -- and other statement tricks are syntax errors with positions", () => {
    expectError({ $where: "'; DROP TABLE x; --" }, 'SOQL_SYNTAX', { param: '$where', position: 0, reason: 'unterminated_string' });
    expectError({ $where: "城市 = '北京'; DROP TABLE t; --" }, 'SOQL_SYNTAX', {
      param: '$where',
      position: 9,
      near: ';',
      reason: 'semicolon',
    });
    expectError({ $where: "城市 = '北京' -- comment" }, 'SOQL_SYNTAX', { position: 10, near: '--', reason: 'comment' });
    expectError({ $where: '城市 /* x */ IS NULL' }, 'SOQL_SYNTAX', { position: 3, reason: 'comment' });
    expectError({ $select: '城市; SELECT 1' }, 'SOQL_SYNTAX', { param: '$select', position: 2, reason: 'semicolon' });
  });

  test('files and functions outside the allow-list', () => {
    expectError({ $where: "read_csv('/etc/passwd') IS NOT NULL" }, 'SOQL_UNKNOWN_FUNCTION', {
      param: '$where',
      position: 0,
      function: 'read_csv',
    });
    expectError({ $select: "城市, read_parquet('/data/other.parquet')" }, 'SOQL_UNKNOWN_FUNCTION', {
      position: 4,
      function: 'read_parquet',
    });
    expectError({ $select: "concat(城市, 'x')" }, 'SOQL_UNKNOWN_FUNCTION', { position: 0, function: 'concat' });
    expectError({ $where: 'version() IS NULL' }, 'SOQL_UNKNOWN_FUNCTION', { function: 'version' });
    expectError({ $order: 'random()' }, 'SOQL_UNKNOWN_FUNCTION', { param: '$order', function: 'random' });
    expectError({ $where: "'/etc/passwd' = 城市 OR read_text('/etc/passwd') = 'x'" }, 'SOQL_UNKNOWN_FUNCTION', {
      position: 22,
      function: 'read_text',
    });
  });

  test('subqueries, FROM and other tables or datasets', () => {
    expectError({ $where: '(SELECT token FROM secret) IS NOT NULL' }, 'SOQL_SYNTAX', { position: 1, near: 'SELECT', reason: 'subquery' });
    expectError({ $where: '企业名称 IN (SELECT token FROM secret)' }, 'SOQL_SYNTAX', { position: 9, reason: 'subquery' });
    expectError({ $query: 'SELECT * FROM secret' }, 'SOQL_SYNTAX', { param: '$query', position: 9, near: 'FROM', reason: 'from' });
    expectError({ $query: 'SELECT token FROM secret' }, 'SOQL_SYNTAX', { position: 13, reason: 'from' });
    expectError({ $query: 'SELECT token' }, 'SOQL_UNKNOWN_COLUMN', { param: '$query', column: 'token', position: 7 });
    expectError({ $where: 'secret.token IS NOT NULL' }, 'SOQL_SYNTAX', { position: 6, reason: 'qualified' });
    expectError({ $where: '`other-dataset`.`身份证号` = 1' }, 'SOQL_SYNTAX', { position: 15, reason: 'qualified' });
    expectError({ $where: "身份证号 = '110101199003070012'" }, 'SOQL_UNKNOWN_COLUMN', { param: '$where', position: 0, column: '身份证号' });
    expectError({ $select: '城市, `注册地址`' }, 'SOQL_UNKNOWN_COLUMN', { param: '$select', position: 4, column: '注册地址' });
    expectError({ $order: 'token' }, 'SOQL_UNKNOWN_COLUMN', { param: '$order', column: 'token' });
    expectError({ $query: 'SELECT 1 UNION SELECT token' }, 'SOQL_SYNTAX', { position: 9, near: 'UNION', reason: 'trailing' });
  });

  test('$limit and $offset bounds', () => {
    expectError({ $limit: '1000000000' }, 'SOQL_LIMIT', { param: '$limit', limit: 'limit', max: SOQL_MAX_LIMIT });
    expectError({ $limit: 1_000_000_000 }, 'SOQL_LIMIT', { param: '$limit', max: SOQL_MAX_LIMIT });
    expectError({ $limit: String(SOQL_MAX_LIMIT + 1) }, 'SOQL_LIMIT', { param: '$limit' });
    assert.equal(compile({ $limit: String(SOQL_MAX_LIMIT) }).limit, SOQL_MAX_LIMIT);
    expectError({ $query: 'SELECT 城市 LIMIT 1000000000' }, 'SOQL_LIMIT', { param: '$query', limit: 'limit', position: 16 });
    expectError({ $limit: '-1' }, 'SOQL_SYNTAX', { param: '$limit', position: 0, reason: 'expected_integer' });
    expectError({ $limit: '1.5' }, 'SOQL_SYNTAX', { param: '$limit', reason: 'expected_integer' });
    expectError({ $limit: '10; DROP TABLE t' }, 'SOQL_SYNTAX', { param: '$limit', position: 2, reason: 'semicolon' });
    expectError({ $offset: '10000000000' }, 'SOQL_LIMIT', { param: '$offset', limit: 'offset' });
    expectError({ $offset: -5 }, 'SOQL_SYNTAX', { param: '$offset', reason: 'expected_integer' });
  });

  test('absurd nesting depth, long IN lists and long queries', () => {
    const deep = '('.repeat(200) + '员工数' + ')'.repeat(200) + ' = 1';
    expectError({ $where: deep }, 'SOQL_LIMIT', { param: '$where', limit: 'depth', max: SOQL_MAX_DEPTH, position: SOQL_MAX_DEPTH });
    expectError({ $where: 'NOT '.repeat(100) + '启用' }, 'SOQL_LIMIT', { limit: 'depth' });
    expectError({ $where: '- '.repeat(100) + '员工数 = 1' }, 'SOQL_LIMIT', { limit: 'depth' });
    expectError({ $where: '--员工数 = 1' }, 'SOQL_SYNTAX', { position: 0, reason: 'comment' });
    expectError({ $where: Array.from({ length: 100 }, () => '员工数').join(' + ') + ' = 1' }, 'SOQL_LIMIT', { limit: 'depth' });
    expectError({ $select: 'upper('.repeat(100) + '城市' + ')'.repeat(100) }, 'SOQL_LIMIT', { param: '$select', limit: 'depth' });
    // Within the limit it compiles.
    compile({ $where: '('.repeat(20) + '员工数' + ')'.repeat(20) + ' = 1' });
    const list = Array.from({ length: SOQL_MAX_IN + 1 }, (_, i) => i % 10).join(',');
    const err = expectError({ $where: `员工数 IN (${list})` }, 'SOQL_LIMIT', { param: '$where', limit: 'in_list', max: SOQL_MAX_IN });
    assert.equal((err.details as { position: number }).position, `员工数 IN (${list})`.lastIndexOf(',') + 1);
    expectError({ $where: `城市 = '${'长'.repeat(SOQL_MAX_QUERY_CHARS)}'` }, 'SOQL_LIMIT', {
      param: '$where',
      limit: 'length',
      max: SOQL_MAX_QUERY_CHARS,
    });
    expectError({ $select: '城市', $where: 'x'.repeat(SOQL_MAX_QUERY_CHARS - 1) }, 'SOQL_LIMIT', { limit: 'length' });
  });

  test('parameters: unknown $names, $query combined, wrong value types', () => {
    expectError({ $foo: 'x' } as SoqlParams, 'SOQL_PARAM', { param: '$foo', reason: 'unknown_param' });
    expectError({ $query: 'SELECT 城市', $where: '启用' }, 'SOQL_PARAM', { param: '$where', reason: 'query_combined' });
    expectError({ $where: ['启用', '启用'] } as unknown as SoqlParams, 'SOQL_PARAM', { param: '$where', reason: 'not_string' });
    // Non-$ keys (SODA simple filters) are the caller's business; empty values count as absent.
    assert.equal(compile({ 城市: '北京', $where: '  ' } as SoqlParams).sql, compile({}).sql);
  });
});

describe('errors', () => {
  test('syntax errors name the position and the token near it', () => {
    expectError({ $where: "城市 = '北京' AND" }, 'SOQL_SYNTAX', { position: 13, near: null, reason: 'expected_expression' });
    expectError({ $where: "城市 == '北京'" }, 'SOQL_SYNTAX', { position: 4, near: '=', reason: 'expected_expression' });
    expectError({ $where: '城市 = "北京"' }, 'SOQL_SYNTAX', { position: 5, near: '"', reason: 'unexpected_char' });
    expectError({ $where: "城市 = '北京" }, 'SOQL_SYNTAX', { position: 5, reason: 'unterminated_string' });
    expectError({ $where: '`城市 = 1' }, 'SOQL_SYNTAX', { position: 0, reason: 'unterminated_name' });
    expectError({ $where: '`` = 1' }, 'SOQL_SYNTAX', { position: 0, reason: 'bad_name' });
    expectError({ $where: '员工数 IS 5' }, 'SOQL_SYNTAX', { position: 7, near: '5', reason: 'expected_null' });
    expectError({ $where: '员工数 NOT 5' }, 'SOQL_SYNTAX', { position: 8, reason: 'expected_after_not' });
    expectError({ $where: '员工数 BETWEEN 1 OR 2' }, 'SOQL_SYNTAX', { position: 14, near: 'OR', reason: 'expected_and' });
    expectError({ $where: '员工数 IN 1' }, 'SOQL_SYNTAX', { position: 7, reason: 'expected_lparen' });
    expectError({ $where: '员工数 IN (1, 2' }, 'SOQL_SYNTAX', { position: 12, reason: 'expected_rparen' });
    expectError({ $where: '(员工数 = 1' }, 'SOQL_SYNTAX', { position: 8, reason: 'expected_rparen' });
    expectError({ $where: '员工数 = 1 1' }, 'SOQL_SYNTAX', { position: 8, near: '1', reason: 'trailing' });
    expectError({ $where: '员工数 = 12abc' }, 'SOQL_SYNTAX', { position: 6, reason: 'bad_number' });
    expectError({ $where: '员工数 = 1 = 1' }, 'SOQL_SYNTAX', { position: 8, reason: 'trailing' });
    expectError({ $where: '员工数 = （1）' }, 'SOQL_SYNTAX', { position: 6, near: '（', reason: 'unexpected_char' });
    expectError({ $select: '*, count(*' }, 'SOQL_SYNTAX', { position: 9, reason: 'star' });
    expectError({ $where: '* = 1' }, 'SOQL_SYNTAX', { position: 0, reason: 'star' });
    expectError({ $order: '城市 DESC NULLS' }, 'SOQL_SYNTAX', { position: 13, reason: 'unexpected' });
    expectError({ $select: '城市 AS' }, 'SOQL_SYNTAX', { position: 5, reason: 'expected_name' });
    expectError({ $query: 'WHERE 启用' }, 'SOQL_SYNTAX', { param: '$query', position: 0, reason: 'expected_select' });
    expectError({ $query: 'SELECT 城市 GROUP 城市' }, 'SOQL_SYNTAX', { position: 16, reason: 'expected_by' });
    expectError({ $query: 'SELECT 城市 LIMIT 5 WHERE 启用' }, 'SOQL_SYNTAX', { position: 18, near: 'WHERE', reason: 'trailing' });
    expectError({ $query: 'SELECT 城市 ORDER BY 城市 WHERE 启用' }, 'SOQL_SYNTAX', { reason: 'trailing' });
    const e = expectError({ $where: "城市 = '北京' AND AND" }, 'SOQL_SYNTAX', { position: 14 });
    assert.equal(translate('SOQL_SYNTAX', 'zh-CN', e.params), '$where 第 15 个字符附近语法错误：此处应为表达式（“AND”处）');
    assert.equal(
      translate('SOQL_SYNTAX', 'en', e.params),
      'Syntax error in $where near character 15: an expression was expected (at "AND")',
    );
  });

  test('type errors', () => {
    expectError({ $select: 'sum(企业名称)' }, 'SOQL_TYPE', { param: '$select', position: 4, reason: 'arg_type', function: 'sum' });
    expectError({ $select: 'avg(成立日期)' }, 'SOQL_TYPE', { reason: 'arg_type' });
    expectError({ $select: 'date_trunc_ym(城市)' }, 'SOQL_TYPE', { reason: 'arg_type', function: 'date_trunc_ym' });
    expectError({ $select: 'upper(员工数)' }, 'SOQL_TYPE', { reason: 'arg_type' });
    expectError({ $select: 'upper(城市, 城市)' }, 'SOQL_TYPE', { reason: 'arg_count' });
    expectError({ $where: '城市 > 5' }, 'SOQL_TYPE', { position: 3, reason: 'not_comparable' });
    expectError({ $where: '员工数 = 城市' }, 'SOQL_TYPE', { reason: 'not_comparable' });
    expectError({ $where: "成立日期 > '2020-13-01'" }, 'SOQL_TYPE', { position: 7, reason: 'bad_literal', expected: 'date' });
    expectError({ $where: "员工数 = 'abc'" }, 'SOQL_TYPE', { position: 6, reason: 'bad_literal', expected: 'integer' });
    expectError({ $where: "员工数 IN (1, 'x')" }, 'SOQL_TYPE', { position: 11, reason: 'bad_literal' });
    expectError({ $where: '员工数 LIKE 1' }, 'SOQL_TYPE', { position: 0, reason: 'not_text' });
    expectError({ $where: '员工数' }, 'SOQL_TYPE', { position: 0, reason: 'not_boolean' });
    expectError({ $where: '启用 AND 城市' }, 'SOQL_TYPE', { position: 7, reason: 'not_boolean' });
    expectError({ $where: "城市 + 1 = '2'" }, 'SOQL_TYPE', { position: 0, reason: 'not_numeric' });
    expectError({ $where: '-城市 = 1' }, 'SOQL_TYPE', { position: 0, reason: 'not_numeric' });
    expectError({ $where: '员工数 = 99999999999999999999' }, 'SOQL_TYPE', { position: 6, reason: 'integer_range' });
  });

  test('grouping and aggregation errors', () => {
    expectError({ $select: '城市, count(*)' }, 'SOQL_AGGREGATE', { param: '$select', position: 0, reason: 'not_grouped', column: '城市' });
    expectError({ $select: '城市, 员工数, count(*)', $group: '城市' }, 'SOQL_AGGREGATE', { position: 4, column: '员工数' });
    expectError({ $group: '城市' }, 'SOQL_AGGREGATE', { reason: 'not_grouped', column: '企业名称' });
    expectError({ $where: 'count(*) > 1' }, 'SOQL_AGGREGATE', { param: '$where', position: 0, reason: 'aggregate_here' });
    expectError({ $select: 'sum(count(*))' }, 'SOQL_AGGREGATE', { position: 4, reason: 'nested_aggregate' });
    expectError({ $select: 'count(*)', $group: 'count(*)' }, 'SOQL_AGGREGATE', { param: '$group', reason: 'aggregate_here' });
    expectError({ $having: '员工数 > 1' }, 'SOQL_AGGREGATE', { param: '$having', position: 0, reason: 'having_alone' });
    expectError({ $select: '城市, count(*)', $group: '城市', $having: '员工数 > 1' }, 'SOQL_AGGREGATE', {
      param: '$having',
      reason: 'not_grouped',
    });
    expectError({ $select: '城市, count(*)', $group: '城市', $order: '员工数' }, 'SOQL_AGGREGATE', {
      param: '$order',
      reason: 'not_grouped',
    });
    expectError({ $order: 'count(*)' }, 'SOQL_AGGREGATE', { param: '$order', reason: 'aggregate_here' });
    // An alias stands for its expression; the error points at the alias where it is used.
    expectError({ $select: '城市, count(*) AS n', $group: '城市, n' }, 'SOQL_AGGREGATE', {
      param: '$group',
      position: 4,
      reason: 'aggregate_here',
    });
    // Aliases work in $group, $having and $order.
    assert.match(
      compile({ $select: '城市 AS c, count(*) AS n', $group: 'c', $having: 'n > 1', $order: 'n DESC' }).sql,
      /GROUP BY "城市" HAVING \(count\(\*\) > CAST\(\$1 AS BIGINT\)\) ORDER BY count\(\*\) DESC/,
    );
    expectError({ $select: '城市 AS a, 员工数 AS a' }, 'SOQL_DUPLICATE_NAME', { param: '$select', position: 9, column: 'a' });
  });

  test('every message exists in both languages', () => {
    for (const [code, text] of Object.entries(PORTAL_MESSAGES)) {
      assert.ok(text['zh-CN'] && /[\u4e00-\u9fff]/.test(text['zh-CN']), code);
      assert.ok(text.en && /^[\x20-\x7e]+$/.test(text.en), code);
      assert.deepEqual(MESSAGES[code], text);
    }
  });
});
