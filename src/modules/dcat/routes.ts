// The DCAT-AP 3.0.1 feed (issue 7 §7; docs/portal-dcat.md): the open catalog at /catalog.jsonld, /catalog.ttl and
// /catalog (content negotiation), paged with Hydra; each dataset at /catalog/datasets/{resource-id}[.jsonld|.ttl]
// and each distribution at /catalog/datasets/{resource-id}/distributions/{csv|json|xlsx|parquet|api}[.jsonld|.ttl];
// the theme concept scheme at /catalog/themes[.jsonld|.ttl].
// Public (no login), the anonymous view of the catalog only.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Type } from 'typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Quad } from 'n3';
import type { App } from '../../http/app.ts';
import type { AppContext } from '../../context.ts';
import { AppError } from '../../errors.ts';
import { safeJson, toJsonLd, toTurtle } from './rdf.ts';
import { DEFAULT_PAGE_SIZE, DcatService, MAX_PAGE_SIZE, type FeedFormat } from './service.ts';

const WEB_INDEX = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../web/dist/index.html');

export const MEDIA_TYPES: Record<FeedFormat, string> = { jsonld: 'application/ld+json', ttl: 'text/turtle' };

/**
 * Content negotiation: the best of JSON-LD and Turtle by the Accept header's q-values (JSON-LD on ties, on a
 * missing header and on *\/*; application/json counts as JSON-LD). 'html' when text/html ranks above both (a
 * browser navigating to /catalog, which is also the web app's catalog page). null: nothing acceptable (406).
 */
export function negotiate(accept: string | undefined): FeedFormat | 'html' | null {
  if (!accept || !accept.trim()) return 'jsonld';
  const ranges = accept.split(',').map((part) => {
    const [type = '', ...params] = part.split(';').map((s) => s.trim().toLowerCase());
    const q = params.find((p) => p.startsWith('q='));
    const qv = q ? Number(q.slice(2)) : 1;
    return { type, q: Number.isFinite(qv) ? qv : 0 };
  });
  const quality = (t: string) => {
    const [major] = t.split('/');
    let best = -1;
    let specificity = -1;
    for (const r of ranges) {
      const s = r.type === t ? 2 : r.type === `${major}/*` ? 1 : r.type === '*/*' ? 0 : -1;
      if (s > specificity) {
        specificity = s;
        best = r.q;
      }
    }
    return specificity < 0 ? 0 : best;
  };
  const jsonld = Math.max(quality('application/ld+json'), quality('application/json'));
  const ttl = quality('text/turtle');
  const html = ranges.some((r) => r.type === 'text/html') ? quality('text/html') : 0;
  if (html > jsonld && html > ttl) return 'html';
  if (jsonld <= 0 && ttl <= 0) return null;
  return ttl > jsonld ? 'ttl' : 'jsonld';
}

/** Base URL of the IRIs: SHUYUAN_PUBLIC_URL, else the request's scheme and host (a malformed Host is not echoed). */
function baseUrl(ctx: AppContext, req: FastifyRequest): string {
  if (ctx.config.publicUrl) return ctx.config.publicUrl.replace(/\/+$/, '');
  const host = /^[A-Za-z0-9.-]+(:\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](:\d{1,5})?$/.test(req.host) ? req.host : 'localhost';
  return `${req.protocol}://${host}`;
}

async function send(reply: FastifyReply, quads: Quad[], format: FeedFormat) {
  reply.header('cache-control', 'public, max-age=300');
  if (format === 'ttl') return reply.type('text/turtle; charset=utf-8').send(await toTurtle(quads));
  return reply.type('application/ld+json; charset=utf-8').send(safeJson(toJsonLd(quads)));
}

const SUFFIX = /^(.*?)(?:\.(jsonld|ttl))?$/;

const FeedResponse = {
  description: 'DCAT-AP 3.0.1 as JSON-LD (application/ld+json) or Turtle (text/turtle)',
  content: {
    'application/ld+json': { schema: Type.Object({}, { additionalProperties: true }) },
    'text/turtle': { schema: Type.String() },
  },
};

export async function registerDcatRoutes(app: App, ctx: AppContext) {
  const dcat = new DcatService(ctx);
  const tags = ['dcat'];
  const hasWeb = fs.existsSync(WEB_INDEX);

  const formatFor = (req: FastifyRequest, fixed: FeedFormat | undefined, allowHtml: boolean): FeedFormat | 'html' => {
    if (fixed) return fixed;
    const f = negotiate(req.headers.accept);
    if (f === null) {
      throw new AppError(406, 'DCAT_NOT_ACCEPTABLE', {
        accept: String(req.headers.accept).slice(0, 200),
        available: `${MEDIA_TYPES.jsonld}, ${MEDIA_TYPES.ttl}`,
      });
    }
    return f === 'html' && !(allowHtml && hasWeb) ? 'jsonld' : f;
  };

  const catalogRoute = (url: string, fixed?: FeedFormat) =>
    app.get(
      url,
      {
        schema: {
          tags,
          summary: fixed
            ? `The open data catalogue as DCAT-AP 3.0.1 ${fixed === 'ttl' ? 'Turtle' : 'JSON-LD'}, one page (Hydra paging)`
            : 'The open data catalogue as DCAT-AP 3.0.1, JSON-LD or Turtle by the Accept header (JSON-LD by default; 406 when neither is acceptable)',
          security: [],
          querystring: Type.Object({
            page: Type.Integer({ minimum: 1, maximum: 1_000_000, default: 1 }),
            pageSize: Type.Integer({ minimum: 1, maximum: MAX_PAGE_SIZE, default: DEFAULT_PAGE_SIZE }),
            after: Type.Optional(
              Type.String({
                pattern: '^[A-Za-z0-9_-]{1,80}$',
                description: 'Keyset cursor: the resource code the previous page ended with (hydra:next links carry it)',
              }),
            ),
          }),
          response: { 200: FeedResponse },
        },
      },
      async (req, reply) => {
        if (!fixed) reply.header('vary', 'Accept');
        const format = formatFor(req, fixed, true);
        if (format === 'html') return reply.header('cache-control', 'no-cache').sendFile('index.html');
        const { quads } = await dcat.catalogPage(baseUrl(ctx, req), { ...req.query, path: url });
        return send(reply, quads, format);
      },
    );
  catalogRoute('/catalog.jsonld', 'jsonld');
  catalogRoute('/catalog.ttl', 'ttl');
  catalogRoute('/catalog');

  const themesRoute = (url: string, fixed?: FeedFormat) =>
    app.get(
      url,
      {
        schema: {
          tags,
          summary: 'The catalog categories as a SKOS concept scheme (the dcat:theme concepts of the feed)',
          security: [],
          response: { 200: FeedResponse },
        },
      },
      async (req, reply) => {
        if (!fixed) reply.header('vary', 'Accept');
        const format = formatFor(req, fixed, false) as FeedFormat;
        return send(reply, await dcat.themesGraph(baseUrl(ctx, req)), format);
      },
    );
  themesRoute('/catalog/themes');
  themesRoute('/catalog/themes.jsonld', 'jsonld');
  themesRoute('/catalog/themes.ttl', 'ttl');

  app.get(
    '/catalog/datasets/:ref',
    {
      schema: {
        tags,
        summary:
          'One dataset of the open catalogue with its distributions (DCAT-AP 3.0.1): {resource-id}, {resource-id}.jsonld or {resource-id}.ttl',
        security: [],
        params: Type.Object({ ref: Type.String({ maxLength: 100 }) }),
        response: { 200: FeedResponse },
      },
    },
    async (req, reply) => {
      const [, id = '', ext] = SUFFIX.exec(req.params.ref)!;
      if (!ext) reply.header('vary', 'Accept');
      const format = formatFor(req, ext as FeedFormat | undefined, false) as FeedFormat;
      return send(reply, await dcat.datasetGraph(baseUrl(ctx, req), id), format);
    },
  );

  app.get(
    '/catalog/datasets/:id/distributions/:ref',
    {
      schema: {
        tags,
        summary: 'One distribution of a dataset (csv, json, xlsx, parquet or api), optionally with .jsonld or .ttl',
        security: [],
        params: Type.Object({ id: Type.String({ maxLength: 100 }), ref: Type.String({ maxLength: 100 }) }),
        response: { 200: FeedResponse },
      },
    },
    async (req, reply) => {
      const [, dist = '', ext] = SUFFIX.exec(req.params.ref)!;
      if (!ext) reply.header('vary', 'Accept');
      const format = formatFor(req, ext as FeedFormat | undefined, false) as FeedFormat;
      return send(reply, await dcat.distributionGraph(baseUrl(ctx, req), req.params.id, dist), format);
    },
  );
}
