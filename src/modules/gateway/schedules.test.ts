// Scheduled bulk delivery (定时交付) on a seeded platform (real PostgreSQL, DuckDB, Parquet files, pg-boss jobs): a
// consumer application's schedule on a resource it holds a bulk grant on; the occurrence job fires (moved to now, run
// by pg-boss's worker), books the next one and delivers a file whose SHA-256 is in the manifest; an incremental run
// delivers exactly the rows the new version adds or changes; a run without a new version records "no change" and
// writes no file; a revoked grant fails the run with the reason and marks the schedule failing, no file; one run at
// a time; pause / resume / delete with the pending occurrence cancelled and booked again, each in the ledger;
// validation (bad and too-frequent cron, missing application, business reference); other organizations get 404.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CompiledQuery, sql } from 'kysely';
import { resourceIdByName, signedFetch, startTestPlatform, TestClient, type TestPlatform } from '../../../test/helpers.ts';
import { SYSTEM } from '../identity/actor.ts';
import type { NewEntitlement } from '../entitlements/repository.ts';
import { baseGrant, granter, signIn as signInAs } from '../entitlements/testkit.ts';
import { checkCron, MIN_INTERVAL_MINUTES, OCCURRENCE_QUEUE } from './schedules.ts';

let p: TestPlatform;
let consumer: TestClient;
let provider: TestClient;
let operator: TestClient;
let admin: TestClient;
let firmsId: string;
let firmsProvider: string;
let datasetId: string;
let consumerOrgId: string;
let appId: string;
let key: { appKey: string; appSecret: string; id: string };

const BASE = '/api/gateway/extract-schedules';

const signIn = (username: string) => signInAs(p, username);

/** A signed machine call (AppKey/AppSecret HMAC), as the consumer's system makes it. */
const signed = (method: string, url: string, body?: unknown) => signedFetch(p.url, key, method, url, body);

const revoke = (id: string) => p.ctx.entitlements.setState(SYSTEM, id, 'revoked', '测试结束');

/** A new grant on the registry; the live ones of earlier tests are revoked first (a failed test leaves none behind). */
async function grant(over: Partial<NewEntitlement> = {}) {
  const live = await q<{ id: string }>(`select id from entitlements where resource_id = $1 and state in ('active', 'suspended')`, [
    firmsId,
  ]);
  for (const e of live) await revoke(e.id);
  return granter(p, () => ({
    ...baseGrant({ holderOrgId: consumerOrgId, resourceId: firmsId, providerOrgId: firmsProvider }),
    holderApplicationId: appId,
    fields: ['tyshxydm', 'qymc', 'djzt'],
    actions: ['bulk'],
    purpose: '就业补贴企业资格核验（定时交付）',
    scenario: '就业补贴审核',
    legalBasis: '《就业促进法》第十五条',
    conditions: { clearFields: ['tyshxydm'] },
  }))(over);
}

async function q<T>(text: string, params: unknown[] = []): Promise<T[]> {
  return (await p.ctx.db.executeQuery<T>(CompiledQuery.raw(text, params))).rows;
}

/** Polls the schedule's runs until `pick` finds one (pg-boss runs the jobs; bounded so a broken run fails the test). */
async function waitForRun(scheduleId: string, pick: (r: any) => boolean, what: string): Promise<any> {
  for (let i = 0; i < 600; i++) {
    const res = await consumer.get(`${BASE}/${scheduleId}/runs?limit=50`);
    assert.equal(res.status, 200, res.text);
    const hit = res.body.items.find(pick);
    if (hit) return hit;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

const finished = (r: any) => !['queued', 'running'].includes(r.state);

async function ledger(objectId: string): Promise<string[]> {
  const rows = await q<{ action: string }>(`select action from ledger_entries where object_id = $1 order by seq`, [objectId]);
  return rows.map((r) => r.action);
}

/** CSV data lines (header dropped), sorted: a file's rows as a multiset. */
const csvRows = (bytes: Buffer) => bytes.toString('utf8').trim().split('\n').slice(1).sort();

before(async () => {
  p = await startTestPlatform();
  [consumer, provider, operator, admin] = (await Promise.all(['consumer', 'provider', 'operator', 'admin'].map(signIn))) as [
    TestClient,
    TestClient,
    TestClient,
    TestClient,
  ];
  consumerOrgId = (await consumer.get('/api/auth/me')).body.org.id;
  firmsId = await resourceIdByName(admin, '市场主体登记信息');
  firmsProvider = (await p.ctx.catalog.get(SYSTEM, firmsId)).providerOrg.id;
  // Only the grants each test makes open the resource (as in gateway.test.ts).
  await sql`update catalog_resources set share_mode = 'conditional' where id = ${firmsId}`.execute(p.ctx.db);
  await sql`update entitlements set state = 'revoked', state_reason = 'test' where resource_id = ${firmsId}`.execute(p.ctx.db);
  datasetId = (await admin.get(`/api/datasets/by-resource/${firmsId}`)).body.id;
  const created = await consumer.post('/api/applications', { name: '定时交付接收系统' });
  assert.equal(created.status, 201, created.text);
  appId = created.body.id;
  const k = await consumer.post(`/api/applications/${appId}/keys`, { name: '生产环境' });
  assert.equal(k.status, 201, k.text);
  key = k.body;
});
after(() => p?.close());

describe('scheduled bulk delivery', () => {
  it('checks the cron expression: five fields, valid, at least an hour between runs', () => {
    assert.equal(MIN_INTERVAL_MINUTES, 60);
    assert.equal(checkCron(' 0  2 * * * '), '0 2 * * *');
    assert.equal(checkCron('0 * * * *'), '0 * * * *');
    assert.throws(() => checkCron('*/30 * * * *'), { code: 'EXTRACT_SCHEDULE_TOO_FREQUENT' });
    assert.throws(() => checkCron('0,30 2 * * *'), { code: 'EXTRACT_SCHEDULE_TOO_FREQUENT' });
    assert.throws(() => checkCron('0 2 * *'), { code: 'EXTRACT_SCHEDULE_CRON_INVALID' });
    assert.throws(() => checkCron('61 2 * * *'), { code: 'EXTRACT_SCHEDULE_CRON_INVALID' });
  });

  it('refuses bad input with a stable code naming the field, in Chinese and English', async () => {
    const e = await grant({ conditions: { clearFields: ['tyshxydm'], businessRefRequired: true } });
    const body = { resourceId: firmsId, applicationId: appId, cron: '0 2 * * *', mode: 'incremental', format: 'csv' };
    const bad = await consumer.post(BASE, { ...body, cron: 'every day at two' });
    assert.equal(bad.status, 400, bad.text);
    assert.equal(bad.body.error.code, 'EXTRACT_SCHEDULE_CRON_INVALID');
    assert.equal(bad.body.error.details.field, 'cron');
    assert.match(bad.body.error.message, /cron/);
    const fast = await consumer.post(BASE, { ...body, cron: '*/10 * * * *' });
    assert.equal(fast.status, 400, fast.text);
    assert.equal(fast.body.error.code, 'EXTRACT_SCHEDULE_TOO_FREQUENT');
    assert.equal(fast.body.error.details.field, 'cron');
    assert.equal(fast.body.error.details.minIntervalMinutes, 60);
    assert.match(fast.body.error.message, /至少间隔 60 分钟/);
    const en = await consumer.post(BASE, { ...body, cron: '*/10 * * * *' }, { 'accept-language': 'en' });
    assert.match(en.body.error.message, /at least 60 minutes apart/);
    const noApp = await consumer.post(BASE, { ...body, applicationId: undefined });
    assert.equal(noApp.status, 400, noApp.text);
    assert.equal(noApp.body.error.code, 'EXTRACT_SCHEDULE_APPLICATION_REQUIRED');
    assert.equal(noApp.body.error.details.field, 'applicationId');
    const mode = await consumer.post(BASE, { ...body, mode: 'weekly' });
    assert.equal(mode.status, 400, mode.text);
    assert.equal(mode.body.error.code, 'VALIDATION_FAILED');
    const wrongKey = await consumer.post(BASE, { ...body, apiKeyId: '00000000-0000-4000-8000-000000000000', businessRef: 'BJ-1' });
    assert.equal(wrongKey.status, 400, wrongKey.text);
    assert.equal(wrongKey.body.error.code, 'EXTRACT_SCHEDULE_KEY_INVALID');
    assert.equal(wrongKey.body.error.details.field, 'apiKeyId');
    // The grant requires a business reference: asked of the PDP as the runs will ask it.
    const noRef = await consumer.post(BASE, body);
    assert.equal(noRef.status, 400, noRef.text);
    assert.equal(noRef.body.error.code, 'BUSINESS_REF_REQUIRED');
    assert.equal(noRef.body.error.details.field, 'businessRef');
    await revoke(e.id);
    // Without a (live) bulk grant: refused.
    const noGrant = await consumer.post(BASE, { ...body, businessRef: 'BJ-1' });
    assert.equal(noGrant.status, 403, noGrant.text);
    // Another organization's application: 404, as if it did not exist.
    const foreign = await operator.post(BASE, body);
    assert.equal(foreign.status, 404, foreign.text);
    assert.equal(foreign.body.error.code, 'APPLICATION_NOT_FOUND');
    const n = await q<{ n: number }>('select count(*)::int as n from gateway_extract_schedules');
    assert.equal(n[0]!.n, 0, 'nothing was created');
  });

  it('fires on its cron: a full first run with file and manifest checksum, then only the new rows, then no change', async () => {
    const e = await grant();
    // The demo dataset has two versions; v1 is made current again so the schedule sees a later version arrive.
    const d0 = (await admin.get(`/api/datasets/by-resource/${firmsId}`)).body;
    const latest: number = d0.currentVersion;
    assert.ok(latest >= 2, 'the demo dataset has an earlier version');
    const rb = await admin.post(`/api/datasets/${datasetId}/rollback`, { version: 1, comment: '定时交付测试：回到第 1 版' });
    assert.equal(rb.status, 200, rb.text);
    const firstVersion: number = rb.body.version;

    const created = await consumer.post(BASE, {
      resourceId: firmsId,
      applicationId: appId,
      name: '每日增量',
      cron: '0 2 * * *',
      mode: 'incremental',
      format: 'csv',
    });
    assert.equal(created.status, 201, created.text);
    const s = created.body;
    assert.equal(s.state, 'active');
    assert.equal(s.apiKeyId, key.id, "the application's key the runs act as");
    assert.equal(s.entitlementId, e.id);
    assert.equal(s.timeZone, 'Asia/Shanghai');
    const due = new Date(s.nextRunAt);
    assert.ok(due.getTime() > Date.now());
    assert.equal(due.getUTCHours(), 18, '02:00 in Beijing');
    assert.equal(due.getUTCMinutes(), 0);
    assert.deepEqual(await ledger(s.id), ['extract_schedule.create']);

    // One durable occurrence job, at the cron's next time.
    const jobsOf = () =>
      q<{ state: string; singleton_key: string; start_after: Date }>(
        `select state, singleton_key, start_after from pgboss.job where name = $1 and data->>'scheduleId' = $2 order by created_on`,
        [OCCURRENCE_QUEUE, s.id],
      );
    let jobs = await jobsOf();
    assert.deepEqual(
      jobs.map((j) => [j.state, j.singleton_key, j.start_after.toISOString()]),
      [['created', `${s.id}@${due.toISOString()}`, due.toISOString()]],
    );

    // The occurrence comes due (its job moved to now; pg-boss's worker runs it).
    await q(`update pgboss.job set start_after = now() where name = $1 and singleton_key = $2 and state = 'created'`, [
      OCCURRENCE_QUEUE,
      `${s.id}@${due.toISOString()}`,
    ]);
    const run1 = await waitForRun(s.id, (r) => r.trigger === 'schedule' && finished(r), 'the scheduled run');
    assert.equal(run1.state, 'done', JSON.stringify(run1));
    assert.equal(run1.dueAt, due.toISOString());
    assert.equal(run1.mode, 'full', 'the first run of an incremental schedule is full');
    assert.equal(run1.version, firstVersion);
    assert.ok(run1.rowCount > 0);
    // The next occurrence is booked.
    const after1 = (await consumer.get(`${BASE}/${s.id}`)).body;
    assert.ok(new Date(after1.nextRunAt) > due);
    assert.equal(after1.lastVersion, firstVersion);
    assert.equal(after1.lastRunState, 'done');
    jobs = await jobsOf();
    assert.deepEqual(
      jobs.map((j) => j.state),
      ['completed', 'created'],
    );
    assert.equal(jobs[1]!.start_after.toISOString(), after1.nextRunAt);

    // The file (through the clerk's session, as the page links it) and its manifest agree.
    const file1 = await fetch(p.url + run1.fileUrl, { headers: { cookie: [...consumer.cookies].map(([k, v]) => `${k}=${v}`).join('; ') } });
    assert.equal(file1.status, 200);
    const bytes1 = Buffer.from(await file1.arrayBuffer());
    const manifest1 = await consumer.get(run1.manifestUrl);
    assert.equal(manifest1.status, 200, manifest1.text);
    const sum1 = createHash('sha256').update(bytes1).digest('hex');
    assert.equal(sum1, manifest1.body.sha256);
    assert.equal(sum1, run1.sha256);
    assert.equal(bytes1.length, run1.bytes);
    assert.equal(manifest1.body.rowCount, run1.rowCount);
    assert.equal(csvRows(bytes1).length, run1.rowCount);
    assert.equal(manifest1.body.version, firstVersion);
    assert.equal(manifest1.body.entitlement, e.id);
    assert.deepEqual(
      manifest1.body.fields.map((f: { name: string }) => f.name).sort(),
      ['企业名称', '登记状态', '统一社会信用代码'].sort(),
    );
    assert.ok(!bytes1.toString('utf8').includes('法定代表人'), 'ungranted fields are not delivered');

    // The run went through the gate as the application: an exchange-log row bound to the grant.
    const [logged] = await q<any>(`select * from gateway_log where message_id = $1`, [run1.messageId]);
    assert.equal(logged.service, 'extract');
    assert.equal(logged.outcome, 'ok');
    assert.equal(logged.application_id, appId);
    assert.equal(logged.api_key_id, key.id);
    assert.equal(logged.entitlement_id, e.id);
    assert.equal(logged.detail.scheduleId, s.id);
    const reads = await q<{ n: number }>(
      `select count(*)::int as n from ledger_entries where action = 'dataset.read' and object_id = $1 and details->>'entitlement' = $2`,
      [datasetId, e.id],
    );
    assert.equal(reads[0]!.n, 1, 'the read is in the ledger');

    // A new version arrives: the next run delivers exactly the rows it adds or changes.
    const rb2 = await admin.post(`/api/datasets/${datasetId}/rollback`, { version: latest, comment: '定时交付测试：回到最新版' });
    assert.equal(rb2.status, 200, rb2.text);
    const secondVersion: number = rb2.body.version;
    const now2 = await consumer.post(`${BASE}/${s.id}/run`);
    assert.equal(now2.status, 202, now2.text);
    assert.equal(now2.body.state, 'queued');
    const run2 = await waitForRun(s.id, (r) => r.id === now2.body.id && finished(r), 'the second run');
    assert.equal(run2.state, 'done', JSON.stringify(run2));
    assert.equal(run2.trigger, 'manual');
    assert.equal(run2.mode, 'incremental');
    assert.equal(run2.sinceVersion, firstVersion);
    assert.equal(run2.version, secondVersion);
    const file2 = await signed('GET', run2.fileUrl);
    assert.equal(file2.status, 200);
    assert.equal(createHash('sha256').update(file2.bytes).digest('hex'), run2.sha256);
    // Expected: the full current version (an on-demand extract) minus the first delivery, as multisets of rows.
    const full = await signed('POST', `/api/gateway/v1/resources/${firmsId}/extracts`, { mode: 'full', format: 'csv' });
    assert.equal(full.status, 202, full.text);
    let fullState = full.body;
    for (let i = 0; i < 600 && !['done', 'failed'].includes(fullState.state); i++) {
      await new Promise((r) => setTimeout(r, 100));
      fullState = (await signed('GET', `/api/gateway/v1/resources/${firmsId}/extracts/${full.body.id}`)).body;
    }
    assert.equal(fullState.state, 'done');
    const fullRows = csvRows((await signed('GET', `/api/gateway/v1/resources/${firmsId}/extracts/${full.body.id}/file`)).bytes);
    const remaining = new Map<string, number>();
    for (const r of csvRows(bytes1)) remaining.set(r, (remaining.get(r) ?? 0) + 1);
    const expected = fullRows.filter((r) => {
      const n = remaining.get(r) ?? 0;
      if (n > 0) remaining.set(r, n - 1);
      return n === 0;
    });
    assert.ok(expected.length > 0 && expected.length < fullRows.length);
    assert.deepEqual(csvRows(file2.bytes), expected);
    assert.equal(run2.rowCount, expected.length);

    // Nothing new since: no file, no extract, "no change" recorded.
    const extracts = async () => (await q<{ n: number }>('select count(*)::int as n from gateway_extracts'))[0]!.n;
    const before3 = await extracts();
    const now3 = await consumer.post(`${BASE}/${s.id}/run`);
    assert.equal(now3.status, 202, now3.text);
    const run3 = await waitForRun(s.id, (r) => r.id === now3.body.id && finished(r), 'the third run');
    assert.equal(run3.state, 'no_change', JSON.stringify(run3));
    assert.equal(run3.version, secondVersion);
    assert.equal(run3.extractId, null);
    assert.equal(run3.fileUrl, null);
    assert.equal(await extracts(), before3, 'no extract was made');
    const [log3] = await q<any>(`select * from gateway_log where message_id = $1`, [run3.messageId]);
    assert.equal(log3.outcome, 'ok');
    assert.equal(log3.detail.noChange, true);
    assert.equal(log3.row_count, 0);
    const after3 = (await consumer.get(`${BASE}/${s.id}`)).body;
    assert.equal(after3.lastVersion, secondVersion);
    assert.equal(after3.lastRunState, 'no_change');
    assert.deepEqual(await ledger(s.id), ['extract_schedule.create', 'extract_schedule.run', 'extract_schedule.run']);
    assert.equal((await consumer.delete(`${BASE}/${s.id}`)).status, 204);
    await revoke(e.id);
  });

  it('one run at a time: a run-now or an occurrence while a run is queued or running is refused or skipped', async () => {
    const e = await grant();
    const s = (
      await consumer.post(BASE, { resourceId: firmsId, applicationId: appId, cron: '30 3 * * 1', mode: 'full', format: 'parquet' })
    ).body;
    assert.ok(s.id, JSON.stringify(s));
    // A run in flight (as another process would hold it).
    await q(`insert into gateway_extract_schedule_runs (schedule_id, trigger, state, started_at) values ($1, 'manual', 'running', now())`, [
      s.id,
    ]);
    const again = await consumer.post(`${BASE}/${s.id}/run`);
    assert.equal(again.status, 409, again.text);
    assert.equal(again.body.error.code, 'EXTRACT_SCHEDULE_RUN_IN_PROGRESS');
    const out = (await p.ctx.extractSchedules.handleOccurrence({ scheduleId: s.id, due: s.nextRunAt })) as {
      queued: string | null;
      next: string;
    };
    assert.equal(out.queued, null);
    const runs = (await consumer.get(`${BASE}/${s.id}/runs`)).body.items;
    const skipped = runs.find((r: any) => r.state === 'skipped');
    assert.ok(skipped, JSON.stringify(runs));
    assert.equal(skipped.error.code, 'EXTRACT_SCHEDULE_RUN_IN_PROGRESS');
    assert.equal(skipped.dueAt, s.nextRunAt);
    const now = (await consumer.get(`${BASE}/${s.id}`)).body;
    assert.equal(now.nextRunAt, out.next, 'the next occurrence is booked all the same');
    assert.ok(new Date(now.nextRunAt) > new Date(s.nextRunAt));
    // A stale occurrence (not the booked time) does nothing.
    assert.deepEqual(await p.ctx.extractSchedules.handleOccurrence({ scheduleId: s.id, due: s.nextRunAt }), { stale: true });
    await q(`update gateway_extract_schedule_runs set state = 'failed' where schedule_id = $1 and state = 'running'`, [s.id]);
    await consumer.delete(`${BASE}/${s.id}`);
    await revoke(e.id);
  });

  it('pause, resume and delete: the pending occurrence is cancelled and booked again; each change is in the ledger', async () => {
    const e = await grant();
    const s = (await consumer.post(BASE, { resourceId: firmsId, applicationId: appId, cron: '0 2 1 * *', mode: 'full' })).body;
    assert.equal(s.format, 'csv');
    const pending = async () =>
      (
        await q<{ n: number }>(
          `select count(*)::int as n from pgboss.job where name = $1 and data->>'scheduleId' = $2 and state = 'created'`,
          [OCCURRENCE_QUEUE, s.id],
        )
      )[0]!.n;
    assert.equal(await pending(), 1);
    const paused = await consumer.post(`${BASE}/${s.id}/pause`);
    assert.equal(paused.status, 200, paused.text);
    assert.equal(paused.body.state, 'paused');
    assert.equal(paused.body.nextRunAt, null);
    assert.equal(await pending(), 0, 'the pending occurrence is cancelled');
    assert.equal((await consumer.post(`${BASE}/${s.id}/pause`)).body.error.code, 'EXTRACT_SCHEDULE_PAUSED');
    const run = await consumer.post(`${BASE}/${s.id}/run`);
    assert.equal(run.status, 409);
    assert.equal(run.body.error.code, 'EXTRACT_SCHEDULE_PAUSED');
    const resumed = await consumer.post(`${BASE}/${s.id}/resume`);
    assert.equal(resumed.status, 200, resumed.text);
    assert.equal(resumed.body.state, 'active');
    assert.equal(new Date(resumed.body.nextRunAt).getUTCHours(), 18, 'the 1st at 02:00 Beijing time (the day before, 18:00 UTC)');
    assert.equal(await pending(), 1);
    const del = await consumer.delete(`${BASE}/${s.id}`);
    assert.equal(del.status, 204, del.text);
    assert.equal((await consumer.get(`${BASE}/${s.id}`)).status, 404);
    assert.equal(await pending(), 0);
    assert.deepEqual(await ledger(s.id), [
      'extract_schedule.create',
      'extract_schedule.pause',
      'extract_schedule.resume',
      'extract_schedule.delete',
    ]);
    await revoke(e.id);
  });

  it('a revoked grant: the run fails with the reason, no file is delivered, the schedule is marked failing; a new grant recovers it', async () => {
    const e = await grant();
    const s = (await consumer.post(BASE, { resourceId: firmsId, applicationId: appId, cron: '0 6 * * *', mode: 'full' })).body;
    assert.equal(s.state, 'active');
    await revoke(e.id);
    const dir = path.join(p.dataDir, 'gateway', 'extracts');
    const files = async () => (await fs.readdir(dir).catch(() => [])).length;
    const extracts = async () => (await q<{ n: number }>('select count(*)::int as n from gateway_extracts'))[0]!.n;
    const [filesBefore, extractsBefore] = [await files(), await extracts()];
    const now = await consumer.post(`${BASE}/${s.id}/run`);
    assert.equal(now.status, 202, now.text);
    const run = await waitForRun(s.id, (r) => r.id === now.body.id && finished(r), 'the refused run');
    assert.equal(run.state, 'failed', JSON.stringify(run));
    assert.equal(run.error.code, 'ENTITLEMENT_REVOKED');
    assert.ok(run.error.message.length > 0);
    assert.equal(run.extractId, null);
    assert.equal(run.fileUrl, null);
    assert.equal(await extracts(), extractsBefore, 'no extract');
    assert.equal(await files(), filesBefore, 'no file');
    const failing = (await consumer.get(`${BASE}/${s.id}`)).body;
    assert.equal(failing.state, 'failing');
    assert.equal(failing.lastError.code, 'ENTITLEMENT_REVOKED');
    assert.equal(failing.lastRunState, 'failed');
    assert.ok(failing.nextRunAt, 'it keeps its schedule');
    const [logged] = await q<any>(`select * from gateway_log where message_id = $1`, [run.messageId]);
    assert.equal(logged.outcome, 'refused');
    assert.equal(logged.error_code, 'ENTITLEMENT_REVOKED');
    assert.equal(logged.detail.scheduleId, s.id);
    // Renewed: the next run delivers and the schedule is active again.
    const e2 = await grant();
    const again = await consumer.post(`${BASE}/${s.id}/run`);
    const ok = await waitForRun(s.id, (r) => r.id === again.body.id && finished(r), 'the run after renewal');
    assert.equal(ok.state, 'done', JSON.stringify(ok));
    const recovered = (await consumer.get(`${BASE}/${s.id}`)).body;
    assert.equal(recovered.state, 'active');
    assert.equal(recovered.lastError, null);
    assert.deepEqual(await ledger(s.id), [
      'extract_schedule.create',
      'extract_schedule.run',
      'extract_schedule.failing',
      'extract_schedule.run',
      'extract_schedule.recovered',
    ]);
    await consumer.delete(`${BASE}/${s.id}`);
    await revoke(e2.id);
  });

  it('a disabled application: its key no longer acts, the run fails with the reason and delivers nothing', async () => {
    const e = await grant();
    const s = (await consumer.post(BASE, { resourceId: firmsId, applicationId: appId, cron: '0 7 * * *', mode: 'full' })).body;
    assert.equal((await consumer.patch(`/api/applications/${appId}`, { state: 'disabled' })).status, 200);
    try {
      const now = await consumer.post(`${BASE}/${s.id}/run`);
      assert.equal(now.status, 202, now.text);
      const run = await waitForRun(s.id, (r) => r.id === now.body.id && finished(r), 'the run of a disabled application');
      assert.equal(run.state, 'failed', JSON.stringify(run));
      assert.equal(run.error.code, 'EXTRACT_SCHEDULE_KEY_INVALID');
      assert.equal(run.extractId, null);
      assert.equal((await consumer.get(`${BASE}/${s.id}`)).body.state, 'failing');
    } finally {
      assert.equal((await consumer.patch(`/api/applications/${appId}`, { state: 'active' })).status, 200);
    }
    await consumer.delete(`${BASE}/${s.id}`);
    await revoke(e.id);
  });

  it('authorization: other organizations get 404 for everything; the authority views; the application manages its own with signed calls', async () => {
    const e = await grant();
    // The application itself schedules a delivery with a signed call (acting as its own key).
    const mine = await signed('POST', BASE, { resourceId: firmsId, cron: '15 1 * * *', mode: 'incremental' });
    assert.equal(mine.status, 201, mine.text);
    const s = mine.body;
    assert.equal(s.applicationId, appId);
    assert.equal(s.apiKeyId, key.id);
    const listed = await signed('GET', BASE);
    assert.ok(listed.body.items.some((x: { id: string }) => x.id === s.id));
    assert.ok((await consumer.get(BASE)).body.items.some((x: { id: string }) => x.id === s.id));
    for (const c of [operator, provider]) {
      assert.equal((await c.get(`${BASE}/${s.id}`)).status, 404);
      assert.equal((await c.get(`${BASE}/${s.id}`)).body.error.code, 'EXTRACT_SCHEDULE_NOT_FOUND');
      assert.equal((await c.get(`${BASE}/${s.id}/runs`)).status, 404);
      assert.equal((await c.post(`${BASE}/${s.id}/pause`)).status, 404);
      assert.equal((await c.post(`${BASE}/${s.id}/resume`)).status, 404);
      assert.equal((await c.post(`${BASE}/${s.id}/run`)).status, 404);
      assert.equal((await c.delete(`${BASE}/${s.id}`)).status, 404);
      assert.ok(!(await c.get(BASE)).body.items.some((x: { id: string }) => x.id === s.id));
    }
    assert.equal((await consumer.get(`${BASE}/not-an-id`)).status, 404);
    assert.equal((await consumer.get(`${BASE}/00000000-0000-4000-8000-000000000000`)).status, 404);
    // The data authority views, and changes nothing.
    assert.equal((await admin.get(`${BASE}/${s.id}`)).status, 200);
    assert.equal((await admin.get(`${BASE}/${s.id}/runs`)).status, 200);
    for (const verb of ['pause', 'run']) {
      const r = await admin.post(`${BASE}/${s.id}/${verb}`);
      assert.equal(r.status, 403, r.text);
      assert.equal(r.body.error.code, 'FORBIDDEN');
    }
    assert.equal((await admin.delete(`${BASE}/${s.id}`)).status, 403);
    assert.ok((await admin.get(BASE)).body.items.some((x: { id: string }) => x.id === s.id));
    // Still there and unchanged after the attempts.
    const still = (await consumer.get(`${BASE}/${s.id}`)).body;
    assert.equal(still.state, 'active');
    assert.deepEqual(await ledger(s.id), ['extract_schedule.create']);
    const del = await signed('DELETE', `${BASE}/${s.id}`);
    assert.equal(del.status, 204, del.text);
    await revoke(e.id);
  });
});
