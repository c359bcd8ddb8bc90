// Conditional open applications (有条件开放申请) through the HTTP API on a real PostgreSQL with the seeded demo
// city: the company user applies for 市场主体登记信息 (opened on conditions) with a PDF; without an approved
// application its download, query, SODA query and API-key calls are 403 and ledgered; the provider asks for
// more, the company supplements, the provider approves; the data then flows through the gate masked per policy,
// only the approved fields; a usage report overdue beyond its grace suspends the entitlement (403 again), the
// late report lets the provider reinstate it. Refusals that change nothing, wrong roles (403), IDOR (404), the
// deadline jobs (called directly, workers off) and the ledger of every step.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { resourceIdByName, signedFetch, startTestPlatform, tusUpload, type TestClient, type TestPlatform } from '../../../test/helpers.ts';
import { SYSTEM } from '../identity/actor.ts';
import { DEMO_PASSWORD } from '../identity/service.ts';

let p: TestPlatform;
let admin: TestClient;
let company: TestClient; // 示范科技有限公司 (public_user in org COMP): the applicant
let citizen: TestClient; // 'public' (public_user in org PUBLIC): a stranger to the company's application
let provider: TestClient; // 市场监管局 provider clerk: provides 市场主体登记信息
let consumer: TestClient; // 人社局 consumer clerk: a government user, may not apply here
let resourceId: string; // 市场主体登记信息 (open: conditional)
let datasetId: string;

const DAY = 86_400_000;
const PDF = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n');

async function login(username: string): Promise<TestClient> {
  const c = p.client();
  await c.login(username, DEMO_PASSWORD);
  return c;
}

function body(over: Record<string, unknown> = {}) {
  return {
    resourceId,
    applicantKind: 'company',
    fields: ['tyshxydm', 'qymc', 'fddbr', 'djzt'],
    purpose: '企业信用评估模型训练与验证',
    scenario: '为中小企业融资提供信用画像',
    securityMeasures: '数据存放于等保三级机房，专人专账访问，使用后 30 日内删除',
    periodTo: new Date(Date.now() + 200 * DAY).toISOString(),
    ...over,
  };
}

async function step(c: TestClient, id: string, to: string, comment: string, extra: Record<string, unknown> = {}) {
  const r = await c.post(`/api/open-applications/${id}/transitions`, { to, comment, ...extra });
  assert.equal(r.status, 200, r.text);
  return r.body;
}

async function count(table: 'open_applications' | 'open_application_documents'): Promise<number> {
  return (await sql<{ n: number }>`select count(*)::int as n from ${sql.table(table)}`.execute(p.ctx.db)).rows[0]!.n;
}

async function ledger(where: { action?: string; objectId?: string; actor?: string }) {
  return (
    await sql<{
      action: string;
      actor_id: string | null;
      object_id: string | null;
      details: any;
    }>`select action, actor_id, object_id, details
      from ledger_entries where (${where.action ?? null}::text is null or action = ${where.action ?? null})
        and (${where.objectId ?? null}::text is null or object_id = ${where.objectId ?? null})
        and (${where.actor ?? null}::text is null or actor_id = ${where.actor ?? null})
      order by seq`.execute(p.ctx.db)
  ).rows;
}

let companyUserId: string;

before(async () => {
  p = await startTestPlatform({}, { jobs: false });
  admin = await login('admin');
  company = await login('company');
  citizen = await login('public');
  provider = await login('provider');
  consumer = await login('consumer');
  companyUserId = (await company.get('/api/auth/me')).body.id;
  assert.ok(companyUserId);
  resourceId = await resourceIdByName(admin, '市场主体登记信息');
  datasetId = (await admin.get(`/api/datasets/by-resource/${resourceId}`)).body.id;
  assert.ok(datasetId);
});

after(async () => {
  await p?.ctx.jobs.stop();
  await p?.close();
});

describe('conditional open applications', () => {
  it('without an approved application the company cannot read the data: 403 on every path, each denial ledgered', async () => {
    const dl = await company.get(`/api/datasets/${datasetId}/download?format=csv`);
    assert.equal(dl.status, 403, dl.text);
    assert.equal(dl.body.error.code, 'DATASET_ENTITLEMENT_REQUIRED');
    const q = await company.post(`/api/datasets/${datasetId}/query`, { limit: 5 });
    assert.equal(q.status, 403, q.text);
    const soda = await company.get(`/resource/${datasetId}.json?$limit=3`);
    assert.equal(soda.status, 403, soda.text);
    const anon = await p.client().get(`/api/datasets/${datasetId}/download?format=csv`);
    assert.equal(anon.status, 403, anon.text);
    const denied = await ledger({ action: 'dataset.read.denied', objectId: datasetId, actor: companyUserId });
    assert.equal(denied.length, 3, JSON.stringify(denied));
    assert.equal(denied[0]!.details.code, 'DATASET_ENTITLEMENT_REQUIRED');
    assert.deepEqual(
      denied.map((d) => d.details.action),
      ['download', 'query', 'query'],
    );
  });

  it('bad applications are refused with a code and the field, and write nothing', async () => {
    const before = await count('open_applications');
    const blank = await company.post('/api/open-applications', body({ securityMeasures: '  ' }));
    assert.equal(blank.status, 400, blank.text);
    assert.equal(blank.body.error.code, 'OPENAPPLY_FIELD_REQUIRED');
    assert.equal(blank.body.error.details.field, 'securityMeasures');
    assert.match(blank.body.error.message, /安全保障措施/);

    const unknown = await company.post('/api/open-applications', body({ fields: ['tyshxydm', 'nope'] }));
    assert.equal(unknown.status, 400, unknown.text);
    assert.equal(unknown.body.error.code, 'OPENAPPLY_FIELD_UNKNOWN');
    assert.equal(unknown.body.error.details.field, 'fields[1]');

    const kind = await company.post('/api/open-applications', body({ applicantKind: 'alien' }));
    assert.equal(kind.status, 400, kind.text);
    assert.equal(kind.body.error.code, 'VALIDATION_FAILED');

    const long = await company.post('/api/open-applications', body({ periodTo: new Date(Date.now() + 900 * DAY).toISOString() }));
    assert.equal(long.body.error.code, 'OPENAPPLY_PERIOD_TOO_LONG');

    // An unconditionally opened resource needs no application.
    const open = await resourceIdByName(admin, '养老机构信息');
    const uncond = await company.post('/api/open-applications', body({ resourceId: open, fields: ['tyshxydm'] }));
    assert.equal(uncond.status, 409, uncond.text);
    assert.equal(uncond.body.error.code, 'OPENAPPLY_NOT_CONDITIONAL');

    // A text file named .pdf is not a document.
    const fake = await tusUpload(company, '营业执照.pdf', 'not really a pdf', 'application/pdf');
    const bad = await company.post('/api/open-applications', body({ documents: [fake] }));
    assert.equal(bad.status, 400, bad.text);
    assert.equal(bad.body.error.code, 'OPENAPPLY_DOCUMENT_TYPE');
    assert.equal(bad.body.error.details.field, 'documents[0]');

    // Someone else's upload does not resolve (404 as if it did not exist).
    const theirs = await tusUpload(citizen, 'x.pdf', PDF, 'application/pdf');
    const stolen = await company.post('/api/open-applications', body({ documents: [theirs] }));
    assert.equal(stolen.status, 404, stolen.text);

    // Government users use sharing requests; anonymous callers must sign in.
    const gov = await consumer.post('/api/open-applications', body());
    assert.equal(gov.status, 403, gov.text);
    assert.equal(gov.body.error.code, 'OPENAPPLY_APPLICANT_ONLY');
    const anon = await p.client().post('/api/open-applications', body());
    assert.equal(anon.status, 401, anon.text);

    assert.equal(await count('open_applications'), before);
  });

  let appId: string;
  let docId: string;

  it('apply → ask for more → supplement → approve: an agreement and an entitlement for the applicant only, every step ledgered', async () => {
    const upload = await tusUpload(company, '营业执照.pdf', PDF, 'application/pdf');
    const created = await company.post('/api/open-applications', body({ documents: [upload] }));
    assert.equal(created.status, 201, created.text);
    const a = created.body;
    appId = a.id;
    assert.match(a.number, /^KF-\d{4}-\d{6}$/);
    assert.equal(a.state, 'provider_review');
    assert.deepEqual(a.myRoles, ['applicant']);
    assert.equal(a.documents.length, 1);
    assert.equal(a.documents[0].contentType, 'application/pdf');
    docId = a.documents[0].id;
    const review = a.deadlines.find((d: any) => d.kind === 'review' && d.status === 'open');
    assert.equal(review.workingDays, 10);
    assert.ok(review.workingDaysLeft >= 9 && review.workingDaysLeft <= 10, JSON.stringify(review));

    // A second open application for the same resource is refused.
    const again = await company.post('/api/open-applications', body());
    assert.equal(again.status, 409, again.text);
    assert.equal(again.body.error.code, 'OPENAPPLY_ALREADY_OPEN');

    // The provider sees it in its incoming box with the deadline; the applicant cannot decide its own application.
    const incoming = await provider.get('/api/open-applications?box=incoming');
    assert.equal(incoming.status, 200, incoming.text);
    const row = incoming.body.items.find((x: any) => x.id === appId);
    assert.ok(row, incoming.text);
    assert.equal(row.nextDeadline.kind, 'review');
    const self = await company.post(`/api/open-applications/${appId}/transitions`, { to: 'approved', comment: '同意' });
    assert.equal(self.status, 403, self.text);
    assert.equal(self.body.error.code, 'OPENAPPLY_WRONG_ROLE');
    // Rejecting needs reasons.
    const noReason = await provider.post(`/api/open-applications/${appId}/transitions`, { to: 'rejected', comment: '不行' });
    assert.equal(noReason.status, 400, noReason.text);
    assert.equal(noReason.body.error.code, 'OPENAPPLY_REASON_REQUIRED');

    // The provider downloads the document (ledgered); a stranger gets 404.
    const doc = await provider.get(`/api/open-applications/${appId}/documents/${docId}`);
    assert.equal(doc.status, 200, doc.text);
    assert.equal(doc.headers.get('content-type'), 'application/pdf');
    assert.ok(doc.text.startsWith('%PDF-'));
    assert.equal((await citizen.get(`/api/open-applications/${appId}/documents/${docId}`)).status, 404);

    // The review deadline is a durable job (pg-boss) due at the end of the last working day, with its reminder.
    const jobs = async (key: string) =>
      (
        await sql<{ name: string; state: string; start_after: Date }>`select name, state, start_after from pgboss.job
          where singleton_key = ${key} order by name`.execute(p.ctx.db)
      ).rows;
    const pending = await jobs(`openapply:${review.id}`);
    assert.equal(pending.length, 1, JSON.stringify(pending));
    assert.equal(pending[0]!.name, 'openapply.deadline');
    assert.equal(pending[0]!.state, 'created');
    assert.equal(pending[0]!.start_after.toISOString(), review.dueAt);
    assert.equal((await jobs(`openapply:${review.id}:remind`))[0]?.name, 'openapply.reminder');

    const asked = await step(provider, appId, 'supplement', '请补充数据安全管理制度文件及等保测评报告');
    // Answering in time cancels the pending job.
    assert.equal((await jobs(`openapply:${review.id}`))[0]!.state, 'cancelled');
    assert.equal(asked.state, 'supplement');
    assert.equal(asked.supplementRequest, '请补充数据安全管理制度文件及等保测评报告');
    assert.equal(asked.deadlines.find((d: any) => d.kind === 'review').status, 'met');
    assert.equal(asked.deadlines.find((d: any) => d.kind === 'supplement').status, 'open');
    // The provider cannot decide while the applicant supplements.
    const early = await provider.post(`/api/open-applications/${appId}/transitions`, { to: 'approved', comment: '同意' });
    assert.equal(early.status, 409, early.text);

    const more = await tusUpload(company, '等保测评报告.pdf', PDF, 'application/pdf');
    // Documents go with a resubmission only; the refused step changes nothing and leaves the upload usable.
    const wrongStep = await company.post(`/api/open-applications/${appId}/transitions`, {
      to: 'withdrawn',
      comment: '撤回',
      documents: [more],
    });
    assert.equal(wrongStep.status, 400, wrongStep.text);
    assert.equal(wrongStep.body.error.code, 'OPENAPPLY_DOCUMENTS_NOT_HERE');
    assert.equal((await company.get(`/api/open-applications/${appId}`)).body.state, 'supplement');
    const resubmitted = await step(company, appId, 'provider_review', '已补充等保测评报告', {
      documents: [more],
      securityMeasures: '等保三级；数据安全管理制度见附件；专人专账访问',
    });
    assert.equal(resubmitted.state, 'provider_review');
    assert.equal(resubmitted.documents.length, 2);
    assert.equal(resubmitted.documents[1].stage, 'supplement');
    assert.match(resubmitted.securityMeasures, /数据安全管理制度见附件/);
    // The clock restarted: a fresh review deadline of the full length.
    const reviews = resubmitted.deadlines.filter((d: any) => d.kind === 'review');
    assert.equal(reviews.length, 2);
    assert.equal(reviews[1].status, 'open');

    // Terms may only narrow the application.
    const widened = await provider.post(`/api/open-applications/${appId}/transitions`, {
      to: 'approved',
      comment: '同意',
      terms: { fields: ['tyshxydm', 'zczb'] },
    });
    assert.equal(widened.status, 400, widened.text);
    assert.equal(widened.body.error.code, 'OPENAPPLY_TERMS_WIDENED');

    const approved = await step(provider, appId, 'approved', '同意开放，按协议使用', {
      terms: { fields: ['tyshxydm', 'qymc', 'fddbr'], reportEveryDays: 30, text: '仅用于信用评估模型；不得对外提供原始数据。' },
    });
    assert.equal(approved.state, 'approved');
    const ag = approved.agreement;
    assert.match(ag.number, /^KFXY-\d{4}-\d{6}$/);
    assert.deepEqual(ag.fields, ['tyshxydm', 'qymc', 'fddbr']);
    assert.deepEqual(ag.actions, ['query', 'download']);
    assert.equal(ag.entitlementState, 'active');
    assert.equal(ag.reportEveryDays, 30);
    assert.equal(ag.reports.length, 1);
    assert.equal(ag.reports[0].status, 'due');

    const e = (
      await sql<any>`select holder_org_id, holder_user_id, origin, origin_id, fields, actions from entitlements where id = ${ag.entitlementId}`.execute(
        p.ctx.db,
      )
    ).rows[0];
    assert.equal(e.holder_user_id, companyUserId);
    assert.equal(e.origin, 'open_agreement');
    assert.equal(e.origin_id, ag.id);

    const actions = (await ledger({ objectId: appId })).map((r) => r.action);
    assert.deepEqual(actions, [
      'openapply.apply',
      'openapply.document.download',
      'openapply.transition',
      'openapply.transition',
      'openapply.transition',
    ]);
    assert.equal((await ledger({ action: 'entitlement.grant', objectId: ag.entitlementId })).length, 1);
  });

  it('IDOR: another user’s application, an unrelated clerk and guessed ids are 404', async () => {
    assert.equal((await citizen.get(`/api/open-applications/${appId}`)).status, 404);
    assert.equal((await consumer.get(`/api/open-applications/${appId}`)).status, 404);
    const guess = await company.get('/api/open-applications/00000000-0000-4000-8000-000000000000');
    assert.equal(guess.status, 404);
    assert.equal(guess.body.error.code, 'OPENAPPLY_NOT_FOUND');
    const step = await citizen.post(`/api/open-applications/${appId}/transitions`, { to: 'withdrawn', comment: '撤回' });
    assert.equal(step.status, 404, step.text);
    // Lists: the stranger sees none of it; the authority sees all.
    assert.ok(!(await citizen.get('/api/open-applications?box=mine')).body.items.some((x: any) => x.id === appId));
    assert.ok((await admin.get('/api/open-applications?box=all')).body.items.some((x: any) => x.id === appId));
    assert.equal((await admin.get(`/api/open-applications/${appId}`)).status, 200);
  });

  it('after approval the data flows through the gate: approved fields only, personal information masked, also by API key', async () => {
    const q = await company.post(`/api/datasets/${datasetId}/query`, { limit: 5 });
    assert.equal(q.status, 200, q.text);
    assert.equal(q.body.basis, 'entitlement');
    const cols = Object.fromEntries(q.body.columns.map((c: any) => [c.name, c.policy]));
    assert.deepEqual(Object.keys(cols).sort(), ['企业名称', '法定代表人', '统一社会信用代码'].sort(), JSON.stringify(cols));
    assert.equal(cols['法定代表人'], 'mask');
    assert.equal(cols['企业名称'], 'clear');
    // A field not in the agreement is refused by name.
    const more = await company.post(`/api/datasets/${datasetId}/query`, { columns: ['注册资本'], limit: 1 });
    assert.equal(more.status, 403, more.text);

    const dl = await company.get(`/api/datasets/${datasetId}/download?format=csv`);
    assert.equal(dl.status, 200, dl.text);
    const header = dl.text.replace(/^\uFEFF/, '').split(/\r?\n/)[0]!;
    assert.ok(!header.includes('注册资本'), header);
    assert.ok(header.includes('法定代表人'), header);

    const soda = await company.get(`/resource/${datasetId}.json?$limit=3`);
    assert.equal(soda.status, 200, soda.text);
    assert.equal(soda.body.length, 3);
    assert.ok(!('注册资本' in soda.body[0]), JSON.stringify(soda.body[0]));
    assert.match(String(soda.body[0]['法定代表人']), /\*/);

    // The company's developer API key carries the same entitlement (the holder is the user).
    const key = await company.post('/api/api-keys', { name: '信用评估系统' });
    assert.equal(key.status, 201, key.text);
    const signed = await signedFetch(p.url, key.body, 'GET', `/resource/${datasetId}.json?$limit=2`);
    assert.equal(signed.status, 200, signed.text);
    assert.equal(signed.body.length, 2);

    // Another citizen of the same kind has no entitlement: still 403.
    const other = await citizen.post(`/api/datasets/${datasetId}/query`, { limit: 1 });
    assert.equal(other.status, 403, other.text);
    const reads = await ledger({ action: 'dataset.read', objectId: datasetId, actor: companyUserId });
    assert.ok(reads.length >= 3);
    assert.ok(reads.every((r) => r.details.basis === 'entitlement'));
  });

  it('a usage report overdue beyond its grace suspends the entitlement (403); the late report lets the provider reinstate it', async () => {
    const before = (await company.get(`/api/open-applications/${appId}`)).body.agreement;
    const report = before.reports[0];
    // The job before the grace end does nothing.
    assert.equal((await p.ctx.openApply.fireReport(report.id, { at: new Date(Date.parse(report.graceUntil) - 60_000) })).result, 'not_due');
    assert.equal((await p.ctx.openApply.fireReport(report.id, { at: new Date(Date.parse(report.graceUntil) + 1000) })).result, 'suspended');
    // Idempotent.
    assert.equal((await p.ctx.openApply.fireReport(report.id, { at: new Date(Date.parse(report.graceUntil) + 2000) })).result, 'closed');

    const after = (await company.get(`/api/open-applications/${appId}`)).body.agreement;
    assert.equal(after.entitlementState, 'suspended');
    assert.equal(after.reports[0].status, 'overdue');
    const denied = await company.post(`/api/datasets/${datasetId}/query`, { limit: 1 });
    assert.equal(denied.status, 403, denied.text);
    assert.equal(denied.body.error.code, 'ENTITLEMENT_SUSPENDED');
    assert.equal((await company.get(`/resource/${datasetId}.json?$limit=1`)).status, 403);
    assert.equal((await ledger({ action: 'entitlement.suspend', objectId: after.entitlementId })).length, 1);
    assert.equal((await ledger({ action: 'openapply.report.overdue', objectId: appId })).length, 1);

    // The provider cannot reinstate while the report is missing; the applicant cannot reinstate at all.
    const tooEarly = await provider.post(`/api/open-applications/${appId}/reinstate`, { comment: '恢复' });
    assert.equal(tooEarly.status, 409, tooEarly.text);
    assert.equal(tooEarly.body.error.code, 'OPENAPPLY_REPORTS_MISSING');
    const short = await company.post(`/api/open-applications/${appId}/reports/${report.id}`, { content: '用了' });
    assert.equal(short.status, 400, short.text);
    const submitted = await company.post(`/api/open-applications/${appId}/reports/${report.id}`, {
      content: '本期用于 120 家企业的信用评估，模型准确率提升 8%，未对外提供原始数据。',
    });
    assert.equal(submitted.status, 200, submitted.text);
    const ag = submitted.body.agreement;
    assert.equal(ag.reports[0].status, 'overdue_submitted');
    assert.equal(ag.reports.length, 2, 'the next period is scheduled');
    assert.equal(ag.entitlementState, 'suspended', 'a late report does not reinstate by itself');
    const byApplicant = await company.post(`/api/open-applications/${appId}/reinstate`, { comment: '恢复' });
    assert.equal(byApplicant.status, 403, byApplicant.text);

    const reinstated = await provider.post(`/api/open-applications/${appId}/reinstate`, { comment: '已收到报告，恢复授权' });
    assert.equal(reinstated.status, 200, reinstated.text);
    assert.equal(reinstated.body.agreement.entitlementState, 'active');
    assert.equal((await company.post(`/api/datasets/${datasetId}/query`, { limit: 1 })).status, 200);
    assert.equal((await ledger({ action: 'entitlement.resume', objectId: ag.entitlementId })).length, 1);
  });

  it('deadline jobs: an overdue review is flagged and told once; an unanswered request for more lapses the application', async () => {
    const c = await citizen.post('/api/open-applications', body({ applicantKind: 'citizen', fields: ['qymc'] }));
    assert.equal(c.status, 201, c.text);
    const review = c.body.deadlines.find((d: any) => d.kind === 'review');
    const due = Date.parse(review.dueAt);
    assert.equal((await p.ctx.openApply.fireDeadline(review.id, { at: new Date(due - 1000) })).result, 'not_due');
    // The reminder: once, before the due time, ledgered with the application's number.
    assert.equal((await p.ctx.openApply.fireReminder(review.id, { at: new Date(due - 1000) })).result, 'reminded');
    assert.equal((await p.ctx.openApply.fireReminder(review.id, { at: new Date(due - 500) })).result, 'already_reminded');
    const deadline = { number: c.body.number, deadlineId: review.id, kind: 'review', dueDate: review.dueDate };
    assert.deepEqual(
      (await ledger({ action: 'openapply.deadline.remind', objectId: c.body.id })).map((e) => e.details),
      [deadline],
    );
    assert.equal((await p.ctx.openApply.fireDeadline(review.id, { at: new Date(due + 1000) })).result, 'overdue');
    assert.equal((await p.ctx.openApply.fireDeadline(review.id, { at: new Date(due + 2000) })).result, 'already_overdue');
    assert.deepEqual(
      (await ledger({ action: 'openapply.deadline.overdue', objectId: c.body.id })).map((e) => e.details),
      [{ ...deadline, workingDays: review.workingDays }],
    );
    const seen = (await provider.get(`/api/open-applications/${c.body.id}`)).body;
    assert.equal(seen.nextDeadline.overdue, true);

    const asked = await step(provider, c.body.id, 'supplement', '请说明研究课题及所在单位');
    const sup = asked.deadlines.find((d: any) => d.kind === 'supplement' && d.status === 'open');
    assert.equal((await p.ctx.openApply.fireDeadline(sup.id, { at: new Date(Date.parse(sup.dueAt) + 1000) })).result, 'lapsed');
    const lapsed = (await citizen.get(`/api/open-applications/${c.body.id}`)).body;
    assert.equal(lapsed.state, 'lapsed');
    assert.equal(lapsed.events.at(-1).byRole, 'system');
    // Withdrawn or lapsed: a new application is possible again; rejecting one with reasons closes it.
    const again = await citizen.post('/api/open-applications', body({ applicantKind: 'researcher', fields: ['qymc'] }));
    assert.equal(again.status, 201, again.text);
    const rejected = await step(provider, again.body.id, 'rejected', '研究用途与所申请字段不相关');
    assert.equal(rejected.state, 'rejected');
    assert.equal(rejected.refusalReason, '研究用途与所申请字段不相关');
    assert.equal(rejected.agreement, null);
  });

  it('a grant to one citizen is not another citizen’s: both in the PUBLIC organization, the holder is the user', async () => {
    await p.ctx.identity.createUser(SYSTEM, {
      username: 'citizen2',
      password: DEMO_PASSWORD,
      displayName: '另一位公众',
      orgCode: 'PUBLIC',
      roles: ['public_user'],
    });
    const citizen2 = await login('citizen2');
    const me = (await citizen.get('/api/auth/me')).body;
    assert.equal((await citizen2.get('/api/auth/me')).body.org.id, me.org.id, 'same organization');
    const c = await citizen.post('/api/open-applications', body({ applicantKind: 'citizen', fields: ['qymc', 'djzt'] }));
    assert.equal(c.status, 201, c.text);
    await step(provider, c.body.id, 'approved', '同意');
    const mine = await citizen.post(`/api/datasets/${datasetId}/query`, { limit: 2 });
    assert.equal(mine.status, 200, mine.text);
    assert.deepEqual(mine.body.columns.map((x: any) => x.name).sort(), ['企业名称', '登记状态'].sort());
    const theirs = await citizen2.post(`/api/datasets/${datasetId}/query`, { limit: 2 });
    assert.equal(theirs.status, 403, theirs.text);
    assert.equal(theirs.body.error.code, 'DATASET_ENTITLEMENT_REQUIRED');
    assert.equal((await citizen2.get(`/api/open-applications/${c.body.id}`)).status, 404);
    assert.ok(!(await citizen2.get('/api/open-applications')).body.items.some((x: any) => x.id === c.body.id));
  });

  it('the authority reads all and the settings with their sources; only the authority changes them (ledgered)', async () => {
    const stats = await admin.get('/api/open-applications/stats');
    assert.equal(stats.status, 200, stats.text);
    assert.ok(stats.body.byState.approved >= 1);
    const settings = await company.get('/api/open-applications/settings');
    assert.equal(settings.status, 200, settings.text);
    const review = settings.body.items.find((s: any) => s.key === 'review_days');
    assert.equal(review.value, 10);
    assert.match(review.sourceZh, /意见/);
    assert.equal((await provider.put('/api/open-applications/settings/review_days', { value: 5 })).status, 403);
    const changed = await admin.put('/api/open-applications/settings/review_days', { value: 5 });
    assert.equal(changed.status, 200, changed.text);
    assert.equal((await ledger({ action: 'openapply.settings.update' })).length, 1);
    const out = await admin.put('/api/open-applications/settings/review_days', { value: 0 });
    assert.equal(out.body.error.code, 'OPENAPPLY_SETTING_OUT_OF_RANGE');
  });
});
