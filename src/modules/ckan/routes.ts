// CKAN Action API v3, read subset (issue 7 §6): GET /api/3/action/{action}?… and POST with a JSON object, also under
// /api/action/. Answers keep CKAN's envelope {help, success, result} and CKAN's errors — {help, success:false,
// error:{__type, message | <field>: [...]}} with 404 / 409 / 403, and for an unknown action or unreadable input a
// 400 whose body is CKAN's bare JSON string "Bad request - …" (ckan/views/api.py). See docs/portal-ckan.md.
import { Type } from 'typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { App } from '../../http/app.ts';
import type { AppContext } from '../../context.ts';
import { AppError } from '../../errors.ts';
import { translate, type Lang } from '../../i18n/messages.ts';
import { CkanService } from './service.ts';
import { badRequest, CkanError, type CkanParams } from './params.ts';
import './messages.ts';

/** The actions answered, with the text help_show gives for each. */
export const ACTIONS: Record<string, string> = {
  status_show: "Return a dictionary with information about the site's configuration.",
  package_list: "Return a list of the names of the site's datasets (packages). :param limit: :param offset:",
  current_package_list_with_resources:
    "Return a list of the site's datasets (packages) and their resources, most recently modified first. :param limit: :param offset: :param page:",
  package_show: 'Return the metadata of a dataset (package) and its resources. :param id: the id or name of the dataset',
  package_search:
    'Searches for packages satisfying a given search criteria. :param q: :param fq: :param rows: (at most 1000) :param start: :param sort: :param facet.field: :param facet.limit: :param facet.mincount: :param include_private: (ignored)',
  resource_show: 'Return the metadata of a resource. :param id: the id of the resource',
  organization_list:
    "Return a list of the names of the site's organizations. :param all_fields: :param sort: :param limit: :param offset: :param organizations: :param q:",
  organization_show: 'Return the details of an organization. :param id: the id or name of the organization :param include_datasets:',
  group_list:
    "Return a list of the names of the site's groups. :param all_fields: :param sort: :param limit: :param offset: :param groups: :param q:",
  group_show: 'Return the details of a group. :param id: the id or name of the group :param include_datasets:',
  tag_list: "Return a list of the site's tags. :param query: :param all_fields:",
  license_list: 'Return the list of licenses available for datasets on the site.',
  datastore_search:
    'Search a DataStore resource. :param resource_id: :param q: :param filters: :param fields: :param sort: :param limit: (default 100, at most 32000) :param offset: :param include_total: :param records_format: objects or lists',
  help_show: 'Return the help string for a particular API action. :param name: Action function name',
};

function langOf(req: FastifyRequest): Lang {
  // CKAN answers in English unless asked otherwise; a client preferring Chinese gets Chinese messages.
  return /^\s*zh/i.test(String(req.headers['accept-language'] ?? '')) ? 'zh-CN' : 'en';
}

function baseOf(ctx: AppContext, req: FastifyRequest): string {
  return (ctx.config.publicUrl ?? `${req.protocol}://${req.host}`).replace(/\/+$/, '');
}

function send(reply: FastifyReply, status: number, body: unknown) {
  return reply.status(status).type('application/json;charset=utf-8').send(JSON.stringify(body));
}

function sendCkanError(req: FastifyRequest, reply: FastifyReply, help: string | null, e: CkanError) {
  if (e.type === null) return send(reply, 400, `Bad request - ${e.text}`);
  const error: Record<string, unknown> =
    e.type === 'Validation Error'
      ? { ...e.fields, __type: e.type }
      : { __type: e.type, message: translate(e.messageKey!, langOf(req), e.messageParams) };
  return send(reply, e.status, { help, success: false, error });
}

export async function registerCkanRoutes(app: App, ctx: AppContext) {
  const ckan = new CkanService(ctx);

  async function run(action: string, req: FastifyRequest, p: CkanParams, base: string): Promise<unknown> {
    const actor = req.actor;
    switch (action) {
      case 'status_show':
        return ckan.statusShow(base);
      case 'package_list':
        return ckan.packageList(actor, p);
      case 'current_package_list_with_resources':
        return ckan.currentPackageListWithResources(actor, base, p);
      case 'package_show':
        return ckan.packageShow(actor, base, p);
      case 'package_search':
        return ckan.packageSearch(actor, base, p);
      case 'resource_show':
        return ckan.resourceShow(actor, base, p);
      case 'organization_list':
        return ckan.organizationList(actor, p);
      case 'organization_show':
        return ckan.organizationShow(actor, base, p);
      case 'group_list':
        return ckan.groupList(actor, p);
      case 'group_show':
        return ckan.groupShow(actor, base, p);
      case 'tag_list':
        return ckan.tagList(actor, p);
      case 'license_list':
        return ckan.licenseList();
      case 'datastore_search':
        return ckan.datastoreSearch(actor, base, p);
      case 'help_show': {
        const name = typeof p.name === 'string' ? p.name : '';
        const doc = ACTIONS[name];
        if (!doc) throw new CkanError(404, 'Not Found Error', 'CKAN_NOT_FOUND');
        return doc;
      }
    }
    throw badRequest(`Action name not known: ${action}`);
  }

  await app.register(async (scope) => {
    // CKAN reads an empty body as no parameters and answers unreadable JSON with its own 400 (not our error body).
    scope.removeContentTypeParser('application/json');
    scope.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit: ctx.config.bodyLimit }, (_req, body, done) => {
      const text = String(body).trim();
      if (!text) return done(null, {});
      try {
        done(null, JSON.parse(text));
      } catch (e) {
        done(null, { __ckanBadJson: (e as Error).message });
      }
    });
    scope.setErrorHandler((err, req, reply) => {
      const e = err as { statusCode?: number; code?: string; message?: string };
      if (e.statusCode === 429 || err instanceof AppError) throw err; // the platform's rate limit answer (Retry-After)
      if (e.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE')
        return send(reply, 400, 'Bad request - JSON Error: send a JSON object (application/json)');
      if (e.code === 'FST_ERR_CTP_BODY_TOO_LARGE') throw err;
      req.log.error({ err }, 'ckan action failed');
      return send(reply, 500, { help: null, success: false, error: { __type: 'Internal Server Error', message: 'Internal Server Error' } });
    });

    for (const prefix of ['/api/3/action', '/api/action']) {
      scope.route({
        method: ['GET', 'POST'],
        url: `${prefix}/:action`,
        schema: {
          tags: ['ckan'],
          summary: 'CKAN Action API v3 (read subset): status_show, package_list, package_search, datastore_search, …',
          description:
            "Parameters in the query string (GET) or a JSON object (POST). Answers: `{help, success, result}`; errors keep CKAN's shape and statuses (404 Not Found Error, 409 Validation Error, 403 Authorization Error; 400 with a bare string for an unknown action). See docs/portal-ckan.md.",
          security: [],
          // Outside the OpenAPI document: its errors are CKAN's shapes, not the platform's ErrorBody (docs/portal-ckan.md).
          hide: true,
          params: Type.Object({ action: Type.String() }),
          response: {
            200: {
              description: 'CKAN envelope',
              content: {
                'application/json': {
                  schema: Type.Object({ help: Type.String(), success: Type.Boolean(), result: Type.Unknown() }),
                },
              },
            },
          },
        },
        handler: async (req, reply) => {
          const action = (req.params as { action: string }).action;
          const base = baseOf(ctx, req);
          const help = Object.hasOwn(ACTIONS, action) ? `${base}${prefix}/help_show?name=${encodeURIComponent(action)}` : null;
          try {
            if (!Object.hasOwn(ACTIONS, action)) throw badRequest(`Action name not known: ${action.slice(0, 200)}`);
            let p: CkanParams = { ...(req.query as CkanParams) };
            if (req.method === 'POST' && req.body !== undefined && req.body !== null) {
              const body = req.body as unknown;
              if (typeof body === 'object' && !Array.isArray(body) && Object.hasOwn(body as object, '__ckanBadJson'))
                throw badRequest(`JSON Error: Error decoding JSON data. Error: ${(body as { __ckanBadJson: string }).__ckanBadJson}`);
              if (typeof body !== 'object' || Array.isArray(body))
                throw badRequest(
                  `Bad request data: Request data JSON decoded to ${JSON.stringify(body).slice(0, 100)} but it needs to be a dictionary.`,
                );
              if (Object.keys(body as object).length) p = body as CkanParams;
            }
            delete p.callback;
            const result = await run(action, req, p, base);
            return send(reply, 200, { help, success: true, result });
          } catch (e) {
            if (e instanceof CkanError) return sendCkanError(req, reply, help, e);
            if (e instanceof AppError && e.status === 404)
              return sendCkanError(req, reply, help, new CkanError(404, 'Not Found Error', 'CKAN_NOT_FOUND'));
            if (e instanceof AppError && e.status === 403)
              return sendCkanError(req, reply, help, new CkanError(403, 'Authorization Error', 'CKAN_ACCESS_DENIED', { code: e.code }));
            throw e;
          }
        },
      });
    }
  });
}
