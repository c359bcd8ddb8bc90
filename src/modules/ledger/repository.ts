// The ledger's tables and the only SQL of the module.
import { sql, type Generated } from 'kysely';
import type { Tx } from '../../db/database.ts';

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
