// Back-flow (数据回流) routes: this platform's identity for peers, issuing grant packages (issuing side),
// accepting them and pulling the data (receiving side). The data authority only, except the identity.
import { Type } from 'typebox';
import type { App } from '../../http/app.ts';
import type { AppContext } from '../../context.ts';
import type { GrantPackage } from './package.ts';

const Uuid = Type.String({ format: 'uuid' });
const AnyObject = Type.Object({}, { additionalProperties: true });
const LinkView = Type.Object({
  id: Uuid,
  issuerName: Type.String(),
  issuerBaseUrl: Type.String(),
  issuerKeyId: Type.String(),
  remoteResource: Type.Object({ id: Uuid, code: Type.String(), nameZh: Type.String() }),
  fields: Type.Array(Type.String()),
  rowFilter: Type.Union([Type.Object({ field: Type.String(), values: Type.Array(Type.String()) }), Type.Null()]),
  validTo: Type.Union([Type.String(), Type.Null()]),
  localResourceId: Uuid,
  state: Type.Enum(['active', 'disabled']),
  lastPull: Type.Union([
    Type.Object({
      at: Type.String(),
      status: Type.Enum(['ok', 'failed']),
      error: Type.Union([Type.String(), Type.Null()]),
      remoteVersion: Type.Union([Type.Integer(), Type.Null()]),
      rows: Type.Union([Type.Integer(), Type.Null()]),
      sha256: Type.Union([Type.String(), Type.Null()]),
    }),
    Type.Null(),
  ]),
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
            peerOrgId: Uuid,
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
        summary: 'Grant packages this platform issued (without their secrets)',
        response: { 200: Type.Object({ items: Type.Array(AnyObject) }) },
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
        summary: 'Pull the granted rows now: extract from the issuer, checksum against the manifest, ingest as a new local version',
        params: Type.Object({ id: Uuid }),
        response: { 200: Type.Object({ ...LinkView.properties, version: Type.Union([Type.Integer(), Type.Null()]) }) },
      },
    },
    async (req) => fed.pull(req.actor, req.params.id),
  );
}
