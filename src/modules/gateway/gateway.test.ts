// The data gateway on a seeded platform (real PostgreSQL, DuckDB, Parquet files, pg-boss jobs): a consumer
// department's application and keys; the three delivery forms through the PDP with signed requests; the attack
// list of issue 6 (other organizations, guessed ids, ungranted fields and filters, SQL in filter values, replayed
// and stale signatures, quotas with reset time, verification enumeration, suspension / revocation / expiry /
// exhaustion cutting access within one second); the exchange log (every call, allowed or refused, with message id
// and hashes, chained and provable in the ledger); metering; and the data subject's own view.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import {
  resourceIdByName,
  signedFetch,
  startTestPlatform,
  TestClient,
  type SignedResponse,
  type TestPlatform,
} from '../../../test/helpers.ts';
import { SYSTEM } from '../identity/actor.ts';
import { signRequest } from '../identity/apikeys.ts';
import type { NewEntitlement } from '../entitlements/repository.ts';
import { baseGrant, granter, signIn as signInAs } from '../entitlements/testkit.ts';
import { demoPublicIdNumber } from './seed.ts';
import { ENUMERATION_MISSES, logHash } from './service.ts';

let p: TestPlatform;
let consumer: TestClient;
let provider: TestClient;
let operator: TestClient;
let admin: TestClient;
let publicUser: TestClient;
let firmsId: string;
let peopleId: string;
let firmsProvider: string;
let peopleProvider: string;
let consumerOrgId: string;
let appId: string;
let key: { appKey: string; appSecret: string; id: string };
let firstCode: string;

const signIn = (username: string) => signInAs(p, username);

/** A signed machine call (AppKey/AppSecret HMAC), as a consumer's system makes it. */
const signed = (method: string, url: string, body?: unknown, extra: Record<string, string> = {}, k = key) =>
  signedFetch(p.url, k, method, url, body, extra);

const grant = (over: Partial<NewEntitlement> = {}) =>
  granter(p, () => ({
    ...baseGrant({ holderOrgId: consumerOrgId, resourceId: firmsId, providerOrgId: firmsProvider }),
    holderApplicationId: appId,
    fields: ['tyshxydm', 'qymc', 'djzt'],
    actions: ['query', 'verify', 'bulk'],
    purpose: '就业补贴企业资格核验',
    scenario: '就业补贴审核',
    legalBasis: '《就业促进法》第十五条',
    conditions: { clearFields: ['tyshxydm'] },
  }))(over);

const revoke = (id: string) => p.ctx.entitlements.setState(SYSTEM, id, 'revoked', '测试结束');
const records = (body: unknown, extra?: Record<string, string>) =>
  signed('POST', `/api/gateway/v1/resources/${firmsId}/records`, body, extra);
const logCount = async () => (await sql<{ n: number }>`select count(*)::int as n from gateway_log`.execute(p.ctx.db)).rows[0]!.n;

before(async () => {
  p = await startTestPlatform();
  [consumer, provider, operator, admin, publicUser] = (await Promise.all(
    ['consumer', 'provider', 'operator', 'admin', 'public'].map(signIn),
  )) as [TestClient, TestClient, TestClient, TestClient, TestClient];
  consumerOrgId = (await consumer.get('/api/auth/me')).body.org.id;
  firmsId = await resourceIdByName(admin, '市场主体登记信息');
  peopleId = await resourceIdByName(admin, '社会保险参保登记信息');
  firmsProvider = (await p.ctx.catalog.get(SYSTEM, firmsId)).providerOrg.id;
  peopleProvider = (await p.ctx.catalog.get(SYSTEM, peopleId)).providerOrg.id;
  // The demo shares the registry unconditionally (masked); here only an entitlement opens it.
  await sql`update catalog_resources set share_mode = 'conditional' where id = ${firmsId}`.execute(p.ctx.db);
  // Grants of the demo world (sharing requests) are set aside: each test grants exactly what it tests.
  await sql`update entitlements set state = 'revoked', state_reason = 'test' where resource_id in (${firmsId}, ${peopleId})`.execute(
    p.ctx.db,
  );
  const datasetId = (await admin.get(`/api/datasets/by-resource/${firmsId}`)).body.id;
  firstCode = (await admin.get(`/api/datasets/${datasetId}/preview?limit=1`)).body.rows[0]['统一社会信用代码'];
});
after(() => p?.close());

describe('applications', () => {
  it('a consumer clerk registers an application and gets a key once; other organizations get 404', async () => {
    const created = await consumer.post('/api/applications', { name: '就业补贴审核系统', description: '人社局业务系统' });
    assert.equal(created.status, 201, created.text);
    appId = created.body.id;
    assert.equal((await consumer.post('/api/applications', { name: '就业补贴审核系统' })).status, 409);
    const k = await consumer.post(`/api/applications/${appId}/keys`, { name: '生产环境' });
    assert.equal(k.status, 201, k.text);
    assert.match(k.body.appSecret, /^sk_/);
    key = k.body;
    const detail = await consumer.get(`/api/applications/${appId}`);
    assert.equal(detail.body.keys.length, 1);
    assert.ok(!('appSecret' in detail.body.keys[0]), 'the secret is never shown again');
    for (const c of [operator, provider]) {
      assert.equal((await c.get(`/api/applications/${appId}`)).status, 404);
      assert.equal((await c.patch(`/api/applications/${appId}`, { state: 'disabled' })).status, 404);
      assert.equal((await c.post(`/api/applications/${appId}/keys`, { name: 'x' })).status, 404);
    }
    assert.ok(!(await operator.get('/api/applications')).body.items.some((a: { id: string }) => a.id === appId));
    assert.equal((await admin.get(`/api/applications/${appId}`)).status, 200);
    const me = await signed('GET', '/api/auth/me');
    assert.equal(me.status, 200, me.text);
  });

  it('a disabled application: its keys stop signing at once; enabled again, they work', async () => {
    assert.equal((await consumer.patch(`/api/applications/${appId}`, { state: 'disabled' })).body.state, 'disabled');
    const r = await signed('GET', '/api/auth/me');
    assert.equal(r.status, 401, r.text);
    assert.equal((await consumer.post(`/api/applications/${appId}/keys`, { name: '新密钥' })).status, 409);
    assert.equal((await consumer.patch(`/api/applications/${appId}`, { state: 'active' })).body.state, 'active');
    assert.equal((await signed('GET', '/api/auth/me')).status, 200);
  });

  it('two keys of one application each sign for themselves; a revoked one stops, the other goes on', async () => {
    // Once the lookup's application condition was an unbracketed OR: any key of an active application matched
    // every AppKey, so a second key never verified and a revoked one could still be found.
    const second = (await consumer.post(`/api/applications/${appId}/keys`, { name: '测试环境' })).body as typeof key;
    assert.equal((await signed('GET', '/api/auth/me', undefined, {}, second)).status, 200);
    assert.equal((await signed('GET', '/api/auth/me')).status, 200);
    assert.equal((await consumer.delete(`/api/applications/${appId}/keys/${second.id}`)).status, 204);
    const revoked = await signed('GET', '/api/auth/me', undefined, {}, second);
    assert.equal(revoked.status, 401, revoked.text);
    assert.equal(revoked.body.error.code, 'API_KEY_INVALID');
    assert.equal((await signed('GET', '/api/auth/me')).status, 200);
    // An AppKey nobody issued is unknown, whatever other keys exist.
    const forged = await signed('GET', '/api/auth/me', undefined, {}, { ...key, appKey: 'ak_000000000000000000000000' });
    assert.equal(forged.body.error?.code, 'API_KEY_INVALID');
  });
});

describe('record query', () => {
  it('granted fields only, masked by the grant; a message id and hashes on every answer, allowed or refused', async () => {
    const e = await grant({ conditions: { clearFields: ['tyshxydm'], businessRefRequired: true } });
    const before = await logCount();
    const noRef = await records({ filters: [{ column: '统一社会信用代码', op: 'eq', value: firstCode }] });
    assert.equal(noRef.status, 400, noRef.text);
    assert.equal(noRef.body.error.code, 'BUSINESS_REF_REQUIRED', noRef.text);
    assert.ok(noRef.headers.get('x-shuyuan-message-id'), 'a refusal has a message id too');

    const body = { filters: [{ column: '统一社会信用代码', op: 'eq', value: firstCode }] };
    const ok = await records(body, { 'x-shuyuan-business-ref': 'BJ-2026-000123' });
    assert.equal(ok.status, 200, ok.text);
    assert.equal(ok.body.rows.length, 1);
    assert.deepEqual(ok.body.columns.map((c: { name: string }) => c.name).sort(), ['企业名称', '登记状态', '统一社会信用代码'].sort());
    assert.equal(ok.body.rows[0]['统一社会信用代码'], firstCode, 'granted in clear');
    const messageId = ok.headers.get('x-shuyuan-message-id')!;
    const path = `/api/gateway/v1/resources/${firmsId}/records`;
    const reqHash = createHash('sha256').update(`POST\n${path}\n`).update(JSON.stringify(body)).digest('hex');
    assert.equal(ok.headers.get('x-shuyuan-request-hash'), reqHash);
    assert.equal(ok.headers.get('x-shuyuan-response-hash'), createHash('sha256').update(ok.text).digest('hex'));

    const row = (await sql<any>`select * from gateway_log where message_id = ${messageId}`.execute(p.ctx.db)).rows[0];
    assert.equal(row.client_org_id, consumerOrgId);
    assert.equal(row.application_id, appId);
    assert.equal(row.provider_org_id, firmsProvider);
    assert.equal(row.entitlement_id, e.id);
    assert.equal(row.purpose, '就业补贴企业资格核验');
    assert.equal(row.business_ref, 'BJ-2026-000123');
    assert.equal(row.row_count, 1);
    assert.equal(row.outcome, 'ok');
    assert.equal(row.request_hash, reqHash);
    assert.equal(row.hash, logHash(row.body, row.prev_hash));
    assert.equal((await logCount()) - before, 2, 'both calls logged');
    await revoke(e.id);
  });

  it('attacks: ungranted fields (403 naming it), filters on them, SQL in values, other organizations, guessed ids', async () => {
    const e = await grant();
    const field = await records({ fields: ['统一社会信用代码', '法定代表人'] });
    assert.equal(field.status, 403, field.text);
    assert.equal(field.body.error.code, 'FIELD_NOT_GRANTED');
    assert.equal(field.body.error.details.field, '法定代表人');
    assert.ok(!field.body.rows);
    const filter = await records({ filters: [{ column: '法定代表人', op: 'eq', value: '张三' }] });
    assert.equal(filter.status, 403);
    assert.equal(filter.body.error.details.field, '法定代表人');
    for (const value of [`' OR 1=1 --`, `x'); DROP TABLE gateway_log; --`, `' UNION SELECT * FROM read_csv('/etc/passwd') --`]) {
      const inj = await records({ filters: [{ column: '企业名称', op: 'eq', value }] });
      assert.equal(inj.status, 200, inj.text);
      assert.equal(inj.body.rows.length, 0, 'a value is a value');
    }
    const like = await records({ filters: [{ column: '企业名称', op: 'contains', value: `%' OR '1'='1` }] });
    assert.equal(like.body.rows.length, 0);
    // The session user of the same department is not the application the grant is narrowed to.
    const session = await consumer.post(`/api/gateway/v1/resources/${firmsId}/records`, {});
    assert.equal(session.status, 403, session.text);
    // Another organization: refused without data; unknown or guessed resources: 404 alike.
    const other = await operator.post(`/api/gateway/v1/resources/${firmsId}/records`, {});
    assert.ok([403, 404].includes(other.status) && !other.body.rows, other.text);
    const guessed = await records({}, {});
    assert.equal(guessed.status, 200);
    const unknown = await signed('POST', `/api/gateway/v1/resources/00000000-0000-4000-8000-000000000000/records`, {});
    assert.equal(unknown.status, 404);
    assert.equal(unknown.body.error.code, 'GATEWAY_RESOURCE_NOT_FOUND');
    // Refusals before the handler (malformed JSON, schema validation) are logged and carry a message id too.
    const badJson = await consumer.request('POST', `/api/gateway/v1/resources/${firmsId}/records`, '{"limit": 1,');
    assert.equal(badJson.status, 400);
    assert.equal(badJson.body.error.code, 'MALFORMED_JSON');
    const invalid = await records({ limit: 'all' });
    assert.equal(invalid.status, 400);
    assert.equal(invalid.body.error.code, 'VALIDATION_FAILED');
    for (const r of [badJson, invalid]) {
      const id = r.headers.get('x-shuyuan-message-id');
      assert.ok(id);
      const row = (await sql<{ error_code: string }>`select error_code from gateway_log where message_id = ${id}`.execute(p.ctx.db))
        .rows[0];
      assert.equal(row?.error_code, r.body.error.code);
    }
    const junk = await signed('POST', `/api/gateway/v1/resources/not-a-uuid/records`, {});
    assert.equal(junk.status, 404);
    const refused = await sql<{ n: number }>`
      select count(*)::int as n from gateway_log where outcome = 'refused' and error_code in ('FIELD_NOT_GRANTED', 'GATEWAY_RESOURCE_NOT_FOUND')`.execute(
      p.ctx.db,
    );
    assert.ok(refused.rows[0]!.n >= 4, 'refusals are logged');
    await revoke(e.id);
  });

  it('replayed and stale signatures are refused and logged', async () => {
    const e = await grant();
    const url = `/api/gateway/v1/resources/${firmsId}/records`;
    const payload = JSON.stringify({ limit: 1 });
    const h = { ...signRequest({ ...key, method: 'POST', path: url, body: payload }), 'content-type': 'application/json' };
    assert.equal((await fetch(p.url + url, { method: 'POST', headers: h, body: payload })).status, 200);
    const replay = await fetch(p.url + url, { method: 'POST', headers: h, body: payload });
    assert.equal(replay.status, 401);
    assert.equal(((await replay.json()) as any).error.code, 'SIGNATURE_REPLAYED');
    assert.ok(replay.headers.get('x-shuyuan-message-id'));
    const stale = {
      ...signRequest({ ...key, method: 'POST', path: url, body: payload, timestamp: Math.floor(Date.now() / 1000) - 3600 }),
      'content-type': 'application/json',
    };
    const old = await fetch(p.url + url, { method: 'POST', headers: stale, body: payload });
    assert.equal(old.status, 401);
    assert.equal(((await old.json()) as any).error.code, 'SIGNATURE_EXPIRED');
    const tampered = await fetch(p.url + url, {
      method: 'POST',
      headers: { ...h, 'x-shuyuan-nonce': 'n'.repeat(20) },
      body: '{"limit":2}',
    });
    assert.equal(tampered.status, 401);
    const logged = await sql<{ code: string }>`
      select error_code as code from gateway_log where error_code like 'SIGNATURE_%' order by seq`.execute(p.ctx.db);
    assert.deepEqual(
      logged.rows.map((r) => r.code),
      ['SIGNATURE_REPLAYED', 'SIGNATURE_EXPIRED', 'SIGNATURE_INVALID'],
    );
    await revoke(e.id);
  });

  it('quota: 429 with the reset time; suspension, revocation, expiry and exhaustion cut access within one second', async () => {
    const q = await grant({ quota: { calls: { day: 2 } } });
    assert.equal((await records({ limit: 1 })).status, 200);
    assert.equal((await records({ limit: 1 })).status, 200);
    const t0 = Date.now();
    const over = await records({ limit: 1 });
    assert.equal(over.status, 429, over.text);
    assert.equal(over.body.error.code, 'QUOTA_EXCEEDED');
    assert.ok(Date.parse(over.body.error.details.resetAt) > Date.now());
    assert.ok(Number(over.headers.get('retry-after')) > 0);
    assert.ok(Date.now() - t0 < 1000);
    await revoke(q.id);

    const e = await grant();
    assert.equal((await records({ limit: 1 })).status, 200);
    for (const [to, code] of [
      ['suspended', 'ENTITLEMENT_SUSPENDED'],
      ['revoked', 'ENTITLEMENT_REVOKED'],
    ] as const) {
      await p.ctx.entitlements.setState(SYSTEM, e.id, to, '测试');
      const changedAt = Date.now();
      const r = await records({ limit: 1 });
      assert.equal(r.body.error?.code, code, r.text);
      assert.ok(Date.now() - changedAt < 1000, 'refused within one second of the change');
      if (to === 'suspended') await p.ctx.entitlements.setState(SYSTEM, e.id, 'active', '恢复');
    }
    const short = await grant({ validTo: new Date(Date.now() + 1000).toISOString() });
    assert.equal((await records({ limit: 1 })).status, 200);
    await new Promise((r) => setTimeout(r, Math.max(0, Date.parse(short.validTo!) - Date.now())));
    const expiredAt = Date.parse(short.validTo!);
    const x = await records({ limit: 1 });
    assert.equal(x.body.error?.code, 'ENTITLEMENT_EXPIRED', x.text);
    assert.ok(Date.now() - expiredAt < 1000);
  });
});

describe('verification and bulk delivery', () => {
  it('match / no_match / not_found without the stored value; per-grant rate limit; enumeration logged', async () => {
    const e = await grant({
      fields: ['tyshxydm', 'qymc', 'djzt'],
      conditions: { clearFields: ['tyshxydm'], verifyPerMinute: ENUMERATION_MISSES + 5 },
    });
    const url = `/api/gateway/v1/resources/${firmsId}/verify`;
    const found = await records({ filters: [{ column: '统一社会信用代码', op: 'eq', value: firstCode }] });
    assert.equal(found.status, 200, found.text);
    const name = found.body.rows[0]['企业名称'];
    const r = await signed('POST', url, {
      key: { field: '统一社会信用代码', value: firstCode },
      claims: { 企业名称: name, 登记状态: '不存在的状态' },
    });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.body.results, { 企业名称: 'match', 登记状态: 'no_match' });
    assert.ok(!r.text.includes('存续') && !r.text.includes('注销'), 'the stored value is not revealed');
    const nf = await signed('POST', url, { key: { field: '统一社会信用代码', value: '91990100MA0000000X' }, claims: { 企业名称: name } });
    assert.deepEqual(nf.body.results, { 企业名称: 'not_found' });
    const ungranted = await signed('POST', url, { key: { field: '统一社会信用代码', value: firstCode }, claims: { 法定代表人: '张三' } });
    assert.equal(ungranted.status, 403);
    assert.equal(ungranted.body.error.details.field, '法定代表人');
    // Enumeration: guessing the status of one company over and over.
    let limited: SignedResponse | null = null;
    for (let i = 0; i < ENUMERATION_MISSES + 10 && !limited; i++) {
      const g = await signed('POST', url, { key: { field: '统一社会信用代码', value: firstCode }, claims: { 企业名称: `猜测${i}` } });
      if (g.status === 429) limited = g;
      else assert.equal(g.status, 200, g.text);
    }
    assert.ok(limited, 'rate-limited');
    assert.equal(limited.body.error.code, 'VERIFY_RATE_LIMITED');
    assert.ok(Number(limited.headers.get('retry-after')) > 0);
    const alert = await sql<{ n: number }>`
      select count(*)::int as n from ledger_entries where action = 'gateway.verify.enumeration_suspected' and object_id = ${e.id}`.execute(
      p.ctx.db,
    );
    assert.ok(alert.rows[0]!.n >= 1, 'enumeration is recorded in the ledger');
    const misses = await sql<{ n: number }>`
      select coalesce(sum((detail->>'no_match')::int), 0)::int as n from gateway_log where entitlement_id = ${e.id} and service = 'verify'`.execute(
      p.ctx.db,
    );
    assert.ok(misses.rows[0]!.n >= ENUMERATION_MISSES);
    await revoke(e.id);
  });

  it('bulk delivery: full and incremental extracts with manifest and checksum, for the requesting application only', async () => {
    const e = await grant();
    const base = `/api/gateway/v1/resources/${firmsId}/extracts`;
    const full = await signed('POST', base, { mode: 'full', format: 'csv' });
    assert.equal(full.status, 202, full.text);
    const inc = await signed('POST', base, { mode: 'incremental', sinceVersion: 1, format: 'parquet' });
    assert.equal(inc.status, 202, inc.text);
    assert.equal((await signed('POST', base, { mode: 'incremental' })).status, 400);
    const wait = async (id: string) => {
      for (let i = 0; i < 200; i++) {
        const s = await signed('GET', `${base}/${id}`);
        if (s.body.state === 'done' || s.body.state === 'failed') return s.body;
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error('extract did not finish');
    };
    const f = await wait(full.body.id);
    assert.equal(f.state, 'done', JSON.stringify(f));
    const m = await signed('GET', `${base}/${full.body.id}/manifest`);
    assert.equal(m.status, 200, m.text);
    assert.equal(m.body.resource, firmsId);
    assert.equal(m.body.entitlement, e.id);
    assert.deepEqual(m.body.fields.map((x: { name: string }) => x.name).sort(), ['企业名称', '登记状态', '统一社会信用代码'].sort());
    const file = await fetch(p.url + `${base}/${full.body.id}/file`, {
      headers: signRequest({ ...key, method: 'GET', path: `${base}/${full.body.id}/file` }),
    });
    assert.equal(file.status, 200);
    const bytes = Buffer.from(await file.arrayBuffer());
    assert.equal(createHash('sha256').update(bytes).digest('hex'), m.body.sha256);
    assert.equal(file.headers.get('x-shuyuan-response-hash'), m.body.sha256);
    assert.equal(bytes.toString('utf8').trim().split('\n').length - 1, m.body.rowCount);
    assert.ok(!bytes.toString('utf8').includes('法定代表人'));
    const i = await wait(inc.body.id);
    assert.equal(i.state, 'done', JSON.stringify(i));
    assert.equal(i.rowCount, 38, '30 new enterprises and 8 deregistrations change the granted fields');
    // Others: 404.
    assert.equal((await operator.get(`${base}/${full.body.id}`)).status, 404);
    assert.equal((await provider.get(`${base}/${full.body.id}/file`)).status, 404);
    await revoke(e.id);
    // The job decides again: a grant revoked before the job runs fails the extract.
  });
});

describe('exchange log, proofs, metering, data subjects', () => {
  it('every call is logged; the provider, the consumer and the authority see it; proofs verify', async () => {
    // A burst of concurrent calls: their rows are written in batches (one statement each), every answer is in the
    // log under its message id, and the chain below still holds.
    const g = await grant();
    const burst = await Promise.all(
      Array.from({ length: 40 }, () => records({ filters: [{ column: '统一社会信用代码', op: 'eq', value: firstCode }] })),
    );
    assert.deepEqual(new Set(burst.map((r) => r.status)), new Set([200]));
    const ids = burst.map((r) => r.headers.get('x-shuyuan-message-id')!);
    const logged = await sql<{ message_id: string; row_count: number; entitlement_id: string }>`
      select message_id, row_count, entitlement_id from gateway_log where message_id = any(${ids}::uuid[])`.execute(p.ctx.db);
    assert.equal(logged.rows.length, 40);
    assert.ok(logged.rows.every((r) => r.row_count === 1 && r.entitlement_id === g.id));
    await revoke(g.id);
    const answered = await sql<{ n: number }>`select count(*)::int as n from gateway_log`.execute(p.ctx.db);
    assert.ok(answered.rows[0]!.n > 30);
    const mine = await consumer.get('/api/gateway/log?side=consumer&limit=500');
    assert.equal(mine.status, 200, mine.text);
    assert.ok(mine.body.total > 0);
    const theirs = await provider.get(`/api/gateway/log?side=provider&resourceId=${firmsId}&limit=5`);
    assert.ok(theirs.body.total > 0);
    // The operator sees only its own (refused) attempts, nothing of the consumer's calls.
    const operatorOrg = (await operator.get('/api/auth/me')).body.org.id;
    const seen = await operator.get('/api/gateway/log?limit=500');
    assert.ok(
      seen.body.items.every((x: { clientOrgId: string; outcome: string }) => x.clientOrgId === operatorOrg && x.outcome === 'refused'),
    );
    const msg = mine.body.items.find((x: { outcome: string }) => x.outcome === 'ok').messageId;
    for (const c of [provider, consumer, admin]) {
      const pr = await c.get(`/api/gateway/log/${msg}/proof`);
      assert.equal(pr.status, 200, pr.text);
      assert.equal(pr.body.verified, true, JSON.stringify(pr.body.checks));
    }
    assert.equal((await operator.get(`/api/gateway/log/${msg}/proof`)).status, 404);
    const cps = await sql<{ n: number }>`select count(*)::int as n from ledger_entries where action = 'gateway.log.checkpoint'`.execute(
      p.ctx.db,
    );
    assert.ok(cps.rows[0]!.n >= 1);
    // The chain: every row links to the one before.
    const chain = (
      await sql<{
        seq: number;
        prev_hash: string;
        hash: string;
        body: string;
      }>`select seq, prev_hash, hash, body from gateway_log order by seq`.execute(p.ctx.db)
    ).rows;
    chain.forEach((r, idx) => {
      assert.equal(r.seq, idx + 1);
      assert.equal(r.prev_hash, idx === 0 ? '0'.repeat(64) : chain[idx - 1]!.hash);
      assert.equal(r.hash, logHash(r.body, r.prev_hash));
    });
    await assert.rejects(sql`update gateway_log set row_count = 0`.execute(p.ctx.db));
  });

  it('metering by consumer, provider, resource and day', async () => {
    const today = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);
    const m = await admin.get(`/api/gateway/metering?groupBy=day,consumer,provider,resource&from=${today}&to=${today}`);
    assert.equal(m.status, 200, m.text);
    const row = m.body.items.find((x: any) => x.consumer === consumerOrgId && x.resource === firmsId);
    assert.ok(row, m.text);
    assert.equal(row.provider, firmsProvider);
    assert.ok(row.answered > 0 && row.refused > 0 && row.rows > 0);
    const total = (await admin.get(`/api/gateway/metering?groupBy=day&from=${today}&to=${today}`)).body.items[0].calls;
    assert.equal(total, await logCount());
    const op = await operator.get(`/api/gateway/metering?groupBy=consumer&from=${today}&to=${today}`);
    assert.ok(
      op.body.items.every((x: { consumer: string; answered: number }) => x.consumer !== consumerOrgId && x.answered === 0),
      op.text,
    );
    assert.equal((await admin.get(`/api/gateway/metering?groupBy=day;drop&from=${today}&to=${today}`)).status, 400);
  });

  it('who used my data: the public user sees the verification of their record (organization, purpose), no data', async () => {
    const id = demoPublicIdNumber()!;
    const e = await p.ctx.db.transaction().execute((tx) =>
      p.ctx.entitlements.grant(tx, SYSTEM, {
        holderOrgId: consumerOrgId,
        holderApplicationId: appId,
        holderUserId: null,
        resourceId: peopleId,
        providerOrgId: peopleProvider,
        fields: ['sfzh', 'cbzt'],
        actions: ['verify'],
        purpose: '失业保险金申领资格核验',
        scenario: '失业保险金申领',
        legalBasis: '《失业保险条例》',
        validFrom: new Date(Date.now() - 60_000).toISOString(),
        validTo: null,
        quota: null,
        conditions: {},
        origin: 'manual',
        originId: null,
      }),
    );
    const v = await signed('POST', `/api/gateway/v1/resources/${peopleId}/verify`, {
      key: { field: '公民身份号码', value: id },
      claims: { 参保状态: '正常参保' },
    });
    assert.equal(v.status, 200, v.text);
    const mine = await publicUser.get('/api/gateway/my-uses');
    assert.equal(mine.status, 200, mine.text);
    const use = mine.body.items.find((x: { messageId: string }) => x.messageId === v.headers.get('x-shuyuan-message-id'));
    assert.ok(use, mine.text);
    assert.equal(use.org.id, consumerOrgId);
    assert.equal(use.purpose, '失业保险金申领资格核验');
    assert.equal(use.resource.id, peopleId);
    assert.ok(!mine.text.includes(id), 'the ID number itself is not echoed');
    const tokens = await sql<{ token: string }>`select token from gateway_subject_uses`.execute(p.ctx.db);
    assert.ok(tokens.rows.length > 0 && tokens.rows.every((t) => /^[0-9a-f]{64}$/.test(t.token) && t.token !== id));
    // A record query whose answer masks the ID number still counts as a use of that person's record.
    const q = await p.ctx.db.transaction().execute((tx) =>
      p.ctx.entitlements.grant(tx, SYSTEM, {
        ...e,
        fields: ['sfzh', 'xzlx', 'cbzt'],
        actions: ['query'],
        purpose: '就业失业登记核查',
        validFrom: new Date(Date.now() - 60_000).toISOString(),
      }),
    );
    const rows = await signed('POST', `/api/gateway/v1/resources/${peopleId}/records`, { limit: 3 });
    assert.equal(rows.status, 200, rows.text);
    assert.match(rows.body.rows[0]['公民身份号码'], /\*{8}/, 'masked in the answer');
    assert.ok(!rows.body.columns.some((c: { name: string }) => c.name === '_row'), 'the internal row numbers are not returned');
    const again = await publicUser.get('/api/gateway/my-uses');
    const viaQuery = again.body.items.find((x: { messageId: string }) => x.messageId === rows.headers.get('x-shuyuan-message-id'));
    assert.ok(viaQuery, again.text);
    assert.equal(viaQuery.purpose, '就业失业登记核查');
    assert.equal(viaQuery.service, 'records');
    await revoke(q.id);
    const noId = await consumer.get('/api/gateway/my-uses');
    assert.equal(noId.status, 404);
    assert.equal(noId.body.error.code, 'SUBJECT_ID_UNKNOWN');
    await revoke(e.id);
  });
});
