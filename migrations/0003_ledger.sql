-- ledger (可信存证): the tamper-evident record of every change and every data access.
--
-- ledger_entries is a hash chain: entry n stores prev_hash = hash of entry n-1 (64 zeros for entry 1) and
-- hash = hex(SHA-256( UTF-8(JCS(entry)) || UTF-8(prev_hash) )), where JCS is RFC 8785 canonical JSON of
-- {seq, time, actorId, actorName, actorKind, orgId, action, objectType, objectId, purpose, details} and time is
-- ISO 8601 UTC with milliseconds ("2025-01-31T08:00:00.000Z"). See src/modules/ledger/hash.ts and src/modules/ledger/FORMAT.md.
-- Signed Merkle checkpoints (RFC 9162 tree heads, Ed25519) are stored in ledger_checkpoints.
--
-- The advisory lock key 0x53590003 ("SY" 3) serializes appends: it is taken by ledger_head() (the helper's
-- path) and again by the BEFORE INSERT trigger (any other path), inside the inserting transaction.

create table ledger_entries (
  seq bigint primary key check (seq >= 1),
  time timestamptz not null,
  actor_id text,
  actor_name text,
  actor_kind text not null check (actor_kind in ('user', 'api_key', 'system', 'anonymous')),
  org_id text,
  action text not null check (action <> ''),
  object_type text not null check (object_type <> ''),
  object_id text,
  purpose text,
  details jsonb not null default '{}'::jsonb,
  prev_hash text not null check (prev_hash ~ '^[0-9a-f]{64}$'),
  hash text not null unique check (hash ~ '^[0-9a-f]{64}$')
);
comment on table ledger_entries is 'APPEND-ONLY hash-chained ledger entries (可信存证). Never updated or deleted.';

create index ledger_entries_time_idx on ledger_entries (time);
create index ledger_entries_actor_idx on ledger_entries (actor_id, seq);
create index ledger_entries_org_idx on ledger_entries (org_id, seq);
create index ledger_entries_action_idx on ledger_entries (action, seq);
create index ledger_entries_object_idx on ledger_entries (object_type, object_id, seq);

-- The chain head for the next append, read AFTER taking the ledger lock: a VOLATILE function takes a fresh
-- snapshot for each statement (READ COMMITTED), so the head it returns includes every committed append.
-- time is clock_timestamp() truncated to milliseconds and never earlier than the previous entry's time.
create or replace function ledger_head() returns table (last_seq bigint, last_hash text, next_time timestamptz, isolation text)
language plpgsql volatile as $$
declare
  t timestamptz;
begin
  perform pg_advisory_xact_lock(1398341635); -- 0x53590003
  select e.seq, e.hash, e.time into last_seq, last_hash, t from ledger_entries e order by e.seq desc limit 1;
  if last_seq is null then
    last_seq := 0;
    last_hash := repeat('0', 64);
  end if;
  next_time := greatest(date_trunc('milliseconds', clock_timestamp()), t);
  isolation := current_setting('transaction_isolation');
  return next;
end
$$;

-- Every insert, whatever its path, must extend the chain: seq = last + 1, prev_hash = last hash, time not
-- earlier than the last entry's. (The hash itself is checked by `shuyuan ledger verify`.)
create or replace function ledger_check_append() returns trigger language plpgsql as $$
declare
  l_seq bigint;
  l_hash text;
  l_time timestamptz;
begin
  perform pg_advisory_xact_lock(1398341635);
  select e.seq, e.hash, e.time into l_seq, l_hash, l_time from ledger_entries e order by e.seq desc limit 1;
  if l_seq is null then
    l_seq := 0;
    l_hash := repeat('0', 64);
  end if;
  if new.seq is distinct from l_seq + 1 then
    raise exception 'ledger: seq % does not follow the last entry %', new.seq, l_seq using errcode = 'integrity_constraint_violation';
  end if;
  if new.prev_hash is distinct from l_hash then
    raise exception 'ledger: prev_hash of entry % is not the hash of entry %', new.seq, l_seq using errcode = 'integrity_constraint_violation';
  end if;
  if new.time <> date_trunc('milliseconds', new.time) then
    raise exception 'ledger: time of entry % has more than millisecond precision', new.seq using errcode = 'integrity_constraint_violation';
  end if;
  if l_time is not null and new.time < l_time then
    raise exception 'ledger: time of entry % is earlier than entry %', new.seq, l_seq using errcode = 'integrity_constraint_violation';
  end if;
  return new;
end
$$;

create trigger ledger_entries_append before insert on ledger_entries for each row execute function ledger_check_append();
create trigger ledger_entries_no_change before update or delete on ledger_entries for each row execute function shuyuan_refuse_change();
create trigger ledger_entries_no_truncate before truncate on ledger_entries for each statement execute function shuyuan_refuse_change();

-- Public keys that sign checkpoints (one per data directory that ever ran the platform). The private key
-- stays in <data dir>/keys/ledger-ed25519.pem; key_id = hex SHA-256 of the 32-byte raw public key.
create table ledger_keys (
  key_id text primary key check (key_id ~ '^[0-9a-f]{64}$'),
  algorithm text not null default 'Ed25519' check (algorithm = 'Ed25519'),
  public_key_pem text not null,
  created_at timestamptz not null default now()
);
comment on table ledger_keys is 'APPEND-ONLY public keys of the ledger checkpoint signers.';
create trigger ledger_keys_no_change before update or delete on ledger_keys for each row execute function shuyuan_refuse_change();
create trigger ledger_keys_no_truncate before truncate on ledger_keys for each statement execute function shuyuan_refuse_change();

-- Signed tree heads: root_hash = RFC 9162 MTH over the first tree_size entries (leaf = the entry's 32 hash
-- bytes); signature = Ed25519 over the statement described in src/modules/ledger/signing.ts.
create table ledger_checkpoints (
  tree_size bigint primary key check (tree_size >= 1),
  root_hash text not null check (root_hash ~ '^[0-9a-f]{64}$'),
  signed_at timestamptz not null,
  key_id text not null references ledger_keys (key_id),
  signature text not null
);
comment on table ledger_checkpoints is 'APPEND-ONLY signed Merkle tree heads of the ledger.';
create trigger ledger_checkpoints_no_change before update or delete on ledger_checkpoints for each row execute function shuyuan_refuse_change();
create trigger ledger_checkpoints_no_truncate before truncate on ledger_checkpoints for each statement execute function shuyuan_refuse_change();

-- Cache of perfect-subtree hashes (level >= 4, i.e. subtrees of 16 leaves and up) so proofs take O(log n)
-- lookups. Derived from ledger_entries by the checkpointer; not trusted (proofs are checked against signed roots).
create table ledger_merkle_nodes (
  level smallint not null check (level between 4 and 62),
  idx bigint not null check (idx >= 0),
  hash bytea not null check (length(hash) = 32),
  primary key (level, idx)
);
comment on table ledger_merkle_nodes is 'APPEND-ONLY cache of RFC 9162 perfect subtree hashes of the ledger (level = log2 of leaves covered).';
create trigger ledger_merkle_nodes_no_change before update or delete on ledger_merkle_nodes for each row execute function shuyuan_refuse_change();
