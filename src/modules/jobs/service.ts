// STUB — durable jobs on pg-boss.
import type { Config } from '../../config.ts';
import type { AppContext, Logger } from '../../context.ts';
import type { Database } from '../../db/database.ts';
export class JobsService {
  constructor(
    readonly database: Database,
    readonly config: Config,
    readonly log: Logger,
  ) {}
  async start(_ctx: AppContext): Promise<void> {}
  async stop(): Promise<void> {}
  async queueSizes(): Promise<Record<string, number>> {
    return {};
  }
}
