// Scheduled bulk delivery API (定时交付, issue 6 §4c) under /api/gateway/extract-schedules: for the owning
// organization's clerks (browser session) and for the application itself (signed calls, which act as their own
// application and key). Other organizations get 404 for everything about a schedule; the authority and the auditor
// view. The runs' files are the ordinary extracts (GET /api/gateway/v1/resources/:resourceId/extracts/:id/file).
import { Type } from 'typebox';
import type { AppContext } from '../../context.ts';
import type { App } from '../../http/app.ts';
import { pickLang } from '../../i18n/messages.ts';
import * as S from './schedule-schemas.ts';

const BASE = '/api/gateway/extract-schedules';

export async function registerExtractScheduleRoutes(app: App, ctx: AppContext) {
  const svc = ctx.extractSchedules;
  const tags = ['gateway'];

  app.post(
    BASE,
    {
      schema: {
        tags,
        summary: 'Schedule a bulk delivery (cron in China time, full or incremental, CSV or Parquet) of a resource held with a bulk grant',
        body: S.ScheduleBody,
        response: { 201: S.ScheduleView },
      },
    },
    async (req, reply) => reply.status(201).send(svc.view(await svc.create(req.actor, req.body), pickLang(req.headers['accept-language']))),
  );

  app.get(
    BASE,
    {
      schema: {
        tags,
        summary: "My organization's scheduled deliveries (authority and auditor: all; a signed call: its application's)",
        querystring: S.ScheduleListQuery,
        response: { 200: Type.Object({ items: Type.Array(S.ScheduleView) }) },
      },
    },
    async (req) => {
      const lang = pickLang(req.headers['accept-language']);
      return { items: (await svc.list(req.actor, req.query)).map((s) => svc.view(s, lang)) };
    },
  );

  app.get(
    `${BASE}/:id`,
    { schema: { tags, summary: 'One scheduled delivery', params: S.ScheduleParams, response: { 200: S.ScheduleView } } },
    async (req) => svc.view(await svc.get(req.actor, req.params.id), pickLang(req.headers['accept-language'])),
  );

  for (const verb of ['pause', 'resume'] as const) {
    app.post(
      `${BASE}/:id/${verb}`,
      {
        schema: {
          tags,
          summary:
            verb === 'pause' ? 'Pause a scheduled delivery (its pending occurrence is cancelled)' : 'Resume a paused scheduled delivery',
          params: S.ScheduleParams,
          response: { 200: S.ScheduleView },
        },
      },
      async (req) => svc.view(await svc[verb](req.actor, req.params.id), pickLang(req.headers['accept-language'])),
    );
  }

  app.delete(
    `${BASE}/:id`,
    { schema: { tags, summary: 'Delete a scheduled delivery (its files stay)', params: S.ScheduleParams, response: { 204: Type.Null() } } },
    async (req, reply) => {
      await svc.delete(req.actor, req.params.id);
      return reply.status(204).send(null);
    },
  );

  app.post(
    `${BASE}/:id/run`,
    {
      schema: {
        tags,
        summary: 'Run a scheduled delivery now (409 when paused or when a run is queued or running)',
        params: S.ScheduleParams,
        response: { 202: S.RunView },
      },
    },
    async (req, reply) => {
      const run = await svc.runNow(req.actor, req.params.id);
      const s = await svc.get(req.actor, req.params.id);
      return reply.status(202).send(svc.runView(run, s, pickLang(req.headers['accept-language'])));
    },
  );

  app.get(
    `${BASE}/:id/runs`,
    {
      schema: {
        tags,
        summary: 'The runs of a scheduled delivery, newest first: state, version, rows, size, SHA-256, links to file and manifest',
        params: S.ScheduleParams,
        querystring: S.RunsQuery,
        response: { 200: Type.Object({ items: Type.Array(S.RunView), total: Type.Integer() }) },
      },
    },
    async (req) => {
      const lang = pickLang(req.headers['accept-language']);
      const r = await svc.runs(req.actor, req.params.id, req.query.limit, req.query.offset);
      return { items: r.items.map((x) => svc.runView(x, r.schedule, lang)), total: r.total };
    },
  );
}
