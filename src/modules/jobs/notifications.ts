// Notifications that deadlines and workflows send: an in-app inbox per user (the web header polls the
// unread count) and an e-mail copy. E-mail goes through the durable queue 'notify.email', enqueued in the
// caller's transaction and sent later by a worker (never inside a database transaction); with no SMTP
// configured the e-mail is written to the log instead.
import nodemailer, { type Transporter } from 'nodemailer';
import type { Config } from '../../config.ts';
import type { Logger } from '../../context.ts';
import type { Db, Executor } from '../../db/database.ts';
import { notFound } from '../../errors.ts';
import { SYSTEM, type Actor, type Role } from '../identity/actor.ts';
import type { LedgerService } from '../ledger/service.ts';
import { NotificationRepository, type NotificationRow } from './repository.ts';
import { safeError, type JobsService } from './service.ts';

export const EMAIL_QUEUE = 'notify.email';
/** Notifications due at a later time (reminders, deadline warnings). */
export const SCHEDULED_QUEUE = 'notify.scheduled';

export interface LocalizedText {
  zh: string;
  en: string;
}

/** Who receives a notification: explicit users and/or every active holder of a role (optionally in an org subtree). */
export interface NotifyTarget {
  userIds?: string[];
  role?: Role;
  /** With `role`: only users of this organization … */
  orgId?: string;
  /** … or of its whole subtree (default true). */
  includeSubOrgs?: boolean;
}

export interface NotifyInput extends NotifyTarget {
  /** Dotted machine kind, e.g. 'deadline.warning', 'workflow.assigned', 'system.welcome'. */
  kind: string;
  title: LocalizedText;
  body?: LocalizedText;
  /** Path inside the web app (e.g. /applications/42) or an absolute URL. */
  link?: string | null;
  /** Also send an e-mail to recipients that have an address (default true). */
  email?: boolean;
}

export interface NotifyResult {
  ids: string[];
  userIds: string[];
  emails: number;
}

export interface Notification {
  id: string;
  kind: string;
  titleZh: string;
  titleEn: string;
  bodyZh: string;
  bodyEn: string;
  link: string | null;
  createdAt: string;
  readAt: string | null;
}

export interface NotificationPage {
  items: Notification[];
  total: number;
  unread: number;
  page: number;
  pageSize: number;
}

export interface OutgoingMail {
  to: string;
  subject: string;
  text: string;
}

interface EmailJob {
  notificationId: string;
}

interface ScheduledJob {
  input: NotifyInput;
  key: string;
}

export function toNotification(r: NotificationRow): Notification {
  return {
    id: r.id,
    kind: r.kind,
    titleZh: r.title_zh,
    titleEn: r.title_en,
    bodyZh: r.body_zh,
    bodyEn: r.body_en,
    link: r.link,
    createdAt: r.created_at.toISOString(),
    readAt: r.read_at ? r.read_at.toISOString() : null,
  };
}

export class NotificationService {
  readonly repo: NotificationRepository;
  private ledger: LedgerService | null = null;
  private transport: Transporter | null = null;
  /** Test hook: called with every e-mail after it was handed to SMTP or written to the log. */
  onMail: ((mail: OutgoingMail) => void) | null = null;

  constructor(
    readonly db: Db,
    readonly config: Config,
    readonly log: Logger,
    readonly jobs: JobsService,
    ledger?: LedgerService,
  ) {
    this.repo = new NotificationRepository(db);
    this.ledger = ledger ?? null;
    jobs.define<EmailJob>(EMAIL_QUEUE, (data) => this.deliverEmail(data.notificationId), {
      retryLimit: 5,
      retryDelaySeconds: 30,
      retryBackoff: true,
      expireInSeconds: 300,
    });
    jobs.define<ScheduledJob>(SCHEDULED_QUEUE, (data) => this.deliverScheduled(data), {
      retryLimit: 5,
      retryDelaySeconds: 10,
      retryBackoff: true,
    });
  }

  /** The ledger records notifications sent by jobs (set by the context when the ledger exists). */
  useLedger(ledger: LedgerService): void {
    this.ledger = ledger;
  }

  /**
   * Writes the inbox row of every recipient and enqueues their e-mail, in `db` — pass the caller's
   * transaction so that the notification exists only if the change it announces commits. The caller's own
   * ledger entry records the change; the notification is part of it.
   */
  async notify(db: Executor, input: NotifyInput): Promise<NotifyResult> {
    const recipients = new Map<string, { email: string | null }>();
    const ids = [...new Set(input.userIds ?? [])];
    for (const r of await this.repo.activeUsers(db, ids)) recipients.set(r.id, { email: r.email });
    if (input.role) {
      for (const r of await this.repo.activeUsersByRole(db, input.role, input.orgId ?? null, input.includeSubOrgs ?? true))
        recipients.set(r.id, { email: r.email });
    }
    if (!recipients.size) return { ids: [], userIds: [], emails: 0 };
    const rows = await this.repo.insertMany(
      db,
      [...recipients.keys()].map((userId) => ({
        userId,
        kind: input.kind,
        titleZh: clip(input.title.zh, 200),
        titleEn: clip(input.title.en || input.title.zh, 200),
        bodyZh: clip(input.body?.zh ?? '', 4000),
        bodyEn: clip(input.body?.en ?? input.body?.zh ?? '', 4000),
        link: input.link ? clip(input.link, 500) : null,
      })),
    );
    let emails = 0;
    if (input.email !== false) {
      for (const row of rows) {
        if (!recipients.get(row.user_id)?.email) continue;
        await this.jobs.sendInTx(db, EMAIL_QUEUE, { notificationId: row.id } satisfies EmailJob);
        emails++;
      }
    }
    return { ids: rows.map((r) => r.id), userIds: rows.map((r) => r.user_id), emails };
  }

  /**
   * Sends a notification at a later time, durably (a restart in between does not lose it). One pending
   * notification per key: scheduling the same key again replaces the pending one.
   */
  async notifyAt(key: string, at: Date, input: NotifyInput, tx?: Executor): Promise<string | null> {
    return this.jobs.scheduleDeadline<ScheduledJob>({ key, dueAt: at, queue: SCHEDULED_QUEUE, data: { input, key }, replace: true }, tx);
  }

  async cancelScheduled(key: string, tx?: Executor): Promise<number> {
    return this.jobs.cancelDeadline(SCHEDULED_QUEUE, key, tx);
  }

  async list(userId: string, opts: { unreadOnly?: boolean; page?: number; pageSize?: number } = {}): Promise<NotificationPage> {
    const page = Math.max(1, Math.floor(opts.page ?? 1));
    const pageSize = Math.min(100, Math.max(1, Math.floor(opts.pageSize ?? 20)));
    const res = await this.repo.list(userId, { unreadOnly: opts.unreadOnly ?? false, limit: pageSize, offset: (page - 1) * pageSize });
    return { items: res.items.map(toNotification), total: res.total, unread: res.unread, page, pageSize };
  }

  /** Unread notifications of a user (the header badge and the home page count). */
  async unreadCount(userId: string): Promise<number> {
    return this.repo.unreadCount(userId);
  }

  /** Marks one of the actor's own notifications read; 404 for anyone else's (no hint that it exists). */
  async markRead(actor: Actor, id: string): Promise<Notification> {
    if (!actor.userId) throw notFound('NOTIFICATION_NOT_FOUND', { id });
    const userId = actor.userId;
    const row = await this.db.transaction().execute(async (tx) => {
      const before = await this.repo.get(tx, id);
      if (!before || before.user_id !== userId) throw notFound('NOTIFICATION_NOT_FOUND', { id });
      if (before.read_at) return before;
      const updated = await this.repo.markRead(tx, userId, id);
      if (!updated) throw notFound('NOTIFICATION_NOT_FOUND', { id });
      await this.ledger?.append(tx, {
        actor,
        action: 'notification.read',
        objectType: 'notification',
        objectId: id,
        details: { kind: updated.kind },
      });
      return updated;
    });
    return toNotification(row);
  }

  /** Marks all of the actor's notifications read; returns how many changed. */
  async markAllRead(actor: Actor): Promise<number> {
    if (!actor.userId) return 0;
    const userId = actor.userId;
    return this.db.transaction().execute(async (tx) => {
      const n = await this.repo.markAllRead(tx, userId);
      if (n > 0)
        await this.ledger?.append(tx, {
          actor,
          action: 'notification.read_all',
          objectType: 'notification',
          objectId: null,
          details: { count: n },
        });
      return n;
    });
  }

  // -------------------------------------------------------------------------------------------------------
  private async deliverScheduled(data: ScheduledJob): Promise<{ notified: number }> {
    const res = await this.db.transaction().execute(async (tx) => {
      const r = await this.notify(tx, data.input);
      await this.ledger?.append(tx, {
        actor: SYSTEM,
        action: 'notification.send',
        objectType: 'notification',
        objectId: data.key,
        details: { kind: data.input.kind, recipients: r.userIds.length },
      });
      return r;
    });
    return { notified: res.ids.length };
  }

  /** The notify.email job: looks the notification and address up now (the job data holds no address). */
  private async deliverEmail(notificationId: string): Promise<{ sent: boolean; reason?: string }> {
    const n = await this.repo.get(this.db, notificationId);
    if (!n) return { sent: false, reason: 'notification deleted' };
    const user = await this.repo.userEmail(this.db, n.user_id);
    if (!user?.email || user.status !== 'active') return { sent: false, reason: 'no address' };
    const mail = this.compose(n, user.email);
    if (this.config.smtpUrl) {
      this.transport ??= nodemailer.createTransport(this.config.smtpUrl);
      try {
        await this.transport.sendMail({ from: this.config.mailFrom, to: mail.to, subject: mail.subject, text: mail.text });
      } catch (e) {
        this.log.warn({ component: 'mail', notificationId, err: safeError(e) }, 'sending notification e-mail failed');
        throw e;
      }
      this.log.info({ component: 'mail', notificationId, kind: n.kind }, 'notification e-mail sent');
    } else {
      this.log.info({ component: 'mail', notificationId, mail }, 'notification e-mail (SHUYUAN_SMTP_URL is not set: written to the log)');
    }
    this.onMail?.(mail);
    return { sent: true };
  }

  compose(n: NotificationRow, to: string): OutgoingMail {
    const base = this.config.publicUrl ?? `http://${this.config.host === '0.0.0.0' ? '127.0.0.1' : this.config.host}:${this.config.port}`;
    const link = n.link
      ? /^https?:\/\//.test(n.link)
        ? n.link
        : base.replace(/\/$/, '') + (n.link.startsWith('/') ? '' : '/') + n.link
      : null;
    const zh = [n.body_zh, link ? `查看：${link}` : ''].filter(Boolean).join('\n\n');
    const en = [n.body_en, link ? `Open: ${link}` : ''].filter(Boolean).join('\n\n');
    return {
      to,
      subject: n.title_zh === n.title_en ? n.title_zh : `${n.title_zh} / ${n.title_en}`,
      text: `${n.title_zh}\n\n${zh}\n\n——\n\n${n.title_en}\n\n${en}\n\n数源 Shuyuan\n`,
    };
  }

  async close(): Promise<void> {
    this.transport?.close();
    this.transport = null;
  }
}

function clip(s: string, max: number): string {
  return s.length <= max ? s : s.slice(0, max - 1) + '…';
}
