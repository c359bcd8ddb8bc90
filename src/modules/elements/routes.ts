// Routes of the data element registry (一数一源: lineage, claims, arbitration, report) under /api/elements
// and of the three lists (职责目录, 需求清单, 负面清单) under /api/lists. Authorization is checked in the
// service (every method authorizes its actor first); the routes only translate HTTP.
import { Type } from 'typebox';
import type { App } from '../../http/app.ts';
import type { AppContext } from '../../context.ts';
import * as S from './schemas.ts';

export async function registerElementsRoutes(app: App, ctx: AppContext) {
  const svc = ctx.elements;

  // ============================================================================================ elements
  app.get(
    '/api/elements',
    {
      schema: {
        tags: ['elements'],
        summary: 'Data element registry (数据元) with each element’s authoritative source and repeated-collection counts',
        querystring: S.ElementListQuery,
        response: { 200: S.ElementList },
      },
    },
    async (req) => svc.listElements(req.actor, req.query),
  );

  app.post(
    '/api/elements',
    {
      schema: {
        tags: ['elements'],
        summary: 'Create a data element, optionally designating its authoritative source (authority)',
        body: S.CreateElementBody,
        response: { 201: S.Element },
      },
    },
    async (req, reply) => reply.status(201).send(await svc.createElement(req.actor, req.body)),
  );

  app.get(
    '/api/elements/report',
    {
      schema: {
        tags: ['elements'],
        summary: '一数一源 report per department: repeated-collection fields, open conflicts, elements it is the source of',
        response: { 200: S.Report },
      },
    },
    async (req) => svc.report(req.actor),
  );

  app.get(
    '/api/elements/coverage',
    {
      schema: {
        tags: ['lists'],
        summary:
          'Coverage per department: responsibility items backed by a published resource, open demands, time to answer (working days)',
        response: { 200: S.Coverage },
      },
    },
    async (req) => svc.coverage(req.actor),
  );

  app.get(
    '/api/elements/arbitrations',
    {
      schema: {
        tags: ['elements'],
        summary: 'Arbitration queue: competing claims to be an element’s authoritative source (authority, auditor)',
        querystring: S.ArbitrationQuery,
        response: { 200: S.ArbitrationList },
      },
    },
    async (req) => ({ items: await svc.listArbitrations(req.actor, req.query.status) }),
  );

  app.get(
    '/api/elements/arbitrations/:id',
    {
      schema: { tags: ['elements'], summary: 'One arbitration with its claims', params: S.IdParams, response: { 200: S.Arbitration } },
    },
    async (req) => svc.getArbitration(req.actor, req.params.id),
  );

  app.post(
    '/api/elements/arbitrations/:id/decide',
    {
      schema: {
        tags: ['elements'],
        summary: 'Decide an arbitration: the winning claim becomes the authoritative source; the others are rejected and notified',
        params: S.IdParams,
        body: S.DecideBody,
        response: { 200: S.Arbitration },
      },
    },
    async (req) => svc.decide(req.actor, req.params.id, req.body),
  );

  app.get(
    '/api/elements/resources/:resourceId/lineage',
    {
      schema: {
        tags: ['elements'],
        summary: 'Lineage of a resource’s fields: data element, authoritative source, repeated-collection flag',
        params: S.ResourceParams,
        response: { 200: S.Lineage },
      },
    },
    async (req) => svc.lineage(req.actor, req.params.resourceId),
  );

  app.get(
    '/api/elements/:id',
    { schema: { tags: ['elements'], summary: 'One data element', params: S.IdParams, response: { 200: S.Element } } },
    async (req) => svc.getElement(req.actor, req.params.id),
  );

  app.patch(
    '/api/elements/:id',
    {
      schema: {
        tags: ['elements'],
        summary: 'Edit a data element or designate its authoritative source directly (authority)',
        params: S.IdParams,
        body: S.UpdateElementBody,
        response: { 200: S.Element },
      },
    },
    async (req) => svc.updateElement(req.actor, req.params.id, req.body),
  );

  app.get(
    '/api/elements/:id/claims',
    {
      schema: {
        tags: ['elements'],
        summary: 'Claims to be the element’s authoritative source, oldest first',
        params: S.IdParams,
        response: { 200: S.ClaimList },
      },
    },
    async (req) => ({ items: await svc.listClaims(req.actor, req.params.id) }),
  );

  app.post(
    '/api/elements/:id/claims',
    {
      schema: {
        tags: ['elements'],
        summary:
          'Claim to be the element’s authoritative source with one of your resources: accepted when uncontested, otherwise queued for arbitration',
        params: S.IdParams,
        body: S.ClaimBody,
        response: { 201: S.ClaimResult },
      },
    },
    async (req, reply) => reply.status(201).send(await svc.claim(req.actor, req.params.id, req.body)),
  );

  // ================================================================================ responsibility list
  app.get(
    '/api/lists/responsibilities',
    {
      schema: {
        tags: ['lists'],
        summary: 'Responsibility list (职责目录): what each department must provide, and whether a published resource backs it',
        querystring: S.ResponsibilityQuery,
        response: { 200: S.ResponsibilityList },
      },
    },
    async (req) => svc.listResponsibilities(req.actor, req.query),
  );

  app.post(
    '/api/lists/responsibilities',
    {
      schema: {
        tags: ['lists'],
        summary: 'Add a responsibility item for your department (provider clerk) or any department (authority)',
        body: S.CreateResponsibilityBody,
        response: { 201: S.Responsibility },
      },
    },
    async (req, reply) => reply.status(201).send(await svc.createResponsibility(req.actor, req.body)),
  );

  app.get(
    '/api/lists/responsibilities/:id',
    { schema: { tags: ['lists'], summary: 'One responsibility item', params: S.IdParams, response: { 200: S.Responsibility } } },
    async (req) => svc.getResponsibility(req.actor, req.params.id),
  );

  app.patch(
    '/api/lists/responsibilities/:id',
    {
      schema: {
        tags: ['lists'],
        summary: 'Edit a responsibility item or its linked resources',
        params: S.IdParams,
        body: S.UpdateResponsibilityBody,
        response: { 200: S.Responsibility },
      },
    },
    async (req) => svc.updateResponsibility(req.actor, req.params.id, req.body),
  );

  app.delete(
    '/api/lists/responsibilities/:id',
    {
      schema: {
        tags: ['lists'],
        summary: 'Delete a responsibility item',
        params: S.IdParams,
        response: { 204: Type.Null({ description: 'Deleted' }) },
      },
    },
    async (req, reply) => {
      await svc.deleteResponsibility(req.actor, req.params.id);
      return reply.status(204).send(null);
    },
  );

  // ======================================================================================== demand list
  app.get(
    '/api/lists/demands',
    {
      schema: {
        tags: ['lists'],
        summary: 'Demand list (需求清单): the demands you raised, and those of or for your department; all for the authority',
        querystring: S.DemandQuery,
        response: { 200: S.DemandList },
      },
    },
    async (req) => svc.listDemands(req.actor, req.query),
  );

  app.post(
    '/api/lists/demands',
    {
      schema: {
        tags: ['lists'],
        summary: 'Raise a demand (any signed-in user); the answer lists matching resources found by search',
        body: S.CreateDemandBody,
        response: { 201: S.Demand },
      },
    },
    async (req, reply) => reply.status(201).send(await svc.createDemand(req.actor, req.body)),
  );

  app.get(
    '/api/lists/demands/:id',
    {
      schema: {
        tags: ['lists'],
        summary: 'One demand, with existing resources that may meet it',
        params: S.IdParams,
        response: { 200: S.Demand },
      },
    },
    async (req) => svc.getDemand(req.actor, req.params.id),
  );

  app.patch(
    '/api/lists/demands/:id',
    {
      schema: {
        tags: ['lists'],
        summary: 'Edit an open demand (its raiser) or route it to a department (authority)',
        params: S.IdParams,
        body: S.UpdateDemandBody,
        response: { 200: S.Demand },
      },
    },
    async (req) => svc.updateDemand(req.actor, req.params.id, req.body),
  );

  app.post(
    '/api/lists/demands/:id/answer',
    {
      schema: {
        tags: ['lists'],
        summary: 'Answer an open demand with resources and/or a reply (target department or authority)',
        params: S.IdParams,
        body: S.AnswerDemandBody,
        response: { 200: S.Demand },
      },
    },
    async (req) => svc.transitionDemand(req.actor, req.params.id, 'answer', req.body),
  );

  app.post(
    '/api/lists/demands/:id/reject',
    {
      schema: {
        tags: ['lists'],
        summary: 'Reject an open demand with a reason (target department or authority)',
        params: S.IdParams,
        body: S.ReasonBody,
        response: { 200: S.Demand },
      },
    },
    async (req) => svc.transitionDemand(req.actor, req.params.id, 'reject', req.body),
  );

  app.post(
    '/api/lists/demands/:id/close',
    {
      schema: {
        tags: ['lists'],
        summary: 'Close a demand: accept the answer, or withdraw an open demand (its raiser or the authority)',
        params: S.IdParams,
        body: S.CommentBody,
        response: { 200: S.Demand },
      },
    },
    async (req) => svc.transitionDemand(req.actor, req.params.id, 'close', req.body),
  );

  app.post(
    '/api/lists/demands/:id/reopen',
    {
      schema: {
        tags: ['lists'],
        summary: 'Reopen an answered demand that the answer does not meet (its raiser or the authority)',
        params: S.IdParams,
        body: S.CommentBody,
        response: { 200: S.Demand },
      },
    },
    async (req) => svc.transitionDemand(req.actor, req.params.id, 'reopen', req.body),
  );

  // ====================================================================================== negative list
  app.get(
    '/api/lists/negative',
    {
      schema: {
        tags: ['lists'],
        summary: 'Negative list (负面清单): resources that may not be shared and/or opened, with the legal basis',
        querystring: S.NegativeQuery,
        response: { 200: S.NegativeList },
      },
    },
    async (req) => svc.listNegative(req.actor, req.query),
  );

  app.post(
    '/api/lists/negative',
    {
      schema: {
        tags: ['lists'],
        summary: 'Put a resource on the negative list (authority); its provider is notified',
        body: S.CreateNegativeBody,
        response: { 201: S.NegativeEntry },
      },
    },
    async (req, reply) => reply.status(201).send(await svc.addNegative(req.actor, req.body)),
  );

  app.get(
    '/api/lists/negative/check/:resourceId',
    {
      schema: {
        tags: ['lists'],
        summary: 'Whether the negative list forbids sharing or opening a resource',
        params: S.ResourceParams,
        querystring: S.NegativeCheckQuery,
        response: { 200: S.NegativeCheck },
      },
    },
    async (req) => svc.checkNegative(req.actor, req.params.resourceId, req.query.mode),
  );

  app.get(
    '/api/lists/negative/:id',
    { schema: { tags: ['lists'], summary: 'One negative list entry', params: S.IdParams, response: { 200: S.NegativeEntry } } },
    async (req) => svc.getNegative(req.actor, req.params.id),
  );

  app.patch(
    '/api/lists/negative/:id',
    {
      schema: {
        tags: ['lists'],
        summary: 'Change an entry’s scope, legal basis or note (authority)',
        params: S.IdParams,
        body: S.UpdateNegativeBody,
        response: { 200: S.NegativeEntry },
      },
    },
    async (req) => svc.updateNegative(req.actor, req.params.id, req.body),
  );

  app.post(
    '/api/lists/negative/:id/remove',
    {
      schema: {
        tags: ['lists'],
        summary: 'Take a resource off the negative list with a reason (authority; the entry is kept as history)',
        params: S.IdParams,
        body: S.ReasonBody,
        response: { 200: S.NegativeEntry },
      },
    },
    async (req) => svc.removeNegative(req.actor, req.params.id, req.body.reason),
  );
}
