// Registration (登记) of public data resources: the workflow (workflow.ts) with working-day deadlines as durable
// jobs, reminders and overdue flags, objections during the public notice, and the certificate on approval.
//
// Deadlines (registration_deadlines, one job each at due_at plus a reminder job before it):
//   completeness — opened when an application is filed or resubmitted: the authority must accept, return or
//                  refuse it within `completeness_days` working days (the start day is not counted).
//   decision     — opened at acceptance: the decision within `decision_days` working days of acceptance.
//   notice_end   — opened when the public notice starts (`notice_days`); when it passes, the job moves the
//                  registration to objection_review (if anyone objected) or pending_decision.
// A completeness or decision deadline that passes while still open makes the registration overdue: the job
// stamps overdue_at and notifies the authority; lists and the dashboard compute "overdue" from due_at, so the
// flag never depends on the job having run yet. The figures are read from registration_settings when a
// deadline opens and are stored on it (changing a setting does not move running deadlines).
import type { AppContext } from '../../context.ts';
import type { Executor, Tx } from '../../db/database.ts';
import { AppError, badRequest, conflict, forbidden, notFound } from '../../errors.ts';
import { SYSTEM, type Actor } from '../identity/actor.ts';
import { addDays, chinaDate } from '../jobs/calendar.ts';
import { SettingsCache } from '../jobs/deadlines.ts';
import { settingView as sharedSettingView } from '../jobs/settings.ts';
import type { NotifyTarget } from '../jobs/notifications.ts';
import { deadlineNotice, WorkflowDeadlines } from '../jobs/workflow-deadlines.ts';
import { contentHash, displayQueryCode, formatNumber, newQueryCode, normalizeQueryCode } from './certificate.ts';
import './messages.ts';
import {
  RegistrationRepository,
  type CertificateRow,
  type DeadlineKind,
  type DeadlineRow,
  type ObjectionRow,
  type RegistrationRow,
  type SettingRow,
} from './repository.ts';
import { loadResourceSubject, REGISTRABLE_STATUSES, type SubjectInfo } from './subjects.ts';
import {
  FINAL_STATES,
  OPEN_STATES,
  STATES,
  STATE_LABELS,
  TRANSITIONS,
  allowedTransitions,
  findTransition,
  type RegistrationState,
  type TransitionBy,
} from './workflow.ts';

export const SETTING_KEYS = [
  'completeness_days',
  'notice_days',
  'decision_days',
  'reminder_lead_days',
  'due_soon_days',
  'certificate_validity_years',
  'objection_rate_per_hour',
  'lookup_rate_per_minute',
] as const;
export type SettingKey = (typeof SETTING_KEYS)[number];

const DEADLINE_SETTING: Record<DeadlineKind, SettingKey> = {
  completeness: 'completeness_days',
  notice_end: 'notice_days',
  decision: 'decision_days',
};

const DEADLINE_LABELS: Record<DeadlineKind, { zh: string; en: string }> = {
  completeness: { zh: '受理（完整性审查）', en: 'completeness check' },
  notice_end: { zh: '公示期', en: 'public notice' },
  decision: { zh: '登记决定', en: 'decision' },
};

const BY_LABELS: Record<TransitionBy, { zh: string; en: string }> = {
  applicant: { zh: '数据提供部门经办人', en: 'a clerk of the providing department' },
  authority: { zh: '数据管理机构', en: 'the data authority' },
  system: { zh: '系统（时限到期）', en: 'the system (deadline)' },
};

// ---------------------------------------------------------------------------------------------- views
export interface OrgView {
  id: string;
  code: string;
  nameZh: string;
  nameEn: string;
}

export interface DeadlineView {
  id: string;
  kind: DeadlineKind;
  startDate: string;
  workingDays: number;
  dueDate: string;
  dueAt: string;
  remindAt: string | null;
  status: 'open' | 'met' | 'cancelled';
  overdue: boolean;
  remindedAt: string | null;
  overdueAt: string | null;
  closedAt: string | null;
}

export interface TransitionView {
  from: RegistrationState | null;
  to: RegistrationState;
  actorId: string | null;
  actorName: string | null;
  actorKind: string;
  comment: string;
  at: string;
}

export interface ObjectionView {
  id: string;
  name: string;
  /** Only the authority sees how to reach the objector. */
  contact: string | null;
  reason: string;
  status: 'open' | 'upheld' | 'dismissed' | 'closed';
  resolution: string;
  resolvedAt: string | null;
  createdAt: string;
}

export interface CertificateView {
  number: string;
  queryCode: string;
  contentHash: string;
  issuedAt: string;
  validUntil: string;
  status: 'valid' | 'expired' | 'revoked';
}

export interface AllowedTransition {
  to: RegistrationState;
  labelZh: string;
  labelEn: string;
}

export interface RegistrationSummary {
  id: string;
  subjectType: 'resource' | 'product';
  resourceId: string | null;
  registrationType: 'first' | 'change' | 'update' | 'cancel';
  subject: { code: string; nameZh: string; nameEn: string };
  provider: OrgView;
  applicantId: string | null;
  state: RegistrationState;
  stateLabel: { zh: string; en: string };
  overdue: boolean;
  nextDue: { kind: DeadlineKind; dueDate: string; dueAt: string } | null;
  firstAppliedAt: string;
  appliedAt: string;
  noticeStartDate: string | null;
  noticeEndDate: string | null;
  decidedAt: string | null;
  updatedAt: string;
}

export interface RegistrationDetail extends RegistrationSummary {
  comment: string;
  snapshot: unknown;
  acceptedAt: string | null;
  allowedTransitions: AllowedTransition[];
  timeline: TransitionView[];
  deadlines: DeadlineView[];
  objections: ObjectionView[];
  certificate: CertificateView | null;
}

export interface RegistrationPage {
  items: RegistrationSummary[];
  total: number;
  page: number;
  pageSize: number;
}

export interface SettingView {
  key: string;
  value: number;
  min: number;
  max: number;
  unit: SettingRow['unit'];
  labelZh: string;
  labelEn: string;
  sourceZh: string;
  sourceEn: string;
  platformDefault: boolean;
  updatedBy: string | null;
  updatedAt: string;
}

export interface NoticeView {
  id: string;
  registrationType: string;
  subject: { code: string; nameZh: string; nameEn: string; abstractZh: string; abstractEn: string };
  provider: OrgView;
  noticeStartDate: string;
  noticeEndDate: string;
  noticeEndsAt: string | null;
}

export interface LookupResult {
  number: string;
  resourceName: string;
  resourceNameEn: string;
  resourceCode: string;
  provider: string;
  providerEn: string;
  issuedAt: string;
  validUntil: string;
  contentHash: string;
  status: 'valid' | 'expired' | 'revoked';
}

export interface DashboardItem {
  registrationId: string;
  subjectNameZh: string;
  subjectNameEn: string;
  state: RegistrationState;
  kind: DeadlineKind;
  dueDate: string;
  dueAt: string;
}

export interface Dashboard {
  byState: Record<RegistrationState, number>;
  total: number;
  open: number;
  dueSoonCount: number;
  overdueCount: number;
  dueSoon: DashboardItem[];
  overdue: DashboardItem[];
}

export interface ListQuery {
  scope?: 'mine' | 'org' | 'all';
  state?: RegistrationState[];
  overdue?: boolean;
  resourceId?: string;
  page?: number;
  pageSize?: number;
}

/** Options for seeding and tests: act at another instant than now. */
export interface AtOption {
  at?: Date;
  /**
   * Deadline jobs of this step run no earlier than this (the demo seed plays steps in the past and takes the
   * notice ends itself; without a floor a worker could end a notice before the seed files its objection).
   */
  jobsNotBefore?: Date;
}

const iso = (d: Date | null | undefined): string | null => (d ? d.toISOString() : null);

export class RegistrationService {
  readonly repo = new RegistrationRepository();
  /** The clock (tests and the demo seed set it to move the workflow through time). */
  now: () => Date = () => new Date();
  private readonly settingsCache: SettingsCache;
  /** The running time limits of the registrations (registration_deadlines) and their jobs. */
  readonly deadlines: WorkflowDeadlines<'registration_id', DeadlineKind, 'met' | 'cancelled', RegistrationRow>;

  constructor(readonly ctx: AppContext) {
    this.settingsCache = new SettingsCache(ctx.db, (db) => this.repo.listSettings(db), 'registration');
    this.deadlines = new WorkflowDeadlines(ctx, {
      name: 'registration',
      table: 'registration_deadlines',
      ownerColumn: 'registration_id',
      objectType: 'registration',
      jobKey,
      now: () => this.now(),
      lockCase: (tx, id) => this.repo.get(tx, id, true),
      // A job never runs before its time; the seed and the tests fire deadlines at the instant they play.
      waitForDue: false,
      due: (tx, reg, dl, at) => this.endNotice(tx, reg, dl, at),
      overdue: (tx, reg, dl) => this.deadlineOverdue(tx, reg, dl),
      remind: (tx, reg, dl) => this.deadlineWarning(tx, reg, dl),
    });
    // Role matrix of this module (authority_admin has '*', the auditor '*.read').
    ctx.authz.allow('provider_clerk', 'registration.apply', 'org_subtree');
    ctx.authz.allow('provider_clerk', 'registration.read', 'org_subtree');
    // The public side: notices, objections, certificate lookup, the rules in force.
    ctx.authz.allow('anonymous', 'registration.public', 'any');
    ctx.authz.allow('signed_in', 'registration.public', 'any');
  }

  private get db() {
    return this.ctx.db;
  }

  // ------------------------------------------------------------------------------------------- settings
  async listSettings(): Promise<SettingView[]> {
    return (await this.repo.listSettings(this.db)).map(settingView);
  }

  /** The current value of every setting (cached for a few seconds; this process's changes clear it). */
  async settings(db: Executor = this.db): Promise<Map<string, number>> {
    return this.settingsCache.all(db);
  }

  async setting(key: SettingKey, db: Executor = this.db): Promise<number> {
    return this.settingsCache.get(key, db);
  }

  async updateSetting(actor: Actor, key: string, value: number): Promise<SettingView> {
    await this.ctx.authz.authorize(actor, 'registration.configure', { type: 'registration_setting', id: key });
    const row = await this.db.transaction().execute(async (tx) => {
      const before = await this.repo.getSetting(tx, key, true);
      if (!before) throw notFound('REGISTRATION_SETTING_NOT_FOUND', { key }, { field: 'key' });
      if (!Number.isInteger(value) || value < before.min_value || value > before.max_value)
        throw badRequest('REGISTRATION_SETTING_OUT_OF_RANGE', { key, min: before.min_value, max: before.max_value }, { field: 'value' });
      const after = await this.repo.updateSetting(tx, key, value, actor.userId);
      await this.ctx.ledger.append(tx, {
        actor,
        action: 'registration.settings.update',
        objectType: 'registration_setting',
        objectId: key,
        details: { key, previous: before.value, value, unit: before.unit },
      });
      return after;
    });
    this.settingsCache.clear();
    return settingView(row);
  }

  // ------------------------------------------------------------------------------------------ who is who
  private async canRead(actor: Actor, reg: RegistrationRow): Promise<boolean> {
    return this.ctx.authz.can(actor, 'registration.read', { type: 'registration', id: reg.id, orgId: reg.provider_org_id });
  }

  /** The workflow roles the actor holds for this registration. */
  private async actsAs(actor: Actor, reg: { id: string; provider_org_id: string }): Promise<TransitionBy[]> {
    const out: TransitionBy[] = [];
    const obj = { type: 'registration', id: reg.id, orgId: reg.provider_org_id };
    if (isApplicantRole(actor) && (await this.ctx.authz.can(actor, 'registration.apply', obj))) out.push('applicant');
    if (await this.ctx.authz.can(actor, 'registration.review', obj)) out.push('authority');
    return out;
  }

  /** Provider organizations whose registrations the actor lists: null = all; 403 when none at all. */
  private async readableOrgs(actor: Actor, scope: ListQuery['scope']): Promise<string[] | null> {
    if (await this.ctx.authz.can(actor, 'registration.read', { type: 'registration' })) {
      if (scope !== 'org') return null;
      return actor.orgId ? this.ctx.authz.orgs.subtree(actor.orgId) : [];
    }
    if (actor.orgId && actor.roles.includes('provider_clerk')) return this.ctx.authz.orgs.subtree(actor.orgId);
    await this.ctx.authz.authorize(actor, 'registration.read', { type: 'registration' });
    return [];
  }

  // ----------------------------------------------------------------------------------------------- apply
  /** A provider clerk applies to register a published (or approved) catalog resource. */
  async apply(actor: Actor, input: { resourceId: string; comment: string }, opts: AtOption = {}): Promise<RegistrationDetail> {
    const subject = await loadResourceSubject(this.ctx, actor, input.resourceId);
    if (!isApplicantRole(actor)) throw forbidden('REGISTRATION_APPLICANT_ONLY', {}, { action: 'registration.apply' });
    await this.ctx.authz.authorize(actor, 'registration.apply', { type: 'registration', orgId: subject.providerOrgId });
    assertRegistrable(subject);
    const at = opts.at ?? this.now();
    let id: string;
    try {
      id = await this.db.transaction().execute(async (tx) => {
        const open = await this.repo.openForResource(tx, subject.resourceId);
        if (open) throw conflict('REGISTRATION_ALREADY_OPEN', {}, { registrationId: open.id, state: open.state });
        const registered = await this.repo.approvedForResource(tx, subject.resourceId);
        if (registered) throw conflict('REGISTRATION_ALREADY_REGISTERED', { number: registered.number }, { number: registered.number });
        const reg = await this.repo.insert(tx, {
          subjectType: 'resource',
          resourceId: subject.resourceId,
          providerOrgId: subject.providerOrgId,
          applicantId: actor.userId,
          snapshot: subject.snapshot,
          subjectCode: subject.code,
          subjectNameZh: subject.nameZh,
          subjectNameEn: subject.nameEn,
          comment: input.comment,
          at,
        });
        await this.repo.addTransition(tx, {
          registrationId: reg.id,
          from: null,
          to: 'applied',
          actorId: actor.userId,
          actorName: actor.displayName ?? actor.username,
          actorKind: actor.kind,
          comment: input.comment,
          at,
        });
        const dl = await this.openDeadline(tx, reg, 'completeness', at, opts.jobsNotBefore);
        await this.notifyAuthority(tx, reg, {
          kind: 'registration.applied',
          title: {
            zh: `新的登记申请：${reg.subject_name_zh}`,
            en: `New registration application: ${reg.subject_name_en || reg.subject_name_zh}`,
          },
          body: {
            zh: `请在 ${dl.due_date} 前完成受理（${dl.working_days} 个工作日）。`,
            en: `Please check it for completeness by ${dl.due_date} (${dl.working_days} working days).`,
          },
        });
        await this.ctx.ledger.append(tx, {
          actor,
          action: 'registration.apply',
          objectType: 'registration',
          objectId: reg.id,
          orgId: reg.provider_org_id,
          details: {
            resourceId: subject.resourceId,
            resourceCode: subject.code,
            subjectType: 'resource',
            registrationType: 'first',
            comment: input.comment,
            completenessDue: dl.due_date,
          },
        });
        return reg.id;
      });
    } catch (e) {
      if (isUniqueViolation(e, 'registrations_one_open_per_resource')) throw conflict('REGISTRATION_ALREADY_OPEN', {}, {});
      throw e;
    }
    return this.get(actor, id);
  }

  // ------------------------------------------------------------------------------------------ transitions
  async transition(actor: Actor, id: string, to: RegistrationState, comment: string, opts: AtOption = {}): Promise<RegistrationDetail> {
    const at = opts.at ?? this.now();
    // A resubmission registers the resource's metadata as it is now: read it before locking the row.
    const peek = await this.repo.get(this.db, id);
    if (!peek || !(await this.canRead(actor, peek))) throw notFound('REGISTRATION_NOT_FOUND', { id });
    let fresh: SubjectInfo | null = null;
    if (to === 'applied' && peek.state === 'returned_incomplete' && peek.resource_id) {
      fresh = await loadResourceSubject(this.ctx, actor, peek.resource_id);
      assertRegistrable(fresh);
    }
    await this.db.transaction().execute(async (tx) => {
      const reg = await this.repo.get(tx, id, true);
      if (!reg) throw notFound('REGISTRATION_NOT_FOUND', { id });
      const as = await this.actsAs(actor, reg);
      const rule = findTransition(reg.state, to);
      const allowed = allowedTransitions(reg.state, as).map((t) => t.to);
      if (!rule || rule.by === 'system') {
        throw conflict(
          'REGISTRATION_TRANSITION_NOT_ALLOWED',
          { from: reg.state, to, fromLabel: STATE_LABELS[reg.state].zh, toLabel: isKnownState(to) ? STATE_LABELS[to].zh : to },
          { from: reg.state, to, allowed },
        );
      }
      if (!as.includes(rule.by)) {
        throw new AppError(
          403,
          'REGISTRATION_TRANSITION_WRONG_ROLE',
          { fromLabel: STATE_LABELS[reg.state].zh, toLabel: STATE_LABELS[to].zh, byLabel: BY_LABELS[rule.by].zh },
          { from: reg.state, to, by: rule.by, allowed },
        );
      }
      await this.applyTransition(tx, reg, to, actor, comment, at, { fresh, jobsNotBefore: opts.jobsNotBefore });
    });
    return this.get(actor, id);
  }

  /**
   * Moves `reg` (locked by the caller) to `to` with every side effect: timestamps, deadlines and their jobs,
   * objections, the certificate, notifications, the timeline row, and the ledger entry (last).
   */
  private async applyTransition(
    tx: Tx,
    reg: RegistrationRow,
    to: RegistrationState,
    actor: Actor,
    comment: string,
    at: Date,
    extra: { fresh?: SubjectInfo | null; objections?: number; jobsNotBefore?: Date } = {},
  ): Promise<void> {
    const from = reg.state;
    const details: Record<string, unknown> = { from, to, comment };
    let updated: RegistrationRow;
    switch (to) {
      case 'applied': {
        // Resubmission after 一次性告知: the registered metadata is read again and the clock restarts.
        const fresh = extra.fresh;
        updated = await this.repo.update(
          tx,
          reg.id,
          fresh
            ? {
                state: to,
                appliedAt: at,
                snapshot: fresh.snapshot,
                subjectCode: fresh.code,
                subjectNameZh: fresh.nameZh,
                subjectNameEn: fresh.nameEn,
              }
            : { state: to, appliedAt: at },
          at,
        );
        const dl = await this.openDeadline(tx, updated, 'completeness', at, extra.jobsNotBefore);
        details.completenessDue = dl.due_date;
        await this.notifyAuthority(tx, updated, {
          kind: 'registration.resubmitted',
          title: {
            zh: `登记申请已补正：${reg.subject_name_zh}`,
            en: `Registration resubmitted: ${reg.subject_name_en || reg.subject_name_zh}`,
          },
          body: { zh: `请在 ${dl.due_date} 前完成受理。`, en: `Please check it for completeness by ${dl.due_date}.` },
        });
        break;
      }
      case 'returned_incomplete': {
        await this.deadlines.close(tx, reg.id, 'met', at, ['completeness']);
        updated = await this.repo.update(tx, reg.id, { state: to }, at);
        await this.notifyApplicant(tx, updated, {
          kind: 'registration.returned',
          title: {
            zh: `登记申请需补正：${reg.subject_name_zh}`,
            en: `Registration returned as incomplete: ${reg.subject_name_en || reg.subject_name_zh}`,
          },
          body: { zh: `需补正的材料：${comment}`, en: `Missing material: ${comment}` },
        });
        break;
      }
      case 'accepted': {
        await this.deadlines.close(tx, reg.id, 'met', at, ['completeness']);
        updated = await this.repo.update(tx, reg.id, { state: to, acceptedAt: at }, at);
        const dl = await this.openDeadline(tx, updated, 'decision', at, extra.jobsNotBefore);
        details.decisionDue = dl.due_date;
        await this.notifyApplicant(tx, updated, {
          kind: 'registration.accepted',
          title: {
            zh: `登记申请已受理：${reg.subject_name_zh}`,
            en: `Registration accepted: ${reg.subject_name_en || reg.subject_name_zh}`,
          },
          body: { zh: `登记决定时限：${dl.due_date}。`, en: `Decision due by ${dl.due_date}.` },
        });
        break;
      }
      case 'public_notice': {
        const today = chinaDate(at);
        const days = await this.setting('notice_days', tx);
        const endDate = await this.ctx.calendar.addWorkingDays(today, days);
        updated = await this.repo.update(
          tx,
          reg.id,
          { state: to, noticeStartedAt: at, noticeStartDate: today, noticeEndDate: endDate },
          at,
        );
        const dl = await this.openDeadline(tx, updated, 'notice_end', at, extra.jobsNotBefore);
        details.noticeEnd = dl.due_date;
        await this.notifyApplicant(tx, updated, {
          kind: 'registration.notice',
          title: {
            zh: `登记进入公示：${reg.subject_name_zh}`,
            en: `Registration in public notice: ${reg.subject_name_en || reg.subject_name_zh}`,
          },
          body: { zh: `公示期至 ${dl.due_date}。`, en: `The notice period ends on ${dl.due_date}.` },
        });
        break;
      }
      case 'pending_decision':
      case 'objection_review': {
        await this.deadlines.close(tx, reg.id, 'met', at, ['notice_end']);
        updated = await this.repo.update(tx, reg.id, { state: to }, at);
        details.objections = extra.objections ?? 0;
        await this.notifyAuthority(tx, updated, {
          kind: 'registration.notice_ended',
          title:
            to === 'objection_review'
              ? {
                  zh: `公示期满，有异议待处理：${reg.subject_name_zh}`,
                  en: `Notice ended with objections: ${reg.subject_name_en || reg.subject_name_zh}`,
                }
              : {
                  zh: `公示期满无异议，待作出登记决定：${reg.subject_name_zh}`,
                  en: `Notice ended without objections; decision due: ${reg.subject_name_en || reg.subject_name_zh}`,
                },
        });
        break;
      }
      case 'approved': {
        await this.deadlines.close(tx, reg.id, 'met', at, ['decision', 'completeness', 'notice_end']);
        updated = await this.repo.update(tx, reg.id, { state: to, decidedAt: at }, at);
        const dismissed = await this.repo.resolveObjections(tx, reg.id, 'dismissed', comment, at);
        if (dismissed) details.objectionsDismissed = dismissed;
        const cert = await this.issueCertificate(tx, updated, at);
        details.certificate = { number: cert.number, contentHash: cert.content_hash, validUntil: cert.valid_until };
        await this.notifyApplicant(tx, updated, {
          kind: 'registration.approved',
          title: { zh: `登记完成：${reg.subject_name_zh}`, en: `Registered: ${reg.subject_name_en || reg.subject_name_zh}` },
          body: {
            zh: `登记号 ${cert.number}，查询码 ${displayQueryCode(cert.query_code)}。`,
            en: `Registration number ${cert.number}, query code ${displayQueryCode(cert.query_code)}.`,
          },
        });
        break;
      }
      case 'rejected': {
        await this.deadlines.close(tx, reg.id, 'met', at, ['decision', 'completeness', 'notice_end']);
        updated = await this.repo.update(tx, reg.id, { state: to, decidedAt: at }, at);
        const upheld = await this.repo.resolveObjections(tx, reg.id, 'upheld', comment, at);
        if (upheld) details.objectionsUpheld = upheld;
        await this.notifyApplicant(tx, updated, {
          kind: 'registration.rejected',
          title: { zh: `不予登记：${reg.subject_name_zh}`, en: `Registration rejected: ${reg.subject_name_en || reg.subject_name_zh}` },
          body: { zh: `理由：${comment}`, en: `Reason: ${comment}` },
        });
        break;
      }
      case 'withdrawn': {
        await this.deadlines.close(tx, reg.id, 'cancelled', at, ['decision', 'completeness', 'notice_end']);
        updated = await this.repo.update(tx, reg.id, { state: to }, at);
        await this.repo.resolveObjections(tx, reg.id, 'closed', comment, at);
        await this.notifyAuthority(tx, updated, {
          kind: 'registration.withdrawn',
          title: {
            zh: `登记申请已撤回：${reg.subject_name_zh}`,
            en: `Registration withdrawn: ${reg.subject_name_en || reg.subject_name_zh}`,
          },
        });
        break;
      }
    }
    await this.repo.addTransition(tx, {
      registrationId: reg.id,
      from,
      to,
      actorId: actor.userId,
      actorName: actor.displayName ?? actor.username,
      actorKind: actor.kind,
      comment,
      at,
    });
    await this.ctx.ledger.append(tx, {
      actor,
      action: 'registration.transition',
      objectType: 'registration',
      objectId: reg.id,
      orgId: reg.provider_org_id,
      details,
    });
  }

  private async issueCertificate(tx: Tx, reg: RegistrationRow, at: Date): Promise<CertificateRow> {
    const today = chinaDate(at);
    const year = Number(today.slice(0, 4));
    const seq = await this.repo.nextNumber(tx, year);
    const years = await this.setting('certificate_validity_years', tx);
    const validUntil = addYears(today, years);
    const snap = reg.snapshot as { provider?: { nameZh?: string; nameEn?: string } };
    const org = await this.ctx.authz.orgs.get(reg.provider_org_id);
    return this.repo.insertCertificate(tx, {
      registrationId: reg.id,
      number: formatNumber(year, seq),
      queryCode: newQueryCode(),
      contentHash: contentHash(reg.snapshot),
      snapshot: reg.snapshot,
      subjectNameZh: reg.subject_name_zh,
      subjectNameEn: reg.subject_name_en,
      providerOrgId: reg.provider_org_id,
      providerNameZh: snap.provider?.nameZh || org?.nameZh || '',
      providerNameEn: snap.provider?.nameEn || org?.nameEn || '',
      issuedAt: at,
      validUntil,
    });
  }

  // -------------------------------------------------------------------------------------------- deadlines
  /** Opens a working-day deadline counted from the China date of `at`, with its job and reminder job. */
  private async openDeadline(tx: Tx, reg: RegistrationRow, kind: DeadlineKind, at: Date, jobsNotBefore?: Date): Promise<DeadlineRow> {
    const days = await this.setting(DEADLINE_SETTING[kind], tx);
    // The end of a notice needs no reminder: the system takes that step.
    const lead = kind === 'notice_end' ? 0 : await this.setting('reminder_lead_days', tx);
    return this.deadlines.start(tx, { caseId: reg.id, kind, at, days, lead, jobsNotBefore });
  }

  /**
   * The deadline job (WorkflowDeadlines): a notice period that ended moves the registration on; a completeness or
   * decision deadline still open is flagged overdue and the authority is told. Idempotent (a closed or already
   * flagged deadline is left alone), so retries and duplicate deliveries are harmless.
   */
  fireDeadline(deadlineId: string, opts: AtOption = {}): Promise<{ result: string }> {
    return this.deadlines.fireDue(deadlineId, opts);
  }

  /** The reminder job: tells the responsible users that a deadline is near (if it is still open and not past). */
  fireReminder(deadlineId: string): Promise<{ result: string }> {
    return this.deadlines.fireReminder(deadlineId);
  }

  private async endNotice(tx: Tx, reg: RegistrationRow, dl: DeadlineRow, at: Date): Promise<string | null> {
    if (dl.kind !== 'notice_end') return null;
    if (reg.state !== 'public_notice') return 'not_in_notice';
    const objections = await this.repo.countOpenObjections(tx, reg.id);
    const to: RegistrationState = objections > 0 ? 'objection_review' : 'pending_decision';
    const comment =
      objections > 0
        ? `公示期满（${dl.due_date}），收到异议 ${objections} 件，转入异议处理 / Notice ended with ${objections} objection(s)`
        : `公示期满（${dl.due_date}），无异议，待作出登记决定 / Notice ended without objections`;
    await this.applyTransition(tx, reg, to, SYSTEM, comment, at, { objections });
    return to;
  }

  private async deadlineOverdue(tx: Tx, reg: RegistrationRow, dl: DeadlineRow) {
    const label = DEADLINE_LABELS[dl.kind];
    const title = {
      zh: `登记${label.zh}已逾期：${reg.subject_name_zh}`,
      en: `Registration ${label.en} overdue: ${reg.subject_name_en || reg.subject_name_zh}`,
    };
    await this.notifyAuthority(tx, reg, deadlineNotice(dl, 'overdue', title));
    return { state: reg.state };
  }

  private async deadlineWarning(tx: Tx, reg: RegistrationRow, dl: DeadlineRow) {
    const label = DEADLINE_LABELS[dl.kind];
    const title = {
      zh: `登记${label.zh}即将到期：${reg.subject_name_zh}`,
      en: `Registration ${label.en} due soon: ${reg.subject_name_en || reg.subject_name_zh}`,
    };
    return { recipients: await this.notifyAuthority(tx, reg, deadlineNotice(dl, 'warning', title)) };
  }

  // ------------------------------------------------------------------------------------------- objections
  /** Anyone (also anonymous) objects to a registration during its public notice. */
  async object(
    actor: Actor,
    id: string,
    input: { name: string; contact: string; reason: string },
    opts: AtOption = {},
  ): Promise<{ id: string; createdAt: string }> {
    await this.ctx.authz.authorize(actor, 'registration.public', { type: 'registration', id });
    const at = opts.at ?? this.now();
    return this.db.transaction().execute(async (tx) => {
      const reg = await this.repo.get(tx, id, true);
      if (!reg) throw notFound('REGISTRATION_NOT_FOUND', { id });
      if (reg.state !== 'public_notice') {
        // Registrations outside their notice are not public: say "not found" unless the caller may see it.
        if (!(await this.canRead(actor, reg))) throw notFound('REGISTRATION_NOT_FOUND', { id });
        throw conflict('REGISTRATION_NOT_IN_NOTICE', {}, { state: reg.state });
      }
      const o = await this.repo.insertObjection(tx, {
        registrationId: reg.id,
        name: input.name,
        contact: input.contact,
        reason: input.reason,
        userId: actor.userId,
        at,
      });
      const target = { kind: 'registration.objection', link: `/registrations/${reg.id}` };
      const title = {
        zh: `收到公示异议：${reg.subject_name_zh}`,
        en: `Objection to a registration in notice: ${reg.subject_name_en || reg.subject_name_zh}`,
      };
      const body = { zh: `异议理由：${clip(input.reason, 500)}`, en: `Reason: ${clip(input.reason, 500)}` };
      await this.ctx.notifications.notify(tx, { ...target, role: 'authority_admin', title, body });
      if (reg.applicant_id) await this.ctx.notifications.notify(tx, { ...target, userIds: [reg.applicant_id], title, body, email: false });
      // The objector's name and contact are personal data: the ledger records that an objection was filed.
      await this.ctx.ledger.append(tx, {
        actor,
        action: 'registration.objection',
        objectType: 'registration',
        objectId: reg.id,
        orgId: reg.provider_org_id,
        details: { objectionId: o.id, reasonLength: input.reason.length, anonymous: actor.kind === 'anonymous' },
      });
      return { id: o.id, createdAt: o.created_at.toISOString() };
    });
  }

  // --------------------------------------------------------------------------------------------- reading
  async get(actor: Actor, id: string): Promise<RegistrationDetail> {
    const reg = await this.repo.get(this.db, id);
    if (!reg || !(await this.canRead(actor, reg))) throw notFound('REGISTRATION_NOT_FOUND', { id });
    const [transitions, deadlines, objections, cert, as] = await Promise.all([
      this.repo.transitions(this.db, id),
      this.deadlines.list(this.db, id),
      this.repo.objections(this.db, id),
      this.repo.certificateOf(this.db, id),
      this.actsAs(actor, reg),
    ]);
    const now = this.now();
    const summary = await this.summary(reg, deadlines, now);
    const seesContacts = as.includes('authority');
    return {
      ...summary,
      comment: reg.comment,
      snapshot: reg.snapshot,
      acceptedAt: iso(reg.accepted_at),
      allowedTransitions: allowedTransitions(reg.state, as).map((t) => ({ to: t.to, labelZh: t.labelZh, labelEn: t.labelEn })),
      timeline: transitions.map((t) => ({
        from: (t.from_state as RegistrationState | null) ?? null,
        to: t.to_state as RegistrationState,
        actorId: t.actor_id,
        actorName: t.actor_name,
        actorKind: t.actor_kind,
        comment: t.comment,
        at: t.at.toISOString(),
      })),
      deadlines: deadlines.map((d) => deadlineView(d, now)),
      objections: objections.map((o) => objectionView(o, seesContacts)),
      certificate: cert ? certificateView(cert, now) : null,
    };
  }

  async list(actor: Actor, q: ListQuery = {}): Promise<RegistrationPage> {
    const providerOrgIds = await this.readableOrgs(actor, q.scope);
    const page = Math.max(1, Math.floor(q.page ?? 1));
    const pageSize = Math.min(100, Math.max(1, Math.floor(q.pageSize ?? 20)));
    const now = this.now();
    const { rows, total } = await this.repo.list(this.db, {
      providerOrgIds,
      applicantId: q.scope === 'mine' ? (actor.userId ?? '00000000-0000-0000-0000-000000000000') : null,
      states: q.state,
      overdue: q.overdue,
      resourceId: q.resourceId,
      now,
      limit: pageSize,
      offset: (page - 1) * pageSize,
    });
    const items: RegistrationSummary[] = [];
    for (const r of rows) items.push(await this.summary(r, await this.deadlines.open(this.db, r.id), now));
    return { items, total, page, pageSize };
  }

  async dashboard(actor: Actor): Promise<Dashboard> {
    const providerOrgIds = await this.readableOrgs(actor, 'all');
    const now = this.now();
    const byState = Object.fromEntries(STATES.map((s) => [s, 0])) as Record<RegistrationState, number>;
    for (const r of await this.repo.countByState(this.db, providerOrgIds)) byState[r.state] = r.n;
    const soonDays = await this.setting('due_soon_days');
    // "Due within N working days, today included": up to the end of working day N−1 after today.
    const soonUntil = await this.ctx.calendar.deadlineAt(chinaDate(now), Math.max(0, soonDays - 1));
    const rows = await this.repo.openDutyDeadlines(this.db, providerOrgIds, soonUntil);
    const item = (d: (typeof rows)[number]): DashboardItem => ({
      registrationId: d.registration_id,
      subjectNameZh: d.subject_name_zh,
      subjectNameEn: d.subject_name_en,
      state: d.state,
      kind: d.kind,
      dueDate: d.due_date,
      dueAt: d.due_at.toISOString(),
    });
    const overdue = rows.filter((d) => d.due_at < now).map(item);
    const dueSoon = rows.filter((d) => d.due_at >= now).map(item);
    return {
      byState,
      total: Object.values(byState).reduce((a, b) => a + b, 0),
      open: OPEN_STATES.reduce((a, s) => a + byState[s], 0),
      dueSoonCount: dueSoon.length,
      overdueCount: overdue.length,
      dueSoon,
      overdue,
    };
  }

  /** Registrations in public notice: the public list (what the rules say a notice publishes). */
  async notices(actor: Actor): Promise<NoticeView[]> {
    await this.ctx.authz.authorize(actor, 'registration.public', { type: 'registration' });
    const out: NoticeView[] = [];
    for (const r of await this.repo.inNotice(this.db)) {
      const snap = r.snapshot as { resource?: { abstractZh?: string; abstractEn?: string } };
      const end = (await this.deadlines.open(this.db, r.id, ['notice_end']))[0];
      out.push({
        id: r.id,
        registrationType: r.registration_type,
        subject: {
          code: r.subject_code,
          nameZh: r.subject_name_zh,
          nameEn: r.subject_name_en,
          abstractZh: String(snap.resource?.abstractZh ?? ''),
          abstractEn: String(snap.resource?.abstractEn ?? ''),
        },
        provider: await this.org(r.provider_org_id),
        noticeStartDate: r.notice_start_date ?? '',
        noticeEndDate: r.notice_end_date ?? '',
        noticeEndsAt: end ? end.due_at.toISOString() : null,
      });
    }
    return out;
  }

  /** Public certificate lookup by registration number or query code (approved registrations only). */
  async lookup(actor: Actor, by: { number?: string; queryCode?: string }): Promise<LookupResult> {
    await this.ctx.authz.authorize(actor, 'registration.public', { type: 'registration_certificate' });
    const number = by.number?.trim().toUpperCase();
    const queryCode = by.queryCode !== undefined ? normalizeQueryCode(by.queryCode) : undefined;
    if (!number && by.queryCode === undefined) throw badRequest('REGISTRATION_LOOKUP_QUERY', {}, { field: 'number' });
    const cert =
      number || queryCode ? await this.repo.findCertificate(this.db, number ? { number } : { queryCode: queryCode! }) : undefined;
    if (!cert) throw notFound('REGISTRATION_CERTIFICATE_NOT_FOUND');
    const snap = cert.snapshot as { resource?: { code?: string } };
    return {
      number: cert.number,
      resourceName: cert.subject_name_zh,
      resourceNameEn: cert.subject_name_en,
      resourceCode: String(snap.resource?.code ?? ''),
      provider: cert.provider_name_zh,
      providerEn: cert.provider_name_en,
      issuedAt: cert.issued_at.toISOString(),
      validUntil: cert.valid_until,
      contentHash: cert.content_hash,
      status: certificateStatus(cert, this.now()),
    };
  }

  /** Registration state of a catalog resource, for the catalog's pages (null: never applied). */
  async statusOfResource(resourceId: string): Promise<{ registrationId: string; state: RegistrationState; number: string | null } | null> {
    const open = await this.repo.openForResource(this.db, resourceId);
    if (open) return { registrationId: open.id, state: open.state, number: null };
    const cert = await this.repo.approvedForResource(this.db, resourceId);
    return cert ? { registrationId: cert.registration_id, state: 'approved', number: cert.number } : null;
  }

  // ------------------------------------------------------------------------------------------- helpers
  private async summary(reg: RegistrationRow, deadlines: DeadlineRow[], now: Date): Promise<RegistrationSummary> {
    const open = deadlines.filter((d) => d.status === 'open').sort((a, b) => a.due_at.getTime() - b.due_at.getTime());
    const next = open[0];
    return {
      id: reg.id,
      subjectType: reg.subject_type,
      resourceId: reg.resource_id,
      registrationType: reg.registration_type,
      subject: { code: reg.subject_code, nameZh: reg.subject_name_zh, nameEn: reg.subject_name_en },
      provider: await this.org(reg.provider_org_id),
      applicantId: reg.applicant_id,
      state: reg.state,
      stateLabel: STATE_LABELS[reg.state],
      overdue: open.some((d) => isOverdue(d, now)),
      nextDue: next ? { kind: next.kind, dueDate: next.due_date, dueAt: next.due_at.toISOString() } : null,
      firstAppliedAt: reg.first_applied_at.toISOString(),
      appliedAt: reg.applied_at.toISOString(),
      noticeStartDate: reg.notice_start_date,
      noticeEndDate: reg.notice_end_date,
      decidedAt: iso(reg.decided_at),
      updatedAt: reg.updated_at.toISOString(),
    };
  }

  private async org(id: string): Promise<OrgView> {
    const o = await this.ctx.authz.orgs.get(id);
    return { id, code: o?.code ?? '', nameZh: o?.nameZh ?? '', nameEn: o?.nameEn ?? '' };
  }

  private async notifyAuthority(
    tx: Executor,
    reg: RegistrationRow,
    n: { kind: string; title: { zh: string; en: string }; body?: { zh: string; en: string } },
  ): Promise<number> {
    const target: NotifyTarget = { role: 'authority_admin' };
    const r = await this.ctx.notifications.notify(tx, { ...target, ...n, link: `/registrations/${reg.id}` });
    return r.userIds.length;
  }

  private async notifyApplicant(
    tx: Executor,
    reg: RegistrationRow,
    n: { kind: string; title: { zh: string; en: string }; body?: { zh: string; en: string } },
  ): Promise<void> {
    if (!reg.applicant_id) return;
    await this.ctx.notifications.notify(tx, { userIds: [reg.applicant_id], ...n, link: `/registrations/${reg.id}` });
  }
}

// ------------------------------------------------------------------------------------------------ pure
export function isApplicantRole(actor: Actor): boolean {
  return actor.kind === 'system' || actor.roles.includes('provider_clerk');
}

function isKnownState(s: string): s is RegistrationState {
  return (STATES as readonly string[]).includes(s);
}

function assertRegistrable(subject: SubjectInfo): void {
  if (!REGISTRABLE_STATUSES.includes(subject.status))
    throw conflict(
      'REGISTRATION_RESOURCE_NOT_REGISTRABLE',
      { status: subject.status },
      { status: subject.status, allowed: REGISTRABLE_STATUSES },
    );
}

function jobKey(dl: { registration_id: string; kind: string; id: string }): string {
  return `registration:${dl.registration_id}:${dl.kind}:${dl.id}`;
}

function isOverdue(d: DeadlineRow, now: Date): boolean {
  return d.status === 'open' && d.kind !== 'notice_end' && d.due_at < now;
}

function deadlineView(d: DeadlineRow, now: Date): DeadlineView {
  return {
    id: d.id,
    kind: d.kind,
    startDate: d.start_date,
    workingDays: d.working_days,
    dueDate: d.due_date,
    dueAt: d.due_at.toISOString(),
    remindAt: iso(d.remind_at),
    status: d.status,
    overdue: isOverdue(d, now),
    remindedAt: iso(d.reminded_at),
    overdueAt: iso(d.overdue_at),
    closedAt: iso(d.closed_at),
  };
}

function objectionView(o: ObjectionRow, withContact: boolean): ObjectionView {
  return {
    id: o.id,
    name: o.name,
    contact: withContact ? o.contact : null,
    reason: o.reason,
    status: o.status,
    resolution: o.resolution,
    resolvedAt: iso(o.resolved_at),
    createdAt: o.created_at.toISOString(),
  };
}

function certificateStatus(c: CertificateRow, now: Date): 'valid' | 'expired' | 'revoked' {
  if (c.status === 'revoked') return 'revoked';
  return chinaDate(now) > c.valid_until ? 'expired' : 'valid';
}

function certificateView(c: CertificateRow, now: Date): CertificateView {
  return {
    number: c.number,
    queryCode: displayQueryCode(c.query_code),
    contentHash: c.content_hash,
    issuedAt: c.issued_at.toISOString(),
    validUntil: c.valid_until,
    status: certificateStatus(c, now),
  };
}

/** The shared view of a figure (WorkflowSettings' settingView) and who changed it last. */
function settingView(s: SettingRow): SettingView {
  return { ...sharedSettingView(s), updatedBy: s.updated_by };
}

/** The last day of a validity of `years` calendar years starting on `date` (2026-03-10 + 3 → 2029-03-09). */
export function addYears(date: string, years: number): string {
  const [y, m, d] = [Number(date.slice(0, 4)), Number(date.slice(5, 7)), Number(date.slice(8, 10))];
  // Date.UTC rolls 29 February of a common year over to 1 March.
  return addDays(new Date(Date.UTC(y + years, m - 1, d)).toISOString().slice(0, 10), -1);
}

function isUniqueViolation(e: unknown, constraint: string): boolean {
  const err = e as { code?: string; constraint?: string };
  return err?.code === '23505' && err.constraint === constraint;
}

function clip(s: string, n: number): string {
  return s.length <= n ? s : s.slice(0, n - 1) + '…';
}

export { TRANSITIONS, FINAL_STATES };
