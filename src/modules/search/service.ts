// STUB — search service (filled in by the search module).
import type { AppContext } from '../../context.ts';

export class SearchService {
  constructor(readonly ctx: AppContext) {}
}
