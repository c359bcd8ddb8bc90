// STUB — to be implemented (ledger helper). Signatures are the contract other modules rely on.
import type { Config } from '../../config.ts';
import type { Logger } from '../../context.ts';
import type { Db, Tx } from '../../db/database.ts';
import type { Actor } from '../identity/actor.ts';
import type { JobsService } from '../jobs/service.ts';

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
  /** Appends one entry inside the caller's transaction (the change and its record commit together). */
  async append(_tx: Tx, _entry: LedgerAppend): Promise<{ seq: number; hash: string }> {
    throw new Error('not implemented');
  }
  async init(): Promise<void> {}
  /** Recomputes the chain and the signed checkpoints; names the first entry that does not verify. */
  async verify(_onProgress?: (checked: number, total: number) => void): Promise<{ ok: boolean; entries: number; checkpoints: number; firstBad?: { seq: number; reason: string } }> {
    throw new Error('not implemented');
  }
  async stop(): Promise<void> {}
}
