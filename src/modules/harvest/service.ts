// Harvesting another portal's catalog (issue 7 §8; docs/portal-harvest.md).
//
// A source is a CKAN Action API (package_search paged by rows/start, sorted by id) or a DCAT-AP feed (JSON-LD or
// Turtle, Hydra paging), configured by the data authority with the department that receives the datasets. A run
// reads EVERY page first (fetch.ts: http(s) only, no link-local/metadata addresses, redirects by hand with loop
// detection, a time limit and a size cap per page; formats.ts: strict parsing) and writes nothing until the
// whole upstream catalog has been read and understood — a malformed page, a huge page or a redirect loop fails
// the run with its reason and changes nothing. Then, per upstream dataset, keyed by (source, upstream id):
//   new        → a published catalog resource of the owner department (CatalogService.publishHarvested) and its
//                harvest record, in one transaction;
//   changed    → the resource's metadata replaced as a new catalog version (same transaction as the record);
//   unchanged  → nothing (the normalized metadata's SHA-256 is the same);
//   gone       → the resource is withdrawn (the catalog's own transition, ledgered) and the record marked.
// So re-harvesting updates instead of duplicating, whatever the upstream's order or paging. A source may have a
// cron schedule (China time, at least MIN_INTERVAL_MINUTES apart): each occurrence is a durable job that books
// the next one and queues a run unless one is still queued or running.
import { createHash } from 'node:crypto';
import canonicalizeModule from 'canonicalize';
import type { AppContext } from '../../context.ts';
import { AppError, badRequest, conflict, notFound } from '../../errors.ts';
import { SYSTEM, type Actor } from '../identity/actor.ts';
import { checkPullSchedule, nextPull, PULL_SCHEDULE_TZ } from '../federation/schedule.ts';
import { DEFAULT_FETCH_LIMITS, fetchPage, HarvestFailure, type FetchLimits } from './fetch.ts';
import { parseCkanPage, parseDcatPage, type HarvestedDataset } from './formats.ts';
import { HarvestRepository, type RecordRow, type RunError, type RunRow, type SourceListRow, type SourceRow } from './repository.ts';
import './messages.ts';

const canonicalize = canonicalizeModule as unknown as (input: unknown) => string | undefined;

export const RUN_QUEUE = 'harvest.run';
export const SCHEDULE_QUEUE = 'harvest.schedule';
/** Harvests closer together than this are refused (a whole upstream catalog is read each time). */
export const MIN_INTERVAL_MINUTES = 60;
const SOURCE = 'harvest_source';
const HEARTBEAT_MS = 30_000;

interface RunJob {
  runId: string;
  actor: Actor;
}
interface ScheduleJob {
  sourceId: string;
  due: string;
}
const scheduleKey = (sourceId: string, due: Date) => `${sourceId}@${due.toISOString()}`;

export interface SourceInput {
  name: string;
  kind: 'ckan' | 'dcat';
  url: string;
  ownerOrgId: string;
  subjectCategory: string;
  domainCategory: string;
  cron?: string | null;
}

export interface RunView {
  id: string;
  trigger: 'manual' | 'schedule';
  status: RunRow['status'];
  pages: number;
  seen: number;
  created: number;
  updated: number;
  unchanged: number;
  withdrawn: number;
  error: RunError | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

export interface SourceView {
  id: string;
  name: string;
  kind: 'ckan' | 'dcat';
  url: string;
  owner: { id: string; code: string; nameZh: string; nameEn: string };
  subjectCategory: string;
  domainCategory: string;
  schedule: { cron: string; timeZone: string; nextRunAt: string | null } | null;
  state: 'active' | 'disabled';
  datasets: number;
  withdrawn: number;
  lastRun: RunView | null;
  createdAt: string;
}

export interface OriginView {
  source: { name: string; kind: 'ckan' | 'dcat'; url: string };
  remoteId: string;
  remoteUrl: string | null;
  remoteModified: string | null;
  distributions: Array<{ url: string; format: string; title: string }>;
  state: 'active' | 'withdrawn';
  harvestedAt: string;
}

const iso = (d: Date | null) => d?.toISOString() ?? null;

export function runView(r: RunRow): RunView {
  return {
    id: r.id,
    trigger: r.trigger,
    status: r.status,
    pages: r.pages,
    seen: r.seen,
    created: r.created,
    updated: r.updated,
    unchanged: r.unchanged,
    withdrawn: r.withdrawn,
    error: r.error,
    createdAt: r.created_at.toISOString(),
    startedAt: iso(r.started_at),
    finishedAt: iso(r.finished_at),
  };
}

/** The normalized upstream metadata's fingerprint: the same dataset read again hashes the same. */
export function contentHash(d: HarvestedDataset): string {
  return createHash('sha256').update(canonicalize(d)!).digest('hex');
}

export class HarvestService {
  readonly repo = new HarvestRepository();
  now: () => Date = () => new Date();
  minIntervalMinutes = MIN_INTERVAL_MINUTES;
  /** Per-page limits (tests lower them). */
  limits: FetchLimits = { ...DEFAULT_FETCH_LIMITS };
  /** CKAN rows per package_search page (CKAN's own limit is 1000). */
  pageSize = 100;
  maxPages = 5_000;
  maxDatasets = 200_000;

  constructor(private readonly ctx: AppContext) {
    ctx.jobs.define<RunJob>(RUN_QUEUE, (data) => this.handleRun(data), { retryLimit: 0, expireInSeconds: 4 * 3600 });
    ctx.jobs.define<ScheduleJob>(SCHEDULE_QUEUE, (data) => this.handleSchedule(data), {
      retryLimit: 5,
      retryDelaySeconds: 30,
      retryBackoff: true,
    });
  }

  private get db() {
    return this.ctx.db;
  }

  private async authority(actor: Actor, action = 'harvest.manage'): Promise<void> {
    await this.ctx.authz.authorize(actor, action, { type: SOURCE });
  }

  private async load(id: string, forUpdate = false, db = this.db as Parameters<HarvestRepository['source']>[0]): Promise<SourceRow> {
    const s = await this.repo.source(db, id, forUpdate);
    if (!s) throw notFound('HARVEST_SOURCE_NOT_FOUND', {}, { id });
    return s;
  }

  private async view(id: string): Promise<SourceView> {
    const s = await this.repo.sourceView(this.db, id);
    if (!s) throw notFound('HARVEST_SOURCE_NOT_FOUND', {}, { id });
    return this.toView(s);
  }

  private async toView(s: SourceListRow): Promise<SourceView> {
    const last = (await this.repo.runs(this.db, s.id, 1))[0];
    return {
      id: s.id,
      name: s.name,
      kind: s.kind,
      url: s.url,
      owner: { id: s.owner_org_id, code: s.owner_code, nameZh: s.owner_name_zh, nameEn: s.owner_name_en },
      subjectCategory: s.subject_category,
      domainCategory: s.domain_category,
      schedule: s.schedule ? { cron: s.schedule, timeZone: PULL_SCHEDULE_TZ, nextRunAt: iso(s.next_run_at) } : null,
      state: s.state,
      datasets: s.datasets,
      withdrawn: s.withdrawn,
      lastRun: last ? runView(last) : null,
      createdAt: s.created_at.toISOString(),
    };
  }

  private checkCron(cron: string | null | undefined): string | null {
    if (cron === undefined || cron === null || cron.trim() === '') return null;
    try {
      return checkPullSchedule(cron, this.now(), this.minIntervalMinutes);
    } catch (e) {
      if (e instanceof AppError)
        throw badRequest(
          'HARVEST_SCHEDULE_INVALID',
          { reason: String((e.details as { reason?: string } | undefined)?.reason ?? e.code) },
          { field: 'cron' },
        );
      throw e;
    }
  }

  // ------------------------------------------------------------------------------------------ sources

  async list(actor: Actor): Promise<SourceView[]> {
    await this.authority(actor, 'harvest.read');
    return Promise.all((await this.repo.listSources(this.db)).map((s) => this.toView(s)));
  }

  async get(actor: Actor, id: string): Promise<SourceView> {
    await this.authority(actor, 'harvest.read');
    return this.view(id);
  }

  async create(actor: Actor, input: SourceInput): Promise<SourceView> {
    await this.authority(actor);
    const name = input.name.trim();
    if (!name) throw badRequest('HARVEST_FIELD_REQUIRED', { field: 'name' }, { field: 'name' });
    let url: URL;
    try {
      url = new URL(input.url.trim());
    } catch {
      throw badRequest('HARVEST_URL_INVALID', {}, { field: 'url' });
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw badRequest('HARVEST_URL_INVALID', {}, { field: 'url' });
    const org = await this.ctx.authz.orgs.get(input.ownerOrgId);
    if (!org || !['authority', 'department', 'unit'].includes(org.kind))
      throw badRequest('HARVEST_OWNER_INVALID', {}, { field: 'ownerOrgId' });
    const categories = (await this.ctx.catalog.categories()).filter((c) => c.enabled);
    // As the catalog checks them (validateResource): any enabled category as subject, a domain as domain.
    for (const [f, kinds] of [
      ['subjectCategory', ['base', 'domain']],
      ['domainCategory', ['domain']],
    ] as const)
      if (!categories.some((c) => c.code === input[f] && (kinds as readonly string[]).includes(c.kind)))
        throw badRequest('HARVEST_CATEGORY_UNKNOWN', { value: input[f] }, { field: f });
    const cron = this.checkCron(input.cron);
    const id = await this.db.transaction().execute(async (tx) => {
      let s: SourceRow;
      try {
        s = await this.repo.insertSource(tx, {
          name,
          kind: input.kind,
          url: url.href,
          owner_org_id: org.id,
          subject_category: input.subjectCategory,
          domain_category: input.domainCategory,
          schedule: cron,
          created_by: actor.userId,
        });
      } catch (e) {
        if ((e as { code?: string }).code === '23505') throw conflict('HARVEST_SOURCE_EXISTS', {}, { field: 'url' });
        throw e;
      }
      const next = cron ? nextPull(cron, this.now()) : null;
      if (next) {
        await this.repo.setNextRun(tx, s.id, next);
        await this.bookOccurrence(tx, s.id, next);
      }
      await this.ctx.ledger.append(tx, {
        actor,
        action: 'harvest.source.create',
        objectType: SOURCE,
        objectId: s.id,
        orgId: org.id,
        details: { name, kind: input.kind, url: url.href, cron },
      });
      return s.id;
    });
    return this.view(id);
  }

  async update(
    actor: Actor,
    id: string,
    input: { name?: string; cron?: string | null; state?: 'active' | 'disabled' },
  ): Promise<SourceView> {
    await this.authority(actor);
    const cron = input.cron === undefined ? undefined : this.checkCron(input.cron);
    await this.db.transaction().execute(async (tx) => {
      const s = await this.load(id, true, tx);
      const name = input.name?.trim() || s.name;
      const schedule = cron === undefined ? s.schedule : cron;
      const state = input.state ?? s.state;
      if (s.next_run_at) await this.ctx.jobs.cancelDeadline(SCHEDULE_QUEUE, scheduleKey(s.id, s.next_run_at), tx);
      const next = schedule && state === 'active' ? nextPull(schedule, this.now()) : null;
      await this.repo.updateSource(tx, s.id, { name, schedule, state, next_run_at: next });
      if (next) await this.bookOccurrence(tx, s.id, next);
      await this.ctx.ledger.append(tx, {
        actor,
        action: 'harvest.source.update',
        objectType: SOURCE,
        objectId: s.id,
        orgId: s.owner_org_id,
        details: { from: { name: s.name, cron: s.schedule, state: s.state }, to: { name, cron: schedule, state } },
      });
    });
    return this.view(id);
  }

  async runs(actor: Actor, id: string): Promise<RunView[]> {
    await this.authority(actor, 'harvest.read');
    await this.load(id);
    return (await this.repo.runs(this.db, id, 50)).map(runView);
  }

  async run(actor: Actor, sourceId: string, runId: string): Promise<RunView> {
    await this.authority(actor, 'harvest.read');
    const r = await this.repo.run(this.db, runId);
    if (!r || r.source_id !== sourceId) throw notFound('HARVEST_RUN_NOT_FOUND', {}, { id: runId });
    return runView(r);
  }

  /** Where a harvested resource came from (404 when it was not harvested or the actor may not see it). */
  async origin(actor: Actor, resourceId: string): Promise<OriginView> {
    await this.ctx.catalog.getForRead(actor, resourceId);
    const o = await this.repo.origin(this.db, resourceId);
    if (!o) throw notFound('HARVEST_ORIGIN_NOT_FOUND', {}, { id: resourceId });
    return {
      source: { name: o.source_name, kind: o.source_kind, url: o.source_url },
      remoteId: o.remote_id,
      remoteUrl: o.remote_url,
      remoteModified: o.remote_modified,
      distributions: o.distributions,
      state: o.state,
      harvestedAt: o.updated_at.toISOString(),
    };
  }

  // ------------------------------------------------------------------------------------------ schedule

  private async bookOccurrence(tx: Parameters<HarvestRepository['setNextRun']>[0], sourceId: string, due: Date): Promise<void> {
    await this.ctx.jobs.scheduleDeadline<ScheduleJob>(
      { key: scheduleKey(sourceId, due), dueAt: due, queue: SCHEDULE_QUEUE, data: { sourceId, due: due.toISOString() } },
      tx,
    );
  }

  async handleSchedule(data: ScheduleJob): Promise<unknown> {
    return this.db.transaction().execute(async (tx) => {
      const s = await this.repo.source(tx, data.sourceId, true);
      if (!s || !s.schedule || s.state !== 'active' || !s.next_run_at || s.next_run_at.toISOString() !== data.due) return { stale: true };
      await this.ctx.jobs.cancelDeadline(SCHEDULE_QUEUE, scheduleKey(s.id, s.next_run_at), tx);
      const next = nextPull(s.schedule, new Date(Math.max(this.now().getTime(), Date.parse(data.due))));
      await this.repo.setNextRun(tx, s.id, next);
      if (next) await this.bookOccurrence(tx, s.id, next);
      const run = await this.claim(tx, s.id, 'schedule', 'queued', null);
      if (!run) {
        await this.repo.insertSkipped(tx, s.id);
        return { skipped: 'running' };
      }
      const jobId = (await this.ctx.jobs.sendInTx<RunJob>(tx, RUN_QUEUE, { runId: run.id, actor: SYSTEM }))!;
      await this.repo.setRunJob(tx, run.id, jobId);
      return { queued: run.id, next: iso(next) };
    });
  }

  // ------------------------------------------------------------------------------------------ runs

  private async claim(
    db: Parameters<HarvestRepository['activeRun']>[0],
    sourceId: string,
    trigger: 'manual' | 'schedule',
    status: 'queued' | 'running',
    requestedBy: string | null,
  ): Promise<RunRow | undefined> {
    const active = await this.repo.activeRun(db, sourceId);
    if (active) {
      const job = active.status === 'queued' && active.job_id ? await this.ctx.jobs.getJob(RUN_QUEUE, active.job_id) : null;
      const alive = active.status === 'running' ? !active.silent : !!job && ['created', 'retry', 'active'].includes(job.state);
      if (alive) return undefined;
      await this.repo.closeInterrupted(db, active.id);
    }
    return this.repo.claimRun(db, { sourceId, trigger, status, requestedBy });
  }

  /** Queues a harvest now (202): a durable job runs it; GET …/runs/:id shows how it went. */
  async queueRun(actor: Actor, id: string): Promise<RunView> {
    await this.authority(actor);
    const s = await this.load(id);
    if (s.state !== 'active') throw conflict('HARVEST_SOURCE_DISABLED');
    return this.db.transaction().execute(async (tx) => {
      const run = await this.claim(tx, s.id, 'manual', 'queued', actor.userId);
      if (!run) throw conflict('HARVEST_RUN_IN_PROGRESS', {}, { sourceId: s.id });
      const jobId = (await this.ctx.jobs.sendInTx<RunJob>(tx, RUN_QUEUE, { runId: run.id, actor }))!;
      await this.repo.setRunJob(tx, run.id, jobId);
      await this.ctx.ledger.append(tx, {
        actor,
        action: 'harvest.run.request',
        objectType: SOURCE,
        objectId: s.id,
        orgId: s.owner_org_id,
        details: { runId: run.id, jobId },
      });
      return runView(run);
    });
  }

  /** Runs a harvest now and waits for it (the CLI's and the tests' synchronous path; the same work as the job). */
  async runNow(actor: Actor, id: string): Promise<RunView> {
    await this.authority(actor);
    const s = await this.load(id);
    if (s.state !== 'active') throw conflict('HARVEST_SOURCE_DISABLED');
    const run = await this.claim(this.db, s.id, 'manual', 'running', actor.userId);
    if (!run) throw conflict('HARVEST_RUN_IN_PROGRESS', {}, { sourceId: s.id });
    return runView(await this.execute(s, run, actor));
  }

  async handleRun(data: RunJob): Promise<unknown> {
    const run = await this.repo.startRun(this.db, data.runId);
    if (!run) return { skipped: 'not queued' };
    const s = await this.load(run.source_id);
    const done = await this.execute(s, run, data.actor);
    return { runId: done.id, status: done.status };
  }

  private async execute(s: SourceRow, run: RunRow, actor: Actor): Promise<RunRow> {
    const beat = setInterval(() => void this.repo.runProgress(this.db, run.id, {}).catch(() => undefined), HEARTBEAT_MS);
    beat.unref();
    const counts = { created: 0, updated: 0, unchanged: 0, withdrawn: 0 };
    try {
      const datasets = await this.collect(s, run.id);
      await this.apply(s, run.id, datasets, counts);
      const done = await this.db.transaction().execute(async (tx) => {
        const r = await this.repo.finishRun(tx, run.id, { status: 'ok', ...counts, error: null });
        await this.ctx.ledger.append(tx, {
          actor,
          action: 'harvest.run.finish',
          objectType: SOURCE,
          objectId: s.id,
          orgId: s.owner_org_id,
          details: { runId: run.id, trigger: run.trigger, pages: r.pages, seen: r.seen, ...counts },
        });
        return r;
      });
      return done;
    } catch (e) {
      const error: RunError =
        e instanceof HarvestFailure
          ? { reason: e.reason, ...e.info }
          : e instanceof AppError
            ? { reason: e.code, message: JSON.stringify(e.details ?? {}).slice(0, 500) }
            : { reason: 'internal', message: String((e as Error).message).slice(0, 500) };
      return this.db.transaction().execute(async (tx) => {
        const r = await this.repo.finishRun(tx, run.id, { status: 'failed', ...counts, error });
        await this.ctx.ledger.append(tx, {
          actor,
          action: 'harvest.run.fail',
          objectType: SOURCE,
          objectId: s.id,
          orgId: s.owner_org_id,
          details: { runId: run.id, trigger: run.trigger, error, ...counts },
        });
        return r;
      });
    } finally {
      clearInterval(beat);
    }
  }

  /** Reads the whole upstream catalog (every page) into memory-light normalized records; writes nothing. */
  private async collect(s: SourceRow, runId: string): Promise<HarvestedDataset[]> {
    const out = new Map<string, HarvestedDataset>();
    const add = (list: HarvestedDataset[]) => {
      for (const d of list) out.set(d.remoteId, d);
      if (out.size > this.maxDatasets) throw new HarvestFailure('too_many_datasets', { message: `more than ${this.maxDatasets}` });
    };
    let pages = 0;
    if (s.kind === 'ckan') {
      const base = s.url.replace(/\/+$/, '').replace(/\/api\/(3\/)?action(\/package_search)?$/, '');
      for (let start = 0; ; start += this.pageSize) {
        if (pages >= this.maxPages) throw new HarvestFailure('too_many_pages', { message: `more than ${this.maxPages}` });
        const u = new URL(`${base}/api/3/action/package_search`);
        u.searchParams.set('rows', String(this.pageSize));
        u.searchParams.set('start', String(start));
        u.searchParams.set('sort', 'id asc');
        const page = await fetchPage(u.href, 'application/json', this.limits);
        pages++;
        const parsed = parseCkanPage(page.body, base, pages);
        add(parsed.datasets);
        await this.repo.runProgress(this.db, runId, { pages, seen: out.size });
        if (!parsed.datasets.length || start + this.pageSize >= parsed.total) break;
      }
    } else {
      const seenPages = new Set<string>();
      let next: string | null = s.url;
      while (next) {
        if (seenPages.has(next)) throw new HarvestFailure('malformed', { url: next, page: pages + 1, message: 'the paging loops' });
        if (pages >= this.maxPages) throw new HarvestFailure('too_many_pages', { message: `more than ${this.maxPages}` });
        seenPages.add(next);
        const page = await fetchPage(next, 'application/ld+json, text/turtle;q=0.9', this.limits);
        pages++;
        const parsed = await parseDcatPage(page.body, page.contentType, page.url, pages);
        add(parsed.datasets);
        await this.repo.runProgress(this.db, runId, { pages, seen: out.size });
        next = parsed.next;
      }
    }
    return [...out.values()];
  }

  /** Writes what changed: one transaction per dataset (catalog resource + harvest record together). */
  private async apply(
    s: SourceRow,
    runId: string,
    datasets: HarvestedDataset[],
    counts: { created: number; updated: number; unchanged: number; withdrawn: number },
  ): Promise<void> {
    const records = new Map<string, RecordRow>((await this.repo.records(this.db, s.id)).map((r) => [r.remote_id, r]));
    const unchanged: string[] = [];
    // The catalog writes are the platform's own (SYSTEM), for the authority that configured the source; the run's
    // actor is in the run's ledger entries.
    const writer = SYSTEM;
    for (const d of datasets) {
      const hash = contentHash(d);
      const rec = records.get(d.remoteId);
      if (rec && rec.state === 'active' && rec.content_hash === hash) {
        unchanged.push(d.remoteId);
        continue;
      }
      // Shared and opened on the same terms: the source's conditions, or where to read them.
      const conditions =
        d.openMode === 'conditional' ? d.openConditions || `见来源门户 / see the source portal: ${d.landingPage ?? s.url}` : '';
      const input = {
        providerOrgId: s.owner_org_id,
        nameZh: d.nameZh,
        nameEn: d.nameEn,
        abstractZh: d.abstractZh,
        abstractEn: d.abstractEn,
        keywords: d.keywords,
        subjectCategory: s.subject_category,
        domainCategory: s.domain_category,
        formats: d.formats,
        updateFrequency: d.updateFrequency,
        shareMode: d.openMode,
        shareConditions: conditions,
        openMode: d.openMode,
        openConditions: conditions,
        license: d.license,
        grade: 'general' as const,
        gradeLevel: 1,
        fields: [],
      };
      const details = { source: s.name, sourceId: s.id, runId, remoteId: d.remoteId };
      const onWrite = async (tx: Parameters<HarvestRepository['upsertRecord']>[0], w: { id: string }) =>
        this.repo.upsertRecord(
          tx,
          {
            source_id: s.id,
            remote_id: d.remoteId,
            resource_id: w.id,
            remote_url: d.landingPage,
            remote_modified: d.modified,
            content_hash: hash,
            distributions: d.distributions,
          },
          runId,
        );
      const existing = rec && rec.state === 'active' ? rec.resource_id : null;
      const w = existing ? await this.ctx.catalog.publishHarvested(writer, input, existing, details, onWrite) : null;
      if (w) counts.updated++;
      else {
        await this.ctx.catalog.publishHarvested(writer, input, null, details, onWrite);
        counts.created++;
      }
    }
    await this.repo.touchRecords(this.db, s.id, unchanged, runId);
    counts.unchanged = unchanged.length;
    // Gone upstream (the whole catalog was read): withdrawn here.
    const present = new Set(datasets.map((d) => d.remoteId));
    for (const rec of records.values()) {
      if (rec.state !== 'active' || present.has(rec.remote_id)) continue;
      const r = await this.ctx.catalog.get(SYSTEM, rec.resource_id).catch(() => null);
      if (r && r.status !== 'withdrawn')
        await this.ctx.catalog.transition(SYSTEM, rec.resource_id, {
          to: 'withdrawn',
          comment: `来源门户已删除该数据集（${s.name}）/ deleted upstream (${s.name})`,
        });
      await this.repo.markWithdrawn(this.db, s.id, rec.remote_id, runId);
      counts.withdrawn++;
    }
  }
}
