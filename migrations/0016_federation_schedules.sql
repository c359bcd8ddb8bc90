-- Back-flow, receiving side (数据回流, issue 6 §7 and §8; docs/federation.md): a pull schedule per link (a cron
-- expression in China time, paused or not; each occurrence is one durable pg-boss job), what the last attempts
-- did (consecutive failures, the last error, the last success), a pull that found the issuer's data unchanged
-- ('unchanged': no new local version), and the history of every pull. The application role gets its privileges
-- from shuyuan_apply_grants() after the migrations (migrate.ts), as for 0014_federation.sql.

alter table federation_links
  -- Five-field cron expression, Asia/Shanghai (null: on demand only); checked by the service (cron-parser).
  add column schedule text check (schedule is null or length(schedule) between 9 and 100),
  add column schedule_paused boolean not null default false,
  -- The occurrence the pending schedule job stands for (null: none booked — no schedule, paused, grant ended).
  add column next_pull_at timestamptz,
  add column consecutive_failures integer not null default 0 check (consecutive_failures >= 0),
  add column last_success_at timestamptz,
  -- The last failure: {reason, status?, remoteCode?, message?, at}; cleared by the next successful pull.
  add column last_error jsonb;

-- last_pull_at is the last attempt; its status may now also be 'unchanged' (same file as the last pull).
alter table federation_links drop constraint if exists federation_links_last_pull_status_check;
alter table federation_links
  add constraint federation_links_last_pull_status_check check (last_pull_status in ('ok', 'unchanged', 'failed'));

create index federation_links_schedule_idx on federation_links (next_pull_at) where next_pull_at is not null;

create table federation_pulls (
  id uuid primary key default gen_random_uuid(),
  link_id uuid not null references federation_links (id) on delete cascade,
  trigger text not null check (trigger in ('manual', 'schedule')),
  -- queued (a job waits), running, then ok (new local version), unchanged, failed; skipped: a scheduled
  -- occurrence came while another pull of the link was still queued or running.
  status text not null check (status in ('queued', 'running', 'ok', 'unchanged', 'failed', 'skipped')),
  -- While running: extract (the issuer builds the file), download, ingest.
  phase text check (phase in ('extract', 'download', 'ingest')),
  -- The pg-boss job that runs it (null: a synchronous pull through the API).
  job_id uuid,
  requested_by uuid references users (id) on delete set null,
  extract_id uuid,
  remote_version integer,
  rows bigint,
  bytes bigint,
  sha256 text check (sha256 is null or sha256 ~ '^[0-9a-f]{64}$'),
  -- The local version it published (ok), or the current one it left in place (unchanged).
  local_version integer,
  -- {reason, status?, remoteCode?, message?} of a failed pull.
  error jsonb,
  created_at timestamptz not null default now(),
  started_at timestamptz,
  finished_at timestamptz,
  -- Refreshed while running; a running pull whose heartbeat stopped (process gone) is closed as interrupted.
  heartbeat_at timestamptz
);
comment on table federation_pulls is 'Pulls of back-flow links (receiving side): trigger, outcome, what was fetched and published.';
create index federation_pulls_link_idx on federation_pulls (link_id, created_at desc);
-- At most one pull of a link queued or running at a time (skip-if-running, across processes).
create unique index federation_pulls_active_key on federation_pulls (link_id) where status in ('queued', 'running');
