// WorkflowSettings (the figures of sharing, open applications and feedback): two changes of the same figure at
// once are serialized, so the ledger tells the history right (the second change's "from" is the first's "to").
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { sql } from 'kysely';
import pg from 'pg';
import { startTestPlatform, type TestClient, type TestPlatform } from '../../../test/helpers.ts';
import { DEMO_PASSWORD } from '../identity/service.ts';

let p: TestPlatform;
let admin: TestClient;

before(async () => {
  p = await startTestPlatform();
  admin = p.client();
  await admin.login('admin', DEMO_PASSWORD);
});
after(async () => p?.close());

test('two changes of one figure at once: each recorded from the value the other left', async () => {
  const key = 'compliance_days';
  const start = (await admin.get('/api/sharing/settings')).body.items.find((x: { key: string }) => x.key === key).value as number;
  // Another transaction holds the row; both changes arrive while it does, then it ends.
  const holder = new pg.Client({ connectionString: p.testDb.url });
  await holder.connect();
  try {
    await holder.query('begin');
    await holder.query('select * from sharing_settings where key = $1 for update', [key]);
    const first = admin.put(`/api/sharing/settings/${key}`, { value: start + 1 });
    const second = admin.put(`/api/sharing/settings/${key}`, { value: start + 2 });
    // Both requests are waiting on the row lock before it is released.
    const deadline = Date.now() + 30_000;
    for (let waiting = 0; waiting < 2;) {
      if (Date.now() > deadline) throw new Error('the two changes never waited on the row lock');
      await new Promise((r) => setTimeout(r, 50));
      const r = await holder.query(
        `select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock' and query ilike '%sharing_settings%'`,
      );
      waiting = r.rows[0].n;
    }
    await holder.query('commit');
    const answers = await Promise.all([first, second]);
    for (const a of answers) assert.equal(a.status, 200, a.text);
  } finally {
    await holder.end();
  }
  const { rows } = await sql<{
    details: { from: number; to: number };
  }>`select details from ledger_entries where action = 'sharing.settings.update' and details->>'key' = ${key} order by seq`.execute(
    p.ctx.db,
  );
  const steps = rows.map((r: { details: { from: number; to: number } }) => [r.details.from, r.details.to]);
  assert.equal(steps.length, 2);
  assert.equal(steps[0]![0], start, 'the first change starts from the value before both');
  assert.equal(steps[1]![0], steps[0]![1], 'the second change starts from what the first left');
});
