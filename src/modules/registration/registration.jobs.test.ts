// The registration deadlines as real durable jobs: pg-boss workers running, deadlines already due (the
// workflow is played in September/October 2025), so the jobs fire on their own — the notice end advances the
// registration, a completeness check left open is flagged overdue and the authority is told.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestPlatform, type TestClient, type TestPlatform } from '../../../test/helpers.ts';
import { DEMO_PASSWORD } from '../identity/service.ts';
import { createPublishedResource } from './test-fixtures.ts';

let p: TestPlatform;
let admin: TestClient;
let provider: TestClient;

before(async () => {
  p = await startTestPlatform({}, { jobs: true });
  admin = p.client();
  await admin.login('admin', DEMO_PASSWORD);
  provider = p.client();
  await provider.login('provider', DEMO_PASSWORD);
});

after(async () => {
  await p?.close();
});

/** Polls until `check` returns a truthy value (generous limit; no timing assertions). */
async function eventually<T>(check: () => Promise<T | null | undefined | false>, what: string, limitMs = 60_000): Promise<T> {
  const end = Date.now() + limitMs;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function post(c: TestClient, url: string, body: unknown) {
  const res = await c.post(url, body);
  assert.ok(res.status === 200 || res.status === 201, `${url}: ${res.status} ${res.text}`);
  return res.body;
}

test('the notice-end job fires by itself and moves the registration to the decision stage', async () => {
  const resource = await createPublishedResource(p.ctx, 'SCJG', '个体工商户登记信息（定时任务测试）');
  p.ctx.registration.now = () => new Date('2025-09-30T10:00:00+08:00');
  const r = await post(provider, '/api/registrations', { resourceId: resource.id, comment: '申请首次登记' });
  await post(admin, `/api/registrations/${r.id}/transitions`, { to: 'accepted', comment: '受理' });
  const noticed = await post(admin, `/api/registrations/${r.id}/transitions`, { to: 'public_notice', comment: '开始公示' });
  assert.equal(noticed.noticeEndDate, '2025-10-21');
  p.ctx.registration.now = () => new Date('2025-10-22T09:00:00+08:00');

  // The notice ended on 21 October 2025: the job is due and a worker picks it up.
  const done = await eventually(async () => {
    const d = (await admin.get(`/api/registrations/${r.id}`)).body;
    return d.state === 'pending_decision' ? d : null;
  }, 'the notice-end job to advance the registration');
  const last = done.timeline.at(-1);
  assert.equal(last.actorKind, 'system');
  assert.equal(last.from, 'public_notice');
  assert.equal(done.deadlines.find((x: any) => x.kind === 'notice_end').status, 'met');
  const inbox = await admin.get('/api/notifications');
  assert.ok(inbox.body.items.some((n: any) => n.kind === 'registration.notice_ended' && n.link === `/registrations/${r.id}`));
});

test('a completeness check left open past its due time is flagged overdue by its job', async () => {
  const resource = await createPublishedResource(p.ctx, 'SCJG', '商标质押信息（定时任务测试）');
  p.ctx.registration.now = () => new Date('2025-09-26T10:00:00+08:00');
  const r = await post(provider, '/api/registrations', { resourceId: resource.id, comment: '申请首次登记' });
  p.ctx.registration.now = () => new Date('2025-10-09T10:00:00+08:00');
  const flagged = await eventually(async () => {
    const d = (await admin.get(`/api/registrations/${r.id}`)).body;
    return d.deadlines[0].overdueAt ? d : null;
  }, 'the completeness job to flag the registration overdue');
  assert.equal(flagged.overdue, true);
  assert.equal(flagged.state, 'applied', 'overdue is a flag, not a state');
  const inbox = await admin.get('/api/notifications');
  assert.ok(inbox.body.items.some((n: any) => n.kind === 'deadline.overdue' && n.link === `/registrations/${r.id}`));
});
