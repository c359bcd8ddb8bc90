// Entitlements: granting, state changes and the policy decision point with quota accounting (issue 6 §1, §3).
// Workflows (sharing requests now; open agreements, operator authorizations and orders later) call grant() in
// their own transaction; every data read calls decide() and then recordUse().
import type { AppContext } from '../../context.ts';
import type { Tx } from '../../db/database.ts';
import { badRequest, conflict, notFound } from '../../errors.ts';
import { SYSTEM, type Actor } from '../identity/actor.ts';
import { chinaDate, endOfChinaDay } from '../jobs/calendar.ts';
import { TtlCache } from '../../ttl-cache.ts';
import './messages.ts';
import { decide, type PdpDecision, type PdpRequest } from './pdp.ts';
import { entitlementToOdrl, type OdrlPolicy } from './odrl.ts';
import { EntitlementsRepository, type NewEntitlement, type Usage } from './repository.ts';
import type { Entitlement, EntitlementState } from './types.ts';

const OBJECT_TYPE = 'entitlement';
/** Marks lapsed entitlements 'expired' (every minute; the PDP refuses them from valid_to on anyway). */
export const EXPIRE_QUEUE = 'entitlement.expire';
/** Roles that see every entitlement (read). */
const SEE_ALL = new Set(['authority_admin', 'auditor']);

/** How the caller relates to an entitlement (what it may see and do). */
export interface EntitlementRelation {
  holder: boolean;
  provider: boolean;
  authority: boolean;
}

/** The first instant of the next China calendar month after `day` (YYYY-MM-DD). */
function nextChinaMonth(day: string): Date {
  const [y, m] = day.split('-').map(Number) as [number, number];
  const next = m === 12 ? `${y + 1}-01-01` : `${y}-${String(m + 1).padStart(2, '0')}-01`;
  return endOfChinaDay(new Date(Date.parse(next) - 86_400_000).toISOString().slice(0, 10));
}

export class EntitlementsService {
  readonly repo = new EntitlementsRepository();
  /** The entitlements of a holder on a resource, per call of the PDP (cleared by every change made here). */
  readonly #holderCache = new TtlCache<string, Entitlement[]>();

  constructor(private readonly ctx: AppContext) {
    // The provider's clerks manage the entitlements on their organization's data; the authority manages all.
    ctx.authz.allow('provider_clerk', 'entitlement.manage', 'org_subtree');
    ctx.jobs.define(EXPIRE_QUEUE, () => this.expireLapsed(), { retryLimit: 0 });
    void ctx.jobs.schedule(EXPIRE_QUEUE, '* * * * *');
  }

  private get db() {
    return this.ctx.db;
  }

  /** Runs a change in a transaction and then drops the PDP's cached entitlements (in force for the next call). */
  private async afterCommit<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
    try {
      return await this.db.transaction().execute(fn);
    } finally {
      this.#holderCache.clear();
    }
  }

  /** Creates an active entitlement inside the caller's transaction (the workflow that decided it) and ledgers it. */
  async grant(tx: Tx, actor: Actor, e: NewEntitlement): Promise<Entitlement> {
    const created = await this.repo.insert(tx, e);
    this.#holderCache.clear(); // again when another call reads after the caller's commit: within the TTL
    await this.ctx.ledger.append(tx, {
      actor,
      action: 'entitlement.grant',
      objectType: OBJECT_TYPE,
      objectId: created.id,
      orgId: created.providerOrgId,
      details: {
        holderOrgId: created.holderOrgId,
        holderApplicationId: created.holderApplicationId,
        resourceId: created.resourceId,
        fields: created.fields,
        actions: created.actions,
        purpose: created.purpose,
        validFrom: created.validFrom,
        validTo: created.validTo,
        quota: created.quota,
        origin: created.origin,
        originId: created.originId,
      },
    });
    return created;
  }

  /**
   * Suspends, resumes or revokes (provider organization subtree or the authority). Effective for the next
   * decision: the PDP reads entitlements on every call (no cache), so a change is in force once committed.
   */
  async setState(
    actor: Actor,
    id: string,
    to: Extract<EntitlementState, 'active' | 'suspended' | 'revoked'>,
    reason: string,
  ): Promise<Entitlement> {
    const e = await this.repo.byId(this.db, id);
    if (!e) throw notFound('ENTITLEMENT_NOT_FOUND', { id });
    const action = to === 'active' ? 'entitlement.resume' : to === 'suspended' ? 'entitlement.suspend' : 'entitlement.revoke';
    await this.ctx.authz.authorize(actor, 'entitlement.manage', { type: OBJECT_TYPE, id, orgId: e.providerOrgId });
    const allowed =
      to === 'active'
        ? e.state === 'suspended'
        : to === 'suspended'
          ? e.state === 'active'
          : e.state === 'active' || e.state === 'suspended';
    if (!allowed) throw conflict('ENTITLEMENT_STATE_CONFLICT', { state: e.state });
    return this.afterCommit(async (tx) => {
      const updated = (await this.repo.setState(tx, id, to, reason))!;
      await this.ctx.ledger.append(tx, {
        actor,
        action,
        objectType: OBJECT_TYPE,
        objectId: id,
        orgId: e.providerOrgId,
        details: { reason, from: e.state },
      });
      return updated;
    });
  }

  /**
   * Suspends, resumes or revokes inside the caller's transaction, for a workflow's own step (an open agreement's
   * overdue usage report suspends its entitlement; the provider's reinstatement resumes it). The caller has
   * decided who may; this changes the state and ledgers it in that transaction.
   */
  async setStateIn(
    tx: Tx,
    actor: Actor,
    e: Entitlement,
    to: Extract<EntitlementState, 'active' | 'suspended' | 'revoked'>,
    reason: string,
  ): Promise<Entitlement> {
    const action = to === 'active' ? 'entitlement.resume' : to === 'suspended' ? 'entitlement.suspend' : 'entitlement.revoke';
    const updated = (await this.repo.setState(tx, e.id, to, reason))!;
    this.#holderCache.clear();
    await this.ctx.ledger.append(tx, {
      actor,
      action,
      objectType: OBJECT_TYPE,
      objectId: e.id,
      orgId: e.providerOrgId,
      details: { reason, from: e.state, origin: e.origin, originId: e.originId },
    });
    return updated;
  }

  /** The PDP with this actor's entitlements on the resource and their quota use loaded. */
  async decide(req: Omit<PdpRequest, 'now'> & { now?: Date }): Promise<PdpDecision> {
    const now = req.now ?? new Date();
    const day = chinaDate(now);
    const entitlements = req.isOwner
      ? []
      : await this.#holderCache.get(`${req.resource.id}|${req.actor.orgPath.join(',')}`, () =>
          this.repo.forHolder(this.db, req.resource.id, req.actor.orgPath),
        );
    const applicationId = req.applicationId ?? req.actor.applicationId ?? null;
    return decide({ ...req, applicationId, now }, entitlements, (e) => this.repo.usage(this.db, e.id, day), {
      day: endOfChinaDay(day),
      month: nextChinaMonth(day),
    });
  }

  /** Counts one answered call and its rows against the entitlement that allowed it. */
  async recordUse(entitlementId: string, rows: number, at = new Date()): Promise<void> {
    await this.repo.addUsage(this.db, entitlementId, chinaDate(at), 1, rows);
  }

  // ------------------------------------------------------------------------------------------ views (issue 6 §3)

  /** How the actor relates to the entitlement: holder (its organization subtree, up or down), provider, authority. */
  async relation(actor: Actor, e: Entitlement): Promise<EntitlementRelation> {
    const orgs = this.ctx.authz.orgs;
    const authority = actor.kind === 'system' || actor.roles.some((r) => SEE_ALL.has(r));
    const holder = !!actor.orgId && (actor.orgPath.includes(e.holderOrgId) || (await orgs.isWithin(e.holderOrgId, actor.orgId)));
    const provider = !!actor.orgId && (await orgs.isWithin(e.providerOrgId, actor.orgId));
    return { holder, provider, authority };
  }

  /** One entitlement the actor holds, provides or supervises; 404 otherwise (its existence is not revealed). */
  async get(actor: Actor, id: string): Promise<{ entitlement: Entitlement; relation: EntitlementRelation }> {
    const e = /^[0-9a-f-]{36}$/i.test(id) ? await this.repo.byId(this.db, id) : undefined;
    if (!e) throw notFound('ENTITLEMENT_NOT_FOUND', { id });
    const relation = await this.relation(actor, e);
    if (!relation.holder && !relation.provider && !relation.authority) throw notFound('ENTITLEMENT_NOT_FOUND', { id });
    return { entitlement: e, relation };
  }

  /**
   * Entitlements held by the actor's organization subtree (consumer) or on resources it provides (provider);
   * the authority and auditors see all. With quota use (today, this month, total) of each.
   */
  async list(
    actor: Actor,
    q: { side: 'consumer' | 'provider'; resourceId?: string; state?: EntitlementState; limit: number; offset: number },
  ): Promise<{ items: Array<Entitlement & { usage: Usage }>; total: number }> {
    const all = actor.roles.some((r) => SEE_ALL.has(r));
    const mine = all ? null : actor.orgId ? await this.ctx.authz.orgs.subtree(actor.orgId) : [];
    const page = await this.repo.list(this.db, {
      holderOrgIds: q.side === 'consumer' ? mine : null,
      providerOrgIds: q.side === 'provider' ? mine : null,
      resourceId: q.resourceId,
      state: q.state,
      limit: q.limit,
      offset: q.offset,
    });
    const usage = await this.repo.usageMany(
      this.db,
      page.items.map((e) => e.id),
      chinaDate(new Date()),
    );
    return { items: page.items.map((e) => ({ ...e, usage: usage.get(e.id)! })), total: page.total };
  }

  async usage(actor: Actor, id: string): Promise<Usage> {
    await this.get(actor, id);
    return this.repo.usage(this.db, id, chinaDate(new Date()));
  }

  /** Use per China day for charts. */
  async usageDaily(actor: Actor, id: string, from?: string, to?: string) {
    await this.get(actor, id);
    return this.repo.usageDaily(this.db, id, from ?? null, to ?? null);
  }

  /** Suspend, resume or revoke through the API: 404 for strangers, 403 for a holder (only provider or authority). */
  async changeState(actor: Actor, id: string, to: 'active' | 'suspended' | 'revoked', reason: string): Promise<Entitlement> {
    await this.get(actor, id);
    return this.setState(actor, id, to, reason);
  }

  /** Extends the validity (provider or authority); an expired entitlement becomes active again. Ledgered. */
  async renew(actor: Actor, id: string, validTo: string, reason: string): Promise<Entitlement> {
    const { entitlement: e } = await this.get(actor, id);
    await this.ctx.authz.authorize(actor, 'entitlement.manage', { type: OBJECT_TYPE, id, orgId: e.providerOrgId });
    if (e.state === 'revoked') throw conflict('ENTITLEMENT_STATE_CONFLICT', { state: e.state });
    const to = Date.parse(validTo);
    if (!Number.isFinite(to) || to <= Date.now() || (e.validTo !== null && to <= Date.parse(e.validTo)))
      throw badRequest('ENTITLEMENT_RENEW_INVALID', { validTo }, { field: 'validTo' });
    return this.afterCommit(async (tx) => {
      const updated = (await this.repo.renew(tx, id, new Date(to).toISOString(), reason))!;
      await this.ctx.ledger.append(tx, {
        actor,
        action: 'entitlement.renew',
        objectType: OBJECT_TYPE,
        objectId: id,
        orgId: e.providerOrgId,
        details: { reason, from: e.validTo, to: updated.validTo, state: e.state },
      });
      return updated;
    });
  }

  /** The ODRL 2.2 Agreement of one entitlement. */
  async odrl(actor: Actor, id: string, baseUrl: string): Promise<OdrlPolicy> {
    const { entitlement: e } = await this.get(actor, id);
    const names = async (orgId: string) => (await this.ctx.authz.orgs.get(orgId))?.nameZh;
    const resource = await this.ctx.catalog.get(SYSTEM, e.resourceId).catch(() => null);
    return entitlementToOdrl(e, {
      baseUrl,
      resourceCode: resource?.code,
      holderName: await names(e.holderOrgId),
      providerName: await names(e.providerOrgId),
    });
  }

  /** The expiry monitor: lapsed entitlements become 'expired', each ledgered (by the job, every minute). */
  async expireLapsed(): Promise<number> {
    let n = 0;
    for (;;) {
      const done = await this.afterCommit(async (tx) => {
        const lapsed = await this.repo.lapsed(tx, 100);
        for (const e of lapsed) {
          await this.repo.setState(tx, e.id, 'expired', e.stateReason);
        }
        for (const e of lapsed) {
          await this.ctx.ledger.append(tx, {
            actor: SYSTEM,
            action: 'entitlement.expire',
            objectType: OBJECT_TYPE,
            objectId: e.id,
            orgId: e.providerOrgId,
            details: { validTo: e.validTo, from: e.state },
          });
        }
        return lapsed.length;
      });
      n += done;
      if (done < 100) return n;
    }
  }
}
