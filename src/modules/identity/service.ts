// STUB
import type { Config } from '../../config.ts';
import type { Logger } from '../../context.ts';
import type { Db } from '../../db/database.ts';
import type { LedgerService } from '../ledger/service.ts';
import type { Authorizer } from './authorize.ts';
export class IdentityService {
  constructor(
    readonly db: Db,
    readonly config: Config,
    readonly ledger: LedgerService,
    readonly authz: Authorizer,
    readonly log: Logger,
  ) {}
  /** Seeds the demo organizations and one user per role; returns the demo logins. */
  async seedDemo(): Promise<import('../../seed.ts').DemoSummary> {
    throw new Error('not implemented');
  }
  /** Creates a user (CLI and admin API). */
  async createUser(_actor: import('./actor.ts').Actor, _input: { username: string; password: string; displayName: string; orgId?: string; orgCode?: string; roles: import('./actor.ts').Role[] }): Promise<{ id: string }> {
    throw new Error('not implemented');
  }
}
