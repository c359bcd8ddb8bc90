-- Catalog (issue 4): public data resources (数据资源) and their fields (信息项), modelled on GB/T 21063.3
-- core metadata; the category dictionary; metadata versions; the lifecycle event history; grading rules
-- (GB/T 43697-2024) and the grade policy that constrains share/open attributes; per-category/org code
-- sequences. The search, elements and registration modules reference these tables (see
-- src/modules/catalog/README.md for the contract and the decisions).

-- ---------------------------------------------------------------------------------------------------------
-- Category dictionary: the six base libraries (基础库) and thematic domains (主题/领域).
create table catalog_categories (
  code text primary key check (code ~ '^[A-Z][A-Z0-9]{1,9}$'),
  kind text not null check (kind in ('base', 'domain')),
  name_zh text not null check (length(name_zh) between 1 and 100),
  name_en text not null default '' check (length(name_en) <= 200),
  position integer not null default 0,
  enabled boolean not null default true
);
comment on table catalog_categories is 'Catalog category dictionary: base libraries (基础库) and thematic domains; the code prefixes resource codes.';

insert into catalog_categories (code, kind, name_zh, name_en, position) values
  ('RK',   'base',   '人口基础库',                 'Population base library', 1),
  ('FR',   'base',   '法人基础库',                 'Legal entity base library', 2),
  ('ZRKJ', 'base',   '自然资源和空间地理基础库',   'Natural resources and spatial geography base library', 3),
  ('DZZZ', 'base',   '电子证照基础库',             'Electronic licence base library', 4),
  ('SHXY', 'base',   '社会信用基础库',             'Social credit base library', 5),
  ('HGJJ', 'base',   '宏观经济基础库',             'Macro-economy base library', 6),
  ('SCJG', 'domain', '市场监管',                   'Market regulation', 11),
  ('SHBZ', 'domain', '社会保障',                   'Social security', 12),
  ('WSJK', 'domain', '卫生健康',                   'Health', 13),
  ('JTYS', 'domain', '交通运输',                   'Transport', 14),
  ('JYKY', 'domain', '教育',                       'Education', 15),
  ('MZFW', 'domain', '民政',                       'Civil affairs', 16),
  ('ZFCX', 'domain', '住房城乡建设',               'Housing and urban-rural development', 17),
  ('TJXX', 'domain', '统计',                       'Statistics', 18),
  ('GGAQ', 'domain', '公共安全',                   'Public security', 19),
  ('ZRZY', 'domain', '自然资源',                   'Natural resources', 20),
  ('STHJ', 'domain', '生态环境',                   'Ecology and environment', 21),
  ('WHLY', 'domain', '文化旅游',                   'Culture and tourism', 22),
  ('NYNC', 'domain', '农业农村',                   'Agriculture and rural affairs', 23),
  ('YJGL', 'domain', '应急管理',                   'Emergency management', 24),
  ('CZJR', 'domain', '财政金融',                   'Finance', 25),
  ('ZWFW', 'domain', '政务服务',                   'Government services', 26),
  ('JJFZ', 'domain', '经济发展',                   'Economic development', 27);

-- ---------------------------------------------------------------------------------------------------------
-- Resources. The row holds the live metadata: the working copy before the first publication, the
-- published metadata afterwards. A revision of a published resource (status 'updated') is kept in
-- `pending` (metadata + fields) until it is approved and published; revision_status tracks it.
create table catalog_resources (
  id uuid primary key default gen_random_uuid(),
  -- <subject category>-<provider org code>-<5-digit sequence>, e.g. FR-SCJG-00012; never changes.
  code text not null check (code ~ '^[A-Z][A-Z0-9]{1,9}-[A-Za-z0-9_-]{1,32}-[0-9]{5,}$'),
  provider_org_id uuid not null references organizations (id),
  name_zh text not null check (length(name_zh) between 1 and 200),
  name_en text not null default '' check (length(name_en) <= 300),
  abstract_zh text not null check (length(abstract_zh) between 1 and 4000),
  abstract_en text not null default '' check (length(abstract_en) <= 8000),
  keywords text[] not null default '{}',
  subject_category text not null references catalog_categories (code),
  domain_category text not null references catalog_categories (code),
  formats text[] not null default '{}',
  update_frequency text not null check (update_frequency in ('realtime', 'daily', 'weekly', 'monthly', 'quarterly', 'half_yearly', 'yearly', 'irregular')),
  spatial_coverage text not null default '',
  temporal_start date,
  temporal_end date,
  share_mode text not null check (share_mode in ('unconditional', 'conditional', 'none')),
  share_conditions text not null default '',
  share_basis text not null default '',
  open_mode text not null check (open_mode in ('unconditional', 'conditional', 'none')),
  open_conditions text not null default '',
  open_basis text not null default '',
  license text not null default '',
  contact_name text not null default '',
  contact_phone text not null default '',
  contact_email text not null default '',
  grade text not null check (grade in ('core', 'important', 'general')),
  grade_level smallint check (grade_level between 1 and 4),
  -- The provider's assessment: [{ "object": "personal_rights", "degree": "serious" }, …] (GB/T 43697 impact analysis).
  grading_factors jsonb not null default '[]',
  grade_confirmed boolean not null default false,
  grade_confirmed_by uuid references users (id),
  grade_confirmed_at timestamptz,
  status text not null default 'draft' check (status in ('draft', 'submitted', 'returned', 'approved', 'published', 'updated', 'deprecated', 'withdrawn')),
  revision_status text check (revision_status in ('draft', 'submitted', 'returned', 'approved')),
  pending jsonb,
  lock_version integer not null default 1,
  current_version integer not null default 0,
  release_date date,
  published_at timestamptz,
  created_by uuid references users (id),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  popularity integer not null default 0,
  check ((grade = 'general') = (grade_level is not null)),
  check ((status = 'updated') = (revision_status is not null)),
  check (temporal_end is null or temporal_start is null or temporal_end >= temporal_start)
);
comment on table catalog_resources is 'Public data resources (数据资源目录), GB/T 21063.3 core metadata plus share/open attributes and grade.';
create unique index catalog_resources_code_key on catalog_resources (code);
create index catalog_resources_org_idx on catalog_resources (provider_org_id, status);
create index catalog_resources_status_idx on catalog_resources (status, updated_at desc);

create table catalog_fields (
  id uuid primary key default gen_random_uuid(),
  resource_id uuid not null references catalog_resources (id) on delete cascade,
  position integer not null check (position >= 0),
  name_zh text not null check (length(name_zh) between 1 and 200),
  name_en text not null default '' check (length(name_en) <= 300),
  code text not null check (code ~ '^[A-Za-z][A-Za-z0-9_]{0,63}$'),
  data_type text not null check (data_type in ('string', 'integer', 'decimal', 'date', 'datetime', 'time', 'boolean', 'binary', 'geometry', 'json')),
  length integer check (length > 0),
  "precision" integer check ("precision" >= 0),
  unit text not null default '',
  description_zh text not null default '',
  description_en text not null default '',
  required boolean not null default false,
  element_id uuid,
  grade text not null check (grade in ('core', 'important', 'general')),
  grade_level smallint check (grade_level between 1 and 4),
  pii_kind text not null default 'none' check (pii_kind in ('id_number', 'phone', 'name', 'address', 'email', 'bank_card', 'passport', 'license_plate', 'credit_code', 'none')),
  share_mode text not null check (share_mode in ('unconditional', 'conditional', 'none')),
  open_mode text not null check (open_mode in ('unconditional', 'conditional', 'none')),
  check ((grade = 'general') = (grade_level is not null))
);
comment on table catalog_fields is 'Fields (信息项) of a resource, in order; the published ones (a pending revision keeps its fields in catalog_resources.pending).';
create unique index catalog_fields_position_key on catalog_fields (resource_id, position);
create unique index catalog_fields_code_key on catalog_fields (resource_id, lower(code));
create index catalog_fields_element_idx on catalog_fields (element_id) where element_id is not null;

-- Every publication (and every change of published metadata) snapshots the metadata and the fields.
create table catalog_resource_versions (
  resource_id uuid not null references catalog_resources (id) on delete cascade,
  version integer not null check (version >= 1),
  snapshot jsonb not null,
  reason text not null check (reason in ('publish', 'revision', 'grade', 'reinstate')),
  comment text not null default '',
  created_by uuid references users (id),
  created_by_name text,
  created_at timestamptz not null default now(),
  primary key (resource_id, version)
);
comment on table catalog_resource_versions is 'APPEND-ONLY metadata versions of published resources (snapshot of metadata and fields).';

-- Lifecycle history with comments (the ledger holds the same facts, tamper-evident; this is for display).
create table catalog_resource_events (
  id bigint generated always as identity primary key,
  resource_id uuid not null references catalog_resources (id) on delete cascade,
  from_state text not null,
  to_state text not null,
  comment text not null,
  actor_id uuid references users (id),
  actor_name text,
  created_at timestamptz not null default now()
);
comment on table catalog_resource_events is 'APPEND-ONLY lifecycle transitions of resources with their comments.';
create index catalog_resource_events_resource_idx on catalog_resource_events (resource_id, id);

-- Next sequence number per (subject category, provider organization) for resource codes.
create table catalog_code_sequences (
  category_code text not null references catalog_categories (code),
  org_id uuid not null references organizations (id),
  last_seq integer not null default 0,
  primary key (category_code, org_id)
);

-- ---------------------------------------------------------------------------------------------------------
-- Grading rules (GB/T 43697-2024 §6 impact-object × severity matrix, plus personal-information kinds).
create table catalog_grading_rules (
  id uuid primary key default gen_random_uuid(),
  code text not null unique check (code ~ '^[A-Za-z0-9_.-]{1,40}$'),
  factor_kind text not null check (factor_kind in ('impact', 'pii')),
  impact_object text check (impact_object in ('national_security', 'economy', 'social_order', 'public_interest', 'organization_rights', 'personal_rights')),
  impact_degree text check (impact_degree in ('particularly_serious', 'serious', 'general')),
  pii_kind text check (pii_kind in ('id_number', 'phone', 'name', 'address', 'email', 'bank_card', 'passport', 'license_plate', 'credit_code')),
  grade text not null check (grade in ('core', 'important', 'general')),
  grade_level smallint check (grade_level between 1 and 4),
  source text not null check (length(source) between 1 and 500),
  note text not null default '',
  enabled boolean not null default true,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  check ((grade = 'general') = (grade_level is not null)),
  check ((factor_kind = 'impact') = (impact_object is not null and impact_degree is not null)),
  check ((factor_kind = 'pii') = (pii_kind is not null))
);
comment on table catalog_grading_rules is 'Grading rules: factors (impact object × degree, or personal-information kind) → grade, each citing its source.';
create unique index catalog_grading_rules_factor_key on catalog_grading_rules (factor_kind, coalesce(impact_object, ''), coalesce(impact_degree, ''), coalesce(pii_kind, '')) where enabled;

insert into catalog_grading_rules (code, factor_kind, impact_object, impact_degree, grade, grade_level, source) values
  ('NS-PS', 'impact', 'national_security', 'particularly_serious', 'core', null, 'GB/T 43697-2024 数据级别确定规则（影响对象×影响程度）'),
  ('NS-S',  'impact', 'national_security', 'serious',              'core', null, 'GB/T 43697-2024 数据级别确定规则（影响对象×影响程度）'),
  ('NS-G',  'impact', 'national_security', 'general',              'important', null, 'GB/T 43697-2024 数据级别确定规则（影响对象×影响程度）'),
  ('EC-PS', 'impact', 'economy', 'particularly_serious',           'core', null, 'GB/T 43697-2024 数据级别确定规则（影响对象×影响程度）'),
  ('EC-S',  'impact', 'economy', 'serious',                        'important', null, 'GB/T 43697-2024 数据级别确定规则（影响对象×影响程度）'),
  ('EC-G',  'impact', 'economy', 'general',                        'general', 2, 'GB/T 43697-2024 数据级别确定规则（一般数据）；级别为平台策略，参照附录H'),
  ('SO-PS', 'impact', 'social_order', 'particularly_serious',      'core', null, 'GB/T 43697-2024 数据级别确定规则（影响对象×影响程度）'),
  ('SO-S',  'impact', 'social_order', 'serious',                   'important', null, 'GB/T 43697-2024 数据级别确定规则（影响对象×影响程度）'),
  ('SO-G',  'impact', 'social_order', 'general',                   'general', 2, 'GB/T 43697-2024 数据级别确定规则（一般数据）；级别为平台策略，参照附录H'),
  ('PI-PS', 'impact', 'public_interest', 'particularly_serious',   'core', null, 'GB/T 43697-2024 数据级别确定规则（影响对象×影响程度）'),
  ('PI-S',  'impact', 'public_interest', 'serious',                'important', null, 'GB/T 43697-2024 数据级别确定规则（影响对象×影响程度）'),
  ('PI-G',  'impact', 'public_interest', 'general',                'general', 2, 'GB/T 43697-2024 数据级别确定规则（一般数据）；级别为平台策略，参照附录H'),
  ('OR-PS', 'impact', 'organization_rights', 'particularly_serious', 'general', 4, 'GB/T 43697-2024 数据级别确定规则（一般数据）；级别为平台策略，参照附录H'),
  ('OR-S',  'impact', 'organization_rights', 'serious',            'general', 3, 'GB/T 43697-2024 数据级别确定规则（一般数据）；级别为平台策略，参照附录H'),
  ('OR-G',  'impact', 'organization_rights', 'general',            'general', 2, 'GB/T 43697-2024 数据级别确定规则（一般数据）；级别为平台策略，参照附录H'),
  ('PR-PS', 'impact', 'personal_rights', 'particularly_serious',   'general', 4, 'GB/T 43697-2024 数据级别确定规则（一般数据）；级别为平台策略，参照附录H'),
  ('PR-S',  'impact', 'personal_rights', 'serious',                'general', 3, 'GB/T 43697-2024 数据级别确定规则（一般数据）；级别为平台策略，参照附录H'),
  ('PR-G',  'impact', 'personal_rights', 'general',                'general', 2, 'GB/T 43697-2024 数据级别确定规则（一般数据）；级别为平台策略，参照附录H');
insert into catalog_grading_rules (code, factor_kind, pii_kind, grade, grade_level, source) values
  ('PII-ID',    'pii', 'id_number',     'general', 4, '个人信息保护法 第28条（敏感个人信息）；GB/T 35273-2020 附录B；级别为平台策略'),
  ('PII-BANK',  'pii', 'bank_card',     'general', 4, '个人信息保护法 第28条（金融账户）；GB/T 35273-2020 附录B；级别为平台策略'),
  ('PII-PASS',  'pii', 'passport',      'general', 4, '个人信息保护法 第28条（敏感个人信息）；GB/T 35273-2020 附录B；级别为平台策略'),
  ('PII-PHONE', 'pii', 'phone',         'general', 3, 'GB/T 35273-2020 附录A（个人信息）；级别为平台策略'),
  ('PII-ADDR',  'pii', 'address',       'general', 3, 'GB/T 35273-2020 附录A（个人信息）；级别为平台策略'),
  ('PII-NAME',  'pii', 'name',          'general', 3, 'GB/T 35273-2020 附录A（个人信息）；级别为平台策略'),
  ('PII-EMAIL', 'pii', 'email',         'general', 3, 'GB/T 35273-2020 附录A（个人信息）；级别为平台策略'),
  ('PII-PLATE', 'pii', 'license_plate', 'general', 3, 'GB/T 35273-2020 附录A（个人信息）；级别为平台策略'),
  ('PII-USCC',  'pii', 'credit_code',   'general', 1, '统一社会信用代码为公示信息（GB 32100-2015）；平台策略');

-- ---------------------------------------------------------------------------------------------------------
-- Grade policy: which share/open attributes a grade forbids. Checked on every write of a resource (against
-- the resource grade) and of its fields (against each field's grade). min_level: for 'general', the rule
-- applies from that level up (null: every level).
create table catalog_grade_policy (
  code text primary key check (code ~ '^[A-Za-z0-9_.-]{1,40}$'),
  applies_to text not null check (applies_to in ('resource', 'field')),
  grade text not null check (grade in ('core', 'important', 'general')),
  min_level smallint check (min_level between 1 and 4),
  attribute text not null check (attribute in ('share_mode', 'open_mode')),
  forbidden text[] not null check (forbidden <@ array['unconditional', 'conditional', 'none']::text[] and cardinality(forbidden) >= 1),
  source text not null check (length(source) between 1 and 500),
  enabled boolean not null default true,
  position integer not null default 0,
  check (min_level is null or grade = 'general')
);
comment on table catalog_grade_policy is 'Grade policy: share/open attribute values a grade forbids, each citing its source or marked platform policy.';

insert into catalog_grade_policy (code, applies_to, grade, min_level, attribute, forbidden, source, position) values
  ('CORE-NO-OPEN',        'resource', 'core',      null, 'open_mode',  '{unconditional,conditional}', '数据安全法 第21条（核心数据实行更加严格的管理制度）；《意见》§五(十二)依法依规予以保密的公共数据不予开放；平台策略', 1),
  ('CORE-NO-FREE-SHARE',  'resource', 'core',      null, 'share_mode', '{unconditional}',             '数据安全法 第21条；平台策略', 2),
  ('IMP-NO-FREE-OPEN',    'resource', 'important', null, 'open_mode',  '{unconditional}',             '数据安全法 第21条（重要数据目录、重点保护）；平台策略', 3),
  ('GEN4-NO-FREE-OPEN',   'resource', 'general',   4,    'open_mode',  '{unconditional}',             '平台策略（一般数据4级含敏感个人信息，参照 个人信息保护法 第28条）', 4),
  ('F-CORE-NO-OPEN',      'field',    'core',      null, 'open_mode',  '{unconditional,conditional}', '数据安全法 第21条；平台策略', 5),
  ('F-IMP-NO-FREE-OPEN',  'field',    'important', null, 'open_mode',  '{unconditional}',             '数据安全法 第21条；平台策略', 6),
  ('F-GEN4-NO-FREE-OPEN', 'field',    'general',   4,    'open_mode',  '{unconditional}',             '平台策略（参照 个人信息保护法 第28条）', 7);
