// The entitlements module's SQL (migrations/0011_entitlements.sql). Parameterized `sql` templates only.
import { sql } from 'kysely';
import type { Executor } from '../../db/database.ts';
import type { Entitlement, EntitlementAction, EntitlementConditions, EntitlementOrigin, EntitlementState, Quota } from './types.ts';

interface Row {
  id: string;
  holder_org_id: string;
  holder_application_id: string | null;
  holder_user_id: string | null;
  resource_id: string;
  provider_org_id: string;
  fields: string[] | null;
  actions: EntitlementAction[];
  purpose: string;
  scenario: string;
  legal_basis: string;
  valid_from: Date;
  valid_to: Date | null;
  quota: Quota | null;
  conditions: EntitlementConditions;
  state: EntitlementState;
  state_reason: string | null;
  origin: EntitlementOrigin;
  origin_id: string | null;
  created_at: Date;
  updated_at: Date;
}

const toEntitlement = (r: Row): Entitlement => ({
  id: r.id,
  holderOrgId: r.holder_org_id,
  holderApplicationId: r.holder_application_id,
  holderUserId: r.holder_user_id,
  resourceId: r.resource_id,
  providerOrgId: r.provider_org_id,
  fields: r.fields,
  actions: r.actions,
  purpose: r.purpose,
  scenario: r.scenario,
  legalBasis: r.legal_basis,
  validFrom: r.valid_from.toISOString(),
  validTo: r.valid_to?.toISOString() ?? null,
  quota: r.quota,
  conditions: r.conditions ?? {},
  state: r.state,
  stateReason: r.state_reason,
  origin: r.origin,
  originId: r.origin_id,
  createdAt: r.created_at.toISOString(),
  updatedAt: r.updated_at.toISOString(),
});

export type NewEntitlement = Omit<Entitlement, 'id' | 'state' | 'stateReason' | 'createdAt' | 'updatedAt'>;

export interface Usage {
  day: { calls: number; rows: number };
  month: { calls: number; rows: number };
  total: { calls: number; rows: number };
}

export class EntitlementsRepository {
  async insert(db: Executor, e: NewEntitlement): Promise<Entitlement> {
    const { rows } = await sql<Row>`
      insert into entitlements (holder_org_id, holder_application_id, holder_user_id, resource_id, provider_org_id, fields,
        actions, purpose, scenario, legal_basis, valid_from, valid_to, quota, conditions, origin, origin_id)
      values (${e.holderOrgId}, ${e.holderApplicationId}, ${e.holderUserId}, ${e.resourceId}, ${e.providerOrgId}, ${e.fields},
        ${e.actions}, ${e.purpose}, ${e.scenario}, ${e.legalBasis}, ${e.validFrom}, ${e.validTo},
        ${e.quota === null ? null : JSON.stringify(e.quota)}::jsonb, ${JSON.stringify(e.conditions)}::jsonb, ${e.origin}, ${e.originId})
      returning *`.execute(db);
    return toEntitlement(rows[0]!);
  }

  async byId(db: Executor, id: string): Promise<Entitlement | undefined> {
    const { rows } = await sql<Row>`select * from entitlements where id = ${id}`.execute(db);
    return rows[0] && toEntitlement(rows[0]);
  }

  /** Every entitlement of these holder organizations on the resource (any state: the PDP says why one does not apply). */
  async forHolder(db: Executor, resourceId: string, orgIds: string[]): Promise<Entitlement[]> {
    if (!orgIds.length) return [];
    const { rows } = await sql<Row>`
      select * from entitlements where resource_id = ${resourceId} and holder_org_id = any(${orgIds}::uuid[])
      order by (state = 'active') desc, created_at desc`.execute(db);
    return rows.map(toEntitlement);
  }

  async setState(db: Executor, id: string, state: EntitlementState, reason: string | null): Promise<Entitlement | undefined> {
    const { rows } = await sql<Row>`
      update entitlements set state = ${state}, state_reason = ${reason}, updated_at = now() where id = ${id} returning *`.execute(db);
    return rows[0] && toEntitlement(rows[0]);
  }

  async usage(db: Executor, id: string, day: string): Promise<Usage> {
    const { rows } = await sql<{ dc: string; dr: string; mc: string; mr: string; tc: string; tr: string }>`
      select coalesce(sum(calls) filter (where day = ${day}::date), 0) as dc, coalesce(sum(rows) filter (where day = ${day}::date), 0) as dr,
             coalesce(sum(calls) filter (where date_trunc('month', day) = date_trunc('month', ${day}::date)), 0) as mc,
             coalesce(sum(rows) filter (where date_trunc('month', day) = date_trunc('month', ${day}::date)), 0) as mr,
             coalesce(sum(calls), 0) as tc, coalesce(sum(rows), 0) as tr
      from entitlement_usage where entitlement_id = ${id}`.execute(db);
    const r = rows[0]!;
    return {
      day: { calls: Number(r.dc), rows: Number(r.dr) },
      month: { calls: Number(r.mc), rows: Number(r.mr) },
      total: { calls: Number(r.tc), rows: Number(r.tr) },
    };
  }

  async addUsage(db: Executor, id: string, day: string, calls: number, rowCount: number): Promise<void> {
    await sql`
      insert into entitlement_usage (entitlement_id, day, calls, rows) values (${id}, ${day}::date, ${calls}, ${rowCount})
      on conflict (entitlement_id, day) do update set calls = entitlement_usage.calls + excluded.calls,
        rows = entitlement_usage.rows + excluded.rows`.execute(db);
  }

  /** Entitlements by holder or provider organizations (null: all), newest first, with the total. */
  async list(
    db: Executor,
    q: {
      holderOrgIds?: string[] | null;
      providerOrgIds?: string[] | null;
      resourceId?: string;
      state?: EntitlementState;
      limit: number;
      offset: number;
    },
  ): Promise<{ items: Entitlement[]; total: number }> {
    const holder = q.holderOrgIds ?? null;
    const provider = q.providerOrgIds ?? null;
    const { rows } = await sql<Row & { total: string }>`
      select e.*, count(*) over () as total from entitlements e
      where (${holder}::uuid[] is null or e.holder_org_id = any(${holder}::uuid[]))
        and (${provider}::uuid[] is null or e.provider_org_id = any(${provider}::uuid[]))
        and (${q.resourceId ?? null}::uuid is null or e.resource_id = ${q.resourceId ?? null}::uuid)
        and (${q.state ?? null}::text is null or e.state = ${q.state ?? null}::text)
      order by e.created_at desc, e.id limit ${q.limit} offset ${q.offset}`.execute(db);
    return { items: rows.map(toEntitlement), total: Number(rows[0]?.total ?? 0) };
  }

  /** Quota use of several entitlements at once (day / month / total of `day`'s China calendar). */
  async usageMany(db: Executor, ids: string[], day: string): Promise<Map<string, Usage>> {
    const out = new Map<string, Usage>();
    if (!ids.length) return out;
    const { rows } = await sql<{ id: string; dc: string; dr: string; mc: string; mr: string; tc: string; tr: string }>`
      select entitlement_id as id,
             coalesce(sum(calls) filter (where day = ${day}::date), 0) as dc, coalesce(sum(rows) filter (where day = ${day}::date), 0) as dr,
             coalesce(sum(calls) filter (where date_trunc('month', day) = date_trunc('month', ${day}::date)), 0) as mc,
             coalesce(sum(rows) filter (where date_trunc('month', day) = date_trunc('month', ${day}::date)), 0) as mr,
             coalesce(sum(calls), 0) as tc, coalesce(sum(rows), 0) as tr
      from entitlement_usage where entitlement_id = any(${ids}::uuid[]) group by entitlement_id`.execute(db);
    for (const id of ids) out.set(id, { day: { calls: 0, rows: 0 }, month: { calls: 0, rows: 0 }, total: { calls: 0, rows: 0 } });
    for (const r of rows) {
      out.set(r.id, {
        day: { calls: Number(r.dc), rows: Number(r.dr) },
        month: { calls: Number(r.mc), rows: Number(r.mr) },
        total: { calls: Number(r.tc), rows: Number(r.tr) },
      });
    }
    return out;
  }

  /** Use per China day (charts), oldest first. */
  async usageDaily(
    db: Executor,
    id: string,
    from: string | null,
    to: string | null,
  ): Promise<Array<{ day: string; calls: number; rows: number }>> {
    const { rows } = await sql<{ day: string; calls: string; rows: string }>`
      select to_char(day, 'YYYY-MM-DD') as day, calls, rows from entitlement_usage
      where entitlement_id = ${id} and (${from}::date is null or day >= ${from}::date) and (${to}::date is null or day <= ${to}::date)
      order by day`.execute(db);
    return rows.map((r) => ({ day: r.day, calls: Number(r.calls), rows: Number(r.rows) }));
  }

  /** Extends valid_to; an expired entitlement becomes active again. */
  async renew(db: Executor, id: string, validTo: string, reason: string): Promise<Entitlement | undefined> {
    const { rows } = await sql<Row>`
      update entitlements set valid_to = ${validTo}, state = case when state = 'expired' then 'active' else state end,
        state_reason = ${reason}, updated_at = now() where id = ${id} returning *`.execute(db);
    return rows[0] && toEntitlement(rows[0]);
  }

  /** Active or suspended entitlements whose valid_to has passed, locked for the expiry job. */
  async lapsed(db: Executor, limit: number): Promise<Entitlement[]> {
    const { rows } = await sql<Row>`
      select * from entitlements where state in ('active', 'suspended') and valid_to is not null and valid_to <= now()
      order by valid_to limit ${limit} for update skip locked`.execute(db);
    return rows.map(toEntitlement);
  }
}
