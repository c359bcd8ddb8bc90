// SQL of the registration module (登记): settings, applications, timeline, deadlines, objections, certificates.
import { sql, type ColumnType, type Generated, type Selectable } from 'kysely';
import { withSessionLock } from '../../db/locks.ts';
import type { Db, Executor } from '../../db/database.ts';
import type { WorkflowDeadlineRow } from '../jobs/workflow-deadlines.ts';
import type { RegistrationState } from './workflow.ts';

type Json = ColumnType<unknown, string, string>;
/** A PostgreSQL date, always read as 'YYYY-MM-DD' text (the selects below convert it). */
type DateText = ColumnType<string, string, string>;

export interface RegistrationSettingsTable {
  key: string;
  value: number;
  min_value: number;
  max_value: number;
  unit: 'working_days' | 'years' | 'per_hour' | 'per_minute';
  label_zh: string;
  label_en: string;
  source_zh: string;
  source_en: string;
  platform_default: boolean;
  updated_by: string | null;
  updated_at: Generated<Date>;
}

export interface RegistrationsTable {
  id: Generated<string>;
  subject_type: Generated<'resource' | 'product'>;
  resource_id: string | null;
  registration_type: Generated<'first' | 'change' | 'update' | 'cancel'>;
  provider_org_id: string;
  applicant_id: string | null;
  state: RegistrationState;
  snapshot: Json;
  subject_code: Generated<string>;
  subject_name_zh: string;
  subject_name_en: Generated<string>;
  comment: Generated<string>;
  first_applied_at: Generated<Date>;
  applied_at: Generated<Date>;
  accepted_at: Date | null;
  notice_started_at: Date | null;
  notice_start_date: DateText | null;
  notice_end_date: DateText | null;
  decided_at: Date | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export interface RegistrationTransitionsTable {
  id: Generated<number>;
  registration_id: string;
  from_state: string | null;
  to_state: string;
  actor_id: string | null;
  actor_name: string | null;
  actor_kind: string;
  comment: Generated<string>;
  at: Generated<Date>;
}

export type DeadlineKind = 'completeness' | 'notice_end' | 'decision';
export type DeadlineStatus = 'open' | 'met' | 'cancelled';

export interface RegistrationDeadlinesTable {
  id: Generated<string>;
  registration_id: string;
  kind: DeadlineKind;
  start_date: DateText;
  working_days: number;
  due_date: DateText;
  due_at: Date;
  remind_at: Date | null;
  status: Generated<DeadlineStatus>;
  reminded_at: Date | null;
  overdue_at: Date | null;
  closed_at: Date | null;
  created_at: Generated<Date>;
}

export type ObjectionStatus = 'open' | 'upheld' | 'dismissed' | 'closed';

export interface RegistrationObjectionsTable {
  id: Generated<string>;
  registration_id: string;
  name: string;
  contact: string;
  reason: string;
  user_id: string | null;
  status: Generated<ObjectionStatus>;
  resolution: Generated<string>;
  resolved_at: Date | null;
  created_at: Generated<Date>;
}

export interface RegistrationCertificatesTable {
  id: Generated<string>;
  registration_id: string;
  number: string;
  query_code: string;
  content_hash: string;
  snapshot: Json;
  subject_name_zh: string;
  subject_name_en: Generated<string>;
  provider_org_id: string;
  provider_name_zh: string;
  provider_name_en: Generated<string>;
  issued_at: Date;
  valid_until: DateText;
  status: Generated<'valid' | 'revoked'>;
  created_at: Generated<Date>;
}

export interface RegistrationNumberCountersTable {
  year: number;
  last_value: number;
}

export interface RegistrationTables {
  registration_settings: RegistrationSettingsTable;
  registrations: RegistrationsTable;
  registration_transitions: RegistrationTransitionsTable;
  registration_deadlines: RegistrationDeadlinesTable;
  registration_objections: RegistrationObjectionsTable;
  registration_certificates: RegistrationCertificatesTable;
  registration_number_counters: RegistrationNumberCountersTable;
}

export type SettingRow = Selectable<RegistrationSettingsTable>;
export type TransitionRow = Selectable<RegistrationTransitionsTable>;
export type ObjectionRow = Selectable<RegistrationObjectionsTable>;

export interface RegistrationRow {
  id: string;
  subject_type: 'resource' | 'product';
  resource_id: string | null;
  registration_type: 'first' | 'change' | 'update' | 'cancel';
  provider_org_id: string;
  applicant_id: string | null;
  state: RegistrationState;
  snapshot: unknown;
  subject_code: string;
  subject_name_zh: string;
  subject_name_en: string;
  comment: string;
  first_applied_at: Date;
  applied_at: Date;
  accepted_at: Date | null;
  notice_started_at: Date | null;
  notice_start_date: string | null;
  notice_end_date: string | null;
  decided_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

/** A running or past time limit of a registration (read and written by WorkflowDeadlines). */
export type DeadlineRow = WorkflowDeadlineRow<'registration_id', DeadlineKind, Exclude<DeadlineStatus, 'open'>>;

export interface CertificateRow {
  id: string;
  registration_id: string;
  number: string;
  query_code: string;
  content_hash: string;
  snapshot: unknown;
  subject_name_zh: string;
  subject_name_en: string;
  provider_org_id: string;
  provider_name_zh: string;
  provider_name_en: string;
  issued_at: Date;
  valid_until: string;
  status: 'valid' | 'revoked';
  created_at: Date;
}

const registrationColumns = [
  'registrations.id',
  'registrations.subject_type',
  'registrations.resource_id',
  'registrations.registration_type',
  'registrations.provider_org_id',
  'registrations.applicant_id',
  'registrations.state',
  'registrations.snapshot',
  'registrations.subject_code',
  'registrations.subject_name_zh',
  'registrations.subject_name_en',
  'registrations.comment',
  'registrations.first_applied_at',
  'registrations.applied_at',
  'registrations.accepted_at',
  'registrations.notice_started_at',
  sql<string | null>`to_char(registrations.notice_start_date, 'YYYY-MM-DD')`.as('notice_start_date'),
  sql<string | null>`to_char(registrations.notice_end_date, 'YYYY-MM-DD')`.as('notice_end_date'),
  'registrations.decided_at',
  'registrations.created_at',
  'registrations.updated_at',
] as const;

const deadlineColumns = [
  'registration_deadlines.id',
  'registration_deadlines.registration_id',
  'registration_deadlines.kind',
  sql<string>`to_char(registration_deadlines.start_date, 'YYYY-MM-DD')`.as('start_date'),
  'registration_deadlines.working_days',
  sql<string>`to_char(registration_deadlines.due_date, 'YYYY-MM-DD')`.as('due_date'),
  'registration_deadlines.due_at',
  'registration_deadlines.remind_at',
  'registration_deadlines.status',
  'registration_deadlines.reminded_at',
  'registration_deadlines.overdue_at',
  'registration_deadlines.closed_at',
  'registration_deadlines.created_at',
] as const;

const certificateColumns = [
  'registration_certificates.id',
  'registration_certificates.registration_id',
  'registration_certificates.number',
  'registration_certificates.query_code',
  'registration_certificates.content_hash',
  'registration_certificates.snapshot',
  'registration_certificates.subject_name_zh',
  'registration_certificates.subject_name_en',
  'registration_certificates.provider_org_id',
  'registration_certificates.provider_name_zh',
  'registration_certificates.provider_name_en',
  'registration_certificates.issued_at',
  sql<string>`to_char(registration_certificates.valid_until, 'YYYY-MM-DD')`.as('valid_until'),
  'registration_certificates.status',
  'registration_certificates.created_at',
] as const;

export interface ListFilter {
  /** null: every provider organization; otherwise only these. */
  providerOrgIds: string[] | null;
  applicantId?: string | null;
  states?: RegistrationState[];
  /** Only registrations with an open completeness/decision deadline past due at `now`. */
  overdue?: boolean;
  resourceId?: string;
  now: Date;
  limit: number;
  offset: number;
}

export interface NewRegistration {
  subjectType: 'resource' | 'product';
  resourceId: string | null;
  providerOrgId: string;
  applicantId: string | null;
  snapshot: unknown;
  subjectCode: string;
  subjectNameZh: string;
  subjectNameEn: string;
  comment: string;
  at: Date;
}

/** Deadline kinds whose passing makes a registration overdue (the notice end is a timer, not a duty). */
export const DUTY_KINDS: DeadlineKind[] = ['completeness', 'decision'];

export class RegistrationRepository {
  // ------------------------------------------------------------------------------------------- settings
  listSettings(db: Executor): Promise<SettingRow[]> {
    return db.selectFrom('registration_settings').selectAll().orderBy('key').execute();
  }

  getSetting(db: Executor, key: string, forUpdate = false): Promise<SettingRow | undefined> {
    let q = db.selectFrom('registration_settings').selectAll().where('key', '=', key);
    if (forUpdate) q = q.forUpdate();
    return q.executeTakeFirst();
  }

  updateSetting(db: Executor, key: string, value: number, userId: string | null): Promise<SettingRow> {
    return db
      .updateTable('registration_settings')
      .set({ value, updated_by: userId, updated_at: sql<Date>`now()` })
      .where('key', '=', key)
      .returningAll()
      .executeTakeFirstOrThrow();
  }

  // -------------------------------------------------------------------------------------- registrations
  async insert(db: Executor, r: NewRegistration): Promise<RegistrationRow> {
    const { id } = await db
      .insertInto('registrations')
      .values({
        subject_type: r.subjectType,
        resource_id: r.resourceId,
        provider_org_id: r.providerOrgId,
        applicant_id: r.applicantId,
        state: 'applied',
        snapshot: JSON.stringify(r.snapshot),
        subject_code: r.subjectCode,
        subject_name_zh: r.subjectNameZh,
        subject_name_en: r.subjectNameEn,
        comment: r.comment,
        first_applied_at: r.at,
        applied_at: r.at,
        created_at: r.at,
        updated_at: r.at,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    return (await this.get(db, id))!;
  }

  async get(db: Executor, id: string, forUpdate = false): Promise<RegistrationRow | undefined> {
    let q = db.selectFrom('registrations').select(registrationColumns).where('registrations.id', '=', id);
    if (forUpdate) q = q.forUpdate();
    return (await q.executeTakeFirst()) as RegistrationRow | undefined;
  }

  /** The open application of a resource, if any. */
  async openForResource(db: Executor, resourceId: string): Promise<RegistrationRow | undefined> {
    return (await db
      .selectFrom('registrations')
      .select(registrationColumns)
      .where('resource_id', '=', resourceId)
      .where('state', 'in', ['applied', 'returned_incomplete', 'accepted', 'public_notice', 'objection_review', 'pending_decision'])
      .executeTakeFirst()) as RegistrationRow | undefined;
  }

  async update(
    db: Executor,
    id: string,
    set: Partial<{
      state: RegistrationState;
      snapshot: unknown;
      subjectCode: string;
      subjectNameZh: string;
      subjectNameEn: string;
      appliedAt: Date;
      acceptedAt: Date;
      noticeStartedAt: Date;
      noticeStartDate: string;
      noticeEndDate: string;
      decidedAt: Date;
    }>,
    at: Date,
  ): Promise<RegistrationRow> {
    await db
      .updateTable('registrations')
      .set({
        ...(set.state !== undefined ? { state: set.state } : {}),
        ...(set.snapshot !== undefined ? { snapshot: JSON.stringify(set.snapshot) } : {}),
        ...(set.subjectCode !== undefined ? { subject_code: set.subjectCode } : {}),
        ...(set.subjectNameZh !== undefined ? { subject_name_zh: set.subjectNameZh } : {}),
        ...(set.subjectNameEn !== undefined ? { subject_name_en: set.subjectNameEn } : {}),
        ...(set.appliedAt !== undefined ? { applied_at: set.appliedAt } : {}),
        ...(set.acceptedAt !== undefined ? { accepted_at: set.acceptedAt } : {}),
        ...(set.noticeStartedAt !== undefined ? { notice_started_at: set.noticeStartedAt } : {}),
        ...(set.noticeStartDate !== undefined ? { notice_start_date: set.noticeStartDate } : {}),
        ...(set.noticeEndDate !== undefined ? { notice_end_date: set.noticeEndDate } : {}),
        ...(set.decidedAt !== undefined ? { decided_at: set.decidedAt } : {}),
        updated_at: at,
      })
      .where('id', '=', id)
      .execute();
    return (await this.get(db, id))!;
  }

  private filtered(db: Executor, f: ListFilter) {
    let q = db.selectFrom('registrations');
    if (f.providerOrgIds) q = f.providerOrgIds.length ? q.where('provider_org_id', 'in', f.providerOrgIds) : q.where(sql<boolean>`false`);
    if (f.applicantId) q = q.where('applicant_id', '=', f.applicantId);
    if (f.states?.length) q = q.where('state', 'in', f.states);
    if (f.resourceId) q = q.where('resource_id', '=', f.resourceId);
    if (f.overdue)
      q = q.where(({ exists, selectFrom }) =>
        exists(
          selectFrom('registration_deadlines as d')
            .select(sql`1`.as('one'))
            .whereRef('d.registration_id', '=', 'registrations.id')
            .where('d.status', '=', 'open')
            .where('d.kind', 'in', DUTY_KINDS)
            .where('d.due_at', '<', f.now),
        ),
      );
    return q;
  }

  async list(db: Executor, f: ListFilter): Promise<{ rows: RegistrationRow[]; total: number }> {
    const rows = (await this.filtered(db, f)
      .select(registrationColumns)
      .orderBy('registrations.updated_at', 'desc')
      .orderBy('registrations.id')
      .limit(f.limit)
      .offset(f.offset)
      .execute()) as RegistrationRow[];
    const { n } = await this.filtered(db, f)
      .select(sql<number>`count(*)::int`.as('n'))
      .executeTakeFirstOrThrow();
    return { rows, total: n };
  }

  async countByState(db: Executor, providerOrgIds: string[] | null): Promise<Array<{ state: RegistrationState; n: number }>> {
    let q = db
      .selectFrom('registrations')
      .select(['state', sql<number>`count(*)::int`.as('n')])
      .groupBy('state');
    if (providerOrgIds) q = providerOrgIds.length ? q.where('provider_org_id', 'in', providerOrgIds) : q.where(sql<boolean>`false`);
    return q.execute();
  }

  /** Registrations in public notice (the public list). */
  async inNotice(db: Executor): Promise<RegistrationRow[]> {
    return (await db
      .selectFrom('registrations')
      .select(registrationColumns)
      .where('state', '=', 'public_notice')
      .orderBy('notice_end_date')
      .orderBy('registrations.id')
      .execute()) as RegistrationRow[];
  }

  // ---------------------------------------------------------------------------------------- transitions
  async addTransition(
    db: Executor,
    t: {
      registrationId: string;
      from: RegistrationState | null;
      to: RegistrationState;
      actorId: string | null;
      actorName: string | null;
      actorKind: string;
      comment: string;
      at: Date;
    },
  ): Promise<void> {
    await db
      .insertInto('registration_transitions')
      .values({
        registration_id: t.registrationId,
        from_state: t.from,
        to_state: t.to,
        actor_id: t.actorId,
        actor_name: t.actorName,
        actor_kind: t.actorKind,
        comment: t.comment,
        at: t.at,
      })
      .execute();
  }

  transitions(db: Executor, registrationId: string): Promise<TransitionRow[]> {
    return db.selectFrom('registration_transitions').selectAll().where('registration_id', '=', registrationId).orderBy('id').execute();
  }

  // ------------------------------------------------------------------------------------------ deadlines
  /**
   * Open duty deadlines (completeness, decision) of the given providers: those already past `now` and those
   * due by the end of `soonUntil`, with the registration they belong to.
   */
  async openDutyDeadlines(
    db: Executor,
    providerOrgIds: string[] | null,
    dueBefore: Date,
  ): Promise<Array<DeadlineRow & { subject_name_zh: string; subject_name_en: string; state: RegistrationState; provider_org_id: string }>> {
    let q = db
      .selectFrom('registration_deadlines')
      .innerJoin('registrations', 'registrations.id', 'registration_deadlines.registration_id')
      .select([
        ...deadlineColumns,
        'registrations.subject_name_zh',
        'registrations.subject_name_en',
        'registrations.state',
        'registrations.provider_org_id',
      ])
      .where('registration_deadlines.status', '=', 'open')
      .where('registration_deadlines.kind', 'in', DUTY_KINDS)
      .where('registration_deadlines.due_at', '<=', dueBefore);
    if (providerOrgIds)
      q = providerOrgIds.length ? q.where('registrations.provider_org_id', 'in', providerOrgIds) : q.where(sql<boolean>`false`);
    return (await q.orderBy('registration_deadlines.due_at').limit(500).execute()) as Array<
      DeadlineRow & { subject_name_zh: string; subject_name_en: string; state: RegistrationState; provider_org_id: string }
    >;
  }

  // ----------------------------------------------------------------------------------------- objections
  async insertObjection(
    db: Executor,
    o: { registrationId: string; name: string; contact: string; reason: string; userId: string | null; at: Date },
  ): Promise<ObjectionRow> {
    return db
      .insertInto('registration_objections')
      .values({
        registration_id: o.registrationId,
        name: o.name,
        contact: o.contact,
        reason: o.reason,
        user_id: o.userId,
        created_at: o.at,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
  }

  objections(db: Executor, registrationId: string): Promise<ObjectionRow[]> {
    return db
      .selectFrom('registration_objections')
      .selectAll()
      .where('registration_id', '=', registrationId)
      .orderBy('created_at')
      .orderBy('id')
      .execute();
  }

  async countOpenObjections(db: Executor, registrationId: string): Promise<number> {
    const { n } = await db
      .selectFrom('registration_objections')
      .select(sql<number>`count(*)::int`.as('n'))
      .where('registration_id', '=', registrationId)
      .where('status', '=', 'open')
      .executeTakeFirstOrThrow();
    return n;
  }

  async resolveObjections(db: Executor, registrationId: string, status: 'upheld' | 'dismissed' | 'closed', resolution: string, at: Date) {
    const rows = await db
      .updateTable('registration_objections')
      .set({ status, resolution, resolved_at: at })
      .where('registration_id', '=', registrationId)
      .where('status', '=', 'open')
      .returning('id')
      .execute();
    return rows.length;
  }

  // --------------------------------------------------------------------------------------- certificates
  /** The next number of `year` (gap-free: the counter row is locked until the transaction ends). */
  async nextNumber(db: Executor, year: number): Promise<number> {
    const { last_value } = await db
      .insertInto('registration_number_counters')
      .values({ year, last_value: 1 })
      .onConflict((oc) => oc.column('year').doUpdateSet({ last_value: sql<number>`registration_number_counters.last_value + 1` }))
      .returning('last_value')
      .executeTakeFirstOrThrow();
    return last_value;
  }

  async insertCertificate(
    db: Executor,
    c: {
      registrationId: string;
      number: string;
      queryCode: string;
      contentHash: string;
      snapshot: unknown;
      subjectNameZh: string;
      subjectNameEn: string;
      providerOrgId: string;
      providerNameZh: string;
      providerNameEn: string;
      issuedAt: Date;
      validUntil: string;
    },
  ): Promise<CertificateRow> {
    await db
      .insertInto('registration_certificates')
      .values({
        registration_id: c.registrationId,
        number: c.number,
        query_code: c.queryCode,
        content_hash: c.contentHash,
        snapshot: JSON.stringify(c.snapshot),
        subject_name_zh: c.subjectNameZh,
        subject_name_en: c.subjectNameEn,
        provider_org_id: c.providerOrgId,
        provider_name_zh: c.providerNameZh,
        provider_name_en: c.providerNameEn,
        issued_at: c.issuedAt,
        valid_until: c.validUntil,
        created_at: c.issuedAt,
      })
      .execute();
    return (await this.certificateOf(db, c.registrationId))!;
  }

  async certificateOf(db: Executor, registrationId: string): Promise<CertificateRow | undefined> {
    return (await db
      .selectFrom('registration_certificates')
      .select(certificateColumns)
      .where('registration_id', '=', registrationId)
      .executeTakeFirst()) as CertificateRow | undefined;
  }

  /** The certificate with this number or query code, only when its registration is approved. */
  async findCertificate(db: Executor, by: { number?: string; queryCode?: string }): Promise<CertificateRow | undefined> {
    let q = db
      .selectFrom('registration_certificates')
      .innerJoin('registrations', 'registrations.id', 'registration_certificates.registration_id')
      .select(certificateColumns)
      .where('registrations.state', '=', 'approved');
    if (by.number) q = q.where('registration_certificates.number', '=', by.number);
    else if (by.queryCode) q = q.where('registration_certificates.query_code', '=', by.queryCode);
    else return undefined;
    return (await q.executeTakeFirst()) as CertificateRow | undefined;
  }

  /** The approved registration of a resource (its valid certificate), if any. */
  async approvedForResource(db: Executor, resourceId: string): Promise<CertificateRow | undefined> {
    return (await db
      .selectFrom('registration_certificates')
      .innerJoin('registrations', 'registrations.id', 'registration_certificates.registration_id')
      .select(certificateColumns)
      .where('registrations.resource_id', '=', resourceId)
      .where('registrations.state', '=', 'approved')
      .where('registration_certificates.status', '=', 'valid')
      .executeTakeFirst()) as CertificateRow | undefined;
  }

  /**
   * Runs `fn` holding a session advisory lock on one pooled connection, so that two processes seeding the
   * demo at once do it once (fn uses the pool as usual).
   */
  async withSeedLock<T>(db: Db, fn: () => Promise<T>): Promise<T> {
    return withSessionLock(db, 'shuyuan.registration.seed', fn);
  }

  async countAll(db: Executor): Promise<number> {
    const { n } = await db
      .selectFrom('registrations')
      .select(sql<number>`count(*)::int`.as('n'))
      .executeTakeFirstOrThrow();
    return n;
  }
}
