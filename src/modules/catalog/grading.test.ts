// API tests of grading (GB/T 43697-2024): the rule table (each rule citing its source, editable by the
// authority), the resource grade as the highest of fields and rules (就高从严), the authority's confirmation,
// and the configurable grade policy enforced on every write.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestPlatform, type TestClient, type TestPlatform } from '../../../test/helpers.ts';
import { fieldGrade, fromRank, rank, resourceGrade } from './grading.ts';
import { catalogFingerprint, ledgerActions, login, resourceBody } from './testkit.ts';

let p: TestPlatform;
let provider: TestClient;
let admin: TestClient;
let consumer: TestClient;

before(async () => {
  p = await startTestPlatform();
  provider = await login(p, 'provider');
  admin = await login(p, 'admin');
  consumer = await login(p, 'consumer');
});
after(async () => {
  await p?.close();
});

async function create(over: Record<string, unknown> = {}) {
  const r = await provider.post('/api/catalog/resources', resourceBody(over));
  assert.equal(r.status, 201, r.text);
  return r.body;
}

async function refused(fn: () => Promise<{ status: number; body: any; text: string }>, status: number, code: string) {
  const before = await catalogFingerprint(p);
  const r = await fn();
  assert.equal(r.status, status, r.text);
  assert.equal(r.body.error.code, code, r.text);
  assert.deepEqual(await catalogFingerprint(p), before, 'a refused request changed the catalog');
  return r.body.error;
}

test('grade order and the 就高从严 rule (pure functions)', () => {
  assert.deepEqual(
    [
      { grade: 'general', level: 1 },
      { grade: 'general', level: 4 },
      { grade: 'important', level: null },
      { grade: 'core', level: null },
    ].map((g) => rank(g as never)),
    [1, 4, 5, 6],
  );
  assert.deepEqual(fromRank(5), { grade: 'important', level: null });
  const rules = [
    { enabled: true, factor_kind: 'pii', pii_kind: 'id_number', grade: 'general', grade_level: 4 },
    {
      enabled: true,
      factor_kind: 'impact',
      impact_object: 'economy',
      impact_degree: 'serious',
      grade: 'important',
      grade_level: null,
      code: 'EC-S',
    },
    {
      enabled: false,
      factor_kind: 'impact',
      impact_object: 'national_security',
      impact_degree: 'general',
      grade: 'important',
      grade_level: null,
      code: 'OFF',
    },
  ] as never[];
  assert.deepEqual(fieldGrade({ grade: 'general', gradeLevel: 1, piiKind: 'id_number' }, rules), { grade: 'general', level: 4 });
  assert.deepEqual(fieldGrade({ grade: 'general', gradeLevel: 2, piiKind: 'none' }, rules), { grade: 'general', level: 2 });
  const r = resourceGrade(
    { grade: 'general', level: 1 },
    [{ code: 'a', grade: 'general', gradeLevel: 4 }],
    [{ object: 'economy', degree: 'serious' }],
    rules,
  );
  assert.equal(r.grade, 'important');
  const off = resourceGrade({ grade: 'general', level: 2 }, [], [{ object: 'national_security', degree: 'general' }], rules);
  assert.deepEqual([off.grade, off.level], ['general', 2], 'a disabled rule does not apply');
});

test('grading rules: each cites its source; the authority edits them, others may only read', async () => {
  const list = await consumer.get('/api/catalog/grading-rules');
  assert.equal(list.status, 200);
  assert.ok(list.body.items.length >= 18);
  assert.ok(list.body.items.every((r: any) => r.source.length > 0));
  const ns = list.body.items.find((r: any) => r.code === 'NS-S');
  assert.deepEqual([ns.impactObject, ns.impactDegree, ns.grade], ['national_security', 'serious', 'core']);
  assert.match(ns.source, /GB\/T 43697-2024/);

  await refused(
    () =>
      provider.post('/api/catalog/grading-rules', {
        code: 'X',
        factorKind: 'pii',
        piiKind: 'email',
        grade: 'general',
        gradeLevel: 4,
        source: 's',
      }),
    403,
    'FORBIDDEN',
  );
  // One enabled rule per factor; the code is unique.
  const e = await refused(
    () =>
      admin.post('/api/catalog/grading-rules', {
        code: 'PII-EMAIL-2',
        factorKind: 'pii',
        piiKind: 'email',
        grade: 'general',
        gradeLevel: 4,
        source: '平台策略',
      }),
    409,
    'CATALOG_RULE_FACTOR_TAKEN',
  );
  assert.equal(e.details.code, 'PII-EMAIL');
  await refused(
    () =>
      admin.post('/api/catalog/grading-rules', {
        code: 'NS-S',
        factorKind: 'pii',
        piiKind: 'email',
        grade: 'general',
        gradeLevel: 4,
        source: '平台策略',
      }),
    409,
    'CATALOG_RULE_CODE_TAKEN',
  );
  await refused(
    () =>
      admin.post('/api/catalog/grading-rules', {
        code: 'BAD',
        factorKind: 'impact',
        impactObject: 'economy',
        grade: 'important',
        source: 's',
      }),
    400,
    'CATALOG_RULE_INVALID',
  );

  // Raising the phone rule to level 4 changes the grade of the next write.
  const phone = list.body.items.find((r: any) => r.code === 'PII-PHONE');
  const upd = await admin.patch(`/api/catalog/grading-rules/${phone.id}`, { gradeLevel: 4, note: '本市规定：手机号按4级管理' });
  assert.equal(upd.status, 200, upd.text);
  assert.equal(upd.body.gradeLevel, 4);
  const entries = await ledgerActions(p, phone.id);
  assert.equal(entries.at(-1)!.action, 'catalog.grading_rule.update');
  const withPhone = await create({
    openMode: 'conditional',
    fields: [{ nameZh: '联系电话', code: 'lxdh', dataType: 'string', piiKind: 'phone' }],
  });
  assert.deepEqual([withPhone.grade, withPhone.gradeLevel], ['general', 4]);

  // A rule may be disabled and replaced by a new one for the same factor.
  const prg = list.body.items.find((r: any) => r.code === 'PR-G');
  assert.equal((await admin.patch(`/api/catalog/grading-rules/${prg.id}`, { enabled: false })).status, 200);
  const created = await admin.post('/api/catalog/grading-rules', {
    code: 'PR-G-2',
    factorKind: 'impact',
    impactObject: 'personal_rights',
    impactDegree: 'general',
    grade: 'general',
    gradeLevel: 3,
    source: '示范市公共数据分级规定（平台策略）',
  });
  assert.equal(created.status, 201, created.text);
  // Re-enabling the old one would make two rules for one factor.
  await refused(() => admin.patch(`/api/catalog/grading-rules/${prg.id}`, { enabled: true }), 409, 'CATALOG_RULE_FACTOR_TAKEN');
  const r = await create({
    gradingFactors: [{ object: 'personal_rights', degree: 'general' }],
    fields: [{ nameZh: '企业名称', code: 'qymc', dataType: 'string' }],
  });
  assert.deepEqual([r.grade, r.gradeLevel], ['general', 3]);
  assert.ok(r.gradeBasis.some((b: any) => b.ref === 'PR-G-2'));
  const missing = await admin.patch('/api/catalog/grading-rules/00000000-0000-4000-8000-000000000000', { note: 'x' });
  assert.equal(missing.status, 404);
});

test('the provider proposes, the authority confirms or raises the grade, never below the computed one', async () => {
  const a = await create({ grade: 'general', gradeLevel: 2 });
  assert.deepEqual([a.grade, a.gradeLevel, a.gradeConfirmed], ['general', 3, false], 'the name field raises the proposal to level 3');
  await refused(
    () => provider.post(`/api/catalog/resources/${a.id}/grade`, { grade: 'general', level: 3, comment: '自己确认' }),
    403,
    'FORBIDDEN',
  );
  let e = await refused(
    () => admin.post(`/api/catalog/resources/${a.id}/grade`, { grade: 'general', level: 1, comment: '降为1级' }),
    409,
    'CATALOG_GRADE_BELOW_COMPUTED',
  );
  assert.deepEqual(e.details.computed, { grade: 'general', level: 3 });
  // Open the resource unconditionally (allowed at level 3), then the authority's grade must respect the policy too.
  let r = await provider.patch(`/api/catalog/resources/${a.id}`, {
    lockVersion: a.lockVersion,
    openMode: 'unconditional',
    openConditions: '',
  });
  assert.equal(r.status, 200, r.text);
  e = await refused(
    () => admin.post(`/api/catalog/resources/${a.id}/grade`, { grade: 'important', comment: '定为重要数据' }),
    400,
    'GRADE_POLICY_VIOLATION',
  );
  assert.equal(e.details.rule, 'IMP-NO-FREE-OPEN');
  e = await refused(
    () => admin.post(`/api/catalog/resources/${a.id}/grade`, { grade: 'general', level: 4, comment: '定为4级' }),
    400,
    'GRADE_POLICY_VIOLATION',
  );
  assert.equal(e.details.rule, 'GEN4-NO-FREE-OPEN');
  await refused(
    () => admin.post(`/api/catalog/resources/${a.id}/grade`, { grade: 'general', level: 3, comment: '确认', lockVersion: 1 }),
    409,
    'STALE_VERSION',
  );
  r = await admin.post(`/api/catalog/resources/${a.id}/grade`, {
    grade: 'general',
    level: 3,
    comment: '经评估确认为一般数据3级',
    lockVersion: r.body.lockVersion,
  });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual([r.body.grade, r.body.gradeLevel, r.body.gradeConfirmed], ['general', 3, true]);
  assert.ok(r.body.gradeConfirmedAt);
  assert.equal(r.body.currentVersion, 0, 'no version before publication');
  const entries = await ledgerActions(p, a.id);
  assert.equal(entries.at(-1)!.action, 'catalog.resource.grade');
  assert.equal(entries.at(-1)!.details.comment, '经评估确认为一般数据3级');
  // A later edit that changes the grade needs a new confirmation.
  r = await provider.put(`/api/catalog/resources/${a.id}/fields`, {
    lockVersion: r.body.lockVersion,
    fields: [
      { nameZh: '法定代表人', code: 'fddbr', dataType: 'string', piiKind: 'name' },
      { nameZh: '电子邮箱', code: 'dzyx', dataType: 'string', piiKind: 'email' },
    ],
  });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.gradeConfirmed, true, 'same grade: still confirmed');
  r = await provider.patch(`/api/catalog/resources/${a.id}`, {
    lockVersion: r.body.lockVersion,
    openMode: 'conditional',
    openConditions: '实名',
    grade: 'important',
  });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual([r.body.grade, r.body.gradeConfirmed], ['important', false]);
});

test('confirming a higher grade of a published resource makes a new version; the policy is checked on every write', async () => {
  const a = await create({ openMode: 'conditional' });
  for (const [c, to] of [
    [provider, 'submitted'],
    [admin, 'approved'],
    [admin, 'published'],
  ] as const) {
    const r = await c.post(`/api/catalog/resources/${a.id}/transitions`, { to, comment: to });
    assert.equal(r.status, 200, r.text);
  }
  const r = await admin.post(`/api/catalog/resources/${a.id}/grade`, { grade: 'important', comment: '涉及重点行业经营数据，定为重要数据' });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.grade, 'important');
  assert.equal(r.body.currentVersion, 2);
  const vs = await consumer.get(`/api/catalog/resources/${a.id}/versions`);
  assert.deepEqual(
    vs.body.items.map((v: any) => [v.version, v.reason, v.snapshot.resource.grade]),
    [
      [2, 'grade', 'important'],
      [1, 'publish', 'general'],
    ],
  );
  const d = await consumer.get(`/api/catalog/resources/${a.id}/diff?from=1&to=2`);
  assert.deepEqual(
    d.body.metadata.map((m: any) => m.attribute),
    ['grade', 'gradeLevel'],
  );
  // A revision that would open the important resource unconditionally is refused naming the rule.
  const e = await refused(
    () =>
      provider.patch(`/api/catalog/resources/${a.id}`, {
        lockVersion: r.body.lockVersion,
        openMode: 'unconditional',
        comment: '改为无条件开放',
      }),
    400,
    'GRADE_POLICY_VIOLATION',
  );
  assert.equal(e.details.rule, 'IMP-NO-FREE-OPEN');
  assert.equal(e.details.field, 'openMode');
  assert.match(e.details.source, /数据安全法/);
});

test('the grade policy is configurable by the authority and applies to the next write', async () => {
  const cur = await consumer.get('/api/catalog/grade-policy');
  assert.equal(cur.status, 200);
  const codes = cur.body.items.map((x: any) => x.code);
  for (const c of ['CORE-NO-OPEN', 'CORE-NO-FREE-SHARE', 'IMP-NO-FREE-OPEN']) assert.ok(codes.includes(c), c);
  assert.ok(cur.body.items.every((x: any) => x.source.length > 0));

  await refused(() => provider.put('/api/catalog/grade-policy', cur.body), 403, 'FORBIDDEN');
  await refused(
    () => admin.put('/api/catalog/grade-policy', { items: [...cur.body.items, { ...cur.body.items[0], minLevel: 2 }] }),
    400,
    'CATALOG_POLICY_INVALID',
  );
  await refused(
    () =>
      admin.put('/api/catalog/grade-policy', {
        items: [
          ...cur.body.items,
          {
            code: 'CORE-NO-OPEN',
            appliesTo: 'resource',
            grade: 'general',
            attribute: 'open_mode',
            forbidden: ['unconditional'],
            source: 'x',
          },
        ],
      }),
    400,
    'CATALOG_POLICY_INVALID',
  );

  // New platform rule: general data from level 3 up is never opened unconditionally.
  const items = [
    ...cur.body.items,
    {
      code: 'GEN3-NO-FREE-OPEN',
      appliesTo: 'resource',
      grade: 'general',
      minLevel: 3,
      attribute: 'open_mode',
      forbidden: ['unconditional'],
      source: '平台策略（测试）',
    },
  ];
  const put = await admin.put('/api/catalog/grade-policy', { items });
  assert.equal(put.status, 200, put.text);
  assert.equal(put.body.items.length, items.length);
  const e = await refused(
    () => provider.post('/api/catalog/resources', resourceBody({ openMode: 'unconditional' })),
    400,
    'GRADE_POLICY_VIOLATION',
  );
  assert.equal(e.details.rule, 'GEN3-NO-FREE-OPEN');
  // Without the name field the resource is level 1 and may be opened.
  const ok = await provider.post(
    '/api/catalog/resources',
    resourceBody({ openMode: 'unconditional', fields: [{ nameZh: '企业名称', code: 'qymc', dataType: 'string' }] }),
  );
  assert.equal(ok.status, 201, ok.text);
  // Restore.
  assert.equal((await admin.put('/api/catalog/grade-policy', cur.body)).status, 200);
  assert.equal((await provider.post('/api/catalog/resources', resourceBody({ openMode: 'unconditional' }))).status, 201);
});
