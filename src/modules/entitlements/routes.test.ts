// The entitlements API on a seeded platform: the consumer's and the provider's views with quota use, 404 for
// strangers (no leak of existence), suspension / resumption / revocation / renewal by the provider only, the
// ODRL export's media type, the use per day, and the expiry monitor.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { resourceIdByName, startTestPlatform, TestClient, type TestPlatform } from '../../../test/helpers.ts';
import { baseGrant, granter, signIn as signInAs } from './testkit.ts';
import { SYSTEM } from '../identity/actor.ts';
import type { NewEntitlement } from './repository.ts';

let p: TestPlatform;
let consumer: TestClient;
let provider: TestClient;
let operator: TestClient;
let admin: TestClient;
let resourceId: string;
let datasetId: string;
let providerOrgId: string;
let consumerOrgId: string;

const signIn = (username: string) => signInAs(p, username);

const grant = (over: Partial<NewEntitlement> = {}) =>
  granter(p, () => ({
    ...baseGrant({ holderOrgId: consumerOrgId, resourceId, providerOrgId }),
    fields: ['tyshxydm', 'qymc', 'djzt'],
    actions: ['query'],
    purpose: '企业资质核验',
    scenario: '就业补贴审核',
    legalBasis: '《就业促进法》',
    quota: { calls: { day: 100 } },
  }))(over);

before(async () => {
  p = await startTestPlatform();
  [consumer, provider, operator, admin] = (await Promise.all(['consumer', 'provider', 'operator', 'admin'].map(signIn))) as [
    TestClient,
    TestClient,
    TestClient,
    TestClient,
  ];
  consumerOrgId = (await consumer.get('/api/auth/me')).body.org.id;
  resourceId = await resourceIdByName(admin, '市场主体登记信息');
  providerOrgId = (await p.ctx.catalog.get(SYSTEM, resourceId)).providerOrg.id;
  // The demo shares it unconditionally (masked); here it is conditional, so only an entitlement opens it.
  await sql`update catalog_resources set share_mode = 'conditional' where id = ${resourceId}`.execute(p.ctx.db);
  // Grants of the demo world (sharing requests) are set aside: each test grants exactly what it tests.
  await sql`update entitlements set state = 'revoked', state_reason = 'test' where resource_id = ${resourceId}`.execute(p.ctx.db);
  datasetId = (await admin.get(`/api/datasets/by-resource/${resourceId}`)).body.id;
});
after(() => p?.close());

describe('entitlements API', () => {
  it('consumer and provider views with quota use; strangers get 404', async () => {
    const e = await grant();
    assert.equal((await consumer.get(`/api/datasets/${datasetId}/preview?limit=3`)).status, 200);
    const mine = await consumer.get('/api/entitlements?side=consumer');
    assert.equal(mine.status, 200, mine.text);
    const row = mine.body.items.find((x: { id: string }) => x.id === e.id);
    assert.ok(row, 'the consumer sees its grant');
    assert.deepEqual(row.usage.day, { calls: 1, rows: 3 });
    assert.equal(row.usage.total.calls, 1);
    const theirs = await provider.get('/api/entitlements?side=provider');
    assert.ok(
      theirs.body.items.some((x: { id: string }) => x.id === e.id),
      'the provider sees grants on its data',
    );
    assert.ok(!(await provider.get('/api/entitlements?side=consumer')).body.items.some((x: { id: string }) => x.id === e.id));
    assert.ok(!(await operator.get('/api/entitlements?side=provider')).body.items.some((x: { id: string }) => x.id === e.id));
    assert.ok((await admin.get('/api/entitlements?side=provider')).body.items.some((x: { id: string }) => x.id === e.id));

    const one = await consumer.get(`/api/entitlements/${e.id}`);
    assert.equal(one.status, 200, one.text);
    assert.equal(one.body.relation.holder, true);
    for (const url of [`/api/entitlements/${e.id}`, `/api/entitlements/${e.id}/odrl`, `/api/entitlements/${e.id}/usage`]) {
      const r = await operator.get(url);
      assert.equal(r.status, 404, `${url}: ${r.text}`);
      assert.equal(r.body.error.code, 'ENTITLEMENT_NOT_FOUND');
    }
    const guessed = await operator.get(`/api/entitlements/00000000-0000-4000-8000-000000000000`);
    assert.equal(guessed.status, 404);
    assert.deepEqual(
      Object.keys(guessed.body.error).sort(),
      Object.keys((await operator.get(`/api/entitlements/${e.id}`)).body.error).sort(),
    );
    assert.equal((await operator.post(`/api/entitlements/${e.id}/suspend`, { reason: 'x' })).status, 404);
    await p.ctx.entitlements.setState(SYSTEM, e.id, 'revoked', '测试结束');
  });

  it('the provider suspends, resumes, revokes; the holder cannot; every change is ledgered', async () => {
    const e = await grant();
    const denied = await consumer.post(`/api/entitlements/${e.id}/suspend`, { reason: '自行暂停' });
    assert.equal(denied.status, 403, denied.text);
    const noReason = await provider.post(`/api/entitlements/${e.id}/suspend`, {});
    assert.equal(noReason.status, 400);
    const s = await provider.post(`/api/entitlements/${e.id}/suspend`, { reason: '核查使用情况' });
    assert.equal(s.status, 200, s.text);
    assert.equal(s.body.state, 'suspended');
    const refused = await consumer.get(`/api/datasets/${datasetId}/preview?limit=1`);
    assert.equal(refused.body.error.code, 'ENTITLEMENT_SUSPENDED');
    assert.equal((await provider.post(`/api/entitlements/${e.id}/resume`, { reason: '核查完毕' })).body.state, 'active');
    assert.equal((await admin.post(`/api/entitlements/${e.id}/revoke`, { reason: '超范围使用' })).body.state, 'revoked');
    const twice = await provider.post(`/api/entitlements/${e.id}/revoke`, { reason: '再次撤销' });
    assert.equal(twice.status, 409);
    assert.equal(twice.body.error.code, 'ENTITLEMENT_STATE_CONFLICT');
    const trail = await sql<{ action: string }>`
      select action from ledger_entries where object_type = 'entitlement' and object_id = ${e.id} order by seq`.execute(p.ctx.db);
    assert.deepEqual(
      trail.rows.map((r) => r.action),
      ['entitlement.grant', 'entitlement.suspend', 'entitlement.resume', 'entitlement.revoke'],
    );
  });

  it('renewal extends the validity (an expired grant is active again); the expiry job marks lapsed grants', async () => {
    const e = await grant({ validTo: new Date(Date.now() + 800).toISOString() });
    await new Promise((r) => setTimeout(r, 900));
    assert.equal((await consumer.get(`/api/datasets/${datasetId}/preview?limit=1`)).body.error?.code, 'ENTITLEMENT_EXPIRED');
    assert.ok((await p.ctx.entitlements.expireLapsed()) >= 1);
    assert.equal((await consumer.get(`/api/entitlements/${e.id}`)).body.state, 'expired');
    const past = await provider.post(`/api/entitlements/${e.id}/renew`, {
      validTo: new Date(Date.now() - 1000).toISOString(),
      reason: '续期',
    });
    assert.equal(past.status, 400);
    assert.equal(past.body.error.details.field, 'validTo');
    const byHolder = await consumer.post(`/api/entitlements/${e.id}/renew`, {
      validTo: new Date(Date.now() + 86_400_000).toISOString(),
      reason: '续期',
    });
    assert.equal(byHolder.status, 403);
    const until = new Date(Date.now() + 30 * 86_400_000).toISOString();
    const r = await provider.post(`/api/entitlements/${e.id}/renew`, { validTo: until, reason: '业务延续，续期一个月' });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.state, 'active');
    assert.equal(Date.parse(r.body.validTo), Date.parse(until));
    assert.equal((await consumer.get(`/api/datasets/${datasetId}/preview?limit=1`)).status, 200);
    const led = await sql<{ n: number }>`
      select count(*)::int as n from ledger_entries where object_id = ${e.id} and action in ('entitlement.expire', 'entitlement.renew')`.execute(
      p.ctx.db,
    );
    assert.equal(led.rows[0]!.n, 2);
    await p.ctx.entitlements.setState(SYSTEM, e.id, 'revoked', '测试结束');
  });

  it('ODRL export as application/ld+json; use per day', async () => {
    const e = await grant();
    await consumer.get(`/api/datasets/${datasetId}/preview?limit=2`);
    const o = await consumer.get(`/api/entitlements/${e.id}/odrl`);
    assert.equal(o.status, 200, o.text);
    assert.match(o.headers.get('content-type') ?? '', /^application\/ld\+json/);
    const policy = JSON.parse(o.text);
    assert.equal(policy['@type'], 'Agreement');
    assert.ok(String(policy.uid).endsWith(`/api/entitlements/${e.id}`));
    const u = await provider.get(`/api/entitlements/${e.id}/usage`);
    assert.equal(u.status, 200, u.text);
    assert.equal(u.body.days.length, 1);
    assert.deepEqual({ calls: u.body.days[0].calls, rows: u.body.days[0].rows }, { calls: 1, rows: 2 });
    assert.equal(u.body.totals.total.calls, 1);
  });
});
