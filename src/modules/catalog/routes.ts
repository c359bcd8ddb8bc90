// Catalog HTTP API: resources and fields, lifecycle, versions and diff, exports, grading rules and policy.
// Thin: every route authorizes through the service (which loads the object first, so the org scope is
// checked on the real row) and returns the service's plain objects.
import type { FastifyRequest } from 'fastify';
import type { App } from '../../http/app.ts';
import type { AppContext } from '../../context.ts';
import { registerCatalogBulkRoutes } from './bulk-routes.ts';
import {
  CategoryList,
  CreateGradingRuleBody,
  CreateResourceBody,
  Diff,
  DiffQuery,
  ExportJson,
  GradeBody,
  GradePolicy,
  GradingRule,
  GradingRuleList,
  IdParams,
  ReplaceFieldsBody,
  Resource,
  ResourceList,
  ResourceQuery,
  StateMachine,
  TableSchemaResponse,
  TransitionBody,
  UpdateGradingRuleBody,
  UpdateResourceBody,
  VersionList,
} from './schemas.ts';

const TAGS = ['catalog'];

/** If-Match: "7" or 7 → 7 (the lockVersion); anything else → undefined. */
function ifMatch(req: FastifyRequest): number | undefined {
  const h = req.headers['if-match'];
  if (typeof h !== 'string') return undefined;
  const m = /^\s*(?:W\/)?"?(\d{1,9})"?\s*$/.exec(h);
  return m ? Number(m[1]) : undefined;
}

export async function registerCatalogRoutes(app: App, ctx: AppContext) {
  const catalog = ctx.catalog;

  app.get(
    '/api/catalog/resources',
    {
      schema: {
        tags: TAGS,
        summary: 'List the resources the caller may see (filters by organization subtree, status, category, grade)',
        description: 'Full-text search is GET /api/search/resources. Visibility: see src/modules/catalog/visibility.ts.',
        querystring: ResourceQuery,
        response: { 200: ResourceList },
      },
    },
    async (req) => catalog.list(req.actor, req.query),
  );

  app.post(
    '/api/catalog/resources',
    {
      schema: {
        tags: TAGS,
        summary: 'Create a resource (draft) with its fields; the code is generated unless given',
        description:
          'Required: nameZh, abstractZh, subjectCategory, domainCategory, updateFrequency, shareMode, openMode (400 CATALOG_MISSING_METADATA ' +
          'lists every missing one); providerOrgId defaults to the caller’s organization. Unknown organization 400 CATALOG_ORG_UNKNOWN, ' +
          'unknown category 400 CATALOG_CATEGORY_UNKNOWN, duplicate code 409 CATALOG_CODE_TAKEN, unknown field type 400 ' +
          'CATALOG_FIELD_TYPE_UNKNOWN (details.index), attribute forbidden by the grade 400 GRADE_POLICY_VIOLATION (details.rule, details.field).',
        body: CreateResourceBody,
        response: { 201: Resource },
      },
    },
    async (req, reply) => {
      const r = await catalog.create(req.actor, req.body);
      return reply.code(201).send(r);
    },
  );

  app.get(
    '/api/catalog/resources/:id',
    {
      schema: {
        tags: TAGS,
        summary:
          'A resource with its fields, grade basis, allowed transitions (and, for its provider and the authority, the pending revision and history)',
        description: 'An invisible resource answers 404 like a missing one. Each read counts one view (popularity).',
        params: IdParams,
        response: { 200: Resource },
      },
    },
    async (req, reply) => {
      const r = await catalog.get(req.actor, req.params.id);
      await catalog.recordView(r.id);
      reply.header('etag', `"${r.lockVersion}"`);
      return r;
    },
  );

  app.patch(
    '/api/catalog/resources/:id',
    {
      schema: {
        tags: TAGS,
        summary: 'Edit metadata (lockVersion in the body or If-Match); editing a published resource opens a revision',
        description: 'Stale lockVersion: 409 STALE_VERSION (details.current). Not editable in this state: 409 CATALOG_NOT_EDITABLE.',
        params: IdParams,
        body: UpdateResourceBody,
        response: { 200: Resource },
      },
    },
    async (req) => catalog.update(req.actor, req.params.id, req.body, ifMatch(req)),
  );

  app.put(
    '/api/catalog/resources/:id/fields',
    {
      schema: {
        tags: TAGS,
        summary: 'Replace the fields (信息项) of a resource, in order (lockVersion in the body or If-Match)',
        params: IdParams,
        body: ReplaceFieldsBody,
        response: { 200: Resource },
      },
    },
    async (req) => catalog.replaceFields(req.actor, req.params.id, req.body, ifMatch(req)),
  );

  app.post(
    '/api/catalog/resources/:id/transitions',
    {
      schema: {
        tags: TAGS,
        summary: 'Move a resource through its lifecycle (with a comment)',
        description:
          'GET /api/catalog/state-machine lists every transition. Not allowed from the current state: 409 TRANSITION_NOT_ALLOWED with ' +
          'details.allowed (what the caller may do now); allowed but not for the caller’s role: 403.',
        params: IdParams,
        body: TransitionBody,
        response: { 200: Resource },
      },
    },
    async (req) => catalog.transition(req.actor, req.params.id, req.body),
  );

  app.post(
    '/api/catalog/resources/:id/grade',
    {
      schema: {
        tags: TAGS,
        summary: 'Authority: confirm (or raise) the grade of a resource; never below what the fields and rules require',
        params: IdParams,
        body: GradeBody,
        response: { 200: Resource },
      },
    },
    async (req) => catalog.confirmGrade(req.actor, req.params.id, req.body),
  );

  app.get(
    '/api/catalog/resources/:id/versions',
    {
      schema: {
        tags: TAGS,
        summary: 'Published metadata versions of a resource, newest first, with their snapshots',
        params: IdParams,
        response: { 200: VersionList },
      },
    },
    async (req) => catalog.versions(req.actor, req.params.id),
  );

  app.get(
    '/api/catalog/resources/:id/diff',
    {
      schema: {
        tags: TAGS,
        summary: 'Field-level diff between two versions (numbers, "current", or "pending" for the revision under way)',
        params: IdParams,
        querystring: DiffQuery,
        response: { 200: Diff },
      },
    },
    async (req) => catalog.diff(req.actor, req.params.id, req.query.from, req.query.to),
  );

  app.get(
    '/api/catalog/resources/:id/table-schema',
    {
      schema: {
        tags: TAGS,
        summary: 'The fields as a Frictionless Table Schema (bilingual titles in custom properties)',
        params: IdParams,
        response: { 200: TableSchemaResponse },
      },
    },
    async (req, reply) => {
      const s = await catalog.tableSchema(req.actor, req.params.id);
      reply.header('content-disposition', `inline; filename="${s.name}.tableschema.json"`);
      return s;
    },
  );

  app.get(
    '/api/catalog/resources/:id/export.json',
    {
      schema: {
        tags: TAGS,
        summary: 'The resource metadata, fields and Table Schema as one JSON document (download)',
        params: IdParams,
        response: { 200: ExportJson },
      },
    },
    async (req, reply) => {
      const doc = await catalog.exportJson(req.actor, req.params.id);
      reply.header('content-disposition', `attachment; filename="${doc.resource.code}.json"`);
      return doc;
    },
  );

  app.get(
    '/api/catalog/review-queue',
    {
      schema: {
        tags: TAGS,
        summary: 'Authority: resources waiting for review or publication (submitted/approved, also revisions)',
        querystring: ResourceQuery,
        response: { 200: ResourceList },
      },
    },
    async (req) => catalog.reviewQueue(req.actor, req.query),
  );

  app.get(
    '/api/catalog/categories',
    { schema: { tags: TAGS, summary: 'Category dictionary: base libraries and thematic domains', response: { 200: CategoryList } } },
    async (req) => {
      await ctx.authz.authorize(req.actor, 'catalog.read', { type: 'catalog_category' });
      return { items: await catalog.categories() };
    },
  );

  app.get(
    '/api/catalog/state-machine',
    { schema: { tags: TAGS, summary: 'The lifecycle state machine (state × target → who, effect)', response: { 200: StateMachine } } },
    async (req) => {
      await ctx.authz.authorize(req.actor, 'catalog.read', { type: 'catalog_state_machine' });
      return catalog.stateMachine();
    },
  );

  app.get(
    '/api/catalog/grading-rules',
    { schema: { tags: TAGS, summary: 'Grading rules (GB/T 43697-2024), each with its source', response: { 200: GradingRuleList } } },
    async (req) => catalog.listRules(req.actor),
  );

  app.post(
    '/api/catalog/grading-rules',
    {
      schema: { tags: TAGS, summary: 'Authority: add a grading rule', body: CreateGradingRuleBody, response: { 201: GradingRule } },
    },
    async (req, reply) => reply.code(201).send(await catalog.createRule(req.actor, req.body)),
  );

  app.patch(
    '/api/catalog/grading-rules/:id',
    {
      schema: {
        tags: TAGS,
        summary: 'Authority: change a grading rule (grade, level, source, note, enabled)',
        params: IdParams,
        body: UpdateGradingRuleBody,
        response: { 200: GradingRule },
      },
    },
    async (req) => catalog.updateRule(req.actor, req.params.id, req.body),
  );

  app.get(
    '/api/catalog/grade-policy',
    { schema: { tags: TAGS, summary: 'The grade policy: share/open attributes each grade forbids', response: { 200: GradePolicy } } },
    async (req) => catalog.getPolicy(req.actor),
  );

  app.put(
    '/api/catalog/grade-policy',
    {
      schema: {
        tags: TAGS,
        summary: 'Authority: replace the grade policy (applies to every later write)',
        body: GradePolicy,
        response: { 200: GradePolicy },
      },
    },
    async (req) => catalog.putPolicy(req.actor, req.body),
  );

  await registerCatalogBulkRoutes(app, ctx);
}
