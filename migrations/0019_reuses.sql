-- Reuses (应用展示, issue 7 §4; docs/portal-feedback.md): an app, story, paper or visualization built on open
-- datasets, linked both ways, moderated by the data authority (pending → published | rejected with a reason); only
-- published ones are public; featured ones go on the portal home page.
create table reuses (
  id uuid primary key default gen_random_uuid(),
  title text not null check (length(title) between 1 and 200),
  description text not null check (length(description) between 1 and 4000),
  kind text not null check (kind in ('app', 'story', 'paper', 'visualization')),
  -- http(s) only (checked by the service too: no javascript: or data: links).
  url text not null check (length(url) <= 2000 and url ~* '^https?://'),
  image_url text check (image_url is null or (length(image_url) <= 2000 and image_url ~* '^https?://')),
  submitted_by uuid not null references users (id),
  status text not null default 'pending' check (status in ('pending', 'published', 'rejected')),
  reject_reason text check (reject_reason is null or length(reject_reason) <= 2000),
  moderated_by uuid references users (id),
  moderated_at timestamptz,
  featured boolean not null default false,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  check (status <> 'rejected' or reject_reason is not null),
  check (not featured or status = 'published')
);
comment on table reuses is 'Reuses (应用展示) of open datasets; public once the authority publishes them.';
create index reuses_status_idx on reuses (status, created_at desc);
create index reuses_featured_idx on reuses (created_at desc) where featured;

create table reuse_datasets (
  reuse_id uuid not null references reuses (id) on delete cascade,
  resource_id uuid not null references catalog_resources (id) on delete cascade,
  primary key (reuse_id, resource_id)
);
create index reuse_datasets_resource_idx on reuse_datasets (resource_id);
