// What the workflows with statutory time limits share (registration 登记, sharing requests 共享申请, …): the
// figures of their rules in a settings table read through a short cache, the working-day arithmetic of a
// deadline and its reminder, and the two durable jobs (due, reminder) that go with each deadline. Each workflow
// keeps its own deadline table and decides what a due or a reminder job does.
import type { Db, Executor } from '../../db/database.ts';
import type { CalendarService } from './calendar.ts';
import { chinaDate } from './calendar.ts';
import type { JobsService } from './service.ts';

/** A workflow's settings (key → integer value), cached for a few seconds; this process's changes clear it. */
export class SettingsCache {
  #cache: { at: number; map: Map<string, number> } | null = null;

  constructor(
    private readonly db: Db,
    private readonly load: (db: Executor) => Promise<{ key: string; value: number }[]>,
    private readonly what: string,
  ) {}

  async all(db: Executor = this.db): Promise<Map<string, number>> {
    if (db === this.db && this.#cache && Date.now() - this.#cache.at < 5_000) return this.#cache.map;
    const map = new Map((await this.load(db)).map((s) => [s.key, s.value] as const));
    if (db === this.db) this.#cache = { at: Date.now(), map };
    return map;
  }

  async get(key: string, db: Executor = this.db): Promise<number> {
    const v = (await this.all(db)).get(key);
    if (v === undefined) throw new Error(`${this.what} setting ${key} is missing`);
    return v;
  }

  clear(): void {
    this.#cache = null;
  }
}

export interface DeadlinePlan {
  /** China date the count starts from (not counted itself). */
  startDate: string;
  dueDate: string;
  /** End of the due day, China time. */
  dueAt: Date;
  /** 09:00 China time on the first of the last `lead` working days; null without a reminder (lead 0, or too late). */
  remindAt: Date | null;
}

/** `days` working days counted from the China date of `at`, with the reminder `lead` working days before. */
export async function planDeadline(cal: CalendarService, at: Date, days: number, lead: number): Promise<DeadlinePlan> {
  const startDate = chinaDate(at);
  const dueDate = await cal.addWorkingDays(startDate, days);
  const dueAt = await cal.deadlineAt(startDate, days);
  let remindAt: Date | null = null;
  if (lead > 0) {
    const remindDate = await cal.addWorkingDays(startDate, Math.max(1, days - lead + 1));
    remindAt = new Date(`${remindDate}T09:00:00+08:00`);
    if (remindAt >= dueAt) remindAt = null;
  }
  return { startDate, dueDate, dueAt, remindAt };
}

export interface DeadlineJobData {
  deadlineId: string;
}

/** The due and reminder jobs of one workflow's deadlines (queues `<name>.deadline` and `<name>.reminder`). */
export class DeadlineJobs {
  readonly queue: string;
  readonly reminderQueue: string;

  constructor(
    private readonly jobs: JobsService,
    name: string,
    handlers: { due: (deadlineId: string) => Promise<unknown>; remind: (deadlineId: string) => Promise<unknown> },
  ) {
    this.queue = `${name}.deadline`;
    this.reminderQueue = `${name}.reminder`;
    const retry = { retryLimit: 5, retryDelaySeconds: 30, retryBackoff: true };
    jobs.define<DeadlineJobData>(this.queue, (data) => handlers.due(data.deadlineId), retry);
    jobs.define<DeadlineJobData>(this.reminderQueue, (data) => handlers.remind(data.deadlineId), retry);
  }

  /** Schedules both jobs in the caller's transaction; `notBefore` holds them back (the demo seed plays the past). */
  async schedule(
    tx: Executor,
    d: { key: string; deadlineId: string; dueAt: Date; remindAt: Date | null; notBefore?: Date },
  ): Promise<void> {
    const later = (x: Date) => (d.notBefore && d.notBefore > x ? d.notBefore : x);
    await this.jobs.scheduleDeadline<DeadlineJobData>(
      { key: d.key, dueAt: later(d.dueAt), queue: this.queue, data: { deadlineId: d.deadlineId } },
      tx,
    );
    if (d.remindAt)
      await this.jobs.scheduleDeadline<DeadlineJobData>(
        { key: `${d.key}:remind`, dueAt: later(d.remindAt), queue: this.reminderQueue, data: { deadlineId: d.deadlineId } },
        tx,
      );
  }

  /** Cancels the pending jobs of a deadline that was met or cancelled. */
  async cancel(tx: Executor, key: string, hasReminder: boolean): Promise<void> {
    await this.jobs.cancelDeadline(this.queue, key, tx);
    if (hasReminder) await this.jobs.cancelDeadline(this.reminderQueue, `${key}:remind`, tx);
  }
}
