// Back-flow between Shuyuan instances (数据回流, issue 6 §7; docs/federation.md).
//
// Issuing side (e.g. the province): the authority grants a peer platform — a consumer organization here — the
// rows of a resource about its own area. That is an ordinary entitlement (origin 'federation', a row filter on
// the area field, action 'bulk'), held by the peer's application, so the same gate, log and ledger apply to
// every pull. The peer gets a signed grant package with an AppKey/AppSecret of its own service account.
//
// Receiving side (e.g. the city): the authority accepts the package (signature checked against the issuer key
// fingerprint it obtained out of band), which creates the local catalog resource the data lands in (provider: a
// local organization, the federated provider) unless an existing one is named. A pull asks the issuer's gateway
// for an extract, checks the file against the manifest's SHA-256 and row count, and ingests it as a new
// version of the local dataset; local departments then use it through the local gate like any other data.
// A link may have a pull schedule (cron, China time, at least MIN_PULL_INTERVAL_MINUTES apart): each occurrence
// is a durable pg-boss job that books the next one and queues a pull unless one is still queued or running. A
// pull whose file has the same SHA-256 as the last one records "unchanged" and publishes nothing.
import { randomBytes, randomUUID, createHash } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Readable, Transform } from 'node:stream';
import type { AppContext } from '../../context.ts';
import type { Executor, Tx } from '../../db/database.ts';
import { AppError, badRequest, conflict, notFound } from '../../errors.ts';
import { translate } from '../../i18n/messages.ts';
import { SYSTEM, type Actor } from '../identity/actor.ts';
import { signRequest } from '../identity/apikeys.ts';
import type { FieldType } from '../datasets/schema-infer.ts';
import { entitlementToOdrl } from '../entitlements/odrl.ts';
import { isForbiddenAddress } from '../sources/network.ts';
import './messages.ts';
import { checkPackage, PACKAGE_FORMAT, signedBytes, signPackage, type GrantPackage } from './package.ts';
import {
  FederationRepository,
  type GrantListRow,
  type LinkListRow,
  type LinkRow,
  type PullError,
  type PullPhase,
  type PullRow,
  type PullStatus,
} from './repository.ts';
import { checkPullSchedule, MIN_PULL_INTERVAL_MINUTES, nextPull, PULL_SCHEDULE_TZ } from './schedule.ts';

export const PULL_QUEUE = 'federation.pull';
export const SCHEDULE_QUEUE = 'federation.schedule';

const SERVICE_ROLE = 'consumer_clerk' as const;
/** Catalog data types → Frictionless Table Schema types (the types the data plane builds). */
const FRICTIONLESS_TYPE: Record<string, FieldType | undefined> = {
  string: 'string',
  integer: 'integer',
  decimal: 'number',
  date: 'date',
  datetime: 'datetime',
  boolean: 'boolean',
};
const APP_NAME = '数据回流接口';
/** How long a pull waits for the issuer's extract. */
const EXTRACT_WAIT_MS = 120_000;
const FETCH_TIMEOUT_MS = 60_000;
/** A running pull refreshes its heartbeat this often (a silent one is taken for a dead process after 5 minutes). */
const HEARTBEAT_MS = 30_000;
const LINK = 'federation_link';

interface PullJob {
  pullId: string;
  actor: Actor;
}
interface ScheduleJob {
  linkId: string;
  /** The occurrence this job stands for (ISO); a job whose time is no longer the link's next_pull_at is stale. */
  due: string;
}
const scheduleKey = (linkId: string, due: Date) => `${linkId}@${due.toISOString()}`;

export interface IssueInput {
  resourceId: string;
  /** An existing organization of this platform, or `peerOrg` to create one (exactly one of the two). */
  peerOrgId?: string | null;
  peerOrg?: { code: string; nameZh: string; nameEn?: string } | null;
  fields?: string[];
  rowFilter?: { field: string; values: string[] } | null;
  clearFields?: string[];
  legalBasis: string;
  purpose?: string;
  validTo?: string | null;
}

export interface LinkView {
  id: string;
  issuerName: string;
  issuerBaseUrl: string;
  issuerKeyId: string;
  remoteResource: { id: string; code: string; nameZh: string };
  fields: string[];
  rowFilter: { field: string; values: string[] } | null;
  validTo: string | null;
  localResourceId: string;
  localResource: { id: string; code: string; nameZh: string; nameEn: string } | null;
  localDataset: { id: string; currentVersion: number | null } | null;
  state: 'active' | 'disabled';
  /** The last attempt (status ok: a new local version; unchanged: the same file as before; failed). */
  lastPull: {
    at: string;
    status: 'ok' | 'unchanged' | 'failed';
    error: string | null;
    remoteVersion: number | null;
    rows: number | null;
    sha256: string | null;
  } | null;
  lastSuccessAt: string | null;
  consecutiveFailures: number;
  /** The last failure (cleared by the next success). */
  lastError: PullError | null;
  schedule: { cron: string; timeZone: string; paused: boolean; nextRunAt: string | null } | null;
  /** The pull queued or running now. */
  activePull: {
    id: string;
    status: 'queued' | 'running';
    phase: PullPhase | null;
    trigger: 'manual' | 'schedule';
    createdAt: string;
  } | null;
  createdAt: string;
}

export interface PullView {
  id: string;
  trigger: 'manual' | 'schedule';
  status: PullStatus;
  phase: PullPhase | null;
  jobId: string | null;
  requestedBy: string | null;
  extractId: string | null;
  remoteVersion: number | null;
  rows: number | null;
  bytes: number | null;
  sha256: string | null;
  localVersion: number | null;
  error: PullError | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

export interface GrantView {
  id: string;
  peerOrg: { id: string; code: string; nameZh: string; nameEn: string };
  resource: { id: string; code: string; nameZh: string; nameEn: string };
  entitlementId: string;
  applicationId: string;
  fields: string[];
  rowFilter: { field: string; values: string[] } | null;
  validFrom: string;
  validTo: string | null;
  /** The entitlement's state; 'expired' also once its validity has passed. */
  state: 'active' | 'suspended' | 'expired' | 'revoked';
  stateReason: string | null;
  packageSha256: string;
  createdAt: string;
}

export class FederationService {
  readonly repo = new FederationRepository();
  /** The clock for schedules (tests may set it). */
  now: () => Date = () => new Date();
  /** Pull schedules closer together than this are refused. */
  minPullIntervalMinutes = MIN_PULL_INTERVAL_MINUTES;

  constructor(private readonly ctx: AppContext) {
    ctx.jobs.define<PullJob>(PULL_QUEUE, (data, job) => this.handlePull(data, job.id), {
      // A failed pull is recorded and not retried: the next occurrence (or "pull now") is the retry.
      retryLimit: 0,
      expireInSeconds: 4 * 3600,
    });
    ctx.jobs.define<ScheduleJob>(SCHEDULE_QUEUE, (data) => this.handleSchedule(data), {
      retryLimit: 5,
      retryDelaySeconds: 30,
      retryBackoff: true,
    });
  }

  private get db() {
    return this.ctx.db;
  }

  private async authority(actor: Actor): Promise<void> {
    await this.ctx.authz.authorize(actor, 'federation.manage', { type: 'federation' });
  }

  /** This platform's identity for peers: name and the Ed25519 key that signs its packages (the ledger key). */
  async identity(): Promise<{ name: string; keyId: string; publicKeyPem: string; format: string }> {
    const key = await this.ctx.ledger.signingKey();
    return { name: this.ctx.config.platformName, keyId: key.keyId, publicKeyPem: key.publicKeyPem, format: PACKAGE_FORMAT };
  }

  // ============================================================================================ issuing side
  async issue(actor: Actor, input: IssueInput, baseUrl: string): Promise<GrantPackage> {
    await this.authority(actor);
    const legalBasis = input.legalBasis.trim();
    if (!legalBasis) throw badRequest('FEDERATION_FIELD_REQUIRED', { field: 'legalBasis' }, { field: 'legalBasis' });
    let resource;
    try {
      resource = await this.ctx.catalog.get(SYSTEM, input.resourceId);
    } catch (e) {
      if (e instanceof AppError && e.status === 404) throw notFound('FEDERATION_RESOURCE_NOT_FOUND', {}, { field: 'resourceId' });
      throw e;
    }
    if (resource.status !== 'published' && resource.status !== 'updated')
      throw conflict('FEDERATION_RESOURCE_NOT_PUBLISHED', { status: resource.status }, { field: 'resourceId' });
    const codes = resource.fields.map((f) => f.code);
    const fields = input.fields?.length ? [...new Set(input.fields)] : codes;
    for (const [i, f] of fields.entries())
      if (!codes.includes(f)) throw badRequest('FEDERATION_FIELD_UNKNOWN', { field: f }, { field: `fields[${i}]`, value: f });
    const rowFilter = input.rowFilter ?? null;
    if (rowFilter && !codes.includes(rowFilter.field))
      throw badRequest('FEDERATION_FIELD_UNKNOWN', { field: rowFilter.field }, { field: 'rowFilter.field', value: rowFilter.field });
    for (const f of input.clearFields ?? [])
      if (!fields.includes(f)) throw badRequest('FEDERATION_FIELD_UNKNOWN', { field: f }, { field: 'clearFields', value: f });
    if (!input.peerOrgId === !input.peerOrg) throw badRequest('FEDERATION_PEER_ONE_OF', {}, { field: 'peerOrgId' });
    const validTo = input.validTo ? new Date(input.validTo) : null;
    if (validTo && (Number.isNaN(validTo.getTime()) || validTo <= new Date()))
      throw badRequest('FEDERATION_VALIDITY_INVALID', {}, { field: 'validTo' });
    let peerOrgId = input.peerOrgId ?? null;
    if (peerOrgId) {
      if (!(await this.ctx.authz.orgs.get(peerOrgId))) throw notFound('FEDERATION_PEER_NOT_FOUND', {}, { field: 'peerOrgId' });
      if (await this.ctx.authz.orgs.isWithin(peerOrgId, resource.providerOrg.id))
        throw conflict('FEDERATION_PEER_IS_PROVIDER', {}, { field: 'peerOrgId' });
    } else {
      // The lower-level platform as a new organization of this one (a top-level department; ledgered as org.create).
      const o = input.peerOrg!;
      peerOrgId = (
        await this.ctx.identity.createOrg(actor, {
          code: o.code,
          nameZh: o.nameZh,
          nameEn: o.nameEn ?? '',
          kind: 'department',
          parentId: null,
        })
      ).id;
    }
    const peer = (await this.ctx.authz.orgs.get(peerOrgId))!;

    // The peer's service account and application (one per peer organization, reused), and a new key.
    const peerActor = await this.serviceAccount(peer.id, peer.code, peer.nameZh);
    const app =
      (await this.ctx.gateway.listApplications(peerActor)).find((a) => a.name === APP_NAME && a.org_id === peer.id) ??
      (await this.ctx.gateway.createApplication(peerActor, { name: APP_NAME, description: '上级平台数据回流（由数据管理机构签发）' }));
    if (app.state !== 'active') throw conflict('FEDERATION_APPLICATION_DISABLED');
    const grantId = randomUUID();
    const key = await this.ctx.gateway.createKey(peerActor, app.id, `回流 ${resource.code} ${grantId.slice(0, 8)}`);

    const signing = await this.ctx.ledger.signingKey();
    const id = await this.identity();
    return this.db.transaction().execute(async (tx) => {
      const e = await this.ctx.entitlements.grant(tx, actor, {
        holderOrgId: peer.id,
        holderApplicationId: app.id,
        holderUserId: null,
        resourceId: resource.id,
        providerOrgId: resource.providerOrg.id,
        fields,
        actions: ['bulk'],
        purpose: input.purpose?.trim() || `数据回流：${peer.nameZh}`,
        scenario: '上级平台向下级平台回流本地区数据',
        legalBasis,
        validFrom: new Date().toISOString(),
        validTo: validTo ? validTo.toISOString() : null,
        quota: null,
        conditions: {
          ...(rowFilter ? { rowFilter: { column: rowFilter.field, values: [...rowFilter.values] } } : {}),
          ...(input.clearFields?.length ? { clearFields: [...input.clearFields] } : {}),
        },
        origin: 'federation',
        originId: grantId,
      });
      const unsigned: Omit<GrantPackage, 'signature'> = {
        format: PACKAGE_FORMAT,
        issuedAt: new Date().toISOString(),
        issuer: { name: id.name, baseUrl, keyId: signing.keyId, publicKeyPem: signing.publicKeyPem },
        grant: {
          id: grantId,
          entitlementId: e.id,
          fields,
          actions: e.actions,
          rowFilter,
          validFrom: e.validFrom,
          validTo: e.validTo,
          policy: entitlementToOdrl(e, { baseUrl, resourceCode: resource.code }),
        },
        resource: {
          id: resource.id,
          code: resource.code,
          nameZh: resource.nameZh,
          nameEn: resource.nameEn,
          abstractZh: resource.abstractZh,
          abstractEn: resource.abstractEn,
          subjectCategory: resource.subjectCategory,
          domainCategory: resource.domainCategory,
          updateFrequency: resource.updateFrequency,
          grade: resource.grade,
          gradeLevel: resource.gradeLevel,
          fields: resource.fields
            .filter((f) => fields.includes(f.code))
            .map((f) => ({ code: f.code, nameZh: f.nameZh, nameEn: f.nameEn, dataType: f.dataType, piiKind: f.piiKind })),
        },
        endpoints: { extracts: `/api/gateway/v1/resources/${resource.id}/extracts` },
        credentials: { appKey: key.appKey, appSecret: key.appSecret },
      };
      const pkg = signPackage(unsigned, signing.privateKey);
      const sha = createHash('sha256').update(signedBytes(pkg)).digest('hex');
      await this.repo.insertGrant(tx, {
        id: grantId,
        peerOrgId: peer.id,
        peerUserId: peerActor.userId!,
        applicationId: app.id,
        entitlementId: e.id,
        resourceId: resource.id,
        packageSha256: sha,
        createdBy: actor.userId,
      });
      await this.ctx.ledger.append(tx, {
        actor,
        action: 'federation.grant.issue',
        objectType: 'federation_grant',
        objectId: grantId,
        orgId: resource.providerOrg.id,
        details: {
          peerOrgId: peer.id,
          resourceId: resource.id,
          entitlementId: e.id,
          fields,
          rowFilter,
          appKey: key.appKey,
          packageSha256: sha,
        },
      });
      return pkg;
    });
  }

  /** The peer organization's service account (created once, consumer clerk, random password never shown). */
  private async serviceAccount(orgId: string, orgCode: string, orgName: string): Promise<Actor> {
    const username = `fed-${orgCode.toLowerCase().replace(/[^a-z0-9._-]/g, '')}`.slice(0, 64);
    let user = (await this.ctx.identity.listUsers(SYSTEM, { q: username, orgId, pageSize: 50 })).items.find((u) => u.username === username);
    if (!user) {
      const { id } = await this.ctx.identity.createUser(SYSTEM, {
        username,
        password: `Fd1!${randomBytes(24).toString('base64url')}`,
        displayName: `${orgName}（回流服务账号）`.slice(0, 100),
        orgId,
        roles: [SERVICE_ROLE],
      });
      user = (await this.ctx.identity.listUsers(SYSTEM, { q: username, orgId, pageSize: 50 })).items.find((u) => u.id === id)!;
    }
    return {
      kind: 'user',
      userId: user.id,
      username: user.username,
      displayName: user.displayName,
      orgId,
      orgPath: await this.ctx.authz.orgs.path(orgId),
      roles: [SERVICE_ROLE],
    };
  }

  async grants(actor: Actor): Promise<GrantView[]> {
    await this.authority(actor);
    const now = this.now();
    return (await this.repo.grants(this.db)).map((g) => grantView(g, now));
  }

  // ============================================================================================ receiving side
  async accept(
    actor: Actor,
    input: { package: GrantPackage; expectedKeyId: string; localResourceId?: string | null; localProviderOrgId?: string | null },
  ): Promise<LinkView> {
    await this.authority(actor);
    const pkg = input.package;
    const problem = checkPackage(pkg, input.expectedKeyId, new Date());
    if (problem) throw badRequest('FEDERATION_PACKAGE_INVALID', { reason: problem }, { field: 'package', reason: problem });
    const base = checkBaseUrl(pkg.issuer.baseUrl);
    if (await this.repo.linkByRemote(this.db, pkg.issuer.keyId, pkg.grant.id))
      throw conflict('FEDERATION_LINK_EXISTS', {}, { field: 'package' });

    let localResourceId = input.localResourceId ?? null;
    if (localResourceId) {
      await this.ctx.catalog.get(actor, localResourceId).catch((e: unknown) => {
        if (e instanceof AppError && e.status === 404) throw notFound('FEDERATION_RESOURCE_NOT_FOUND', {}, { field: 'localResourceId' });
        throw e;
      });
    } else {
      if (!input.localProviderOrgId || !(await this.ctx.authz.orgs.get(input.localProviderOrgId)))
        throw badRequest('FEDERATION_FIELD_REQUIRED', { field: 'localProviderOrgId' }, { field: 'localProviderOrgId' });
      localResourceId = await this.mirrorResource(pkg, input.localProviderOrgId);
    }
    const id = randomUUID();
    const sealed = await this.ctx.identity.secrets.seal(pkg.credentials.appSecret, id);
    const { credentials: _c, signature: _s, ...info } = pkg;
    const linkId = await this.db.transaction().execute(async (tx) => {
      const row = await this.repo.insertLink(tx, {
        id,
        issuerName: pkg.issuer.name,
        issuerBaseUrl: base,
        issuerKeyId: pkg.issuer.keyId,
        remoteGrantId: pkg.grant.id,
        remoteResourceId: pkg.resource.id,
        remoteEntitlementId: pkg.grant.entitlementId,
        extractsPath: pkg.endpoints.extracts,
        appKey: pkg.credentials.appKey,
        appSecretSealed: sealed,
        validTo: pkg.grant.validTo ? new Date(pkg.grant.validTo) : null,
        localResourceId: localResourceId!,
        grantInfo: info,
        createdBy: actor.userId,
      });
      await this.ctx.ledger.append(tx, {
        actor,
        action: 'federation.link.accept',
        objectType: 'federation_link',
        objectId: row.id,
        details: {
          issuer: pkg.issuer.name,
          issuerKeyId: pkg.issuer.keyId,
          remoteGrantId: pkg.grant.id,
          remoteResource: pkg.resource.code,
          localResourceId,
          fields: pkg.grant.fields,
          rowFilter: pkg.grant.rowFilter,
        },
      });
      return row.id;
    });
    return this.view(linkId);
  }

  /** The local catalog resource for the received data: the issuer's metadata, the granted fields, published. */
  private async mirrorResource(pkg: GrantPackage, providerOrgId: string): Promise<string> {
    const r = pkg.resource;
    const area = pkg.grant.rowFilter ? `（${pkg.grant.rowFilter.values.join('、')}）` : '';
    const created = await this.ctx.catalog.create(SYSTEM, {
      providerOrgId,
      nameZh: `${r.nameZh}（${pkg.issuer.name}回流）`.slice(0, 200),
      nameEn: r.nameEn ? `${r.nameEn} (back-flow from ${pkg.issuer.name})`.slice(0, 300) : '',
      abstractZh: `${pkg.issuer.name}按授权回流的本地区数据${area}。原资源：${r.code} ${r.nameZh}。${r.abstractZh}`.slice(0, 4000),
      abstractEn: r.abstractEn ? `Back-flow from ${pkg.issuer.name} (${r.code}). ${r.abstractEn}`.slice(0, 8000) : '',
      keywords: ['数据回流'],
      subjectCategory: r.subjectCategory,
      domainCategory: r.domainCategory,
      formats: ['csv', 'api'],
      updateFrequency: r.updateFrequency as 'monthly',
      shareMode: 'conditional',
      shareConditions: `上级平台回流数据，按${pkg.issuer.name}的授权范围在本地区依法履职使用`,
      openMode: 'none',
      openBasis: `上级平台回流数据，授权未包含向社会开放（授权编号 ${pkg.grant.id}）`,
      grade: r.grade as 'general',
      gradeLevel: r.gradeLevel as 1,
      fields: r.fields.map((f) => ({
        nameZh: f.nameZh,
        nameEn: f.nameEn,
        code: f.code,
        dataType: f.dataType as 'string',
        piiKind: f.piiKind as 'none',
      })),
    });
    await this.ctx.catalog.transition(SYSTEM, created.id, { to: 'submitted', comment: '数据回流：按上级平台授权登记' });
    await this.ctx.catalog.transition(SYSTEM, created.id, { to: 'approved', comment: '数据回流：授权包签名已核验' });
    await this.ctx.catalog.transition(SYSTEM, created.id, { to: 'published', comment: '数据回流：发布' });
    return created.id;
  }

  async links(actor: Actor): Promise<LinkView[]> {
    await this.authority(actor);
    return (await this.repo.links(this.db)).map(linkView);
  }

  async link(actor: Actor, id: string): Promise<LinkView> {
    await this.authority(actor);
    return this.view((await this.loadLink(this.db, id)).id);
  }

  private async loadLink(db: Executor, id: string, forUpdate = false): Promise<LinkRow> {
    const row = /^[0-9a-f-]{36}$/i.test(id) ? await this.repo.link(db, id, forUpdate) : undefined;
    if (!row) throw notFound('FEDERATION_LINK_NOT_FOUND', { id });
    return row;
  }

  private async view(id: string): Promise<LinkView> {
    return linkView((await this.repo.linkListed(this.db, id))!);
  }

  /** The pulls of a link, newest first. */
  async pulls(actor: Actor, id: string, limit = 50): Promise<PullView[]> {
    await this.authority(actor);
    const row = await this.loadLink(this.db, id);
    return (await this.repo.pulls(this.db, row.id, Math.min(Math.max(limit, 1), 200))).map(pullView);
  }

  // ------------------------------------------------------------------------------------------ schedules

  /**
   * Sets, changes or removes (cron null) the link's pull schedule, or pauses/resumes it. The pending occurrence
   * is cancelled and the next one booked in the same transaction; every change is ledgered.
   */
  async setSchedule(actor: Actor, id: string, input: { cron?: string | null; paused?: boolean }): Promise<LinkView> {
    await this.authority(actor);
    const current = await this.loadLink(this.db, id);
    const now = this.now();
    const cron =
      input.cron === undefined
        ? current.schedule
        : input.cron === null || input.cron.trim() === ''
          ? null
          : checkPullSchedule(input.cron, now, this.minPullIntervalMinutes);
    if (!cron && input.paused) throw badRequest('FEDERATION_SCHEDULE_REQUIRED', {}, { field: 'paused' });
    const paused = cron ? (input.paused ?? current.schedule_paused) : false;
    if (cron === current.schedule && paused === current.schedule_paused) return this.view(current.id);
    await this.db.transaction().execute(async (tx) => {
      const locked = await this.loadLink(tx, id, true);
      if (locked.next_pull_at) await this.ctx.jobs.cancelDeadline(SCHEDULE_QUEUE, scheduleKey(locked.id, locked.next_pull_at), tx);
      const next = cron && !paused ? this.nextOccurrence(cron, locked.valid_to, now) : null;
      await this.repo.setSchedule(tx, locked.id, { schedule: cron, paused, nextPullAt: next });
      if (next) await this.bookOccurrence(tx, locked.id, next);
      await this.ctx.ledger.append(tx, {
        actor,
        action: 'federation.schedule.update',
        objectType: LINK,
        objectId: locked.id,
        details: {
          from: { cron: locked.schedule, paused: locked.schedule_paused },
          to: { cron, paused },
          timeZone: PULL_SCHEDULE_TZ,
          nextPullAt: next?.toISOString() ?? null,
        },
      });
    });
    return this.view(current.id);
  }

  /** The next occurrence after `after`, none past the grant's validity. */
  private nextOccurrence(cron: string, validTo: Date | null, after: Date): Date | null {
    const next = nextPull(cron, after);
    return next && (!validTo || next <= validTo) ? next : null;
  }

  private async bookOccurrence(tx: Tx, linkId: string, due: Date): Promise<void> {
    await this.ctx.jobs.scheduleDeadline<ScheduleJob>(
      { key: scheduleKey(linkId, due), dueAt: due, queue: SCHEDULE_QUEUE, data: { linkId, due: due.toISOString() } },
      tx,
    );
  }

  /** A schedule occurrence: books the next one and queues a pull, unless one is still queued or running (skipped). */
  async handleSchedule(data: ScheduleJob): Promise<unknown> {
    return this.db.transaction().execute(async (tx) => {
      const link = await this.repo.link(tx, data.linkId, true);
      if (!link || !link.schedule || link.schedule_paused || !link.next_pull_at || link.next_pull_at.toISOString() !== data.due)
        return { stale: true };
      // Called directly (not by its own job, which is active by now): the pending job of this occurrence goes.
      await this.ctx.jobs.cancelDeadline(SCHEDULE_QUEUE, scheduleKey(link.id, link.next_pull_at), tx);
      // From now, not from the due time: a platform that was down pulls a missed occurrence once, not a backlog.
      const next = this.nextOccurrence(link.schedule, link.valid_to, new Date(Math.max(this.now().getTime(), Date.parse(data.due))));
      await this.repo.setNextPull(tx, link.id, next);
      if (next) await this.bookOccurrence(tx, link.id, next);
      if (link.state !== 'active') return { skipped: 'disabled', next: next?.toISOString() ?? null };
      const pull = await this.claim(tx, link.id, 'schedule', 'queued', null);
      if (!pull) {
        await this.repo.insertSkipped(tx, link.id);
        return { skipped: 'running', next: next?.toISOString() ?? null };
      }
      const jobId = (await this.ctx.jobs.sendInTx<PullJob>(tx, PULL_QUEUE, { pullId: pull.id, actor: SYSTEM }))!;
      await this.repo.setPullJob(tx, pull.id, jobId);
      return { queued: pull.id, jobId, next: next?.toISOString() ?? null };
    });
  }

  // ------------------------------------------------------------------------------------------ pulls

  /**
   * Claims the link for a pull (queued: a job will run it; running: the caller runs it now). A pull left by a
   * process that died (running without heartbeat, queued without a live job) is closed as interrupted first.
   * Undefined when another pull is queued or running.
   */
  private async claim(
    db: Executor,
    linkId: string,
    trigger: 'manual' | 'schedule',
    status: 'queued' | 'running',
    requestedBy: string | null,
  ): Promise<PullRow | undefined> {
    const active = await this.repo.activePull(db, linkId);
    if (active) {
      const gone = active.silent || (active.status === 'queued' && !(await this.jobAlive(active.job_id)));
      if (!gone) return undefined;
      await this.repo.closeInterrupted(db, active.id, active.status as 'queued' | 'running');
    }
    return this.repo.claimPull(db, { linkId, trigger, status, requestedBy });
  }

  private async jobAlive(jobId: string | null): Promise<boolean> {
    if (!jobId) return false;
    const job = await this.ctx.jobs.getJob(PULL_QUEUE, jobId);
    return !!job && ['created', 'retry', 'active'].includes(job.state);
  }

  /** Queues a pull of the link now (the web page's "pull now"; the same job as a schedule occurrence). */
  async queuePull(actor: Actor, id: string): Promise<{ pullId: string; jobId: string; status: 'queued' }> {
    await this.authority(actor);
    const row = await this.loadLink(this.db, id);
    if (row.state !== 'active') throw conflict('FEDERATION_LINK_DISABLED');
    return this.db.transaction().execute(async (tx) => {
      const pull = await this.claim(tx, row.id, 'manual', 'queued', actor.userId);
      if (!pull) throw conflict('FEDERATION_PULL_IN_PROGRESS', {}, { linkId: row.id });
      const jobId = (await this.ctx.jobs.sendInTx<PullJob>(tx, PULL_QUEUE, { pullId: pull.id, actor }))!;
      await this.repo.setPullJob(tx, pull.id, jobId);
      await this.ctx.ledger.append(tx, {
        actor,
        action: 'federation.pull.request',
        objectType: LINK,
        objectId: row.id,
        details: { pullId: pull.id, jobId },
      });
      return { pullId: pull.id, jobId, status: 'queued' as const };
    });
  }

  /** A pull job: runs the queued pull (a failure is recorded on the link and fails the job; it is not retried). */
  async handlePull(data: PullJob, _jobId: string): Promise<unknown> {
    const pull = await this.repo.startPull(this.db, data.pullId);
    if (!pull) return { skipped: 'not queued' };
    const out = await this.runPull(pull, data.actor);
    return { pullId: pull.id, status: out.pull.status, localVersion: out.version };
  }

  /**
   * Pulls the granted rows now and waits for the outcome (the API's synchronous pull): an extract from the
   * issuer's gateway (signed with the link's key), checked against the manifest's SHA-256 and row count, then
   * ingested as a new version of the local dataset — or, when the file is the same as the last pull's, recorded
   * as unchanged. A failure changes no data; it is recorded on the link, in the pull history and in the ledger.
   */
  async pull(actor: Actor, id: string): Promise<LinkView & { version: number | null; pull: PullView }> {
    await this.authority(actor);
    const row = await this.loadLink(this.db, id);
    if (row.state !== 'active') throw conflict('FEDERATION_LINK_DISABLED');
    const pull = await this.claim(this.db, row.id, 'manual', 'running', actor.userId);
    if (!pull) throw conflict('FEDERATION_PULL_IN_PROGRESS', {}, { linkId: row.id });
    const out = await this.runPull(pull, actor);
    return { ...(await this.view(row.id)), version: out.version, pull: pullView(out.pull) };
  }

  /** One running pull, start to end. Throws (after recording the failure) when it fails. */
  private async runPull(pull: PullRow, actor: Actor): Promise<{ pull: PullRow; version: number | null }> {
    const row = (await this.repo.link(this.db, pull.link_id))!;
    const beat = setInterval(() => void this.repo.pullProgress(this.db, pull.id, {}).catch(() => undefined), HEARTBEAT_MS);
    beat.unref();
    const progress = (p: { phase?: PullPhase; extractId?: string }) => this.repo.pullProgress(this.db, pull.id, p);
    const dir = path.join(this.ctx.datasets.scratchDir, 'federation');
    const file = path.join(dir, `${row.id}-${randomUUID()}.csv`);
    const base = { trigger: pull.trigger, pullId: pull.id };
    try {
      if (row.state !== 'active') throw conflict('FEDERATION_LINK_DISABLED');
      await fsp.mkdir(dir, { recursive: true });
      const secret = await this.ctx.identity.secrets.open(row.app_secret_sealed, row.id);
      const call = (method: 'GET' | 'POST', p: string, body?: unknown) =>
        signedFetch(row.issuer_base_url, row.app_key, secret, method, p, body);
      await progress({ phase: 'extract' });
      const created = await expectJson(await call('POST', row.extracts_path, { mode: 'full', format: 'csv' }), 202);
      const extractId = created.id as string;
      await progress({ extractId });
      const view = await this.waitForExtract(call, `${row.extracts_path}/${extractId}`);
      const manifest = await expectJson(await call('GET', `${row.extracts_path}/${extractId}/manifest`), 200);
      await progress({ phase: 'download' });
      const res = await call('GET', `${row.extracts_path}/${extractId}/file`);
      if (res.status !== 200 || !res.body) throw pullError('http', { status: res.status });
      const hash = createHash('sha256');
      let bytes = 0;
      await pipeline(
        Readable.fromWeb(res.body as import('node:stream/web').ReadableStream),
        new Transform({
          transform(chunk: Buffer, _enc, cb) {
            hash.update(chunk);
            bytes += chunk.length;
            cb(null, chunk);
          },
        }),
        fs.createWriteStream(file),
      );
      const sha = hash.digest('hex');
      const expected = String(manifest.sha256 ?? view.sha256 ?? '');
      if (sha !== expected || sha !== view.sha256) throw pullError('checksum', { expected, actual: sha });
      const rows = Number(manifest.rowCount ?? view.rowCount ?? 0);
      const remoteVersion = Number(view.version ?? manifest.version ?? 0) || null;
      const dataset = await this.ctx.datasets.ensureForResource(actor, row.local_resource_id);

      // The same file as the last pull: nothing to publish.
      if (row.last_sha256 === sha && dataset.current_version) {
        const version = dataset.current_version;
        const done = await this.db.transaction().execute(async (tx) => {
          const p = await this.repo.finishPull(tx, pull.id, {
            status: 'unchanged',
            remoteVersion,
            rows,
            bytes,
            sha256: sha,
            localVersion: version,
          });
          await this.repo.recordPull(tx, row.id, { status: 'unchanged', remoteVersion, rows, sha256: sha });
          await this.ctx.ledger.append(tx, {
            actor,
            action: 'federation.pull.unchanged',
            objectType: LINK,
            objectId: row.id,
            details: { ...base, extractId, remoteVersion, rows, bytes, sha256: sha, localVersion: version },
          });
          return p;
        });
        return { pull: done, version };
      }

      await progress({ phase: 'ingest' });
      // The columns are typed as the issuer's catalog declares them (a district code stays text), not re-guessed.
      const declared = new Map(
        (row.grant_info as unknown as Pick<GrantPackage, 'resource'>).resource.fields.map(
          (f) => [f.nameZh, FRICTIONLESS_TYPE[f.dataType]] as const,
        ),
      );
      const ingest = await this.ctx.datasets.ingestLocalFile(actor, dataset.id, file, `${row.issuer_name}-${extractId}.csv`, {
        confirm: (proposed) => ({
          ...proposed,
          fields: proposed.fields.map((f) => {
            const type = declared.get(f.name);
            return type && type !== f.type ? { ...f, type, format: undefined } : f;
          }),
        }),
      });
      if (ingest.status !== 'published') throw pullError('ingest', { status: ingest.status, error: ingest.error });
      const version = ingest.version ?? (await this.ctx.datasets.byResource(actor, row.local_resource_id))?.current_version ?? null;
      const done = await this.db.transaction().execute(async (tx) => {
        const p = await this.repo.finishPull(tx, pull.id, { status: 'ok', remoteVersion, rows, bytes, sha256: sha, localVersion: version });
        await this.repo.recordPull(tx, row.id, { status: 'ok', remoteVersion, rows, sha256: sha });
        await this.ctx.ledger.append(tx, {
          actor,
          action: 'federation.pull',
          objectType: LINK,
          objectId: row.id,
          details: { ...base, extractId, remoteVersion, rows, bytes, sha256: sha, localVersion: version, ingestId: ingest.id },
        });
        return p;
      });
      return { pull: done, version };
    } catch (e) {
      const error = pullErrorOf(e);
      await this.db.transaction().execute(async (tx) => {
        await this.repo.finishPull(tx, pull.id, { status: 'failed', error });
        await this.repo.recordPull(tx, row.id, { status: 'failed', error: { ...error, at: new Date().toISOString() } });
        await this.ctx.ledger.append(tx, {
          actor,
          action: 'federation.pull.fail',
          objectType: LINK,
          objectId: row.id,
          details: { ...base, ...error },
        });
      });
      if (e instanceof AppError) throw e;
      throw pullError('network', { message: error.message });
    } finally {
      clearInterval(beat);
      await fsp.rm(file, { force: true });
    }
  }

  private async waitForExtract(call: (m: 'GET', p: string) => Promise<Response>, p: string): Promise<Record<string, unknown>> {
    const until = Date.now() + EXTRACT_WAIT_MS;
    for (let delay = 100; ; delay = Math.min(delay * 2, 2000)) {
      const v = await expectJson(await call('GET', p), 200);
      if (v.state === 'done') return v;
      if (v.state === 'failed') throw pullError('extract_failed', { error: v.errorCode });
      if (Date.now() > until) throw pullError('timeout', {});
      await new Promise((r) => setTimeout(r, delay));
    }
  }
}

function pullError(reason: string, details: Record<string, unknown>): AppError {
  return new AppError(502, 'FEDERATION_PULL_FAILED', { reason }, { reason, ...details });
}

/** The issuer's base URL: http(s), no credentials or path tricks, not a metadata or link-local address. */
function checkBaseUrl(raw: string): string {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw badRequest('FEDERATION_PACKAGE_INVALID', { reason: 'base_url' }, { field: 'package.issuer.baseUrl', reason: 'base_url' });
  }
  const host = u.hostname.replace(/^\[(.*)\]$/, '$1');
  if (!['http:', 'https:'].includes(u.protocol) || u.username || u.password || (net.isIP(host) && isForbiddenAddress(host)))
    throw badRequest('FEDERATION_PACKAGE_INVALID', { reason: 'base_url' }, { field: 'package.issuer.baseUrl', reason: 'base_url' });
  return u.origin;
}

async function signedFetch(
  base: string,
  appKey: string,
  appSecret: string,
  method: 'GET' | 'POST',
  p: string,
  body?: unknown,
): Promise<Response> {
  const text = body === undefined ? undefined : JSON.stringify(body);
  const headers: Record<string, string> = { ...signRequest({ appKey, appSecret, method, path: p, body: text }) };
  if (text !== undefined) headers['content-type'] = 'application/json';
  return fetch(new URL(p, base), { method, headers, body: text, redirect: 'error', signal: AbortSignal.timeout(FETCH_TIMEOUT_MS) });
}

async function expectJson(res: Response, status: number): Promise<Record<string, unknown>> {
  const text = await res.text();
  let json: Record<string, unknown> = {};
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    /* not JSON */
  }
  if (res.status !== status) {
    const err = (json.error as { code?: string } | undefined)?.code ?? `HTTP_${res.status}`;
    throw pullError('remote_refused', { status: res.status, remoteCode: err });
  }
  return json;
}

function linkView(r: LinkListRow): LinkView {
  const info = r.grant_info as unknown as Pick<GrantPackage, 'grant' | 'resource'>;
  return {
    id: r.id,
    issuerName: r.issuer_name,
    issuerBaseUrl: r.issuer_base_url,
    issuerKeyId: r.issuer_key_id,
    remoteResource: { id: r.remote_resource_id, code: info.resource.code, nameZh: info.resource.nameZh },
    fields: info.grant.fields,
    rowFilter: info.grant.rowFilter,
    validTo: r.valid_to ? r.valid_to.toISOString() : null,
    localResourceId: r.local_resource_id,
    localResource:
      r.local_code === null
        ? null
        : { id: r.local_resource_id, code: r.local_code, nameZh: r.local_name_zh ?? '', nameEn: r.local_name_en ?? '' },
    localDataset: r.dataset_id ? { id: r.dataset_id, currentVersion: r.current_version } : null,
    state: r.state,
    lastPull: r.last_pull_at
      ? {
          at: r.last_pull_at.toISOString(),
          status: r.last_pull_status!,
          error: r.last_pull_error,
          remoteVersion: r.last_remote_version,
          rows: r.last_rows === null ? null : Number(r.last_rows),
          sha256: r.last_sha256,
        }
      : null,
    lastSuccessAt: r.last_success_at?.toISOString() ?? null,
    consecutiveFailures: r.consecutive_failures,
    lastError: r.last_error,
    schedule: r.schedule
      ? { cron: r.schedule, timeZone: PULL_SCHEDULE_TZ, paused: r.schedule_paused, nextRunAt: r.next_pull_at?.toISOString() ?? null }
      : null,
    activePull:
      r.active_pull_id && r.active_status && r.active_trigger && r.active_created_at
        ? {
            id: r.active_pull_id,
            status: r.active_status,
            phase: r.active_phase,
            trigger: r.active_trigger,
            createdAt: r.active_created_at.toISOString(),
          }
        : null,
    createdAt: r.created_at.toISOString(),
  };
}

const numOrNull = (v: string | number | null) => (v === null ? null : Number(v));

function pullView(p: PullRow): PullView {
  return {
    id: p.id,
    trigger: p.trigger,
    status: p.status,
    phase: p.phase,
    jobId: p.job_id,
    requestedBy: p.requested_by,
    extractId: p.extract_id,
    remoteVersion: p.remote_version,
    rows: numOrNull(p.rows),
    bytes: numOrNull(p.bytes),
    sha256: p.sha256,
    localVersion: p.local_version,
    error: p.error,
    createdAt: p.created_at.toISOString(),
    startedAt: p.started_at?.toISOString() ?? null,
    finishedAt: p.finished_at?.toISOString() ?? null,
  };
}

function grantView(g: GrantListRow, now: Date): GrantView {
  const filter = g.conditions?.rowFilter;
  return {
    id: g.id,
    peerOrg: { id: g.peer_org_id, code: g.peer_code, nameZh: g.peer_name_zh, nameEn: g.peer_name_en },
    resource: { id: g.resource_id, code: g.resource_code, nameZh: g.resource_name_zh, nameEn: g.resource_name_en },
    entitlementId: g.entitlement_id,
    applicationId: g.application_id,
    fields: g.fields ?? [],
    rowFilter: filter ? { field: filter.column, values: [...filter.values] } : null,
    validFrom: g.valid_from.toISOString(),
    validTo: g.valid_to?.toISOString() ?? null,
    state: g.state === 'active' && g.valid_to && g.valid_to <= now ? 'expired' : g.state,
    stateReason: g.state_reason,
    packageSha256: g.package_sha256,
    createdAt: g.created_at.toISOString(),
  };
}

/** What a failed pull records: the reason (FEDERATION_PULL_FAILED's, or the error code), the issuer's answer, a message. */
function pullErrorOf(e: unknown): PullError {
  if (e instanceof AppError) {
    const d = (e.details ?? {}) as { reason?: string; status?: number; remoteCode?: string; message?: string };
    return {
      reason: d.reason ?? e.code,
      ...(typeof d.status === 'number' ? { status: d.status } : {}),
      ...(d.remoteCode ? { remoteCode: d.remoteCode } : {}),
      message: (d.message ?? translate(e.code, 'zh-CN', e.params)).slice(0, 500),
    };
  }
  const err = e as { message?: string; cause?: { code?: string; message?: string } };
  const cause = err?.cause?.code ?? err?.cause?.message;
  return { reason: 'network', message: `${String(err?.message ?? e)}${cause ? `: ${cause}` : ''}`.slice(0, 500) };
}
