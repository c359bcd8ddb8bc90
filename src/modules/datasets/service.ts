// Datasets (issue 5, docs/dataplane.md): a catalog resource's rows as immutable, versioned Parquet files.
//
// An ingest is a small state machine run by durable jobs (queue `dataset.ingest`):
//   queued → staging (source → all-VARCHAR staging Parquet, schema inferred, PII detected on a sample; a UTF-8
//            CSV/TSV upload is read in place instead: buildDirect with the confirmed schema, else inferDirect, which
//            writes the typed file speculatively: confirmed as proposed, it is the version)
//          → awaiting_schema (first version, or the inferred schema differs from the confirmed one: the provider
//            confirms or edits it) → building (typed Parquet) → checking (quality rules, gate)
//          → published (one PostgreSQL transaction: version row, dataset pointer, ledger entry) | failed | cancelled.
// Readers see the previous version until that transaction commits; a failed or killed ingest leaves only scratch
// files, which the next start removes (stale heartbeat → failed INGEST_INTERRUPTED).
import fs from 'node:fs/promises';
import path from 'node:path';
import type { AppContext } from '../../context.ts';
import { AppError, badRequest, conflict, notFound } from '../../errors.ts';
import type { Actor } from '../identity/actor.ts';
import { ANONYMOUS, SYSTEM } from '../identity/actor.ts';
import { detectColumn } from '../privacy/detect.ts';
import type { PdpDecision } from '../entitlements/pdp.ts';
import type { EntitlementsService } from '../entitlements/service.ts';
import type { EntitlementAction } from '../entitlements/types.ts';
import { PseudonymKey } from '../privacy/pseudonym.ts';
import { TtlCache } from '../../ttl-cache.ts';
import { buildVersion } from './build.ts';
import { DuckEngine, quoteIdent, quoteLiteral, type Params } from './duckdb.ts';
import { directSource, stageFile, type DirectSource, type StageOptions, type StageResult } from './ingest/index.ts';
import './messages.ts';
import { defaultRules, evaluate, gate, writeFailingRowsCsv, type QualityReport, type QualityRule } from './quality.ts';
import {
  enableTokens,
  ExportCache,
  preview,
  query,
  visibleRelation,
  type ExportFormat,
  type Filter,
  type MaskingPolicy,
  type QueryOptions,
  type ReadSource,
  type Sort,
  type VisibleColumn,
} from './read.ts';
import { DatasetsRepository, type DatasetRow, type IngestRow, type VersionRow } from './repository.ts';
import { diffSchema, inferSchema, inferSchemaAndSample, type TableSchema } from './schema-infer.ts';
import { sameBuild, speculativeBuild } from './speculate.ts';

export const INGEST_QUEUE = 'dataset.ingest';
/** Finds ingests whose process died (every minute, on any process). */
export const SWEEP_QUEUE = 'dataset.sweep';
/** Builds the public CSV export of a newly published version of an unconditionally open dataset. */
export const PUBLIC_EXPORT_QUEUE = 'dataset.public-export';
/** A running ingest's worker refreshes its heartbeat this often; one silent for HEARTBEAT_STALE_SECONDS is dead. */
const HEARTBEAT_EVERY_MS = 5000;
const HEARTBEAT_STALE_SECONDS = 30;
const PROGRESS_EVERY_MS = 1000;
const PII_SAMPLE_ROWS = 1000;
/** Disk kept for finished exports (least recently served deleted beyond it). */
const EXPORT_CACHE_BYTES = 2 * 1024 ** 3;

interface IngestJob {
  ingestId: string;
  phase: 'stage' | 'build';
  /** Who started (stage) or confirmed (build) it: the ledger entries of the job are theirs. */
  actor: Actor;
}

/** A resource as the data plane needs it (read through the catalog service: visibility applies). */
export interface ResourceInfo {
  id: string;
  code: string;
  nameZh: string;
  nameEn: string;
  orgId: string;
  shareMode: string;
  openMode: string;
  updateFrequency: string;
  fields: { code: string; nameZh: string; dataType: string; piiKind: string }[];
}

export class DatasetsService {
  readonly repo = new DatasetsRepository();
  #engine: Promise<DuckEngine> | null = null;
  #exports: ExportCache | null = null;
  /**
   * The read path's rows (dataset, version and its local file), read again by every call: cached for the TTL,
   * cleared by this process's version changes (publish, rollback, retention). Another process's new version is
   * served at most the TTL later; the old one stays whole meanwhile (versions are immutable).
   */
  readonly #hotRows = new TtlCache<string, DatasetRow | undefined>();
  readonly #hotVersions = new TtlCache<string, { v: VersionRow; file: string }>();

  constructor(readonly ctx: AppContext) {
    ctx.authz.allow('provider_clerk', 'dataset.manage', 'org_subtree');
    ctx.authz.allow('signed_in', 'dataset.read').allow('anonymous', 'dataset.read');
    ctx.jobs.define<IngestJob>(INGEST_QUEUE, (job) => this.runJob(job), { retryLimit: 0, expireInSeconds: 6 * 3600 });
    ctx.jobs.define(SWEEP_QUEUE, () => this.recoverInterrupted(), { retryLimit: 0 });
    ctx.jobs.define<{ datasetId: string; version: number }>(
      PUBLIC_EXPORT_QUEUE,
      (job) => this.preparePublicExport(job.datasetId, job.version),
      {
        retryLimit: 2,
        retryDelaySeconds: 60,
      },
    );
    void ctx.jobs.schedule(SWEEP_QUEUE, '* * * * *');
    // Source databases (src/modules/sources) feed datasets through this module's ingest.
    ctx.sources.setIngestRunner((specId, run) => this.ingestFromSource(specId, run.actor));
    ctx.sources.setDatasetAccess(async (actor, datasetId) => ({ orgId: (await this.loadManaged(actor, datasetId)).row.org_id }));
  }

  get db() {
    return this.ctx.db;
  }

  // ------------------------------------------------------------------------------------------ infrastructure

  /** Scratch space of the data plane (staging and built files, exports), inside DuckDB's allowed directories. */
  get scratchDir(): string {
    return path.join(this.ctx.config.dataDir, 'tmp', 'dataplane');
  }

  engine(): Promise<DuckEngine> {
    return (this.#engine ??= this.openEngine());
  }

  private async openEngine(): Promise<DuckEngine> {
    const dataDir = this.ctx.config.dataDir;
    const engine = await DuckEngine.open({
      allowedDirs: [path.join(dataDir, 'objects'), path.join(dataDir, 'cache'), path.join(dataDir, 'uploads'), this.scratchDir],
      tempDir: path.join(dataDir, 'tmp', 'duckdb'),
      memoryLimit: this.ctx.config.duckdbMemory,
      threads: this.ctx.config.duckdbThreads,
    });
    // The pseudonym function (HMAC-SM3 with the deployment key) for 'token' columns.
    await enableTokens(engine, await new PseudonymKey(dataDir).key());
    return engine;
  }

  /** Downloads are DuckDB exports kept on disk, so a resumed download (Range) gets the very same bytes. */
  get exports(): ExportCache {
    return (this.#exports ??= new ExportCache({ dir: path.join(this.scratchDir, 'exports'), maxBytes: EXPORT_CACHE_BYTES }));
  }

  async close(): Promise<void> {
    if (this.#engine) (await this.#engine.catch(() => null))?.close();
    this.#engine = null;
  }

  /** At start and every minute: ingests a dead process left running fail with INGEST_INTERRUPTED; their scratch files go. */
  async recoverInterrupted(): Promise<number> {
    const stale = await this.repo.staleIngests(this.db, HEARTBEAT_STALE_SECONDS);
    for (const i of stale) {
      await this.fail(i.id, new AppError(500, 'INGEST_INTERRUPTED', {}));
    }
    return stale.length;
  }

  // ------------------------------------------------------------------------------------------ resources and datasets

  private async resource(actor: Actor, resourceId: string): Promise<ResourceInfo> {
    const r = await this.ctx.catalog.getForRead(actor, resourceId);
    return {
      id: r.id,
      code: r.code,
      nameZh: r.nameZh,
      nameEn: r.nameEn,
      orgId: r.providerOrgId,
      shareMode: r.shareMode,
      openMode: r.openMode,
      updateFrequency: r.updateFrequency,
      fields: r.fields,
    };
  }

  private async isOwner(actor: Actor, orgId: string): Promise<boolean> {
    return this.ctx.authz.can(actor, 'dataset.manage', { type: 'dataset', orgId });
  }

  /** The dataset (visible through its resource) or 404. */
  /** `hot`: the read path's cached row (see #hot). */
  async load(actor: Actor, id: string, hot = false): Promise<{ row: DatasetRow; resource: ResourceInfo; owner: boolean }> {
    const row = hot ? await this.#hotRows.get(id, () => this.repo.byId(this.db, id)) : await this.repo.byId(this.db, id);
    if (!row) throw notFound('DATASET_NOT_FOUND', { id });
    let resource: ResourceInfo;
    try {
      resource = await this.resource(actor, row.resource_id);
    } catch (e) {
      if (e instanceof AppError && e.status === 404) throw notFound('DATASET_NOT_FOUND', { id });
      throw e;
    }
    return { row, resource, owner: await this.isOwner(actor, row.org_id) };
  }

  private async loadManaged(actor: Actor, id: string) {
    const d = await this.load(actor, id);
    await this.ctx.authz.authorize(actor, 'dataset.manage', { type: 'dataset', id, orgId: d.row.org_id });
    return d;
  }

  /** The dataset of a resource, created on first use by the provider (idempotent). */
  async ensureForResource(actor: Actor, resourceId: string): Promise<DatasetRow> {
    const resource = await this.resource(actor, resourceId);
    await this.ctx.authz.authorize(actor, 'dataset.manage', { type: 'dataset', orgId: resource.orgId });
    return this.db.transaction().execute(async (tx) => {
      const { row, created } = await this.repo.ensure(tx, resource.id, resource.orgId, actor.userId ?? null);
      if (created) {
        await this.ctx.ledger.append(tx, {
          actor,
          action: 'dataset.create',
          objectType: 'dataset',
          objectId: row.id,
          orgId: row.org_id,
          details: { resourceId: resource.id, resourceCode: resource.code },
        });
      }
      return row;
    });
  }

  async byResource(actor: Actor, resourceId: string): Promise<DatasetRow | null> {
    await this.resource(actor, resourceId); // visibility
    return (await this.repo.byResource(this.db, resourceId)) ?? null;
  }

  /**
   * The published current version of each of these catalog resources, by resource id (issue 7 §6: the CKAN API lists
   * a package's downloadable forms). The caller has already applied the catalog's visibility to the resource ids;
   * nothing here reads rows (reads go through access()).
   */
  async currentOfResources(resourceIds: string[]) {
    const rows = await this.repo.currentOfResources(this.db, resourceIds);
    return new Map(rows.map((r) => [r.resource_id, r]));
  }

  async list(actor: Actor, opts: { limit: number; offset: number }) {
    // Listing is a provider/authority view: the datasets of the caller's organization subtree (all for see-all roles).
    const seeAll = actor.roles.some((r) => r === 'authority_admin' || r === 'auditor' || r === 'security_officer');
    const orgIds = seeAll ? null : actor.orgId ? await this.ctx.authz.orgs.subtree(actor.orgId) : [];
    return this.repo.list(this.db, { orgIds, ...opts });
  }

  async versions(actor: Actor, id: string): Promise<VersionRow[]> {
    await this.load(actor, id);
    return this.repo.versions(this.db, id);
  }

  async qualityTrend(actor: Actor, id: string) {
    await this.load(actor, id);
    return this.repo.qualityTrend(this.db, id);
  }

  async ingests(actor: Actor, id: string): Promise<IngestRow[]> {
    await this.loadManaged(actor, id);
    return this.repo.ingests(this.db, id);
  }

  async ingest(actor: Actor, ingestId: string): Promise<IngestRow> {
    const i = await this.repo.ingest(this.db, ingestId);
    if (!i) throw notFound('INGEST_NOT_FOUND', { id: ingestId });
    try {
      await this.loadManaged(actor, i.dataset_id);
    } catch (e) {
      if (e instanceof AppError && (e.status === 403 || e.status === 404)) throw notFound('INGEST_NOT_FOUND', { id: ingestId });
      throw e;
    }
    return i;
  }

  // ------------------------------------------------------------------------------------------ ingest

  /** Starts an ingest of a finished upload. */
  async startUploadIngest(actor: Actor, datasetId: string, uploadId: string, options: StageOptions): Promise<IngestRow> {
    const { row } = await this.loadManaged(actor, datasetId);
    const upload = await this.ctx.uploads.resolve(actor, uploadId);
    return this.enqueue(actor, row, { kind: 'upload', uploadId: upload.id, fileName: upload.fileName, size: upload.size }, options);
  }

  /** Starts an ingest of a source-database spec (run now or on its schedule). */
  async ingestFromSource(specId: string, actor: Actor): Promise<{ ingestId: string }> {
    const spec = await this.ctx.sources.getSpec(SYSTEM, specId);
    const row = await this.repo.byId(this.db, spec.datasetId);
    if (!row) throw notFound('DATASET_NOT_FOUND', { id: spec.datasetId });
    const source = await this.ctx.sources.describe(specId);
    const ingest = await this.enqueue(actor, row, { ...source }, {});
    return { ingestId: ingest.id };
  }

  /** Starts an ingest whose staging file another module produces (source databases): `stage` is called by the job. */
  async enqueue(actor: Actor, row: DatasetRow, source: Record<string, unknown>, options: StageOptions | Record<string, unknown>) {
    return this.createIngest(actor, row, source, options, true);
  }

  /** The ingest row and its ledger entry; `queue`: the staging job is sent in the same transaction. */
  private async createIngest(
    actor: Actor,
    row: DatasetRow,
    source: Record<string, unknown>,
    options: StageOptions | Record<string, unknown>,
    queue: boolean,
  ): Promise<IngestRow> {
    return this.db.transaction().execute(async (tx) => {
      const ingest = await this.repo.createIngest(tx, { datasetId: row.id, source, options, userId: actor.userId ?? null });
      if (queue) await this.ctx.jobs.sendInTx<IngestJob>(tx, INGEST_QUEUE, { ingestId: ingest.id, phase: 'stage', actor });
      await this.ctx.ledger.append(tx, {
        actor,
        action: 'dataset.ingest.start',
        objectType: 'dataset',
        objectId: row.id,
        orgId: row.org_id,
        details: { ingestId: ingest.id, source: sourceSummary(source) },
      });
      return ingest;
    });
  }

  /** The provider confirms (or edits) the proposed schema; the build continues in a job. */
  async confirmSchema(actor: Actor, ingestId: string, schema: TableSchema): Promise<IngestRow> {
    const current = await this.ingest(actor, ingestId);
    return this.confirm(actor, current, schema, true);
  }

  /** The confirmation itself (state check, schema check, ledger entry); `queue`: the build job is sent with it. */
  private async confirm(actor: Actor, current: IngestRow, schema: TableSchema, queue: boolean): Promise<IngestRow> {
    const ingestId = current.id;
    return this.db.transaction().execute(async (tx) => {
      const i = (await this.repo.ingest(tx, ingestId, true))!;
      if (i.status !== 'awaiting_schema') throw conflict('INGEST_STATE', { status: i.status, expected: 'awaiting_schema' });
      const checked = checkConfirmedSchema(i.proposed_schema as TableSchema, schema);
      await this.repo.updateIngest(tx, ingestId, {
        status: 'building',
        confirmed_schema: checked,
        progress: { ...i.progress, phase: 'building' },
      });
      if (queue) await this.ctx.jobs.sendInTx<IngestJob>(tx, INGEST_QUEUE, { ingestId, phase: 'build', actor });
      const d = (await this.repo.byId(tx, current.dataset_id))!;
      await this.ctx.ledger.append(tx, {
        actor,
        action: 'dataset.schema.confirm',
        objectType: 'dataset',
        objectId: d.id,
        orgId: d.org_id,
        details: { ingestId, fields: checked.fields.map((f) => `${f.name}:${f.type}`) },
      });
      return (await this.repo.ingest(tx, ingestId))!;
    });
  }

  async cancel(actor: Actor, ingestId: string): Promise<IngestRow> {
    const i = await this.ingest(actor, ingestId);
    if (i.status !== 'awaiting_schema' && i.status !== 'queued')
      throw conflict('INGEST_STATE', { status: i.status, expected: 'awaiting_schema' });
    await this.repo.updateIngest(this.db, ingestId, { status: 'cancelled', finished: true });
    await this.cleanupScratch(ingestId);
    return (await this.repo.ingest(this.db, ingestId))!;
  }

  /**
   * Ingests a file on this machine synchronously, without the job queue (the demo seed, src/modules/datasets/seed.ts):
   * the same staging, schema, build, quality and publish steps and ledger entries as an upload. The file must lie
   * under `scratchDir` (DuckDB's allowed directories); the caller removes it. When the ingest asks for the schema
   * (first version, changed columns), `opts.confirm` gives the schema to confirm from the proposed one; without it
   * the ingest is left awaiting_schema, as an upload would be. Returns the finished (or waiting) ingest; a failed
   * ingest is recorded as failed and its error thrown.
   */
  async ingestLocalFile(
    actor: Actor,
    datasetId: string,
    filePath: string,
    fileName: string,
    opts: { confirm?: (proposed: TableSchema) => TableSchema; options?: StageOptions } = {},
  ): Promise<IngestRow> {
    const { row } = await this.loadManaged(actor, datasetId);
    const [file, scratch] = await Promise.all([fs.realpath(filePath), fs.realpath(this.scratchDir)]);
    const rel = path.relative(scratch, file);
    if (!rel || rel.startsWith('..') || path.isAbsolute(rel))
      throw new Error(`ingestLocalFile: ${filePath} is not under ${this.scratchDir}`);
    const { size } = await fs.stat(file);
    const created = await this.createIngest(actor, row, { kind: 'local', fileName, size }, opts.options ?? {}, false);
    const beat = setInterval(() => void this.repo.touch(this.db, created.id).catch(() => undefined), HEARTBEAT_EVERY_MS);
    beat.unref();
    try {
      await this.stage(created, actor, { path: file, fileName });
      const staged = (await this.repo.ingest(this.db, created.id))!;
      if (staged.status === 'awaiting_schema' && opts.confirm) {
        const confirmed = await this.confirm(actor, staged, opts.confirm(staged.proposed_schema as TableSchema), false);
        await this.build(confirmed, actor);
      }
    } catch (e) {
      await this.fail(created.id, e);
      throw e;
    } finally {
      clearInterval(beat);
    }
    return (await this.repo.ingest(this.db, created.id))!;
  }

  private ingestDir(ingestId: string): string {
    return path.join(this.scratchDir, 'ingests', ingestId);
  }

  /** The speculative typed file of a first upload (speculate.ts), kept while the schema waits for confirmation. */
  private speculativePath(ingestId: string): string {
    return path.join(this.ingestDir(ingestId), 'speculative.parquet');
  }

  private async cleanupScratch(ingestId: string): Promise<void> {
    await fs.rm(this.ingestDir(ingestId), { recursive: true, force: true });
  }

  private async fail(ingestId: string, e: unknown): Promise<void> {
    const error =
      e instanceof AppError
        ? { code: e.code, params: e.params, details: e.details ?? null }
        : { code: 'INGEST_FAILED', params: {}, details: { message: e instanceof Error ? e.message.slice(0, 500) : String(e) } };
    if (!(e instanceof AppError)) this.ctx.log.error({ err: e, ingestId }, 'ingest failed');
    const errors =
      e instanceof AppError && Array.isArray((e.details as { errors?: unknown })?.errors)
        ? (e.details as { errors: unknown[] }).errors
        : null;
    await this.repo.updateIngest(this.db, ingestId, {
      status: 'failed',
      error,
      ...(errors ? { bad_rows: errors.slice(0, 1000), bad_row_count: Number((e as AppError).params.rows ?? errors.length) } : {}),
      finished: true,
    });
    await this.cleanupScratch(ingestId);
  }

  private async runJob(job: IngestJob): Promise<void> {
    const i = await this.repo.ingest(this.db, job.ingestId);
    if (!i) return;
    // While this process works on the ingest its heartbeat stays fresh; if the process dies, the sweep (or the
    // next start) sees it stale and fails the ingest cleanly.
    const beat = setInterval(() => void this.repo.touch(this.db, i.id).catch(() => undefined), HEARTBEAT_EVERY_MS);
    beat.unref();
    try {
      if (job.phase === 'stage') {
        if (i.status !== 'queued') return; // a retried or duplicate job
        await this.stage(i, job.actor);
      } else {
        if (i.status !== 'building') return;
        await this.build(i, job.actor);
      }
    } catch (e) {
      await this.fail(i.id, e);
    } finally {
      clearInterval(beat);
    }
  }

  /** Throttled progress writer (the web page polls the ingest). */
  private progress(ingestId: string, phase: string) {
    let last = 0;
    return (rows: number, extra: Record<string, unknown> = {}) => {
      const now = Date.now();
      if (now - last < PROGRESS_EVERY_MS) return;
      last = now;
      void this.repo.updateIngest(this.db, ingestId, { progress: { phase, rowsRead: rows, ...extra } }).catch(() => undefined);
    };
  }

  private async stage(i: IngestRow, actor: Actor, local?: { path: string; fileName: string }): Promise<void> {
    const engine = await this.engine();
    const dir = this.ingestDir(i.id);
    await fs.mkdir(dir, { recursive: true });
    await this.repo.updateIngest(this.db, i.id, { status: 'staging', progress: { phase: 'staging', rowsRead: 0 } });
    const stagingPath = path.join(dir, 'staging.parquet');
    const onProgress = this.progress(i.id, 'staging');
    let staged: StageResult;
    let highWater: unknown = null;
    const lap = stopwatch();
    const source = i.source as { kind: string; uploadId?: string; fileName?: string };
    if (source.kind === 'upload' || (source.kind === 'local' && local)) {
      // A file on this machine (ingestLocalFile): its path is not recorded, only its name.
      const input = source.kind === 'upload' ? await this.ctx.uploads.resolve(SYSTEM, source.uploadId!) : local!;
      const direct = await this.buildDirect(i, actor, { path: input.path, fileName: input.fileName });
      if (direct === 'published') return;
      // Another file than the confirmed schema's (or the first one): inferred in place when it is a UTF-8 CSV
      // (an upload: read once when the first rows predict the types, see inferDirect).
      if (direct === 'other-columns' && source.kind === 'upload' && (await this.inferDirect(i, actor, input))) return;
      await this.repo.updateIngest(this.db, i.id, { status: 'staging', progress: { phase: 'staging', rowsRead: 0 } });
      lap();
      staged = await stageFile(engine, { path: input.path, fileName: input.fileName }, stagingPath, i.options as StageOptions, onProgress);
    } else if (source.kind === 'database') {
      const r = await this.ctx.sources.stageForIngest(engine, source as { specId?: unknown }, stagingPath, onProgress);
      staged = { path: r.path, format: 'parquet', columns: r.columns, rows: r.rows, warnings: r.warnings };
      highWater = r.highWater;
    } else {
      throw badRequest('INGEST_SOURCE_UNKNOWN', { kind: source.kind });
    }
    const tStage = lap();
    const pii = await this.detectPii(
      engine,
      `read_parquet(${quoteLiteral(stagingPath)})`,
      staged.columns.map((c) => ({ expr: quoteIdent(c), name: c })),
    );
    const tPii = lap();
    const current = (await this.repo.byId(this.db, i.dataset_id))!;
    const confirmedNow = (current.schema as TableSchema | null) ?? null;
    if (confirmedNow && sameSources(confirmedNow, staged.columns)) {
      // The columns of the confirmed schema: build straight away, every value checked against its confirmed
      // type. Only when some value does not fit is the schema inferred and the change shown (below); a version
      // never needs the inference pass when the data still fits (docs/dataplane.md, "Schema").
      const progress = {
        phase: 'building',
        rowsRead: staged.rows,
        format: staged.format,
        encoding: staged.encoding ?? null,
        warnings: staged.warnings,
        highWater,
        timings: { stage: tStage, pii: tPii },
      };
      await this.repo.updateIngest(this.db, i.id, {
        status: 'building',
        staging_path: stagingPath,
        proposed_schema: confirmedNow,
        schema_diff: diffSchema(confirmedNow, confirmedNow),
        confirmed_schema: confirmedNow,
        pii,
        progress,
      });
      try {
        await this.build((await this.repo.ingest(this.db, i.id))!, actor, 'reject');
        return;
      } catch (e) {
        if (!(e instanceof AppError && e.code === 'ROWS_INVALID')) throw e;
        lap();
      }
    }
    const proposed = await inferSchema(engine, stagingPath);
    const tInfer = lap();
    await this.propose(i, actor, proposed, pii, stagingPath, {
      rowsRead: staged.rows,
      format: staged.format,
      encoding: staged.encoding ?? null,
      warnings: staged.warnings,
      highWater,
      timings: { stage: tStage, infer: tInfer, pii: tPii },
    });
  }

  /**
   * The inferred schema with the PII findings goes to the provider (awaiting_schema), or — when the dataset's
   * confirmed schema still fits — the build continues at once. `stagingPath` null: the file is read in place
   * (progress.direct, see inferDirect).
   */
  private async propose(
    i: IngestRow,
    actor: Actor,
    proposed: TableSchema,
    pii: Record<string, ReturnType<typeof detectColumn>>,
    stagingPath: string | null,
    progress: Record<string, unknown>,
  ): Promise<void> {
    // Carry the PII findings into the proposal (the provider confirms or overrides them).
    for (const f of proposed.fields) {
      const top = pii[f.name]?.[0];
      if (top && top.confidence >= 0.8) (f['x-shuyuan'] ??= {} as never).piiKind = top.kind;
    }
    const confirmed = ((await this.repo.byId(this.db, i.dataset_id))!.schema as TableSchema | null) ?? null;
    const diff = confirmed ? diffSchema(confirmed, proposed) : null;
    const unchanged = confirmed !== null && diff !== null && fitsConfirmed(diff);
    await this.repo.updateIngest(this.db, i.id, {
      status: unchanged ? 'building' : 'awaiting_schema',
      staging_path: stagingPath,
      proposed_schema: proposed,
      schema_diff: diff,
      confirmed_schema: unchanged ? confirmed : undefined,
      pii,
      progress: { phase: unchanged ? 'building' : 'awaiting_schema', ...progress },
    });
    if (unchanged) await this.build((await this.repo.ingest(this.db, i.id))!, actor);
  }

  /**
   * A UTF-8 CSV/TSV upload is profiled in place (docs/dataplane.md, "Direct inference"), no staging file: the
   * speculative typed build (speculate.ts) writes the version's file from the first rows' types and infers the
   * schema and PII sample from it (confirmed as proposed, that file is the version: build); when the first rows
   * guessed wrong, the schema is inferred from DuckDB's read_csv of the upload, the PII sample collected in the
   * same pass, and the build reads the upload again once the schema is confirmed. False when the file does not
   * qualify or any line does not parse: the caller then stages it, which names the line and column of the problem.
   */
  private async inferDirect(i: IngestRow, actor: Actor, input: { path: string; fileName: string }): Promise<boolean> {
    const engine = await this.engine();
    const lap = stopwatch();
    const direct = await directSource(engine, input, i.options as StageOptions).catch(() => null);
    if (!direct) return false;
    const sampling = { sample: PII_SAMPLE_ROWS, expectedRows: direct.estimatedRows };
    // One read of the CSV when the first rows predict the types (speculate.ts): the typed file, and the
    // inference from it. Else (or when a later value breaks the prediction) the profile of the upload.
    await fs.mkdir(this.ingestDir(i.id), { recursive: true });
    const spec = await speculativeBuild(engine, direct, this.speculativePath(i.id), sampling).catch(() => null);
    let inferred: Awaited<ReturnType<typeof inferSchemaAndSample>>;
    let timings: Record<string, number>;
    if (spec) {
      inferred = spec.inferred;
      // The typed COPY is the build when its file is the version; all the rest is the inference.
      const total = lap();
      timings = spec.file ? { infer: total - spec.timings.build, build: spec.timings.build } : { infer: total };
    } else {
      try {
        inferred = await inferSchemaAndSample(engine, direct, sampling);
      } catch {
        return false;
      }
      timings = { infer: lap() };
    }
    const pii: Record<string, ReturnType<typeof detectColumn>> = {};
    direct.columns.forEach((c, k) => {
      pii[c] = detectColumn(
        inferred.sample.map((r) => r[k] ?? null),
        { name: c },
      );
    });
    timings.pii = lap();
    await this.propose(i, actor, inferred.schema, pii, null, {
      ...directProgress(direct, inferred.rows, timings),
      ...(spec?.file ? { speculative: { rows: spec.file.rows, bytes: spec.file.bytes } } : {}),
    });
    return true;
  }

  /** PII findings per column, from a reservoir sample of `from`; columns: a value expression and its column name. */
  private async detectPii(engine: DuckEngine, from: string, columns: { expr: string; name: string }[]) {
    const cols = columns.map((c, k) => `${c.expr} AS c${k}`).join(', ');
    const rows = await engine.all<Record<string, string | null>>(
      `select ${cols} from ${from} using sample reservoir(${PII_SAMPLE_ROWS} rows) repeatable (42)`,
    );
    const out: Record<string, ReturnType<typeof detectColumn>> = {};
    columns.forEach((c, k) => {
      out[c.name] = detectColumn(
        rows.map((r) => r[`c${k}`] ?? null),
        { name: c.name },
      );
    });
    return out;
  }

  /** badRows: the configured policy, or 'reject' for a trial build against the confirmed schema. */
  private async build(i: IngestRow, actor: Actor, badRows = this.ctx.config.ingestBadRows): Promise<void> {
    const engine = await this.engine();
    const schema = i.confirmed_schema as TableSchema;
    const inPlace = !i.staging_path && i.progress.direct === true;
    if (!i.staging_path && !inPlace) throw new AppError(500, 'INGEST_INTERRUPTED', {});
    const builtPath = path.join(this.ingestDir(i.id), 'version.parquet');
    await this.repo.updateIngest(this.db, i.id, { status: 'building', progress: { ...i.progress, phase: 'building' } });
    const lap = stopwatch();
    const before = { ...(i.progress.timings as Record<string, number> | undefined) };
    // The speculative file of a first upload (inferDirect) is the version when the schema was confirmed as
    // proposed; its COPY was timed as the build then. Else it goes and the version is built (the build time then
    // holds both COPYs).
    const spec = i.progress.speculative as { rows: number; bytes: number } | undefined;
    const specPath = this.speculativePath(i.id);
    const useSpec =
      inPlace &&
      spec !== undefined &&
      sameBuild(i.proposed_schema as TableSchema, schema) &&
      (await fs.rename(specPath, builtPath).then(
        () => true,
        () => false,
      ));
    if (!useSpec) await fs.rm(specPath, { force: true });
    const built = useSpec
      ? { rows: spec!.rows, badRows: [], badRowCount: 0 }
      : inPlace
        ? await this.buildInPlace(engine, i, schema, builtPath, badRows)
        : await buildVersion(engine, i.staging_path!, schema, builtPath, { badRows });
    const src = i.source as { kind?: string; mode?: string };
    if (src.kind === 'database' && src.mode === 'incremental')
      built.rows = await this.mergeIncremental(engine, i.dataset_id, schema, builtPath);
    const timings: Record<string, number> = { ...before, build: (before.build ?? 0) + lap() };
    await this.checkAndPublish(i, actor, built, builtPath, timings, lap);
  }

  /**
   * The build of an ingest inferred in place (inferDirect): one COPY from the upload's read_csv; when any value
   * or line does not fit, the upload is staged now and built from the staging file, which names the rows and
   * columns (and applies the bad-rows policy) exactly as the staged path does. The upload is kept until the
   * publish (uploads never consumed are deleted after 7 days: a later confirmation fails UPLOAD_NOT_FOUND).
   */
  private async buildInPlace(
    engine: DuckEngine,
    i: IngestRow,
    schema: TableSchema,
    builtPath: string,
    badRows: 'reject' | 'quarantine',
  ): Promise<Awaited<ReturnType<typeof buildVersion>>> {
    const source = i.source as { uploadId?: string };
    const input = await this.ctx.uploads.resolve(SYSTEM, source.uploadId!);
    const file = { path: input.path, fileName: input.fileName };
    const direct = await directSource(engine, file, i.options as StageOptions).catch(() => null);
    if (direct) {
      try {
        return await buildVersion(engine, direct, schema, builtPath, { badRows: 'reject' });
      } catch {
        // staged below
      }
    }
    const stagingPath = path.join(this.ingestDir(i.id), 'staging.parquet');
    await stageFile(engine, file, stagingPath, i.options as StageOptions);
    await this.repo.updateIngest(this.db, i.id, { staging_path: stagingPath });
    return buildVersion(engine, stagingPath, schema, builtPath, { badRows });
  }

  /**
   * A repeat upload of a UTF-8 CSV/TSV with the confirmed schema's columns is typed straight from the file: no
   * staging file and no inference (docs/dataplane.md, "Direct build"). False when the file does not qualify or
   * any value or line does not fit: the caller then stages it, which names the row and column of the problem.
   */
  private async buildDirect(
    i: IngestRow,
    actor: Actor,
    input: { path: string; fileName: string },
  ): Promise<'published' | 'other-columns' | 'not-direct'> {
    const d = (await this.repo.byId(this.db, i.dataset_id))!;
    const schema = (d.schema as TableSchema | null) ?? null;
    if (!schema) return 'other-columns';
    const engine = await this.engine();
    const lap = stopwatch();
    const direct = await directSource(engine, input, i.options as StageOptions).catch(() => null);
    if (!direct) return 'not-direct';
    if (!sameSources(schema, direct.columns)) return 'other-columns';
    await this.repo.updateIngest(this.db, i.id, { status: 'building', progress: { phase: 'building', rowsRead: 0 } });
    const builtPath = path.join(this.ingestDir(i.id), 'version.parquet');
    let built: Awaited<ReturnType<typeof buildVersion>>;
    try {
      built = await buildVersion(engine, direct, schema, builtPath, { badRows: 'reject' });
    } catch {
      return 'not-direct';
    }
    const tBuild = lap();
    const pii = await this.detectPii(
      engine,
      `read_parquet(${quoteLiteral(builtPath)})`,
      schema.fields.map((f) => ({ expr: `${quoteIdent(f.name)}::VARCHAR`, name: f.source ?? f.name })),
    );
    const timings: Record<string, number> = { build: tBuild, pii: lap() };
    const progress = { phase: 'checking', ...directProgress(direct, built.rows, timings) };
    await this.repo.updateIngest(this.db, i.id, {
      proposed_schema: schema,
      schema_diff: diffSchema(schema, schema),
      confirmed_schema: schema,
      pii,
      progress,
    });
    await this.checkAndPublish((await this.repo.ingest(this.db, i.id))!, actor, built, builtPath, timings, lap);
    return 'published';
  }

  /** Quality rules and the gate over a built version file, then the object store and the atomic publish. */
  private async checkAndPublish(
    i: IngestRow,
    actor: Actor,
    built: Pick<Awaited<ReturnType<typeof buildVersion>>, 'rows' | 'badRows' | 'badRowCount'>,
    builtPath: string,
    timings: Record<string, number>,
    lap: () => number,
  ): Promise<void> {
    const engine = await this.engine();
    const schema = i.confirmed_schema as TableSchema;
    await this.repo.updateIngest(this.db, i.id, {
      status: 'checking',
      progress: { ...i.progress, phase: 'checking', rowsWritten: built.rows, timings },
      bad_rows: built.badRows,
      bad_row_count: built.badRowCount,
    });
    const d = (await this.repo.byId(this.db, i.dataset_id))!;
    const resource = await this.resource(SYSTEM, d.resource_id);
    const previous = d.current_version ? await this.repo.version(this.db, d.id, d.current_version) : undefined;
    const rules = this.rulesFor(d, schema, resource);
    const report = await evaluate(engine, {
      parquetPath: builtPath,
      schema,
      rules,
      now: new Date(),
      updateFrequency: resource.updateFrequency as Parameters<typeof evaluate>[1]['updateFrequency'],
      previous: previous ? { createdAt: previous.created_at } : undefined,
    });
    timings.quality = lap();
    const verdict = gate(report, this.ctx.config.qualityGate);
    if (!verdict.ok) {
      throw new AppError(422, 'QUALITY_GATE', { score: verdict.score, threshold: verdict.threshold }, { quality: report });
    }
    const stored = await this.ctx.objects.putFile(builtPath);
    timings.store = lap();
    await this.publish(i, d, actor, {
      timings,
      key: stored.key,
      sha256: stored.sha256,
      bytes: stored.size,
      rows: built.rows,
      schema,
      report,
      badRowCount: built.badRowCount,
    });
  }

  /**
   * An incremental source run stages only the rows since the last mark: the version is the current version's
   * rows plus those, a new row replacing the current one with the same primary key (when the schema has one).
   * Rewrites `deltaPath` in place; returns the row count.
   */
  private async mergeIncremental(engine: DuckEngine, datasetId: string, schema: TableSchema, deltaPath: string): Promise<number> {
    const d = (await this.repo.byId(this.db, datasetId))!;
    const count = async (f: string) => Number((await engine.all<{ n: bigint }>('select count(*) as n from read_parquet($1)', [f]))[0]!.n);
    if (!d.current_version) return count(deltaPath);
    const { file } = await this.versionFile(datasetId);
    const pk = schema.primaryKey === undefined ? [] : Array.isArray(schema.primaryKey) ? schema.primaryKey : [schema.primaryKey];
    const keep = pk.length
      ? `select * from read_parquet($1) c where not exists (select 1 from read_parquet($2) n where ${pk.map((k) => `n.${quoteIdent(k)} is not distinct from c.${quoteIdent(k)}`).join(' and ')})`
      : 'select * from read_parquet($1)';
    const merged = deltaPath.replace(/\.parquet$/, '') + '.merged.parquet';
    await engine.run(
      `copy (${keep} union all by name select * from read_parquet($2)) to '${merged.replaceAll("'", "''")}' (format parquet, compression zstd)`,
      [file, deltaPath],
    );
    await fs.rename(merged, deltaPath);
    return count(deltaPath);
  }

  rulesFor(d: DatasetRow, schema: TableSchema, resource: ResourceInfo): QualityRule[] {
    return (d.quality_rules as QualityRule[] | null) ?? defaultRules(schema, resource.fields);
  }

  /** The atomic step: version row, dataset pointer, ingest status and ledger entry in one transaction. */
  /** Drops the read path's cached rows (after a version change made here). */
  private clearHot(): void {
    this.#hotRows.clear();
    this.#hotVersions.clear();
  }

  private async publish(
    i: IngestRow,
    d: DatasetRow,
    actor: Actor,
    v: {
      key: string;
      sha256: string;
      bytes: number;
      rows: number;
      schema: TableSchema;
      report: QualityReport;
      badRowCount: number;
      timings: Record<string, number>;
    },
  ): Promise<void> {
    const version = await this.db.transaction().execute(async (tx) => {
      const locked = (await this.repo.byId(tx, d.id, true))!;
      const cur = (await this.repo.ingest(tx, i.id, true))!;
      if (cur.status !== 'checking') throw conflict('INGEST_STATE', { status: cur.status, expected: 'checking' });
      const n = await this.repo.nextVersion(tx, locked.id);
      await this.repo.publish(tx, {
        datasetId: locked.id,
        version: n,
        objectKey: v.key,
        sha256: v.sha256,
        bytes: v.bytes,
        rows: v.rows,
        schema: v.schema,
        source: { ...i.source, format: i.progress.format ?? null, encoding: i.progress.encoding ?? null },
        ingestId: i.id,
        quality: v.report,
        qualityScore: v.report.overall,
        pii: i.pii,
        badRowCount: v.badRowCount,
        userId: i.created_by,
      });
      const src = i.source as { kind?: string; specId?: string };
      if (src.kind === 'database' && src.specId) {
        await this.ctx.sources.markDone(src.specId, (i.progress.highWater as Parameters<typeof this.ctx.sources.markDone>[1]) ?? null, tx);
      }
      await this.repo.updateIngest(tx, i.id, {
        status: 'published',
        version: n,
        quality: v.report,
        progress: { ...i.progress, phase: 'published', rowsWritten: v.rows, timings: v.timings },
        finished: true,
      });
      await this.ctx.ledger.append(tx, {
        actor,
        action: 'dataset.version.publish',
        objectType: 'dataset',
        objectId: locked.id,
        orgId: locked.org_id,
        details: { version: n, sha256: v.sha256, rows: v.rows, bytes: v.bytes, ingestId: i.id, qualityScore: v.report.overall },
      });
      return n;
    });
    this.clearHot();
    await this.cleanupScratch(i.id);
    const source = i.source as { kind: string; uploadId?: string };
    if (source.kind === 'upload' && source.uploadId) await this.ctx.uploads.remove(source.uploadId).catch(() => undefined);
    await this.applyRetention(d.id).catch((e: unknown) => this.ctx.log.warn({ err: e, datasetId: d.id }, 'retention failed'));
    await this.queuePublicExport(d, version);
    this.ctx.log.info({ datasetId: d.id, version, rows: v.rows }, 'dataset version published');
  }

  /**
   * After a new version of an unconditionally open dataset: a job builds the CSV that anonymous visitors download
   * (masked as the public reads it) into the export cache, so the first visitor gets a file read instead of
   * waiting for the export (issue 7: anonymous full download at ≥ 0.7× DuckDB's own CSV writing; the masked export
   * itself runs at about 0.1×). Not a data access (nothing leaves the platform): no ledger entry.
   */
  private async queuePublicExport(d: DatasetRow, version: number): Promise<void> {
    if (!this.ctx.config.preparePublicExports) return;
    try {
      const resource = await this.ctx.catalog.getForRead(SYSTEM, d.resource_id);
      if (resource.openMode !== 'unconditional') return;
      await this.ctx.jobs.send(PUBLIC_EXPORT_QUEUE, { datasetId: d.id, version });
    } catch (e) {
      this.ctx.log.warn({ err: e, datasetId: d.id }, 'could not queue the public export');
    }
  }

  /** The public export job: the version's CSV as an anonymous visitor gets it, into the export cache. */
  async preparePublicExport(datasetId: string, version: number): Promise<{ prepared: boolean; bytes?: number }> {
    const d = await this.repo.byId(this.db, datasetId);
    // A newer version replaced it meanwhile, or the dataset is no longer open: nothing to prepare.
    if (!d || d.current_version !== version) return { prepared: false };
    const resource = await this.ctx.catalog.getForRead(SYSTEM, d.resource_id);
    if (resource.openMode !== 'unconditional') return { prepared: false };
    const { decision, v, file } = await this.access(ANONYMOUS, datasetId, version, { action: 'download', requested: [] });
    const out = await this.exports.get(
      await this.engine(),
      this.readSource(v, file, decision),
      v.sha256,
      { format: 'csv' },
      decision.policy,
    );
    return { prepared: true, bytes: out.bytes };
  }

  // ------------------------------------------------------------------------------------------ versions

  /** Makes an earlier version current again, as a new version number sharing its file (history stays linear). */
  async rollback(actor: Actor, datasetId: string, to: number, comment: string): Promise<VersionRow> {
    const { row } = await this.loadManaged(actor, datasetId);
    const n = await this.db.transaction().execute(async (tx) => {
      const d = (await this.repo.byId(tx, row.id, true))!;
      const target = await this.repo.version(tx, d.id, to);
      if (!target) throw notFound('VERSION_NOT_FOUND', { version: to });
      if (target.state === 'expired') throw conflict('VERSION_EXPIRED', { version: to });
      if (d.current_version === to) throw conflict('VERSION_IS_CURRENT', { version: to });
      const next = await this.repo.nextVersion(tx, d.id);
      await this.repo.publish(tx, {
        datasetId: d.id,
        version: next,
        objectKey: target.object_key,
        sha256: target.sha256,
        bytes: target.bytes,
        rows: target.row_count,
        schema: target.schema,
        source: { kind: 'rollback', fromVersion: d.current_version, toVersion: to, comment },
        ingestId: null,
        quality: target.quality,
        qualityScore: target.quality_score === null ? null : Number(target.quality_score),
        pii: target.pii,
        badRowCount: target.bad_row_count,
        userId: actor.userId ?? null,
      });
      await this.ctx.ledger.append(tx, {
        actor,
        action: 'dataset.version.rollback',
        objectType: 'dataset',
        objectId: d.id,
        orgId: d.org_id,
        details: { from: d.current_version, to, version: next, sha256: target.sha256, comment },
      });
      return next;
    });
    this.clearHot();
    await this.queuePublicExport(row, n);
    return (await this.repo.version(this.db, datasetId, n))!;
  }

  /** Deletes the files of versions beyond the dataset's retention (never the current one, never a shared file). */
  async applyRetention(datasetId: string): Promise<number> {
    const d = await this.repo.byId(this.db, datasetId);
    if (!d?.retention_keep) return 0;
    let n = 0;
    for (const v of await this.repo.retentionCandidates(this.db, datasetId, d.retention_keep)) {
      await this.db.transaction().execute(async (tx) => {
        await this.repo.expire(tx, v.id);
        await this.ctx.ledger.append(tx, {
          actor: SYSTEM,
          action: 'dataset.version.expire',
          objectType: 'dataset',
          objectId: d.id,
          orgId: d.org_id,
          details: { version: v.version, sha256: v.sha256, keep: d.retention_keep },
        });
      });
      this.clearHot();
      if (!(await this.repo.objectInUse(this.db, v.object_key))) await this.ctx.objects.delete(v.object_key);
      n++;
    }
    return n;
  }

  async updateSettings(actor: Actor, datasetId: string, s: { qualityRules?: QualityRule[] | null; retentionKeep?: number | null }) {
    const { row } = await this.loadManaged(actor, datasetId);
    await this.db.transaction().execute(async (tx) => {
      await this.repo.setSettings(tx, row.id, s);
      await this.ctx.ledger.append(tx, {
        actor,
        action: 'dataset.settings.update',
        objectType: 'dataset',
        objectId: row.id,
        orgId: row.org_id,
        details: {
          qualityRules: s.qualityRules === undefined ? undefined : (s.qualityRules?.length ?? null),
          retentionKeep: s.retentionKeep,
        },
      });
    });
    if (s.retentionKeep) await this.applyRetention(row.id);
    return (await this.repo.byId(this.db, row.id))!;
  }

  /** A readable version (current when not given) and its local file. */
  async versionFile(datasetId: string, version?: number, row?: DatasetRow): Promise<{ v: VersionRow; file: string }> {
    const d = row ?? (await this.repo.byId(this.db, datasetId))!;
    const n = version ?? d.current_version;
    if (!n) throw notFound('DATASET_NO_VERSION', { id: datasetId });
    const v = await this.repo.version(this.db, datasetId, n);
    if (!v) throw notFound('VERSION_NOT_FOUND', { version: n });
    if (v.state === 'expired') throw conflict('VERSION_EXPIRED', { version: n });
    return { v, file: await this.ctx.objects.localPath(v.object_key) };
  }

  /** Row-level diff between two versions by key columns: counts of added, removed and changed rows, with examples. */
  async diff(actor: Actor, datasetId: string, from: number, to: number, key?: string[]) {
    await this.load(actor, datasetId);
    const a = await this.versionFile(datasetId, from);
    const b = await this.versionFile(datasetId, to);
    const sa = a.v.schema as TableSchema;
    const sb = b.v.schema as TableSchema;
    const namesA = new Set(sa.fields.map((f) => f.name));
    const common = sb.fields.map((f) => f.name).filter((n) => namesA.has(n) && n !== '_row');
    const keys = key?.length ? key : primaryKeyOf(sa, sb);
    for (const k of keys) if (!common.includes(k)) throw badRequest('DIFF_KEY_INVALID', { column: k }, { field: 'key' });
    const schemaDiff = diffSchema(sa, sb);
    if (!keys.length) {
      return {
        from,
        to,
        key: [],
        schema: schemaDiff,
        added: null,
        removed: null,
        changed: null,
        rowsFrom: a.v.row_count,
        rowsTo: b.v.row_count,
        examples: null,
      };
    }
    const engine = await this.engine();
    const k = keys.map(quoteIdent);
    const on = k.map((c) => `a.${c} is not distinct from b.${c}`).join(' and ');
    const rowHash = (alias: string) => `hash(${common.map((c) => `${alias}.${quoteIdent(c)}::varchar`).join(', ')})`;
    const keyText = (alias: string) => `concat_ws(' | ', ${k.map((c) => `${alias}.${c}::varchar`).join(', ')})`;
    const [counts] = await engine.all<{ added: bigint; removed: bigint; changed: bigint }>(
      `with a as (select * from read_parquet($1)), b as (select * from read_parquet($2))
       select
         (select count(*) from b where not exists (select 1 from a where ${on})) as added,
         (select count(*) from a where not exists (select 1 from b where ${on})) as removed,
         (select count(*) from a join b on ${on} where ${rowHash('a')} <> ${rowHash('b')}) as changed`,
      [a.file, b.file],
    );
    const examples = await engine.json<{ kind: string; key: string }>(
      `with a as (select * from read_parquet($1)), b as (select * from read_parquet($2))
       (select 'added' as kind, ${keyText('b')} as key from b where not exists (select 1 from a where ${on}) limit 10)
       union all (select 'removed', ${keyText('a')} from a where not exists (select 1 from b where ${on}) limit 10)
       union all (select 'changed', ${keyText('a')} from a join b on ${on} where ${rowHash('a')} <> ${rowHash('b')} limit 10)`,
      [a.file, b.file],
    );
    return {
      from,
      to,
      key: keys,
      schema: schemaDiff,
      added: Number(counts!.added),
      removed: Number(counts!.removed),
      changed: Number(counts!.changed),
      rowsFrom: a.v.row_count,
      rowsTo: b.v.row_count,
      examples,
    };
  }

  // ------------------------------------------------------------------------------------------ reads

  /**
   * Who may read this dataset's rows and how masked: the policy decision point (entitlements/pdp.ts) decides;
   * the read path applies its masking policy; the ledger records the basis and the entitlement.
   */
  async access(
    actor: Actor,
    datasetId: string,
    version?: number,
    opts: { action?: EntitlementAction; requested?: string[] | null; businessRef?: string | null } = {},
  ): Promise<{ decision: PdpDecision; v: VersionRow; file: string; d: DatasetRow; resource: ResourceInfo }> {
    const { row, resource, owner } = await this.load(actor, datasetId, true);
    await this.ctx.authz.authorize(actor, 'dataset.read', { type: 'dataset', id: row.id, orgId: row.org_id });
    const { v, file } = await this.#hotVersions.get(`${row.id}:${version ?? row.current_version}`, () =>
      this.versionFile(row.id, version, row),
    );
    const schema = v.schema as TableSchema;
    const decision = await this.decideOrLog(actor, row, {
      actor,
      action: opts.action ?? 'query',
      resource: { id: resource.id, providerOrgId: resource.orgId, shareMode: resource.shareMode, openMode: resource.openMode },
      // Entitlements grant catalog fields: a column maps to one by the provider's mapping, else by its name.
      columns: schema.fields.map((f) => ({
        name: f.name,
        fieldCode:
          (f['x-shuyuan'] as { fieldCode?: string } | undefined)?.fieldCode ??
          resource.fields.find((c) => c.nameZh === f.name || c.code.toLowerCase() === f.name.toLowerCase())?.code ??
          null,
        piiKind: f['x-shuyuan']?.piiKind ?? null,
      })),
      requested: opts.requested ?? null,
      businessRef: opts.businessRef ?? null,
      isOwner: owner,
    });
    return { decision, v, file, d: row, resource };
  }

  /**
   * The PDP's decision; a refusal (403: no entitlement, a suspended or expired one, a field not granted) is itself
   * a ledger entry (dataset.read.denied: who, what, why) before the error goes back (issue 7: downloading
   * conditional data without an approved application is refused and logged).
   */
  private async decideOrLog(actor: Actor, d: DatasetRow, req: Parameters<EntitlementsService['decide']>[0]): Promise<PdpDecision> {
    try {
      return await this.ctx.entitlements.decide(req);
    } catch (e) {
      if (e instanceof AppError && e.status === 403)
        await this.db.transaction().execute((tx) =>
          this.ctx.ledger.append(tx, {
            actor,
            action: 'dataset.read.denied',
            objectType: 'dataset',
            objectId: d.id,
            orgId: d.org_id,
            details: { action: req.action, code: e.code, params: e.params ?? {}, resourceId: req.resource.id },
          }),
        );
      throw e;
    }
  }

  /** The version as the read path sees it, narrowed to the rows the decision allows (an entitlement's row filter). */
  private readSource(v: VersionRow, file: string, decision: PdpDecision): ReadSource {
    const schema = v.schema as TableSchema;
    const pk = schema.primaryKey;
    return {
      parquetPath: file,
      columns: schema.fields.map((f) => ({
        name: f.name,
        type: f.type,
        piiKind: (f['x-shuyuan']?.piiKind as ReadSource['columns'][number]['piiKind']) ?? null,
      })),
      primaryKey: pk === undefined ? undefined : Array.isArray(pk) ? pk : [pk],
      ...(decision.rowFilter ? { restrict: decision.rowFilter } : {}),
    };
  }

  /**
   * Every read of rows is a ledger entry (who, which version, which columns, how many rows, on what basis and
   * entitlement), and counts against the entitlement's quota. Gateway calls pass `recordedByCaller`: their
   * exchange-log row (hash-chained, its head checkpointed into the ledger) is that record, and the gateway counts
   * the quota in the same transaction (docs/sharing.md, "Exchange log").
   */
  private async recordRead(
    actor: Actor,
    d: DatasetRow,
    v: VersionRow,
    decision: PdpDecision,
    what: { rows: number } & Record<string, unknown>,
  ) {
    await this.db.transaction().execute((tx) =>
      this.ctx.ledger.append(tx, {
        actor,
        action: 'dataset.read',
        objectType: 'dataset',
        objectId: d.id,
        orgId: d.org_id,
        details: {
          version: v.version,
          sha256: v.sha256,
          ...what,
          basis: publicBasis(decision),
          entitlement: decision.entitlement?.id ?? null,
        },
      }),
    );
    if (decision.entitlement) await this.ctx.entitlements.recordUse(decision.entitlement.id, what.rows);
  }

  async preview(actor: Actor, datasetId: string, opts: { version?: number; limit?: number }) {
    const { decision, v, file, d } = await this.access(actor, datasetId, opts.version);
    const r = await preview(await this.engine(), this.readSource(v, file, decision), decision.policy, Math.min(opts.limit ?? 20, 200));
    await this.recordRead(actor, d, v, decision, { kind: 'preview', rows: r.rows.length });
    return { version: v.version, basis: publicBasis(decision), ...r };
  }

  /** `businessRef`: the caller's business reference (the gateway passes it; some grants require one). */
  /**
   * `businessRef`: the caller's business reference (the gateway passes it; some grants require one).
   * `subjectKinds`: also collect the values of columns of these PII kinds for the rows returned (the gateway indexes
   * them as keyed tokens for the data subjects' view) — read in clear for that purpose only, never returned: when a
   * subject column is not in the answer in clear, a second, internal read of the same statement gives them.
   */
  async query(
    actor: Actor,
    datasetId: string,
    q: QueryOptions & { version?: number; businessRef?: string | null; subjectKinds?: string[]; recordedByCaller?: boolean },
  ) {
    const { version: _v, businessRef, subjectKinds, recordedByCaller, ...opts } = q;
    const { decision, v, file, d } = await this.access(actor, datasetId, q.version, {
      requested: namedColumns(opts),
      businessRef,
    });
    const engine = await this.engine();
    const src = this.readSource(v, file, decision);
    const kinds = this.kinds(v);
    const r = await query(engine, src, opts, decision.policy);
    const subjects: Array<[string, string]> = [];
    const subjectCols = subjectKinds ? Object.keys(kinds).filter((c) => subjectKinds.includes(kinds[c]!)) : [];
    if (subjectCols.length && r.rows.length) {
      const inClear = new Set(r.columns.filter((c) => c.policy === 'clear').map((c) => c.name));
      let source: Array<Record<string, unknown>> = r.rows;
      if (subjectCols.some((c) => !inClear.has(c))) {
        // The same statement (same filters, order, page) with the subject columns in clear: DuckDB keeps the file's
        // order (preserve_insertion_order), so it selects the same rows. Internal only; nothing of it is returned.
        const internal: MaskingPolicy = { ...decision.policy, ...Object.fromEntries(subjectCols.map((c) => [c, 'clear' as const])) };
        source = (await query(engine, src, { ...opts, columns: subjectCols, total: false }, internal)).rows;
      }
      for (const row of source) {
        for (const c of subjectCols) {
          const val = row[c];
          if (typeof val === 'string' && val) subjects.push([kinds[c]!, val]);
        }
      }
    }
    if (!recordedByCaller)
      await this.recordRead(actor, d, v, decision, {
        kind: 'query',
        rows: r.rows.length,
        columns: opts.columns ?? null,
        filters: opts.filter?.length ?? 0,
      });
    return { version: v.version, basis: publicBasis(decision), ...r, entitlement: decision.entitlement, fieldKinds: kinds, subjects };
  }

  /**
   * A query the caller compiles (the portal's SoQL, issue 7 §5) over the version as this reader may see it
   * (`visibleRelation`: shown columns only, masked as the policy says, under the grant's row restriction), run with
   * a time limit (the statement is interrupted: 400 QUERY_TIMEOUT) and recorded like every other read.
   */
  async queryVisible(
    actor: Actor,
    datasetId: string,
    compile: (rel: { from: string; params: Params; columns: VisibleColumn[]; rowColumn: string | null }) => {
      sql: string;
      params: Params;
      details?: Record<string, unknown>;
    },
    opts: { timeoutMs: number },
  ): Promise<{ version: number; basis: string; rows: unknown[][] }> {
    const { decision, v, file, d } = await this.access(actor, datasetId);
    const engine = await this.engine();
    const rel = await visibleRelation(engine, this.readSource(v, file, decision), decision.policy);
    const q = compile(rel);
    let timedOut = false;
    const rows = await engine
      .withConnection(async (con) => {
        const timer = setTimeout(() => {
          timedOut = true;
          con.interrupt();
        }, opts.timeoutMs);
        try {
          return (await con.runAndReadAll(q.sql, q.params)).getRowsJson() as unknown[][];
        } finally {
          clearTimeout(timer);
        }
      })
      .catch((e: unknown) => {
        if (timedOut) throw badRequest('QUERY_TIMEOUT', { seconds: opts.timeoutMs / 1000 });
        throw e;
      });
    await this.recordRead(actor, d, v, decision, { kind: 'soql', rows: rows.length, ...(q.details ?? {}) });
    return { version: v.version, basis: publicBasis(decision), rows };
  }

  /** The PII kind of each column of a version (the gateway indexes subject identifiers by it). */
  private kinds(v: VersionRow): Record<string, string> {
    const out: Record<string, string> = {};
    for (const f of (v.schema as TableSchema).fields) {
      const k = f['x-shuyuan']?.piiKind;
      if (typeof k === 'string' && k !== 'none') out[f.name] = k;
    }
    return out;
  }

  /**
   * Verification (核验, issue 6 §4b): the row whose `key` column equals the value, and for each claim whether the
   * stored value equals the claimed one — match / no_match / not_found, never the stored value. The PDP decides
   * the 'verify' action; the key and the claimed columns must be granted (masked fields may be verified: nothing is
   * returned). `check` runs after the decision and before the read (the gateway's per-grant rate limit).
   */
  async verify(
    actor: Actor,
    datasetId: string,
    req: {
      key: { field: string; value: string | number | boolean };
      claims: Record<string, string | number | boolean | null>;
      businessRef?: string | null;
      check?: (decision: PdpDecision) => Promise<void>;
      /** The caller (the gateway) records the read itself: its exchange log, chained into the ledger, and the quota. */
      recordedByCaller?: boolean;
    },
  ) {
    const claimFields = Object.keys(req.claims);
    const { decision, v, file, d } = await this.access(actor, datasetId, undefined, {
      action: 'verify',
      requested: [req.key.field, ...claimFields],
      businessRef: req.businessRef,
    });
    await req.check?.(decision);
    // Values are compared here, not returned: the granted columns are read in clear for the comparison only.
    const policy: MaskingPolicy = {};
    for (const name of [req.key.field, ...claimFields])
      if (decision.policy[name] && decision.policy[name] !== 'hide') policy[name] = 'clear';
    const r = await query(
      await this.engine(),
      this.readSource(v, file, decision),
      {
        columns: claimFields.length ? claimFields : [req.key.field],
        filter: [{ column: req.key.field, op: 'eq', value: req.key.value }],
        limit: 2,
      },
      policy,
    );
    const found = r.rows[0];
    const results: Record<string, 'match' | 'no_match' | 'not_found'> = {};
    for (const f of claimFields) {
      if (!found) results[f] = 'not_found';
      else results[f] = sameValue(found[f], req.claims[f]) ? 'match' : 'no_match';
    }
    if (!req.recordedByCaller)
      await this.recordRead(actor, d, v, decision, { kind: 'verify', rows: found ? 1 : 0, columns: [req.key.field, ...claimFields] });
    return { version: v.version, found: !!found, results, entitlement: decision.entitlement, fieldKinds: this.kinds(v) };
  }

  /**
   * A finished export file of the request (from the cache or made now) to stream with Range support.
   * `action`: 'download' (the API's downloads) or 'bulk' (the gateway's bulk delivery); `businessRef` as for query.
   */
  async download(actor: Actor, datasetId: string, req: DownloadRequest) {
    const out = await this.#download(actor, datasetId, req, false);
    if ('body' in out) throw new Error('download: an export was followed');
    return out;
  }

  /**
   * A whole-file download (the API's GET without Range): like download, but when this request starts the export of
   * a CSV/JSON/NDJSON, the answer is `body`, the bytes as DuckDB writes them (ExportCache.follow), instead of the
   * file once whole (1M rows: the export no longer runs before the first byte). Only when every row of the version
   * is exported (no filter, no row restriction): the read is recorded with its exact row count before the first
   * byte leaves, and when the ledger refuses, nothing is sent.
   */
  async downloadFollowing(actor: Actor, datasetId: string, req: DownloadRequest) {
    return this.#download(actor, datasetId, req, true);
  }

  async #download(actor: Actor, datasetId: string, req: DownloadRequest, follow: boolean) {
    const { decision, v, file, d, resource } = await this.access(actor, datasetId, req.version, {
      action: req.action ?? 'download',
      requested: namedColumns(req),
      businessRef: req.businessRef,
    });
    const args = [
      await this.engine(),
      this.readSource(v, file, decision),
      v.sha256,
      { format: req.format, columns: req.columns, filter: req.filter, sort: req.sort },
      decision.policy,
    ] as const;
    const everyRow = !req.filter?.length && !decision.rowFilter;
    const out = follow && everyRow ? await this.exports.follow(...args) : await this.exports.get(...args);
    const meta = {
      fileName: `${resource.code}-v${v.version}`,
      version: v.version,
      entitlement: decision.entitlement,
      versionSha256: v.sha256,
    };
    if ('growing' in out) {
      try {
        await this.recordRead(actor, d, v, decision, {
          kind: 'download',
          format: req.format,
          rows: v.row_count,
          bytes: null,
          columns: req.columns ?? null,
        });
      } catch (e) {
        out.body.destroy(); // nothing is sent without its ledger entry (the export itself goes on into the cache)
        throw e;
      }
      return { ...meta, body: out.body, format: out.format, contentType: out.contentType };
    }
    await this.recordRead(actor, d, v, decision, {
      kind: 'download',
      format: req.format,
      rows: out.rows,
      bytes: out.bytes,
      columns: req.columns ?? null,
    });
    return { ...out, ...meta };
  }

  /** The quality failing-rows report of a version (managers), as a CSV file in the scratch area. */
  async failingRowsReport(actor: Actor, datasetId: string, version: number, lang: 'zh-CN' | 'en') {
    const { row, resource } = await this.loadManaged(actor, datasetId);
    const { v, file } = await this.versionFile(row.id, version);
    const schema = v.schema as TableSchema;
    const out = path.join(this.scratchDir, 'reports', `${v.sha256}-${lang}.csv`);
    await fs.mkdir(path.dirname(out), { recursive: true });
    await writeFailingRowsCsv(await this.engine(), { parquetPath: file, schema, rules: this.rulesFor(row, schema, resource), lang }, out);
    return { path: out, fileName: `${resource.code}-v${v.version}-quality.csv` };
  }
}

export interface ReadRequest {
  version?: number;
  columns?: string[];
  filter?: Filter;
  sort?: Sort;
}

export interface DownloadRequest extends ReadRequest {
  format: ExportFormat;
  action?: 'download' | 'bulk';
  businessRef?: string | null;
}

/** The columns a read names (output, filter, sort): each must be granted (the PDP refuses the first that is not). */
function namedColumns(r: Pick<ReadRequest, 'columns' | 'filter' | 'sort'>): string[] {
  return [...(r.columns ?? []), ...(r.filter ?? []).map((f) => f.column), ...(r.sort ?? []).map((s) => s.column)];
}

/** A stored value equals a claimed one (numbers and booleans by value, text trimmed; empty equals null). */
function sameValue(stored: unknown, claimed: unknown): boolean {
  const norm = (x: unknown) => (x === null || x === undefined ? '' : String(x).trim());
  if (typeof stored === 'number' || typeof claimed === 'number') {
    const a = Number(stored);
    const b = Number(claimed);
    if (Number.isFinite(a) && Number.isFinite(b)) return a === b;
  }
  return norm(stored) === norm(claimed);
}

/** The basis a reader is told (API): the provider's own, an entitlement's, or unconditional data masked. */
function publicBasis(d: PdpDecision): 'owner' | 'entitlement' | 'masked' {
  return d.basis === 'unconditional' ? 'masked' : d.basis;
}

/** Milliseconds since the previous call (phase timings, shown with the ingest and used by bench/ingest.ts). */
function stopwatch(): () => number {
  let last = performance.now();
  return () => {
    const now = performance.now();
    const ms = Math.round(now - last);
    last = now;
    return ms;
  };
}

function sourceSummary(s: Record<string, unknown>) {
  return {
    kind: s.kind,
    fileName: s.fileName ?? null,
    size: s.size ?? null,
    connectionId: s.connectionId ?? null,
    specId: s.specId ?? null,
  };
}

function primaryKeyOf(a: TableSchema, b: TableSchema): string[] {
  const pk = b.primaryKey ?? a.primaryKey;
  if (!pk) return [];
  return Array.isArray(pk) ? pk : [pk];
}

/**
 * Whether a new file fits the confirmed schema without asking the provider again: the same columns, and no
 * column whose confirmed type the new data no longer infers — except text columns (anything is text) — so the
 * provider's own decisions (a renamed field, an integer column kept as text) do not make every later version
 * wait. Values that then do not fit the confirmed types are reported by the build with their rows.
 */
function fitsConfirmed(d: ReturnType<typeof diffSchema>): boolean {
  return !d.added.length && !d.removed.length && d.retyped.every((r) => r.from === 'string' || r.from.startsWith('string'));
}

/** Whether the staged columns are exactly the sources of the schema's fields (in any order). */
function sameSources(schema: TableSchema, columns: string[]): boolean {
  const sources = new Set(schema.fields.map((f) => f.source ?? f.name));
  return sources.size === columns.length && columns.every((c) => sources.has(c));
}

/** The confirmed schema must describe the staged columns: same sources, known types, unique names. */
export function checkConfirmedSchema(proposed: TableSchema, given: TableSchema): TableSchema {
  const sources = new Set(proposed.fields.map((f) => f.source ?? f.name));
  const names = new Set<string>();
  given.fields.forEach((f, idx) => {
    const src = f.source ?? f.name;
    if (!sources.has(src)) throw badRequest('SCHEMA_FIELD_UNKNOWN', { column: src }, { field: `fields[${idx}].source` });
    if (!/^[^\0"]{1,128}$/.test(f.name) || f.name === '_row')
      throw badRequest('SCHEMA_FIELD_NAME', { name: f.name }, { field: `fields[${idx}].name` });
    if (names.has(f.name)) throw badRequest('SCHEMA_FIELD_DUPLICATE', { name: f.name }, { field: `fields[${idx}].name` });
    names.add(f.name);
  });
  return given;
}

/** The progress of an ingest that reads a UTF-8 CSV in place (inferDirect, buildDirect): no staging file. */
function directProgress(direct: Pick<DirectSource, 'format' | 'encoding'>, rows: number, timings: Record<string, number>) {
  return {
    rowsRead: rows,
    format: direct.format,
    encoding: direct.encoding ?? null,
    warnings: rows === 0 ? ['FILE_NO_ROWS'] : [],
    highWater: null,
    direct: true,
    timings,
  };
}
