-- Government data sharing requests (政务数据共享申请, issue 6 §2; docs/sharing.md): a consumer department asks
-- for fields of a resource for a stated legal basis, purpose and scenario; the data authority's compliance
-- review, the provider's decision, negotiation and coordination follow with working-day deadlines; an approval
-- grants an entitlement (migrations/0011_entitlements.sql) in the same transaction.

-- Every figure of the sharing rules, editable by the data authority (each change is ledgered), with its source.
create table sharing_settings (
  key text primary key check (key ~ '^[a-z][a-z0-9_]{1,63}$'),
  value integer not null,
  min_value integer not null,
  max_value integer not null,
  unit text not null check (unit in ('working_days', 'days')),
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
comment on table sharing_settings is 'Figures of the sharing rules: time limits in working days, reminder lead, longest validity; each with its source.';

insert into sharing_settings (key, value, min_value, max_value, unit, label_zh, label_en, source_zh, source_en, platform_default) values
  ('compliance_days', 2, 1, 30, 'working_days',
   '符合性审查时限', 'Compliance review time limit',
   '山西省政务数据共享规则（sxgp.gov.cn，2024）：无条件共享和有条件共享申请，数据管理机构均在 2 个工作日内完成符合性审查。',
   'Shanxi government data sharing rules (sxgp.gov.cn, 2024): the data authority completes the compliance review of unconditional and conditional requests within 2 working days.',
   false),
  ('provider_days_on_platform', 5, 1, 60, 'working_days',
   '有条件共享：提供部门答复时限（数据已在平台）', 'Conditional sharing: provider answer time limit (data on the platform)',
   '山西省政务数据共享规则（2024）：有条件共享申请经符合性审查后转提供部门，数据已在平台的，提供部门 5 个工作日内答复；不同意共享的须说明理由。',
   'Shanxi sharing rules (2024): after the compliance review a conditional request goes to the provider, which answers within 5 working days when the data is already on the platform; a refusal must give reasons.',
   false),
  ('provider_days_to_publish', 10, 1, 60, 'working_days',
   '有条件共享：提供部门答复时限（数据尚未上平台）', 'Conditional sharing: provider answer time limit (data not yet on the platform)',
   '山西省政务数据共享规则（2024）：属于提供部门职责范围但尚未上平台的，10 个工作日内发布并答复；国办发〔2016〕51号 亦规定有条件共享 10 个工作日内答复（二手资料）。',
   'Shanxi sharing rules (2024): data within the provider''s duties but not yet on the platform is published and answered within 10 working days; 国办发〔2016〕51号 also gives 10 working days for conditional requests (secondary source).',
   false),
  ('negotiation_days', 5, 1, 60, 'working_days',
   '拒绝后协商时限', 'Negotiation time limit after a refusal',
   '平台默认值：山西规则规定“不予共享的，双方先行协商，协商不成由数据管理机构协调”，未规定协商时限；本平台给协商 5 个工作日，期满未达成一致自动转数据管理机构协调。',
   'Platform default: the Shanxi rules say that after a refusal the parties negotiate first and the data authority coordinates if they do not agree, without a time limit; the platform allows 5 working days, then hands the case to the authority automatically.',
   true),
  ('coordination_days', 10, 1, 60, 'working_days',
   '数据管理机构协调时限', 'Coordination time limit (data authority)',
   '平台默认值：政务数据共享条例规定争议协调机制，已掌握的文本未给出协调时限；本平台取 10 个工作日。',
   'Platform default: the 政务数据共享条例 provides for dispute coordination, but the texts we hold give no time limit; the platform uses 10 working days.',
   true),
  ('reminder_lead_days', 1, 0, 10, 'working_days',
   '到期提醒提前量', 'Reminder lead time',
   '平台默认值：在时限最后 N 个工作日的第一天 9:00 提醒责任人（1 = 到期当天上午；0 = 不提醒）。',
   'Platform default: the responsible users are reminded at 09:00 on the first of the last N working days of a time limit (1 = the morning of the due day; 0 = no reminder).',
   true),
  ('due_soon_days', 2, 0, 20, 'working_days',
   '看板“即将到期”范围', 'Dashboard "due soon" window',
   '平台默认值：时限在 N 个工作日内到期的申请在看板上标为即将到期。',
   'Platform default: requests whose time limit ends within N working days are shown as due soon.',
   true),
  ('max_validity_days', 1095, 1, 3650, 'days',
   '授权最长有效期', 'Longest validity of a grant',
   '平台默认值：已掌握的文本未规定共享授权的有效期上限；本平台取 3 年（1095 天），到期前可申请续期。',
   'Platform default: the texts we hold set no maximum validity for a sharing grant; the platform uses 3 years (1095 days), renewable before expiry.',
   true);

create sequence sharing_request_number_seq;

create table sharing_requests (
  id uuid primary key default gen_random_uuid(),
  -- GX-<year>-<6 digits>, shown to people (the id stays the key).
  number text not null unique,
  requester_org_id uuid not null references organizations (id) on delete restrict,
  requester_user_id uuid references users (id) on delete set null,
  -- The consumer's system that will call the gateway (the grant is narrowed to it), optional.
  application_id uuid references applications (id) on delete restrict,
  resource_id uuid not null references catalog_resources (id) on delete restrict,
  provider_org_id uuid not null references organizations (id) on delete restrict,
  -- The resource's share attribute when the request was made (unconditional → auto grant after compliance).
  share_mode text not null check (share_mode in ('unconditional', 'conditional')),
  fields text[] not null check (array_length(fields, 1) >= 1),
  actions text[] not null check (array_length(actions, 1) >= 1 and actions <@ array['query', 'verify', 'bulk', 'download']),
  legal_basis text not null check (length(legal_basis) between 1 and 1000),
  purpose text not null check (length(purpose) between 1 and 500),
  scenario text not null check (length(scenario) between 1 and 500),
  usage_scope text not null check (usage_scope in ('administrative_basis', 'work_reference', 'data_verification', 'business_collaboration')),
  valid_from timestamptz not null,
  valid_to timestamptz not null check (valid_to > valid_from),
  -- A renewal asks to continue this entitlement (issue 6 §3).
  renews_entitlement_id uuid references entitlements (id) on delete restrict,
  state text not null check (state in ('compliance_review', 'provider_review', 'provider_refused', 'negotiation', 'coordination', 'approved', 'rejected', 'withdrawn')),
  -- Set when the compliance review passes a conditional request: is the data already on the platform (5 vs 10 wd)?
  data_on_platform boolean,
  refusal_reason text check (length(refusal_reason) <= 2000),
  entitlement_id uuid references entitlements (id) on delete restrict,
  decided_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
comment on table sharing_requests is 'Sharing requests (共享申请) from consumer departments, through compliance review, provider decision, negotiation and coordination (issue 6 §2).';
create index sharing_requests_requester_idx on sharing_requests (requester_org_id, created_at desc);
create index sharing_requests_provider_idx on sharing_requests (provider_org_id, created_at desc);
create index sharing_requests_state_idx on sharing_requests (state, created_at desc);
-- One open request per organization and resource (a renewal is its own request).
create unique index sharing_requests_one_open on sharing_requests (requester_org_id, resource_id, coalesce(renews_entitlement_id, '00000000-0000-0000-0000-000000000000'::uuid))
  where state in ('compliance_review', 'provider_review', 'provider_refused', 'negotiation', 'coordination');

-- The timeline: every step and every negotiation message, append-only.
create table sharing_events (
  id bigint generated always as identity primary key,
  request_id uuid not null references sharing_requests (id),
  kind text not null check (kind in ('transition', 'message')),
  from_state text,
  to_state text,
  by_role text not null check (by_role in ('consumer', 'provider', 'authority', 'system')),
  actor_user_id uuid, -- no foreign key: rows of an append-only table never change (users are disabled, not deleted)
  actor_name text not null default '',
  comment text not null check (length(comment) between 1 and 2000),
  -- The decision's terms on an approval (fields, validity, quota, conditions), for the record.
  details jsonb not null default '{}',
  at timestamptz not null default now()
);
comment on table sharing_events is 'APPEND-ONLY: timeline of sharing requests, workflow steps and negotiation messages.';
create index sharing_events_request_idx on sharing_events (request_id, id);
create trigger sharing_events_no_change before update or delete on sharing_events
  for each row execute function shuyuan_refuse_change();
create trigger sharing_events_no_truncate before truncate on sharing_events
  for each statement execute function shuyuan_refuse_change();

create table sharing_deadlines (
  id uuid primary key default gen_random_uuid(),
  request_id uuid not null references sharing_requests (id),
  kind text not null check (kind in ('compliance', 'provider_decision', 'negotiation', 'coordination')),
  start_date date not null,
  working_days integer not null check (working_days >= 0),
  due_date date not null,
  due_at timestamptz not null,
  remind_at timestamptz,
  status text not null default 'open' check (status in ('open', 'met', 'cancelled', 'escalated')),
  reminded_at timestamptz,
  overdue_at timestamptz,
  closed_at timestamptz,
  created_at timestamptz not null default now()
);
comment on table sharing_deadlines is 'Working-day time limits of sharing requests (compliance review, provider decision, negotiation, coordination).';
create index sharing_deadlines_request_idx on sharing_deadlines (request_id, created_at);
create index sharing_deadlines_open_idx on sharing_deadlines (due_at) where status = 'open';
create unique index sharing_deadlines_one_open on sharing_deadlines (request_id, kind) where status = 'open';
