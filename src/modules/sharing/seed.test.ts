// The demo sharing requests: every state the demo needs is there after the seed, the demo consumer holds a grant
// it can read through, and a second run adds nothing.
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { startTestPlatform, type TestPlatform } from '../../../test/helpers.ts';
import { DEMO_PASSWORD } from '../identity/service.ts';
import { seedSharingDemo } from './seed.ts';

let p: TestPlatform;
before(async () => {
  p = await startTestPlatform({}, { jobs: false });
});
after(async () => {
  await p?.ctx.jobs.stop();
  await p?.close();
});

it('seeds requests in each state the pages show, with grants that work, once', async () => {
  const admin = p.client();
  await admin.login('admin', DEMO_PASSWORD);
  const all = (await admin.get('/api/sharing/requests?pageSize=100')).body;
  const states = all.items.map((r: { state: string }) => r.state).sort();
  assert.deepEqual(states, ['approved', 'approved', 'compliance_review', 'coordination', 'rejected']);
  const stats = (await admin.get('/api/sharing/stats')).body;
  assert.equal(stats.escalated, 1);
  assert.equal(stats.approvalRate, 2 / 3);
  assert.ok(stats.medianAnswerWorkingDays >= 1);

  // The demo consumer (人社局) holds the grant on 市场主体登记信息 and reads its granted fields.
  const consumer = p.client();
  await consumer.login('consumer', DEMO_PASSWORD);
  const mine = (await consumer.get('/api/sharing/requests?box=mine')).body.items;
  const granted = mine.find((r: { state: string; resource: { nameZh: string } }) => r.state === 'approved');
  assert.equal(granted.resource.nameZh, '市场主体登记信息');
  const ds = (await consumer.get(`/api/datasets/by-resource/${granted.resource.id}`)).body;
  const read = await consumer.get(`/api/datasets/${ds.id}/preview?limit=2`);
  assert.equal(read.status, 200, read.text);
  assert.equal(read.body.basis, 'entitlement');
  // Granted fields on an unconditionally shared resource: the grant adds to what sharing gives, never less.
  assert.ok(read.body.columns.length > 4, JSON.stringify(read.body.columns));

  assert.deepEqual(await seedSharingDemo(p.ctx), { created: false, requests: 0 });
});
