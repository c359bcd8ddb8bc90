-- Identity: the organization tree, users and their roles, login sessions, API keys for machine clients.
-- Secrets are never stored in the clear: passwords as scrypt hashes, session and CSRF tokens as SHA-256
-- digests, API-key secrets as a SHA-256 digest plus an AES-256-GCM ciphertext under the master key of the
-- data directory (see src/modules/identity/apikeys.ts for why the server must be able to recover them).

create table organizations (
  id uuid primary key default gen_random_uuid(),
  parent_id uuid references organizations (id),
  code text not null check (code ~ '^[A-Za-z0-9_-]{1,32}$'),
  name_zh text not null check (length(name_zh) between 1 and 200),
  name_en text not null default '' check (length(name_en) <= 200),
  kind text not null check (kind in ('authority', 'department', 'unit', 'operator', 'company', 'public')),
  -- 统一社会信用代码 (GB 32100), optional; validated with its check digits by the service.
  credit_code text check (credit_code ~ '^[0-9A-HJ-NP-RTUWXY]{18}$'),
  status text not null default 'active' check (status in ('active', 'disabled')),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  check (parent_id is null or parent_id <> id)
);
comment on table organizations is 'Organization tree: data authority, departments and their units, operators, companies, the public.';
create unique index organizations_code_key on organizations (upper(code));
create unique index organizations_credit_code_key on organizations (credit_code) where credit_code is not null;
create index organizations_parent_idx on organizations (parent_id);

create table users (
  id uuid primary key default gen_random_uuid(),
  username text not null check (username ~ '^[A-Za-z0-9][A-Za-z0-9._@-]{1,63}$'),
  display_name text not null check (length(display_name) between 1 and 100),
  org_id uuid not null references organizations (id),
  -- scrypt$N$r$p$salt(base64)$hash(base64)
  password_hash text not null,
  status text not null default 'active' check (status in ('active', 'disabled')),
  failed_logins integer not null default 0,
  locked_until timestamptz,
  password_changed_at timestamptz not null default now(),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  last_login_at timestamptz
);
comment on table users is 'People who log in. Usernames are unique case-insensitively.';
create unique index users_username_key on users (lower(username));
create index users_org_idx on users (org_id);

create table user_roles (
  user_id uuid not null references users (id) on delete cascade,
  role text not null check (role in ('authority_admin', 'provider_clerk', 'consumer_clerk', 'operator', 'public_user', 'auditor', 'security_officer')),
  primary key (user_id, role)
);
create index user_roles_role_idx on user_roles (role);

create table sessions (
  -- hex SHA-256 of the random session token in the sy_session cookie; the token itself is never stored.
  id text primary key check (id ~ '^[0-9a-f]{64}$'),
  user_id uuid not null references users (id) on delete cascade,
  -- hex SHA-256 of the CSRF token (double-submit: sy_csrf cookie = x-csrf-token header).
  csrf_hash text not null,
  created_at timestamptz not null default now(),
  last_seen_at timestamptz not null default now(),
  expires_at timestamptz not null,
  ip text,
  user_agent text,
  revoked_at timestamptz
);
create index sessions_user_idx on sessions (user_id) where revoked_at is null;
create index sessions_expires_idx on sessions (expires_at);

create table api_keys (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references users (id) on delete cascade,
  name text not null check (length(name) between 1 and 100),
  app_key text not null unique,
  -- hex SHA-256 of the AppSecret (fingerprint shown in listings; lets an operator check a leaked secret).
  secret_sha256 text not null,
  -- base64(iv 12 | tag 16 | ciphertext) of the AppSecret under AES-256-GCM with <dataDir>/keys/master.key,
  -- app_key as additional authenticated data (a ciphertext cannot be moved to another key's row).
  secret_enc text not null,
  created_at timestamptz not null default now(),
  last_used_at timestamptz,
  revoked_at timestamptz
);
create index api_keys_user_idx on api_keys (user_id);

-- Nonces of signed API requests, remembered for the signature window (replay protection).
create table api_key_nonces (
  app_key text not null,
  nonce text not null,
  seen_at timestamptz not null default now(),
  primary key (app_key, nonce)
);
create index api_key_nonces_seen_idx on api_key_nonces (seen_at);
