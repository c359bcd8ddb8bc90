-- Entitlements (issue 6 §1, docs/sharing.md): the one record of who may do what with which fields of a
-- resource, for which purpose, until when and how much, whatever mode created it (a sharing request's grant;
-- later an open-data agreement, an operator authorization, a product order, a federated back-flow grant).
-- The policy decision point (src/modules/entitlements/pdp.ts) reads them on every data read.

-- A consumer department's system (应用系统) that calls the gateway with its own credentials (issue 6 §4).
create table applications (
  id uuid primary key default gen_random_uuid(),
  org_id uuid not null references organizations (id) on delete restrict,
  name text not null check (length(name) between 1 and 100),
  description text not null default '' check (length(description) <= 2000),
  state text not null default 'active' check (state in ('active', 'disabled')),
  created_by uuid references users (id) on delete set null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create unique index applications_org_name_key on applications (org_id, lower(name));
comment on table applications is 'Systems of consumer departments that call the data gateway (issue 6 §4).';

create table entitlements (
  id uuid primary key default gen_random_uuid(),
  holder_org_id uuid not null references organizations (id) on delete restrict,
  -- Narrowed to one application or one user of the holder organization (null: the whole organization).
  holder_application_id uuid references applications (id) on delete restrict,
  holder_user_id uuid references users (id) on delete restrict,
  resource_id uuid not null references catalog_resources (id) on delete restrict,
  provider_org_id uuid not null references organizations (id) on delete restrict,
  -- Catalog field codes granted (null: every field).
  fields text[],
  actions text[] not null check (array_length(actions, 1) >= 1 and actions <@ array['query', 'verify', 'bulk', 'download']),
  purpose text not null check (length(purpose) between 1 and 500),
  scenario text not null default '' check (length(scenario) <= 500),
  legal_basis text not null check (length(legal_basis) between 1 and 1000),
  valid_from timestamptz not null,
  valid_to timestamptz check (valid_to is null or valid_to > valid_from),
  -- {calls?: {day?, month?, total?}, rows?: {...}} (src/modules/entitlements/types.ts Quota)
  quota jsonb,
  -- {businessRefRequired?, clearFields?, rowFilter?, notes?, verifyPerMinute?}
  conditions jsonb not null default '{}',
  state text not null default 'active' check (state in ('active', 'suspended', 'expired', 'revoked')),
  state_reason text check (length(state_reason) <= 1000),
  origin text not null check (origin in ('sharing_request', 'open_agreement', 'operator_authorization', 'product_order', 'federation', 'manual')),
  origin_id uuid,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index entitlements_holder_idx on entitlements (holder_org_id, resource_id) where state = 'active';
create index entitlements_resource_idx on entitlements (resource_id);
create index entitlements_provider_idx on entitlements (provider_org_id);
create index entitlements_origin_idx on entitlements (origin, origin_id);
comment on table entitlements is 'Who may do what with which fields of a resource, for what purpose, until when and how much (issue 6 §1).';

-- Quota use per entitlement and China calendar day; months and totals are sums over days.
create table entitlement_usage (
  entitlement_id uuid not null references entitlements (id) on delete cascade,
  day date not null,
  calls bigint not null default 0 check (calls >= 0),
  rows bigint not null default 0 check (rows >= 0),
  primary key (entitlement_id, day)
);
comment on table entitlement_usage is 'Calls and rows used per entitlement and day (quota checks and the usage views).';
