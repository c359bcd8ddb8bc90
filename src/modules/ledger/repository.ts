// The ledger's tables and the only SQL of the module.
import { sql, type Generated } from 'kysely';
import type { Executor, Tx } from '../../db/database.ts';

export interface LedgerEntriesTable {
  seq: number;
  time: Date;
  actor_id: string | null;
  actor_name: string | null;
  actor_kind: string;
  org_id: string | null;
  action: string;
  object_type: string;
  object_id: string | null;
  purpose: string | null;
  details: Generated<unknown>;
  prev_hash: string;
  hash: string;
}

export interface LedgerKeysTable {
  key_id: string;
  algorithm: Generated<string>;
  public_key_pem: string;
  created_at: Generated<Date>;
}

export interface LedgerCheckpointsTable {
  tree_size: number;
  root_hash: string;
  signed_at: Date;
  key_id: string;
  signature: string;
}

export interface LedgerMerkleNodesTable {
  level: number;
  idx: number;
  hash: Buffer;
}

export interface LedgerTables {
  ledger_entries: LedgerEntriesTable;
  ledger_keys: LedgerKeysTable;
  ledger_checkpoints: LedgerCheckpointsTable;
  ledger_merkle_nodes: LedgerMerkleNodesTable;
}

/** Advisory lock of the checkpointer (one checkpoint at a time across processes). "SY" 3, 2. */
export const CHECKPOINT_LOCK = 0x5359_0032;

export interface Head {
  lastSeq: number;
  lastHash: string;
  nextTime: Date;
  isolation: string;
}

/** Takes the ledger lock (until the transaction ends) and reads the chain head, in one round trip. */
export async function lockHead(tx: Tx): Promise<Head> {
  const { rows } = await sql<{
    last_seq: number;
    last_hash: string;
    next_time: Date;
    isolation: string;
  }>`select * from ledger_head()`.execute(tx);
  const r = rows[0]!;
  return { lastSeq: r.last_seq, lastHash: r.last_hash, nextTime: r.next_time, isolation: r.isolation };
}

export interface EntryRow {
  seq: number;
  time: Date;
  actorId: string | null;
  actorName: string | null;
  actorKind: string;
  orgId: string | null;
  action: string;
  objectType: string;
  objectId: string | null;
  purpose: string | null;
  details: Record<string, unknown>;
  prevHash: string;
  hash: string;
}

export async function insertEntry(tx: Tx, e: EntryRow): Promise<void> {
  await tx
    .insertInto('ledger_entries')
    .values({
      seq: e.seq,
      time: e.time,
      actor_id: e.actorId,
      actor_name: e.actorName,
      actor_kind: e.actorKind,
      org_id: e.orgId,
      action: e.action,
      object_type: e.objectType,
      object_id: e.objectId,
      purpose: e.purpose,
      details: JSON.stringify(e.details),
      prev_hash: e.prevHash,
      hash: e.hash,
    })
    .execute();
}

// ---------------------------------------------------------------------------------------------------------
// Reading entries

const ENTRY_COLUMNS = [
  'seq',
  'time',
  'actor_id',
  'actor_name',
  'actor_kind',
  'org_id',
  'action',
  'object_type',
  'object_id',
  'purpose',
  'details',
  'prev_hash',
  'hash',
] as const;

type RawEntry = Pick<LedgerEntriesTable, Exclude<(typeof ENTRY_COLUMNS)[number], 'details'>> & { details: unknown };

function toEntry(r: RawEntry): EntryRow {
  return {
    seq: r.seq,
    time: r.time,
    actorId: r.actor_id,
    actorName: r.actor_name,
    actorKind: r.actor_kind,
    orgId: r.org_id,
    action: r.action,
    objectType: r.object_type,
    objectId: r.object_id,
    purpose: r.purpose,
    details: r.details as Record<string, unknown>,
    prevHash: r.prev_hash,
    hash: r.hash,
  };
}

export interface EntryFilters {
  /** User id, or part of the actor's name. */
  actor?: string;
  org?: string;
  /** Exact action, or a prefix: 'user' matches 'user.create'. */
  action?: string;
  objectType?: string;
  objectId?: string;
  from?: Date;
  to?: Date;
}

function filtered(db: Executor, f: EntryFilters) {
  let q = db.selectFrom('ledger_entries');
  if (f.actor) {
    const actor = f.actor;
    q = q.where((eb) => eb.or([eb('actor_id', '=', actor), eb('actor_name', 'ilike', `%${actor.replace(/[\\%_]/g, (c) => '\\' + c)}%`)]));
  }
  if (f.org) q = q.where('org_id', '=', f.org);
  if (f.action) {
    const action = f.action;
    q = q.where((eb) => eb.or([eb('action', '=', action), eb('action', 'like', `${action.replace(/[\\%_]/g, (c) => '\\' + c)}.%`)]));
  }
  if (f.objectType) q = q.where('object_type', '=', f.objectType);
  if (f.objectId) q = q.where('object_id', '=', f.objectId);
  if (f.from) q = q.where('time', '>=', f.from);
  if (f.to) q = q.where('time', '<', f.to);
  return q;
}

export async function listEntries(
  db: Executor,
  f: EntryFilters,
  offset: number,
  limit: number,
): Promise<{ items: EntryRow[]; total: number }> {
  const [rows, count] = await Promise.all([
    filtered(db, f).select(ENTRY_COLUMNS).orderBy('seq', 'desc').offset(offset).limit(limit).execute(),
    filtered(db, f)
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow(),
  ]);
  return { items: rows.map(toEntry), total: Number(count.n) };
}

/** Newest first, `limit` entries older than `beforeSeq` (keyset pagination for exports). */
export async function entriesBefore(db: Executor, f: EntryFilters, beforeSeq: number | null, limit: number): Promise<EntryRow[]> {
  let q = filtered(db, f).select(ENTRY_COLUMNS);
  if (beforeSeq !== null) q = q.where('seq', '<', beforeSeq);
  const rows = await q.orderBy('seq', 'desc').limit(limit).execute();
  return rows.map(toEntry);
}

export async function entryBySeq(db: Executor, seq: number): Promise<EntryRow | null> {
  const r = await db.selectFrom('ledger_entries').select(ENTRY_COLUMNS).where('seq', '=', seq).executeTakeFirst();
  return r ? toEntry(r) : null;
}

export async function maxSeq(db: Executor): Promise<number> {
  const r = await db
    .selectFrom('ledger_entries')
    .select((eb) => eb.fn.max<number | null>('seq').as('m'))
    .executeTakeFirstOrThrow();
  return r.m ?? 0;
}

export async function entryTime(db: Executor, seq: number): Promise<Date | null> {
  const r = await db.selectFrom('ledger_entries').select('time').where('seq', '=', seq).executeTakeFirst();
  return r?.time ?? null;
}

/** Hashes of entries fromSeq..toSeq (inclusive), in order. */
export async function hashesBetween(db: Executor, fromSeq: number, toSeq: number): Promise<string[]> {
  if (toSeq < fromSeq) return [];
  const rows = await db
    .selectFrom('ledger_entries')
    .select('hash')
    .where('seq', '>=', fromSeq)
    .where('seq', '<=', toSeq)
    .orderBy('seq')
    .execute();
  return rows.map((r) => r.hash);
}

export async function hashesOf(db: Executor, seqs: number[]): Promise<Map<number, string>> {
  if (!seqs.length) return new Map();
  const rows = await db.selectFrom('ledger_entries').select(['seq', 'hash']).where('seq', 'in', seqs).execute();
  return new Map(rows.map((r) => [r.seq, r.hash]));
}

/** Rows as verification reads them: time already formatted the way it was hashed. */
export interface VerifyRow {
  seq: number;
  time: string;
  actor_id: string | null;
  actor_name: string | null;
  actor_kind: string;
  org_id: string | null;
  action: string;
  object_type: string;
  object_id: string | null;
  purpose: string | null;
  details: Record<string, unknown>;
  prev_hash: string;
  hash: string;
}

export async function entriesForVerify(db: Executor, afterSeq: number, limit: number): Promise<VerifyRow[]> {
  const { rows } = await sql<VerifyRow>`
    select seq, to_char(time at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as time, actor_id, actor_name, actor_kind,
           org_id, action, object_type, object_id, purpose, details, prev_hash, hash
    from ledger_entries where seq > ${afterSeq} order by seq limit ${limit}`.execute(db);
  return rows;
}

export async function countEntries(db: Executor): Promise<number> {
  const r = await db
    .selectFrom('ledger_entries')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

// ---------------------------------------------------------------------------------------------------------
// Keys, checkpoints, Merkle nodes

export async function insertKey(db: Executor, keyId: string, publicKeyPem: string): Promise<void> {
  await db
    .insertInto('ledger_keys')
    .values({ key_id: keyId, public_key_pem: publicKeyPem })
    .onConflict((oc) => oc.column('key_id').doNothing())
    .execute();
}

export async function allKeys(db: Executor): Promise<Array<{ keyId: string; publicKeyPem: string }>> {
  const rows = await db.selectFrom('ledger_keys').select(['key_id', 'public_key_pem']).execute();
  return rows.map((r) => ({ keyId: r.key_id, publicKeyPem: r.public_key_pem }));
}

export interface CheckpointRow {
  treeSize: number;
  rootHash: string;
  signedAt: Date;
  keyId: string;
  signature: string;
}

const CP_COLUMNS = ['tree_size', 'root_hash', 'signed_at', 'key_id', 'signature'] as const;
const toCp = (r: LedgerCheckpointsTable): CheckpointRow => ({
  treeSize: r.tree_size,
  rootHash: r.root_hash,
  signedAt: r.signed_at,
  keyId: r.key_id,
  signature: r.signature,
});

export async function lockCheckpoints(tx: Tx): Promise<void> {
  await sql`select pg_advisory_xact_lock(${CHECKPOINT_LOCK})`.execute(tx);
}

export async function lastCheckpoint(db: Executor): Promise<CheckpointRow | null> {
  const r = await db.selectFrom('ledger_checkpoints').select(CP_COLUMNS).orderBy('tree_size', 'desc').limit(1).executeTakeFirst();
  return r ? toCp(r) : null;
}

export async function checkpointAt(db: Executor, treeSize: number): Promise<CheckpointRow | null> {
  const r = await db.selectFrom('ledger_checkpoints').select(CP_COLUMNS).where('tree_size', '=', treeSize).executeTakeFirst();
  return r ? toCp(r) : null;
}

export async function allCheckpoints(db: Executor): Promise<CheckpointRow[]> {
  const rows = await db.selectFrom('ledger_checkpoints').select(CP_COLUMNS).orderBy('tree_size').execute();
  return rows.map(toCp);
}

export async function listCheckpoints(db: Executor, offset: number, limit: number): Promise<{ items: CheckpointRow[]; total: number }> {
  const [rows, count] = await Promise.all([
    db.selectFrom('ledger_checkpoints').select(CP_COLUMNS).orderBy('tree_size', 'desc').offset(offset).limit(limit).execute(),
    db
      .selectFrom('ledger_checkpoints')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow(),
  ]);
  return { items: rows.map(toCp), total: Number(count.n) };
}

export async function insertCheckpoint(tx: Tx, cp: CheckpointRow): Promise<void> {
  await tx
    .insertInto('ledger_checkpoints')
    .values({ tree_size: cp.treeSize, root_hash: cp.rootHash, signed_at: cp.signedAt, key_id: cp.keyId, signature: cp.signature })
    .execute();
}

export async function merkleNodes(db: Executor, wanted: Array<{ level: number; index: number }>): Promise<Map<string, Buffer>> {
  if (!wanted.length) return new Map();
  const levels = wanted.map((w) => w.level);
  const idxs = wanted.map((w) => w.index);
  const { rows } = await sql<{ level: number; idx: number; hash: Buffer }>`
    select n.level, n.idx, n.hash from ledger_merkle_nodes n
    join unnest(${levels}::smallint[], ${idxs}::bigint[]) as w(level, idx) on w.level = n.level and w.idx = n.idx`.execute(db);
  return new Map(rows.map((r) => [`${r.level}:${r.idx}`, r.hash]));
}

export async function insertMerkleNodes(tx: Tx, nodes: Array<{ level: number; index: number; hash: Buffer }>): Promise<void> {
  for (let i = 0; i < nodes.length; i += 5000) {
    const part = nodes.slice(i, i + 5000);
    await sql`insert into ledger_merkle_nodes (level, idx, hash)
      select * from unnest(${part.map((n) => n.level)}::smallint[], ${part.map((n) => n.index)}::bigint[], ${part.map((n) => n.hash)}::bytea[])
      on conflict do nothing`.execute(tx);
  }
}
