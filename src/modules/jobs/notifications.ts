// STUB — notifications.
import type { Config } from '../../config.ts';
import type { Logger } from '../../context.ts';
import type { Db } from '../../db/database.ts';
import type { JobsService } from './service.ts';
export class NotificationService {
  constructor(
    readonly db: Db,
    readonly config: Config,
    readonly log: Logger,
    readonly jobs: JobsService,
  ) {}
}
