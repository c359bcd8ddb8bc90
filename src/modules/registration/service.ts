// STUB — registration service (filled in by the registration module).
import type { AppContext } from '../../context.ts';

export class RegistrationService {
  constructor(readonly ctx: AppContext) {}
}
