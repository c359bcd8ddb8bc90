// The policy decision point (issue 6 §1): "may actor A do action X on resource R, fields F, for purpose P,
// now?" Every data read of the platform asks it first, then reads through the data plane's read path with the
// masking policy it answers, then writes the ledger. One function, pure: the caller loads the actor's
// entitlements on the resource and the quota use, so the decision itself is testable without a database.
//
// Order of the rules (the first that answers wins):
//   1. The provider organization's subtree and the data authority (isOwner): every column in clear.
//   2. An entitlement of the actor's organization (subtree up: a grant to a department covers its offices) —
//      narrowed to an application or a user when it names one — that is active, valid now and grants the
//      action: its fields readable (personal information masked unless the grant lists the field in clear),
//      other fields hidden, explicitly requested ungranted fields refused (403 FIELD_NOT_GRANTED naming it);
//      a missing business reference when the grant requires one (400), a quota used up (429 with the reset time).
//   3. Unconditionally shared (government users) or opened (everyone) resources, for query and download:
//      every column, personal information masked (Opinions §II: 数据可用不可见 for personal data).
//   4. Otherwise refused, naming why: an entitlement that exists but is suspended, revoked or expired; a
//      conditional resource without one (DATASET_ENTITLEMENT_REQUIRED); not shared/opened (DATASET_NOT_AVAILABLE).
import { AppError } from '../../errors.ts';
import type { Actor } from '../identity/actor.ts';
import type { Usage } from './repository.ts';
import type { ColumnPolicy, Entitlement, EntitlementAction, MaskingPolicy, QuotaLimits } from './types.ts';

export interface PdpColumn {
  name: string;
  /** The catalog field the column is mapped to (entitlements grant catalog fields); else the column name. */
  fieldCode?: string | null;
  piiKind?: string | null;
}

export interface PdpRequest {
  actor: Actor;
  action: EntitlementAction;
  resource: { id: string; providerOrgId: string; shareMode: string; openMode: string };
  columns: PdpColumn[];
  /** Columns the caller asked for by name (null/undefined: whatever is granted). */
  requested?: string[] | null;
  purpose?: string | null;
  businessRef?: string | null;
  /** The actor is in the provider's organization subtree or is the data authority. */
  isOwner: boolean;
  /** The actor's application (machine calls), when known. */
  applicationId?: string | null;
  now: Date;
}

export interface PdpDecision {
  basis: 'owner' | 'entitlement' | 'unconditional';
  policy: MaskingPolicy;
  entitlement: Entitlement | null;
  /** Human-readable reason code of the allow (shown in the ledger). */
  reason: 'OWNER' | 'ENTITLEMENT' | 'UNCONDITIONAL_SHARE' | 'UNCONDITIONAL_OPEN';
  /**
   * Rows the entitlement is limited to (conditions.rowFilter, back-flow): the version's column and the values.
   * The read path applies it under every query, count and export.
   */
  rowFilter?: { column: string; values: string[] };
}

const GOVERNMENT_ROLES = new Set(['provider_clerk', 'consumer_clerk', 'authority_admin', 'auditor', 'security_officer']);

const hasPii = (c: PdpColumn) => !!c.piiKind && c.piiKind !== 'none';
const keyOf = (c: PdpColumn) => c.fieldCode ?? c.name;

/** Whether the entitlement's holder matches the actor (organization subtree, application, user). */
export function holds(e: Entitlement, actor: Actor, applicationId?: string | null): boolean {
  if (!actor.orgId || !actor.orgPath.includes(e.holderOrgId)) return false;
  if (e.holderUserId && e.holderUserId !== actor.userId) return false;
  if (e.holderApplicationId && e.holderApplicationId !== applicationId) return false;
  return true;
}

/** Why an entitlement does not apply now (null: it applies), in the order a holder wants to hear it. */
export function inactiveReason(
  e: Entitlement,
  now: Date,
): 'ENTITLEMENT_REVOKED' | 'ENTITLEMENT_SUSPENDED' | 'ENTITLEMENT_EXPIRED' | 'ENTITLEMENT_NOT_YET_VALID' | null {
  if (e.state === 'revoked') return 'ENTITLEMENT_REVOKED';
  if (e.state === 'suspended') return 'ENTITLEMENT_SUSPENDED';
  if (e.state === 'expired' || (e.validTo !== null && now.getTime() >= Date.parse(e.validTo))) return 'ENTITLEMENT_EXPIRED';
  if (now.getTime() < Date.parse(e.validFrom)) return 'ENTITLEMENT_NOT_YET_VALID';
  return null;
}

/** The first limit the use has reached, with the moment it resets (null: within every limit). */
export function quotaReached(
  e: Entitlement,
  use: Usage,
  resets: { day: Date; month: Date },
): { unit: 'calls' | 'rows'; period: keyof QuotaLimits; limit: number; resetAt: string | null } | null {
  for (const unit of ['calls', 'rows'] as const) {
    const limits = e.quota?.[unit];
    if (!limits) continue;
    for (const period of ['total', 'month', 'day'] as const) {
      const limit = limits[period];
      if (limit !== undefined && use[period][unit] >= limit) {
        return { unit, period, limit, resetAt: period === 'total' ? null : resets[period].toISOString() };
      }
    }
  }
  return null;
}

/** Wider of two column policies: clear > mask > hide. */
const WIDTH: Record<ColumnPolicy, number> = { hide: 0, token: 1, mask: 2, clear: 3 };
const wider = (a: ColumnPolicy, b: ColumnPolicy | undefined): ColumnPolicy => (b !== undefined && WIDTH[b] > WIDTH[a] ? b : a);

/**
 * The columns an entitlement opens. `baseline`: what the actor reads without it (an unconditionally shared or
 * opened resource): a grant never narrows that, it only adds fields or clear text.
 */
function entitlementPolicy(
  e: Entitlement,
  columns: PdpColumn[],
  requested: string[] | null | undefined,
  baseline: MaskingPolicy | null,
): MaskingPolicy {
  const granted = e.fields === null ? null : new Set(e.fields.map((f) => f.toLowerCase()));
  const clear = new Set((e.conditions.clearFields ?? []).map((f) => f.toLowerCase()));
  const policy: MaskingPolicy = {};
  for (const c of columns) {
    const key = keyOf(c).toLowerCase();
    const ok = granted === null || granted.has(key) || granted.has(c.name.toLowerCase());
    const own: ColumnPolicy = !ok ? 'hide' : hasPii(c) && !clear.has(key) && !clear.has(c.name.toLowerCase()) ? 'mask' : 'clear';
    policy[c.name] = wider(own, baseline?.[c.name]);
  }
  for (const name of requested ?? []) {
    if (policy[name] === 'hide') throw new AppError(403, 'FIELD_NOT_GRANTED', { field: name }, { field: name });
  }
  return policy;
}

/**
 * The decision, or an AppError saying why not. `entitlements`: the actor's organization's entitlements on the
 * resource (any state); `usage(e)`: the quota use of one (only asked for the one that would apply).
 */
export async function decide(
  req: PdpRequest,
  entitlements: Entitlement[],
  usage: (e: Entitlement) => Promise<Usage>,
  resets: { day: Date; month: Date },
): Promise<PdpDecision> {
  if (req.isOwner) {
    const policy: MaskingPolicy = Object.fromEntries(req.columns.map((c) => [c.name, 'clear' as ColumnPolicy]));
    return { basis: 'owner', policy, entitlement: null, reason: 'OWNER' };
  }
  // What unconditional share (government users) or open (anyone) gives for reads: personal information masked.
  const government = req.actor.kind !== 'anonymous' && req.actor.roles.some((r) => GOVERNMENT_ROLES.has(r));
  const mode = government ? req.resource.shareMode : req.resource.openMode;
  const baseline: MaskingPolicy | null =
    mode === 'unconditional' && (req.action === 'query' || req.action === 'download')
      ? Object.fromEntries(req.columns.map((c) => [c.name, (hasPii(c) ? 'mask' : 'clear') as ColumnPolicy]))
      : null;
  const mine = entitlements.filter((e) => e.resourceId === req.resource.id && holds(e, req.actor, req.applicationId));
  const live = mine.filter((e) => inactiveReason(e, req.now) === null);
  const withAction = live.filter((e) => e.actions.includes(req.action));
  if (withAction.length > 0) {
    // Several grants: the widest (all fields first, then the most fields) that is not used up.
    const ordered = [...withAction].sort((a, b) => (b.fields?.length ?? Infinity) - (a.fields?.length ?? Infinity));
    let firstLimit: ReturnType<typeof quotaReached> = null;
    for (const e of ordered) {
      // Quota use is read only for a grant with a quota (most have none: one query less per call).
      const reached = e.quota ? quotaReached(e, await usage(e), resets) : null;
      if (reached) {
        firstLimit ??= reached;
        continue;
      }
      if (e.conditions.businessRefRequired && !req.businessRef?.trim()) {
        throw new AppError(400, 'BUSINESS_REF_REQUIRED', { entitlement: e.id }, { field: 'businessRef' });
      }
      const decision: PdpDecision = {
        basis: 'entitlement',
        policy: entitlementPolicy(e, req.columns, req.requested, baseline),
        entitlement: e,
        reason: 'ENTITLEMENT',
      };
      const rf = e.conditions.rowFilter;
      if (rf) {
        // The grant names a catalog field; the version's column mapped to it (or so named). None: fail closed.
        const col = req.columns.find((c) => keyOf(c) === rf.column) ?? req.columns.find((c) => c.name === rf.column);
        if (!col) throw new AppError(409, 'ENTITLEMENT_ROW_FILTER_UNRESOLVED', { field: rf.column }, { field: rf.column });
        decision.rowFilter = { column: col.name, values: [...rf.values] };
      }
      return decision;
    }
    throw new AppError(429, 'QUOTA_EXCEEDED', { ...firstLimit! }, { ...firstLimit! });
  }
  // Unconditional share (government users) or open (anyone): reads, personal information masked.
  if (baseline)
    return {
      basis: 'unconditional',
      policy: baseline,
      entitlement: null,
      reason: government ? 'UNCONDITIONAL_SHARE' : 'UNCONDITIONAL_OPEN',
    };
  if (live.length > 0) throw new AppError(403, 'ENTITLEMENT_ACTION_NOT_GRANTED', { action: req.action });
  const why = mine.map((e) => inactiveReason(e, req.now)).find((r) => r !== null);
  if (why) throw new AppError(403, why, { entitlement: mine.find((e) => inactiveReason(e, req.now) === why)!.id });
  if (mode === 'conditional' || mode === 'unconditional')
    throw new AppError(403, 'DATASET_ENTITLEMENT_REQUIRED', { mode: government ? 'share' : 'open' });
  throw new AppError(403, 'DATASET_NOT_AVAILABLE', { mode: government ? 'share' : 'open' });
}
