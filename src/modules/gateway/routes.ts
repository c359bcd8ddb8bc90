// The data gateway API (issue 6 §4–§6): applications and their keys; under /api/gateway/v1 the three delivery
// forms for machine clients (signed API-key requests) and session users alike, each call logged with a message id
// (header x-shuyuan-message-id) and request/response hashes; the exchange log, inclusion proofs, metering and the
// data subject's own view. Refusals the framework makes before a handler runs (validation, signature) are logged
// by this scope's error handler too.
import { createReadStream } from 'node:fs';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { Type, type TSchema } from 'typebox';
import type { AppContext } from '../../context.ts';
import { AppError } from '../../errors.ts';
import type { App } from '../../http/app.ts';
import { ANONYMOUS } from '../identity/actor.ts';
import { errorHandler, mapError } from '../../http/errors.ts';
import { pickLang } from '../../i18n/messages.ts';
import type { ApplicationRow } from './repository.ts';
import * as S from './schemas.ts';
import type { CallAnswer, CallRecord, GatewayService_ } from './service.ts';

export const BUSINESS_REF_HEADER = 'x-shuyuan-business-ref';
const V1 = '/api/gateway/v1/resources/:resourceId';
const EMPTY = Buffer.alloc(0);
const itemsOf = <T extends TSchema>(item: T) => Type.Object({ items: Type.Array(item) });
const anyObject = () => Type.Object({}, { additionalProperties: true });
const aFile = () => Type.Unknown({ description: 'The file' });

const appView = (a: ApplicationRow) => ({
  id: a.id,
  orgId: a.org_id,
  name: a.name,
  description: a.description,
  state: a.state,
  createdAt: a.created_at.toISOString(),
  updatedAt: a.updated_at.toISOString(),
});

function businessRefOf(req: FastifyRequest): string | null {
  const fromBody = (req.body as { businessRef?: unknown } | undefined)?.businessRef;
  if (typeof fromBody === 'string' && fromBody.trim()) return fromBody.trim();
  const h = req.headers[BUSINESS_REF_HEADER];
  return typeof h === 'string' && h.trim() ? h.trim().slice(0, 200) : null;
}

function serviceOf(url: string, method: string): GatewayService_ {
  if (url.includes('/verify')) return 'verify';
  if (url.includes('/records')) return 'records';
  if (/\/extracts\/[^/?]+\/file/.test(url)) return 'extract_file';
  if (/\/extracts\/[^/?]+\/manifest/.test(url)) return 'extract_manifest';
  if (/\/extracts\/[^/?]+/.test(url) && method === 'GET') return 'extract_status';
  return 'extract';
}

export async function registerGatewayRoutes(app: App, ctx: AppContext) {
  const gw = ctx.gateway;
  const tags = ['gateway'];

  // ------------------------------------------------------------------ applications
  app.post(
    '/api/applications',
    {
      schema: {
        tags: ['applications'],
        summary: 'Register an application (system) of my organization',
        body: S.ApplicationBody,
        response: { 201: S.ApplicationView },
      },
    },
    async (req, reply) => reply.status(201).send(appView(await gw.createApplication(req.actor, req.body))),
  );
  app.get(
    '/api/applications',
    {
      schema: {
        tags: ['applications'],
        summary: "My organization's applications (authority: all)",
        response: { 200: itemsOf(S.ApplicationView) },
      },
    },
    async (req) => ({ items: (await gw.listApplications(req.actor)).map(appView) }),
  );
  app.get(
    '/api/applications/:id',
    {
      schema: {
        tags: ['applications'],
        summary: 'One application with its keys',
        params: S.IdParams,
        response: { 200: S.ApplicationDetail },
      },
    },
    async (req) => {
      const a = await gw.getApplication(req.actor, req.params.id);
      return { ...appView(a), keys: a.keys };
    },
  );
  app.patch(
    '/api/applications/:id',
    {
      schema: {
        tags: ['applications'],
        summary: 'Rename, describe, disable or enable an application',
        params: S.IdParams,
        body: S.ApplicationPatch,
        response: { 200: S.ApplicationView },
      },
    },
    async (req) => appView(await gw.updateApplication(req.actor, req.params.id, req.body)),
  );
  app.post(
    '/api/applications/:id/keys',
    {
      schema: {
        tags: ['applications'],
        summary: 'Issue an AppKey + AppSecret for the application (the secret is shown once)',
        params: S.IdParams,
        body: S.KeyBody,
        response: { 201: S.NewKey },
      },
    },
    async (req, reply) => reply.status(201).send(await gw.createKey(req.actor, req.params.id, req.body.name)),
  );
  app.delete(
    '/api/applications/:id/keys/:keyId',
    {
      schema: {
        tags: ['applications'],
        summary: "Revoke one of the application's keys",
        params: S.KeyParams,
        response: { 204: Type.Null() },
      },
    },
    async (req, reply) => {
      await gw.revokeKey(req.actor, req.params.id, req.params.keyId);
      return reply.status(204).send(null);
    },
  );

  // ------------------------------------------------------------------ the delivery forms (logged)
  await app.register(async (scope) => {
    const central = errorHandler(ctx.config.bodyLimit);
    // Refusals before the handler (validation, signature, CSRF, rate limit) are logged as well.
    scope.setErrorHandler(async (err: FastifyError | AppError, req: FastifyRequest, reply: FastifyReply) => {
      // The same status, code and body the central handler would answer, logged like any other call.
      const m = mapError(err, req, ctx.config.bodyLimit);
      if (m.status >= 500) req.log.error({ err }, 'gateway call failed');
      const e = err instanceof AppError ? err : new AppError(m.status, m.code, m.params, m.details);
      try {
        const sent = await gw.exchange(
          {
            actor: req.actor ?? ANONYMOUS,
            service: serviceOf(req.url, req.method),
            resourceId: (req.params as { resourceId?: string } | undefined)?.resourceId ?? null,
            method: req.method,
            path: req.url,
            body: req.rawBody ?? EMPTY,
            businessRef: businessRefOf(req),
            lang: pickLang(req.headers['accept-language']),
          },
          async () => {
            throw e;
          },
        );
        return reply.headers(sent.headers).status(sent.status).type('application/json; charset=utf-8').send(sent.payload);
      } catch (logErr) {
        req.log.error({ err: logErr }, 'cannot log a refused gateway call');
        return central(err, req, reply);
      }
    });

    const call =
      (service: GatewayService_, handler: (req: FastifyRequest, rec: CallRecord, businessRef: string | null) => Promise<CallAnswer>) =>
      async (req: FastifyRequest, reply: FastifyReply) => {
        const businessRef = businessRefOf(req);
        const sent = await gw.exchange(
          {
            actor: req.actor,
            service,
            resourceId: (req.params as { resourceId?: string }).resourceId ?? null,
            method: req.method,
            path: req.url,
            body: req.rawBody ?? EMPTY,
            businessRef,
            lang: pickLang(req.headers['accept-language']),
          },
          (rec) => handler(req, rec, businessRef),
        );
        reply.headers(sent.headers).status(sent.status);
        if (sent.file) {
          return reply
            .type(sent.file.contentType)
            .header('content-disposition', `attachment; filename="${sent.file.fileName}"`)
            .send(createReadStream(sent.file.path));
        }
        return reply.type('application/json; charset=utf-8').send(sent.payload);
      };

    scope.post(
      `${V1}/records`,
      {
        schema: {
          tags,
          summary: 'Record query: typed filters on granted fields, paging, masking by the grant (action query)',
          params: S.ResourceParams,
          body: S.RecordsBody,
          response: { 200: S.RecordsResult },
        },
      },
      call('records', async (req, rec, businessRef) => {
        const p = req.params as { resourceId: string };
        const b = req.body as S.RecordsBodyT;
        return { json: await gw.records(req.actor, p.resourceId, { ...b, businessRef }, rec) };
      }),
    );

    scope.post(
      `${V1}/verify`,
      {
        schema: {
          tags,
          summary: 'Verification (核验): match / no_match / not_found per claim, never the stored value (action verify)',
          params: S.ResourceParams,
          body: S.VerifyBody,
          response: { 200: S.VerifyResult },
        },
      },
      call('verify', async (req, rec, businessRef) => {
        const p = req.params as { resourceId: string };
        const b = req.body as {
          key: { field: string; value: string | number | boolean };
          claims: Record<string, string | number | boolean | null>;
        };
        return { json: await gw.verify(req.actor, p.resourceId, { ...b, businessRef }, rec) };
      }),
    );

    scope.post(
      `${V1}/extracts`,
      {
        schema: {
          tags,
          summary: 'Bulk delivery: an extract (full, or incremental since a version) of the granted, masked fields as CSV or Parquet',
          params: S.ResourceParams,
          body: S.ExtractBody,
          response: { 202: S.ExtractView },
        },
      },
      call('extract', async (req, rec, businessRef) => {
        const p = req.params as { resourceId: string };
        const b = req.body as { mode: 'full' | 'incremental'; sinceVersion?: number; format?: 'csv' | 'parquet' };
        return { json: await gw.createExtract(req.actor, p.resourceId, { ...b, businessRef }, rec), status: 202 };
      }),
    );

    scope.get(
      `${V1}/extracts/:id`,
      { schema: { tags, summary: 'An extract: state, rows, checksum', params: S.ExtractParams, response: { 200: S.ExtractView } } },
      call('extract_status', async (req) => {
        const p = req.params as { resourceId: string; id: string };
        return { json: gw.extractView(await gw.extract(req.actor, p.resourceId, p.id)) };
      }),
    );

    scope.get(
      `${V1}/extracts/:id/manifest`,
      {
        schema: {
          tags,
          summary: 'The manifest (resource, version, fields, row count, SHA-256 of the file, entitlement, created at)',
          params: S.ExtractParams,
          response: { 200: anyObject() },
        },
      },
      call('extract_manifest', async (req) => {
        const p = req.params as { resourceId: string; id: string };
        const x = await gw.extract(req.actor, p.resourceId, p.id);
        if (x.state !== 'done') throw new AppError(409, 'EXTRACT_NOT_READY', { state: x.state });
        return { json: x.manifest };
      }),
    );

    scope.get(
      `${V1}/extracts/:id/file`,
      {
        schema: { tags, summary: 'The extract file (its SHA-256 is in the manifest)', params: S.ExtractParams, response: { 200: aFile() } },
      },
      call('extract_file', async (req, rec) => {
        const p = req.params as { resourceId: string; id: string };
        return { file: await gw.extractFile(req.actor, p.resourceId, p.id, rec) };
      }),
    );
  });

  // ------------------------------------------------------------------ log, proofs, metering, data subjects
  app.get(
    '/api/gateway/log',
    {
      schema: {
        tags,
        summary: 'Exchange log: calls on my data (provider), my calls (consumer), all (authority); filters and paging',
        querystring: S.LogQuery,
        response: { 200: S.LogPage },
      },
    },
    async (req) => gw.log(req.actor, req.query),
  );
  app.get(
    '/api/gateway/log/:messageId/proof',
    {
      schema: {
        tags,
        summary:
          "Inclusion proof of a logged call: its hash-chained row, the Merkle path to its batch root, and that root's ledger entry with the ledger's own proof",
        params: S.MessageParams,
        response: { 200: anyObject() },
      },
    },
    async (req) => gw.proof(req.actor, req.params.messageId),
  );
  app.get(
    '/api/gateway/metering',
    {
      schema: {
        tags,
        summary: 'Calls, answered, refused, rows and bytes grouped by day / consumer / provider / resource / service',
        querystring: S.MeteringQuery,
        response: { 200: anyObject() },
      },
    },
    async (req) => gw.metering(req.actor, { ...req.query, groupBy: req.query.groupBy.split(',') }),
  );
  app.get(
    '/api/gateway/my-uses',
    {
      schema: {
        tags,
        summary:
          'Who used records about me (the logged-in user with an ID number on record): organization, time, purpose, resource — no data',
        response: { 200: S.MyUses },
      },
    },
    async (req) => {
      if (req.actor.kind !== 'user') throw new AppError(401, 'UNAUTHENTICATED');
      return gw.myUses(req.actor);
    },
  );
}
