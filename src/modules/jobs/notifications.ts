// STUB — notifications.
import type { Config } from '../../config.ts';
import type { Logger } from '../../context.ts';
import type { Db } from '../../db/database.ts';
export class NotificationService {
  constructor(
    readonly db: Db,
    readonly config: Config,
    readonly log: Logger,
  ) {}
}
