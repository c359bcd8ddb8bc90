// Verification of one aligned chunk of the ledger: entries (start, start + size], chained from the hash of
// entry `start`. Chunks are independent, so several run at once (worker threads, see service.verify), and
// their Merkle frontiers combine: the chunk size is a power of two, so the frontier of the whole tree at
// any size inside chunk k is the frontier of chunks 0..k-1 followed by the chunk's own local frontier.
import type { Executor } from '../../db/database.ts';
import { GENESIS_HASH, entryHash } from './hash.ts';
import { MerkleFrontier, leafHashHex } from './merkle.ts';
import { entriesForVerify, hashesOf } from './repository.ts';

export type VerifyFailure =
  | 'ENTRY_MISSING'
  | 'PREV_HASH_MISMATCH'
  | 'HASH_MISMATCH'
  | 'CHECKPOINT_ROOT_MISMATCH'
  | 'CHECKPOINT_SIGNATURE_INVALID'
  | 'CHECKPOINT_KEY_UNKNOWN'
  | 'CHECKPOINT_BEYOND_END';

export interface ChunkTask {
  index: number;
  /** Entries start+1 .. end. */
  start: number;
  end: number;
  /** Checkpoint tree sizes inside (start, end]: the local frontier is reported at each. */
  checkpointSizes: number[];
}

export interface ChunkResult {
  index: number;
  /** Entries that verified, from start+1 on without interruption. */
  verified: number;
  bad?: { seq: number; code: VerifyFailure; reason: string };
  /** Local frontier (levels and hex hashes, largest first) at each checkpoint size reached, and at the end. */
  frontiers: Array<{ treeSize: number; nodes: Array<{ level: number; hash: string }> }>;
}

const BATCH = 10_000;

const snapshot = (f: MerkleFrontier) => f.stack.map((n) => ({ level: n.level, hash: n.hash }));

export async function verifyChunk(db: Executor, task: ChunkTask): Promise<ChunkResult> {
  const { start, end } = task;
  let prevHash = start === 0 ? GENESIS_HASH : ((await hashesOf(db, [start])).get(start) ?? null);
  const frontier = new MerkleFrontier();
  const frontiers: ChunkResult['frontiers'] = [];
  let cp = 0;
  let expected = start + 1;
  const result = (bad?: ChunkResult['bad']): ChunkResult => {
    frontiers.push({ treeSize: expected - 1, nodes: snapshot(frontier) });
    return { index: task.index, verified: expected - 1 - start, bad, frontiers };
  };
  let next = entriesForVerify(db, start, Math.min(BATCH, end - start));
  while (expected <= end) {
    const rows = await next;
    const last = rows.at(-1)?.seq ?? end;
    next = last < end ? entriesForVerify(db, last, Math.min(BATCH, end - last)) : Promise.resolve([]);
    const stop = (bad: ChunkResult['bad']) => {
      next.catch(() => undefined);
      return result(bad);
    };
    if (!rows.length || rows[0]!.seq > end) {
      return stop({ seq: expected, code: 'ENTRY_MISSING', reason: `entry #${expected} is missing` });
    }
    for (const r of rows) {
      if (r.seq > end) break;
      if (r.seq !== expected) {
        return stop({
          seq: expected,
          code: 'ENTRY_MISSING',
          reason: `entry #${expected} is missing (the sequence jumps from #${expected - 1} to #${r.seq})`,
        });
      }
      if (r.prev_hash !== prevHash) {
        return stop({
          seq: r.seq,
          code: 'PREV_HASH_MISMATCH',
          reason: `prev_hash of entry #${r.seq} is not the hash of entry #${r.seq - 1}`,
        });
      }
      const h = entryHash(
        {
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
          details: r.details,
        },
        r.prev_hash,
      );
      if (h !== r.hash) {
        return stop({
          seq: r.seq,
          code: 'HASH_MISMATCH',
          reason: `entry #${r.seq} was changed after it was written (its content does not match its hash)`,
        });
      }
      frontier.pushLeafHash(leafHashHex(h));
      prevHash = h;
      expected++;
      while (cp < task.checkpointSizes.length && task.checkpointSizes[cp]! < r.seq) cp++;
      if (cp < task.checkpointSizes.length && task.checkpointSizes[cp] === r.seq) {
        frontiers.push({ treeSize: r.seq, nodes: snapshot(frontier) });
        cp++;
      }
    }
  }
  return result();
}
