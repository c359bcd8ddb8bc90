// Scheduled bulk delivery (定时交付, issue 6 §4c): a consumer application's standing order for extracts of one
// resource it holds a `bulk` grant on — a cron expression in China time, full or incremental (since the version of
// the schedule's last successful extract; the first run is full), CSV or Parquet, acting as one of the
// application's keys. Each occurrence is one durable pg-boss job booked with scheduleDeadline (as the sources
// module books ingest runs); it queues a run, at most one queued or running per schedule. A run is the on-demand
// extract's own path: one exchange call through the gate (PDP, exchange log) that creates the extract, then the
// extract job's own read (PDP again, the ledger's dataset.read, the quota). A refused call fails the run, records
// the reason and marks the schedule `failing`; an incremental run that finds no new version records `no_change`
// and writes no file.
import cronParser from 'cron-parser';
import type { AppContext } from '../../context.ts';
import type { Tx } from '../../db/database.ts';
import { AppError, badRequest, conflict, forbidden, notFound } from '../../errors.ts';
import { translate, type Lang } from '../../i18n/messages.ts';
import { SYSTEM, type Actor } from '../identity/actor.ts';
import {
  ScheduleRepository,
  type RunOutcome,
  type RunRow,
  type RunState,
  type ScheduleRow,
  type StoredError,
} from './schedule-repository.ts';
import './schedule-messages.ts';

export const SCHEDULE_TZ = 'Asia/Shanghai';
/**
 * Deliveries closer together than this are refused (EXTRACT_SCHEDULE_TOO_FREQUENT): each run re-reads the whole
 * version and writes a new file, and the data plane publishes versions at most a few times a day. A platform
 * constant (not from a regulation); change it here.
 */
export const MIN_INTERVAL_MINUTES = 60;
/** The queue of schedule occurrences (one pending job per schedule, keyed by schedule and due time). */
export const OCCURRENCE_QUEUE = 'gateway.extract_schedule';
/** The queue of runs (an occurrence or "run now" queues one). */
export const RUN_QUEUE = 'gateway.extract_schedule.run';
/** A run job's limit: the extract job's hour plus the gate call and bookkeeping. */
const RUN_EXPIRE_SECONDS = 2 * 3600;
const SEE_ALL = new Set(['authority_admin', 'auditor']);
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

interface OccurrenceJob {
  scheduleId: string;
  /** The occurrence this job stands for (ISO); stale once the schedule's next_run_at is another time. */
  due: string;
}
interface RunJob {
  runId: string;
}

export interface CreateScheduleInput {
  resourceId: string;
  applicationId?: string;
  apiKeyId?: string;
  name?: string;
  cron: string;
  mode: 'full' | 'incremental';
  format?: 'csv' | 'parquet';
  businessRef?: string;
}

const occurrenceKey = (scheduleId: string, due: Date) => `${scheduleId}@${due.toISOString()}`;

// ------------------------------------------------------------------------------------------ cron

/**
 * Validates a five-field cron expression (China time) and returns it normalized. 400 EXTRACT_SCHEDULE_CRON_INVALID
 * (field `cron`, with the reason) or EXTRACT_SCHEDULE_TOO_FREQUENT (two of the next occurrences closer than
 * `minMinutes`).
 */
export function checkCron(cron: string, minMinutes = MIN_INTERVAL_MINUTES): string {
  const expr = cron.trim().replace(/\s+/g, ' ');
  const invalid = (reason: string) => badRequest('EXTRACT_SCHEDULE_CRON_INVALID', { cron, reason }, { field: 'cron', reason });
  const fields = expr.split(' ');
  if (fields.length !== 5) throw invalid('five fields are needed: minute hour day-of-month month day-of-week');
  if (!fields.every((f) => /^[0-9A-Za-z*/,\-?LW#]+$/.test(f))) throw invalid('unexpected characters');
  const it = (() => {
    try {
      return cronParser.parseExpression(expr, { tz: SCHEDULE_TZ, currentDate: new Date() });
    } catch (e) {
      throw invalid((e as Error).message.slice(0, 200));
    }
  })();
  let prev: number | null = null;
  for (let k = 0; k < 60; k++) {
    let t: number;
    try {
      t = it.next().getTime();
    } catch {
      break; // no further occurrence
    }
    if (prev !== null && t - prev < minMinutes * 60_000)
      throw badRequest('EXTRACT_SCHEDULE_TOO_FREQUENT', { cron, minMinutes }, { field: 'cron', minIntervalMinutes: minMinutes });
    prev = t;
  }
  if (prev === null) throw invalid('it never runs');
  return expr;
}

/** The first occurrence strictly after `after`. */
export function nextRun(cron: string, after: Date): Date {
  return cronParser.parseExpression(cron, { tz: SCHEDULE_TZ, currentDate: after }).next().toDate();
}

// ------------------------------------------------------------------------------------------ the service

export class ExtractScheduleService {
  readonly repo = new ScheduleRepository();

  constructor(private readonly ctx: AppContext) {
    ctx.jobs.define<OccurrenceJob>(OCCURRENCE_QUEUE, (data) => this.handleOccurrence(data), {
      retryLimit: 5,
      retryDelaySeconds: 30,
      retryBackoff: true,
    });
    // A failed run is not retried: the next occurrence (or "run now") is the retry.
    ctx.jobs.define<RunJob>(RUN_QUEUE, (data) => this.handleRun(data.runId), { retryLimit: 0, expireInSeconds: RUN_EXPIRE_SECONDS });
  }

  private get db() {
    return this.ctx.db;
  }

  private get gw() {
    return this.ctx.gateway;
  }

  // ---------------------------------------------------------------------------- who sees and manages

  private async canSee(actor: Actor, s: ScheduleRow): Promise<boolean> {
    // A signed call acts as its application: it sees that application's schedules only.
    if (actor.applicationId && s.application_id !== actor.applicationId) return false;
    if (actor.roles.some((r) => SEE_ALL.has(r))) return true;
    return !!actor.orgId && (await this.ctx.authz.orgs.isWithin(s.org_id, actor.orgId));
  }

  /** A schedule the actor may see, or 404 (unknown, malformed or another organization's id: the same answer). */
  private async visible(actor: Actor, id: string): Promise<ScheduleRow> {
    const s = UUID.test(id) ? await this.repo.get(this.db, id) : undefined;
    if (!s || !(await this.canSee(actor, s))) throw notFound('EXTRACT_SCHEDULE_NOT_FOUND', { id });
    return s;
  }

  /** Only the owning organization's application managers change a schedule; the authority and auditor only view. */
  private async assertManage(actor: Actor, s: Pick<ScheduleRow, 'org_id' | 'application_id'>): Promise<void> {
    await this.ctx.authz.authorize(actor, 'application.manage', { type: 'application', id: s.application_id, orgId: s.org_id });
    if (!actor.orgId || !(await this.ctx.authz.orgs.isWithin(s.org_id, actor.orgId)))
      throw forbidden('FORBIDDEN', {}, { action: 'extract_schedule.manage' });
  }

  private async managed(actor: Actor, id: string): Promise<ScheduleRow> {
    const s = await this.visible(actor, id);
    await this.assertManage(actor, s);
    return s;
  }

  /**
   * The actor a run acts as: the schedule's key, resolved again as a signed call resolves it (live key of an active
   * user, application active). 400 EXTRACT_SCHEDULE_KEY_INVALID otherwise.
   */
  async actorOf(s: Pick<ScheduleRow, 'api_key_id' | 'application_id'>): Promise<Actor> {
    const identity = this.ctx.identity;
    const key = await identity.repo.getApiKey(this.db, s.api_key_id);
    const live =
      key && key.application_id === s.application_id ? await identity.repo.getLiveApiKeyByAppKey(this.db, key.app_key) : undefined;
    if (!live || live.id !== s.api_key_id) throw badRequest('EXTRACT_SCHEDULE_KEY_INVALID', {}, { field: 'apiKeyId' });
    return identity.actorFor(live, 'api_key', { apiKeyId: live.id, applicationId: s.application_id });
  }

  /** The dataset behind a resource (404 GATEWAY_RESOURCE_NOT_FOUND: unknown, or no data yet). */
  private async datasetOf(resourceId: string): Promise<string> {
    const d = await this.ctx.datasets.byResource(SYSTEM, resourceId).catch((e: unknown) => {
      if (e instanceof AppError && e.status === 404) return null;
      throw e;
    });
    if (!d) throw notFound('GATEWAY_RESOURCE_NOT_FOUND', { id: resourceId }, { field: 'resourceId' });
    return d.id;
  }

  // ---------------------------------------------------------------------------- views

  private errorView(e: StoredError | null, lang: Lang) {
    return e ? { code: e.code, message: translate(e.code, lang, e.params ?? {}), at: e.at ?? null } : null;
  }

  view(s: ScheduleRow, lang: Lang) {
    return {
      id: s.id,
      orgId: s.org_id,
      applicationId: s.application_id,
      apiKeyId: s.api_key_id,
      resourceId: s.resource_id,
      name: s.name,
      cron: s.cron,
      timeZone: SCHEDULE_TZ,
      mode: s.mode,
      format: s.format,
      businessRef: s.business_ref,
      state: s.state,
      nextRunAt: s.next_run_at?.toISOString() ?? null,
      lastVersion: s.last_version,
      lastRunAt: s.last_run_at?.toISOString() ?? null,
      lastRunState: s.last_run_state,
      lastError: this.errorView(s.last_error, lang),
      entitlementId: s.entitlement_id,
      createdBy: s.created_by,
      createdAt: s.created_at.toISOString(),
      updatedAt: s.updated_at.toISOString(),
    };
  }

  runView(r: RunRow, s: Pick<ScheduleRow, 'resource_id'>, lang: Lang) {
    const base = r.extract_id ? `/api/gateway/v1/resources/${s.resource_id}/extracts/${r.extract_id}` : null;
    return {
      id: r.id,
      scheduleId: r.schedule_id,
      trigger: r.trigger,
      state: r.state,
      dueAt: r.due_at?.toISOString() ?? null,
      mode: r.mode,
      sinceVersion: r.since_version,
      extractId: r.extract_id,
      messageId: r.message_id,
      version: r.version,
      rowCount: r.row_count,
      bytes: r.file_bytes,
      sha256: r.sha256,
      error: this.errorView(r.error, lang),
      fileUrl: base && r.state === 'done' ? `${base}/file` : null,
      manifestUrl: base && r.state === 'done' ? `${base}/manifest` : null,
      createdAt: r.created_at.toISOString(),
      startedAt: r.started_at?.toISOString() ?? null,
      finishedAt: r.finished_at?.toISOString() ?? null,
    };
  }

  // ---------------------------------------------------------------------------- create, list, change

  async create(actor: Actor, input: CreateScheduleInput): Promise<ScheduleRow> {
    const cron = checkCron(input.cron);
    let applicationId = input.applicationId;
    let apiKeyId = input.apiKeyId;
    if (actor.applicationId) {
      // A signed call schedules for its own application, acting as its own key.
      if (applicationId && applicationId !== actor.applicationId)
        throw badRequest('EXTRACT_SCHEDULE_APPLICATION_MISMATCH', {}, { field: 'applicationId' });
      if (apiKeyId && apiKeyId !== actor.apiKeyId) throw badRequest('EXTRACT_SCHEDULE_APPLICATION_MISMATCH', {}, { field: 'apiKeyId' });
      applicationId = actor.applicationId;
      apiKeyId = actor.apiKeyId;
    }
    if (!applicationId) throw badRequest('EXTRACT_SCHEDULE_APPLICATION_REQUIRED', {}, { field: 'applicationId' });
    const app = await this.gw.getApplication(actor, applicationId); // 404 for another organization's
    await this.assertManage(actor, { org_id: app.org_id, application_id: app.id });
    if (app.state !== 'active') throw badRequest('EXTRACT_SCHEDULE_APPLICATION_DISABLED', {}, { field: 'applicationId' });
    const live = app.keys.filter((k) => !k.revokedAt);
    if (apiKeyId) {
      if (!live.some((k) => k.id === apiKeyId)) throw badRequest('EXTRACT_SCHEDULE_KEY_INVALID', {}, { field: 'apiKeyId' });
    } else {
      apiKeyId = [...live].sort((a, b) => b.createdAt.localeCompare(a.createdAt))[0]?.id;
      if (!apiKeyId) throw badRequest('EXTRACT_SCHEDULE_KEY_REQUIRED', {}, { field: 'apiKeyId' });
    }
    // The grant, asked of the PDP as the runs will ask it: as the key, action bulk, with the business reference.
    const runActor = await this.actorOf({ api_key_id: apiKeyId, application_id: app.id });
    const businessRef = input.businessRef?.trim() || null;
    const datasetId = await this.datasetOf(input.resourceId);
    const { decision } = await this.ctx.datasets
      .access(runActor, datasetId, undefined, { action: 'bulk', businessRef })
      .catch((e: unknown) => {
        if (e instanceof AppError && e.code === 'DATASET_NOT_FOUND')
          throw notFound('GATEWAY_RESOURCE_NOT_FOUND', { id: input.resourceId }, { field: 'resourceId' });
        throw e;
      });
    if (!decision.entitlement) throw forbidden('EXTRACT_SCHEDULE_GRANT_REQUIRED', {}, { field: 'resourceId' });
    const next = nextRun(cron, new Date());
    return this.db.transaction().execute(async (tx) => {
      const row = await this.repo.insert(tx, {
        org_id: app.org_id,
        application_id: app.id,
        api_key_id: apiKeyId,
        resource_id: input.resourceId,
        name: input.name?.trim() ?? '',
        cron,
        mode: input.mode,
        format: input.format ?? 'csv',
        business_ref: businessRef,
        next_run_at: next,
        entitlement_id: decision.entitlement!.id,
        created_by: actor.userId,
      });
      await this.book(tx, row.id, next);
      await this.ctx.ledger.append(tx, {
        actor,
        action: 'extract_schedule.create',
        objectType: 'extract_schedule',
        objectId: row.id,
        orgId: row.org_id,
        details: {
          resourceId: row.resource_id,
          applicationId: row.application_id,
          apiKeyId: row.api_key_id,
          cron,
          timeZone: SCHEDULE_TZ,
          mode: row.mode,
          format: row.format,
          businessRef,
          entitlementId: row.entitlement_id,
        },
      });
      return row;
    });
  }

  async list(actor: Actor, q: { resourceId?: string; applicationId?: string }): Promise<ScheduleRow[]> {
    const seeAll = actor.roles.some((r) => SEE_ALL.has(r));
    const orgIds = seeAll ? null : actor.orgId ? await this.ctx.authz.orgs.subtree(actor.orgId) : [];
    if (actor.applicationId && q.applicationId && q.applicationId !== actor.applicationId) return [];
    return this.repo.list(this.db, {
      orgIds,
      applicationId: actor.applicationId ?? q.applicationId ?? null,
      resourceId: q.resourceId ?? null,
    });
  }

  async get(actor: Actor, id: string): Promise<ScheduleRow> {
    return this.visible(actor, id);
  }

  async pause(actor: Actor, id: string): Promise<ScheduleRow> {
    await this.managed(actor, id);
    return this.db.transaction().execute(async (tx) => {
      const s = await this.repo.get(tx, id, true);
      if (!s) throw notFound('EXTRACT_SCHEDULE_NOT_FOUND', { id });
      if (s.state === 'paused') throw conflict('EXTRACT_SCHEDULE_PAUSED');
      if (s.next_run_at) await this.ctx.jobs.cancelDeadline(OCCURRENCE_QUEUE, occurrenceKey(id, s.next_run_at), tx);
      await this.repo.update(tx, id, { state: 'paused', next_run_at: null });
      await this.ledgerChange(tx, actor, s, 'extract_schedule.pause', { from: s.state });
      return (await this.repo.get(tx, id))!;
    });
  }

  async resume(actor: Actor, id: string): Promise<ScheduleRow> {
    await this.managed(actor, id);
    return this.db.transaction().execute(async (tx) => {
      const s = await this.repo.get(tx, id, true);
      if (!s) throw notFound('EXTRACT_SCHEDULE_NOT_FOUND', { id });
      if (s.state !== 'paused') throw conflict('EXTRACT_SCHEDULE_NOT_PAUSED');
      const next = nextRun(s.cron, new Date());
      await this.book(tx, id, next);
      await this.repo.update(tx, id, { state: 'active', next_run_at: next });
      await this.ledgerChange(tx, actor, s, 'extract_schedule.resume', { nextRunAt: next.toISOString() });
      return (await this.repo.get(tx, id))!;
    });
  }

  async delete(actor: Actor, id: string): Promise<void> {
    await this.managed(actor, id);
    await this.db.transaction().execute(async (tx) => {
      const s = await this.repo.get(tx, id, true);
      if (!s) throw notFound('EXTRACT_SCHEDULE_NOT_FOUND', { id });
      if (s.next_run_at) await this.ctx.jobs.cancelDeadline(OCCURRENCE_QUEUE, occurrenceKey(id, s.next_run_at), tx);
      await this.repo.delete(tx, id);
      await this.ledgerChange(tx, actor, s, 'extract_schedule.delete', {
        resourceId: s.resource_id,
        applicationId: s.application_id,
        cron: s.cron,
        mode: s.mode,
        format: s.format,
      });
    });
  }

  /** Queues a run now (the same run as an occurrence's). 409 when paused or when one is queued or running. */
  async runNow(actor: Actor, id: string): Promise<RunRow> {
    await this.managed(actor, id);
    return this.db.transaction().execute(async (tx) => {
      const s = await this.repo.get(tx, id, true);
      if (!s) throw notFound('EXTRACT_SCHEDULE_NOT_FOUND', { id });
      if (s.state === 'paused') throw conflict('EXTRACT_SCHEDULE_PAUSED');
      await this.repo.closeInterrupted(tx, id, RUN_EXPIRE_SECONDS + 600);
      const run = await this.repo.insertQueuedRun(tx, { scheduleId: id, trigger: 'manual', dueAt: null, requestedBy: actor.userId });
      if (!run) throw conflict('EXTRACT_SCHEDULE_RUN_IN_PROGRESS');
      await this.ctx.jobs.sendInTx<RunJob>(tx, RUN_QUEUE, { runId: run.id });
      await this.repo.update(tx, id, { last_run_state: 'queued', last_run_at: new Date() });
      await this.ledgerChange(tx, actor, s, 'extract_schedule.run', { runId: run.id, trigger: 'manual' });
      return run;
    });
  }

  async runs(actor: Actor, id: string, limit: number, offset: number) {
    const s = await this.visible(actor, id);
    return { schedule: s, ...(await this.repo.runs(this.db, id, limit, offset)) };
  }

  private async ledgerChange(tx: Tx, actor: Actor, s: ScheduleRow, action: string, details: Record<string, unknown>) {
    await this.ctx.ledger.append(tx, {
      actor,
      action,
      objectType: 'extract_schedule',
      objectId: s.id,
      orgId: s.org_id,
      details,
    });
  }

  // ---------------------------------------------------------------------------- jobs

  private async book(tx: Tx, scheduleId: string, due: Date): Promise<void> {
    await this.ctx.jobs.scheduleDeadline<OccurrenceJob>(
      { key: occurrenceKey(scheduleId, due), dueAt: due, queue: OCCURRENCE_QUEUE, data: { scheduleId, due: due.toISOString() } },
      tx,
    );
  }

  /** An occurrence: books the next one and queues a run (a skipped run when one is still queued or running). */
  async handleOccurrence(data: OccurrenceJob): Promise<unknown> {
    return this.db.transaction().execute(async (tx) => {
      const s = await this.repo.get(tx, data.scheduleId, true);
      if (!s || s.state === 'paused' || !s.next_run_at || s.next_run_at.toISOString() !== data.due) return { stale: true };
      // From now, not from the due time: a platform that was down runs a missed occurrence once, not a backlog.
      const next = nextRun(s.cron, new Date(Math.max(Date.now(), Date.parse(data.due))));
      await this.book(tx, s.id, next);
      await this.repo.closeInterrupted(tx, s.id, RUN_EXPIRE_SECONDS + 600);
      const dueAt = new Date(data.due);
      const run = await this.repo.insertQueuedRun(tx, { scheduleId: s.id, trigger: 'schedule', dueAt, requestedBy: null });
      if (run) {
        await this.ctx.jobs.sendInTx<RunJob>(tx, RUN_QUEUE, { runId: run.id });
        await this.repo.update(tx, s.id, { next_run_at: next, last_run_state: 'queued', last_run_at: new Date() });
      } else {
        await this.repo.insertSkippedRun(tx, {
          scheduleId: s.id,
          trigger: 'schedule',
          dueAt,
          error: { code: 'EXTRACT_SCHEDULE_RUN_IN_PROGRESS' },
        });
        await this.repo.update(tx, s.id, { next_run_at: next });
      }
      return { queued: run?.id ?? null, next: next.toISOString() };
    });
  }

  /**
   * A run: as the schedule's key, one call through the gate (logged in the exchange log like a signed POST
   * …/extracts) that makes the extract — or, incremental with no version newer than the last delivered one, records
   * no change — then the extract's own job body (runExtract: PDP, dataset.read ledger entry, quota, file, manifest).
   */
  async handleRun(runId: string): Promise<unknown> {
    const run = await this.repo.claimRun(this.db, runId);
    if (!run) return { skipped: 'not queued' };
    const s = await this.repo.get(this.db, run.schedule_id);
    if (!s) return { skipped: 'schedule deleted' };
    if (s.state === 'paused' && run.trigger === 'schedule') {
      await this.finish(run, 'skipped', { error: { code: 'EXTRACT_SCHEDULE_PAUSED' } });
      return { skipped: 'paused' };
    }
    await this.repo.update(this.db, s.id, { last_run_state: 'running', last_run_at: new Date() });
    try {
      return await this.execute(run, s);
    } catch (e) {
      // Not a refusal (those are answered by the gate): a failure of the platform. Recorded, then the job fails.
      this.ctx.log.error({ err: e, scheduleId: s.id, runId }, 'scheduled extract failed');
      await this.finish(run, 'failed', { error: errorOf(e) });
      throw e;
    }
  }

  private async execute(run: RunRow, s: ScheduleRow): Promise<unknown> {
    let actor: Actor;
    try {
      actor = await this.actorOf(s);
    } catch (e) {
      await this.finish(run, 'failed', { error: errorOf(e) });
      return { state: 'failed', code: errorOf(e).code };
    }
    const incremental = s.mode === 'incremental' && s.last_version !== null;
    const ask = {
      mode: incremental ? ('incremental' as const) : ('full' as const),
      ...(incremental ? { sinceVersion: s.last_version! } : {}),
      format: s.format,
      ...(s.business_ref ? { businessRef: s.business_ref } : {}),
    };
    const asked: RunOutcome = { mode: ask.mode, since_version: incremental ? s.last_version : null };
    // What the gate call learns (set inside the handler).
    const got: { extractId: string | null; unchanged: number | null; refusal: AppError | null } = {
      extractId: null,
      unchanged: null,
      refusal: null,
    };
    const sent = await this.gw.exchange(
      {
        actor,
        service: 'extract',
        resourceId: s.resource_id,
        method: 'POST',
        path: `/api/gateway/v1/resources/${s.resource_id}/extracts`,
        body: Buffer.from(JSON.stringify({ ...ask, scheduleId: s.id, runId: run.id }), 'utf8'),
        businessRef: s.business_ref,
        lang: 'zh-CN',
      },
      async (rec) => {
        rec.detail = { scheduleId: s.id, runId: run.id };
        try {
          if (incremental) {
            const datasetId = await this.datasetOf(s.resource_id);
            const { decision, v } = await this.ctx.datasets
              .access(actor, datasetId, undefined, { action: 'bulk', businessRef: s.business_ref })
              .catch((e: unknown) => {
                if (e instanceof AppError && e.code === 'DATASET_NOT_FOUND')
                  throw notFound('GATEWAY_RESOURCE_NOT_FOUND', { id: s.resource_id });
                throw e;
              });
            rec.entitlement = decision.entitlement;
            if (v.version <= s.last_version!) {
              got.unchanged = v.version;
              rec.detail = { scheduleId: s.id, runId: run.id, noChange: true, version: v.version };
              return { json: { noChange: true, version: v.version } };
            }
          }
          const x = await this.gw.createExtract(actor, s.resource_id, ask, rec, { queue: false });
          rec.detail = { ...rec.detail, scheduleId: s.id, runId: run.id };
          got.extractId = x.id;
          return { json: x, status: 202 };
        } catch (e) {
          if (e instanceof AppError) got.refusal = e;
          throw e;
        }
      },
    );
    const base: RunOutcome = { ...asked, message_id: sent.messageId };
    if (sent.status >= 400 || (!got.extractId && got.unchanged === null)) {
      const r = got.refusal;
      const code = r?.code ?? (JSON.parse(sent.payload ?? '{}') as { error?: { code?: string } }).error?.code ?? 'INTERNAL';
      await this.finish(run, 'failed', { ...base, error: { code, params: r?.params ?? {} } });
      return { state: 'failed', code };
    }
    if (got.unchanged !== null) {
      await this.finish(run, 'no_change', { ...base, version: got.unchanged });
      return { state: 'no_change', version: got.unchanged };
    }
    const extractId = got.extractId!;
    // The extract's own job body, run here (createExtract queued no job): the same read through the gate.
    await this.gw.runExtract(extractId);
    const x = (await this.gw.repo.extract(this.db, extractId))!;
    if (x.state !== 'done') {
      await this.finish(run, 'failed', { ...base, extract_id: x.id, error: { code: x.error_code ?? 'INTERNAL' } });
      return { state: 'failed', code: x.error_code };
    }
    await this.finish(run, 'done', {
      ...base,
      extract_id: x.id,
      version: x.version,
      row_count: x.row_count,
      file_bytes: x.file_bytes,
      sha256: x.sha256,
    });
    return { state: 'done', extractId: x.id, version: x.version, rows: x.row_count };
  }

  /**
   * Closes a run and brings its schedule up to date in one transaction: the last run, the base version of the next
   * incremental run (a delivered file), `failing` with the reason on a failure, `active` again on a success (each
   * change of state a ledger entry).
   */
  private async finish(run: RunRow, state: RunState, o: RunOutcome): Promise<void> {
    await this.db.transaction().execute(async (tx) => {
      await this.repo.finishRun(tx, run.id, state, o);
      const s = await this.repo.get(tx, run.schedule_id, true);
      if (!s) return;
      const now = new Date();
      if (state === 'skipped') {
        await this.repo.update(tx, s.id, { last_run_state: state, last_run_at: now });
        return;
      }
      if (state === 'failed') {
        const error: StoredError = { ...(o.error ?? { code: 'INTERNAL' }), at: now.toISOString() };
        const failing = s.state === 'active';
        await this.repo.update(tx, s.id, {
          last_run_state: state,
          last_run_at: now,
          last_error: error,
          ...(failing ? { state: 'failing' as const } : {}),
        });
        if (failing)
          await this.ledgerChange(tx, SYSTEM, s, 'extract_schedule.failing', {
            runId: run.id,
            code: error.code,
            params: error.params ?? {},
          });
        return;
      }
      const recovered = s.state === 'failing';
      await this.repo.update(tx, s.id, {
        last_run_state: state,
        last_run_at: now,
        last_error: null,
        ...(state === 'done' && o.version !== undefined ? { last_version: o.version } : {}),
        ...(recovered ? { state: 'active' as const } : {}),
      });
      if (recovered) await this.ledgerChange(tx, SYSTEM, s, 'extract_schedule.recovered', { runId: run.id, outcome: state });
    });
  }
}

function errorOf(e: unknown): StoredError {
  if (e instanceof AppError) return { code: e.code, params: e.params };
  return { code: 'INTERNAL' };
}
