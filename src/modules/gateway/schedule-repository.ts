// SQL of scheduled bulk delivery (migrations/0015_extract_schedules.sql). Parameterized `sql` templates only.
import { sql } from 'kysely';
import type { Executor } from '../../db/database.ts';

export type ScheduleState = 'active' | 'paused' | 'failing';
export type RunState = 'queued' | 'running' | 'done' | 'no_change' | 'failed' | 'skipped';
export type StoredError = { code: string; params?: Record<string, unknown>; at?: string };

export interface ScheduleRow {
  id: string;
  org_id: string;
  application_id: string;
  api_key_id: string;
  resource_id: string;
  name: string;
  cron: string;
  mode: 'full' | 'incremental';
  format: 'csv' | 'parquet';
  business_ref: string | null;
  state: ScheduleState;
  next_run_at: Date | null;
  last_version: number | null;
  last_run_at: Date | null;
  last_run_state: RunState | null;
  last_error: StoredError | null;
  entitlement_id: string | null;
  created_by: string | null;
  created_at: Date;
  updated_at: Date;
}

export interface RunRow {
  id: string;
  schedule_id: string;
  trigger: 'schedule' | 'manual';
  state: RunState;
  due_at: Date | null;
  requested_by: string | null;
  mode: 'full' | 'incremental' | null;
  since_version: number | null;
  extract_id: string | null;
  message_id: string | null;
  version: number | null;
  row_count: number | null;
  file_bytes: number | null;
  sha256: string | null;
  error: StoredError | null;
  created_at: Date;
  started_at: Date | null;
  finished_at: Date | null;
}

export type NewSchedule = Pick<
  ScheduleRow,
  | 'org_id'
  | 'application_id'
  | 'api_key_id'
  | 'resource_id'
  | 'name'
  | 'cron'
  | 'mode'
  | 'format'
  | 'business_ref'
  | 'next_run_at'
  | 'entitlement_id'
  | 'created_by'
>;

export type RunOutcome = Partial<
  Pick<RunRow, 'mode' | 'since_version' | 'extract_id' | 'message_id' | 'version' | 'row_count' | 'file_bytes' | 'sha256' | 'error'>
>;

export class ScheduleRepository {
  async insert(db: Executor, s: NewSchedule): Promise<ScheduleRow> {
    const { rows } = await sql<ScheduleRow>`
      insert into gateway_extract_schedules (org_id, application_id, api_key_id, resource_id, name, cron, mode, format, business_ref,
        next_run_at, entitlement_id, created_by)
      values (${s.org_id}, ${s.application_id}, ${s.api_key_id}, ${s.resource_id}, ${s.name}, ${s.cron}, ${s.mode}, ${s.format},
        ${s.business_ref}, ${s.next_run_at}, ${s.entitlement_id}, ${s.created_by})
      returning *`.execute(db);
    return rows[0]!;
  }

  async get(db: Executor, id: string, forUpdate = false): Promise<ScheduleRow | undefined> {
    const { rows } = await sql<ScheduleRow>`
      select * from gateway_extract_schedules where id = ${id} ${forUpdate ? sql`for update` : sql``}`.execute(db);
    return rows[0];
  }

  /** Schedules of these organizations (null: all), optionally of one application or resource, newest first. */
  async list(db: Executor, f: { orgIds: string[] | null; applicationId?: string | null; resourceId?: string | null }) {
    const { rows } = await sql<ScheduleRow>`
      select * from gateway_extract_schedules
      where (${f.orgIds}::uuid[] is null or org_id = any(${f.orgIds}::uuid[]))
        and (${f.applicationId ?? null}::uuid is null or application_id = ${f.applicationId ?? null}::uuid)
        and (${f.resourceId ?? null}::uuid is null or resource_id = ${f.resourceId ?? null}::uuid)
      order by created_at desc limit 500`.execute(db);
    return rows;
  }

  async update(
    db: Executor,
    id: string,
    p: Partial<Pick<ScheduleRow, 'state' | 'next_run_at' | 'last_version' | 'last_run_at' | 'last_run_state' | 'last_error'>>,
  ): Promise<void> {
    const has = (k: keyof typeof p) => k in p;
    await sql`
      update gateway_extract_schedules set
        state = ${has('state') ? sql`${p.state}` : sql`state`},
        next_run_at = ${has('next_run_at') ? sql`${p.next_run_at}::timestamptz` : sql`next_run_at`},
        last_version = ${has('last_version') ? sql`${p.last_version}::int` : sql`last_version`},
        last_run_at = ${has('last_run_at') ? sql`${p.last_run_at}::timestamptz` : sql`last_run_at`},
        last_run_state = ${has('last_run_state') ? sql`${p.last_run_state}` : sql`last_run_state`},
        last_error = ${has('last_error') ? sql`${p.last_error ? JSON.stringify(p.last_error) : null}::jsonb` : sql`last_error`},
        updated_at = now()
      where id = ${id}`.execute(db);
  }

  async delete(db: Executor, id: string): Promise<void> {
    await sql`delete from gateway_extract_schedules where id = ${id}`.execute(db);
  }

  // ---------------------------------------------------------------- runs

  /** A queued run, unless one of the schedule is already queued or running (then undefined). */
  async insertQueuedRun(
    db: Executor,
    r: { scheduleId: string; trigger: 'schedule' | 'manual'; dueAt: Date | null; requestedBy: string | null },
  ): Promise<RunRow | undefined> {
    const { rows } = await sql<RunRow>`
      insert into gateway_extract_schedule_runs (schedule_id, trigger, state, due_at, requested_by)
      values (${r.scheduleId}, ${r.trigger}, 'queued', ${r.dueAt}, ${r.requestedBy})
      on conflict do nothing returning *`.execute(db);
    return rows[0] && fixRun(rows[0]);
  }

  async insertSkippedRun(
    db: Executor,
    r: { scheduleId: string; trigger: 'schedule' | 'manual'; dueAt: Date | null; error: StoredError },
  ): Promise<RunRow> {
    const { rows } = await sql<RunRow>`
      insert into gateway_extract_schedule_runs (schedule_id, trigger, state, due_at, error, started_at, finished_at)
      values (${r.scheduleId}, ${r.trigger}, 'skipped', ${r.dueAt}, ${JSON.stringify(r.error)}::jsonb, now(), now())
      returning *`.execute(db);
    return fixRun(rows[0]!);
  }

  /** queued → running, atomically (a second worker given the same run gets undefined). */
  async claimRun(db: Executor, id: string): Promise<RunRow | undefined> {
    const { rows } = await sql<RunRow>`
      update gateway_extract_schedule_runs set state = 'running', started_at = now()
      where id = ${id} and state = 'queued' returning *`.execute(db);
    return rows[0] && fixRun(rows[0]);
  }

  async finishRun(db: Executor, id: string, state: RunState, o: RunOutcome): Promise<void> {
    await sql`
      update gateway_extract_schedule_runs set state = ${state}, finished_at = now(),
        mode = coalesce(${o.mode ?? null}, mode), since_version = coalesce(${o.since_version ?? null}::int, since_version),
        extract_id = coalesce(${o.extract_id ?? null}::uuid, extract_id), message_id = coalesce(${o.message_id ?? null}::uuid, message_id),
        version = coalesce(${o.version ?? null}::int, version), row_count = coalesce(${o.row_count ?? null}::bigint, row_count),
        file_bytes = coalesce(${o.file_bytes ?? null}::bigint, file_bytes), sha256 = coalesce(${o.sha256 ?? null}, sha256),
        error = coalesce(${o.error ? JSON.stringify(o.error) : null}::jsonb, error)
      where id = ${id}`.execute(db);
  }

  /** Runs left running by a process that went away (older than the run job's expiry): failed as interrupted. */
  async closeInterrupted(db: Executor, scheduleId: string, olderThanSeconds: number): Promise<number> {
    const res = await sql`
      update gateway_extract_schedule_runs set state = 'failed', finished_at = now(),
        error = ${JSON.stringify({ code: 'EXTRACT_SCHEDULE_RUN_INTERRUPTED' })}::jsonb
      where schedule_id = ${scheduleId} and state = 'running'
        and started_at < now() - make_interval(secs => ${olderThanSeconds})`.execute(db);
    return Number(res.numAffectedRows ?? 0);
  }

  async run(db: Executor, id: string): Promise<RunRow | undefined> {
    const { rows } = await sql<RunRow>`select * from gateway_extract_schedule_runs where id = ${id}`.execute(db);
    return rows[0] && fixRun(rows[0]);
  }

  async runs(db: Executor, scheduleId: string, limit: number, offset: number): Promise<{ items: RunRow[]; total: number }> {
    const { rows } = await sql<RunRow & { total: string }>`
      select r.*, count(*) over () as total from gateway_extract_schedule_runs r where r.schedule_id = ${scheduleId}
      order by r.created_at desc, r.id limit ${limit} offset ${offset}`.execute(db);
    return { items: rows.map(fixRun), total: Number(rows[0]?.total ?? 0) };
  }
}

function fixRun(r: RunRow): RunRow {
  const { total: _t, ...rest } = r as RunRow & { total?: string };
  return {
    ...rest,
    row_count: rest.row_count === null ? null : Number(rest.row_count),
    file_bytes: rest.file_bytes === null ? null : Number(rest.file_bytes),
  };
}
