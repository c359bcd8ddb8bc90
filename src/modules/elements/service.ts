// STUB — elements service (filled in by the elements module).
import type { AppContext } from '../../context.ts';

export class ElementsService {
  constructor(readonly ctx: AppContext) {}
}
