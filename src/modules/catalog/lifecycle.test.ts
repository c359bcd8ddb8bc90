// API tests of the resource lifecycle: the explicit state machine (allowed transitions by role, each with a
// comment, each in the ledger), revisions of published resources, versions and the field-level diff, the
// review queue.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { startTestPlatform, type TestClient, type TestPlatform } from '../../../test/helpers.ts';
import { TRANSITIONS } from './lifecycle.ts';
import { catalogFingerprint, ledgerActions, login, resourceBody } from './testkit.ts';

let p: TestPlatform;
let provider: TestClient;
let admin: TestClient;
let consumer: TestClient;
let anon: TestClient;

before(async () => {
  p = await startTestPlatform();
  provider = await login(p, 'provider');
  admin = await login(p, 'admin');
  consumer = await login(p, 'consumer');
  anon = p.client();
});
after(async () => {
  await p?.close();
});

async function create(over: Record<string, unknown> = {}) {
  const r = await provider.post('/api/catalog/resources', resourceBody(over));
  assert.equal(r.status, 201, r.text);
  return r.body;
}

async function move(c: TestClient, id: string, to: string, comment = `→ ${to}`, expect = 200) {
  const r = await c.post(`/api/catalog/resources/${id}/transitions`, { to, comment });
  assert.equal(r.status, expect, r.text);
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

test('the state machine is explicit and served by the API', async () => {
  const r = await anon.get('/api/catalog/state-machine');
  assert.equal(r.status, 200);
  assert.equal(r.body.transitions.length, TRANSITIONS.length);
  const has = (from: string, to: string, by: string) => r.body.transitions.some((t: any) => t.from === from && t.to === to && t.by === by);
  assert.ok(has('draft', 'submitted', 'provider'));
  assert.ok(has('submitted', 'returned', 'authority'));
  assert.ok(has('submitted', 'approved', 'authority'));
  assert.ok(has('returned', 'submitted', 'provider'));
  assert.ok(has('approved', 'published', 'authority'));
  assert.ok(has('published', 'updated', 'provider'));
  assert.ok(has('published', 'deprecated', 'authority'));
  assert.ok(has('published', 'withdrawn', 'authority'));
  assert.ok(!has('draft', 'published', 'provider') && !has('draft', 'published', 'authority'));
});

test('draft → submitted → returned → submitted → approved → published, each with a comment, in the ledger and the history', async () => {
  const a = await create();
  await move(provider, a.id, 'submitted', '首次提交');
  // The authority is told; the review queue shows it.
  const { rows } = await sql<{ n: number }>`select count(*)::int as n from notifications where kind = 'catalog.review.requested'`.execute(
    p.ctx.db,
  );
  assert.ok(rows[0]!.n >= 1);
  let q = await admin.get('/api/catalog/review-queue');
  assert.equal(q.status, 200);
  assert.ok(q.body.items.some((x: any) => x.id === a.id && x.state === 'submitted'));
  assert.equal((await provider.get('/api/catalog/review-queue')).status, 403);

  await move(admin, a.id, 'returned', '请补充英文摘要');
  let r = await provider.get(`/api/catalog/resources/${a.id}`);
  assert.equal(r.body.status, 'returned');
  r = await provider.patch(`/api/catalog/resources/${a.id}`, {
    lockVersion: r.body.lockVersion,
    abstractEn: 'Registered market entities, in English.',
  });
  assert.equal(r.status, 200, r.text);
  await move(provider, a.id, 'submitted', '已补充');
  const approved = await move(admin, a.id, 'approved', '同意');
  assert.equal(approved.gradeConfirmed, true, 'approval confirms the grade');
  q = await admin.get('/api/catalog/review-queue');
  assert.ok(
    q.body.items.some((x: any) => x.id === a.id && x.state === 'approved'),
    'approved waits for publication',
  );
  const pub = await move(admin, a.id, 'published', '发布');
  assert.equal(pub.status, 'published');
  assert.equal(pub.currentVersion, 1);
  assert.match(pub.releaseDate, /^\d{4}-\d{2}-\d{2}$/);
  assert.ok(pub.publishedAt);
  assert.deepEqual(
    pub.events.map((e: any) => [e.fromState, e.toState, e.comment]),
    [
      ['draft', 'submitted', '首次提交'],
      ['submitted', 'returned', '请补充英文摘要'],
      ['returned', 'submitted', '已补充'],
      ['submitted', 'approved', '同意'],
      ['approved', 'published', '发布'],
    ],
  );
  const ledger = (await ledgerActions(p, a.id)).filter((e) => e.action === 'catalog.resource.transition');
  assert.deepEqual(
    ledger.map((e) => [e.details.from, e.details.to, e.details.comment]),
    pub.events.map((e: any) => [e.fromState, e.toState, e.comment]),
  );
  assert.equal(ledger.at(-1)!.details.version, 1);
  const v = await consumer.get(`/api/catalog/resources/${a.id}/versions`);
  assert.equal(v.status, 200);
  assert.equal(v.body.items.length, 1);
  assert.equal(v.body.items[0].reason, 'publish');
  assert.equal(v.body.items[0].snapshot.code, a.code);
  assert.equal(v.body.items[0].snapshot.fields.length, 5);
});

test('a transition not allowed from the current state is 409 listing what the caller may do; a wrong role is 403', async () => {
  const a = await create();
  let e = await refused(
    () => provider.post(`/api/catalog/resources/${a.id}/transitions`, { to: 'published', comment: '直接发布' }),
    409,
    'TRANSITION_NOT_ALLOWED',
  );
  assert.deepEqual(e.details.allowed, ['submitted', 'withdrawn']);
  assert.equal(e.details.from, 'draft');
  assert.match(e.message, /submitted/);
  // The authority may not skip the review either.
  await refused(
    () => admin.post(`/api/catalog/resources/${a.id}/transitions`, { to: 'approved', comment: 'x' }),
    409,
    'TRANSITION_NOT_ALLOWED',
  );
  await move(provider, a.id, 'submitted');
  // Approval is the authority's: the provider gets 403, with what it may do (nothing).
  e = await refused(
    () => provider.post(`/api/catalog/resources/${a.id}/transitions`, { to: 'approved', comment: '自己批准' }),
    403,
    'FORBIDDEN',
  );
  assert.deepEqual(e.details.allowed, []);
  // Not editable while under review.
  const cur = (await provider.get(`/api/catalog/resources/${a.id}`)).body;
  e = await refused(
    () => provider.patch(`/api/catalog/resources/${a.id}`, { lockVersion: cur.lockVersion, nameZh: '审核中修改' }),
    409,
    'CATALOG_NOT_EDITABLE',
  );
  assert.equal(e.details.state, 'submitted');
  // A comment of blanks is no comment; a stale lockVersion is refused.
  await refused(
    () => admin.post(`/api/catalog/resources/${a.id}/transitions`, { to: 'approved', comment: '   ' }),
    400,
    'CATALOG_COMMENT_REQUIRED',
  );
  await refused(
    () => admin.post(`/api/catalog/resources/${a.id}/transitions`, { to: 'approved', comment: 'ok', lockVersion: 1 }),
    409,
    'STALE_VERSION',
  );
  await refused(() => admin.post(`/api/catalog/resources/${a.id}/transitions`, { to: 'approved' }), 400, 'VALIDATION_FAILED');
  await refused(
    () => anon.post(`/api/catalog/resources/${a.id}/transitions`, { to: 'approved', comment: 'x' }),
    404,
    'CATALOG_RESOURCE_NOT_FOUND',
  );
  await move(admin, a.id, 'approved', 'ok');
});

test('a resource without fields cannot be submitted', async () => {
  const a = await create({ fields: [] });
  await refused(
    () => provider.post(`/api/catalog/resources/${a.id}/transitions`, { to: 'submitted', comment: '提交' }),
    400,
    'CATALOG_FIELDS_REQUIRED',
  );
});

test('editing a published resource opens a revision: the published metadata stays until the revision is published as version 2', async () => {
  const a = await create({ nameZh: '修订测试资源' });
  await move(provider, a.id, 'submitted');
  await move(admin, a.id, 'approved');
  const pub = await move(admin, a.id, 'published');

  let r = await provider.patch(`/api/catalog/resources/${a.id}`, {
    lockVersion: pub.lockVersion,
    nameZh: '修订测试资源（第二版）',
    updateFrequency: 'weekly',
    comment: '更新频率调整',
  });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.status, 'updated');
  assert.equal(r.body.state, 'updated:draft');
  assert.equal(r.body.nameZh, '修订测试资源', 'readers still see the published metadata');
  assert.equal(r.body.pending.resource.nameZh, '修订测试资源（第二版）');
  assert.equal(r.body.events.at(-1).comment, '更新频率调整');
  // Outsiders see the published metadata and no revision.
  const seen = await consumer.get(`/api/catalog/resources/${a.id}`);
  assert.equal(seen.status, 200);
  assert.equal(seen.body.nameZh, '修订测试资源');
  assert.equal(seen.body.pending, null);
  assert.equal((await consumer.get(`/api/catalog/resources/${a.id}/diff?from=current&to=pending`)).status, 404);

  // Fields of the revision: drop 注册资本, change 企业名称's length, add 登记机关.
  const fields = (resourceBody().fields as any[])
    .filter((f) => f.code !== 'zczb')
    .map((f) => (f.code === 'qymc' ? { ...f, length: 300 } : f));
  fields.push({ nameZh: '登记机关', nameEn: 'Registration authority', code: 'djjg', dataType: 'string', length: 100 });
  r = await provider.put(`/api/catalog/resources/${a.id}/fields`, { lockVersion: r.body.lockVersion, fields });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.fields.length, 5, 'published fields unchanged');
  assert.equal(r.body.pending.fields.length, 5);

  // The diff between the published metadata and the revision, field by field.
  let d = await provider.get(`/api/catalog/resources/${a.id}/diff?from=current&to=pending`);
  assert.equal(d.status, 200, d.text);
  assert.deepEqual(
    d.body.metadata.map((m: any) => m.attribute),
    ['nameZh', 'updateFrequency'],
  );
  assert.deepEqual(
    d.body.fields.added.map((f: any) => f.code),
    ['djjg'],
  );
  assert.deepEqual(
    d.body.fields.removed.map((f: any) => f.code),
    ['zczb'],
  );
  const changed = d.body.fields.changed.find((c: any) => c.code === 'qymc');
  assert.deepEqual(
    changed.changes.find((c: any) => c.attribute === 'length'),
    { attribute: 'length', from: 200, to: 300 },
  );

  // The revision goes through review again; the authority may return it.
  await move(provider, a.id, 'submitted', '提交修订');
  const q = await admin.get('/api/catalog/review-queue');
  assert.ok(q.body.items.some((x: any) => x.id === a.id && x.state === 'updated:submitted'));
  await move(admin, a.id, 'returned', '请说明删除注册资本的原因');
  await move(provider, a.id, 'submitted', '注册资本改由其他资源提供');
  await move(admin, a.id, 'approved', '同意');
  const v2 = await move(admin, a.id, 'published', '发布第二版');
  assert.equal(v2.status, 'published');
  assert.equal(v2.currentVersion, 2);
  assert.equal(v2.nameZh, '修订测试资源（第二版）');
  assert.equal(v2.updateFrequency, 'weekly');
  assert.deepEqual(
    v2.fields.map((f: any) => f.code),
    ['tyshxydm', 'qymc', 'fddbr', 'clrq', 'djjg'],
  );
  assert.equal(v2.pending, null);
  assert.equal(v2.releaseDate, pub.releaseDate, 'the release date is the first publication');

  const vs = await consumer.get(`/api/catalog/resources/${a.id}/versions`);
  assert.deepEqual(
    vs.body.items.map((x: any) => [x.version, x.reason]),
    [
      [2, 'revision'],
      [1, 'publish'],
    ],
  );
  d = await consumer.get(`/api/catalog/resources/${a.id}/diff?from=1&to=2`);
  assert.equal(d.status, 200);
  assert.deepEqual(
    d.body.fields.added.map((f: any) => f.code),
    ['djjg'],
  );
  assert.deepEqual(
    d.body.fields.removed.map((f: any) => f.code),
    ['zczb'],
  );
  // Reversed direction swaps added and removed; equal versions have no differences.
  d = await consumer.get(`/api/catalog/resources/${a.id}/diff?from=2&to=1`);
  assert.deepEqual(
    d.body.fields.added.map((f: any) => f.code),
    ['zczb'],
  );
  d = await consumer.get(`/api/catalog/resources/${a.id}/diff?from=2&to=current`);
  assert.deepEqual(d.body.metadata, []);
  assert.deepEqual(d.body.fields, { added: [], removed: [], changed: [] });
  const missing = await consumer.get(`/api/catalog/resources/${a.id}/diff?from=1&to=9`);
  assert.equal(missing.status, 404);
  assert.equal(missing.body.error.code, 'CATALOG_VERSION_NOT_FOUND');

  // A revision may also be discarded by the provider; then deprecated and withdrawn by the authority.
  const cur = (await provider.get(`/api/catalog/resources/${a.id}`)).body;
  r = await provider.post(`/api/catalog/resources/${a.id}/transitions`, {
    to: 'updated',
    comment: '准备修订',
    lockVersion: cur.lockVersion,
  });
  assert.equal(r.body.state, 'updated:draft');
  const discarded = await move(provider, a.id, 'published', '放弃修订');
  assert.equal(discarded.status, 'published');
  assert.equal(discarded.pending, null);
  assert.equal(discarded.currentVersion, 2, 'discarding makes no version');
  await move(admin, a.id, 'deprecated', '被新资源替代');
  assert.equal((await consumer.get(`/api/catalog/resources/${a.id}`)).status, 200, 'deprecated stays in the share catalog');
  const w = await move(admin, a.id, 'withdrawn', '撤销');
  assert.deepEqual(w.allowedTransitions, []);
  assert.equal((await consumer.get(`/api/catalog/resources/${a.id}`)).status, 404);
  const e = await refused(
    () => admin.post(`/api/catalog/resources/${a.id}/transitions`, { to: 'published', comment: '恢复' }),
    409,
    'TRANSITION_NOT_ALLOWED',
  );
  assert.deepEqual(e.details.allowed, []);
});
