// Sharing requests (共享申请) through the HTTP API on a real PostgreSQL with the seeded demo city: refusals that
// change nothing, the unconditional path (compliance review → automatic grant), the conditional path with a
// refusal, negotiation and a narrowed approval whose grant the data plane then enforces, escalation when the
// provider's working-day deadline passes (deciding afterwards is 409), reminders and overdue flags, withdrawal,
// IDOR (404 for outsiders), statistics and the ledger. Deadline handlers are called directly (workers off).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { resourceIdByName, startTestPlatform, type TestClient, type TestPlatform } from '../../../test/helpers.ts';
import { SYSTEM } from '../identity/actor.ts';
import { DEMO_PASSWORD } from '../identity/service.ts';

let p: TestPlatform;
let admin: TestClient;
let jy: TestClient; // 教育局 consumer clerk: the requester (an org without demo requests)
let sb: TestClient; // 社会保险事业中心 provider clerk: provides 社会保险参保登记信息
let provider: TestClient; // 市场监管局 provider clerk: provides 市场主体登记信息 (unconditional)
let outsider: TestClient; // 人社局 consumer clerk: party to nothing here
let conditionalId: string; // 社会保险参保登记信息
let unconditionalId: string; // 市场主体登记信息
let enrolmentsDataset: string;
let statsAtStart: any; // the demo seed's requests are there already

const DAY = 86_400_000;
const validTo = () => new Date(Date.now() + 300 * DAY).toISOString();

async function login(username: string): Promise<TestClient> {
  const c = p.client();
  await c.login(username, DEMO_PASSWORD);
  return c;
}

function body(over: Record<string, unknown> = {}) {
  return {
    resourceId: conditionalId,
    fields: ['sfzh', 'xm', 'cbzt'],
    actions: ['query', 'verify'],
    legalBasis: '《社会救助暂行办法》第十一条：县级人民政府民政部门对申请人的家庭收入状况、财产状况进行调查核实',
    purpose: '最低生活保障申请家庭经济状况核对',
    scenario: '低保审批时核对申请人参保状态',
    usageScope: 'data_verification',
    validTo: validTo(),
    ...over,
  };
}

async function step(c: TestClient, id: string, to: string, comment = '同意', terms?: unknown) {
  const r = await c.post(`/api/sharing/requests/${id}/transitions`, { to, comment, ...(terms ? { terms } : {}) });
  assert.equal(r.status, 200, r.text);
  return r.body;
}

async function countRequests(): Promise<number> {
  return (await sql<{ n: number }>`select count(*)::int as n from sharing_requests`.execute(p.ctx.db)).rows[0]!.n;
}

function openDeadline(detail: any, kind: string) {
  const d = detail.deadlines.find((x: any) => x.kind === kind && x.status === 'open');
  assert.ok(d, `open ${kind} deadline in ${JSON.stringify(detail.deadlines)}`);
  return d;
}

before(async () => {
  p = await startTestPlatform({}, { jobs: false });
  await p.ctx.identity.createUser(SYSTEM, {
    username: 'jy-clerk',
    password: DEMO_PASSWORD,
    displayName: '教育局经办人',
    orgCode: 'JY',
    roles: ['consumer_clerk'],
  });
  await p.ctx.identity.createUser(SYSTEM, {
    username: 'sb-clerk',
    password: DEMO_PASSWORD,
    displayName: '社保中心经办人',
    orgCode: 'RS-SB',
    roles: ['provider_clerk'],
  });
  admin = await login('admin');
  jy = await login('jy-clerk');
  sb = await login('sb-clerk');
  provider = await login('provider');
  outsider = await login('consumer');
  conditionalId = await resourceIdByName(admin, '社会保险参保登记信息');
  unconditionalId = await resourceIdByName(admin, '市场主体登记信息');
  enrolmentsDataset = (await admin.get(`/api/datasets/by-resource/${conditionalId}`)).body.id;
  assert.ok(enrolmentsDataset);
  statsAtStart = (await admin.get('/api/sharing/stats')).body;
});

after(async () => {
  await p?.ctx.jobs.stop();
  await p?.close();
});

describe('sharing requests', () => {
  it('bad requests are refused with a code, a message and the field, and write nothing', async () => {
    const before = await countRequests();
    const blank = await jy.post('/api/sharing/requests', body({ purpose: '   ' }));
    assert.equal(blank.status, 400, blank.text);
    assert.equal(blank.body.error.code, 'SHARING_FIELD_REQUIRED');
    assert.equal(blank.body.error.details.field, 'purpose');
    assert.match(blank.body.error.message, /使用用途/);

    const { legalBasis: _omit, ...noBasis } = body();
    const missing = await jy.post('/api/sharing/requests', noBasis);
    assert.equal(missing.status, 400, missing.text);
    assert.equal(missing.body.error.code, 'VALIDATION_FAILED');

    const unknown = await jy.post('/api/sharing/requests', body({ fields: ['sfzh', 'no_such'] }));
    assert.equal(unknown.status, 400, unknown.text);
    assert.equal(unknown.body.error.code, 'SHARING_FIELD_UNKNOWN');
    assert.equal(unknown.body.error.details.field, 'fields[1]');

    const tooLong = await jy.post('/api/sharing/requests', body({ validTo: new Date(Date.now() + 2000 * DAY).toISOString() }));
    assert.equal(tooLong.status, 400, tooLong.text);
    assert.equal(tooLong.body.error.code, 'SHARING_VALIDITY_TOO_LONG');
    assert.match(tooLong.body.error.message, /1095/);

    const past = await jy.post('/api/sharing/requests', body({ validTo: new Date(Date.now() - DAY).toISOString() }));
    assert.equal(past.body.error.code, 'SHARING_VALIDITY_INVALID');

    const own = await sb.post('/api/sharing/requests', body());
    assert.equal(own.status, 409, own.text);
    assert.equal(own.body.error.code, 'SHARING_OWN_DATA');

    const anon = await p.client().post('/api/sharing/requests', body());
    assert.equal(anon.status, 401, anon.text);

    assert.equal(await countRequests(), before);
  });

  it('a resource on the negative list or not shareable cannot be requested; the legal basis is shown', async () => {
    // A published resource of another department put on the negative list by the authority.
    const target = (
      await sql<{ id: string }>`select id from catalog_resources where status = 'published' and share_mode = 'conditional'
        and name_zh = '常住人口基本信息'`.execute(p.ctx.db)
    ).rows[0]!.id;
    const basis = '《中华人民共和国居民身份证法》第十九条（测试）';
    // The negative list refuses a share attribute other than none: the provider first withdraws it from sharing.
    await sql`update catalog_resources set share_mode = 'none', share_basis = ${basis} where id = ${target}`.execute(p.ctx.db);
    const notShareable = await jy.post('/api/sharing/requests', body({ resourceId: target, fields: ['sfzh'] }));
    assert.equal(notShareable.status, 409, notShareable.text);
    assert.equal(notShareable.body.error.code, 'SHARING_NOT_SHAREABLE');
    assert.ok(notShareable.body.error.message.includes(basis));

    const neg = await admin.post('/api/lists/negative', {
      resourceId: target,
      scope: 'share',
      legalBasis: '《数据安全法》第二十一条（测试）',
    });
    assert.equal(neg.status, 201, neg.text);
    const blocked = await jy.post('/api/sharing/requests', body({ resourceId: target, fields: ['sfzh'] }));
    assert.equal(blocked.status, 409, blocked.text);
    assert.equal(blocked.body.error.code, 'SHARING_NEGATIVE_LIST');
    assert.equal(blocked.body.error.details.legalBasis, '《数据安全法》第二十一条（测试）');
    assert.match(blocked.body.error.message, /负面清单.*数据安全法/);
  });

  it('unconditional: the compliance review grants directly; the grant carries the request’s terms', async () => {
    const r = await jy.post(
      '/api/sharing/requests',
      body({ resourceId: unconditionalId, fields: ['tyshxydm', 'qymc', 'djzt'], actions: ['query'], usageScope: 'business_collaboration' }),
    );
    assert.equal(r.status, 201, r.text);
    assert.match(r.body.number, /^GX-\d{4}-\d{6}$/);
    assert.equal(r.body.state, 'compliance_review');
    assert.equal(r.body.shareMode, 'unconditional');
    const dl = openDeadline(r.body, 'compliance');
    assert.equal(dl.workingDays, 2);
    // The countdown counts working days on the calendar: on the day the limit starts, all of them are left.
    assert.equal(dl.workingDaysLeft, await p.ctx.calendar.workingDaysBetween(dl.startDate, dl.dueDate));
    assert.equal(dl.workingDaysLeft, 2);
    // Only the authority reviews: the provider is a party but not for this step.
    assert.deepEqual(r.body.allowed.map((a: any) => a.to).sort(), ['withdrawn']);
    const byProvider = await provider.post(`/api/sharing/requests/${r.body.id}/transitions`, { to: 'approved', comment: '同意' });
    assert.equal(byProvider.status, 403, byProvider.text);
    assert.equal(byProvider.body.error.code, 'SHARING_TRANSITION_WRONG_ROLE');
    // A conditional-only step is not possible for an unconditional request.
    const wrongBranch = await admin.post(`/api/sharing/requests/${r.body.id}/transitions`, { to: 'provider_review', comment: '转' });
    assert.equal(wrongBranch.status, 409, wrongBranch.text);
    assert.deepEqual(wrongBranch.body.error.details.allowed.sort(), ['approved', 'rejected']);

    const done = await step(admin, r.body.id, 'approved', '符合性审查通过');
    assert.equal(done.state, 'approved');
    assert.ok(done.entitlementId);
    assert.equal(done.deadlines[0].status, 'met');
    assert.equal(done.deadlines[0].workingDaysLeft, null);
    const e = await p.ctx.entitlements.repo.byId(p.ctx.db, done.entitlementId);
    assert.ok(e);
    assert.deepEqual(e.fields, ['tyshxydm', 'qymc', 'djzt']);
    assert.deepEqual(e.actions, ['query']);
    assert.equal(e.origin, 'sharing_request');
    assert.equal(e.originId, r.body.id);
    assert.equal(e.holderOrgId, (await jy.get('/api/auth/me')).body.org.id);
    // Deciding twice is refused.
    const again = await admin.post(`/api/sharing/requests/${r.body.id}/transitions`, { to: 'approved', comment: '再次' });
    assert.equal(again.status, 409, again.text);
    assert.equal(again.body.error.code, 'SHARING_TRANSITION_NOT_ALLOWED');
  });

  it('conditional: review, refusal with reasons, negotiation, a narrowed approval that the data plane enforces', async () => {
    const before = await jy.get(`/api/datasets/${enrolmentsDataset}/preview?limit=3`);
    assert.equal(before.status, 403, before.text);

    const r = await jy.post('/api/sharing/requests', body());
    assert.equal(r.status, 201, r.text);
    const id = r.body.id;
    const dup = await jy.post('/api/sharing/requests', body());
    assert.equal(dup.status, 409, dup.text);
    assert.equal(dup.body.error.code, 'SHARING_ALREADY_OPEN');
    assert.ok(dup.body.error.message.includes(r.body.number));

    const passed = await step(admin, id, 'provider_review', '符合性审查通过，转提供部门');
    assert.equal(passed.state, 'provider_review');
    assert.equal(passed.dataOnPlatform, true, 'the dataset is published, so 5 working days');
    assert.equal(openDeadline(passed, 'provider_decision').workingDays, 5);

    // The provider sees it in its incoming box; the requester in its own.
    const incoming = await sb.get('/api/sharing/requests?box=incoming&state=provider_review');
    assert.ok(
      incoming.body.items.some((x: any) => x.id === id),
      incoming.text,
    );
    const mine = await jy.get('/api/sharing/requests?box=mine');
    assert.ok(mine.body.items.some((x: any) => x.id === id));

    const short = await sb.post(`/api/sharing/requests/${id}/transitions`, { to: 'provider_refused', comment: '不行' });
    assert.equal(short.status, 400, short.text);
    assert.equal(short.body.error.code, 'SHARING_REASON_REQUIRED');
    const refused = await step(sb, id, 'provider_refused', '姓名不属于核对所需的最小必要信息项，请缩小范围');
    assert.equal(refused.state, 'provider_refused');
    assert.equal(refused.refusalReason, '姓名不属于核对所需的最小必要信息项，请缩小范围');
    assert.equal(refused.deadlines.filter((d: any) => d.status === 'open').length, 0);

    const neg = await step(jy, id, 'negotiation', '请求协商：仅需参保状态核对');
    assert.equal(openDeadline(neg, 'negotiation').workingDays, 5);
    const msg = await jy.post(`/api/sharing/requests/${id}/messages`, { text: '可以不要姓名，仅核对身份证号与参保状态' });
    assert.equal(msg.status, 200, msg.text);
    assert.equal(msg.body.events.at(-1).kind, 'message');
    const outsiderMsg = await outsider.post(`/api/sharing/requests/${id}/messages`, { text: '路过' });
    assert.equal(outsiderMsg.status, 404, outsiderMsg.text);

    // An approval may only narrow: asking for a field outside the request is refused and changes nothing.
    const widened = await sb.post(`/api/sharing/requests/${id}/transitions`, {
      to: 'approved',
      comment: '同意',
      terms: { fields: ['sfzh', 'dwmc'] },
    });
    assert.equal(widened.status, 400, widened.text);
    assert.equal(widened.body.error.code, 'SHARING_TERMS_WIDENED');
    assert.equal(widened.body.error.details.value, 'dwmc');
    assert.equal((await jy.get(`/api/sharing/requests/${id}`)).body.state, 'negotiation');

    const approved = await step(sb, id, 'approved', '协商一致：提供身份证号与参保状态', {
      fields: ['sfzh', 'cbzt'],
      actions: ['query'],
      quota: { calls: { day: 100 } },
    });
    assert.equal(approved.state, 'approved');
    const grantEvent = approved.events.at(-1);
    assert.deepEqual(grantEvent.details.fields, ['sfzh', 'cbzt']);

    // The data plane now serves exactly the granted fields, the ID number masked.
    const read = await jy.get(`/api/datasets/${enrolmentsDataset}/preview?limit=3`);
    assert.equal(read.status, 200, read.text);
    assert.equal(read.body.basis, 'entitlement');
    assert.deepEqual(read.body.columns.map((c: { name: string }) => c.name).sort(), ['公民身份号码', '参保状态'].sort());
    assert.match(read.body.rows[0]['公民身份号码'], /^\d{6}\*{8}\d{3}[\dX]$/);

    const actions = (
      await sql<{
        action: string;
      }>`select action from ledger_entries where object_id = ${id} or (object_type = 'entitlement' and object_id = ${approved.entitlementId}) order by seq`.execute(
        p.ctx.db,
      )
    ).rows.map((x) => x.action);
    assert.deepEqual(actions, [
      'sharing.request',
      'sharing.transition',
      'sharing.transition',
      'sharing.transition',
      'sharing.message',
      'entitlement.grant',
      'sharing.transition',
    ]);
  });

  it('the provider’s deadline passing escalates to coordination; deciding afterwards is 409; reminders and overdue flags', async () => {
    // The earlier request for this resource is approved, so a new one (another field set) is possible.
    const r = await jy.post('/api/sharing/requests', body({ fields: ['sfzh', 'xzlx'] }));
    assert.equal(r.status, 201, r.text);
    const id = r.body.id;
    // The authority's own deadline: flagged overdue, the authority told, the state unchanged.
    const compliance = openDeadline(r.body, 'compliance');
    const late = new Date(new Date(compliance.dueAt).getTime() + 60_000);
    assert.deepEqual(await p.ctx.sharing.fireDeadline(compliance.id, { at: late }), { result: 'overdue' });
    assert.deepEqual(await p.ctx.sharing.fireDeadline(compliance.id, { at: late }), { result: 'already_overdue' });
    const deadlineLedger = async (action: string) =>
      (
        await sql<{ details: any }>`select details from ledger_entries where action = ${action} and object_id = ${id}
          order by seq`.execute(p.ctx.db)
      ).rows.map((e) => e.details);
    assert.deepEqual(await deadlineLedger('sharing.deadline.overdue'), [
      {
        deadlineId: compliance.id,
        kind: 'compliance',
        dueDate: compliance.dueDate,
        workingDays: compliance.workingDays,
        state: r.body.state,
      },
    ]);
    const overdueList = await admin.get('/api/sharing/requests?overdue=true');
    assert.ok(
      overdueList.body.items.some((x: any) => x.id === id),
      overdueList.text,
    );
    const adminNote = await admin.get('/api/notifications?pageSize=50');
    assert.ok(
      adminNote.body.items.some((n: any) => n.kind === 'deadline.overdue' && n.titleZh.includes(r.body.number)),
      adminNote.text,
    );

    const passed = await step(admin, id, 'provider_review', '审查通过');
    const dl = openDeadline(passed, 'provider_decision');
    // A reminder before the due time reaches the provider's clerks.
    const remindAt = new Date(new Date(dl.dueAt).getTime() - 3_600_000);
    assert.deepEqual(await p.ctx.sharing.fireReminder(dl.id, { at: remindAt }), { result: 'reminded' });
    const [reminded] = await deadlineLedger('sharing.deadline.remind');
    assert.ok(reminded.recipients >= 1, JSON.stringify(reminded));
    assert.deepEqual(reminded, { deadlineId: dl.id, kind: 'provider_decision', dueDate: dl.dueDate, recipients: reminded.recipients });
    const sbNotes = await sb.get('/api/notifications?pageSize=50');
    assert.ok(
      sbNotes.body.items.some((n: any) => n.kind === 'deadline.warning' && n.titleZh.includes(r.body.number)),
      sbNotes.text,
    );

    // Past the due time, before the job ran: the provider can no longer decide.
    const after = new Date(new Date(dl.dueAt).getTime() + 60_000);
    p.ctx.sharing.now = () => after;
    try {
      const tooLate = await sb.post(`/api/sharing/requests/${id}/transitions`, { to: 'approved', comment: '同意' });
      assert.equal(tooLate.status, 409, tooLate.text);
      assert.equal(tooLate.body.error.code, 'SHARING_DEADLINE_PASSED');
      assert.ok(tooLate.body.error.message.includes(dl.dueDate));
    } finally {
      p.ctx.sharing.now = () => new Date();
    }
    assert.deepEqual(await p.ctx.sharing.fireDeadline(dl.id, { at: after }), { result: 'escalated' });
    assert.deepEqual(await p.ctx.sharing.fireDeadline(dl.id, { at: after }), { result: 'closed' }, 'idempotent');
    const escalated = (await admin.get(`/api/sharing/requests/${id}`)).body;
    assert.equal(escalated.state, 'coordination');
    assert.equal(escalated.deadlines.find((d: any) => d.id === dl.id).status, 'escalated');
    assert.equal(escalated.events.at(-1).byRole, 'system');
    assert.equal(openDeadline(escalated, 'coordination').workingDays, 10);
    const stillProvider = await sb.post(`/api/sharing/requests/${id}/transitions`, { to: 'approved', comment: '同意' });
    assert.equal(stillProvider.status, 403, stillProvider.text);
    assert.equal(stillProvider.body.error.code, 'SHARING_TRANSITION_WRONG_ROLE', 'the decision is the authority’s now');

    const coordinated = await step(admin, id, 'approved', '协调决定：按申请共享', { quota: { rows: { day: 500 } } });
    assert.equal(coordinated.state, 'approved');
    const e = await p.ctx.entitlements.repo.byId(p.ctx.db, coordinated.entitlementId);
    assert.deepEqual(e!.quota, { rows: { day: 500 } });
  });

  it('outsiders get 404 for a request, and lists show only their own side', async () => {
    const r = await jy.post('/api/sharing/requests', body({ resourceId: unconditionalId, fields: ['qymc'] }));
    assert.equal(r.status, 201, r.text);
    const seen = await outsider.get(`/api/sharing/requests/${r.body.id}`);
    assert.equal(seen.status, 404, seen.text);
    assert.equal(seen.body.error.code, 'SHARING_REQUEST_NOT_FOUND');
    const guessed = await outsider.get(`/api/sharing/requests/00000000-0000-4000-8000-000000000000`);
    assert.equal(guessed.status, 404);
    assert.equal(guessed.body.error.code, seen.body.error.code, 'a guessed id and a foreign id look the same');
    const step1 = await outsider.post(`/api/sharing/requests/${r.body.id}/transitions`, { to: 'withdrawn', comment: '撤回' });
    assert.equal(step1.status, 404, step1.text);
    const list = await outsider.get('/api/sharing/requests');
    assert.ok(!list.body.items.some((x: any) => x.id === r.body.id));
    // The auditor reads everything but takes no step.
    const auditor = await login('auditor');
    assert.equal((await auditor.get(`/api/sharing/requests/${r.body.id}`)).status, 200);
    const auditStep = await auditor.post(`/api/sharing/requests/${r.body.id}/transitions`, { to: 'rejected', comment: '不通过的理由' });
    assert.equal(auditStep.status, 403, auditStep.text);
    assert.equal(auditStep.body.error.code, 'SHARING_TRANSITION_WRONG_ROLE');

    const withdrawn = await step(jy, r.body.id, 'withdrawn', '不再需要');
    assert.equal(withdrawn.state, 'withdrawn');
    assert.equal(withdrawn.deadlines[0].status, 'met');
  });

  it('statistics: counts, overdue, approval rate, median answer time in working days; settings with their sources', async () => {
    const s = await admin.get('/api/sharing/stats');
    assert.equal(s.status, 200, s.text);
    const delta = (k: string) => (s.body.byState[k] ?? 0) - (statsAtStart.byState[k] ?? 0);
    assert.equal(delta('approved'), 3);
    assert.equal(delta('withdrawn'), 1);
    assert.equal(s.body.escalated - statsAtStart.escalated, 1);
    assert.equal(s.body.decided - statsAtStart.decided, 3);
    assert.ok(s.body.approvalRate > 0 && s.body.approvalRate <= 1);
    assert.equal(typeof s.body.medianAnswerWorkingDays, 'number');
    assert.ok(
      s.body.callsPerDay.some((d: any) => d.calls >= 1),
      'the preview above is counted',
    );
    // 教育局 sees its own requests only: its 3 approvals here.
    const mine = await jy.get('/api/sharing/stats');
    const mzApproved = (
      await sql<{ n: number }>`select count(*)::int as n from sharing_requests r join organizations o on o.id = r.requester_org_id
      where o.code = 'JY' and r.state = 'approved'`.execute(p.ctx.db)
    ).rows[0]!.n;
    assert.equal(mine.body.byState.approved, mzApproved);
    assert.ok(mine.body.byState.approved < s.body.byState.approved);
    const settings = await jy.get('/api/sharing/settings');
    const compliance = settings.body.items.find((x: any) => x.key === 'compliance_days');
    assert.equal(compliance.value, 2);
    assert.match(compliance.sourceZh, /山西/);
    assert.equal(compliance.platformDefault, false);
    const forbidden = await jy.put('/api/sharing/settings/compliance_days', { value: 3 });
    assert.equal(forbidden.status, 403, forbidden.text);
    const out = await admin.put('/api/sharing/settings/compliance_days', { value: 99 });
    assert.equal(out.status, 400, out.text);
    assert.equal(out.body.error.code, 'SHARING_SETTING_OUT_OF_RANGE');
    const ok = await admin.put('/api/sharing/settings/compliance_days', { value: 3 });
    assert.equal(ok.status, 200, ok.text);
    assert.equal(ok.body.value, 3);
  });
});
