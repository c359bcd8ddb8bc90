// Health, readiness, metrics and platform facts.
import fs from 'node:fs/promises';
import path from 'node:path';
import { sql } from 'kysely';
import { Type } from 'typebox';
import type { App } from '../../http/app.ts';
import type { AppContext } from '../../context.ts';
import type { Metrics } from '../../http/metrics.ts';
import { DEMO_PASSWORD, DEMO_USERS } from '../identity/service.ts';
import { dataCounts } from './repository.ts';

export async function registerSystemRoutes(app: App, ctx: AppContext, metrics: Metrics) {
  app.get('/healthz', { schema: { hide: true } }, async () => ({ status: 'ok' }));

  app.get('/readyz', { schema: { hide: true } }, async (_req, reply) => {
    const checks: Record<string, string> = {};
    try {
      await sql`select 1`.execute(ctx.db);
      checks.database = 'ok';
    } catch (e) {
      checks.database = `error: ${(e as Error).message}`;
    }
    try {
      // The local object store (issue 5 adds S3): its directory must exist and be writable.
      const dir = path.join(ctx.config.dataDir, 'objects');
      await fs.mkdir(dir, { recursive: true });
      await fs.access(dir, fs.constants.W_OK);
      checks.objectStore = 'ok';
    } catch (e) {
      checks.objectStore = `error: ${(e as Error).message}`;
    }
    const ok = Object.values(checks).every((v) => v === 'ok');
    return reply.status(ok ? 200 : 503).send({ status: ok ? 'ok' : 'unavailable', checks });
  });

  app.get('/metrics', { schema: { hide: true } }, async (_req, reply) => {
    return reply.type('text/plain; version=0.0.4; charset=utf-8').send(await metrics.render());
  });

  app.get('/api/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  app.get(
    '/api/meta',
    {
      schema: {
        tags: ['system'],
        summary: 'Platform name, version and languages (public)',
        response: {
          200: Type.Object({
            name: Type.String(),
            version: Type.String(),
            languages: Type.Array(Type.String()),
            demo: Type.Boolean({ description: 'The demo world is on (SHUYUAN_DEMO)' }),
            demoLogins: Type.Array(Type.Object({ username: Type.String(), role: Type.String() }), {
              description: 'Demo users (empty unless demo)',
            }),
            demoPassword: Type.Union([Type.String(), Type.Null()], { description: "The demo users' password (null unless demo)" }),
          }),
        },
      },
    },
    async () => ({
      name: 'Shuyuan 数源',
      version: '0.1.0',
      languages: ['zh-CN', 'en'],
      demo: ctx.config.demo,
      demoLogins: ctx.config.demo ? DEMO_USERS.map((u) => ({ username: u.username, role: u.role })) : [],
      demoPassword: ctx.config.demo ? DEMO_PASSWORD : null,
    }),
  );

  app.get(
    '/api/stats',
    {
      schema: {
        tags: ['system'],
        summary: 'Platform counts for the home page (any signed-in user)',
        response: {
          200: Type.Object({
            organizations: Type.Integer(),
            users: Type.Integer(),
            activeUsers: Type.Integer(),
            ledgerEntries: Type.Integer(),
            checkpoints: Type.Integer(),
            lastCheckpointAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
            unreadNotifications: Type.Integer(),
            datasets: Type.Integer({ description: 'Datasets with a published current version' }),
            datasetRows: Type.Integer({ description: 'Rows of those versions' }),
            activeGrants: Type.Integer({ description: 'Entitlements in force now' }),
            openRequests: Type.Integer({ description: 'Sharing requests not yet decided' }),
            overdueRequests: Type.Integer({ description: 'Sharing requests with an open deadline past due' }),
            gatewayCallsToday: Type.Integer({ description: 'Gateway calls answered since midnight, China time' }),
          }),
        },
      },
    },
    async (req) => {
      await ctx.authz.authorize(req.actor, 'stats.read', { type: 'platform' });
      const [identity, ledger, unread, data] = await Promise.all([
        ctx.identity.counts(),
        ctx.ledger.stats(),
        req.actor.userId ? ctx.notifications.unreadCount(req.actor.userId) : Promise.resolve(0),
        dataCounts(ctx.db),
      ]);
      return {
        ...identity,
        ...data,
        ledgerEntries: ledger.entries,
        checkpoints: ledger.checkpoints,
        lastCheckpointAt: ledger.lastCheckpointAt ? ledger.lastCheckpointAt.toISOString() : null,
        unreadNotifications: unread,
      };
    },
  );
}
