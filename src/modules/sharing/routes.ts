// Sharing request (共享申请) routes: request, list, detail, workflow steps, negotiation messages, statistics and
// the figures of the rules with their sources. The shareable catalog itself is the search API with
// `share=unconditional,conditional` (src/modules/search).
import type { App } from '../../http/app.ts';
import type { AppContext } from '../../context.ts';
import { registerSettingsRoutes } from '../jobs/settings-routes.ts';
import * as S from './schemas.ts';

export async function registerSharingRoutes(app: App, ctx: AppContext) {
  const sharing = ctx.sharing;
  const tags = ['sharing'];

  registerSettingsRoutes(app, ctx, {
    base: '/api/sharing',
    tags,
    settings: sharing.settings,
    read: { type: 'sharing_setting' },
    summary: 'The figures of the sharing rules in force (time limits, validity), each with its source',
  });

  app.get(
    '/api/sharing/stats',
    {
      schema: {
        tags,
        summary:
          'Requests by state, overdue and due soon, approval rate, median answer time in working days, calls per day (the caller’s scope)',
        response: { 200: S.Stats },
      },
    },
    async (req) => sharing.stats(req.actor),
  );

  app.post(
    '/api/sharing/requests',
    {
      schema: {
        tags,
        summary: 'Request fields of a shareable resource for a legal basis, purpose and scenario (a clerk for its own organization)',
        body: S.CreateBody,
        response: { 201: S.RequestDetail },
      },
    },
    async (req, reply) => reply.status(201).send(await sharing.request(req.actor, req.body)),
  );

  app.get(
    '/api/sharing/requests',
    {
      schema: {
        tags,
        summary: 'Sharing requests the caller may see: mine (my organization’s), incoming (for my data), all (authority, auditor)',
        querystring: S.ListQuery,
        response: { 200: S.RequestPage },
      },
    },
    async (req) => sharing.list(req.actor, req.query),
  );

  app.get(
    '/api/sharing/requests/:id',
    {
      schema: {
        tags,
        summary: 'One request with its timeline, deadlines and the steps the caller may take (404 for anyone not party to it)',
        params: S.IdParams,
        response: { 200: S.RequestDetail },
      },
    },
    async (req) => sharing.get(req.actor, req.params.id),
  );

  app.post(
    '/api/sharing/requests/:id/transitions',
    {
      schema: {
        tags,
        summary: 'Take a workflow step; approving steps grant an entitlement with the given terms (409 with the allowed steps otherwise)',
        params: S.IdParams,
        body: S.TransitionBody,
        response: { 200: S.RequestDetail },
      },
    },
    async (req) => sharing.transition(req.actor, req.params.id, req.body.to, req.body.comment, req.body.terms ?? {}),
  );

  app.post(
    '/api/sharing/requests/:id/messages',
    {
      schema: {
        tags,
        summary: 'A message in the negotiation or coordination (the parties and, in coordination, the authority)',
        params: S.IdParams,
        body: S.MessageBody,
        response: { 200: S.RequestDetail },
      },
    },
    async (req) => sharing.message(req.actor, req.params.id, req.body.text),
  );
}
