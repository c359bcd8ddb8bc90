// Back-flow (数据回流) routes: this platform's identity for peers, issuing grant packages (issuing side),
// accepting them and pulling the data (receiving side). The data authority only, except the identity.
import { Type } from 'typebox';
import type { App } from '../../http/app.ts';
import type { AppContext } from '../../context.ts';
import type { GrantPackage } from './package.ts';
import { MIN_PULL_INTERVAL_MINUTES, PULL_SCHEDULE_TZ } from './schedule.ts';

const Uuid = Type.String({ format: 'uuid' });
const AnyObject = Type.Object({}, { additionalProperties: true });
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);
const Named = Type.Object({ id: Uuid, code: Type.String(), nameZh: Type.String(), nameEn: Type.String() });
const PullErrorView = Type.Object(
  {
    reason: Type.String({
      description: 'remote_refused, checksum, network, timeout, extract_failed, ingest, interrupted, or an error code',
    }),
    status: Type.Optional(Type.Integer({ description: 'The issuer’s HTTP status' })),
    remoteCode: Type.Optional(Type.String({ description: 'The issuer’s error code, e.g. ENTITLEMENT_REVOKED' })),
    message: Type.Optional(Type.String()),
    at: Type.Optional(Type.String()),
  },
  { additionalProperties: false },
);
const PullStatus = Type.Enum(['queued', 'running', 'ok', 'unchanged', 'failed', 'skipped']);
const PullPhase = Nullable(Type.Enum(['extract', 'download', 'ingest']));
const LinkView = Type.Object({
  id: Uuid,
  issuerName: Type.String(),
  issuerBaseUrl: Type.String(),
  issuerKeyId: Type.String(),
  remoteResource: Type.Object({ id: Uuid, code: Type.String(), nameZh: Type.String() }),
  fields: Type.Array(Type.String()),
  rowFilter: Nullable(Type.Object({ field: Type.String(), values: Type.Array(Type.String()) })),
  validTo: Nullable(Type.String()),
  localResourceId: Uuid,
  localResource: Nullable(Named),
  localDataset: Nullable(Type.Object({ id: Uuid, currentVersion: Nullable(Type.Integer()) })),
  state: Type.Enum(['active', 'disabled']),
  lastPull: Nullable(
    Type.Object({
      at: Type.String(),
      status: Type.Enum(['ok', 'unchanged', 'failed']),
      error: Nullable(Type.String()),
      remoteVersion: Nullable(Type.Integer()),
      rows: Nullable(Type.Integer()),
      sha256: Nullable(Type.String()),
    }),
  ),
  lastSuccessAt: Nullable(Type.String()),
  consecutiveFailures: Type.Integer(),
  lastError: Nullable(PullErrorView),
  schedule: Nullable(
    Type.Object({ cron: Type.String(), timeZone: Type.String(), paused: Type.Boolean(), nextRunAt: Nullable(Type.String()) }),
  ),
  activePull: Nullable(
    Type.Object({
      id: Uuid,
      status: Type.Enum(['queued', 'running']),
      phase: PullPhase,
      trigger: Type.Enum(['manual', 'schedule']),
      createdAt: Type.String(),
    }),
  ),
  createdAt: Type.String(),
});
const PullView = Type.Object({
  id: Uuid,
  trigger: Type.Enum(['manual', 'schedule']),
  status: PullStatus,
  phase: PullPhase,
  jobId: Nullable(Type.String()),
  requestedBy: Nullable(Type.String()),
  extractId: Nullable(Type.String()),
  remoteVersion: Nullable(Type.Integer()),
  rows: Nullable(Type.Integer()),
  bytes: Nullable(Type.Integer()),
  sha256: Nullable(Type.String()),
  localVersion: Nullable(Type.Integer()),
  error: Nullable(PullErrorView),
  createdAt: Type.String(),
  startedAt: Nullable(Type.String()),
  finishedAt: Nullable(Type.String()),
});
const GrantView = Type.Object({
  id: Uuid,
  peerOrg: Named,
  resource: Named,
  entitlementId: Uuid,
  applicationId: Uuid,
  fields: Type.Array(Type.String()),
  rowFilter: Nullable(Type.Object({ field: Type.String(), values: Type.Array(Type.String()) })),
  validFrom: Type.String(),
  validTo: Nullable(Type.String()),
  state: Type.Enum(['active', 'suspended', 'expired', 'revoked']),
  stateReason: Nullable(Type.String()),
  packageSha256: Type.String(),
  createdAt: Type.String(),
});

export async function registerFederationRoutes(app: App, ctx: AppContext) {
  const fed = ctx.federation;
  const tags = ['federation'];
  const baseUrl = (req: { protocol: string; host: string }) => ctx.config.publicUrl ?? `${req.protocol}://${req.host}`;

  app.get(
    '/api/federation/identity',
    {
      schema: {
        tags,
        summary: 'This platform’s name and the Ed25519 key fingerprint that signs its grant packages (give it to peers out of band)',
        response: { 200: Type.Object({ name: Type.String(), keyId: Type.String(), publicKeyPem: Type.String(), format: Type.String() }) },
      },
    },
    async (req) => {
      await ctx.authz.authorize(req.actor, 'org.read', { type: 'federation' });
      return fed.identity();
    },
  );

  app.post(
    '/api/federation/grants',
    {
      schema: {
        tags,
        summary:
          'Issue a signed back-flow grant package for a peer platform (an entitlement with a row filter; the package holds an AppSecret, shown once)',
        body: Type.Object(
          {
            resourceId: Uuid,
            peerOrgId: Type.Optional(Type.Union([Uuid, Type.Null()], { description: 'An existing organization (or peerOrg)' })),
            peerOrg: Type.Optional(
              Type.Union([
                Type.Object(
                  {
                    code: Type.String({ pattern: '^[A-Za-z0-9_-]{1,32}$' }),
                    nameZh: Type.String({ minLength: 1, maxLength: 200 }),
                    nameEn: Type.Optional(Type.String({ maxLength: 200 })),
                  },
                  { additionalProperties: false, description: 'A new organization for the receiving platform (or peerOrgId)' },
                ),
                Type.Null(),
              ]),
            ),
            fields: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 64 }), { minItems: 1, maxItems: 500 })),
            rowFilter: Type.Optional(
              Type.Union([
                Type.Object(
                  {
                    field: Type.String({ minLength: 1, maxLength: 64 }),
                    values: Type.Array(Type.String({ minLength: 1, maxLength: 200 }), { minItems: 1, maxItems: 1000 }),
                  },
                  { additionalProperties: false },
                ),
                Type.Null(),
              ]),
            ),
            clearFields: Type.Optional(Type.Array(Type.String({ maxLength: 64 }), { maxItems: 500 })),
            legalBasis: Type.String({ minLength: 1, maxLength: 1000 }),
            purpose: Type.Optional(Type.String({ maxLength: 500 })),
            validTo: Type.Optional(Type.Union([Type.String({ format: 'date-time' }), Type.Null()])),
          },
          { additionalProperties: false },
        ),
        response: { 201: AnyObject },
      },
    },
    async (req, reply) => reply.status(201).send(await fed.issue(req.actor, req.body, baseUrl(req))),
  );

  app.get(
    '/api/federation/grants',
    {
      schema: {
        tags,
        summary:
          'Grant packages this platform issued (without their secrets), with their entitlement’s fields, row filter, validity and state',
        response: { 200: Type.Object({ items: Type.Array(GrantView) }) },
      },
    },
    async (req) => ({ items: await fed.grants(req.actor) }),
  );

  app.post(
    '/api/federation/links',
    {
      schema: {
        tags,
        summary: 'Accept a grant package from an issuing platform (signature checked against the expected key fingerprint)',
        body: Type.Object(
          {
            package: AnyObject,
            expectedKeyId: Type.String({ pattern: '^[0-9a-fA-F]{64}$', description: 'The issuer’s key fingerprint, obtained out of band' }),
            localResourceId: Type.Optional(Type.Union([Uuid, Type.Null()])),
            localProviderOrgId: Type.Optional(Type.Union([Uuid, Type.Null()])),
          },
          { additionalProperties: false },
        ),
        response: { 201: LinkView },
      },
    },
    async (req, reply) =>
      reply.status(201).send(
        await fed.accept(req.actor, {
          package: req.body.package as unknown as GrantPackage,
          expectedKeyId: req.body.expectedKeyId,
          localResourceId: req.body.localResourceId,
          localProviderOrgId: req.body.localProviderOrgId,
        }),
      ),
  );

  app.get(
    '/api/federation/links',
    {
      schema: {
        tags,
        summary: 'Back-flow links this platform accepted, with their last pull',
        response: { 200: Type.Object({ items: Type.Array(LinkView) }) },
      },
    },
    async (req) => ({ items: await fed.links(req.actor) }),
  );

  app.get(
    '/api/federation/links/:id',
    { schema: { tags, summary: 'One back-flow link', params: Type.Object({ id: Uuid }), response: { 200: LinkView } } },
    async (req) => fed.link(req.actor, req.params.id),
  );

  app.post(
    '/api/federation/links/:id/pull',
    {
      schema: {
        tags,
        summary:
          'Pull the granted rows now and wait: extract from the issuer, checksum against the manifest, ingest as a new local version (or "unchanged" when the file is the same as the last pull’s)',
        params: Type.Object({ id: Uuid }),
        response: { 200: Type.Object({ ...LinkView.properties, version: Nullable(Type.Integer()), pull: PullView }) },
      },
    },
    async (req) => fed.pull(req.actor, req.params.id),
  );

  app.post(
    '/api/federation/links/:id/pulls',
    {
      schema: {
        tags,
        summary: 'Queue a pull of the link (a durable job, as a schedule occurrence); follow it in the pull history. 409 while one runs',
        params: Type.Object({ id: Uuid }),
        response: { 202: Type.Object({ pullId: Uuid, jobId: Uuid, status: Type.Literal('queued') }) },
      },
    },
    async (req, reply) => reply.status(202).send(await fed.queuePull(req.actor, req.params.id)),
  );

  app.get(
    '/api/federation/links/:id/pulls',
    {
      schema: {
        tags,
        summary: 'The pull history of a link, newest first',
        params: Type.Object({ id: Uuid }),
        querystring: Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })) }),
        response: { 200: Type.Object({ items: Type.Array(PullView) }) },
      },
    },
    async (req) => ({ items: await fed.pulls(req.actor, req.params.id, req.query.limit ?? 50) }),
  );

  app.put(
    '/api/federation/links/:id/schedule',
    {
      schema: {
        tags,
        summary: `Set, change or remove (cron null) the link’s pull schedule, or pause/resume it (cron in ${PULL_SCHEDULE_TZ} time, at least ${MIN_PULL_INTERVAL_MINUTES} minutes apart)`,
        params: Type.Object({ id: Uuid }),
        body: Type.Object(
          {
            cron: Type.Optional(
              Type.Union([Type.String({ maxLength: 100 }), Type.Null()], { description: 'e.g. "0 3 * * *"; null removes it' }),
            ),
            paused: Type.Optional(Type.Boolean()),
          },
          { additionalProperties: false },
        ),
        response: { 200: LinkView },
      },
    },
    async (req) => fed.setSchedule(req.actor, req.params.id, req.body),
  );
}
