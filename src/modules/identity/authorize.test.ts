// authorize(): the role matrix, scopes, plugins; plus the password policy and credit-code helpers.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { createTestDatabase, type TestDatabase } from '../../../test/helpers.ts';
import { openDatabase, type Database } from '../../db/database.ts';
import { loadConfig } from '../../config.ts';
import { REDACT_PATHS } from '../../log.ts';
import { startPlatform } from '../../server.ts';
import { AppError } from '../../errors.ts';
import { ANONYMOUS, SYSTEM, type Actor, type Role } from './actor.ts';
import { Authorizer, matchAction } from './authorize.ts';
import { IdentityRepository } from './repository.ts';
import { checkPasswordPolicy, hashPassword, verifyPassword } from './passwords.ts';
import { isValidUscc, makeUscc } from './uscc.ts';
import { signRequest, stringToSign } from './apikeys.ts';

let tdb: TestDatabase;
let database: Database;
let authz: Authorizer;
const ids: Record<string, string> = {};

before(async () => {
  tdb = await createTestDatabase();
  database = openDatabase(tdb.url);
  const repo = new IdentityRepository();
  const add = async (code: string, parent: string | null) => {
    ids[code] = (
      await repo.insertOrg(database.db, {
        parentId: parent ? ids[parent]! : null,
        code,
        nameZh: code,
        nameEn: code,
        kind: parent ? 'unit' : 'department',
        creditCode: null,
      })
    ).id;
  };
  await add('GA', null);
  await add('GA-RK', 'GA');
  await add('GA-RK-1', 'GA-RK');
  await add('SCJG', null);
  authz = new Authorizer(database.db);
});
after(async () => {
  await database?.close();
  await tdb?.drop();
});

const user = (roles: Role[], org = 'GA', userId = 'u-1', kind: Actor['kind'] = 'user'): Actor => ({
  kind,
  userId,
  username: 'x',
  displayName: 'x',
  orgId: ids[org]!,
  orgPath: [],
  roles,
});

async function decision(
  actor: Actor,
  action: string,
  object: Parameters<Authorizer['authorize']>[2] = { type: 'x' },
): Promise<'allow' | number> {
  try {
    await authz.authorize(actor, action, object);
    return 'allow';
  } catch (e) {
    assert.ok(e instanceof AppError);
    if (e.status === 403) assert.deepEqual(e.details, { action });
    return e.status;
  }
}

describe('authorize matrix', () => {
  test('action patterns', () => {
    assert.ok(matchAction('*', 'user.read'));
    assert.ok(matchAction('user.*', 'user.read'));
    assert.ok(!matchAction('user.*', 'username.read'));
    assert.ok(matchAction('*.read', 'ledger.read'));
    assert.ok(!matchAction('*.read', 'ledger.readonly'));
    assert.ok(!matchAction('user.read', 'user.update'));
  });

  test('anonymous: 401 for everything but logging in', async () => {
    assert.equal(await decision(ANONYMOUS, 'auth.login'), 'allow');
    assert.equal(await decision(ANONYMOUS, 'user.read', { type: 'user', userId: null }), 401);
    assert.equal(await decision(ANONYMOUS, 'org.read'), 401);
  });

  test('SYSTEM is allowed everything', async () => {
    assert.equal(await decision(SYSTEM, 'user.create', { type: 'user', orgId: ids.GA }), 'allow');
  });

  const table: Array<[Role, string, 'allow' | number]> = [
    ['authority_admin', 'user.create', 'allow'],
    ['authority_admin', 'org.update', 'allow'],
    ['authority_admin', 'ledger.export', 'allow'],
    ['auditor', 'user.read', 'allow'],
    ['auditor', 'ledger.read', 'allow'],
    ['auditor', 'ledger.export', 'allow'],
    ['auditor', 'ledger.verify', 'allow'],
    ['auditor', 'user.create', 403],
    ['auditor', 'org.update', 403],
    ['security_officer', 'ledger.read', 'allow'],
    ['security_officer', 'user.read', 'allow'],
    ['security_officer', 'security.incident.create', 'allow'],
    ['security_officer', 'ledger.export', 403],
    ['security_officer', 'user.disable', 403],
    ['provider_clerk', 'org.read', 'allow'],
    ['provider_clerk', 'stats.read', 'allow'],
    ['provider_clerk', 'user.read', 403],
    ['provider_clerk', 'ledger.read', 403],
    ['consumer_clerk', 'user.create', 403],
    ['operator', 'user.read', 403],
    ['public_user', 'org.create', 403],
  ];
  for (const [role, action, want] of table) {
    test(`${role} ${action} on someone else's object → ${want}`, async () => {
      assert.equal(await decision(user([role]), action, { type: 'x', userId: 'someone-else', orgId: ids.SCJG }), want);
    });
  }

  test("self scope: every user reads themself and manages their own keys and notifications, not others'", async () => {
    for (const role of ['provider_clerk', 'public_user', 'operator'] as Role[]) {
      const a = user([role]);
      assert.equal(await decision(a, 'user.read', { type: 'user', userId: 'u-1' }), 'allow');
      assert.equal(await decision(a, 'user.read', { type: 'user', userId: 'u-2' }), 403);
      assert.equal(await decision(a, 'api_key.revoke', { type: 'api_key', userId: 'u-1' }), 'allow');
      assert.equal(await decision(a, 'api_key.revoke', { type: 'api_key', userId: 'u-2' }), 403);
      assert.equal(await decision(a, 'notification.read', { type: 'notification', userId: 'u-1' }), 'allow');
      assert.equal(await decision(a, 'notification.read', { type: 'notification', userId: 'u-2' }), 403);
      assert.equal(await decision(a, 'user.read', { type: 'user', userId: null }), 403, 'no userId is not self');
    }
  });

  test('machine clients may not manage credentials', async () => {
    assert.equal(
      await decision(user(['authority_admin'], 'GA', 'u-1', 'api_key'), 'api_key.create', { type: 'api_key', userId: 'u-1' }),
      403,
    );
    assert.equal(
      await decision(user(['authority_admin'], 'GA', 'u-1', 'api_key'), 'user.change_password', { type: 'user', userId: 'u-1' }),
      403,
    );
    assert.equal(await decision(user(['authority_admin'], 'GA', 'u-1', 'api_key'), 'user.read', { type: 'user', userId: 'u-9' }), 'allow');
  });

  test('org_subtree scope: own organization and everything below it, not siblings or parents', async () => {
    const a = new Authorizer(database.db).allow('provider_clerk', 'catalog.resource.update', 'org_subtree');
    const clerk = user(['provider_clerk'], 'GA-RK');
    const at = async (org: string) => a.can(clerk, 'catalog.resource.update', { type: 'resource', orgId: ids[org] });
    assert.equal(await at('GA-RK'), true);
    assert.equal(await at('GA-RK-1'), true);
    assert.equal(await at('GA'), false);
    assert.equal(await at('SCJG'), false);
    assert.equal(await a.can(clerk, 'catalog.resource.update', { type: 'resource' }), false);
  });

  test('plugins: allow grants beyond roles, deny wins over roles and other plugins', async () => {
    const a = new Authorizer(database.db);
    a.use((actor, action, object) => (action === 'sharing.data.read' && object.id === 'granted' ? 'allow' : undefined));
    a.use((_actor, _action, object) => (object.id === 'revoked' || object.id === 'frozen' ? 'deny' : undefined));
    a.use((_actor, _action, object) => (object.id === 'frozen' ? 'allow' : undefined));
    const clerk = user(['consumer_clerk']);
    assert.equal(await a.can(clerk, 'sharing.data.read', { type: 'resource', id: 'granted' }), true);
    assert.equal(await a.can(clerk, 'sharing.data.read', { type: 'resource', id: 'other' }), false);
    assert.equal(await a.can(user(['authority_admin']), 'org.update', { type: 'org', id: 'revoked' }), false);
    assert.equal(await a.can(clerk, 'org.read', { type: 'org', id: 'frozen' }), false);
    await assert.rejects(a.authorize(clerk, 'org.read', { type: 'org', id: 'frozen' }), (e: AppError) => e.status === 403);
  });
});

describe('passwords and codes', () => {
  test('scrypt hashes verify, carry their parameters and differ per salt', async () => {
    const h1 = await hashPassword('Correct#Horse1');
    const h2 = await hashPassword('Correct#Horse1');
    assert.match(h1, /^scrypt\$32768\$8\$1\$/);
    assert.notEqual(h1, h2);
    assert.equal(await verifyPassword('Correct#Horse1', h1), true);
    assert.equal(await verifyPassword('Correct#Horse2', h1), false);
    assert.equal(await verifyPassword('x', 'garbage'), false);
  });

  test('password policy rules', () => {
    assert.deepEqual(checkPasswordPolicy('Shuyuan@2024', 'admin'), []);
    assert.deepEqual(checkPasswordPolicy('abc', 'admin'), ['min_length', 'char_classes']);
    assert.deepEqual(checkPasswordPolicy('alllowercase1', 'admin'), ['char_classes']);
    assert.deepEqual(checkPasswordPolicy('lowercase#123', 'admin'), []);
    assert.deepEqual(checkPasswordPolicy('Admin#12345', 'admin'), ['contains_username']);
    assert.deepEqual(checkPasswordPolicy('密码Abc123456', 'admin'), []);
  });

  test('unified social credit codes: GB 32100 and GB 11714 check characters', () => {
    assert.equal(isValidUscc('91350100M000100Y43'), true); // a published sample code
    assert.equal(isValidUscc('91350100M000100Y44'), false);
    const made = makeUscc('91', '990100', 'MA000001');
    assert.equal(made.length, 18);
    assert.equal(isValidUscc(made), true);
    assert.equal(isValidUscc(made.slice(0, 16) + (made[16] === '1' ? '2' : '1') + made[17]), false);
  });

  test('signRequest signs method, path with query, timestamp, nonce and the body hash', () => {
    const h = signRequest({
      appKey: 'ak',
      appSecret: 'sk',
      method: 'post',
      path: '/api/x?a=1',
      body: '{}',
      timestamp: 1700000000,
      nonce: 'n'.repeat(16),
    });
    assert.equal(h['x-shuyuan-timestamp'], '1700000000');
    assert.equal(
      stringToSign('POST', '/api/x?a=1', '1700000000', 'n'.repeat(16), '{}'),
      'POST\n/api/x?a=1\n1700000000\nnnnnnnnnnnnnnnnn\n44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a',
    );
    assert.match(h['x-shuyuan-signature']!, /^[0-9a-f]{64}$/);
  });
});

describe('logs', () => {
  test('no log line contains a password, even at trace level', async () => {
    const lines: string[] = [];
    const stream = new Writable({
      write(chunk, _enc, cb) {
        lines.push(String(chunk));
        cb();
      },
    });
    const log = pino({ level: 'trace', redact: { paths: REDACT_PATHS, censor: '[redacted]' } }, stream);
    const db = await createTestDatabase(false);
    const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'shuyuan-logtest-'));
    const config = loadConfig({}, { databaseUrl: db.url, dataDir, port: 0, host: '127.0.0.1', logLevel: 'trace' });
    const platform = await startPlatform(config, { log, jobs: false });
    try {
      const secret = 'Very#Secret-Passw0rd';
      const base = platform.url;
      const post = (url: string, body: unknown, headers: Record<string, string> = {}) =>
        fetch(base + url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
      await post('/api/auth/login', { username: 'admin', password: secret });
      await post('/api/auth/login', { username: 'nobody', password: secret });
      const ok = await post('/api/auth/login', { username: 'admin', password: 'Shuyuan@2024' });
      const cookie = ok.headers
        .getSetCookie()
        .map((c) => c.split(';')[0])
        .join('; ');
      const csrf = /sy_csrf=([^;]+)/.exec(cookie)![1]!;
      await post(
        '/api/users',
        { username: 'logged', displayName: 'L', orgId: 'not-a-uuid', roles: ['auditor'], password: secret },
        { cookie, 'x-csrf-token': csrf },
      );
      await post('/api/auth/password', { currentPassword: 'Shuyuan@2024', newPassword: 'x' + secret }, { cookie, 'x-csrf-token': csrf });
      assert.ok(lines.length > 5, 'logs were captured');
      const all = lines.join('');
      assert.ok(!all.includes(secret), 'the password never reaches the log');
      assert.ok(!all.includes('Shuyuan@2024'));
      assert.ok(!all.includes(csrf), 'nor the CSRF token');
      assert.ok(!all.includes(/sy_session=([^;]+)/.exec(cookie)![1]!), 'nor the session token');
    } finally {
      await platform.stop();
      await db.drop();
      await fs.rm(dataDir, { recursive: true, force: true });
    }
  });
});
