// Durable jobs on pg-boss 10, in the platform's own PostgreSQL (schema 'pgboss'): timers, retries, schedules
// and deadlines that survive restarts. Several processes may run workers on the same database; pg-boss hands
// each job to exactly one of them.
//
// pg-boss connects with the owner credentials of DATABASE_URL (it creates and migrates its schema). The
// restricted application role gets just enough on that schema to enqueue jobs inside a module's own
// transaction (sendInTx): a job then exists if and only if the change that asked for it committed.
import { CompiledQuery, sql } from 'kysely';
import PgBoss from 'pg-boss';
import pg from 'pg';
import type { Config } from '../../config.ts';
import type { AppContext, Logger } from '../../context.ts';
import { APP_ROLE, type Database, type Executor } from '../../db/database.ts';

export interface JobHandlerOptions {
  retryLimit?: number;
  retryDelaySeconds?: number;
  /** Double the delay after each failed attempt. */
  retryBackoff?: boolean;
  expireInSeconds?: number;
  /** Jobs of this queue one process runs at the same time (default 1). */
  concurrency?: number;
}

export interface SendOptions {
  /** Run at or after this time (durable: survives restarts). */
  startAfter?: Date;
  /**
   * At most one job with this key waiting or running in the queue: sending again while one is there does
   * nothing and returns null (enforced under a lock, across processes).
   */
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
  startAfter?: Date;
  retryCount?: number;
  singletonKey?: string | null;
}

export interface DeadlineRequest<T = unknown> {
  /** Identifies the deadline, e.g. `application:42:review`. One pending job per key and queue. */
  key: string;
  /** When the job becomes due (compute it with ctx.calendar.deadlineAt for working-day deadlines). */
  dueAt: Date;
  queue: string;
  data: T;
  /** Cancel a pending deadline with the same key first (reschedule). Default false: keep the existing one. */
  replace?: boolean;
}

export interface JobsServiceOptions {
  /** How often an idle worker asks for work (seconds, ≥ 0.5; default 2). */
  pollingIntervalSeconds?: number;
  /** How long stop() waits for running jobs before failing them back to the queue (ms; default 5000). */
  stopTimeoutMs?: number;
  /** How often cron schedules are evaluated (seconds; default 30). */
  cronMonitorIntervalSeconds?: number;
}

type Handler = (data: unknown, job: { id: string }) => Promise<unknown>;
interface Definition {
  handler: Handler;
  opts: JobHandlerOptions;
}

const SCHEMA = 'pgboss';
const ADVISORY_NAMESPACE = 0x5359_0004; // "SY" 4: singleton sends

/** Removes credentials from an error before it is logged (URLs with user:password, long tokens). */
export function safeError(e: unknown): { name: string; message: string; code?: string } {
  const err = e instanceof Error ? e : new Error(String(e));
  const message = err.message.replace(/\/\/[^/@\s]*@/g, '//***@').slice(0, 500);
  const code = (err as { code?: unknown }).code;
  return { name: err.name, message, ...(typeof code === 'string' ? { code } : {}) };
}

/** A pg-boss `db` that runs its SQL on a Kysely executor (the caller's transaction). */
function bossDb(db: Executor): PgBoss.Db {
  return {
    async executeSql(text: string, values: unknown[]) {
      const res = await db.executeQuery(CompiledQuery.raw(text, values ?? []));
      return { rows: res.rows as unknown[] as never[] };
    },
  };
}

export class JobsService {
  private readonly defs = new Map<string, Definition>();
  private readonly schedules: Array<{ queue: string; cron: string; data: unknown; tz?: string }> = [];
  private readonly knownQueues = new Set<string>();
  private boss: PgBoss | null = null;
  private booting: Promise<PgBoss> | null = null;
  private workersStarted = false;
  /** Set by stop(): a send after that must not boot a new pg-boss that nobody stops (it keeps the process alive). */
  private stopped = false;
  private readonly opts: Required<JobsServiceOptions>;

  constructor(
    readonly database: Database,
    readonly config: Config,
    readonly log: Logger,
    opts: JobsServiceOptions = {},
  ) {
    this.opts = {
      pollingIntervalSeconds: opts.pollingIntervalSeconds ?? 2,
      stopTimeoutMs: opts.stopTimeoutMs ?? 5000,
      cronMonitorIntervalSeconds: opts.cronMonitorIntervalSeconds ?? 30,
    };
  }

  /** Declares a queue and its handler. Call before start() (services do it in their constructors). */
  define<T = unknown>(queue: string, handler: (data: T, job: { id: string }) => Promise<unknown>, opts: JobHandlerOptions = {}): void {
    if (this.defs.has(queue)) throw new Error(`job queue ${queue} is defined twice`);
    this.defs.set(queue, { handler: handler as Handler, opts });
    if (this.workersStarted) {
      // Late definition: create the queue and its workers now.
      void this.ensureBoss()
        .then(async (boss) => {
          await this.ensureQueue(boss, queue);
          await this.work(boss, queue);
        })
        .catch((e: unknown) => this.log.error({ queue, err: safeError(e) }, 'could not start the workers of a late-defined job queue'));
    }
  }

  get running(): boolean {
    return this.workersStarted;
  }

  /** Starts pg-boss (installing its schema on first use), the workers of every defined queue and the schedules. */
  async start(_ctx?: AppContext): Promise<void> {
    this.stopped = false;
    const boss = await this.ensureBoss();
    if (this.workersStarted) return;
    this.workersStarted = true;
    for (const queue of this.defs.keys()) await this.work(boss, queue);
    for (const s of this.schedules.splice(0)) await boss.schedule(s.queue, s.cron, (s.data ?? {}) as object, s.tz ? { tz: s.tz } : {});
  }

  /** Stops workers gracefully: running jobs get up to stopTimeoutMs to finish, then go back to the queue. */
  async stop(): Promise<void> {
    this.stopped = true;
    const boss = this.boss ?? (await this.booting?.catch(() => null)) ?? null;
    this.boss = null;
    this.booting = null;
    this.workersStarted = false;
    this.knownQueues.clear();
    if (boss) await boss.stop({ graceful: true, wait: true, close: true, timeout: this.opts.stopTimeoutMs });
  }

  /** Enqueues a job (on pg-boss's own connection). Returns its id, or null when a singleton is already queued. */
  async send<T = unknown>(queue: string, data: T, opts: SendOptions = {}): Promise<string | null> {
    const boss = await this.ensureBoss();
    await this.ensureQueue(boss, queue);
    if (opts.singletonKey) {
      return this.database.db.transaction().execute((tx) => this.insertInTx(boss, tx, queue, data, opts));
    }
    return boss.send(queue, toPayload(data), this.sendOptions(queue, opts));
  }

  /**
   * Enqueues a job inside the caller's transaction: it exists only if the transaction commits, and no
   * worker can see it before then. Use this from services whose change asks for later work (e-mail, timers).
   */
  async sendInTx<T = unknown>(tx: Executor, queue: string, data: T, opts: SendOptions = {}): Promise<string | null> {
    const boss = await this.ensureBoss();
    await this.ensureQueue(boss, queue);
    if (tx.isTransaction) return this.insertInTx(boss, tx, queue, data, opts);
    return this.database.db.transaction().execute((t) => this.insertInTx(boss, t, queue, data, opts));
  }

  /**
   * A durable deadline: a job of `queue` that runs at or after `dueAt`, at most one pending per key, still
   * fired when the process was down at the due time (the next process to start runs it).
   */
  async scheduleDeadline<T = unknown>(req: DeadlineRequest<T>, tx?: Executor): Promise<string | null> {
    const boss = await this.ensureBoss();
    await this.ensureQueue(boss, req.queue);
    const run = async (t: Executor) => {
      if (req.replace) await this.cancelPending(t, req.queue, req.key);
      return this.insertInTx(boss, t, req.queue, req.data, { startAfter: req.dueAt, singletonKey: req.key });
    };
    return tx?.isTransaction ? run(tx) : this.database.db.transaction().execute(run);
  }

  /** Cancels the pending (not yet running) deadline with this key; returns how many jobs were cancelled. */
  async cancelDeadline(queue: string, key: string, tx?: Executor): Promise<number> {
    const boss = await this.ensureBoss();
    await this.ensureQueue(boss, queue);
    return tx?.isTransaction
      ? this.cancelPending(tx, queue, key)
      : this.database.db.transaction().execute((t) => this.cancelPending(t, queue, key));
  }

  /** Cron schedule (UTC unless tz is given) for a defined queue. Before start() it is applied at start. */
  async schedule(queue: string, cron: string, data?: unknown, opts: { tz?: string } = {}): Promise<void> {
    if (!this.boss) {
      this.schedules.push({ queue, cron, data, ...opts });
      return;
    }
    await this.ensureQueue(this.boss, queue);
    await this.boss.schedule(queue, cron, toPayload(data ?? {}), opts.tz ? { tz: opts.tz } : {});
  }

  async unschedule(queue: string): Promise<void> {
    const boss = await this.ensureBoss();
    await boss.unschedule(queue);
  }

  async getJob(queue: string, id: string): Promise<JobInfo | null> {
    if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id)) return null;
    const boss = await this.ensureBoss();
    const job = await boss.getJobById(queue, id, { includeArchive: true });
    if (!job) return null;
    return {
      id: job.id,
      queue: job.name,
      state: job.state,
      data: job.data,
      output: job.output ?? null,
      createdAt: job.createdOn,
      completedAt: job.completedOn ?? null,
      startAfter: job.startAfter,
      retryCount: job.retryCount,
      singletonKey: job.singletonKey,
    };
  }

  /** Jobs waiting (created or retry) in each queue — for /metrics. Empty before pg-boss started. */
  async queueSizes(): Promise<Record<string, number>> {
    const boss = this.boss;
    if (!boss) return {};
    const out: Record<string, number> = {};
    for (const q of this.defs.keys()) out[q] = 0;
    const { rows } = await boss
      .getDb()
      .executeSql(`select name, count(*)::int as n from ${SCHEMA}.job where state < 'active' group by name`, []);
    for (const r of rows as Array<{ name: string; n: number }>) out[r.name] = r.n;
    return out;
  }

  // -------------------------------------------------------------------------------------------------------
  private async ensureBoss(): Promise<PgBoss> {
    if (this.boss) return this.boss;
    if (this.stopped) throw new Error('the job service is stopped');
    this.booting ??= this.boot().then(
      (b) => {
        this.boss = b;
        return b;
      },
      (e: unknown) => {
        this.booting = null;
        throw e;
      },
    );
    return this.booting;
  }

  private async boot(): Promise<PgBoss> {
    const boss = new PgBoss({
      connectionString: this.database.url,
      schema: SCHEMA,
      application_name: 'shuyuan-jobs',
      max: 4,
      supervise: true,
      schedule: true,
      migrate: true,
      cronMonitorIntervalSeconds: this.opts.cronMonitorIntervalSeconds,
    });
    boss.on('error', (e) => this.log.error({ component: 'jobs', err: safeError(e) }, 'job queue error'));
    // pg-boss's start creates its own queues (a partition of pgboss.job each) while another process may be
    // granting the application role on pgboss.job: both rewrite that table's catalog row and one fails with
    // "tuple concurrently updated". The whole boot runs under one cross-process lock.
    await this.underBootLock(async () => {
      await boss.start();
      await this.grantAppRole(boss);
      for (const queue of this.defs.keys()) await this.createQueue(boss, queue);
    });
    return boss;
  }

  /** Runs fn holding the session advisory lock that serializes queue DDL across processes. */
  private async underBootLock<T>(fn: () => Promise<T>): Promise<T> {
    const lock = new pg.Client({ connectionString: this.database.url });
    await lock.connect();
    try {
      await lock.query('select pg_advisory_lock($1, 0)', [ADVISORY_NAMESPACE]);
      return await fn();
    } finally {
      await lock.query('select pg_advisory_unlock($1, 0)', [ADVISORY_NAMESPACE]).catch(() => undefined);
      await lock.end();
    }
  }

  /** Lets the application role enqueue, read and cancel jobs inside its own transactions. */
  private async grantAppRole(boss: PgBoss): Promise<void> {
    await boss.getDb().executeSql(
      `do $$ begin
         if exists (select 1 from pg_roles where rolname = '${APP_ROLE}') and current_user <> '${APP_ROLE}' then
           grant usage on schema ${SCHEMA} to ${APP_ROLE};
           grant select on ${SCHEMA}.queue to ${APP_ROLE};
           grant select, insert, update on ${SCHEMA}.job to ${APP_ROLE};
         end if;
       end $$`,
      [],
    );
  }

  /** Creates a queue first used after the boot (a send to an undefined queue, a late definition). */
  private async ensureQueue(boss: PgBoss, queue: string): Promise<void> {
    if (this.knownQueues.has(queue)) return;
    await this.underBootLock(() => this.createQueue(boss, queue));
  }

  /** Creates or updates a queue; the caller holds the boot lock. */
  private async createQueue(boss: PgBoss, queue: string): Promise<void> {
    if (this.knownQueues.has(queue)) return;
    const o = this.defs.get(queue)?.opts ?? {};
    const queueOpts: PgBoss.Queue = {
      name: queue,
      policy: 'standard',
      ...(o.retryLimit !== undefined ? { retryLimit: o.retryLimit } : {}),
      ...(o.retryDelaySeconds !== undefined ? { retryDelay: o.retryDelaySeconds } : {}),
      ...(o.retryBackoff !== undefined ? { retryBackoff: o.retryBackoff } : {}),
      ...(o.expireInSeconds !== undefined ? { expireInSeconds: o.expireInSeconds } : {}),
    };
    await boss.createQueue(queue, queueOpts);
    // The queue may exist from an earlier version with other retry settings: bring it up to date.
    if (this.defs.has(queue)) await boss.updateQueue(queue, queueOpts);
    this.knownQueues.add(queue);
  }

  private sendOptions(queue: string, opts: SendOptions): PgBoss.SendOptions {
    const o = this.defs.get(queue)?.opts ?? {};
    return {
      ...(opts.startAfter ? { startAfter: opts.startAfter } : {}),
      ...(opts.singletonKey ? { singletonKey: opts.singletonKey } : {}),
      ...(o.retryLimit !== undefined ? { retryLimit: o.retryLimit } : {}),
      ...(o.retryDelaySeconds !== undefined ? { retryDelay: o.retryDelaySeconds } : {}),
      ...(o.retryBackoff !== undefined ? { retryBackoff: o.retryBackoff } : {}),
      ...(o.expireInSeconds !== undefined ? { expireInSeconds: o.expireInSeconds } : {}),
    };
  }

  /** Inserts a job in an open transaction; with a singletonKey, only when none is waiting or running. */
  private async insertInTx(boss: PgBoss, tx: Executor, queue: string, data: unknown, opts: SendOptions): Promise<string | null> {
    if (opts.singletonKey) {
      await sql`select pg_advisory_xact_lock(${ADVISORY_NAMESPACE}, hashtext(${queue + ':' + opts.singletonKey}))`.execute(tx);
      const existing = await sql<{ id: string }>`
        select id from ${sql.raw(SCHEMA)}.job
        where name = ${queue} and singleton_key = ${opts.singletonKey} and state < 'completed' limit 1`.execute(tx);
      if (existing.rows.length) return null;
    }
    return boss.send(queue, toPayload(data), { ...this.sendOptions(queue, opts), db: bossDb(tx) });
  }

  private async cancelPending(tx: Executor, queue: string, key: string): Promise<number> {
    const res = await sql`
      update ${sql.raw(SCHEMA)}.job set state = 'cancelled', completed_on = now()
      where name = ${queue} and singleton_key = ${key} and state < 'active'`.execute(tx);
    return Number(res.numAffectedRows ?? 0);
  }

  private async work(boss: PgBoss, queue: string): Promise<void> {
    const def = this.defs.get(queue);
    if (!def) return;
    const concurrency = Math.max(1, def.opts.concurrency ?? 1);
    for (let i = 0; i < concurrency; i++) {
      await boss.work(queue, { pollingIntervalSeconds: this.opts.pollingIntervalSeconds, batchSize: 1 }, async (jobs) => {
        const out: unknown[] = [];
        for (const job of jobs) {
          try {
            out.push(await def.handler(job.data, { id: job.id }));
          } catch (e) {
            // Logged without the job's data (it may name people or addresses); pg-boss retries per the queue.
            this.log.warn(
              { component: 'jobs', queue, jobId: job.id, err: safeError(e) },
              'job failed; it will be retried if attempts remain',
            );
            throw e;
          }
        }
        return out.length === 1 ? out[0] : out;
      });
    }
  }
}

/** pg-boss stores job data as JSON objects. */
function toPayload(data: unknown): object {
  if (data === undefined || data === null) return {};
  if (typeof data !== 'object' || Array.isArray(data)) throw new TypeError('job data must be a plain object');
  return data;
}
