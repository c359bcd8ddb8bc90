// The conditional open application module's SQL (migrations/0017_open_applications.sql). Parameterized `sql` only.
import { sql } from 'kysely';
import type { Executor } from '../../db/database.ts';
import type { WorkflowDeadlineRow } from '../jobs/workflow-deadlines.ts';
import type { ApplicantKind, DeadlineKind, OpenApplyRole, OpenApplyState } from './workflow.ts';

export interface ApplicationRow {
  id: string;
  number: string;
  applicant_user_id: string;
  applicant_org_id: string;
  applicant_kind: ApplicantKind;
  resource_id: string;
  provider_org_id: string;
  fields: string[];
  purpose: string;
  scenario: string;
  security_measures: string;
  period_from: Date;
  period_to: Date;
  state: OpenApplyState;
  supplement_request: string | null;
  refusal_reason: string | null;
  decided_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

export interface EventRow {
  id: number;
  application_id: string;
  from_state: OpenApplyState | null;
  to_state: OpenApplyState;
  by_role: OpenApplyRole;
  actor_user_id: string | null;
  actor_name: string;
  comment: string;
  details: Record<string, unknown>;
  at: Date;
}

/** A running or past time limit of an application (open_application_deadlines; read and written by WorkflowDeadlines). */
export type DeadlineRow = WorkflowDeadlineRow<'application_id', DeadlineKind, 'met' | 'cancelled' | 'lapsed'>;

export interface DocumentRow {
  id: string;
  application_id: string;
  stage: 'application' | 'supplement' | 'report';
  file_name: string;
  content_type: string;
  size: string | number;
  sha256: string;
  object_key: string;
  uploaded_by: string | null;
  created_at: Date;
}

export interface AgreementRow {
  id: string;
  number: string;
  application_id: string;
  entitlement_id: string | null;
  terms: string;
  fields: string[];
  actions: string[];
  valid_from: Date;
  valid_to: Date;
  report_every_days: number;
  report_grace_days: number;
  approved_by: string | null;
  created_at: Date;
}

export interface ReportRow {
  id: string;
  agreement_id: string;
  period_no: number;
  due_date: string;
  grace_until: Date;
  status: 'due' | 'submitted' | 'overdue_submitted' | 'overdue';
  content: string | null;
  submitted_at: Date | null;
  submitted_by: string | null;
  overdue_at: Date | null;
  created_at: Date;
}

export interface ListFilter {
  /** Applications of this applicant … */
  applicantUserId?: string;
  /** … or for resources of these provider organizations; neither: every application. */
  providerOrgIds?: string[];
  states?: OpenApplyState[];
  limit: number;
  offset: number;
}

const REPORT_COLS = sql`id, agreement_id, period_no, to_char(due_date, 'YYYY-MM-DD') as due_date, grace_until, status, content,
  submitted_at, submitted_by, overdue_at, created_at`;

export class OpenApplyRepository {
  // ---------------------------------------------------------------------------------------------- settings

  // ---------------------------------------------------------------------------------------------- applications
  async insert(
    db: Executor,
    a: Omit<
      ApplicationRow,
      'id' | 'number' | 'state' | 'supplement_request' | 'refusal_reason' | 'decided_at' | 'created_at' | 'updated_at'
    > & {
      at: Date;
    },
  ): Promise<ApplicationRow> {
    return (
      await sql<ApplicationRow>`insert into open_applications (number, applicant_user_id, applicant_org_id, applicant_kind, resource_id,
          provider_org_id, fields, purpose, scenario, security_measures, period_from, period_to, state, created_at, updated_at)
        values ('KF-' || to_char(${a.at}::timestamptz at time zone 'Asia/Shanghai', 'YYYY') || '-' ||
            lpad(nextval('open_application_number_seq')::text, 6, '0'),
          ${a.applicant_user_id}, ${a.applicant_org_id}, ${a.applicant_kind}, ${a.resource_id}, ${a.provider_org_id},
          ${a.fields}::text[], ${a.purpose}, ${a.scenario}, ${a.security_measures}, ${a.period_from}, ${a.period_to},
          'provider_review', ${a.at}, ${a.at})
        returning *`.execute(db)
    ).rows[0]!;
  }

  async get(db: Executor, id: string, lock = false): Promise<ApplicationRow | undefined> {
    return (await sql<ApplicationRow>`select * from open_applications where id = ${id} ${lock ? sql`for update` : sql``}`.execute(db))
      .rows[0];
  }

  async openFor(db: Executor, userId: string, resourceId: string): Promise<ApplicationRow | undefined> {
    return (
      await sql<ApplicationRow>`select * from open_applications where applicant_user_id = ${userId} and resource_id = ${resourceId}
        and state in ('provider_review', 'supplement')`.execute(db)
    ).rows[0];
  }

  async setState(
    db: Executor,
    id: string,
    s: { state: OpenApplyState; at: Date; refusalReason?: string; supplementRequest?: string; decided?: boolean },
  ): Promise<ApplicationRow> {
    return (
      await sql<ApplicationRow>`update open_applications set state = ${s.state}, updated_at = ${s.at},
          refusal_reason = coalesce(${s.refusalReason ?? null}, refusal_reason),
          supplement_request = coalesce(${s.supplementRequest ?? null}, supplement_request),
          decided_at = case when ${s.decided ?? false} then ${s.at} else decided_at end
        where id = ${id} returning *`.execute(db)
    ).rows[0]!;
  }

  async update(db: Executor, id: string, u: { purpose?: string; scenario?: string; securityMeasures?: string; at: Date }) {
    await sql`update open_applications set purpose = coalesce(${u.purpose ?? null}, purpose), scenario = coalesce(${u.scenario ?? null}, scenario),
        security_measures = coalesce(${u.securityMeasures ?? null}, security_measures), updated_at = ${u.at} where id = ${id}`.execute(db);
  }

  private where(f: Omit<ListFilter, 'limit' | 'offset'>) {
    const parts = [sql`true`];
    const sides = [];
    if (f.applicantUserId) sides.push(sql`a.applicant_user_id = ${f.applicantUserId}`);
    if (f.providerOrgIds) sides.push(sql`a.provider_org_id = any(${f.providerOrgIds}::uuid[])`);
    if (f.applicantUserId !== undefined || f.providerOrgIds !== undefined)
      parts.push(sides.length ? sql`(${sql.join(sides, sql` or `)})` : sql`false`);
    if (f.states?.length) parts.push(sql`a.state = any(${f.states}::text[])`);
    return sql.join(parts, sql` and `);
  }

  async list(db: Executor, f: ListFilter): Promise<{ rows: ApplicationRow[]; total: number }> {
    const w = this.where(f);
    const rows = (
      await sql<ApplicationRow>`select a.* from open_applications a where ${w} order by a.created_at desc, a.id
        limit ${f.limit} offset ${f.offset}`.execute(db)
    ).rows;
    const total = (await sql<{ n: number }>`select count(*)::int as n from open_applications a where ${w}`.execute(db)).rows[0]!.n;
    return { rows, total };
  }

  async stateCounts(db: Executor, f: Omit<ListFilter, 'limit' | 'offset'>): Promise<Record<string, number>> {
    const rows = (
      await sql<{ state: string; n: number }>`select a.state, count(*)::int as n from open_applications a where ${this.where(f)}
        group by a.state`.execute(db)
    ).rows;
    return Object.fromEntries(rows.map((r) => [r.state, r.n]));
  }

  // ---------------------------------------------------------------------------------------------- events
  async addEvent(db: Executor, e: Omit<EventRow, 'id' | 'details'> & { details?: Record<string, unknown> }): Promise<void> {
    await sql`insert into open_application_events (application_id, from_state, to_state, by_role, actor_user_id, actor_name, comment, details, at)
        values (${e.application_id}, ${e.from_state}, ${e.to_state}, ${e.by_role}, ${e.actor_user_id}, ${e.actor_name},
          ${e.comment}, ${JSON.stringify(e.details ?? {})}::jsonb, ${e.at})`.execute(db);
  }

  async events(db: Executor, applicationId: string): Promise<EventRow[]> {
    return (await sql<EventRow>`select * from open_application_events where application_id = ${applicationId} order by id`.execute(db))
      .rows;
  }

  // ---------------------------------------------------------------------------------------------- documents
  async addDocument(db: Executor, d: Omit<DocumentRow, 'id' | 'created_at'>): Promise<DocumentRow> {
    return (
      await sql<DocumentRow>`insert into open_application_documents (application_id, stage, file_name, content_type, size, sha256, object_key, uploaded_by)
        values (${d.application_id}, ${d.stage}, ${d.file_name}, ${d.content_type}, ${d.size}, ${d.sha256}, ${d.object_key}, ${d.uploaded_by})
        returning *`.execute(db)
    ).rows[0]!;
  }

  async documents(db: Executor, applicationId: string): Promise<DocumentRow[]> {
    return (
      await sql<DocumentRow>`select * from open_application_documents where application_id = ${applicationId} order by created_at, id`.execute(
        db,
      )
    ).rows;
  }

  // ---------------------------------------------------------------------------------------------- agreements
  async insertAgreement(db: Executor, a: Omit<AgreementRow, 'id' | 'number' | 'created_at'> & { at: Date }): Promise<AgreementRow> {
    return (
      await sql<AgreementRow>`insert into open_agreements (number, application_id, entitlement_id, terms, fields, actions, valid_from, valid_to,
          report_every_days, report_grace_days, approved_by, created_at)
        values ('KFXY-' || to_char(${a.at}::timestamptz at time zone 'Asia/Shanghai', 'YYYY') || '-' ||
            lpad(nextval('open_agreement_number_seq')::text, 6, '0'),
          ${a.application_id}, ${a.entitlement_id}, ${a.terms}, ${a.fields}::text[], ${a.actions}::text[], ${a.valid_from}, ${a.valid_to},
          ${a.report_every_days}, ${a.report_grace_days}, ${a.approved_by}, ${a.at})
        returning *`.execute(db)
    ).rows[0]!;
  }

  async setAgreementEntitlement(db: Executor, id: string, entitlementId: string): Promise<void> {
    await sql`update open_agreements set entitlement_id = ${entitlementId} where id = ${id}`.execute(db);
  }

  async agreementOf(db: Executor, applicationId: string): Promise<AgreementRow | undefined> {
    return (await sql<AgreementRow>`select * from open_agreements where application_id = ${applicationId}`.execute(db)).rows[0];
  }

  async agreement(db: Executor, id: string, lock = false): Promise<AgreementRow | undefined> {
    return (await sql<AgreementRow>`select * from open_agreements where id = ${id} ${lock ? sql`for update` : sql``}`.execute(db)).rows[0];
  }

  // ---------------------------------------------------------------------------------------------- reports
  async insertReport(
    db: Executor,
    r: { agreementId: string; periodNo: number; dueDate: string; graceUntil: Date; at: Date },
  ): Promise<ReportRow> {
    return (
      await sql<ReportRow>`insert into open_usage_reports (agreement_id, period_no, due_date, grace_until, created_at)
        values (${r.agreementId}, ${r.periodNo}, ${r.dueDate}, ${r.graceUntil}, ${r.at}) returning ${REPORT_COLS}`.execute(db)
    ).rows[0]!;
  }

  async report(db: Executor, id: string, lock = false): Promise<ReportRow | undefined> {
    return (
      await sql<ReportRow>`select ${REPORT_COLS} from open_usage_reports where id = ${id} ${lock ? sql`for update` : sql``}`.execute(db)
    ).rows[0];
  }

  async reports(db: Executor, agreementId: string): Promise<ReportRow[]> {
    return (
      await sql<ReportRow>`select ${REPORT_COLS} from open_usage_reports where agreement_id = ${agreementId} order by period_no`.execute(db)
    ).rows;
  }

  async markReportOverdue(db: Executor, id: string, at: Date): Promise<void> {
    await sql`update open_usage_reports set status = 'overdue', overdue_at = ${at} where id = ${id}`.execute(db);
  }

  async submitReport(db: Executor, id: string, content: string, userId: string | null, late: boolean, at: Date): Promise<ReportRow> {
    return (
      await sql<ReportRow>`update open_usage_reports set status = ${late ? 'overdue_submitted' : 'submitted'}, content = ${content},
          submitted_by = ${userId}, submitted_at = ${at} where id = ${id} returning ${REPORT_COLS}`.execute(db)
    ).rows[0]!;
  }
}
