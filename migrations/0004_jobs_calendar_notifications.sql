-- Jobs, working-day calendar and notifications.
-- The durable job queue itself (pg-boss) lives in its own schema 'pgboss', created and migrated by pg-boss
-- when the platform starts (src/modules/jobs/service.ts); nothing of it is declared here.

-- Admin overrides of the working-day calendar; they win over the statutory holiday data of the package.
create table calendar_overrides (
  date date primary key,
  kind text not null check (kind in ('workday', 'holiday')),
  note text not null default '' check (length(note) <= 200),
  created_by uuid references users (id) on delete set null,
  created_at timestamptz not null default now()
);
comment on table calendar_overrides is 'Working-day calendar overrides set by the data authority (workday or holiday on one date).';

-- The in-app inbox: one row per recipient. E-mail copies are sent by the notify.email job.
create table notifications (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references users (id) on delete cascade,
  kind text not null check (kind ~ '^[a-z0-9_.-]{1,64}$'),
  title_zh text not null check (length(title_zh) between 1 and 200),
  title_en text not null check (length(title_en) between 1 and 200),
  body_zh text not null default '' check (length(body_zh) <= 4000),
  body_en text not null default '' check (length(body_en) <= 4000),
  link text check (link is null or length(link) <= 500),
  created_at timestamptz not null default now(),
  read_at timestamptz
);
comment on table notifications is 'In-app inbox of each user (deadline reminders, workflow steps, system messages).';
create index notifications_user_created_idx on notifications (user_id, created_at desc, id);
create index notifications_user_unread_idx on notifications (user_id) where read_at is null;

-- Notification e-mail goes to this address (identity's users table has none of its own yet).
alter table users add column if not exists email text check (email is null or email ~ '^[^@\s]+@[^@\s]+$');
