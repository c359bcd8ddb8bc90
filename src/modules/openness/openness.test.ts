// Measuring openness through the public API (issue 7 §9) on the demo city: a dataset's MQA score and stars follow
// its metadata and data (adding a spatial coverage earns exactly its 20 points), statistics count real reads by
// the providing department, and the self-evaluation's five layers agree with the statistics.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startTestPlatform, resourceIdByName, type TestClient, type TestPlatform } from '../../../test/helpers.ts';
import { SYSTEM } from '../identity/actor.ts';
import { DEMO_PASSWORD } from '../identity/service.ts';

let p: TestPlatform;
let anon: TestClient;
let admin: TestClient;

before(async () => {
  p = await startTestPlatform();
  anon = p.client();
  admin = p.client();
  await admin.login('admin', DEMO_PASSWORD);
});
after(async () => p?.close());

test('a dataset with data here scores its files; metadata it lacks costs exactly the MQA weight', async () => {
  const id = await resourceIdByName(admin, '养老机构信息');
  const r = await anon.get(`/api/openness/datasets/${id}`);
  assert.equal(r.status, 200, r.text);
  const { mqa, stars } = r.body;
  assert.equal(mqa.max, 405);
  // Five distributions as in the DCAT feed: CSV, JSON, XLSX, Parquet files and the SODA API. All reachable (50);
  // the API has no download URL, so 4/5 of the download points (16 + 24).
  assert.equal(mqa.dimensions.accessibility.points, 90);
  // XLSX and the API are not counted as non-proprietary formats: 3/5 of 20 → 12 of the 110.
  assert.equal(mqa.dimensions.interoperability.points, 102);
  const res = await admin.get(`/api/catalog/resources/${id}`);
  assert.equal(stars, res.body.license ? 3 : 0, 'CSV/JSON under a licence is ★★★; without an open licence no star');
  const sum = Object.values(mqa.dimensions as Record<string, { points: number }>).reduce((s, d) => s + d.points, 0);
  assert.equal(mqa.total, sum);

  // Add a spatial coverage, or take it away (published through the catalog workflow): exactly ±20 findability.
  const spatial = mqa.dimensions.findability.indicators.find((i: any) => i.key === 'spatial');
  const delta = spatial.points === 0 ? 20 : -20;
  const cur = await p.ctx.catalog.get(SYSTEM, id);
  await p.ctx.catalog.update(SYSTEM, id, { spatialCoverage: delta > 0 ? '示范市全域' : '', lockVersion: cur.lockVersion });
  for (const to of ['submitted', 'approved', 'published'] as const)
    await p.ctx.catalog.transition(SYSTEM, id, { to, comment: '修改空间范围' });
  const again = (await anon.get(`/api/openness/datasets/${id}`)).body;
  assert.equal(again.mqa.total, mqa.total + delta);
  assert.equal(again.mqa.dimensions.findability.points, mqa.dimensions.findability.points + delta);
});

test('a resource that is not opened has no score (404), like any unknown id', async () => {
  const list = await p.ctx.catalog.list(SYSTEM, { status: ['published'], pageSize: 200 });
  const closed = list.items.find((r) => r.openMode === 'none');
  assert.ok(closed, 'the demo has a resource not opened');
  assert.equal((await anon.get(`/api/openness/datasets/${closed.id}`)).status, 404);
  assert.equal((await admin.get(`/api/openness/datasets/${closed.id}`)).status, 404);
  assert.equal((await anon.get('/api/openness/datasets/00000000-0000-4000-8000-000000000000')).status, 404);
});

test('statistics count real downloads and API queries by the providing department; the evaluation agrees', async () => {
  const id = await resourceIdByName(admin, '养老机构信息');
  const detail = (await admin.get(`/api/catalog/resources/${id}`)).body;
  const datasetId = (await p.ctx.datasets.currentOfResources([id])).get(id)!.dataset_id as string;
  p.ctx.openness.refresh();
  const before = (await anon.get('/api/openness/stats')).body;
  const dept = (s: any) => s.departments.find((d: any) => d.org.id === detail.providerOrg.id);
  const b = dept(before) ?? { downloads30d: 0, apiCalls30d: 0 };

  for (let i = 0; i < 2; i++) assert.equal((await anon.get(`/api/datasets/${datasetId}/download?format=csv`)).status, 200);
  assert.equal((await anon.get(`/resource/${datasetId}.json?$limit=1`)).status, 200);

  p.ctx.openness.refresh();
  const s = (await anon.get('/api/openness/stats')).body;
  const d = dept(s);
  assert.equal(d.downloads30d, b.downloads30d + 2);
  assert.equal(d.apiCalls30d, b.apiCalls30d + 1);
  assert.equal(s.totals.downloads30d, before.totals.downloads30d + 2);
  assert.ok(d.unconditional >= 1);
  assert.equal(
    s.totals.openDatasets,
    s.departments.reduce((n: number, x: any) => n + x.unconditional + x.conditional, 0),
  );
  assert.equal(
    s.totals.stars.reduce((n: number, x: number) => n + x, 0),
    s.totals.openDatasets,
  );
  assert.ok(s.months.length >= 1);

  const e = (await anon.get('/api/openness/evaluation')).body;
  assert.deepEqual(
    e.layers.map((l: any) => l.key),
    ['readiness', 'platform', 'data', 'use', 'effect'],
  );
  const ind = (layer: string, key: string) => e.layers.find((l: any) => l.key === layer).indicators.find((i: any) => i.key === key);
  assert.equal(ind('data', 'openDatasets').value, s.totals.openDatasets);
  assert.equal(ind('use', 'downloads30d').value, s.totals.downloads30d);
  assert.equal(ind('readiness', 'rulesCited').score, 100, 'every rule figure cites its source');
  for (const l of e.layers)
    for (const i of l.indicators) if (i.score !== null) assert.ok(i.score >= 0 && i.score <= 100, `${l.key}.${i.key}`);
  assert.ok(e.overall > 0 && e.overall <= 100);
});
