-- Registration (登记) of public data resources: applications, their workflow timeline, working-day deadlines,
-- public-notice objections and certificates. The workflow and the deadline jobs live in
-- src/modules/registration; every figure it uses (time limits, reminder lead time, certificate validity, rate
-- limits) is a row of registration_settings with its source cited.

-- Every figure of the registration rules, editable by the data authority (each change is ledgered).
create table registration_settings (
  key text primary key check (key ~ '^[a-z][a-z0-9_]{1,63}$'),
  value integer not null,
  min_value integer not null,
  max_value integer not null,
  unit text not null check (unit in ('working_days', 'years', 'per_hour', 'per_minute')),
  label_zh text not null,
  label_en text not null,
  source_zh text not null,
  source_en text not null,
  -- true: no regulation text we hold fixes this figure; the platform chose it (the source says why).
  platform_default boolean not null,
  updated_by uuid references users (id) on delete set null,
  updated_at timestamptz not null default now(),
  check (min_value <= max_value and value between min_value and max_value)
);
comment on table registration_settings is 'Figures of the registration (登记) rules: time limits in working days, reminder lead, certificate validity, rate limits; each with its source.';

insert into registration_settings (key, value, min_value, max_value, unit, label_zh, label_en, source_zh, source_en, platform_default) values
  ('completeness_days', 3, 1, 60, 'working_days',
   '受理（完整性审查）时限', 'Completeness check (acceptance) time limit',
   '福建省 闽数据〔2025〕15号（落实《公共数据资源登记管理暂行办法》发改数据规〔2025〕26号）：登记机构收到申请后 3 个工作日内完成受理，材料不齐全的一次性告知，补正后重新计算。',
   'Fujian 闽数据〔2025〕15号, implementing the national Interim Measures for Public Data Resource Registration (发改数据规〔2025〕26号): acceptance within 3 working days of receipt; missing material is notified once and completely, and the clock restarts on re-submission.',
   false),
  ('notice_days', 10, 1, 60, 'working_days',
   '公示期', 'Public notice period',
   '福建省 闽数据〔2025〕15号：登记信息在登记平台公示 10 个工作日，公示内容为登记主体名称、登记类型、登记数据名称、数据内容简介；国家公共数据资源登记平台（sjdj.nda.gov.cn）流程：提交后进入公示。',
   'Fujian 闽数据〔2025〕15号: the registration is publicly noticed on the registration platform for 10 working days (registrant, registration type, data name, content summary); the national registration platform (sjdj.nda.gov.cn) moves a submitted filing into public notice.',
   false),
  ('decision_days', 20, 1, 120, 'working_days',
   '首次登记决定时限（自受理之日起）', 'Decision time limit for a first registration (from acceptance)',
   '平台默认值：发改数据规〔2025〕26号 与已掌握的地方细则均未规定形式审核/作出登记决定的时限。数值取自 闽数据〔2025〕15号 的首次登记 20 个工作日时限（该时限原指登记主体开始运营后提交首次登记的期限），本平台用作自受理之日起作出决定的时限，含公示期。',
   'Platform default: neither 发改数据规〔2025〕26号 nor the provincial rules we hold fix a time limit for the formal review or the decision. The figure is the 20 working days of Fujian 闽数据〔2025〕15号 for a first registration (there: the time a registrant has to file after operation starts), used here as the limit for the decision counted from acceptance, the notice period included.',
   true),
  ('reminder_lead_days', 1, 0, 10, 'working_days',
   '到期提醒提前量', 'Reminder lead time',
   '平台默认值：在时限最后 N 个工作日的第一天 9:00 提醒责任人（1 = 到期当天上午提醒；0 = 不提醒）。',
   'Platform default: the responsible users are reminded at 09:00 on the first of the last N working days of a time limit (1 = the morning of the due day; 0 = no reminder).',
   true),
  ('due_soon_days', 2, 0, 20, 'working_days',
   '看板“即将到期”范围', 'Dashboard "due soon" window',
   '平台默认值：到期日在今天起 N 个工作日内（含今天）且尚未逾期的时限显示为即将到期。',
   'Platform default: an open time limit whose due day is within N working days from today (today included) and not yet passed shows as due soon.',
   true),
  ('certificate_validity_years', 3, 1, 10, 'years',
   '登记证书有效期', 'Certificate validity',
   '平台默认值：已掌握的国家和地方文本未规定登记证书有效期；到期后应办理更新登记。',
   'Platform default: none of the national or provincial texts we hold sets a validity for a registration certificate; an update registration is due when it expires.',
   true),
  ('objection_rate_per_hour', 5, 1, 1000, 'per_hour',
   '公示异议提交频率上限（每个地址每小时）', 'Objections per address per hour',
   '平台默认值：公示期内任何人（含未登录）均可提出异议，按来源地址限流以防滥用。',
   'Platform default: anyone (even without logging in) may object during the notice period; submissions are rate limited per client address against abuse.',
   true),
  ('lookup_rate_per_minute', 30, 1, 10000, 'per_minute',
   '证书公开查询频率上限（每个地址每分钟）', 'Certificate lookups per address per minute',
   '平台默认值：公开查询无需登录，按来源地址限流，使查询码无法被穷举。',
   'Platform default: the public lookup needs no login and is rate limited per client address so that query codes cannot be enumerated.',
   true);

-- One application to register a subject (today a catalog resource; later also a data product).
create table registrations (
  id uuid primary key default gen_random_uuid(),
  subject_type text not null default 'resource' check (subject_type in ('resource', 'product')),
  resource_id uuid references catalog_resources (id) on delete restrict,
  registration_type text not null default 'first' check (registration_type in ('first', 'change', 'update', 'cancel')),
  provider_org_id uuid not null references organizations (id),
  applicant_id uuid references users (id) on delete set null,
  state text not null check (state in ('applied', 'returned_incomplete', 'accepted', 'public_notice', 'objection_review',
                                       'pending_decision', 'approved', 'rejected', 'withdrawn')),
  -- The registered metadata as submitted (refreshed on re-submission); the certificate hashes it.
  snapshot jsonb not null,
  subject_code text not null default '',
  subject_name_zh text not null,
  subject_name_en text not null default '',
  comment text not null default '' check (length(comment) <= 2000),
  first_applied_at timestamptz not null default now(),
  applied_at timestamptz not null default now(),
  accepted_at timestamptz,
  notice_started_at timestamptz,
  notice_start_date date,
  notice_end_date date,
  decided_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  check ((subject_type = 'resource') = (resource_id is not null))
);
comment on table registrations is 'Registration (登记) applications: subject, state, the metadata snapshot under registration.';
-- One open application per subject.
create unique index registrations_one_open_per_resource on registrations (resource_id)
  where state in ('applied', 'returned_incomplete', 'accepted', 'public_notice', 'objection_review', 'pending_decision');
create index registrations_state_idx on registrations (state, updated_at desc);
create index registrations_provider_idx on registrations (provider_org_id, updated_at desc);
create index registrations_applicant_idx on registrations (applicant_id);

-- The workflow timeline: every transition with who, when and the comment.
create table registration_transitions (
  id bigint generated always as identity primary key,
  registration_id uuid not null references registrations (id),
  from_state text,
  to_state text not null,
  actor_id uuid, -- no foreign key: rows of an append-only table never change (users are disabled, not deleted)
  actor_name text,
  actor_kind text not null,
  comment text not null default '' check (length(comment) <= 2000),
  at timestamptz not null default now()
);
comment on table registration_transitions is 'APPEND-ONLY: the transitions of each registration (workflow timeline).';
create index registration_transitions_reg_idx on registration_transitions (registration_id, id);
create trigger registration_transitions_no_change before update or delete on registration_transitions
  for each row execute function shuyuan_refuse_change();
create trigger registration_transitions_no_truncate before truncate on registration_transitions
  for each statement execute function shuyuan_refuse_change();

-- Working-day time limits of each registration; a durable job fires at due_at (and a reminder before it).
create table registration_deadlines (
  id uuid primary key default gen_random_uuid(),
  registration_id uuid not null references registrations (id),
  kind text not null check (kind in ('completeness', 'notice_end', 'decision')),
  start_date date not null,
  working_days integer not null check (working_days >= 0),
  due_date date not null,
  due_at timestamptz not null,
  remind_at timestamptz,
  status text not null default 'open' check (status in ('open', 'met', 'cancelled')),
  reminded_at timestamptz,
  overdue_at timestamptz,
  closed_at timestamptz,
  created_at timestamptz not null default now()
);
comment on table registration_deadlines is 'Working-day time limits of registrations (completeness check, notice end, decision).';
create index registration_deadlines_reg_idx on registration_deadlines (registration_id, created_at);
create index registration_deadlines_open_idx on registration_deadlines (due_at) where status = 'open';
create unique index registration_deadlines_one_open on registration_deadlines (registration_id, kind) where status = 'open';

-- Objections filed during the public notice (by anyone, also without an account).
create table registration_objections (
  id uuid primary key default gen_random_uuid(),
  registration_id uuid not null references registrations (id),
  name text not null check (length(name) between 1 and 100),
  contact text not null check (length(contact) between 1 and 200),
  reason text not null check (length(reason) between 1 and 4000),
  user_id uuid references users (id) on delete set null,
  status text not null default 'open' check (status in ('open', 'upheld', 'dismissed', 'closed')),
  resolution text not null default '' check (length(resolution) <= 2000),
  resolved_at timestamptz,
  created_at timestamptz not null default now()
);
comment on table registration_objections is 'Objections to registrations in public notice (异议); the contact is shown to the authority only.';
create index registration_objections_reg_idx on registration_objections (registration_id, created_at);

-- Registration certificates (登记证书) of approved registrations.
create table registration_certificates (
  id uuid primary key default gen_random_uuid(),
  registration_id uuid not null unique references registrations (id),
  number text not null unique,
  query_code text not null unique check (query_code ~ '^[A-Z2-7]{16}$'),
  content_hash text not null check (content_hash ~ '^[0-9a-f]{64}$'),
  snapshot jsonb not null,
  subject_name_zh text not null,
  subject_name_en text not null default '',
  provider_org_id uuid not null references organizations (id),
  provider_name_zh text not null,
  provider_name_en text not null default '',
  issued_at timestamptz not null,
  valid_until date not null,
  status text not null default 'valid' check (status in ('valid', 'revoked')),
  created_at timestamptz not null default now()
);
comment on table registration_certificates is 'Certificates of approved registrations: number, query code, SHA-256 of the RFC 8785 canonical JSON of the registered metadata.';

-- Gap-free yearly sequence of registration numbers (SF-2026-000123).
create table registration_number_counters (
  year integer primary key check (year between 2000 and 2999),
  last_value integer not null check (last_value > 0)
);
comment on table registration_number_counters is 'Last registration number issued per year.';
