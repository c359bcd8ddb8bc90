// Harvesting between two Shuyuan instances on this machine (issue 7 §8 "test it against a second Shuyuan instance
// started by the test, through both feeds"): B harvests A's open catalog through A's CKAN Action API and through
// A's DCAT-AP feed (JSON-LD and Turtle). Re-harvesting changes nothing; a retitled dataset on A becomes a new
// version on B, a dataset withdrawn on A is withdrawn on B, and nothing is ever duplicated.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startTestPlatform, type TestClient, type TestPlatform } from '../../../test/helpers.ts';
import { SYSTEM } from '../identity/actor.ts';
import { DEMO_PASSWORD } from '../identity/service.ts';
import { orgId } from '../registration/test-fixtures.ts';

let a: TestPlatform; // the portal harvested
let b: TestPlatform; // the harvester
let adminB: TestClient;

async function waitRun(sourceId: string, runId: string): Promise<any> {
  const deadline = Date.now() + 180_000;
  for (;;) {
    const r = await adminB.get(`/api/harvest/sources/${sourceId}/runs/${runId}`);
    assert.equal(r.status, 200, r.text);
    if (!['queued', 'running'].includes(r.body.status)) return r.body;
    if (Date.now() > deadline) throw new Error('harvest run did not finish');
    await new Promise((res) => setTimeout(res, 100));
  }
}

async function harvest(sourceId: string): Promise<any> {
  const r = await adminB.post(`/api/harvest/sources/${sourceId}/runs`, {});
  assert.equal(r.status, 202, r.text);
  const run = await waitRun(sourceId, r.body.id);
  assert.equal(run.status, 'ok', JSON.stringify(run));
  return run;
}

async function addSource(name: string, kind: 'ckan' | 'dcat', url: string, ownerCode: string): Promise<string> {
  const r = await adminB.post('/api/harvest/sources', {
    name,
    kind,
    url,
    ownerOrgId: await orgId(b.ctx, ownerCode),
    subjectCategory: 'FR',
    domainCategory: 'SCJG',
  });
  assert.equal(r.status, 201, r.text);
  return r.body.id;
}

/** The number of datasets A publishes openly (what any CKAN client sees). */
async function openCount(): Promise<number> {
  const r = await a.client().get('/api/3/action/package_search?rows=0');
  assert.equal(r.status, 200, r.text);
  return r.body.result.count;
}

/** Public resource ids on A by name (its anonymous search). */
async function idOnA(nameZh: string): Promise<string> {
  const r = await a.client().get(`/api/search/resources?q=${encodeURIComponent(nameZh)}`);
  const hit = r.body.items.find((i: any) => i.nameZh === nameZh);
  assert.ok(hit, `${nameZh} on A`);
  return hit.id;
}

before(async () => {
  [a, b] = await Promise.all([startTestPlatform({ platformName: '示范省开放平台' }), startTestPlatform({ platformName: '示范市平台' })]);
  adminB = b.client();
  await adminB.login('admin', DEMO_PASSWORD);
});

after(async () => {
  await Promise.all([a?.close(), b?.close()]);
});

test('B harvests A through the CKAN API: all open datasets once, again without duplicates, then updates and withdrawals', async () => {
  const n = await openCount();
  assert.ok(n > 0, 'A has open datasets');
  b.ctx.harvest.pageSize = 7; // several pages even on the demo catalog
  const id = await addSource('示范省开放平台（CKAN）', 'ckan', a.url, 'SCJG');
  const r1 = await harvest(id);
  assert.equal(r1.seen, n);
  assert.equal(r1.created, n);
  assert.ok(r1.pages >= Math.ceil(n / 7));

  // What B publishes for one of them: the name, the source and A's download links.
  const elderly = await idOnA('养老机构信息');
  const onB = await b.client().get(`/api/search/resources?q=${encodeURIComponent('养老机构信息')}`);
  const harvested = [];
  for (const item of onB.body.items.filter((i: any) => i.nameZh === '养老机构信息')) {
    const o = await b.client().get(`/api/harvest/origin/${item.id}`);
    if (o.status === 200) harvested.push({ item, origin: o.body });
  }
  assert.equal(harvested.length, 1, 'exactly one harvested copy');
  assert.equal(harvested[0]!.origin.remoteId, elderly);
  assert.ok(
    harvested[0]!.origin.distributions.some((d: any) => d.url.startsWith(a.url)),
    JSON.stringify(harvested[0]!.origin),
  );

  const r2 = await harvest(id);
  assert.deepEqual([r2.created, r2.updated, r2.unchanged, r2.withdrawn], [0, 0, n, 0]);

  // On A: one dataset retitled through the catalog workflow, one withdrawn.
  const retitle = elderly;
  const published = (await a.ctx.catalog.list(SYSTEM, { status: ['published'], pageSize: 200 })).items;
  const withdraw = published.find((r) => r.id !== retitle && r.openMode !== 'none')!.id;
  const cur = await a.ctx.catalog.get(SYSTEM, retitle);
  await a.ctx.catalog.update(SYSTEM, retitle, { nameZh: '养老机构信息（2026年版）', lockVersion: cur.lockVersion });
  for (const to of ['submitted', 'approved', 'published'] as const)
    await a.ctx.catalog.transition(SYSTEM, retitle, { to, comment: '年度更新' });
  await a.ctx.catalog.transition(SYSTEM, withdraw, { to: 'withdrawn', comment: '停止开放' });

  const r3 = await harvest(id);
  assert.deepEqual([r3.created, r3.updated, r3.withdrawn], [0, 1, 1]);
  const copy = await adminB.get(`/api/catalog/resources/${harvested[0]!.item.id}`);
  assert.equal(copy.body.nameZh, '养老机构信息（2026年版）');
  assert.equal(copy.body.status, 'published');
  const sources = await adminB.get(`/api/harvest/sources/${id}`);
  assert.equal(sources.body.datasets, n - 1);
  assert.equal(sources.body.withdrawn, 1);
});

test('B harvests A through the DCAT-AP feed, in JSON-LD and in Turtle, without duplicates', async () => {
  b.ctx.harvest.pageSize = 100;
  const n = await openCount();
  for (const [kind, path, owner] of [
    ['JSON-LD', '/catalog.jsonld', 'RS'],
    ['Turtle', '/catalog.ttl', 'GA'],
  ] as const) {
    const id = await addSource(`示范省开放平台（DCAT ${kind}）`, 'dcat', `${a.url}${path}`, owner);
    const r1 = await harvest(id);
    assert.equal(r1.created, n, `${kind}: ${JSON.stringify(r1)}`);
    const r2 = await harvest(id);
    assert.deepEqual([r2.created, r2.updated, r2.unchanged], [0, 0, n], kind);
  }
});
