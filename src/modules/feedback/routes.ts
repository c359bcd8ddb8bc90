// Portal feedback routes (issue 7 §3, §4; docs/portal-feedback.md): public demands with "+1", error reports per
// dataset, the departments' inbox, reuses with moderation, the public statistics and the figures of the rules.
// Reading needs no login; writing does (anonymous callers get 401).
import type { FastifyReply } from 'fastify';
import type { App } from '../../http/app.ts';
import type { AppContext } from '../../context.ts';
import { AppError } from '../../errors.ts';
import { pickLang } from '../../i18n/messages.ts';
import { registerSettingsRoutes } from '../jobs/settings-routes.ts';
import * as S from './schemas.ts';

/** A submission over the hourly limit answers 429 with Retry-After. */
async function limited<T>(reply: FastifyReply, f: () => Promise<T>): Promise<T> {
  try {
    return await f();
  } catch (e) {
    if (e instanceof AppError && e.status === 429) {
      const d = e.details as { retryAfterSeconds?: number } | undefined;
      reply.header('retry-after', String(d?.retryAfterSeconds ?? 3600));
    }
    throw e;
  }
}

export async function registerFeedbackRoutes(app: App, ctx: AppContext) {
  const fb = ctx.feedback;
  const tags = ['feedback'];
  const open = { tags, security: [] };

  // ------------------------------------------------------------------------------------------------- settings
  registerSettingsRoutes(app, ctx, {
    base: '/api/feedback',
    tags,
    settings: fb.settings,
    units: ['working_days', 'days', 'count'],
    read: 'public',
    summary: 'The figures of the feedback rules (answer time limits, submission limit), each with its source',
    appliesTo: 'items submitted from now on',
  });

  app.get(
    '/api/feedback/stats',
    {
      schema: {
        ...open,
        summary:
          'Public statistics: answer rate, median working days to answer and overdue items of demands and error reports, overall and per department',
        response: { 200: S.Stats },
      },
    },
    async () => fb.stats(),
  );

  // -------------------------------------------------------------------------------------------------- demands
  app.get(
    '/api/feedback/demands',
    {
      schema: {
        ...open,
        summary: 'The public demand board (requesters shown by masked name)',
        querystring: S.DemandQuery,
        response: { 200: S.DemandPage },
      },
    },
    async (req) => fb.listDemands(req.actor, req.query),
  );
  app.get(
    '/api/feedback/demands.csv',
    {
      schema: {
        ...open,
        summary: 'The public demand board as CSV (cells that a spreadsheet would read as formulas are neutralized)',
        response: { 200: { description: 'CSV', content: { 'text/csv': { schema: { type: 'string' } } } } },
      },
    },
    async (req, reply) => {
      const lang = pickLang(req.headers['accept-language']) === 'en' ? 'en' : 'zh';
      reply.header('content-type', 'text/csv; charset=utf-8').header('content-disposition', 'attachment; filename="demands.csv"');
      return fb.demandsCsv(req.actor, lang);
    },
  );
  app.post(
    '/api/feedback/demands',
    {
      schema: {
        tags,
        summary: 'Ask for a dataset that is not open, or a format/field/frequency of an existing resource (signed-in users)',
        body: S.CreateDemandBody,
        response: { 201: S.Demand },
      },
    },
    async (req, reply) => reply.status(201).send(await limited(reply, () => fb.createDemand(req.actor, req.body))),
  );
  app.get(
    '/api/feedback/demands/:id',
    { schema: { ...open, summary: 'One public demand with its answer and its thread', params: S.IdParams, response: { 200: S.Demand } } },
    async (req) => fb.getDemand(req.actor, req.params.id),
  );
  app.post(
    '/api/feedback/demands/:id/answer',
    {
      schema: {
        tags,
        summary:
          'Answer a demand publicly: accepted with a planned date, rejected with a reason, or already available (the answering department or the authority)',
        params: S.IdParams,
        body: S.AnswerDemandBody,
        response: { 200: S.Demand },
      },
    },
    async (req) => fb.answerDemand(req.actor, req.params.id, req.body),
  );
  app.post(
    '/api/feedback/demands/:id/route',
    {
      schema: {
        tags,
        summary: 'Route a demand to the department that answers it (data authority)',
        params: S.IdParams,
        body: S.RouteDemandBody,
        response: { 200: S.Demand },
      },
    },
    async (req) => fb.routeDemand(req.actor, req.params.id, req.body.orgId),
  );
  app.post(
    '/api/feedback/demands/:id/votes',
    {
      schema: {
        tags,
        summary: '"+1" a demand (one vote per user; idempotent), or take the vote back',
        params: S.IdParams,
        body: S.VoteBody,
        response: { 200: S.VoteResult },
      },
    },
    async (req) => fb.vote(req.actor, req.params.id, req.body.on),
  );

  // -------------------------------------------------------------------------------------------- error reports
  app.get(
    '/api/feedback/resources/:resourceId/reports',
    {
      schema: {
        ...open,
        summary: 'The public error-report thread of a dataset (reports and answers; 404 when the resource is not visible)',
        params: S.ResourceParams,
        querystring: S.PageQuery,
        response: { 200: S.ReportPage },
      },
    },
    async (req) => fb.datasetReports(req.actor, req.params.resourceId, req.query),
  );
  app.post(
    '/api/feedback/resources/:resourceId/reports',
    {
      schema: {
        tags,
        summary: 'Report an error on a dataset version (optionally a row and a field; signed-in users)',
        params: S.ResourceParams,
        body: S.CreateReportBody,
        response: { 201: S.Report },
      },
    },
    async (req, reply) => reply.status(201).send(await limited(reply, () => fb.createReport(req.actor, req.params.resourceId, req.body))),
  );
  app.get(
    '/api/feedback/reports/:id',
    { schema: { ...open, summary: 'One error report with its thread', params: S.IdParams, response: { 200: S.Report } } },
    async (req) => fb.getReport(req.actor, req.params.id),
  );
  app.post(
    '/api/feedback/reports/:id/actions',
    {
      schema: {
        tags,
        summary:
          'A step on an error report: accept, reject (reason), needs_info (question), correct (fixedVersion) by the provider; info (the answer) by the reporter',
        params: S.IdParams,
        body: S.ReportActionBody,
        response: { 200: S.Report },
      },
    },
    async (req) => fb.actOnReport(req.actor, req.params.id, req.body),
  );

  app.get(
    '/api/feedback/inbox',
    {
      schema: {
        tags,
        summary: 'Demands and error reports the caller’s department answers (all for the authority)',
        querystring: S.InboxQuery,
        response: { 200: S.Inbox },
      },
    },
    async (req) => fb.inbox(req.actor, req.query),
  );

  // --------------------------------------------------------------------------------------------------- reuses
  app.get(
    '/api/feedback/reuses',
    {
      schema: {
        ...open,
        summary:
          'Published reuses (featured=true for the home page, resourceId for one dataset); mine=true: the caller’s own; status: the moderation queue (authority)',
        querystring: S.ReuseQuery,
        response: { 200: S.ReusePage },
      },
    },
    async (req) => fb.listReuses(req.actor, req.query),
  );
  app.post(
    '/api/feedback/reuses',
    {
      schema: {
        tags,
        summary: 'Submit an app, story, paper or visualization built on datasets (signed-in users; public once the authority publishes it)',
        body: S.CreateReuseBody,
        response: { 201: S.Reuse },
      },
    },
    async (req, reply) => reply.status(201).send(await limited(reply, () => fb.createReuse(req.actor, req.body))),
  );
  app.get(
    '/api/feedback/reuses/:id',
    {
      schema: {
        ...open,
        summary: 'One reuse with its datasets (unpublished ones: the submitter and the authority only)',
        params: S.IdParams,
        response: { 200: S.Reuse },
      },
    },
    async (req) => fb.getReuse(req.actor, req.params.id),
  );
  app.post(
    '/api/feedback/reuses/:id/moderation',
    {
      schema: {
        tags,
        summary: 'Publish, reject (reason required), feature or unfeature a reuse (data authority)',
        params: S.IdParams,
        body: S.ModerateReuseBody,
        response: { 200: S.Reuse },
      },
    },
    async (req) => fb.moderateReuse(req.actor, req.params.id, req.body),
  );
}
