-- Scheduled bulk delivery (定时交付, issue 6 §4c; docs/sharing.md "Scheduled delivery"): a consumer application's
-- standing order for extracts of one resource it holds a `bulk` grant on — a cron expression in China time, full
-- or incremental (since the version of the last successful extract), CSV or Parquet — and the history of its runs.
-- Each occurrence is one durable pg-boss job; each run reads through the same gate as an on-demand extract and
-- its file is an ordinary gateway_extracts row. The application role gets its privileges from
-- shuyuan_apply_grants() after the migrations (src/db/migrate.ts), as for 0013_gateway.sql.

create table gateway_extract_schedules (
  id uuid primary key default gen_random_uuid(),
  -- The owning organization (the application's): only it manages the schedule; the authority and auditor view it.
  org_id uuid not null references organizations (id),
  -- The application and the key the runs act as (a run resolves the key again: revoked or disabled → it fails).
  application_id uuid not null references applications (id),
  api_key_id uuid not null references api_keys (id),
  resource_id uuid not null,
  name text not null default '' check (length(name) <= 100),
  -- Five-field cron expression, Asia/Shanghai; checked by the service (cron-parser, minimum interval).
  cron text not null check (length(cron) between 9 and 100),
  mode text not null check (mode in ('full', 'incremental')),
  format text not null check (format in ('csv', 'parquet')),
  business_ref text check (business_ref is null or length(business_ref) between 1 and 200),
  -- active; paused (no occurrence booked); failing (the last run failed: it keeps firing, a success clears it).
  state text not null default 'active' check (state in ('active', 'paused', 'failing')),
  -- The occurrence the pending pg-boss job stands for (null while paused).
  next_run_at timestamptz,
  -- Version of the last successful extract: the base of the next incremental run (null: the next run is full).
  last_version integer,
  last_run_at timestamptz,
  last_run_state text check (last_run_state is null or last_run_state in ('queued', 'running', 'done', 'no_change', 'failed', 'skipped')),
  -- The last failure: {code, params, at}; cleared by the next successful run.
  last_error jsonb,
  -- The grant found when the schedule was made (informative: each run asks the PDP again).
  entitlement_id uuid,
  created_by uuid references users (id) on delete set null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  check ((state = 'paused') = (next_run_at is null))
);
comment on table gateway_extract_schedules is 'Scheduled bulk deliveries of the data gateway: resource, cron (China time), mode, format, acting key.';
create index gateway_extract_schedules_org_idx on gateway_extract_schedules (org_id, created_at desc);
create index gateway_extract_schedules_resource_idx on gateway_extract_schedules (resource_id);

create table gateway_extract_schedule_runs (
  id uuid primary key default gen_random_uuid(),
  schedule_id uuid not null references gateway_extract_schedules (id) on delete cascade,
  trigger text not null check (trigger in ('schedule', 'manual')),
  -- queued (a job waits), running, then done (a file), no_change (incremental, no new version: no file), failed;
  -- skipped: an occurrence came while another run of the schedule was queued or running, or the schedule was paused.
  state text not null check (state in ('queued', 'running', 'done', 'no_change', 'failed', 'skipped')),
  -- The occurrence a scheduled run stands for.
  due_at timestamptz,
  requested_by uuid references users (id) on delete set null,
  -- What the run asked for: full, or incremental since this version.
  mode text check (mode is null or mode in ('full', 'incremental')),
  since_version integer,
  extract_id uuid references gateway_extracts (id),
  -- The exchange-log row of the run's call through the gate (gateway_log.message_id).
  message_id uuid,
  version integer,
  row_count bigint,
  file_bytes bigint,
  sha256 text check (sha256 is null or sha256 ~ '^[0-9a-f]{64}$'),
  -- {code, params} of a failed or skipped run.
  error jsonb,
  created_at timestamptz not null default now(),
  started_at timestamptz,
  finished_at timestamptz
);
comment on table gateway_extract_schedule_runs is 'Runs of scheduled bulk deliveries: trigger, outcome, the extract produced.';
create index gateway_extract_schedule_runs_schedule_idx on gateway_extract_schedule_runs (schedule_id, created_at desc);
-- At most one run of a schedule queued or running at a time (skip-if-running, across processes).
create unique index gateway_extract_schedule_runs_active_key on gateway_extract_schedule_runs (schedule_id)
  where state in ('queued', 'running');
