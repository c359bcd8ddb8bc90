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
import { randomBytes, randomUUID, createHash } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Readable, Transform } from 'node:stream';
import type { AppContext } from '../../context.ts';
import { AppError, badRequest, conflict, notFound } from '../../errors.ts';
import { SYSTEM, type Actor } from '../identity/actor.ts';
import { signRequest } from '../identity/apikeys.ts';
import type { FieldType } from '../datasets/schema-infer.ts';
import { entitlementToOdrl } from '../entitlements/odrl.ts';
import { isForbiddenAddress } from '../sources/network.ts';
import './messages.ts';
import { checkPackage, PACKAGE_FORMAT, signedBytes, signPackage, type GrantPackage } from './package.ts';
import { FederationRepository, type LinkRow } from './repository.ts';

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

export interface IssueInput {
  resourceId: string;
  peerOrgId: string;
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
  state: 'active' | 'disabled';
  lastPull: {
    at: string;
    status: 'ok' | 'failed';
    error: string | null;
    remoteVersion: number | null;
    rows: number | null;
    sha256: string | null;
  } | null;
  createdAt: string;
}

export class FederationService {
  readonly repo = new FederationRepository();

  constructor(private readonly ctx: AppContext) {}

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
    const peer = await this.ctx.authz.orgs.get(input.peerOrgId);
    if (!peer) throw notFound('FEDERATION_PEER_NOT_FOUND', {}, { field: 'peerOrgId' });
    if (await this.ctx.authz.orgs.isWithin(peer.id, resource.providerOrg.id))
      throw conflict('FEDERATION_PEER_IS_PROVIDER', {}, { field: 'peerOrgId' });
    const validTo = input.validTo ? new Date(input.validTo) : null;
    if (validTo && (Number.isNaN(validTo.getTime()) || validTo <= new Date()))
      throw badRequest('FEDERATION_VALIDITY_INVALID', {}, { field: 'validTo' });

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

  async grants(actor: Actor) {
    await this.authority(actor);
    return this.repo.grants(this.db);
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
    return this.db.transaction().execute(async (tx) => {
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
      return linkView(row);
    });
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
    const row = /^[0-9a-f-]{36}$/i.test(id) ? await this.repo.link(this.db, id) : undefined;
    if (!row) throw notFound('FEDERATION_LINK_NOT_FOUND', { id });
    return linkView(row);
  }

  /**
   * Pulls the granted rows: an extract from the issuer's gateway (signed with the link's key), checked against
   * the manifest's SHA-256 and row count, ingested as a new version of the local dataset. A failure changes no
   * data; it is recorded on the link and in the ledger.
   */
  async pull(actor: Actor, id: string): Promise<LinkView & { version: number | null }> {
    await this.authority(actor);
    const row = /^[0-9a-f-]{36}$/i.test(id) ? await this.repo.link(this.db, id) : undefined;
    if (!row) throw notFound('FEDERATION_LINK_NOT_FOUND', { id });
    if (row.state !== 'active') throw conflict('FEDERATION_LINK_DISABLED');
    const secret = await this.ctx.identity.secrets.open(row.app_secret_sealed, row.id);
    const call = (method: 'GET' | 'POST', p: string, body?: unknown) =>
      signedFetch(row.issuer_base_url, row.app_key, secret, method, p, body);
    const dir = path.join(this.ctx.datasets.scratchDir, 'federation');
    await fsp.mkdir(dir, { recursive: true });
    const file = path.join(dir, `${row.id}-${randomUUID()}.csv`);
    try {
      const created = await expectJson(await call('POST', row.extracts_path, { mode: 'full', format: 'csv' }), 202);
      const view = await this.waitForExtract(call, `${row.extracts_path}/${created.id as string}`);
      const manifest = await expectJson(await call('GET', `${row.extracts_path}/${created.id as string}/manifest`), 200);
      const res = await call('GET', `${row.extracts_path}/${created.id as string}/file`);
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
      const dataset = await this.ctx.datasets.ensureForResource(actor, row.local_resource_id);
      // The columns are typed as the issuer's catalog declares them (a district code stays text), not re-guessed.
      const declared = new Map(
        (row.grant_info as unknown as Pick<GrantPackage, 'resource'>).resource.fields.map(
          (f) => [f.nameZh, FRICTIONLESS_TYPE[f.dataType]] as const,
        ),
      );
      const ingest = await this.ctx.datasets.ingestLocalFile(actor, dataset.id, file, `${row.issuer_name}-${created.id as string}.csv`, {
        confirm: (proposed) => ({
          ...proposed,
          fields: proposed.fields.map((f) => {
            const type = declared.get(f.name);
            return type && type !== f.type ? { ...f, type, format: undefined } : f;
          }),
        }),
      });
      if (ingest.status !== 'published') throw pullError('ingest', { status: ingest.status, error: ingest.error });
      const rows = Number(manifest.rowCount ?? view.rowCount ?? 0);
      const version = (await this.ctx.datasets.byResource(actor, row.local_resource_id))?.current_version ?? null;
      const updated = await this.db.transaction().execute(async (tx) => {
        const u = await this.repo.recordPull(tx, row.id, {
          status: 'ok',
          error: null,
          remoteVersion: Number(view.version ?? manifest.version ?? 0) || null,
          rows,
          sha256: sha,
        });
        await this.ctx.ledger.append(tx, {
          actor,
          action: 'federation.pull',
          objectType: 'federation_link',
          objectId: row.id,
          details: {
            extractId: created.id,
            remoteVersion: u.last_remote_version,
            rows,
            bytes,
            sha256: sha,
            localVersion: version,
            ingestId: ingest.id,
          },
        });
        return u;
      });
      return { ...linkView(updated), version };
    } catch (e) {
      const code = e instanceof AppError ? ((e.details as { reason?: string } | undefined)?.reason ?? e.code) : 'network';
      await this.db.transaction().execute(async (tx) => {
        await this.repo.recordPull(tx, row.id, {
          status: 'failed',
          error: code,
          remoteVersion: row.last_remote_version,
          rows: row.last_rows,
          sha256: row.last_sha256,
        });
        await this.ctx.ledger.append(tx, {
          actor,
          action: 'federation.pull.fail',
          objectType: 'federation_link',
          objectId: row.id,
          details: { reason: code },
        });
      });
      if (e instanceof AppError) throw e;
      throw pullError('network', { message: (e as Error).message });
    } finally {
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

function linkView(r: LinkRow): LinkView {
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
    createdAt: r.created_at.toISOString(),
  };
}
