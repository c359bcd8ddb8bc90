// The demo catalog: every demo department has 10–30 resources across the base libraries and its domain,
// realistic fields, several lifecycle states, grades consistent with the policy; seeding twice changes
// nothing. Also checks, on this larger data set, that the SQL visibility rule and the row predicate agree.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestPlatform, type TestClient, type TestPlatform } from '../../../test/helpers.ts';
import type { Actor } from '../identity/actor.ts';
import { checkPolicy } from './grading.ts';
import { seedCatalogDemo } from './seed.ts';
import { CODE_PATTERN } from './service.ts';
import { catalogFingerprint, gaClerk, login } from './testkit.ts';
import { catalogVisibility, isVisible, visibleSql } from './visibility.ts';

let p: TestPlatform;
let admin: TestClient;
let all: any[];

before(async () => {
  p = await startTestPlatform();
  // The platform's demo seed may already have run it (src/seed.ts); either way the catalog is there now.
  await seedCatalogDemo(p.ctx);
  admin = await login(p, 'admin');
  all = (await admin.get('/api/catalog/resources?pageSize=200')).body.items;
});
after(async () => {
  await p?.close();
});

test('seeding is idempotent', async () => {
  const before = await catalogFingerprint(p);
  const again = await seedCatalogDemo(p.ctx);
  assert.deepEqual(again, { created: false, resources: 0 });
  assert.deepEqual(await catalogFingerprint(p), before);
});

test('every demo department has 10–30 resources in several states, base libraries and domains', async () => {
  assert.ok(all.length >= 100, `${all.length} resources`);
  const byDept = new Map<string, any[]>();
  for (const r of all) {
    const dept = r.providerOrg.code.split('-')[0];
    byDept.set(dept, [...(byDept.get(dept) ?? []), r]);
  }
  for (const code of ['GA', 'SCJG', 'RS', 'WJ', 'JT', 'ZRZY', 'TJ', 'JY', 'MZ', 'ZJ']) {
    const list = byDept.get(code) ?? [];
    assert.ok(list.length >= 10 && list.length <= 30, `${code}: ${list.length}`);
    const states = new Set(list.map((r) => r.state));
    assert.ok(states.has('published') && states.size >= 5, `${code}: ${[...states]}`);
  }
  const subjects = new Set(all.map((r) => r.subjectCategory));
  for (const c of ['RK', 'FR', 'ZRKJ', 'DZZZ', 'SHXY', 'HGJJ']) assert.ok(subjects.has(c), c);
  const states = new Set(all.map((r) => r.state));
  for (const s of ['draft', 'submitted', 'returned', 'approved', 'published', 'updated:draft', 'updated:submitted', 'deprecated'])
    assert.ok(states.has(s), s);
  const grades = new Set(all.map((r) => r.grade));
  assert.deepEqual([...grades].sort(), ['core', 'general', 'important']);
  const codes = new Set(all.map((r) => r.code));
  assert.equal(codes.size, all.length);
  assert.ok(all.every((r) => CODE_PATTERN.test(r.code) && r.code.startsWith(`${r.subjectCategory}-${r.providerOrg.code}-`)));
  assert.ok(all.every((r) => r.fieldCount >= 4 && r.fieldCount <= 12));
  assert.ok(all.some((r) => r.currentVersion === 2));
});

test('demo resources are complete and consistent with the grade policy', async () => {
  const policy = await p.ctx.catalog.repo.listPolicy(p.ctx.db);
  for (const s of all.filter((_, i) => i % 7 === 0)) {
    const r = (await admin.get(`/api/catalog/resources/${s.id}`)).body;
    assert.ok(r.nameZh && r.nameEn && r.abstractZh && r.abstractEn && r.keywords.length >= 2, r.code);
    checkPolicy(policy, 'resource', { grade: r.grade, level: r.gradeLevel }, r);
    r.fields.forEach((f: any) => checkPolicy(policy, 'field', { grade: f.grade, level: f.gradeLevel }, f));
    if (r.fields.some((f: any) => f.piiKind === 'id_number')) {
      assert.equal(r.openMode, 'none', `${r.code} holds ID numbers`);
    }
    if (r.status === 'updated') assert.ok(r.pending, r.code);
    if (r.currentVersion > 0) {
      const v = (await admin.get(`/api/catalog/resources/${s.id}/versions`)).body.items;
      assert.equal(v.length, r.currentVersion, r.code);
    }
    if (r.status !== 'draft') assert.ok(r.events.length >= 1, r.code);
  }
  const ts = await admin.get(`/api/catalog/resources/${all[0].id}/table-schema`);
  assert.equal(ts.status, 200);
});

test('the SQL visibility rule and the row predicate agree for every demo role', async () => {
  const ga = await gaClerk(p);
  const clients: Array<[string, TestClient]> = [
    ['admin', admin],
    ['provider', await login(p, 'provider')],
    ['consumer', await login(p, 'consumer')],
    ['public', await login(p, 'public')],
    ['auditor', await login(p, 'auditor')],
    ['ga_clerk', ga],
    ['anonymous', p.client()],
  ];
  const rows = await p.ctx.db.selectFrom('catalog_resources').select(['id', 'status', 'open_mode', 'provider_org_id']).execute();
  for (const [name, c] of clients) {
    const seen = new Set((await c.get('/api/catalog/resources?pageSize=200')).body.items.map((r: any) => r.id));
    const me = name === 'anonymous' ? null : (await c.get('/api/auth/me')).body;
    const actor: Actor = me
      ? {
          kind: 'user',
          userId: me.id,
          username: me.username,
          displayName: me.displayName,
          orgId: me.org.id,
          orgPath: await p.ctx.authz.orgs.path(me.org.id),
          roles: me.roles,
        }
      : { kind: 'anonymous', userId: null, username: null, displayName: null, orgId: null, orgPath: [], roles: [] };
    const v = await catalogVisibility(p.ctx.authz, actor);
    const expected = new Set(rows.filter((r) => isVisible(v, r)).map((r) => r.id));
    assert.deepEqual([...seen].sort(), [...expected].sort(), name);
    const viaSql = await p.ctx.db.selectFrom('catalog_resources as r').select('r.id').where(visibleSql(v, 'r')).execute();
    assert.equal(viaSql.length, expected.size, name);
    if (name === 'public' || name === 'anonymous') {
      assert.ok(
        rows.filter((r) => seen.has(r.id)).every((r) => ['published', 'updated'].includes(r.status) && r.open_mode !== 'none'),
        name,
      );
    }
  }
});
