-- Data plane (issue 5, docs/dataplane.md): datasets attached to catalog resources, their immutable versions
-- (Parquet files in the object store, addressed by SHA-256) and the ingests that make them. Contents never live
-- here; only what describes them. The module is src/modules/datasets.

create table datasets (
  id uuid primary key default gen_random_uuid(),
  -- A resource has at most one dataset.
  resource_id uuid not null unique references catalog_resources (id) on delete restrict,
  -- The provider organization (the resource's, copied at creation; authorization is checked on it).
  org_id uuid not null references organizations (id),
  -- The version readers get; null until the first publication. Moves only in the publishing transaction.
  current_version integer,
  -- The schema the provider confirmed last (Frictionless Table Schema with x-shuyuan hints); a new ingest whose
  -- inferred schema differs waits for confirmation.
  schema jsonb,
  -- Quality rules (src/modules/datasets/quality.ts QualityRule[]); null: the defaults derived from the schema.
  quality_rules jsonb,
  -- Keep the files of this many most recent versions (null: keep all). Older versions stay listed, marked expired.
  retention_keep integer check (retention_keep is null or retention_keep >= 1),
  created_by uuid references users (id) on delete set null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
comment on table datasets is 'A catalog resource''s data: versions of immutable Parquet files (docs/dataplane.md).';

create table dataset_versions (
  id uuid primary key default gen_random_uuid(),
  dataset_id uuid not null references datasets (id) on delete restrict,
  version integer not null check (version >= 1),
  -- published: the current one; superseded: an older one whose file is kept; expired: file deleted by retention.
  state text not null check (state in ('published', 'superseded', 'expired')),
  object_key text not null,
  sha256 text not null check (sha256 ~ '^[0-9a-f]{64}$'),
  bytes bigint not null check (bytes >= 0),
  row_count bigint not null check (row_count >= 0),
  schema jsonb not null,
  -- Where the rows came from: {kind:'upload', fileName, size, format, encoding…} | {kind:'database', …} | {kind:'rollback', fromVersion}
  source jsonb not null,
  ingest_id uuid,
  quality jsonb,
  quality_score numeric(5, 2),
  pii jsonb,
  bad_row_count integer not null default 0,
  created_by uuid references users (id) on delete set null,
  created_at timestamptz not null default now(),
  unique (dataset_id, version)
);
create index dataset_versions_dataset_idx on dataset_versions (dataset_id, version desc);

alter table datasets add constraint datasets_current_version_fk
  foreign key (id, current_version) references dataset_versions (dataset_id, version) deferrable initially deferred;

create table dataset_ingests (
  id uuid primary key default gen_random_uuid(),
  dataset_id uuid not null references datasets (id) on delete restrict,
  -- queued → staging → (awaiting_schema →) building → checking → published | failed | cancelled
  status text not null check (status in ('queued', 'staging', 'awaiting_schema', 'building', 'checking', 'published', 'failed', 'cancelled')),
  source jsonb not null,
  options jsonb not null default '{}',
  -- {phase, rowsRead, rowsWritten, errors}
  progress jsonb not null default '{}',
  -- The staging file (a scratch path under the data directory) while the ingest runs.
  staging_path text,
  proposed_schema jsonb,
  schema_diff jsonb,
  confirmed_schema jsonb,
  pii jsonb,
  quality jsonb,
  bad_rows jsonb,
  bad_row_count integer not null default 0,
  error jsonb,
  version integer,
  -- Updated while a worker holds the ingest: a stale heartbeat means the process died (cleaned up at start).
  heartbeat_at timestamptz,
  created_by uuid references users (id) on delete set null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  finished_at timestamptz
);
create index dataset_ingests_dataset_idx on dataset_ingests (dataset_id, created_at desc);
create index dataset_ingests_active_idx on dataset_ingests (status) where status in ('queued', 'staging', 'building', 'checking');
