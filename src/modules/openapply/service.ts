// Conditional open applications (有条件开放申请, issue 7 §2): the workflow (workflow.ts) with working-day
// deadlines as durable jobs, the data use agreement and its entitlement on approval (src/modules/entitlements),
// usage reports on a schedule whose overdue suspends the entitlement, and the applicant's documents in the
// object store. docs/open-applications.md has the states, the deadlines with their sources and the decisions.
//
// Deadlines (open_application_deadlines; a due job and a reminder job each, cancelled when the step is taken):
//   review     — the provider's review, review_days working days from submission (and again from each
//                resubmission: asking for more stops the clock, the resubmission restarts it); when it passes
//                the deadline is flagged overdue and the provider and the authority are told (the application
//                stays with the provider: there is no one else to decide on the provider's data).
//   supplement — the applicant's time to supplement; when it passes the application lapses (system step).
// Usage reports (open_usage_reports): one job per report at its grace end; still missing then → the report is
// overdue and the entitlement is suspended; the applicant's late report lets the provider reinstate it.
//
// Authorization:
// | who                                   | may                                                                    |
// |---------------------------------------|------------------------------------------------------------------------|
// | public_user, operator (signed in)     | apply; act as 'applicant' on their OWN applications (by user, not org:  |
// |                                       | every citizen shares the PUBLIC organization)                          |
// | provider clerk                        | act as 'provider' on applications for resources of its org subtree      |
// | authority admin                       | reads everything, settings, reinstates                                 |
// | auditor                               | reads applications (not the documents)                                 |
// Anyone else gets 404 for an application, an agreement, a report or a document (no leak of existence).
import type { Readable } from 'node:stream';
import fsp from 'node:fs/promises';
import type { AppContext } from '../../context.ts';
import type { Executor, Tx } from '../../db/database.ts';
import { AppError, badRequest, conflict, forbidden, notFound } from '../../errors.ts';
import { SYSTEM, type Actor } from '../identity/actor.ts';
import { addDays, chinaDate, workingDaysBetweenPure, type OverrideMap } from '../jobs/calendar.ts';
import { WorkflowSettings } from '../jobs/settings.ts';
import { deadlineNotice, WorkflowDeadlines, type WorkflowDeadlineView } from '../jobs/workflow-deadlines.ts';
import type { EntitlementAction } from '../entitlements/types.ts';
import './messages.ts';
import {
  OpenApplyRepository,
  type AgreementRow,
  type ApplicationRow,
  type DeadlineRow,
  type DocumentRow,
  type ReportRow,
} from './repository.ts';
import {
  allowedTransitions,
  findTransition,
  isState,
  OPEN_STATES,
  ROLE_LABELS,
  STATE_DEADLINE,
  STATE_LABELS,
  type ApplicantKind,
  type DeadlineKind,
  type OpenApplyRole,
  type OpenApplyState,
} from './workflow.ts';

const OBJECT_TYPE = 'open_application';
const DAY_MS = 86_400_000;
/** A refusal or a request for more information says what and why: at least this many characters. */
export const MIN_REASON = 5;
/** Documents: PDF, PNG or JPEG (checked by their first bytes, not the declared type), each at most this big. */
export const DOC_MAX_BYTES = 10 * 1024 * 1024;
/** At most this many documents per application (all stages together). */
export const DOC_MAX_COUNT = 20;
/** The applicant reads and downloads the data: the agreement grants these actions. */
export const GRANTED_ACTIONS: EntitlementAction[] = ['query', 'download'];
/** Who may apply (companies and citizens sign in as public users; operators are companies too). */
const APPLICANT_ROLES = new Set(['public_user', 'operator']);
export const REPORT_QUEUE = 'openapply.report';

export const SETTING_KEYS = [
  'review_days',
  'supplement_days',
  'reminder_lead_days',
  'due_soon_days',
  'max_validity_days',
  'report_interval_days',
  'report_grace_days',
] as const;
export type SettingKey = (typeof SETTING_KEYS)[number];

const DEADLINE_LABELS: Record<DeadlineKind, { zh: string; en: string }> = {
  review: { zh: '提供部门审核', en: 'provider review' },
  supplement: { zh: '补充材料', en: 'supplement' },
};

export interface ApplyInput {
  resourceId: string;
  applicantKind: ApplicantKind;
  fields: string[];
  purpose: string;
  scenario: string;
  securityMeasures: string;
  periodFrom?: string;
  periodTo: string;
  documents?: string[];
}

export interface ApproveTerms {
  /** The agreement's text (obligations beyond the usage reports); default: the platform's standard terms. */
  text?: string;
  fields?: string[];
  validTo?: string;
  reportEveryDays?: number;
}

export interface StepInput {
  to: string;
  comment: string;
  terms?: ApproveTerms;
  /** On a resubmission: new documents (upload ids) and corrected texts. */
  documents?: string[];
  purpose?: string;
  scenario?: string;
  securityMeasures?: string;
}

export type DeadlineView = WorkflowDeadlineView<DeadlineKind, DeadlineRow['status']>;

const iso = (d: Date | null | undefined): string | null => (d ? d.toISOString() : null);

export const STANDARD_TERMS =
  '1. 仅用于申请所述用途和场景，不得转让、转售或向第三方提供原始数据；2. 落实申请所述安全保护措施，发生数据安全事件立即报告；' +
  '3. 按期报告数据利用情况、成果与效益；4. 协议期满或终止后删除所获数据。';

function required(v: string | undefined, field: string, labelZh: string): string {
  const s = (v ?? '').trim();
  if (!s) throw badRequest('OPENAPPLY_FIELD_REQUIRED', { label: labelZh }, { field });
  return s;
}

/** The document's real type from its first bytes (PDF, PNG, JPEG); null otherwise. */
export function sniffType(head: Buffer): 'application/pdf' | 'image/png' | 'image/jpeg' | null {
  if (head.subarray(0, 5).toString('latin1') === '%PDF-') return 'application/pdf';
  if (head.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'image/png';
  if (head.length >= 3 && head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff) return 'image/jpeg';
  return null;
}

export class OpenApplyService {
  readonly repo = new OpenApplyRepository();
  /** The clock (tests move the workflow through time). */
  now: () => Date = () => new Date();
  /** The figures of the rules, each with its source (openapply_settings). */
  readonly settings: WorkflowSettings;
  /** The running time limits of the applications (open_application_deadlines) and their jobs. */
  readonly deadlines: WorkflowDeadlines<'application_id', DeadlineKind, 'met' | 'cancelled' | 'lapsed', ApplicationRow>;

  constructor(readonly ctx: AppContext) {
    this.settings = new WorkflowSettings(ctx, { table: 'openapply_settings', module: 'openapply', codePrefix: 'OPENAPPLY' });
    this.deadlines = new WorkflowDeadlines(ctx, {
      name: 'openapply',
      table: 'open_application_deadlines',
      ownerColumn: 'application_id',
      objectType: OBJECT_TYPE,
      now: () => this.now(),
      lockCase: (tx, id) => this.repo.get(tx, id, true),
      due: (tx, row, dl, at) => this.lapse(tx, row, dl, at),
      overdue: (tx, row, dl) => this.deadlineOverdue(tx, row, dl),
      remind: (tx, row, dl) => this.deadlineWarning(tx, row, dl),
    });
    ctx.jobs.define<{ reportId: string }>(REPORT_QUEUE, (data) => this.fireReport(data.reportId), {
      retryLimit: 5,
      retryDelaySeconds: 30,
      retryBackoff: true,
    });
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

  async rolesOf(actor: Actor, row: Pick<ApplicationRow, 'applicant_user_id' | 'provider_org_id'>): Promise<OpenApplyRole[]> {
    const roles: OpenApplyRole[] = [];
    if (actor.kind === 'anonymous') return roles;
    if (actor.userId && actor.userId === row.applicant_user_id) roles.push('applicant');
    if (actor.orgId && actor.roles.includes('provider_clerk') && (await this.ctx.authz.orgs.isWithin(row.provider_org_id, actor.orgId)))
      roles.push('provider');
    if (this.isAuthority(actor)) roles.push('authority');
    return roles;
  }

  /** The application (locked when asked) if the caller may see it; 404 otherwise. */
  private async visible(actor: Actor, id: string, db: Executor = this.db, lock = false) {
    const row = /^[0-9a-f-]{36}$/i.test(id) ? await this.repo.get(db, id, lock) : undefined;
    if (!row) throw notFound('OPENAPPLY_NOT_FOUND', { id });
    const roles = await this.rolesOf(actor, row);
    if (!roles.length && !actor.roles.includes('auditor')) throw notFound('OPENAPPLY_NOT_FOUND', { id });
    return { row, roles };
  }

  // ---------------------------------------------------------------------------------------------- documents
  /**
   * Takes finished uploads of the caller (src/modules/uploads) into the object store: each a PDF, PNG or JPEG by
   * its first bytes, at most DOC_MAX_BYTES. Runs before the transaction; the rows are written inside it.
   */
  private async takeDocuments(actor: Actor, uploadIds: string[], already: number) {
    const ids = [...new Set(uploadIds)];
    if (already + ids.length > DOC_MAX_COUNT)
      throw badRequest('OPENAPPLY_DOCUMENTS_TOO_MANY', { max: DOC_MAX_COUNT }, { field: 'documents' });
    const taken: { uploadId: string; fileName: string; contentType: string; size: number; sha256: string; key: string }[] = [];
    for (const [i, id] of ids.entries()) {
      let up;
      try {
        up = await this.ctx.uploads.resolve(actor, id);
      } catch (e) {
        if (e instanceof AppError) throw new AppError(e.status, e.code, e.params, { field: `documents[${i}]`, value: id });
        throw e;
      }
      if (up.size > DOC_MAX_BYTES)
        throw new AppError(413, 'OPENAPPLY_DOCUMENT_TOO_LARGE', { name: up.fileName, max: '10 MiB' }, { field: `documents[${i}]` });
      const fh = await fsp.open(up.path, 'r');
      const head = Buffer.alloc(8);
      try {
        await fh.read(head, 0, 8, 0);
      } finally {
        await fh.close();
      }
      const type = sniffType(head);
      if (!type) throw badRequest('OPENAPPLY_DOCUMENT_TYPE', { name: up.fileName }, { field: `documents[${i}]`, fileName: up.fileName });
      const stored = await this.ctx.objects.putFile(up.path);
      taken.push({
        uploadId: id,
        fileName: up.fileName.slice(0, 255),
        contentType: type,
        size: up.size,
        sha256: stored.sha256,
        key: stored.key,
      });
    }
    return taken;
  }

  private async saveDocuments(
    tx: Tx,
    actor: Actor,
    row: ApplicationRow,
    stage: DocumentRow['stage'],
    taken: Awaited<ReturnType<OpenApplyService['takeDocuments']>>,
  ) {
    const out: DocumentRow[] = [];
    for (const d of taken)
      out.push(
        await this.repo.addDocument(tx, {
          application_id: row.id,
          stage,
          file_name: d.fileName,
          content_type: d.contentType,
          size: d.size,
          sha256: d.sha256,
          object_key: d.key,
          uploaded_by: actor.userId,
        }),
      );
    return out;
  }

  private async dropUploads(taken: { uploadId: string }[]) {
    for (const d of taken) await this.ctx.uploads.remove(d.uploadId).catch(() => undefined);
  }

  /** One document of an application: the applicant, the provider and the authority only (ledgered). */
  async document(actor: Actor, id: string, docId: string): Promise<{ doc: DocumentRow; stream: NodeJS.ReadableStream }> {
    const { row, roles } = await this.visible(actor, id);
    const docs = await this.repo.documents(this.db, row.id);
    const doc = docs.find((d) => d.id === docId);
    if (!doc || !roles.length) throw notFound('OPENAPPLY_DOCUMENT_NOT_FOUND', { id: docId });
    const stream = await this.ctx.objects.get(doc.object_key);
    await this.db.transaction().execute((tx) =>
      this.ctx.ledger.append(tx, {
        actor,
        action: 'openapply.document.download',
        objectType: OBJECT_TYPE,
        objectId: row.id,
        orgId: row.provider_org_id,
        details: { number: row.number, documentId: doc.id, fileName: doc.file_name, sha256: doc.sha256 },
      }),
    );
    return { doc, stream: stream as Readable };
  }

  // ---------------------------------------------------------------------------------------------- apply
  async apply(actor: Actor, input: ApplyInput, opts: { at?: Date } = {}) {
    const at = opts.at ?? this.now();
    if (actor.kind === 'anonymous' || !actor.userId) throw new AppError(401, 'UNAUTHENTICATED', {}, { action: 'openapply.apply' });
    if (!actor.orgId || !actor.roles.some((r) => APPLICANT_ROLES.has(r)))
      throw forbidden('OPENAPPLY_APPLICANT_ONLY', {}, { action: 'openapply.apply' });
    const purpose = required(input.purpose, 'purpose', '用途');
    const scenario = required(input.scenario, 'scenario', '应用场景');
    const securityMeasures = required(input.securityMeasures, 'securityMeasures', '安全保障措施');

    const resource = await this.ctx.catalog.get(SYSTEM, input.resourceId).catch((e: unknown) => {
      if (e instanceof AppError && e.status === 404) return null;
      throw e;
    });
    // Unpublished resources do not exist for the public.
    if (!resource || (resource.status !== 'published' && resource.status !== 'updated'))
      throw notFound('OPENAPPLY_RESOURCE_NOT_FOUND', { id: input.resourceId }, { field: 'resourceId' });
    if (resource.openMode !== 'conditional')
      throw conflict(
        'OPENAPPLY_NOT_CONDITIONAL',
        { mode: resource.openMode, basis: resource.openBasis || '—' },
        { field: 'resourceId', openMode: resource.openMode },
      );
    const block = await this.ctx.elements.negativeListBlocks(resource.id, 'open');
    if (block)
      throw conflict('OPENAPPLY_NEGATIVE_LIST', { legalBasis: block.legalBasis }, { field: 'resourceId', legalBasis: block.legalBasis });

    const fields = [...new Set(input.fields.map((f) => f.trim()))];
    const byCode = new Map(resource.fields.map((f) => [f.code, f] as const));
    for (const [i, code] of fields.entries()) {
      const f = byCode.get(code);
      if (!f) throw badRequest('OPENAPPLY_FIELD_UNKNOWN', { field: code }, { field: `fields[${i}]`, value: code });
      if (f.openMode === 'none') throw badRequest('OPENAPPLY_FIELD_NOT_OPEN', { field: f.nameZh }, { field: `fields[${i}]`, value: code });
    }
    const periodFrom = input.periodFrom ? new Date(input.periodFrom) : at;
    const periodTo = new Date(input.periodTo);
    if (Number.isNaN(periodFrom.getTime()) || Number.isNaN(periodTo.getTime()) || periodTo <= periodFrom || periodTo <= at)
      throw badRequest('OPENAPPLY_PERIOD_INVALID', {}, { field: 'periodTo' });
    const maxDays = await this.setting('max_validity_days');
    if (periodTo.getTime() - Math.max(periodFrom.getTime(), at.getTime()) > maxDays * DAY_MS)
      throw badRequest('OPENAPPLY_PERIOD_TOO_LONG', { max: maxDays }, { field: 'periodTo' });
    const open = await this.repo.openFor(this.db, actor.userId, resource.id);
    if (open) throw conflict('OPENAPPLY_ALREADY_OPEN', { number: open.number }, { field: 'resourceId', applicationId: open.id });

    const taken = await this.takeDocuments(actor, input.documents ?? [], 0);
    const result = await this.db.transaction().execute(async (tx) => {
      const row = await this.repo.insert(tx, {
        applicant_user_id: actor.userId!,
        applicant_org_id: actor.orgId!,
        applicant_kind: input.applicantKind,
        resource_id: resource.id,
        provider_org_id: resource.providerOrg.id,
        fields,
        purpose,
        scenario,
        security_measures: securityMeasures,
        period_from: periodFrom,
        period_to: periodTo,
        at,
      });
      const docs = await this.saveDocuments(tx, actor, row, 'application', taken);
      await this.repo.addEvent(tx, {
        application_id: row.id,
        from_state: null,
        to_state: 'provider_review',
        by_role: 'applicant',
        actor_user_id: actor.userId,
        actor_name: actor.displayName ?? actor.username ?? '',
        comment: '提交有条件开放申请 / Application submitted',
        details: { documents: docs.map((d) => d.id) },
        at,
      });
      await this.ctx.ledger.append(tx, {
        actor,
        action: 'openapply.apply',
        objectType: OBJECT_TYPE,
        objectId: row.id,
        orgId: row.provider_org_id,
        details: {
          number: row.number,
          resourceId: row.resource_id,
          applicantKind: row.applicant_kind,
          fields,
          purpose,
          periodFrom: iso(row.period_from),
          periodTo: iso(row.period_to),
          documents: docs.map((d) => ({ id: d.id, sha256: d.sha256 })),
        },
      });
      const dl = await this.openDeadline(tx, row, 'review', at);
      await this.notify(tx, row, ['provider'], {
        kind: 'openapply.review',
        title: {
          zh: `有条件开放申请待审核：${resource.nameZh}`,
          en: `Conditional open application to review: ${resource.nameEn || resource.nameZh}`,
        },
        body: { zh: `${row.number}，请于 ${dl.due_date} 前答复。`, en: `${row.number}, due by the end of ${dl.due_date}.` },
      });
      return this.detail(tx, actor, row);
    });
    await this.dropUploads(taken);
    return result;
  }

  // ---------------------------------------------------------------------------------------------- transitions
  async transition(actor: Actor, id: string, input: StepInput, opts: { at?: Date } = {}) {
    const at = opts.at ?? this.now();
    const text = (input.comment ?? '').trim();
    // Documents of a resubmission are checked (and stored) before the transaction: only the applicant's own uploads resolve.
    const peek = await this.visible(actor, id);
    const taken =
      input.documents?.length && peek.roles.includes('applicant')
        ? await this.takeDocuments(actor, input.documents, (await this.repo.documents(this.db, peek.row.id)).length)
        : [];
    const result = await this.db.transaction().execute(async (tx) => {
      const { row, roles } = await this.visible(actor, id, tx, true);
      const to = input.to;
      if (!isState(to)) throw badRequest('VALIDATION_FAILED', { detail: 'to' }, { field: 'to' });
      const rule = findTransition(row.state, to);
      if (!rule || rule.by === 'system')
        throw conflict(
          'OPENAPPLY_TRANSITION_NOT_ALLOWED',
          { fromLabel: STATE_LABELS[row.state].zh, toLabel: STATE_LABELS[to].zh },
          { from: row.state, to, allowed: allowedTransitions(row.state, roles).map((t) => t.to) },
        );
      if (!roles.includes(rule.by))
        throw forbidden(
          'OPENAPPLY_WRONG_ROLE',
          { fromLabel: STATE_LABELS[row.state].zh, toLabel: STATE_LABELS[to].zh, byLabel: ROLE_LABELS[rule.by].zh },
          { by: rule.by },
        );
      if (!text) throw badRequest('OPENAPPLY_FIELD_REQUIRED', { label: '意见' }, { field: 'comment' });
      if ((rule.refusal || rule.asks) && text.length < MIN_REASON)
        throw badRequest(rule.refusal ? 'OPENAPPLY_REASON_REQUIRED' : 'OPENAPPLY_ASK_REQUIRED', { min: MIN_REASON }, { field: 'comment' });
      // Documents and corrected texts belong to a resubmission only.
      const resubmit = rule.by === 'applicant' && to === 'provider_review';
      if (input.documents?.length && !resubmit) throw badRequest('OPENAPPLY_DOCUMENTS_NOT_HERE', {}, { field: 'documents' });
      let details: Record<string, unknown> = {};
      if (resubmit) {
        const upd = {
          purpose: input.purpose?.trim() || undefined,
          scenario: input.scenario?.trim() || undefined,
          securityMeasures: input.securityMeasures?.trim() || undefined,
        };
        if (upd.purpose || upd.scenario || upd.securityMeasures) await this.repo.update(tx, row.id, { ...upd, at });
        const docs = await this.saveDocuments(tx, actor, row, 'supplement', taken);
        details = {
          documents: docs.map((d) => ({ id: d.id, sha256: d.sha256 })),
          changed: Object.keys(upd).filter((k) => upd[k as keyof typeof upd]),
        };
      }
      const updated = await this.step(tx, row, rule.to, actor, rule.by, text, at, {
        terms: rule.grants ? (input.terms ?? {}) : undefined,
        refusal: !!rule.refusal,
        asks: !!rule.asks,
        details,
      });
      return this.detail(tx, actor, updated);
    });
    await this.dropUploads(taken);
    return result;
  }

  /** Moves `row` (locked) to `to` with every side effect: agreement and grant, deadlines and jobs, timeline, ledger, notices. */
  private async step(
    tx: Tx,
    row: ApplicationRow,
    to: OpenApplyState,
    actor: Actor,
    by: OpenApplyRole,
    comment: string,
    at: Date,
    o: { terms?: ApproveTerms; refusal?: boolean; asks?: boolean; details?: Record<string, unknown> } = {},
  ): Promise<ApplicationRow> {
    if (STATE_DEADLINE[row.state]) await this.deadlines.close(tx, row.id, by === 'system' ? 'lapsed' : 'met', at);
    let details = { ...(o.details ?? {}) };
    if (o.terms) details = { ...details, ...(await this.sign(tx, row, actor, o.terms, at)) };
    const updated = await this.repo.setState(tx, row.id, {
      state: to,
      at,
      refusalReason: o.refusal ? comment : undefined,
      supplementRequest: o.asks ? comment : undefined,
      decided: to === 'approved' || to === 'rejected',
    });
    await this.repo.addEvent(tx, {
      application_id: row.id,
      from_state: row.state,
      to_state: to,
      by_role: by,
      actor_user_id: actor.userId,
      actor_name: by === 'system' ? '系统' : (actor.displayName ?? actor.username ?? ''),
      comment,
      details,
      at,
    });
    await this.ctx.ledger.append(tx, {
      actor,
      action: 'openapply.transition',
      objectType: OBJECT_TYPE,
      objectId: row.id,
      orgId: row.provider_org_id,
      details: { number: row.number, from: row.state, to, by, comment, ...details },
    });
    const entering = STATE_DEADLINE[to];
    const due = entering ? await this.openDeadline(tx, updated, entering, at) : null;
    const label = STATE_LABELS[to];
    await this.notify(tx, updated, to === 'provider_review' || to === 'withdrawn' ? ['provider'] : ['applicant'], {
      kind: 'openapply.step',
      title: { zh: `有条件开放申请 ${row.number}：${label.zh}`, en: `Conditional open application ${row.number}: ${label.en}` },
      body: {
        zh: `${STATE_LABELS[row.state].zh} → ${label.zh}。${due ? `办理时限：${due.due_date}。` : ''}${comment.slice(0, 200)}`,
        en: `${STATE_LABELS[row.state].en} → ${label.en}.${due ? ` Due by the end of ${due.due_date}.` : ''} ${comment.slice(0, 200)}`,
      },
    });
    return updated;
  }

  /** The approval: the agreement, its entitlement (holder: the applicant user in its organization) and the first report. */
  private async sign(tx: Tx, row: ApplicationRow, actor: Actor, t: ApproveTerms, at: Date): Promise<Record<string, unknown>> {
    const fields = t.fields ? [...new Set(t.fields)] : row.fields;
    if (!fields.length) throw badRequest('OPENAPPLY_TERMS_WIDENED', { what: '—' }, { field: 'terms.fields' });
    for (const f of fields)
      if (!row.fields.includes(f)) throw badRequest('OPENAPPLY_TERMS_WIDENED', { what: f }, { field: 'terms.fields', value: f });
    let validTo = row.period_to;
    if (t.validTo) {
      const v = new Date(t.validTo);
      if (Number.isNaN(v.getTime()) || v > row.period_to)
        throw badRequest('OPENAPPLY_TERMS_WIDENED', { what: 'validTo' }, { field: 'terms.validTo' });
      if (v <= at) throw badRequest('OPENAPPLY_PERIOD_INVALID', {}, { field: 'terms.validTo' });
      validTo = v;
    }
    if (validTo <= at) throw badRequest('OPENAPPLY_PERIOD_INVALID', {}, { field: 'terms.validTo' });
    const validFrom = row.period_from > at ? row.period_from : at;
    const every = t.reportEveryDays ?? (await this.setting('report_interval_days', tx));
    const grace = await this.setting('report_grace_days', tx);
    const terms = (t.text ?? '').trim() || STANDARD_TERMS;
    const agreement = await this.repo.insertAgreement(tx, {
      application_id: row.id,
      entitlement_id: null,
      terms,
      fields,
      actions: GRANTED_ACTIONS,
      valid_from: validFrom,
      valid_to: validTo,
      report_every_days: every,
      report_grace_days: grace,
      approved_by: actor.userId,
      at,
    });
    const e = await this.ctx.entitlements.grant(tx, actor.kind === 'system' ? SYSTEM : actor, {
      holderOrgId: row.applicant_org_id,
      holderApplicationId: null,
      holderUserId: row.applicant_user_id,
      resourceId: row.resource_id,
      providerOrgId: row.provider_org_id,
      fields,
      actions: GRANTED_ACTIONS,
      purpose: row.purpose,
      scenario: row.scenario,
      legalBasis: `有条件开放数据利用协议 ${agreement.number}`,
      validFrom: validFrom.toISOString(),
      validTo: validTo.toISOString(),
      quota: null,
      conditions: { notes: terms },
      origin: 'open_agreement',
      originId: agreement.id,
    });
    await this.repo.setAgreementEntitlement(tx, agreement.id, e.id);
    const first = await this.scheduleReport(tx, { ...agreement, entitlement_id: e.id }, 1, addDays(chinaDate(validFrom), every), at);
    return {
      agreementId: agreement.id,
      agreementNumber: agreement.number,
      entitlementId: e.id,
      fields,
      actions: GRANTED_ACTIONS,
      validFrom: validFrom.toISOString(),
      validTo: validTo.toISOString(),
      reportEveryDays: every,
      firstReportDue: first?.due_date ?? null,
    };
  }

  // ---------------------------------------------------------------------------------------------- usage reports
  /** The report of period `n` due on `dueDate` with its job at the end of the grace period; none past the agreement's end. */
  private async scheduleReport(tx: Tx, a: AgreementRow, n: number, dueDate: string, at: Date): Promise<ReportRow | null> {
    if (new Date(`${dueDate}T00:00:00+08:00`) >= a.valid_to) return null;
    const graceUntil = await this.ctx.calendar.deadlineAt(dueDate, a.report_grace_days);
    const r = await this.repo.insertReport(tx, { agreementId: a.id, periodNo: n, dueDate, graceUntil, at });
    await this.ctx.jobs.scheduleDeadline(
      { key: `openapply:report:${r.id}`, dueAt: graceUntil, queue: REPORT_QUEUE, data: { reportId: r.id } },
      tx,
    );
    return r;
  }

  /** The report job: still missing at the end of the grace period → overdue, the entitlement suspended. Idempotent. */
  async fireReport(reportId: string, opts: { at?: Date } = {}): Promise<{ result: string }> {
    const peek = await this.repo.report(this.db, reportId);
    if (!peek) return { result: 'gone' };
    const a = (await this.repo.agreement(this.db, peek.agreement_id))!;
    return this.db.transaction().execute(async (tx) => {
      // Lock order everywhere: application, then its report (as submitReport does).
      const app = (await this.repo.get(tx, a.application_id, true))!;
      const r = (await this.repo.report(tx, reportId, true))!;
      if (r.status !== 'due') return { result: 'closed' };
      const at = opts.at ?? this.now();
      if (at < r.grace_until) return { result: 'not_due' };
      await this.repo.markReportOverdue(tx, r.id, at);
      const reason = `利用情况报告（第 ${r.period_no} 期，${r.due_date} 到期）逾期未提交 / Usage report ${r.period_no} (due ${r.due_date}) overdue`;
      let suspended = false;
      if (a.entitlement_id) {
        const e = await this.ctx.entitlements.repo.byId(tx, a.entitlement_id);
        if (e && e.state === 'active') {
          await this.ctx.entitlements.setStateIn(tx, SYSTEM, e, 'suspended', reason);
          suspended = true;
        }
      }
      await this.ctx.ledger.append(tx, {
        actor: SYSTEM,
        action: 'openapply.report.overdue',
        objectType: OBJECT_TYPE,
        objectId: app.id,
        orgId: app.provider_org_id,
        details: {
          number: app.number,
          agreementId: a.id,
          reportId: r.id,
          period: r.period_no,
          dueDate: r.due_date,
          suspended,
          entitlementId: a.entitlement_id,
        },
      });
      await this.notify(tx, app, ['applicant', 'provider'], {
        kind: 'openapply.report.overdue',
        title: { zh: `利用情况报告逾期，授权已暂停：${app.number}`, en: `Usage report overdue, access suspended: ${app.number}` },
        body: { zh: reason, en: reason },
      });
      return { result: suspended ? 'suspended' : 'overdue' };
    });
  }

  /** The applicant submits a usage report (due or overdue); the next period's report is scheduled. */
  async submitReport(actor: Actor, appId: string, reportId: string, content: string, opts: { at?: Date } = {}) {
    const at = opts.at ?? this.now();
    const text = content.trim();
    return this.db.transaction().execute(async (tx) => {
      const { row, roles } = await this.visible(actor, appId, tx, true);
      const a = await this.repo.agreementOf(tx, row.id);
      const r = a && /^[0-9a-f-]{36}$/i.test(reportId) ? await this.repo.report(tx, reportId, true) : undefined;
      if (!a || !r || r.agreement_id !== a.id) throw notFound('OPENAPPLY_REPORT_NOT_FOUND', { id: reportId });
      if (!roles.includes('applicant'))
        throw forbidden('OPENAPPLY_WRONG_ROLE', { fromLabel: '—', toLabel: '—', byLabel: ROLE_LABELS.applicant.zh }, { by: 'applicant' });
      if (r.status !== 'due' && r.status !== 'overdue')
        throw conflict('OPENAPPLY_REPORT_DONE', { period: r.period_no }, { status: r.status });
      if (text.length < 10) throw badRequest('OPENAPPLY_REPORT_TOO_SHORT', { min: 10 }, { field: 'content' });
      const late = r.status === 'overdue';
      const updated = await this.repo.submitReport(tx, r.id, text, actor.userId, late, at);
      await this.ctx.jobs.cancelDeadline(REPORT_QUEUE, `openapply:report:${r.id}`, tx);
      const all = await this.repo.reports(tx, a.id);
      const last = all[all.length - 1]!;
      let next: ReportRow | null = null;
      if (last.id === r.id) next = await this.scheduleReport(tx, a, r.period_no + 1, addDays(r.due_date, a.report_every_days), at);
      await this.ctx.ledger.append(tx, {
        actor,
        action: 'openapply.report.submit',
        objectType: OBJECT_TYPE,
        objectId: row.id,
        orgId: row.provider_org_id,
        details: { number: row.number, agreementId: a.id, reportId: r.id, period: r.period_no, late, nextDue: next?.due_date ?? null },
      });
      await this.notify(tx, row, ['provider'], {
        kind: 'openapply.report.submitted',
        title: {
          zh: `利用情况报告已提交：${row.number}（第 ${r.period_no} 期）`,
          en: `Usage report submitted: ${row.number} (period ${r.period_no})`,
        },
        body: late
          ? {
              zh: '该报告逾期提交，授权处于暂停状态，请审阅后决定是否恢复。',
              en: 'Submitted late: the entitlement is suspended; review it and reinstate if appropriate.',
            }
          : { zh: text.slice(0, 200), en: text.slice(0, 200) },
      });
      void updated;
      return this.detail(tx, actor, row);
    });
  }

  /**
   * The provider (or the authority) reinstates an entitlement suspended for an overdue report, once every overdue
   * report has been submitted. Ledgered; the decision stays with a person (docs/open-applications.md).
   */
  async reinstate(actor: Actor, appId: string, comment: string) {
    const text = comment.trim();
    return this.db.transaction().execute(async (tx) => {
      const { row, roles } = await this.visible(actor, appId, tx, true);
      if (!roles.includes('provider') && !roles.includes('authority'))
        throw forbidden('OPENAPPLY_WRONG_ROLE', { fromLabel: '—', toLabel: '—', byLabel: ROLE_LABELS.provider.zh }, { by: 'provider' });
      const a = await this.repo.agreementOf(tx, row.id);
      if (!a?.entitlement_id) throw conflict('OPENAPPLY_NOT_SUSPENDED', {}, {});
      const e = await this.ctx.entitlements.repo.byId(tx, a.entitlement_id);
      if (!e || e.state !== 'suspended') throw conflict('OPENAPPLY_NOT_SUSPENDED', {}, { state: e?.state ?? null });
      const missing = (await this.repo.reports(tx, a.id)).filter((r) => r.status === 'overdue');
      if (missing.length)
        throw conflict(
          'OPENAPPLY_REPORTS_MISSING',
          { periods: missing.map((r) => r.period_no).join(', ') },
          { reports: missing.map((r) => r.id) },
        );
      if (!text) throw badRequest('OPENAPPLY_FIELD_REQUIRED', { label: '意见' }, { field: 'comment' });
      await this.ctx.entitlements.setStateIn(tx, actor, e, 'active', text);
      await this.ctx.ledger.append(tx, {
        actor,
        action: 'openapply.reinstate',
        objectType: OBJECT_TYPE,
        objectId: row.id,
        orgId: row.provider_org_id,
        details: { number: row.number, agreementId: a.id, entitlementId: e.id, comment: text },
      });
      await this.notify(tx, row, ['applicant'], {
        kind: 'openapply.reinstated',
        title: { zh: `授权已恢复：${row.number}`, en: `Access reinstated: ${row.number}` },
        body: { zh: text.slice(0, 200), en: text.slice(0, 200) },
      });
      return this.detail(tx, actor, row);
    });
  }

  // ---------------------------------------------------------------------------------------------- reading
  async get(actor: Actor, id: string) {
    const { row } = await this.visible(actor, id);
    return this.detail(this.db, actor, row);
  }

  async list(actor: Actor, q: { box?: 'mine' | 'incoming' | 'all'; state?: string; page?: number; pageSize?: number }) {
    if (actor.kind === 'anonymous') throw new AppError(401, 'UNAUTHENTICATED', {}, { action: 'openapply.read' });
    const page = Math.max(1, q.page ?? 1);
    const pageSize = Math.min(100, Math.max(1, q.pageSize ?? 20));
    const scope = await this.scope(actor, q.box);
    const states = q.state ? q.state.split(',').filter(isState) : undefined;
    const { rows, total } = await this.repo.list(this.db, { ...scope, states, limit: pageSize, offset: (page - 1) * pageSize });
    const next = await this.deadlines.next(
      this.db,
      rows.map((r) => r.id),
    );
    const overrides = await this.ctx.calendar.overrides();
    const items = [];
    for (const r of rows) items.push(await this.summary(this.db, r, next.get(r.id) ?? null, overrides));
    return { items, total, page, pageSize };
  }

  /** Counts for the authority's overview (or the caller's scope). */
  async stats(actor: Actor) {
    if (actor.kind === 'anonymous') throw new AppError(401, 'UNAUTHENTICATED', {}, { action: 'openapply.read' });
    const scope = await this.scope(actor);
    const byState = await this.repo.stateCounts(this.db, scope);
    return { byState, open: OPEN_STATES.reduce((n, s) => n + (byState[s] ?? 0), 0) };
  }

  private async scope(actor: Actor, box?: 'mine' | 'incoming' | 'all'): Promise<{ applicantUserId?: string; providerOrgIds?: string[] }> {
    const all = this.isAuthority(actor) || actor.roles.includes('auditor');
    if (all && (!box || box === 'all')) return {};
    const provider = actor.roles.includes('provider_clerk') && actor.orgId ? await this.ctx.authz.orgs.subtree(actor.orgId) : undefined;
    if (box === 'mine') return { applicantUserId: actor.userId ?? '00000000-0000-0000-0000-000000000000' };
    if (box === 'incoming') return { providerOrgIds: all && !provider ? undefined : (provider ?? []) };
    return { applicantUserId: actor.userId ?? undefined, providerOrgIds: provider ?? [] };
  }

  private async orgRef(id: string) {
    const o = await this.ctx.authz.orgs.get(id);
    return { id, nameZh: o?.nameZh ?? '', nameEn: o?.nameEn ?? '' };
  }

  private async summary(db: Executor, r: ApplicationRow, next: DeadlineRow | null, overrides: OverrideMap) {
    const res = await this.ctx.catalog.get(SYSTEM, r.resource_id).catch(() => null);
    const a = await this.repo.agreementOf(db, r.id);
    const e = a?.entitlement_id ? await this.ctx.entitlements.repo.byId(db, a.entitlement_id) : undefined;
    return {
      id: r.id,
      number: r.number,
      state: r.state,
      stateLabel: STATE_LABELS[r.state],
      applicantKind: r.applicant_kind,
      applicantOrg: await this.orgRef(r.applicant_org_id),
      resource: { id: r.resource_id, code: res?.code ?? '', nameZh: res?.nameZh ?? '', nameEn: res?.nameEn ?? '' },
      providerOrg: await this.orgRef(r.provider_org_id),
      fields: r.fields,
      purpose: r.purpose,
      periodFrom: r.period_from.toISOString(),
      periodTo: r.period_to.toISOString(),
      entitlementState: e?.state ?? null,
      nextDeadline: next ? this.deadlines.view(next, overrides) : null,
      createdAt: r.created_at.toISOString(),
      decidedAt: iso(r.decided_at),
    };
  }

  private async detail(db: Executor, actor: Actor, row0: ApplicationRow) {
    const row = (await this.repo.get(db, row0.id))!;
    const deadlines = await this.deadlines.list(db, row.id);
    const roles = await this.rolesOf(actor, row);
    const overrides = await this.ctx.calendar.overrides();
    const open = deadlines.filter((d) => d.status === 'open').sort((a, b) => a.due_at.getTime() - b.due_at.getTime())[0] ?? null;
    const a = await this.repo.agreementOf(db, row.id);
    const e = a?.entitlement_id ? await this.ctx.entitlements.repo.byId(db, a.entitlement_id) : undefined;
    const reports = a ? await this.repo.reports(db, a.id) : [];
    const docs = await this.repo.documents(db, row.id);
    const events = await this.repo.events(db, row.id);
    return {
      ...(await this.summary(db, row, open, overrides)),
      scenario: row.scenario,
      securityMeasures: row.security_measures,
      supplementRequest: row.supplement_request,
      refusalReason: row.refusal_reason,
      // The applicant's name as it signed the application (the first event), not a lookup of the user.
      applicantName: events.find((ev) => ev.by_role === 'applicant')?.actor_name ?? '',
      deadlines: deadlines.map((d) => this.deadlines.view(d, overrides)),
      documents: docs.map((d) => ({
        id: d.id,
        stage: d.stage,
        fileName: d.file_name,
        contentType: d.content_type,
        size: Number(d.size),
        sha256: d.sha256,
        createdAt: d.created_at.toISOString(),
      })),
      events: events.map((ev) => ({
        id: Number(ev.id),
        fromState: ev.from_state,
        toState: ev.to_state,
        byRole: ev.by_role,
        actorName: ev.actor_name,
        comment: ev.comment,
        at: ev.at.toISOString(),
      })),
      agreement: a
        ? {
            id: a.id,
            number: a.number,
            terms: a.terms,
            fields: a.fields,
            actions: a.actions,
            validFrom: a.valid_from.toISOString(),
            validTo: a.valid_to.toISOString(),
            reportEveryDays: a.report_every_days,
            reportGraceDays: a.report_grace_days,
            entitlementId: a.entitlement_id,
            entitlementState: e?.state ?? null,
            entitlementReason: e?.stateReason ?? null,
            reports: reports.map((r) => ({
              id: r.id,
              period: r.period_no,
              dueDate: r.due_date,
              graceUntil: r.grace_until.toISOString(),
              status: r.status,
              content: r.content,
              submittedAt: iso(r.submitted_at),
              workingDaysLeft: r.status === 'due' ? workingDaysBetweenPure(chinaDate(this.now()), r.due_date, overrides) : null,
            })),
            canReinstate:
              (roles.includes('provider') || roles.includes('authority')) &&
              e?.state === 'suspended' &&
              !reports.some((r) => r.status === 'overdue'),
          }
        : null,
      myRoles: roles,
      allowed: allowedTransitions(row.state, roles).map((t) => ({
        to: t.to,
        labelZh: t.labelZh,
        labelEn: t.labelEn,
        grants: !!t.grants,
        refusal: !!t.refusal,
        asks: !!t.asks,
      })),
    };
  }

  // ---------------------------------------------------------------------------------------------- deadlines
  private async openDeadline(tx: Tx, row: ApplicationRow, kind: DeadlineKind, at: Date): Promise<DeadlineRow> {
    const days = await this.setting(kind === 'review' ? 'review_days' : 'supplement_days', tx);
    return this.deadlines.start(tx, { caseId: row.id, kind, at, days, lead: await this.setting('reminder_lead_days', tx) });
  }

  /**
   * The deadline job (WorkflowDeadlines). The review's time ran out → flagged overdue, the provider and the
   * authority told (once). The supplement's time ran out → the application lapses. Idempotent: a closed or already
   * flagged deadline is left alone.
   */
  fireDeadline(deadlineId: string, opts: { at?: Date } = {}): Promise<{ result: string }> {
    return this.deadlines.fireDue(deadlineId, opts);
  }

  fireReminder(deadlineId: string, opts: { at?: Date } = {}): Promise<{ result: string }> {
    return this.deadlines.fireReminder(deadlineId, opts);
  }

  private async lapse(tx: Tx, row: ApplicationRow, dl: DeadlineRow, at: Date): Promise<string | null> {
    if (dl.kind !== 'supplement') return null;
    await this.deadlines.markOverdue(tx, dl.id, at);
    await this.step(
      tx,
      row,
      'lapsed',
      SYSTEM,
      'system',
      `申请人未在 ${dl.working_days} 个工作日内（${dl.due_date} 前）补充材料，申请终止 / Not supplemented within ${dl.working_days} working days: lapsed`,
      at,
    );
    return 'lapsed';
  }

  private async deadlineOverdue(tx: Tx, row: ApplicationRow, dl: DeadlineRow) {
    const title = { zh: `有条件开放申请审核已逾期：${row.number}`, en: `Conditional open application review overdue: ${row.number}` };
    await this.notify(tx, row, ['provider', 'authority'], deadlineNotice(dl, 'overdue', title));
    return { number: row.number };
  }

  private async deadlineWarning(tx: Tx, row: ApplicationRow, dl: DeadlineRow) {
    const label = DEADLINE_LABELS[dl.kind];
    const title = { zh: `有条件开放申请${label.zh}即将到期：${row.number}`, en: `Conditional open ${label.en} due soon: ${row.number}` };
    await this.notify(tx, row, [dl.kind === 'review' ? 'provider' : 'applicant'], deadlineNotice(dl, 'warning', title));
    return { number: row.number };
  }

  // ---------------------------------------------------------------------------------------------- notices
  private async notify(
    tx: Executor,
    row: ApplicationRow,
    who: OpenApplyRole[],
    n: { kind: string; title: { zh: string; en: string }; body?: { zh: string; en: string } },
  ): Promise<void> {
    for (const r of new Set(who)) {
      const link = `/open/applications/${row.id}`;
      if (r === 'authority') await this.ctx.notifications.notify(tx, { role: 'authority_admin', ...n, link });
      if (r === 'provider') await this.ctx.notifications.notify(tx, { role: 'provider_clerk', orgId: row.provider_org_id, ...n, link });
      if (r === 'applicant') await this.ctx.notifications.notify(tx, { userIds: [row.applicant_user_id], ...n, link });
    }
  }
}
