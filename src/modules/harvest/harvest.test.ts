// Harvesting from portals that are not Shuyuan (issue 7 §8): a small HTTP server on this machine plays a foreign
// CKAN portal and a DCAT feed (something outside the platform, so a stand-in is right here; the two-instance test
// in harvest.instances.test.ts harvests a real second Shuyuan). Checked: paging, idempotent re-harvest (updates,
// no duplicates), deleted upstream → withdrawn here, the source shown on the resource, and every hostile answer
// (malformed JSON, a huge page, a redirect loop, a loop in the paging, a private-only context) failing the run
// with its reason while changing nothing.
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { startTestPlatform, type TestClient, type TestPlatform } from '../../../test/helpers.ts';
import { DEMO_PASSWORD } from '../identity/service.ts';
import { orgId } from '../registration/test-fixtures.ts';

let p: TestPlatform;
let admin: TestClient;
let upstream: http.Server;
let base: string;
let ownerOrgId: string;

/** What the fake CKAN portal holds now (tests change it between runs). */
let packages: Array<Record<string, unknown>> = [];
/** Per-path overrides: a handler that answers instead of the CKAN API. */
const routes = new Map<string, (req: http.IncomingMessage, res: http.ServerResponse) => void>();

function pkg(id: string, title: string, extra: Record<string, unknown> = {}) {
  return {
    id,
    name: `pkg-${id}`,
    title,
    notes: `${title}的说明`,
    tags: [{ name: '养老' }, { name: '民政' }],
    organization: { name: 'mz', title: '某市民政局' },
    license_id: 'cc-by',
    license_title: 'Creative Commons Attribution',
    metadata_modified: '2026-10-01T00:00:00',
    resources: [{ id: `${id}-r`, url: `https://example.org/${id}.csv`, format: 'CSV', name: `${title} CSV` }],
    ...extra,
  };
}

async function waitRun(sourceId: string, runId: string): Promise<any> {
  const deadline = Date.now() + 120_000;
  for (;;) {
    const r = await admin.get(`/api/harvest/sources/${sourceId}/runs/${runId}`);
    assert.equal(r.status, 200, r.text);
    if (!['queued', 'running'].includes(r.body.status)) return r.body;
    if (Date.now() > deadline) throw new Error('harvest run did not finish');
    await new Promise((res) => setTimeout(res, 100));
  }
}

async function harvest(sourceId: string): Promise<any> {
  const r = await admin.post(`/api/harvest/sources/${sourceId}/runs`, {});
  assert.equal(r.status, 202, r.text);
  return waitRun(sourceId, r.body.id);
}

async function addSource(name: string, kind: 'ckan' | 'dcat', url: string): Promise<string> {
  const r = await admin.post('/api/harvest/sources', { name, kind, url, ownerOrgId, subjectCategory: 'FR', domainCategory: 'SCJG' });
  assert.equal(r.status, 201, r.text);
  return r.body.id;
}

async function catalogTotal(): Promise<number> {
  const r = await admin.get('/api/catalog/resources?pageSize=1');
  assert.equal(r.status, 200, r.text);
  return r.body.total;
}

before(async () => {
  p = await startTestPlatform();
  admin = p.client();
  await admin.login('admin', DEMO_PASSWORD);
  ownerOrgId = await orgId(p.ctx, 'SCJG');
  p.ctx.harvest.pageSize = 2; // three datasets take two pages
  upstream = http.createServer((req, res) => {
    const u = new URL(req.url!, 'http://x');
    const override = routes.get(u.pathname);
    if (override) return override(req, res);
    if (u.pathname.endsWith('/api/3/action/package_search')) {
      const rows = Number(u.searchParams.get('rows'));
      const start = Number(u.searchParams.get('start'));
      assert.equal(u.searchParams.get('sort'), 'id asc');
      const sorted = [...packages].sort((a, b) => String(a.id).localeCompare(String(b.id)));
      res.setHeader('content-type', 'application/json');
      return res.end(
        JSON.stringify({
          help: 'package_search',
          success: true,
          result: { count: sorted.length, results: sorted.slice(start, start + rows), facets: {}, search_facets: {} },
        }),
      );
    }
    res.statusCode = 404;
    res.end('{}');
  });
  await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', () => r()));
  base = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
});

after(async () => {
  upstream?.close();
  await p?.close();
});

test('a CKAN portal is harvested page by page; re-harvesting updates instead of duplicating; gone upstream → withdrawn', async () => {
  packages = [
    pkg('a1', '养老机构名录'),
    pkg('b2', '社区食堂分布'),
    pkg('c3', 'Elderly care subsidies', { notes: 'Monthly subsidy statistics' }),
  ];
  const before0 = await catalogTotal();
  const id = await addSource('某市开放平台', 'ckan', `${base}/`);
  const r1 = await harvest(id);
  assert.equal(r1.status, 'ok', JSON.stringify(r1));
  assert.deepEqual([r1.pages, r1.seen, r1.created, r1.updated, r1.unchanged, r1.withdrawn], [2, 3, 3, 0, 0, 0]);
  assert.equal(await catalogTotal(), before0 + 3);

  // Published, in search, with the source and the upstream files on the resource.
  const found = await p.client().get(`/api/search/resources?q=${encodeURIComponent('养老机构名录')}`);
  assert.equal(found.status, 200, found.text);
  const hit = found.body.items.find((i: any) => i.nameZh === '养老机构名录');
  assert.ok(hit, 'the harvested dataset is public and searchable');
  const origin = await p.client().get(`/api/harvest/origin/${hit.id}`);
  assert.equal(origin.status, 200, origin.text);
  assert.equal(origin.body.source.name, '某市开放平台');
  assert.equal(origin.body.remoteId, 'a1');
  assert.deepEqual(origin.body.distributions, [{ url: 'https://example.org/a1.csv', format: 'CSV', title: '养老机构名录 CSV' }]);
  const res = await admin.get(`/api/catalog/resources/${hit.id}`);
  assert.equal(res.body.status, 'published');
  assert.deepEqual(res.body.formats, ['csv']);
  assert.equal(res.body.providerOrg.id, ownerOrgId);
  const idOf = async (q: string) => {
    const r = await p.client().get(`/api/search/resources?q=${encodeURIComponent(q)}`);
    return r.body.items.find((i: any) => i.nameZh === q || i.nameEn === q)?.id as string;
  };
  // An English-only upstream dataset keeps its text as the (required) Chinese name too.
  const c3 = await admin.get(`/api/catalog/resources/${await idOf('Elderly care subsidies')}`);
  assert.equal(c3.body.nameZh, 'Elderly care subsidies');
  assert.equal(c3.body.nameEn, 'Elderly care subsidies');
  const b2Id = await idOf('社区食堂分布');
  assert.ok(b2Id);

  // The same upstream again: nothing new, nothing changed.
  const r2 = await harvest(id);
  assert.deepEqual([r2.status, r2.created, r2.updated, r2.unchanged, r2.withdrawn], ['ok', 0, 0, 3, 0]);
  assert.equal(await catalogTotal(), before0 + 3);

  // One retitled (a new catalog version), one deleted upstream (withdrawn here), one new.
  packages = [
    pkg('a1', '养老机构名录（2026年版）'),
    pkg('c3', 'Elderly care subsidies', { notes: 'Monthly subsidy statistics' }),
    pkg('d4', '助餐点名单'),
  ];
  const r3 = await harvest(id);
  assert.deepEqual([r3.status, r3.created, r3.updated, r3.unchanged, r3.withdrawn], ['ok', 1, 1, 1, 1]);
  assert.equal(await catalogTotal(), before0 + 4, 'a withdrawn resource stays in the catalog, withdrawn; nothing is duplicated');
  const a1 = await admin.get(`/api/catalog/resources/${hit.id}`);
  assert.equal(a1.body.nameZh, '养老机构名录（2026年版）');
  assert.equal(a1.body.currentVersion, 2);
  const versions = await admin.get(`/api/catalog/resources/${hit.id}/versions`);
  assert.equal(versions.status, 200, versions.text);
  assert.equal(versions.body.items.length, 2);
  const b2 = await admin.get(`/api/catalog/resources/${b2Id}`);
  assert.equal(b2.body.status, 'withdrawn');
  assert.equal((await p.client().get(`/api/harvest/origin/${b2Id}`)).status, 404, 'a withdrawn resource is no longer public');
  assert.equal((await admin.get(`/api/harvest/origin/${b2Id}`)).body.state, 'withdrawn');
  const view = await admin.get(`/api/harvest/sources/${id}`);
  assert.equal(view.body.datasets, 3);
  assert.equal(view.body.withdrawn, 1);

  // Every write is in the ledger: the catalog writes and the runs.
  const ledger = await p.ctx.db
    .selectFrom('ledger_entries' as never)
    .select(['action' as never])
    .where('action' as never, 'like', 'harvest.%' as never)
    .execute();
  assert.ok((ledger as Array<{ action: string }>).filter((l) => l.action === 'harvest.run.finish').length >= 3);
});

test('hostile answers fail the run with a reason and change nothing', async () => {
  const cases: Array<[string, (req: http.IncomingMessage, res: http.ServerResponse) => void, string]> = [
    ['/bad/api/3/action/package_search', (_q, s) => s.end('{"success": true, "result": {"count": 1, "results": [ {"id": '), 'malformed'],
    ['/notckan/api/3/action/package_search', (_q, s) => s.end('{"success": false, "error": {}}'), 'malformed'],
    [
      '/huge/api/3/action/package_search',
      (_q, s) => s.end(`{"success": true, "result": {"count": 1, "results": [], "x": "${'x'.repeat(200_000)}"}}`),
      'too_large',
    ],
    [
      '/loop/api/3/action/package_search',
      (_q, s) => {
        s.statusCode = 302;
        s.setHeader('location', '/loop2/api/3/action/package_search');
        s.end();
      },
      'redirect_loop',
    ],
    [
      '/loop2/api/3/action/package_search',
      (_q, s) => {
        s.statusCode = 302;
        s.setHeader('location', '/loop/api/3/action/package_search');
        s.end();
      },
      'redirect_loop',
    ],
    ['/gone/api/3/action/package_search', (_q, s) => ((s.statusCode = 500), s.end('oops')), 'http'],
  ];
  for (const [path, handler] of cases) routes.set(path, handler);
  p.ctx.harvest.limits = { ...p.ctx.harvest.limits, maxBytes: 100_000 };
  try {
    const total = await catalogTotal();
    for (const [path, , reason] of cases.filter(([path]) => path !== '/loop2/api/3/action/package_search')) {
      const id = await addSource(`坏源 ${path}`, 'ckan', `${base}${path.replace('/api/3/action/package_search', '')}`);
      const run = await harvest(id);
      assert.equal(run.status, 'failed', path);
      assert.equal(run.error.reason, reason, `${path}: ${JSON.stringify(run.error)}`);
      assert.equal(run.created + run.updated + run.withdrawn, 0);
    }
    // A DCAT feed whose pages link back to themselves, and one that wants a remote JSON-LD context.
    routes.set('/dcat-loop', (_q, s) => {
      s.setHeader('content-type', 'text/turtle');
      s.end(`@prefix hydra: <http://www.w3.org/ns/hydra/core#> .
<${base}/dcat-loop> hydra:view [ hydra:next <${base}/dcat-loop> ] .`);
    });
    routes.set('/dcat-remote', (_q, s) => {
      s.setHeader('content-type', 'application/ld+json');
      s.end(JSON.stringify({ '@context': 'http://169.254.169.254/latest/meta-data/', '@id': 'x' }));
    });
    for (const [path, reason] of [
      ['/dcat-loop', 'malformed'],
      ['/dcat-remote', 'malformed'],
    ]) {
      const run = await harvest(await addSource(`坏源 ${path}`, 'dcat', `${base}${path}`));
      assert.equal(run.status, 'failed');
      assert.equal(run.error.reason, reason, JSON.stringify(run.error));
    }
    // A metadata-service address is refused before any request.
    const meta = await harvest(await addSource('元数据地址', 'ckan', 'http://169.254.169.254/'));
    assert.equal(meta.error.reason, 'forbidden_address');
    assert.equal(await catalogTotal(), total, 'no failed harvest wrote anything');
  } finally {
    p.ctx.harvest.limits = { ...p.ctx.harvest.limits, maxBytes: 20 * 1024 * 1024 };
  }
});

test('only the data authority configures and runs sources; bad input is refused with the field named', async () => {
  const provider = p.client();
  await provider.login('provider', DEMO_PASSWORD);
  const body = { name: 'x', kind: 'ckan', url: `${base}/`, ownerOrgId, subjectCategory: 'FR', domainCategory: 'SCJG' };
  assert.equal((await provider.post('/api/harvest/sources', body)).status, 403);
  assert.equal((await p.client().get('/api/harvest/sources')).status, 401);
  const bad = await admin.post('/api/harvest/sources', { ...body, url: 'file:///etc/passwd' });
  assert.equal(bad.status, 400);
  assert.equal(bad.body.error.code, 'HARVEST_URL_INVALID');
  const cat = await admin.post('/api/harvest/sources', { ...body, url: `${base}/x`, domainCategory: 'NOPE' });
  assert.equal(cat.body.error.code, 'HARVEST_CATEGORY_UNKNOWN');
  assert.equal(cat.body.error.details.field, 'domainCategory');
  const cron = await admin.post('/api/harvest/sources', { ...body, url: `${base}/y`, cron: '* * * * *' });
  assert.equal(cron.body.error.code, 'HARVEST_SCHEDULE_INVALID');
  const ok = await admin.post('/api/harvest/sources', { ...body, url: `${base}/z`, cron: '0 2 * * *' });
  assert.equal(ok.status, 201, ok.text);
  assert.equal(ok.body.schedule.cron, '0 2 * * *');
  assert.ok(ok.body.schedule.nextRunAt);
  assert.equal((await provider.post(`/api/harvest/sources/${ok.body.id}/runs`, {})).status, 403);
  assert.equal((await admin.get(`/api/harvest/sources/00000000-0000-4000-8000-000000000000`)).status, 404);
});
