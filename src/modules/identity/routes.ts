// Identity HTTP API and the request authentication of the whole app (registered on the root instance, so the
// hooks below run for every route of every module).
//
// onRequest:     req.actor = ANONYMOUS, or the session's user (cookie sy_session); unsafe methods with a live
//                session must carry x-csrf-token = the session's CSRF token (403 CSRF_FAILED).
// preValidation: requests with x-shuyuan-appkey are authenticated by their HMAC signature instead (the body
//                hash needs the parsed raw body, so this runs after body parsing); they skip CSRF.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { App } from '../../http/app.ts';
import type { AppContext } from '../../context.ts';
import { AppError } from '../../errors.ts';
import { ANONYMOUS, type Actor } from './actor.ts';
import { SIGNATURE_HEADERS } from './apikeys.ts';
import {
  ApiKeyList,
  ChangePasswordBody,
  CreateApiKeyBody,
  CreateOrgBody,
  CreateUserBody,
  CreatedApiKey,
  IdParams,
  LoginBody,
  LoginResponse,
  Me,
  Org,
  OrgList,
  ResetPasswordBody,
  UpdateOrgBody,
  UpdateUserBody,
  User,
  UserList,
  UserQuery,
  type UserT,
} from './schemas.ts';
import { CSRF_COOKIE, CSRF_HEADER, SESSION_COOKIE } from './service.ts';

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const NoContent = Type.Null({ description: 'Done' });

interface RouteFlags {
  /** The route does its own thing about an existing session (login). */
  skipCsrf?: boolean;
}

export async function registerIdentityRoutes(app: App, ctx: AppContext) {
  const { identity, config } = ctx;

  // ---- raw JSON bodies (API-key signatures hash the exact bytes) ----
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (req, body, done) => {
    (req as FastifyRequest).rawBody = body as Buffer;
    (parseJson as unknown as (r: FastifyRequest, b: Buffer, d: typeof done) => void)(req, body as Buffer, done);
  });

  // ---- authentication of every request ----
  app.decorateRequest('actor', null as unknown as Actor);
  app.decorateRequest('rawBody', undefined);
  const cookieOpts = (maxAgeSeconds: number, httpOnly: boolean) =>
    ({ path: '/', httpOnly, sameSite: httpOnly ? 'lax' : 'strict', secure: config.cookieSecure, maxAge: maxAgeSeconds }) as const;
  const setSessionCookies = (reply: FastifyReply, sessionToken: string, csrfToken: string | undefined) => {
    const maxAge = config.sessionHours * 3600;
    reply.setCookie(SESSION_COOKIE, sessionToken, cookieOpts(maxAge, true));
    if (csrfToken) reply.setCookie(CSRF_COOKIE, csrfToken, cookieOpts(maxAge, false));
  };
  const clearSessionCookies = (reply: FastifyReply) => {
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
    reply.clearCookie(CSRF_COOKIE, { path: '/' });
  };

  app.addHook('onRequest', async (req, reply) => {
    req.actor = ANONYMOUS;
    if (req.headers[SIGNATURE_HEADERS.appKey] !== undefined) return; // signed request: see preValidation
    const token = req.cookies?.[SESSION_COOKIE];
    if (!token) return;
    const auth = await identity.authenticateSession(token);
    if (!auth) return;
    if (UNSAFE.has(req.method) && !(req.routeOptions.config as RouteFlags | undefined)?.skipCsrf) {
      const given = req.headers[CSRF_HEADER];
      if (!identity.checkCsrf(auth, typeof given === 'string' ? given : undefined)) throw new AppError(403, 'CSRF_FAILED');
    }
    req.actor = auth.actor;
    if (auth.touched) {
      const csrf = req.cookies[CSRF_COOKIE];
      setSessionCookies(reply, token, csrf && identity.checkCsrf(auth, csrf) ? csrf : undefined);
    }
  });

  app.addHook('preValidation', async (req) => {
    if (req.headers[SIGNATURE_HEADERS.appKey] === undefined) return;
    req.actor = await identity.authenticateApiKey(req);
  });

  const withRetryAfter = async <T>(reply: FastifyReply, fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (e) {
      const retryAfter = e instanceof AppError ? (e.details as { retryAfter?: number } | undefined)?.retryAfter : undefined;
      if (retryAfter) reply.header('retry-after', String(retryAfter));
      throw e;
    }
  };

  // ---- auth ----
  app.post(
    '/api/auth/login',
    {
      config: { skipCsrf: true } satisfies RouteFlags,
      schema: {
        tags: ['auth'],
        summary: 'Log in with username and password (sets the sy_session and sy_csrf cookies)',
        description:
          'Wrong username or password: 401 AUTH_INVALID_CREDENTIALS (same message for both). After repeated failures the account ' +
          'is locked: 429 AUTH_LOCKED with details.lockedUntil and Retry-After. Too many failures from one address: 429 AUTH_THROTTLED. ' +
          'Right password of a disabled account: 403 AUTH_USER_DISABLED.',
        body: LoginBody,
        response: { 200: LoginResponse },
      },
    },
    async (req, reply) => {
      const { username, password } = req.body;
      const ua = req.headers['user-agent'];
      const result = await withRetryAfter(reply, () =>
        identity.login(
          username,
          password,
          { ip: req.ip ?? null, userAgent: typeof ua === 'string' ? ua : null },
          req.actor.kind === 'user' ? req.actor : undefined,
        ),
      );
      setSessionCookies(reply, result.sessionToken, result.csrfToken);
      return { user: result.me };
    },
  );

  app.post(
    '/api/auth/logout',
    { schema: { tags: ['auth'], summary: 'Log out: end the current session and clear the cookies', response: { 204: NoContent } } },
    async (req, reply) => {
      await identity.logout(req.actor);
      clearSessionCookies(reply);
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/api/auth/logout-all',
    {
      schema: {
        tags: ['auth'],
        summary: 'Log out everywhere: end every session of the current user',
        response: { 200: Type.Object({ revoked: Type.Integer() }) },
      },
    },
    async (req, reply) => {
      const r = await identity.logoutAll(req.actor);
      if (req.actor.sessionId) clearSessionCookies(reply);
      return r;
    },
  );

  app.get(
    '/api/auth/me',
    { schema: { tags: ['auth'], summary: 'The current user (401 UNAUTHENTICATED when not logged in)', response: { 200: Me } } },
    async (req) => identity.me(req.actor),
  );

  app.post(
    '/api/auth/password',
    {
      schema: {
        tags: ['auth'],
        summary: 'Change my password (ends my other sessions)',
        description: 'Wrong current password: 400 CURRENT_PASSWORD_WRONG. Weak new password: 400 PASSWORD_POLICY with details.failed.',
        body: ChangePasswordBody,
        response: { 204: NoContent },
      },
    },
    async (req, reply) => {
      await identity.changePassword(req.actor, req.body.currentPassword, req.body.newPassword);
      return reply.status(204).send(null);
    },
  );

  // ---- API keys ----
  app.post(
    '/api/api-keys',
    {
      schema: {
        tags: ['api-keys'],
        summary: 'Create an API key for a machine client (the AppSecret is shown once)',
        body: CreateApiKeyBody,
        response: { 201: CreatedApiKey },
      },
    },
    async (req, reply) => reply.status(201).send(await identity.createApiKey(req.actor, req.body.name)),
  );

  app.get(
    '/api/api-keys',
    {
      schema: {
        tags: ['api-keys'],
        summary: 'My API keys (all=1: every key, for the authority and the auditor)',
        querystring: Type.Object({
          all: Type.Optional(Type.Union([Type.Literal('1'), Type.Literal('0'), Type.Literal('true'), Type.Literal('false')])),
        }),
        response: { 200: ApiKeyList },
      },
    },
    async (req) => ({ items: await identity.listApiKeys(req.actor, req.query.all === '1' || req.query.all === 'true') }),
  );

  app.delete(
    '/api/api-keys/:id',
    { schema: { tags: ['api-keys'], summary: 'Revoke an API key', params: IdParams, response: { 204: NoContent } } },
    async (req, reply) => {
      await identity.revokeApiKey(req.actor, req.params.id);
      return reply.status(204).send(null);
    },
  );

  // ---- organizations ----
  app.get(
    '/api/orgs',
    { schema: { tags: ['orgs'], summary: 'All organizations as a flat list (parentId builds the tree)', response: { 200: OrgList } } },
    async (req) => ({ items: await identity.listOrgs(req.actor) }),
  );

  app.get(
    '/api/orgs/:id',
    { schema: { tags: ['orgs'], summary: 'One organization', params: IdParams, response: { 200: Org } } },
    async (req) => identity.getOrg(req.actor, req.params.id),
  );

  app.post(
    '/api/orgs',
    {
      schema: {
        tags: ['orgs'],
        summary: 'Create an organization',
        description: 'Duplicate code: 409 ORG_CODE_TAKEN. Unknown parent: 400 ORG_UNKNOWN. Bad 统一社会信用代码: 400 CREDIT_CODE_INVALID.',
        body: CreateOrgBody,
        response: { 201: Org },
      },
    },
    async (req, reply) => reply.status(201).send(await identity.createOrg(req.actor, req.body)),
  );

  app.patch(
    '/api/orgs/:id',
    {
      schema: {
        tags: ['orgs'],
        summary: 'Rename, move (parentId) or disable an organization',
        description: 'A move under its own subtree is refused: 409 ORG_CYCLE.',
        params: IdParams,
        body: UpdateOrgBody,
        response: { 200: Org },
      },
    },
    async (req) => identity.updateOrg(req.actor, req.params.id, req.body),
  );

  // ---- users ----
  app.get(
    '/api/users',
    {
      schema: {
        tags: ['users'],
        summary: 'Search users (authority admin, auditor, security officer)',
        querystring: UserQuery,
        response: { 200: UserList },
      },
    },
    async (req) => identity.listUsers(req.actor, req.query),
  );

  app.get(
    '/api/users/:id',
    {
      schema: {
        tags: ['users'],
        summary: 'One user (others than yourself need an admin, auditor or security role)',
        params: IdParams,
        response: { 200: User },
      },
    },
    async (req) => identity.getUser(req.actor, req.params.id),
  );

  app.post(
    '/api/users',
    {
      schema: {
        tags: ['users'],
        summary: 'Create a user',
        description: 'Duplicate username: 409 USERNAME_TAKEN. Unknown org: 400 ORG_UNKNOWN. Weak password: 400 PASSWORD_POLICY.',
        body: CreateUserBody,
        response: { 201: User },
      },
    },
    async (req, reply) => reply.status(201).send(await identity.createUserView(req.actor, req.body)),
  );

  app.patch(
    '/api/users/:id',
    {
      schema: {
        tags: ['users'],
        summary: 'Change display name, organization or roles',
        params: IdParams,
        body: UpdateUserBody,
        response: { 200: User },
      },
    },
    async (req) => identity.updateUser(req.actor, req.params.id, req.body),
  );

  const action = (path: string, summary: string, fn: (actor: Actor, id: string) => Promise<UserT>) =>
    app.post(path, { schema: { tags: ['users'], summary, params: IdParams, response: { 200: User } } }, async (req) =>
      fn(req.actor, (req.params as { id: string }).id),
    );
  action('/api/users/:id/disable', 'Disable a user (ends their sessions; their API keys stop working)', (a, id) =>
    identity.disableUser(a, id),
  );
  action('/api/users/:id/enable', 'Re-enable a disabled user', (a, id) => identity.enableUser(a, id));
  action('/api/users/:id/unlock', 'Lift a temporary login lockout', (a, id) => identity.unlockUser(a, id));

  app.post(
    '/api/users/:id/reset-password',
    {
      schema: {
        tags: ['users'],
        summary: "Set a user's password (ends their sessions)",
        params: IdParams,
        body: ResetPasswordBody,
        response: { 200: User },
      },
    },
    async (req) => identity.resetPassword(req.actor, req.params.id, req.body.password),
  );
}
