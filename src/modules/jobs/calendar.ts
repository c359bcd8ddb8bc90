// STUB — working-day calendar.
import type { Db } from '../../db/database.ts';
import type { LedgerService } from '../ledger/service.ts';
export class CalendarService {
  constructor(
    readonly db: Db,
    readonly ledger: LedgerService,
  ) {}
}
