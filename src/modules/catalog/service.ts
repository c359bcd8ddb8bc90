// STUB — catalog service (filled in by the catalog module).
import type { AppContext } from '../../context.ts';

export class CatalogService {
  constructor(readonly ctx: AppContext) {}
}
