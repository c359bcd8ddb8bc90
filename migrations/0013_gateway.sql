-- The data gateway (issue 6 §3–§6, docs/sharing.md): application keys, the exchange log (X-Road pattern: message
-- id, request and response hashes bound together, a hash chain checkpointed into the ledger), bulk extracts,
-- and the keyed tokens of the data subjects whose records the gateway returned ("who used my data").

-- An API key may belong to an application (应用系统) of the key owner's organization: its signed calls act as
-- that application, so entitlements narrowed to the application (entitlements.holder_application_id) match.
alter table api_keys add column application_id uuid references applications (id) on delete restrict;
create index api_keys_application_idx on api_keys (application_id) where application_id is not null;

-- A person's own 公民身份号码 (real-name identity of a public user), for the data-subject view only.
alter table users add column id_number text check (id_number ~ '^\d{17}[\dX]$');

-- One row per gateway call, allowed or refused. hash = SHA-256(UTF-8(body) || prev_hash), body being the
-- canonical JSON (RFC 8785) of the row's recorded fields (gateway/log.ts canonicalLogBody); seq without gaps.
create table gateway_log (
  seq bigint primary key check (seq >= 1),
  message_id uuid not null unique,
  at timestamptz not null,
  client_org_id uuid,
  application_id uuid,
  user_id uuid,
  api_key_id uuid,
  service text not null check (service in ('records', 'verify', 'extract', 'extract_file', 'extract_manifest', 'extract_status')),
  resource_id uuid,
  provider_org_id uuid,
  entitlement_id uuid,
  purpose text,
  business_ref text check (length(business_ref) <= 200),
  fields text[] not null default '{}',
  row_count integer not null default 0,
  request_bytes integer not null default 0,
  response_bytes integer not null default 0,
  duration_ms real not null default 0,
  status integer not null,
  outcome text not null check (outcome in ('ok', 'refused', 'error')),
  error_code text,
  -- Per-service facts: verification verdict counts, extract id, quota reset time.
  detail jsonb not null default '{}',
  request_hash text not null check (request_hash ~ '^[0-9a-f]{64}$'),
  response_hash text not null check (response_hash ~ '^[0-9a-f]{64}$'),
  body text not null,
  prev_hash text not null check (prev_hash ~ '^[0-9a-f]{64}$'),
  hash text not null check (hash ~ '^[0-9a-f]{64}$')
);
create index gateway_log_at_idx on gateway_log (at);
create index gateway_log_client_idx on gateway_log (client_org_id, at);
create index gateway_log_provider_idx on gateway_log (provider_org_id, at);
create index gateway_log_resource_idx on gateway_log (resource_id, at);
create index gateway_log_entitlement_idx on gateway_log (entitlement_id, service, at) where entitlement_id is not null;
comment on table gateway_log is 'APPEND-ONLY. Exchange log of the data gateway: every call, hash-chained, checkpointed into the ledger.';

-- Verification misses (no_match + not_found) per grant and minute, counted with the log rows (same transaction):
-- the enumeration watch sums at most ten rows here instead of every verification of the last ten minutes.
create table gateway_verify_misses (
  entitlement_id uuid not null,
  minute timestamptz not null,
  misses integer not null check (misses >= 0),
  primary key (entitlement_id, minute)
);
comment on table gateway_verify_misses is 'Counter: verification misses per entitlement and minute (enumeration watch).';

-- Appends one log row under a transaction-scoped advisory lock: seq = last + 1, prev_hash = last hash, hash over
-- the body the caller canonicalized. One round trip per call; the lock is held until the caller's commit.
create function gateway_log_append(
  p_message_id uuid, p_at timestamptz, p_client_org_id uuid, p_application_id uuid, p_user_id uuid, p_api_key_id uuid,
  p_service text, p_resource_id uuid, p_provider_org_id uuid, p_entitlement_id uuid, p_purpose text, p_business_ref text,
  p_fields text[], p_row_count integer, p_request_bytes integer, p_response_bytes integer, p_duration_ms real,
  p_status integer, p_outcome text, p_error_code text, p_detail jsonb, p_request_hash text, p_response_hash text, p_body text,
  p_subject_tokens text[]
) returns table (seq bigint, hash text) language plpgsql as $$
declare
  v_seq bigint;
  v_prev text;
  v_hash text;
begin
  perform pg_advisory_xact_lock(1398341637); -- 0x53590005
  select g.seq, g.hash into v_seq, v_prev from gateway_log g order by g.seq desc limit 1;
  v_seq := coalesce(v_seq, 0) + 1;
  v_prev := coalesce(v_prev, repeat('0', 64));
  v_hash := encode(sha256(convert_to(p_body, 'UTF8') || convert_to(v_prev, 'UTF8')), 'hex');
  insert into gateway_log values (v_seq, p_message_id, p_at, p_client_org_id, p_application_id, p_user_id, p_api_key_id,
    p_service, p_resource_id, p_provider_org_id, p_entitlement_id, p_purpose, p_business_ref, coalesce(p_fields, '{}'),
    p_row_count, p_request_bytes, p_response_bytes, p_duration_ms, p_status, p_outcome, p_error_code, coalesce(p_detail, '{}'),
    p_request_hash, p_response_hash, p_body, v_prev, v_hash);
  if p_subject_tokens is not null and array_length(p_subject_tokens, 1) > 0 then
    insert into gateway_subject_uses (token, message_id, at)
    select distinct t, p_message_id, p_at from unnest(p_subject_tokens) as t on conflict do nothing;
  end if;
  return query select v_seq, v_hash;
end $$;

-- Many rows in one statement (the group commit of src/modules/gateway/log-writer.ts): the same chaining, in the
-- array's order, one round trip for the batch instead of one per row.
create function gateway_log_append_many(p_rows jsonb) returns table (seq bigint, hash text) language plpgsql as $$
declare
  x jsonb;
  r record;
begin
  for x in select e.value from jsonb_array_elements(p_rows) with ordinality as e(value, i) order by e.i loop
    select a.seq, a.hash into r from gateway_log_append((x->>'messageId')::uuid, (x->>'at')::timestamptz,
      (x->>'clientOrgId')::uuid, (x->>'applicationId')::uuid, (x->>'userId')::uuid, (x->>'apiKeyId')::uuid, x->>'service',
      (x->>'resourceId')::uuid, (x->>'providerOrgId')::uuid, (x->>'entitlementId')::uuid, x->>'purpose', x->>'businessRef',
      array(select jsonb_array_elements_text(x->'fields')), (x->>'rowCount')::integer, (x->>'requestBytes')::integer,
      (x->>'responseBytes')::integer, (x->>'durationMs')::real, (x->>'status')::integer, x->>'outcome', x->>'errorCode',
      x->'detail', x->>'requestHash', x->>'responseHash', x->>'body', array(select jsonb_array_elements_text(x->'subjectTokens'))) a;
    seq := r.seq;
    hash := r.hash;
    return next;
  end loop;
end $$;

create function gateway_log_refuse_change() returns trigger language plpgsql as $$
begin
  raise exception 'gateway_log is append-only';
end $$;
create trigger gateway_log_no_update before update or delete on gateway_log for each row execute function gateway_log_refuse_change();
create trigger gateway_log_no_truncate before truncate on gateway_log for each statement execute function gateway_log_refuse_change();

-- Checkpoints of the log into the ledger: the RFC 9162 Merkle root over the row hashes of seq (from_seq, to_seq]
-- and the chain head, written as the ledger entry gateway.log.checkpoint (ledger_seq).
create table gateway_log_checkpoints (
  to_seq bigint primary key,
  from_seq bigint not null check (from_seq >= 0 and from_seq < to_seq),
  root_hash text not null,
  head_hash text not null,
  ledger_seq bigint not null,
  created_at timestamptz not null default now()
);
comment on table gateway_log_checkpoints is 'APPEND-ONLY. Merkle roots of exchange-log batches, each recorded in the ledger.';

-- Keyed tokens (HMAC-SHA256 with <dataDir>/keys/subject.key, never the plain identifier) of the data subjects
-- whose records a gateway call returned or verified.
create table gateway_subject_uses (
  token text not null,
  message_id uuid not null references gateway_log (message_id),
  at timestamptz not null,
  primary key (token, message_id)
);
create index gateway_subject_uses_token_idx on gateway_subject_uses (token, at desc);
comment on table gateway_subject_uses is 'APPEND-ONLY. Which gateway calls returned records about a data subject (keyed tokens).';

-- Bulk delivery (批量交付): an extract of the granted, masked fields of one version, made by a durable job.
create table gateway_extracts (
  id uuid primary key default gen_random_uuid(),
  resource_id uuid not null,
  dataset_id uuid,
  client_org_id uuid not null,
  application_id uuid,
  user_id uuid,
  api_key_id uuid,
  -- The actor that asked, as JSON (the job reads through the gate as that actor).
  actor jsonb not null,
  mode text not null check (mode in ('full', 'incremental')),
  since_version integer,
  format text not null check (format in ('csv', 'parquet')),
  business_ref text check (length(business_ref) <= 200),
  state text not null default 'queued' check (state in ('queued', 'running', 'done', 'failed')),
  error_code text,
  version integer,
  entitlement_id uuid,
  file_key text,
  file_bytes bigint,
  row_count bigint,
  sha256 text,
  manifest jsonb,
  created_at timestamptz not null default now(),
  finished_at timestamptz
);
create index gateway_extracts_client_idx on gateway_extracts (client_org_id, created_at desc);
comment on table gateway_extracts is 'Bulk delivery jobs of the data gateway: file, manifest and checksum.';
