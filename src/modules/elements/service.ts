// Data elements (数据元) and 一数一源, and the three lists (职责目录, 需求清单, 负面清单) with their reports.
//
// 一数一源 (Opinions §II.1: "完善政务数据目录，实行统一管理，推动实现'一数一源'"): every standard data element has at
// most one authoritative source resource. A catalog field mapped to an element whose source belongs to
// another department is repeated collection (重复采集) and points to the source. An organization claims to
// be the source of an element; an uncontested claim is accepted at once, a contested one (another
// organization holds or claims the element) goes to the authority's arbitration queue, and the decision is
// ledgered and announced to the organizations that lost.
//
// Lists (Opinions §II.1 "完善政务数据共享责任清单"; issue 4 item 5):
//   职责目录  — what each department must provide, each item backed when linked to a published resource;
//   需求清单  — needs raised by departments or the public: open → answered → closed, open → rejected,
//               answered → open (reopened), open → closed (withdrawn); the first answer time is recorded;
//   负面清单  — resources that may not be shared and/or opened, with the legal basis; `negativeListBlocks`
//               is the check the catalog and the sharing/open modules call.
//
// Authorization (role matrix extended here, see src/modules/identity/authorize.ts):
// | action                        | who                                                          |
// |-------------------------------|--------------------------------------------------------------|
// | elements.read                 | every signed-in user                                         |
// | elements.manage, .arbitrate   | authority admin                                              |
// | elements.claim                | provider clerk, for resources of its own org subtree          |
// | elements.arbitration.read     | authority admin, auditor                                     |
// | elements.report.read          | authority admin, auditor; clerks: their own department's row  |
// | lists.responsibility.read     | authority, auditor, provider and consumer clerks             |
// | lists.responsibility.manage   | authority; provider clerk for its own org subtree             |
// | lists.demand.create           | every signed-in user                                         |
// | lists.demand.read             | the raiser; clerks of the raising or the target org subtree;  |
// |                               | authority, auditor                                           |
// | lists.demand.update/close/reopen | the raiser (authority too; routing is authority only)      |
// | lists.demand.answer           | authority; provider clerk of the target org subtree           |
// | lists.negative.read           | every signed-in user                                         |
// | lists.negative.manage         | authority admin                                              |
// | lists.coverage.read           | authority admin, auditor; clerks: their own department's row  |
import type { AppContext } from '../../context.ts';
import type { Executor, Tx } from '../../db/database.ts';
import { AppError, badRequest, conflict, notFound } from '../../errors.ts';
import { SYSTEM as SYSTEM_ACTOR, type Actor } from '../identity/actor.ts';
import type { OrgNode } from '../identity/orgtree.ts';
import { chinaDate } from '../jobs/calendar.ts';
import './messages.ts';
import {
  ElementsRepository,
  type ClaimRow,
  type DemandRow,
  type DemandStatus,
  type ElementRow,
  type NegativeRow,
  type NegativeScope,
  type ResourceRef,
  type ResponsibilityRow,
} from './repository.ts';
import type * as S from './schemas.ts';
import { resourceVisible } from './visibility.ts';

export type DemandAction = 'answer' | 'reject' | 'close' | 'reopen';
export const DEMAND_TRANSITIONS: Record<DemandStatus, DemandAction[]> = {
  open: ['answer', 'reject', 'close'],
  answered: ['close', 'reopen'],
  rejected: [],
  closed: [],
};
const DEMAND_TARGET: Record<DemandAction, DemandStatus> = { answer: 'answered', reject: 'rejected', close: 'closed', reopen: 'open' };

/** Resource statuses that count as "published" for backing a responsibility item. */
export const BACKING_STATUSES = new Set(['published', 'updated']);
/** A resource in these states cannot be (or become) an authoritative source. */
const SOURCE_UNAVAILABLE = new Set(['withdrawn', 'deprecated']);

export interface NegativeListBlock {
  entryId: string;
  resourceId: string;
  scope: NegativeScope;
  legalBasis: string;
}

const iso = (d: Date) => d.toISOString();
const isoN = (d: Date | null) => (d ? d.toISOString() : null);

export class ElementsService {
  readonly repo = new ElementsRepository();

  constructor(readonly ctx: AppContext) {
    const a = ctx.authz;
    a.allow('signed_in', 'elements.read', 'any');
    a.allow('signed_in', 'lists.negative.read', 'any');
    a.allow('signed_in', 'lists.demand.create', 'any');
    for (const action of ['lists.demand.read', 'lists.demand.update', 'lists.demand.close', 'lists.demand.reopen'])
      a.allow('signed_in', action, 'self');
    a.allow('provider_clerk', 'elements.claim', 'org_subtree');
    a.allow('provider_clerk', 'lists.responsibility.manage', 'org_subtree');
    a.allow('provider_clerk', 'lists.demand.answer', 'org_subtree');
    for (const role of ['provider_clerk', 'consumer_clerk'] as const) {
      a.allow(role, 'lists.responsibility.read', 'any');
      a.allow(role, 'lists.demand.read', 'org_subtree');
      a.allow(role, 'elements.report.read', 'org_subtree');
      a.allow(role, 'lists.coverage.read', 'org_subtree');
    }
  }

  private get db() {
    return this.ctx.db;
  }
  private get orgs() {
    return this.ctx.authz.orgs;
  }

  // ============================================================================================ helpers
  async orgBrief(id: string): Promise<S.OrgBriefT> {
    const o = await this.orgs.get(id);
    return { id, code: o?.code ?? '', nameZh: o?.nameZh ?? '', nameEn: o?.nameEn ?? '' };
  }

  /** The department an organization rolls up to: itself, or its nearest ancestor that is not a unit. */
  async departmentOf(orgId: string): Promise<string> {
    const path = await this.orgs.path(orgId);
    for (let i = path.length - 1; i >= 0; i--) {
      const node = await this.orgs.get(path[i]!);
      if (node && node.kind !== 'unit') return node.id;
    }
    return orgId;
  }

  /** True when both organizations roll up to the same department (no repeated collection between them). */
  async sameDepartment(a: string, b: string): Promise<boolean> {
    if (a === b) return true;
    return (await this.departmentOf(a)) === (await this.departmentOf(b));
  }

  private async visible(actor: Actor, r: ResourceRef): Promise<boolean> {
    return resourceVisible(actor, r, this.ctx.authz);
  }

  private resourceBrief(r: ResourceRef): S.ResourceBriefT {
    return { id: r.id, code: r.code, nameZh: r.name_zh, nameEn: r.name_en, providerOrgId: r.provider_org_id, status: r.status };
  }

  /** A resource the actor may see, or 404 (no hint that an invisible resource exists). */
  private async visibleResource(
    actor: Actor,
    id: string,
    db: Executor = this.db,
    code = 'ELEMENTS_RESOURCE_NOT_FOUND',
  ): Promise<ResourceRef> {
    const r = await this.repo.resource(db, id);
    if (!r || !(await this.visible(actor, r))) throw notFound(code, { id }, { field: 'resourceId', id });
    return r;
  }

  private async visibleBriefs(actor: Actor, rows: ResourceRef[]): Promise<S.ResourceBriefT[]> {
    const out: S.ResourceBriefT[] = [];
    for (const r of rows) if (await this.visible(actor, r)) out.push(this.resourceBrief(r));
    return out;
  }

  /** Resources linked by a list entry: each must exist and be visible to the actor (400 naming the id). */
  private async linkableResources(actor: Actor, db: Executor, ids: readonly string[]): Promise<ResourceRef[]> {
    const rows = await this.repo.resources(db, ids);
    const byId = new Map(rows.map((r) => [r.id, r]));
    for (const id of ids) {
      const r = byId.get(id);
      if (!r || !(await this.visible(actor, r))) throw badRequest('LIST_RESOURCE_NOT_FOUND', { id }, { field: 'resourceIds', id });
    }
    return ids.map((id) => byId.get(id)!);
  }

  /** Departments (org kind 'department') in code order: the rows of the per-department reports. */
  private async departments(): Promise<OrgNode[]> {
    const all = await this.ctx.identity.listOrgs(SYSTEM_ACTOR);
    return all
      .filter((o) => o.kind === 'department' && o.status === 'active')
      .map((o) => ({ id: o.id, parentId: o.parentId, code: o.code, nameZh: o.nameZh, nameEn: o.nameEn, kind: o.kind, status: o.status }));
  }

  // =========================================================================================== elements
  private elementBrief(e: ElementRow): S.ElementBriefT {
    return { id: e.id, code: e.code, nameZh: e.name_zh, nameEn: e.name_en, standardRef: e.standard_ref };
  }

  private async elementViews(actor: Actor, rows: ElementRow[]): Promise<S.ElementT[]> {
    const usage = await this.repo.elementOrgUsage(this.db);
    const byElement = new Map<string, Array<{ org: string; fields: number }>>();
    for (const u of usage) {
      const list = byElement.get(u.element_id) ?? [];
      list.push({ org: u.provider_org_id, fields: u.fields });
      byElement.set(u.element_id, list);
    }
    const open = new Map((await this.repo.listArbitrations(this.db, 'open')).map((a) => [a.element_id, a.id]));
    const sources = new Map(
      (
        await this.repo.resources(
          this.db,
          rows.map((e) => e.authoritative_resource_id).filter((x): x is string => !!x),
        )
      ).map((r) => [r.id, r]),
    );
    const out: S.ElementT[] = [];
    for (const e of rows) {
      let mapped = 0;
      let repeated = 0;
      for (const u of byElement.get(e.id) ?? []) {
        mapped += u.fields;
        if (e.authoritative_org_id && !(await this.sameDepartment(u.org, e.authoritative_org_id))) repeated += u.fields;
      }
      const src = e.authoritative_resource_id ? sources.get(e.authoritative_resource_id) : undefined;
      out.push({
        id: e.id,
        code: e.code,
        nameZh: e.name_zh,
        nameEn: e.name_en,
        definitionZh: e.definition_zh,
        definitionEn: e.definition_en,
        dataType: e.data_type,
        format: e.format,
        pattern: e.pattern,
        standardRef: e.standard_ref,
        synonyms: e.synonyms,
        status: e.status,
        authoritativeResource: src && (await this.visible(actor, src)) ? this.resourceBrief(src) : null,
        authoritativeOrg: e.authoritative_org_id ? await this.orgBrief(e.authoritative_org_id) : null,
        mappedFields: mapped,
        repeatedFields: repeated,
        openArbitrationId: open.get(e.id) ?? null,
        createdAt: iso(e.created_at),
        updatedAt: iso(e.updated_at),
      });
    }
    return out;
  }

  async listElements(
    actor: Actor,
    opts: { q?: string; status?: 'active' | 'retired' } = {},
  ): Promise<{ items: S.ElementT[]; total: number }> {
    await this.ctx.authz.authorize(actor, 'elements.read', { type: 'data_element' });
    const rows = await this.repo.listElements(this.db, { q: opts.q?.trim() || undefined, status: opts.status });
    const items = await this.elementViews(actor, rows);
    return { items, total: items.length };
  }

  async getElement(actor: Actor, id: string): Promise<S.ElementT> {
    await this.ctx.authz.authorize(actor, 'elements.read', { type: 'data_element', id });
    const row = await this.repo.getElement(this.db, id);
    if (!row) throw notFound('ELEMENT_NOT_FOUND', {}, { id });
    return (await this.elementViews(actor, [row]))[0]!;
  }

  async createElement(actor: Actor, input: S.CreateElementInput): Promise<S.ElementT> {
    await this.ctx.authz.authorize(actor, 'elements.manage', { type: 'data_element' });
    const code = input.code.toUpperCase();
    const nameZh = input.nameZh.trim();
    if (!nameZh) throw badRequest('VALIDATION_FAILED', { detail: 'nameZh' }, { field: 'nameZh' });
    this.checkPattern(input.pattern ?? null);
    const id = await this.db.transaction().execute(async (tx) => {
      if (await this.repo.getElementByCode(tx, code)) throw new AppError(409, 'ELEMENT_CODE_TAKEN', { code }, { field: 'code' });
      if (await this.repo.getElementByName(tx, nameZh))
        throw new AppError(409, 'ELEMENT_NAME_TAKEN', { name: nameZh }, { field: 'nameZh' });
      const e = await this.repo.insertElement(tx, {
        code,
        name_zh: nameZh,
        name_en: input.nameEn?.trim() ?? '',
        definition_zh: input.definitionZh?.trim() ?? '',
        definition_en: input.definitionEn?.trim() ?? '',
        data_type: input.dataType,
        format: input.format?.trim() ?? '',
        pattern: input.pattern ?? null,
        standard_ref: input.standardRef?.trim() ?? '',
        synonyms: dedupe(input.synonyms ?? []),
      });
      let source: { resourceId: string; orgId: string } | null = null;
      if (input.authoritativeResourceId) source = await this.designate(actor, tx, e, input.authoritativeResourceId, input.basis);
      await this.ctx.ledger.append(tx, {
        actor,
        action: 'elements.create',
        objectType: 'data_element',
        objectId: e.id,
        details: { code, nameZh, standardRef: e.standard_ref, source },
      });
      return e.id;
    });
    return this.getElement(actor, id);
  }

  async updateElement(actor: Actor, id: string, input: S.UpdateElementInput): Promise<S.ElementT> {
    await this.ctx.authz.authorize(actor, 'elements.manage', { type: 'data_element', id });
    if (input.pattern !== undefined) this.checkPattern(input.pattern);
    await this.db.transaction().execute(async (tx) => {
      const before = await this.repo.getElement(tx, id, true);
      if (!before) throw notFound('ELEMENT_NOT_FOUND', {}, { id });
      const patch: Partial<ElementRow> = {};
      const changes: Record<string, unknown> = {};
      const set = <K extends keyof ElementRow>(k: K, v: ElementRow[K] | undefined) => {
        if (v === undefined || JSON.stringify(v) === JSON.stringify(before[k])) return;
        patch[k] = v;
        changes[k] = { from: before[k], to: v };
      };
      const nameZh = input.nameZh?.trim();
      if (nameZh !== undefined && nameZh !== before.name_zh) {
        const other = await this.repo.getElementByName(tx, nameZh);
        if (other && other.id !== id) throw new AppError(409, 'ELEMENT_NAME_TAKEN', { name: nameZh }, { field: 'nameZh' });
      }
      set('name_zh', nameZh || undefined);
      set('name_en', input.nameEn?.trim());
      set('definition_zh', input.definitionZh?.trim());
      set('definition_en', input.definitionEn?.trim());
      set('data_type', input.dataType);
      set('format', input.format?.trim());
      set('pattern', input.pattern);
      set('standard_ref', input.standardRef?.trim());
      set('synonyms', input.synonyms ? dedupe(input.synonyms) : undefined);
      set('status', input.status);
      const el = Object.keys(patch).length ? await this.repo.updateElement(tx, id, patch) : before;
      if (input.authoritativeResourceId !== undefined && input.authoritativeResourceId !== before.authoritative_resource_id) {
        if (await this.repo.openArbitration(tx, id)) throw conflict('ELEMENT_IN_ARBITRATION', { element: before.name_zh }, { id });
        if (input.authoritativeResourceId === null) {
          const accepted = await this.repo.acceptedClaim(tx, id);
          if (accepted) await this.repo.setClaim(tx, accepted.id, { status: 'superseded', decided_at: new Date() });
          await this.repo.updateElement(tx, id, { authoritative_resource_id: null, authoritative_org_id: null });
          changes.source = { from: before.authoritative_resource_id, to: null };
        } else {
          const src = await this.designate(actor, tx, el, input.authoritativeResourceId, input.basis);
          changes.source = { from: before.authoritative_resource_id, to: src.resourceId, orgId: src.orgId };
        }
      }
      if (!Object.keys(changes).length) return;
      await this.ctx.ledger.append(tx, {
        actor,
        action: 'elements.update',
        objectType: 'data_element',
        objectId: id,
        details: { changes },
      });
    });
    return this.getElement(actor, id);
  }

  private checkPattern(pattern: string | null): void {
    if (pattern === null) return;
    try {
      new RegExp(pattern, 'u');
    } catch {
      throw badRequest('VALIDATION_FAILED', { detail: 'pattern' }, { field: 'pattern' });
    }
  }

  /** The authority designates a source directly: an accepted claim replaces the current one. */
  private async designate(
    actor: Actor,
    tx: Tx,
    e: ElementRow,
    resourceId: string,
    basis: string | undefined,
  ): Promise<{ resourceId: string; orgId: string; claimId: string }> {
    const r = await this.visibleResource(actor, resourceId, tx);
    if (SOURCE_UNAVAILABLE.has(r.status))
      throw badRequest('CLAIM_RESOURCE_UNAVAILABLE', { status: r.status }, { field: 'authoritativeResourceId' });
    const accepted = await this.repo.acceptedClaim(tx, e.id);
    if (accepted) await this.repo.setClaim(tx, accepted.id, { status: 'superseded', decided_at: new Date() });
    const claim = await this.repo.insertClaim(tx, {
      element_id: e.id,
      org_id: r.provider_org_id,
      resource_id: r.id,
      basis: basis?.trim() || '数据管理机构指定 / designated by the data authority',
      status: 'accepted',
      arbitration_id: null,
      claimed_by: actor.userId,
      decided_at: new Date(),
    });
    await this.repo.updateElement(tx, e.id, { authoritative_resource_id: r.id, authoritative_org_id: r.provider_org_id });
    return { resourceId: r.id, orgId: r.provider_org_id, claimId: claim.id };
  }

  // ============================================================================================= claims
  private async claimViews(actor: Actor, rows: ClaimRow[]): Promise<S.ClaimT[]> {
    const resources = new Map((await this.repo.resources(this.db, [...new Set(rows.map((c) => c.resource_id))])).map((r) => [r.id, r]));
    const out: S.ClaimT[] = [];
    for (const c of rows) {
      const r = resources.get(c.resource_id);
      out.push({
        id: c.id,
        elementId: c.element_id,
        org: await this.orgBrief(c.org_id),
        resource: r && (await this.visible(actor, r)) ? this.resourceBrief(r) : null,
        basis: c.basis,
        status: c.status,
        arbitrationId: c.arbitration_id,
        claimedBy: c.claimed_by,
        createdAt: iso(c.created_at),
        decidedAt: isoN(c.decided_at),
      });
    }
    return out;
  }

  async listClaims(actor: Actor, elementId: string): Promise<S.ClaimT[]> {
    await this.ctx.authz.authorize(actor, 'elements.read', { type: 'data_element', id: elementId });
    if (!(await this.repo.getElement(this.db, elementId))) throw notFound('ELEMENT_NOT_FOUND', {}, { id: elementId });
    return this.claimViews(actor, await this.repo.claimsOf(this.db, elementId));
  }

  /**
   * An organization claims to be the authoritative source of an element with one of its resources.
   * Uncontested → accepted at once; another organization holds or claims the element → arbitration.
   */
  async claim(
    actor: Actor,
    elementId: string,
    input: S.ClaimInput,
  ): Promise<{ outcome: 'accepted' | 'arbitration'; claim: S.ClaimT; arbitrationId: string | null }> {
    await this.ctx.authz.authorize(actor, 'elements.read', { type: 'data_element', id: elementId });
    const resource = await this.visibleResource(actor, input.resourceId);
    await this.ctx.authz.authorize(actor, 'elements.claim', { type: 'data_element', id: elementId, orgId: resource.provider_org_id });
    const basis = input.basis.trim();
    if (!basis) throw badRequest('VALIDATION_FAILED', { detail: 'basis' }, { field: 'basis' });
    const res = await this.db.transaction().execute(async (tx) => {
      const e = await this.repo.getElement(tx, elementId, true);
      if (!e) throw notFound('ELEMENT_NOT_FOUND', {}, { id: elementId });
      if (e.status !== 'active') throw conflict('ELEMENT_RETIRED', { element: e.name_zh }, { id: elementId });
      const r = (await this.repo.resource(tx, resource.id))!;
      if (SOURCE_UNAVAILABLE.has(r.status)) throw badRequest('CLAIM_RESOURCE_UNAVAILABLE', { status: r.status }, { field: 'resourceId' });
      const fields = await this.repo.fieldsOf(tx, r.id);
      if (!fields.some((f) => f.element_id === e.id))
        throw badRequest('CLAIM_RESOURCE_LACKS_ELEMENT', { resource: r.name_zh, element: e.name_zh }, { field: 'resourceId' });
      const org = r.provider_org_id;
      const claims = await this.repo.claimsOf(tx, e.id);
      if (claims.some((c) => c.status === 'pending' && c.org_id === org))
        throw conflict('CLAIM_ALREADY_PENDING', { element: e.name_zh }, { elementId: e.id });
      const accepted = claims.find((c) => c.status === 'accepted');
      if (e.authoritative_resource_id === r.id) throw conflict('CLAIM_ALREADY_AUTHORITATIVE', { element: e.name_zh }, { elementId: e.id });
      let arbitration = await this.repo.openArbitration(tx, e.id);
      const now = new Date();
      let claim: ClaimRow;
      let outcome: 'accepted' | 'arbitration';
      if (!arbitration && (!e.authoritative_org_id || e.authoritative_org_id === org)) {
        // Uncontested (or the holder switching to another of its own resources).
        if (accepted) await this.repo.setClaim(tx, accepted.id, { status: 'superseded', decided_at: now });
        claim = await this.repo.insertClaim(tx, {
          element_id: e.id,
          org_id: org,
          resource_id: r.id,
          basis,
          status: 'accepted',
          arbitration_id: null,
          claimed_by: actor.userId,
          decided_at: now,
        });
        await this.repo.updateElement(tx, e.id, { authoritative_resource_id: r.id, authoritative_org_id: org });
        outcome = 'accepted';
      } else {
        const opened = !arbitration;
        arbitration ??= await this.repo.insertArbitration(tx, e.id);
        if (opened && accepted) await this.repo.setClaim(tx, accepted.id, { arbitration_id: arbitration.id });
        claim = await this.repo.insertClaim(tx, {
          element_id: e.id,
          org_id: org,
          resource_id: r.id,
          basis,
          status: 'pending',
          arbitration_id: arbitration.id,
          claimed_by: actor.userId,
        });
        outcome = 'arbitration';
        const orgName = (await this.orgBrief(org)).nameZh;
        const orgNameEn = (await this.orgBrief(org)).nameEn || orgName;
        await this.ctx.notifications.notify(tx, {
          role: 'authority_admin',
          kind: 'elements.arbitration.opened',
          title: { zh: `数据元“${e.name_zh}”权威来源待仲裁`, en: `Authoritative source of “${e.name_en || e.name_zh}” awaits arbitration` },
          body: {
            zh: `${orgName}认领数据元“${e.name_zh}”的权威来源，与其他机构冲突，请裁决。`,
            en: `${orgNameEn} claims to be the authoritative source of “${e.name_en || e.name_zh}”, which another organization holds or claims. Please decide.`,
          },
          link: `/elements/arbitrations/${arbitration.id}`,
        });
        if (e.authoritative_org_id && e.authoritative_org_id !== org)
          await this.ctx.notifications.notify(tx, {
            role: 'provider_clerk',
            orgId: e.authoritative_org_id,
            kind: 'elements.claim.contested',
            title: {
              zh: `本单位作为“${e.name_zh}”权威来源的地位被提出异议`,
              en: `Your source of “${e.name_en || e.name_zh}” is contested`,
            },
            body: {
              zh: `${orgName}认领了数据元“${e.name_zh}”的权威来源，数据管理机构将仲裁。`,
              en: `${orgNameEn} claims to be the authoritative source of “${e.name_en || e.name_zh}”; the data authority will arbitrate.`,
            },
            link: `/elements/${e.id}`,
          });
      }
      await this.ctx.ledger.append(tx, {
        actor,
        action: 'elements.claim',
        objectType: 'data_element',
        objectId: e.id,
        orgId: org,
        details: { claimId: claim.id, resourceId: r.id, orgId: org, outcome, arbitrationId: claim.arbitration_id, basis },
      });
      return { outcome, claim, arbitrationId: claim.arbitration_id };
    });
    return { outcome: res.outcome, claim: (await this.claimViews(actor, [res.claim]))[0]!, arbitrationId: res.arbitrationId };
  }

  // ======================================================================================= arbitrations
  private async arbitrationViews(
    actor: Actor,
    rows: Awaited<ReturnType<ElementsRepository['listArbitrations']>>,
  ): Promise<S.ArbitrationT[]> {
    const claims = await this.repo.claimsIn(
      this.db,
      rows.map((a) => a.id),
    );
    const views = new Map((await this.claimViews(actor, claims)).map((c) => [c.id, c]));
    const out: S.ArbitrationT[] = [];
    for (const a of rows) {
      const e = await this.repo.getElement(this.db, a.element_id);
      // The holder (accepted, or the decided winner) first, then the challengers in order.
      const mine = claims
        .filter((c) => c.arbitration_id === a.id)
        .sort((x, y) => Number(y.status === 'accepted') - Number(x.status === 'accepted'));
      out.push({
        id: a.id,
        element: e ? this.elementBrief(e) : { id: a.element_id, code: '', nameZh: '', nameEn: '', standardRef: '' },
        status: a.status,
        openedAt: iso(a.opened_at),
        decidedAt: isoN(a.decided_at),
        decidedBy: a.decided_by,
        winnerClaimId: a.winner_claim_id,
        comment: a.comment,
        claims: mine.map((c) => views.get(c.id)!),
      });
    }
    return out;
  }

  async listArbitrations(actor: Actor, status?: 'open' | 'decided'): Promise<S.ArbitrationT[]> {
    await this.ctx.authz.authorize(actor, 'elements.arbitration.read', { type: 'element_arbitration' });
    return this.arbitrationViews(actor, await this.repo.listArbitrations(this.db, status));
  }

  async getArbitration(actor: Actor, id: string): Promise<S.ArbitrationT> {
    await this.ctx.authz.authorize(actor, 'elements.arbitration.read', { type: 'element_arbitration', id });
    const a = await this.repo.getArbitration(this.db, id);
    if (!a) throw notFound('ARBITRATION_NOT_FOUND', {}, { id });
    return (await this.arbitrationViews(actor, [a]))[0]!;
  }

  /** The authority decides: the winner becomes (or stays) the source; the others are rejected and told so. */
  async decide(actor: Actor, id: string, input: { winnerClaimId: string; comment: string }): Promise<S.ArbitrationT> {
    await this.ctx.authz.authorize(actor, 'elements.arbitrate', { type: 'element_arbitration', id });
    const comment = input.comment.trim();
    if (!comment) throw badRequest('VALIDATION_FAILED', { detail: 'comment' }, { field: 'comment' });
    await this.db.transaction().execute(async (tx) => {
      const a = await this.repo.getArbitration(tx, id, true);
      if (!a) throw notFound('ARBITRATION_NOT_FOUND', {}, { id });
      if (a.status !== 'open') throw conflict('ARBITRATION_DECIDED', {}, { id });
      const e = (await this.repo.getElement(tx, a.element_id, true))!;
      const claims = (await this.repo.claimsIn(tx, [id])).filter((c) => c.status === 'accepted' || c.status === 'pending');
      const winner = claims.find((c) => c.id === input.winnerClaimId);
      if (!winner) throw badRequest('ARBITRATION_WINNER_INVALID', {}, { field: 'winnerClaimId' });
      const now = new Date();
      const losers = claims.filter((c) => c.id !== winner.id);
      // Losers first: at most one accepted claim per element.
      for (const c of losers) await this.repo.setClaim(tx, c.id, { status: 'rejected', decided_at: now });
      if (winner.status !== 'accepted') await this.repo.setClaim(tx, winner.id, { status: 'accepted', decided_at: now });
      await this.repo.updateElement(tx, e.id, { authoritative_resource_id: winner.resource_id, authoritative_org_id: winner.org_id });
      await this.repo.decideArbitration(tx, id, { decidedBy: actor.userId, winnerClaimId: winner.id, comment });
      const winnerOrg = await this.orgBrief(winner.org_id);
      const elName = { zh: e.name_zh, en: e.name_en || e.name_zh };
      for (const org of new Set(losers.map((c) => c.org_id)))
        await this.ctx.notifications.notify(tx, {
          role: 'provider_clerk',
          orgId: org,
          kind: 'elements.arbitration.lost',
          title: { zh: `数据元“${elName.zh}”权威来源仲裁结果`, en: `Arbitration on the source of “${elName.en}”` },
          body: {
            zh: `数据管理机构裁定${winnerOrg.nameZh}为数据元“${elName.zh}”的权威来源，本单位的认领未获支持。裁决意见：${comment}`,
            en: `The data authority decided that ${winnerOrg.nameEn || winnerOrg.nameZh} is the authoritative source of “${elName.en}”; your organization’s claim was not upheld. Reasoning: ${comment}`,
          },
          link: `/elements/${e.id}`,
        });
      await this.ctx.notifications.notify(tx, {
        role: 'provider_clerk',
        orgId: winner.org_id,
        kind: 'elements.arbitration.won',
        title: { zh: `本单位被确认为“${elName.zh}”的权威来源`, en: `Your organization is the authoritative source of “${elName.en}”` },
        body: { zh: `裁决意见：${comment}`, en: `Reasoning: ${comment}` },
        link: `/elements/${e.id}`,
      });
      await this.ctx.ledger.append(tx, {
        actor,
        action: 'elements.arbitration.decide',
        objectType: 'element_arbitration',
        objectId: id,
        details: {
          elementId: e.id,
          winnerClaimId: winner.id,
          winnerOrgId: winner.org_id,
          resourceId: winner.resource_id,
          losers: losers.map((c) => ({ claimId: c.id, orgId: c.org_id })),
          comment,
        },
      });
    });
    return this.getArbitration(actor, id);
  }

  // ============================================================================================ lineage
  /** Per field of a resource: its data element, the element's source, and whether the field re-collects it. */
  async lineage(actor: Actor, resourceId: string): Promise<S.LineageT> {
    await this.ctx.authz.authorize(actor, 'elements.read', { type: 'data_element' });
    const resource = await this.visibleResource(actor, resourceId);
    const fields = await this.repo.fieldsOf(this.db, resourceId);
    const elementIds = [...new Set(fields.map((f) => f.element_id).filter((x): x is string => !!x))];
    const elements = new Map<string, ElementRow>();
    for (const id of elementIds) {
      const e = await this.repo.getElement(this.db, id);
      if (e) elements.set(id, e);
    }
    const sources = new Map(
      (
        await this.repo.resources(
          this.db,
          [...elements.values()].map((e) => e.authoritative_resource_id).filter((x): x is string => !!x),
        )
      ).map((r) => [r.id, r]),
    );
    const out: S.LineageT['fields'] = [];
    for (const f of fields) {
      const e = f.element_id ? elements.get(f.element_id) : undefined;
      const src = e?.authoritative_resource_id ? sources.get(e.authoritative_resource_id) : undefined;
      const isSource = !!e && e.authoritative_resource_id === resource.id;
      const repeated =
        !!e?.authoritative_org_id && !isSource && !(await this.sameDepartment(resource.provider_org_id, e.authoritative_org_id));
      out.push({
        fieldId: f.id,
        position: f.position,
        nameZh: f.name_zh,
        nameEn: f.name_en,
        code: f.code,
        element: e ? this.elementBrief(e) : null,
        authoritativeResource: src && (await this.visible(actor, src)) ? this.resourceBrief(src) : null,
        authoritativeOrg: e?.authoritative_org_id ? await this.orgBrief(e.authoritative_org_id) : null,
        isAuthoritativeSource: isSource,
        repeatedCollection: repeated,
      });
    }
    return { resource: this.resourceBrief(resource), fields: out, repeatedCount: out.filter((f) => f.repeatedCollection).length };
  }

  // ============================================================================================= report
  /** Per department: repeated-collection fields, open conflicts, elements it is the source of. */
  async report(actor: Actor, opts: { itemLimit?: number } = {}): Promise<S.ReportT> {
    await this.ctx.authz.authorize(actor, 'elements.report.read', { type: 'elements_report', orgId: actor.orgId });
    const limit = opts.itemLimit ?? 200;
    const depts = await this.departments();
    const rows = new Map<string, S.ReportT['items'][number]>();
    const row = async (deptId: string) => {
      let r = rows.get(deptId);
      if (!r) {
        r = {
          org: await this.orgBrief(deptId),
          repeatedFields: { count: 0, items: [] },
          openConflicts: { count: 0, items: [] },
          authoritativeElements: [],
        };
        rows.set(deptId, r);
      }
      return r;
    };
    for (const d of depts) await row(d.id);
    const elements = new Map((await this.repo.listElements(this.db)).map((e) => [e.id, e]));
    for (const e of elements.values())
      if (e.authoritative_org_id && e.status === 'active')
        (await row(await this.departmentOf(e.authoritative_org_id))).authoritativeElements.push(this.elementBrief(e));
    for (const f of await this.repo.crossOrgFields(this.db)) {
      const dept = await this.departmentOf(f.provider_org_id);
      if (dept === (await this.departmentOf(f.authoritative_org_id!))) continue;
      const r = await row(dept);
      r.repeatedFields.count++;
      if (r.repeatedFields.items.length < limit)
        r.repeatedFields.items.push({
          resource: {
            id: f.resource_id,
            code: f.resource_code,
            nameZh: f.resource_name_zh,
            nameEn: f.resource_name_en,
            providerOrgId: f.provider_org_id,
            status: f.resource_status,
          },
          fieldId: f.field_id,
          fieldNameZh: f.field_name_zh,
          fieldNameEn: f.field_name_en,
          element: this.elementBrief(elements.get(f.element_id)!),
          authoritativeOrg: await this.orgBrief(f.authoritative_org_id!),
          authoritativeResourceId: f.authoritative_resource_id,
        });
    }
    const open = await this.repo.listArbitrations(this.db, 'open');
    const claims = await this.repo.claimsIn(
      this.db,
      open.map((a) => a.id),
    );
    for (const a of open) {
      const e = elements.get(a.element_id);
      if (!e) continue;
      const orgIds = [...new Set(claims.filter((c) => c.arbitration_id === a.id).map((c) => c.org_id))];
      const claimants = await Promise.all(orgIds.map((o) => this.orgBrief(o)));
      const item = { arbitrationId: a.id, element: this.elementBrief(e), openedAt: iso(a.opened_at), claimants };
      for (const dept of new Set(await Promise.all(orgIds.map((o) => this.departmentOf(o))))) {
        const r = await row(dept);
        r.openConflicts.count++;
        r.openConflicts.items.push(item);
      }
    }
    const items: S.ReportT['items'] = [];
    for (const r of rows.values()) {
      if (await this.ctx.authz.can(actor, 'elements.report.read', { type: 'elements_report', orgId: r.org.id })) items.push(r);
    }
    items.sort((a, b) => a.org.code.localeCompare(b.org.code));
    const visibleAll = await this.ctx.authz.can(actor, 'elements.report.read', { type: 'elements_report' });
    return {
      items,
      totals: {
        repeatedFields: items.reduce((n, r) => n + r.repeatedFields.count, 0),
        openConflicts: visibleAll ? open.length : new Set(items.flatMap((r) => r.openConflicts.items.map((i) => i.arbitrationId))).size,
        elementsWithoutSource: [...elements.values()].filter((e) => e.status === 'active' && !e.authoritative_org_id).length,
      },
    };
  }

  // ================================================================================ responsibility list
  private async responsibilityViews(actor: Actor, rows: ResponsibilityRow[]): Promise<S.ResponsibilityT[]> {
    const links = await this.repo.responsibilityLinks(
      this.db,
      rows.map((r) => r.id),
    );
    const resources = new Map((await this.repo.resources(this.db, [...new Set(links.map((l) => l.resource_id))])).map((r) => [r.id, r]));
    const out: S.ResponsibilityT[] = [];
    for (const item of rows) {
      const linked = links
        .filter((l) => l.item_id === item.id)
        .map((l) => resources.get(l.resource_id)!)
        .filter(Boolean);
      linked.sort((a, b) => a.code.localeCompare(b.code));
      out.push({
        id: item.id,
        org: await this.orgBrief(item.org_id),
        nameZh: item.name_zh,
        nameEn: item.name_en,
        description: item.description,
        legalBasis: item.legal_basis,
        resources: await this.visibleBriefs(actor, linked),
        linkedCount: linked.length,
        backed: linked.some((r) => BACKING_STATUSES.has(r.status)),
        createdAt: iso(item.created_at),
        updatedAt: iso(item.updated_at),
      });
    }
    return out;
  }

  async listResponsibilities(actor: Actor, opts: { orgId?: string } = {}): Promise<{ items: S.ResponsibilityT[]; total: number }> {
    await this.ctx.authz.authorize(actor, 'lists.responsibility.read', { type: 'responsibility_item', orgId: opts.orgId ?? null });
    const orgIds = opts.orgId ? await this.orgs.subtree(opts.orgId) : null;
    const items = await this.responsibilityViews(actor, await this.repo.listResponsibilities(this.db, orgIds));
    return { items, total: items.length };
  }

  async getResponsibility(actor: Actor, id: string): Promise<S.ResponsibilityT> {
    const row = await this.repo.getResponsibility(this.db, id);
    if (!row) throw notFound('RESPONSIBILITY_NOT_FOUND', {}, { id });
    await this.ctx.authz.authorize(actor, 'lists.responsibility.read', { type: 'responsibility_item', id, orgId: row.org_id });
    return (await this.responsibilityViews(actor, [row]))[0]!;
  }

  /** Linked resources must belong to the item's department (its org subtree). */
  private async checkOwnResources(actor: Actor, db: Executor, orgId: string, ids: readonly string[]): Promise<string[]> {
    const unique = [...new Set(ids)];
    const rows = await this.linkableResources(actor, db, unique);
    const dept = await this.departmentOf(orgId);
    for (const r of rows) {
      if (!(await this.orgs.isWithin(r.provider_org_id, dept)))
        throw badRequest('RESPONSIBILITY_RESOURCE_NOT_OWN', { resource: r.name_zh }, { field: 'resourceIds', id: r.id });
    }
    return unique;
  }

  async createResponsibility(actor: Actor, input: S.CreateResponsibilityInput): Promise<S.ResponsibilityT> {
    const orgId = input.orgId ?? actor.orgId;
    if (!orgId || !(await this.orgs.get(orgId))) throw badRequest('ORG_UNKNOWN', {}, { field: 'orgId' });
    await this.ctx.authz.authorize(actor, 'lists.responsibility.manage', { type: 'responsibility_item', orgId });
    const nameZh = input.nameZh.trim();
    if (!nameZh) throw badRequest('VALIDATION_FAILED', { detail: 'nameZh' }, { field: 'nameZh' });
    const id = await this.db.transaction().execute(async (tx) => {
      const resourceIds = await this.checkOwnResources(actor, tx, orgId, input.resourceIds ?? []);
      const item = await this.repo.insertResponsibility(tx, {
        org_id: orgId,
        name_zh: nameZh,
        name_en: input.nameEn?.trim() ?? '',
        description: input.description?.trim() ?? '',
        legal_basis: input.legalBasis?.trim() ?? '',
        created_by: actor.userId,
      });
      await this.repo.setResponsibilityLinks(tx, item.id, resourceIds);
      await this.ctx.ledger.append(tx, {
        actor,
        action: 'lists.responsibility.create',
        objectType: 'responsibility_item',
        objectId: item.id,
        orgId,
        details: { nameZh, resourceIds },
      });
      return item.id;
    });
    return this.getResponsibility(actor, id);
  }

  async updateResponsibility(actor: Actor, id: string, input: S.UpdateResponsibilityInput): Promise<S.ResponsibilityT> {
    await this.db.transaction().execute(async (tx) => {
      const before = await this.repo.getResponsibility(tx, id, true);
      if (!before) throw notFound('RESPONSIBILITY_NOT_FOUND', {}, { id });
      await this.ctx.authz.authorize(actor, 'lists.responsibility.manage', { type: 'responsibility_item', id, orgId: before.org_id });
      const patch: Parameters<ElementsRepository['updateResponsibility']>[2] = {};
      const changes: Record<string, unknown> = {};
      const nameZh = input.nameZh?.trim();
      if (input.nameZh !== undefined && !nameZh) throw badRequest('VALIDATION_FAILED', { detail: 'nameZh' }, { field: 'nameZh' });
      const fields = [
        ['name_zh', nameZh],
        ['name_en', input.nameEn?.trim()],
        ['description', input.description?.trim()],
        ['legal_basis', input.legalBasis?.trim()],
      ] as const;
      for (const [k, v] of fields) {
        if (v === undefined || v === before[k]) continue;
        patch[k] = v;
        changes[k] = { from: before[k], to: v };
      }
      if (Object.keys(patch).length) await this.repo.updateResponsibility(tx, id, patch);
      if (input.resourceIds) {
        const ids = await this.checkOwnResources(actor, tx, before.org_id, input.resourceIds);
        const old = (await this.repo.responsibilityLinks(tx, [id])).map((l) => l.resource_id).sort();
        if (JSON.stringify(old) !== JSON.stringify([...ids].sort())) {
          await this.repo.setResponsibilityLinks(tx, id, ids);
          if (!Object.keys(patch).length) await this.repo.updateResponsibility(tx, id, {});
          changes.resourceIds = { from: old, to: ids };
        }
      }
      if (!Object.keys(changes).length) return;
      await this.ctx.ledger.append(tx, {
        actor,
        action: 'lists.responsibility.update',
        objectType: 'responsibility_item',
        objectId: id,
        orgId: before.org_id,
        details: { changes },
      });
    });
    return this.getResponsibility(actor, id);
  }

  async deleteResponsibility(actor: Actor, id: string): Promise<void> {
    await this.db.transaction().execute(async (tx) => {
      const before = await this.repo.getResponsibility(tx, id, true);
      if (!before) throw notFound('RESPONSIBILITY_NOT_FOUND', {}, { id });
      await this.ctx.authz.authorize(actor, 'lists.responsibility.manage', { type: 'responsibility_item', id, orgId: before.org_id });
      const links = (await this.repo.responsibilityLinks(tx, [id])).map((l) => l.resource_id);
      await this.repo.deleteResponsibility(tx, id);
      await this.ctx.ledger.append(tx, {
        actor,
        action: 'lists.responsibility.delete',
        objectType: 'responsibility_item',
        objectId: id,
        orgId: before.org_id,
        details: { nameZh: before.name_zh, resourceIds: links },
      });
    });
  }

  // ======================================================================================== demand list
  private async canSeeDemand(actor: Actor, d: DemandRow): Promise<boolean> {
    const authz = this.ctx.authz;
    if (await authz.can(actor, 'lists.demand.read', { type: 'demand', id: d.id, userId: d.raised_by, orgId: d.raiser_org_id })) return true;
    return !!d.target_org_id && (await authz.can(actor, 'lists.demand.read', { type: 'demand', id: d.id, orgId: d.target_org_id }));
  }

  /** The demand if the actor may see it, else 404 (an IDOR probe learns nothing). */
  private async visibleDemand(actor: Actor, id: string, db: Executor = this.db, forUpdate = false): Promise<DemandRow> {
    const d = await this.repo.getDemand(db, id, forUpdate);
    if (!d || !(await this.canSeeDemand(actor, d))) throw notFound('DEMAND_NOT_FOUND', {}, { id });
    return d;
  }

  private async allowedDemandActions(actor: Actor, d: DemandRow): Promise<DemandAction[]> {
    const out: DemandAction[] = [];
    for (const a of DEMAND_TRANSITIONS[d.status]) if (await this.mayDemand(actor, a, d)) out.push(a);
    return out;
  }

  private async mayDemand(actor: Actor, a: DemandAction, d: DemandRow): Promise<boolean> {
    if (a === 'answer' || a === 'reject')
      return this.ctx.authz.can(actor, 'lists.demand.answer', { type: 'demand', id: d.id, orgId: d.target_org_id });
    return this.ctx.authz.can(actor, `lists.demand.${a}`, { type: 'demand', id: d.id, userId: d.raised_by });
  }

  private async demandViews(actor: Actor, rows: DemandRow[]): Promise<S.DemandT[]> {
    const links = await this.repo.demandLinks(
      this.db,
      rows.map((d) => d.id),
    );
    const resources = new Map((await this.repo.resources(this.db, [...new Set(links.map((l) => l.resource_id))])).map((r) => [r.id, r]));
    const out: S.DemandT[] = [];
    for (const d of rows) {
      const linked = links
        .filter((l) => l.demand_id === d.id)
        .map((l) => resources.get(l.resource_id)!)
        .filter(Boolean);
      out.push({
        id: d.id,
        title: d.title,
        description: d.description,
        neededFields: d.needed_fields,
        purpose: d.purpose,
        raiserKind: d.raiser_kind,
        raisedBy: d.raised_by,
        raiserOrg: d.raiser_org_id ? await this.orgBrief(d.raiser_org_id) : null,
        targetOrg: d.target_org_id ? await this.orgBrief(d.target_org_id) : null,
        status: d.status,
        reply: d.reply,
        respondedBy: d.responded_by,
        respondedAt: isoN(d.responded_at),
        answerWorkingDays: d.responded_at ? await this.answerDays(d) : null,
        closedAt: isoN(d.closed_at),
        createdAt: iso(d.created_at),
        updatedAt: iso(d.updated_at),
        resources: await this.visibleBriefs(actor, linked),
        allowedTransitions: await this.allowedDemandActions(actor, d),
      });
    }
    return out;
  }

  private async answerDays(d: DemandRow): Promise<number | null> {
    if (!d.responded_at) return null;
    return Math.max(0, await this.ctx.calendar.workingDaysBetween(chinaDate(d.created_at), chinaDate(d.responded_at)));
  }

  /**
   * Existing resources that may meet a demand, as the actor may see them (best first): one catalog search
   * (ctx.search, which applies the catalog's visibility rule) per phrase of the title (counting double) and
   * per needed field.
   * A search that finds few resources says more than one that finds many (weight 1 / (1 + log2 total)),
   * and a higher place within a search counts more; resources scoring at least half the best are proposed.
   */
  async matchResources(actor: Actor, d: Pick<DemandRow, 'title' | 'needed_fields'>, limit = 8): Promise<S.ResourceBriefT[]> {
    const found = new Map<string, { score: number; brief: S.ResourceBriefT }>();
    for (const { q, weight: w } of matchQueries(d.title, d.needed_fields)) {
      const res = await this.ctx.search.search(actor, { q, pageSize: 20, facets: false });
      if (!res.items.length) continue;
      const weight = w / (1 + Math.log2(Math.max(1, res.total)));
      res.items.forEach((it, i) => {
        const add = weight * (1 - i / 40);
        const cur = found.get(it.id);
        if (cur) cur.score += add;
        else
          found.set(it.id, {
            score: add,
            brief: { id: it.id, code: it.code, nameZh: it.nameZh, nameEn: it.nameEn, providerOrgId: it.org.id, status: it.status },
          });
      });
    }
    const ranked = [...found.values()].sort((a, b) => b.score - a.score);
    const best = ranked[0]?.score ?? 0;
    return ranked
      .filter((r) => r.score * 2 >= best)
      .slice(0, limit)
      .map((r) => r.brief);
  }

  async listDemands(
    actor: Actor,
    opts: { status?: DemandStatus; targetOrgId?: string; page?: number; pageSize?: number } = {},
  ): Promise<{ items: S.DemandT[]; total: number; page: number; pageSize: number }> {
    if (!actor.userId) await this.ctx.authz.authorize(actor, 'lists.demand.read', { type: 'demand' });
    const page = Math.max(1, opts.page ?? 1);
    const pageSize = Math.min(100, Math.max(1, opts.pageSize ?? 20));
    const all = await this.ctx.authz.can(actor, 'lists.demand.read', { type: 'demand' });
    let scope: { userId: string | null; orgIds: string[] } | null = null;
    if (!all) {
      const subtree =
        actor.orgId && (await this.ctx.authz.can(actor, 'lists.demand.read', { type: 'demand', orgId: actor.orgId }))
          ? await this.orgs.subtree(actor.orgId)
          : [];
      scope = { userId: actor.userId, orgIds: subtree };
    }
    const res = await this.repo.listDemands(this.db, {
      scope,
      status: opts.status,
      targetOrgId: opts.targetOrgId,
      limit: pageSize,
      offset: (page - 1) * pageSize,
    });
    return { items: await this.demandViews(actor, res.items), total: res.total, page, pageSize };
  }

  async getDemand(actor: Actor, id: string): Promise<S.DemandT> {
    const d = await this.visibleDemand(actor, id);
    const [view] = await this.demandViews(actor, [d]);
    return { ...view!, matches: await this.matchResources(actor, d) };
  }

  private async checkTargetOrg(id: string | null | undefined): Promise<string | null> {
    if (!id) return null;
    const o = await this.orgs.get(id);
    if (!o || !['authority', 'department', 'unit'].includes(o.kind) || o.status !== 'active')
      throw badRequest('ORG_UNKNOWN', {}, { field: 'targetOrgId' });
    return id;
  }

  async createDemand(actor: Actor, input: S.CreateDemandInput): Promise<S.DemandT> {
    await this.ctx.authz.authorize(actor, 'lists.demand.create', { type: 'demand', userId: actor.userId });
    if (!actor.userId) throw new AppError(401, 'UNAUTHENTICATED');
    const title = input.title.trim();
    if (!title) throw badRequest('VALIDATION_FAILED', { detail: 'title' }, { field: 'title' });
    const target = await this.checkTargetOrg(input.targetOrgId);
    const org = actor.orgId ? await this.orgs.get(actor.orgId) : undefined;
    const raiserKind = org && ['authority', 'department', 'unit'].includes(org.kind) ? 'department' : 'public';
    const userId = actor.userId;
    const id = await this.db.transaction().execute(async (tx) => {
      const d = await this.repo.insertDemand(tx, {
        title,
        description: input.description?.trim() ?? '',
        needed_fields: dedupe(input.neededFields ?? []),
        purpose: input.purpose?.trim() ?? '',
        raiser_kind: raiserKind,
        raised_by: userId,
        raiser_org_id: actor.orgId,
        target_org_id: target,
      });
      await this.notifyDemandRaised(tx, d);
      await this.ctx.ledger.append(tx, {
        actor,
        action: 'lists.demand.create',
        objectType: 'demand',
        objectId: d.id,
        details: { title, raiserKind, targetOrgId: target },
      });
      return d.id;
    });
    return this.getDemand(actor, id);
  }

  private async notifyDemandRaised(tx: Tx, d: DemandRow): Promise<void> {
    await this.ctx.notifications.notify(tx, {
      ...(d.target_org_id ? { role: 'provider_clerk' as const, orgId: d.target_org_id } : { role: 'authority_admin' as const }),
      kind: 'lists.demand.raised',
      title: { zh: `新的数据需求：${d.title}`, en: `New data demand: ${d.title}` },
      body: { zh: d.description || d.title, en: d.description || d.title },
      link: `/lists/demands/${d.id}`,
      email: false,
    });
  }

  async updateDemand(actor: Actor, id: string, input: S.UpdateDemandInput): Promise<S.DemandT> {
    await this.db.transaction().execute(async (tx) => {
      const d = await this.visibleDemand(actor, id, tx, true);
      const content =
        input.title !== undefined || input.description !== undefined || input.neededFields !== undefined || input.purpose !== undefined;
      if (content) await this.ctx.authz.authorize(actor, 'lists.demand.update', { type: 'demand', id, userId: d.raised_by });
      if (input.targetOrgId !== undefined) await this.ctx.authz.authorize(actor, 'lists.demand.route', { type: 'demand', id });
      if (d.status !== 'open') throw conflict('DEMAND_NOT_EDITABLE', { status: d.status }, { status: d.status });
      const changes: Record<string, unknown> = {};
      const patch: Record<string, unknown> = {};
      const title = input.title?.trim();
      if (input.title !== undefined && !title) throw badRequest('VALIDATION_FAILED', { detail: 'title' }, { field: 'title' });
      const candidates: Array<[keyof DemandRow, unknown]> = [
        ['title', title],
        ['description', input.description?.trim()],
        ['needed_fields', input.neededFields ? dedupe(input.neededFields) : undefined],
        ['purpose', input.purpose?.trim()],
        ['target_org_id', input.targetOrgId === undefined ? undefined : await this.checkTargetOrg(input.targetOrgId)],
      ];
      for (const [k, v] of candidates) {
        if (v === undefined || JSON.stringify(v) === JSON.stringify(d[k])) continue;
        patch[k] = v;
        changes[k] = { from: d[k], to: v };
      }
      if (!Object.keys(changes).length) return;
      const updated = await this.repo.updateDemandContent(tx, id, patch);
      if ('target_org_id' in patch && updated.target_org_id) await this.notifyDemandRaised(tx, updated);
      await this.ctx.ledger.append(tx, { actor, action: 'lists.demand.update', objectType: 'demand', objectId: id, details: { changes } });
    });
    return this.getDemand(actor, id);
  }

  /** One step of the demand workflow (answer, reject, close, reopen); 409 listing what is allowed otherwise. */
  async transitionDemand(
    actor: Actor,
    id: string,
    action: DemandAction,
    input: { reply?: string; resourceIds?: string[]; reason?: string; comment?: string },
  ): Promise<S.DemandT> {
    await this.db.transaction().execute(async (tx) => {
      const d = await this.visibleDemand(actor, id, tx, true);
      if (!DEMAND_TRANSITIONS[d.status].includes(action)) {
        const allowed = await this.allowedDemandActions(actor, d);
        throw conflict(
          'DEMAND_TRANSITION_INVALID',
          { status: d.status, action, allowed: allowed.join(', ') || '—' },
          { status: d.status, action, allowed },
        );
      }
      if (!(await this.mayDemand(actor, action, d))) {
        const verb = action === 'answer' || action === 'reject' ? 'lists.demand.answer' : `lists.demand.${action}`;
        throw new AppError(403, 'FORBIDDEN', {}, { action: verb });
      }
      const now = new Date();
      const to = DEMAND_TARGET[action];
      const details: Record<string, unknown> = { from: d.status, to };
      const patch: Parameters<ElementsRepository['updateDemand']>[2] = { status: to };
      if (action === 'answer') {
        const reply = input.reply?.trim() ?? '';
        const ids = [...new Set(input.resourceIds ?? [])];
        if (!reply && !ids.length) throw badRequest('DEMAND_ANSWER_EMPTY', {}, { field: 'reply' });
        await this.linkableResources(actor, tx, ids);
        await this.repo.addDemandLinks(tx, id, ids);
        Object.assign(patch, { reply, responded_by: actor.userId, responded_at: d.responded_at ?? now });
        Object.assign(details, { reply, resourceIds: ids });
      } else if (action === 'reject') {
        const reason = input.reason?.trim() ?? '';
        if (!reason) throw badRequest('VALIDATION_FAILED', { detail: 'reason' }, { field: 'reason' });
        Object.assign(patch, { reply: reason, responded_by: actor.userId, responded_at: d.responded_at ?? now, closed_at: now });
        details.reason = reason;
      } else if (action === 'close') {
        patch.closed_at = now;
        if (input.comment?.trim()) details.comment = input.comment.trim();
      } else {
        if (input.comment?.trim()) details.comment = input.comment.trim();
      }
      const updated = await this.repo.updateDemand(tx, id, patch);
      if (action === 'answer' || action === 'reject') {
        await this.ctx.notifications.notify(tx, {
          userIds: [d.raised_by],
          kind: `lists.demand.${to}`,
          title:
            action === 'answer'
              ? { zh: `您的数据需求已答复：${d.title}`, en: `Your data demand was answered: ${d.title}` }
              : { zh: `您的数据需求未获支持：${d.title}`, en: `Your data demand was rejected: ${d.title}` },
          body: { zh: updated.reply, en: updated.reply },
          link: `/lists/demands/${id}`,
        });
      } else if (action === 'reopen' && d.responded_by) {
        await this.ctx.notifications.notify(tx, {
          userIds: [d.responded_by],
          kind: 'lists.demand.reopened',
          title: { zh: `数据需求被重新打开：${d.title}`, en: `A data demand was reopened: ${d.title}` },
          body: { zh: input.comment?.trim() ?? '', en: input.comment?.trim() ?? '' },
          link: `/lists/demands/${id}`,
          email: false,
        });
      }
      await this.ctx.ledger.append(tx, { actor, action: `lists.demand.${action}`, objectType: 'demand', objectId: id, details });
    });
    return this.getDemand(actor, id);
  }

  // ====================================================================================== negative list
  private async negativeViews(actor: Actor, rows: NegativeRow[]): Promise<S.NegativeEntryT[]> {
    const resources = new Map((await this.repo.resources(this.db, [...new Set(rows.map((n) => n.resource_id))])).map((r) => [r.id, r]));
    const out: S.NegativeEntryT[] = [];
    for (const n of rows) {
      const r = resources.get(n.resource_id);
      if (!r || !(await this.visible(actor, r))) continue;
      out.push({
        id: n.id,
        resource: this.resourceBrief(r),
        scope: n.scope,
        legalBasis: n.legal_basis,
        note: n.note,
        addedBy: n.added_by,
        createdAt: iso(n.created_at),
        updatedAt: iso(n.updated_at),
        removedAt: isoN(n.removed_at),
        removedBy: n.removed_by,
        removeReason: n.remove_reason,
        attributeConflict: !n.removed_at && attributeConflict(n.scope, r),
      });
    }
    return out;
  }

  /** The negative list as the actor may see it (entries of resources the actor cannot see are left out). */
  async listNegative(
    actor: Actor,
    opts: { includeRemoved?: boolean; resourceId?: string } = {},
  ): Promise<{ items: S.NegativeEntryT[]; total: number }> {
    await this.ctx.authz.authorize(actor, 'lists.negative.read', { type: 'negative_list' });
    let rows = await this.repo.listNegative(this.db, opts.includeRemoved ?? false);
    if (opts.resourceId) rows = rows.filter((n) => n.resource_id === opts.resourceId);
    const items = await this.negativeViews(actor, rows);
    return { items, total: items.length };
  }

  async getNegative(actor: Actor, id: string): Promise<S.NegativeEntryT> {
    await this.ctx.authz.authorize(actor, 'lists.negative.read', { type: 'negative_list', id });
    const n = await this.repo.getNegative(this.db, id);
    const [view] = n ? await this.negativeViews(actor, [n]) : [];
    if (!view) throw notFound('NEGATIVE_NOT_FOUND', {}, { id });
    return view;
  }

  async addNegative(actor: Actor, input: S.CreateNegativeInput): Promise<S.NegativeEntryT> {
    await this.ctx.authz.authorize(actor, 'lists.negative.manage', { type: 'negative_list' });
    const legalBasis = input.legalBasis.trim();
    if (!legalBasis) throw badRequest('VALIDATION_FAILED', { detail: 'legalBasis' }, { field: 'legalBasis' });
    const id = await this.db.transaction().execute(async (tx) => {
      const r = await this.visibleResource(actor, input.resourceId, tx);
      if (await this.repo.activeNegativeFor(tx, r.id))
        throw conflict('NEGATIVE_ENTRY_EXISTS', { resource: r.name_zh }, { resourceId: r.id });
      const n = await this.repo.insertNegative(tx, {
        resource_id: r.id,
        scope: input.scope,
        legal_basis: legalBasis,
        note: input.note?.trim() ?? '',
        added_by: actor.userId,
      });
      await this.notifyNegative(tx, r, n.scope, legalBasis);
      await this.ctx.ledger.append(tx, {
        actor,
        action: 'lists.negative.add',
        objectType: 'negative_list_entry',
        objectId: n.id,
        details: { resourceId: r.id, scope: n.scope, legalBasis, attributeConflict: attributeConflict(n.scope, r) },
      });
      return n.id;
    });
    return this.getNegative(actor, id);
  }

  private async notifyNegative(tx: Tx, r: ResourceRef, scope: NegativeScope, legalBasis: string): Promise<void> {
    const what = {
      share: { zh: '不予共享', en: 'not be shared' },
      open: { zh: '不予开放', en: 'not be opened' },
      both: { zh: '不予共享、不予开放', en: 'be neither shared nor opened' },
    }[scope];
    await this.ctx.notifications.notify(tx, {
      role: 'provider_clerk',
      orgId: r.provider_org_id,
      kind: 'lists.negative.added',
      title: { zh: `资源“${r.name_zh}”列入负面清单`, en: `“${r.name_en || r.name_zh}” is on the negative list` },
      body: {
        zh: `该资源${what.zh}。依据：${legalBasis}`,
        en: `The resource may ${what.en}. Legal basis: ${legalBasis}`,
      },
      link: `/catalog/resources/${r.id}`,
    });
  }

  async updateNegative(
    actor: Actor,
    id: string,
    input: { scope?: NegativeScope; legalBasis?: string; note?: string },
  ): Promise<S.NegativeEntryT> {
    await this.ctx.authz.authorize(actor, 'lists.negative.manage', { type: 'negative_list', id });
    await this.db.transaction().execute(async (tx) => {
      const before = await this.repo.getNegative(tx, id, true);
      if (!before) throw notFound('NEGATIVE_NOT_FOUND', {}, { id });
      if (before.removed_at) throw conflict('NEGATIVE_ALREADY_REMOVED', {}, { id });
      const legalBasis = input.legalBasis?.trim();
      if (input.legalBasis !== undefined && !legalBasis)
        throw badRequest('VALIDATION_FAILED', { detail: 'legalBasis' }, { field: 'legalBasis' });
      const patch: { scope?: NegativeScope; legal_basis?: string; note?: string } = {};
      const changes: Record<string, unknown> = {};
      if (input.scope !== undefined && input.scope !== before.scope) {
        patch.scope = input.scope;
        changes.scope = { from: before.scope, to: input.scope };
      }
      if (legalBasis !== undefined && legalBasis !== before.legal_basis) {
        patch.legal_basis = legalBasis;
        changes.legalBasis = { from: before.legal_basis, to: legalBasis };
      }
      const note = input.note?.trim();
      if (note !== undefined && note !== before.note) {
        patch.note = note;
        changes.note = { from: before.note, to: note };
      }
      if (!Object.keys(patch).length) return;
      await this.repo.updateNegative(tx, id, patch);
      await this.ctx.ledger.append(tx, {
        actor,
        action: 'lists.negative.update',
        objectType: 'negative_list_entry',
        objectId: id,
        details: { resourceId: before.resource_id, changes },
      });
    });
    return this.getNegative(actor, id);
  }

  /** Takes a resource off the negative list (the entry stays, marked removed, with the reason). */
  async removeNegative(actor: Actor, id: string, reason: string): Promise<S.NegativeEntryT> {
    await this.ctx.authz.authorize(actor, 'lists.negative.manage', { type: 'negative_list', id });
    const why = reason.trim();
    if (!why) throw badRequest('VALIDATION_FAILED', { detail: 'reason' }, { field: 'reason' });
    await this.db.transaction().execute(async (tx) => {
      const before = await this.repo.getNegative(tx, id, true);
      if (!before) throw notFound('NEGATIVE_NOT_FOUND', {}, { id });
      if (before.removed_at) throw conflict('NEGATIVE_ALREADY_REMOVED', {}, { id });
      await this.repo.updateNegative(tx, id, { removed_at: new Date(), removed_by: actor.userId, remove_reason: why });
      await this.ctx.ledger.append(tx, {
        actor,
        action: 'lists.negative.remove',
        objectType: 'negative_list_entry',
        objectId: id,
        details: { resourceId: before.resource_id, scope: before.scope, reason: why },
      });
    });
    return this.getNegative(actor, id);
  }

  /**
   * The check other modules call before a resource is shared or opened (and the catalog before it sets a
   * share/open attribute): the active negative-list entry that forbids `mode`, or null. Pass the caller's
   * transaction to read inside it.
   */
  async negativeListBlocks(resourceId: string, mode: 'share' | 'open', db: Executor = this.db): Promise<NegativeListBlock | null> {
    const n = await this.repo.activeNegativeFor(db, resourceId);
    if (!n || (n.scope !== 'both' && n.scope !== mode)) return null;
    return { entryId: n.id, resourceId, scope: n.scope, legalBasis: n.legal_basis };
  }

  /** The negative-list check for one resource the actor may see. */
  async checkNegative(
    actor: Actor,
    resourceId: string,
    mode: 'share' | 'open',
  ): Promise<{ resourceId: string; mode: 'share' | 'open'; blocked: boolean; entryId: string | null; legalBasis: string | null }> {
    await this.ctx.authz.authorize(actor, 'lists.negative.read', { type: 'negative_list' });
    await this.visibleResource(actor, resourceId);
    const block = await this.negativeListBlocks(resourceId, mode);
    return { resourceId, mode, blocked: !!block, entryId: block?.entryId ?? null, legalBasis: block?.legalBasis ?? null };
  }

  // ============================================================================================ coverage
  async coverage(actor: Actor): Promise<S.CoverageT> {
    await this.ctx.authz.authorize(actor, 'lists.coverage.read', { type: 'lists_coverage', orgId: actor.orgId });
    const depts = await this.departments();
    type Acc = { org: S.OrgBriefT; items: number; backed: number; open: number; days: number[] };
    const acc = new Map<string, Acc>();
    const get = async (deptId: string) => {
      let a = acc.get(deptId);
      if (!a) acc.set(deptId, (a = { org: await this.orgBrief(deptId), items: 0, backed: 0, open: 0, days: [] }));
      return a;
    };
    for (const d of depts) await get(d.id);
    const items = await this.repo.listResponsibilities(this.db, null);
    const links = await this.repo.responsibilityLinks(
      this.db,
      items.map((i) => i.id),
    );
    const statuses = new Map(
      (await this.repo.resources(this.db, [...new Set(links.map((l) => l.resource_id))])).map((r) => [r.id, r.status]),
    );
    for (const i of items) {
      const a = await get(await this.departmentOf(i.org_id));
      a.items++;
      if (links.some((l) => l.item_id === i.id && BACKING_STATUSES.has(statuses.get(l.resource_id) ?? ''))) a.backed++;
    }
    let unrouted = 0;
    for (const d of await this.repo.allDemands(this.db)) {
      if (!d.target_org_id) {
        if (d.status === 'open') unrouted++;
        continue;
      }
      const a = await get(await this.departmentOf(d.target_org_id));
      if (d.status === 'open') a.open++;
      const days = await this.answerDays(d);
      if (days !== null) a.days.push(days);
    }
    const rows: S.CoverageT['items'] = [];
    for (const a of acc.values()) {
      if (!(await this.ctx.authz.can(actor, 'lists.coverage.read', { type: 'lists_coverage', orgId: a.org.id }))) continue;
      rows.push({
        org: a.org,
        responsibilityItems: a.items,
        backedItems: a.backed,
        backedPercent: a.items ? round1((a.backed / a.items) * 100) : null,
        openDemands: a.open,
        answeredDemands: a.days.length,
        medianAnswerWorkingDays: a.days.length ? round1(median(a.days)) : null,
        avgAnswerWorkingDays: a.days.length ? round1(a.days.reduce((s, x) => s + x, 0) / a.days.length) : null,
      });
    }
    rows.sort((x, y) => x.org.code.localeCompare(y.org.code));
    const all = await this.ctx.authz.can(actor, 'lists.coverage.read', { type: 'lists_coverage' });
    return { items: rows, unrouted: { openDemands: all ? unrouted : 0 } };
  }
}

// ----------------------------------------------------------------------------------------------- helpers
function dedupe(xs: readonly string[]): string[] {
  return [...new Set(xs.map((x) => x.trim()).filter(Boolean))];
}

function round1(x: number): number {
  return Math.round(x * 10) / 10;
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** The entry forbids what the resource's attribute still allows. */
function attributeConflict(scope: NegativeScope, r: ResourceRef): boolean {
  const share = (scope === 'share' || scope === 'both') && r.share_mode !== 'none';
  const open = (scope === 'open' || scope === 'both') && r.open_mode !== 'none';
  return share || open;
}

/** Words too common in resource names and abstracts to say anything about a match. */
const STOP_WORDS = new Set([
  '数据',
  '信息',
  '全市',
  '本市',
  '开放',
  '共享',
  '查询',
  '接口',
  '名单',
  '相关',
  '情况',
  '需要',
  '希望',
  '提供',
]);

/** The searches that match a demand to resources: the phrases of its title (stop words taken out), then its needed fields (at most 8). */
export function matchQueries(title: string, neededFields: readonly string[]): Array<{ q: string; weight: number }> {
  const out = new Map<string, number>();
  for (const piece of title.split(/[\s,，、;；。.:：/()（）“”"'《》与和及的]+/)) {
    let q = piece;
    for (const w of STOP_WORDS) q = q.split(w).join(' ');
    q = q.replace(/\s+/g, ' ').trim();
    if (q.replace(/\s/g, '').length >= 2 && !out.has(q)) out.set(q, 2);
  }
  for (const f of neededFields) {
    const q = f.trim();
    if (q.length >= 2 && !STOP_WORDS.has(q) && !out.has(q)) out.set(q, 1);
  }
  return [...out].slice(0, 8).map(([q, weight]) => ({ q, weight }));
}
