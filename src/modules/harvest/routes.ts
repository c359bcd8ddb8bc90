// Harvest routes (issue 7 §8): the data authority configures other portals whose catalogs are harvested (CKAN
// API or DCAT-AP feed), runs them now or on a schedule and reads how each run went; auditors read. Anyone who may
// see a harvested resource may read where it came from.
import { Type } from 'typebox';
import type { App } from '../../http/app.ts';
import type { AppContext } from '../../context.ts';

const Uuid = Type.String({ format: 'uuid' });
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);
const tags = ['harvest'];
const Kind = Type.Enum(['ckan', 'dcat']);

const RunView = Type.Object({
  id: Uuid,
  trigger: Type.Enum(['manual', 'schedule']),
  status: Type.Enum(['queued', 'running', 'ok', 'failed', 'skipped']),
  pages: Type.Integer(),
  seen: Type.Integer({ description: 'Upstream datasets read so far' }),
  created: Type.Integer(),
  updated: Type.Integer(),
  unchanged: Type.Integer(),
  withdrawn: Type.Integer(),
  error: Nullable(
    Type.Object(
      {
        reason: Type.String({
          description:
            'network, timeout, http, redirect_loop, too_many_redirects, forbidden_address, too_large, malformed, too_many_pages, too_many_datasets, invalid_dataset, interrupted, or an error code',
        }),
        message: Type.Optional(Type.String()),
        status: Type.Optional(Type.Integer()),
        url: Type.Optional(Type.String()),
        page: Type.Optional(Type.Integer()),
        item: Type.Optional(Type.String()),
      },
      { additionalProperties: false },
    ),
  ),
  createdAt: Type.String(),
  startedAt: Nullable(Type.String()),
  finishedAt: Nullable(Type.String()),
});
const SourceView = Type.Object({
  id: Uuid,
  name: Type.String(),
  kind: Kind,
  url: Type.String(),
  owner: Type.Object({ id: Uuid, code: Type.String(), nameZh: Type.String(), nameEn: Type.String() }),
  subjectCategory: Type.String(),
  domainCategory: Type.String(),
  schedule: Nullable(Type.Object({ cron: Type.String(), timeZone: Type.String(), nextRunAt: Nullable(Type.String()) })),
  state: Type.Enum(['active', 'disabled']),
  datasets: Type.Integer({ description: 'Harvested resources in force' }),
  withdrawn: Type.Integer({ description: 'Harvested resources withdrawn because they are gone upstream' }),
  lastRun: Nullable(RunView),
  createdAt: Type.String(),
});
const Params = Type.Object({ id: Uuid });
const Cron = Type.String({
  maxLength: 100,
  description: 'Five-field cron expression in China time (Asia/Shanghai), at least 60 minutes apart; empty: on demand only',
});

export async function registerHarvestRoutes(app: App, ctx: AppContext) {
  app.get(
    '/api/harvest/sources',
    { schema: { tags, summary: 'Harvest sources with their last run', response: { 200: Type.Object({ items: Type.Array(SourceView) }) } } },
    async (req) => ({ items: await ctx.harvest.list(req.actor) }),
  );

  app.post(
    '/api/harvest/sources',
    {
      schema: {
        tags,
        summary: 'Add a portal to harvest: a CKAN API (its base URL) or a DCAT-AP feed (JSON-LD or Turtle)',
        body: Type.Object(
          {
            name: Type.String({ minLength: 1, maxLength: 100 }),
            kind: Kind,
            url: Type.String({ minLength: 8, maxLength: 2000 }),
            ownerOrgId: Uuid,
            subjectCategory: Type.String({ minLength: 1, maxLength: 10 }),
            domainCategory: Type.String({ minLength: 1, maxLength: 10 }),
            cron: Type.Optional(Nullable(Cron)),
          },
          { additionalProperties: false },
        ),
        response: { 201: SourceView },
      },
    },
    async (req, reply) => reply.code(201).send(await ctx.harvest.create(req.actor, req.body)),
  );

  app.get(
    '/api/harvest/sources/:id',
    { schema: { tags, summary: 'One harvest source', params: Params, response: { 200: SourceView } } },
    async (req) => ctx.harvest.get(req.actor, req.params.id),
  );

  app.patch(
    '/api/harvest/sources/:id',
    {
      schema: {
        tags,
        summary: 'Rename, (re)schedule, disable or enable a harvest source',
        params: Params,
        body: Type.Object(
          {
            name: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
            cron: Type.Optional(Nullable(Cron)),
            state: Type.Optional(Type.Enum(['active', 'disabled'])),
          },
          { additionalProperties: false },
        ),
        response: { 200: SourceView },
      },
    },
    async (req) => ctx.harvest.update(req.actor, req.params.id, req.body),
  );

  app.post(
    '/api/harvest/sources/:id/runs',
    {
      schema: {
        tags,
        summary: 'Harvest now: queues a run (a durable job); GET …/runs/{runId} shows its progress and outcome',
        params: Params,
        response: { 202: RunView },
      },
    },
    async (req, reply) => reply.code(202).send(await ctx.harvest.queueRun(req.actor, req.params.id)),
  );

  app.get(
    '/api/harvest/sources/:id/runs',
    {
      schema: {
        tags,
        summary: 'The last 50 runs of a source',
        params: Params,
        response: { 200: Type.Object({ items: Type.Array(RunView) }) },
      },
    },
    async (req) => ({ items: await ctx.harvest.runs(req.actor, req.params.id) }),
  );

  app.get(
    '/api/harvest/sources/:id/runs/:runId',
    {
      schema: { tags, summary: 'One run', params: Type.Object({ id: Uuid, runId: Uuid }), response: { 200: RunView } },
    },
    async (req) => ctx.harvest.run(req.actor, req.params.id, req.params.runId),
  );

  app.get(
    '/api/harvest/origin/:id',
    {
      schema: {
        tags,
        summary: 'Where a harvested catalog resource came from: the source portal, its page and files (404 when not harvested)',
        security: [],
        params: Params,
        response: {
          200: Type.Object({
            source: Type.Object({ name: Type.String(), kind: Kind, url: Type.String() }),
            remoteId: Type.String(),
            remoteUrl: Nullable(Type.String()),
            remoteModified: Nullable(Type.String()),
            distributions: Type.Array(Type.Object({ url: Type.String(), format: Type.String(), title: Type.String() })),
            state: Type.Enum(['active', 'withdrawn']),
            harvestedAt: Type.String(),
          }),
        },
      },
    },
    async (req) => ctx.harvest.origin(req.actor, req.params.id),
  );
}
