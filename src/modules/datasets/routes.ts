// Datasets API (issue 5): datasets of catalog resources, ingests with their schema confirmation, versions with
// diff and rollback, quality, and the read path (preview, typed query, downloads).
import type { App } from '../../http/app.ts';
import type { AppContext } from '../../context.ts';
import { notFound } from '../../errors.ts';
import { pickLang, translate, type Lang } from '../../i18n/messages.ts';

interface ErrorJson {
  code: string;
  params?: Record<string, unknown>;
}
import type { DatasetRow, IngestRow, VersionRow } from './repository.ts';
import * as S from './schemas.ts';
import type { TableSchema } from './schema-infer.ts';
import { registerReadRoutes } from './read-routes.ts';

export function versionView(v: VersionRow): S.VersionT {
  return {
    version: v.version,
    state: v.state,
    sha256: v.sha256,
    bytes: Number(v.bytes),
    rows: Number(v.row_count),
    schema: v.schema,
    source: v.source,
    ingestId: v.ingest_id,
    quality: v.quality,
    qualityScore: v.quality_score === null ? null : Number(v.quality_score),
    pii: v.pii,
    badRowCount: v.bad_row_count,
    createdBy: v.created_by_name,
    createdAt: v.created_at.toISOString(),
  };
}

/** An ingest as the API shows it; the error carries its message in the caller's language. */
export function ingestView(i: IngestRow, lang: Lang = 'zh-CN'): S.IngestT {
  return {
    id: i.id,
    datasetId: i.dataset_id,
    status: i.status,
    source: i.source,
    options: i.options,
    progress: i.progress,
    proposedSchema: i.proposed_schema,
    schemaDiff: i.schema_diff,
    confirmedSchema: i.confirmed_schema,
    pii: i.pii,
    quality: i.quality,
    badRows: i.bad_rows,
    badRowCount: i.bad_row_count,
    error: i.error
      ? { ...(i.error as ErrorJson), message: translate((i.error as ErrorJson).code, lang, (i.error as ErrorJson).params ?? {}) }
      : null,
    version: i.version,
    createdBy: i.created_by_name,
    createdAt: i.created_at.toISOString(),
    updatedAt: i.updated_at.toISOString(),
    finishedAt: i.finished_at?.toISOString() ?? null,
  };
}

export async function registerDatasetsRoutes(app: App, ctx: AppContext) {
  const ds = ctx.datasets;
  const tags = ['datasets'];

  async function view(req: { actor: Parameters<typeof ds.load>[0] }, row: DatasetRow): Promise<S.DatasetT> {
    const { resource, owner } = await ds.load(req.actor, row.id);
    const current = row.current_version ? await ds.repo.version(ctx.db, row.id, row.current_version) : undefined;
    return {
      id: row.id,
      resource: { id: resource.id, code: resource.code, nameZh: resource.nameZh, nameEn: resource.nameEn },
      orgId: row.org_id,
      currentVersion: row.current_version,
      schema: row.schema,
      qualityRules: row.quality_rules,
      retentionKeep: row.retention_keep,
      canManage: owner,
      current: current ? versionView(current) : null,
      createdAt: row.created_at.toISOString(),
      updatedAt: row.updated_at.toISOString(),
    };
  }

  app.post(
    '/api/datasets',
    {
      schema: {
        tags,
        summary: "Create (or get) the dataset of a catalog resource (the provider's clerks)",
        body: S.CreateBody,
        response: { 200: S.Dataset },
      },
    },
    async (req) => view(req, await ds.ensureForResource(req.actor, req.body.resourceId)),
  );

  app.get(
    '/api/datasets',
    {
      schema: {
        tags,
        summary: "Datasets of the caller's organization (all for the authority)",
        querystring: S.ListQuery,
        response: { 200: S.DatasetList },
      },
    },
    async (req) => {
      const rows = await ds.list(req.actor, req.query);
      return {
        total: rows[0]?.total ?? 0,
        items: rows.map((r) => ({
          id: r.id,
          resourceId: r.resource_id,
          orgId: r.org_id,
          currentVersion: r.current_version,
          rows: r.row_count === null ? null : Number(r.row_count),
          bytes: r.bytes === null ? null : Number(r.bytes),
          qualityScore: r.quality_score === null ? null : Number(r.quality_score),
          publishedAt: r.published_at?.toISOString() ?? null,
          updatedAt: r.updated_at.toISOString(),
        })),
      };
    },
  );

  app.get(
    '/api/datasets/by-resource/:resourceId',
    {
      schema: { tags, summary: 'The dataset of a resource (404 when it has none)', params: S.ResourceParams, response: { 200: S.Dataset } },
    },
    async (req) => {
      const row = await ds.byResource(req.actor, req.params.resourceId);
      if (!row) throw notFound('DATASET_NOT_FOUND', { id: req.params.resourceId });
      return view(req, row);
    },
  );

  app.get(
    '/api/datasets/:id',
    { schema: { tags, summary: 'A dataset with its current version', params: S.IdParams, response: { 200: S.Dataset } } },
    async (req) => view(req, (await ds.load(req.actor, req.params.id)).row),
  );

  app.get(
    '/api/datasets/:id/versions',
    { schema: { tags, summary: 'Version history (newest first)', params: S.IdParams, response: { 200: S.VersionList } } },
    async (req) => ({ items: (await ds.versions(req.actor, req.params.id)).map(versionView) }),
  );

  app.get(
    '/api/datasets/:id/diff',
    {
      schema: {
        tags,
        summary:
          'Row-level diff summary between two versions by key: added, removed and changed rows, with examples; and the schema change',
        params: S.IdParams,
        querystring: S.DiffQuery,
        response: { 200: S.Diff },
      },
    },
    async (req) => {
      const key = req.query.key
        ?.split(',')
        .map((k) => k.trim())
        .filter(Boolean);
      return ds.diff(req.actor, req.params.id, req.query.from, req.query.to, key);
    },
  );

  app.post(
    '/api/datasets/:id/rollback',
    {
      schema: {
        tags,
        summary: 'Make an earlier version current again (as a new version that shares its file); ledgered',
        params: S.IdParams,
        body: S.RollbackBody,
        response: { 200: S.Version },
      },
    },
    async (req) => versionView(await ds.rollback(req.actor, req.params.id, req.body.version, req.body.comment)),
  );

  app.put(
    '/api/datasets/:id/settings',
    {
      schema: {
        tags,
        summary: 'Quality rules (null: the defaults from the schema) and retention (keep the files of the last N versions)',
        params: S.IdParams,
        body: S.SettingsBody,
        response: { 200: S.Dataset },
      },
    },
    async (req) => view(req, await ds.updateSettings(req.actor, req.params.id, req.body as Parameters<typeof ds.updateSettings>[2])),
  );

  app.get(
    '/api/datasets/:id/quality',
    { schema: { tags, summary: 'Quality score per version (trend)', params: S.IdParams, response: { 200: S.QualityTrend } } },
    async (req) => ({
      items: (await ds.qualityTrend(req.actor, req.params.id)).map((r) => ({
        version: r.version,
        score: r.quality_score === null ? null : Number(r.quality_score),
        dimensions: (r.quality as { dimensions?: unknown } | null)?.dimensions ?? null,
        createdAt: r.created_at.toISOString(),
      })),
    }),
  );

  // ------------------------------------------------------------------------------------------ ingests

  app.post(
    '/api/datasets/:id/ingests',
    {
      schema: {
        tags,
        summary: 'Ingest a finished upload into a new version (runs as a job; poll GET /api/ingests/:id)',
        params: S.IdParams,
        body: S.IngestBody,
        response: { 202: S.Ingest },
      },
    },
    async (req, reply) => {
      const i = await ds.startUploadIngest(req.actor, req.params.id, req.body.uploadId, req.body.options ?? {});
      return reply.code(202).send(ingestView(i, pickLang(req.headers['accept-language'])));
    },
  );

  app.get(
    '/api/datasets/:id/ingests',
    {
      schema: {
        tags,
        summary: 'Ingests of a dataset (newest first) with their status and progress',
        params: S.IdParams,
        response: { 200: S.IngestList },
      },
    },
    async (req) => ({
      items: (await ds.ingests(req.actor, req.params.id)).map((i) => ingestView(i, pickLang(req.headers['accept-language']))),
    }),
  );

  app.get(
    '/api/ingests/:id',
    {
      schema: {
        tags,
        summary: 'One ingest: status, progress, proposed schema and its change, PII findings, errors',
        params: S.IdParams,
        response: { 200: S.Ingest },
      },
    },
    async (req) => ingestView(await ds.ingest(req.actor, req.params.id), pickLang(req.headers['accept-language'])),
  );

  app.post(
    '/api/ingests/:id/confirm',
    {
      schema: {
        tags,
        summary: 'Confirm (or edit) the proposed schema: names, types, PII kinds, key; the version is then built, checked and published',
        params: S.IdParams,
        body: S.ConfirmBody,
        response: { 200: S.Ingest },
      },
    },
    async (req) =>
      ingestView(
        await ds.confirmSchema(req.actor, req.params.id, req.body.schema as unknown as TableSchema),
        pickLang(req.headers['accept-language']),
      ),
  );

  app.post(
    '/api/ingests/:id/cancel',
    {
      schema: {
        tags,
        summary: 'Cancel an ingest that waits for its schema (nothing is published)',
        params: S.IdParams,
        response: { 200: S.Ingest },
      },
    },
    async (req) => ingestView(await ds.cancel(req.actor, req.params.id), pickLang(req.headers['accept-language'])),
  );

  await registerReadRoutes(app, ctx);
}
