// The deadlines of a workflow that keeps them in a table of its own (registration_deadlines, sharing_deadlines,
// open_application_deadlines: the same columns, one row per running time limit of a case), the way WorkflowSettings
// is the figures of its rules: opening one (working days from the China date, its reminder, the two durable jobs
// of deadlines.ts), closing the open ones when the step is taken, and the two jobs themselves — under the case's
// lock then the deadline's, idempotent (a closed, already flagged or already reminded deadline is left alone), the
// overdue flag or the reminder mark, the notice and the ledger entry `<name>.deadline.overdue|remind`. Each
// workflow keeps only what differs: its kinds and their figures, what a due deadline of a kind does instead of
// being flagged (escalate, lapse, end a notice), whom it tells with which title, and the case's ledger details.
import { sql } from 'kysely';
import type { Db, Executor, Tx } from '../../db/database.ts';
import { SYSTEM } from '../identity/actor.ts';
import type { LedgerService } from '../ledger/service.ts';
import { chinaDate, workingDaysBetweenPure, type CalendarService, type OverrideMap } from './calendar.ts';
import { DeadlineJobs, planDeadline } from './deadlines.ts';
import type { JobsService } from './service.ts';

/** A deadline row; `O` is the column naming its case (request_id, application_id, registration_id). */
export type WorkflowDeadlineRow<O extends string, K extends string, S extends string> = {
  id: string;
  kind: K;
  start_date: string;
  working_days: number;
  due_date: string;
  due_at: Date;
  remind_at: Date | null;
  status: 'open' | S;
  reminded_at: Date | null;
  overdue_at: Date | null;
  closed_at: Date | null;
  created_at: Date;
} & { [P in O]: string };

/** The case a deadline belongs to, as far as the ledger needs it. */
export interface DeadlineCase {
  id: string;
  provider_org_id: string;
}

/** The API view of a deadline (the same in every workflow that shows working days left). */
export interface WorkflowDeadlineView<K extends string, S extends string> {
  id: string;
  kind: K;
  workingDays: number;
  startDate: string;
  dueDate: string;
  dueAt: string;
  status: 'open' | S;
  overdue: boolean;
  /** Open deadlines: working days from today (China time) to the due date on the working-day calendar; 0 = due today. */
  workingDaysLeft: number | null;
  closedAt: string | null;
}

export type DeadlineEvent = 'overdue' | 'warning';

/** A deadline notice (`deadline.overdue` / `deadline.warning`) with the same body in every workflow. */
export function deadlineNotice(
  dl: { working_days: number; due_date: string },
  event: DeadlineEvent,
  title: { zh: string; en: string },
): { kind: string; title: { zh: string; en: string }; body: { zh: string; en: string } } {
  const body =
    event === 'overdue'
      ? {
          zh: `时限 ${dl.working_days} 个工作日，已于 ${dl.due_date} 到期。`,
          en: `The ${dl.working_days}-working-day limit passed on ${dl.due_date}.`,
        }
      : { zh: `请于 ${dl.due_date} 前办理。`, en: `Due by the end of ${dl.due_date}.` };
  return { kind: `deadline.${event}`, title, body };
}

export interface WorkflowDeadlinesOptions<O extends string, K extends string, S extends string, C extends DeadlineCase> {
  /** The module: queues `<name>.deadline` / `<name>.reminder`, ledger actions `<name>.deadline.overdue|remind`. */
  name: 'registration' | 'sharing' | 'openapply';
  table: 'registration_deadlines' | 'sharing_deadlines' | 'open_application_deadlines';
  ownerColumn: O;
  /** The ledger's object type of a case. */
  objectType: string;
  /** The durable jobs' key of a deadline (unique per deadline; default `<name>:<deadline id>`). */
  jobKey?: (dl: WorkflowDeadlineRow<O, K, S>) => string;
  /** The module's clock (tests and the demo seed move it). */
  now: () => Date;
  /** Reads and locks a case (lock order everywhere: the case, then its deadlines). */
  lockCase: (tx: Tx, id: string) => Promise<C | undefined>;
  /** Whether a due job that runs before the due time does nothing (`not_due`; default true). */
  waitForDue?: boolean;
  /** What a due deadline of a kind does instead of being flagged overdue: its job result, or null to flag it. */
  due?: (tx: Tx, c: C, dl: WorkflowDeadlineRow<O, K, S>, at: Date) => Promise<string | null>;
  /** Tells whom it concerns that a deadline passed; returns the case's details for the ledger entry. */
  overdue: (tx: Tx, c: C, dl: WorkflowDeadlineRow<O, K, S>) => Promise<Record<string, unknown>>;
  /** Tells whom it concerns that a deadline is near; returns the case's details for the ledger entry. */
  remind: (tx: Tx, c: C, dl: WorkflowDeadlineRow<O, K, S>) => Promise<Record<string, unknown>>;
}

export class WorkflowDeadlines<O extends string, K extends string, S extends string, C extends DeadlineCase> {
  readonly #jobs: DeadlineJobs;
  readonly #cols;

  constructor(
    private readonly deps: { db: Db; jobs: JobsService; calendar: CalendarService; ledger: LedgerService },
    private readonly opts: WorkflowDeadlinesOptions<O, K, S, C>,
  ) {
    this.#jobs = new DeadlineJobs(deps.jobs, opts.name, { due: (id) => this.fireDue(id), remind: (id) => this.fireReminder(id) });
    this.#cols = sql`id, ${sql.ref(opts.ownerColumn)}, kind, to_char(start_date, 'YYYY-MM-DD') as start_date, working_days,
      to_char(due_date, 'YYYY-MM-DD') as due_date, due_at, remind_at, status, reminded_at, overdue_at, closed_at, created_at`;
  }

  // ------------------------------------------------------------------------------------------------ reading
  async get(db: Executor, id: string, lock = false): Promise<WorkflowDeadlineRow<O, K, S> | undefined> {
    const { table } = this.opts;
    return (
      await sql<WorkflowDeadlineRow<O, K, S>>`select ${this.#cols} from ${sql.table(table)} where id = ${id}
        ${lock ? sql`for update` : sql``}`.execute(db)
    ).rows[0];
  }

  /** A case's deadlines in the order they were opened. */
  async list(db: Executor, caseId: string): Promise<WorkflowDeadlineRow<O, K, S>[]> {
    const { table, ownerColumn } = this.opts;
    return (
      await sql<WorkflowDeadlineRow<O, K, S>>`select ${this.#cols} from ${sql.table(table)} where ${sql.ref(ownerColumn)} = ${caseId}
        order by created_at, id`.execute(db)
    ).rows;
  }

  /** A case's open deadlines (of the given kinds), the first due first. */
  async open(db: Executor, caseId: string, kinds?: K[]): Promise<WorkflowDeadlineRow<O, K, S>[]> {
    const { table, ownerColumn } = this.opts;
    return (
      await sql<WorkflowDeadlineRow<O, K, S>>`select ${this.#cols} from ${sql.table(table)} where ${sql.ref(ownerColumn)} = ${caseId}
        and status = 'open' ${kinds?.length ? sql`and kind = any(${kinds}::text[])` : sql``} order by due_at, id`.execute(db)
    ).rows;
  }

  /** The next open deadline of each case (list views). */
  async next(db: Executor, caseIds: string[]): Promise<Map<string, WorkflowDeadlineRow<O, K, S>>> {
    if (!caseIds.length) return new Map();
    const { table, ownerColumn } = this.opts;
    const owner = sql.ref(ownerColumn);
    const rows = (
      await sql<WorkflowDeadlineRow<O, K, S>>`select distinct on (${owner}) ${this.#cols} from ${sql.table(table)}
        where ${owner} = any(${caseIds}::uuid[]) and status = 'open' order by ${owner}, due_at`.execute(db)
    ).rows;
    return new Map(rows.map((r) => [r[ownerColumn] as string, r]));
  }

  /** The API view of a deadline: flagged or open past its due time is overdue; `overrides`: the calendar's. */
  view(d: WorkflowDeadlineRow<O, K, S>, overrides: OverrideMap): WorkflowDeadlineView<K, S> {
    const now = this.opts.now();
    return {
      id: d.id,
      kind: d.kind,
      workingDays: d.working_days,
      startDate: d.start_date,
      dueDate: d.due_date,
      dueAt: d.due_at.toISOString(),
      status: d.status,
      overdue: !!d.overdue_at || (d.status === 'open' && d.due_at.getTime() < now.getTime()),
      workingDaysLeft: d.status === 'open' ? workingDaysBetweenPure(chinaDate(now), d.due_date, overrides) : null,
      closedAt: d.closed_at ? d.closed_at.toISOString() : null,
    };
  }

  // ------------------------------------------------------------------------------------------------ steps
  /**
   * Opens a deadline of `days` working days counted from the China date of `at`, its reminder `lead` working days
   * before (none with lead 0), and schedules both jobs in `tx`; `jobsNotBefore` holds the jobs back (the demo seed).
   */
  async start(
    tx: Tx,
    d: { caseId: string; kind: K; at: Date; days: number; lead: number; jobsNotBefore?: Date },
  ): Promise<WorkflowDeadlineRow<O, K, S>> {
    const { table, ownerColumn } = this.opts;
    const plan = await planDeadline(this.deps.calendar, d.at, d.days, d.lead);
    const dl = (
      await sql<WorkflowDeadlineRow<O, K, S>>`insert into ${sql.table(table)}
          (${sql.ref(ownerColumn)}, kind, start_date, working_days, due_date, due_at, remind_at, created_at)
        values (${d.caseId}, ${d.kind}, ${plan.startDate}, ${d.days}, ${plan.dueDate}, ${plan.dueAt}, ${plan.remindAt}, ${d.at})
        returning ${this.#cols}`.execute(tx)
    ).rows[0]!;
    await this.#jobs.schedule(tx, {
      key: this.#jobKey(dl),
      deadlineId: dl.id,
      dueAt: plan.dueAt,
      remindAt: plan.remindAt,
      notBefore: d.jobsNotBefore,
    });
    return dl;
  }

  /** Closes a case's open deadlines (of the given kinds) as `status` and cancels their pending jobs. */
  async close(tx: Tx, caseId: string, status: S, at: Date, kinds?: K[]): Promise<void> {
    for (const dl of await this.open(tx, caseId, kinds)) {
      await sql`update ${sql.table(this.opts.table)} set status = ${status}, closed_at = ${at}
        where id = ${dl.id} and status = 'open'`.execute(tx);
      await this.#jobs.cancel(tx, this.#jobKey(dl), !!dl.remind_at);
    }
  }

  /** Flags a deadline overdue (also for a `due` hook that takes its own step). */
  async markOverdue(tx: Tx, id: string, at: Date): Promise<void> {
    await sql`update ${sql.table(this.opts.table)} set overdue_at = ${at} where id = ${id}`.execute(tx);
  }

  // ------------------------------------------------------------------------------------------------ jobs
  /** The due job: the kind's own step (`due`), else flagged overdue once, the parties told, the ledger written. */
  async fireDue(deadlineId: string, opts: { at?: Date } = {}): Promise<{ result: string }> {
    return this.#locked(deadlineId, async (tx, c, dl) => {
      const at = opts.at ?? this.opts.now();
      if (this.opts.waitForDue !== false && at < dl.due_at) return 'not_due';
      const own = this.opts.due ? await this.opts.due(tx, c, dl, at) : null;
      if (own !== null) return own;
      if (dl.overdue_at) return 'already_overdue';
      await this.markOverdue(tx, dl.id, at);
      const details = await this.opts.overdue(tx, c, dl);
      await this.#ledger(tx, 'overdue', c, {
        deadlineId: dl.id,
        kind: dl.kind,
        dueDate: dl.due_date,
        workingDays: dl.working_days,
        ...details,
      });
      return 'overdue';
    });
  }

  /** The reminder job: a deadline still open and not yet due is marked reminded once, the parties told. */
  async fireReminder(deadlineId: string, opts: { at?: Date } = {}): Promise<{ result: string }> {
    return this.#locked(deadlineId, async (tx, c, dl) => {
      if (dl.reminded_at) return 'already_reminded';
      const at = opts.at ?? this.opts.now();
      if (at >= dl.due_at) return 'past_due';
      await sql`update ${sql.table(this.opts.table)} set reminded_at = ${at} where id = ${dl.id}`.execute(tx);
      const details = await this.opts.remind(tx, c, dl);
      await this.#ledger(tx, 'remind', c, { deadlineId: dl.id, kind: dl.kind, dueDate: dl.due_date, ...details });
      return 'reminded';
    });
  }

  #jobKey(dl: WorkflowDeadlineRow<O, K, S>): string {
    return this.opts.jobKey ? this.opts.jobKey(dl) : `${this.opts.name}:${dl.id}`;
  }

  /** Runs `step` on an open deadline and its case, both locked; `gone` / `closed` otherwise. */
  async #locked(
    deadlineId: string,
    step: (tx: Tx, c: C, dl: WorkflowDeadlineRow<O, K, S>) => Promise<string>,
  ): Promise<{ result: string }> {
    const peek = await this.get(this.deps.db, deadlineId);
    if (!peek) return { result: 'gone' };
    return this.deps.db.transaction().execute(async (tx) => {
      const c = await this.opts.lockCase(tx, peek[this.opts.ownerColumn] as string);
      const dl = await this.get(tx, deadlineId, true);
      if (!c || !dl || dl.status !== 'open') return { result: 'closed' };
      return { result: await step(tx, c, dl) };
    });
  }

  async #ledger(tx: Tx, what: 'overdue' | 'remind', c: C, details: Record<string, unknown>): Promise<void> {
    await this.deps.ledger.append(tx, {
      actor: SYSTEM,
      action: `${this.opts.name}.deadline.${what}`,
      objectType: this.opts.objectType,
      objectId: c.id,
      orgId: c.provider_org_id,
      details,
    });
  }
}
