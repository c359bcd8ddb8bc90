// API tests: the calendar (reads for every signed-in user, overrides for the authority admin, recorded in
// the ledger) and the notification inbox (own notifications only; e-mail copies through the job queue).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { sql } from 'kysely';
import { startTestPlatform, type TestPlatform } from '../../../test/helpers.ts';
import { DEMO_PASSWORD } from '../identity/service.ts';
import type { OutgoingMail } from './notifications.ts';

let p: TestPlatform;
const ids = new Map<string, string>();

before(async () => {
  p = await startTestPlatform();
  const { rows } = await sql<{ id: string; username: string }>`select id, username from users`.execute(p.ctx.db);
  for (const r of rows) ids.set(r.username, r.id);
});

after(async () => {
  await p.close();
});

async function login(username: string) {
  const c = p.client();
  await c.login(username, DEMO_PASSWORD);
  return c;
}

async function eventually<T>(check: () => Promise<T | null | undefined | false>, what: string, limitMs = 60_000): Promise<T> {
  const end = Date.now() + limitMs;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

test('calendar reads need a login; every signed-in user may read', async () => {
  const anon = p.client();
  assert.equal((await anon.get('/api/calendar/2025')).status, 401);
  assert.equal((await anon.get('/api/calendar/add?date=2025-09-30&days=1')).status, 401);

  const c = await login('public');
  const year = await c.get('/api/calendar/2025');
  assert.equal(year.status, 200);
  assert.equal(year.body.year, 2025);
  assert.equal(year.body.dataAvailable, true);
  assert.equal(year.body.days.length, 365);
  const byDate = new Map(year.body.days.map((d: { date: string }) => [d.date, d]));
  assert.deepEqual(byDate.get('2025-10-01'), {
    date: '2025-10-01',
    working: false,
    kind: 'holiday',
    name: '国庆节',
    nameEn: 'National Day',
  });
  assert.equal((byDate.get('2025-09-28') as { kind: string }).kind, 'adjusted_workday');
  assert.equal((byDate.get('2025-10-12') as { kind: string }).kind, 'weekend');

  const beyond = await c.get('/api/calendar/2099');
  assert.equal(beyond.body.dataAvailable, false);

  const add = await c.get('/api/calendar/add?date=2025-09-30&days=1');
  assert.equal(add.status, 200);
  assert.equal(add.body.deadline, '2025-10-09');
  assert.equal(add.body.deadlineAt, '2025-10-09T16:00:00.000Z');
  assert.equal(add.body.dataAvailable, true);

  const between = await c.get('/api/calendar/between?from=2025-09-30&to=2025-10-09');
  assert.deepEqual(between.body, { from: '2025-09-30', to: '2025-10-09', workingDays: 1, dataAvailable: true });

  const bad = await c.get('/api/calendar/add?date=2025-02-30&days=1');
  assert.equal(bad.status, 400);
  assert.equal(bad.body.error.code, 'CALENDAR_INVALID_DATE');
  assert.deepEqual(bad.body.error.details, { field: 'date' });
  assert.equal((await c.get('/api/calendar/add?date=2025-10-01&days=-1')).status, 400);
  assert.equal((await c.get('/api/calendar/add?date=tomorrow&days=1')).status, 400);
  assert.equal((await c.get('/api/calendar/between?from=1990-01-01&to=2099-01-01')).body.error.code, 'CALENDAR_SPAN_TOO_LONG');
});

test('overrides: authority admin only, win over the package, recorded in the ledger', async () => {
  const clerk = await login('provider');
  const denied = await clerk.put('/api/calendar/overrides/2025-10-09', { kind: 'holiday', note: '临时停工' });
  assert.equal(denied.status, 403);
  assert.equal((await clerk.delete('/api/calendar/overrides/2025-10-09')).status, 403);

  const admin = await login('admin');
  const set = await admin.put('/api/calendar/overrides/2025-10-09', { kind: 'holiday', note: '市政府通知：临时停工' });
  assert.equal(set.status, 200);
  assert.equal(set.body.kind, 'holiday');
  assert.equal(set.body.createdBy, ids.get('admin'));

  // Visible at once to every reader of this process.
  assert.equal((await clerk.get('/api/calendar/add?date=2025-09-30&days=1')).body.deadline, '2025-10-10');
  const day = (await clerk.get('/api/calendar/2025')).body.days.find((d: { date: string }) => d.date === '2025-10-09');
  assert.deepEqual(day, {
    date: '2025-10-09',
    working: false,
    kind: 'holiday',
    override: { kind: 'holiday', note: '市政府通知：临时停工' },
  });
  assert.equal((await clerk.get('/api/calendar/overrides')).body.items.length, 1);

  // A Sunday made a working day.
  assert.equal((await admin.put('/api/calendar/overrides/2025-10-12', { kind: 'workday' })).status, 200);
  assert.equal((await clerk.get('/api/calendar/between?from=2025-10-10&to=2025-10-13')).body.workingDays, 3); // 11 (adjusted), 12 (override), 13

  assert.equal((await admin.delete('/api/calendar/overrides/2025-10-09')).status, 204);
  assert.equal((await admin.delete('/api/calendar/overrides/2025-10-12')).status, 204);
  const again = await admin.delete('/api/calendar/overrides/2025-10-09');
  assert.equal(again.status, 404);
  assert.equal(again.body.error.code, 'CALENDAR_OVERRIDE_NOT_FOUND');
  assert.equal((await clerk.get('/api/calendar/add?date=2025-09-30&days=1')).body.deadline, '2025-10-09');

  const bad = await admin.put('/api/calendar/overrides/2025-10-09', { kind: 'rest' });
  assert.equal(bad.status, 400);

  const { rows } = await sql<{ action: string; object_id: string; actor_id: string }>`
    select action, object_id, actor_id from ledger_entries where object_type = 'calendar_override' order by seq`.execute(p.ctx.db);
  assert.deepEqual(
    rows.map((r) => [r.action, r.object_id]),
    [
      ['calendar.override_set', '2025-10-09'],
      ['calendar.override_set', '2025-10-12'],
      ['calendar.override_delete', '2025-10-09'],
      ['calendar.override_delete', '2025-10-12'],
    ],
  );
  assert.ok(rows.every((r) => r.actor_id === ids.get('admin')));
});

test('the inbox: own notifications only, unread counts, read and read-all', async () => {
  const { notifications } = p.ctx;
  const provider = ids.get('provider')!;
  const admin = ids.get('admin')!;
  // Start from empty inboxes: the demo seed greets every demo user.
  await sql`delete from notifications`.execute(p.ctx.db);
  await notifications.notify(p.ctx.db, {
    userIds: [provider, admin],
    kind: 'system.welcome',
    title: { zh: '欢迎使用数源', en: 'Welcome to Shuyuan' },
    body: { zh: '这是一条演示通知。', en: 'This is a demo notification.' },
    link: '/',
  });
  for (let i = 1; i <= 3; i++) {
    await notifications.notify(p.ctx.db, {
      userIds: [provider],
      kind: 'deadline.warning',
      title: { zh: `期限提醒 ${i}`, en: `Deadline reminder ${i}` },
    });
  }

  const anon = p.client();
  assert.equal((await anon.get('/api/notifications')).status, 401);
  assert.equal((await anon.get('/api/notifications/unread-count')).status, 401);

  const c = await login('provider');
  assert.deepEqual((await c.get('/api/notifications/unread-count')).body, { count: 4 });
  const page1 = await c.get('/api/notifications?page=1&pageSize=3');
  assert.equal(page1.status, 200);
  assert.equal(page1.body.total, 4);
  assert.equal(page1.body.unread, 4);
  assert.equal(page1.body.items.length, 3);
  assert.equal(page1.body.items[0].titleZh, '期限提醒 3');
  assert.equal(page1.body.items[0].titleEn, 'Deadline reminder 3');
  const page2 = await c.get('/api/notifications?page=2&pageSize=3');
  assert.equal(page2.body.items.length, 1);
  assert.equal(page2.body.items[0].kind, 'system.welcome');
  assert.equal(page2.body.items[0].link, '/');

  // Someone else's notification: 404, as if it did not exist.
  const adminNote = (await notifications.list(admin)).items[0]!;
  const idor = await c.post(`/api/notifications/${adminNote.id}/read`);
  assert.equal(idor.status, 404);
  assert.equal(idor.body.error.code, 'NOTIFICATION_NOT_FOUND');
  assert.equal((await notifications.list(admin)).items[0]!.readAt, null);
  assert.equal((await c.post('/api/notifications/00000000-0000-4000-8000-000000000000/read')).status, 404);
  assert.equal((await c.post('/api/notifications/not-an-id/read')).status, 400);

  const first = page1.body.items[0];
  const read = await c.post(`/api/notifications/${first.id}/read`);
  assert.equal(read.status, 200);
  assert.ok(read.body.readAt);
  assert.equal((await c.post(`/api/notifications/${first.id}/read`)).body.readAt, read.body.readAt, 'reading twice keeps the first time');
  assert.deepEqual((await c.get('/api/notifications/unread-count')).body, { count: 3 });
  const unread = await c.get('/api/notifications?unread=1');
  assert.equal(unread.body.total, 3);
  assert.ok(unread.body.items.every((n: { readAt: string | null }) => n.readAt === null));

  assert.deepEqual((await c.post('/api/notifications/read-all')).body, { updated: 3 });
  assert.deepEqual((await c.get('/api/notifications/unread-count')).body, { count: 0 });
  assert.equal(await notifications.unreadCount(admin), 1, "the admin's inbox is untouched");

  const { rows } = await sql<{
    action: string;
  }>`select action from ledger_entries where action like 'notification.%' and actor_id = ${provider} order by seq`.execute(p.ctx.db);
  assert.deepEqual(
    rows.map((r) => r.action),
    ['notification.read', 'notification.read_all'],
  );
});

test('notify by role (and organization subtree)', async () => {
  const { notifications } = p.ctx;
  const res = await notifications.notify(p.ctx.db, {
    role: 'auditor',
    kind: 'ledger.checkpoint',
    title: { zh: '账本检查点已签名', en: 'Ledger checkpoint signed' },
  });
  assert.deepEqual(res.userIds, [ids.get('auditor')]);
  const { rows } = await sql<{ id: string }>`select id from organizations where code = 'GA'`.execute(p.ctx.db);
  const none = await notifications.notify(p.ctx.db, {
    role: 'provider_clerk',
    orgId: rows[0]!.id,
    kind: 'x.y',
    title: { zh: '无', en: 'None' },
  });
  assert.equal(none.ids.length, 0, 'no provider clerk in the public security bureau');
  const c = await login('auditor');
  assert.equal((await c.get('/api/notifications')).body.items[0].titleEn, 'Ledger checkpoint signed');
});

test('e-mail copies go through the notify.email queue; written to the log without SMTP', async () => {
  const { notifications } = p.ctx;
  await sql`update users set email = 'consumer@example.gov.cn' where username = 'consumer'`.execute(p.ctx.db);
  const mails: OutgoingMail[] = [];
  notifications.onMail = (m) => mails.push(m);
  try {
    // Rolled back with the change it announced: no inbox row, no e-mail.
    await assert.rejects(
      p.ctx.db.transaction().execute(async (tx) => {
        await notifications.notify(tx, {
          userIds: [ids.get('consumer')!],
          kind: 'x.rolled_back',
          title: { zh: '不应送达', en: 'Must not arrive' },
        });
        throw new Error('abort');
      }),
    );
    const res = await p.ctx.db.transaction().execute((tx) =>
      notifications.notify(tx, {
        userIds: [ids.get('consumer')!, ids.get('public')!],
        kind: 'workflow.assigned',
        title: { zh: '您有一项待办', en: 'A task is waiting for you' },
        body: { zh: '请审核申请 7。', en: 'Please review application 7.' },
        link: '/applications/7',
      }),
    );
    assert.equal(res.ids.length, 2);
    assert.equal(res.emails, 1, 'only the consumer has an address');
    const mail = await eventually(async () => mails[0], 'the e-mail');
    assert.equal(mail.to, 'consumer@example.gov.cn');
    assert.equal(mail.subject, '您有一项待办 / A task is waiting for you');
    assert.match(mail.text, /请审核申请 7。/);
    assert.match(mail.text, /Please review application 7\./);
    assert.match(mail.text, /https?:\/\/\S+\/applications\/7/, 'the link is absolute');
    await new Promise((r) => setTimeout(r, 1000));
    assert.equal(mails.length, 1);
    assert.ok(!mails.some((m) => m.subject.includes('不应送达')));
    const metrics = await p.client().get('/metrics');
    assert.match(metrics.text, /shuyuan_job_queue_size\{queue="notify.email"\} 0/);
  } finally {
    notifications.onMail = null;
  }
});

/** A minimal SMTP server that accepts every message (enough for nodemailer without TLS or AUTH). */
function fakeSmtp(): Promise<{ port: number; messages: string[]; close(): Promise<void> }> {
  const messages: string[] = [];
  const server = net.createServer((sock) => {
    let inData = false;
    let buf = '';
    sock.write('220 fake ESMTP\r\n');
    sock.on('data', (chunk) => {
      buf += chunk.toString('utf8');
      for (;;) {
        if (inData) {
          const end = buf.indexOf('\r\n.\r\n');
          if (end < 0) return;
          messages.push(buf.slice(0, end));
          buf = buf.slice(end + 5);
          inData = false;
          sock.write('250 OK queued\r\n');
          continue;
        }
        const nl = buf.indexOf('\r\n');
        if (nl < 0) return;
        const line = buf.slice(0, nl).toUpperCase();
        buf = buf.slice(nl + 2);
        if (line.startsWith('EHLO')) sock.write('250-fake\r\n250 8BITMIME\r\n');
        else if (line.startsWith('HELO')) sock.write('250 fake\r\n');
        else if (line.startsWith('DATA')) {
          inData = true;
          sock.write('354 go ahead\r\n');
        } else if (line.startsWith('QUIT')) {
          sock.end('221 bye\r\n');
          return;
        } else sock.write('250 OK\r\n');
      }
    });
    sock.on('error', () => undefined);
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as net.AddressInfo).port;
      resolve({ port, messages, close: () => new Promise<void>((r) => server.close(() => r())) });
    });
  });
}

test('with SHUYUAN_SMTP_URL the e-mail is delivered over SMTP', async () => {
  const smtp = await fakeSmtp();
  const q = await startTestPlatform({ smtpUrl: `smtp://127.0.0.1:${smtp.port}`, mailFrom: 'Shuyuan <noreply@shuyuan.test>' });
  try {
    await sql`update users set email = 'admin@example.gov.cn' where username = 'admin'`.execute(q.ctx.db);
    const { rows } = await sql<{ id: string }>`select id from users where username = 'admin'`.execute(q.ctx.db);
    await q.ctx.notifications.notify(q.ctx.db, {
      userIds: [rows[0]!.id],
      kind: 'system.test',
      title: { zh: '测试邮件', en: 'Test mail' },
      body: { zh: '正文', en: 'Body' },
    });
    const msg = await eventually(async () => smtp.messages[0], 'the SMTP message');
    assert.match(msg, /To: admin@example\.gov\.cn/i);
    assert.match(msg, /From: Shuyuan <noreply@shuyuan\.test>/i);
  } finally {
    await q.close();
    await smtp.close();
  }
});
