// API tests of the data element registry and 一数一源: elements (authority-managed), field lineage with the
// repeated-collection flag, claims (accepted when uncontested, arbitration otherwise), the arbitration queue
// and its decision (ledgered, the loser notified), the per-department report, and who may do what.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { startTestPlatform, type TestClient, type TestPlatform } from '../../../test/helpers.ts';
import { DEMO_PASSWORD } from '../identity/service.ts';
import { insertResource, orgIds, setResourceStatus } from './testing.ts';

let p: TestPlatform;
let orgs: Map<string, string>;
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

async function ledger(action: string, objectId: string) {
  const { rows } = await sql<{ action: string; details: Record<string, unknown> }>`
    select action, details from ledger_entries where action = ${action} and object_id = ${objectId} order by seq`.execute(p.ctx.db);
  return rows;
}

async function inbox(username: string, kind: string) {
  const { rows } = await sql<{ title_zh: string; body_zh: string }>`
    select n.title_zh, n.body_zh from notifications n join users u on u.id = n.user_id
    where u.username = ${username} and n.kind = ${kind} order by n.created_at`.execute(p.ctx.db);
  return rows;
}

let n = 0;
async function newElement(nameZh: string, extra: Record<string, unknown> = {}) {
  const admin = await as('admin');
  const res = await admin.post('/api/elements', {
    code: `DE-T-${String(++n).padStart(4, '0')}`,
    nameZh,
    nameEn: `Test element ${n}`,
    dataType: 'string',
    format: 'c18',
    standardRef: 'GB 11643-1999',
    ...extra,
  });
  assert.equal(res.status, 201, res.text);
  return res.body as { id: string; code: string };
}

before(async () => {
  p = await startTestPlatform();
  orgs = await orgIds(p.ctx.db);
  const admin = await as('admin');
  for (const [username, org, role] of [
    ['ga_clerk', 'GA', 'provider_clerk'],
    ['gark_clerk', 'GA-RK', 'provider_clerk'],
    ['rs_clerk', 'RS', 'provider_clerk'],
    ['zrzy_clerk', 'ZRZY', 'provider_clerk'],
    ['zj_clerk', 'ZJ', 'provider_clerk'],
  ] as const) {
    const res = await admin.post('/api/users', {
      username,
      displayName: username,
      orgId: orgs.get(org),
      roles: [role],
      password: DEMO_PASSWORD,
    });
    assert.equal(res.status, 201, res.text);
  }
});

after(async () => {
  await p.close();
});

test('the registry: the authority creates and edits elements; everyone signed in reads; others may not write', async () => {
  const anon = p.client();
  assert.equal((await anon.get('/api/elements')).status, 401);

  const e = await newElement('测试号码甲', { synonyms: ['甲号码', ' 甲号码 '], pattern: '^[0-9]{17}[0-9X]$' });
  const pub = await as('public');
  const one = await pub.get(`/api/elements/${e.id}`);
  assert.equal(one.status, 200);
  assert.equal(one.body.code, 'DE-T-0001');
  assert.deepEqual(one.body.synonyms, ['甲号码']);
  assert.equal(one.body.authoritativeOrg, null);
  assert.equal(one.body.mappedFields, 0);

  const list = await pub.get('/api/elements?q=' + encodeURIComponent('甲号码'));
  assert.equal(list.status, 200);
  assert.ok(list.body.items.some((x: { id: string }) => x.id === e.id));

  // Writes: authority only.
  const provider = await as('provider');
  assert.equal((await provider.post('/api/elements', { code: 'DE-X-1', nameZh: 'x', dataType: 'string' })).status, 403);
  assert.equal((await provider.patch(`/api/elements/${e.id}`, { nameEn: 'x' })).status, 403);

  // Duplicates and bad input.
  const admin = await as('admin');
  const dup = await admin.post('/api/elements', { code: 'de-t-0001', nameZh: '另一个', dataType: 'string' });
  assert.equal(dup.status, 409);
  assert.equal(dup.body.error.code, 'ELEMENT_CODE_TAKEN');
  const dupName = await admin.post('/api/elements', { code: 'DE-T-9999', nameZh: '测试号码甲', dataType: 'string' });
  assert.equal(dupName.body.error.code, 'ELEMENT_NAME_TAKEN');
  assert.equal((await admin.post('/api/elements', { code: 'DE-T-9998', nameZh: 'y', dataType: 'blob' })).status, 400);
  const badPattern = await admin.post('/api/elements', { code: 'DE-T-9997', nameZh: 'z', dataType: 'string', pattern: '([' });
  assert.equal(badPattern.status, 400);
  assert.equal(badPattern.body.error.details.field, 'pattern');

  const upd = await admin.patch(`/api/elements/${e.id}`, { definitionZh: '测试用号码', status: 'retired' });
  assert.equal(upd.status, 200);
  assert.equal(upd.body.definitionZh, '测试用号码');
  assert.equal(upd.body.status, 'retired');
  const entries = await ledger('elements.update', e.id);
  assert.equal(entries.length, 1);
  assert.deepEqual(Object.keys(entries[0]!.details.changes as object).sort(), ['definition_zh', 'status']);
  assert.equal((await ledger('elements.create', e.id)).length, 1);
  assert.equal((await admin.get('/api/elements/00000000-0000-4000-8000-000000000000')).status, 404);
});

test('一数一源: lineage flags fields whose element is sourced by another department; claims and arbitration', async () => {
  const idNo = await newElement('测试身份号码');
  // 公安 (its unit 人口管理支队) holds the population library: the authoritative source.
  const population = await insertResource(p.ctx, {
    orgId: orgs.get('GA-RK')!,
    orgCode: 'GA-RK',
    nameZh: '测试人口基础信息',
    fields: [{ nameZh: '公民身份号码', elementId: idNo.id }, { nameZh: '姓名' }],
  });
  // 公安局 itself re-uses it (same department: not repeated); 人社局 collects it again (repeated).
  const gaOwn = await insertResource(p.ctx, {
    orgId: orgs.get('GA')!,
    orgCode: 'GA',
    nameZh: '测试户籍迁移记录',
    fields: [{ nameZh: '身份号码', elementId: idNo.id }],
  });
  const rsRes = await insertResource(p.ctx, {
    orgId: orgs.get('RS')!,
    orgCode: 'RS',
    nameZh: '测试社保参保信息',
    fields: [{ nameZh: '参保人姓名' }, { nameZh: '公民身份号码', elementId: idNo.id }],
  });

  // No source yet: nothing is repeated.
  const consumer = await as('consumer');
  let lin = await consumer.get(`/api/elements/resources/${rsRes.id}/lineage`);
  assert.equal(lin.status, 200, lin.text);
  assert.equal(lin.body.repeatedCount, 0);
  assert.equal(lin.body.fields[1].element.id, idNo.id);

  // The population unit's clerk (provider in GA-RK) claims the element with its resource: uncontested → accepted.
  const garkClerk = await as('gark_clerk');
  const claim = await garkClerk.post(`/api/elements/${idNo.id}/claims`, {
    resourceId: population.id,
    basis: '《居民身份证法》第二条；人口基础库建设职责',
  });
  assert.equal(claim.status, 201, claim.text);
  assert.equal(claim.body.outcome, 'accepted');
  assert.equal(claim.body.claim.status, 'accepted');
  assert.equal(claim.body.claim.org.code, 'GA-RK');

  lin = await consumer.get(`/api/elements/resources/${rsRes.id}/lineage`);
  assert.equal(lin.body.repeatedCount, 1);
  const f = lin.body.fields[1];
  assert.equal(f.repeatedCollection, true);
  assert.equal(f.isAuthoritativeSource, false);
  assert.equal(f.authoritativeOrg.code, 'GA-RK');
  assert.equal(f.authoritativeResource.id, population.id);
  assert.equal(lin.body.fields[0].element, null);
  assert.equal(lin.body.fields[0].repeatedCollection, false);

  const own = await consumer.get(`/api/elements/resources/${gaOwn.id}/lineage`);
  assert.equal(own.body.fields[0].repeatedCollection, false, 'a unit and its department are one source');
  const src = await consumer.get(`/api/elements/resources/${population.id}/lineage`);
  assert.equal(src.body.fields[0].isAuthoritativeSource, true);
  assert.equal(src.body.fields[0].repeatedCollection, false);

  const el = await consumer.get(`/api/elements/${idNo.id}`);
  assert.equal(el.body.mappedFields, 3);
  assert.equal(el.body.repeatedFields, 1);
  assert.equal(el.body.authoritativeResource.id, population.id);

  // A claim needs a resource that really carries the element, and one of the clerk's own organization.
  const rsClerk = await as('rs_clerk');
  const lacks = await insertResource(p.ctx, {
    orgId: orgs.get('RS')!,
    orgCode: 'RS',
    nameZh: '测试无号码资源',
    fields: [{ nameZh: '备注' }],
  });
  const noField = await rsClerk.post(`/api/elements/${idNo.id}/claims`, { resourceId: lacks.id, basis: '依据' });
  assert.equal(noField.status, 400);
  assert.equal(noField.body.error.code, 'CLAIM_RESOURCE_LACKS_ELEMENT');
  const notMine = await rsClerk.post(`/api/elements/${idNo.id}/claims`, { resourceId: population.id, basis: '依据' });
  assert.equal(notMine.status, 403);
  assert.equal((await consumer.post(`/api/elements/${idNo.id}/claims`, { resourceId: rsRes.id, basis: '依据' })).status, 403);
  const same = await garkClerk.post(`/api/elements/${idNo.id}/claims`, { resourceId: population.id, basis: '再次' });
  assert.equal(same.status, 409);
  assert.equal(same.body.error.code, 'CLAIM_ALREADY_AUTHORITATIVE');

  // 人社局 contests it → arbitration; the authority and the holder hear of it.
  const contest = await rsClerk.post(`/api/elements/${idNo.id}/claims`, { resourceId: rsRes.id, basis: '社会保险法第五十八条' });
  assert.equal(contest.status, 201, contest.text);
  assert.equal(contest.body.outcome, 'arbitration');
  assert.equal(contest.body.claim.status, 'pending');
  const arbId = contest.body.arbitrationId as string;
  assert.ok(arbId);
  assert.equal((await inbox('admin', 'elements.arbitration.opened')).filter((m) => m.title_zh.includes('测试身份号码')).length, 1);
  assert.equal((await inbox('gark_clerk', 'elements.claim.contested')).length, 1);
  const again = await rsClerk.post(`/api/elements/${idNo.id}/claims`, { resourceId: rsRes.id, basis: '再次' });
  assert.equal(again.body.error.code, 'CLAIM_ALREADY_PENDING');
  // While in arbitration the holder stays the source, and the authority cannot side-step the queue.
  assert.equal((await consumer.get(`/api/elements/${idNo.id}`)).body.openArbitrationId, arbId);
  const sidestep = await (await as('admin')).patch(`/api/elements/${idNo.id}`, { authoritativeResourceId: rsRes.id });
  assert.equal(sidestep.status, 409);
  assert.equal(sidestep.body.error.code, 'ELEMENT_IN_ARBITRATION');

  // The queue: authority and auditor read it; clerks do not.
  assert.equal((await rsClerk.get('/api/elements/arbitrations')).status, 403);
  const queue = await (await as('auditor')).get('/api/elements/arbitrations?status=open');
  assert.equal(queue.status, 200);
  const arb = queue.body.items.find((a: { id: string }) => a.id === arbId);
  assert.equal(arb.claims.length, 2);
  assert.equal(arb.claims[0].status, 'accepted', 'the holder first');
  assert.equal(arb.claims[1].org.code, 'RS');

  // Report: 人社局 has the repeated field and the open conflict; 公安局 the element and the conflict.
  const admin = await as('admin');
  const report = await admin.get('/api/elements/report');
  assert.equal(report.status, 200, report.text);
  const row = (code: string) => report.body.items.find((r: { org: { code: string } }) => r.org.code === code);
  assert.ok(row('RS').repeatedFields.items.some((x: { fieldId: string }) => x.fieldId === rsRes.fieldIds[1]));
  assert.ok(row('RS').openConflicts.items.some((x: { arbitrationId: string }) => x.arbitrationId === arbId));
  assert.ok(
    row('GA').openConflicts.items.some((x: { arbitrationId: string }) => x.arbitrationId === arbId),
    'units roll up into GA',
  );
  assert.ok(row('GA').authoritativeElements.some((x: { id: string }) => x.id === idNo.id));
  assert.ok(!row('GA').repeatedFields.items.some((x: { resource: { id: string } }) => x.resource.id === gaOwn.id));
  assert.equal(row('GA-RK'), undefined, 'units are not rows of their own');

  // A clerk sees only its own department's row.
  const mine = await rsClerk.get('/api/elements/report');
  assert.deepEqual(
    mine.body.items.map((r: { org: { code: string } }) => r.org.code),
    ['RS'],
  );
  assert.equal((await (await as('public')).get('/api/elements/report')).status, 403);

  // Decide: bad winner, a clerk deciding, then the authority decides for 人社局 (the holder loses).
  const bad = await admin.post(`/api/elements/arbitrations/${arbId}/decide`, {
    winnerClaimId: '00000000-0000-4000-8000-000000000000',
    comment: 'x',
  });
  assert.equal(bad.status, 400);
  assert.equal(bad.body.error.code, 'ARBITRATION_WINNER_INVALID');
  assert.equal(
    (await rsClerk.post(`/api/elements/arbitrations/${arbId}/decide`, { winnerClaimId: contest.body.claim.id, comment: 'x' })).status,
    403,
  );
  const decided = await admin.post(`/api/elements/arbitrations/${arbId}/decide`, {
    winnerClaimId: contest.body.claim.id,
    comment: '社会保障号码即公民身份号码，但此处按测试裁定人社局',
  });
  assert.equal(decided.status, 200, decided.text);
  assert.equal(decided.body.status, 'decided');
  assert.equal(decided.body.winnerClaimId, contest.body.claim.id);
  const statuses = Object.fromEntries(decided.body.claims.map((c: { org: { code: string }; status: string }) => [c.org.code, c.status]));
  assert.deepEqual(statuses, { RS: 'accepted', 'GA-RK': 'rejected' });
  const lost = await inbox('gark_clerk', 'elements.arbitration.lost');
  assert.equal(lost.length, 1);
  assert.match(lost[0]!.body_zh, /人力资源和社会保障局/);
  assert.equal((await inbox('rs_clerk', 'elements.arbitration.won')).length, 1);
  const entries = await ledger('elements.arbitration.decide', arbId);
  assert.equal(entries.length, 1);
  assert.equal(entries[0]!.details.winnerOrgId, orgs.get('RS'));
  assert.equal(
    (await admin.post(`/api/elements/arbitrations/${arbId}/decide`, { winnerClaimId: contest.body.claim.id, comment: 'again' })).body.error
      .code,
    'ARBITRATION_DECIDED',
  );

  // Now the population library re-collects, and 人社局's field is the source.
  lin = await consumer.get(`/api/elements/resources/${population.id}/lineage`);
  assert.equal(lin.body.fields[0].repeatedCollection, true);
  assert.equal(lin.body.fields[0].authoritativeOrg.code, 'RS');
  const claims = await consumer.get(`/api/elements/${idNo.id}/claims`);
  assert.equal(claims.body.items.length, 2);
  assert.equal((await ledger('elements.claim', idNo.id)).length, 2);
});

test('the authority designates a source directly; a withdrawn resource cannot be one; visibility of lineage', async () => {
  const credit = await newElement('测试信用代码');
  const draft = await insertResource(p.ctx, {
    orgId: orgs.get('SCJG')!,
    orgCode: 'SCJG',
    nameZh: '测试企业登记草稿',
    status: 'draft',
    fields: [{ nameZh: '统一社会信用代码', elementId: credit.id }],
  });
  const admin = await as('admin');
  const set = await admin.patch(`/api/elements/${credit.id}`, { authoritativeResourceId: draft.id, basis: '市场主体登记管理条例' });
  assert.equal(set.status, 200, set.text);
  assert.equal(set.body.authoritativeOrg.code, 'SCJG');

  // A consumer in another department cannot see the draft: the org shows, the resource does not.
  const consumer = await as('consumer');
  const el = await consumer.get(`/api/elements/${credit.id}`);
  assert.equal(el.body.authoritativeResource, null);
  assert.equal(el.body.authoritativeOrg.code, 'SCJG');
  // Lineage of an invisible resource: 404, as for a resource that does not exist.
  const hidden = await consumer.get(`/api/elements/resources/${draft.id}/lineage`);
  assert.equal(hidden.status, 404);
  assert.equal(hidden.body.error.code, 'ELEMENTS_RESOURCE_NOT_FOUND');
  assert.equal((await (await as('provider')).get(`/api/elements/resources/${draft.id}/lineage`)).status, 200);
  assert.equal((await consumer.get('/api/elements/resources/00000000-0000-4000-8000-000000000000/lineage')).status, 404);

  const gone = await insertResource(p.ctx, {
    orgId: orgs.get('SCJG')!,
    orgCode: 'SCJG',
    nameZh: '测试已撤销资源',
    fields: [{ nameZh: '统一社会信用代码', elementId: credit.id }],
  });
  await setResourceStatus(p.ctx, gone.id, 'withdrawn');
  const refused = await admin.patch(`/api/elements/${credit.id}`, { authoritativeResourceId: gone.id });
  assert.equal(refused.status, 400);
  assert.equal(refused.body.error.code, 'CLAIM_RESOURCE_UNAVAILABLE');

  const cleared = await admin.patch(`/api/elements/${credit.id}`, { authoritativeResourceId: null });
  assert.equal(cleared.body.authoritativeOrg, null);
  const claims = await admin.get(`/api/elements/${credit.id}/claims`);
  assert.deepEqual(
    claims.body.items.map((c: { status: string }) => c.status),
    ['superseded'],
  );
});

test('a retired element takes no claims; unknown ids are 404', async () => {
  const e = await newElement('测试停用数据元');
  const res = await insertResource(p.ctx, {
    orgId: orgs.get('SCJG')!,
    orgCode: 'SCJG',
    nameZh: '测试停用资源',
    fields: [{ nameZh: '号码', elementId: e.id }],
  });
  const admin = await as('admin');
  await admin.patch(`/api/elements/${e.id}`, { status: 'retired' });
  const provider = await as('provider');
  const r = await provider.post(`/api/elements/${e.id}/claims`, { resourceId: res.id, basis: '依据' });
  assert.equal(r.status, 409);
  assert.equal(r.body.error.code, 'ELEMENT_RETIRED');
  const unknown = await provider.post('/api/elements/00000000-0000-4000-8000-000000000000/claims', { resourceId: res.id, basis: '依据' });
  assert.equal(unknown.status, 404);
  assert.equal((await admin.get('/api/elements/arbitrations/00000000-0000-4000-8000-000000000000')).status, 404);
});
