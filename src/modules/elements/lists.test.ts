// API tests of the three lists: the responsibility list (职责目录, backed by published resources), the demand
// list (需求清单: matched to resources, open → answered/rejected → closed, reopen, time to answer), the negative
// list (负面清单 and the negativeListBlocks check), and the per-department coverage report — with the
// role checks and IDOR probes (someone else's demand is a 404, not a 403).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { startTestPlatform, type TestClient, type TestPlatform } from '../../../test/helpers.ts';
import { DEMO_PASSWORD } from '../identity/service.ts';
import { insertResource, orgIds, userIds } from './testing.ts';

let p: TestPlatform;
let orgs: Map<string, string>;
let users: Map<string, string>;
const clients = new Map<string, TestClient>();

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

/** Notifications of a kind about one demand in a user's inbox. */
async function inbox(username: string, kind: string, demandId: string): Promise<number> {
  const { rows } = await sql<{ n: number }>`select count(*)::int as n from notifications n join users u on u.id = n.user_id
    where u.username = ${username} and n.kind = ${kind} and n.link = ${'/lists/demands/' + demandId}`.execute(p.ctx.db);
  return rows[0]!.n;
}

let scjgPublished: string;
let scjgDraft: string;
let gaPublished: string;
let openData: string;

before(async () => {
  p = await startTestPlatform();
  orgs = await orgIds(p.ctx.db);
  const admin = await as('admin');
  const ga = await admin.post('/api/users', {
    username: 'ga_clerk',
    displayName: '公安经办人',
    orgId: orgs.get('GA'),
    roles: ['provider_clerk'],
    password: DEMO_PASSWORD,
  });
  assert.equal(ga.status, 201, ga.text);
  users = await userIds(p.ctx.db);
  scjgPublished = (
    await insertResource(p.ctx, {
      orgId: orgs.get('SCJG')!,
      orgCode: 'SCJG',
      nameZh: '列表测试企业年报信息',
      fields: [{ nameZh: '企业名称' }, { nameZh: '年报年度' }],
    })
  ).id;
  scjgDraft = (await insertResource(p.ctx, { orgId: orgs.get('SCJG')!, orgCode: 'SCJG', nameZh: '列表测试行政处罚草稿', status: 'draft' }))
    .id;
  gaPublished = (await insertResource(p.ctx, { orgId: orgs.get('GA')!, orgCode: 'GA', nameZh: '列表测试户籍人口统计' })).id;
  openData = (
    await insertResource(p.ctx, {
      orgId: orgs.get('JT')!,
      orgCode: 'JT',
      nameZh: '列表测试公交线路站点',
      openMode: 'unconditional',
      shareMode: 'unconditional',
      keywords: ['公交', '线路'],
      fields: [{ nameZh: '线路名称' }, { nameZh: '站点名称' }],
    })
  ).id;
});

after(async () => {
  await p.close();
});

test('responsibility list: a provider manages its own department’s items; backed means a published resource', async () => {
  const provider = await as('provider');
  const created = await provider.post('/api/lists/responsibilities', {
    nameZh: '企业年度报告公示信息',
    description: '向各部门共享企业年报',
    legalBasis: '《企业信息公示暂行条例》第八条',
    resourceIds: [scjgDraft],
  });
  assert.equal(created.status, 201, created.text);
  assert.equal(created.body.org.code, 'SCJG');
  assert.equal(created.body.backed, false, 'a draft does not back an item');
  const id = created.body.id as string;

  const linked = await provider.patch(`/api/lists/responsibilities/${id}`, { resourceIds: [scjgDraft, scjgPublished] });
  assert.equal(linked.status, 200, linked.text);
  assert.equal(linked.body.backed, true);
  assert.equal(linked.body.linkedCount, 2);

  // A consumer in another department reads the list but does not see the provider's draft.
  const consumer = await as('consumer');
  const seen = await consumer.get(`/api/lists/responsibilities/${id}`);
  assert.equal(seen.status, 200);
  assert.equal(seen.body.linkedCount, 2);
  assert.deepEqual(
    seen.body.resources.map((r: { id: string }) => r.id),
    [scjgPublished],
  );
  const list = await consumer.get(`/api/lists/responsibilities?orgId=${orgs.get('SCJG')}`);
  assert.ok(list.body.items.some((i: { id: string }) => i.id === id));
  assert.ok(list.body.items.every((i: { org: { code: string } }) => i.org.code.startsWith('SCJG')));
  assert.equal((await (await as('public')).get('/api/lists/responsibilities')).status, 403);
  assert.equal((await p.client().get('/api/lists/responsibilities')).status, 401);

  // Not someone else's department, not someone else's resource, not an unknown resource.
  const foreign = await provider.post('/api/lists/responsibilities', { orgId: orgs.get('GA'), nameZh: '户籍信息' });
  assert.equal(foreign.status, 403);
  const notOwn = await provider.post('/api/lists/responsibilities', { nameZh: '人口信息', resourceIds: [gaPublished] });
  assert.equal(notOwn.status, 400);
  assert.equal(notOwn.body.error.code, 'RESPONSIBILITY_RESOURCE_NOT_OWN');
  const unknown = await provider.post('/api/lists/responsibilities', {
    nameZh: '人口信息',
    resourceIds: ['00000000-0000-4000-8000-000000000000'],
  });
  assert.equal(unknown.status, 400);
  assert.equal(unknown.body.error.code, 'LIST_RESOURCE_NOT_FOUND');
  assert.equal((await consumer.post('/api/lists/responsibilities', { nameZh: '社保信息' })).status, 403);

  // The authority adds an item for 公安局; the SCJG provider cannot touch it, 公安's clerk can.
  const admin = await as('admin');
  const gaItem = await admin.post('/api/lists/responsibilities', {
    orgId: orgs.get('GA'),
    nameZh: '户籍人口信息',
    resourceIds: [gaPublished],
  });
  assert.equal(gaItem.status, 201, gaItem.text);
  assert.equal((await provider.patch(`/api/lists/responsibilities/${gaItem.body.id}`, { nameZh: '改' })).status, 403);
  assert.equal((await provider.delete(`/api/lists/responsibilities/${gaItem.body.id}`)).status, 403);
  const gaClerk = await as('ga_clerk');
  assert.equal((await gaClerk.patch(`/api/lists/responsibilities/${gaItem.body.id}`, { legalBasis: '《户口登记条例》' })).status, 200);

  assert.equal(await ledgerCount('lists.responsibility.create', id), 1);
  assert.equal(await ledgerCount('lists.responsibility.update', id), 1);
  assert.equal((await provider.delete(`/api/lists/responsibilities/${id}`)).status, 204);
  assert.equal(await ledgerCount('lists.responsibility.delete', id), 1);
  assert.equal((await provider.get(`/api/lists/responsibilities/${id}`)).status, 404);
});

test('demands: raised by the public, matched to resources, routed, rejected; others cannot see them', async () => {
  const pub = await as('public');
  const raised = await pub.post('/api/lists/demands', {
    title: '公交线路站点数据',
    description: '开发出行小程序需要全市公交线路和站点',
    neededFields: ['线路名称', '站点名称'],
    purpose: '便民出行服务',
  });
  assert.equal(raised.status, 201, raised.text);
  const d = raised.body;
  assert.equal(d.raiserKind, 'public');
  assert.equal(d.status, 'open');
  assert.equal(d.targetOrg, null);
  assert.ok(
    d.matches.some((m: { id: string }) => m.id === openData),
    'the open bus-line resource is proposed',
  );
  assert.ok(!d.matches.some((m: { id: string }) => m.id === scjgDraft));
  assert.deepEqual(d.allowedTransitions, ['close'], 'the raiser may withdraw it');
  assert.equal(await inbox('admin', 'lists.demand.raised', d.id), 1, 'unrouted demands go to the authority');

  // IDOR: another public user, a consumer in another department, a provider: 404, and not in their lists.
  const company = await as('company');
  assert.equal((await company.get(`/api/lists/demands/${d.id}`)).status, 404);
  assert.ok(!(await company.get('/api/lists/demands')).body.items.some((x: { id: string }) => x.id === d.id));
  const provider = await as('provider');
  assert.equal((await provider.get(`/api/lists/demands/${d.id}`)).status, 404);
  assert.equal((await provider.post(`/api/lists/demands/${d.id}/reject`, { reason: '无' })).status, 404);
  assert.equal((await company.patch(`/api/lists/demands/${d.id}`, { title: '改' })).status, 404);
  assert.equal((await p.client().get('/api/lists/demands')).status, 401);

  // The raiser edits it; the authority routes it to 市场监管局 (the raiser may not route).
  assert.equal((await pub.patch(`/api/lists/demands/${d.id}`, { purpose: '便民出行服务（非商业）' })).status, 200);
  assert.equal((await pub.patch(`/api/lists/demands/${d.id}`, { targetOrgId: orgs.get('SCJG') })).status, 403);
  const admin = await as('admin');
  const routed = await admin.patch(`/api/lists/demands/${d.id}`, { targetOrgId: orgs.get('SCJG') });
  assert.equal(routed.status, 200, routed.text);
  assert.equal(routed.body.targetOrg.code, 'SCJG');
  assert.equal(await inbox('provider', 'lists.demand.raised', d.id), 1);
  const badTarget = await admin.patch(`/api/lists/demands/${d.id}`, { targetOrgId: orgs.get('COMP') });
  assert.equal(badTarget.status, 400);
  assert.equal(badTarget.body.error.code, 'ORG_UNKNOWN');

  // Now the provider sees it and rejects it with a reason; the raiser is told.
  const mine = await provider.get('/api/lists/demands?status=open');
  assert.ok(mine.body.items.some((x: { id: string }) => x.id === d.id));
  const view = await provider.get(`/api/lists/demands/${d.id}`);
  assert.deepEqual(view.body.allowedTransitions, ['answer', 'reject']);
  assert.equal((await provider.post(`/api/lists/demands/${d.id}/reject`, { reason: '   ' })).status, 400);
  const rejected = await provider.post(`/api/lists/demands/${d.id}/reject`, { reason: '本局不掌握公交数据，请向交通运输局提出' });
  assert.equal(rejected.status, 200, rejected.text);
  assert.equal(rejected.body.status, 'rejected');
  assert.ok(rejected.body.respondedAt);
  assert.equal(rejected.body.answerWorkingDays, 0);
  assert.equal(await inbox('public', 'lists.demand.rejected', d.id), 1);
  assert.equal(await ledgerCount('lists.demand.reject', d.id), 1);

  // Nothing moves a rejected demand.
  const stuck = await pub.post(`/api/lists/demands/${d.id}/close`, {});
  assert.equal(stuck.status, 409);
  assert.equal(stuck.body.error.code, 'DEMAND_TRANSITION_INVALID');
  assert.deepEqual(stuck.body.error.details.allowed, []);
  assert.equal((await pub.patch(`/api/lists/demands/${d.id}`, { title: '再改' })).body.error.code, 'DEMAND_NOT_EDITABLE');
});

test('demands: a department’s demand answered with resources, reopened, answered again, closed', async () => {
  const consumer = await as('consumer');
  const raised = await consumer.post('/api/lists/demands', {
    title: '企业年报信息共享',
    neededFields: ['企业名称', '年报年度'],
    purpose: '社保稽核比对',
    targetOrgId: orgs.get('SCJG'),
  });
  assert.equal(raised.status, 201, raised.text);
  const id = raised.body.id as string;
  assert.equal(raised.body.raiserKind, 'department');
  assert.ok(raised.body.matches.some((m: { id: string }) => m.id === scjgPublished));

  // Another department's provider cannot see or answer it.
  const gaClerk = await as('ga_clerk');
  assert.equal((await gaClerk.post(`/api/lists/demands/${id}/answer`, { reply: 'x' })).status, 404);
  // The raiser cannot answer its own demand.
  const self = await consumer.post(`/api/lists/demands/${id}/answer`, { reply: '自答' });
  assert.equal(self.status, 403);

  const provider = await as('provider');
  assert.equal((await provider.post(`/api/lists/demands/${id}/answer`, {})).body.error.code, 'DEMAND_ANSWER_EMPTY');
  const bad = await provider.post(`/api/lists/demands/${id}/answer`, { resourceIds: [gaPublished.replace(/^./, 'f')] });
  assert.equal(bad.status, 400);
  const answered = await provider.post(`/api/lists/demands/${id}/answer`, {
    reply: '已编目，请发起共享申请',
    resourceIds: [scjgPublished],
  });
  assert.equal(answered.status, 200, answered.text);
  assert.equal(answered.body.status, 'answered');
  assert.deepEqual(
    answered.body.resources.map((r: { id: string }) => r.id),
    [scjgPublished],
  );
  const firstAnswer = answered.body.respondedAt as string;
  assert.equal(await inbox('consumer', 'lists.demand.answered', id), 1);

  // The provider may not close it for the raiser; the raiser reopens it, it is answered again, then closed.
  assert.equal((await provider.post(`/api/lists/demands/${id}/close`, {})).status, 403);
  const reopened = await consumer.post(`/api/lists/demands/${id}/reopen`, { comment: '缺少统一社会信用代码字段' });
  assert.equal(reopened.status, 200);
  assert.equal(reopened.body.status, 'open');
  assert.equal(await inbox('provider', 'lists.demand.reopened', id), 1);
  const again = await provider.post(`/api/lists/demands/${id}/answer`, { reply: '已补充' });
  assert.equal(again.body.respondedAt, firstAnswer, 'time to answer counts from the first answer');
  const closed = await consumer.post(`/api/lists/demands/${id}/close`, { comment: '满意' });
  assert.equal(closed.status, 200);
  assert.equal(closed.body.status, 'closed');
  assert.ok(closed.body.closedAt);
  assert.deepEqual(closed.body.allowedTransitions, []);
  for (const a of ['answer', 'reopen', 'close']) assert.equal(await ledgerCount(`lists.demand.${a}`, id), a === 'answer' ? 2 : 1);

  // The raiser withdraws an open demand.
  const other = await consumer.post('/api/lists/demands', { title: '临时需求' });
  const withdrawn = await consumer.post(`/api/lists/demands/${other.body.id}/close`, {});
  assert.equal(withdrawn.body.status, 'closed');

  // The auditor reads everything; the list pages.
  const auditor = await as('auditor');
  const page = await auditor.get('/api/lists/demands?pageSize=1&page=2');
  assert.equal(page.status, 200);
  assert.equal(page.body.items.length, 1);
  assert.ok(page.body.total >= 3);
  assert.equal((await auditor.post(`/api/lists/demands/${id}/reopen`, {})).status, 409);
});

test('negative list: the authority manages it; the check blocks sharing/opening; history is kept', async () => {
  const admin = await as('admin');
  const provider = await as('provider');
  assert.equal((await provider.post('/api/lists/negative', { resourceId: scjgPublished, scope: 'share', legalBasis: 'x' })).status, 403);
  const added = await admin.post('/api/lists/negative', {
    resourceId: openData,
    scope: 'open',
    legalBasis: '《数据安全法》第二十一条；涉及公共安全的实时位置数据',
    note: '测试',
  });
  assert.equal(added.status, 201, added.text);
  assert.equal(added.body.attributeConflict, true, 'the resource is still open unconditionally');
  const id = added.body.id as string;
  const dup = await admin.post('/api/lists/negative', { resourceId: openData, scope: 'share', legalBasis: 'y' });
  assert.equal(dup.status, 409);
  assert.equal(dup.body.error.code, 'NEGATIVE_ENTRY_EXISTS');
  assert.equal(await ledgerCount('lists.negative.add', id), 1);

  const svc = p.ctx.elements;
  assert.equal(await svc.negativeListBlocks(openData, 'share'), null);
  const block = await svc.negativeListBlocks(openData, 'open');
  assert.equal(block?.entryId, id);
  assert.match(block!.legalBasis, /数据安全法/);

  const pub = await as('public');
  const check = await pub.get(`/api/lists/negative/check/${openData}?mode=open`);
  assert.equal(check.status, 200);
  assert.equal(check.body.blocked, true);
  assert.equal((await pub.get(`/api/lists/negative/check/${scjgDraft}?mode=open`)).status, 404, 'an invisible resource');
  assert.ok((await pub.get('/api/lists/negative')).body.items.some((e: { id: string }) => e.id === id));

  const widened = await admin.patch(`/api/lists/negative/${id}`, { scope: 'both' });
  assert.equal(widened.body.scope, 'both');
  assert.ok(await svc.negativeListBlocks(openData, 'share'));
  assert.equal((await admin.post(`/api/lists/negative/${id}/remove`, { reason: '' })).status, 400);
  const removed = await admin.post(`/api/lists/negative/${id}/remove`, { reason: '已脱敏处理' });
  assert.equal(removed.status, 200);
  assert.ok(removed.body.removedAt);
  assert.equal(removed.body.attributeConflict, false);
  assert.equal(await svc.negativeListBlocks(openData, 'open'), null);
  assert.equal((await admin.post(`/api/lists/negative/${id}/remove`, { reason: 'again' })).body.error.code, 'NEGATIVE_ALREADY_REMOVED');
  assert.ok(!(await admin.get('/api/lists/negative')).body.items.some((e: { id: string }) => e.id === id));
  assert.ok((await admin.get('/api/lists/negative?includeRemoved=true')).body.items.some((e: { id: string }) => e.id === id));
  // Back on the list after removal: a new entry.
  assert.equal((await admin.post('/api/lists/negative', { resourceId: openData, scope: 'open', legalBasis: '重新列入' })).status, 201);
  assert.equal(await ledgerCount('lists.negative.remove', id), 1);
  assert.equal(await ledgerCount('lists.negative.update', id), 1);
});

test('coverage per department: backed share, open demands, working days to answer', async () => {
  const admin = await as('admin');
  const dept = await admin.post('/api/orgs', { code: 'COVT', nameZh: '覆盖率测试局', kind: 'department' });
  assert.equal(dept.status, 201, dept.text);
  const deptId = dept.body.id as string;
  const db = p.ctx.db;
  const published = await insertResource(p.ctx, { orgId: deptId, orgCode: 'COVT', nameZh: '覆盖率测试已发布' });
  assert.equal(
    (await admin.post('/api/lists/responsibilities', { orgId: deptId, nameZh: '事项一', resourceIds: [published.id] })).status,
    201,
  );
  assert.equal((await admin.post('/api/lists/responsibilities', { orgId: deptId, nameZh: '事项二' })).status, 201);

  // Three answered demands (3, 5 and 1 working days, 2025 National Day holidays in between) and one open.
  const raiser = users.get('consumer')!;
  const rsOrg = orgs.get('RS')!;
  for (const [created, responded] of [
    ['2025-09-29T02:00:00Z', '2025-10-10T02:00:00Z'],
    ['2025-10-13T02:00:00Z', '2025-10-20T02:00:00Z'],
    ['2025-10-20T02:00:00Z', '2025-10-21T02:00:00Z'],
    ['2025-10-20T02:00:00Z', null],
  ] as const) {
    await sql`insert into resource_demands (title, raiser_kind, raised_by, raiser_org_id, target_org_id, status, responded_at, created_at, updated_at)
      values ('覆盖率测试需求', 'department', ${raiser}, ${rsOrg}, ${deptId}, ${responded ? 'answered' : 'open'}, ${responded}, ${created}, ${created})`.execute(
      db,
    );
  }
  const cov = await admin.get('/api/elements/coverage');
  assert.equal(cov.status, 200, cov.text);
  const row = cov.body.items.find((r: { org: { id: string } }) => r.org.id === deptId);
  assert.deepEqual(
    { ...row, org: row.org.code },
    {
      org: 'COVT',
      responsibilityItems: 2,
      backedItems: 1,
      backedPercent: 50,
      openDemands: 1,
      answeredDemands: 3,
      medianAnswerWorkingDays: 3,
      avgAnswerWorkingDays: 3,
    },
  );
  // Every demo department has a row; a provider sees only its own; the public none.
  assert.ok(cov.body.items.some((r: { org: { code: string } }) => r.org.code === 'GA'));
  const provider = await as('provider');
  const own = await provider.get('/api/elements/coverage');
  assert.deepEqual(
    own.body.items.map((r: { org: { code: string } }) => r.org.code),
    ['SCJG'],
  );
  assert.equal((await (await as('public')).get('/api/elements/coverage')).status, 403);
  assert.equal((await (await as('auditor')).get('/api/elements/coverage')).status, 200);
});
