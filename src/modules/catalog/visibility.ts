// Who sees which catalog resource: ONE rule, used by the catalog's list/get and by the search module.
//
// - authority_admin, auditor, security_officer (and the platform itself): every resource.
// - provider_clerk, consumer_clerk: every resource in status published/updated/deprecated (the
//   government-wide share catalog), plus resources in any status whose provider org lies in their own subtree.
// - operator, public_user, anonymous: status published/updated with open_mode unconditional or conditional.
//
// Usage (SQL):   .where(visibleSql(await catalogVisibility(authz, actor), 'r'))
// Usage (row):   isVisible(v, { status, open_mode, provider_org_id })
import { sql, type RawBuilder } from 'kysely';
import type { Actor } from '../identity/actor.ts';
import type { Authorizer } from '../identity/authorize.ts';
import type { ShareMode, Status } from './repository.ts';

export interface CatalogVisibility {
  /** Every resource. */
  all: boolean;
  /** Organizations whose resources the actor sees in every status (the actor's own subtree). */
  ownOrgIds: string[];
  /** Statuses visible across organizations. */
  statuses: Status[];
  /** Open attributes required across organizations (null: any). */
  openModes: ShareMode[] | null;
}

const SEE_ALL = new Set(['authority_admin', 'auditor', 'security_officer']);
const CLERKS = new Set(['provider_clerk', 'consumer_clerk']);
export const SHARE_CATALOG_STATUSES: Status[] = ['published', 'updated', 'deprecated'];
export const OPEN_CATALOG_STATUSES: Status[] = ['published', 'updated'];
export const OPEN_MODES_VISIBLE: ShareMode[] = ['unconditional', 'conditional'];

export async function catalogVisibility(authz: Authorizer, actor: Actor): Promise<CatalogVisibility> {
  if (actor.kind === 'system' || actor.roles.some((r) => SEE_ALL.has(r))) {
    return { all: true, ownOrgIds: [], statuses: [], openModes: null };
  }
  if (actor.roles.some((r) => CLERKS.has(r))) {
    const ownOrgIds = actor.orgId ? await authz.orgs.subtree(actor.orgId) : [];
    return { all: false, ownOrgIds, statuses: SHARE_CATALOG_STATUSES, openModes: null };
  }
  return { all: false, ownOrgIds: [], statuses: OPEN_CATALOG_STATUSES, openModes: OPEN_MODES_VISIBLE };
}

/** The rule as a SQL condition on catalog_resources under `alias` (default: the table name). */
export function visibleSql(v: CatalogVisibility, alias = 'catalog_resources'): RawBuilder<boolean> {
  if (v.all) return sql<boolean>`true`;
  const col = (c: string) => sql.ref(`${alias}.${c}`);
  const cross = v.openModes
    ? sql<boolean>`(${col('status')} = any(${v.statuses}::text[]) and ${col('open_mode')} = any(${v.openModes}::text[]))`
    : sql<boolean>`${col('status')} = any(${v.statuses}::text[])`;
  if (!v.ownOrgIds.length) return cross;
  return sql<boolean>`(${cross} or ${col('provider_org_id')} = any(${v.ownOrgIds}::uuid[]))`;
}

/** The same rule on a loaded row. */
export function isVisible(v: CatalogVisibility, r: { status: string; open_mode: string; provider_org_id: string }): boolean {
  if (v.all) return true;
  if (v.ownOrgIds.includes(r.provider_org_id)) return true;
  if (!v.statuses.includes(r.status as Status)) return false;
  return v.openModes ? v.openModes.includes(r.open_mode as ShareMode) : true;
}

/** True when the actor sees unpublished working data of this resource (pending revision, history): own org or see-all. */
export function seesInternals(v: CatalogVisibility, r: { provider_org_id: string }): boolean {
  return v.all || v.ownOrgIds.includes(r.provider_org_id);
}
