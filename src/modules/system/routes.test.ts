import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { startTestPlatform, type TestPlatform } from '../../../test/helpers.ts';
import { DEMO_PASSWORD } from '../identity/service.ts';

let p: TestPlatform;
before(async () => {
  p = await startTestPlatform({}, { jobs: false });
});
after(async () => {
  await p.close();
});

test('GET /api/stats needs a login', async () => {
  const res = await p.client().get('/api/stats');
  assert.equal(res.status, 401);
  assert.equal(res.body.error.code, 'UNAUTHENTICATED');
});

test('GET /api/stats counts the demo world, and counts the login in the ledger', async () => {
  const c = p.client();
  const before = await (async () => {
    await c.login('admin', DEMO_PASSWORD);
    return (await c.get('/api/stats')).body;
  })();
  const res = await c.get('/api/stats');
  assert.equal(res.headers.get('cache-control'), 'no-store', 'personal API answers are never cached');
  assert.equal(res.headers.get('x-ratelimit-remaining'), null, 'rate-limit headers only on a 429');
  assert.ok(before.organizations >= 14, `organizations: ${before.organizations}`);
  assert.ok(before.users >= 8, `users: ${before.users}`);
  assert.equal(before.activeUsers, before.users);
  assert.ok(before.ledgerEntries > 0);
  assert.ok(before.unreadNotifications >= 1, 'the demo seed greets every demo user in the inbox');
  // The data plane and sharing of the demo world: four datasets with rows, grants, requests in each state.
  assert.equal(before.datasets, 4);
  const rows = await sql<{ n: string }>`
    select sum(v.row_count) as n from datasets d join dataset_versions v on v.dataset_id = d.id and v.version = d.current_version`.execute(
    p.ctx.db,
  );
  assert.equal(before.datasetRows, Number(rows.rows[0]!.n));
  assert.ok(before.datasetRows > 3000);
  assert.ok(before.activeGrants >= 1, `activeGrants: ${before.activeGrants}`);
  assert.ok(before.openRequests >= 1, `openRequests: ${before.openRequests}`);
  assert.ok(before.overdueRequests <= before.openRequests);
  assert.equal(typeof before.gatewayCallsToday, 'number');
  const c2 = p.client();
  await c2.login('auditor', DEMO_PASSWORD);
  const afterLogin = (await c.get('/api/stats')).body;
  assert.equal(afterLogin.ledgerEntries, before.ledgerEntries + 1, 'the second login is one more ledger entry');
});
