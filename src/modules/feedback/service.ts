// Open data portal feedback (issue 7 §3, §4; docs/portal-feedback.md):
//   需求征集 — public demands (on the demand list of src/modules/elements, resource_demands with public_listed):
//              a signed-in user asks for a dataset that is not open, or a format/field/frequency of an existing one;
//              the demand goes to the chosen department (or the authority routes it) and is answered publicly within
//              feedback_settings.demand_answer_days working days: accepted with a planned date, rejected with a
//              reason, or already available (linking the resource). Others "+1" it (one vote per user).
//   纠错/数据异议 — error reports pinned to a dataset version (row, field optional); the provider answers within
//              error_answer_days working days: accepted (then corrected, linking the version that fixes it),
//              rejected with a reason, or needs information (the reporter adds it and the clock restarts).
//   应用展示 — reuses of open datasets, moderated by the authority (pending → published | rejected with reason).
// Anyone (no login) reads public demands, the thread of a dataset they may see, published reuses and the stats.
// Each deadline is two durable jobs (due, reminder; src/modules/jobs/deadlines.ts); an unanswered item becomes
// overdue, which the stats and the pages show. Every change and its ledger entry commit together.
//
// Authorization (role matrix extended here):
// | action                       | who                                                          |
// |------------------------------|--------------------------------------------------------------|
// | feedback.submit              | every signed-in user (demand, error report, reuse, +1)        |
// | feedback.answer              | provider clerk of the answering org subtree; authority admin  |
// | feedback.route, .moderate, .settings.update | authority admin                               |
// | feedback.inbox.read          | provider clerk (its subtree); authority admin, auditor (all)  |
import type { AppContext } from '../../context.ts';
import type { Executor, Tx } from '../../db/database.ts';
import { AppError, badRequest, conflict, forbidden, notFound } from '../../errors.ts';
import { ANONYMOUS, SYSTEM, type Actor } from '../identity/actor.ts';
import { chinaDate, workingDaysBetweenPure, type OverrideMap } from '../jobs/calendar.ts';
import { DeadlineJobs, planDeadline } from '../jobs/deadlines.ts';
import { WorkflowSettings } from '../jobs/settings.ts';
import { neutralizeText } from '../datasets/read.ts';
import './messages.ts';
import {
  FeedbackRepository,
  type AnswerKind,
  type DemandKind,
  type DemandRow,
  type EventRow,
  type ReportKind,
  type ReportRow,
  type ReuseKind,
  type ReuseRow,
  type ReuseStatus,
  type SubjectType,
} from './repository.ts';
import type * as S from './schemas.ts';

export const SETTING_KEYS = ['demand_answer_days', 'error_answer_days', 'reminder_lead_days', 'max_submissions_per_hour'] as const;
export type SettingKey = (typeof SETTING_KEYS)[number];
/** A refusal gives its reasons: at least this many characters. */
export const MIN_REASON = 5;
/** Datasets one reuse may name. */
export const MAX_REUSE_DATASETS = 20;

const iso = (d: Date | null | undefined): string | null => (d ? d.toISOString() : null);

/** 张三 → 张*, 王小明 → 王**, a → *: the requester's name as the public sees it. */
export function maskName(name: string): string {
  const chars = [...(name ?? '').trim()];
  if (chars.length <= 1) return '*';
  return chars[0] + '*'.repeat(Math.min(2, chars.length - 1));
}

/** An http(s) URL or a 400 naming the field (no javascript:, data:, relative or credential-carrying links). */
export function checkUrl(v: string, field: string): string {
  const s = v.trim();
  let u: URL;
  try {
    u = new URL(s);
  } catch {
    throw badRequest('FEEDBACK_URL_INVALID', {}, { field });
  }
  if ((u.protocol !== 'http:' && u.protocol !== 'https:') || u.username || u.password || !u.hostname)
    throw badRequest('FEEDBACK_URL_INVALID', {}, { field });
  return u.toString();
}

function text(v: string | undefined | null, field: string, max: number, required: boolean): string {
  const s = (v ?? '').trim();
  if (required && !s) throw badRequest('FEEDBACK_FIELD_REQUIRED', { field }, { field });
  if ([...s].length > max) throw badRequest('FEEDBACK_TEXT_TOO_LONG', { field, max }, { field, max });
  return s;
}

/** The median of a list of numbers (null when empty). */
export function median(xs: number[]): number | null {
  if (!xs.length) return null;
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export class FeedbackService {
  readonly repo = new FeedbackRepository();
  /** The clock (tests move the workflow through time). */
  now: () => Date = () => new Date();
  /** The figures of the rules, each with its source (feedback_settings). */
  readonly settings: WorkflowSettings<'working_days' | 'days' | 'count'>;
  private readonly deadlineJobs: DeadlineJobs;

  constructor(readonly ctx: AppContext) {
    this.settings = new WorkflowSettings(ctx, { table: 'feedback_settings', module: 'feedback', codePrefix: 'FEEDBACK' });
    this.deadlineJobs = new DeadlineJobs(ctx.jobs, 'feedback', {
      due: (id) => this.fireDeadline(id),
      remind: (id) => this.fireReminder(id),
    });
    const a = ctx.authz;
    a.allow('signed_in', 'feedback.submit', 'any');
    a.allow('provider_clerk', 'feedback.answer', 'org_subtree');
    a.allow('provider_clerk', 'feedback.inbox.read', 'org_subtree');
  }

  private get db() {
    return this.ctx.db;
  }

  // ------------------------------------------------------------------------------------------------ settings
  async setting(key: SettingKey, db: Executor = this.db): Promise<number> {
    return this.settings.get(key, db);
  }

  // ------------------------------------------------------------------------------------------------- helpers
  private signedIn(actor: Actor): string {
    if (!actor.userId) throw new AppError(401, 'UNAUTHENTICATED');
    return actor.userId;
  }

  /** The hourly submission limit (429 with the seconds to wait in details). */
  private async checkRate(tx: Executor, userId: string): Promise<void> {
    const max = await this.setting('max_submissions_per_hour', tx);
    const n = await this.repo.submissionsSince(tx, userId, new Date(this.now().getTime() - 3_600_000));
    if (n >= max) throw new AppError(429, 'FEEDBACK_RATE_LIMITED', { max }, { max, retryAfterSeconds: 3600 });
  }

  private async orgBrief(id: string | null): Promise<S.OrgBriefT | null> {
    if (!id) return null;
    const o = await this.ctx.authz.orgs.get(id);
    return { id, nameZh: o?.nameZh ?? '', nameEn: o?.nameEn ?? '' };
  }

  /** The resource as `actor` may see it, or null (a link to a resource the viewer cannot see is left out). */
  private async resourceBrief(actor: Actor, id: string | null): Promise<S.ResourceBriefT | null> {
    if (!id) return null;
    try {
      const r = await this.ctx.catalog.getForRead(actor, id);
      return { id: r.id, code: r.code, nameZh: r.nameZh, nameEn: r.nameEn };
    } catch (e) {
      if (e instanceof AppError && e.status === 404) return null;
      throw e;
    }
  }

  private async roleOf(actor: Actor, orgId: string | null): Promise<EventRow['by_role']> {
    if (actor.kind === 'system') return 'system';
    if (actor.roles.includes('authority_admin')) return 'authority';
    if (orgId && (await this.ctx.authz.can(actor, 'feedback.answer', { type: 'feedback', orgId }))) return 'department';
    return 'requester';
  }

  private async mayAnswer(actor: Actor, orgId: string | null): Promise<boolean> {
    if (!actor.userId) return false;
    if (!orgId) return this.ctx.authz.can(actor, 'feedback.route', { type: 'feedback' });
    return this.ctx.authz.can(actor, 'feedback.answer', { type: 'feedback', orgId });
  }

  private eventView(e: EventRow): S.EventT {
    return { action: e.action, byRole: e.by_role, text: e.text, details: e.details, at: e.created_at.toISOString() };
  }

  private async overrides(): Promise<OverrideMap> {
    return this.ctx.calendar.overrides();
  }

  private answerDays(created: Date, responded: Date | null, ov: OverrideMap): number | null {
    if (!responded) return null;
    return Math.max(0, workingDaysBetweenPure(chinaDate(created), chinaDate(responded), ov));
  }

  private overdue(row: { responded_at: Date | null; overdue_at: Date | null; due_at: Date | null; status: string }): boolean {
    // Overdue: the due job flagged it (it stays flagged once answered late), or it is open past its due time.
    if (row.overdue_at) return true;
    return row.status === 'open' && !!row.due_at && row.due_at < this.now();
  }

  private async ledger(
    tx: Tx,
    actor: Actor,
    action: string,
    objectType: string,
    objectId: string,
    orgId: string | null,
    details: Record<string, unknown>,
  ) {
    await this.ctx.ledger.append(tx, { actor, action, objectType, objectId, ...(orgId ? { orgId } : {}), details });
  }

  // ================================================================================================= demands
  private async demandViews(actor: Actor, rows: DemandRow[], withEvents: boolean): Promise<S.DemandT[]> {
    const ov = await this.overrides();
    const voted = await this.repo.votedBy(
      this.db,
      rows.map((d) => d.id),
      actor.userId,
    );
    const events = withEvents
      ? await this.repo.events(
          this.db,
          'demand',
          rows.map((d) => d.id),
        )
      : [];
    const out: S.DemandT[] = [];
    for (const d of rows) {
      const mayAnswer = await this.mayAnswer(actor, d.target_org_id);
      out.push({
        id: d.id,
        title: d.title,
        description: d.description,
        kind: d.demand_kind,
        neededFields: d.needed_fields,
        purpose: d.purpose,
        requester: maskName(d.raiser_name),
        mine: !!actor.userId && actor.userId === d.raised_by,
        targetOrg: await this.orgBrief(d.target_org_id),
        resource: await this.resourceBrief(actor, d.resource_id),
        status: d.status,
        answerKind: d.answer_kind,
        reply: d.reply,
        plannedDate: d.planned_date,
        answerResource: await this.resourceBrief(actor, d.answer_resource_id),
        votes: d.vote_count,
        votedByMe: voted.has(d.id),
        workingDays: d.working_days,
        dueDate: d.due_date,
        overdue: this.overdue(d),
        respondedAt: iso(d.responded_at),
        answerWorkingDays: this.answerDays(d.created_at, d.responded_at, ov),
        createdAt: d.created_at.toISOString(),
        canAnswer: d.status === 'open' && mayAnswer,
        canRoute: d.status === 'open' && (await this.ctx.authz.can(actor, 'feedback.route', { type: 'feedback' })),
        events: events.filter((e) => e.subject_id === d.id).map((e) => this.eventView(e)),
      });
    }
    return out;
  }

  private async publicDemand(id: string, db: Executor = this.db, forUpdate = false): Promise<DemandRow> {
    const d = await this.repo.getDemand(db, id, forUpdate);
    if (!d) throw notFound('FEEDBACK_DEMAND_NOT_FOUND', {}, { id });
    return d;
  }

  async listDemands(
    actor: Actor,
    q: { status?: string; orgId?: string; resourceId?: string; q?: string; sort?: 'new' | 'votes'; page?: number; pageSize?: number },
  ): Promise<S.DemandPageT> {
    const page = Math.max(1, q.page ?? 1);
    const pageSize = Math.min(100, Math.max(1, q.pageSize ?? 20));
    const res = await this.repo.listDemands(this.db, {
      status: q.status,
      targetOrgIds: q.orgId ? [q.orgId] : null,
      resourceId: q.resourceId,
      q: q.q?.trim() || undefined,
      sort: q.sort ?? 'new',
      limit: pageSize,
      offset: (page - 1) * pageSize,
    });
    return { items: await this.demandViews(actor, res.items, false), total: res.total, page, pageSize };
  }

  async getDemand(actor: Actor, id: string): Promise<S.DemandT> {
    const [v] = await this.demandViews(actor, [await this.publicDemand(id)], true);
    return v!;
  }

  /** The public demand board as CSV (formula-looking cells neutralized, like dataset exports). */
  async demandsCsv(actor: Actor, lang: 'zh' | 'en'): Promise<string> {
    const res = await this.repo.listDemands(this.db, { sort: 'new', limit: 10_000, offset: 0 });
    const views = await this.demandViews(actor, res.items, false);
    const head =
      lang === 'zh'
        ? ['编号', '标题', '说明', '类型', '提出人', '答复部门', '状态', '答复', '计划日期', '附议数', '时限', '已逾期', '提出时间']
        : [
            'id',
            'title',
            'description',
            'kind',
            'requester',
            'department',
            'status',
            'reply',
            'planned date',
            'votes',
            'due date',
            'overdue',
            'created',
          ];
    const cell = (v: unknown) => {
      const s = neutralizeText(v === null || v === undefined ? '' : String(v));
      return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
    };
    const lines = [head.map(cell).join(',')];
    for (const d of views)
      lines.push(
        [
          d.id,
          d.title,
          d.description,
          d.kind,
          d.requester,
          d.targetOrg ? (lang === 'zh' ? d.targetOrg.nameZh : d.targetOrg.nameEn) : '',
          d.answerKind ?? d.status,
          d.reply,
          d.plannedDate ?? '',
          d.votes,
          d.dueDate ?? '',
          d.overdue ? 'Y' : '',
          d.createdAt,
        ]
          .map(cell)
          .join(','),
      );
    return '\uFEFF' + lines.join('\r\n') + '\r\n';
  }

  private async checkTargetOrg(id: string | null | undefined): Promise<string | null> {
    if (!id) return null;
    const o = await this.ctx.authz.orgs.get(id);
    if (!o || !['authority', 'department', 'unit'].includes(o.kind) || o.status !== 'active')
      throw badRequest('FEEDBACK_ORG_UNKNOWN', {}, { field: 'targetOrgId' });
    return id;
  }

  async createDemand(actor: Actor, input: S.CreateDemandInput): Promise<S.DemandT> {
    const userId = this.signedIn(actor);
    await this.ctx.authz.authorize(actor, 'feedback.submit', { type: 'demand', userId });
    const title = text(input.title, 'title', 200, true);
    const description = text(input.description, 'description', 4000, false);
    const purpose = text(input.purpose, 'purpose', 2000, false);
    const neededFields = [...new Set((input.neededFields ?? []).map((f) => text(f, 'neededFields', 100, false)).filter(Boolean))];
    const kind: DemandKind = input.kind ?? 'dataset';
    let resourceId: string | null = null;
    let target = await this.checkTargetOrg(input.targetOrgId);
    if (kind !== 'dataset' || input.resourceId) {
      if (!input.resourceId) throw badRequest('FEEDBACK_FIELD_REQUIRED', { field: 'resourceId' }, { field: 'resourceId' });
      let r;
      try {
        r = await this.ctx.catalog.getForRead(actor, input.resourceId);
      } catch (e) {
        if (e instanceof AppError && e.status === 404) throw badRequest('FEEDBACK_RESOURCE_UNKNOWN', {}, { field: 'resourceId' });
        throw e;
      }
      resourceId = r.id;
      target ??= r.providerOrgId;
    }
    const org = actor.orgId ? await this.ctx.authz.orgs.get(actor.orgId) : undefined;
    const raiserKind = org && ['authority', 'department', 'unit'].includes(org.kind) ? 'department' : 'public';
    const id = await this.db.transaction().execute(async (tx) => {
      await this.checkRate(tx, userId);
      const at = this.now();
      const days = await this.setting('demand_answer_days', tx);
      const plan = await planDeadline(this.ctx.calendar, at, days, await this.setting('reminder_lead_days', tx));
      const id = await this.repo.insertDemand(tx, {
        title,
        description,
        neededFields,
        purpose,
        raiserKind,
        raisedBy: userId,
        raiserOrgId: actor.orgId,
        targetOrgId: target,
        kind,
        resourceId,
        workingDays: days,
        dueDate: plan.dueDate,
        dueAt: plan.dueAt,
      });
      await this.repo.addEvent(tx, { subjectType: 'demand', subjectId: id, action: 'submitted', byRole: 'requester', byUser: userId });
      await this.deadlineJobs.schedule(tx, { key: `demand:${id}`, deadlineId: `demand:${id}`, dueAt: plan.dueAt, remindAt: plan.remindAt });
      await this.notifyAnswerers(tx, target, {
        zh: `新的开放数据需求：${title}`,
        en: `New open data demand: ${title}`,
      });
      await this.ledger(tx, actor, 'feedback.demand.create', 'demand', id, target, {
        title,
        kind,
        resourceId,
        targetOrgId: target,
        dueDate: plan.dueDate,
      });
      return id;
    });
    return this.getDemand(actor, id);
  }

  private async notifyAnswerers(tx: Tx, orgId: string | null, title: { zh: string; en: string }, body?: { zh: string; en: string }) {
    await this.ctx.notifications.notify(tx, {
      ...(orgId ? { role: 'provider_clerk' as const, orgId } : { role: 'authority_admin' as const }),
      kind: 'feedback.inbox',
      title,
      ...(body ? { body } : {}),
      link: '/feedback',
      email: false,
    });
  }

  async routeDemand(actor: Actor, id: string, orgId: string): Promise<S.DemandT> {
    await this.db.transaction().execute(async (tx) => {
      const d = await this.publicDemand(id, tx, true);
      await this.ctx.authz.authorize(actor, 'feedback.route', { type: 'demand', id });
      if (d.status !== 'open') throw conflict('FEEDBACK_DEMAND_CLOSED', { status: d.status }, { status: d.status });
      const target = (await this.checkTargetOrg(orgId))!;
      await this.repo.routeDemand(tx, id, target);
      const o = await this.orgBrief(target);
      await this.repo.addEvent(tx, {
        subjectType: 'demand',
        subjectId: id,
        action: 'routed',
        byRole: 'authority',
        byUser: actor.userId,
        details: { orgId: target, nameZh: o?.nameZh, nameEn: o?.nameEn },
      });
      await this.notifyAnswerers(tx, target, { zh: `转来的开放数据需求：${d.title}`, en: `A demand was routed to you: ${d.title}` });
      await this.ledger(tx, actor, 'feedback.demand.route', 'demand', id, target, { from: d.target_org_id, to: target });
    });
    return this.getDemand(actor, id);
  }

  async answerDemand(actor: Actor, id: string, input: S.AnswerDemandInput): Promise<S.DemandT> {
    await this.db.transaction().execute(async (tx) => {
      const d = await this.publicDemand(id, tx, true);
      if (!(await this.mayAnswer(actor, d.target_org_id))) throw forbidden('FORBIDDEN', {}, { action: 'feedback.answer' });
      if (d.status !== 'open') throw conflict('FEEDBACK_DEMAND_CLOSED', { status: d.status }, { status: d.status });
      const kind: AnswerKind = input.kind;
      const reply = text(input.reply, 'reply', 2000, kind === 'rejected');
      if (kind === 'rejected' && [...reply].length < MIN_REASON)
        throw badRequest('FEEDBACK_REASON_REQUIRED', { min: MIN_REASON }, { field: 'reply' });
      let plannedDate: string | null = null;
      let resourceId: string | null = null;
      if (kind === 'accepted') {
        plannedDate = input.plannedDate ?? null;
        if (!plannedDate || !/^\d{4}-\d{2}-\d{2}$/.test(plannedDate) || Number.isNaN(Date.parse(plannedDate)))
          throw badRequest('FEEDBACK_PLANNED_DATE_REQUIRED', {}, { field: 'plannedDate' });
        if (plannedDate < chinaDate(this.now())) throw badRequest('FEEDBACK_PLANNED_DATE_PAST', {}, { field: 'plannedDate' });
      } else if (kind === 'available') {
        if (!input.resourceId) throw badRequest('FEEDBACK_FIELD_REQUIRED', { field: 'resourceId' }, { field: 'resourceId' });
        // "Already available" points the public at an open resource: it must be visible without login.
        if (!(await this.resourceBrief(ANONYMOUS, input.resourceId)))
          throw badRequest('FEEDBACK_RESOURCE_NOT_PUBLIC', {}, { field: 'resourceId' });
        resourceId = input.resourceId;
      }
      const at = this.now();
      await this.repo.answerDemand(tx, id, {
        status: kind === 'rejected' ? 'rejected' : 'answered',
        kind,
        reply,
        by: actor.userId,
        plannedDate,
        resourceId,
        at,
      });
      await this.deadlineJobs.cancel(tx, `demand:${id}`, true);
      await this.repo.addEvent(tx, {
        subjectType: 'demand',
        subjectId: id,
        action: kind,
        byRole: await this.roleOf(actor, d.target_org_id),
        byUser: actor.userId,
        text: reply,
        details: { plannedDate, resourceId },
      });
      const title =
        kind === 'rejected'
          ? { zh: `您的数据需求未获支持：${d.title}`, en: `Your data demand was rejected: ${d.title}` }
          : { zh: `您的数据需求已答复：${d.title}`, en: `Your data demand was answered: ${d.title}` };
      await this.ctx.notifications.notify(tx, {
        userIds: [d.raised_by],
        kind: `feedback.demand.${kind}`,
        title,
        body: { zh: reply, en: reply },
        link: `/data/demands/${id}`,
      });
      await this.ledger(tx, actor, `feedback.demand.answer`, 'demand', id, d.target_org_id, {
        kind,
        reply,
        plannedDate,
        resourceId,
        overdue: this.overdue(d),
      });
    });
    return this.getDemand(actor, id);
  }

  async vote(actor: Actor, id: string, on: boolean): Promise<{ votes: number; votedByMe: boolean }> {
    const userId = this.signedIn(actor);
    await this.ctx.authz.authorize(actor, 'feedback.submit', { type: 'demand', id, userId });
    return this.db.transaction().execute(async (tx) => {
      const d = await this.publicDemand(id, tx, true);
      const changed = on ? await this.repo.vote(tx, id, userId) : await this.repo.unvote(tx, id, userId);
      if (changed) await this.ledger(tx, actor, on ? 'feedback.demand.vote' : 'feedback.demand.unvote', 'demand', id, d.target_org_id, {});
      const after = (await this.repo.getDemand(tx, id))!;
      return { votes: after.vote_count, votedByMe: on };
    });
  }

  // =========================================================================================== error reports
  private async reportViews(actor: Actor, rows: ReportRow[], withEvents = true): Promise<S.ReportT[]> {
    const ov = await this.overrides();
    const events = withEvents
      ? await this.repo.events(
          this.db,
          'error_report',
          rows.map((r) => r.id),
        )
      : [];
    const out: S.ReportT[] = [];
    for (const r of rows) {
      const mayAnswer = await this.mayAnswer(actor, r.provider_org_id);
      const mine = !!actor.userId && actor.userId === r.reporter_id;
      out.push({
        id: r.id,
        number: r.number,
        resource: await this.resourceBrief(actor, r.resource_id),
        datasetId: r.dataset_id,
        version: r.version,
        rowNumber: r.row_number === null ? null : Number(r.row_number),
        field: r.field,
        kind: r.kind,
        description: r.description,
        reporter: maskName(r.reporter_name),
        mine,
        providerOrg: await this.orgBrief(r.provider_org_id),
        status: r.status,
        answer: r.answer,
        respondedAt: iso(r.responded_at),
        answerWorkingDays: this.answerDays(r.created_at, r.responded_at, ov),
        fixedVersion: r.fixed_version,
        correctedAt: iso(r.corrected_at),
        workingDays: r.working_days,
        dueDate: r.due_date,
        overdue: this.overdue(r),
        createdAt: r.created_at.toISOString(),
        allowed: [
          ...(mayAnswer && ['open', 'needs_info'].includes(r.status) ? (['accept', 'reject', 'needs_info'] as const) : []),
          ...(mayAnswer && r.status === 'accepted' ? (['correct'] as const) : []),
          ...(mine && r.status === 'needs_info' ? (['info'] as const) : []),
        ].filter((x) => !(x === 'needs_info' && r.status === 'needs_info')),
        events: events.filter((e) => e.subject_id === r.id).map((e) => this.eventView(e)),
      });
    }
    return out;
  }

  /** The report if the actor may see its dataset, else 404. */
  private async visibleReport(actor: Actor, id: string, db: Executor = this.db, forUpdate = false): Promise<ReportRow> {
    const r = await this.repo.getReport(db, id, forUpdate);
    if (!r || !(await this.resourceBrief(actor, r.resource_id))) throw notFound('FEEDBACK_REPORT_NOT_FOUND', {}, { id });
    return r;
  }

  async getReport(actor: Actor, id: string): Promise<S.ReportT> {
    const [v] = await this.reportViews(actor, [await this.visibleReport(actor, id)]);
    return v!;
  }

  /** The public thread of a dataset: its error reports with their answers (404 when the resource is not visible). */
  async datasetReports(actor: Actor, resourceId: string, q: { page?: number; pageSize?: number }): Promise<S.ReportPageT> {
    if (!(await this.resourceBrief(actor, resourceId))) throw notFound('FEEDBACK_RESOURCE_NOT_FOUND', {}, { id: resourceId });
    const page = Math.max(1, q.page ?? 1);
    const pageSize = Math.min(100, Math.max(1, q.pageSize ?? 20));
    const res = await this.repo.listReports(this.db, { resourceId, limit: pageSize, offset: (page - 1) * pageSize });
    return { items: await this.reportViews(actor, res.items), total: res.total, page, pageSize };
  }

  async createReport(actor: Actor, resourceId: string, input: S.CreateReportInput): Promise<S.ReportT> {
    const userId = this.signedIn(actor);
    await this.ctx.authz.authorize(actor, 'feedback.submit', { type: 'error_report', userId });
    let resource;
    try {
      resource = await this.ctx.catalog.getForRead(actor, resourceId);
    } catch (e) {
      if (e instanceof AppError && e.status === 404) throw notFound('FEEDBACK_RESOURCE_NOT_FOUND', {}, { id: resourceId });
      throw e;
    }
    const description = text(input.description, 'description', 2000, true);
    const dataset = await this.ctx.datasets.byResource(actor, resourceId);
    if (!dataset || dataset.current_version === null) throw conflict('FEEDBACK_NO_DATASET', {}, { field: 'resourceId' });
    const versions = await this.ctx.datasets.versions(actor, dataset.id);
    const version = input.version ?? dataset.current_version;
    const v = versions.find((x) => x.version === version);
    if (!v) throw badRequest('FEEDBACK_VERSION_UNKNOWN', { version }, { field: 'version', version });
    const rowNumber = input.rowNumber ?? null;
    if (rowNumber !== null && (rowNumber < 1 || rowNumber > Number(v.row_count)))
      throw badRequest(
        'FEEDBACK_ROW_UNKNOWN',
        { row: rowNumber, rows: Number(v.row_count) },
        { field: 'rowNumber', rows: Number(v.row_count) },
      );
    let field: string | null = input.field?.trim() || null;
    if (field !== null) {
      const names = new Set<string>();
      for (const f of ((v.schema as { fields?: { name?: string }[] })?.fields ?? []) as { name?: string }[]) if (f.name) names.add(f.name);
      for (const f of resource.fields) {
        names.add(f.nameZh);
        names.add(f.code);
      }
      if (!names.has(field)) throw badRequest('FEEDBACK_FIELD_UNKNOWN', { field }, { field: 'field', value: field });
      field = field.slice(0, 200);
    }
    const id = await this.db.transaction().execute(async (tx) => {
      await this.checkRate(tx, userId);
      const at = this.now();
      const days = await this.setting('error_answer_days', tx);
      const plan = await planDeadline(this.ctx.calendar, at, days, await this.setting('reminder_lead_days', tx));
      const id = await this.repo.insertReport(tx, {
        resourceId,
        datasetId: dataset.id,
        version,
        rowNumber,
        field,
        kind: input.kind as ReportKind,
        description,
        reporterId: userId,
        providerOrgId: resource.providerOrgId,
        workingDays: days,
        dueDate: plan.dueDate,
        dueAt: plan.dueAt,
        year: Number(chinaDate(at).slice(0, 4)),
      });
      await this.repo.addEvent(tx, {
        subjectType: 'error_report',
        subjectId: id,
        action: 'submitted',
        byRole: 'requester',
        byUser: userId,
        text: description,
      });
      await this.deadlineJobs.schedule(tx, { key: `report:${id}`, deadlineId: `report:${id}`, dueAt: plan.dueAt, remindAt: plan.remindAt });
      await this.notifyAnswerers(
        tx,
        resource.providerOrgId,
        { zh: `数据纠错：${resource.nameZh}`, en: `Error report: ${resource.nameEn || resource.nameZh}` },
        { zh: description, en: description },
      );
      await this.ledger(tx, actor, 'feedback.report.create', 'error_report', id, resource.providerOrgId, {
        resourceId,
        datasetId: dataset.id,
        version,
        rowNumber,
        field,
        kind: input.kind,
        dueDate: plan.dueDate,
      });
      return id;
    });
    return this.getReport(actor, id);
  }

  /** A step on an error report: accept, reject, needs_info, correct (the provider) or info (the reporter). */
  async actOnReport(actor: Actor, id: string, input: S.ReportActionInput): Promise<S.ReportT> {
    this.signedIn(actor);
    await this.db.transaction().execute(async (tx) => {
      const r = await this.visibleReport(actor, id, tx, true);
      const [view] = await this.reportViews(actor, [r], false);
      if (!view!.allowed.includes(input.action)) {
        if (input.action === 'info' ? !view!.mine : !(await this.mayAnswer(actor, r.provider_org_id)))
          throw forbidden('FORBIDDEN', {}, { action: input.action === 'info' ? 'feedback.submit' : 'feedback.answer' });
        throw conflict(
          'FEEDBACK_REPORT_STEP_INVALID',
          { status: r.status, action: input.action },
          { status: r.status, allowed: view!.allowed },
        );
      }
      const at = this.now();
      const body = text(input.text, 'text', 2000, input.action === 'reject' || input.action === 'needs_info' || input.action === 'info');
      if (input.action === 'reject' && [...body].length < MIN_REASON)
        throw badRequest('FEEDBACK_REASON_REQUIRED', { min: MIN_REASON }, { field: 'text' });
      const details: Record<string, unknown> = { from: r.status };
      if (input.action === 'accept' || input.action === 'reject' || input.action === 'needs_info') {
        const status = input.action === 'accept' ? 'accepted' : input.action === 'reject' ? 'rejected' : 'needs_info';
        await this.repo.updateReport(tx, id, { status, answer: body, answeredBy: actor.userId, respondedAt: at });
        await this.deadlineJobs.cancel(tx, `report:${id}`, true);
        details.to = status;
      } else if (input.action === 'correct') {
        const fixed = input.fixedVersion;
        if (!fixed || fixed <= r.version)
          throw badRequest('FEEDBACK_FIXED_VERSION_INVALID', { version: r.version }, { field: 'fixedVersion' });
        const versions = await this.ctx.datasets.versions(actor, r.dataset_id);
        if (!versions.some((v) => v.version === fixed))
          throw badRequest('FEEDBACK_VERSION_UNKNOWN', { version: fixed }, { field: 'fixedVersion', version: fixed });
        await this.repo.updateReport(tx, id, {
          status: 'corrected',
          fixedVersion: fixed,
          correctedAt: at,
          ...(body ? { answer: body } : {}),
        });
        Object.assign(details, { to: 'corrected', fixedVersion: fixed });
      } else {
        // The reporter adds the information asked for: the provider's clock starts again.
        const days = await this.setting('error_answer_days', tx);
        const plan = await planDeadline(this.ctx.calendar, at, days, await this.setting('reminder_lead_days', tx));
        await this.repo.updateReport(tx, id, { status: 'open', reopen: { workingDays: days, dueDate: plan.dueDate, dueAt: plan.dueAt } });
        await this.deadlineJobs.cancel(tx, `report:${id}`, true);
        await this.deadlineJobs.schedule(tx, {
          key: `report:${id}`,
          deadlineId: `report:${id}`,
          dueAt: plan.dueAt,
          remindAt: plan.remindAt,
        });
        Object.assign(details, { to: 'open', dueDate: plan.dueDate });
      }
      const byRole = input.action === 'info' ? 'requester' : await this.roleOf(actor, r.provider_org_id);
      await this.repo.addEvent(tx, {
        subjectType: 'error_report',
        subjectId: id,
        action: input.action,
        byRole,
        byUser: actor.userId,
        text: body,
        details: input.action === 'correct' ? { fixedVersion: input.fixedVersion } : {},
      });
      if (input.action === 'info')
        await this.notifyAnswerers(tx, r.provider_org_id, {
          zh: `纠错补充了信息：${r.number}`,
          en: `Information added to error report ${r.number}`,
        });
      else
        await this.ctx.notifications.notify(tx, {
          userIds: [r.reporter_id],
          kind: `feedback.report.${input.action}`,
          title: { zh: `您的数据纠错 ${r.number} 有了答复`, en: `Your error report ${r.number} was answered` },
          body: { zh: body, en: body },
          link: `/data/reports/${id}`,
        });
      await this.ledger(tx, actor, `feedback.report.${input.action}`, 'error_report', id, r.provider_org_id, { ...details, text: body });
    });
    return this.getReport(actor, id);
  }

  // ================================================================================================= inbox
  /** What a department has to answer: demands routed to it (unrouted ones for the authority) and error reports. */
  async inbox(actor: Actor, q: { type: 'demand' | 'report'; status?: string; page?: number; pageSize?: number }) {
    this.signedIn(actor);
    const all = await this.ctx.authz.can(actor, 'feedback.inbox.read', { type: 'feedback' });
    let orgIds: string[] | null = null;
    if (!all) {
      if (!actor.orgId || !(await this.ctx.authz.can(actor, 'feedback.inbox.read', { type: 'feedback', orgId: actor.orgId })))
        throw forbidden('FORBIDDEN', {}, { action: 'feedback.inbox.read' });
      orgIds = await this.ctx.authz.orgs.subtree(actor.orgId);
    }
    const page = Math.max(1, q.page ?? 1);
    const pageSize = Math.min(100, Math.max(1, q.pageSize ?? 20));
    if (q.type === 'demand') {
      const res = await this.repo.listDemands(this.db, {
        status: q.status,
        targetOrgIds: orgIds,
        sort: 'new',
        limit: pageSize,
        offset: (page - 1) * pageSize,
      });
      return { demands: await this.demandViews(actor, res.items, false), reports: [], total: res.total, page, pageSize };
    }
    const res = await this.repo.listReports(this.db, {
      providerOrgIds: orgIds,
      status: q.status,
      limit: pageSize,
      offset: (page - 1) * pageSize,
    });
    return { demands: [], reports: await this.reportViews(actor, res.items, true), total: res.total, page, pageSize };
  }

  // ============================================================================================== deadlines
  private parseDeadline(deadlineId: string): { type: SubjectType; id: string } | null {
    const [type, id] = deadlineId.split(':');
    if (!id) return null;
    return type === 'demand' ? { type: 'demand', id } : type === 'report' ? { type: 'error_report', id } : null;
  }

  /** The due job: an item still unanswered at its due time is flagged overdue (the department and the authority are told). */
  async fireDeadline(deadlineId: string, opts: { at?: Date } = {}): Promise<{ result: string }> {
    const s = this.parseDeadline(deadlineId);
    if (!s) return { result: 'gone' };
    return this.db.transaction().execute(async (tx) => {
      const at = opts.at ?? this.now();
      const row = s.type === 'demand' ? await this.repo.getDemand(tx, s.id, true) : await this.repo.getReport(tx, s.id, true);
      if (!row) return { result: 'gone' };
      if (row.status !== 'open') return { result: 'closed' };
      if (!row.due_at || at < row.due_at) return { result: 'not_due' };
      if (row.overdue_at) return { result: 'already_overdue' };
      const orgId = s.type === 'demand' ? (row as DemandRow).target_org_id : (row as ReportRow).provider_org_id;
      if (s.type === 'demand') await this.repo.markDemandOverdue(tx, s.id, at);
      else await this.repo.markReportOverdue(tx, s.id, at);
      await this.repo.addEvent(tx, {
        subjectType: s.type,
        subjectId: s.id,
        action: 'overdue',
        byRole: 'system',
        byUser: null,
        details: { dueDate: row.due_date, workingDays: row.working_days },
      });
      const label = s.type === 'demand' ? (row as DemandRow).title : (row as ReportRow).number;
      const title = { zh: `已逾期未答复：${label}`, en: `Overdue without an answer: ${label}` };
      await this.notifyAnswerers(tx, orgId, title);
      if (orgId) await this.notifyAnswerers(tx, null, title);
      await this.ledger(tx, SYSTEM, `feedback.${s.type === 'demand' ? 'demand' : 'report'}.overdue`, s.type, s.id, orgId, {
        dueDate: row.due_date,
        workingDays: row.working_days,
      });
      return { result: 'overdue' };
    });
  }

  /** The reminder job: an item still open and not yet due is reminded once (a retried or repeated job does nothing). */
  async fireReminder(deadlineId: string, opts: { at?: Date } = {}): Promise<{ result: string }> {
    const s = this.parseDeadline(deadlineId);
    if (!s) return { result: 'gone' };
    return this.db.transaction().execute(async (tx) => {
      const row = s.type === 'demand' ? await this.repo.getDemand(tx, s.id, true) : await this.repo.getReport(tx, s.id, true);
      if (!row || row.status !== 'open') return { result: 'closed' };
      if (row.reminded_at) return { result: 'already_reminded' };
      const at = opts.at ?? this.now();
      if (row.overdue_at || (row.due_at && at >= row.due_at)) return { result: 'past_due' };
      const orgId = s.type === 'demand' ? (row as DemandRow).target_org_id : (row as ReportRow).provider_org_id;
      const label = s.type === 'demand' ? (row as DemandRow).title : (row as ReportRow).number;
      await this.notifyAnswerers(tx, orgId, { zh: `即将到期（${row.due_date}）：${label}`, en: `Due on ${row.due_date}: ${label}` });
      if (s.type === 'demand') await this.repo.markDemandReminded(tx, s.id, at);
      else await this.repo.markReportReminded(tx, s.id, at);
      return { result: 'reminded' };
    });
  }

  // ================================================================================================== stats
  /** Public figures: answer rate, median working days to the first answer, overdue — overall and per department. */
  async stats(): Promise<S.StatsT> {
    const rows = await this.repo.statRows(this.db);
    const ov = await this.overrides();
    type Acc = { total: number; answered: number; overdue: number; days: number[] };
    const blank = (): Acc => ({ total: 0, answered: 0, overdue: 0, days: [] });
    const overall: Record<SubjectType, Acc> = { demand: blank(), error_report: blank() };
    const byOrg = new Map<string, Record<SubjectType, Acc>>();
    for (const r of rows) {
      const key = r.org_id ?? '';
      if (!byOrg.has(key)) byOrg.set(key, { demand: blank(), error_report: blank() });
      for (const acc of [overall[r.type], byOrg.get(key)![r.type]]) {
        acc.total++;
        if (r.overdue) acc.overdue++;
        if (r.responded_at) {
          acc.answered++;
          acc.days.push(this.answerDays(r.created_at, r.responded_at, ov)!);
        }
      }
    }
    const fig = (a: Acc): S.StatFigureT => ({
      total: a.total,
      answered: a.answered,
      overdue: a.overdue,
      answerRate: a.total ? Math.round((a.answered / a.total) * 10_000) / 10_000 : null,
      medianAnswerDays: median(a.days),
    });
    const departments: S.StatsT['departments'] = [];
    for (const [orgId, acc] of byOrg)
      departments.push({ org: orgId ? await this.orgBrief(orgId) : null, demands: fig(acc.demand), errorReports: fig(acc.error_report) });
    departments.sort((a, b) => (a.org?.nameZh ?? '~').localeCompare(b.org?.nameZh ?? '~', 'zh'));
    const published = await this.repo.listReuses(this.db, { status: 'published', limit: 1, offset: 0 });
    return {
      demands: fig(overall.demand),
      errorReports: fig(overall.error_report),
      reuses: published.total,
      departments,
      generatedAt: this.now().toISOString(),
    };
  }

  // ================================================================================================= reuses
  private async reuseViews(actor: Actor, rows: ReuseRow[]): Promise<S.ReuseT[]> {
    const links = await this.repo.reuseResources(
      this.db,
      rows.map((r) => r.id),
    );
    const moderator = await this.ctx.authz.can(actor, 'feedback.moderate', { type: 'reuse' });
    const out: S.ReuseT[] = [];
    for (const r of rows) {
      const datasets: S.ResourceBriefT[] = [];
      for (const l of links.filter((x) => x.reuse_id === r.id)) {
        const b = await this.resourceBrief(actor, l.resource_id);
        if (b) datasets.push(b);
      }
      const mine = !!actor.userId && actor.userId === r.submitted_by;
      out.push({
        id: r.id,
        title: r.title,
        description: r.description,
        kind: r.kind,
        url: r.url,
        imageUrl: r.image_url,
        submitter: maskName(r.submitter_name),
        mine,
        status: r.status,
        rejectReason: mine || moderator ? r.reject_reason : null,
        featured: r.featured,
        datasets,
        createdAt: r.created_at.toISOString(),
        moderatedAt: iso(r.moderated_at),
        canModerate: moderator,
      });
    }
    return out;
  }

  private async visibleReuse(actor: Actor, id: string, db: Executor = this.db, forUpdate = false): Promise<ReuseRow> {
    const r = await this.repo.getReuse(db, id, forUpdate);
    const ok =
      !!r &&
      (r.status === 'published' ||
        (!!actor.userId && actor.userId === r.submitted_by) ||
        (await this.ctx.authz.can(actor, 'feedback.moderate', { type: 'reuse', id })) ||
        (await this.ctx.authz.can(actor, 'feedback.reuse.read', { type: 'reuse', id })));
    if (!ok) throw notFound('FEEDBACK_REUSE_NOT_FOUND', {}, { id });
    return r!;
  }

  async getReuse(actor: Actor, id: string): Promise<S.ReuseT> {
    const [v] = await this.reuseViews(actor, [await this.visibleReuse(actor, id)]);
    return v!;
  }

  /**
   * Reuses: the public sees published ones (optionally featured, or of one dataset); `mine` lists the caller's own in
   * any state; `status` other than published is for the authority (moderation queue).
   */
  async listReuses(
    actor: Actor,
    q: { status?: ReuseStatus; featured?: boolean; resourceId?: string; mine?: boolean; page?: number; pageSize?: number },
  ): Promise<S.ReusePageT> {
    const page = Math.max(1, q.page ?? 1);
    const pageSize = Math.min(100, Math.max(1, q.pageSize ?? 20));
    let status: ReuseStatus | undefined = 'published';
    let submittedBy: string | undefined;
    if (q.mine) {
      submittedBy = this.signedIn(actor);
      status = q.status;
    } else if (q.status && q.status !== 'published') {
      if (
        !(await this.ctx.authz.can(actor, 'feedback.moderate', { type: 'reuse' })) &&
        !(await this.ctx.authz.can(actor, 'feedback.reuse.read', { type: 'reuse' }))
      )
        throw forbidden('FORBIDDEN', {}, { action: 'feedback.moderate' });
      status = q.status;
    }
    if (q.resourceId && !(await this.resourceBrief(actor, q.resourceId)))
      throw notFound('FEEDBACK_RESOURCE_NOT_FOUND', {}, { id: q.resourceId });
    const res = await this.repo.listReuses(this.db, {
      status,
      featured: q.featured,
      resourceId: q.resourceId,
      submittedBy,
      limit: pageSize,
      offset: (page - 1) * pageSize,
    });
    return { items: await this.reuseViews(actor, res.items), total: res.total, page, pageSize };
  }

  async createReuse(actor: Actor, input: S.CreateReuseInput): Promise<S.ReuseT> {
    const userId = this.signedIn(actor);
    await this.ctx.authz.authorize(actor, 'feedback.submit', { type: 'reuse', userId });
    const title = text(input.title, 'title', 200, true);
    const description = text(input.description, 'description', 4000, true);
    const url = checkUrl(input.url, 'url');
    const imageUrl = input.imageUrl?.trim() ? checkUrl(input.imageUrl, 'imageUrl') : null;
    const ids = [...new Set(input.resourceIds)];
    if (!ids.length) throw badRequest('FEEDBACK_FIELD_REQUIRED', { field: 'resourceIds' }, { field: 'resourceIds' });
    if (ids.length > MAX_REUSE_DATASETS)
      throw badRequest('FEEDBACK_TOO_MANY_DATASETS', { max: MAX_REUSE_DATASETS }, { field: 'resourceIds' });
    for (const rid of ids)
      if (!(await this.resourceBrief(actor, rid))) throw badRequest('FEEDBACK_RESOURCE_UNKNOWN', {}, { field: 'resourceIds', value: rid });
    const id = await this.db.transaction().execute(async (tx) => {
      await this.checkRate(tx, userId);
      const id = await this.repo.insertReuse(tx, {
        title,
        description,
        kind: input.kind as ReuseKind,
        url,
        imageUrl,
        submittedBy: userId,
        resourceIds: ids,
      });
      await this.notifyAnswerers(tx, null, { zh: `待审核的应用成果：${title}`, en: `Reuse awaiting moderation: ${title}` });
      await this.ledger(tx, actor, 'feedback.reuse.create', 'reuse', id, null, {
        title,
        kind: input.kind,
        url,
        imageUrl,
        resourceIds: ids,
      });
      return id;
    });
    return this.getReuse(actor, id);
  }

  async moderateReuse(actor: Actor, id: string, input: S.ModerateReuseInput): Promise<S.ReuseT> {
    await this.db.transaction().execute(async (tx) => {
      const r = await this.visibleReuse(actor, id, tx, true);
      await this.ctx.authz.authorize(actor, 'feedback.moderate', { type: 'reuse', id });
      const reason = text(input.reason, 'reason', 2000, input.action === 'reject');
      if (input.action === 'reject' && [...reason].length < MIN_REASON)
        throw badRequest('FEEDBACK_REASON_REQUIRED', { min: MIN_REASON }, { field: 'reason' });
      if ((input.action === 'feature' || input.action === 'unfeature') && r.status !== 'published')
        throw conflict('FEEDBACK_REUSE_NOT_PUBLISHED', {}, { status: r.status });
      const patch =
        input.action === 'publish'
          ? { status: 'published' as const, rejectReason: null }
          : input.action === 'reject'
            ? { status: 'rejected' as const, rejectReason: reason }
            : { featured: input.action === 'feature' };
      await this.repo.moderateReuse(tx, id, { ...patch, by: actor.userId });
      if (input.action === 'publish' || input.action === 'reject')
        await this.ctx.notifications.notify(tx, {
          userIds: [r.submitted_by],
          kind: `feedback.reuse.${input.action}`,
          title:
            input.action === 'publish'
              ? { zh: `您的应用成果已发布：${r.title}`, en: `Your reuse was published: ${r.title}` }
              : { zh: `您的应用成果未通过审核：${r.title}`, en: `Your reuse was rejected: ${r.title}` },
          body: { zh: reason, en: reason },
          link: `/data/reuses/${id}`,
        });
      await this.ledger(tx, actor, `feedback.reuse.${input.action}`, 'reuse', id, null, { from: r.status, reason });
    });
    return this.getReuse(actor, id);
  }
}
