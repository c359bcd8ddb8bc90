// The data gateway (issue 6 §4–§6): consumer departments' applications and their keys; the three delivery forms
// (record query, verification 核验, bulk delivery), each through the policy decision point and the data plane's one
// read path; the exchange log (X-Road pattern) hash-chained and checkpointed into the ledger; metering; and the
// keyed tokens of the data subjects whose records were returned ("who used my data").
import { createHash, createHmac, randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { AppContext } from '../../context.ts';
import type { Tx } from '../../db/database.ts';
import { AppError, badRequest, conflict, notFound } from '../../errors.ts';
import { translate, type Lang } from '../../i18n/messages.ts';
import { KeyFile } from '../../keyfile.ts';
import { TtlCache } from '../../ttl-cache.ts';
import type { Entitlement } from '../entitlements/types.ts';
import { SYSTEM, type Actor } from '../identity/actor.ts';
import { canonicalJson } from '../ledger/hash.ts';
import { leafHash, refPath, refRoot, verifyInclusion } from '../ledger/merkle.ts';
import { quoteLiteral } from '../datasets/duckdb.ts';
import type { Filter } from '../datasets/read.ts';
import './messages.ts';
import { LogWriter } from './log-writer.ts';
import { GatewayRepository, type ApplicationRow, type ExtractRow, type LogRow } from './repository.ts';

export const EXTRACT_QUEUE = 'gateway.extract';
export const CHECKPOINT_QUEUE = 'gateway.checkpoint';
/** Most exchange-log rows in one checkpoint (a proof reads at most this many leaf hashes). */
const CHECKPOINT_BATCH = 4096;
/** Verification misses (no_match + not_found) on one grant within ENUMERATION_WINDOW_MS that raise an alert. */
export const ENUMERATION_MISSES = 20;
const ENUMERATION_WINDOW_MS = 10 * 60_000;
/** PII kinds that identify a data subject (a person's 公民身份号码, an organization's 统一社会信用代码). */
const SUBJECT_KINDS = new Set(['id_number', 'credit_code']);
const SEE_ALL = new Set(['authority_admin', 'auditor']);
const RESOURCE_CACHE_MS = 30_000;

export type GatewayService_ = 'records' | 'verify' | 'extract' | 'extract_file' | 'extract_manifest' | 'extract_status';

/** What one call tells the exchange log (filled by the handler as it learns it). */
export interface CallRecord {
  entitlement?: Entitlement | null;
  providerOrgId?: string | null;
  fields?: string[];
  rowCount?: number;
  /** Subject identifiers of the records returned, as [kind, value]. */
  subjects?: Array<[string, string]>;
  detail?: Record<string, unknown>;
  /** A verification with misses: its log row is counted by the enumeration watch (log-writer.ts). */
  watchMisses?: boolean;
}

export interface CallInput {
  actor: Actor;
  service: GatewayService_;
  resourceId: string | null;
  method: string;
  path: string;
  body: Buffer;
  businessRef: string | null;
  lang: Lang;
}

/** The answer to send: JSON, or a file whose SHA-256 is known. */
export type CallAnswer =
  { json: unknown; status?: number } | { file: { path: string; sha256: string; bytes: number; contentType: string; fileName: string } };

export interface SentAnswer {
  status: number;
  messageId: string;
  requestHash: string;
  responseHash: string;
  headers: Record<string, string>;
  payload?: string;
  file?: { path: string; contentType: string; fileName: string };
}

export function sha256(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/** The request hash (X-Road pattern): SHA-256(UTF-8(METHOD "\n" PATH_WITH_QUERY "\n") ‖ body bytes). */
export function requestHash(method: string, pathWithQuery: string, body: Buffer): string {
  return createHash('sha256').update(`${method.toUpperCase()}\n${pathWithQuery}\n`, 'utf8').update(body).digest('hex');
}

/** The hash of one log row: SHA-256(UTF-8(body) ‖ UTF-8(prev_hash)), body being the row's canonical JSON. */
export function logHash(body: string, prevHash: string): string {
  return sha256(Buffer.concat([Buffer.from(body, 'utf8'), Buffer.from(prevHash, 'utf8')]));
}

export class GatewayService {
  readonly repo = new GatewayRepository();
  readonly #subjectKey: KeyFile;
  readonly #resources = new TtlCache<string, { datasetId: string | null; providerOrgId: string }>(RESOURCE_CACHE_MS);
  readonly #log: LogWriter;

  constructor(private readonly ctx: AppContext) {
    this.#subjectKey = new KeyFile(path.join(ctx.config.dataDir, 'keys', 'subject.key'));
    this.#log = new LogWriter(ctx.db, this.repo, {
      addUsage: (tx, id, day, calls, rows) => ctx.entitlements.repo.addUsage(tx, id, day, calls, rows),
      watchEnumeration: (tx, actor, e, misses) => this.watchEnumeration(tx, actor, e, misses),
    });
    // Consumer departments' clerks manage their organization's applications; the authority manages all.
    ctx.authz.allow('consumer_clerk', 'application.manage', 'org_subtree');
    ctx.jobs.define<{ extractId: string }>(EXTRACT_QUEUE, (job) => this.runExtract(job.extractId), {
      retryLimit: 0,
      expireInSeconds: 3600,
    });
    ctx.jobs.define(CHECKPOINT_QUEUE, () => this.checkpointAll(), { retryLimit: 0 });
    void ctx.jobs.schedule(CHECKPOINT_QUEUE, '* * * * *');
  }

  private get db() {
    return this.ctx.db;
  }

  // ============================================================================ applications (issue 6 §4)

  private async canManageApp(actor: Actor, app: ApplicationRow): Promise<boolean> {
    return this.ctx.authz.can(actor, 'application.manage', { type: 'application', id: app.id, orgId: app.org_id });
  }

  private async visibleApp(actor: Actor, id: string): Promise<ApplicationRow> {
    const app = /^[0-9a-f-]{36}$/i.test(id) ? await this.repo.application(this.db, id) : undefined;
    if (!app) throw notFound('APPLICATION_NOT_FOUND', { id });
    const seeAll = actor.roles.some((r) => SEE_ALL.has(r));
    if (!seeAll && !(await this.ctx.authz.orgs.isWithin(app.org_id, actor.orgId))) throw notFound('APPLICATION_NOT_FOUND', { id });
    return app;
  }

  async createApplication(actor: Actor, input: { name: string; description?: string }): Promise<ApplicationRow> {
    if (!actor.orgId) throw badRequest('APPLICATION_ORG_REQUIRED');
    await this.ctx.authz.authorize(actor, 'application.manage', { type: 'application', orgId: actor.orgId });
    return this.db.transaction().execute(async (tx) => {
      const app = await this.repo.insertApplication(tx, {
        orgId: actor.orgId!,
        name: input.name.trim(),
        description: input.description?.trim() ?? '',
        createdBy: actor.userId,
      });
      if (!app) throw conflict('APPLICATION_NAME_TAKEN', { name: input.name.trim() }, { field: 'name' });
      await this.ctx.ledger.append(tx, {
        actor,
        action: 'application.create',
        objectType: 'application',
        objectId: app.id,
        orgId: app.org_id,
        details: { name: app.name },
      });
      return app;
    });
  }

  async listApplications(actor: Actor): Promise<ApplicationRow[]> {
    const seeAll = actor.roles.some((r) => SEE_ALL.has(r));
    return this.repo.applications(this.db, seeAll ? null : actor.orgId ? await this.ctx.authz.orgs.subtree(actor.orgId) : []);
  }

  async getApplication(actor: Actor, id: string) {
    const app = await this.visibleApp(actor, id);
    return { ...app, keys: await this.ctx.identity.applicationKeys(app.id) };
  }

  async updateApplication(actor: Actor, id: string, p: { name?: string; description?: string; state?: 'active' | 'disabled' }) {
    const app = await this.visibleApp(actor, id);
    await this.ctx.authz.authorize(actor, 'application.manage', { type: 'application', id, orgId: app.org_id });
    const result = await this.db.transaction().execute(async (tx) => {
      const updated = await this.repo.updateApplication(tx, id, { ...p, name: p.name?.trim() }).catch((e: unknown) => {
        if ((e as { code?: string }).code === '23505') throw conflict('APPLICATION_NAME_TAKEN', { name: p.name }, { field: 'name' });
        throw e;
      });
      await this.ctx.ledger.append(tx, {
        actor,
        action: p.state === 'disabled' ? 'application.disable' : 'application.update',
        objectType: 'application',
        objectId: id,
        orgId: app.org_id,
        details: { ...p, from: { name: app.name, state: app.state } },
      });
      return updated!;
    });
    // Its keys stop (or start again) signing at once in this process, not after the key cache's TTL.
    this.ctx.identity.forgetApiKeys();
    return result;
  }

  /** A new AppKey + AppSecret for the application (the secret is shown once). Session users only. */
  async createKey(actor: Actor, id: string, name: string) {
    const app = await this.visibleApp(actor, id);
    await this.ctx.authz.authorize(actor, 'application.manage', { type: 'application', id, orgId: app.org_id });
    if (app.state !== 'active') throw conflict('APPLICATION_DISABLED');
    return this.ctx.identity.createApiKey(actor, name, { applicationId: app.id });
  }

  async revokeKey(actor: Actor, id: string, keyId: string): Promise<void> {
    const app = await this.visibleApp(actor, id);
    if (!(await this.canManageApp(actor, app)))
      await this.ctx.authz.authorize(actor, 'application.manage', { type: 'application', id, orgId: app.org_id });
    const keys = await this.ctx.identity.applicationKeys(app.id);
    if (!keys.some((k) => k.id === keyId)) throw notFound('API_KEY_NOT_FOUND', { id: keyId });
    await this.ctx.identity.revokeApiKey(actor, keyId, { applicationManaged: true });
  }

  // ============================================================================ the exchange (issue 6 §5)

  /** The resource's dataset and provider (cached briefly; visibility is checked by the read itself). */
  private async resourceInfo(resourceId: string): Promise<{ datasetId: string | null; providerOrgId: string } | null> {
    if (!/^[0-9a-f-]{36}$/i.test(resourceId)) return null;
    try {
      // A 404 is thrown inside the load, so it is not kept (TtlCache keeps no failed load).
      return await this.#resources.get(resourceId, async () => {
        const r = await this.ctx.catalog.get(SYSTEM, resourceId);
        const d = await this.ctx.datasets.byResource(SYSTEM, resourceId);
        return { datasetId: d?.id ?? null, providerOrgId: r.providerOrg.id };
      });
    } catch (e) {
      if (e instanceof AppError && e.status === 404) return null;
      throw e;
    }
  }

  /** The dataset behind a resource, or 404 (unknown, invisible or without data: the same answer). */
  private async datasetOf(resourceId: string): Promise<string> {
    const info = await this.resourceInfo(resourceId);
    if (!info?.datasetId) throw notFound('GATEWAY_RESOURCE_NOT_FOUND', { id: resourceId });
    return info.datasetId;
  }

  private async subjectToken(kind: string, value: string): Promise<string> {
    const norm = value.trim().toUpperCase();
    return createHmac('sha256', await this.#subjectKey.key())
      .update(`${kind}:${norm}`, 'utf8')
      .digest('hex');
  }

  /**
   * Runs one gateway call and logs it, allowed or refused: message id, request hash, response hash, who, what,
   * how much, how long, outcome. The log row is written (hash-chained) before the answer leaves, so every answered
   * call is in the log.
   */
  async exchange(input: CallInput, handler: (rec: CallRecord) => Promise<CallAnswer>): Promise<SentAnswer> {
    const t0 = performance.now();
    const messageId = randomUUID();
    const at = new Date();
    const reqHash = requestHash(input.method, input.path, input.body);
    const rec: CallRecord = {};
    let status = 200;
    let payload: string | undefined;
    let file: SentAnswer['file'];
    let respHash: string;
    let bytes: number;
    let errorCode: string | null = null;
    const headers: Record<string, string> = {};
    try {
      const answer = await handler(rec);
      if ('file' in answer) {
        file = { path: answer.file.path, contentType: answer.file.contentType, fileName: answer.file.fileName };
        respHash = answer.file.sha256;
        bytes = answer.file.bytes;
      } else {
        status = answer.status ?? 200;
        payload = JSON.stringify(answer.json);
        respHash = sha256(payload);
        bytes = Buffer.byteLength(payload);
      }
    } catch (err) {
      const e =
        err instanceof AppError
          ? err
          : (this.ctx.log.error({ err, messageId }, 'gateway call failed'), new AppError(500, 'INTERNAL', { requestId: messageId }));
      status = e.status;
      errorCode = e.code;
      const body: { error: { code: string; message: string; details?: unknown } } = {
        error: { code: e.code, message: translate(e.code, input.lang, e.params) },
      };
      if (e.details !== undefined) body.error.details = e.details;
      payload = JSON.stringify(body);
      respHash = sha256(payload);
      bytes = Buffer.byteLength(payload);
      const resetAt = (e.details as { resetAt?: string } | undefined)?.resetAt;
      if (status === 429 && resetAt) headers['retry-after'] = String(Math.max(1, Math.ceil((Date.parse(resetAt) - Date.now()) / 1000)));
      rec.detail = { ...rec.detail, ...(resetAt ? { resetAt } : {}) };
      rec.rowCount = 0;
      rec.fields = [];
      rec.subjects = [];
    }
    const e = rec.entitlement ?? null;
    const tokens = await Promise.all((rec.subjects ?? []).map(([k, v]) => this.subjectToken(k, v)));
    const provider =
      rec.providerOrgId ??
      e?.providerOrgId ??
      (input.resourceId ? ((await this.resourceInfo(input.resourceId).catch(() => null))?.providerOrgId ?? null) : null);
    const logged = {
      messageId,
      at: at.toISOString(),
      clientOrgId: input.actor.orgId,
      applicationId: input.actor.applicationId ?? null,
      userId: input.actor.userId,
      apiKeyId: input.actor.apiKeyId ?? null,
      service: input.service,
      resourceId: input.resourceId && /^[0-9a-f-]{36}$/i.test(input.resourceId) ? input.resourceId : null,
      providerOrgId: provider,
      entitlementId: e?.id ?? null,
      purpose: e?.purpose ?? null,
      businessRef: input.businessRef?.slice(0, 200) ?? null,
      fields: rec.fields ?? [],
      rowCount: rec.rowCount ?? 0,
      requestBytes: input.body.length,
      responseBytes: bytes,
      durationMs: Math.round((performance.now() - t0) * 100) / 100,
      status,
      outcome: (status < 400 ? 'ok' : status >= 500 ? 'error' : 'refused') as 'ok' | 'refused' | 'error',
      errorCode,
      detail: rec.detail ?? {},
      requestHash: reqHash,
      responseHash: respHash,
    };
    // Record queries and verifications are recorded here, not by the data plane: this row (chained, its head
    // checkpointed into the ledger) and, with it, the quota use (recordedByCaller in records() and verify()).
    const counted = status < 400 && e && (input.service === 'records' || input.service === 'verify');
    await this.#log.append({
      ...logged,
      at,
      body: canonicalJson(logged),
      subjectTokens: tokens,
      usage: counted ? { entitlementId: e.id, rows: rec.rowCount ?? 0 } : null,
      watch: rec.watchMisses && e ? { actor: input.actor, entitlement: e } : null,
    });
    headers['x-shuyuan-message-id'] = messageId;
    headers['x-shuyuan-request-hash'] = reqHash;
    headers['x-shuyuan-response-hash'] = respHash;
    return { status, messageId, requestHash: reqHash, responseHash: respHash, headers, payload, file };
  }

  // ============================================================================ delivery forms (issue 6 §4)

  /** (a) Record query: typed filters on granted fields (values bound, never SQL), paging, masking by the grant. */
  async records(
    actor: Actor,
    resourceId: string,
    q: { fields?: string[]; filters?: Filter; limit?: number; offset?: number; cursor?: string; businessRef?: string | null },
    rec: CallRecord,
  ) {
    const datasetId = await this.datasetOf(resourceId);
    const r = await this.ctx.datasets
      .query(actor, datasetId, {
        columns: q.fields,
        filter: q.filters,
        limit: q.limit ?? 100,
        offset: q.offset,
        cursor: q.cursor,
        businessRef: q.businessRef,
        subjectKinds: [...SUBJECT_KINDS],
        recordedByCaller: true,
      })
      .catch((e: unknown) => {
        if (e instanceof AppError && e.code === 'DATASET_NOT_FOUND') throw notFound('GATEWAY_RESOURCE_NOT_FOUND', { id: resourceId });
        throw e;
      });
    rec.entitlement = r.entitlement;
    rec.fields = r.columns.map((c) => c.name);
    rec.rowCount = r.rows.length;
    rec.subjects = r.subjects;
    const out: { version: number; basis: string; columns: typeof r.columns; rows: typeof r.rows; nextCursor?: string } = {
      version: r.version,
      basis: r.basis,
      columns: r.columns,
      rows: r.rows,
    };
    if (r.nextCursor) out.nextCursor = r.nextCursor;
    return out;
  }

  /** (b) Verification: match / no_match / not_found per claim, never the stored value; per-grant rate limit. */
  async verify(
    actor: Actor,
    resourceId: string,
    q: {
      key: { field: string; value: string | number | boolean };
      claims: Record<string, string | number | boolean | null>;
      businessRef?: string | null;
    },
    rec: CallRecord,
  ) {
    if (q.key.field in q.claims) throw badRequest('VERIFY_KEY_IS_CLAIM', {}, { field: `claims.${q.key.field}` });
    const datasetId = await this.datasetOf(resourceId);
    const r = await this.ctx.datasets
      .verify(actor, datasetId, {
        key: q.key,
        claims: q.claims,
        businessRef: q.businessRef,
        recordedByCaller: true,
        check: async (decision) => {
          rec.entitlement = decision.entitlement;
          const e = decision.entitlement;
          const limit = e?.conditions.verifyPerMinute;
          if (!e || !limit) return;
          const c = await this.repo.verifyCounts(this.db, e.id, new Date(Date.now() - 60_000));
          if (c.calls >= limit) {
            const resetAt = new Date((c.oldest?.getTime() ?? Date.now()) + 60_000).toISOString();
            throw new AppError(429, 'VERIFY_RATE_LIMITED', { limit, resetAt }, { limit, period: 'minute', resetAt });
          }
        },
      })
      .catch((e: unknown) => {
        if (e instanceof AppError && e.code === 'DATASET_NOT_FOUND') throw notFound('GATEWAY_RESOURCE_NOT_FOUND', { id: resourceId });
        throw e;
      });
    const verdicts = Object.values(r.results);
    const count = (v: string) => verdicts.filter((x) => x === v).length;
    rec.entitlement = r.entitlement;
    rec.fields = [q.key.field, ...Object.keys(q.claims)];
    rec.rowCount = r.found ? 1 : 0;
    rec.detail = { match: count('match'), no_match: count('no_match'), not_found: count('not_found') };
    const kind = r.fieldKinds[q.key.field];
    rec.subjects = r.found && kind && SUBJECT_KINDS.has(kind) ? [[kind, String(q.key.value)]] : [];
    const misses = count('no_match') + count('not_found') + (r.found || Object.keys(q.claims).length ? 0 : 1);
    rec.watchMisses = misses > 0 && !!r.entitlement;
    return { version: r.version, found: r.found, results: r.results };
  }

  /** Many misses on one grant within the window: a ledger alert (once per crossing of the threshold). */
  /**
   * The enumeration watch, run by the log writer in the transaction of the log rows: when this batch's misses
   * take a grant's count within ENUMERATION_WINDOW_MS past a multiple of ENUMERATION_MISSES, the ledger says so.
   */
  private async watchEnumeration(tx: Tx, actor: Actor, e: Entitlement, batchMisses: number): Promise<void> {
    const total = await this.repo.verifyMisses(tx, e.id, new Date(Date.now() - ENUMERATION_WINDOW_MS));
    if (Math.floor(total / ENUMERATION_MISSES) > Math.floor((total - batchMisses) / ENUMERATION_MISSES)) {
      await this.ctx.ledger.append(tx, {
        actor,
        action: 'gateway.verify.enumeration_suspected',
        objectType: 'entitlement',
        objectId: e.id,
        orgId: e.providerOrgId,
        details: { misses: total, windowMinutes: ENUMERATION_WINDOW_MS / 60_000, holderOrgId: e.holderOrgId },
      });
    }
  }

  // ---------------------------------------------------------------------------- (c) bulk delivery

  private get extractDir(): string {
    return path.join(this.ctx.config.dataDir, 'gateway', 'extracts');
  }

  /**
   * Queues an extract; the decision is made now (a refusal is answered at once) and again by the job.
   * `queue: false`: no job is queued — the caller runs runExtract itself (a scheduled delivery, schedules.ts).
   */
  async createExtract(
    actor: Actor,
    resourceId: string,
    q: { mode: 'full' | 'incremental'; sinceVersion?: number; format?: 'csv' | 'parquet'; businessRef?: string | null },
    rec: CallRecord,
    opts: { queue?: boolean } = {},
  ) {
    const datasetId = await this.datasetOf(resourceId);
    if (q.mode === 'incremental' && q.sinceVersion === undefined)
      throw badRequest('EXTRACT_SINCE_VERSION_REQUIRED', {}, { field: 'sinceVersion' });
    const { decision, v } = await this.ctx.datasets
      .access(actor, datasetId, undefined, { action: 'bulk', businessRef: q.businessRef })
      .catch((e: unknown) => {
        if (e instanceof AppError && e.code === 'DATASET_NOT_FOUND') throw notFound('GATEWAY_RESOURCE_NOT_FOUND', { id: resourceId });
        throw e;
      });
    rec.entitlement = decision.entitlement;
    if (q.mode === 'incremental' && (q.sinceVersion! < 1 || q.sinceVersion! >= v.version))
      throw badRequest('EXTRACT_SINCE_VERSION_INVALID', { sinceVersion: q.sinceVersion, current: v.version }, { field: 'sinceVersion' });
    const x = await this.db.transaction().execute(async (tx) => {
      const row = await this.repo.insertExtract(tx, {
        resource_id: resourceId,
        dataset_id: datasetId,
        client_org_id: actor.orgId!,
        application_id: actor.applicationId ?? null,
        user_id: actor.userId,
        api_key_id: actor.apiKeyId ?? null,
        actor,
        mode: q.mode,
        since_version: q.sinceVersion ?? null,
        format: q.format ?? 'csv',
        business_ref: q.businessRef ?? null,
      });
      if (opts.queue !== false) await this.ctx.jobs.sendInTx(tx, EXTRACT_QUEUE, { extractId: row.id });
      return row;
    });
    rec.detail = { extractId: x.id };
    return this.extractView(x);
  }

  extractView(x: ExtractRow) {
    return {
      id: x.id,
      resourceId: x.resource_id,
      mode: x.mode,
      sinceVersion: x.since_version,
      format: x.format,
      state: x.state,
      errorCode: x.error_code,
      version: x.version,
      rowCount: x.row_count,
      bytes: x.file_bytes,
      sha256: x.sha256,
      entitlementId: x.entitlement_id,
      createdAt: x.created_at.toISOString(),
      finishedAt: x.finished_at?.toISOString() ?? null,
    };
  }

  /** An extract of the caller's organization (the requesting org's subtree) or 404. */
  async extract(actor: Actor, resourceId: string, id: string): Promise<ExtractRow> {
    const x = /^[0-9a-f-]{36}$/i.test(id) ? await this.repo.extract(this.db, id) : undefined;
    if (!x || x.resource_id !== resourceId || !actor.orgPath.includes(x.client_org_id)) throw notFound('EXTRACT_NOT_FOUND', { id });
    if (x.application_id && actor.applicationId && x.application_id !== actor.applicationId) throw notFound('EXTRACT_NOT_FOUND', { id });
    return x;
  }

  async extractFile(actor: Actor, resourceId: string, id: string, rec: CallRecord) {
    const x = await this.extract(actor, resourceId, id);
    if (x.state !== 'done') throw conflict('EXTRACT_NOT_READY', { state: x.state });
    rec.rowCount = x.row_count ?? 0;
    rec.fields = ((x.manifest?.fields as Array<{ name: string }> | undefined) ?? []).map((f) => f.name);
    rec.detail = { extractId: x.id };
    return {
      path: path.join(this.extractDir, x.file_key!),
      sha256: x.sha256!,
      bytes: x.file_bytes!,
      contentType: x.format === 'csv' ? 'text/csv; charset=utf-8' : 'application/vnd.apache.parquet',
      fileName: x.file_key!,
    };
  }

  /** The job: reads through the gate as the requester (a grant revoked meanwhile fails it), writes file and manifest. */
  async runExtract(id: string): Promise<void> {
    const x = await this.repo.extract(this.db, id);
    if (!x || x.state !== 'queued') return;
    await this.repo.updateExtract(this.db, id, { state: 'running' });
    const actor = x.actor as Actor;
    try {
      const format = x.format;
      const out = await this.ctx.datasets.download(actor, x.dataset_id!, { format, action: 'bulk', businessRef: x.business_ref });
      await fs.mkdir(this.extractDir, { recursive: true });
      const fileKey = `${x.id}.${format}`;
      const target = path.join(this.extractDir, fileKey);
      let rows = out.rows;
      let fields: Array<{ name: string; type: string }>;
      if (x.mode === 'incremental') {
        // Rows of the current version not present (identical) in sinceVersion, as both are masked for this grant.
        const old = await this.ctx.datasets.download(actor, x.dataset_id!, {
          format: 'parquet',
          action: 'bulk',
          businessRef: x.business_ref,
          version: x.since_version!,
        });
        const cur =
          format === 'parquet'
            ? out
            : await this.ctx.datasets.download(actor, x.dataset_id!, { format: 'parquet', action: 'bulk', businessRef: x.business_ref });
        const scratch = path.join(this.ctx.datasets.scratchDir, 'gateway');
        await fs.mkdir(scratch, { recursive: true });
        const tmp = path.join(scratch, fileKey);
        const engine = await this.ctx.datasets.engine();
        const fmt = format === 'csv' ? '(FORMAT csv, HEADER true)' : '(FORMAT parquet)';
        await engine.run(
          `COPY (SELECT * FROM read_parquet(${quoteLiteral(cur.path)}) EXCEPT ALL SELECT * FROM read_parquet(${quoteLiteral(old.path)})) TO ${quoteLiteral(tmp)} ${fmt}`,
        );
        const counted = await engine.all<{ n: bigint }>(
          `SELECT count(*) AS n FROM (SELECT * FROM read_parquet(${quoteLiteral(cur.path)}) EXCEPT ALL SELECT * FROM read_parquet(${quoteLiteral(old.path)}))`,
        );
        rows = Number(counted[0]!.n);
        fields = await this.fieldsOf(tmp, format);
        await fs.rename(tmp, target);
      } else {
        fields = await this.fieldsOf(out.path, format);
        await fs.copyFile(out.path, target);
      }
      const bytes = await fs.readFile(target);
      const fileSha = sha256(bytes);
      const manifest = {
        extractId: x.id,
        resource: x.resource_id,
        version: out.version,
        versionSha256: out.versionSha256,
        mode: x.mode,
        sinceVersion: x.since_version,
        format,
        fields,
        rowCount: rows,
        bytes: bytes.length,
        sha256: fileSha,
        entitlement: out.entitlement?.id ?? null,
        purpose: out.entitlement?.purpose ?? null,
        businessRef: x.business_ref,
        createdAt: new Date().toISOString(),
      };
      await this.repo.updateExtract(this.db, id, {
        state: 'done',
        version: out.version,
        entitlement_id: out.entitlement?.id ?? null,
        file_key: fileKey,
        file_bytes: bytes.length,
        row_count: rows,
        sha256: fileSha,
        manifest,
      });
    } catch (e) {
      const code = e instanceof AppError ? e.code : 'INTERNAL';
      if (!(e instanceof AppError)) this.ctx.log.error({ err: e, extractId: id }, 'extract failed');
      await this.repo.updateExtract(this.db, id, { state: 'failed', error_code: code });
    }
  }

  private async fieldsOf(file: string, format: 'csv' | 'parquet'): Promise<Array<{ name: string; type: string }>> {
    const engine = await this.ctx.datasets.engine();
    const src =
      format === 'csv' ? `read_csv(${quoteLiteral(file)}, header = true, all_varchar = true)` : `read_parquet(${quoteLiteral(file)})`;
    const rows = await engine.all<{ column_name: string; column_type: string }>(`DESCRIBE SELECT * FROM ${src}`);
    return rows.map((r) => ({ name: r.column_name, type: r.column_type }));
  }

  // ============================================================================ the log: views, proofs, metering

  private async scope(actor: Actor, side?: 'consumer' | 'provider') {
    const seeAll = actor.roles.some((r) => SEE_ALL.has(r));
    if (seeAll) return { clientOrgIds: null, providerOrgIds: null, eitherOrgIds: null };
    const mine = actor.orgId ? await this.ctx.authz.orgs.subtree(actor.orgId) : [];
    if (side === 'consumer') return { clientOrgIds: mine, providerOrgIds: null, eitherOrgIds: null };
    if (side === 'provider') return { clientOrgIds: null, providerOrgIds: mine, eitherOrgIds: null };
    return { clientOrgIds: null, providerOrgIds: null, eitherOrgIds: mine };
  }

  logView(r: LogRow) {
    return {
      seq: r.seq,
      messageId: r.message_id,
      at: r.at.toISOString(),
      clientOrgId: r.client_org_id,
      applicationId: r.application_id,
      userId: r.user_id,
      service: r.service,
      resourceId: r.resource_id,
      providerOrgId: r.provider_org_id,
      entitlementId: r.entitlement_id,
      purpose: r.purpose,
      businessRef: r.business_ref,
      fields: r.fields,
      rowCount: r.row_count,
      requestBytes: r.request_bytes,
      responseBytes: r.response_bytes,
      durationMs: r.duration_ms,
      status: r.status,
      outcome: r.outcome,
      errorCode: r.error_code,
      detail: r.detail,
      requestHash: r.request_hash,
      responseHash: r.response_hash,
      hash: r.hash,
    };
  }

  async log(
    actor: Actor,
    q: {
      side?: 'consumer' | 'provider';
      resourceId?: string;
      service?: string;
      outcome?: string;
      from?: string;
      to?: string;
      limit: number;
      offset: number;
    },
  ) {
    const { items, total } = await this.repo.listLog(this.db, { ...(await this.scope(actor, q.side)), ...q });
    return { items: items.map((r) => this.logView(r)), total };
  }

  async metering(actor: Actor, q: { groupBy: string[]; from: string; to: string; side?: 'consumer' | 'provider' }) {
    return {
      groupBy: q.groupBy,
      from: q.from,
      to: q.to,
      items: await this.repo.metering(this.db, { ...(await this.scope(actor, q.side)), ...q }),
    };
  }

  /** Checkpoints the log into the ledger until it is caught up (the job runs it every minute; proofs on demand). */
  async checkpointAll(): Promise<number> {
    let n = 0;
    while (await this.checkpoint()) n++;
    return n;
  }

  /** One checkpoint: the RFC 9162 root over the next batch of row hashes, written as a ledger entry. */
  async checkpoint(): Promise<boolean> {
    return this.db.transaction().execute(async (tx) => {
      await this.repo.lockCheckpoints(tx);
      const from = (await this.repo.lastCheckpoint(tx))?.to_seq ?? 0;
      const head = await this.repo.logHead(tx);
      if (!head || head.seq <= from) return false;
      const rows = await this.repo.logRange(tx, from, Math.min(head.seq, from + CHECKPOINT_BATCH));
      const to = rows[rows.length - 1]!.seq;
      const root = refRoot(rows.map((r) => Buffer.from(r.hash, 'hex'))).toString('hex');
      const entry = await this.ctx.ledger.append(tx, {
        actor: SYSTEM,
        action: 'gateway.log.checkpoint',
        objectType: 'gateway_log',
        objectId: String(to),
        details: { fromSeq: from, toSeq: to, count: rows.length, rootHash: root, headHash: rows[rows.length - 1]!.hash },
      });
      await this.repo.insertCheckpoint(tx, {
        to_seq: to,
        from_seq: from,
        root_hash: root,
        head_hash: rows[rows.length - 1]!.hash,
        ledger_seq: entry.seq,
      });
      return true;
    });
  }

  /**
   * Inclusion proof of one logged call: its row (body, prev hash, hash), the RFC 9162 path from its hash to the
   * Merkle root of its checkpoint batch, the ledger entry that records that root, and the ledger's own RFC 9162
   * inclusion proof of that entry in a signed ledger checkpoint. For the provider, the client and the authority.
   */
  async proof(actor: Actor, messageId: string) {
    const row = /^[0-9a-f-]{36}$/i.test(messageId) ? await this.repo.logByMessage(this.db, messageId) : undefined;
    if (!row) throw notFound('GATEWAY_MESSAGE_NOT_FOUND', { id: messageId });
    const seeAll = actor.roles.some((r) => SEE_ALL.has(r));
    const within = async (org: string | null) => !!org && (await this.ctx.authz.orgs.isWithin(org, actor.orgId));
    if (!seeAll && !(await within(row.provider_org_id)) && !(await within(row.client_org_id)))
      throw notFound('GATEWAY_MESSAGE_NOT_FOUND', { id: messageId });
    let cp = await this.repo.checkpointCovering(this.db, row.seq);
    while (!cp && (await this.checkpoint())) cp = await this.repo.checkpointCovering(this.db, row.seq);
    if (!cp) throw notFound('GATEWAY_MESSAGE_NOT_FOUND', { id: messageId });
    const leaves = (await this.repo.logRange(this.db, cp.from_seq, cp.to_seq)).map((r) => Buffer.from(r.hash, 'hex'));
    const index = row.seq - cp.from_seq - 1;
    const auditPath = refPath(index, leaves);
    const latest = await this.ctx.ledger.latestCheckpoint();
    if (!latest || latest.treeSize < cp.ledger_seq) await this.ctx.ledger.checkpoint();
    const ledgerEntry = await this.ctx.ledger.get(cp.ledger_seq);
    const ledgerProof = await this.ctx.ledger.inclusionProof(cp.ledger_seq);
    const checks = {
      rowHash: logHash(row.body, row.prev_hash) === row.hash,
      batchInclusion: verifyInclusion(
        index,
        leaves.length,
        leafHash(Buffer.from(row.hash, 'hex')),
        auditPath,
        Buffer.from(cp.root_hash, 'hex'),
      ),
      rootInLedger: ledgerEntry.details.rootHash === cp.root_hash,
      ledgerInclusion: verifyInclusion(
        ledgerProof.leafIndex,
        ledgerProof.treeSize,
        Buffer.from(ledgerProof.leafHash, 'hex'),
        ledgerProof.path.map((p) => Buffer.from(p, 'hex')),
        Buffer.from(ledgerProof.rootHash, 'hex'),
      ),
    };
    return {
      message: this.logView(row),
      entry: { seq: row.seq, body: row.body, prevHash: row.prev_hash, hash: row.hash },
      batch: {
        fromSeq: cp.from_seq,
        toSeq: cp.to_seq,
        leafIndex: index,
        treeSize: leaves.length,
        path: auditPath.map((b) => b.toString('hex')),
        rootHash: cp.root_hash,
      },
      ledger: {
        seq: ledgerEntry.seq,
        hash: ledgerEntry.hash,
        details: ledgerEntry.details,
        inclusion: {
          leafIndex: ledgerProof.leafIndex,
          treeSize: ledgerProof.treeSize,
          leafHash: ledgerProof.leafHash,
          rootHash: ledgerProof.rootHash,
          path: ledgerProof.path,
          checkpoint: ledgerProof.checkpoint
            ? { ...ledgerProof.checkpoint, signedAt: ledgerProof.checkpoint.signedAt.toISOString() }
            : null,
        },
      },
      checks,
      verified: Object.values(checks).every(Boolean),
    };
  }

  // ============================================================================ data subjects (issue 6 §6)

  /** Which organizations used records about this identifier, when, for what purpose, on which resource (no data). */
  async usesOfSubject(idNumber: string, limit = 200) {
    const kind = /^\d{17}[\dXx]$/.test(idNumber.trim()) ? 'id_number' : 'credit_code';
    const rows = await this.repo.usesOfToken(this.db, await this.subjectToken(kind, idNumber), limit);
    const out = [];
    for (const r of rows) {
      const org = r.client_org_id ? await this.ctx.authz.orgs.get(r.client_org_id) : undefined;
      const res = r.resource_id ? await this.ctx.catalog.get(SYSTEM, r.resource_id).catch(() => null) : null;
      out.push({
        messageId: r.message_id,
        at: r.at.toISOString(),
        org: org ? { id: org.id, nameZh: org.nameZh, nameEn: org.nameEn } : null,
        resource: res ? { id: res.id, code: res.code, nameZh: res.nameZh, nameEn: res.nameEn } : null,
        purpose: r.purpose,
        service: r.service,
      });
    }
    return out;
  }

  /** The logged-in user's own uses (their ID number on record), or 404 SUBJECT_ID_UNKNOWN. */
  async myUses(actor: Actor) {
    const id = actor.userId ? await this.ctx.identity.idNumberOf(actor.userId) : null;
    if (!id) throw notFound('SUBJECT_ID_UNKNOWN');
    return { items: await this.usesOfSubject(id) };
  }
}
