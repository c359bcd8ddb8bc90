-- Data elements (数据元) with one authoritative source each (一数一源), claims and the authority's
-- arbitration queue; the responsibility list (职责目录), the demand list (需求清单) and the negative list
-- (负面清单). Relies on catalog_resources / catalog_fields from 0005_catalog.sql.

create table data_elements (
  id uuid primary key default gen_random_uuid(),
  -- Stable identifier, e.g. DE-RK-0001 (人口库 element 1).
  code text not null check (code ~ '^[A-Z][A-Z0-9-]{1,31}$'),
  name_zh text not null check (length(name_zh) between 1 and 100),
  name_en text not null default '' check (length(name_en) <= 200),
  definition_zh text not null default '' check (length(definition_zh) <= 2000),
  definition_en text not null default '' check (length(definition_en) <= 2000),
  data_type text not null check (data_type in ('string', 'code', 'integer', 'decimal', 'date', 'datetime', 'boolean')),
  -- Representation in the GB/T 19488 / GB/T 18391 style: c18, n8, an..100, YYYYMMDD, …
  format text not null default '' check (length(format) <= 100),
  -- Optional regular expression a value must match (informative; check digits are checked by code).
  pattern text check (pattern is null or length(pattern) <= 500),
  -- The standard or regulation that defines the element (GB 11643-1999, GB 32100-2015, GB/T 37346-2019, …).
  standard_ref text not null default '' check (length(standard_ref) <= 300),
  synonyms text[] not null default '{}',
  authoritative_resource_id uuid references catalog_resources (id) on delete set null,
  authoritative_org_id uuid references organizations (id),
  status text not null default 'active' check (status in ('active', 'retired')),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  check (authoritative_resource_id is null or authoritative_org_id is not null)
);
comment on table data_elements is 'Standard data elements (数据元), each with at most one authoritative source resource (一数一源).';
create unique index data_elements_code_key on data_elements (upper(code));
create unique index data_elements_name_key on data_elements (name_zh) where status = 'active';
create index data_elements_auth_org_idx on data_elements (authoritative_org_id);

-- A field maps to a data element (the catalog owns the column; the reference is declared here).
alter table catalog_fields
  add constraint catalog_fields_element_fk foreign key (element_id) references data_elements (id) on delete set null;

create table data_element_arbitrations (
  id uuid primary key default gen_random_uuid(),
  element_id uuid not null references data_elements (id) on delete cascade,
  status text not null default 'open' check (status in ('open', 'decided')),
  opened_at timestamptz not null default now(),
  decided_at timestamptz,
  decided_by uuid references users (id),
  winner_claim_id uuid,
  comment text not null default '' check (length(comment) <= 2000),
  check ((status = 'open') = (decided_at is null))
);
comment on table data_element_arbitrations is 'Authority arbitration of competing claims to be the authoritative source of a data element.';
create unique index data_element_arbitrations_open_key on data_element_arbitrations (element_id) where status = 'open';

create table data_element_claims (
  id uuid primary key default gen_random_uuid(),
  element_id uuid not null references data_elements (id) on delete cascade,
  org_id uuid not null references organizations (id),
  resource_id uuid not null references catalog_resources (id) on delete cascade,
  basis text not null check (length(basis) between 1 and 2000),
  -- accepted: the current authoritative source; pending: waiting for arbitration; rejected: lost an
  -- arbitration; superseded: replaced by a later accepted claim of the same element.
  status text not null check (status in ('accepted', 'pending', 'rejected', 'superseded')),
  arbitration_id uuid references data_element_arbitrations (id),
  claimed_by uuid references users (id),
  created_at timestamptz not null default now(),
  decided_at timestamptz
);
comment on table data_element_claims is 'Claims of an organization to be the authoritative source (一数一源) of a data element.';
create unique index data_element_claims_accepted_key on data_element_claims (element_id) where status = 'accepted';
create unique index data_element_claims_pending_key on data_element_claims (element_id, org_id) where status = 'pending';
create index data_element_claims_arbitration_idx on data_element_claims (arbitration_id);
create index data_element_claims_org_idx on data_element_claims (org_id);
alter table data_element_arbitrations
  add constraint data_element_arbitrations_winner_fk foreign key (winner_claim_id) references data_element_claims (id);

-- 职责目录: what each department must provide (政务数据共享责任清单), linked to the resources that do.
create table responsibility_items (
  id uuid primary key default gen_random_uuid(),
  org_id uuid not null references organizations (id),
  name_zh text not null check (length(name_zh) between 1 and 200),
  name_en text not null default '' check (length(name_en) <= 300),
  description text not null default '' check (length(description) <= 4000),
  legal_basis text not null default '' check (length(legal_basis) <= 2000),
  created_by uuid references users (id),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
comment on table responsibility_items is 'Responsibility list (职责目录): items a department must provide, each backed by catalog resources.';
create index responsibility_items_org_idx on responsibility_items (org_id, created_at);

create table responsibility_item_resources (
  item_id uuid not null references responsibility_items (id) on delete cascade,
  resource_id uuid not null references catalog_resources (id) on delete cascade,
  primary key (item_id, resource_id)
);
create index responsibility_item_resources_resource_idx on responsibility_item_resources (resource_id);

-- 需求清单: a department's or the public's stated need for data.
create table resource_demands (
  id uuid primary key default gen_random_uuid(),
  title text not null check (length(title) between 1 and 200),
  description text not null default '' check (length(description) <= 4000),
  needed_fields text[] not null default '{}',
  purpose text not null default '' check (length(purpose) <= 2000),
  -- department: raised by a government user; public: by the public, a company or an operator.
  raiser_kind text not null check (raiser_kind in ('department', 'public')),
  raised_by uuid not null references users (id),
  raiser_org_id uuid references organizations (id),
  -- The department expected to answer (null: the data authority routes it).
  target_org_id uuid references organizations (id),
  status text not null default 'open' check (status in ('open', 'answered', 'closed', 'rejected')),
  reply text not null default '' check (length(reply) <= 4000),
  responded_by uuid references users (id),
  -- First answer or rejection: the start of "time to answer" is created_at.
  responded_at timestamptz,
  closed_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
comment on table resource_demands is 'Demand list (需求清单): needs raised by departments or the public, answered with resources or a reply.';
create index resource_demands_status_idx on resource_demands (status, created_at desc);
create index resource_demands_target_idx on resource_demands (target_org_id);
create index resource_demands_raiser_idx on resource_demands (raised_by);
create index resource_demands_raiser_org_idx on resource_demands (raiser_org_id);

create table resource_demand_links (
  demand_id uuid not null references resource_demands (id) on delete cascade,
  resource_id uuid not null references catalog_resources (id) on delete cascade,
  primary key (demand_id, resource_id)
);
create index resource_demand_links_resource_idx on resource_demand_links (resource_id);

-- 负面清单: resources that may not be shared and/or opened, each with its legal basis. Entries are removed
-- softly (removed_at), so the list keeps its history.
create table negative_list_entries (
  id uuid primary key default gen_random_uuid(),
  resource_id uuid not null references catalog_resources (id) on delete cascade,
  scope text not null check (scope in ('share', 'open', 'both')),
  legal_basis text not null check (length(legal_basis) between 1 and 2000),
  note text not null default '' check (length(note) <= 2000),
  added_by uuid references users (id),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  removed_at timestamptz,
  removed_by uuid references users (id),
  remove_reason text check (remove_reason is null or length(remove_reason) <= 2000)
);
comment on table negative_list_entries is 'Negative list (负面清单): resources that may not be shared or opened, with the legal basis.';
create unique index negative_list_entries_active_key on negative_list_entries (resource_id) where removed_at is null;
