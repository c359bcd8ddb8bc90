// API keys and signed requests: success, expired, replayed, tampered body, revoked, disabled owner, raw-body JSON parsing.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { startTestPlatform, type TestPlatform } from '../../../test/helpers.ts';
import { signRequest, SecretBox } from './apikeys.ts';
import { DEMO_PASSWORD } from './service.ts';

let p: TestPlatform;
before(async () => {
  p = await startTestPlatform({ signatureWindowSeconds: 60 }, { jobs: false });
});
after(async () => {
  await p?.close();
});

async function signed(
  method: string,
  url: string,
  key: { appKey: string; appSecret: string },
  body?: unknown,
  over: { timestamp?: number; nonce?: string; bodyForSignature?: string } = {},
) {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  const headers = signRequest({
    ...key,
    method,
    path: url,
    body: over.bodyForSignature ?? payload,
    timestamp: over.timestamp,
    nonce: over.nonce,
  });
  const res = await fetch(p.url + url, {
    method,
    headers: { ...headers, ...(payload ? { 'content-type': 'application/json' } : {}), 'accept-language': 'en' },
    body: payload,
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null, headers: res.headers };
}

describe('API keys', () => {
  let key: { id: string; appKey: string; appSecret: string };

  test('a user creates a key; the secret is shown once and stored only encrypted', async () => {
    const c = p.client();
    await c.login('consumer', DEMO_PASSWORD);
    const res = await c.post('/api/api-keys', { name: '人社业务系统' });
    assert.equal(res.status, 201);
    key = res.body;
    assert.match(key.appKey, /^ak_/);
    assert.match(key.appSecret, /^sk_/);
    const list = await c.get('/api/api-keys');
    assert.equal(list.body.items.length, 1);
    assert.equal(list.body.items[0].appKey, key.appKey);
    assert.ok(!JSON.stringify(list.body).includes(key.appSecret));
    const row = await p.ctx.db.selectFrom('api_keys').selectAll().where('id', '=', key.id).executeTakeFirstOrThrow();
    assert.ok(!JSON.stringify(row).includes(key.appSecret.slice(3)));
    const stat = await fs.stat(path.join(p.dataDir, 'keys', 'master.key'));
    assert.equal(stat.mode & 0o777, 0o600);
    // the ciphertext opens only with its own AppKey as associated data
    const box = new SecretBox(p.dataDir);
    assert.equal(await box.open(row.secret_enc, key.appKey), key.appSecret);
    await assert.rejects(box.open(row.secret_enc, 'ak_other'));
  });

  test('a signed GET and a signed POST with a JSON body authenticate as the owner', async () => {
    const me = await signed('GET', '/api/auth/me?x=1', key);
    assert.equal(me.status, 200, JSON.stringify(me.body));
    assert.equal(me.body.username, 'consumer');
    assert.equal(me.body.authMethod, 'api_key');
    // no CSRF needed for signed requests; a body exercises the raw-body hash
    const post = await signed('POST', '/api/auth/logout-all', key, { why: '测试 ünïcödé' });
    assert.equal(post.status, 200, JSON.stringify(post.body));
  });

  test('an old timestamp is 401 SIGNATURE_EXPIRED', async () => {
    const res = await signed('GET', '/api/auth/me', key, undefined, { timestamp: Math.floor(Date.now() / 1000) - 120 });
    assert.equal(res.status, 401);
    assert.equal(res.body.error.code, 'SIGNATURE_EXPIRED');
  });

  test('a replayed nonce is 401 SIGNATURE_REPLAYED', async () => {
    const nonce = 'replay-nonce-0123456789';
    const first = await signed('GET', '/api/auth/me', key, undefined, { nonce });
    assert.equal(first.status, 200);
    const again = await signed('GET', '/api/auth/me', key, undefined, { nonce });
    assert.equal(again.status, 401);
    assert.equal(again.body.error.code, 'SIGNATURE_REPLAYED');
  });

  test('the same nonce sent by several requests at once is accepted once (nonces are remembered in batches)', async () => {
    const nonce = 'burst-nonce-0123456789';
    const answers = await Promise.all(Array.from({ length: 6 }, () => signed('GET', '/api/auth/me', key, undefined, { nonce })));
    assert.equal(answers.filter((r) => r.status === 200).length, 1, JSON.stringify(answers.map((r) => r.status)));
    assert.ok(answers.filter((r) => r.status !== 200).every((r) => r.body.error.code === 'SIGNATURE_REPLAYED'));
  });

  test('a body that does not match the signed hash, a wrong secret or a changed path is 401 SIGNATURE_INVALID', async () => {
    const tampered = await signed(
      'POST',
      '/api/auth/logout-all',
      key,
      { amount: 1000 },
      { bodyForSignature: JSON.stringify({ amount: 1 }) },
    );
    assert.equal(tampered.status, 401);
    assert.equal(tampered.body.error.code, 'SIGNATURE_INVALID');
    const wrongSecret = await signed('GET', '/api/auth/me', { appKey: key.appKey, appSecret: 'sk_guess' });
    assert.equal(wrongSecret.body.error.code, 'SIGNATURE_INVALID');
    const headers = signRequest({ ...key, method: 'GET', path: '/api/auth/me' });
    const otherPath = await fetch(p.url + '/api/auth/me?admin=1', { headers });
    assert.equal(otherPath.status, 401);
    const missing = await fetch(p.url + '/api/auth/me', { headers: { 'x-shuyuan-appkey': key.appKey } });
    assert.equal(missing.status, 401);
    assert.equal(((await missing.json()) as { error: { code: string } }).error.code, 'SIGNATURE_INVALID');
  });

  test('an unknown key is 401 API_KEY_INVALID', async () => {
    const res = await signed('GET', '/api/auth/me', { appKey: 'ak_unknown', appSecret: 'sk_x' });
    assert.equal(res.status, 401);
    assert.equal(res.body.error.code, 'API_KEY_INVALID');
  });

  test('malformed JSON is still 400 MALFORMED_JSON with the raw-body parser', async () => {
    const res = await fetch(p.url + '/api/auth/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"username": ',
    });
    assert.equal(res.status, 400);
    assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'MALFORMED_JSON');
    const proto = await fetch(p.url + '/api/auth/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"__proto__": {"x": 1}}',
    });
    assert.equal(proto.status, 400);
  });

  test('API keys cannot mint more keys', async () => {
    const res = await signed('POST', '/api/api-keys', key, { name: 'child' });
    assert.equal(res.status, 403);
  });

  test('disabling the owner stops the key; revoking the key stops it for good', async () => {
    const admin = p.client();
    await admin.login('admin', DEMO_PASSWORD);
    const me = (await signed('GET', '/api/auth/me', key)).body;
    assert.equal((await admin.post(`/api/users/${me.id}/disable`)).status, 200);
    assert.equal((await signed('GET', '/api/auth/me', key)).body.error.code, 'API_KEY_INVALID');
    assert.equal((await admin.post(`/api/users/${me.id}/enable`)).status, 200);
    assert.equal((await signed('GET', '/api/auth/me', key)).status, 200);

    const all = await admin.get('/api/api-keys?all=1');
    assert.ok(all.body.items.some((k: { id: string }) => k.id === key.id));
    const other = p.client();
    await other.login('provider', DEMO_PASSWORD);
    assert.equal((await other.get('/api/api-keys?all=1')).status, 403);
    assert.equal((await other.delete(`/api/api-keys/${key.id}`)).status, 403);

    const owner = p.client();
    await owner.login('consumer', DEMO_PASSWORD);
    assert.equal((await owner.delete(`/api/api-keys/${key.id}`)).status, 204);
    assert.equal((await signed('GET', '/api/auth/me', key)).body.error.code, 'API_KEY_INVALID');
    const entries = await p.ctx.ledger.list({ objectId: key.id }, 1, 10);
    assert.deepEqual(entries.items.map((e) => e.action).sort(), ['api_key.create', 'api_key.revoke']);
  });
});
