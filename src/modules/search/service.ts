// STUB — search service (filled in by the search module).
import type { AppContext } from '../../context.ts';
import type { Tx } from '../../db/database.ts';

export class SearchService {
  constructor(readonly ctx: AppContext) {}
  /** Recomputes a resource's search tokens inside the caller's transaction (the catalog calls it on every write). */
  async indexResource(_tx: Tx, _resourceId: string): Promise<void> {}
}
