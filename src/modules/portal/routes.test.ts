// The SODA 2-style query API (issue 7 §5) through HTTP: anonymous reads of data opened unconditionally, with the
// answers checked against DuckDB on the same version file; masking cannot be bypassed by a filter; conditional
// data is refused; errors name the parameter and the position; CSV; the ledger; the time limit.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { resourceIdByName, startTestPlatform, type TestClient, type TestPlatform } from '../../../test/helpers.ts';
import { SYSTEM } from '../identity/actor.ts';
import { DEMO_PASSWORD } from '../identity/service.ts';

let p: TestPlatform;
let anon: TestClient;
let homes: string;
let people: string;
let file: string;

const url = (id: string, q: Record<string, string>, format = 'json') => `/resource/${id}.${format}?${new URLSearchParams(q)}`;
async function duck<T>(text: string): Promise<T[]> {
  return (await p.ctx.datasets.engine()).all<T>(text.replaceAll('FILE', `read_parquet('${file}')`));
}

before(async () => {
  p = await startTestPlatform({}, { jobs: false });
  const admin = p.client();
  await admin.login('admin', DEMO_PASSWORD);
  anon = p.client();
  const datasetOf = async (name: string) =>
    (await admin.get(`/api/datasets/by-resource/${await resourceIdByName(admin, name)}`)).body.id as string;
  homes = await datasetOf('养老机构信息');
  people = await datasetOf('社会保险参保登记信息');
  file = (await p.ctx.datasets.versionFile(homes)).file;
});
after(() => p?.close());

describe('GET /resource/{id}.json', () => {
  it('an anonymous citizen filters, sorts and pages open data; the answer matches DuckDB on the same file', async () => {
    const q = {
      $select: '单位名称, 床位数, 联系电话',
      $where: "床位数 >= 100 AND 地址 LIKE '%东城区%'",
      $order: '床位数 DESC, 单位名称',
      $limit: '5',
    };
    const r = await anon.get(url(homes, q));
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(JSON.parse(r.headers.get('x-soda2-fields')!), ['单位名称', '床位数', '联系电话']);
    assert.deepEqual(JSON.parse(r.headers.get('x-soda2-types')!), ['text', 'integer', 'text']);
    const expected = await duck<{ n: string; b: string }>(
      `SELECT "单位名称" AS n, CAST("床位数" AS VARCHAR) AS b FROM FILE WHERE "床位数" >= 100 AND "地址" LIKE '%东城区%' ORDER BY "床位数" DESC, "单位名称" LIMIT 5`,
    );
    assert.ok(expected.length > 0, 'the demo has such care homes');
    assert.deepEqual(
      r.body.map((row: Record<string, unknown>) => [row['单位名称'], String(row['床位数'])]),
      expected.map((e) => [e.n, e.b]),
    );
    for (const row of r.body) assert.match(row['联系电话'], /^1\d{2}\*{4}\d{4}$/, 'the phone stays masked for the public');
  });

  it('aggregates: $select with count and sum, $group, $having, and the same as $query', async () => {
    const params = { $select: "地址 LIKE '%东城区%' AS 东城, count(*) AS n, sum(床位数) AS beds", $group: '东城', $order: '东城' };
    const r = await anon.get(url(homes, params));
    assert.equal(r.status, 200, r.text);
    const expected = await duck<{ d: boolean; n: bigint; beds: bigint }>(
      `SELECT "地址" LIKE '%东城区%' AS d, count(*) AS n, sum("床位数") AS beds FROM FILE GROUP BY 1 ORDER BY 1`,
    );
    assert.deepEqual(
      r.body.map((x: Record<string, unknown>) => [x['东城'], Number(x.n), Number(x.beds)]),
      expected.map((e) => [e.d, Number(e.n), Number(e.beds)]),
    );
    const total = expected.reduce((s, e) => s + Number(e.n), 0);
    assert.equal(total, 240);
    const viaQuery = await anon.get(url(homes, { $query: `SELECT ${params.$select} GROUP BY 东城 ORDER BY 东城` }));
    assert.deepEqual(viaQuery.body, r.body);
    const having = await anon.get(url(homes, { ...params, $having: 'count(*) > 100' }));
    assert.deepEqual(
      having.body.map((x: Record<string, unknown>) => Number(x.n)),
      expected.filter((e) => Number(e.n) > 100).map((e) => Number(e.n)),
    );
  });

  it('a masked column is only its masked text: filtering on the real value finds nothing', async () => {
    const [real] = await duck<{ phone: string }>(`SELECT "联系电话" AS phone FROM FILE LIMIT 1`);
    const byReal = await anon.get(url(homes, { $where: `联系电话 = '${real!.phone}'` }));
    assert.equal(byReal.status, 200, byReal.text);
    assert.equal(byReal.body.length, 0);
    const prefix = await anon.get(url(homes, { $select: 'count(*) AS n', $where: `联系电话 LIKE '%${real!.phone.slice(3, 7)}%'` }));
    assert.equal(Number(prefix.body[0].n), 0, 'the hidden middle digits cannot be searched');
  });

  it('data not opened is not there for the public (404, no leak); a department without a grant gets 403', async () => {
    const r = await anon.get(url(people, { $limit: '1' }));
    assert.equal(r.status, 404, r.text);
    assert.equal(r.body.error.code, 'DATASET_NOT_FOUND');
    const consumer = p.client();
    await consumer.login('consumer', DEMO_PASSWORD);
    const refused = await consumer.get(url(people, { $limit: '1' }));
    assert.equal(refused.status, 403, refused.text);
    assert.equal(refused.body.error.code, 'DATASET_ENTITLEMENT_REQUIRED');
    const missing = await anon.get(url('00000000-0000-4000-8000-000000000000', {}));
    assert.equal(missing.status, 404, missing.text);
  });

  it('errors name the parameter and the position, in the caller’s language; SQL in a literal is only a value', async () => {
    anon.lang = 'en';
    const bad = await anon.get(url(homes, { $where: '床位数 >>= 3' }));
    assert.equal(bad.status, 400, bad.text);
    assert.equal(bad.body.error.code, 'SOQL_SYNTAX');
    assert.equal(bad.body.error.details.param, '$where');
    assert.equal(typeof bad.body.error.details.position, 'number');
    assert.match(bad.body.error.message, /\$where/);
    const unknown = await anon.get(url(homes, { $select: 'sfzh' }));
    assert.equal(unknown.body.error.code, 'SOQL_UNKNOWN_COLUMN');
    const other = await anon.get(url(homes, { $where: "单位名称 = 'x' OR read_csv('/etc/passwd') IS NULL" }));
    assert.equal(other.status, 400);
    assert.equal(other.body.error.code, 'SOQL_UNKNOWN_FUNCTION');
    const huge = await anon.get(url(homes, { $limit: '1000000000' }));
    assert.equal(huge.body.error.code, 'SOQL_LIMIT');
    const injected = await anon.get(url(homes, { $where: "单位名称 = '''; DROP TABLE x; --'" }));
    assert.equal(injected.status, 200, injected.text);
    assert.deepEqual(injected.body, []);
    anon.lang = 'zh-CN';
  });

  it('CSV: a BOM, a header line, the rows, spreadsheet formulas neutralized', async () => {
    const r = await anon.get(url(homes, { $select: '单位名称, 床位数', $order: '单位名称', $limit: '3' }, 'csv'));
    assert.equal(r.status, 200, r.text);
    assert.match(r.headers.get('content-type') ?? '', /^text\/csv/);
    const lines = r.text
      .replace(/^\uFEFF/, '')
      .trimEnd()
      .split('\r\n');
    assert.equal(lines[0], '单位名称,床位数');
    assert.equal(lines.length, 4);
  });

  it('every query is a dataset.read ledger entry with the SoQL it ran', async () => {
    const { rows } = await sql<{ details: { kind: string; soql: Record<string, string>; rows: number } }>`
      select details from ledger_entries where action = 'dataset.read' and object_id = ${homes} order by seq desc limit 20`.execute(
      p.ctx.db,
    );
    const soql = rows.map((r) => r.details).filter((d) => d.kind === 'soql');
    assert.ok(soql.length >= 5);
    assert.ok(soql.some((d) => d.soql.$where === "床位数 >= 100 AND 地址 LIKE '%东城区%'"));
  });

  it('a statement over the time limit is interrupted with 400 QUERY_TIMEOUT', async () => {
    await assert.rejects(
      p.ctx.datasets.queryVisible(
        SYSTEM,
        homes,
        (rel) => ({ sql: `SELECT count(*) FROM ${rel.from}, range(2000000000) r`, params: rel.params }),
        { timeoutMs: 200 },
      ),
      (e: { code?: string; status?: number }) => e.code === 'QUERY_TIMEOUT' && e.status === 400,
    );
    // The pool goes on working after the interruption.
    const after = await anon.get(url(homes, { $select: 'count(*) AS n' }));
    assert.equal(Number(after.body[0].n), 240);
  });
});
