// Durable jobs on pg-boss: handlers run, failures are retried, singletons, transactional enqueue, and a
// deadline that falls due while no process runs still fires after the restart.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { loadConfig, type Config } from '../../config.ts';
import { createLogger } from '../../log.ts';
import { openDatabase, type Database } from '../../db/database.ts';
import { startPlatform } from '../../server.ts';
import { createTestDatabase, type TestDatabase } from '../../../test/helpers.ts';
import { JobsService, safeError } from './service.ts';

let testDb: TestDatabase;
let database: Database;
let config: Config;
let dataDir: string;
const log = createLogger(process.env.TEST_LOG_LEVEL ?? 'silent');

before(async () => {
  testDb = await createTestDatabase();
  database = openDatabase(testDb.url);
  dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'shuyuan-jobs-'));
  config = loadConfig({ SHUYUAN_LOG_LEVEL: 'silent' }, { databaseUrl: testDb.url, dataDir, demo: false, port: 0, host: '127.0.0.1' });
});

after(async () => {
  await database.close();
  await testDb.drop();
  await fs.rm(dataDir, { recursive: true, force: true });
});

/** Polls until `check` returns a truthy value (generous limit; no timing assertions). */
async function eventually<T>(check: () => Promise<T | null | undefined | false>, what: string, limitMs = 60_000): Promise<T> {
  const end = Date.now() + limitMs;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

function newJobs() {
  return new JobsService(database, config, log, { pollingIntervalSeconds: 0.5, stopTimeoutMs: 2000 });
}

test('a sent job runs once; its state and output are visible; queue sizes are reported', async () => {
  const jobs = newJobs();
  const seen: unknown[] = [];
  jobs.define<{ n: number }>('test.echo', async (data) => {
    seen.push(data.n);
    return { doubled: data.n * 2 };
  });
  await jobs.start();
  try {
    const id = await jobs.send('test.echo', { n: 21 });
    assert.ok(id);
    const done = await eventually(async () => {
      const j = await jobs.getJob('test.echo', id);
      return j?.state === 'completed' ? j : null;
    }, 'the job to complete');
    assert.deepEqual(done.output, { doubled: 42 });
    assert.deepEqual(seen, [21]);
    assert.equal(await jobs.getJob('test.echo', '00000000-0000-0000-0000-000000000000'), null);
    assert.equal(await jobs.getJob('test.echo', 'not-a-uuid'), null);
    const sizes = await jobs.queueSizes();
    assert.equal(sizes['test.echo'], 0);
  } finally {
    await jobs.stop();
  }
});

test('a failing handler is retried per its options', async () => {
  const jobs = newJobs();
  let attempts = 0;
  jobs.define(
    'test.flaky',
    async () => {
      attempts++;
      if (attempts < 3) throw new Error('temporary failure talking to smtp://user:hunter2@mail.example');
      return { attempts };
    },
    { retryLimit: 3, retryDelaySeconds: 0 },
  );
  await jobs.start();
  try {
    const id = (await jobs.send('test.flaky', {}))!;
    const done = await eventually(async () => {
      const j = await jobs.getJob('test.flaky', id);
      return j?.state === 'completed' ? j : null;
    }, 'the retried job to complete');
    assert.equal(attempts, 3);
    assert.equal(done.retryCount, 2);
  } finally {
    await jobs.stop();
  }
});

test('a job that keeps failing ends failed after its retries', async () => {
  const jobs = newJobs();
  let attempts = 0;
  jobs.define(
    'test.broken',
    async () => {
      attempts++;
      throw new Error('always');
    },
    { retryLimit: 1, retryDelaySeconds: 0 },
  );
  await jobs.start();
  try {
    const id = (await jobs.send('test.broken', {}))!;
    await eventually(async () => (await jobs.getJob('test.broken', id))?.state === 'failed', 'the job to fail');
    assert.equal(attempts, 2);
  } finally {
    await jobs.stop();
  }
});

test('after stop, a send is refused instead of booting a job queue nobody stops (the process could never exit)', async () => {
  const jobs = newJobs();
  jobs.define('test.late', async () => undefined);
  await jobs.start();
  await jobs.stop();
  await assert.rejects(jobs.send('test.late', {}), /stopped/);
  assert.deepEqual(await jobs.queueSizes(), {});
  // start() after stop() works again.
  await jobs.start();
  try {
    assert.ok(await jobs.send('test.late', {}));
  } finally {
    await jobs.stop();
  }
});

test('singletonKey: one waiting job per key; sendInTx follows the transaction', async () => {
  // The pool runs as the restricted application role; enqueueing in its transactions must work.
  const { rows } = await sql<{ role: string }>`select current_user as role`.execute(database.db);
  assert.equal(rows[0]?.role, 'shuyuan_app');
  const jobs = newJobs();
  jobs.define('test.idle', async () => null);
  // Not started: nothing runs, but sending works (pg-boss is booted on demand).
  try {
    const later = new Date(Date.now() + 3600_000);
    const a = await jobs.send('test.idle', { v: 1 }, { singletonKey: 'k1', startAfter: later });
    const b = await jobs.send('test.idle', { v: 2 }, { singletonKey: 'k1', startAfter: later });
    const c = await jobs.send('test.idle', { v: 3 }, { singletonKey: 'k2', startAfter: later });
    assert.ok(a);
    assert.equal(b, null);
    assert.ok(c);
    // Concurrent sends with one key: exactly one wins.
    const many = await Promise.all(
      Array.from({ length: 8 }, (_, i) => jobs.send('test.idle', { i }, { singletonKey: 'k3', startAfter: later })),
    );
    assert.equal(many.filter(Boolean).length, 1);

    // Rolled back: the job never existed. Committed: it does.
    await assert.rejects(
      database.db.transaction().execute(async (tx) => {
        await jobs.sendInTx(tx, 'test.idle', { v: 'rolled back' }, { singletonKey: 'tx1', startAfter: later });
        throw new Error('abort');
      }),
      /abort/,
    );
    const committed = await database.db
      .transaction()
      .execute((tx) => jobs.sendInTx(tx, 'test.idle', { v: 'kept' }, { singletonKey: 'tx1', startAfter: later }));
    assert.ok(committed);
    assert.equal((await jobs.getJob('test.idle', committed))?.state, 'created');
    const sizes = await jobs.queueSizes();
    assert.equal(sizes['test.idle'], 4);

    // Rescheduling a deadline replaces the pending one.
    const d1 = await jobs.scheduleDeadline({ key: 'app:1', dueAt: later, queue: 'test.idle', data: { step: 1 } });
    const d2 = await jobs.scheduleDeadline({ key: 'app:1', dueAt: later, queue: 'test.idle', data: { step: 2 } });
    assert.ok(d1);
    assert.equal(d2, null, 'without replace the existing deadline stays');
    const d3 = await jobs.scheduleDeadline({
      key: 'app:1',
      dueAt: new Date(Date.now() + 7200_000),
      queue: 'test.idle',
      data: { step: 3 },
      replace: true,
    });
    assert.ok(d3);
    assert.equal((await jobs.getJob('test.idle', d1))?.state, 'cancelled');
    assert.equal(await jobs.cancelDeadline('test.idle', 'app:1'), 1);
    assert.equal((await jobs.getJob('test.idle', d3))?.state, 'cancelled');
  } finally {
    await jobs.stop();
  }
});

test('errors are logged without credentials', () => {
  const e = Object.assign(new Error('connect failed: smtp://mailer:hunter2@mail.example:587'), { code: 'ECONNREFUSED' });
  const safe = safeError(e);
  assert.equal(safe.code, 'ECONNREFUSED');
  assert.ok(!safe.message.includes('hunter2'));
  assert.ok(safe.message.includes('smtp://***@mail.example'));
});

test('a deadline that falls due while nothing runs fires after the restart', async () => {
  // A recipient for the notification the deadline sends.
  const { rows: orgs } = await sql<{ id: string }>`
    insert into organizations (code, name_zh, name_en, kind) values ('T-DEADLINE', '测试机构', 'Test org', 'authority') returning id`.execute(
    database.db,
  );
  const { rows: users } = await sql<{ id: string }>`
    insert into users (username, display_name, org_id, password_hash)
    values ('deadline-user', '期限测试', ${orgs[0]!.id}, 'scrypt$x') returning id`.execute(database.db);
  const userId = users[0]!.id;
  const handle = { url: testDb.url, embedded: null };

  // First process: schedule a reminder due in 2 s, then stop before it is due.
  const first = await startPlatform(config, { log, listen: false, database: handle });
  const dueAt = new Date(Date.now() + 2000);
  let jobId: string | null;
  try {
    jobId = await first.ctx.notifications.notifyAt('test:deadline:1', dueAt, {
      userIds: [userId],
      kind: 'deadline.due',
      title: { zh: '办理期限已到', en: 'Deadline reached' },
      body: { zh: '申请 42 的办理期限已到。', en: 'The deadline of application 42 has passed.' },
      link: '/applications/42',
    });
    assert.ok(jobId);
  } finally {
    await first.stop();
  }
  // Nobody is running when the deadline passes.
  while (Date.now() < dueAt.getTime() + 1500) await new Promise((r) => setTimeout(r, 250));
  const { rows: none } = await sql<{ n: number }>`select count(*)::int as n from notifications where user_id = ${userId}`.execute(
    database.db,
  );
  assert.equal(none[0]!.n, 0);

  // Second process on the same database: the overdue job runs.
  const second = await startPlatform(config, { log, listen: false, database: handle });
  try {
    const n = await eventually(async () => (await second.ctx.notifications.list(userId)).items[0], 'the deadline notification');
    assert.equal(n.kind, 'deadline.due');
    assert.equal(n.titleZh, '办理期限已到');
    assert.equal(n.link, '/applications/42');
    assert.equal(await second.ctx.notifications.unreadCount(userId), 1);
    assert.equal(
      (
        await eventually(
          async () => second.ctx.jobs.getJob('notify.scheduled', jobId!).then((j) => (j?.state === 'completed' ? j : null)),
          'the job to complete',
        )
      ).state,
      'completed',
    );
  } finally {
    await second.stop();
  }
});

test('several processes booting the job queue at once on a fresh database all start (no catalog race)', async () => {
  // pg-boss creates a partition of pgboss.job for every queue while another process grants the application
  // role on that table: both rewrite the table's catalog row ("tuple concurrently updated"). Booting is
  // serialized across processes; this test boots 4 at once on 3 fresh databases.
  for (let round = 0; round < 3; round++) {
    const db = await createTestDatabase();
    const dbs = Array.from({ length: 4 }, () => openDatabase(db.url));
    const services = dbs.map((d) => {
      const s = new JobsService(d, { ...config, databaseUrl: db.url }, log, { pollingIntervalSeconds: 0.5, stopTimeoutMs: 2000 });
      for (const q of ['race.a', 'race.b', 'race.c']) s.define(q, async () => null);
      return s;
    });
    try {
      const results = await Promise.allSettled(services.map((s) => s.start()));
      const failed = results.flatMap((r) => (r.status === 'rejected' ? [String(r.reason)] : []));
      assert.deepEqual(failed, [], `round ${round}`);
      // A queue nobody defined, created on first send by two processes at once.
      await Promise.all(services.slice(0, 2).map((s) => s.send('race.late', { round })));
    } finally {
      await Promise.all(services.map((s) => s.stop()));
      await Promise.all(dbs.map((d) => d.close()));
      await db.drop();
    }
  }
});
