-- Open data portal feedback (issue 7 §3; docs/portal-feedback.md): public demands (需求征集) on the demand list of
-- migrations/0006 (resource_demands, extended here rather than duplicated), error reports (纠错/数据异议) pinned to a
-- dataset version, and the public thread of both. Deadlines in working days are durable jobs (src/modules/jobs);
-- the figures live in feedback_settings with their sources (Opinions §II.2: "鼓励建立公共数据开放需求受理反馈机制";
-- §III.4: "实现数据质量可反馈、使用过程可追溯、数据异议可处置").

create table feedback_settings (
  key text primary key check (key ~ '^[a-z][a-z0-9_]{1,63}$'),
  value integer not null,
  min_value integer not null,
  max_value integer not null,
  unit text not null check (unit in ('working_days', 'days', 'count')),
  label_zh text not null,
  label_en text not null,
  source_zh text not null,
  source_en text not null,
  platform_default boolean not null,
  updated_by uuid references users (id) on delete set null,
  updated_at timestamptz not null default now(),
  check (min_value <= max_value and value between min_value and max_value)
);
comment on table feedback_settings is 'Figures of the portal feedback rules (demand and error-report answer time limits, submission limits), each with its source.';

insert into feedback_settings (key, value, min_value, max_value, unit, label_zh, label_en, source_zh, source_en, platform_default) values
  ('demand_answer_days', 10, 1, 60, 'working_days',
   '开放需求答复时限', 'Demand answer time limit',
   '《关于加快公共数据资源开发利用的意见》（2024）二（二）“鼓励建立公共数据开放需求受理反馈机制”，未规定时限；平台默认 10 个工作日，与有条件开放/共享申请的答复时限同一量级（国办发〔2016〕51号 有条件共享 10 个工作日，二手资料）。',
   'Opinions (2024) §II.2 encourage "an acceptance and feedback mechanism for needs for open access to public data" without a time limit; the platform uses 10 working days, the order of the answer limits for conditional requests (国办发〔2016〕51号: 10 working days for conditional sharing, secondary source).',
   true),
  ('error_answer_days', 5, 1, 30, 'working_days',
   '数据纠错（异议）答复时限', 'Error report answer time limit',
   '《意见》三（四）要求“数据异议可处置”；青岛市 2025 年公共数据开放细则：校核申请 5 个工作日内完成（可延长至 10 个工作日）（见 research/open_data_anchors.md §9.1，二手资料）。',
   'Opinions §III.4 ask that "data objections can be handled"; Qingdao 2025 open data rules: a verification request is completed within 5 working days (extendable to 10) (research/open_data_anchors.md §9.1, secondary source).',
   false),
  ('reminder_lead_days', 1, 0, 10, 'working_days',
   '到期提醒提前量', 'Reminder lead time',
   '平台默认值：在时限最后 N 个工作日的第一天 9:00 提醒答复部门（0 = 不提醒）。',
   'Platform default: the answering department is reminded at 09:00 on the first of the last N working days (0 = no reminder).',
   true),
  ('max_submissions_per_hour', 10, 1, 1000, 'count',
   '每位用户每小时可提交的需求、纠错和应用成果数', 'Demands, error reports and reuses one user may submit per hour',
   '平台默认值：限制刷量和垃圾内容；超出时返回 429。',
   'Platform default: limits floods and spam; beyond it the answer is 429.',
   true);

-- Demands raised on the public portal: what is asked (a dataset not open yet, or a format/field/frequency of an
-- existing resource), whether it is on the public board, how it was answered, and its answer deadline.
alter table resource_demands
  add column demand_kind text not null default 'dataset' check (demand_kind in ('dataset', 'format', 'field', 'frequency')),
  add column resource_id uuid references catalog_resources (id) on delete set null,
  add column public_listed boolean not null default false,
  add column answer_kind text check (answer_kind in ('accepted', 'rejected', 'available')),
  add column planned_date date,
  add column answer_resource_id uuid references catalog_resources (id) on delete set null,
  add column vote_count integer not null default 0 check (vote_count >= 0),
  add column working_days integer,
  add column due_date date,
  add column due_at timestamptz,
  add column reminded_at timestamptz,
  add column overdue_at timestamptz;
create index resource_demands_public_idx on resource_demands (created_at desc) where public_listed;

-- One "+1" per user and demand (the count is kept on the demand in the same transaction).
create table demand_votes (
  demand_id uuid not null references resource_demands (id) on delete cascade,
  user_id uuid not null references users (id) on delete cascade,
  created_at timestamptz not null default now(),
  primary key (demand_id, user_id)
);

-- 纠错/数据异议: an error reported on a dataset version (optionally a row and a field); the provider answers.
create sequence error_report_number_seq;
create table error_reports (
  id uuid primary key default gen_random_uuid(),
  -- JC-<year>-<6 digits>, shown to people.
  number text not null unique,
  resource_id uuid not null references catalog_resources (id) on delete restrict,
  dataset_id uuid not null references datasets (id) on delete restrict,
  version integer not null check (version >= 1),
  row_number bigint check (row_number is null or row_number >= 1),
  field text check (field is null or length(field) between 1 and 200),
  kind text not null check (kind in ('wrong_value', 'stale', 'broken_file', 'other')),
  description text not null check (length(description) between 1 and 2000),
  reporter_id uuid not null references users (id),
  provider_org_id uuid not null references organizations (id),
  -- open → accepted → corrected; open → rejected; open → needs_info → open (the reporter adds information).
  status text not null default 'open' check (status in ('open', 'accepted', 'rejected', 'needs_info', 'corrected')),
  answer text not null default '' check (length(answer) <= 2000),
  answered_by uuid references users (id),
  -- First answer (any of accepted, rejected, needs_info): the end of "time to answer".
  responded_at timestamptz,
  fixed_version integer check (fixed_version is null or fixed_version > version),
  corrected_at timestamptz,
  working_days integer not null,
  due_date date not null,
  due_at timestamptz not null,
  reminded_at timestamptz,
  overdue_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
comment on table error_reports is 'Error reports (纠错/数据异议) on a dataset version, answered by the provider within a deadline.';
create index error_reports_resource_idx on error_reports (resource_id, created_at desc);
create index error_reports_provider_idx on error_reports (provider_org_id, status);
create index error_reports_reporter_idx on error_reports (reporter_id, created_at desc);

-- The public thread of a demand or an error report: what was said and done, in order.
create table feedback_events (
  id bigserial primary key,
  subject_type text not null check (subject_type in ('demand', 'error_report')),
  subject_id uuid not null,
  action text not null check (length(action) between 1 and 40),
  by_role text not null check (by_role in ('requester', 'department', 'authority', 'system')),
  by_user uuid references users (id) on delete set null,
  text text not null default '' check (length(text) <= 2000),
  details jsonb not null default '{}',
  created_at timestamptz not null default now()
);
create index feedback_events_subject_idx on feedback_events (subject_type, subject_id, id);
