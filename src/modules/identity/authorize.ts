// STUB — the one authorization entry point.
import type { Db } from '../../db/database.ts';
import type { Actor } from './actor.ts';

export interface AuthzObject {
  type: string;
  id?: string | null;
  /** Organization that owns the object (scope checks). */
  orgId?: string | null;
  /** User the object belongs to (self-service checks). */
  userId?: string | null;
}

export class Authorizer {
  constructor(readonly db: Db) {}
  async authorize(_actor: Actor, _action: string, _object?: AuthzObject): Promise<void> {
    throw new Error('not implemented');
  }
}
