// SQL of the source-database module: connections (password sealed) and ingest specs
// (migrations/0010_sources.sql). Raw `sql` templates, every value bound.
import { sql } from 'kysely';
import type { Executor } from '../../db/database.ts';

// The module's tables are read and written with the raw SQL below; it adds no Kysely table types.
export interface SourcesTables {}

export type SourceKind = 'postgresql' | 'mysql';
export type SpecMode = 'full' | 'incremental';
export type RunStatus = 'queued' | 'running' | 'succeeded' | 'failed';

export interface ConnectionRow {
  id: string;
  org_id: string;
  name: string;
  kind: SourceKind;
  host: string;
  port: number;
  database: string;
  username: string;
  password_sealed: string;
  options: { ssl?: boolean };
  created_by: string | null;
  created_at: Date;
  updated_by: string | null;
  updated_at: Date;
}

export interface SpecRow {
  id: string;
  connection_id: string;
  dataset_id: string;
  name: string;
  query: string;
  mode: SpecMode;
  incremental_column: string | null;
  last_value: string | null;
  last_value_type: string | null;
  schedule: string | null;
  next_run_at: Date | null;
  last_run_at: Date | null;
  last_run_status: RunStatus | null;
  last_run_error: unknown;
  last_run_job_id: string | null;
  created_by: string | null;
  created_at: Date;
  updated_by: string | null;
  updated_at: Date;
}

/** A spec with the org of its connection (authorization is on the connection's organization). */
export interface SpecWithOrg extends SpecRow {
  org_id: string;
  connection_kind: SourceKind;
  connection_name: string;
}

export interface ConnectionInsert {
  id: string;
  org_id: string;
  name: string;
  kind: SourceKind;
  host: string;
  port: number;
  database: string;
  username: string;
  password_sealed: string;
  options: { ssl?: boolean };
  created_by: string | null;
}

export type ConnectionPatch = Partial<
  Pick<ConnectionRow, 'name' | 'kind' | 'host' | 'port' | 'database' | 'username' | 'password_sealed' | 'options'>
>;

export interface SpecInsert {
  connection_id: string;
  dataset_id: string;
  name: string;
  query: string;
  mode: SpecMode;
  incremental_column: string | null;
  last_value: string | null;
  schedule: string | null;
  next_run_at: Date | null;
  created_by: string | null;
}

export type SpecPatch = Partial<
  Pick<
    SpecRow,
    | 'dataset_id'
    | 'name'
    | 'query'
    | 'mode'
    | 'incremental_column'
    | 'last_value'
    | 'last_value_type'
    | 'schedule'
    | 'next_run_at'
    | 'last_run_at'
    | 'last_run_status'
    | 'last_run_error'
    | 'last_run_job_id'
  >
>;

const CONNECTION_COLUMNS: Array<keyof ConnectionPatch> = [
  'name',
  'kind',
  'host',
  'port',
  'database',
  'username',
  'password_sealed',
  'options',
];
const SPEC_COLUMNS: Array<keyof SpecPatch> = [
  'dataset_id',
  'name',
  'query',
  'mode',
  'incremental_column',
  'last_value',
  'last_value_type',
  'schedule',
  'next_run_at',
  'last_run_at',
  'last_run_status',
  'last_run_error',
  'last_run_job_id',
];
const JSON_COLUMNS = new Set(['options', 'last_run_error']);

/** `col = $n, …` for the keys present in `patch` (column names come from the fixed lists above). */
function setList(patch: Record<string, unknown>, allowed: readonly string[]) {
  const parts = allowed
    .filter((k) => patch[k] !== undefined)
    .map((k) => {
      const v = patch[k];
      return JSON_COLUMNS.has(k) ? sql`${sql.ref(k)} = ${v === null ? null : JSON.stringify(v)}::jsonb` : sql`${sql.ref(k)} = ${v}`;
    });
  return parts;
}

export class SourcesRepository {
  // ------------------------------------------------------------------------------------------ connections
  async insertConnection(db: Executor, c: ConnectionInsert): Promise<ConnectionRow> {
    const r = await sql<ConnectionRow>`
      insert into source_connections (id, org_id, name, kind, host, port, database, username, password_sealed, options, created_by, updated_by)
      values (${c.id}, ${c.org_id}, ${c.name}, ${c.kind}, ${c.host}, ${c.port}, ${c.database}, ${c.username}, ${c.password_sealed},
              ${JSON.stringify(c.options)}::jsonb, ${c.created_by}, ${c.created_by})
      returning *`.execute(db);
    return r.rows[0]!;
  }

  async getConnection(db: Executor, id: string, forUpdate = false): Promise<ConnectionRow | undefined> {
    const r = await sql<ConnectionRow>`
      select * from source_connections where id = ${id} ${forUpdate ? sql`for update` : sql``}`.execute(db);
    return r.rows[0];
  }

  /** Connections of these organizations (null: all), by organization then name. */
  async listConnections(db: Executor, orgIds: string[] | null): Promise<ConnectionRow[]> {
    const r = await sql<ConnectionRow>`
      select * from source_connections
      where ${orgIds === null ? sql`true` : sql`org_id = any(${orgIds}::uuid[])`}
      order by org_id, lower(name), id`.execute(db);
    return r.rows;
  }

  async updateConnection(db: Executor, id: string, patch: ConnectionPatch, userId: string | null): Promise<ConnectionRow> {
    const sets = setList(patch, CONNECTION_COLUMNS);
    const r = await sql<ConnectionRow>`
      update source_connections set ${sql.join([...sets, sql`updated_by = ${userId}`, sql`updated_at = now()`])}
      where id = ${id} returning *`.execute(db);
    return r.rows[0]!;
  }

  async deleteConnection(db: Executor, id: string): Promise<void> {
    await sql`delete from source_connections where id = ${id}`.execute(db);
  }

  async countSpecs(db: Executor, connectionId: string): Promise<number> {
    const r = await sql<{ n: number }>`select count(*)::int as n from source_ingest_specs where connection_id = ${connectionId}`.execute(
      db,
    );
    return r.rows[0]?.n ?? 0;
  }

  // ------------------------------------------------------------------------------------------ specs
  async insertSpec(db: Executor, s: SpecInsert): Promise<SpecRow> {
    const r = await sql<SpecRow>`
      insert into source_ingest_specs (connection_id, dataset_id, name, query, mode, incremental_column, last_value, schedule, next_run_at,
                                       created_by, updated_by)
      values (${s.connection_id}, ${s.dataset_id}, ${s.name}, ${s.query}, ${s.mode}, ${s.incremental_column}, ${s.last_value}, ${s.schedule},
              ${s.next_run_at}, ${s.created_by}, ${s.created_by})
      returning *`.execute(db);
    return r.rows[0]!;
  }

  async getSpec(db: Executor, id: string, forUpdate = false): Promise<SpecWithOrg | undefined> {
    const r = await sql<SpecWithOrg>`
      select s.*, c.org_id, c.kind as connection_kind, c.name as connection_name
      from source_ingest_specs s join source_connections c on c.id = s.connection_id
      where s.id = ${id} ${forUpdate ? sql`for update of s` : sql``}`.execute(db);
    return r.rows[0];
  }

  /** Specs of connections of these organizations (null: all), optionally of one connection or dataset. */
  async listSpecs(db: Executor, filter: { orgIds: string[] | null; connectionId?: string; datasetId?: string }): Promise<SpecWithOrg[]> {
    const conds = [sql`true`];
    if (filter.orgIds !== null) conds.push(sql`c.org_id = any(${filter.orgIds}::uuid[])`);
    if (filter.connectionId) conds.push(sql`s.connection_id = ${filter.connectionId}`);
    if (filter.datasetId) conds.push(sql`s.dataset_id = ${filter.datasetId}`);
    const r = await sql<SpecWithOrg>`
      select s.*, c.org_id, c.kind as connection_kind, c.name as connection_name
      from source_ingest_specs s join source_connections c on c.id = s.connection_id
      where ${sql.join(conds, sql` and `)}
      order by s.created_at, s.id`.execute(db);
    return r.rows;
  }

  async updateSpec(db: Executor, id: string, patch: SpecPatch, userId?: string | null): Promise<SpecRow> {
    const sets = setList(patch, SPEC_COLUMNS);
    const extra = userId === undefined ? [] : [sql`updated_by = ${userId}`, sql`updated_at = now()`];
    const r = await sql<SpecRow>`
      update source_ingest_specs set ${sql.join([...sets, ...extra])}
      where id = ${id} returning *`.execute(db);
    return r.rows[0]!;
  }

  async deleteSpec(db: Executor, id: string): Promise<void> {
    await sql`delete from source_ingest_specs where id = ${id}`.execute(db);
  }
}
