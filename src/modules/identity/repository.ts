// Identity tables and the only SQL of the identity module.
import { sql, type ColumnType, type Generated, type Selectable } from 'kysely';
import type { Executor } from '../../db/database.ts';
import type { OrgKind, Role } from './actor.ts';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;

export interface OrganizationsTable {
  id: Generated<string>;
  parent_id: string | null;
  code: string;
  name_zh: string;
  name_en: Generated<string>;
  kind: OrgKind;
  credit_code: string | null;
  status: Generated<'active' | 'disabled'>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface UsersTable {
  id: Generated<string>;
  username: string;
  display_name: string;
  org_id: string;
  password_hash: string;
  status: Generated<'active' | 'disabled'>;
  failed_logins: Generated<number>;
  locked_until: NullableTimestamp;
  password_changed_at: Timestamp;
  created_at: Timestamp;
  updated_at: Timestamp;
  last_login_at: NullableTimestamp;
}

export interface UserRolesTable {
  user_id: string;
  role: Role;
}

export interface SessionsTable {
  id: string;
  user_id: string;
  csrf_hash: string;
  created_at: Timestamp;
  last_seen_at: Timestamp;
  expires_at: Date | string;
  ip: string | null;
  user_agent: string | null;
  revoked_at: NullableTimestamp;
}

export interface ApiKeysTable {
  id: Generated<string>;
  user_id: string;
  name: string;
  app_key: string;
  secret_sha256: string;
  secret_enc: string;
  created_at: Timestamp;
  last_used_at: NullableTimestamp;
  revoked_at: NullableTimestamp;
  application_id: Generated<string | null>;
}

export interface ApiKeyNoncesTable {
  app_key: string;
  nonce: string;
  seen_at: Timestamp;
}

export interface IdentityTables {
  organizations: OrganizationsTable;
  users: UsersTable;
  user_roles: UserRolesTable;
  sessions: SessionsTable;
  api_keys: ApiKeysTable;
  api_key_nonces: ApiKeyNoncesTable;
}

export type OrgRow = Selectable<OrganizationsTable>;
export type UserRow = Selectable<UsersTable>;
export type ApiKeyRow = Selectable<ApiKeysTable>;

export interface UserWithRoles extends UserRow {
  roles: Role[];
}

/** A session joined with its user, as the authentication hook needs it. */
export interface SessionUser {
  session_id: string;
  csrf_hash: string;
  expires_at: Date;
  last_seen_at: Date;
  user_id: string;
  username: string;
  display_name: string;
  org_id: string;
  roles: Role[];
}

export interface UserFilter {
  q?: string;
  orgIds?: string[];
  role?: Role;
  status?: 'active' | 'disabled' | 'locked';
  limit: number;
  offset: number;
}

const rolesOf = (userIdCol: string) =>
  sql<Role[]>`coalesce((select array_agg(r.role order by r.role) from user_roles r where r.user_id = ${sql.ref(userIdCol)}), '{}')`;

export class IdentityRepository {
  // ---- organizations ----
  listOrgs(db: Executor): Promise<OrgRow[]> {
    return db.selectFrom('organizations').selectAll().orderBy('created_at').orderBy('code').execute();
  }

  getOrg(db: Executor, id: string): Promise<OrgRow | undefined> {
    return db.selectFrom('organizations').selectAll().where('id', '=', id).executeTakeFirst();
  }

  getOrgByCode(db: Executor, code: string): Promise<OrgRow | undefined> {
    return db
      .selectFrom('organizations')
      .selectAll()
      .where(sql<string>`upper(code)`, '=', code.toUpperCase())
      .executeTakeFirst();
  }

  insertOrg(
    db: Executor,
    o: { parentId: string | null; code: string; nameZh: string; nameEn: string; kind: OrgKind; creditCode: string | null },
  ): Promise<OrgRow> {
    return db
      .insertInto('organizations')
      .values({ parent_id: o.parentId, code: o.code, name_zh: o.nameZh, name_en: o.nameEn, kind: o.kind, credit_code: o.creditCode })
      .returningAll()
      .executeTakeFirstOrThrow();
  }

  updateOrg(
    db: Executor,
    id: string,
    patch: Partial<Pick<OrgRow, 'parent_id' | 'name_zh' | 'name_en' | 'kind' | 'credit_code' | 'status'>>,
  ): Promise<OrgRow> {
    return db
      .updateTable('organizations')
      .set({ ...patch, updated_at: sql<Date>`now()` })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
  }

  async lockOrgTree(db: Executor): Promise<void> {
    // Serializes tree moves so that two concurrent moves cannot build a cycle together.
    await sql`select pg_advisory_xact_lock(${0x5359_0002})`.execute(db);
  }

  // ---- users ----
  private userQuery(db: Executor) {
    return db.selectFrom('users as u').selectAll('u').select(rolesOf('u.id').as('roles'));
  }

  getUser(db: Executor, id: string): Promise<UserWithRoles | undefined> {
    return this.userQuery(db).where('u.id', '=', id).executeTakeFirst();
  }

  getUserByUsername(db: Executor, username: string): Promise<UserWithRoles | undefined> {
    return this.userQuery(db)
      .where(sql<string>`lower(u.username)`, '=', username.toLowerCase())
      .executeTakeFirst();
  }

  /** Locks the user's row for the rest of the transaction (login counters, status changes). */
  getUserForUpdate(db: Executor, id: string): Promise<UserRow | undefined> {
    return db.selectFrom('users').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
  }

  async listUsers(db: Executor, f: UserFilter): Promise<{ items: UserWithRoles[]; total: number }> {
    let q = db.selectFrom('users as u');
    if (f.q) {
      const like = `%${f.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      q = q.where((eb) => eb.or([eb('u.username', 'ilike', like), eb('u.display_name', 'ilike', like)]));
    }
    if (f.orgIds) q = q.where('u.org_id', 'in', f.orgIds.length ? f.orgIds : ['00000000-0000-0000-0000-000000000000']);
    if (f.role) {
      const role = f.role;
      q = q.where((eb) =>
        eb.exists(eb.selectFrom('user_roles as r').select('r.user_id').whereRef('r.user_id', '=', 'u.id').where('r.role', '=', role)),
      );
    }
    if (f.status === 'locked') q = q.where('u.locked_until', '>', sql<Date>`now()`);
    else if (f.status) q = q.where('u.status', '=', f.status);
    const [{ total } = { total: 0 }] = await q.select((eb) => eb.fn.countAll<number>().as('total')).execute();
    const items = await q
      .selectAll('u')
      .select(rolesOf('u.id').as('roles'))
      .orderBy('u.created_at')
      .orderBy('u.username')
      .limit(f.limit)
      .offset(f.offset)
      .execute();
    return { items, total: Number(total) };
  }

  insertUser(db: Executor, u: { username: string; displayName: string; orgId: string; passwordHash: string }): Promise<UserRow> {
    return db
      .insertInto('users')
      .values({ username: u.username, display_name: u.displayName, org_id: u.orgId, password_hash: u.passwordHash })
      .returningAll()
      .executeTakeFirstOrThrow();
  }

  async updateUser(
    db: Executor,
    id: string,
    patch: Partial<
      Pick<
        UserRow,
        'display_name' | 'org_id' | 'status' | 'failed_logins' | 'locked_until' | 'password_hash' | 'password_changed_at' | 'last_login_at'
      >
    >,
  ): Promise<void> {
    await db
      .updateTable('users')
      .set({ ...patch, updated_at: sql<Date>`now()` })
      .where('id', '=', id)
      .execute();
  }

  async setRoles(db: Executor, userId: string, roles: Role[]): Promise<void> {
    await db.deleteFrom('user_roles').where('user_id', '=', userId).execute();
    if (roles.length)
      await db
        .insertInto('user_roles')
        .values(roles.map((role) => ({ user_id: userId, role })))
        .execute();
  }

  async countActiveAdmins(db: Executor, exceptUserId?: string): Promise<number> {
    let q = db
      .selectFrom('users as u')
      .innerJoin('user_roles as r', 'r.user_id', 'u.id')
      .where('r.role', '=', 'authority_admin')
      .where('u.status', '=', 'active');
    if (exceptUserId) q = q.where('u.id', '<>', exceptUserId);
    const row = await q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    return Number(row.n);
  }

  async counts(db: Executor): Promise<{ organizations: number; users: number; activeUsers: number }> {
    const row = await sql<{ organizations: number; users: number; active_users: number }>`
      select (select count(*) from organizations)::int8 as organizations,
             (select count(*) from users)::int8 as users,
             (select count(*) from users where status = 'active')::int8 as active_users`.execute(db);
    const r = row.rows[0]!;
    return { organizations: Number(r.organizations), users: Number(r.users), activeUsers: Number(r.active_users) };
  }

  // ---- sessions ----
  async insertSession(
    db: Executor,
    s: { id: string; userId: string; csrfHash: string; expiresAt: Date; ip: string | null; userAgent: string | null },
  ): Promise<void> {
    await db
      .insertInto('sessions')
      .values({ id: s.id, user_id: s.userId, csrf_hash: s.csrfHash, expires_at: s.expiresAt, ip: s.ip, user_agent: s.userAgent })
      .execute();
  }

  /** A live session of an active user, or undefined. */
  async getLiveSession(db: Executor, id: string): Promise<SessionUser | undefined> {
    return db
      .selectFrom('sessions as s')
      .innerJoin('users as u', 'u.id', 's.user_id')
      .where('s.id', '=', id)
      .where('s.revoked_at', 'is', null)
      .where('s.expires_at', '>', sql<Date>`now()`)
      .where('u.status', '=', 'active')
      .select([
        's.id as session_id',
        's.csrf_hash',
        sql<Date>`s.expires_at`.as('expires_at'),
        's.last_seen_at',
        'u.id as user_id',
        'u.username',
        'u.display_name',
        'u.org_id',
      ])
      .select(rolesOf('u.id').as('roles'))
      .executeTakeFirst();
  }

  async touchSession(db: Executor, id: string, expiresAt: Date): Promise<void> {
    await db
      .updateTable('sessions')
      .set({ last_seen_at: sql<Date>`now()`, expires_at: expiresAt })
      .where('id', '=', id)
      .where('revoked_at', 'is', null)
      .execute();
  }

  async revokeSession(db: Executor, id: string): Promise<number> {
    const r = await db
      .updateTable('sessions')
      .set({ revoked_at: sql<Date>`now()` })
      .where('id', '=', id)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return Number(r.numUpdatedRows);
  }

  /** Revokes every live session of a user, except `keep`; returns how many. */
  async revokeUserSessions(db: Executor, userId: string, keep?: string): Promise<number> {
    let q = db
      .updateTable('sessions')
      .set({ revoked_at: sql<Date>`now()` })
      .where('user_id', '=', userId)
      .where('revoked_at', 'is', null);
    if (keep) q = q.where('id', '<>', keep);
    const r = await q.executeTakeFirst();
    return Number(r.numUpdatedRows);
  }

  async deleteExpiredSessions(db: Executor, olderThanDays: number): Promise<void> {
    await db
      .deleteFrom('sessions')
      .where((eb) =>
        eb.or([
          eb('expires_at', '<', sql<Date>`now() - make_interval(days => ${olderThanDays})`),
          eb('revoked_at', '<', sql<Date>`now() - make_interval(days => ${olderThanDays})`),
        ]),
      )
      .execute();
  }

  // ---- ID numbers (migrations/0013_gateway.sql: the data-subject view) ----
  async idNumberOf(db: Executor, userId: string): Promise<string | null> {
    const { rows } = await sql<{ id_number: string | null }>`select id_number from users where id = ${userId}`.execute(db);
    return rows[0]?.id_number ?? null;
  }

  async setIdNumber(db: Executor, username: string, idNumber: string): Promise<Array<{ id: string; org_id: string }>> {
    const { rows } = await sql<{ id: string; org_id: string }>`
      update users set id_number = ${idNumber}, updated_at = now() where lower(username) = lower(${username}) and id_number is null
      returning id, org_id`.execute(db);
    return rows;
  }

  // ---- API keys ----
  insertApiKey(
    db: Executor,
    k: { userId: string; name: string; appKey: string; secretSha256: string; secretEnc: string; applicationId?: string | null },
  ): Promise<ApiKeyRow> {
    return db
      .insertInto('api_keys')
      .values({
        user_id: k.userId,
        name: k.name,
        app_key: k.appKey,
        secret_sha256: k.secretSha256,
        secret_enc: k.secretEnc,
        application_id: k.applicationId ?? null,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
  }

  listApiKeys(db: Executor, userId: string | null, applicationId?: string): Promise<Array<ApiKeyRow & { username: string }>> {
    let q = db.selectFrom('api_keys as k').innerJoin('users as u', 'u.id', 'k.user_id').selectAll('k').select('u.username');
    if (userId) q = q.where('k.user_id', '=', userId);
    if (applicationId) q = q.where('k.application_id', '=', applicationId);
    return q.orderBy('k.created_at', 'desc').execute();
  }

  getApiKey(db: Executor, id: string): Promise<ApiKeyRow | undefined> {
    return db.selectFrom('api_keys').selectAll().where('id', '=', id).executeTakeFirst();
  }

  /** A live key of an active user, with the owner (for the signature check). */
  getLiveApiKeyByAppKey(db: Executor, appKey: string) {
    return (
      db
        .selectFrom('api_keys as k')
        .innerJoin('users as u', 'u.id', 'k.user_id')
        .where('k.app_key', '=', appKey)
        .where('k.revoked_at', 'is', null)
        .where('u.status', '=', 'active')
        // A key of a disabled application (migrations/0013_gateway.sql) no longer signs.
        .where(
          // Parenthesized: Kysely joins where() calls with "and" without wrapping raw SQL, and an unwrapped "or"
          // let any key of an active application (another one's, a revoked one) match every AppKey.
          sql<boolean>`(k.application_id is null or exists (select 1 from applications a where a.id = k.application_id and a.state = 'active'))`,
        )
        .select([
          'k.id',
          'k.app_key',
          'k.secret_enc',
          'k.last_used_at',
          'k.application_id',
          'u.id as user_id',
          'u.username',
          'u.display_name',
          'u.org_id',
        ])
        .select(rolesOf('u.id').as('roles'))
        .executeTakeFirst()
    );
  }

  async revokeApiKey(db: Executor, id: string): Promise<void> {
    await db
      .updateTable('api_keys')
      .set({ revoked_at: sql<Date>`now()` })
      .where('id', '=', id)
      .where('revoked_at', 'is', null)
      .execute();
  }

  async touchApiKey(db: Executor, id: string): Promise<void> {
    await db
      .updateTable('api_keys')
      .set({ last_used_at: sql<Date>`now()` })
      .where('id', '=', id)
      .execute();
  }

  /** Remembers many nonces in one statement; true for each one not seen before (a repeat in the list: false). */
  async rememberNonces(db: Executor, items: { appKey: string; nonce: string }[]): Promise<boolean[]> {
    const { rows } = await sql<{ app_key: string; nonce: string }>`
      insert into api_key_nonces (app_key, nonce)
      select k, n from unnest(${items.map((i) => i.appKey)}::text[], ${items.map((i) => i.nonce)}::text[]) as t(k, n)
      on conflict do nothing returning app_key, nonce`.execute(db);
    const fresh = new Set(rows.map((r) => `${r.app_key}\n${r.nonce}`));
    return items.map((i) => fresh.delete(`${i.appKey}\n${i.nonce}`));
  }

  async forgetNoncesOlderThan(db: Executor, seconds: number): Promise<void> {
    await db
      .deleteFrom('api_key_nonces')
      .where('seen_at', '<', sql<Date>`now() - make_interval(secs => ${seconds})`)
      .execute();
  }

  async seedLock(db: Executor): Promise<void> {
    await sql`select pg_advisory_xact_lock(${0x5359_0003})`.execute(db);
  }
}
