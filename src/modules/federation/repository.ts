// The federation module's SQL (migrations/0014_federation.sql, 0016_federation_schedules.sql). Parameterized
// `sql` templates only.
import { sql } from 'kysely';
import type { Executor } from '../../db/database.ts';

export interface GrantRow {
  id: string;
  peer_org_id: string;
  peer_user_id: string;
  application_id: string;
  entitlement_id: string;
  resource_id: string;
  package_sha256: string;
  created_by: string | null;
  created_at: Date;
}

export interface LinkRow {
  id: string;
  issuer_name: string;
  issuer_base_url: string;
  issuer_key_id: string;
  remote_grant_id: string;
  remote_resource_id: string;
  remote_entitlement_id: string;
  extracts_path: string;
  app_key: string;
  app_secret_sealed: string;
  valid_to: Date | null;
  local_resource_id: string;
  grant_info: Record<string, unknown>;
  state: 'active' | 'disabled';
  last_pull_at: Date | null;
  last_pull_status: 'ok' | 'unchanged' | 'failed' | null;
  last_pull_error: string | null;
  last_remote_version: number | null;
  last_rows: number | null;
  last_sha256: string | null;
  schedule: string | null;
  schedule_paused: boolean;
  next_pull_at: Date | null;
  consecutive_failures: number;
  last_success_at: Date | null;
  last_error: PullError | null;
  created_by: string | null;
  created_at: Date;
  updated_at: Date;
}

/** A link with what the views show next to it: the local resource, its dataset and the pull in progress. */
export interface LinkListRow extends LinkRow {
  local_code: string | null;
  local_name_zh: string | null;
  local_name_en: string | null;
  dataset_id: string | null;
  current_version: number | null;
  active_pull_id: string | null;
  active_status: 'queued' | 'running' | null;
  active_phase: PullPhase | null;
  active_trigger: 'manual' | 'schedule' | null;
  active_created_at: Date | null;
}

/** A grant with its entitlement, peer organization and resource (issuing side). */
export interface GrantListRow extends GrantRow {
  peer_code: string;
  peer_name_zh: string;
  peer_name_en: string;
  resource_code: string;
  resource_name_zh: string;
  resource_name_en: string;
  fields: string[] | null;
  conditions: { rowFilter?: { column: string; values: string[] } } | null;
  valid_from: Date;
  valid_to: Date | null;
  state: 'active' | 'suspended' | 'expired' | 'revoked';
  state_reason: string | null;
}

export type PullStatus = 'queued' | 'running' | 'ok' | 'unchanged' | 'failed' | 'skipped';
export type PullPhase = 'extract' | 'download' | 'ingest';
export interface PullError {
  reason: string;
  status?: number;
  remoteCode?: string;
  message?: string;
  at?: string;
}

export interface PullRow {
  id: string;
  link_id: string;
  trigger: 'manual' | 'schedule';
  status: PullStatus;
  phase: PullPhase | null;
  job_id: string | null;
  requested_by: string | null;
  extract_id: string | null;
  remote_version: number | null;
  rows: string | number | null;
  bytes: string | number | null;
  sha256: string | null;
  local_version: number | null;
  error: PullError | null;
  created_at: Date;
  started_at: Date | null;
  finished_at: Date | null;
  heartbeat_at: Date | null;
}

/** A running pull whose heartbeat is older than this is taken for one whose process died. */
const STALE_HEARTBEAT = '5 minutes';

export class FederationRepository {
  async insertGrant(
    db: Executor,
    g: {
      id: string;
      peerOrgId: string;
      peerUserId: string;
      applicationId: string;
      entitlementId: string;
      resourceId: string;
      packageSha256: string;
      createdBy: string | null;
    },
  ): Promise<void> {
    await sql`insert into federation_grants (id, peer_org_id, peer_user_id, application_id, entitlement_id, resource_id, package_sha256, created_by)
      values (${g.id}, ${g.peerOrgId}, ${g.peerUserId}, ${g.applicationId}, ${g.entitlementId}, ${g.resourceId}, ${g.packageSha256}, ${g.createdBy})`.execute(
      db,
    );
  }

  async grants(db: Executor): Promise<GrantListRow[]> {
    return (
      await sql<GrantListRow>`select g.*, o.code as peer_code, o.name_zh as peer_name_zh, o.name_en as peer_name_en,
          r.code as resource_code, r.name_zh as resource_name_zh, r.name_en as resource_name_en,
          e.fields, e.conditions, e.valid_from, e.valid_to, e.state, e.state_reason
        from federation_grants g
          join organizations o on o.id = g.peer_org_id
          join catalog_resources r on r.id = g.resource_id
          join entitlements e on e.id = g.entitlement_id
        order by g.created_at desc limit 500`.execute(db)
    ).rows;
  }

  async insertLink(
    db: Executor,
    l: {
      id: string;
      issuerName: string;
      issuerBaseUrl: string;
      issuerKeyId: string;
      remoteGrantId: string;
      remoteResourceId: string;
      remoteEntitlementId: string;
      extractsPath: string;
      appKey: string;
      appSecretSealed: string;
      validTo: Date | null;
      localResourceId: string;
      grantInfo: unknown;
      createdBy: string | null;
    },
  ): Promise<LinkRow> {
    return (
      await sql<LinkRow>`insert into federation_links (id, issuer_name, issuer_base_url, issuer_key_id, remote_grant_id, remote_resource_id,
          remote_entitlement_id, extracts_path, app_key, app_secret_sealed, valid_to, local_resource_id, grant_info, created_by)
        values (${l.id}, ${l.issuerName}, ${l.issuerBaseUrl}, ${l.issuerKeyId}, ${l.remoteGrantId}, ${l.remoteResourceId},
          ${l.remoteEntitlementId}, ${l.extractsPath}, ${l.appKey}, ${l.appSecretSealed}, ${l.validTo}, ${l.localResourceId},
          ${JSON.stringify(l.grantInfo)}::jsonb, ${l.createdBy})
        returning *`.execute(db)
    ).rows[0]!;
  }

  async linkByRemote(db: Executor, issuerKeyId: string, remoteGrantId: string): Promise<LinkRow | undefined> {
    return (
      await sql<LinkRow>`select * from federation_links where issuer_key_id = ${issuerKeyId} and remote_grant_id = ${remoteGrantId}`.execute(
        db,
      )
    ).rows[0];
  }

  async link(db: Executor, id: string, forUpdate = false): Promise<LinkRow | undefined> {
    return (await sql<LinkRow>`select * from federation_links where id = ${id} ${forUpdate ? sql`for update` : sql``}`.execute(db)).rows[0];
  }

  private listQuery(where: ReturnType<typeof sql>) {
    return sql<LinkListRow>`select l.*, r.code as local_code, r.name_zh as local_name_zh, r.name_en as local_name_en,
        d.id as dataset_id, d.current_version,
        p.id as active_pull_id, p.status as active_status, p.phase as active_phase, p.trigger as active_trigger,
        p.created_at as active_created_at
      from federation_links l
        left join catalog_resources r on r.id = l.local_resource_id
        left join datasets d on d.resource_id = l.local_resource_id
        left join federation_pulls p on p.link_id = l.id and p.status in ('queued', 'running')
      where ${where}
      order by l.created_at desc limit 500`;
  }

  async linkListed(db: Executor, id: string): Promise<LinkListRow | undefined> {
    return (await this.listQuery(sql`l.id = ${id}`).execute(db)).rows[0];
  }

  async links(db: Executor): Promise<LinkListRow[]> {
    return (await this.listQuery(sql`true`).execute(db)).rows;
  }

  async setSchedule(db: Executor, id: string, s: { schedule: string | null; paused: boolean; nextPullAt: Date | null }): Promise<LinkRow> {
    return (
      await sql<LinkRow>`update federation_links set schedule = ${s.schedule}, schedule_paused = ${s.paused},
          next_pull_at = ${s.nextPullAt}, updated_at = now()
        where id = ${id} returning *`.execute(db)
    ).rows[0]!;
  }

  async setNextPull(db: Executor, id: string, next: Date | null): Promise<void> {
    await sql`update federation_links set next_pull_at = ${next} where id = ${id}`.execute(db);
  }

  // ------------------------------------------------------------------------------------------ pulls

  /** The pull of the link that is queued or running (at most one), with whether its heartbeat stopped. */
  async activePull(db: Executor, linkId: string): Promise<(PullRow & { silent: boolean }) | undefined> {
    return (
      await sql<PullRow & { silent: boolean }>`select *,
          (status = 'running' and coalesce(heartbeat_at, created_at) < now() - ${STALE_HEARTBEAT}::interval) as silent
        from federation_pulls where link_id = ${linkId} and status in ('queued', 'running')`.execute(db)
    ).rows[0];
  }

  /** Closes a pull whose process is gone (failed, 'interrupted'), unless it moved on meanwhile. */
  async closeInterrupted(db: Executor, id: string, status: 'queued' | 'running'): Promise<void> {
    await sql`update federation_pulls set status = 'failed', phase = null, finished_at = now(),
        error = ${JSON.stringify({ reason: 'interrupted' })}::jsonb
      where id = ${id} and status = ${status}`.execute(db);
  }

  /** Claims the link for a pull: a queued or running pull, unless one is queued or running already (undefined). */
  async claimPull(
    db: Executor,
    p: { linkId: string; trigger: 'manual' | 'schedule'; status: 'queued' | 'running'; requestedBy: string | null },
  ): Promise<PullRow | undefined> {
    const running = p.status === 'running';
    return (
      await sql<PullRow>`insert into federation_pulls (link_id, trigger, status, requested_by, started_at, heartbeat_at)
        values (${p.linkId}, ${p.trigger}, ${p.status}, ${p.requestedBy}, ${running ? sql`now()` : sql`null`}, ${running ? sql`now()` : sql`null`})
        on conflict (link_id) where status in ('queued', 'running') do nothing
        returning *`.execute(db)
    ).rows[0];
  }

  async insertSkipped(db: Executor, linkId: string): Promise<void> {
    await sql`insert into federation_pulls (link_id, trigger, status, started_at, finished_at)
      values (${linkId}, 'schedule', 'skipped', now(), now())`.execute(db);
  }

  async setPullJob(db: Executor, id: string, jobId: string): Promise<void> {
    await sql`update federation_pulls set job_id = ${jobId} where id = ${id}`.execute(db);
  }

  /** A queued pull starts (undefined: it is not queued any more). */
  async startPull(db: Executor, id: string): Promise<PullRow | undefined> {
    return (
      await sql<PullRow>`update federation_pulls set status = 'running', started_at = now(), heartbeat_at = now()
        where id = ${id} and status = 'queued' returning *`.execute(db)
    ).rows[0];
  }

  async pullProgress(db: Executor, id: string, p: { phase?: PullPhase; extractId?: string }): Promise<void> {
    await sql`update federation_pulls set phase = coalesce(${p.phase ?? null}, phase),
        extract_id = coalesce(${p.extractId ?? null}::uuid, extract_id), heartbeat_at = now()
      where id = ${id} and status = 'running'`.execute(db);
  }

  async finishPull(
    db: Executor,
    id: string,
    p: {
      status: 'ok' | 'unchanged' | 'failed';
      remoteVersion?: number | null;
      rows?: number | null;
      bytes?: number | null;
      sha256?: string | null;
      localVersion?: number | null;
      error?: PullError | null;
    },
  ): Promise<PullRow> {
    return (
      await sql<PullRow>`update federation_pulls set status = ${p.status}, phase = null, finished_at = now(),
          remote_version = ${p.remoteVersion ?? null}, rows = ${p.rows ?? null}, bytes = ${p.bytes ?? null},
          sha256 = ${p.sha256 ?? null}, local_version = ${p.localVersion ?? null},
          error = ${p.error ? JSON.stringify(p.error) : null}::jsonb
        where id = ${id} returning *`.execute(db)
    ).rows[0]!;
  }

  async pull(db: Executor, id: string): Promise<PullRow | undefined> {
    return (await sql<PullRow>`select * from federation_pulls where id = ${id}`.execute(db)).rows[0];
  }

  async pulls(db: Executor, linkId: string, limit: number): Promise<PullRow[]> {
    return (
      await sql<PullRow>`select * from federation_pulls where link_id = ${linkId} order by created_at desc, id limit ${limit}`.execute(db)
    ).rows;
  }

  /** The outcome of a pull on the link: a success resets the failure count and the last error. */
  async recordPull(
    db: Executor,
    id: string,
    p:
      | { status: 'ok' | 'unchanged'; remoteVersion: number | null; rows: number | null; sha256: string | null }
      | { status: 'failed'; error: PullError },
  ): Promise<LinkRow> {
    if (p.status === 'failed')
      return (
        await sql<LinkRow>`update federation_links set last_pull_at = now(), last_pull_status = 'failed', last_pull_error = ${p.error.reason},
            last_error = ${JSON.stringify(p.error)}::jsonb, consecutive_failures = consecutive_failures + 1, updated_at = now()
          where id = ${id} returning *`.execute(db)
      ).rows[0]!;
    return (
      await sql<LinkRow>`update federation_links set last_pull_at = now(), last_pull_status = ${p.status}, last_pull_error = null,
          last_error = null, consecutive_failures = 0, last_success_at = now(),
          last_remote_version = ${p.remoteVersion}, last_rows = ${p.rows}, last_sha256 = ${p.sha256}, updated_at = now()
        where id = ${id} returning *`.execute(db)
    ).rows[0]!;
  }
}
