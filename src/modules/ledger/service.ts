// The tamper-evident ledger (可信存证): hash-chained entries appended inside the caller's transaction, signed
// RFC 9162 Merkle checkpoints, proofs and full verification.
import type { Config } from '../../config.ts';
import type { Logger } from '../../context.ts';
import type { Db, Tx } from '../../db/database.ts';
import type { Actor } from '../identity/actor.ts';
import type { JobsService } from '../jobs/service.ts';
import { entryHash, normalizeDetails } from './hash.ts';
import * as repo from './repository.ts';

export interface LedgerAppend {
  actor: Actor;
  /** Dotted verb, e.g. 'auth.login', 'user.create', 'org.update'. */
  action: string;
  objectType: string;
  objectId?: string | null;
  /** Defaults to the actor's organization. */
  orgId?: string | null;
  purpose?: string | null;
  details?: Record<string, unknown>;
}

export class LedgerService {
  constructor(
    readonly db: Db,
    readonly config: Config,
    readonly log: Logger,
    readonly jobs: JobsService,
  ) {}

  /**
   * Appends one entry inside the caller's transaction (the change and its record commit together). Takes the
   * ledger lock until that transaction ends, so call it last. Needs READ COMMITTED (the default).
   */
  async append(tx: Tx, entry: LedgerAppend): Promise<{ seq: number; hash: string }> {
    const { actor } = entry;
    const details = normalizeDetails(entry.details);
    const head = await repo.lockHead(tx);
    if (head.isolation !== 'read committed') {
      throw new Error(`ledger.append needs a READ COMMITTED transaction (got ${head.isolation})`);
    }
    const seq = head.lastSeq + 1;
    const row: repo.EntryRow = {
      seq,
      time: head.nextTime,
      actorId: actor.userId ?? null,
      actorName: actor.displayName ?? actor.username ?? null,
      actorKind: actor.kind,
      orgId: entry.orgId === undefined ? (actor.orgId ?? null) : entry.orgId,
      action: entry.action,
      objectType: entry.objectType,
      objectId: entry.objectId ?? null,
      purpose: entry.purpose ?? null,
      details,
      prevHash: head.lastHash,
      hash: '',
    };
    row.hash = entryHash({ ...row, time: row.time.toISOString() }, row.prevHash);
    await repo.insertEntry(tx, row);
    return { seq, hash: row.hash };
  }

  async init(): Promise<void> {}

  /** Recomputes the chain and the signed checkpoints; names the first entry that does not verify. */
  async verify(
    _onProgress?: (checked: number, total: number) => void,
  ): Promise<{ ok: boolean; entries: number; checkpoints: number; firstBad?: { seq: number; reason: string } }> {
    throw new Error('not implemented');
  }

  async stop(): Promise<void> {}
}
