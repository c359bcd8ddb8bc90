// Back-flow between two Shuyuan instances on this machine (issue 6 §7): the province (A) grants the city's
// platform the rows of its own districts; the city (B) accepts the signed package (a tampered or wrongly keyed
// one is refused), pulls through A's gateway, checks the checksum and gets a local version with only its rows.
// A sees every pull in its exchange log; revoking the grant on A stops the next pull, and B's data stays as it was.
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { startTestPlatform, type TestClient, type TestPlatform } from '../../../test/helpers.ts';
import { SYSTEM } from '../identity/actor.ts';
import { DEMO_PASSWORD } from '../identity/service.ts';
import { orgId } from '../registration/test-fixtures.ts';

let a: TestPlatform; // 示范省 (issuing)
let b: TestPlatform; // 示范市 (receiving)
let adminA: TestClient;
let adminB: TestClient;
let resourceId: string;
let peerOrgId: string;

const OURS = ['350102', '350103'];
const MONTHS = ['2026-07', '2026-08', '2026-09'];

async function admin(p: TestPlatform): Promise<TestClient> {
  const c = p.client();
  await c.login('admin', DEMO_PASSWORD);
  return c;
}

before(async () => {
  [a, b] = await Promise.all([
    startTestPlatform({ platformName: '示范省公共数据平台' }),
    startTestPlatform({ platformName: '示范市公共数据平台' }, { jobs: false }),
  ]);
  [adminA, adminB] = await Promise.all([admin(a), admin(b)]);
  // On A: a published statistics resource by district, with a version of 12 rows (3 of them another city's).
  const created = await a.ctx.catalog.create(SYSTEM, {
    providerOrgId: await orgId(a.ctx, 'TJ'),
    nameZh: '分区县新增市场主体统计',
    nameEn: 'New market entities by district',
    abstractZh: '按月、按区县统计的新增市场主体数量，用于数据回流测试。',
    abstractEn: 'Monthly new market entities by district (back-flow test).',
    keywords: ['统计'],
    subjectCategory: 'HGJJ',
    domainCategory: 'SCJG',
    formats: ['csv'],
    updateFrequency: 'monthly',
    shareMode: 'conditional',
    shareConditions: '按区县回流',
    openMode: 'none',
    openBasis: '测试数据',
    grade: 'general',
    gradeLevel: 1,
    fields: [
      { nameZh: '统计月份', code: 'tjyf', dataType: 'string', length: 7 },
      { nameZh: '行政区划代码', code: 'xzqh', dataType: 'string', length: 6 },
      { nameZh: '数量', code: 'sl', dataType: 'integer' },
    ],
  });
  for (const to of ['submitted', 'approved', 'published'] as const)
    await a.ctx.catalog.transition(SYSTEM, created.id, { to, comment: '测试' });
  resourceId = created.id;
  const ds = await a.ctx.datasets.ensureForResource(SYSTEM, resourceId);
  const csv = [
    '统计月份,行政区划代码,数量',
    ...MONTHS.flatMap((m, i) => [...OURS, '350203', '350583'].map((d, j) => `${m},${d},${100 + i * 10 + j}`)),
  ].join('\n');
  const file = path.join(a.ctx.datasets.scratchDir, 'federation-fixture.csv');
  await fs.mkdir(path.dirname(file), { recursive: true });
  await fs.writeFile(file, csv + '\n');
  const ingest = await a.ctx.datasets.ingestLocalFile(SYSTEM, ds.id, file, 'fixture.csv', { confirm: (p) => p });
  assert.equal(ingest.status, 'published', JSON.stringify(ingest.error));
  // The city's platform is an organization on A.
  const org = await a.ctx.identity.createOrg(SYSTEM, {
    code: 'CITY-SF',
    nameZh: '示范市数据管理局',
    nameEn: 'Demo City Data Bureau',
    kind: 'department',
  });
  peerOrgId = org.id;
});

after(async () => {
  await Promise.all([a?.close(), b?.close()]);
});

test('the province grants the city its districts’ rows; the city pulls them through the gate; revocation stops the next pull', async () => {
  const issued = await adminA.post('/api/federation/grants', {
    resourceId,
    peerOrgId,
    fields: ['tjyf', 'xzqh', 'sl'],
    rowFilter: { field: 'xzqh', values: OURS },
    legalBasis: '《政务数据共享条例》：上级政务数据按需回流下级',
  });
  assert.equal(issued.status, 201, issued.text);
  const pkg = issued.body;
  assert.equal(pkg.format, 'shuyuan-federation-grant/1');
  assert.equal(pkg.issuer.name, '示范省公共数据平台');
  assert.equal(pkg.policy, undefined);
  assert.equal(pkg.grant.policy['@type'], 'Agreement');
  const identity = (await adminA.get('/api/federation/identity')).body;
  assert.equal(identity.keyId, pkg.issuer.keyId);

  // B refuses a package altered on the way, and one checked against another key.
  const tampered = structuredClone(pkg);
  tampered.grant.rowFilter.values.push('350203');
  const bad = await adminB.post('/api/federation/links', {
    package: tampered,
    expectedKeyId: identity.keyId,
    localProviderOrgId: await orgId(b.ctx, 'TJ'),
  });
  assert.equal(bad.status, 400, bad.text);
  assert.equal(bad.body.error.code, 'FEDERATION_PACKAGE_INVALID');
  assert.equal(bad.body.error.details.reason, 'signature');
  const wrongKey = await adminB.post('/api/federation/links', {
    package: pkg,
    expectedKeyId: 'a'.repeat(64),
    localProviderOrgId: await orgId(b.ctx, 'TJ'),
  });
  assert.equal(wrongKey.body.error.details.reason, 'key_mismatch');
  const clerk = b.client();
  await clerk.login('provider', DEMO_PASSWORD);
  const notAuthority = await clerk.post('/api/federation/links', {
    package: pkg,
    expectedKeyId: identity.keyId,
    localProviderOrgId: await orgId(b.ctx, 'TJ'),
  });
  assert.equal(notAuthority.status, 403, notAuthority.text);

  const linked = await adminB.post('/api/federation/links', {
    package: pkg,
    expectedKeyId: identity.keyId,
    localProviderOrgId: await orgId(b.ctx, 'TJ'),
  });
  assert.equal(linked.status, 201, linked.text);
  const link = linked.body;
  assert.deepEqual(link.rowFilter, { field: 'xzqh', values: OURS });
  const again = await adminB.post('/api/federation/links', {
    package: pkg,
    expectedKeyId: identity.keyId,
    localProviderOrgId: await orgId(b.ctx, 'TJ'),
  });
  assert.equal(again.status, 409, again.text);
  const local = await b.ctx.catalog.get(SYSTEM, link.localResourceId);
  assert.equal(local.status, 'published');
  assert.match(local.nameZh, /回流/);

  const pulled = await adminB.post(`/api/federation/links/${link.id}/pull`);
  assert.equal(pulled.status, 200, pulled.text);
  assert.equal(pulled.body.lastPull.status, 'ok');
  assert.equal(pulled.body.lastPull.rows, OURS.length * MONTHS.length);
  assert.equal(pulled.body.version, 1);
  // The city's local version holds its own districts only.
  const dsB = (await adminB.get(`/api/datasets/by-resource/${link.localResourceId}`)).body;
  const rows = await adminB.post(`/api/datasets/${dsB.id}/query`, { limit: 100, total: true });
  assert.equal(rows.status, 200, rows.text);
  assert.equal(rows.body.total, 6);
  assert.deepEqual([...new Set(rows.body.rows.map((r: Record<string, string>) => r['行政区划代码']))].sort(), OURS);

  // A logged the peer's calls in its exchange log, under the federation entitlement.
  const log = await adminA.get(`/api/gateway/log?pageSize=50`);
  assert.equal(log.status, 200, log.text);
  const calls = log.body.items.filter((x: { clientOrgId: string | null }) => x.clientOrgId === peerOrgId);
  const services = calls.map((x: { service: string }) => x.service);
  assert.ok(services.includes('extract') && services.includes('extract_manifest') && services.includes('extract_file'), log.text);
  assert.ok(calls.every((x: { outcome: string }) => x.outcome === 'ok'));
  assert.equal(calls.find((x: { service: string }) => x.service === 'extract').entitlementId, pkg.grant.entitlementId);

  // Revoked on A: the next pull is refused there, recorded on B, and B's data is unchanged.
  await a.ctx.entitlements.setState(SYSTEM, pkg.grant.entitlementId, 'revoked', '回流测试结束');
  const refused = await adminB.post(`/api/federation/links/${link.id}/pull`);
  assert.equal(refused.status, 502, refused.text);
  assert.equal(refused.body.error.code, 'FEDERATION_PULL_FAILED');
  assert.equal(refused.body.error.details.remoteCode, 'ENTITLEMENT_REVOKED');
  const after = (await adminB.get(`/api/federation/links/${link.id}`)).body;
  assert.equal(after.lastPull.status, 'failed');
  assert.equal((await adminB.get(`/api/datasets/by-resource/${link.localResourceId}`)).body.currentVersion ?? 1, 1);
  const still = await adminB.post(`/api/datasets/${dsB.id}/query`, { limit: 1, total: true });
  assert.equal(still.body.total, 6);
});
