// The datasets module's SQL (migrations/0009_datasets.sql): datasets, their versions and the ingests that make
// them. Everything is a parameterized `sql` template; JSON columns are written as text and cast.
import { sql } from 'kysely';
import type { Executor } from '../../db/database.ts';

export interface DatasetRow {
  id: string;
  resource_id: string;
  org_id: string;
  current_version: number | null;
  schema: unknown;
  quality_rules: unknown;
  retention_keep: number | null;
  created_by: string | null;
  created_at: Date;
  updated_at: Date;
}

export type VersionState = 'published' | 'superseded' | 'expired';

export interface VersionRow {
  id: string;
  dataset_id: string;
  version: number;
  state: VersionState;
  object_key: string;
  sha256: string;
  bytes: number;
  row_count: number;
  schema: unknown;
  source: Record<string, unknown>;
  ingest_id: string | null;
  quality: unknown;
  quality_score: string | null;
  pii: unknown;
  bad_row_count: number;
  created_by: string | null;
  created_by_name: string | null;
  created_at: Date;
}

export const INGEST_STATUSES = [
  'queued',
  'staging',
  'awaiting_schema',
  'building',
  'checking',
  'published',
  'failed',
  'cancelled',
] as const;
export type IngestStatus = (typeof INGEST_STATUSES)[number];
/** Statuses in which a worker holds the ingest (a stale heartbeat there means the process died). */
export const RUNNING: IngestStatus[] = ['staging', 'building', 'checking'];

export interface IngestRow {
  id: string;
  dataset_id: string;
  status: IngestStatus;
  source: Record<string, unknown>;
  options: Record<string, unknown>;
  progress: Record<string, unknown>;
  staging_path: string | null;
  proposed_schema: unknown;
  schema_diff: unknown;
  confirmed_schema: unknown;
  pii: unknown;
  quality: unknown;
  bad_rows: unknown;
  bad_row_count: number;
  error: unknown;
  version: number | null;
  heartbeat_at: Date | null;
  created_by: string | null;
  created_by_name: string | null;
  created_at: Date;
  updated_at: Date;
  finished_at: Date | null;
}

const json = (v: unknown) => (v === undefined || v === null ? null : JSON.stringify(v));

const VERSION_COLS = sql`v.id, v.dataset_id, v.version, v.state, v.object_key, v.sha256, v.bytes, v.row_count, v.schema, v.source,
  v.ingest_id, v.quality, v.quality_score::text as quality_score, v.pii, v.bad_row_count, v.created_by,
  (select coalesce(u.display_name, u.username) from users u where u.id = v.created_by) as created_by_name, v.created_at`;

const INGEST_COLS = sql`i.id, i.dataset_id, i.status, i.source, i.options, i.progress, i.staging_path, i.proposed_schema, i.schema_diff,
  i.confirmed_schema, i.pii, i.quality, i.bad_rows, i.bad_row_count, i.error, i.version, i.heartbeat_at, i.created_by,
  (select coalesce(u.display_name, u.username) from users u where u.id = i.created_by) as created_by_name,
  i.created_at, i.updated_at, i.finished_at`;

export class DatasetsRepository {
  // ------------------------------------------------------------------------------------------ datasets

  async byId(db: Executor, id: string, forUpdate = false): Promise<DatasetRow | undefined> {
    const lock = forUpdate ? sql`for update` : sql``;
    return (await sql<DatasetRow>`select * from datasets where id = ${id} ${lock}`.execute(db)).rows[0];
  }

  async byResource(db: Executor, resourceId: string): Promise<DatasetRow | undefined> {
    return (await sql<DatasetRow>`select * from datasets where resource_id = ${resourceId}`.execute(db)).rows[0];
  }

  /** The dataset and current version (if any) of each of these resources (the CKAN API's resource lists). */
  async currentOfResources(db: Executor, resourceIds: string[]) {
    if (!resourceIds.length) return [];
    const { rows } = await sql<{
      resource_id: string;
      dataset_id: string;
      version: number;
      row_count: number;
      bytes: number;
      sha256: string;
      schema: unknown;
      created_at: Date;
    }>`
      select d.resource_id, d.id as dataset_id, v.version, v.row_count, v.bytes, v.sha256, v.schema, v.created_at
      from datasets d join dataset_versions v on v.dataset_id = d.id and v.version = d.current_version
      where d.resource_id = any(${resourceIds}::uuid[]) and v.state = 'published'`.execute(db);
    return rows;
  }

  /** Creates the dataset of a resource, or returns the one that exists (two clerks at once get the same one). */
  async ensure(db: Executor, resourceId: string, orgId: string, userId: string | null): Promise<{ row: DatasetRow; created: boolean }> {
    const ins = await sql<DatasetRow>`
      insert into datasets (resource_id, org_id, created_by) values (${resourceId}, ${orgId}, ${userId})
      on conflict (resource_id) do nothing returning *`.execute(db);
    if (ins.rows[0]) return { row: ins.rows[0], created: true };
    return { row: (await this.byResource(db, resourceId))!, created: false };
  }

  async list(db: Executor, opts: { orgIds: string[] | null; limit: number; offset: number }) {
    const where = opts.orgIds ? sql`d.org_id = any(${opts.orgIds}::uuid[])` : sql`true`;
    const { rows } = await sql<
      DatasetRow & {
        row_count: number | null;
        bytes: number | null;
        quality_score: string | null;
        published_at: Date | null;
        total: number;
      }
    >`
      select d.*, v.row_count, v.bytes, v.quality_score::text as quality_score, v.created_at as published_at, count(*) over ()::int as total
      from datasets d left join dataset_versions v on v.dataset_id = d.id and v.version = d.current_version
      where ${where}
      order by d.updated_at desc, d.id
      limit ${opts.limit} offset ${opts.offset}`.execute(db);
    return rows;
  }

  async setSchema(db: Executor, id: string, schema: unknown): Promise<void> {
    await sql`update datasets set schema = ${json(schema)}::jsonb, updated_at = now() where id = ${id}`.execute(db);
  }

  async setSettings(db: Executor, id: string, s: { qualityRules?: unknown; retentionKeep?: number | null }): Promise<void> {
    if (s.qualityRules !== undefined) {
      await sql`update datasets set quality_rules = ${json(s.qualityRules)}::jsonb, updated_at = now() where id = ${id}`.execute(db);
    }
    if (s.retentionKeep !== undefined) {
      await sql`update datasets set retention_keep = ${s.retentionKeep}, updated_at = now() where id = ${id}`.execute(db);
    }
  }

  // ------------------------------------------------------------------------------------------ versions

  async versions(db: Executor, datasetId: string): Promise<VersionRow[]> {
    return (
      await sql<VersionRow>`select ${VERSION_COLS} from dataset_versions v where v.dataset_id = ${datasetId} order by v.version desc`.execute(
        db,
      )
    ).rows;
  }

  async version(db: Executor, datasetId: string, version: number): Promise<VersionRow | undefined> {
    return (
      await sql<VersionRow>`select ${VERSION_COLS} from dataset_versions v where v.dataset_id = ${datasetId} and v.version = ${version}`.execute(
        db,
      )
    ).rows[0];
  }

  async nextVersion(db: Executor, datasetId: string): Promise<number> {
    const { rows } = await sql<{
      n: number;
    }>`select coalesce(max(version), 0)::int + 1 as n from dataset_versions where dataset_id = ${datasetId}`.execute(db);
    return rows[0]!.n;
  }

  /** Inserts a published version, supersedes the previous one and moves the dataset's pointer (caller's transaction). */
  async publish(
    db: Executor,
    v: {
      datasetId: string;
      version: number;
      objectKey: string;
      sha256: string;
      bytes: number;
      rows: number;
      schema: unknown;
      source: unknown;
      ingestId: string | null;
      quality: unknown;
      qualityScore: number | null;
      pii: unknown;
      badRowCount: number;
      userId: string | null;
    },
  ): Promise<void> {
    await sql`update dataset_versions set state = 'superseded' where dataset_id = ${v.datasetId} and state = 'published'`.execute(db);
    await sql`
      insert into dataset_versions (dataset_id, version, state, object_key, sha256, bytes, row_count, schema, source, ingest_id, quality,
        quality_score, pii, bad_row_count, created_by)
      values (${v.datasetId}, ${v.version}, 'published', ${v.objectKey}, ${v.sha256}, ${v.bytes}, ${v.rows}, ${json(v.schema)}::jsonb,
        ${json(v.source)}::jsonb, ${v.ingestId}, ${json(v.quality)}::jsonb, ${v.qualityScore}, ${json(v.pii)}::jsonb, ${v.badRowCount}, ${v.userId})`.execute(
      db,
    );
    await sql`update datasets set current_version = ${v.version}, schema = ${json(v.schema)}::jsonb, updated_at = now() where id = ${v.datasetId}`.execute(
      db,
    );
  }

  /** Versions past the newest `keep` that still have their file (never the current one). */
  async retentionCandidates(db: Executor, datasetId: string, keep: number): Promise<VersionRow[]> {
    return (
      await sql<VersionRow>`
        select ${VERSION_COLS} from dataset_versions v
        where v.dataset_id = ${datasetId} and v.state = 'superseded'
          and v.version <= (select max(version) from dataset_versions where dataset_id = ${datasetId}) - ${keep}
        order by v.version`.execute(db)
    ).rows;
  }

  async expire(db: Executor, versionId: string): Promise<void> {
    await sql`update dataset_versions set state = 'expired' where id = ${versionId}`.execute(db);
  }

  /** True when a version that is not expired still uses this object (rollbacks share files). */
  async objectInUse(db: Executor, objectKey: string): Promise<boolean> {
    const { rows } = await sql`select 1 from dataset_versions where object_key = ${objectKey} and state <> 'expired' limit 1`.execute(db);
    return rows.length > 0;
  }

  /** Quality score per version (the trend chart). */
  async qualityTrend(db: Executor, datasetId: string) {
    return (
      await sql<{ version: number; quality_score: string | null; quality: unknown; created_at: Date }>`
        select version, quality_score::text as quality_score, quality, created_at from dataset_versions
        where dataset_id = ${datasetId} order by version`.execute(db)
    ).rows;
  }

  // ------------------------------------------------------------------------------------------ ingests

  async createIngest(db: Executor, i: { datasetId: string; source: unknown; options: unknown; userId: string | null }): Promise<IngestRow> {
    const { rows } = await sql<{ id: string }>`
      insert into dataset_ingests (dataset_id, status, source, options, progress, created_by)
      values (${i.datasetId}, 'queued', ${json(i.source)}::jsonb, ${json(i.options ?? {})}::jsonb, '{"phase":"queued"}'::jsonb, ${i.userId})
      returning id`.execute(db);
    return (await this.ingest(db, rows[0]!.id))!;
  }

  async ingest(db: Executor, id: string, forUpdate = false): Promise<IngestRow | undefined> {
    const lock = forUpdate ? sql`for update of i` : sql``;
    return (await sql<IngestRow>`select ${INGEST_COLS} from dataset_ingests i where i.id = ${id} ${lock}`.execute(db)).rows[0];
  }

  async ingests(db: Executor, datasetId: string, limit = 50): Promise<IngestRow[]> {
    return (
      await sql<IngestRow>`select ${INGEST_COLS} from dataset_ingests i where i.dataset_id = ${datasetId} order by i.created_at desc limit ${limit}`.execute(
        db,
      )
    ).rows;
  }

  /** Sets the given columns of an ingest (JSON values serialized), touching updated_at and the heartbeat. */
  async updateIngest(
    db: Executor,
    id: string,
    patch: Partial<{
      status: IngestStatus;
      progress: unknown;
      staging_path: string | null;
      proposed_schema: unknown;
      schema_diff: unknown;
      confirmed_schema: unknown;
      pii: unknown;
      quality: unknown;
      bad_rows: unknown;
      bad_row_count: number;
      error: unknown;
      version: number | null;
      finished: boolean;
    }>,
  ): Promise<void> {
    const sets = [sql`updated_at = now()`, sql`heartbeat_at = now()`];
    const jsonCols = ['progress', 'proposed_schema', 'schema_diff', 'confirmed_schema', 'pii', 'quality', 'bad_rows', 'error'] as const;
    for (const c of jsonCols) if (patch[c] !== undefined) sets.push(sql`${sql.ref(c)} = ${json(patch[c])}::jsonb`);
    if (patch.status !== undefined) sets.push(sql`status = ${patch.status}`);
    if (patch.staging_path !== undefined) sets.push(sql`staging_path = ${patch.staging_path}`);
    if (patch.bad_row_count !== undefined) sets.push(sql`bad_row_count = ${patch.bad_row_count}`);
    if (patch.version !== undefined) sets.push(sql`version = ${patch.version}`);
    if (patch.finished) sets.push(sql`finished_at = now()`);
    await sql`update dataset_ingests set ${sql.join(sets)} where id = ${id}`.execute(db);
  }

  async touch(db: Executor, id: string): Promise<void> {
    await sql`update dataset_ingests set heartbeat_at = now() where id = ${id} and status = any(${RUNNING}::text[])`.execute(db);
  }

  /** Ingests a dead process left running (heartbeat older than `staleSeconds`). */
  async staleIngests(db: Executor, staleSeconds: number): Promise<IngestRow[]> {
    return (
      await sql<IngestRow>`select ${INGEST_COLS} from dataset_ingests i
        where i.status = any(${RUNNING}::text[]) and coalesce(i.heartbeat_at, i.updated_at) < now() - make_interval(secs => ${staleSeconds})`.execute(
        db,
      )
    ).rows;
  }
}
