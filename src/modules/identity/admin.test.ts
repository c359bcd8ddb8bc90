// Admin API for organizations and users, IDOR, the demo seed.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestPlatform, type TestClient, type TestPlatform } from '../../../test/helpers.ts';
import { ROLES } from './actor.ts';
import { DEMO_ORGS, DEMO_PASSWORD } from './service.ts';
import { isValidUscc } from './uscc.ts';

let p: TestPlatform;
let admin: TestClient;
let orgs: Array<{ id: string; code: string; parentId: string | null; kind: string; creditCode: string | null }>;
const org = (code: string) => orgs.find((o) => o.code === code)!;

before(async () => {
  p = await startTestPlatform({}, { jobs: false });
  admin = p.client();
  await admin.login('admin', DEMO_PASSWORD);
  orgs = (await admin.get('/api/orgs')).body.items;
});
after(async () => {
  await p?.close();
});

describe('demo seed', () => {
  test('seeds the city, its departments with units, operator, company, public and one user per role', async () => {
    assert.equal(org('AUTH').kind, 'authority');
    for (const code of ['GA', 'SCJG', 'RS', 'WJ', 'JT', 'ZRZY', 'TJ', 'JY', 'MZ', 'ZJ']) {
      assert.equal(org(code).kind, 'department', code);
      assert.ok(
        orgs.some((o) => o.parentId === org(code).id && o.kind === 'unit'),
        `${code} has a unit`,
      );
    }
    assert.equal(org('OPER').kind, 'operator');
    assert.equal(org('COMP').kind, 'company');
    assert.equal(org('PUBLIC').kind, 'public');
    for (const o of orgs) if (o.creditCode) assert.ok(isValidUscc(o.creditCode), `${o.code} ${o.creditCode}`);
    assert.equal(orgs.length, DEMO_ORGS.length);
    const roles = new Set(p.demo!.logins.map((l) => l.role));
    for (const r of ROLES) assert.ok(roles.has(r), r);
    for (const l of p.demo!.logins) {
      const c = p.client();
      const res = await c.login(l.username, l.password);
      assert.deepEqual(res.body.user.roles, [l.role]);
    }
  });

  test('is idempotent: a second run creates nothing and returns the logins', async () => {
    const before = await p.ctx.identity.counts();
    const again = await p.ctx.identity.seedDemo();
    assert.equal(again.created, false);
    assert.equal(again.logins.length, p.demo!.logins.length);
    assert.deepEqual(await p.ctx.identity.counts(), before);
    const entries = await p.ctx.ledger.list({ action: 'org.create' }, 1, 200);
    assert.equal(entries.total, DEMO_ORGS.length);
    assert.equal(entries.items[0]!.actorKind, 'system');
  });
});

describe('organizations', () => {
  test('create, rename, move; duplicate code, bad credit code and cycles are refused', async () => {
    const created = await admin.post('/api/orgs', {
      parentId: org('GA').id,
      code: 'GA-XZ',
      nameZh: '刑侦支队',
      nameEn: 'Criminal Investigation',
      kind: 'unit',
    });
    assert.equal(created.status, 201, created.text);
    assert.equal(created.body.parentId, org('GA').id);
    const dup = await admin.post('/api/orgs', { code: 'ga-xz', nameZh: '重复', kind: 'unit' });
    assert.equal(dup.status, 409);
    assert.equal(dup.body.error.code, 'ORG_CODE_TAKEN');
    const badCode = await admin.post('/api/orgs', { code: 'BAD', nameZh: '坏代码', kind: 'company', creditCode: '91990100MA0000010X' });
    assert.equal(badCode.status, 400);
    assert.equal(badCode.body.error.code, 'CREDIT_CODE_INVALID');
    assert.equal(badCode.body.error.details.field, 'creditCode');
    const unknownParent = await admin.post('/api/orgs', {
      parentId: '00000000-0000-4000-8000-000000000000',
      code: 'ORPHAN',
      nameZh: '孤儿',
      kind: 'unit',
    });
    assert.equal(unknownParent.status, 400);
    assert.equal(unknownParent.body.error.code, 'ORG_UNKNOWN');
    assert.equal(unknownParent.body.error.details.field, 'parentId');

    const renamed = await admin.patch(`/api/orgs/${created.body.id}`, { nameZh: '刑事侦查支队' });
    assert.equal(renamed.body.nameZh, '刑事侦查支队');
    const cycle = await admin.patch(`/api/orgs/${org('GA').id}`, { parentId: created.body.id });
    assert.equal(cycle.status, 409);
    assert.equal(cycle.body.error.code, 'ORG_CYCLE');
    const self = await admin.patch(`/api/orgs/${org('GA').id}`, { parentId: org('GA').id });
    assert.equal(self.body.error.code, 'ORG_CYCLE');
    const moved = await admin.patch(`/api/orgs/${created.body.id}`, { parentId: org('SCJG').id });
    assert.equal(moved.status, 200);
    assert.equal(moved.body.parentId, org('SCJG').id);
    const entries = await p.ctx.ledger.list({ objectId: created.body.id }, 1, 10);
    assert.deepEqual(entries.items.map((e) => e.action).sort(), ['org.create', 'org.move', 'org.update']);
  });

  test('only the authority admin changes organizations; everyone signed in reads them', async () => {
    const clerk = p.client();
    await clerk.login('provider', DEMO_PASSWORD);
    assert.equal((await clerk.get('/api/orgs')).status, 200);
    const res = await clerk.post('/api/orgs', { code: 'NOPE', nameZh: '不行', kind: 'unit' });
    assert.equal(res.status, 403);
    assert.deepEqual(res.body.error.details, { action: 'org.create' });
    assert.equal((await p.client().get('/api/orgs')).status, 401);
  });
});

describe('users', () => {
  test('admin creates a user; duplicate username and unknown org are named', async () => {
    const res = await admin.post('/api/users', {
      username: 'zhangwei',
      displayName: '张伟',
      orgId: org('GA-RK').id,
      roles: ['provider_clerk'],
      password: 'Zhang#Wei2024',
    });
    assert.equal(res.status, 201, res.text);
    assert.equal(res.body.org.id, org('GA-RK').id);
    assert.equal(res.body.status, 'active');
    const dup = await admin.post('/api/users', {
      username: 'ZhangWei',
      displayName: '张伟2',
      orgId: org('GA').id,
      roles: ['provider_clerk'],
      password: 'Zhang#Wei2024',
    });
    assert.equal(dup.status, 409);
    assert.equal(dup.body.error.code, 'USERNAME_TAKEN');
    assert.equal(dup.body.error.details.field, 'username');
    const noOrg = await admin.post('/api/users', {
      username: 'lina',
      displayName: '李娜',
      orgId: '00000000-0000-4000-8000-000000000000',
      roles: ['auditor'],
      password: 'Li#Na-2024x',
    });
    assert.equal(noOrg.status, 400);
    assert.equal(noOrg.body.error.code, 'ORG_UNKNOWN');
    assert.equal(noOrg.body.error.details.field, 'orgId');
    const badRole = await admin.post('/api/users', {
      username: 'lina',
      displayName: '李娜',
      orgId: org('GA').id,
      roles: ['king'],
      password: 'Li#Na-2024x',
    });
    assert.equal(badRole.status, 400);
    const entries = await p.ctx.ledger.list({ action: 'user.create', objectId: res.body.id }, 1, 10);
    assert.equal(entries.total, 1);
    assert.equal(entries.items[0]!.details.username, 'zhangwei');
    assert.ok(!JSON.stringify(entries.items[0]).includes('Zhang#Wei2024'));
  });

  test('list filters by text, org subtree, role and status, with paging', async () => {
    const byOrg = await admin.get(`/api/users?orgId=${org('GA').id}`);
    assert.ok(
      byOrg.body.items.some((u: { username: string }) => u.username === 'zhangwei'),
      'sub-unit users are included',
    );
    const byText = await admin.get('/api/users?q=' + encodeURIComponent('张'));
    assert.deepEqual(
      byText.body.items.map((u: { username: string }) => u.username),
      ['zhangwei'],
    );
    const byRole = await admin.get('/api/users?role=auditor');
    assert.deepEqual(
      byRole.body.items.map((u: { username: string }) => u.username),
      ['auditor'],
    );
    const page = await admin.get('/api/users?page=2&pageSize=3');
    assert.equal(page.body.items.length, 3);
    assert.ok(page.body.total >= 9);
    const bad = await admin.get('/api/users?pageSize=1000');
    assert.equal(bad.status, 400);
  });

  test('IDOR: a clerk reads only themself; auditor and security officer read all but change nothing', async () => {
    const clerk = p.client();
    const me = (await clerk.login('provider', DEMO_PASSWORD)).body.user;
    assert.equal((await clerk.get(`/api/users/${me.id}`)).status, 200);
    const other = (await admin.get('/api/users?q=consumer')).body.items[0];
    const idor = await clerk.get(`/api/users/${other.id}`);
    assert.equal(idor.status, 403);
    assert.equal(idor.body.error.code, 'FORBIDDEN');
    assert.equal((await clerk.get('/api/users/00000000-0000-4000-8000-000000000000')).status, 403, 'no probing for ids');
    assert.equal((await clerk.get('/api/users')).status, 403);
    assert.equal((await clerk.patch(`/api/users/${me.id}`, { roles: ['authority_admin'] })).status, 403, 'no self-promotion');

    for (const who of ['auditor', 'security']) {
      const c = p.client();
      await c.login(who, DEMO_PASSWORD);
      assert.equal((await c.get('/api/users')).status, 200, who);
      assert.equal((await c.get(`/api/users/${other.id}`)).status, 200, who);
      assert.equal((await c.post(`/api/users/${other.id}/disable`)).status, 403, who);
    }
  });

  test('disable ends the sessions and refuses login; enable restores it', async () => {
    const target = (await admin.get('/api/users?q=zhangwei')).body.items[0];
    const victim = p.client();
    await victim.login('zhangwei', 'Zhang#Wei2024');
    const disabled = await admin.post(`/api/users/${target.id}/disable`);
    assert.equal(disabled.status, 200);
    assert.equal(disabled.body.status, 'disabled');
    assert.equal((await victim.get('/api/auth/me')).status, 401);
    const login = await p.client().post('/api/auth/login', { username: 'zhangwei', password: 'Zhang#Wei2024' });
    assert.equal(login.status, 403);
    assert.equal(login.body.error.code, 'AUTH_USER_DISABLED');
    const wrongPw = await p.client().post('/api/auth/login', { username: 'zhangwei', password: 'Wrong#Pass99' });
    assert.equal(wrongPw.body.error.code, 'AUTH_INVALID_CREDENTIALS', 'disabled state only shown with the right password');
    const enabled = await admin.post(`/api/users/${target.id}/enable`);
    assert.equal(enabled.body.status, 'active');
    await p.client().login('zhangwei', 'Zhang#Wei2024');
    const actions = (await p.ctx.ledger.list({ objectId: target.id }, 1, 50)).items.map((e) => e.action);
    for (const a of ['user.create', 'user.disable', 'user.enable', 'auth.login']) assert.ok(actions.includes(a), a);
  });

  test('role and org changes apply to live sessions; reset-password ends sessions', async () => {
    const target = (await admin.get('/api/users?q=zhangwei')).body.items[0];
    const c = p.client();
    await c.login('zhangwei', 'Zhang#Wei2024');
    assert.equal((await c.get('/api/users')).status, 403);
    const upd = await admin.patch(`/api/users/${target.id}`, { roles: ['auditor'], orgId: org('SJ').id, displayName: '张伟（审计）' });
    assert.equal(upd.status, 200);
    assert.deepEqual(upd.body.roles, ['auditor']);
    assert.equal(upd.body.org.id, org('SJ').id);
    assert.equal((await c.get('/api/users')).status, 200);
    const me = await c.get('/api/auth/me');
    assert.equal(me.body.org.code, 'SJ');
    const reset = await admin.post(`/api/users/${target.id}/reset-password`, { password: 'Brand#New2024' });
    assert.equal(reset.status, 200);
    assert.equal((await c.get('/api/auth/me')).status, 401);
    await p.client().login('zhangwei', 'Brand#New2024');
  });

  test('the last authority admin cannot be disabled or demoted, nor can admins disable themselves', async () => {
    const me = (await admin.get('/api/auth/me')).body;
    const self = await admin.post(`/api/users/${me.id}/disable`);
    assert.equal(self.status, 409);
    assert.equal(self.body.error.code, 'CANNOT_DISABLE_SELF');
    const demote = await admin.patch(`/api/users/${me.id}`, { roles: ['auditor'] });
    assert.equal(demote.status, 409);
    assert.equal(demote.body.error.code, 'LAST_ADMIN');
  });

  test('createUser accepts an org code (CLI) and names the field when it is unknown', async () => {
    const { SYSTEM } = await import('./actor.ts');
    const r = await p.ctx.identity.createUser(SYSTEM, {
      username: 'cliuser',
      password: 'Cli#User-2024',
      displayName: 'CLI',
      orgCode: 'jt',
      roles: ['consumer_clerk'],
    });
    assert.ok(r.id);
    await assert.rejects(
      p.ctx.identity.createUser(SYSTEM, {
        username: 'cliuser2',
        password: 'Cli#User-2024',
        displayName: 'CLI',
        orgCode: 'NOPE',
        roles: ['consumer_clerk'],
      }),
      (e: { code: string; details: { field: string } }) => e.code === 'ORG_UNKNOWN' && e.details.field === 'orgCode',
    );
    const counts = await p.ctx.identity.counts();
    assert.equal(counts.organizations, orgs.length + 1);
    assert.ok(counts.users >= 10 && counts.activeUsers <= counts.users);
  });
});
