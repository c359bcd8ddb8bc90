// Identity: organizations, users, roles, password login with lockout, sessions, API keys, the demo seed.
//
// Authorization: every public method that changes or reveals something takes the acting Actor and calls
// authz.authorize() itself, after loading the object (so the org/owner scope is checked on the real row).
// Routes are thin; the CLI goes through the same checks (as SYSTEM).
//
// Decisions (also in docs/architecture.md):
// * Unknown username and wrong password give the same 401 AUTH_INVALID_CREDENTIALS; an unknown username
//   costs one scrypt verification too. A disabled user gets 403 AUTH_USER_DISABLED, but only after the right
//   password was given, so the state is revealed only to the account's holder.
// * After loginMaxFailures consecutive wrong passwords the account is locked for lockoutMinutes (429
//   AUTH_LOCKED, details.lockedUntil, Retry-After). The attempt that reaches the limit already answers 429.
// * Per client IP, more than loginMaxFailures × 10 failed logins within lockoutMinutes answer 429
//   AUTH_THROTTLED (in memory, per process: it slows down username spraying that per-account lockout misses).
// * Sessions: the cookie carries a random 32-byte token; the database keeps its SHA-256 only. Idle lifetime
//   sessionHours, slid forward at most once a minute. Resolved sessions are cached per process for
//   SESSION_CACHE_MS: logout, disable, password change and role changes in this process take effect at once,
//   in other processes of a scaled-out deployment within SESSION_CACHE_MS.
// * Session touches, API-key last-use stamps and nonces are bookkeeping, not state changes: no ledger entry.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import type { Config } from '../../config.ts';
import type { Logger } from '../../context.ts';
import type { Db, Executor } from '../../db/database.ts';
import { AppError } from '../../errors.ts';
import type { LedgerService } from '../ledger/service.ts';
import type { DemoLogin, DemoSummary } from '../../seed.ts';
import { ANONYMOUS, ORG_KINDS, ROLES, SYSTEM, type Actor, type OrgKind, type Role } from './actor.ts';
import type { Authorizer } from './authorize.ts';
import {
  NONCE_PATTERN,
  SIGNATURE_HEADERS,
  SecretBox,
  computeSignature,
  newAppKey,
  newAppSecret,
  sha256Hex,
  signaturesEqual,
  stringToSign,
} from './apikeys.ts';
import { assertPasswordPolicy, dummyHash, hashPassword, verifyPassword } from './passwords.ts';
import { IdentityRepository, type ApiKeyRow, type OrgRow, type SessionUser, type UserWithRoles } from './repository.ts';
import type { ApiKeyT, CreateOrgInput, MeT, OrgT, UpdateOrgInput, UpdateUserInput, UserT } from './schemas.ts';
import { isValidUscc, makeUscc } from './uscc.ts';
import { GroupCommit } from '../../db/group-commit.ts';
import { TtlCache } from '../../ttl-cache.ts';

type LiveApiKey = NonNullable<Awaited<ReturnType<IdentityRepository['getLiveApiKeyByAppKey']>>>;

export const SESSION_COOKIE = 'sy_session';
export const CSRF_COOKIE = 'sy_csrf';
export const CSRF_HEADER = 'x-csrf-token';
const SESSION_CACHE_MS = 5_000;
const SESSION_TOUCH_MS = 60_000;
const SESSION_CACHE_MAX = 50_000;

export interface CreateUserInput {
  username: string;
  password: string;
  displayName: string;
  orgId?: string;
  orgCode?: string;
  roles: Role[];
}

export interface LoginMeta {
  ip: string | null;
  userAgent: string | null;
}

export interface LoginResult {
  me: MeT;
  sessionToken: string;
  csrfToken: string;
}

export interface SessionAuth {
  actor: Actor;
  csrfHash: string;
  /** True when the session's expiry was just slid forward (re-send the cookie). */
  touched: boolean;
}

interface CachedSession {
  row: SessionUser;
  actor: Actor;
  at: number;
}

const tokenHash = (token: string) => createHash('sha256').update(token).digest('hex');
const iso = (d: Date | string | null | undefined): string | null => (d == null ? null : new Date(d).toISOString());
const fieldError = (field: string, code = 'VALIDATION_FAILED') => new AppError(400, code, { detail: field, field }, { field });

function isUniqueViolation(e: unknown, constraint?: string): boolean {
  const err = e as { code?: string; constraint?: string };
  return err?.code === '23505' && (!constraint || err.constraint === constraint);
}

export class IdentityService {
  readonly repo = new IdentityRepository();
  readonly secrets: SecretBox;
  #sessions = new Map<string, CachedSession>();
  #ipFailures = new Map<string, { count: number; since: number }>();
  #lastNonceSweep = 0;
  /** Nonces of concurrent signed requests, remembered together (one commit for all; a replay is still refused). */
  readonly #nonces = new GroupCommit<{ appKey: string; nonce: string }, boolean>((items) => this.repo.rememberNonces(this.db, items));
  #lastSessionSweep = 0;
  /**
   * Live API keys by AppKey with their opened secret, for HOT_PATH_TTL_MS (every signed call reads one). A revoke,
   * a user change or an application disabled in this process clears it at once (forgetApiKeys); another process
   * sees the change within the TTL.
   */
  readonly #apiKeys = new TtlCache<string, { key: LiveApiKey; secret: string | null } | null>();

  constructor(
    readonly db: Db,
    readonly config: Config,
    readonly ledger: LedgerService,
    readonly authz: Authorizer,
    readonly log: Logger,
  ) {
    this.secrets = new SecretBox(config.dataDir);
  }

  // ======================================================================= actors and sessions

  async actorFor(
    u: { user_id: string; username: string; display_name: string; org_id: string; roles: Role[] },
    kind: 'user' | 'api_key',
    extra: { sessionId?: string; apiKeyId?: string; applicationId?: string } = {},
  ): Promise<Actor> {
    return {
      kind,
      userId: u.user_id,
      username: u.username,
      displayName: u.display_name,
      orgId: u.org_id,
      orgPath: await this.authz.orgs.path(u.org_id),
      roles: [...u.roles],
      ...extra,
    };
  }

  /** Resolves a session cookie to an actor (null: no live session). */
  async authenticateSession(token: string): Promise<SessionAuth | null> {
    if (!token || token.length > 128) return null;
    const id = tokenHash(token);
    const now = Date.now();
    const cached = this.#sessions.get(id);
    if (cached && now - cached.at < SESSION_CACHE_MS && cached.row.expires_at.getTime() > now) {
      return { actor: cached.actor, csrfHash: cached.row.csrf_hash, touched: false };
    }
    const row = await this.repo.getLiveSession(this.db, id);
    if (!row) {
      this.#sessions.delete(id);
      return null;
    }
    let touched = false;
    if (now - new Date(row.last_seen_at).getTime() >= SESSION_TOUCH_MS) {
      const expiresAt = new Date(now + this.config.sessionHours * 3600_000);
      await this.repo.touchSession(this.db, id, expiresAt);
      row.expires_at = expiresAt;
      row.last_seen_at = new Date(now);
      touched = true;
    }
    const actor = await this.actorFor(row, 'user', { sessionId: id });
    if (this.#sessions.size >= SESSION_CACHE_MAX) this.#sessions.clear();
    this.#sessions.set(id, { row: { ...row, expires_at: new Date(row.expires_at) }, actor, at: now });
    return { actor, csrfHash: row.csrf_hash, touched };
  }

  /** True when the CSRF token matches the session's (constant time). */
  checkCsrf(auth: SessionAuth, token: string | undefined): boolean {
    if (!token || token.length > 128) return false;
    return timingSafeEqual(Buffer.from(tokenHash(token), 'hex'), Buffer.from(auth.csrfHash, 'hex'));
  }

  private forgetSession(id: string) {
    this.#sessions.delete(id);
  }

  private forgetUser(userId: string) {
    this.forgetApiKeys();
    for (const [id, s] of this.#sessions) if (s.row.user_id === userId) this.#sessions.delete(id);
  }

  /** Drops every cached session (org tree moves change every actor's orgPath). */
  private forgetAll() {
    this.forgetApiKeys();
    this.#sessions.clear();
  }

  // ======================================================================= API-key signatures

  /** Verifies a signed request (headers x-shuyuan-*) and returns the key's actor; throws 401 otherwise. */
  async authenticateApiKey(req: FastifyRequest): Promise<Actor> {
    const h = (name: string) => {
      const v = req.headers[name];
      return typeof v === 'string' ? v : undefined;
    };
    const appKey = h(SIGNATURE_HEADERS.appKey);
    const timestamp = h(SIGNATURE_HEADERS.timestamp);
    const nonce = h(SIGNATURE_HEADERS.nonce);
    const signature = h(SIGNATURE_HEADERS.signature);
    const missing = Object.values(SIGNATURE_HEADERS).filter((n) => !h(n));
    if (missing.length) throw new AppError(401, 'SIGNATURE_INVALID', {}, { missing });
    if (!/^\d{1,12}$/.test(timestamp!)) throw new AppError(401, 'SIGNATURE_INVALID', {}, { header: SIGNATURE_HEADERS.timestamp });
    if (!NONCE_PATTERN.test(nonce!)) throw new AppError(401, 'SIGNATURE_INVALID', {}, { header: SIGNATURE_HEADERS.nonce });
    const live = appKey!.length <= 64 ? await this.#apiKeys.get(appKey!, () => this.loadApiKey(appKey!)) : null;
    if (!live?.secret) throw new AppError(401, 'API_KEY_INVALID');
    const { key, secret } = live;
    let body: Buffer;
    if (req.rawBody) body = req.rawBody;
    else if (req.body === undefined || req.body === null) body = Buffer.alloc(0);
    else if (Buffer.isBuffer(req.body)) body = req.body;
    else if (typeof req.body === 'string') body = Buffer.from(req.body, 'utf8');
    else throw new AppError(401, 'SIGNATURE_INVALID', {}, { reason: 'body not available for hashing' });
    const expected = computeSignature(secret, stringToSign(req.method, req.url, timestamp!, nonce!, body));
    if (!signaturesEqual(expected, signature!.toLowerCase())) throw new AppError(401, 'SIGNATURE_INVALID');
    const skew = Math.abs(Date.now() / 1000 - Number(timestamp));
    if (skew > this.config.signatureWindowSeconds) {
      throw new AppError(
        401,
        'SIGNATURE_EXPIRED',
        { window: this.config.signatureWindowSeconds },
        { windowSeconds: this.config.signatureWindowSeconds, serverTime: Math.floor(Date.now() / 1000) },
      );
    }
    if (!(await this.#nonces.add({ appKey: key.app_key, nonce: nonce! }))) throw new AppError(401, 'SIGNATURE_REPLAYED');
    const now = Date.now();
    if (!key.last_used_at || now - new Date(key.last_used_at).getTime() >= 60_000) {
      key.last_used_at = new Date(now);
      await this.repo.touchApiKey(this.db, key.id);
    }
    if (now - this.#lastNonceSweep > 60_000) {
      this.#lastNonceSweep = now;
      await this.repo.forgetNoncesOlderThan(this.db, 2 * this.config.signatureWindowSeconds + 60);
    }
    return this.actorFor(key, 'api_key', { apiKeyId: key.id, ...(key.application_id ? { applicationId: key.application_id } : {}) });
  }

  private async loadApiKey(appKey: string): Promise<{ key: LiveApiKey; secret: string | null } | null> {
    const key = await this.repo.getLiveApiKeyByAppKey(this.db, appKey);
    if (!key) return null;
    try {
      return { key, secret: await this.secrets.open(key.secret_enc, key.app_key) };
    } catch (e) {
      this.log.error({ err: e, apiKeyId: key.id }, 'cannot decrypt an API-key secret (master key changed?)');
      return { key, secret: null };
    }
  }

  /**
   * An application token (X-App-Token, docs/portal.md): the AppKey of a live API key identifies the application
   * for rate limiting only (it authenticates nothing). True when such a key exists and is active.
   */
  async appTokenValid(appKey: string): Promise<boolean> {
    if (appKey.length > 64 || !/^[A-Za-z0-9_-]+$/.test(appKey)) return false;
    return !!(await this.#apiKeys.get(appKey, () => this.loadApiKey(appKey)));
  }

  /** Forgets the cached API keys (a key, its user or its application changed). */
  forgetApiKeys(): void {
    this.#apiKeys.clear();
  }

  // ======================================================================= login, logout, password

  private ipThrottle(ip: string | null): void {
    if (!ip) return;
    const entry = this.#ipFailures.get(ip);
    const windowMs = this.config.lockoutMinutes * 60_000;
    if (!entry || Date.now() - entry.since > windowMs) return;
    if (entry.count >= this.config.loginMaxFailures * 10) {
      const retryAfter = Math.max(1, Math.ceil((entry.since + windowMs - Date.now()) / 1000));
      throw new AppError(429, 'AUTH_THROTTLED', { retryAfter }, { retryAfter });
    }
  }

  private noteIpFailure(ip: string | null): void {
    if (!ip) return;
    const now = Date.now();
    const entry = this.#ipFailures.get(ip);
    if (!entry || now - entry.since > this.config.lockoutMinutes * 60_000) {
      if (this.#ipFailures.size > 100_000) this.#ipFailures.clear();
      this.#ipFailures.set(ip, { count: 1, since: now });
    } else entry.count++;
  }

  async login(username: string, password: string, meta: LoginMeta, current?: Actor): Promise<LoginResult> {
    await this.authz.authorize(ANONYMOUS, 'auth.login', { type: 'session' });
    this.ipThrottle(meta.ip);
    const details = { username: username.slice(0, 64), ip: meta.ip, userAgent: meta.userAgent?.slice(0, 200) ?? null };
    const user = await this.repo.getUserByUsername(this.db, username);
    if (!user) {
      await verifyPassword(password, await dummyHash());
      this.noteIpFailure(meta.ip);
      await this.db.transaction().execute((tx) =>
        this.ledger.append(tx, {
          actor: ANONYMOUS,
          action: 'auth.login_failed',
          objectType: 'user',
          objectId: null,
          details: { ...details, reason: 'unknown_user' },
        }),
      );
      throw new AppError(401, 'AUTH_INVALID_CREDENTIALS');
    }
    const userActor = await this.actorFor({ ...user, user_id: user.id }, 'user');
    if (user.locked_until && new Date(user.locked_until).getTime() > Date.now()) {
      this.noteIpFailure(meta.ip);
      await this.db.transaction().execute((tx) =>
        this.ledger.append(tx, {
          actor: ANONYMOUS,
          action: 'auth.login_failed',
          objectType: 'user',
          objectId: user.id,
          orgId: user.org_id,
          details: { ...details, reason: 'locked' },
        }),
      );
      throw this.lockedError(new Date(user.locked_until));
    }
    if (!(await verifyPassword(password, user.password_hash))) {
      this.noteIpFailure(meta.ip);
      const lockedUntil = await this.db.transaction().execute(async (tx) => {
        const row = await this.repo.getUserForUpdate(tx, user.id);
        const failures = (row?.failed_logins ?? 0) + 1;
        const lock = failures >= this.config.loginMaxFailures ? new Date(Date.now() + this.config.lockoutMinutes * 60_000) : null;
        await this.repo.updateUser(tx, user.id, lock ? { failed_logins: 0, locked_until: lock } : { failed_logins: failures });
        await this.ledger.append(tx, {
          actor: ANONYMOUS,
          action: 'auth.login_failed',
          objectType: 'user',
          objectId: user.id,
          orgId: user.org_id,
          details: { ...details, reason: 'bad_password', failures },
        });
        if (lock) {
          await this.ledger.append(tx, {
            actor: ANONYMOUS,
            action: 'auth.locked',
            objectType: 'user',
            objectId: user.id,
            orgId: user.org_id,
            details: { username: user.username, lockedUntil: lock.toISOString(), failures, ip: meta.ip },
          });
        }
        return lock;
      });
      if (lockedUntil) throw this.lockedError(lockedUntil);
      throw new AppError(401, 'AUTH_INVALID_CREDENTIALS');
    }
    if (user.status !== 'active') {
      await this.db.transaction().execute((tx) =>
        this.ledger.append(tx, {
          actor: ANONYMOUS,
          action: 'auth.login_failed',
          objectType: 'user',
          objectId: user.id,
          orgId: user.org_id,
          details: { ...details, reason: 'disabled' },
        }),
      );
      throw new AppError(403, 'AUTH_USER_DISABLED');
    }
    if (Date.now() - this.#lastSessionSweep > 3600_000) {
      // Housekeeping: forget sessions that ended more than a week ago.
      this.#lastSessionSweep = Date.now();
      await this.repo.deleteExpiredSessions(this.db, 7);
    }
    const sessionToken = randomBytes(32).toString('base64url');
    const csrfToken = randomBytes(32).toString('base64url');
    const sessionId = tokenHash(sessionToken);
    await this.db.transaction().execute(async (tx) => {
      if (current?.sessionId) await this.repo.revokeSession(tx, current.sessionId);
      await this.repo.insertSession(tx, {
        id: sessionId,
        userId: user.id,
        csrfHash: tokenHash(csrfToken),
        expiresAt: new Date(Date.now() + this.config.sessionHours * 3600_000),
        ip: meta.ip,
        userAgent: meta.userAgent?.slice(0, 500) ?? null,
      });
      await this.repo.updateUser(tx, user.id, { failed_logins: 0, locked_until: null, last_login_at: new Date() });
      await this.ledger.append(tx, {
        actor: { ...userActor, sessionId },
        action: 'auth.login',
        objectType: 'user',
        objectId: user.id,
        details: { ip: meta.ip, userAgent: details.userAgent },
      });
    });
    if (current?.sessionId) this.forgetSession(current.sessionId);
    return { me: await this.me({ ...userActor, sessionId }), sessionToken, csrfToken };
  }

  private lockedError(until: Date): AppError {
    const retryAfter = Math.max(1, Math.ceil((until.getTime() - Date.now()) / 1000));
    return new AppError(
      429,
      'AUTH_LOCKED',
      { lockedUntil: until.toISOString(), minutes: Math.ceil(retryAfter / 60) },
      { lockedUntil: until.toISOString(), retryAfter },
    );
  }

  async logout(actor: Actor): Promise<void> {
    await this.authz.authorize(actor, 'auth.logout', { type: 'session', id: actor.sessionId ?? null, userId: actor.userId });
    const sessionId = actor.sessionId;
    if (!sessionId) return;
    await this.db.transaction().execute(async (tx) => {
      if (!(await this.repo.revokeSession(tx, sessionId))) return;
      await this.ledger.append(tx, { actor, action: 'auth.logout', objectType: 'user', objectId: actor.userId });
    });
    this.forgetSession(sessionId);
  }

  async logoutAll(actor: Actor): Promise<{ revoked: number }> {
    await this.authz.authorize(actor, 'auth.logout_all', { type: 'session', userId: actor.userId });
    const userId = actor.userId!;
    const revoked = await this.db.transaction().execute(async (tx) => {
      const n = await this.repo.revokeUserSessions(tx, userId);
      await this.ledger.append(tx, {
        actor,
        action: 'auth.logout_all',
        objectType: 'user',
        objectId: userId,
        details: { sessionsRevoked: n },
      });
      return n;
    });
    this.forgetUser(userId);
    return { revoked };
  }

  async changePassword(actor: Actor, currentPassword: string, newPassword: string): Promise<void> {
    await this.authz.authorize(actor, 'user.change_password', { type: 'user', id: actor.userId, userId: actor.userId, orgId: actor.orgId });
    const user = await this.repo.getUser(this.db, actor.userId!);
    if (!user) throw new AppError(401, 'UNAUTHENTICATED');
    if (!(await verifyPassword(currentPassword, user.password_hash))) {
      throw new AppError(400, 'CURRENT_PASSWORD_WRONG', {}, { field: 'currentPassword' });
    }
    assertPasswordPolicy(newPassword, user.username, 'newPassword', currentPassword);
    const hash = await hashPassword(newPassword);
    await this.db.transaction().execute(async (tx) => {
      await this.repo.updateUser(tx, user.id, { password_hash: hash, password_changed_at: new Date() });
      const n = await this.repo.revokeUserSessions(tx, user.id, actor.sessionId);
      await this.ledger.append(tx, {
        actor,
        action: 'user.change_password',
        objectType: 'user',
        objectId: user.id,
        details: { otherSessionsRevoked: n },
      });
    });
    this.forgetUser(user.id);
  }

  async me(actor: Actor): Promise<MeT> {
    await this.authz.authorize(actor, 'user.read', { type: 'user', id: actor.userId, userId: actor.userId, orgId: actor.orgId });
    const org = await this.authz.orgs.get(actor.orgId!);
    if (!org) throw new AppError(401, 'UNAUTHENTICATED');
    return {
      id: actor.userId!,
      username: actor.username!,
      displayName: actor.displayName ?? actor.username!,
      roles: actor.roles,
      org: { id: org.id, code: org.code, nameZh: org.nameZh, nameEn: org.nameEn, kind: org.kind },
      authMethod: actor.kind === 'api_key' ? 'api_key' : 'session',
    };
  }

  // ======================================================================= API keys

  private apiKeyView(k: ApiKeyRow & { username: string }): ApiKeyT {
    return {
      id: k.id,
      name: k.name,
      appKey: k.app_key,
      userId: k.user_id,
      username: k.username,
      secretSha256Prefix: k.secret_sha256.slice(0, 12),
      createdAt: iso(k.created_at)!,
      lastUsedAt: iso(k.last_used_at),
      revokedAt: iso(k.revoked_at),
    };
  }

  /** A key of the actor; `applicationId`: bound to an application of the actor's organization (the caller checked it). */
  async createApiKey(
    actor: Actor,
    name: string,
    opts: { applicationId?: string } = {},
  ): Promise<{ id: string; name: string; appKey: string; appSecret: string }> {
    await this.authz.authorize(actor, 'api_key.create', { type: 'api_key', userId: actor.userId, orgId: actor.orgId });
    const appKey = newAppKey();
    const appSecret = newAppSecret();
    const secretEnc = await this.secrets.seal(appSecret, appKey);
    const row = await this.db.transaction().execute(async (tx) => {
      const r = await this.repo.insertApiKey(tx, {
        userId: actor.userId!,
        name: name.trim(),
        appKey,
        secretSha256: sha256Hex(appSecret),
        secretEnc,
        applicationId: opts.applicationId ?? null,
      });
      await this.ledger.append(tx, {
        actor,
        action: 'api_key.create',
        objectType: 'api_key',
        objectId: r.id,
        details: { name: r.name, appKey, ...(opts.applicationId ? { applicationId: opts.applicationId } : {}) },
      });
      return r;
    });
    return { id: row.id, name: row.name, appKey, appSecret };
  }

  /** The user's own 公民身份号码 (real-name identity), for the data-subject view; null when not on record. */
  async idNumberOf(userId: string): Promise<string | null> {
    return this.repo.idNumberOf(this.db, userId);
  }

  /** Records a user's ID number (the demo seed gives the public user one; a real deployment's identity check would). */
  async setIdNumber(actor: Actor, username: string, idNumber: string): Promise<void> {
    await this.db.transaction().execute(async (tx) => {
      const rows = await this.repo.setIdNumber(tx, username, idNumber);
      if (!rows[0]) return;
      await this.ledger.append(tx, {
        actor,
        action: 'user.set_id_number',
        objectType: 'user',
        objectId: rows[0].id,
        orgId: rows[0].org_id,
        details: { username, idNumberSuffix: idNumber.slice(-4) },
      });
    });
  }

  /** The keys of one application (the applications module checked the actor may see it). */
  async applicationKeys(applicationId: string): Promise<ApiKeyT[]> {
    return (await this.repo.listApiKeys(this.db, null, applicationId)).map((r) => this.apiKeyView(r));
  }

  async listApiKeys(actor: Actor, all: boolean): Promise<ApiKeyT[]> {
    if (all) await this.authz.authorize(actor, 'api_key.read', { type: 'api_key' });
    else await this.authz.authorize(actor, 'api_key.read', { type: 'api_key', userId: actor.userId, orgId: actor.orgId });
    const rows = await this.repo.listApiKeys(this.db, all ? null : actor.userId);
    return rows.map((r) => this.apiKeyView(r));
  }

  /** `opts.applicationManaged`: the applications module checked that the actor manages the key's application. */
  async revokeApiKey(actor: Actor, id: string, opts: { applicationManaged?: boolean } = {}): Promise<void> {
    const key = await this.repo.getApiKey(this.db, id);
    if (!key) throw new AppError(404, 'API_KEY_NOT_FOUND', {}, { id });
    const owner = await this.repo.getUser(this.db, key.user_id);
    if (!opts.applicationManaged || !key.application_id)
      await this.authz.authorize(actor, 'api_key.revoke', { type: 'api_key', id, userId: key.user_id, orgId: owner?.org_id ?? null });
    if (key.revoked_at) return;
    await this.db.transaction().execute(async (tx) => {
      await this.repo.revokeApiKey(tx, id);
      await this.ledger.append(tx, {
        actor,
        action: 'api_key.revoke',
        objectType: 'api_key',
        objectId: id,
        orgId: owner?.org_id ?? null,
        details: { appKey: key.app_key, owner: owner?.username ?? null },
      });
    });
    this.forgetApiKeys();
  }

  // ======================================================================= organizations

  private orgView(o: OrgRow): OrgT {
    return {
      id: o.id,
      parentId: o.parent_id,
      code: o.code,
      nameZh: o.name_zh,
      nameEn: o.name_en,
      kind: o.kind,
      creditCode: o.credit_code,
      status: o.status,
      createdAt: iso(o.created_at)!,
    };
  }

  async listOrgs(actor: Actor): Promise<OrgT[]> {
    await this.authz.authorize(actor, 'org.read', { type: 'org' });
    return (await this.repo.listOrgs(this.db)).map((o) => this.orgView(o));
  }

  async getOrg(actor: Actor, id: string): Promise<OrgT> {
    const org = await this.repo.getOrg(this.db, id);
    if (!org) throw new AppError(404, 'ORG_NOT_FOUND', {}, { id });
    await this.authz.authorize(actor, 'org.read', { type: 'org', id, orgId: id });
    return this.orgView(org);
  }

  private checkCreditCode(code: string | null | undefined): void {
    if (code && !isValidUscc(code)) throw new AppError(400, 'CREDIT_CODE_INVALID', {}, { field: 'creditCode' });
  }

  async createOrg(actor: Actor, input: CreateOrgInput): Promise<OrgT> {
    const parentId = input.parentId ?? null;
    if (!/^[A-Za-z0-9_-]{1,32}$/.test(input.code)) throw fieldError('code');
    if (!ORG_KINDS.includes(input.kind)) throw fieldError('kind');
    if (!input.nameZh?.trim()) throw fieldError('nameZh');
    this.checkCreditCode(input.creditCode);
    await this.authz.authorize(actor, 'org.create', { type: 'org', orgId: parentId });
    const created = await this.db.transaction().execute(async (tx) => {
      await this.repo.lockOrgTree(tx);
      if (parentId && !(await this.repo.getOrg(tx, parentId))) throw new AppError(400, 'ORG_UNKNOWN', {}, { field: 'parentId' });
      if (await this.repo.getOrgByCode(tx, input.code)) throw new AppError(409, 'ORG_CODE_TAKEN', { code: input.code }, { field: 'code' });
      let org: OrgRow;
      try {
        org = await this.repo.insertOrg(tx, {
          parentId,
          code: input.code,
          nameZh: input.nameZh.trim(),
          nameEn: input.nameEn?.trim() ?? '',
          kind: input.kind,
          creditCode: input.creditCode ?? null,
        });
      } catch (e) {
        if (isUniqueViolation(e, 'organizations_credit_code_key'))
          throw new AppError(409, 'CREDIT_CODE_TAKEN', {}, { field: 'creditCode' });
        throw e;
      }
      await this.ledger.append(tx, {
        actor,
        action: 'org.create',
        objectType: 'org',
        objectId: org.id,
        orgId: org.id,
        details: { code: org.code, nameZh: org.name_zh, kind: org.kind, parentId },
      });
      return org;
    });
    this.authz.orgs.invalidate();
    return this.orgView(created);
  }

  async updateOrg(actor: Actor, id: string, input: UpdateOrgInput): Promise<OrgT> {
    const before = await this.repo.getOrg(this.db, id);
    if (!before) throw new AppError(404, 'ORG_NOT_FOUND', {}, { id });
    this.checkCreditCode(input.creditCode);
    await this.authz.authorize(actor, 'org.update', { type: 'org', id, orgId: id });
    if (input.parentId !== undefined && input.parentId !== before.parent_id) {
      await this.authz.authorize(actor, 'org.update', { type: 'org', id: input.parentId, orgId: input.parentId });
    }
    const moved = input.parentId !== undefined && input.parentId !== before.parent_id;
    const updated = await this.db.transaction().execute(async (tx) => {
      await this.repo.lockOrgTree(tx);
      if (moved && input.parentId) {
        const all = new Map((await this.repo.listOrgs(tx)).map((o) => [o.id, o]));
        if (!all.has(input.parentId)) throw new AppError(400, 'ORG_UNKNOWN', {}, { field: 'parentId' });
        // Walk up from the new parent: meeting the org itself means the move would close a cycle.
        for (let cur: string | null = input.parentId, hops = 0; cur && hops <= all.size; cur = all.get(cur)?.parent_id ?? null, hops++) {
          if (cur === id) throw new AppError(409, 'ORG_CYCLE', {}, { field: 'parentId', orgId: id, parentId: input.parentId });
        }
      }
      const patch: Parameters<IdentityRepository['updateOrg']>[2] = {};
      if (input.parentId !== undefined) patch.parent_id = input.parentId;
      if (input.nameZh !== undefined) patch.name_zh = input.nameZh.trim();
      if (input.nameEn !== undefined) patch.name_en = input.nameEn.trim();
      if (input.kind !== undefined) patch.kind = input.kind;
      if (input.creditCode !== undefined) patch.credit_code = input.creditCode;
      if (input.status !== undefined) patch.status = input.status;
      let org: OrgRow;
      try {
        org = Object.keys(patch).length ? await this.repo.updateOrg(tx, id, patch) : before;
      } catch (e) {
        if (isUniqueViolation(e, 'organizations_credit_code_key'))
          throw new AppError(409, 'CREDIT_CODE_TAKEN', {}, { field: 'creditCode' });
        throw e;
      }
      const changes: Record<string, { from: unknown; to: unknown }> = {};
      for (const k of Object.keys(patch) as Array<keyof typeof patch>) {
        if (before[k] !== org[k]) changes[k] = { from: before[k], to: org[k] };
      }
      if (Object.keys(changes).length) {
        await this.ledger.append(tx, {
          actor,
          action: moved ? 'org.move' : 'org.update',
          objectType: 'org',
          objectId: id,
          orgId: id,
          details: { code: org.code, changes },
        });
      }
      return org;
    });
    this.authz.orgs.invalidate();
    if (moved) this.forgetAll();
    return this.orgView(updated);
  }

  // ======================================================================= users

  private async userView(u: UserWithRoles): Promise<UserT> {
    const org = await this.authz.orgs.get(u.org_id);
    return {
      id: u.id,
      username: u.username,
      displayName: u.display_name,
      org: { id: u.org_id, code: org?.code ?? '', nameZh: org?.nameZh ?? '', nameEn: org?.nameEn ?? '' },
      roles: u.roles,
      status: u.status,
      lockedUntil: u.locked_until && new Date(u.locked_until).getTime() > Date.now() ? iso(u.locked_until) : null,
      lastLoginAt: iso(u.last_login_at),
      createdAt: iso(u.created_at)!,
    };
  }

  async listUsers(
    actor: Actor,
    f: { q?: string; orgId?: string; role?: Role; status?: 'active' | 'disabled' | 'locked'; page?: number; pageSize?: number },
  ): Promise<{ items: UserT[]; total: number }> {
    await this.authz.authorize(actor, 'user.read', { type: 'user', orgId: f.orgId ?? null });
    const pageSize = Math.min(Math.max(f.pageSize ?? 20, 1), 200);
    const page = Math.max(f.page ?? 1, 1);
    const { items, total } = await this.repo.listUsers(this.db, {
      q: f.q?.trim() || undefined,
      orgIds: f.orgId ? await this.authz.orgs.subtree(f.orgId) : undefined,
      role: f.role,
      status: f.status,
      limit: pageSize,
      offset: (page - 1) * pageSize,
    });
    return { items: await Promise.all(items.map((u) => this.userView(u))), total };
  }

  private async loadUser(id: string): Promise<UserWithRoles> {
    const u = await this.repo.getUser(this.db, id);
    if (!u) throw new AppError(404, 'USER_NOT_FOUND', {}, { id });
    return u;
  }

  private target(u: UserWithRoles) {
    return { type: 'user', id: u.id, userId: u.id, orgId: u.org_id };
  }

  async getUser(actor: Actor, id: string): Promise<UserT> {
    // Authorize before revealing whether the id exists (no probing of other users' ids).
    const u = await this.repo.getUser(this.db, id);
    await this.authz.authorize(actor, 'user.read', u ? this.target(u) : { type: 'user', id });
    if (!u) throw new AppError(404, 'USER_NOT_FOUND', {}, { id });
    return this.userView(u);
  }

  private async resolveOrg(ex: Executor, input: { orgId?: string; orgCode?: string }): Promise<OrgRow> {
    const field = input.orgId !== undefined ? 'orgId' : 'orgCode';
    let org: OrgRow | undefined;
    if (input.orgId !== undefined) org = /^[0-9a-f-]{36}$/i.test(input.orgId) ? await this.repo.getOrg(ex, input.orgId) : undefined;
    else if (input.orgCode !== undefined) org = await this.repo.getOrgByCode(ex, input.orgCode);
    if (!org) throw new AppError(400, 'ORG_UNKNOWN', {}, { field });
    return org;
  }

  private validRoles(roles: unknown): Role[] {
    if (!Array.isArray(roles) || !roles.length || roles.some((r) => !ROLES.includes(r as Role))) throw fieldError('roles');
    return [...new Set(roles as Role[])];
  }

  async createUser(actor: Actor, input: CreateUserInput): Promise<{ id: string }> {
    if (typeof input.username !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9._@-]{1,63}$/.test(input.username)) throw fieldError('username');
    const displayName = (input.displayName ?? '').trim();
    if (!displayName || displayName.length > 100) throw fieldError('displayName');
    const roles = this.validRoles(input.roles);
    const org = await this.resolveOrg(this.db, input);
    await this.authz.authorize(actor, 'user.create', { type: 'user', orgId: org.id });
    assertPasswordPolicy(input.password ?? '', input.username, 'password');
    if (await this.repo.getUserByUsername(this.db, input.username))
      throw new AppError(409, 'USERNAME_TAKEN', { username: input.username }, { field: 'username' });
    const hash = await hashPassword(input.password);
    try {
      return await this.db.transaction().execute(async (tx) => {
        const u = await this.repo.insertUser(tx, { username: input.username, displayName, orgId: org.id, passwordHash: hash });
        await this.repo.setRoles(tx, u.id, roles);
        await this.ledger.append(tx, {
          actor,
          action: 'user.create',
          objectType: 'user',
          objectId: u.id,
          orgId: org.id,
          details: { username: u.username, displayName, orgCode: org.code, roles },
        });
        return { id: u.id };
      });
    } catch (e) {
      if (isUniqueViolation(e, 'users_username_key'))
        throw new AppError(409, 'USERNAME_TAKEN', { username: input.username }, { field: 'username' });
      throw e;
    }
  }

  async createUserView(actor: Actor, input: CreateUserInput): Promise<UserT> {
    const { id } = await this.createUser(actor, input);
    return this.userView(await this.loadUser(id));
  }

  private async assertNotLastAdmin(userId: string, roles: Role[]): Promise<void> {
    if (!roles.includes('authority_admin')) return;
    if ((await this.repo.countActiveAdmins(this.db, userId)) === 0) throw new AppError(409, 'LAST_ADMIN');
  }

  async updateUser(actor: Actor, id: string, input: UpdateUserInput): Promise<UserT> {
    const u = await this.loadUser(id);
    await this.authz.authorize(actor, 'user.update', this.target(u));
    const changes: Record<string, { from: unknown; to: unknown }> = {};
    let newOrg: OrgRow | undefined;
    if (input.orgId !== undefined && input.orgId !== u.org_id) {
      newOrg = await this.resolveOrg(this.db, { orgId: input.orgId });
      await this.authz.authorize(actor, 'user.update', { type: 'user', id, userId: id, orgId: newOrg.id });
      changes.orgId = { from: u.org_id, to: newOrg.id };
    }
    const displayName = input.displayName?.trim();
    if (input.displayName !== undefined && !displayName) throw fieldError('displayName');
    if (displayName !== undefined && displayName !== u.display_name) changes.displayName = { from: u.display_name, to: displayName };
    let roles: Role[] | undefined;
    if (input.roles !== undefined) {
      roles = this.validRoles(input.roles);
      const same = roles.length === u.roles.length && roles.every((r) => u.roles.includes(r));
      if (!same) {
        if (u.roles.includes('authority_admin') && !roles.includes('authority_admin') && u.status === 'active')
          await this.assertNotLastAdmin(id, u.roles);
        changes.roles = { from: u.roles, to: [...roles].sort() };
      } else roles = undefined;
    }
    if (Object.keys(changes).length) {
      await this.db.transaction().execute(async (tx) => {
        const patch: Parameters<IdentityRepository['updateUser']>[2] = {};
        if (changes.displayName) patch.display_name = displayName!;
        if (newOrg) patch.org_id = newOrg.id;
        if (Object.keys(patch).length) await this.repo.updateUser(tx, id, patch);
        if (roles) await this.repo.setRoles(tx, id, roles);
        await this.ledger.append(tx, {
          actor,
          action: 'user.update',
          objectType: 'user',
          objectId: id,
          orgId: newOrg?.id ?? u.org_id,
          details: { username: u.username, changes },
        });
      });
      this.forgetUser(id);
    }
    return this.userView(await this.loadUser(id));
  }

  async disableUser(actor: Actor, id: string): Promise<UserT> {
    const u = await this.loadUser(id);
    await this.authz.authorize(actor, 'user.disable', this.target(u));
    if (u.status !== 'disabled') {
      if (actor.userId === id) throw new AppError(409, 'CANNOT_DISABLE_SELF');
      await this.assertNotLastAdmin(id, u.roles);
      await this.db.transaction().execute(async (tx) => {
        await this.repo.updateUser(tx, id, { status: 'disabled' });
        const n = await this.repo.revokeUserSessions(tx, id);
        await this.ledger.append(tx, {
          actor,
          action: 'user.disable',
          objectType: 'user',
          objectId: id,
          orgId: u.org_id,
          details: { username: u.username, sessionsRevoked: n },
        });
      });
      this.forgetUser(id);
    }
    return this.userView(await this.loadUser(id));
  }

  async enableUser(actor: Actor, id: string): Promise<UserT> {
    const u = await this.loadUser(id);
    await this.authz.authorize(actor, 'user.enable', this.target(u));
    if (u.status !== 'active') {
      await this.db.transaction().execute(async (tx) => {
        await this.repo.updateUser(tx, id, { status: 'active', failed_logins: 0, locked_until: null });
        await this.ledger.append(tx, {
          actor,
          action: 'user.enable',
          objectType: 'user',
          objectId: id,
          orgId: u.org_id,
          details: { username: u.username },
        });
      });
      this.forgetApiKeys(); // its keys sign again at once
    }
    return this.userView(await this.loadUser(id));
  }

  async unlockUser(actor: Actor, id: string): Promise<UserT> {
    const u = await this.loadUser(id);
    await this.authz.authorize(actor, 'user.unlock', this.target(u));
    await this.db.transaction().execute(async (tx) => {
      await this.repo.updateUser(tx, id, { failed_logins: 0, locked_until: null });
      await this.ledger.append(tx, {
        actor,
        action: 'user.unlock',
        objectType: 'user',
        objectId: id,
        orgId: u.org_id,
        details: { username: u.username, wasLockedUntil: iso(u.locked_until) },
      });
    });
    return this.userView(await this.loadUser(id));
  }

  async resetPassword(actor: Actor, id: string, password: string): Promise<UserT> {
    const u = await this.loadUser(id);
    await this.authz.authorize(actor, 'user.reset_password', this.target(u));
    assertPasswordPolicy(password, u.username, 'password');
    const hash = await hashPassword(password);
    await this.db.transaction().execute(async (tx) => {
      await this.repo.updateUser(tx, id, { password_hash: hash, password_changed_at: new Date(), failed_logins: 0, locked_until: null });
      const n = await this.repo.revokeUserSessions(tx, id);
      await this.ledger.append(tx, {
        actor,
        action: 'user.reset_password',
        objectType: 'user',
        objectId: id,
        orgId: u.org_id,
        details: { username: u.username, sessionsRevoked: n },
      });
    });
    this.forgetUser(id);
    return this.userView(await this.loadUser(id));
  }

  /** Platform counts for the home page. */
  counts(): Promise<{ organizations: number; users: number; activeUsers: number }> {
    return this.repo.counts(this.db);
  }

  // ======================================================================= demo world

  /** Seeds the demo organizations and one user per role; returns the demo logins. */
  async seedDemo(): Promise<DemoSummary> {
    const logins: DemoLogin[] = DEMO_USERS.map((u) => ({
      username: u.username,
      password: DEMO_PASSWORD,
      role: u.role,
      org: DEMO_ORGS.find((o) => o.code === u.org)!.nameZh,
    }));
    if (await this.repo.getUserByUsername(this.db, 'admin')) return { created: false, logins };
    const hashes = await Promise.all(DEMO_USERS.map(() => hashPassword(DEMO_PASSWORD)));
    const created = await this.db.transaction().execute(async (tx) => {
      await this.repo.seedLock(tx);
      // Another process seeded meanwhile, or this is a real deployment with users of its own: leave it.
      if (await this.repo.getUserByUsername(tx, 'admin')) return 'present' as const;
      if ((await this.repo.counts(tx)).users > 0) return 'foreign' as const;
      const ids = new Map<string, string>();
      for (const o of DEMO_ORGS) {
        const existing = await this.repo.getOrgByCode(tx, o.code);
        if (existing) {
          ids.set(o.code, existing.id);
          continue;
        }
        const parentId = o.parent ? ids.get(o.parent)! : null;
        const org = await this.repo.insertOrg(tx, {
          parentId,
          code: o.code,
          nameZh: o.nameZh,
          nameEn: o.nameEn,
          kind: o.kind,
          creditCode: o.creditCode,
        });
        ids.set(o.code, org.id);
        await this.ledger.append(tx, {
          actor: SYSTEM,
          action: 'org.create',
          objectType: 'org',
          objectId: org.id,
          orgId: org.id,
          details: { code: o.code, nameZh: o.nameZh, kind: o.kind, parentId, demo: true },
        });
      }
      for (const [i, u] of DEMO_USERS.entries()) {
        const orgId = ids.get(u.org)!;
        const row = await this.repo.insertUser(tx, { username: u.username, displayName: u.displayName, orgId, passwordHash: hashes[i]! });
        await this.repo.setRoles(tx, row.id, [u.role]);
        await this.ledger.append(tx, {
          actor: SYSTEM,
          action: 'user.create',
          objectType: 'user',
          objectId: row.id,
          orgId,
          details: { username: u.username, displayName: u.displayName, orgCode: u.org, roles: [u.role], demo: true },
        });
      }
      return 'created' as const;
    });
    this.authz.orgs.invalidate();
    if (created === 'foreign') return { created: false, logins: [] };
    return { created: created === 'created', logins };
  }
}

// ---------------------------------------------------------------------------------------------- demo data

/** The one demo password (policy-compliant; printed in the start banner and the README). */
export const DEMO_PASSWORD = 'Shuyuan@2024';
/** 示范市 uses the synthetic administrative division 990100 (99 is no real province), so no code is real. */
const DIV = '990100';

interface DemoOrg {
  code: string;
  parent?: string;
  nameZh: string;
  nameEn: string;
  kind: OrgKind;
  creditCode: string | null;
}

const gov = (n: number) => makeUscc('11', DIV, `99${String(n).padStart(6, '0')}`);
const DEPARTMENTS: Array<[string, string, string, string, string, string]> = [
  ['GA', '示范市公安局', 'Public Security Bureau', 'GA-RK', '人口管理支队', 'Population Management Division'],
  ['SCJG', '示范市市场监督管理局', 'Market Regulation Administration', 'SCJG-DJ', '登记注册处', 'Business Registration Division'],
  [
    'RS',
    '示范市人力资源和社会保障局',
    'Human Resources and Social Security Bureau',
    'RS-SB',
    '社会保险事业中心',
    'Social Insurance Center',
  ],
  ['WJ', '示范市卫生健康委员会', 'Health Commission', 'WJ-XX', '卫生健康信息中心', 'Health Information Center'],
  ['JT', '示范市交通运输局', 'Transport Bureau', 'JT-ZF', '交通运输综合执法支队', 'Transport Law Enforcement Division'],
  [
    'ZRZY',
    '示范市自然资源和规划局',
    'Natural Resources and Planning Bureau',
    'ZRZY-CH',
    '测绘地理信息中心',
    'Surveying and Geoinformation Center',
  ],
  ['TJ', '示范市统计局', 'Statistics Bureau', 'TJ-DC', '社会经济调查队', 'Socio-economic Survey Team'],
  ['JY', '示范市教育局', 'Education Bureau', 'JY-XJ', '学籍管理中心', 'Student Registry Center'],
  ['MZ', '示范市民政局', 'Civil Affairs Bureau', 'MZ-HY', '婚姻登记中心', 'Marriage Registration Center'],
  [
    'ZJ',
    '示范市住房和城乡建设局',
    'Housing and Urban-Rural Development Bureau',
    'ZJ-GJJ',
    '住房公积金管理中心',
    'Housing Provident Fund Center',
  ],
];

export const DEMO_ORGS: DemoOrg[] = [
  { code: 'AUTH', nameZh: '示范市数据局', nameEn: 'Shifan Municipal Data Bureau', kind: 'authority', creditCode: gov(1) },
  ...DEPARTMENTS.flatMap(([code, nameZh, nameEn, unitCode, unitZh, unitEn], i): DemoOrg[] => [
    { code, nameZh, nameEn: `Shifan ${nameEn}`, kind: 'department', creditCode: gov(10 + i * 2) },
    { code: unitCode, parent: code, nameZh: unitZh, nameEn: unitEn, kind: 'unit', creditCode: gov(11 + i * 2) },
  ]),
  { code: 'SJ', nameZh: '示范市审计局', nameEn: 'Shifan Audit Bureau', kind: 'department', creditCode: gov(40) },
  {
    code: 'OPER',
    nameZh: '示范市数据集团有限公司',
    nameEn: 'Shifan Data Group Co., Ltd.',
    kind: 'operator',
    creditCode: makeUscc('91', DIV, 'MA000001'),
  },
  {
    code: 'COMP',
    nameZh: '示范科技有限公司',
    nameEn: 'Shifan Technology Co., Ltd.',
    kind: 'company',
    creditCode: makeUscc('91', DIV, 'MA000002'),
  },
  { code: 'PUBLIC', nameZh: '社会公众', nameEn: 'The Public', kind: 'public', creditCode: null },
];

export const DEMO_USERS: Array<{ username: string; displayName: string; role: Role; org: string }> = [
  { username: 'admin', displayName: '数据局管理员', role: 'authority_admin', org: 'AUTH' },
  { username: 'provider', displayName: '市场监管局经办人', role: 'provider_clerk', org: 'SCJG' },
  { username: 'consumer', displayName: '人社局经办人', role: 'consumer_clerk', org: 'RS' },
  { username: 'operator', displayName: '数据集团运营专员', role: 'operator', org: 'OPER' },
  { username: 'public', displayName: '公众用户', role: 'public_user', org: 'PUBLIC' },
  { username: 'company', displayName: '示范科技有限公司', role: 'public_user', org: 'COMP' },
  { username: 'auditor', displayName: '审计员', role: 'auditor', org: 'SJ' },
  { username: 'security', displayName: '安全管理员', role: 'security_officer', org: 'AUTH' },
];
