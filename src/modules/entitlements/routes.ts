// The entitlements API (issue 6 §3): a consumer's grants with quota use and expiry, a provider's grants on its
// data, suspension / resumption / revocation / renewal with a reason (ledgered), the ODRL 2.2 export and the use
// per day. Anyone who is neither holder, provider nor authority gets 404 (the entitlement's existence is not told).
import { Type } from 'typebox';
import type { AppContext } from '../../context.ts';
import type { App } from '../../http/app.ts';
import * as S from './schemas.ts';

export async function registerEntitlementsRoutes(app: App, ctx: AppContext) {
  const svc = ctx.entitlements;
  const tags = ['entitlements'];
  const baseUrl = (req: { protocol: string; host: string }) => ctx.config.publicUrl ?? `${req.protocol}://${req.host}`;

  app.get(
    '/api/entitlements',
    {
      schema: {
        tags,
        summary: "Entitlements held by my organization (side=consumer) or on my organization's data (side=provider), with quota use",
        querystring: S.ListQuery,
        response: { 200: S.ListResult },
      },
    },
    async (req) => svc.list(req.actor, req.query),
  );

  app.get(
    '/api/entitlements/:id',
    {
      schema: { tags, summary: 'One entitlement with its quota use', params: S.IdParams, response: { 200: S.EntitlementWithUsage } },
    },
    async (req) => {
      const { entitlement, relation } = await svc.get(req.actor, req.params.id);
      return { ...entitlement, usage: await svc.usage(req.actor, entitlement.id), relation };
    },
  );

  for (const [verb, to] of [
    ['suspend', 'suspended'],
    ['resume', 'active'],
    ['revoke', 'revoked'],
  ] as const) {
    app.post(
      `/api/entitlements/:id/${verb}`,
      {
        schema: {
          tags,
          summary: `${verb[0]!.toUpperCase()}${verb.slice(1)} an entitlement (provider or authority; effective for the next call)`,
          params: S.IdParams,
          body: S.ReasonBody,
          response: { 200: S.EntitlementView },
        },
      },
      async (req) => svc.changeState(req.actor, req.params.id, to, req.body.reason),
    );
  }

  app.post(
    '/api/entitlements/:id/renew',
    {
      schema: {
        tags,
        summary: 'Extend the validity (provider or authority); an expired entitlement becomes active again',
        params: S.IdParams,
        body: S.RenewBody,
        response: { 200: S.EntitlementView },
      },
    },
    async (req) => svc.renew(req.actor, req.params.id, req.body.validTo, req.body.reason),
  );

  app.get(
    '/api/entitlements/:id/odrl',
    {
      schema: {
        tags,
        summary: 'The entitlement as an ODRL 2.2 Agreement (JSON-LD)',
        params: S.IdParams,
        response: { 200: Type.Unknown({ description: 'application/ld+json' }) },
      },
    },
    async (req, reply) => {
      const policy = await svc.odrl(req.actor, req.params.id, baseUrl(req));
      return reply.type('application/ld+json; charset=utf-8').send(JSON.stringify(policy));
    },
  );

  app.get(
    '/api/entitlements/:id/usage',
    {
      schema: {
        tags,
        summary: 'Calls and rows per China day (charts) and the totals',
        params: S.IdParams,
        querystring: S.UsageQuery,
        response: { 200: S.DailyUsage },
      },
    },
    async (req) => ({
      days: await svc.usageDaily(req.actor, req.params.id, req.query.from, req.query.to),
      totals: await svc.usage(req.actor, req.params.id),
    }),
  );
}
