// STUB — durable jobs on pg-boss. The method signatures are the contract other modules rely on.
import type { Config } from '../../config.ts';
import type { AppContext, Logger } from '../../context.ts';
import type { Database } from '../../db/database.ts';

export interface JobHandlerOptions {
  retryLimit?: number;
  retryDelaySeconds?: number;
  expireInSeconds?: number;
}

export interface SendOptions {
  /** Run at or after this time (durable: survives restarts). */
  startAfter?: Date;
  /** At most one queued job with this key. */
  singletonKey?: string;
}

export interface JobInfo {
  id: string;
  queue: string;
  state: 'created' | 'retry' | 'active' | 'completed' | 'cancelled' | 'failed';
  data: unknown;
  output: unknown;
  createdAt: Date;
  completedAt: Date | null;
}

export class JobsService {
  constructor(
    readonly database: Database,
    readonly config: Config,
    readonly log: Logger,
  ) {}
  /** Declares a queue and its handler. Call before start() (services do it in their constructors). */
  define<T = unknown>(_queue: string, _handler: (data: T, job: { id: string }) => Promise<unknown>, _opts?: JobHandlerOptions): void {}
  async start(_ctx: AppContext): Promise<void> {}
  async stop(): Promise<void> {}
  async send<T = unknown>(_queue: string, _data: T, _opts?: SendOptions): Promise<string | null> {
    throw new Error('not implemented');
  }
  /** Cron schedule (UTC) for a defined queue. */
  async schedule(_queue: string, _cron: string, _data?: unknown): Promise<void> {}
  async getJob(_queue: string, _id: string): Promise<JobInfo | null> {
    return null;
  }
  async queueSizes(): Promise<Record<string, number>> {
    return {};
  }
}
