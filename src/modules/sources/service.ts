// Source databases (源数据库接入, issue 5 §2): a department's PostgreSQL or MySQL/MariaDB connections (password
// sealed) and ingest specs (query, full or incremental, on demand or on a cron schedule) that feed a dataset.
// Decisions are in ./README.md.
//
// Authorization: `source.read` / `source.manage` on the connection's organization — provider clerks for their
// organization's subtree, the authority admin everywhere ('*'), auditors read ('*.read'). An object the caller
// may not read answers 404 like a missing one. Every create/update/delete (and run request) is ledgered in the
// transaction that makes it; the password never reaches the ledger, the logs or an answer.
//
// Who runs an ingest: the datasets module. It registers `setIngestRunner(fn)` (called by the run job with the
// spec id) and `setDatasetAccess(fn)` (may this actor feed that dataset?), calls `stageSpec` / `stageForIngest`
// from its staging step and `markDone(specId, highWater, tx)` when the version is published.
import { createHash, randomUUID } from 'node:crypto';
import type { AppContext } from '../../context.ts';
import type { Tx } from '../../db/database.ts';
import { AppError, badRequest, conflict, notFound } from '../../errors.ts';
import { translate } from '../../i18n/messages.ts';
import { SYSTEM, type Actor } from '../identity/actor.ts';
import type { DuckEngine } from '../datasets/duckdb.ts';
import './messages.ts';
import { checkTarget, platformDatabase, type PlatformDatabase } from './network.ts';
import { checkIncrementalColumn, checkQuery } from './query.ts';
import {
  SourcesRepository,
  type ConnectionPatch,
  type ConnectionRow,
  type RunStatus,
  type SpecPatch,
  type SpecWithOrg,
} from './repository.ts';
import { SCHEDULE_TZ, checkSchedule, nextRun } from './schedule.ts';
import type {
  ConnectionT,
  CreateConnectionInput,
  CreateSpecInput,
  SpecT,
  TestResultT,
  UpdateConnectionInput,
  UpdateSpecInput,
} from './schemas.ts';
import { probeSource, stageQuery, type HighWater, type SourceEndpoint, type SourceStageResult } from './stage.ts';

export type { HighWater, SourceStageResult, SourceEndpoint } from './stage.ts';

export const RUN_QUEUE = 'sources.run';
export const SCHEDULE_QUEUE = 'sources.schedule';
const CONNECTION = 'source_connection';
const SPEC = 'source_ingest_spec';
const PROVIDER_ORG_KINDS = new Set(['authority', 'department', 'unit']);
/** Fields whose change must come with the password again (a stored password never follows a new address). */
const ADDRESS_FIELDS = ['kind', 'host', 'port', 'user'] as const;

/** Runs one ingest of a spec (the datasets module's ingestFromSource); its result becomes the job's output. */
export type IngestRunner = (specId: string, run: { actor: Actor; trigger: 'manual' | 'schedule'; jobId: string }) => Promise<unknown>;
/** Throws (404/403) unless `actor` may feed `datasetId`; returns the dataset's organization. */
export type DatasetAccess = (actor: Actor, datasetId: string) => Promise<{ orgId: string }>;

interface RunJob {
  specId: string;
  trigger: 'manual' | 'schedule';
  actor: Actor;
}
interface ScheduleJob {
  specId: string;
  /** The occurrence this job stands for (ISO); a job whose time is no longer the spec's next_run_at is stale. */
  due: string;
}

/** The `source` an ingest records for a run of a spec (what the datasets module stores and ledgers). */
export interface DatabaseSource {
  kind: 'database';
  specId: string;
  connectionId: string;
  connectionName: string;
  engine: 'postgresql' | 'mysql';
  mode: 'full' | 'incremental';
  incrementalColumn: string | null;
  /** Incremental: rows after this mark (null: from the beginning). */
  since: string | null;
}

const iso = (d: Date | string) => new Date(d).toISOString();
const isoOrNull = (d: Date | string | null) => (d == null ? null : iso(d));
const scheduleKey = (specId: string, due: Date) => `${specId}@${due.toISOString()}`;
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** What a failed run records (shown with the spec): the code and the message in Chinese (the platform's first language). */
function errorSummary(e: unknown): { code: string; message: string } {
  if (e instanceof AppError) return { code: e.code, message: translate(e.code, 'zh-CN', e.params).slice(0, 1000) };
  const err = e as { message?: string };
  return { code: 'ERROR', message: String(err?.message ?? e).slice(0, 500) };
}

function isUniqueViolation(e: unknown): boolean {
  return (e as { code?: string })?.code === '23505';
}

export class SourcesService {
  readonly repo = new SourcesRepository();
  #runner: IngestRunner | null = null;
  #datasetAccess: DatasetAccess | null = null;
  readonly #platformDb: PlatformDatabase | null;

  constructor(readonly ctx: AppContext) {
    ctx.authz.allow('provider_clerk', 'source.read', 'org_subtree').allow('provider_clerk', 'source.manage', 'org_subtree');
    this.#platformDb = platformDatabase(ctx.database.url);
    const timeout = ctx.config.sourceQueryTimeoutSeconds;
    ctx.jobs.define<RunJob>(RUN_QUEUE, (data, job) => this.handleRun(data, job.id), {
      // A failed run is not retried: the next occurrence (or the next "run now") is the retry.
      retryLimit: 0,
      // The query's own limit plus time for the runner's work (staging, schema, build).
      expireInSeconds: Math.min(86_400, timeout + 3600),
    });
    ctx.jobs.define<ScheduleJob>(SCHEDULE_QUEUE, (data) => this.handleSchedule(data), {
      retryLimit: 5,
      retryDelaySeconds: 30,
      retryBackoff: true,
    });
  }

  get db() {
    return this.ctx.db;
  }

  /** The datasets module registers how a spec is run (null unregisters). Until then runs fail with SOURCE_RUNNER_MISSING. */
  setIngestRunner(fn: IngestRunner | null): void {
    this.#runner = fn;
  }

  /** The datasets module registers how a dataset is checked for a spec. Until then specs cannot be created or re-targeted. */
  setDatasetAccess(fn: DatasetAccess | null): void {
    this.#datasetAccess = fn;
  }

  // ------------------------------------------------------------------------------------------ helpers

  private async orgRef(id: string) {
    const o = await this.ctx.authz.orgs.get(id);
    return { id, code: o?.code ?? '', nameZh: o?.nameZh ?? '', nameEn: o?.nameEn ?? '' };
  }

  /** The organizations whose connections the actor may read (null: all). 403 when none. */
  private async readableOrgs(actor: Actor): Promise<string[] | null> {
    if (await this.ctx.authz.can(actor, 'source.read', { type: CONNECTION })) return null;
    if (actor.orgId && (await this.ctx.authz.can(actor, 'source.read', { type: CONNECTION, orgId: actor.orgId }))) {
      return this.ctx.authz.orgs.subtree(actor.orgId);
    }
    await this.ctx.authz.authorize(actor, 'source.read', { type: CONNECTION });
    return [];
  }

  /** A connection the actor may read, else 404 (also when it exists in another organization). */
  private async loadConnection(db: Tx | AppContext['db'], actor: Actor, id: string, forUpdate = false): Promise<ConnectionRow> {
    const row = await this.repo.getConnection(db, id, forUpdate);
    if (!row || !(await this.ctx.authz.can(actor, 'source.read', { type: CONNECTION, id, orgId: row.org_id }))) {
      throw notFound('SOURCE_NOT_FOUND', { id }, { id });
    }
    return row;
  }

  private async loadSpec(db: Tx | AppContext['db'], actor: Actor, id: string, forUpdate = false): Promise<SpecWithOrg> {
    const row = await this.repo.getSpec(db, id, forUpdate);
    if (!row || !(await this.ctx.authz.can(actor, 'source.read', { type: SPEC, id, orgId: row.org_id }))) {
      throw notFound('SOURCE_SPEC_NOT_FOUND', { id }, { id });
    }
    return row;
  }

  private async connectionView(row: ConnectionRow, specCount?: number): Promise<ConnectionT> {
    return {
      id: row.id,
      org: await this.orgRef(row.org_id),
      name: row.name,
      kind: row.kind,
      host: row.host,
      port: row.port,
      database: row.database,
      user: row.username,
      options: { ssl: row.options?.ssl === true },
      hasPassword: await this.hasPassword(row),
      specCount: specCount ?? (await this.repo.countSpecs(this.db, row.id)),
      createdBy: row.created_by,
      createdAt: iso(row.created_at),
      updatedAt: iso(row.updated_at),
    };
  }

  private async hasPassword(row: ConnectionRow): Promise<boolean> {
    try {
      return (await this.ctx.identity.secrets.open(row.password_sealed, row.id)).length > 0;
    } catch {
      return false;
    }
  }

  private specView(row: SpecWithOrg): SpecT {
    const err = row.last_run_error as { code?: string; message?: string } | null;
    return {
      id: row.id,
      connectionId: row.connection_id,
      connectionName: row.connection_name,
      kind: row.connection_kind,
      orgId: row.org_id,
      datasetId: row.dataset_id,
      name: row.name,
      query: row.query,
      mode: row.mode,
      incrementalColumn: row.incremental_column,
      lastValue: row.last_value,
      schedule: row.schedule,
      scheduleTimeZone: SCHEDULE_TZ,
      nextRunAt: isoOrNull(row.next_run_at),
      lastRun:
        row.last_run_at && row.last_run_status
          ? {
              at: iso(row.last_run_at),
              status: row.last_run_status,
              jobId: row.last_run_job_id,
              error: err ? { code: String(err.code ?? 'ERROR'), message: String(err.message ?? '') } : null,
            }
          : null,
      createdAt: iso(row.created_at),
      updatedAt: iso(row.updated_at),
    };
  }

  private connectionDetails(row: Pick<ConnectionRow, 'name' | 'kind' | 'host' | 'port' | 'database' | 'username' | 'options'>) {
    return {
      name: row.name,
      kind: row.kind,
      host: row.host,
      port: row.port,
      database: row.database,
      user: row.username,
      ssl: row.options?.ssl === true,
    };
  }

  private async checkOrg(orgId: string): Promise<void> {
    const o = await this.ctx.authz.orgs.get(orgId);
    if (!o || !PROVIDER_ORG_KINDS.has(o.kind) || o.status !== 'active') throw badRequest('SOURCE_ORG_INVALID', {}, { field: 'orgId' });
  }

  /** The endpoint of a stored connection, with the password opened and the address checked. */
  private async endpoint(row: ConnectionRow): Promise<SourceEndpoint> {
    const address = await checkTarget({ kind: row.kind, host: row.host, port: row.port, database: row.database }, this.#platformDb);
    return {
      kind: row.kind,
      host: row.host,
      address,
      port: row.port,
      database: row.database,
      user: row.username,
      password: await this.ctx.identity.secrets.open(row.password_sealed, row.id),
      ssl: row.options?.ssl === true,
    };
  }

  // ------------------------------------------------------------------------------------------ connections

  async listConnections(actor: Actor): Promise<ConnectionT[]> {
    const orgIds = await this.readableOrgs(actor);
    const rows = await this.repo.listConnections(this.db, orgIds);
    return Promise.all(rows.map((r) => this.connectionView(r)));
  }

  async getConnection(actor: Actor, id: string): Promise<ConnectionT> {
    return this.connectionView(await this.loadConnection(this.db, actor, id));
  }

  async createConnection(actor: Actor, input: CreateConnectionInput): Promise<ConnectionT> {
    const orgId = input.orgId ?? actor.orgId;
    if (!orgId) throw badRequest('SOURCE_ORG_INVALID', {}, { field: 'orgId' });
    await this.ctx.authz.authorize(actor, 'source.manage', { type: CONNECTION, orgId });
    await this.checkOrg(orgId);
    const values = {
      name: input.name.trim(),
      kind: input.kind,
      host: input.host.trim(),
      port: input.port,
      database: input.database,
      username: input.user,
      options: { ssl: input.options?.ssl === true },
    };
    await checkTarget(values, this.#platformDb);
    const id = randomUUID();
    const sealed = await this.ctx.identity.secrets.seal(input.password, id);
    try {
      const row = await this.db.transaction().execute(async (tx) => {
        const r = await this.repo.insertConnection(tx, { id, org_id: orgId, ...values, password_sealed: sealed, created_by: actor.userId });
        await this.ctx.ledger.append(tx, {
          actor,
          action: 'source.connection.create',
          objectType: CONNECTION,
          objectId: id,
          orgId,
          details: this.connectionDetails(r),
        });
        return r;
      });
      return this.connectionView(row, 0);
    } catch (e) {
      if (isUniqueViolation(e)) throw conflict('SOURCE_NAME_TAKEN', { name: values.name }, { field: 'name' });
      throw e;
    }
  }

  async updateConnection(actor: Actor, id: string, input: UpdateConnectionInput): Promise<ConnectionT> {
    const current = await this.loadConnection(this.db, actor, id);
    await this.ctx.authz.authorize(actor, 'source.manage', { type: CONNECTION, id, orgId: current.org_id });
    const patch: ConnectionPatch = {};
    if (input.name !== undefined) patch.name = input.name.trim();
    if (input.kind !== undefined) patch.kind = input.kind;
    if (input.host !== undefined) patch.host = input.host.trim();
    if (input.port !== undefined) patch.port = input.port;
    if (input.database !== undefined) patch.database = input.database;
    if (input.user !== undefined) patch.username = input.user;
    if (input.options !== undefined) patch.options = { ssl: input.options.ssl === true };
    const next = { ...current, ...patch };
    const moved = ADDRESS_FIELDS.some((f) => {
      const col = f === 'user' ? 'username' : f;
      return next[col] !== current[col];
    });
    if (moved && input.password === undefined) throw badRequest('SOURCE_PASSWORD_REQUIRED', {}, { field: 'password' });
    // The specs' queries were checked in the old dialect.
    if (next.kind !== current.kind) {
      const n = await this.repo.countSpecs(this.db, id);
      if (n > 0) throw conflict('SOURCE_IN_USE', { count: n }, { count: n, field: 'kind' });
    }
    await checkTarget(next, this.#platformDb);
    if (input.password !== undefined) patch.password_sealed = await this.ctx.identity.secrets.seal(input.password, id);
    const changed = Object.keys(patch).filter(
      (k) =>
        k !== 'password_sealed' && JSON.stringify(next[k as keyof ConnectionRow]) !== JSON.stringify(current[k as keyof ConnectionRow]),
    );
    if (!changed.length && input.password === undefined) return this.connectionView(current);
    try {
      const row = await this.db.transaction().execute(async (tx) => {
        await this.loadConnection(tx, actor, id, true);
        const r = await this.repo.updateConnection(tx, id, patch, actor.userId);
        await this.ctx.ledger.append(tx, {
          actor,
          action: 'source.connection.update',
          objectType: CONNECTION,
          objectId: id,
          orgId: r.org_id,
          details: {
            changed: changed.map((k) => (k === 'username' ? 'user' : k)),
            passwordChanged: input.password !== undefined,
            after: this.connectionDetails(r),
          },
        });
        return r;
      });
      return this.connectionView(row);
    } catch (e) {
      if (isUniqueViolation(e)) throw conflict('SOURCE_NAME_TAKEN', { name: next.name }, { field: 'name' });
      throw e;
    }
  }

  async deleteConnection(actor: Actor, id: string): Promise<void> {
    const current = await this.loadConnection(this.db, actor, id);
    await this.ctx.authz.authorize(actor, 'source.manage', { type: CONNECTION, id, orgId: current.org_id });
    await this.db.transaction().execute(async (tx) => {
      const row = await this.loadConnection(tx, actor, id, true);
      const n = await this.repo.countSpecs(tx, id);
      if (n > 0) throw conflict('SOURCE_IN_USE', { count: n }, { count: n });
      await this.repo.deleteConnection(tx, id);
      await this.ctx.ledger.append(tx, {
        actor,
        action: 'source.connection.delete',
        objectType: CONNECTION,
        objectId: id,
        orgId: row.org_id,
        details: this.connectionDetails(row),
      });
    });
  }

  /** Connects, signs in and runs `select`-level probe within 5 s: the server version, or SOURCE_UNREACHABLE / SOURCE_AUTH_FAILED. */
  async testConnection(actor: Actor, id: string): Promise<TestResultT> {
    const row = await this.loadConnection(this.db, actor, id);
    await this.ctx.authz.authorize(actor, 'source.manage', { type: CONNECTION, id, orgId: row.org_id });
    const result = await probeSource(await this.endpoint(row));
    return { ok: true, ...result };
  }

  // ------------------------------------------------------------------------------------------ specs

  async listSpecs(actor: Actor, filter: { connectionId?: string; datasetId?: string } = {}): Promise<SpecT[]> {
    const orgIds = await this.readableOrgs(actor);
    const rows = await this.repo.listSpecs(this.db, { orgIds, ...filter });
    return rows.map((r) => this.specView(r));
  }

  async getSpec(actor: Actor, id: string): Promise<SpecT> {
    return this.specView(await this.loadSpec(this.db, actor, id));
  }

  private async checkDataset(actor: Actor, datasetId: string): Promise<void> {
    if (!this.#datasetAccess) throw new AppError(503, 'SOURCE_DATASET_CHECK_UNAVAILABLE', {}, { field: 'datasetId' });
    await this.#datasetAccess(actor, datasetId);
  }

  /** Normalizes and checks the spec fields that depend on each other. */
  private specValues(
    kind: 'postgresql' | 'mysql',
    v: { query: string; mode: 'full' | 'incremental'; incrementalColumn: string | null; lastValue: string | null; schedule: string | null },
  ) {
    checkQuery(v.query, kind);
    let incrementalColumn: string | null = null;
    let lastValue: string | null = null;
    if (v.mode === 'incremental') {
      if (!v.incrementalColumn) throw badRequest('SOURCE_INCREMENTAL_COLUMN_REQUIRED', {}, { field: 'incrementalColumn' });
      incrementalColumn = checkIncrementalColumn(v.incrementalColumn);
      lastValue = v.lastValue;
    }
    const schedule = v.schedule === null || v.schedule.trim() === '' ? null : checkSchedule(v.schedule);
    return { query: v.query, mode: v.mode, incrementalColumn, lastValue, schedule };
  }

  private queryDetails(query: string) {
    return { querySha256: sha256(query), query: query.length > 2000 ? `${query.slice(0, 2000)}…` : query };
  }

  async createSpec(actor: Actor, input: CreateSpecInput): Promise<SpecT> {
    const conn = await this.loadConnection(this.db, actor, input.connectionId);
    await this.ctx.authz.authorize(actor, 'source.manage', { type: CONNECTION, id: conn.id, orgId: conn.org_id });
    const v = this.specValues(conn.kind, {
      query: input.query,
      mode: input.mode,
      incrementalColumn: input.incrementalColumn ?? null,
      lastValue: input.lastValue ?? null,
      schedule: input.schedule ?? null,
    });
    await this.checkDataset(actor, input.datasetId);
    const next = v.schedule ? nextRun(v.schedule, new Date()) : null;
    const id = await this.db.transaction().execute(async (tx) => {
      await this.loadConnection(tx, actor, conn.id, true); // still there
      const row = await this.repo.insertSpec(tx, {
        connection_id: conn.id,
        dataset_id: input.datasetId,
        name: (input.name ?? '').trim(),
        query: v.query,
        mode: v.mode,
        incremental_column: v.incrementalColumn,
        last_value: v.lastValue,
        schedule: v.schedule,
        next_run_at: next,
        created_by: actor.userId,
      });
      if (next) await this.scheduleOccurrence(tx, row.id, next);
      await this.ctx.ledger.append(tx, {
        actor,
        action: 'source.spec.create',
        objectType: SPEC,
        objectId: row.id,
        orgId: conn.org_id,
        details: {
          connectionId: conn.id,
          datasetId: input.datasetId,
          mode: v.mode,
          incrementalColumn: v.incrementalColumn,
          lastValue: v.lastValue,
          schedule: v.schedule,
          ...this.queryDetails(v.query),
        },
      });
      return row.id;
    });
    return this.specView((await this.repo.getSpec(this.db, id))!);
  }

  async updateSpec(actor: Actor, id: string, input: UpdateSpecInput): Promise<SpecT> {
    const current = await this.loadSpec(this.db, actor, id);
    await this.ctx.authz.authorize(actor, 'source.manage', { type: SPEC, id, orgId: current.org_id });
    const mode = input.mode ?? current.mode;
    const incrementalColumn = input.incrementalColumn !== undefined ? input.incrementalColumn : current.incremental_column;
    // A new column (or mode) makes the old mark meaningless: it is dropped unless a new one is given.
    const columnChanged = mode !== current.mode || incrementalColumn !== current.incremental_column;
    const lastValue = input.lastValue !== undefined ? input.lastValue : columnChanged ? null : current.last_value;
    const v = this.specValues(current.connection_kind, {
      query: input.query ?? current.query,
      mode,
      incrementalColumn,
      lastValue,
      schedule: input.schedule !== undefined ? input.schedule : current.schedule,
    });
    if (input.datasetId !== undefined && input.datasetId !== current.dataset_id) await this.checkDataset(actor, input.datasetId);
    const patch: SpecPatch = {
      dataset_id: input.datasetId ?? current.dataset_id,
      name: input.name !== undefined ? input.name.trim() : current.name,
      query: v.query,
      mode: v.mode,
      incremental_column: v.incrementalColumn,
      last_value: v.lastValue,
      last_value_type: v.lastValue === current.last_value && !columnChanged ? current.last_value_type : null,
      schedule: v.schedule,
    };
    const changed = (Object.keys(patch) as Array<keyof SpecPatch>).filter((k) => patch[k] !== current[k]);
    if (!changed.length) return this.specView(current);
    await this.db.transaction().execute(async (tx) => {
      const locked = await this.loadSpec(tx, actor, id, true);
      if (patch.schedule !== locked.schedule) {
        if (locked.next_run_at) await this.ctx.jobs.cancelDeadline(SCHEDULE_QUEUE, scheduleKey(id, locked.next_run_at), tx);
        const next = patch.schedule ? nextRun(patch.schedule, new Date()) : null;
        patch.next_run_at = next;
        if (next) await this.scheduleOccurrence(tx, id, next);
      }
      await this.repo.updateSpec(tx, id, patch, actor.userId);
      await this.ctx.ledger.append(tx, {
        actor,
        action: 'source.spec.update',
        objectType: SPEC,
        objectId: id,
        orgId: locked.org_id,
        details: {
          changed: changed.map((k) => k.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase())),
          datasetId: patch.dataset_id,
          mode: v.mode,
          incrementalColumn: v.incrementalColumn,
          lastValue: v.lastValue,
          schedule: v.schedule,
          ...(changed.includes('query') ? this.queryDetails(v.query) : {}),
        },
      });
    });
    return this.specView((await this.repo.getSpec(this.db, id))!);
  }

  async deleteSpec(actor: Actor, id: string): Promise<void> {
    const current = await this.loadSpec(this.db, actor, id);
    await this.ctx.authz.authorize(actor, 'source.manage', { type: SPEC, id, orgId: current.org_id });
    await this.db.transaction().execute(async (tx) => {
      const row = await this.loadSpec(tx, actor, id, true);
      if (row.next_run_at) await this.ctx.jobs.cancelDeadline(SCHEDULE_QUEUE, scheduleKey(id, row.next_run_at), tx);
      await this.repo.deleteSpec(tx, id);
      await this.ctx.ledger.append(tx, {
        actor,
        action: 'source.spec.delete',
        objectType: SPEC,
        objectId: id,
        orgId: row.org_id,
        details: { connectionId: row.connection_id, datasetId: row.dataset_id, mode: row.mode, schedule: row.schedule },
      });
    });
  }

  /** Queues a run of the spec now (the same runner as the schedule). 409 when one is already queued or running. */
  async runNow(actor: Actor, id: string): Promise<{ specId: string; jobId: string; status: 'queued' }> {
    const current = await this.loadSpec(this.db, actor, id);
    await this.ctx.authz.authorize(actor, 'source.manage', { type: SPEC, id, orgId: current.org_id });
    if (!this.#runner) throw new AppError(503, 'SOURCE_RUNNER_MISSING', {}, { specId: id });
    const jobId = await this.db.transaction().execute(async (tx) => {
      const row = await this.loadSpec(tx, actor, id, true);
      const job = await this.ctx.jobs.sendInTx<RunJob>(tx, RUN_QUEUE, { specId: id, trigger: 'manual', actor }, { singletonKey: id });
      if (!job) throw conflict('SOURCE_RUN_IN_PROGRESS', {}, { specId: id });
      await this.repo.updateSpec(tx, id, {
        last_run_at: new Date(),
        last_run_status: 'queued',
        last_run_error: null,
        last_run_job_id: job,
      });
      await this.ctx.ledger.append(tx, {
        actor,
        action: 'source.spec.run',
        objectType: SPEC,
        objectId: id,
        orgId: row.org_id,
        details: {
          jobId: job,
          trigger: 'manual',
          datasetId: row.dataset_id,
          mode: row.mode,
          since: row.mode === 'incremental' ? row.last_value : null,
        },
      });
      return job;
    });
    return { specId: id, jobId, status: 'queued' };
  }

  // ------------------------------------------------------------------------------------------ jobs

  private async scheduleOccurrence(tx: Tx, specId: string, due: Date): Promise<void> {
    await this.ctx.jobs.scheduleDeadline<ScheduleJob>(
      { key: scheduleKey(specId, due), dueAt: due, queue: SCHEDULE_QUEUE, data: { specId, due: due.toISOString() } },
      tx,
    );
  }

  /** A schedule occurrence: books the next one and queues a run (unless one is still queued or running). */
  async handleSchedule(data: ScheduleJob): Promise<unknown> {
    return this.db.transaction().execute(async (tx) => {
      const spec = await this.repo.getSpec(tx, data.specId, true);
      if (!spec || !spec.schedule || !spec.next_run_at || spec.next_run_at.toISOString() !== data.due) return { stale: true };
      // From now, not from the due time: a platform that was down runs a missed occurrence once, not a backlog.
      const next = nextRun(spec.schedule, new Date(Math.max(Date.now(), new Date(data.due).getTime())));
      await this.scheduleOccurrence(tx, spec.id, next);
      const job = await this.ctx.jobs.sendInTx<RunJob>(
        tx,
        RUN_QUEUE,
        { specId: spec.id, trigger: 'schedule', actor: SYSTEM },
        { singletonKey: spec.id },
      );
      const patch: SpecPatch = { next_run_at: next };
      if (job) Object.assign(patch, { last_run_at: new Date(), last_run_status: 'queued', last_run_error: null, last_run_job_id: job });
      await this.repo.updateSpec(tx, spec.id, patch);
      return { queued: job, next: next.toISOString() };
    });
  }

  private async recordRun(specId: string, jobId: string, status: RunStatus, error: unknown = null): Promise<void> {
    const spec = await this.repo.getSpec(this.db, specId);
    // A later run owns the status once it started.
    if (!spec || (spec.last_run_job_id && spec.last_run_job_id !== jobId)) return;
    await this.repo.updateSpec(this.db, specId, {
      last_run_at: new Date(),
      last_run_status: status,
      last_run_error: error,
      last_run_job_id: jobId,
    });
  }

  /** A run job: calls the registered runner; without one the job fails with SOURCE_RUNNER_MISSING. */
  async handleRun(data: RunJob, jobId: string): Promise<unknown> {
    const spec = await this.repo.getSpec(this.db, data.specId);
    if (!spec) return { skipped: 'spec deleted' };
    if (!this.#runner) {
      await this.recordRun(spec.id, jobId, 'failed', errorSummary(new AppError(503, 'SOURCE_RUNNER_MISSING')));
      throw new Error(`SOURCE_RUNNER_MISSING: ${translate('SOURCE_RUNNER_MISSING', 'en')} (sources.setIngestRunner was not called)`);
    }
    await this.recordRun(spec.id, jobId, 'running');
    try {
      const out = await this.#runner(spec.id, { actor: data.actor, trigger: data.trigger, jobId });
      await this.recordRun(spec.id, jobId, 'succeeded');
      return out ?? null;
    } catch (e) {
      await this.recordRun(spec.id, jobId, 'failed', errorSummary(e));
      throw e;
    }
  }

  // ------------------------------------------------------------------------------------------ for the datasets module

  /** What an ingest of this spec records as its source. */
  async describe(specId: string): Promise<DatabaseSource> {
    const spec = await this.repo.getSpec(this.db, specId);
    if (!spec) throw notFound('SOURCE_SPEC_NOT_FOUND', { id: specId }, { id: specId });
    return {
      kind: 'database',
      specId: spec.id,
      connectionId: spec.connection_id,
      connectionName: spec.connection_name,
      engine: spec.connection_kind,
      mode: spec.mode,
      incrementalColumn: spec.incremental_column,
      since: spec.mode === 'incremental' ? spec.last_value : null,
    };
  }

  /** Loads spec and connection (password opened, address checked) and stages the query's rows to `outPath`. */
  async stageSpec(engine: DuckEngine, specId: string, outPath: string, onProgress?: (rows: number) => void): Promise<SourceStageResult> {
    const spec = await this.repo.getSpec(this.db, specId);
    if (!spec) throw notFound('SOURCE_SPEC_NOT_FOUND', { id: specId }, { id: specId });
    const conn = (await this.repo.getConnection(this.db, spec.connection_id))!;
    return stageQuery(
      engine,
      await this.endpoint(conn),
      {
        query: spec.query,
        mode: spec.mode,
        incrementalColumn: spec.incremental_column,
        lastValue: spec.last_value,
        lastValueType: spec.last_value_type,
      },
      outPath,
      onProgress,
      { timeoutSeconds: this.ctx.config.sourceQueryTimeoutSeconds },
    );
  }

  /** stageSpec for an ingest whose recorded source is `{ kind: 'database', specId }` (see describe()). */
  async stageForIngest(
    engine: DuckEngine,
    source: { specId?: unknown },
    outPath: string,
    onProgress?: (rows: number) => void,
  ): Promise<SourceStageResult> {
    if (typeof source.specId !== 'string') throw notFound('SOURCE_SPEC_NOT_FOUND', { id: String(source.specId) }, {});
    return this.stageSpec(engine, source.specId, outPath, onProgress);
  }

  /**
   * Stores the high-water mark of a published incremental run (call it in the publishing transaction). A null
   * mark (full mode) does nothing. Ledgered as `source.spec.advance`.
   */
  async markDone(specId: string, highWater: HighWater | null, tx?: Tx): Promise<void> {
    if (!highWater) return;
    const run = async (t: Tx) => {
      const spec = await this.repo.getSpec(t, specId, true);
      if (!spec || spec.mode !== 'incremental') return;
      if (spec.last_value === highWater.value && spec.last_value_type === highWater.type) return;
      await this.repo.updateSpec(t, specId, { last_value: highWater.value, last_value_type: highWater.type });
      await this.ctx.ledger.append(t, {
        actor: SYSTEM,
        action: 'source.spec.advance',
        objectType: SPEC,
        objectId: specId,
        orgId: spec.org_id,
        details: { from: spec.last_value, to: highWater.value, column: spec.incremental_column },
      });
    };
    if (tx) await run(tx);
    else await this.db.transaction().execute(run);
  }
}
