// Government data sharing requests (政务数据共享申请, issue 6 §2): the workflow (workflow.ts) with working-day
// deadlines as durable jobs, and the grant of an entitlement on approval (src/modules/entitlements).
//
// Deadlines (sharing_deadlines; one job at due_at plus a reminder job before it, both cancelled when the step
// is taken): compliance (authority), provider_decision (provider; 5 or 10 working days), negotiation (both
// sides), coordination (authority). When the provider's or the negotiation's time runs out the job moves the
// request to the authority's coordination (escalation; the provider can no longer decide: 409); when the
// authority's own time runs out the deadline is flagged overdue and the authority admins are told. Figures are
// copied onto each deadline when it opens (sharing_settings, each with its source).
//
// Authorization (role matrix extended here):
// | who                          | may                                                                    |
// |------------------------------|------------------------------------------------------------------------|
// | consumer/provider clerk      | request for its own organization; act as 'consumer' on its org subtree's requests |
// | provider clerk               | act as 'provider' on requests for resources of its org subtree          |
// | authority admin              | compliance review, coordination, settings; reads everything             |
// | auditor                      | reads everything                                                        |
// Anyone else gets 404 for a request (no leak of existence).
import type { AppContext } from '../../context.ts';
import type { Executor, Tx } from '../../db/database.ts';
import { AppError, badRequest, conflict, forbidden, notFound } from '../../errors.ts';
import { SYSTEM, type Actor } from '../identity/actor.ts';
import { chinaDate, type OverrideMap } from '../jobs/calendar.ts';
import { WorkflowSettings } from '../jobs/settings.ts';
import { deadlineNotice, WorkflowDeadlines, type WorkflowDeadlineView } from '../jobs/workflow-deadlines.ts';
import type { EntitlementAction, EntitlementConditions, Quota } from '../entitlements/types.ts';
import './messages.ts';
import { SharingRepository, type DeadlineRow, type EventRow, type RequestRow } from './repository.ts';
import {
  allowedTransitions,
  findTransition,
  isState,
  ROLE_LABELS,
  STATE_DEADLINE,
  STATE_LABELS,
  type DeadlineKind,
  type SharingRole,
  type SharingState,
  type UsageScope,
} from './workflow.ts';

const OBJECT_TYPE = 'sharing_request';
const DAY_MS = 86_400_000;
/** A refusal gives its reasons: at least this many characters. */
export const MIN_REASON = 5;

export const SETTING_KEYS = [
  'compliance_days',
  'provider_days_on_platform',
  'provider_days_to_publish',
  'negotiation_days',
  'coordination_days',
  'reminder_lead_days',
  'due_soon_days',
  'max_validity_days',
] as const;
export type SettingKey = (typeof SETTING_KEYS)[number];

const DEADLINE_LABELS: Record<DeadlineKind, { zh: string; en: string }> = {
  compliance: { zh: '符合性审查', en: 'compliance review' },
  provider_decision: { zh: '提供部门答复', en: 'provider answer' },
  negotiation: { zh: '协商', en: 'negotiation' },
  coordination: { zh: '协调', en: 'coordination' },
};

export interface RequestInput {
  resourceId: string;
  fields: string[];
  actions: EntitlementAction[];
  legalBasis: string;
  purpose: string;
  scenario: string;
  usageScope: UsageScope;
  validFrom?: string;
  validTo: string;
  applicationId?: string | null;
  renewsEntitlementId?: string | null;
}

/** What the approver sets on a grant; each may only narrow the request. */
export interface DecisionTerms {
  fields?: string[];
  actions?: EntitlementAction[];
  validTo?: string;
  quota?: Quota | null;
  conditions?: EntitlementConditions;
}

export interface DeadlineView extends WorkflowDeadlineView<DeadlineKind, DeadlineRow['status']> {
  remindedAt: string | null;
}

export interface RequestSummary {
  id: string;
  number: string;
  state: SharingState;
  stateLabel: { zh: string; en: string };
  shareMode: 'unconditional' | 'conditional';
  resource: { id: string; code: string; nameZh: string; nameEn: string };
  requesterOrg: { id: string; nameZh: string; nameEn: string };
  providerOrg: { id: string; nameZh: string; nameEn: string };
  fields: string[];
  actions: string[];
  purpose: string;
  validFrom: string;
  validTo: string;
  renewsEntitlementId: string | null;
  entitlementId: string | null;
  nextDeadline: DeadlineView | null;
  createdAt: string;
  decidedAt: string | null;
}

export interface RequestDetail extends RequestSummary {
  legalBasis: string;
  scenario: string;
  usageScope: UsageScope;
  applicationId: string | null;
  dataOnPlatform: boolean | null;
  refusalReason: string | null;
  requesterUserId: string | null;
  deadlines: DeadlineView[];
  events: {
    id: number;
    kind: 'transition' | 'message';
    fromState: SharingState | null;
    toState: SharingState | null;
    byRole: SharingRole;
    actorName: string;
    comment: string;
    details: Record<string, unknown>;
    at: string;
  }[];
  /** The caller's parts in this request and the steps it may take now. */
  myRoles: SharingRole[];
  allowed: { to: SharingState; labelZh: string; labelEn: string; grants: boolean; refusal: boolean }[];
  canMessage: boolean;
}

const iso = (d: Date | null | undefined): string | null => (d ? d.toISOString() : null);

function trimRequired(v: string | undefined, field: string, labelZh: string, labelEn: string, lang: 'zh' | 'en' = 'zh'): string {
  const s = (v ?? '').trim();
  if (!s) throw badRequest('SHARING_FIELD_REQUIRED', { label: lang === 'zh' ? labelZh : labelEn }, { field });
  return s;
}

export class SharingService {
  readonly repo = new SharingRepository();
  /** The clock (tests move the workflow through time). */
  now: () => Date = () => new Date();
  /** The figures of the rules, each with its source (sharing_settings). */
  readonly settings: WorkflowSettings;
  /** The running time limits of the requests (sharing_deadlines) and their jobs. */
  readonly deadlines: WorkflowDeadlines<'request_id', DeadlineKind, 'met' | 'cancelled' | 'escalated', RequestRow>;

  constructor(readonly ctx: AppContext) {
    this.settings = new WorkflowSettings(ctx, { table: 'sharing_settings', module: 'sharing', codePrefix: 'SHARING' });
    this.deadlines = new WorkflowDeadlines(ctx, {
      name: 'sharing',
      table: 'sharing_deadlines',
      ownerColumn: 'request_id',
      objectType: OBJECT_TYPE,
      now: () => this.now(),
      lockCase: (tx, id) => this.repo.get(tx, id, true),
      due: (tx, row, dl, at) => this.escalate(tx, row, dl, at),
      overdue: (tx, row, dl) => this.deadlineOverdue(tx, row, dl),
      remind: (tx, row, dl) => this.deadlineWarning(tx, row, dl),
    });
    // Departments are both consumers and providers: either clerk may request for its own organization.
    ctx.authz.allow('consumer_clerk', 'sharing.request', 'org_subtree');
    ctx.authz.allow('provider_clerk', 'sharing.request', 'org_subtree');
  }

  private get db() {
    return this.ctx.db;
  }

  // ---------------------------------------------------------------------------------------------- settings
  async setting(key: SettingKey, db: Executor = this.db): Promise<number> {
    return this.settings.get(key, db);
  }

  // ---------------------------------------------------------------------------------------------- roles
  private isAuthority(actor: Actor): boolean {
    return actor.kind === 'system' || actor.roles.includes('authority_admin');
  }

  /** The caller's parts in a request: consumer (requester org subtree), provider (provider org subtree), authority. */
  async rolesOf(actor: Actor, row: Pick<RequestRow, 'requester_org_id' | 'provider_org_id'>): Promise<SharingRole[]> {
    const roles: SharingRole[] = [];
    if (actor.kind === 'anonymous') return roles;
    const orgs = this.ctx.authz.orgs;
    if (actor.orgId && (actor.roles.includes('consumer_clerk') || actor.roles.includes('provider_clerk')))
      if (await orgs.isWithin(row.requester_org_id, actor.orgId)) roles.push('consumer');
    if (actor.orgId && actor.roles.includes('provider_clerk') && (await orgs.isWithin(row.provider_org_id, actor.orgId)))
      roles.push('provider');
    if (this.isAuthority(actor)) roles.push('authority');
    return roles;
  }

  private canReadAll(actor: Actor): boolean {
    return this.isAuthority(actor) || actor.roles.includes('auditor');
  }

  /** The request (locked when in a transaction) if the caller may see it; 404 otherwise. */
  private async visible(
    actor: Actor,
    id: string,
    db: Executor = this.db,
    lock = false,
  ): Promise<{ row: RequestRow; roles: SharingRole[] }> {
    const row = /^[0-9a-f-]{36}$/i.test(id) ? await this.repo.get(db, id, lock) : undefined;
    if (!row) throw notFound('SHARING_REQUEST_NOT_FOUND', { id });
    const roles = await this.rolesOf(actor, row);
    if (!roles.length && !this.canReadAll(actor)) throw notFound('SHARING_REQUEST_NOT_FOUND', { id });
    return { row, roles };
  }

  // ---------------------------------------------------------------------------------------------- request
  async request(actor: Actor, input: RequestInput, opts: { at?: Date } = {}): Promise<RequestDetail> {
    const at = opts.at ?? this.now();
    await this.ctx.authz.authorize(actor, 'sharing.request', { type: OBJECT_TYPE, orgId: actor.orgId });
    if (!actor.orgId) throw forbidden('FORBIDDEN', {}, { action: 'sharing.request' });
    const legalBasis = trimRequired(input.legalBasis, 'legalBasis', '履职依据（法律依据）', 'legal basis');
    const purpose = trimRequired(input.purpose, 'purpose', '使用用途', 'purpose');
    const scenario = trimRequired(input.scenario, 'scenario', '应用场景', 'scenario');

    let resource;
    try {
      resource = await this.ctx.catalog.get(actor, input.resourceId);
    } catch (e) {
      if (e instanceof AppError && e.status === 404)
        throw notFound('SHARING_RESOURCE_NOT_FOUND', { id: input.resourceId }, { field: 'resourceId' });
      throw e;
    }
    if (resource.status !== 'published' && resource.status !== 'updated')
      throw conflict('SHARING_RESOURCE_NOT_PUBLISHED', { status: resource.status }, { field: 'resourceId' });
    // Not shareable: the negative list's legal basis first (issue 6 §2), else the resource's own 不予共享 basis.
    const block = await this.ctx.elements.negativeListBlocks(resource.id, 'share');
    if (block)
      throw conflict('SHARING_NEGATIVE_LIST', { legalBasis: block.legalBasis }, { field: 'resourceId', legalBasis: block.legalBasis });
    if (resource.shareMode === 'none')
      throw conflict(
        'SHARING_NOT_SHAREABLE',
        { basis: resource.shareBasis || '—' },
        { field: 'resourceId', legalBasis: resource.shareBasis },
      );
    if (await this.ctx.authz.orgs.isWithin(actor.orgId, resource.providerOrg.id))
      throw conflict('SHARING_OWN_DATA', {}, { field: 'resourceId' });

    const fields = [...new Set(input.fields.map((f) => f.trim()))];
    const byCode = new Map(resource.fields.map((f) => [f.code, f] as const));
    for (const [i, code] of fields.entries()) {
      const f = byCode.get(code);
      if (!f) throw badRequest('SHARING_FIELD_UNKNOWN', { field: code }, { field: `fields[${i}]`, value: code });
      if (f.shareMode === 'none')
        throw badRequest('SHARING_FIELD_NOT_SHAREABLE', { field: f.nameZh }, { field: `fields[${i}]`, value: code });
    }
    const actions = [...new Set(input.actions)];

    // Validity: from today (or the given start) to at most max_validity_days later.
    let validFrom = input.validFrom ? new Date(input.validFrom) : at;
    const validTo = new Date(input.validTo);
    if (Number.isNaN(validFrom.getTime()) || Number.isNaN(validTo.getTime()) || validTo <= validFrom || validTo <= at)
      throw badRequest('SHARING_VALIDITY_INVALID', {}, { field: 'validTo' });

    return this.db.transaction().execute(async (tx) => {
      if (input.applicationId) {
        const app = await this.repo.application(tx, input.applicationId);
        if (!app || !(await this.ctx.authz.orgs.isWithin(app.org_id, actor.orgId)) || app.state !== 'active')
          throw notFound('SHARING_APPLICATION_NOT_FOUND', {}, { field: 'applicationId' });
      }
      if (input.renewsEntitlementId) {
        const e = await this.ctx.entitlements.repo.byId(tx, input.renewsEntitlementId);
        if (!e || e.resourceId !== resource.id || !(await this.ctx.authz.orgs.isWithin(e.holderOrgId, actor.orgId)))
          throw notFound('SHARING_RENEWAL_NOT_FOUND', {}, { field: 'renewsEntitlementId' });
        // A renewal continues the grant: it starts when the old one ends (if that is still ahead).
        if (e.validTo && new Date(e.validTo) > validFrom) validFrom = new Date(e.validTo);
        if (validTo <= validFrom) throw badRequest('SHARING_VALIDITY_INVALID', {}, { field: 'validTo' });
      }
      const maxDays = await this.setting('max_validity_days', tx);
      if (validTo.getTime() - validFrom.getTime() > maxDays * DAY_MS)
        throw badRequest('SHARING_VALIDITY_TOO_LONG', { max: maxDays }, { field: 'validTo' });
      const open = await this.repo.openFor(tx, actor.orgId!, resource.id, input.renewsEntitlementId ?? null);
      if (open) throw conflict('SHARING_ALREADY_OPEN', { number: open.number }, { field: 'resourceId', requestId: open.id });

      const row = await this.repo.insert(tx, {
        requesterOrgId: actor.orgId!,
        requesterUserId: actor.userId,
        applicationId: input.applicationId ?? null,
        resourceId: resource.id,
        providerOrgId: resource.providerOrg.id,
        shareMode: resource.shareMode as 'unconditional' | 'conditional',
        fields,
        actions,
        legalBasis,
        purpose,
        scenario,
        usageScope: input.usageScope,
        validFrom,
        validTo,
        renewsEntitlementId: input.renewsEntitlementId ?? null,
        at,
      });
      await this.repo.addEvent(tx, {
        request_id: row.id,
        kind: 'transition',
        from_state: null,
        to_state: 'compliance_review',
        by_role: 'consumer',
        actor_user_id: actor.userId,
        actor_name: actor.displayName ?? actor.username ?? '',
        comment: input.renewsEntitlementId ? '申请续期 / Renewal requested' : '提交共享申请 / Request submitted',
        at,
      });
      await this.ctx.ledger.append(tx, {
        actor,
        action: 'sharing.request',
        objectType: OBJECT_TYPE,
        objectId: row.id,
        orgId: row.provider_org_id,
        details: {
          number: row.number,
          resourceId: row.resource_id,
          requesterOrgId: row.requester_org_id,
          fields,
          actions,
          purpose,
          legalBasis,
          usageScope: row.usage_scope,
          validFrom: iso(row.valid_from),
          validTo: iso(row.valid_to),
          renewsEntitlementId: row.renews_entitlement_id,
        },
      });
      const dl = await this.openDeadline(tx, row, 'compliance', at);
      await this.ctx.notifications.notify(tx, {
        role: 'authority_admin',
        kind: 'sharing.review',
        title: { zh: `共享申请待符合性审查：${resource.nameZh}`, en: `Sharing request to review: ${resource.nameEn || resource.nameZh}` },
        body: { zh: `${row.number}，请于 ${dl.due_date} 前完成审查。`, en: `${row.number}, due by the end of ${dl.due_date}.` },
        link: `/sharing/requests/${row.id}`,
      });
      return this.detail(tx, actor, row);
    });
  }

  // ---------------------------------------------------------------------------------------------- transitions
  async transition(
    actor: Actor,
    id: string,
    to: string,
    comment: string,
    terms: DecisionTerms = {},
    opts: { at?: Date } = {},
  ): Promise<RequestDetail> {
    const at = opts.at ?? this.now();
    const text = comment.trim();
    return this.db.transaction().execute(async (tx) => {
      const { row, roles } = await this.visible(actor, id, tx, true);
      const fromLabel = STATE_LABELS[row.state];
      if (!isState(to)) throw badRequest('VALIDATION_FAILED', { detail: 'to' }, { field: 'to' });
      const toLabel = STATE_LABELS[to];
      const rule = findTransition(row.state, to, row.share_mode, roles);
      if (!rule || rule.by === 'system') {
        throw conflict(
          'SHARING_TRANSITION_NOT_ALLOWED',
          { fromLabel: fromLabel.zh, toLabel: toLabel.zh },
          { from: row.state, to, allowed: allowedTransitions(row.state, row.share_mode, roles).map((t) => t.to) },
        );
      }
      if (!roles.includes(rule.by))
        throw forbidden(
          'SHARING_TRANSITION_WRONG_ROLE',
          { fromLabel: fromLabel.zh, toLabel: toLabel.zh, byLabel: ROLE_LABELS[rule.by].zh },
          { by: rule.by },
        );
      if (!text) throw badRequest('SHARING_FIELD_REQUIRED', { label: '意见' }, { field: 'comment' });
      if (rule.refusal && text.length < MIN_REASON) throw badRequest('SHARING_REASON_REQUIRED', { min: MIN_REASON }, { field: 'comment' });
      // The provider's time is up: the decision has passed to the authority (the deadline job escalates).
      if (rule.by === 'provider' && row.state === 'provider_review') {
        const dl = (await this.deadlines.open(tx, row.id)).find((d) => d.kind === 'provider_decision');
        if (dl && dl.due_at <= at) throw conflict('SHARING_DEADLINE_PASSED', { dueDate: dl.due_date }, { dueAt: iso(dl.due_at) });
      }
      const updated = await this.apply(tx, row, rule.to, actor, rule.by, text, at, rule.grants ? terms : undefined, rule.refusal ?? false);
      return this.detail(tx, actor, updated);
    });
  }

  /** Moves `row` (locked) to `to` with every side effect: grant, deadlines and their jobs, timeline, ledger, notices. */
  private async apply(
    tx: Tx,
    row: RequestRow,
    to: SharingState,
    actor: Actor,
    by: SharingRole,
    comment: string,
    at: Date,
    terms: DecisionTerms | undefined,
    refusal: boolean,
  ): Promise<RequestRow> {
    // Close the running deadline of the state we leave.
    const leaving = STATE_DEADLINE[row.state];
    if (leaving) await this.deadlines.close(tx, row.id, by === 'system' ? 'escalated' : 'met', at);

    let entitlementId: string | null = null;
    let granted: Record<string, unknown> = {};
    if (terms) {
      const e = await this.grant(tx, row, actor, terms, at);
      entitlementId = e.id;
      granted = {
        entitlementId: e.id,
        fields: e.fields,
        actions: e.actions,
        validFrom: e.validFrom,
        validTo: e.validTo,
        quota: e.quota,
        conditions: e.conditions,
      };
    }
    let dataOnPlatform: boolean | undefined;
    if (to === 'provider_review') dataOnPlatform = await this.dataOnPlatform(row.resource_id);
    const final = to === 'approved' || to === 'rejected' || to === 'withdrawn';
    const updated = await this.repo.setState(tx, row.id, {
      state: to,
      at,
      refusalReason: refusal ? comment : undefined,
      entitlementId,
      dataOnPlatform,
      decided: to === 'approved' || to === 'rejected',
    });
    await this.repo.addEvent(tx, {
      request_id: row.id,
      kind: 'transition',
      from_state: row.state,
      to_state: to,
      by_role: by,
      actor_user_id: actor.userId,
      actor_name: by === 'system' ? '系统' : (actor.displayName ?? actor.username ?? ''),
      comment,
      details: granted,
      at,
    });
    await this.ctx.ledger.append(tx, {
      actor,
      action: 'sharing.transition',
      objectType: OBJECT_TYPE,
      objectId: row.id,
      orgId: row.provider_org_id,
      details: { number: row.number, from: row.state, to, by, comment, ...granted },
    });
    // Open the deadline of the state we enter.
    const entering = STATE_DEADLINE[to];
    let due: DeadlineRow | null = null;
    if (entering) due = await this.openDeadline(tx, updated, entering, at);
    await this.notifyStep(tx, updated, row.state, to, due, final);
    return updated;
  }

  private async grant(tx: Tx, row: RequestRow, actor: Actor, t: DecisionTerms, at: Date) {
    const fields = t.fields ? [...new Set(t.fields)] : row.fields;
    for (const f of fields)
      if (!row.fields.includes(f)) throw badRequest('SHARING_TERMS_WIDENED', { what: f }, { field: 'terms.fields', value: f });
    const actions = t.actions ? [...new Set(t.actions)] : (row.actions as EntitlementAction[]);
    for (const a of actions)
      if (!row.actions.includes(a)) throw badRequest('SHARING_TERMS_WIDENED', { what: a }, { field: 'terms.actions', value: a });
    if (!fields.length || !actions.length)
      throw badRequest('SHARING_TERMS_WIDENED', { what: '—' }, { field: fields.length ? 'terms.actions' : 'terms.fields' });
    let validTo = row.valid_to;
    if (t.validTo) {
      const v = new Date(t.validTo);
      if (Number.isNaN(v.getTime()) || v > row.valid_to)
        throw badRequest('SHARING_TERMS_WIDENED', { what: 'validTo' }, { field: 'terms.validTo' });
      if (v <= row.valid_from || v <= at) throw badRequest('SHARING_VALIDITY_INVALID', {}, { field: 'terms.validTo' });
      validTo = v;
    }
    const conditions = t.conditions ?? {};
    for (const f of conditions.clearFields ?? [])
      if (!fields.includes(f)) throw badRequest('SHARING_TERMS_WIDENED', { what: f }, { field: 'terms.conditions.clearFields', value: f });
    return this.ctx.entitlements.grant(tx, actor.kind === 'system' ? SYSTEM : actor, {
      holderOrgId: row.requester_org_id,
      holderApplicationId: row.application_id,
      holderUserId: null,
      resourceId: row.resource_id,
      providerOrgId: row.provider_org_id,
      fields,
      actions,
      purpose: row.purpose,
      scenario: row.scenario,
      legalBasis: row.legal_basis,
      validFrom: (row.valid_from > at ? row.valid_from : at).toISOString(),
      validTo: validTo.toISOString(),
      quota: t.quota ?? null,
      conditions,
      origin: 'sharing_request',
      originId: row.id,
    });
  }

  /** Is the resource's data already on the platform (a published dataset version)? Decides 5 vs 10 working days. */
  private async dataOnPlatform(resourceId: string): Promise<boolean> {
    const ds = await this.ctx.datasets.byResource(SYSTEM, resourceId).catch(() => null);
    return !!ds?.current_version;
  }

  /** A message in the negotiation or coordination (either party or the authority). */
  async message(actor: Actor, id: string, text: string, opts: { at?: Date } = {}): Promise<RequestDetail> {
    const at = opts.at ?? this.now();
    const body = text.trim();
    return this.db.transaction().execute(async (tx) => {
      const { row, roles } = await this.visible(actor, id, tx, true);
      if (!roles.length) throw notFound('SHARING_REQUEST_NOT_FOUND', { id });
      if (!['provider_refused', 'negotiation', 'coordination'].includes(row.state))
        throw conflict('SHARING_NOT_NEGOTIATING', {}, { state: row.state });
      if (!body) throw badRequest('SHARING_FIELD_REQUIRED', { label: '留言' }, { field: 'text' });
      const by: SharingRole = roles.includes('authority') && row.state === 'coordination' ? 'authority' : roles[0]!;
      await this.repo.addEvent(tx, {
        request_id: row.id,
        kind: 'message',
        from_state: row.state,
        to_state: row.state,
        by_role: by,
        actor_user_id: actor.userId,
        actor_name: actor.displayName ?? actor.username ?? '',
        comment: body,
        at,
      });
      await this.ctx.ledger.append(tx, {
        actor,
        action: 'sharing.message',
        objectType: OBJECT_TYPE,
        objectId: row.id,
        orgId: row.provider_org_id,
        details: { number: row.number, state: row.state, by },
      });
      const others: SharingRole[] = (['consumer', 'provider', 'authority'] as const).filter(
        (r) => r !== by && (r !== 'authority' || row.state === 'coordination'),
      );
      await this.notifyParties(tx, row, others, {
        kind: 'sharing.message',
        title: { zh: `共享申请 ${row.number} 有新留言`, en: `New message on sharing request ${row.number}` },
        body: { zh: body.slice(0, 200), en: body.slice(0, 200) },
      });
      return this.detail(tx, actor, row);
    });
  }

  // ---------------------------------------------------------------------------------------------- reading
  async get(actor: Actor, id: string): Promise<RequestDetail> {
    const { row } = await this.visible(actor, id);
    return this.detail(this.db, actor, row);
  }

  async list(
    actor: Actor,
    q: { box?: 'mine' | 'incoming' | 'all'; state?: string; overdue?: boolean; resourceId?: string; page?: number; pageSize?: number },
  ): Promise<{ items: RequestSummary[]; total: number; page: number; pageSize: number }> {
    const page = Math.max(1, q.page ?? 1);
    const pageSize = Math.min(100, Math.max(1, q.pageSize ?? 20));
    const scope = await this.scope(actor, q.box);
    const states = q.state ? q.state.split(',').filter(isState) : undefined;
    const { rows, total } = await this.repo.list(this.db, {
      ...scope,
      states,
      overdue: q.overdue,
      resourceId: q.resourceId,
      limit: pageSize,
      offset: (page - 1) * pageSize,
    });
    const next = await this.deadlines.next(
      this.db,
      rows.map((r) => r.id),
    );
    const items: RequestSummary[] = [];
    for (const r of rows) items.push(await this.summary(r, next.get(r.id) ?? null));
    return { items, total, page, pageSize };
  }

  /** Which requests a caller lists: own side(s) by box; the authority and the auditor everything. */
  private async scope(actor: Actor, box?: 'mine' | 'incoming' | 'all'): Promise<{ requesterOrgIds?: string[]; providerOrgIds?: string[] }> {
    const all = this.canReadAll(actor);
    if (all && (!box || box === 'all')) return {};
    if (actor.kind === 'anonymous') throw new AppError(401, 'UNAUTHENTICATED', {}, { action: 'sharing.read' });
    const subtree = actor.orgId ? await this.ctx.authz.orgs.subtree(actor.orgId) : [];
    const clerk = actor.roles.includes('consumer_clerk') || actor.roles.includes('provider_clerk');
    const provider = actor.roles.includes('provider_clerk');
    if (box === 'mine') return { requesterOrgIds: clerk || all ? subtree : [] };
    if (box === 'incoming') return { providerOrgIds: provider || all ? subtree : [] };
    return { requesterOrgIds: clerk ? subtree : [], providerOrgIds: provider ? subtree : [] };
  }

  private async orgRef(id: string) {
    const o = await this.ctx.authz.orgs.get(id);
    return { id, nameZh: o?.nameZh ?? '', nameEn: o?.nameEn ?? '' };
  }

  private async summary(r: RequestRow, next: DeadlineRow | null): Promise<RequestSummary> {
    const res = await this.ctx.catalog.get(SYSTEM, r.resource_id).catch(() => null);
    return {
      id: r.id,
      number: r.number,
      state: r.state,
      stateLabel: STATE_LABELS[r.state],
      shareMode: r.share_mode,
      resource: { id: r.resource_id, code: res?.code ?? '', nameZh: res?.nameZh ?? '', nameEn: res?.nameEn ?? '' },
      requesterOrg: await this.orgRef(r.requester_org_id),
      providerOrg: await this.orgRef(r.provider_org_id),
      fields: r.fields,
      actions: r.actions,
      purpose: r.purpose,
      validFrom: r.valid_from.toISOString(),
      validTo: r.valid_to.toISOString(),
      renewsEntitlementId: r.renews_entitlement_id,
      entitlementId: r.entitlement_id,
      nextDeadline: next ? this.deadlineView(next, await this.ctx.calendar.overrides()) : null,
      createdAt: r.created_at.toISOString(),
      decidedAt: iso(r.decided_at),
    };
  }

  private deadlineView(d: DeadlineRow, overrides: OverrideMap): DeadlineView {
    return { ...this.deadlines.view(d, overrides), remindedAt: iso(d.reminded_at) };
  }

  private async detail(db: Executor, actor: Actor, row: RequestRow): Promise<RequestDetail> {
    const deadlines = await this.deadlines.list(db, row.id);
    const events = await this.repo.events(db, row.id);
    const roles = await this.rolesOf(actor, row);
    const open = deadlines.filter((d) => d.status === 'open').sort((a, b) => a.due_at.getTime() - b.due_at.getTime())[0] ?? null;
    const overrides = await this.ctx.calendar.overrides();
    return {
      ...(await this.summary(row, open)),
      legalBasis: row.legal_basis,
      scenario: row.scenario,
      usageScope: row.usage_scope,
      applicationId: row.application_id,
      dataOnPlatform: row.data_on_platform,
      refusalReason: row.refusal_reason,
      requesterUserId: row.requester_user_id,
      deadlines: deadlines.map((d) => this.deadlineView(d, overrides)),
      events: events.map((e: EventRow) => ({
        id: Number(e.id),
        kind: e.kind,
        fromState: e.from_state,
        toState: e.to_state,
        byRole: e.by_role,
        actorName: e.actor_name,
        comment: e.comment,
        details: e.details,
        at: e.at.toISOString(),
      })),
      myRoles: roles,
      allowed: allowedTransitions(row.state, row.share_mode, roles).map((t) => ({
        to: t.to,
        labelZh: t.labelZh,
        labelEn: t.labelEn,
        grants: !!t.grants,
        refusal: !!t.refusal,
      })),
      canMessage: roles.length > 0 && ['provider_refused', 'negotiation', 'coordination'].includes(row.state),
    };
  }

  // ---------------------------------------------------------------------------------------------- statistics
  async stats(actor: Actor): Promise<{
    byState: Record<string, number>;
    open: number;
    overdue: number;
    dueSoon: number;
    escalated: number;
    decided: number;
    approvalRate: number | null;
    medianAnswerWorkingDays: number | null;
    callsPerDay: { day: string; calls: number; rows: number }[];
  }> {
    if (actor.kind === 'anonymous') throw new AppError(401, 'UNAUTHENTICATED', {}, { action: 'sharing.read' });
    const scope = await this.scope(actor);
    const byState = await this.repo.stateCounts(this.db, scope);
    const soonDays = await this.setting('due_soon_days');
    const today = chinaDate(this.now());
    const soonBefore = await this.ctx.calendar.deadlineAt(today, soonDays);
    const counts = await this.repo.deadlineCounts(this.db, scope, soonBefore);
    const decided = await this.repo.decided(this.db, scope);
    const approved = decided.filter((d) => d.state === 'approved').length;
    const days: number[] = [];
    for (const d of decided) days.push(await this.ctx.calendar.workingDaysBetween(chinaDate(d.created_at), chinaDate(d.decided_at)));
    days.sort((a, b) => a - b);
    const median = days.length
      ? days.length % 2
        ? days[(days.length - 1) / 2]!
        : (days[days.length / 2 - 1]! + days[days.length / 2]!) / 2
      : null;
    const from = new Date(this.now().getTime() - 29 * DAY_MS);
    return {
      byState,
      open: ['compliance_review', 'provider_review', 'provider_refused', 'negotiation', 'coordination'].reduce(
        (n, s) => n + (byState[s] ?? 0),
        0,
      ),
      overdue: counts.overdue,
      dueSoon: counts.dueSoon,
      escalated: counts.escalated,
      decided: decided.length,
      approvalRate: decided.length ? approved / decided.length : null,
      medianAnswerWorkingDays: median,
      callsPerDay: (await this.repo.callsPerDay(this.db, scope, chinaDate(from))).map((r) => ({
        day: r.day,
        calls: Number(r.calls),
        rows: Number(r.rows),
      })),
    };
  }

  // ---------------------------------------------------------------------------------------------- deadlines
  private async deadlineDays(tx: Executor, row: RequestRow, kind: DeadlineKind): Promise<number> {
    switch (kind) {
      case 'compliance':
        return this.setting('compliance_days', tx);
      case 'provider_decision':
        return this.setting(row.data_on_platform === false ? 'provider_days_to_publish' : 'provider_days_on_platform', tx);
      case 'negotiation':
        return this.setting('negotiation_days', tx);
      case 'coordination':
        return this.setting('coordination_days', tx);
    }
  }

  /** Opens the deadline of `kind` counted from the China date of `at`, with its job and reminder job. */
  private async openDeadline(tx: Tx, row: RequestRow, kind: DeadlineKind, at: Date): Promise<DeadlineRow> {
    const days = await this.deadlineDays(tx, row, kind);
    return this.deadlines.start(tx, { caseId: row.id, kind, at, days, lead: await this.setting('reminder_lead_days', tx) });
  }

  /**
   * The deadline job (WorkflowDeadlines). The provider's or the negotiation's time ran out → the request goes to
   * the authority's coordination (escalation). The authority's own time ran out → flagged overdue and the
   * authority admins are told. Idempotent: a closed or already flagged deadline is left alone.
   */
  fireDeadline(deadlineId: string, opts: { at?: Date } = {}): Promise<{ result: string }> {
    return this.deadlines.fireDue(deadlineId, opts);
  }

  /** The reminder job: tells the party responsible for the running step that its deadline is near. */
  fireReminder(deadlineId: string, opts: { at?: Date } = {}): Promise<{ result: string }> {
    return this.deadlines.fireReminder(deadlineId, opts);
  }

  private async escalate(tx: Tx, row: RequestRow, dl: DeadlineRow, at: Date): Promise<string | null> {
    if (dl.kind !== 'provider_decision' && dl.kind !== 'negotiation') return null;
    const comment =
      dl.kind === 'provider_decision'
        ? `提供部门未在 ${dl.working_days} 个工作日内（${dl.due_date} 前）答复，转数据管理机构协调 / No answer within ${dl.working_days} working days: escalated to the authority`
        : `协商期满（${dl.due_date}）未达成一致，转数据管理机构协调 / Negotiation time over: escalated to the authority`;
    await this.deadlines.markOverdue(tx, dl.id, at);
    await this.apply(tx, row, 'coordination', SYSTEM, 'system', comment, at, undefined, false);
    await this.ctx.ledger.append(tx, {
      actor: SYSTEM,
      action: 'sharing.deadline.escalate',
      objectType: OBJECT_TYPE,
      objectId: row.id,
      orgId: row.provider_org_id,
      details: { deadlineId: dl.id, kind: dl.kind, dueDate: dl.due_date, workingDays: dl.working_days },
    });
    return 'escalated';
  }

  private async deadlineOverdue(tx: Tx, row: RequestRow, dl: DeadlineRow) {
    const label = DEADLINE_LABELS[dl.kind];
    const title = { zh: `共享申请${label.zh}已逾期：${row.number}`, en: `Sharing ${label.en} overdue: ${row.number}` };
    await this.notifyParties(tx, row, ['authority'], deadlineNotice(dl, 'overdue', title));
    return { state: row.state };
  }

  private async deadlineWarning(tx: Tx, row: RequestRow, dl: DeadlineRow) {
    const label = DEADLINE_LABELS[dl.kind];
    const who: SharingRole[] =
      dl.kind === 'provider_decision' ? ['provider'] : dl.kind === 'negotiation' ? ['consumer', 'provider'] : ['authority'];
    const title = { zh: `共享申请${label.zh}即将到期：${row.number}`, en: `Sharing ${label.en} due soon: ${row.number}` };
    return { recipients: await this.notifyParties(tx, row, who, deadlineNotice(dl, 'warning', title)) };
  }

  // ---------------------------------------------------------------------------------------------- notices
  private async notifyParties(
    tx: Executor,
    row: RequestRow,
    who: SharingRole[],
    n: { kind: string; title: { zh: string; en: string }; body?: { zh: string; en: string } },
  ): Promise<number> {
    const link = `/sharing/requests/${row.id}`;
    let count = 0;
    for (const r of new Set(who)) {
      if (r === 'authority') count += (await this.ctx.notifications.notify(tx, { role: 'authority_admin', ...n, link })).userIds.length;
      if (r === 'provider')
        count += (await this.ctx.notifications.notify(tx, { role: 'provider_clerk', orgId: row.provider_org_id, ...n, link })).userIds
          .length;
      if (r === 'consumer') {
        const users = row.requester_user_id ? [row.requester_user_id] : [];
        count += (
          await this.ctx.notifications.notify(tx, { userIds: users, role: 'consumer_clerk', orgId: row.requester_org_id, ...n, link })
        ).userIds.length;
      }
    }
    return count;
  }

  private async notifyStep(tx: Tx, row: RequestRow, from: SharingState, to: SharingState, due: DeadlineRow | null, final: boolean) {
    const label = STATE_LABELS[to];
    const dueText = due ? { zh: `办理时限：${due.due_date}。`, en: ` Due by the end of ${due.due_date}.` } : { zh: '', en: '' };
    const n = {
      kind: final ? 'sharing.decided' : 'sharing.step',
      title: { zh: `共享申请 ${row.number}：${label.zh}`, en: `Sharing request ${row.number}: ${label.en}` },
      body: {
        zh: `${STATE_LABELS[from].zh} → ${label.zh}。${dueText.zh}`,
        en: `${STATE_LABELS[from].en} → ${label.en}.${dueText.en}`,
      },
    };
    const who: SharingRole[] = ['consumer'];
    if (to === 'provider_review' || to === 'negotiation' || to === 'coordination' || (to === 'withdrawn' && from !== 'compliance_review'))
      who.push('provider');
    if (to === 'coordination') who.push('authority');
    await this.notifyParties(tx, row, who, n);
  }
}
