// Registration (登记) routes: applications and their workflow (signed in), the public side (notices,
// objections, certificate lookup, the rules in force; no login needed), the dashboard and the settings.
import type { App } from '../../http/app.ts';
import type { AppContext } from '../../context.ts';
import * as S from './schemas.ts';

const HOUR_MS = 3_600_000;
const MINUTE_MS = 60_000;

export async function registerRegistrationRoutes(app: App, ctx: AppContext) {
  const reg = ctx.registration;
  const tags = ['registration'];

  // ------------------------------------------------------------------------------------------ the public side
  app.get(
    '/api/registrations/notices',
    {
      schema: {
        tags,
        summary: 'Registrations in public notice (公示): registrant, type, data name, summary, notice period — no login needed',
        response: { 200: S.NoticeList },
      },
    },
    async (req) => ({ items: await reg.notices(req.actor) }),
  );

  app.post(
    '/api/registrations/:id/objections',
    {
      schema: {
        tags,
        summary: 'Object to a registration during its public notice (anyone, also without login; rate limited per address)',
        params: S.IdParams,
        body: S.ObjectionBody,
        response: { 201: S.ObjectionCreated },
      },
      config: { rateLimit: { max: async () => reg.setting('objection_rate_per_hour'), timeWindow: HOUR_MS } },
    },
    async (req, reply) => {
      const body = { name: req.body.name.trim(), contact: req.body.contact.trim(), reason: req.body.reason.trim() };
      const created = await reg.object(req.actor, req.params.id, body);
      return reply.status(201).send(created);
    },
  );

  app.get(
    '/api/registrations/certificates/lookup',
    {
      schema: {
        tags,
        summary: 'Look a registration certificate up by its number or query code — no login needed (approved registrations only)',
        querystring: S.LookupQuery,
        response: { 200: S.LookupResult },
      },
      config: { rateLimit: { max: async () => reg.setting('lookup_rate_per_minute'), timeWindow: MINUTE_MS } },
    },
    async (req) => reg.lookup(req.actor, { number: req.query.number, queryCode: req.query.queryCode }),
  );

  app.get(
    '/api/registrations/settings',
    {
      schema: {
        tags,
        summary: 'The figures of the registration rules in force, each with its source (public)',
        response: { 200: S.SettingList },
      },
    },
    async (req) => {
      await ctx.authz.authorize(req.actor, 'registration.public', { type: 'registration_setting' });
      return { items: await reg.listSettings() };
    },
  );

  app.put(
    '/api/registrations/settings/:key',
    {
      schema: {
        tags,
        summary: 'Change one figure of the registration rules (data authority; ledgered; applies to deadlines opened from now on)',
        params: S.SettingParams,
        body: S.SettingBody,
        response: { 200: S.Setting },
      },
    },
    async (req) => reg.updateSetting(req.actor, req.params.key, req.body.value),
  );

  // ------------------------------------------------------------------------------------------ applications
  app.get(
    '/api/registrations/dashboard',
    {
      schema: {
        tags,
        summary: 'Counts by state, deadlines due soon and overdue (the authority: all; a provider: its organization)',
        response: { 200: S.Dashboard },
      },
    },
    async (req) => reg.dashboard(req.actor),
  );

  app.post(
    '/api/registrations',
    {
      schema: {
        tags,
        summary: 'Apply to register a published (or approved) catalog resource (provider clerk of its organization)',
        body: S.ApplyBody,
        response: { 201: S.RegistrationDetail },
      },
    },
    async (req, reply) => {
      const detail = await reg.apply(req.actor, { resourceId: req.body.resourceId, comment: req.body.comment.trim() });
      return reply.status(201).send(detail);
    },
  );

  app.get(
    '/api/registrations',
    {
      schema: {
        tags,
        summary: 'Registrations the caller may see (authority/auditor: all; provider clerk: own organization), with filters',
        querystring: S.ListQuery,
        response: { 200: S.RegistrationPage },
      },
    },
    async (req) => reg.list(req.actor, req.query),
  );

  app.get(
    '/api/registrations/:id',
    {
      schema: {
        tags,
        summary: 'One registration with its timeline, deadlines, objections, certificate and the steps the caller may take',
        params: S.IdParams,
        response: { 200: S.RegistrationDetail },
      },
    },
    async (req) => reg.get(req.actor, req.params.id),
  );

  app.post(
    '/api/registrations/:id/transitions',
    {
      schema: {
        tags,
        summary: 'Take a workflow step (409 with the allowed steps when it is not possible from the current state)',
        params: S.IdParams,
        body: S.TransitionBody,
        response: { 200: S.RegistrationDetail },
      },
    },
    async (req) => reg.transition(req.actor, req.params.id, req.body.to, req.body.comment.trim()),
  );
}
