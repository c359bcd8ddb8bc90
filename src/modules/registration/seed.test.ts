// The demo registrations: every workflow state present over the demo catalog, consistent deadlines, public
// notices and certificates, and a second run that does nothing.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestPlatform, type TestPlatform } from '../../../test/helpers.ts';
import { SYSTEM } from '../identity/actor.ts';
import { DEMO_PASSWORD } from '../identity/service.ts';
import { seedRegistrationDemo } from './seed.ts';
import { STATES } from './workflow.ts';

let p: TestPlatform;
before(async () => {
  p = await startTestPlatform({}, { jobs: true });
});
after(async () => {
  await p?.close();
});

test('seeds registrations in every state once, through the real workflow', async () => {
  // The platform's start already ran the demo seed (src/seed.ts); a second run does nothing.
  assert.deepEqual(await seedRegistrationDemo(p.ctx), { created: false, registrations: 0 });
  const total = (
    await p.ctx.db
      .selectFrom('registrations')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow()
  ).n;
  assert.ok(Number(total) >= 10, `registrations: ${total}`);

  const admin = p.client();
  await admin.login('admin', DEMO_PASSWORD);
  const dash = (await admin.get('/api/registrations/dashboard')).body;
  for (const s of STATES) assert.ok(dash.byState[s] >= 1, `a registration in state ${s}: ${JSON.stringify(dash.byState)}`);
  assert.ok(dash.overdueCount >= 1, 'one completeness check is overdue');
  assert.ok(dash.dueSoonCount >= 1, 'one deadline is due soon');

  const notices = (await p.client().get('/api/registrations/notices')).body.items;
  assert.ok(notices.length >= 2);
  const all = (await admin.get('/api/registrations?state=approved')).body.items;
  assert.ok(all.length >= 2);
  const detail = (await admin.get(`/api/registrations/${all[0].id}`)).body;
  assert.ok(detail.certificate);
  const lookup = await p.client().get(`/api/registrations/certificates/lookup?number=${detail.certificate.number}`);
  assert.equal(lookup.status, 200);

  // The demo provider sees its department's applications and can act on them.
  const provider = p.client();
  await provider.login('provider', DEMO_PASSWORD);
  const mine = (await provider.get('/api/registrations?scope=mine')).body;
  assert.ok(mine.total >= 5, `the demo provider's applications: ${mine.total}`);
  const returned = (await provider.get('/api/registrations?state=returned_incomplete')).body.items;
  if (returned.length) {
    const d = (await provider.get(`/api/registrations/${returned[0].id}`)).body;
    assert.ok(d.allowedTransitions.some((t: any) => t.to === 'applied'));
  }
  // Nothing in the registrations contradicts the workflow: timelines start with the application.
  const every = await p.ctx.registration.list(SYSTEM, { pageSize: 100 });
  for (const r of every.items) {
    const d = await p.ctx.registration.get(SYSTEM, r.id);
    assert.equal(d.timeline[0]!.to, 'applied');
    assert.equal(d.timeline.at(-1)!.to, d.state);
  }
});
