// The sharing module's SQL (migrations/0012_sharing.sql). Parameterized `sql` templates only.
import { sql } from 'kysely';
import type { Executor } from '../../db/database.ts';
import type { WorkflowDeadlineRow } from '../jobs/workflow-deadlines.ts';
import type { DeadlineKind, SharingRole, SharingState, UsageScope } from './workflow.ts';

export interface RequestRow {
  id: string;
  number: string;
  requester_org_id: string;
  requester_user_id: string | null;
  application_id: string | null;
  resource_id: string;
  provider_org_id: string;
  share_mode: 'unconditional' | 'conditional';
  fields: string[];
  actions: string[];
  legal_basis: string;
  purpose: string;
  scenario: string;
  usage_scope: UsageScope;
  valid_from: Date;
  valid_to: Date;
  renews_entitlement_id: string | null;
  state: SharingState;
  data_on_platform: boolean | null;
  refusal_reason: string | null;
  entitlement_id: string | null;
  decided_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

export interface EventRow {
  id: number;
  request_id: string;
  kind: 'transition' | 'message';
  from_state: SharingState | null;
  to_state: SharingState | null;
  by_role: SharingRole;
  actor_user_id: string | null;
  actor_name: string;
  comment: string;
  details: Record<string, unknown>;
  at: Date;
}

/** A running or past time limit of a request (sharing_deadlines; read and written by WorkflowDeadlines). */
export type DeadlineRow = WorkflowDeadlineRow<'request_id', DeadlineKind, 'met' | 'cancelled' | 'escalated'>;

export interface NewRequest {
  requesterOrgId: string;
  requesterUserId: string | null;
  applicationId: string | null;
  resourceId: string;
  providerOrgId: string;
  shareMode: 'unconditional' | 'conditional';
  fields: string[];
  actions: string[];
  legalBasis: string;
  purpose: string;
  scenario: string;
  usageScope: UsageScope;
  validFrom: Date;
  validTo: Date;
  renewsEntitlementId: string | null;
  at: Date;
}

export interface ListFilter {
  /** Requests of these requester organizations … */
  requesterOrgIds?: string[];
  /** … or of these provider organizations (either matches); neither: every request. */
  providerOrgIds?: string[];
  states?: SharingState[];
  overdue?: boolean;
  resourceId?: string;
  limit: number;
  offset: number;
}

export class SharingRepository {
  // ---------------------------------------------------------------------------------------------- settings

  // ---------------------------------------------------------------------------------------------- requests
  async insert(db: Executor, r: NewRequest): Promise<RequestRow> {
    const year = new Date(r.at.getTime() + 8 * 3_600_000).getUTCFullYear();
    return (
      await sql<RequestRow>`insert into sharing_requests (number, requester_org_id, requester_user_id, application_id,
          resource_id, provider_org_id, share_mode, fields, actions, legal_basis, purpose, scenario, usage_scope,
          valid_from, valid_to, renews_entitlement_id, state, created_at, updated_at)
        values ('GX-' || ${year} || '-' || lpad(nextval('sharing_request_number_seq')::text, 6, '0'),
          ${r.requesterOrgId}, ${r.requesterUserId}, ${r.applicationId}, ${r.resourceId}, ${r.providerOrgId},
          ${r.shareMode}, ${r.fields}, ${r.actions}, ${r.legalBasis}, ${r.purpose}, ${r.scenario}, ${r.usageScope},
          ${r.validFrom}, ${r.validTo}, ${r.renewsEntitlementId}, 'compliance_review', ${r.at}, ${r.at})
        returning *`.execute(db)
    ).rows[0]!;
  }

  async get(db: Executor, id: string, lock = false): Promise<RequestRow | undefined> {
    const q = lock
      ? sql<RequestRow>`select * from sharing_requests where id = ${id} for update`
      : sql<RequestRow>`select * from sharing_requests where id = ${id}`;
    return (await q.execute(db)).rows[0];
  }

  async openFor(db: Executor, requesterOrgId: string, resourceId: string, renews: string | null): Promise<RequestRow | undefined> {
    return (
      await sql<RequestRow>`select * from sharing_requests where requester_org_id = ${requesterOrgId}
        and resource_id = ${resourceId} and renews_entitlement_id is not distinct from ${renews}
        and state in ('compliance_review', 'provider_review', 'provider_refused', 'negotiation', 'coordination')`.execute(db)
    ).rows[0];
  }

  async setState(
    db: Executor,
    id: string,
    s: {
      state: SharingState;
      at: Date;
      refusalReason?: string | null;
      entitlementId?: string | null;
      dataOnPlatform?: boolean;
      decided?: boolean;
    },
  ): Promise<RequestRow> {
    return (
      await sql<RequestRow>`update sharing_requests set state = ${s.state}, updated_at = ${s.at},
          refusal_reason = case when ${s.refusalReason !== undefined} then ${s.refusalReason ?? null} else refusal_reason end,
          entitlement_id = coalesce(${s.entitlementId ?? null}, entitlement_id),
          data_on_platform = coalesce(${s.dataOnPlatform ?? null}, data_on_platform),
          decided_at = case when ${s.decided ?? false} then ${s.at} else decided_at end
        where id = ${id} returning *`.execute(db)
    ).rows[0]!;
  }

  private where(f: Omit<ListFilter, 'limit' | 'offset'>) {
    const parts = [sql`true`];
    const sides = [];
    if (f.requesterOrgIds) sides.push(sql`r.requester_org_id = any(${f.requesterOrgIds}::uuid[])`);
    if (f.providerOrgIds) sides.push(sql`r.provider_org_id = any(${f.providerOrgIds}::uuid[])`);
    if (sides.length) parts.push(sql`(${sql.join(sides, sql` or `)})`);
    if (f.states?.length) parts.push(sql`r.state = any(${f.states}::text[])`);
    if (f.resourceId) parts.push(sql`r.resource_id = ${f.resourceId}`);
    if (f.overdue !== undefined)
      parts.push(
        f.overdue
          ? sql`exists (select 1 from sharing_deadlines d where d.request_id = r.id and d.status = 'open' and (d.due_at < now() or d.overdue_at is not null))`
          : sql`not exists (select 1 from sharing_deadlines d where d.request_id = r.id and d.status = 'open' and (d.due_at < now() or d.overdue_at is not null))`,
      );
    return sql.join(parts, sql` and `);
  }

  async list(db: Executor, f: ListFilter): Promise<{ rows: RequestRow[]; total: number }> {
    const w = this.where(f);
    const rows = (
      await sql<RequestRow>`select r.* from sharing_requests r where ${w} order by r.created_at desc, r.id
        limit ${f.limit} offset ${f.offset}`.execute(db)
    ).rows;
    const total = Number((await sql<{ n: number }>`select count(*)::int as n from sharing_requests r where ${w}`.execute(db)).rows[0]!.n);
    return { rows, total };
  }

  /** The consumer's application a request names (applications belong to the entitlements' tables, 0011). */
  async application(db: Executor, id: string): Promise<{ org_id: string; state: string } | undefined> {
    return (await sql<{ org_id: string; state: string }>`select org_id, state from applications where id = ${id}`.execute(db)).rows[0];
  }

  // ---------------------------------------------------------------------------------------------- events
  async addEvent(db: Executor, e: Omit<EventRow, 'id' | 'details'> & { details?: Record<string, unknown> }): Promise<EventRow> {
    return (
      await sql<EventRow>`insert into sharing_events (request_id, kind, from_state, to_state, by_role, actor_user_id, actor_name, comment, details, at)
        values (${e.request_id}, ${e.kind}, ${e.from_state}, ${e.to_state}, ${e.by_role}, ${e.actor_user_id}, ${e.actor_name},
          ${e.comment}, ${JSON.stringify(e.details ?? {})}::jsonb, ${e.at}) returning *`.execute(db)
    ).rows[0]!;
  }

  async events(db: Executor, requestId: string): Promise<EventRow[]> {
    return (await sql<EventRow>`select * from sharing_events where request_id = ${requestId} order by id`.execute(db)).rows;
  }

  // ---------------------------------------------------------------------------------------------- statistics
  async stateCounts(db: Executor, f: Omit<ListFilter, 'limit' | 'offset'>): Promise<Record<string, number>> {
    const rows = (
      await sql<{ state: string; n: number }>`select r.state, count(*)::int as n from sharing_requests r where ${this.where(f)}
        group by r.state`.execute(db)
    ).rows;
    return Object.fromEntries(rows.map((r) => [r.state, r.n]));
  }

  async deadlineCounts(
    db: Executor,
    f: Omit<ListFilter, 'limit' | 'offset'>,
    dueSoonBefore: Date,
  ): Promise<{ overdue: number; dueSoon: number; escalated: number }> {
    const w = this.where(f);
    const r = (
      await sql<{ overdue: number; due_soon: number; escalated: number }>`select
          count(*) filter (where d.status = 'open' and (d.due_at < now() or d.overdue_at is not null))::int as overdue,
          count(*) filter (where d.status = 'open' and d.overdue_at is null and d.due_at >= now() and d.due_at <= ${dueSoonBefore})::int as due_soon,
          count(*) filter (where d.status = 'escalated')::int as escalated
        from sharing_deadlines d join sharing_requests r on r.id = d.request_id where ${w}`.execute(db)
    ).rows[0]!;
    return { overdue: r.overdue, dueSoon: r.due_soon, escalated: r.escalated };
  }

  /** Decided requests (approved / rejected) with their submission and decision instants. */
  async decided(
    db: Executor,
    f: Omit<ListFilter, 'limit' | 'offset'>,
  ): Promise<{ state: SharingState; created_at: Date; decided_at: Date }[]> {
    return (
      await sql<{ state: SharingState; created_at: Date; decided_at: Date }>`select r.state, r.created_at, r.decided_at
        from sharing_requests r where ${this.where(f)} and r.state in ('approved', 'rejected') and r.decided_at is not null`.execute(db)
    ).rows;
  }

  /** Calls and rows per day over the entitlements granted by sharing requests in scope (the last `days` days). */
  async callsPerDay(
    db: Executor,
    f: Omit<ListFilter, 'limit' | 'offset'>,
    fromDay: string,
  ): Promise<{ day: string; calls: number; rows: number }[]> {
    return (
      await sql<{ day: string; calls: number; rows: number }>`select to_char(u.day, 'YYYY-MM-DD') as day,
          sum(u.calls)::bigint as calls, sum(u.rows)::bigint as rows
        from entitlement_usage u join sharing_requests r on r.entitlement_id = u.entitlement_id
        where ${this.where(f)} and u.day >= ${fromDay}::date group by u.day order by u.day`.execute(db)
    ).rows;
  }
}
