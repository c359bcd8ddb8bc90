// Conditional open application (有条件开放申请) routes: apply, list, detail, workflow steps (approve / reject /
// ask for more / resubmit / withdraw), documents, usage reports, reinstatement, statistics and the figures of
// the rules with their sources. The data itself flows only through the gate (datasets read routes, /resource).
import { Type } from 'typebox';
import type { App } from '../../http/app.ts';
import type { AppContext } from '../../context.ts';
import { contentDisposition } from '../datasets/read.ts';
import { registerSettingsRoutes } from '../jobs/settings-routes.ts';
import * as S from './schemas.ts';
import type { OpenApplyService } from './service.ts';

export async function registerOpenApplyRoutes(app: App, ctx: AppContext) {
  const svc: OpenApplyService = ctx.openApply;
  const tags = ['open-applications'];
  const base = '/api/open-applications';

  registerSettingsRoutes(app, ctx, {
    base,
    tags,
    settings: svc.settings,
    read: { type: 'openapply_setting' },
    summary: 'The figures of the conditional-open rules in force, each with its source',
  });

  app.get(
    '/api/open-applications/stats',
    { schema: { tags, summary: 'Applications by state (the caller’s scope; all for the authority)', response: { 200: S.Stats } } },
    async (req) => svc.stats(req.actor),
  );

  app.post(
    base,
    {
      schema: {
        tags,
        summary: 'Apply for fields of a conditionally opened resource (a company, researcher or citizen, signed in), with documents',
        body: S.CreateBody,
        response: { 201: S.Detail },
      },
    },
    async (req, reply) => reply.status(201).send(await svc.apply(req.actor, req.body)),
  );

  app.get(
    base,
    {
      schema: {
        tags,
        summary: 'Applications the caller may see: mine (as applicant), incoming (for my department’s data), all (authority, auditor)',
        querystring: S.ListQuery,
        response: { 200: S.Page },
      },
    },
    async (req) => svc.list(req.actor, req.query),
  );

  app.get(
    `${base}/:id`,
    {
      schema: {
        tags,
        summary: 'One application with its agreement, reports, documents, timeline and the steps the caller may take (404 for strangers)',
        params: S.IdParams,
        response: { 200: S.Detail },
      },
    },
    async (req) => svc.get(req.actor, req.params.id),
  );

  app.post(
    `${base}/:id/transitions`,
    {
      schema: {
        tags,
        summary:
          'Take a workflow step: approve (signs the agreement, grants the entitlement), reject (reasons), ask for more, resubmit, withdraw',
        params: S.IdParams,
        body: S.TransitionBody,
        response: { 200: S.Detail },
      },
    },
    async (req) => svc.transition(req.actor, req.params.id, req.body),
  );

  app.get(
    `${base}/:id/documents/:docId`,
    {
      schema: {
        tags,
        summary: 'Download one document (the applicant, the providing department and the authority only; ledgered)',
        params: S.DocParams,
        response: { 200: Type.Unknown({ description: 'The file' }) },
      },
    },
    async (req, reply) => {
      const { doc, stream } = await svc.document(req.actor, req.params.id, req.params.docId);
      return reply
        .header('content-type', doc.content_type)
        .header('content-disposition', contentDisposition(doc.file_name))
        .header('x-content-type-options', 'nosniff')
        .header('content-length', String(doc.size))
        .send(stream);
    },
  );

  app.post(
    `${base}/:id/reports/:reportId`,
    {
      schema: {
        tags,
        summary: 'Submit a usage report (the applicant): use, results and benefits; schedules the next one',
        params: S.ReportParams,
        body: S.ReportBody,
        response: { 200: S.Detail },
      },
    },
    async (req) => svc.submitReport(req.actor, req.params.id, req.params.reportId, req.body.content),
  );

  app.post(
    `${base}/:id/reinstate`,
    {
      schema: {
        tags,
        summary: 'Reinstate an entitlement suspended for an overdue report, once every report is in (provider or authority)',
        params: S.IdParams,
        body: S.ReinstateBody,
        response: { 200: S.Detail },
      },
    },
    async (req) => svc.reinstate(req.actor, req.params.id, req.body.comment),
  );
}
