// Registration (登记) through the HTTP API on a real PostgreSQL: the workflow with working-day deadlines
// (National Day 2025 in the way), the notice ending through the deadline handler, objections, overdue flags,
// refused transitions, the certificate and its public lookup, visibility between organizations, settings.
// The deadline handlers are called directly here (workers off); registration.jobs.test.ts lets pg-boss fire them.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { startTestPlatform, type TestClient, type TestPlatform } from '../../../test/helpers.ts';
import { SYSTEM } from '../identity/actor.ts';
import { DEMO_PASSWORD } from '../identity/service.ts';
import { canonicalJson, contentHash } from './certificate.ts';
import { createPublishedResource } from './test-fixtures.ts';

let p: TestPlatform;
let admin: TestClient;
let provider: TestClient;
let otherProvider: TestClient;
let consumer: TestClient;
let anon: TestClient;

/** Friday 26 September 2025, 10:00 in China: the next working days are Sun 28 Sep (调休), Mon 29, Tue 30, then 9 October. */
const FRIDAY_BEFORE_NATIONAL_DAY = new Date('2025-09-26T10:00:00+08:00');
const TUESDAY_30_SEPTEMBER = new Date('2025-09-30T15:00:00+08:00');

function setNow(d: Date) {
  p.ctx.registration.now = () => d;
}

async function login(username: string): Promise<TestClient> {
  const c = p.client();
  await c.login(username, DEMO_PASSWORD);
  return c;
}

async function apply(resourceId: string, comment = '申请首次登记') {
  const res = await provider.post('/api/registrations', { resourceId, comment });
  assert.equal(res.status, 201, res.text);
  return res.body;
}

async function step(c: TestClient, id: string, to: string, comment = '办理') {
  const res = await c.post(`/api/registrations/${id}/transitions`, { to, comment });
  assert.equal(res.status, 200, res.text);
  return res.body;
}

function openDeadline(detail: any, kind: string) {
  const d = detail.deadlines.find((x: any) => x.kind === kind && x.status === 'open');
  assert.ok(d, `open ${kind} deadline in ${JSON.stringify(detail.deadlines)}`);
  return d;
}

async function ledgerActions(objectId: string): Promise<string[]> {
  const rows = await sql<{ action: string }>`select action from ledger_entries where object_id = ${objectId} order by seq`.execute(
    p.ctx.db,
  );
  return rows.rows.map((r) => r.action);
}

before(async () => {
  p = await startTestPlatform({}, { jobs: false });
  await p.ctx.identity.createUser(SYSTEM, {
    username: 'ga-clerk',
    password: DEMO_PASSWORD,
    displayName: '公安局经办人',
    orgCode: 'GA',
    roles: ['provider_clerk'],
  });
  admin = await login('admin');
  provider = await login('provider');
  otherProvider = await login('ga-clerk');
  consumer = await login('consumer');
  anon = p.client();
  // Many objections come from this one test address; the rate-limit test below lowers the figure again.
  await p.ctx.registration.updateSetting(SYSTEM, 'objection_rate_per_hour', 1000);
});

after(async () => {
  // Scheduling deadlines boots pg-boss even with the workers off; the platform only stops it when it started it.
  await p?.ctx.jobs.stop();
  await p?.close();
});

describe('the registration workflow', () => {
  it('runs apply → accept → notice → (notice ends) → approve on the working-day calendar and issues a certificate', async () => {
    const resource = await createPublishedResource(p.ctx, 'SCJG', '企业登记信息（登记测试）');
    setNow(FRIDAY_BEFORE_NATIONAL_DAY);
    let r = await apply(resource.id);
    assert.equal(r.state, 'applied');
    assert.equal(r.provider.code, 'SCJG');
    assert.equal(r.subject.code, resource.code);
    assert.deepEqual(
      r.allowedTransitions.map((t: any) => t.to),
      ['withdrawn'],
      'the applicant may only withdraw while the authority checks',
    );
    // Applied on Friday 26 Sep: working days 1–3 are Sun 28 Sep (adjusted working day), Mon 29 and Tue 30.
    const completeness = openDeadline(r, 'completeness');
    assert.equal(completeness.startDate, '2025-09-26');
    assert.equal(completeness.workingDays, 3);
    assert.equal(completeness.dueDate, '2025-09-30');
    assert.equal(completeness.dueAt, '2025-09-30T16:00:00.000Z', 'the end of 30 September in China time');
    assert.equal(completeness.remindAt, '2025-09-30T01:00:00.000Z', '09:00 China time on the last working day');
    assert.equal(r.overdue, false);

    // The authority is told, and sees the steps it may take.
    const inbox = await admin.get('/api/notifications');
    assert.ok(inbox.body.items.some((n: any) => n.kind === 'registration.applied' && n.link === `/registrations/${r.id}`));
    const seen = await admin.get(`/api/registrations/${r.id}`);
    assert.deepEqual(seen.body.allowedTransitions.map((t: any) => t.to).sort(), ['accepted', 'rejected', 'returned_incomplete']);

    setNow(TUESDAY_30_SEPTEMBER);
    r = await step(admin, r.id, 'accepted', '材料齐全，予以受理');
    assert.equal(r.state, 'accepted');
    assert.equal(r.deadlines.find((d: any) => d.kind === 'completeness').status, 'met');
    // 20 working days from 30 Sep: 1–8 Oct are holidays, 11 Oct (Saturday) is worked → Tuesday 4 November.
    assert.equal(openDeadline(r, 'decision').dueDate, '2025-11-04');

    r = await step(admin, r.id, 'public_notice', '形式审核通过，开始公示');
    assert.equal(r.state, 'public_notice');
    assert.equal(r.noticeStartDate, '2025-09-30');
    assert.equal(r.noticeEndDate, '2025-10-21', '10 working days after 30 Sep, the holiday skipped');
    const noticeEnd = openDeadline(r, 'notice_end');
    assert.equal(noticeEnd.dueDate, '2025-10-21');

    // The public sees the notice without logging in: registrant, type, data name, summary, period.
    const notices = await anon.get('/api/registrations/notices');
    assert.equal(notices.status, 200);
    const mine = notices.body.items.find((n: any) => n.id === r.id);
    assert.ok(mine);
    assert.equal(mine.subject.nameZh, '企业登记信息（登记测试）');
    assert.equal(mine.provider.nameZh, '示范市市场监督管理局');
    assert.equal(mine.registrationType, 'first');
    assert.equal(mine.noticeEndDate, '2025-10-21');
    assert.ok(mine.subject.abstractZh.length > 0);

    // Nobody can end the notice early, not even the authority.
    const early = await admin.post(`/api/registrations/${r.id}/transitions`, { to: 'approved', comment: '提前决定' });
    assert.equal(early.status, 409);
    assert.equal(early.body.error.code, 'REGISTRATION_TRANSITION_NOT_ALLOWED');
    assert.deepEqual(early.body.error.details.allowed, []);

    // The notice period ends without objections: the deadline handler moves it to the decision stage.
    setNow(new Date('2025-10-22T00:00:01+08:00'));
    assert.deepEqual(await p.ctx.registration.fireDeadline(noticeEnd.id), { result: 'pending_decision' });
    assert.deepEqual(await p.ctx.registration.fireDeadline(noticeEnd.id), { result: 'closed' }, 'a second delivery does nothing');
    r = (await admin.get(`/api/registrations/${r.id}`)).body;
    assert.equal(r.state, 'pending_decision');
    const auto = r.timeline.at(-1);
    assert.equal(auto.from, 'public_notice');
    assert.equal(auto.to, 'pending_decision');
    assert.equal(auto.actorKind, 'system');
    assert.match(auto.comment, /无异议/);
    assert.ok(!(await anon.get('/api/registrations/notices')).body.items.some((n: any) => n.id === r.id), 'no longer in notice');

    r = await step(admin, r.id, 'approved', '准予登记');
    assert.equal(r.state, 'approved');
    assert.equal(r.deadlines.find((d: any) => d.kind === 'decision').status, 'met');
    assert.equal(r.timeline.length, 5);
    assert.deepEqual(
      r.timeline.map((t: any) => `${t.from}→${t.to}`),
      ['null→applied', 'applied→accepted', 'accepted→public_notice', 'public_notice→pending_decision', 'pending_decision→approved'],
    );
    const cert = r.certificate;
    assert.match(cert.number, /^SF-2025-\d{6}$/);
    assert.match(cert.queryCode, /^[A-Z2-7]{4}(-[A-Z2-7]{4}){3}$/);
    assert.equal(cert.issuedAt, new Date('2025-10-22T00:00:01+08:00').toISOString());
    assert.equal(cert.validUntil, '2028-10-21', 'three years by default');
    assert.equal(cert.status, 'valid');
    // The content hash is SHA-256 over the RFC 8785 canonical JSON of the registered snapshot.
    assert.equal(cert.contentHash, contentHash(r.snapshot));
    assert.ok(canonicalJson(r.snapshot).includes(resource.code));
    assert.equal(r.snapshot.provider.code, 'SCJG');
    assert.ok(Array.isArray(r.snapshot.fields) && r.snapshot.fields.length > 0);
    assert.ok(!JSON.stringify(r.snapshot).includes('contactPhone'), 'no contact person in the registered metadata');

    // The applicant is told the number and the query code.
    const pInbox = await provider.get('/api/notifications');
    assert.ok(pInbox.body.items.some((n: any) => n.kind === 'registration.approved' && n.bodyZh.includes(cert.number)));

    // Public lookup, no login, by number and by query code (typed sloppily).
    const byNumber = await anon.get(`/api/registrations/certificates/lookup?number=${cert.number}`);
    assert.equal(byNumber.status, 200, byNumber.text);
    assert.deepEqual(Object.keys(byNumber.body).sort(), [
      'contentHash',
      'issuedAt',
      'number',
      'provider',
      'providerEn',
      'resourceCode',
      'resourceName',
      'resourceNameEn',
      'status',
      'validUntil',
    ]);
    assert.equal(byNumber.body.resourceName, '企业登记信息（登记测试）');
    assert.equal(byNumber.body.provider, '示范市市场监督管理局');
    assert.equal(byNumber.body.contentHash, cert.contentHash);
    assert.equal(byNumber.body.status, 'valid');
    const sloppy = cert.queryCode.toLowerCase().replace(/-/g, ' ');
    const byCode = await anon.get(`/api/registrations/certificates/lookup?queryCode=${encodeURIComponent(sloppy)}`);
    assert.equal(byCode.status, 200, byCode.text);
    assert.equal(byCode.body.number, cert.number);

    // Every step is in the ledger.
    assert.deepEqual(await ledgerActions(r.id), [
      'registration.apply',
      'registration.transition',
      'registration.transition',
      'registration.transition',
      'registration.transition',
    ]);

    // A registered resource cannot be registered for the first time again.
    const again = await provider.post('/api/registrations', { resourceId: resource.id, comment: '再次申请' });
    assert.equal(again.status, 409);
    assert.equal(again.body.error.code, 'REGISTRATION_ALREADY_REGISTERED');
    assert.equal(again.body.error.details.number, cert.number);
  });

  it('handles objections filed during the notice: anonymous objector, authority notified, contact hidden from the provider, objection review', async () => {
    const resource = await createPublishedResource(p.ctx, 'SCJG', '行政处罚信息（异议测试）');
    setNow(FRIDAY_BEFORE_NATIONAL_DAY);
    let r = await apply(resource.id);
    r = await step(admin, r.id, 'accepted', '受理');
    r = await step(admin, r.id, 'public_notice', '公示');
    const noticeEnd = openDeadline(r, 'notice_end');

    const res = await anon.post(`/api/registrations/${r.id}/objections`, {
      name: '张三',
      contact: '13800000000',
      reason: '该资源包含本人已撤销的处罚记录，登记内容不准确。',
    });
    assert.equal(res.status, 201, res.text);
    assert.ok(res.body.id);
    const bad = await anon.post(`/api/registrations/${r.id}/objections`, { name: '李四', contact: '   ', reason: '理由' });
    assert.equal(bad.status, 400, 'a blank contact is refused');

    const inbox = await admin.get('/api/notifications');
    assert.ok(inbox.body.items.some((n: any) => n.kind === 'registration.objection' && n.link === `/registrations/${r.id}`));

    const asAdmin = (await admin.get(`/api/registrations/${r.id}`)).body;
    assert.equal(asAdmin.objections.length, 1);
    assert.equal(asAdmin.objections[0].contact, '13800000000');
    const asProvider = (await provider.get(`/api/registrations/${r.id}`)).body;
    assert.equal(asProvider.objections[0].contact, null, 'the objector’s contact is for the authority only');
    assert.equal(asProvider.objections[0].reason, asAdmin.objections[0].reason);

    const actions = await ledgerActions(r.id);
    assert.equal(actions.at(-1), 'registration.objection');
    const entry = await sql<{
      details: any;
    }>`select details from ledger_entries where object_id = ${r.id} and action = 'registration.objection'`.execute(p.ctx.db);
    assert.ok(!JSON.stringify(entry.rows[0]!.details).includes('13800000000'), 'no contact details in the ledger');

    setNow(new Date('2025-10-22T08:00:00+08:00'));
    assert.deepEqual(await p.ctx.registration.fireDeadline(noticeEnd.id), { result: 'objection_review' });
    r = (await admin.get(`/api/registrations/${r.id}`)).body;
    assert.equal(r.state, 'objection_review');
    assert.deepEqual(r.allowedTransitions.map((t: any) => t.to).sort(), ['approved', 'rejected']);

    // After the notice, objections are closed: 409 for those who may see the registration, 404 for the public.
    const late = await anon.post(`/api/registrations/${r.id}/objections`, { name: '王五', contact: 'w@example.com', reason: '迟到的异议' });
    assert.equal(late.status, 404);
    const lateAdmin = await admin.post(`/api/registrations/${r.id}/objections`, {
      name: '王五',
      contact: 'w@example.com',
      reason: '迟到的异议',
    });
    assert.equal(lateAdmin.status, 409);
    assert.equal(lateAdmin.body.error.code, 'REGISTRATION_NOT_IN_NOTICE');

    r = await step(admin, r.id, 'rejected', '异议成立：登记内容与实际不符');
    assert.equal(r.state, 'rejected');
    assert.equal(r.objections[0].status, 'upheld');
    assert.equal(r.certificate, null);
    // A rejected registration has no public certificate; the resource may be applied for again.
    const again = await apply(resource.id, '更正后重新申请');
    assert.equal(again.state, 'applied');
  });

  it('returns an incomplete application (一次性告知) and restarts the clock on resubmission', async () => {
    const resource = await createPublishedResource(p.ctx, 'SCJG', '食品经营许可信息（补正测试）');
    setNow(FRIDAY_BEFORE_NATIONAL_DAY);
    let r = await apply(resource.id);
    r = await step(admin, r.id, 'returned_incomplete', '缺少数据存储信息和登记承诺书');
    assert.equal(r.state, 'returned_incomplete');
    assert.equal(r.deadlines[0].status, 'met');
    assert.deepEqual(r.allowedTransitions, []);
    const pr = (await provider.get(`/api/registrations/${r.id}`)).body;
    assert.deepEqual(pr.allowedTransitions.map((t: any) => t.to).sort(), ['applied', 'withdrawn']);
    const inbox = await provider.get('/api/notifications');
    assert.ok(inbox.body.items.some((n: any) => n.kind === 'registration.returned' && n.bodyZh.includes('登记承诺书')));

    setNow(new Date('2025-10-09T09:00:00+08:00'));
    r = await step(provider, r.id, 'applied', '已补正');
    assert.equal(r.state, 'applied');
    const fresh = openDeadline(r, 'completeness');
    assert.equal(fresh.startDate, '2025-10-09');
    assert.equal(fresh.dueDate, '2025-10-13', 'Fri 10, Sat 11 (worked), Mon 13 October');
    assert.equal(r.appliedAt, new Date('2025-10-09T09:00:00+08:00').toISOString());
    assert.equal(r.firstAppliedAt, FRIDAY_BEFORE_NATIONAL_DAY.toISOString());

    r = await step(provider, r.id, 'withdrawn', '暂不登记');
    assert.equal(r.state, 'withdrawn');
    assert.ok(r.deadlines.every((d: any) => d.status !== 'open'));
    assert.equal(r.deadlines.at(-1).status, 'cancelled');
  });

  it('flags an overdue completeness check on the dashboard and in the list, reminds before, and notifies when it passes', async () => {
    const resource = await createPublishedResource(p.ctx, 'SCJG', '特种设备信息（逾期测试）');
    setNow(FRIDAY_BEFORE_NATIONAL_DAY);
    const r = await apply(resource.id);
    const dl = openDeadline(r, 'completeness');

    // Reminder on the morning of the due day.
    setNow(new Date('2025-09-30T09:00:00+08:00'));
    assert.deepEqual(await p.ctx.registration.fireReminder(dl.id), { result: 'reminded' });
    assert.deepEqual(await p.ctx.registration.fireReminder(dl.id), { result: 'already_reminded' });
    let dash = (await admin.get('/api/registrations/dashboard')).body;
    assert.ok(dash.dueSoon.some((d: any) => d.registrationId === r.id && d.kind === 'completeness'));
    assert.ok(!dash.overdue.some((d: any) => d.registrationId === r.id));
    const warned = await admin.get('/api/notifications');
    assert.ok(warned.body.items.some((n: any) => n.kind === 'deadline.warning' && n.link === `/registrations/${r.id}`));

    // The next working day (9 October, after the holiday) it is overdue.
    setNow(new Date('2025-10-09T10:00:00+08:00'));
    dash = (await admin.get('/api/registrations/dashboard')).body;
    assert.ok(dash.overdue.some((d: any) => d.registrationId === r.id && d.dueDate === '2025-09-30'));
    assert.ok(dash.overdueCount >= 1);
    assert.ok(dash.byState.applied >= 1);
    assert.equal(typeof dash.byState.approved, 'number');
    const list = (await admin.get('/api/registrations?overdue=true')).body;
    assert.ok(list.items.some((i: any) => i.id === r.id && i.overdue === true));
    const providerDash = (await provider.get('/api/registrations/dashboard')).body;
    assert.ok(
      providerDash.overdue.some((d: any) => d.registrationId === r.id),
      'the provider sees its own overdue items',
    );
    const gaDash = (await otherProvider.get('/api/registrations/dashboard')).body;
    assert.ok(!gaDash.overdue.some((d: any) => d.registrationId === r.id), 'another department does not');

    assert.deepEqual(await p.ctx.registration.fireDeadline(dl.id), { result: 'overdue' });
    assert.deepEqual(await p.ctx.registration.fireDeadline(dl.id), { result: 'already_overdue' });
    assert.deepEqual(await p.ctx.registration.fireReminder(dl.id), { result: 'already_reminded' });
    const d = (await admin.get(`/api/registrations/${r.id}`)).body;
    assert.equal(d.overdue, true);
    assert.ok(d.deadlines[0].overdueAt);
    const inbox = await admin.get('/api/notifications');
    assert.ok(inbox.body.items.some((n: any) => n.kind === 'deadline.overdue' && n.link === `/registrations/${r.id}`));
    assert.deepEqual((await ledgerActions(r.id)).slice(-2), ['registration.deadline.remind', 'registration.deadline.overdue']);

    // Accepting late closes the deadline; the registration is no longer overdue.
    const accepted = await step(admin, r.id, 'accepted', '逾期受理');
    assert.equal(accepted.overdue, false);
    assert.equal(accepted.deadlines[0].status, 'met');
  });
});

describe('refusals', () => {
  it('refuses steps not allowed from the current state (409 listing the allowed ones) and steps for another role (403)', async () => {
    const resource = await createPublishedResource(p.ctx, 'SCJG', '广告监测信息（拒绝测试）');
    setNow(FRIDAY_BEFORE_NATIONAL_DAY);
    const r = await apply(resource.id);

    const skip = await admin.post(`/api/registrations/${r.id}/transitions`, { to: 'approved', comment: '直接登记' });
    assert.equal(skip.status, 409);
    assert.equal(skip.body.error.code, 'REGISTRATION_TRANSITION_NOT_ALLOWED');
    assert.deepEqual(skip.body.error.details.allowed.sort(), ['accepted', 'rejected', 'returned_incomplete']);
    assert.equal(skip.body.error.details.from, 'applied');
    assert.match(skip.body.error.message, /待受理/);

    const selfAccept = await provider.post(`/api/registrations/${r.id}/transitions`, { to: 'accepted', comment: '自己受理' });
    assert.equal(selfAccept.status, 403);
    assert.equal(selfAccept.body.error.code, 'REGISTRATION_TRANSITION_WRONG_ROLE');
    assert.deepEqual(selfAccept.body.error.details.allowed, ['withdrawn']);

    const adminWithdraw = await admin.post(`/api/registrations/${r.id}/transitions`, { to: 'withdrawn', comment: '代为撤回' });
    assert.equal(adminWithdraw.status, 403, 'only the applicant side withdraws');

    const systemStep = await admin.post(`/api/registrations/${r.id}/transitions`, { to: 'pending_decision', comment: '跳过公示' });
    assert.equal(systemStep.status, 409);

    const noComment = await admin.post(`/api/registrations/${r.id}/transitions`, { to: 'accepted', comment: '  ' });
    assert.equal(noComment.status, 400);
    const unknown = await admin.post(`/api/registrations/${r.id}/transitions`, { to: 'registered', comment: 'x' });
    assert.equal(unknown.status, 400);

    await step(provider, r.id, 'withdrawn', '撤回');
    const afterFinal = await admin.post(`/api/registrations/${r.id}/transitions`, { to: 'accepted', comment: '受理' });
    assert.equal(afterFinal.status, 409);
    assert.deepEqual(afterFinal.body.error.details.allowed, []);
    // Nothing changed: still withdrawn, one entry per real step in the ledger.
    const d = (await admin.get(`/api/registrations/${r.id}`)).body;
    assert.equal(d.state, 'withdrawn');
    assert.deepEqual(await ledgerActions(r.id), ['registration.apply', 'registration.transition']);
  });

  it('registers only published or approved resources, one open application at a time', async () => {
    const draft = await createPublishedResource(p.ctx, 'SCJG', '草稿资源（登记测试）', { stopAt: 'draft' });
    const res = await provider.post('/api/registrations', { resourceId: draft.id, comment: '申请' });
    assert.equal(res.status, 409);
    assert.equal(res.body.error.code, 'REGISTRATION_RESOURCE_NOT_REGISTRABLE');
    assert.equal(res.body.error.details.status, 'draft');

    const approved = await createPublishedResource(p.ctx, 'SCJG', '已审核未发布资源（登记测试）', { stopAt: 'approved' });
    const first = await apply(approved.id);
    const second = await provider.post('/api/registrations', { resourceId: approved.id, comment: '重复申请' });
    assert.equal(second.status, 409);
    assert.equal(second.body.error.code, 'REGISTRATION_ALREADY_OPEN');
    assert.equal(second.body.error.details.registrationId, first.id);

    const missing = await provider.post('/api/registrations', { resourceId: '00000000-0000-4000-8000-000000000000', comment: '申请' });
    assert.equal(missing.status, 404);
    assert.equal(missing.body.error.code, 'REGISTRATION_RESOURCE_NOT_FOUND');

    const byAdmin = await admin.post('/api/registrations', { resourceId: approved.id, comment: '代为申请' });
    assert.equal(byAdmin.status, 403);
    assert.equal(byAdmin.body.error.code, 'REGISTRATION_APPLICANT_ONLY');
  });

  it('keeps one organization’s registrations from another (IDOR): 404 to read or act, 403 to apply', async () => {
    const resource = await createPublishedResource(p.ctx, 'SCJG', '企业年报信息（越权测试）');
    setNow(FRIDAY_BEFORE_NATIONAL_DAY);
    const r = await apply(resource.id);

    const read = await otherProvider.get(`/api/registrations/${r.id}`);
    assert.equal(read.status, 404);
    assert.equal(read.body.error.code, 'REGISTRATION_NOT_FOUND');
    const act = await otherProvider.post(`/api/registrations/${r.id}/transitions`, { to: 'withdrawn', comment: '替别人撤回' });
    assert.equal(act.status, 404);
    const list = (await otherProvider.get('/api/registrations')).body;
    assert.ok(!list.items.some((i: any) => i.id === r.id));
    const steal = await otherProvider.post('/api/registrations', { resourceId: resource.id, comment: '替别人申请' });
    assert.equal(steal.status, 403);

    // Other roles: the consumer department has no registration view; the anonymous public sees nothing but notices.
    assert.equal((await consumer.get('/api/registrations')).status, 403);
    assert.equal((await consumer.get(`/api/registrations/${r.id}`)).status, 404);
    assert.equal((await anon.get('/api/registrations')).status, 401);
    assert.equal((await anon.get(`/api/registrations/${r.id}`)).status, 404);
    assert.equal((await anon.post(`/api/registrations/${r.id}/objections`, { name: 'a', contact: 'b', reason: 'c' })).status, 404);

    // The auditor reads everything and acts on nothing.
    const auditor = await login('auditor');
    assert.equal((await auditor.get(`/api/registrations/${r.id}`)).status, 200);
    assert.equal((await auditor.post(`/api/registrations/${r.id}/transitions`, { to: 'accepted', comment: '受理' })).status, 403);

    // Its own organization's clerk lists it (mine and org scope).
    const mine = (await provider.get('/api/registrations?scope=mine')).body;
    assert.ok(mine.items.some((i: any) => i.id === r.id));
    const byState = (await provider.get('/api/registrations?state=applied&state=accepted')).body;
    assert.ok(byState.items.every((i: any) => ['applied', 'accepted'].includes(i.state)));
  });
});

describe('public lookup and settings', () => {
  it('documents every registration route in the OpenAPI contract', async () => {
    const doc = (await anon.get('/api/openapi.json')).body;
    for (const path of [
      '/api/registrations',
      '/api/registrations/{id}',
      '/api/registrations/{id}/transitions',
      '/api/registrations/{id}/objections',
      '/api/registrations/notices',
      '/api/registrations/dashboard',
      '/api/registrations/certificates/lookup',
      '/api/registrations/settings',
      '/api/registrations/settings/{key}',
    ])
      assert.ok(doc.paths[path], `${path} in the OpenAPI document`);
    assert.ok(doc.paths['/api/registrations/{id}/transitions'].post.responses['409']);
  });

  it('finds only approved certificates, needs a number or a query code, and treats junk as not found', async () => {
    const none = await anon.get('/api/registrations/certificates/lookup');
    assert.equal(none.status, 400);
    assert.equal(none.body.error.code, 'REGISTRATION_LOOKUP_QUERY');
    const unknown = await anon.get('/api/registrations/certificates/lookup?number=SF-2099-000001');
    assert.equal(unknown.status, 404);
    assert.equal(unknown.body.error.code, 'REGISTRATION_CERTIFICATE_NOT_FOUND');
    const junk = await anon.get(`/api/registrations/certificates/lookup?queryCode=${encodeURIComponent("' or 1=1 --")}`);
    assert.equal(junk.status, 404);
  });

  it('publishes the figures with their sources; only the authority changes them, each change ledgered and used by new deadlines', async () => {
    const list = await anon.get('/api/registrations/settings');
    assert.equal(list.status, 200);
    const byKey = Object.fromEntries(list.body.items.map((s: any) => [s.key, s]));
    assert.equal(byKey.completeness_days.value, 3);
    assert.equal(byKey.notice_days.value, 10);
    assert.equal(byKey.decision_days.value, 20);
    assert.equal(byKey.reminder_lead_days.value, 1);
    assert.match(byKey.notice_days.sourceZh, /闽数据〔2025〕15号/);
    assert.match(byKey.completeness_days.sourceZh, /发改数据规〔2025〕26号/);
    assert.equal(byKey.completeness_days.platformDefault, false);
    assert.equal(byKey.decision_days.platformDefault, true);
    for (const s of list.body.items) assert.ok(s.sourceZh.length > 10 && s.sourceEn.length > 10, s.key);

    assert.equal((await provider.put('/api/registrations/settings/completeness_days', { value: 30 })).status, 403);
    const range = await admin.put('/api/registrations/settings/completeness_days', { value: 0 });
    assert.equal(range.status, 400);
    assert.equal(range.body.error.code, 'REGISTRATION_SETTING_OUT_OF_RANGE');
    assert.equal((await admin.put('/api/registrations/settings/no_such_thing', { value: 1 })).status, 404);

    const changed = await admin.put('/api/registrations/settings/completeness_days', { value: 5 });
    assert.equal(changed.status, 200, changed.text);
    assert.equal(changed.body.value, 5);
    const entry = await sql<{
      details: any;
    }>`select details from ledger_entries where action = 'registration.settings.update' order by seq desc limit 1`.execute(p.ctx.db);
    assert.deepEqual(entry.rows[0]!.details, { key: 'completeness_days', previous: 3, value: 5, unit: 'working_days' });

    const resource = await createPublishedResource(p.ctx, 'SCJG', '计量器具信息（参数测试）');
    setNow(FRIDAY_BEFORE_NATIONAL_DAY);
    const r = await apply(resource.id);
    const dl = openDeadline(r, 'completeness');
    assert.equal(dl.workingDays, 5);
    assert.equal(dl.dueDate, '2025-10-10', 'Sun 28, Mon 29, Tue 30 September, Thu 9, Fri 10 October');
    await admin.put('/api/registrations/settings/completeness_days', { value: 3 });
  });

  it('rate limits objections per address by the configured figure', async () => {
    const resource = await createPublishedResource(p.ctx, 'SCJG', '网络交易监测信息（限流测试）');
    setNow(FRIDAY_BEFORE_NATIONAL_DAY);
    let r = await apply(resource.id);
    r = await step(admin, r.id, 'accepted', '受理');
    r = await step(admin, r.id, 'public_notice', '公示');
    assert.equal((await admin.put('/api/registrations/settings/objection_rate_per_hour', { value: 1 })).status, 200);
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await anon.post(`/api/registrations/${r.id}/objections`, {
        name: `异议人${i}`,
        contact: '010-12345678',
        reason: '测试限流',
      });
      statuses.push(res.status);
      if (res.status === 429) assert.equal(res.body.error.code, 'RATE_LIMITED');
    }
    assert.ok(statuses.includes(429), `statuses: ${statuses}`);
    await admin.put('/api/registrations/settings/objection_rate_per_hour', { value: 5 });
  });
});
