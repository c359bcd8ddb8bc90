// Source-database API (/api/sources): connections of a department (password in, never out), a connection
// test, ingest specs and "run now". Thin: the service authorizes on the loaded row (another organization's
// object answers 404) and returns plain objects.
import type { App } from '../../http/app.ts';
import type { AppContext } from '../../context.ts';
import { Type } from 'typebox';
import * as S from './schemas.ts';

const TAGS = ['sources'];
const upstream = (description: string) => ({ description, $ref: 'ErrorBody#' });

export async function registerSourcesRoutes(app: App, ctx: AppContext) {
  const sources = ctx.sources;

  // ------------------------------------------------------------------------------------------ connections
  app.get(
    '/api/sources',
    {
      schema: {
        tags: TAGS,
        summary: 'Source database connections the caller may see (own department and its units; the authority and auditors: all)',
        response: { 200: S.ConnectionList },
      },
    },
    async (req) => ({ items: await sources.listConnections(req.actor) }),
  );

  app.post(
    '/api/sources',
    {
      schema: {
        tags: TAGS,
        summary:
          'Add a PostgreSQL or MySQL/MariaDB connection for a department (provider clerk of that department, or the authority admin)',
        description:
          'The password is stored sealed (AES-256-GCM) and never returned. Refused: a link-local / cloud metadata address or the platform’s ' +
          'own database (400 SOURCE_HOST_FORBIDDEN), a name that does not resolve (400 SOURCE_HOST_UNRESOLVED), a name already used in the ' +
          'department (409 SOURCE_NAME_TAKEN). Give the platform a read-only account.',
        body: S.CreateConnectionBody,
        response: { 201: S.Connection },
      },
    },
    async (req, reply) => reply.code(201).send(await sources.createConnection(req.actor, req.body)),
  );

  app.get(
    '/api/sources/:id',
    { schema: { tags: TAGS, summary: 'A connection (without its password)', params: S.IdParams, response: { 200: S.Connection } } },
    async (req) => sources.getConnection(req.actor, req.params.id),
  );

  app.patch(
    '/api/sources/:id',
    {
      schema: {
        tags: TAGS,
        summary: 'Change a connection; changing kind, host, port or user requires the password again (400 SOURCE_PASSWORD_REQUIRED)',
        params: S.IdParams,
        body: S.UpdateConnectionBody,
        response: { 200: S.Connection },
      },
    },
    async (req) => sources.updateConnection(req.actor, req.params.id, req.body),
  );

  app.delete(
    '/api/sources/:id',
    {
      schema: {
        tags: TAGS,
        summary: 'Delete a connection that no ingest spec uses (409 SOURCE_IN_USE otherwise)',
        params: S.IdParams,
        response: { 204: Type.Null({ description: 'Deleted' }) },
      },
    },
    async (req, reply) => {
      await sources.deleteConnection(req.actor, req.params.id);
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/api/sources/:id/test',
    {
      schema: {
        tags: TAGS,
        summary: 'Connect, sign in and run a trivial query (5 s limit): the server version',
        description:
          'Unreachable (refused, timed out, TLS failure): 502 SOURCE_UNREACHABLE; wrong user or password: 502 SOURCE_AUTH_FAILED; ' +
          'unknown database: 502 SOURCE_DATABASE_UNKNOWN. `privileged: true` warns that the account can do more than read.',
        params: S.IdParams,
        response: { 200: S.TestResult, 502: upstream('The source server is unreachable or refused the sign-in') },
      },
    },
    async (req) => sources.testConnection(req.actor, req.params.id),
  );

  // ------------------------------------------------------------------------------------------ ingest specs
  app.get(
    '/api/sources/specs',
    {
      schema: {
        tags: TAGS,
        summary: 'Ingest specs of the connections the caller may see (filter by connection or dataset)',
        querystring: S.SpecListQuery,
        response: { 200: S.SpecList },
      },
    },
    async (req) => ({ items: await sources.listSpecs(req.actor, req.query) }),
  );

  app.post(
    '/api/sources/specs',
    {
      schema: {
        tags: TAGS,
        summary: 'Feed a dataset from a query on a connection: full or incremental, on demand or on a cron schedule (China time)',
        description:
          'The query must be one SELECT (400 SOURCE_QUERY_NOT_SELECT with details.reason); it runs read-only with the configured time limit. ' +
          'Incremental needs incrementalColumn (400 SOURCE_INCREMENTAL_COLUMN_REQUIRED). A bad cron expression or one running more often ' +
          'than every 5 minutes: 400 SOURCE_SCHEDULE_INVALID.',
        body: S.CreateSpecBody,
        response: { 201: S.Spec, 503: upstream('The datasets module has not registered its dataset check yet') },
      },
    },
    async (req, reply) => reply.code(201).send(await sources.createSpec(req.actor, req.body)),
  );

  app.get(
    '/api/sources/specs/:id',
    {
      schema: {
        tags: TAGS,
        summary: 'An ingest spec with its last run and next scheduled run',
        params: S.IdParams,
        response: { 200: S.Spec },
      },
    },
    async (req) => sources.getSpec(req.actor, req.params.id),
  );

  app.patch(
    '/api/sources/specs/:id',
    {
      schema: {
        tags: TAGS,
        summary: 'Change an ingest spec (a new incremental column or mode drops the stored mark unless lastValue is given)',
        params: S.IdParams,
        body: S.UpdateSpecBody,
        response: { 200: S.Spec },
      },
    },
    async (req) => sources.updateSpec(req.actor, req.params.id, req.body),
  );

  app.delete(
    '/api/sources/specs/:id',
    {
      schema: {
        tags: TAGS,
        summary: 'Delete an ingest spec (its schedule stops; versions already published stay)',
        params: S.IdParams,
        response: { 204: Type.Null({ description: 'Deleted' }) },
      },
    },
    async (req, reply) => {
      await sources.deleteSpec(req.actor, req.params.id);
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/api/sources/specs/:id/run',
    {
      schema: {
        tags: TAGS,
        summary: 'Run the spec now (queued as a job; the dataset shows the ingest it starts)',
        description: 'Already queued or running: 409 SOURCE_RUN_IN_PROGRESS. The datasets module not ready: 503 SOURCE_RUNNER_MISSING.',
        params: S.IdParams,
        response: { 202: S.RunAccepted, 503: upstream('The datasets module has not registered the ingest runner yet') },
      },
    },
    async (req, reply) => reply.code(202).send(await sources.runNow(req.actor, req.params.id)),
  );
}
