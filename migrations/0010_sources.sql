-- Source databases (issue 5 §2): connections to a department's PostgreSQL or MySQL/MariaDB server, and ingest
-- specs that feed a dataset from a query, once or on a schedule, fully or incrementally. The module is
-- src/modules/sources (README.md there). Passwords are sealed (AES-256-GCM under the platform master key,
-- <dataDir>/keys/master.key, with the connection id as associated data): the table never holds them in clear.

create table source_connections (
  id uuid primary key,
  -- The department that owns the connection (authorization is checked on it).
  org_id uuid not null references organizations (id),
  name text not null check (length(name) between 1 and 100),
  kind text not null check (kind in ('postgresql', 'mysql')),
  host text not null check (length(host) between 1 and 253),
  port integer not null check (port between 1 and 65535),
  database text not null check (length(database) between 1 and 128),
  username text not null check (length(username) between 1 and 128),
  -- base64(iv ‖ tag ‖ ciphertext), SecretBox of src/modules/identity/apikeys.ts; aad = id.
  password_sealed text not null,
  -- {ssl: boolean}
  options jsonb not null default '{}',
  created_by uuid references users (id) on delete set null,
  created_at timestamptz not null default now(),
  updated_by uuid references users (id) on delete set null,
  updated_at timestamptz not null default now()
);
comment on table source_connections is 'Source database connections of providing departments (password sealed, never in clear).';
create unique index source_connections_org_name_key on source_connections (org_id, lower(name));

create table source_ingest_specs (
  id uuid primary key default gen_random_uuid(),
  connection_id uuid not null references source_connections (id) on delete restrict,
  -- The dataset fed (datasets.id, migrations/0009_datasets.sql); the datasets module adds the foreign key.
  dataset_id uuid not null,
  name text not null default '' check (length(name) <= 100),
  -- One SELECT (or WITH … SELECT); checked by the module and run read-only.
  query text not null check (length(query) between 1 and 100000),
  mode text not null check (mode in ('full', 'incremental')),
  incremental_column text check (incremental_column is null or length(incremental_column) between 1 and 128),
  -- High-water mark of the last published incremental run (the source server's own text for the value) and the
  -- driver type of the column when it was taken (how MySQL must compare it).
  last_value text check (last_value is null or length(last_value) <= 1000),
  last_value_type text check (last_value_type is null or length(last_value_type) <= 40),
  -- Five-field cron expression, China time (Asia/Shanghai); null: run on demand only.
  schedule text check (schedule is null or length(schedule) between 9 and 100),
  -- Due time of the pending scheduled run (a pg-boss job keyed by spec and time).
  next_run_at timestamptz,
  last_run_at timestamptz,
  last_run_status text check (last_run_status is null or last_run_status in ('queued', 'running', 'succeeded', 'failed')),
  last_run_error jsonb,
  last_run_job_id uuid,
  created_by uuid references users (id) on delete set null,
  created_at timestamptz not null default now(),
  updated_by uuid references users (id) on delete set null,
  updated_at timestamptz not null default now(),
  check ((mode = 'incremental') = (incremental_column is not null)),
  check (mode = 'incremental' or last_value is null),
  check ((schedule is null) = (next_run_at is null))
);
comment on table source_ingest_specs is 'What to ingest from a source connection into a dataset: query, full/incremental, schedule.';
create index source_ingest_specs_connection_idx on source_ingest_specs (connection_id);
create index source_ingest_specs_dataset_idx on source_ingest_specs (dataset_id);
