// Login, lockout, sessions, CSRF, logout, password change — over HTTP against a real PostgreSQL.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestPlatform, type TestPlatform } from '../../../test/helpers.ts';
import { DEMO_PASSWORD } from './service.ts';

let p: TestPlatform;
before(async () => {
  p = await startTestPlatform({ loginMaxFailures: 3, lockoutMinutes: 15 }, { jobs: false });
});
after(async () => {
  await p?.close();
});

describe('login', () => {
  test('demo user logs in, gets httpOnly session + readable CSRF cookies, and /me describes them', async () => {
    const c = p.client();
    const res = await c.login('admin', DEMO_PASSWORD);
    assert.equal(res.body.user.username, 'admin');
    assert.deepEqual(res.body.user.roles, ['authority_admin']);
    assert.equal(res.body.user.org.code, 'AUTH');
    assert.equal(res.body.user.org.nameZh, '示范市数据局');
    assert.equal(res.body.user.authMethod, 'session');
    const cookies = res.headers.getSetCookie();
    const session = cookies.find((x) => x.startsWith('sy_session='))!;
    const csrf = cookies.find((x) => x.startsWith('sy_csrf='))!;
    assert.match(session, /HttpOnly/i);
    assert.match(session, /SameSite=Lax/i);
    assert.match(session, /Path=\//);
    assert.match(session, /Max-Age=43200/);
    assert.doesNotMatch(csrf, /HttpOnly/i);
    assert.match(csrf, /SameSite=Strict/i);
    const me = await c.get('/api/auth/me');
    assert.equal(me.status, 200);
    assert.equal(me.body.username, 'admin');
    assert.equal(me.body.org.kind, 'authority');
  });

  test('usernames are case-insensitive', async () => {
    const res = await p.client().post('/api/auth/login', { username: 'ADMIN', password: DEMO_PASSWORD });
    assert.equal(res.status, 200);
  });

  test('wrong password and unknown user get the same generic 401', async () => {
    const c = p.client();
    const wrong = await c.post('/api/auth/login', { username: 'provider', password: 'Nope-nope-1' });
    const unknown = await c.post('/api/auth/login', { username: 'nobody-here', password: 'Nope-nope-1' });
    assert.equal(wrong.status, 401);
    assert.equal(unknown.status, 401);
    assert.equal(wrong.body.error.code, 'AUTH_INVALID_CREDENTIALS');
    assert.deepEqual(wrong.body, unknown.body);
    assert.equal(wrong.body.error.message, '用户名或密码错误');
    c.lang = 'en';
    const en = await c.post('/api/auth/login', { username: 'nobody-here', password: 'x' });
    assert.equal(en.body.error.message, 'Wrong username or password');
    // a successful login resets the failure counter
    await c.login('provider', DEMO_PASSWORD);
  });

  test('/me without a session is 401 UNAUTHENTICATED', async () => {
    const res = await p.client().get('/api/auth/me');
    assert.equal(res.status, 401);
    assert.equal(res.body.error.code, 'UNAUTHENTICATED');
  });

  test('repeated failures lock the account with the time it ends; unlock lets the user in again', async () => {
    const c = p.client();
    const r1 = await c.post('/api/auth/login', { username: 'consumer', password: 'Wrong-pass-1' });
    const r2 = await c.post('/api/auth/login', { username: 'consumer', password: 'Wrong-pass-2' });
    assert.equal(r1.status, 401);
    assert.equal(r2.status, 401);
    const r3 = await c.post('/api/auth/login', { username: 'consumer', password: 'Wrong-pass-3' });
    assert.equal(r3.status, 429);
    assert.equal(r3.body.error.code, 'AUTH_LOCKED');
    const until = new Date(r3.body.error.details.lockedUntil);
    assert.ok(until.getTime() > Date.now() + 14 * 60_000 && until.getTime() <= Date.now() + 15 * 60_000 + 5_000);
    assert.ok(Number(r3.headers.get('retry-after')) > 800);
    assert.ok(r3.body.error.message.includes(until.toISOString()));
    // even the right password is refused while locked
    const locked = await c.post('/api/auth/login', { username: 'consumer', password: DEMO_PASSWORD });
    assert.equal(locked.status, 429);
    assert.equal(locked.body.error.code, 'AUTH_LOCKED');

    const admin = p.client();
    await admin.login('admin', DEMO_PASSWORD);
    const list = await admin.get('/api/users?status=locked');
    assert.equal(list.status, 200);
    const consumer = list.body.items.find((u: { username: string }) => u.username === 'consumer');
    assert.ok(consumer?.lockedUntil);
    const unlocked = await admin.post(`/api/users/${consumer.id}/unlock`);
    assert.equal(unlocked.status, 200);
    assert.equal(unlocked.body.lockedUntil, null);
    const ok = await c.post('/api/auth/login', { username: 'consumer', password: DEMO_PASSWORD });
    assert.equal(ok.status, 200);

    // the ledger holds the failures, the lockout, the unlock and the success — never the password
    const entries = await p.ctx.ledger.list({ objectId: consumer.id }, 1, 100);
    const actions = entries.items.map((e) => e.action);
    for (const a of ['auth.login_failed', 'auth.locked', 'user.unlock', 'auth.login']) assert.ok(actions.includes(a), `ledger has ${a}`);
    const dump = JSON.stringify(entries.items);
    assert.ok(!dump.includes('Wrong-pass') && !dump.includes(DEMO_PASSWORD));
  });

  test('a login is recorded in the ledger with the user as actor', async () => {
    const c = p.client();
    const res = await c.login('auditor', DEMO_PASSWORD);
    const entries = await p.ctx.ledger.list({ action: 'auth.login', objectId: res.body.user.id }, 1, 10);
    assert.ok(entries.total >= 1);
    assert.equal(entries.items[0]!.actorId, res.body.user.id);
  });
});

describe('sessions and CSRF', () => {
  test('unsafe requests need the CSRF header; API-key-less GETs do not', async () => {
    const c = p.client();
    await c.login('admin', DEMO_PASSWORD);
    const noCsrf = await c.post('/api/api-keys', { name: 'x' }, { 'x-csrf-token': '' });
    assert.equal(noCsrf.status, 403);
    assert.equal(noCsrf.body.error.code, 'CSRF_FAILED');
    const badCsrf = await c.post('/api/api-keys', { name: 'x' }, { 'x-csrf-token': 'forged' });
    assert.equal(badCsrf.status, 403);
    assert.equal(badCsrf.body.error.code, 'CSRF_FAILED');
    const ok = await c.post('/api/api-keys', { name: 'x' });
    assert.equal(ok.status, 201);
    assert.equal((await c.get('/api/auth/me')).status, 200);
  });

  test('logout ends the session; logout-all ends every session of the user', async () => {
    const a = p.client();
    const b = p.client();
    await a.login('operator', DEMO_PASSWORD);
    await b.login('operator', DEMO_PASSWORD);
    const stolenCookie = a.cookies.get('sy_session')!;
    const out = await a.post('/api/auth/logout');
    assert.equal(out.status, 204);
    assert.equal(a.cookies.get('sy_session'), undefined);
    const reuse = await p.client().get('/api/auth/me', { cookie: `sy_session=${stolenCookie}` });
    assert.equal(reuse.status, 401);
    assert.equal((await b.get('/api/auth/me')).status, 200);

    const c = p.client();
    await c.login('operator', DEMO_PASSWORD);
    const all = await c.post('/api/auth/logout-all');
    assert.equal(all.status, 200);
    assert.ok(all.body.revoked >= 2);
    assert.equal((await b.get('/api/auth/me')).status, 401);
    assert.equal((await c.get('/api/auth/me')).status, 401);
  });
});

describe('password change and policy', () => {
  test('weak passwords are refused naming the failed rules; a change ends the other sessions', async () => {
    const admin = p.client();
    await admin.login('admin', DEMO_PASSWORD);
    const orgs = await admin.get('/api/orgs');
    const ga = orgs.body.items.find((o: { code: string }) => o.code === 'GA');
    const weak = await admin.post('/api/users', {
      username: 'weakling',
      displayName: '弱',
      orgId: ga.id,
      roles: ['provider_clerk'],
      password: 'short',
    });
    assert.equal(weak.status, 400);
    assert.equal(weak.body.error.code, 'PASSWORD_POLICY');
    assert.equal(weak.body.error.details.field, 'password');
    assert.deepEqual(weak.body.error.details.failed, ['min_length', 'char_classes']);
    const withName = await admin.post('/api/users', {
      username: 'weakling',
      displayName: '弱',
      orgId: ga.id,
      roles: ['provider_clerk'],
      password: 'Weakling-2024x',
    });
    assert.equal(withName.status, 400);
    assert.deepEqual(withName.body.error.details.failed, ['contains_username']);
    const created = await admin.post('/api/users', {
      username: 'pwuser',
      displayName: '改密用户',
      orgId: ga.id,
      roles: ['provider_clerk'],
      password: 'Initial#Pass1',
    });
    assert.equal(created.status, 201);

    const one = p.client();
    const two = p.client();
    await one.login('pwuser', 'Initial#Pass1');
    await two.login('pwuser', 'Initial#Pass1');
    const wrong = await one.post('/api/auth/password', { currentPassword: 'nope', newPassword: 'Another#Pass2' });
    assert.equal(wrong.status, 400);
    assert.equal(wrong.body.error.code, 'CURRENT_PASSWORD_WRONG');
    assert.equal(wrong.body.error.details.field, 'currentPassword');
    const same = await one.post('/api/auth/password', { currentPassword: 'Initial#Pass1', newPassword: 'Initial#Pass1' });
    assert.equal(same.status, 400);
    assert.deepEqual(same.body.error.details, { field: 'newPassword', failed: ['same_as_current'] });
    const changed = await one.post('/api/auth/password', { currentPassword: 'Initial#Pass1', newPassword: 'Another#Pass2' });
    assert.equal(changed.status, 204);
    assert.equal((await one.get('/api/auth/me')).status, 200);
    assert.equal((await two.get('/api/auth/me')).status, 401);
    assert.equal((await p.client().post('/api/auth/login', { username: 'pwuser', password: 'Initial#Pass1' })).status, 401);
    await p.client().login('pwuser', 'Another#Pass2');
  });

  test('English messages follow Accept-Language', async () => {
    const c = p.client();
    c.lang = 'en-US,en;q=0.9';
    const res = await c.get('/api/auth/me');
    assert.equal(res.body.error.message, 'Please log in');
    await c.login('admin', DEMO_PASSWORD);
    const bad = await c.post('/api/users', {
      username: 'englishuser',
      displayName: 'E',
      orgId: (await c.get('/api/auth/me')).body.org.id,
      roles: ['auditor'],
      password: 'abc',
    });
    assert.equal(bad.body.error.code, 'PASSWORD_POLICY');
    assert.match(bad.body.error.message, /^The password does not meet the policy/);
  });
});

describe('per-address throttling (runs last: it blocks this address)', () => {
  test('many failed logins from one address are throttled with Retry-After, across usernames', async () => {
    const c = p.client();
    let res = await c.post('/api/auth/login', { username: 'spray-0', password: 'Guess#12345' });
    for (let i = 1; i < 40 && res.status === 401; i++)
      res = await c.post('/api/auth/login', { username: `spray-${i}`, password: 'Guess#12345' });
    assert.equal(res.status, 429);
    assert.equal(res.body.error.code, 'AUTH_THROTTLED');
    assert.ok(Number(res.headers.get('retry-after')) > 0);
    // the limit is loginMaxFailures × 10 failures per lockout window (3 × 10 here)
    const failures = await p.ctx.ledger.list({ action: 'auth.login_failed' }, 1, 1);
    assert.ok(failures.total >= 30);
  });
});
