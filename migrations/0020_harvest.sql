-- Harvesting (issue 7 §8; docs/portal-harvest.md): the catalog of another portal imported on a schedule, from a
-- CKAN Action API (package_search paging) or a DCAT-AP feed (JSON-LD or Turtle, Hydra paging). Harvested
-- datasets are ordinary published catalog resources of the source's owner department; this module keeps which
-- upstream dataset each one came from, so a re-harvest updates instead of duplicating and a dataset gone upstream
-- is withdrawn here. The application role gets its privileges from shuyuan_apply_grants() after the migrations.

create table harvest_sources (
  id uuid primary key default gen_random_uuid(),
  name text not null check (length(name) between 1 and 100),
  kind text not null check (kind in ('ckan', 'dcat')),
  -- CKAN: the portal's base URL (…/api/3/action/package_search is appended); DCAT: the feed's URL.
  url text not null check (length(url) between 8 and 2000 and url ~ '^https?://'),
  -- The department whose catalog receives the datasets (the provider organization of every harvested resource).
  owner_org_id uuid not null references organizations (id) on delete restrict,
  -- Catalog values upstream metadata does not carry (the subject and domain category of the resources).
  subject_category text not null check (length(subject_category) between 1 and 10),
  domain_category text not null check (length(domain_category) between 1 and 10),
  -- Five-field cron expression, Asia/Shanghai (null: on demand only).
  schedule text check (schedule is null or length(schedule) between 9 and 100),
  -- The occurrence the pending schedule job stands for (null: none booked).
  next_run_at timestamptz,
  state text not null default 'active' check (state in ('active', 'disabled')),
  created_by uuid references users (id) on delete set null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create unique index harvest_sources_url_key on harvest_sources (owner_org_id, url);
comment on table harvest_sources is 'Other portals whose catalogs are harvested (issue 7 §8).';

create table harvest_runs (
  id uuid primary key default gen_random_uuid(),
  source_id uuid not null references harvest_sources (id) on delete cascade,
  trigger text not null check (trigger in ('manual', 'schedule')),
  -- queued (a job waits), running, then ok or failed; skipped: a scheduled occurrence came while another ran.
  status text not null check (status in ('queued', 'running', 'ok', 'failed', 'skipped')),
  job_id uuid,
  requested_by uuid references users (id) on delete set null,
  pages integer not null default 0,
  seen integer not null default 0,
  created integer not null default 0,
  updated integer not null default 0,
  unchanged integer not null default 0,
  withdrawn integer not null default 0,
  -- {reason, message?, status?, url?, page?, item?} when failed (nothing was changed).
  error jsonb,
  heartbeat_at timestamptz,
  created_at timestamptz not null default now(),
  started_at timestamptz,
  finished_at timestamptz
);
create index harvest_runs_source_idx on harvest_runs (source_id, created_at desc);
-- At most one queued or running harvest per source.
create unique index harvest_runs_active_key on harvest_runs (source_id) where status in ('queued', 'running');

create table harvest_records (
  source_id uuid not null references harvest_sources (id) on delete cascade,
  -- The upstream dataset's identity: the CKAN package id, the DCAT dataset IRI.
  remote_id text not null check (length(remote_id) between 1 and 2000),
  resource_id uuid not null unique references catalog_resources (id) on delete restrict,
  -- Where the dataset lives upstream (its landing page), shown on the harvested dataset.
  remote_url text check (length(remote_url) <= 2000),
  remote_modified text,
  -- SHA-256 of the normalized upstream metadata: an unchanged dataset makes no new catalog version.
  content_hash text not null,
  -- Upstream files and APIs: [{url, format, title}] (the data stays upstream; links only).
  distributions jsonb not null default '[]',
  state text not null default 'active' check (state in ('active', 'withdrawn')),
  first_run_id uuid references harvest_runs (id) on delete set null,
  last_run_id uuid references harvest_runs (id) on delete set null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  primary key (source_id, remote_id)
);
comment on table harvest_records is 'Which upstream dataset each harvested catalog resource came from (issue 7 §8).';
