// The feedback module's SQL (migrations/0018_feedback.sql, 0019_reuses.sql). Parameterized `sql` templates only.
// Public demands are rows of the demand list (resource_demands, migrations/0006) with the columns 0018 added; this
// module owns those columns and the public workflow (docs/portal-feedback.md).
import { sql } from 'kysely';
import type { Executor } from '../../db/database.ts';

export type DemandKind = 'dataset' | 'format' | 'field' | 'frequency';
export type AnswerKind = 'accepted' | 'rejected' | 'available';
export type ReportKind = 'wrong_value' | 'stale' | 'broken_file' | 'other';
export type ReportStatus = 'open' | 'accepted' | 'rejected' | 'needs_info' | 'corrected';
export type ReuseKind = 'app' | 'story' | 'paper' | 'visualization';
export type ReuseStatus = 'pending' | 'published' | 'rejected';
export type SubjectType = 'demand' | 'error_report';

export interface DemandRow {
  id: string;
  title: string;
  description: string;
  needed_fields: string[];
  purpose: string;
  raised_by: string;
  target_org_id: string | null;
  status: 'open' | 'answered' | 'closed' | 'rejected';
  reply: string;
  responded_by: string | null;
  responded_at: Date | null;
  demand_kind: DemandKind;
  resource_id: string | null;
  public_listed: boolean;
  answer_kind: AnswerKind | null;
  planned_date: string | null;
  answer_resource_id: string | null;
  vote_count: number;
  working_days: number | null;
  due_date: string | null;
  due_at: Date | null;
  reminded_at: Date | null;
  overdue_at: Date | null;
  created_at: Date;
  updated_at: Date;
  raiser_name: string;
}

export interface ReportRow {
  id: string;
  number: string;
  resource_id: string;
  dataset_id: string;
  version: number;
  row_number: string | number | null;
  field: string | null;
  kind: ReportKind;
  description: string;
  reporter_id: string;
  provider_org_id: string;
  status: ReportStatus;
  answer: string;
  answered_by: string | null;
  responded_at: Date | null;
  fixed_version: number | null;
  corrected_at: Date | null;
  working_days: number;
  due_date: string;
  due_at: Date;
  reminded_at: Date | null;
  overdue_at: Date | null;
  created_at: Date;
  updated_at: Date;
  reporter_name: string;
}

export interface EventRow {
  id: string | number;
  subject_type: SubjectType;
  subject_id: string;
  action: string;
  by_role: 'requester' | 'department' | 'authority' | 'system';
  by_user: string | null;
  text: string;
  details: Record<string, unknown>;
  created_at: Date;
}

export interface ReuseRow {
  id: string;
  title: string;
  description: string;
  kind: ReuseKind;
  url: string;
  image_url: string | null;
  submitted_by: string;
  status: ReuseStatus;
  reject_reason: string | null;
  moderated_by: string | null;
  moderated_at: Date | null;
  featured: boolean;
  created_at: Date;
  updated_at: Date;
  submitter_name: string;
}

const DEMAND_COLS = sql`d.id, d.title, d.description, d.needed_fields, d.purpose, d.raised_by, d.target_org_id, d.status, d.reply,
  d.responded_by, d.responded_at, d.demand_kind, d.resource_id, d.public_listed, d.answer_kind, d.planned_date::text as planned_date,
  d.answer_resource_id, d.vote_count, d.working_days, d.due_date::text as due_date, d.due_at, d.reminded_at, d.overdue_at,
  d.created_at, d.updated_at, coalesce(u.display_name, u.username, '') as raiser_name`;

const REPORT_COLS = sql`r.*, r.due_date::text as due_date, coalesce(u.display_name, u.username, '') as reporter_name`;
const REUSE_COLS = sql`x.*, coalesce(u.display_name, u.username, '') as submitter_name`;

export class FeedbackRepository {
  // ------------------------------------------------------------------------------------------------- settings

  /** Demands, error reports and reuses a user submitted since `since` (the hourly submission limit). */
  async submissionsSince(db: Executor, userId: string, since: Date): Promise<number> {
    const { rows } = await sql<{ n: number }>`select
      (select count(*) from resource_demands where raised_by = ${userId} and public_listed and created_at >= ${since})::int
      + (select count(*) from error_reports where reporter_id = ${userId} and created_at >= ${since})::int
      + (select count(*) from reuses where submitted_by = ${userId} and created_at >= ${since})::int as n`.execute(db);
    return rows[0]!.n;
  }

  // -------------------------------------------------------------------------------------------------- demands
  async insertDemand(
    db: Executor,
    d: {
      title: string;
      description: string;
      neededFields: string[];
      purpose: string;
      raiserKind: 'department' | 'public';
      raisedBy: string;
      raiserOrgId: string | null;
      targetOrgId: string | null;
      kind: DemandKind;
      resourceId: string | null;
      workingDays: number;
      dueDate: string;
      dueAt: Date;
    },
  ): Promise<string> {
    const { rows } = await sql<{ id: string }>`insert into resource_demands
      (title, description, needed_fields, purpose, raiser_kind, raised_by, raiser_org_id, target_org_id, demand_kind, resource_id,
       public_listed, working_days, due_date, due_at)
      values (${d.title}, ${d.description}, ${d.neededFields}, ${d.purpose}, ${d.raiserKind}, ${d.raisedBy}, ${d.raiserOrgId},
       ${d.targetOrgId}, ${d.kind}, ${d.resourceId}, true, ${d.workingDays}, ${d.dueDate}, ${d.dueAt})
      returning id`.execute(db);
    return rows[0]!.id;
  }

  async getDemand(db: Executor, id: string, forUpdate = false): Promise<DemandRow | undefined> {
    const lock = forUpdate ? sql`for update of d` : sql``;
    return (
      await sql<DemandRow>`select ${DEMAND_COLS} from resource_demands d join users u on u.id = d.raised_by
        where d.id = ${id} and d.public_listed ${lock}`.execute(db)
    ).rows[0];
  }

  async listDemands(
    db: Executor,
    o: {
      status?: string;
      targetOrgIds?: string[] | null;
      resourceId?: string;
      q?: string;
      sort: 'new' | 'votes';
      limit: number;
      offset: number;
    },
  ): Promise<{ items: DemandRow[]; total: number }> {
    const conds = [sql`d.public_listed`];
    if (o.status === 'overdue') conds.push(sql`d.status = 'open' and (d.overdue_at is not null or d.due_at < now())`);
    else if (o.status) conds.push(sql`d.status = ${o.status}`);
    if (o.targetOrgIds) conds.push(sql`d.target_org_id = any(${o.targetOrgIds}::uuid[])`);
    if (o.resourceId) conds.push(sql`d.resource_id = ${o.resourceId}`);
    if (o.q) conds.push(sql`(d.title ilike ${'%' + o.q + '%'} or d.description ilike ${'%' + o.q + '%'})`);
    const where = sql.join(conds, sql` and `);
    const order = o.sort === 'votes' ? sql`d.vote_count desc, d.created_at desc` : sql`d.created_at desc`;
    const items = (
      await sql<DemandRow>`select ${DEMAND_COLS} from resource_demands d join users u on u.id = d.raised_by where ${where}
        order by ${order}, d.id limit ${o.limit} offset ${o.offset}`.execute(db)
    ).rows;
    const total = (await sql<{ n: number }>`select count(*)::int as n from resource_demands d where ${where}`.execute(db)).rows[0]!.n;
    return { items, total };
  }

  async routeDemand(db: Executor, id: string, orgId: string): Promise<void> {
    await sql`update resource_demands set target_org_id = ${orgId}, updated_at = now() where id = ${id}`.execute(db);
  }

  async answerDemand(
    db: Executor,
    id: string,
    a: {
      status: 'answered' | 'rejected';
      kind: AnswerKind;
      reply: string;
      by: string | null;
      plannedDate: string | null;
      resourceId: string | null;
      at: Date;
    },
  ): Promise<void> {
    await sql`update resource_demands set status = ${a.status}, answer_kind = ${a.kind}, reply = ${a.reply}, responded_by = ${a.by},
      responded_at = coalesce(responded_at, ${a.at}), planned_date = ${a.plannedDate}, answer_resource_id = ${a.resourceId},
      closed_at = case when ${a.status} = 'rejected' then ${a.at}::timestamptz else closed_at end, updated_at = now()
      where id = ${id}`.execute(db);
    if (a.resourceId)
      await sql`insert into resource_demand_links (demand_id, resource_id) values (${id}, ${a.resourceId}) on conflict do nothing`.execute(
        db,
      );
  }

  async markDemandOverdue(db: Executor, id: string, at: Date): Promise<void> {
    await sql`update resource_demands set overdue_at = ${at} where id = ${id} and overdue_at is null`.execute(db);
  }

  async markDemandReminded(db: Executor, id: string, at: Date): Promise<void> {
    await sql`update resource_demands set reminded_at = ${at} where id = ${id}`.execute(db);
  }

  /** Adds a vote; false when the user had voted already. The count moves in the same statement's transaction. */
  async vote(db: Executor, demandId: string, userId: string): Promise<boolean> {
    const { rows } = await sql<{ demand_id: string }>`insert into demand_votes (demand_id, user_id) values (${demandId}, ${userId})
      on conflict do nothing returning demand_id`.execute(db);
    if (!rows.length) return false;
    await sql`update resource_demands set vote_count = vote_count + 1 where id = ${demandId}`.execute(db);
    return true;
  }

  async unvote(db: Executor, demandId: string, userId: string): Promise<boolean> {
    const { rows } = await sql<{ demand_id: string }>`delete from demand_votes where demand_id = ${demandId} and user_id = ${userId}
      returning demand_id`.execute(db);
    if (!rows.length) return false;
    await sql`update resource_demands set vote_count = greatest(0, vote_count - 1) where id = ${demandId}`.execute(db);
    return true;
  }

  async votedBy(db: Executor, demandIds: string[], userId: string | null): Promise<Set<string>> {
    if (!userId || !demandIds.length) return new Set();
    const { rows } = await sql<{ demand_id: string }>`select demand_id from demand_votes
      where user_id = ${userId} and demand_id = any(${demandIds}::uuid[])`.execute(db);
    return new Set(rows.map((r) => r.demand_id));
  }

  // -------------------------------------------------------------------------------------------- error reports
  async insertReport(
    db: Executor,
    r: {
      resourceId: string;
      datasetId: string;
      version: number;
      rowNumber: number | null;
      field: string | null;
      kind: ReportKind;
      description: string;
      reporterId: string;
      providerOrgId: string;
      workingDays: number;
      dueDate: string;
      dueAt: Date;
      year: number;
    },
  ): Promise<string> {
    const { rows } = await sql<{ id: string }>`insert into error_reports
      (number, resource_id, dataset_id, version, row_number, field, kind, description, reporter_id, provider_org_id, working_days, due_date, due_at)
      values ('JC-' || ${String(r.year)} || '-' || lpad(nextval('error_report_number_seq')::text, 6, '0'), ${r.resourceId}, ${r.datasetId},
        ${r.version}, ${r.rowNumber}, ${r.field}, ${r.kind}, ${r.description}, ${r.reporterId}, ${r.providerOrgId}, ${r.workingDays},
        ${r.dueDate}, ${r.dueAt})
      returning id`.execute(db);
    return rows[0]!.id;
  }

  async getReport(db: Executor, id: string, forUpdate = false): Promise<ReportRow | undefined> {
    const lock = forUpdate ? sql`for update of r` : sql``;
    return (
      await sql<ReportRow>`select ${REPORT_COLS} from error_reports r join users u on u.id = r.reporter_id where r.id = ${id} ${lock}`.execute(
        db,
      )
    ).rows[0];
  }

  async listReports(
    db: Executor,
    o: { resourceId?: string; providerOrgIds?: string[] | null; status?: string; limit: number; offset: number },
  ): Promise<{ items: ReportRow[]; total: number }> {
    const conds = [sql`true`];
    if (o.resourceId) conds.push(sql`r.resource_id = ${o.resourceId}`);
    if (o.providerOrgIds) conds.push(sql`r.provider_org_id = any(${o.providerOrgIds}::uuid[])`);
    if (o.status === 'overdue') conds.push(sql`r.status = 'open' and (r.overdue_at is not null or r.due_at < now())`);
    else if (o.status) conds.push(sql`r.status = ${o.status}`);
    const where = sql.join(conds, sql` and `);
    const items = (
      await sql<ReportRow>`select ${REPORT_COLS} from error_reports r join users u on u.id = r.reporter_id where ${where}
        order by r.created_at desc, r.id limit ${o.limit} offset ${o.offset}`.execute(db)
    ).rows;
    const total = (await sql<{ n: number }>`select count(*)::int as n from error_reports r where ${where}`.execute(db)).rows[0]!.n;
    return { items, total };
  }

  async updateReport(
    db: Executor,
    id: string,
    p: {
      status: ReportStatus;
      answer?: string;
      answeredBy?: string | null;
      respondedAt?: Date;
      fixedVersion?: number;
      correctedAt?: Date;
      reopen?: { workingDays: number; dueDate: string; dueAt: Date };
    },
  ): Promise<void> {
    await sql`update error_reports set status = ${p.status},
      answer = coalesce(${p.answer ?? null}, answer),
      answered_by = coalesce(${p.answeredBy ?? null}::uuid, answered_by),
      responded_at = coalesce(responded_at, ${p.respondedAt ?? null}::timestamptz),
      fixed_version = coalesce(${p.fixedVersion ?? null}::int, fixed_version),
      corrected_at = coalesce(${p.correctedAt ?? null}::timestamptz, corrected_at),
      working_days = coalesce(${p.reopen?.workingDays ?? null}::int, working_days),
      due_date = coalesce(${p.reopen?.dueDate ?? null}::date, due_date),
      due_at = coalesce(${p.reopen?.dueAt ?? null}::timestamptz, due_at),
      overdue_at = case when ${p.reopen ? true : false} then null else overdue_at end,
      reminded_at = case when ${p.reopen ? true : false} then null else reminded_at end,
      updated_at = now()
      where id = ${id}`.execute(db);
  }

  async markReportOverdue(db: Executor, id: string, at: Date): Promise<void> {
    await sql`update error_reports set overdue_at = ${at} where id = ${id} and overdue_at is null`.execute(db);
  }

  async markReportReminded(db: Executor, id: string, at: Date): Promise<void> {
    await sql`update error_reports set reminded_at = ${at} where id = ${id}`.execute(db);
  }

  // --------------------------------------------------------------------------------------------------- events
  async addEvent(
    db: Executor,
    e: {
      subjectType: SubjectType;
      subjectId: string;
      action: string;
      byRole: EventRow['by_role'];
      byUser: string | null;
      text?: string;
      details?: Record<string, unknown>;
    },
  ): Promise<void> {
    await sql`insert into feedback_events (subject_type, subject_id, action, by_role, by_user, text, details)
      values (${e.subjectType}, ${e.subjectId}, ${e.action}, ${e.byRole}, ${e.byUser}, ${e.text ?? ''}, ${JSON.stringify(e.details ?? {})}::jsonb)`.execute(
      db,
    );
  }

  async events(db: Executor, subjectType: SubjectType, ids: string[]): Promise<EventRow[]> {
    if (!ids.length) return [];
    return (
      await sql<EventRow>`select * from feedback_events where subject_type = ${subjectType} and subject_id = any(${ids}::uuid[])
        order by id`.execute(db)
    ).rows;
  }

  // ---------------------------------------------------------------------------------------------------- stats
  /** Every public demand and error report with the department that answers it and when it was answered. */
  async statRows(
    db: Executor,
  ): Promise<{ type: SubjectType; org_id: string | null; created_at: Date; responded_at: Date | null; overdue: boolean }[]> {
    return (
      await sql<{ type: SubjectType; org_id: string | null; created_at: Date; responded_at: Date | null; overdue: boolean }>`
        select 'demand' as type, target_org_id as org_id, created_at, responded_at,
          (overdue_at is not null or (status = 'open' and due_at < now())) as overdue
          from resource_demands where public_listed
        union all
        select 'error_report', provider_org_id, created_at, responded_at,
          (overdue_at is not null or (status = 'open' and due_at < now()))
          from error_reports`.execute(db)
    ).rows;
  }

  // --------------------------------------------------------------------------------------------------- reuses
  async insertReuse(
    db: Executor,
    r: {
      title: string;
      description: string;
      kind: ReuseKind;
      url: string;
      imageUrl: string | null;
      submittedBy: string;
      resourceIds: string[];
    },
  ): Promise<string> {
    const { rows } = await sql<{ id: string }>`insert into reuses (title, description, kind, url, image_url, submitted_by)
      values (${r.title}, ${r.description}, ${r.kind}, ${r.url}, ${r.imageUrl}, ${r.submittedBy}) returning id`.execute(db);
    const id = rows[0]!.id;
    for (const rid of r.resourceIds) await sql`insert into reuse_datasets (reuse_id, resource_id) values (${id}, ${rid})`.execute(db);
    return id;
  }

  async getReuse(db: Executor, id: string, forUpdate = false): Promise<ReuseRow | undefined> {
    const lock = forUpdate ? sql`for update of x` : sql``;
    return (
      await sql<ReuseRow>`select ${REUSE_COLS} from reuses x join users u on u.id = x.submitted_by where x.id = ${id} ${lock}`.execute(db)
    ).rows[0];
  }

  async listReuses(
    db: Executor,
    o: { status?: ReuseStatus; featured?: boolean; resourceId?: string; submittedBy?: string; limit: number; offset: number },
  ): Promise<{ items: ReuseRow[]; total: number }> {
    const conds = [sql`true`];
    if (o.status) conds.push(sql`x.status = ${o.status}`);
    if (o.featured) conds.push(sql`x.featured`);
    if (o.submittedBy) conds.push(sql`x.submitted_by = ${o.submittedBy}`);
    if (o.resourceId) conds.push(sql`exists (select 1 from reuse_datasets l where l.reuse_id = x.id and l.resource_id = ${o.resourceId})`);
    const where = sql.join(conds, sql` and `);
    const items = (
      await sql<ReuseRow>`select ${REUSE_COLS} from reuses x join users u on u.id = x.submitted_by where ${where}
        order by x.created_at desc, x.id limit ${o.limit} offset ${o.offset}`.execute(db)
    ).rows;
    const total = (await sql<{ n: number }>`select count(*)::int as n from reuses x where ${where}`.execute(db)).rows[0]!.n;
    return { items, total };
  }

  async reuseResources(db: Executor, ids: string[]): Promise<{ reuse_id: string; resource_id: string }[]> {
    if (!ids.length) return [];
    return (
      await sql<{ reuse_id: string; resource_id: string }>`select reuse_id, resource_id from reuse_datasets
        where reuse_id = any(${ids}::uuid[]) order by resource_id`.execute(db)
    ).rows;
  }

  async moderateReuse(
    db: Executor,
    id: string,
    p: { status?: ReuseStatus; rejectReason?: string | null; featured?: boolean; by: string | null },
  ): Promise<void> {
    await sql`update reuses set status = coalesce(${p.status ?? null}, status),
      reject_reason = case when ${p.status ?? null}::text is null then reject_reason else ${p.rejectReason ?? null} end,
      featured = coalesce(${p.featured ?? null}::boolean, featured) and coalesce(${p.status ?? null}, status) = 'published',
      moderated_by = ${p.by}, moderated_at = now(), updated_at = now() where id = ${id}`.execute(db);
  }
}
