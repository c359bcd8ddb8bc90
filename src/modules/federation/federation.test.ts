// Back-flow between two Shuyuan instances on this machine (issue 6 §7): the province (A) grants the city's
// platform the rows of its own districts; the city (B) accepts the signed package (a tampered or wrongly keyed
// one is refused), pulls through A's gateway, checks the checksum and gets a local version with only its rows.
// A sees every pull in its exchange log; revoking the grant on A stops the next pull, and B's data stays as it was.
// Scheduled pulls: B's link gets a cron schedule whose occurrences are pg-boss jobs that B's workers run (the test
// moves a booked occurrence to now); an unchanged issuer file records "unchanged" and no version, a new version on
// A becomes a new local version, a revoked grant fails the next occurrence with the reason kept on the link.
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { sql } from 'kysely';
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
let datasetA: string;

const OURS = ['350102', '350103'];
const MONTHS = ['2026-07', '2026-08', '2026-09'];

/** Publishes a new version of A's dataset from CSV text. */
async function publishOnA(datasetId: string, csv: string): Promise<void> {
  const file = path.join(a.ctx.datasets.scratchDir, 'federation-fixture.csv');
  await fs.mkdir(path.dirname(file), { recursive: true });
  await fs.writeFile(file, csv + '\n');
  const ingest = await a.ctx.datasets.ingestLocalFile(SYSTEM, datasetId, file, 'fixture.csv', { confirm: (p) => p });
  assert.equal(ingest.status, 'published', JSON.stringify(ingest.error));
}

function fixtureCsv(months: string[]): string {
  return [
    '统计月份,行政区划代码,数量',
    ...months.flatMap((m, i) => [...OURS, '350203', '350583'].map((d, j) => `${m},${d},${100 + i * 10 + j}`)),
  ].join('\n');
}

function expectError(r: { status: number; body: any; text: string }, status: number, code: string) {
  assert.equal(r.status, status, r.text);
  assert.equal(r.body.error.code, code, r.text);
  return r.body.error;
}

/** Polls until fn returns something truthy (jobs run on B's and A's workers; no timing is asserted). */
async function waitFor<T>(what: string, fn: () => Promise<T | undefined | null | false>, ms = 120_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function admin(p: TestPlatform): Promise<TestClient> {
  const c = p.client();
  await c.login('admin', DEMO_PASSWORD);
  return c;
}

before(async () => {
  [a, b] = await Promise.all([
    startTestPlatform({ platformName: '示范省公共数据平台' }),
    // B runs its job workers: scheduled pulls are pg-boss jobs.
    startTestPlatform({ platformName: '示范市公共数据平台' }),
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
  datasetA = ds.id;
  await publishOnA(ds.id, fixtureCsv(MONTHS));
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

test('a pull schedule: occurrences are durable jobs; unchanged data makes no version; a revoked grant fails with the reason kept', async () => {
  // A fresh grant (the first test revoked its own) accepted on B into a new local resource.
  const pkg = (
    await adminA.post('/api/federation/grants', {
      resourceId,
      peerOrgId,
      rowFilter: { field: 'xzqh', values: OURS },
      legalBasis: '《政务数据共享条例》：上级政务数据按需回流下级',
    })
  ).body;
  const linked = await adminB.post('/api/federation/links', {
    package: pkg,
    expectedKeyId: pkg.issuer.keyId,
    localProviderOrgId: await orgId(b.ctx, 'TJ'),
  });
  assert.equal(linked.status, 201, linked.text);
  const link = linked.body;
  assert.equal(link.schedule, null);
  assert.equal(link.consecutiveFailures, 0);
  const schedulePath = `/api/federation/links/${link.id}/schedule`;
  const q = async <T>(query: ReturnType<typeof sql<T>>) => (await query.execute(b.ctx.db)).rows;
  const scheduleJobs = () =>
    q(sql<{ state: string; singleton_key: string; start_after: Date }>`select state, singleton_key, start_after from pgboss.job
      where name = 'federation.schedule' and data->>'linkId' = ${link.id} order by created_on`);
  const pulls = async () => (await adminB.get(`/api/federation/links/${link.id}/pulls`)).body.items as any[];
  const versionsOnB = async () => {
    const d = (await adminB.get(`/api/datasets/by-resource/${link.localResourceId}`)).body;
    return d?.id ? ((await adminB.get(`/api/datasets/${d.id}/versions`)).body.items as any[]) : [];
  };

  // Refused schedules; the authority only.
  expectError(await adminB.put(schedulePath, { cron: 'every hour' }), 400, 'FEDERATION_SCHEDULE_INVALID');
  expectError(await adminB.put(schedulePath, { cron: '61 * * * *' }), 400, 'FEDERATION_SCHEDULE_INVALID');
  const tooOften = expectError(await adminB.put(schedulePath, { cron: '*/30 * * * *' }), 400, 'FEDERATION_SCHEDULE_TOO_FREQUENT');
  assert.equal(tooOften.details.field, 'cron');
  assert.match(tooOften.message, /60 分钟/);
  expectError(await adminB.put(schedulePath, { paused: true }), 400, 'FEDERATION_SCHEDULE_REQUIRED');
  const clerk = b.client();
  await clerk.login('provider', DEMO_PASSWORD);
  assert.equal((await clerk.put(schedulePath, { cron: '0 3 * * *' })).status, 403);
  assert.equal((await clerk.post(`/api/federation/links/${link.id}/pulls`)).status, 403);
  assert.equal((await clerk.get(`/api/federation/links/${link.id}/pulls`)).status, 403);
  assert.deepEqual(await scheduleJobs(), []);

  // Daily at 03:00 China time: the occurrence is one pending pg-boss job.
  let r = await adminB.put(schedulePath, { cron: '0  3 * * *' });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.schedule.cron, '0 3 * * *');
  assert.equal(r.body.schedule.timeZone, 'Asia/Shanghai');
  assert.equal(r.body.schedule.paused, false);
  let due = new Date(r.body.schedule.nextRunAt);
  assert.ok(due.getTime() > Date.now());
  assert.equal(due.getUTCHours(), 19); // 03:00 in Beijing
  let jobs = await scheduleJobs();
  assert.deepEqual(
    jobs.map((j) => [j.state, j.singleton_key, j.start_after.toISOString()]),
    [['created', `${link.id}@${due.toISOString()}`, due.toISOString()]],
  );

  /** Moves the booked occurrence to now; B's worker runs it, which queues a pull that B's worker runs too. */
  const fire = async (before: number) => {
    const moved = await sql`update pgboss.job set start_after = now()
      where name = 'federation.schedule' and singleton_key = ${`${link.id}@${due.toISOString()}`} and state = 'created'`.execute(b.ctx.db);
    assert.equal(Number(moved.numAffectedRows), 1);
    const items = await waitFor('the scheduled pull to finish', async () => {
      const p = await pulls();
      return p.length > before && !['queued', 'running'].includes(p[0].status) ? p : null;
    });
    const view = (await adminB.get(`/api/federation/links/${link.id}`)).body;
    assert.ok(new Date(view.schedule.nextRunAt) > due, 'the next occurrence is booked');
    due = new Date(view.schedule.nextRunAt);
    return { pull: items[0], view };
  };

  // First occurrence: a pull by the schedule, version 1 on B.
  let fired = await fire(0);
  assert.equal(fired.pull.status, 'ok', JSON.stringify(fired.pull));
  assert.equal(fired.pull.trigger, 'schedule');
  assert.equal(fired.pull.localVersion, 1);
  assert.equal(fired.pull.rows, OURS.length * MONTHS.length);
  assert.match(fired.pull.sha256, /^[0-9a-f]{64}$/);
  assert.equal(fired.view.lastPull.status, 'ok');
  assert.equal(fired.view.localDataset.currentVersion, 1);
  assert.equal((await versionsOnB()).length, 1);

  // Second occurrence, A unchanged: the same file, recorded as unchanged, no new version.
  fired = await fire(1);
  assert.equal(fired.pull.status, 'unchanged', JSON.stringify(fired.pull));
  assert.equal(fired.pull.localVersion, 1);
  assert.equal(fired.view.lastPull.status, 'unchanged');
  assert.equal(fired.view.localDataset.currentVersion, 1);
  assert.equal((await versionsOnB()).length, 1);

  // A publishes a month more; "pull now" (a queued job like an occurrence) brings version 2.
  await publishOnA(datasetA, fixtureCsv([...MONTHS, '2026-10']));
  const queued = await adminB.post(`/api/federation/links/${link.id}/pulls`);
  assert.equal(queued.status, 202, queued.text);
  const now = await waitFor('the queued pull to finish', async () => {
    const p = await pulls();
    return p[0].id === queued.body.pullId && !['queued', 'running'].includes(p[0].status) ? p[0] : null;
  });
  assert.equal(now.status, 'ok', JSON.stringify(now));
  assert.equal(now.trigger, 'manual');
  assert.equal(now.jobId, queued.body.jobId);
  assert.equal(now.localVersion, 2);
  assert.equal(now.rows, OURS.length * (MONTHS.length + 1));
  assert.equal((await versionsOnB()).length, 2);

  // Skip-if-running: while a pull of the link runs, "pull now" is refused and an occurrence is skipped.
  const [running] = await q(sql<{ id: string }>`insert into federation_pulls (link_id, trigger, status, started_at, heartbeat_at)
    values (${link.id}, 'manual', 'running', now(), now()) returning id`);
  expectError(await adminB.post(`/api/federation/links/${link.id}/pulls`), 409, 'FEDERATION_PULL_IN_PROGRESS');
  expectError(await adminB.post(`/api/federation/links/${link.id}/pull`), 409, 'FEDERATION_PULL_IN_PROGRESS');
  assert.equal((await adminB.get(`/api/federation/links/${link.id}`)).body.activePull.id, running!.id);
  const countBefore = (await pulls()).length;
  await sql`update pgboss.job set start_after = now()
    where name = 'federation.schedule' and singleton_key = ${`${link.id}@${due.toISOString()}`} and state = 'created'`.execute(b.ctx.db);
  const skipped = await waitFor('the occurrence to be skipped', async () => {
    const p = await pulls();
    return p.length > countBefore ? p.find((x) => x.status === 'skipped') : null;
  });
  assert.equal(skipped.trigger, 'schedule');
  due = new Date((await adminB.get(`/api/federation/links/${link.id}`)).body.schedule.nextRunAt);
  // A pull whose process died (no heartbeat for long) no longer blocks: it is closed as interrupted.
  await sql`update federation_pulls set heartbeat_at = now() - interval '1 hour' where id = ${running!.id}`.execute(b.ctx.db);
  const claimed = await b.ctx.federation.handleSchedule({ linkId: link.id, due: due.toISOString() });
  assert.ok((claimed as { queued?: string }).queued, JSON.stringify(claimed));
  const closed = (await pulls()).find((x) => x.id === running!.id);
  assert.equal(closed.status, 'failed');
  assert.equal(closed.error.reason, 'interrupted');
  const third = await waitFor('the pull after the interrupted one', async () => {
    const p = await pulls();
    return p[0].id === (claimed as { queued: string }).queued && !['queued', 'running'].includes(p[0].status) ? p[0] : null;
  });
  assert.equal(third.status, 'unchanged', JSON.stringify(third));
  due = new Date((await adminB.get(`/api/federation/links/${link.id}`)).body.schedule.nextRunAt);
  // A stale occurrence (no longer the booked one) does nothing.
  assert.deepEqual(await b.ctx.federation.handleSchedule({ linkId: link.id, due: new Date(0).toISOString() }), { stale: true });

  // Pause: the booked occurrence is cancelled; resume books a new one.
  r = await adminB.put(schedulePath, { paused: true });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.schedule.paused, true);
  assert.equal(r.body.schedule.nextRunAt, null);
  jobs = await scheduleJobs();
  assert.ok(!jobs.some((j) => j.state === 'created'), JSON.stringify(jobs));
  r = await adminB.put(schedulePath, { paused: false });
  assert.equal(r.body.schedule.paused, false);
  due = new Date(r.body.schedule.nextRunAt);
  jobs = await scheduleJobs();
  assert.deepEqual(
    jobs.filter((j) => j.state === 'created').map((j) => j.singleton_key),
    [`${link.id}@${due.toISOString()}`],
  );

  // Revoked on A: the next occurrence fails with the issuer's refusal, recorded on the link; the schedule stays.
  await a.ctx.entitlements.setState(SYSTEM, pkg.grant.entitlementId, 'revoked', '回流测试：撤销');
  const before = (await pulls()).length;
  fired = await fire(before);
  assert.equal(fired.pull.status, 'failed', JSON.stringify(fired.pull));
  assert.equal(fired.pull.error.reason, 'remote_refused');
  assert.equal(fired.pull.error.status, 403);
  assert.equal(fired.pull.error.remoteCode, 'ENTITLEMENT_REVOKED');
  assert.equal(fired.pull.localVersion, null);
  assert.equal(fired.view.lastPull.status, 'failed');
  assert.equal(fired.view.lastPull.error, 'remote_refused');
  assert.equal(fired.view.consecutiveFailures, 1);
  assert.equal(fired.view.lastError.remoteCode, 'ENTITLEMENT_REVOKED');
  assert.ok(fired.view.lastError.at);
  assert.ok(fired.view.lastSuccessAt);
  assert.equal(fired.view.schedule.cron, '0 3 * * *');
  assert.equal(fired.view.localDataset.currentVersion, 2);
  assert.equal((await versionsOnB()).length, 2);
  // A second failure counts on.
  fired = await fire(before + 1);
  assert.equal(fired.pull.status, 'failed');
  assert.equal(fired.view.consecutiveFailures, 2);

  // Removing the schedule cancels the booked occurrence.
  r = await adminB.put(schedulePath, { cron: null });
  assert.equal(r.body.schedule, null);
  assert.ok(!(await scheduleJobs()).some((j) => j.state === 'created'));

  // Every schedule change and pull is in B's ledger.
  const ledger = await q(sql<{ action: string; details: any }>`select action, details from ledger_entries
    where object_id = ${link.id} order by seq`);
  const actions = ledger.map((l) => l.action);
  assert.deepEqual(
    actions.filter((x) => x.startsWith('federation.schedule')),
    Array(4).fill('federation.schedule.update'),
  );
  assert.deepEqual(
    actions.filter((x) => x.startsWith('federation.pull')),
    [
      'federation.pull',
      'federation.pull.unchanged',
      'federation.pull.request',
      'federation.pull',
      'federation.pull.unchanged',
      'federation.pull.fail',
      'federation.pull.fail',
    ],
  );
  const pause = ledger.find((l) => l.action === 'federation.schedule.update' && l.details.to.paused);
  assert.deepEqual(pause!.details.from, { cron: '0 3 * * *', paused: false });
  assert.equal(ledger.find((l) => l.action === 'federation.pull.fail')!.details.remoteCode, 'ENTITLEMENT_REVOKED');
});
