// API tests of catalog resources: creation with structured codes and fields, bad input (every refusal
// leaves the catalog unchanged), visibility per role and organization (IDOR → 404), optimistic concurrency,
// popularity, categories, Table Schema and JSON export.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestPlatform, type TestClient, type TestPlatform } from '../../../test/helpers.ts';
import { catalogFingerprint, gaClerk, ledgerActions, login, resourceBody } from './testkit.ts';

let p: TestPlatform;
let provider: TestClient;
let admin: TestClient;
let consumer: TestClient;
let publicUser: TestClient;
let auditor: TestClient;
let operator: TestClient;
let anon: TestClient;
let ga: TestClient;

before(async () => {
  p = await startTestPlatform();
  provider = await login(p, 'provider');
  admin = await login(p, 'admin');
  consumer = await login(p, 'consumer');
  publicUser = await login(p, 'public');
  auditor = await login(p, 'auditor');
  operator = await login(p, 'operator');
  anon = p.client();
  ga = await gaClerk(p);
});
after(async () => {
  await p?.close();
});

async function create(over: Record<string, unknown> = {}, as = provider) {
  const r = await as.post('/api/catalog/resources', resourceBody(over));
  assert.equal(r.status, 201, r.text);
  return r.body;
}

/** Runs a request that must be refused with `status`/`code` and checks that nothing changed. */
async function refused(fn: () => Promise<{ status: number; body: any; text: string }>, status: number, code: string) {
  const before = await catalogFingerprint(p);
  const r = await fn();
  assert.equal(r.status, status, r.text);
  assert.equal(r.body.error.code, code, r.text);
  assert.deepEqual(await catalogFingerprint(p), before, 'a refused request changed the catalog');
  return r.body.error;
}

async function publish(id: string) {
  let r = await provider.get(`/api/catalog/resources/${id}`);
  for (const [who, to] of [
    [provider, 'submitted'],
    [admin, 'approved'],
    [admin, 'published'],
  ] as const) {
    r = await who.post(`/api/catalog/resources/${id}/transitions`, { to, comment: `to ${to}` });
    assert.equal(r.status, 200, r.text);
  }
  return r.body;
}

test('a provider creates a resource: structured code, fields, computed grade, ledger entry', async () => {
  const a = await create();
  assert.match(a.code, /^FR-SCJG-\d{5}$/);
  assert.equal(a.status, 'draft');
  assert.equal(a.lockVersion, 1);
  assert.equal(a.providerOrg.code, 'SCJG');
  assert.equal(a.fields.length, 5);
  assert.deepEqual(
    a.fields.map((f: any) => f.code),
    ['tyshxydm', 'qymc', 'fddbr', 'zczb', 'clrq'],
  );
  // 法定代表人 is a name (PII-NAME → general 3); the resource takes the highest grade (就高从严).
  assert.equal(a.fields[2].gradeLevel, 3);
  assert.equal(a.grade, 'general');
  assert.equal(a.gradeLevel, 3);
  assert.ok(a.gradeBasis.some((b: any) => b.source === 'field' && b.ref === 'fddbr' && b.level === 3));
  // Fields inherit the resource's share/open attributes unless given.
  assert.equal(a.fields[0].shareMode, 'unconditional');
  assert.equal(a.fields[0].openMode, 'conditional');
  assert.deepEqual(
    a.allowedTransitions.map((t: any) => t.to),
    ['submitted', 'withdrawn'],
  );
  const b = await create({ nameZh: '企业注销信息' });
  assert.equal(Number(b.code.slice(-5)), Number(a.code.slice(-5)) + 1, 'sequence per category and organization');
  const c = await create({ subjectCategory: 'SHXY', nameZh: '经营异常名录' });
  assert.match(c.code, /^SHXY-SCJG-\d{5}$/);
  const entries = await ledgerActions(p, a.id);
  assert.deepEqual(
    entries.map((e) => e.action),
    ['catalog.resource.create'],
  );
  assert.equal(entries[0]!.details.code, a.code);
});

test('an explicit code is accepted once; a duplicate is 409 and an invalid one 400', async () => {
  const a = await create({ code: 'FR-SCJG-90001' });
  assert.equal(a.code, 'FR-SCJG-90001');
  const e = await refused(
    () => provider.post('/api/catalog/resources', resourceBody({ code: 'FR-SCJG-90001' })),
    409,
    'CATALOG_CODE_TAKEN',
  );
  assert.equal(e.details.field, 'code');
  await refused(() => provider.post('/api/catalog/resources', resourceBody({ code: 'fr/1' })), 400, 'CATALOG_CODE_INVALID');
});

test('bad input is refused with the field named and nothing written', async () => {
  let e = await refused(
    () => provider.post('/api/catalog/resources', { nameEn: 'only English', fields: [{ code: 'x' }] }),
    400,
    'CATALOG_MISSING_METADATA',
  );
  for (const f of [
    'nameZh',
    'abstractZh',
    'subjectCategory',
    'domainCategory',
    'updateFrequency',
    'shareMode',
    'openMode',
    'fields[0].nameZh',
    'fields[0].dataType',
  ]) {
    assert.ok(e.details.fields.includes(f), `missing ${f} in ${e.details.fields}`);
  }
  assert.match(e.message, /nameZh/);

  e = await refused(
    () => provider.post('/api/catalog/resources', resourceBody({ providerOrgId: '00000000-0000-4000-8000-000000000000' })),
    400,
    'CATALOG_ORG_UNKNOWN',
  );
  assert.equal(e.details.field, 'providerOrgId');

  e = await refused(
    () => provider.post('/api/catalog/resources', resourceBody({ subjectCategory: 'NOPE' })),
    400,
    'CATALOG_CATEGORY_UNKNOWN',
  );
  assert.equal(e.details.field, 'subjectCategory');
  // A base library is not a domain.
  e = await refused(() => provider.post('/api/catalog/resources', resourceBody({ domainCategory: 'RK' })), 400, 'CATALOG_CATEGORY_UNKNOWN');
  assert.equal(e.details.field, 'domainCategory');

  const fields = resourceBody().fields as any[];
  e = await refused(
    () => provider.post('/api/catalog/resources', resourceBody({ fields: [fields[0], { ...fields[1], dataType: 'varchar2' }] })),
    400,
    'CATALOG_FIELD_TYPE_UNKNOWN',
  );
  assert.equal(e.details.index, 1);
  assert.equal(e.details.field, 'fields[1].dataType');
  assert.ok(e.details.allowed.includes('string'));

  e = await refused(
    () => provider.post('/api/catalog/resources', resourceBody({ fields: [fields[0], { ...fields[1], code: 'TYSHXYDM' }] })),
    400,
    'CATALOG_FIELD_CODE_DUPLICATE',
  );
  assert.equal(e.details.field, 'fields[1].code');

  e = await refused(
    () => provider.post('/api/catalog/resources', resourceBody({ shareMode: 'conditional', shareConditions: '' })),
    400,
    'CATALOG_CONDITIONS_REQUIRED',
  );
  assert.equal(e.details.field, 'shareConditions');
  e = await refused(() => provider.post('/api/catalog/resources', resourceBody({ shareMode: 'none' })), 400, 'CATALOG_CONDITIONS_REQUIRED');
  assert.equal(e.details.field, 'shareBasis');
  e = await refused(() => provider.post('/api/catalog/resources', resourceBody({ formats: ['docx'] })), 400, 'CATALOG_VALUE_INVALID');
  assert.equal(e.details.field, 'formats[0]');
  e = await refused(
    () => provider.post('/api/catalog/resources', resourceBody({ temporalStart: '2020-02-30' })),
    400,
    'CATALOG_VALUE_INVALID',
  );
  assert.equal(e.details.field, 'temporalStart');
  // Schema-level: unknown properties and enum values.
  await refused(() => provider.post('/api/catalog/resources', resourceBody({ color: 'red' })), 400, 'VALIDATION_FAILED');
  await refused(() => provider.post('/api/catalog/resources', resourceBody({ shareMode: 'sometimes' })), 400, 'VALIDATION_FAILED');
});

test('an attribute the grade forbids is refused naming the rule and the field', async () => {
  const idField = { nameZh: '公民身份号码', code: 'sfzh', dataType: 'string', length: 18, piiKind: 'id_number' };
  // An ID number makes the resource general level 4: it may not be opened unconditionally.
  let e = await refused(
    () => provider.post('/api/catalog/resources', resourceBody({ openMode: 'unconditional', fields: [idField] })),
    400,
    'GRADE_POLICY_VIOLATION',
  );
  assert.equal(e.details.rule, 'GEN4-NO-FREE-OPEN');
  assert.equal(e.details.field, 'openMode');
  assert.match(e.message, /GEN4-NO-FREE-OPEN/);
  // The resource is closed, but one field claims to be open: the field rule applies to the field.
  e = await refused(
    () =>
      provider.post(
        '/api/catalog/resources',
        resourceBody({
          shareMode: 'conditional',
          shareConditions: '履职需要',
          openMode: 'none',
          fields: [{ ...idField, openMode: 'unconditional' }],
        }),
      ),
    400,
    'GRADE_POLICY_VIOLATION',
  );
  assert.equal(e.details.rule, 'F-GEN4-NO-FREE-OPEN');
  assert.equal(e.details.field, 'fields[0].openMode');
  // National security, serious harm → core data: never opened, not shared unconditionally.
  e = await refused(
    () => provider.post('/api/catalog/resources', resourceBody({ gradingFactors: [{ object: 'national_security', degree: 'serious' }] })),
    400,
    'GRADE_POLICY_VIOLATION',
  );
  assert.equal(e.details.rule, 'CORE-NO-OPEN');
  e = await refused(
    () =>
      provider.post(
        '/api/catalog/resources',
        resourceBody({ openMode: 'none', gradingFactors: [{ object: 'national_security', degree: 'serious' }] }),
      ),
    400,
    'GRADE_POLICY_VIOLATION',
  );
  assert.equal(e.details.rule, 'CORE-NO-FREE-SHARE');
  assert.equal(e.details.field, 'shareMode');
  // Important data may be opened on conditions, not unconditionally.
  e = await refused(
    () =>
      provider.post(
        '/api/catalog/resources',
        resourceBody({ openMode: 'unconditional', gradingFactors: [{ object: 'economy', degree: 'serious' }] }),
      ),
    400,
    'GRADE_POLICY_VIOLATION',
  );
  assert.equal(e.details.rule, 'IMP-NO-FREE-OPEN');
  const ok = await create({ gradingFactors: [{ object: 'economy', degree: 'serious' }] });
  assert.equal(ok.grade, 'important');
  assert.equal(ok.gradeLevel, null);
  assert.ok(ok.gradeBasis.some((b: any) => b.source === 'rule' && b.ref === 'EC-S'));
});

test('who may create: own organization subtree only; anonymous 401, public 403', async () => {
  const gaOrg = (await admin.get('/api/orgs')).body.items.find((o: any) => o.code === 'GA');
  const e = await refused(() => provider.post('/api/catalog/resources', resourceBody({ providerOrgId: gaOrg.id })), 403, 'FORBIDDEN');
  assert.equal(e.details.action, 'catalog.create');
  await refused(() => publicUser.post('/api/catalog/resources', resourceBody()), 403, 'FORBIDDEN');
  await refused(() => consumer.post('/api/catalog/resources', resourceBody()), 403, 'FORBIDDEN');
  await refused(() => anon.post('/api/catalog/resources', resourceBody()), 401, 'UNAUTHENTICATED');
  // The authority may register a resource for any department.
  const r = await admin.post(
    '/api/catalog/resources',
    resourceBody({ providerOrgId: gaOrg.id, subjectCategory: 'RK', domainCategory: 'GGAQ' }),
  );
  assert.equal(r.status, 201, r.text);
  assert.match(r.body.code, /^RK-GA-\d{5}$/);
  // A company is no data provider.
  const comp = (await admin.get('/api/orgs')).body.items.find((o: any) => o.code === 'COMP');
  await refused(() => admin.post('/api/catalog/resources', resourceBody({ providerOrgId: comp.id })), 400, 'CATALOG_ORG_NOT_PROVIDER');
});

test('visibility: drafts stay in the provider org; published is government-wide; the public sees open resources only', async () => {
  const draft = await create({ nameZh: '草稿资源' });
  const closed = await create({ nameZh: '不开放资源', openMode: 'none' });
  const open = await create({ nameZh: '有条件开放资源' });
  await publish(closed.id);
  await publish(open.id);

  const status = async (c: TestClient, id: string) => (await c.get(`/api/catalog/resources/${id}`)).status;
  // Draft: provider org, authority, auditor; everyone else gets 404 as for a missing id (no IDOR).
  assert.equal(await status(provider, draft.id), 200);
  assert.equal(await status(admin, draft.id), 200);
  assert.equal(await status(auditor, draft.id), 200);
  for (const c of [consumer, ga, publicUser, operator, anon]) {
    const r = await c.get(`/api/catalog/resources/${draft.id}`);
    assert.equal(r.status, 404, r.text);
    assert.equal(r.body.error.code, 'CATALOG_RESOURCE_NOT_FOUND');
  }
  for (const path of ['versions', 'table-schema', 'export.json', 'diff?from=current&to=current']) {
    assert.equal((await consumer.get(`/api/catalog/resources/${draft.id}/${path}`)).status, 404, path);
  }
  // Published but not open: every clerk, not the public.
  assert.equal(await status(consumer, closed.id), 200);
  assert.equal(await status(ga, closed.id), 200);
  for (const c of [publicUser, operator, anon]) assert.equal(await status(c, closed.id), 404);
  // Published and open on conditions: everyone.
  for (const c of [consumer, ga, publicUser, operator, anon]) assert.equal(await status(c, open.id), 200);

  // Lists agree with the detail rule.
  const ids = async (c: TestClient) =>
    new Set((await c.get('/api/catalog/resources?pageSize=200&sort=created')).body.items.map((r: any) => r.id));
  const forConsumer = await ids(consumer);
  assert.ok(!forConsumer.has(draft.id) && forConsumer.has(closed.id) && forConsumer.has(open.id));
  const forAnon = await ids(anon);
  assert.ok(!forAnon.has(draft.id) && !forAnon.has(closed.id) && forAnon.has(open.id));
  const forProvider = await ids(provider);
  assert.ok(forProvider.has(draft.id));
  // Outsiders see neither the revision nor the history of a resource.
  const seen = await consumer.get(`/api/catalog/resources/${closed.id}`);
  assert.deepEqual(seen.body.events, []);
  assert.deepEqual(seen.body.allowedTransitions, []);
  const own = await provider.get(`/api/catalog/resources/${closed.id}`);
  assert.equal(own.body.events.length, 3);

  // Another department may not edit a visible resource (403), nor touch an invisible one (404).
  let r = await ga.patch(`/api/catalog/resources/${closed.id}`, { lockVersion: own.body.lockVersion, nameZh: 'x' });
  assert.equal(r.status, 403, r.text);
  r = await ga.patch(`/api/catalog/resources/${draft.id}`, { lockVersion: 1, nameZh: 'x' });
  assert.equal(r.status, 404, r.text);
  r = await ga.post(`/api/catalog/resources/${draft.id}/transitions`, { to: 'submitted', comment: 'x' });
  assert.equal(r.status, 404, r.text);

  // Filters: organization subtree and status.
  const scjg = (await admin.get('/api/orgs')).body.items.find((o: any) => o.code === 'SCJG');
  const list = await admin.get(`/api/catalog/resources?orgId=${scjg.id}&status=published&pageSize=200`);
  assert.equal(list.status, 200);
  assert.ok(list.body.items.length >= 2);
  assert.ok(list.body.items.every((x: any) => x.status === 'published' && x.providerOrg.code.startsWith('SCJG')));
  const page = await admin.get('/api/catalog/resources?pageSize=2&page=1&sort=code');
  assert.equal(page.body.items.length, 2);
  assert.ok(page.body.total > 2);
});

test('PATCH needs the current lockVersion (body or If-Match); a stale one is 409 and changes nothing', async () => {
  const a = await create({ nameZh: '并发测试资源' });
  let r = await provider.patch(`/api/catalog/resources/${a.id}`, { lockVersion: 1, nameZh: '并发测试资源（改）', keywords: ['并发'] });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.lockVersion, 2);
  assert.equal(r.body.nameZh, '并发测试资源（改）');
  const e = await refused(
    () => provider.patch(`/api/catalog/resources/${a.id}`, { lockVersion: 1, nameZh: '迟到的修改' }),
    409,
    'STALE_VERSION',
  );
  assert.equal(e.details.current, 2);
  await refused(() => provider.patch(`/api/catalog/resources/${a.id}`, { nameZh: '无版本' }), 400, 'CATALOG_MISSING_METADATA');
  r = await provider.patch(`/api/catalog/resources/${a.id}`, { nameEn: 'Via If-Match' }, { 'if-match': '"2"' });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.lockVersion, 3);
  await refused(() => provider.patch(`/api/catalog/resources/${a.id}`, { nameEn: 'stale' }, { 'if-match': '"2"' }), 409, 'STALE_VERSION');
  // A PATCH that breaks a rule is refused as a whole.
  await refused(
    () =>
      provider.patch(`/api/catalog/resources/${a.id}`, {
        lockVersion: 3,
        nameZh: '新名字',
        gradingFactors: [{ object: 'national_security', degree: 'general' }],
        openMode: 'unconditional',
      }),
    400,
    'GRADE_POLICY_VIOLATION',
  );
  // Fields are replaced as a whole, with the lock.
  r = await provider.put(`/api/catalog/resources/${a.id}/fields`, {
    lockVersion: 3,
    fields: [
      { nameZh: '企业名称', code: 'qymc', dataType: 'string' },
      { nameZh: '联系电话', code: 'lxdh', dataType: 'string', piiKind: 'phone' },
    ],
  });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(
    r.body.fields.map((f: any) => [f.code, f.gradeLevel]),
    [
      ['qymc', 1],
      ['lxdh', 3],
    ],
  );
  await refused(() => provider.put(`/api/catalog/resources/${a.id}/fields`, { lockVersion: 3, fields: [] }), 409, 'STALE_VERSION');
  const actions = (await ledgerActions(p, a.id)).map((x) => x.action);
  assert.deepEqual(actions, ['catalog.resource.create', 'catalog.resource.update', 'catalog.resource.update', 'catalog.resource.fields']);
});

test('reading a resource counts a view (popularity) without changing its lock version or the ledger', async () => {
  const a = await create({ nameZh: '热度测试资源' });
  const before = (await ledgerActions(p, a.id)).length;
  await provider.get(`/api/catalog/resources/${a.id}`);
  await provider.get(`/api/catalog/resources/${a.id}`);
  const r = await provider.get(`/api/catalog/resources/${a.id}`);
  assert.equal(r.body.popularity, 2, 'the third read sees the two before it');
  assert.equal(r.body.lockVersion, 1);
  assert.equal(r.headers.get('etag'), '"1"');
  assert.equal((await ledgerActions(p, a.id)).length, before);
});

test('categories: the six base libraries and the thematic domains', async () => {
  const r = await anon.get('/api/catalog/categories');
  assert.equal(r.status, 200);
  const base = r.body.items.filter((c: any) => c.kind === 'base').map((c: any) => c.nameZh);
  assert.deepEqual(base, ['人口基础库', '法人基础库', '自然资源和空间地理基础库', '电子证照基础库', '社会信用基础库', '宏观经济基础库']);
  const domains = r.body.items.filter((c: any) => c.kind === 'domain').map((c: any) => c.nameZh);
  for (const d of ['市场监管', '社会保障', '卫生健康', '交通运输', '教育', '民政', '住房城乡建设', '统计'])
    assert.ok(domains.includes(d), d);
});

test('Table Schema and JSON export', async () => {
  const a = await create({ nameZh: '导出测试资源' });
  const ts = await provider.get(`/api/catalog/resources/${a.id}/table-schema`);
  assert.equal(ts.status, 200, ts.text);
  assert.equal(ts.body.name, a.code.toLowerCase());
  assert.equal(ts.body.title, '导出测试资源');
  assert.deepEqual(ts.body.titles, { 'zh-CN': '导出测试资源', en: 'Market entity registrations' });
  const byName = Object.fromEntries(ts.body.fields.map((f: any) => [f.name, f]));
  assert.deepEqual(Object.keys(byName), ['tyshxydm', 'qymc', 'fddbr', 'zczb', 'clrq']);
  assert.equal(byName.tyshxydm.type, 'string');
  assert.deepEqual(byName.tyshxydm.constraints, { required: true, maxLength: 18 });
  assert.equal(byName.zczb.type, 'number');
  assert.equal(byName.zczb['x-shuyuan'].unit, '万元');
  assert.equal(byName.clrq.type, 'date');
  assert.equal(byName.fddbr['x-shuyuan'].piiKind, 'name');
  assert.deepEqual(byName.qymc.titles, { 'zh-CN': '企业名称', en: 'Enterprise name' });
  const ex = await provider.get(`/api/catalog/resources/${a.id}/export.json`);
  assert.equal(ex.status, 200);
  assert.match(ex.headers.get('content-disposition') ?? '', /attachment; filename=".*\.json"/);
  assert.equal(ex.body.format, 'shuyuan.catalog.resource/1');
  assert.equal(ex.body.resource.code, a.code);
  assert.equal(ex.body.resource.provider.code, 'SCJG');
  assert.equal(ex.body.fields.length, 5);
  assert.deepEqual(ex.body.tableSchema, ts.body);
});

test('a resource on the negative list cannot be given a share or open attribute (负面清单)', async () => {
  const a = await create({ shareMode: 'none', shareBasis: '《数据安全法》第二十一条', openMode: 'none' });
  const added = await admin.post('/api/lists/negative', {
    resourceId: a.id,
    scope: 'open',
    legalBasis: '《中华人民共和国个人信息保护法》第十三条',
  });
  assert.equal(added.status, 201, added.text);
  const before = await catalogFingerprint(p);
  const refused = await provider.patch(`/api/catalog/resources/${a.id}`, {
    openMode: 'conditional',
    openConditions: '签署协议',
    lockVersion: a.lockVersion,
  });
  assert.equal(refused.status, 409, refused.text);
  assert.equal(refused.body.error.code, 'NEGATIVE_LIST_BLOCKS');
  assert.equal(refused.body.error.details.field, 'openMode');
  assert.match(refused.body.error.message, /负面清单.*个人信息保护法/);
  assert.deepEqual(await catalogFingerprint(p), before, 'the refusal changes nothing');
  // The entry covers opening only: sharing stays possible.
  const shared = await provider.patch(`/api/catalog/resources/${a.id}`, {
    shareMode: 'conditional',
    shareConditions: '用于行政审批',
    shareBasis: '《政务信息资源共享管理暂行办法》',
    lockVersion: a.lockVersion,
  });
  assert.equal(shared.status, 200, shared.text);
});
