// The harvest module's SQL (migrations/0021_harvest.sql). Parameterized `sql` templates only.
import { sql } from 'kysely';
import type { Executor } from '../../db/database.ts';

export interface SourceRow {
  id: string;
  name: string;
  kind: 'ckan' | 'dcat';
  url: string;
  owner_org_id: string;
  subject_category: string;
  domain_category: string;
  schedule: string | null;
  next_run_at: Date | null;
  state: 'active' | 'disabled';
  created_by: string | null;
  created_at: Date;
  updated_at: Date;
}

export interface SourceListRow extends SourceRow {
  owner_code: string;
  owner_name_zh: string;
  owner_name_en: string;
  datasets: number;
  withdrawn: number;
}

export type RunStatus = 'queued' | 'running' | 'ok' | 'failed' | 'skipped';
export interface RunError {
  reason: string;
  message?: string;
  status?: number;
  url?: string;
  page?: number;
  item?: string;
}
export interface RunRow {
  id: string;
  source_id: string;
  trigger: 'manual' | 'schedule';
  status: RunStatus;
  job_id: string | null;
  requested_by: string | null;
  pages: number;
  seen: number;
  created: number;
  updated: number;
  unchanged: number;
  withdrawn: number;
  error: RunError | null;
  heartbeat_at: Date | null;
  created_at: Date;
  started_at: Date | null;
  finished_at: Date | null;
}

export interface RecordRow {
  source_id: string;
  remote_id: string;
  resource_id: string;
  remote_url: string | null;
  remote_modified: string | null;
  content_hash: string;
  distributions: Array<{ url: string; format: string; title: string }>;
  state: 'active' | 'withdrawn';
  created_at: Date;
  updated_at: Date;
}

export interface OriginRow extends RecordRow {
  source_name: string;
  source_kind: 'ckan' | 'dcat';
  source_url: string;
}

/** A running harvest whose heartbeat is older than this is taken for one whose process died. */
const STALE_HEARTBEAT = '5 minutes';

const SOURCE_LIST = sql`
  select s.*, o.code as owner_code, o.name_zh as owner_name_zh, o.name_en as owner_name_en,
    (select count(*) from harvest_records r where r.source_id = s.id and r.state = 'active')::int as datasets,
    (select count(*) from harvest_records r where r.source_id = s.id and r.state = 'withdrawn')::int as withdrawn
  from harvest_sources s join organizations o on o.id = s.owner_org_id`;

export class HarvestRepository {
  async insertSource(
    db: Executor,
    s: Pick<SourceRow, 'name' | 'kind' | 'url' | 'owner_org_id' | 'subject_category' | 'domain_category' | 'schedule' | 'created_by'>,
  ): Promise<SourceRow> {
    const r = await sql<SourceRow>`
      insert into harvest_sources (name, kind, url, owner_org_id, subject_category, domain_category, schedule, created_by)
      values (${s.name}, ${s.kind}, ${s.url}, ${s.owner_org_id}, ${s.subject_category}, ${s.domain_category}, ${s.schedule}, ${s.created_by})
      returning *`.execute(db);
    return r.rows[0]!;
  }

  async source(db: Executor, id: string, forUpdate = false): Promise<SourceRow | undefined> {
    const r = forUpdate
      ? await sql<SourceRow>`select * from harvest_sources where id = ${id} for update`.execute(db)
      : await sql<SourceRow>`select * from harvest_sources where id = ${id}`.execute(db);
    return r.rows[0];
  }

  async listSources(db: Executor): Promise<SourceListRow[]> {
    return (await sql<SourceListRow>`${SOURCE_LIST} order by s.created_at desc`.execute(db)).rows;
  }

  async sourceView(db: Executor, id: string): Promise<SourceListRow | undefined> {
    return (await sql<SourceListRow>`${SOURCE_LIST} where s.id = ${id}`.execute(db)).rows[0];
  }

  async updateSource(
    db: Executor,
    id: string,
    p: { name: string; schedule: string | null; state: 'active' | 'disabled'; next_run_at: Date | null },
  ): Promise<void> {
    await sql`update harvest_sources set name = ${p.name}, schedule = ${p.schedule}, state = ${p.state},
      next_run_at = ${p.next_run_at}, updated_at = now() where id = ${id}`.execute(db);
  }

  async setNextRun(db: Executor, id: string, next: Date | null): Promise<void> {
    await sql`update harvest_sources set next_run_at = ${next} where id = ${id}`.execute(db);
  }

  // ------------------------------------------------------------------------------------------ runs

  async activeRun(db: Executor, sourceId: string): Promise<(RunRow & { silent: boolean }) | undefined> {
    const r = await sql<RunRow & { silent: boolean }>`
      select *, (status = 'running' and coalesce(heartbeat_at, started_at) < now() - ${STALE_HEARTBEAT}::interval) as silent
      from harvest_runs where source_id = ${sourceId} and status in ('queued', 'running')`.execute(db);
    return r.rows[0];
  }

  async closeInterrupted(db: Executor, id: string): Promise<void> {
    await sql`update harvest_runs set status = 'failed', finished_at = now(),
      error = ${JSON.stringify({ reason: 'interrupted' })}::jsonb where id = ${id}`.execute(db);
  }

  async claimRun(
    db: Executor,
    r: { sourceId: string; trigger: 'manual' | 'schedule'; status: 'queued' | 'running'; requestedBy: string | null },
  ): Promise<RunRow | undefined> {
    const res = await sql<RunRow>`
      insert into harvest_runs (source_id, trigger, status, requested_by, started_at, heartbeat_at)
      values (${r.sourceId}, ${r.trigger}, ${r.status}, ${r.requestedBy},
        ${r.status === 'running' ? sql`now()` : sql`null`}, ${r.status === 'running' ? sql`now()` : sql`null`})
      on conflict do nothing returning *`.execute(db);
    return res.rows[0];
  }

  async insertSkipped(db: Executor, sourceId: string): Promise<void> {
    await sql`insert into harvest_runs (source_id, trigger, status, finished_at) values (${sourceId}, 'schedule', 'skipped', now())`.execute(
      db,
    );
  }

  async setRunJob(db: Executor, id: string, jobId: string): Promise<void> {
    await sql`update harvest_runs set job_id = ${jobId} where id = ${id}`.execute(db);
  }

  /** queued → running; undefined when the run is not queued (already taken, or closed). */
  async startRun(db: Executor, id: string): Promise<RunRow | undefined> {
    const r = await sql<RunRow>`update harvest_runs set status = 'running', started_at = now(), heartbeat_at = now()
      where id = ${id} and status = 'queued' returning *`.execute(db);
    return r.rows[0];
  }

  async runProgress(db: Executor, id: string, p: { pages?: number; seen?: number }): Promise<void> {
    await sql`update harvest_runs set heartbeat_at = now(), pages = coalesce(${p.pages ?? null}, pages),
      seen = coalesce(${p.seen ?? null}, seen) where id = ${id}`.execute(db);
  }

  async finishRun(
    db: Executor,
    id: string,
    p: { status: 'ok' | 'failed'; created: number; updated: number; unchanged: number; withdrawn: number; error: RunError | null },
  ): Promise<RunRow> {
    const r = await sql<RunRow>`update harvest_runs set status = ${p.status}, created = ${p.created}, updated = ${p.updated},
      unchanged = ${p.unchanged}, withdrawn = ${p.withdrawn}, error = ${p.error ? JSON.stringify(p.error) : null}::jsonb,
      finished_at = now() where id = ${id} returning *`.execute(db);
    return r.rows[0]!;
  }

  async run(db: Executor, id: string): Promise<RunRow | undefined> {
    return (await sql<RunRow>`select * from harvest_runs where id = ${id}`.execute(db)).rows[0];
  }

  async runs(db: Executor, sourceId: string, limit: number): Promise<RunRow[]> {
    return (await sql<RunRow>`select * from harvest_runs where source_id = ${sourceId} order by created_at desc limit ${limit}`.execute(db))
      .rows;
  }

  // ------------------------------------------------------------------------------------------ records

  async records(db: Executor, sourceId: string): Promise<RecordRow[]> {
    return (await sql<RecordRow>`select * from harvest_records where source_id = ${sourceId}`.execute(db)).rows;
  }

  async upsertRecord(
    db: Executor,
    r: Pick<RecordRow, 'source_id' | 'remote_id' | 'resource_id' | 'remote_url' | 'remote_modified' | 'content_hash' | 'distributions'>,
    runId: string,
  ): Promise<void> {
    await sql`insert into harvest_records (source_id, remote_id, resource_id, remote_url, remote_modified, content_hash,
        distributions, state, first_run_id, last_run_id)
      values (${r.source_id}, ${r.remote_id}, ${r.resource_id}, ${r.remote_url}, ${r.remote_modified}, ${r.content_hash},
        ${JSON.stringify(r.distributions)}::jsonb, 'active', ${runId}, ${runId})
      on conflict (source_id, remote_id) do update set resource_id = excluded.resource_id, remote_url = excluded.remote_url,
        remote_modified = excluded.remote_modified, content_hash = excluded.content_hash, distributions = excluded.distributions,
        state = 'active', last_run_id = excluded.last_run_id, updated_at = now()`.execute(db);
  }

  async touchRecords(db: Executor, sourceId: string, remoteIds: string[], runId: string): Promise<void> {
    if (!remoteIds.length) return;
    await sql`update harvest_records set last_run_id = ${runId}
      where source_id = ${sourceId} and remote_id = any(${remoteIds}::text[])`.execute(db);
  }

  async markWithdrawn(db: Executor, sourceId: string, remoteId: string, runId: string): Promise<void> {
    await sql`update harvest_records set state = 'withdrawn', last_run_id = ${runId}, updated_at = now()
      where source_id = ${sourceId} and remote_id = ${remoteId}`.execute(db);
  }

  async origin(db: Executor, resourceId: string): Promise<OriginRow | undefined> {
    return (
      await sql<OriginRow>`select r.*, s.name as source_name, s.kind as source_kind, s.url as source_url
        from harvest_records r join harvest_sources s on s.id = r.source_id where r.resource_id = ${resourceId}`.execute(db)
    ).rows[0];
  }
}
