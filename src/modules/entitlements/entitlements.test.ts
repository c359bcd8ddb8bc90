// The policy decision point on a seeded platform (real PostgreSQL, DuckDB, files): a department without an
// entitlement is refused conditional data; with one it reads the granted fields only (personal information
// masked), asking for another field is refused naming it, the quota stops it with the reset time, and a
// suspension, revocation or expiry cuts access at the next call. Every step is in the ledger.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { resourceIdByName, startTestPlatform, TestClient, type TestPlatform } from '../../../test/helpers.ts';
import { baseGrant, granter, signIn as signInAs } from './testkit.ts';
import { SYSTEM } from '../identity/actor.ts';
import type { NewEntitlement } from './repository.ts';

let p: TestPlatform;
let consumer: TestClient;
let operator: TestClient;
let datasetId: string;
let resourceId: string;
let providerOrgId: string;
let consumerOrgId: string;

const signIn = (username: string) => signInAs(p, username);

const grant = (over: Partial<NewEntitlement> = {}) =>
  granter(p, () => ({
    ...baseGrant({ holderOrgId: consumerOrgId, resourceId, providerOrgId }),
    fields: ['sfzh', 'xzlx', 'cbzt'],
    actions: ['query'],
    purpose: '社会救助对象资格核查',
    scenario: '低保审批',
    legalBasis: '《社会救助暂行办法》第十一条',
  }))(over);

before(async () => {
  p = await startTestPlatform();
  consumer = await signIn('consumer');
  operator = await signIn('operator');
  const admin = await signIn('admin');
  consumerOrgId = (await consumer.get('/api/auth/me')).body.org.id;
  resourceId = await resourceIdByName(admin, '社会保险参保登记信息');
  const resource = await p.ctx.catalog.get(SYSTEM, resourceId);
  providerOrgId = resource.providerOrg.id;
  assert.equal(resource.shareMode, 'conditional');
  datasetId = (await admin.get(`/api/datasets/by-resource/${resourceId}`)).body.id;
});
after(() => p?.close());

describe('policy decision point', () => {
  it('without an entitlement the conditional data is refused', async () => {
    const r = await consumer.get(`/api/datasets/${datasetId}/preview`);
    assert.equal(r.status, 403, r.text);
    assert.equal(r.body.error.code, 'DATASET_ENTITLEMENT_REQUIRED');
  });

  it('with one: the granted fields only, personal information masked; another field by name is refused', async () => {
    const e = await grant({ quota: { calls: { day: 4 } } });
    const r = await consumer.get(`/api/datasets/${datasetId}/preview?limit=5`);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.basis, 'entitlement');
    assert.deepEqual(r.body.columns.map((c: { name: string }) => c.name).sort(), ['公民身份号码', '参保状态', '险种类型'].sort());
    assert.match(r.body.rows[0]['公民身份号码'], /^\d{6}\*{8}\d{3}[\dX]$/);
    assert.ok(!('姓名' in r.body.rows[0]), 'an ungranted column is not returned');
    const asked = await consumer.post(`/api/datasets/${datasetId}/query`, { columns: ['公民身份号码', '姓名'] });
    assert.equal(asked.status, 403, asked.text);
    assert.equal(asked.body.error.code, 'FIELD_NOT_GRANTED');
    assert.equal(asked.body.error.details.field, '姓名');
    assert.match(asked.body.error.message, /姓名/);
    const filtered = await consumer.post(`/api/datasets/${datasetId}/query`, { filter: [{ column: '姓名', op: 'eq', value: '张三' }] });
    assert.equal(filtered.status, 403, filtered.text);
    assert.equal(filtered.body.error.code, 'FIELD_NOT_GRANTED');
    // Another organization (the operator's) holds nothing: refused (it does not even see the resource).
    const other = await operator.get(`/api/datasets/${datasetId}/preview`);
    assert.ok([403, 404].includes(other.status) && !other.body.rows, other.text);

    // Quota: 4 calls a day; one used above, three more answer, the fifth is refused until tomorrow (China time).
    for (let i = 0; i < 3; i++) assert.equal((await consumer.get(`/api/datasets/${datasetId}/preview?limit=1`)).status, 200);
    const over = await consumer.get(`/api/datasets/${datasetId}/preview?limit=1`);
    assert.equal(over.status, 429, over.text);
    assert.equal(over.body.error.code, 'QUOTA_EXCEEDED');
    assert.equal(over.body.error.details.period, 'day');
    assert.ok(Date.parse(over.body.error.details.resetAt) > Date.now());
    const reads = await sql<{ n: number }>`
      select count(*)::int as n from ledger_entries where action = 'dataset.read' and details->>'entitlement' = ${e.id}`.execute(p.ctx.db);
    assert.equal(reads.rows[0]!.n, 4, 'every answered read is in the ledger with its entitlement');
    await p.ctx.entitlements.setState(SYSTEM, e.id, 'revoked', '测试结束');
  });

  it('suspension, revocation and expiry cut access at the next call', async () => {
    const e = await grant();
    assert.equal((await consumer.get(`/api/datasets/${datasetId}/preview?limit=1`)).status, 200);
    await p.ctx.entitlements.setState(SYSTEM, e.id, 'suspended', '核查使用情况');
    const suspended = await consumer.get(`/api/datasets/${datasetId}/preview?limit=1`);
    assert.equal(suspended.body.error.code, 'ENTITLEMENT_SUSPENDED', suspended.text);
    await p.ctx.entitlements.setState(SYSTEM, e.id, 'active', '核查完毕');
    assert.equal((await consumer.get(`/api/datasets/${datasetId}/preview?limit=1`)).status, 200);
    await p.ctx.entitlements.setState(SYSTEM, e.id, 'revoked', '超范围使用');
    const revoked = await consumer.get(`/api/datasets/${datasetId}/preview?limit=1`);
    assert.equal(revoked.body.error.code, 'ENTITLEMENT_REVOKED', revoked.text);
    await assert.rejects(p.ctx.entitlements.setState(SYSTEM, e.id, 'active', 'x'), { code: 'ENTITLEMENT_STATE_CONFLICT' });

    const short = await grant({ validTo: new Date(Date.now() + 1500).toISOString() });
    assert.equal((await consumer.get(`/api/datasets/${datasetId}/preview?limit=1`)).status, 200);
    await new Promise((r) => setTimeout(r, Math.max(0, Date.parse(short.validTo!) - Date.now()) + 50));
    const expired = await consumer.get(`/api/datasets/${datasetId}/preview?limit=1`);
    assert.equal(expired.status, 403, expired.text);
    assert.equal(expired.body.error.code, 'ENTITLEMENT_EXPIRED');

    const trail = await sql<{ action: string }>`
      select action from ledger_entries where object_type = 'entitlement' and object_id = ${e.id} order by seq`.execute(p.ctx.db);
    assert.deepEqual(
      trail.rows.map((r) => r.action),
      ['entitlement.grant', 'entitlement.suspend', 'entitlement.resume', 'entitlement.revoke'],
    );
  });

  it('a grant that requires a business reference refuses a read without one', async () => {
    const e = await grant({ conditions: { businessRefRequired: true } });
    const r = await consumer.get(`/api/datasets/${datasetId}/preview?limit=1`);
    assert.equal(r.status, 400, r.text);
    assert.equal(r.body.error.code, 'BUSINESS_REF_REQUIRED');
    await p.ctx.entitlements.setState(SYSTEM, e.id, 'revoked', '测试结束');
  });

  it('a row filter (back-flow) limits every read to its rows: query, count and download; an unknown field fails closed', async () => {
    const admin = await signIn('admin');
    const all = await admin.post(`/api/datasets/${datasetId}/query`, { columns: ['险种类型'], limit: 1000, total: true });
    assert.equal(all.status, 200, all.text);
    const kinds = [...new Set(all.body.rows.map((r: Record<string, string>) => r['险种类型']))].sort() as string[];
    assert.ok(kinds.length >= 2, JSON.stringify(kinds));
    const wanted = kinds[0]!;
    const expected = await admin.post(`/api/datasets/${datasetId}/query`, {
      columns: ['险种类型'],
      filter: [{ column: '险种类型', op: 'eq', value: wanted }],
      limit: 1,
      total: true,
    });
    const e = await grant({ actions: ['query', 'download'], conditions: { rowFilter: { column: 'xzlx', values: [wanted] } } });
    const r = await consumer.post(`/api/datasets/${datasetId}/query`, { columns: ['险种类型'], limit: 1000, total: true });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.total, expected.body.total);
    assert.ok(r.body.total < all.body.total);
    assert.ok(r.body.rows.every((x: Record<string, string>) => x['险种类型'] === wanted));
    // A filter cannot widen it: asking for another value finds nothing.
    const other = await consumer.post(`/api/datasets/${datasetId}/query`, {
      filter: [{ column: '险种类型', op: 'eq', value: kinds[1] }],
      total: true,
    });
    assert.equal(other.body.total, 0);
    const csv = await consumer.get(`/api/datasets/${datasetId}/download?format=csv`);
    assert.equal(csv.status, 200, csv.text);
    const lines = csv.text.trim().split('\n');
    assert.equal(lines.length - 1, expected.body.total, 'the download holds the filtered rows only');
    await p.ctx.entitlements.setState(SYSTEM, e.id, 'revoked', '测试结束');

    const broken = await grant({ conditions: { rowFilter: { column: 'no_such_field', values: ['x'] } } });
    const refused = await consumer.get(`/api/datasets/${datasetId}/preview?limit=1`);
    assert.equal(refused.status, 409, refused.text);
    assert.equal(refused.body.error.code, 'ENTITLEMENT_ROW_FILTER_UNRESOLVED');
    await p.ctx.entitlements.setState(SYSTEM, broken.id, 'revoked', '测试结束');
  });
});
