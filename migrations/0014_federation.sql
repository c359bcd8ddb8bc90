-- Back-flow between Shuyuan instances (数据回流, issue 6 §7; docs/federation.md). The issuing side records the
-- grant packages it signed; the receiving side records the links it accepted and what it pulled through them.

-- Issuing side: a signed grant package for a peer platform (a consumer organization here, with a service
-- account, an application and a key of its own), backed by an entitlement with origin 'federation'.
create table federation_grants (
  id uuid primary key default gen_random_uuid(),
  peer_org_id uuid not null references organizations (id) on delete restrict,
  peer_user_id uuid not null references users (id) on delete restrict,
  application_id uuid not null references applications (id) on delete restrict,
  entitlement_id uuid not null references entitlements (id) on delete restrict,
  resource_id uuid not null references catalog_resources (id) on delete restrict,
  -- hex SHA-256 of the signed package's canonical JSON (the package itself holds a secret and is not kept).
  package_sha256 text not null check (package_sha256 ~ '^[0-9a-f]{64}$'),
  created_by uuid references users (id) on delete set null,
  created_at timestamptz not null default now()
);
comment on table federation_grants is 'Back-flow grant packages this platform signed for peer platforms (issuing side).';
create index federation_grants_peer_idx on federation_grants (peer_org_id);

-- Receiving side: an accepted package, the local resource its data lands in, and the pulls.
create table federation_links (
  id uuid primary key default gen_random_uuid(),
  issuer_name text not null,
  issuer_base_url text not null,
  issuer_key_id text not null check (issuer_key_id ~ '^[0-9a-f]{64}$'),
  remote_grant_id uuid not null,
  remote_resource_id uuid not null,
  remote_entitlement_id uuid not null,
  extracts_path text not null,
  app_key text not null,
  -- The AppSecret sealed with the platform's master key (like API keys and source passwords).
  app_secret_sealed text not null,
  valid_to timestamptz,
  local_resource_id uuid not null references catalog_resources (id) on delete restrict,
  -- The package without its credentials (what was granted: fields, row filter, ODRL policy).
  grant_info jsonb not null,
  state text not null default 'active' check (state in ('active', 'disabled')),
  last_pull_at timestamptz,
  last_pull_status text check (last_pull_status in ('ok', 'failed')),
  last_pull_error text,
  last_remote_version integer,
  last_rows bigint,
  last_sha256 text,
  created_by uuid references users (id) on delete set null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
comment on table federation_links is 'Back-flow links this platform accepted from issuing platforms, and their pulls (receiving side).';
create unique index federation_links_remote_key on federation_links (issuer_key_id, remote_grant_id);
