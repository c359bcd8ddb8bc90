-- Conditional open applications (有条件开放申请, issue 7 §2; docs/open-applications.md): a company, researcher or
-- citizen asks for fields of a resource opened on conditions, for a purpose, scenario and period, with security
-- measures and documents; the provider department reviews within working days (approve / reject with reasons /
-- ask for more); an approval signs an agreement (terms, validity, usage-report obligation) and grants an
-- entitlement (migrations/0011_entitlements.sql, origin 'open_agreement') in the same transaction; usage reports
-- fall due on a schedule and an overdue report suspends the entitlement.

-- Every figure of the rules, editable by the data authority (each change is ledgered), with its source.
create table openapply_settings (
  key text primary key check (key ~ '^[a-z][a-z0-9_]{1,63}$'),
  value integer not null,
  min_value integer not null,
  max_value integer not null,
  unit text not null check (unit in ('working_days', 'days')),
  label_zh text not null,
  label_en text not null,
  source_zh text not null,
  source_en text not null,
  platform_default boolean not null,
  updated_by uuid references users (id) on delete set null,
  updated_at timestamptz not null default now(),
  check (min_value <= max_value and value between min_value and max_value)
);
comment on table openapply_settings is 'Figures of the conditional-open rules: review and supplement time limits, report interval and grace; each with its source.';

insert into openapply_settings (key, value, min_value, max_value, unit, label_zh, label_en, source_zh, source_en, platform_default) values
  ('review_days', 10, 1, 60, 'working_days',
   '提供部门审核时限', 'Provider review time limit',
   '《关于加快公共数据资源开发利用的意见》（2024）二（二）要求“依法依规有序开放公共数据”，未规定审核时限；青岛市 2025 年公共数据开放细则规定开放主体审核有条件开放申请，校核申请 5 个工作日内完成、可延长至 10 个工作日（研究资料 §9.1，二手资料）。本平台取上限 10 个工作日。',
   'Opinions on public data resources (2024) §II(2) ask for opening "in order, according to law" without a time limit; the Qingdao 2025 open-data rules make the opening body review conditional applications, with checks done in 5 working days, extendable to 10 (research §9.1, secondary source). The platform uses the upper bound, 10 working days.',
   true),
  ('supplement_days', 10, 1, 60, 'working_days',
   '补充材料时限', 'Time limit to supplement',
   '平台默认值：已掌握的文本未规定补正期限；申请人在 10 个工作日内补充材料并重新提交，逾期申请自动终止（可重新申请）。',
   'Platform default: the texts we hold set no time limit to supplement; the applicant supplements and resubmits within 10 working days, after which the application lapses (a new one may be filed).',
   true),
  ('reminder_lead_days', 1, 0, 10, 'working_days',
   '到期提醒提前量', 'Reminder lead time',
   '平台默认值：在时限最后 N 个工作日的第一天 9:00 提醒责任人（0 = 不提醒）。',
   'Platform default: the responsible users are reminded at 09:00 on the first of the last N working days (0 = no reminder).',
   true),
  ('due_soon_days', 2, 0, 20, 'working_days',
   '“即将到期”范围', '"Due soon" window',
   '平台默认值：时限在 N 个工作日内到期的申请标为即将到期。',
   'Platform default: applications whose time limit ends within N working days are shown as due soon.',
   true),
  ('max_validity_days', 365, 1, 1825, 'days',
   '协议最长有效期', 'Longest validity of an agreement',
   '平台默认值：已掌握的文本未规定有条件开放协议的有效期上限；本平台取 1 年，期满可重新申请。',
   'Platform default: the texts we hold set no maximum validity for a conditional-open agreement; the platform uses one year, after which the applicant applies again.',
   true),
  ('report_interval_days', 90, 1, 366, 'days',
   '利用情况报告周期（默认）', 'Usage report interval (default)',
   '青岛市公共数据管理办法及 2025 细则：利用主体使用有条件开放数据应报告数据利用情况、成果与效益（研究资料 §9.1）；周期未规定，本平台默认每 90 天一次，审核时可按协议调整。',
   'Qingdao public data rules (2025): users of conditionally opened data report their use, results and benefits (research §9.1); no interval is given, so the platform asks every 90 days by default, adjustable per agreement.',
   true),
  ('report_grace_days', 5, 0, 30, 'working_days',
   '利用情况报告宽限期', 'Usage report grace period',
   '平台默认值：报告到期后 5 个工作日内仍未提交的，暂停授权（《意见》五（十二）要求加强开发利用全过程的监督和管理）；提交报告后由提供部门恢复。',
   'Platform default: a report still missing 5 working days after it was due suspends the entitlement (Opinions §V(12): supervise the whole process of use); once it is submitted the provider reinstates it.',
   true);

create sequence open_application_number_seq;

create table open_applications (
  id uuid primary key default gen_random_uuid(),
  -- KF-<year>-<6 digits>, shown to people (the id stays the key).
  number text not null unique,
  applicant_user_id uuid not null references users (id) on delete restrict,
  applicant_org_id uuid not null references organizations (id) on delete restrict,
  applicant_kind text not null check (applicant_kind in ('company', 'researcher', 'citizen')),
  resource_id uuid not null references catalog_resources (id) on delete restrict,
  provider_org_id uuid not null references organizations (id) on delete restrict,
  fields text[] not null check (array_length(fields, 1) >= 1),
  purpose text not null check (length(purpose) between 1 and 1000),
  scenario text not null check (length(scenario) between 1 and 1000),
  security_measures text not null check (length(security_measures) between 1 and 2000),
  period_from timestamptz not null,
  period_to timestamptz not null check (period_to > period_from),
  state text not null check (state in ('provider_review', 'supplement', 'approved', 'rejected', 'withdrawn', 'lapsed')),
  -- What the provider asked for (the last "ask for more") and the refusal reason.
  supplement_request text check (length(supplement_request) <= 2000),
  refusal_reason text check (length(refusal_reason) <= 2000),
  decided_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
comment on table open_applications is 'Conditional open applications (有条件开放申请) from companies, researchers and citizens (issue 7 §2).';
create index open_applications_applicant_idx on open_applications (applicant_user_id, created_at desc);
create index open_applications_provider_idx on open_applications (provider_org_id, created_at desc);
create index open_applications_state_idx on open_applications (state, created_at desc);
-- One open application per applicant and resource.
create unique index open_applications_one_open on open_applications (applicant_user_id, resource_id)
  where state in ('provider_review', 'supplement');

-- The timeline: every step, append-only.
create table open_application_events (
  id bigint generated always as identity primary key,
  application_id uuid not null references open_applications (id),
  from_state text,
  to_state text not null,
  by_role text not null check (by_role in ('applicant', 'provider', 'authority', 'system')),
  actor_user_id uuid, -- no foreign key: rows of an append-only table never change
  actor_name text not null default '',
  comment text not null check (length(comment) between 1 and 2000),
  details jsonb not null default '{}',
  at timestamptz not null default now()
);
comment on table open_application_events is 'APPEND-ONLY: timeline of conditional open applications.';
create index open_application_events_app_idx on open_application_events (application_id, id);
create trigger open_application_events_no_change before update or delete on open_application_events
  for each row execute function shuyuan_refuse_change();
create trigger open_application_events_no_truncate before truncate on open_application_events
  for each statement execute function shuyuan_refuse_change();

create table open_application_deadlines (
  id uuid primary key default gen_random_uuid(),
  application_id uuid not null references open_applications (id),
  kind text not null check (kind in ('review', 'supplement')),
  start_date date not null,
  working_days integer not null check (working_days >= 0),
  due_date date not null,
  due_at timestamptz not null,
  remind_at timestamptz,
  status text not null default 'open' check (status in ('open', 'met', 'cancelled', 'lapsed')),
  reminded_at timestamptz,
  overdue_at timestamptz,
  closed_at timestamptz,
  created_at timestamptz not null default now()
);
comment on table open_application_deadlines is 'Working-day time limits of conditional open applications (provider review, applicant supplement).';
create index open_application_deadlines_app_idx on open_application_deadlines (application_id, created_at);
create unique index open_application_deadlines_one_open on open_application_deadlines (application_id, kind) where status = 'open';

-- Documents the applicant uploaded (qualification, security plan, …), kept in the object store.
create table open_application_documents (
  id uuid primary key default gen_random_uuid(),
  application_id uuid not null references open_applications (id),
  stage text not null check (stage in ('application', 'supplement', 'report')),
  file_name text not null check (length(file_name) between 1 and 255),
  content_type text not null check (content_type in ('application/pdf', 'image/png', 'image/jpeg')),
  size bigint not null check (size > 0),
  sha256 text not null,
  object_key text not null,
  uploaded_by uuid references users (id) on delete set null,
  created_at timestamptz not null default now()
);
create index open_application_documents_app_idx on open_application_documents (application_id, created_at);

create sequence open_agreement_number_seq;

-- The data use agreement (数据利用协议) an approval signs; its entitlement carries the right itself.
create table open_agreements (
  id uuid primary key default gen_random_uuid(),
  number text not null unique,
  application_id uuid not null unique references open_applications (id),
  entitlement_id uuid unique references entitlements (id) on delete restrict,
  terms text not null check (length(terms) between 1 and 4000),
  fields text[] not null,
  actions text[] not null,
  valid_from timestamptz not null,
  valid_to timestamptz not null check (valid_to > valid_from),
  report_every_days integer not null check (report_every_days between 1 and 366),
  report_grace_days integer not null check (report_grace_days between 0 and 30),
  approved_by uuid references users (id) on delete set null,
  created_at timestamptz not null default now()
);
comment on table open_agreements is 'Data use agreements (数据利用协议) of approved conditional open applications; the entitlement is the right.';

-- Usage reports (利用情况报告), one row per period: due, then submitted (or overdue → entitlement suspended).
create table open_usage_reports (
  id uuid primary key default gen_random_uuid(),
  agreement_id uuid not null references open_agreements (id),
  period_no integer not null check (period_no >= 1),
  due_date date not null,
  -- End of the grace period (due date + grace working days, end of that China day): overdue from then.
  grace_until timestamptz not null,
  status text not null default 'due' check (status in ('due', 'submitted', 'overdue_submitted', 'overdue')),
  content text check (length(content) <= 10000),
  submitted_at timestamptz,
  submitted_by uuid references users (id) on delete set null,
  overdue_at timestamptz,
  created_at timestamptz not null default now(),
  unique (agreement_id, period_no)
);
create index open_usage_reports_agreement_idx on open_usage_reports (agreement_id, period_no);
