// SQL of the jobs module: calendar overrides and the notification inbox. (pg-boss keeps its own schema.)
import { sql, type ColumnType, type Generated, type Selectable } from 'kysely';
import type { Db, Executor } from '../../db/database.ts';

export interface CalendarOverridesTable {
  /** PostgreSQL date; always read as 'YYYY-MM-DD' text (see the selects below). */
  date: ColumnType<string, string, string>;
  kind: 'workday' | 'holiday';
  note: Generated<string>;
  created_by: string | null;
  created_at: Generated<Date>;
}

export interface NotificationsTable {
  id: Generated<string>;
  user_id: string;
  kind: string;
  title_zh: string;
  title_en: string;
  body_zh: Generated<string>;
  body_en: Generated<string>;
  link: string | null;
  created_at: Generated<Date>;
  read_at: Date | null;
}

export interface JobsTables {
  calendar_overrides: CalendarOverridesTable;
  notifications: NotificationsTable;
}

export type NotificationRow = Selectable<NotificationsTable>;

export interface CalendarOverrideRow {
  date: string;
  kind: 'workday' | 'holiday';
  note: string;
  createdBy: string | null;
  createdAt: Date;
}

const overrideColumns = [
  sql<string>`to_char(date, 'YYYY-MM-DD')`.as('date'),
  'kind',
  'note',
  'created_by as createdBy',
  'created_at as createdAt',
] as const;

export class CalendarRepository {
  constructor(readonly db: Db) {}

  async listOverrides(db: Executor = this.db): Promise<CalendarOverrideRow[]> {
    return db.selectFrom('calendar_overrides').select(overrideColumns).orderBy('calendar_overrides.date').execute();
  }

  async getOverride(db: Executor, date: string): Promise<CalendarOverrideRow | undefined> {
    return db.selectFrom('calendar_overrides').select(overrideColumns).where('calendar_overrides.date', '=', date).executeTakeFirst();
  }

  async upsertOverride(
    db: Executor,
    o: { date: string; kind: 'workday' | 'holiday'; note: string; createdBy: string | null },
  ): Promise<CalendarOverrideRow> {
    return db
      .insertInto('calendar_overrides')
      .values({ date: o.date, kind: o.kind, note: o.note, created_by: o.createdBy })
      .onConflict((oc) =>
        oc.column('date').doUpdateSet({ kind: o.kind, note: o.note, created_by: o.createdBy, created_at: sql<Date>`now()` }),
      )
      .returning(overrideColumns)
      .executeTakeFirstOrThrow();
  }

  async deleteOverride(db: Executor, date: string): Promise<CalendarOverrideRow | undefined> {
    return db.deleteFrom('calendar_overrides').where('calendar_overrides.date', '=', date).returning(overrideColumns).executeTakeFirst();
  }
}

export interface NewNotification {
  userId: string;
  kind: string;
  titleZh: string;
  titleEn: string;
  bodyZh: string;
  bodyEn: string;
  link: string | null;
}

export interface Recipient {
  id: string;
  email: string | null;
  displayName: string;
}

export class NotificationRepository {
  constructor(readonly db: Db) {}

  async insertMany(db: Executor, rows: NewNotification[]): Promise<NotificationRow[]> {
    if (!rows.length) return [];
    return db
      .insertInto('notifications')
      .values(
        rows.map((r) => ({
          user_id: r.userId,
          kind: r.kind,
          title_zh: r.titleZh,
          title_en: r.titleEn,
          body_zh: r.bodyZh,
          body_en: r.bodyEn,
          link: r.link,
        })),
      )
      .returningAll()
      .execute();
  }

  async list(
    userId: string,
    opts: { unreadOnly: boolean; limit: number; offset: number },
  ): Promise<{ items: NotificationRow[]; total: number; unread: number }> {
    let q = this.db.selectFrom('notifications').where('user_id', '=', userId);
    if (opts.unreadOnly) q = q.where('read_at', 'is', null);
    const [items, counts] = await Promise.all([
      q.selectAll().orderBy('created_at', 'desc').orderBy('id', 'desc').limit(opts.limit).offset(opts.offset).execute(),
      this.db
        .selectFrom('notifications')
        .where('user_id', '=', userId)
        .select([sql<number>`count(*)::int`.as('total'), sql<number>`(count(*) filter (where read_at is null))::int`.as('unread')])
        .executeTakeFirstOrThrow(),
    ]);
    return { items, total: opts.unreadOnly ? counts.unread : counts.total, unread: counts.unread };
  }

  async unreadCount(userId: string): Promise<number> {
    const row = await this.db
      .selectFrom('notifications')
      .where('user_id', '=', userId)
      .where('read_at', 'is', null)
      .select(sql<number>`count(*)::int`.as('n'))
      .executeTakeFirstOrThrow();
    return row.n;
  }

  async get(db: Executor, id: string): Promise<NotificationRow | undefined> {
    return db.selectFrom('notifications').selectAll().where('id', '=', id).executeTakeFirst();
  }

  /** Marks one notification of this user read; undefined when it is not theirs or does not exist. */
  async markRead(db: Executor, userId: string, id: string): Promise<NotificationRow | undefined> {
    return db
      .updateTable('notifications')
      .set({ read_at: sql<Date>`coalesce(read_at, now())` })
      .where('id', '=', id)
      .where('user_id', '=', userId)
      .returningAll()
      .executeTakeFirst();
  }

  async markAllRead(db: Executor, userId: string): Promise<number> {
    const res = await db
      .updateTable('notifications')
      .set({ read_at: sql<Date>`now()` })
      .where('user_id', '=', userId)
      .where('read_at', 'is', null)
      .executeTakeFirst();
    return Number(res.numUpdatedRows);
  }

  // Recipients are read from identity's tables (users, user_roles, organizations): read-only, the columns
  // the inbox needs, and users.email which this module's migration adds.
  async activeUsers(db: Executor, ids: string[]): Promise<Recipient[]> {
    if (!ids.length) return [];
    const { rows } = await sql<Recipient>`
      select u.id, u.email, u.display_name as "displayName" from users u
      where u.id = any(${ids}::uuid[]) and u.status = 'active' order by u.id`.execute(db);
    return rows;
  }

  /** Active users holding `role`, optionally only inside the organization subtree of `orgId`. */
  async activeUsersByRole(db: Executor, role: string, orgId: string | null, includeSubOrgs: boolean): Promise<Recipient[]> {
    const orgFilter =
      orgId === null
        ? sql`true`
        : includeSubOrgs
          ? sql`u.org_id in (with recursive sub as (select id from organizations where id = ${orgId}::uuid
              union all select o.id from organizations o join sub on o.parent_id = sub.id) select id from sub)`
          : sql`u.org_id = ${orgId}::uuid`;
    const { rows } = await sql<Recipient>`
      select u.id, u.email, u.display_name as "displayName" from users u
      join user_roles r on r.user_id = u.id and r.role = ${role}
      where u.status = 'active' and ${orgFilter} order by u.id`.execute(db);
    return rows;
  }

  async userEmail(db: Executor, userId: string): Promise<{ email: string | null; status: string } | undefined> {
    const { rows } = await sql<{
      email: string | null;
      status: string;
    }>`select email, status from users where id = ${userId}::uuid`.execute(db);
    return rows[0];
  }
}
