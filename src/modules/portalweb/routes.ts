// The public portal's server routes (issue 7 §1; docs/portal.md):
//   GET  /api/portal/stats | departments | topics | resources/by-code/:code   what the portal pages read (public)
//   POST /api/auth/register                                                   self-registration of the public
//   GET  /sitemap.xml, /sitemap-<n>.xml, /robots.txt                          for search engines
//   GET  /data, /data/*                                                       the SPA's index.html with the page's
//        title, description, canonical link and schema.org JSON-LD written in on the server (SEO)
import fs from 'node:fs';
import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { App } from '../../http/app.ts';
import type { AppContext } from '../../context.ts';
import { AppError } from '../../errors.ts';
import { datasetJsonLd, injectHead, robotsTxt, sitemapIndex, snippet, urlset, SITEMAP_MAX_URLS, type PageHead } from './seo.ts';
import { PortalWebService } from './service.ts';
import './messages.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Registrations per client address per hour (CAPTCHA-free, so rate-limited). */
export const REGISTRATIONS_PER_HOUR = 10;

const Department = Type.Object({
  id: Type.String({ format: 'uuid' }),
  code: Type.String(),
  nameZh: Type.String(),
  nameEn: Type.String(),
  datasets: Type.Integer({ description: 'Publicly visible datasets' }),
});
const Topic = Type.Object({ code: Type.String(), nameZh: Type.String(), nameEn: Type.String(), datasets: Type.Integer() });

/** The minimal page when the web app is not built (API-only deployments, tests). */
const FALLBACK_TEMPLATE = `<!doctype html>
<html lang="zh-CN">
  <head>
    <meta charset="UTF-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1.0" />
    <title>数源 Shuyuan</title>
  </head>
  <body>
    <div id="root"></div>
  </body>
</html>
`;

export function baseUrl(ctx: AppContext, req: FastifyRequest): string {
  return (ctx.config.publicUrl ?? `${req.protocol}://${req.host}`).replace(/\/+$/, '');
}

let service: WeakMap<AppContext, PortalWebService> = new WeakMap();
export function portalWeb(ctx: AppContext): PortalWebService {
  let s = service.get(ctx);
  if (!s) service.set(ctx, (s = new PortalWebService(ctx)));
  return s;
}
/** Tests: forget the cached services. */
export function resetPortalWeb() {
  service = new WeakMap();
}

export async function registerPortalWebRoutes(app: App, ctx: AppContext) {
  const pw = portalWeb(ctx);
  const tags = ['portal'];

  app.get(
    '/api/portal/stats',
    {
      schema: {
        tags,
        summary: 'The public portal’s counts (anyone; cached for a minute)',
        security: [],
        response: {
          200: Type.Object({
            datasets: Type.Integer({ description: 'Catalog resources open to the public (unconditional or conditional)' }),
            rows: Type.Integer({ description: 'Rows of the published dataset versions' }),
            departments: Type.Integer({ description: 'Departments with open data' }),
            topics: Type.Integer(),
            reads: Type.Integer({ description: 'Data reads (downloads, previews, API calls) recorded in the ledger' }),
          }),
        },
      },
    },
    async () => pw.stats(),
  );

  app.get(
    '/api/portal/departments',
    {
      schema: {
        tags,
        summary: 'Departments with open data, with counts (anyone)',
        security: [],
        response: { 200: Type.Object({ items: Type.Array(Department) }) },
      },
    },
    async () => ({ items: await pw.departments() }),
  );

  app.get(
    '/api/portal/departments/:code',
    {
      schema: {
        tags,
        summary: 'One department of the portal by its code (404 PORTAL_DEPARTMENT_NOT_FOUND)',
        security: [],
        params: Type.Object({ code: Type.String({ maxLength: 32 }) }),
        response: { 200: Department },
      },
    },
    async (req) => pw.department(req.params.code),
  );

  app.get(
    '/api/portal/topics',
    {
      schema: {
        tags,
        summary: 'Topics (catalog categories) with open data, with counts (anyone)',
        security: [],
        response: { 200: Type.Object({ items: Type.Array(Topic) }) },
      },
    },
    async () => ({ items: await pw.topics() }),
  );

  app.get(
    '/api/portal/resources/by-code/:code',
    {
      schema: {
        tags,
        summary: 'A public resource’s id and dataset by its code (the dataset page’s URL); 404 when not public',
        security: [],
        params: Type.Object({ code: Type.String({ maxLength: 100 }) }),
        response: {
          200: Type.Object({
            id: Type.String({ format: 'uuid' }),
            code: Type.String(),
            datasetId: Type.Union([Type.String({ format: 'uuid' }), Type.Null()], { description: 'null: no published data yet' }),
            version: Type.Union([Type.Integer(), Type.Null()]),
          }),
        },
      },
    },
    async (req) => {
      const page = await pw.datasetPage(req.params.code);
      if (!page) throw new AppError(404, 'CATALOG_RESOURCE_NOT_FOUND', { id: req.params.code }, { code: req.params.code });
      return { id: page.resource.id, code: page.resource.code, datasetId: page.datasetId, version: page.version };
    },
  );

  app.post(
    '/api/auth/register',
    {
      config: {
        rateLimit: { max: REGISTRATIONS_PER_HOUR, timeWindow: 3_600_000, keyGenerator: (req: FastifyRequest) => `register:${req.ip}` },
      },
      schema: {
        tags: ['auth'],
        summary: 'Self-registration of a member of the public (role public_user); then log in with POST /api/auth/login',
        description:
          'No CAPTCHA; at most 10 registrations per client address per hour (429 RATE_LIMITED with Retry-After). Username: 3–32 letters, ' +
          'digits or . _ -, not a reserved name (400 REGISTER_USERNAME_INVALID); taken: 409 USERNAME_TAKEN. Password policy: 400 PASSWORD_POLICY. ' +
          'Signed in already: 409 REGISTER_SIGNED_IN. No e-mail or phone verification (docs/portal.md).',
        security: [],
        body: Type.Object(
          {
            username: Type.String({ minLength: 1, maxLength: 64 }),
            displayName: Type.Optional(Type.String({ maxLength: 100 })),
            password: Type.String({ minLength: 1, maxLength: 256 }),
          },
          { additionalProperties: false },
        ),
        response: { 201: Type.Object({ id: Type.String({ format: 'uuid' }), username: Type.String() }) },
      },
    },
    async (req, reply) => {
      if (req.actor.kind !== 'anonymous') throw new AppError(409, 'REGISTER_SIGNED_IN');
      const { id } = await pw.register(req.body);
      return reply.status(201).send({ id, username: req.body.username.trim() });
    },
  );

  // ---- search engines
  const xml = 'application/xml; charset=utf-8';
  app.get('/robots.txt', { schema: { hide: true } }, async (req, reply) =>
    reply
      .type('text/plain; charset=utf-8')
      .header('cache-control', 'public, max-age=3600')
      .send(robotsTxt(baseUrl(ctx, req))),
  );
  app.get('/sitemap.xml', { schema: { hide: true } }, async (req, reply) => {
    const base = baseUrl(ctx, req);
    const urls = await pw.sitemapUrls(base);
    reply.type(xml).header('cache-control', 'public, max-age=600');
    return urls.length > SITEMAP_MAX_URLS ? sitemapIndex(base, PortalWebService.sitemapParts(urls.length)) : urlset(urls);
  });
  app.get(
    '/sitemap-:n.xml',
    { schema: { hide: true, params: Type.Object({ n: Type.Integer({ minimum: 1, maximum: 10_000 }) }) } },
    async (req, reply) => {
      const urls = await pw.sitemapUrls(baseUrl(ctx, req));
      const part = urls.slice((req.params.n - 1) * SITEMAP_MAX_URLS, req.params.n * SITEMAP_MAX_URLS);
      if (!part.length) throw new AppError(404, 'ROUTE_NOT_FOUND', { method: 'GET', url: req.url }, { url: req.url });
      return reply.type(xml).header('cache-control', 'public, max-age=600').send(urlset(part));
    },
  );
}

/** The portal's pages: index.html with the page's head. `indexPath` null: a minimal page (no web build). */
export async function registerPortalPages(app: App, ctx: AppContext, indexPath: string | null) {
  const pw = portalWeb(ctx);
  let template: string | null = null;
  const load = () => (template ??= indexPath ? fs.readFileSync(indexPath, 'utf8') : FALLBACK_TEMPLATE);
  const site = ctx.config.platformName;

  const send = (
    req: FastifyRequest,
    reply: import('fastify').FastifyReply,
    head: Omit<PageHead, 'canonical' | 'lang'> & { path: string },
    status = 200,
  ) =>
    reply
      .status(status)
      .type('text/html; charset=utf-8')
      .header('cache-control', 'no-cache')
      .send(injectHead(load(), { ...head, canonical: baseUrl(ctx, req) + head.path, lang: 'zh-CN' }));

  const homeDescription = `${site}：政府开放数据目录，免登录浏览、预览和下载无条件开放数据，API 调用与有条件开放申请。`;

  app.get('/data', { schema: { hide: true } }, async (req, reply) =>
    send(req, reply, {
      path: '/data',
      title: `公共数据开放 - ${site}`,
      description: homeDescription,
      jsonLd: {
        '@context': 'https://schema.org',
        '@type': 'DataCatalog',
        name: site,
        url: `${baseUrl(ctx, req)}/data`,
        inLanguage: 'zh-CN',
      },
    }),
  );

  app.get(
    '/data/datasets/:key',
    { schema: { hide: true, params: Type.Object({ key: Type.String({ maxLength: 200 }) }) } },
    async (req, reply) => {
      const { key } = req.params;
      if (UUID.test(key)) {
        const code = await pw.codeOf(key);
        if (code) return reply.redirect(`/data/datasets/${encodeURIComponent(code)}`, 301);
      }
      const page = await pw.datasetPage(key);
      if (!page) {
        return send(
          req,
          reply,
          { path: `/data/datasets/${encodeURIComponent(key)}`, title: `未找到 - ${site}`, description: homeDescription, noindex: true },
          404,
        );
      }
      const r = page.resource;
      return send(req, reply, {
        path: `/data/datasets/${encodeURIComponent(r.code)}`,
        title: `${r.nameZh}${r.nameEn ? ` (${r.nameEn})` : ''} - ${site}`,
        description: snippet(r.abstractZh || r.nameZh),
        jsonLd: datasetJsonLd({
          base: baseUrl(ctx, req),
          platformName: site,
          code: r.code,
          nameZh: r.nameZh,
          nameEn: r.nameEn,
          abstractZh: r.abstractZh,
          abstractEn: r.abstractEn,
          keywords: r.keywords,
          license: r.license,
          org: { code: r.providerOrg.code, nameZh: r.providerOrg.nameZh, nameEn: r.providerOrg.nameEn },
          updatedAt: r.updatedAt,
          releaseDate: r.releaseDate,
          openMode: r.openMode,
          updateFrequency: r.updateFrequency,
          datasetId: page.datasetId,
        }),
      });
    },
  );

  app.get(
    '/data/departments/:code',
    { schema: { hide: true, params: Type.Object({ code: Type.String({ maxLength: 64 }) }) } },
    async (req, reply) => {
      const d = (await pw.departments()).find((x) => x.code === req.params.code);
      const path = `/data/departments/${encodeURIComponent(req.params.code)}`;
      if (!d) return send(req, reply, { path, title: `未找到 - ${site}`, description: homeDescription, noindex: true }, 404);
      return send(req, reply, {
        path,
        title: `${d.nameZh} 开放数据 - ${site}`,
        description: `${d.nameZh}（${d.nameEn}）开放的 ${d.datasets} 个数据集。`,
        jsonLd: {
          '@context': 'https://schema.org',
          '@type': 'GovernmentOrganization',
          name: d.nameZh,
          alternateName: d.nameEn,
          url: baseUrl(ctx, req) + path,
        },
      });
    },
  );

  app.get(
    '/data/topics/:code',
    { schema: { hide: true, params: Type.Object({ code: Type.String({ maxLength: 64 }) }) } },
    async (req, reply) => {
      const t = (await pw.topics()).find((x) => x.code === req.params.code);
      const path = `/data/topics/${encodeURIComponent(req.params.code)}`;
      if (!t) return send(req, reply, { path, title: `未找到 - ${site}`, description: homeDescription, noindex: true }, 404);
      return send(req, reply, {
        path,
        title: `${t.nameZh} 主题数据 - ${site}`,
        description: `主题“${t.nameZh}”（${t.nameEn}）下的 ${t.datasets} 个开放数据集。`,
      });
    },
  );

  // Every other portal page (search, register, developer, demands, reuses, …): the SPA with the portal's head.
  app.get('/data/*', { schema: { hide: true } }, async (req, reply) =>
    send(req, reply, { path: req.url.split('?')[0]!, title: `公共数据开放 - ${site}`, description: homeDescription }),
  );
}
