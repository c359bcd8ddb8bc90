// The HTTP server: Fastify 5 + TypeBox, one error body, OpenAPI 3.1, security headers, limits, metrics,
// health checks, and the web app. Module routes are registered from src/modules/*/routes.ts.
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type RouteOptions } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import cookie from '@fastify/cookie';
import helmet, { type HelmetOptions } from 'helmet';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import fastifyStatic from '@fastify/static';
import { AppError } from '../errors.ts';
import type { AppContext } from '../context.ts';
import { ErrorBody, STANDARD_ERROR_STATUSES, errorHandler, sendError } from './errors.ts';
import { Metrics } from './metrics.ts';
import { createLogger } from '../log.ts';
import { registerSystemRoutes } from '../modules/system/routes.ts';
import { registerIdentityRoutes } from '../modules/identity/routes.ts';
import { registerLedgerRoutes } from '../modules/ledger/routes.ts';
import { registerJobsRoutes } from '../modules/jobs/routes.ts';
import { registerCatalogRoutes } from '../modules/catalog/routes.ts';
import { registerElementsRoutes } from '../modules/elements/routes.ts';
import { registerRegistrationRoutes } from '../modules/registration/routes.ts';
import { registerSearchRoutes } from '../modules/search/routes.ts';
import { registerSourcesRoutes } from '../modules/sources/routes.ts';
import { registerUploadsRoutes } from '../modules/uploads/routes.ts';
import { registerDatasetsRoutes } from '../modules/datasets/routes.ts';
import { registerEntitlementsRoutes } from '../modules/entitlements/routes.ts';
import { registerGatewayRoutes } from '../modules/gateway/routes.ts';
import { registerExtractScheduleRoutes } from '../modules/gateway/schedule-routes.ts';
import { registerSharingRoutes } from '../modules/sharing/routes.ts';
import { registerFederationRoutes } from '../modules/federation/routes.ts';
import { registerPortalRoutes } from '../modules/portal/routes.ts';
import { registerOpenApplyRoutes } from '../modules/openapply/routes.ts';
import { registerFeedbackRoutes } from '../modules/feedback/routes.ts';
import { registerHarvestRoutes } from '../modules/harvest/routes.ts';
import { registerOpennessRoutes } from '../modules/openness/routes.ts';
import { registerDcatRoutes } from '../modules/dcat/routes.ts';
import { registerCkanRoutes } from '../modules/ckan/routes.ts';
import { rateLimits } from '../modules/portalweb/apptoken.ts';
import { registerPortalWebRoutes, registerPortalPages } from '../modules/portalweb/routes.ts';

export type App = FastifyInstance<
  import('node:http').Server,
  import('node:http').IncomingMessage,
  import('node:http').ServerResponse,
  import('fastify').FastifyBaseLogger,
  TypeBoxTypeProvider
>;

export const WEB_DIST = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../web/dist');
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export interface BuildOptions {
  /** Pass false to silence request logs. */
  logger?: boolean;
}

export async function buildApp(ctx: AppContext, opts: BuildOptions = {}): Promise<App> {
  const { config } = ctx;
  const app = Fastify({
    loggerInstance: opts.logger === false ? createLogger('silent') : (ctx.log as FastifyBaseLogger),
    bodyLimit: config.bodyLimit,
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    },
    trustProxy: false,
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', useDefaults: true, allErrors: false } },
  }).withTypeProvider<TypeBoxTypeProvider>() as unknown as App;

  app.addSchema(ErrorBody);
  app.setErrorHandler(errorHandler(config.bodyLimit));
  app.addHook('onRequest', (req, reply, done) => {
    reply.header('x-request-id', req.id);
    done();
  });

  // Every route documents the standard error responses, so the OpenAPI document is a true contract.
  app.addHook('onRoute', (route: RouteOptions) => {
    if (route.schema?.hide) return;
    const schema = (route.schema ??= {});
    const response = ((schema as { response?: Record<string, unknown> }).response ??= {});
    for (const [status, description] of Object.entries(STANDARD_ERROR_STATUSES)) {
      if (!(status in response)) response[status] = { description, $ref: 'ErrorBody#' };
    }
  });

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Shuyuan (数源) API',
        version: '0.1.0',
        description:
          'Public data resource platform: catalog, sharing, open access and authorized operation on one entitlement model. ' +
          'Errors are always `{ "error": { "code", "message", "details" } }`; messages follow Accept-Language (zh-CN default, en). ' +
          'Browser clients authenticate with the session cookie and send the CSRF token in `x-csrf-token` on unsafe methods; ' +
          'machine clients sign requests with an AppKey/AppSecret (see docs/api.md).',
      },
      components: {
        securitySchemes: {
          session: { type: 'apiKey', in: 'cookie', name: 'sy_session' },
          appKey: { type: 'apiKey', in: 'header', name: 'x-shuyuan-appkey' },
        },
      },
    },
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => (typeof json.$id === 'string' ? json.$id : `def-${i}`) },
  });
  await app.register(swaggerUi, {
    routePrefix: '/api/docs',
    staticCSP: true,
    transformStaticCSP: (header) => (config.cookieSecure ? header : header.replace(/\s*upgrade-insecure-requests;?/, '')),
  });

  // Security headers (helmet's policy) computed once at start and set on every reply: helmet's per-request
  // middleware cost ~7% of an authenticated GET in a profile, and none of these headers vary per request.
  const securityHeaders = computeSecurityHeaders({
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        // antd renders CSS-in-JS style tags.
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        fontSrc: ["'self'", 'data:'],
        objectSrc: ["'none'"],
        frameAncestors: ["'none'"],
        baseUri: ["'self'"],
        formAction: ["'self'"],
        // Plain-HTTP deployments (a LAN, the demo) would break if browsers were told to upgrade.
        upgradeInsecureRequests: config.cookieSecure ? [] : null,
      },
    },
    crossOriginEmbedderPolicy: false,
    strictTransportSecurity: config.cookieSecure,
  });
  app.addHook('onRequest', (req, reply, done) => {
    reply.headers(securityHeaders);
    // API answers carry personal data: no shared or browser caching (routes that may be cached override it).
    if (req.url.startsWith('/api/')) reply.header('cache-control', 'no-store');
    done();
  });
  await app.register(cookie);
  // Per API key when the request carries one, per application token (X-App-Token) or client IP otherwise; the
  // public read APIs have a lower anonymous limit (src/modules/portalweb/apptoken.ts, docs/portal.md).
  const limits = rateLimits(ctx);
  await app.register(rateLimit, {
    max: limits.max,
    timeWindow: 60_000,
    keyGenerator: limits.key,
    // Limit headers only on the 429 itself (with Retry-After): three extra headers on every success cost
    // measurable throughput and tell a client nothing it needs.
    addHeadersOnExceeding: { 'x-ratelimit-limit': false, 'x-ratelimit-remaining': false, 'x-ratelimit-reset': false },
    errorResponseBuilder: (_req, c) => new AppError(429, 'RATE_LIMITED', { retryAfter: Math.max(1, Math.ceil(c.ttl / 1000)) }),
    allowList: (req) => req.url === '/healthz' || req.url === '/readyz' || req.url === '/metrics',
  });

  const metrics = new Metrics(ctx);
  metrics.install(app);

  // Authentication (session cookie or API-key signature) resolves req.actor before any handler runs.
  await registerIdentityRoutes(app, ctx);
  await registerSystemRoutes(app, ctx, metrics);
  await registerLedgerRoutes(app, ctx);
  await registerJobsRoutes(app, ctx);
  await registerCatalogRoutes(app, ctx);
  await registerElementsRoutes(app, ctx);
  await registerRegistrationRoutes(app, ctx);
  await registerSearchRoutes(app, ctx);
  await registerSourcesRoutes(app, ctx);
  await registerUploadsRoutes(app, ctx);
  await registerDatasetsRoutes(app, ctx);
  await registerEntitlementsRoutes(app, ctx);
  await registerGatewayRoutes(app, ctx);
  await registerExtractScheduleRoutes(app, ctx);
  await registerSharingRoutes(app, ctx);
  await registerFederationRoutes(app, ctx);
  await registerPortalRoutes(app, ctx);
  await registerOpenApplyRoutes(app, ctx);
  await registerFeedbackRoutes(app, ctx);
  await registerHarvestRoutes(app, ctx);
  await registerOpennessRoutes(app, ctx);
  await registerDcatRoutes(app, ctx);
  await registerCkanRoutes(app, ctx);
  await registerPortalWebRoutes(app, ctx);

  // The web app (built by Vite into web/dist), with client-side routing falling back to index.html.
  const hasWeb = fs.existsSync(path.join(WEB_DIST, 'index.html'));
  if (hasWeb) {
    await app.register(fastifyStatic, { root: WEB_DIST, prefix: '/', wildcard: false, index: ['index.html'], maxAge: '1h' });
  }
  // The public portal's pages (/data/…) with their title, description and JSON-LD in the HTML (SEO).
  await registerPortalPages(app, ctx, hasWeb ? path.join(WEB_DIST, 'index.html') : null);
  app.setNotFoundHandler((req, reply) => {
    const isApi = req.url.startsWith('/api/') || req.url === '/api';
    if (hasWeb && req.method === 'GET' && !isApi && (req.headers.accept ?? '').includes('text/html')) {
      return reply.header('cache-control', 'no-cache').sendFile('index.html');
    }
    return sendError(req, reply, new AppError(404, 'ROUTE_NOT_FOUND', { method: req.method, url: req.url.split('?')[0] }));
  });

  return app;
}

/** Runs helmet's middleware once against a recording response and returns the headers it set. */
function computeSecurityHeaders(options: HelmetOptions): Record<string, string> {
  const headers: Record<string, string> = {};
  const recorder = {
    setHeader: (name: string, value: unknown) => void (headers[name.toLowerCase()] = String(value)),
    removeHeader: (name: string) => void delete headers[name.toLowerCase()],
  };
  helmet(options)({} as never, recorder as never, () => undefined);
  return headers;
}
