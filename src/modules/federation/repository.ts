// The federation module's SQL (migrations/0014_federation.sql). Parameterized `sql` templates only.
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
  last_pull_status: 'ok' | 'failed' | null;
  last_pull_error: string | null;
  last_remote_version: number | null;
  last_rows: number | null;
  last_sha256: string | null;
  created_by: string | null;
  created_at: Date;
  updated_at: Date;
}

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

  async grants(db: Executor): Promise<GrantRow[]> {
    return (await sql<GrantRow>`select * from federation_grants order by created_at desc limit 500`.execute(db)).rows;
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

  async link(db: Executor, id: string): Promise<LinkRow | undefined> {
    return (await sql<LinkRow>`select * from federation_links where id = ${id}`.execute(db)).rows[0];
  }

  async links(db: Executor): Promise<LinkRow[]> {
    return (await sql<LinkRow>`select * from federation_links order by created_at desc limit 500`.execute(db)).rows;
  }

  async recordPull(
    db: Executor,
    id: string,
    p: { status: 'ok' | 'failed'; error: string | null; remoteVersion: number | null; rows: number | null; sha256: string | null },
  ): Promise<LinkRow> {
    return (
      await sql<LinkRow>`update federation_links set last_pull_at = now(), last_pull_status = ${p.status}, last_pull_error = ${p.error},
          last_remote_version = ${p.remoteVersion}, last_rows = ${p.rows}, last_sha256 = ${p.sha256}, updated_at = now()
        where id = ${id} returning *`.execute(db)
    ).rows[0]!;
  }
}
