// Catalog: data resources (数据资源) and fields (信息项), lifecycle, versions and diff, grading, exports.
// Decisions are documented in ./README.md. Every write: transaction → change → search.indexResource(tx) →
// ledger append (last). Reads are not ledgered. Refusals throw before anything is written (or roll back).
import type { AppContext } from '../../context.ts';
import type { Tx } from '../../db/database.ts';
import { AppError, badRequest, conflict, notFound } from '../../errors.ts';
import type { Actor } from '../identity/actor.ts';
import './messages.ts';
import { checkPolicy, fieldGrade, gradeLabel, normalizeGrade, rank, resourceGrade, type GradeValue } from './grading.ts';
import {
  EDITABLE_STATES,
  REVIEW_STATES,
  TRANSITIONS,
  findTransition,
  stateKey,
  transitionsFrom,
  type StateKey,
  type Transition,
} from './lifecycle.ts';
import {
  CatalogRepository,
  DATA_TYPES,
  GRADES,
  IMPACT_DEGREES,
  IMPACT_OBJECTS,
  PII_KINDS,
  SHARE_MODES,
  UPDATE_FREQUENCIES,
  type CategoryRow,
  type DataType,
  type FieldData,
  type FieldInsert,
  type FieldRow,
  type GradePolicyRow,
  type GradingRuleRow,
  type ResourceData,
  type ResourceInsert,
  type ResourceRow,
  type RevisionStatus,
  type Snapshot,
  type Status,
} from './repository.ts';
import {
  FORMATS,
  type CreateGradingRuleInput,
  type CreateResourceInput,
  type DiffT,
  type FieldInputT,
  type FieldT,
  type GradePolicyT,
  type GradingRuleT,
  type ResourceListT,
  type ResourceQueryT,
  type ResourceSummaryT,
  type ResourceT,
  type UpdateGradingRuleInput,
  type UpdateResourceInput,
} from './schemas.ts';
import { toTableSchema, type TableSchema } from './tableschema.ts';
import { TtlCache } from '../../ttl-cache.ts';
import { catalogVisibility, isVisible, seesInternals, visibleSql, type CatalogVisibility } from './visibility.ts';

export { catalogVisibility, isVisible, visibleSql, seesInternals, type CatalogVisibility } from './visibility.ts';
export { TRANSITIONS } from './lifecycle.ts';

export const CODE_PATTERN = /^[A-Z][A-Z0-9]{1,9}-[A-Za-z0-9_-]{1,32}-[0-9]{5,}$/;
const FIELD_CODE_PATTERN = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;
const DATE_PATTERN = /^\d{4}-\d{2}-\d{2}$/;
const PROVIDER_ORG_KINDS = new Set(['authority', 'department', 'unit']);
const OBJECT_TYPE = 'catalog_resource';

/** Metadata keys in the order of the API (diffs and exports follow it). */
export const METADATA_KEYS: Array<keyof ResourceData> = [
  'nameZh',
  'nameEn',
  'abstractZh',
  'abstractEn',
  'keywords',
  'subjectCategory',
  'domainCategory',
  'formats',
  'updateFrequency',
  'spatialCoverage',
  'temporalStart',
  'temporalEnd',
  'shareMode',
  'shareConditions',
  'shareBasis',
  'openMode',
  'openConditions',
  'openBasis',
  'license',
  'contactName',
  'contactPhone',
  'contactEmail',
  'grade',
  'gradeLevel',
  'gradingFactors',
  'releaseDate',
];
export const FIELD_KEYS: Array<keyof FieldData> = [
  'nameZh',
  'nameEn',
  'code',
  'dataType',
  'length',
  'precision',
  'unit',
  'descriptionZh',
  'descriptionEn',
  'required',
  'elementId',
  'grade',
  'gradeLevel',
  'piiKind',
  'shareMode',
  'openMode',
];

const iso = (d: Date | string | null | undefined): string | null => (d == null ? null : new Date(d).toISOString());
const isoNN = (d: Date | string): string => new Date(d).toISOString();
const today = () => new Date().toISOString().slice(0, 10);

function isDbError(e: unknown, code: string, constraint?: string): boolean {
  const err = e as { code?: string; constraint?: string };
  return err?.code === code && (!constraint || err.constraint === constraint);
}

// -------------------------------------------------------------------------------------- row mapping

export function rowToData(r: ResourceRow): ResourceData {
  return {
    nameZh: r.name_zh,
    nameEn: r.name_en,
    abstractZh: r.abstract_zh,
    abstractEn: r.abstract_en,
    keywords: r.keywords ?? [],
    subjectCategory: r.subject_category,
    domainCategory: r.domain_category,
    formats: r.formats ?? [],
    updateFrequency: r.update_frequency,
    spatialCoverage: r.spatial_coverage,
    temporalStart: r.temporal_start,
    temporalEnd: r.temporal_end,
    shareMode: r.share_mode,
    shareConditions: r.share_conditions,
    shareBasis: r.share_basis,
    openMode: r.open_mode,
    openConditions: r.open_conditions,
    openBasis: r.open_basis,
    license: r.license,
    contactName: r.contact_name,
    contactPhone: r.contact_phone,
    contactEmail: r.contact_email,
    grade: r.grade,
    gradeLevel: r.grade_level,
    gradingFactors: r.grading_factors ?? [],
    releaseDate: r.release_date,
  };
}

export function dataToColumns(d: ResourceData) {
  return {
    name_zh: d.nameZh,
    name_en: d.nameEn,
    abstract_zh: d.abstractZh,
    abstract_en: d.abstractEn,
    keywords: d.keywords,
    subject_category: d.subjectCategory,
    domain_category: d.domainCategory,
    formats: d.formats,
    update_frequency: d.updateFrequency,
    spatial_coverage: d.spatialCoverage,
    temporal_start: d.temporalStart,
    temporal_end: d.temporalEnd,
    share_mode: d.shareMode,
    share_conditions: d.shareConditions,
    share_basis: d.shareBasis,
    open_mode: d.openMode,
    open_conditions: d.openConditions,
    open_basis: d.openBasis,
    license: d.license,
    contact_name: d.contactName,
    contact_phone: d.contactPhone,
    contact_email: d.contactEmail,
    grade: d.grade,
    grade_level: d.gradeLevel,
    grading_factors: JSON.stringify(d.gradingFactors),
    release_date: d.releaseDate,
  } satisfies Partial<ResourceInsert>;
}

export function fieldRowToData(f: FieldRow): FieldData {
  return {
    nameZh: f.name_zh,
    nameEn: f.name_en,
    code: f.code,
    dataType: f.data_type,
    length: f.length,
    precision: f.precision,
    unit: f.unit,
    descriptionZh: f.description_zh,
    descriptionEn: f.description_en,
    required: f.required,
    elementId: f.element_id,
    grade: f.grade,
    gradeLevel: f.grade_level,
    piiKind: f.pii_kind,
    shareMode: f.share_mode,
    openMode: f.open_mode,
  };
}

export function fieldsToInsert(resourceId: string, fields: FieldData[]): FieldInsert[] {
  return fields.map((f, position) => ({
    resource_id: resourceId,
    position,
    name_zh: f.nameZh,
    name_en: f.nameEn,
    code: f.code,
    data_type: f.dataType,
    length: f.length,
    precision: f.precision,
    unit: f.unit,
    description_zh: f.descriptionZh,
    description_en: f.descriptionEn,
    required: f.required,
    element_id: f.elementId,
    grade: f.grade,
    grade_level: f.gradeLevel,
    pii_kind: f.piiKind,
    share_mode: f.shareMode,
    open_mode: f.openMode,
  }));
}

// -------------------------------------------------------------------------------------- validation

/** Collects missing required values, then throws one 400 naming all of them. */
class Missing {
  fields: string[] = [];
  need(ok: boolean, field: string) {
    if (!ok) this.fields.push(field);
  }
  throwIfAny() {
    if (this.fields.length) {
      throw badRequest('CATALOG_MISSING_METADATA', { fields: this.fields.join(', ') }, { field: this.fields[0], fields: this.fields });
    }
  }
}

const invalid = (field: string, value: unknown, allowed?: readonly string[]) =>
  badRequest('CATALOG_VALUE_INVALID', { field, value: String(value) }, { field, value, ...(allowed ? { allowed } : {}) });

function oneOf<T extends string>(list: readonly T[], value: unknown, field: string): T {
  if (typeof value !== 'string' || !(list as readonly string[]).includes(value)) throw invalid(field, value, list);
  return value as T;
}

function validDate(s: string | null, field: string): string | null {
  if (s == null || s === '') return null;
  const d = new Date(`${s}T00:00:00Z`);
  if (!DATE_PATTERN.test(s) || Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== s) throw invalid(field, s);
  return s;
}

const DEFAULT_DATA: Omit<
  ResourceData,
  'nameZh' | 'abstractZh' | 'subjectCategory' | 'domainCategory' | 'updateFrequency' | 'shareMode' | 'openMode'
> = {
  nameEn: '',
  abstractEn: '',
  keywords: [],
  formats: [],
  spatialCoverage: '',
  temporalStart: null,
  temporalEnd: null,
  shareConditions: '',
  shareBasis: '',
  openConditions: '',
  openBasis: '',
  license: '',
  contactName: '',
  contactPhone: '',
  contactEmail: '',
  grade: 'general',
  gradeLevel: 1,
  gradingFactors: [],
  releaseDate: null,
};

/** Trims strings, fills defaults; `partial` are the given keys (undefined = keep `base`). */
function mergeData(base: Partial<ResourceData>, patch: Partial<Record<keyof ResourceData, unknown>>): Partial<ResourceData> {
  const out: Record<string, unknown> = { ...base };
  for (const k of METADATA_KEYS) {
    const v = patch[k];
    if (v === undefined) continue;
    out[k] = typeof v === 'string' ? v.trim() : v;
  }
  if (patch.grade !== undefined && patch.grade !== 'general' && patch.gradeLevel === undefined) out.gradeLevel = null;
  if (patch.grade === 'general' && patch.gradeLevel === undefined && out.gradeLevel == null) out.gradeLevel = 1;
  return out as Partial<ResourceData>;
}

export interface GradingContext {
  rules: GradingRuleRow[];
  policy: GradePolicyRow[];
  categories: Map<string, CategoryRow>;
}

/**
 * Validates a whole resource (metadata + fields) and applies grading: fields are raised to their
 * personal-information rule, the resource to max(proposal, fields, rules); then the grade policy is checked.
 * Returns the normalized data. Throws the first problem (missing values: all at once).
 */
export function validateResource(
  input: Partial<ResourceData>,
  fieldInputs: Array<Partial<Record<keyof FieldData, unknown>>>,
  g: GradingContext,
  fieldsPath = 'fields',
): { data: ResourceData; fields: FieldData[] } {
  const missing = new Missing();
  const str = (v: unknown) => (typeof v === 'string' ? v.trim() : '');
  missing.need(!!str(input.nameZh), 'nameZh');
  missing.need(!!str(input.abstractZh), 'abstractZh');
  missing.need(!!str(input.subjectCategory), 'subjectCategory');
  missing.need(!!str(input.domainCategory), 'domainCategory');
  missing.need(!!input.updateFrequency, 'updateFrequency');
  missing.need(!!input.shareMode, 'shareMode');
  missing.need(!!input.openMode, 'openMode');
  fieldInputs.forEach((f, i) => {
    missing.need(!!str(f.nameZh), `${fieldsPath}[${i}].nameZh`);
    missing.need(!!str(f.code), `${fieldsPath}[${i}].code`);
    missing.need(!!str(f.dataType), `${fieldsPath}[${i}].dataType`);
  });
  missing.throwIfAny();

  const d = { ...DEFAULT_DATA, ...input } as ResourceData;
  d.updateFrequency = oneOf(UPDATE_FREQUENCIES, d.updateFrequency, 'updateFrequency');
  d.shareMode = oneOf(SHARE_MODES, d.shareMode, 'shareMode');
  d.openMode = oneOf(SHARE_MODES, d.openMode, 'openMode');
  d.grade = oneOf(GRADES, d.grade, 'grade');
  if (d.grade === 'general') {
    d.gradeLevel ??= 1;
    if (!Number.isInteger(d.gradeLevel) || d.gradeLevel < 1 || d.gradeLevel > 4) throw invalid('gradeLevel', d.gradeLevel);
  } else d.gradeLevel = null;
  const subject = g.categories.get(d.subjectCategory);
  if (!subject || !subject.enabled) {
    throw badRequest('CATALOG_CATEGORY_UNKNOWN', { field: 'subjectCategory', value: d.subjectCategory }, { field: 'subjectCategory' });
  }
  const domain = g.categories.get(d.domainCategory);
  if (!domain || !domain.enabled || domain.kind !== 'domain') {
    throw badRequest('CATALOG_CATEGORY_UNKNOWN', { field: 'domainCategory', value: d.domainCategory }, { field: 'domainCategory' });
  }
  d.keywords = [...new Set((d.keywords ?? []).map((k) => String(k).trim()).filter(Boolean))];
  d.formats = [...new Set((d.formats ?? []).map((k) => String(k).trim().toLowerCase()).filter(Boolean))];
  d.formats.forEach((f, i) => oneOf(FORMATS, f, `formats[${i}]`));
  d.temporalStart = validDate(d.temporalStart, 'temporalStart');
  d.temporalEnd = validDate(d.temporalEnd, 'temporalEnd');
  d.releaseDate = validDate(d.releaseDate, 'releaseDate');
  if (d.temporalStart && d.temporalEnd && d.temporalEnd < d.temporalStart) throw invalid('temporalEnd', d.temporalEnd);
  d.gradingFactors = (d.gradingFactors ?? []).map((f, i) => ({
    object: oneOf(IMPACT_OBJECTS, f?.object, `gradingFactors[${i}].object`),
    degree: oneOf(IMPACT_DEGREES, f?.degree, `gradingFactors[${i}].degree`),
  }));
  if (d.shareMode === 'conditional' && !d.shareConditions) {
    throw badRequest(
      'CATALOG_CONDITIONS_REQUIRED',
      { field: 'shareConditions', reason: '有条件共享须写明共享条件 / conditional sharing needs its conditions' },
      { field: 'shareConditions' },
    );
  }
  if (d.shareMode === 'none' && !d.shareBasis) {
    throw badRequest(
      'CATALOG_CONDITIONS_REQUIRED',
      { field: 'shareBasis', reason: '不予共享须写明法律、行政法规或政策依据 / not shared needs its legal basis' },
      { field: 'shareBasis' },
    );
  }
  if (d.openMode === 'conditional' && !d.openConditions) {
    throw badRequest(
      'CATALOG_CONDITIONS_REQUIRED',
      { field: 'openConditions', reason: '有条件开放须写明开放条件 / conditional opening needs its conditions' },
      { field: 'openConditions' },
    );
  }

  const seen = new Map<string, number>();
  const fields: FieldData[] = fieldInputs.map((f, i) => {
    const p = `${fieldsPath}[${i}]`;
    const dataType = str(f.dataType);
    if (!(DATA_TYPES as readonly string[]).includes(dataType)) {
      throw badRequest(
        'CATALOG_FIELD_TYPE_UNKNOWN',
        { index: i + 1, value: dataType },
        { field: `${p}.dataType`, index: i, value: dataType, allowed: DATA_TYPES },
      );
    }
    const code = str(f.code);
    if (!FIELD_CODE_PATTERN.test(code)) throw invalid(`${p}.code`, code);
    const key = code.toLowerCase();
    if (seen.has(key)) {
      throw badRequest(
        'CATALOG_FIELD_CODE_DUPLICATE',
        { code, index: i + 1 },
        { field: `${p}.code`, index: i, code, first: seen.get(key) },
      );
    }
    seen.set(key, i);
    const grade = f.grade === undefined ? 'general' : oneOf(GRADES, f.grade, `${p}.grade`);
    let gradeLevel = grade === 'general' ? ((f.gradeLevel as number | null | undefined) ?? 1) : null;
    if (gradeLevel !== null && (!Number.isInteger(gradeLevel) || gradeLevel < 1 || gradeLevel > 4))
      throw invalid(`${p}.gradeLevel`, gradeLevel);
    const piiKind = f.piiKind === undefined ? 'none' : oneOf(PII_KINDS, f.piiKind, `${p}.piiKind`);
    const raised = fieldGrade({ grade, gradeLevel, piiKind }, g.rules);
    gradeLevel = raised.level;
    const num = (v: unknown, name: string, min: number) => {
      if (v === undefined || v === null || v === '') return null;
      if (typeof v !== 'number' || !Number.isInteger(v) || v < min) throw invalid(`${p}.${name}`, v);
      return v;
    };
    const elementId = f.elementId == null || f.elementId === '' ? null : String(f.elementId);
    if (elementId && !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(elementId))
      throw invalid(`${p}.elementId`, elementId);
    return {
      nameZh: str(f.nameZh),
      nameEn: str(f.nameEn),
      code,
      dataType: dataType as DataType,
      length: num(f.length, 'length', 1),
      precision: num(f.precision, 'precision', 0),
      unit: str(f.unit),
      descriptionZh: str(f.descriptionZh),
      descriptionEn: str(f.descriptionEn),
      required: f.required === true,
      elementId,
      grade: raised.grade,
      gradeLevel,
      piiKind,
      shareMode: f.shareMode === undefined ? d.shareMode : oneOf(SHARE_MODES, f.shareMode, `${p}.shareMode`),
      openMode: f.openMode === undefined ? d.openMode : oneOf(SHARE_MODES, f.openMode, `${p}.openMode`),
    };
  });

  const top = resourceGrade(normalizeGrade(d.grade, d.gradeLevel), fields, d.gradingFactors, g.rules);
  d.grade = top.grade;
  d.gradeLevel = top.level;
  checkPolicy(g.policy, 'resource', top, d);
  fields.forEach((f, i) => checkPolicy(g.policy, 'field', { grade: f.grade, level: f.gradeLevel }, f, `${fieldsPath}[${i}].`));
  return { data: d, fields };
}

// -------------------------------------------------------------------------------------- diff

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
}

export function diffSnapshots(from: Snapshot, to: Snapshot, labels: { from: string; to: string }): DiffT {
  const metadata = METADATA_KEYS.filter((k) => !same(from.resource[k], to.resource[k])).map((k) => ({
    attribute: k,
    from: from.resource[k] ?? null,
    to: to.resource[k] ?? null,
  }));
  const key = (f: FieldData) => f.code.toLowerCase();
  const before = new Map(from.fields.map((f, i) => [key(f), { f, i }]));
  const after = new Map(to.fields.map((f, i) => [key(f), { f, i }]));
  const added = to.fields.filter((f) => !before.has(key(f)));
  const removed = from.fields.filter((f) => !after.has(key(f)));
  const changed: DiffT['fields']['changed'] = [];
  for (const [k, { f: b, i: bi }] of after) {
    const a = before.get(k);
    if (!a) continue;
    const changes: Array<{ attribute: string; from: unknown; to: unknown }> = FIELD_KEYS.filter((fk) => !same(a.f[fk], b[fk])).map(
      (fk) => ({
        attribute: fk,
        from: a.f[fk] ?? null,
        to: b[fk] ?? null,
      }),
    );
    if (a.i !== bi) changes.push({ attribute: 'position', from: a.i, to: bi });
    if (changes.length) changed.push({ code: b.code, changes });
  }
  return { from: labels.from, to: labels.to, metadata, fields: { added, removed, changed } };
}

// -------------------------------------------------------------------------------------- service

/** What readMany adds to a resource's metadata. */
export interface PortalRecordMeta {
  id: string;
  code: string;
  providerOrgId: string;
  status: string;
  currentVersion: number;
  publishedAt: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface ListOptions extends ResourceQueryT {
  /** Review queue: only these lifecycle states. */
  states?: StateKey[];
}

/** A resource that passed every check of create() (see CatalogService.prepareCreate), not yet written. */
export interface PreparedResource {
  orgId: string;
  orgCode: string;
  /** The explicit code, or null: generated from the category, org code and sequence. */
  code: string | null;
  data: ResourceData;
  fields: FieldData[];
}

/** What the registration module registers (stable metadata only: no contacts, counters or edit times). */
export interface RegistrationSubject {
  id: string;
  code: string;
  nameZh: string;
  nameEn: string;
  abstractZh: string;
  abstractEn: string;
  providerOrgId: string;
  status: Status;
  metadata: Record<string, unknown>;
  fields: Array<Record<string, unknown>>;
}

export class CatalogService {
  readonly repo = new CatalogRepository();
  /** getForRead's rows (the data read path); cleared by this process's writes, else stale at most its TTL. */
  readonly #readCache = new TtlCache<string, { row: ResourceRow | undefined; fields: ReturnType<typeof fieldRowToData>[] }>();

  constructor(readonly ctx: AppContext) {
    // Role matrix of the catalog (see README.md). Reads are filtered by visibility; scope checks on the provider org.
    ctx.authz
      .allow('anonymous', 'catalog.read')
      .allow('signed_in', 'catalog.read')
      .allow('provider_clerk', 'catalog.create', 'org_subtree')
      .allow('provider_clerk', 'catalog.update', 'org_subtree');
  }

  get db() {
    return this.ctx.db;
  }

  // ------------------------------------------------------------------------------ helpers

  async visibility(actor: Actor): Promise<CatalogVisibility> {
    return catalogVisibility(this.ctx.authz, actor);
  }

  async gradingContext(db = this.db as Tx | AppContext['db']): Promise<GradingContext> {
    const [rules, policy, cats] = await Promise.all([this.repo.listRules(db), this.repo.listPolicy(db), this.repo.listCategories(db)]);
    return { rules, policy, categories: new Map(cats.map((c) => [c.code, c])) };
  }

  private async orgRef(id: string) {
    const o = await this.ctx.authz.orgs.get(id);
    return { id, code: o?.code ?? '', nameZh: o?.nameZh ?? '', nameEn: o?.nameEn ?? '' };
  }

  /** Loads a resource the actor may see (404 otherwise, also for ids of invisible resources). */
  private async loadVisible(db: Tx | AppContext['db'], actor: Actor, id: string, forUpdate = false) {
    const row = await this.repo.getResource(db, id, { forUpdate });
    const v = await this.visibility(actor);
    if (!row || !isVisible(v, row)) throw notFound('CATALOG_RESOURCE_NOT_FOUND', { id }, { id });
    return { row, v };
  }

  private checkLock(row: ResourceRow, given: number | undefined) {
    if (given === undefined) {
      throw badRequest('CATALOG_MISSING_METADATA', { fields: 'lockVersion' }, { field: 'lockVersion', fields: ['lockVersion'] });
    }
    if (given !== row.lock_version)
      throw conflict('STALE_VERSION', { current: row.lock_version, given }, { current: row.lock_version, given });
  }

  private async canParty(actor: Actor, party: 'provider' | 'authority', orgId: string): Promise<boolean> {
    return party === 'provider'
      ? this.ctx.authz.can(actor, 'catalog.update', { type: OBJECT_TYPE, orgId })
      : this.ctx.authz.can(actor, 'catalog.review', { type: OBJECT_TYPE, orgId });
  }

  private async allowedFor(actor: Actor, row: ResourceRow): Promise<Transition[]> {
    const out: Transition[] = [];
    for (const t of transitionsFrom(stateKey(row.status, row.revision_status))) {
      if (await this.canParty(actor, t.by, row.provider_org_id)) out.push(t);
    }
    return out;
  }

  private snapshotOf(row: ResourceRow, data: ResourceData, fields: FieldData[]): Snapshot {
    return { code: row.code, providerOrgId: row.provider_org_id, resource: data, fields };
  }

  private async liveFields(db: Tx | AppContext['db'], id: string): Promise<FieldData[]> {
    return (await this.repo.getFields(db, id)).map(fieldRowToData);
  }

  private async finish(
    tx: Tx,
    actor: Actor,
    row: { id: string; provider_org_id: string },
    action: string,
    details: Record<string, unknown>,
  ) {
    await this.ctx.search.indexResource(tx, row.id);
    await this.ctx.ledger.append(tx, { actor, action, objectType: OBJECT_TYPE, objectId: row.id, orgId: row.provider_org_id, details });
  }

  private async insertFields(tx: Tx, resourceId: string, fields: FieldData[], replace: boolean) {
    try {
      if (replace) await this.repo.replaceFields(tx, resourceId, fieldsToInsert(resourceId, fields));
      else await this.repo.insertFields(tx, fieldsToInsert(resourceId, fields));
    } catch (e) {
      if (isDbError(e, '23503')) {
        const idx = fields.findIndex((f) => f.elementId);
        throw badRequest('CATALOG_ELEMENT_UNKNOWN', {}, { field: idx >= 0 ? `fields[${idx}].elementId` : 'fields' });
      }
      throw e;
    }
  }

  // ------------------------------------------------------------------------------ reads

  async get(actor: Actor, id: string): Promise<ResourceT> {
    const { row, v } = await this.loadVisible(this.db, actor, id);
    return this.detail(actor, row, v);
  }

  /** A resource by its catalog code (the portal's stable URLs, /data/datasets/<code>); 404 when not visible. */
  async getByCode(actor: Actor, code: string): Promise<ResourceT> {
    const id = code.length <= 100 ? await this.repo.idByCode(this.db, code) : undefined;
    if (!id) throw notFound('CATALOG_RESOURCE_NOT_FOUND', { id: code }, { code });
    return this.get(actor, id);
  }

  /**
   * What the data plane needs of a resource on every read (the one visibility rule applies, as in get()): its
   * identity, provider, share and open modes and fields, without the detail page's grading basis, transitions and
   * events — the gateway's hot path reads it on every call.
   */
  async getForRead(
    actor: Actor,
    id: string,
  ): Promise<
    Pick<ResourceT, 'id' | 'code' | 'nameZh' | 'nameEn' | 'shareMode' | 'openMode' | 'updateFrequency'> & {
      providerOrgId: string;
      fields: Array<{ code: string; nameZh: string; dataType: string; piiKind: string }>;
    }
  > {
    // The rows are cached briefly (every gateway call reads them); visibility is decided for this actor each time.
    const { row, fields } = await this.#readCache.get(id, async () => {
      const r = await this.repo.getResource(this.db, id, {});
      return { row: r, fields: r ? (await this.repo.getFields(this.db, r.id)).map(fieldRowToData) : [] };
    });
    if (!row || !isVisible(await this.visibility(actor), row)) throw notFound('CATALOG_RESOURCE_NOT_FOUND', { id }, { id });
    return {
      id: row.id,
      code: row.code,
      nameZh: row.name_zh,
      nameEn: row.name_en,
      shareMode: row.share_mode,
      openMode: row.open_mode,
      updateFrequency: row.update_frequency,
      providerOrgId: row.provider_org_id,
      fields: fields.map((f) => ({ code: f.code, nameZh: f.nameZh, dataType: f.dataType, piiKind: f.piiKind })),
    };
  }

  /** Counts a view (popularity). Not a state change: no ledger entry, no lock-version bump. */
  async recordView(id: string): Promise<void> {
    await this.repo.incrementPopularity(this.db, id);
  }

  private async detail(actor: Actor, row: ResourceRow, v: CatalogVisibility): Promise<ResourceT> {
    const [fieldRows, g, allowed] = await Promise.all([
      this.repo.getFields(this.db, row.id),
      this.gradingContext(),
      this.allowedFor(actor, row),
    ]);
    const internals = seesInternals(v, row);
    const events = internals ? await this.repo.listEvents(this.db, row.id) : [];
    const data = rowToData(row);
    const fields = fieldRows.map(fieldRowToData);
    const basis = resourceGrade(normalizeGrade(row.grade, row.grade_level), fields, data.gradingFactors, g.rules).basis;
    return {
      ...(await this.summary(row, fieldRows.length)),
      ...data,
      gradeConfirmedAt: iso(row.grade_confirmed_at),
      gradeBasis: basis,
      fields: fieldRows.map((f) => ({ id: f.id, position: f.position, ...fieldRowToData(f) })) satisfies FieldT[],
      pending: internals ? (row.pending ?? null) : null,
      allowedTransitions: allowed.map((t) => ({ to: t.to, by: t.by, zh: t.zh, en: t.en })),
      events: events.map((e) => ({
        fromState: e.from_state,
        toState: e.to_state,
        comment: e.comment,
        actorName: e.actor_name,
        at: isoNN(e.created_at),
      })),
    };
  }

  private async summary(row: ResourceRow, fieldCount: number): Promise<ResourceSummaryT> {
    return {
      id: row.id,
      code: row.code,
      providerOrg: await this.orgRef(row.provider_org_id),
      nameZh: row.name_zh,
      nameEn: row.name_en,
      abstractZh: row.abstract_zh,
      abstractEn: row.abstract_en,
      keywords: row.keywords,
      subjectCategory: row.subject_category,
      domainCategory: row.domain_category,
      formats: row.formats,
      updateFrequency: row.update_frequency,
      shareMode: row.share_mode,
      openMode: row.open_mode,
      grade: row.grade,
      gradeLevel: row.grade_level,
      gradeConfirmed: row.grade_confirmed,
      status: row.status,
      revisionStatus: row.revision_status,
      state: stateKey(row.status, row.revision_status),
      lockVersion: row.lock_version,
      currentVersion: row.current_version,
      releaseDate: row.release_date,
      publishedAt: iso(row.published_at),
      createdAt: isoNN(row.created_at),
      updatedAt: isoNN(row.updated_at),
      popularity: row.popularity,
      fieldCount,
    };
  }

  async list(actor: Actor, q: ListOptions): Promise<ResourceListT> {
    await this.ctx.authz.authorize(actor, 'catalog.read', { type: OBJECT_TYPE });
    const v = await this.visibility(actor);
    const page = q.page ?? 1;
    const pageSize = q.pageSize ?? 20;
    const orgIds = q.orgId ? await this.ctx.authz.orgs.subtree(q.orgId) : undefined;
    const states = q.states?.map((s): [Status, RevisionStatus | null] => {
      const [status, rev] = s.split(':') as [Status, RevisionStatus | undefined];
      return [status, rev ?? null];
    });
    const { rows, total } = await this.repo.listResources(
      this.db,
      visibleSql(v, 'r'),
      { orgIds, statuses: q.status, subjectCategory: q.subjectCategory, domainCategory: q.domainCategory, grade: q.grade, states },
      { limit: pageSize, offset: (page - 1) * pageSize, sort: q.sort ?? 'updated' },
    );
    return { items: await Promise.all(rows.map((r) => this.summary(r, r.field_count))), total, page, pageSize };
  }

  async reviewQueue(actor: Actor, q: ResourceQueryT): Promise<ResourceListT> {
    await this.ctx.authz.authorize(actor, 'catalog.review', { type: OBJECT_TYPE });
    return this.list(actor, { ...q, states: REVIEW_STATES });
  }

  async categories() {
    return (await this.repo.listCategories(this.db)).map((c) => ({
      code: c.code,
      kind: c.kind,
      nameZh: c.name_zh,
      nameEn: c.name_en,
      enabled: c.enabled,
    }));
  }

  stateMachine() {
    return { transitions: TRANSITIONS.map((t) => ({ ...t })), editableStates: [...EDITABLE_STATES] };
  }

  // ------------------------------------------------------------------------------ create

  /**
   * Every check of create() that needs no write: actor, provider organization (exists, caller may create for
   * it, may provide data), code format, and validateResource (metadata, fields, grading, grade policy).
   * Throws the first problem. Also used by the bulk import (bulk.ts) to validate a whole file before writing.
   */
  async prepareCreate(actor: Actor, input: CreateResourceInput, g: GradingContext): Promise<PreparedResource> {
    if (actor.kind === 'anonymous') throw new AppError(401, 'UNAUTHENTICATED', {}, { action: 'catalog.create' });
    const orgId = input.providerOrgId ?? actor.orgId;
    if (!orgId)
      throw badRequest('CATALOG_MISSING_METADATA', { fields: 'providerOrgId' }, { field: 'providerOrgId', fields: ['providerOrgId'] });
    const org = await this.ctx.authz.orgs.get(orgId);
    if (!org) throw badRequest('CATALOG_ORG_UNKNOWN', { field: 'providerOrgId' }, { field: 'providerOrgId' });
    await this.ctx.authz.authorize(actor, 'catalog.create', { type: OBJECT_TYPE, orgId });
    if (!PROVIDER_ORG_KINDS.has(org.kind) || org.status !== 'active') {
      throw badRequest('CATALOG_ORG_NOT_PROVIDER', { org: org.code }, { field: 'providerOrgId', kind: org.kind });
    }
    let code: string | null = null;
    if (input.code !== undefined) {
      code = input.code.trim();
      if (!CODE_PATTERN.test(code)) throw badRequest('CATALOG_CODE_INVALID', { value: code }, { field: 'code' });
    }
    const { data, fields } = validateResource(mergeData({}, input), input.fields ?? [], g);
    return { orgId, orgCode: org.code, code, data, fields };
  }

  async create(actor: Actor, input: CreateResourceInput): Promise<ResourceT> {
    const prepared = await this.prepareCreate(actor, input, await this.gradingContext());
    const { orgId, data, fields } = prepared;
    const org = { code: prepared.orgCode };
    let code = prepared.code;

    const id = await this.db.transaction().execute(async (tx) => {
      if (code) {
        if (await this.repo.codeExists(tx, code)) throw conflict('CATALOG_CODE_TAKEN', { code }, { field: 'code', code });
      } else {
        do {
          const seq = await this.repo.nextSequence(tx, data.subjectCategory, orgId);
          code = `${data.subjectCategory}-${org.code}-${String(seq).padStart(5, '0')}`;
        } while (await this.repo.codeExists(tx, code));
      }
      let rid: string;
      try {
        rid = await this.repo.insertResource(tx, {
          code,
          provider_org_id: orgId,
          ...dataToColumns(data),
          created_by: actor.userId,
          revision_status: null,
          pending: null,
          grade_confirmed_by: null,
        });
      } catch (e) {
        if (isDbError(e, '23505', 'catalog_resources_code_key')) throw conflict('CATALOG_CODE_TAKEN', { code }, { field: 'code', code });
        throw e;
      }
      await this.insertFields(tx, rid, fields, false);
      await this.finish(tx, actor, { id: rid, provider_org_id: orgId }, 'catalog.resource.create', {
        code,
        nameZh: data.nameZh,
        fields: fields.length,
        grade: data.grade,
        gradeLevel: data.gradeLevel,
      });
      return rid;
    });
    return this.get(actor, id);
  }

  /**
   * Harvesting (issue 7 §8, src/modules/harvest): another portal's dataset as a PUBLISHED resource of
   * `input.providerOrgId`, in ONE transaction with one ledger entry ('catalog.resource.harvest'). Without
   * `existingId` the resource is created (code generated, version 1). With it, the resource's metadata is
   * replaced and published as a new version (a pending revision is dropped: upstream is the source of truth for
   * harvested metadata); null when that resource is withdrawn (the caller creates a new one). The same checks
   * as any resource (validateResource, grade policy, negative list); only the review is skipped, since the
   * authority configured the harvest source.
   */
  async publishHarvested(
    actor: Actor,
    input: CreateResourceInput & { providerOrgId: string },
    existingId: string | null,
    details: Record<string, unknown>,
    /** Runs in the same transaction after the write (the harvest module records where the resource came from). */
    onWrite: (tx: Tx, written: { id: string; code: string; version: number }) => Promise<void> = async () => undefined,
  ): Promise<{ id: string; code: string; version: number } | null> {
    this.#readCache.clear();
    const g = await this.gradingContext();
    const comment = `采集自 ${String(details.source ?? '')} / harvested from ${String(details.source ?? '')}`.slice(0, 2000);
    const who = { created_by: actor.userId, created_by_name: actor.displayName ?? actor.username };
    const published = { status: 'published' as const, revision_status: null, pending: null, published_at: new Date() };
    if (existingId) {
      return this.db.transaction().execute(async (tx) => {
        const row = await this.repo.getResource(tx, existingId, { forUpdate: true });
        if (!row || row.status === 'withdrawn') return null;
        await this.ctx.authz.authorize(actor, 'catalog.update', { type: OBJECT_TYPE, id: row.id, orgId: row.provider_org_id });
        const { data, fields } = validateResource(mergeData(rowToData(row), input), input.fields ?? [], g);
        data.releaseDate ??= row.release_date ?? today();
        await this.checkNegativeList(tx, row.id, data);
        const version = row.current_version + 1;
        await this.repo.updateResource(tx, row.id, {
          ...dataToColumns(data),
          ...published,
          current_version: version,
          lock_version: row.lock_version + 1,
          grade_confirmed: true,
          grade_confirmed_by: actor.userId,
          grade_confirmed_at: new Date(),
        });
        await this.insertFields(tx, row.id, fields, true);
        await this.repo.insertVersion(tx, {
          resource_id: row.id,
          version,
          snapshot: JSON.stringify(this.snapshotOf(row, data, fields)),
          reason: 'revision',
          comment,
          ...who,
        });
        await this.finish(tx, actor, row, 'catalog.resource.harvest', { ...details, code: row.code, version });
        const written = { id: row.id, code: row.code, version };
        await onWrite(tx, written);
        return written;
      });
    }
    const prepared = await this.prepareCreate(actor, input, g);
    const { orgId, data, fields } = prepared;
    data.releaseDate ??= today();
    return this.db.transaction().execute(async (tx) => {
      let code: string;
      do {
        const seq = await this.repo.nextSequence(tx, data.subjectCategory, orgId);
        code = `${data.subjectCategory}-${prepared.orgCode}-${String(seq).padStart(5, '0')}`;
      } while (await this.repo.codeExists(tx, code));
      const id = await this.repo.insertResource(tx, {
        code,
        provider_org_id: orgId,
        ...dataToColumns(data),
        created_by: actor.userId,
        ...published,
        current_version: 1,
        grade_confirmed: true,
        grade_confirmed_by: actor.userId,
        grade_confirmed_at: new Date(),
      });
      await this.insertFields(tx, id, fields, false);
      const row = { code, provider_org_id: orgId };
      await this.repo.insertVersion(tx, {
        resource_id: id,
        version: 1,
        snapshot: JSON.stringify(this.snapshotOf(row as ResourceRow, data, fields)),
        reason: 'publish',
        comment,
        ...who,
      });
      await this.finish(tx, actor, { id, provider_org_id: orgId }, 'catalog.resource.harvest', { ...details, code, version: 1 });
      const written = { id, code, version: 1 };
      await onWrite(tx, written);
      return written;
    });
  }

  // ------------------------------------------------------------------------------ edits

  /**
   * The working copy an edit applies to: the row before publication; the pending revision of a published
   * resource (opening one when the resource is 'published').
   */
  private async workingCopy(tx: Tx, row: ResourceRow) {
    const state = stateKey(row.status, row.revision_status);
    if (!EDITABLE_STATES.includes(state)) {
      throw conflict('CATALOG_NOT_EDITABLE', { state }, { state, editableStates: EDITABLE_STATES });
    }
    if (row.status === 'updated' && row.pending)
      return { state, revision: true, opens: false, data: row.pending.resource, fields: row.pending.fields };
    const fields = await this.liveFields(tx, row.id);
    return {
      state,
      revision: row.status === 'published' || row.status === 'updated',
      opens: row.status === 'published',
      data: rowToData(row),
      fields,
    };
  }

  private async applyEdit(
    tx: Tx,
    actor: Actor,
    row: ResourceRow,
    wc: Awaited<ReturnType<CatalogService['workingCopy']>>,
    data: ResourceData,
    fields: FieldData[],
    fieldsChanged: boolean,
    action: string,
    details: Record<string, unknown>,
    comment: string | undefined,
  ) {
    await this.checkNegativeList(tx, row.id, data);
    if (wc.revision) {
      await this.repo.updateResource(tx, row.id, {
        status: 'updated',
        revision_status: wc.opens ? 'draft' : row.revision_status,
        pending: JSON.stringify({ resource: data, fields }),
        lock_version: row.lock_version + 1,
      });
      if (wc.opens) {
        await this.repo.insertEvent(tx, {
          resource_id: row.id,
          from_state: 'published',
          to_state: 'updated:draft',
          comment: comment?.trim() || '修改已发布资源，发起修订 / Edit of a published resource opens a revision',
          actor_id: actor.userId,
          actor_name: actor.displayName ?? actor.username,
        });
      }
    } else {
      const gradeChanged = rank({ grade: data.grade, level: data.gradeLevel }) !== rank({ grade: row.grade, level: row.grade_level });
      await this.repo.updateResource(tx, row.id, {
        ...dataToColumns(data),
        lock_version: row.lock_version + 1,
        ...(gradeChanged ? { grade_confirmed: false, grade_confirmed_by: null, grade_confirmed_at: null } : {}),
      });
      if (fieldsChanged) await this.insertFields(tx, row.id, fields, true);
    }
    await this.finish(tx, actor, row, action, {
      ...details,
      code: row.code,
      lockVersion: row.lock_version + 1,
      revision: wc.revision,
      ...(wc.opens ? { revisionOpened: true, comment: comment ?? null } : {}),
      grade: data.grade,
      gradeLevel: data.gradeLevel,
    });
  }

  /**
   * A resource on the negative list (负面清单) may not get a share or open attribute other than 'none' for the
   * scope the entry covers: 409 NEGATIVE_LIST_BLOCKS naming the attribute and the entry's legal basis.
   */
  private async checkNegativeList(tx: Tx, resourceId: string, data: ResourceData): Promise<void> {
    for (const [mode, value, field] of [
      ['share', data.shareMode, 'shareMode'],
      ['open', data.openMode, 'openMode'],
    ] as const) {
      if (value === 'none') continue;
      const block = await this.ctx.elements.negativeListBlocks(resourceId, mode, tx);
      if (block)
        throw new AppError(
          409,
          'NEGATIVE_LIST_BLOCKS',
          { field, legalBasis: block.legalBasis },
          { field, entryId: block.entryId, legalBasis: block.legalBasis },
        );
    }
  }

  async update(actor: Actor, id: string, input: UpdateResourceInput, ifMatch?: number): Promise<ResourceT> {
    this.#readCache.clear();
    const g = await this.gradingContext();
    await this.db.transaction().execute(async (tx) => {
      const { row } = await this.loadVisible(tx, actor, id, true);
      await this.ctx.authz.authorize(actor, 'catalog.update', { type: OBJECT_TYPE, id, orgId: row.provider_org_id });
      this.checkLock(row, input.lockVersion ?? ifMatch);
      const wc = await this.workingCopy(tx, row);
      const { lockVersion: _l, comment, ...patch } = input;
      // A new share/open attribute on the resource does not silently change the fields' own attributes.
      const { data, fields } = validateResource(mergeData(wc.data, patch), wc.fields, g);
      const changed = METADATA_KEYS.filter((k) => !same(wc.data[k], data[k]));
      await this.applyEdit(tx, actor, row, wc, data, fields, !same(wc.fields, fields), 'catalog.resource.update', { changed }, comment);
    });
    return this.get(actor, id);
  }

  async replaceFields(actor: Actor, id: string, body: { fields: FieldInputT[]; lockVersion?: number; comment?: string }, ifMatch?: number) {
    this.#readCache.clear();
    const g = await this.gradingContext();
    await this.db.transaction().execute(async (tx) => {
      const { row } = await this.loadVisible(tx, actor, id, true);
      await this.ctx.authz.authorize(actor, 'catalog.update', { type: OBJECT_TYPE, id, orgId: row.provider_org_id });
      this.checkLock(row, body.lockVersion ?? ifMatch);
      const wc = await this.workingCopy(tx, row);
      // The resource's current grade stays the proposal (就高从严): removing a sensitive field does not lower
      // it by itself; the provider PATCHes a lower grade, which is then raised to what the fields and rules require.
      const { data, fields } = validateResource(wc.data, body.fields, g);
      await this.applyEdit(tx, actor, row, wc, data, fields, true, 'catalog.resource.fields', { fields: fields.length }, body.comment);
    });
    return this.get(actor, id);
  }

  // ------------------------------------------------------------------------------ lifecycle

  async transition(actor: Actor, id: string, body: { to: Status; comment: string; lockVersion?: number }): Promise<ResourceT> {
    this.#readCache.clear();
    const g = await this.gradingContext();
    await this.db.transaction().execute(async (tx) => {
      const { row } = await this.loadVisible(tx, actor, id, true);
      if (body.lockVersion !== undefined) this.checkLock(row, body.lockVersion);
      const from = stateKey(row.status, row.revision_status);
      const t = findTransition(from, body.to);
      if (!t) {
        const allowed = (await this.allowedFor(actor, row)).map((x) => x.to);
        throw conflict(
          'TRANSITION_NOT_ALLOWED',
          { from, to: body.to, allowedText: allowed.join(', ') || '—' },
          { from, to: body.to, allowed, transitions: transitionsFrom(from).map((x) => ({ to: x.to, by: x.by })) },
        );
      }
      if (!(await this.canParty(actor, t.by, row.provider_org_id))) {
        const allowed = (await this.allowedFor(actor, row)).map((x) => x.to);
        throw new AppError(
          actor.kind === 'anonymous' ? 401 : 403,
          actor.kind === 'anonymous' ? 'UNAUTHENTICATED' : 'FORBIDDEN',
          {},
          {
            action: t.by === 'provider' ? 'catalog.update' : 'catalog.review',
            by: t.by,
            allowed,
          },
        );
      }
      const comment = body.comment.trim();
      if (!comment) throw badRequest('CATALOG_COMMENT_REQUIRED', {}, { field: 'comment' });
      const to = await this.applyTransition(tx, actor, row, t, comment, g);
      await this.repo.insertEvent(tx, {
        resource_id: row.id,
        from_state: from,
        to_state: to.state,
        comment,
        actor_id: actor.userId,
        actor_name: actor.displayName ?? actor.username,
      });
      await this.notifyTransition(tx, row, t, comment);
      await this.finish(tx, actor, row, 'catalog.resource.transition', {
        code: row.code,
        from,
        to: to.state,
        comment,
        ...(to.version ? { version: to.version } : {}),
      });
    });
    return this.get(actor, id);
  }

  private async applyTransition(tx: Tx, actor: Actor, row: ResourceRow, t: Transition, comment: string, g: GradingContext) {
    const lock = row.lock_version + 1;
    const who = { created_by: actor.userId, created_by_name: actor.displayName ?? actor.username };
    const confirm = { grade_confirmed: true, grade_confirmed_by: actor.userId, grade_confirmed_at: new Date() };
    switch (t.effect) {
      case 'set_status': {
        if (t.to === 'submitted') {
          // Re-check against today's rules and policy: they may have changed since the draft was written.
          const fields = await this.liveFields(tx, row.id);
          if (!fields.length) throw badRequest('CATALOG_FIELDS_REQUIRED', {}, { field: 'fields' });
          validateResource(rowToData(row), fields, g);
        }
        await this.repo.updateResource(tx, row.id, {
          status: t.to,
          lock_version: lock,
          ...(t.to === 'approved' && !row.grade_confirmed ? confirm : {}),
        });
        return { state: t.to as StateKey, version: null };
      }
      case 'open_revision': {
        const fields = await this.liveFields(tx, row.id);
        await this.repo.updateResource(tx, row.id, {
          status: 'updated',
          revision_status: 'draft',
          pending: JSON.stringify({ resource: rowToData(row), fields }),
          lock_version: lock,
        });
        return { state: 'updated:draft' as StateKey, version: null };
      }
      case 'revision_status': {
        if (t.to === 'submitted') {
          if (!row.pending?.fields.length) throw badRequest('CATALOG_FIELDS_REQUIRED', {}, { field: 'fields' });
          validateResource(row.pending.resource, row.pending.fields, g);
        }
        await this.repo.updateResource(tx, row.id, { revision_status: t.to as RevisionStatus, lock_version: lock });
        return { state: `updated:${t.to}` as StateKey, version: null };
      }
      case 'discard_revision': {
        await this.repo.updateResource(tx, row.id, { status: 'published', revision_status: null, pending: null, lock_version: lock });
        return { state: 'published' as StateKey, version: null };
      }
      case 'publish': {
        const version = row.current_version + 1;
        const data = { ...rowToData(row), releaseDate: row.release_date ?? today() };
        const fields = await this.liveFields(tx, row.id);
        await this.repo.updateResource(tx, row.id, {
          status: 'published',
          release_date: data.releaseDate,
          published_at: new Date(),
          current_version: version,
          lock_version: lock,
          ...(row.grade_confirmed ? {} : confirm),
        });
        await this.repo.insertVersion(tx, {
          resource_id: row.id,
          version,
          snapshot: JSON.stringify(this.snapshotOf(row, data, fields)),
          reason: 'publish',
          comment,
          ...who,
        });
        return { state: 'published' as StateKey, version };
      }
      case 'publish_revision': {
        const pending = row.pending!;
        const { data, fields } = validateResource(pending.resource, pending.fields, g);
        data.releaseDate ??= row.release_date ?? today();
        const version = row.current_version + 1;
        await this.repo.updateResource(tx, row.id, {
          ...dataToColumns(data),
          status: 'published',
          revision_status: null,
          pending: null,
          published_at: new Date(),
          current_version: version,
          lock_version: lock,
          ...confirm,
        });
        await this.insertFields(tx, row.id, fields, true);
        await this.repo.insertVersion(tx, {
          resource_id: row.id,
          version,
          snapshot: JSON.stringify(this.snapshotOf(row, data, fields)),
          reason: 'revision',
          comment,
          ...who,
        });
        return { state: 'published' as StateKey, version };
      }
      case 'close': {
        await this.repo.updateResource(tx, row.id, { status: t.to, revision_status: null, pending: null, lock_version: lock });
        return { state: t.to as StateKey, version: null };
      }
    }
  }

  private async notifyTransition(tx: Tx, row: ResourceRow, t: Transition, comment: string) {
    const link = `/catalog/resources/${row.id}`;
    const name = row.name_zh;
    if (t.by === 'provider' && t.to === 'submitted') {
      await this.ctx.notifications.notify(tx, {
        role: 'authority_admin',
        kind: 'catalog.review.requested',
        title: { zh: `待审核：${name}（${row.code}）`, en: `Review requested: ${row.name_en || name} (${row.code})` },
        body: { zh: comment, en: comment },
        link,
        email: false,
      });
    } else if (t.by === 'authority' && ['returned', 'approved', 'published', 'deprecated', 'withdrawn'].includes(t.to)) {
      await this.ctx.notifications.notify(tx, {
        role: 'provider_clerk',
        orgId: row.provider_org_id,
        kind: `catalog.resource.${t.to}`,
        title: { zh: `${t.zh}：${name}（${row.code}）`, en: `${t.en}: ${row.name_en || name} (${row.code})` },
        body: { zh: comment, en: comment },
        link,
        email: false,
      });
    }
  }

  // ------------------------------------------------------------------------------ grading (authority)

  async confirmGrade(
    actor: Actor,
    id: string,
    body: { grade: GradeValue['grade']; level?: number | null; comment: string; lockVersion?: number },
  ) {
    this.#readCache.clear();
    const g = await this.gradingContext();
    await this.db.transaction().execute(async (tx) => {
      const { row } = await this.loadVisible(tx, actor, id, true);
      await this.ctx.authz.authorize(actor, 'catalog.grade', { type: OBJECT_TYPE, id, orgId: row.provider_org_id });
      if (body.lockVersion !== undefined) this.checkLock(row, body.lockVersion);
      const comment = body.comment.trim();
      if (!comment) throw badRequest('CATALOG_COMMENT_REQUIRED', {}, { field: 'comment' });
      const state = stateKey(row.status, row.revision_status);
      if (state === 'withdrawn') throw conflict('CATALOG_NOT_EDITABLE', { state }, { state });
      const revision = row.status === 'updated' && row.pending;
      const data = revision ? row.pending!.resource : rowToData(row);
      const fields = revision ? row.pending!.fields : await this.liveFields(tx, row.id);
      const floor = resourceGrade({ grade: 'general', level: 1 }, fields, data.gradingFactors, g.rules);
      const next = normalizeGrade(body.grade, body.level);
      if (rank(next) < rank(floor)) {
        throw conflict(
          'CATALOG_GRADE_BELOW_COMPUTED',
          { computed: gradeLabel(floor) },
          {
            field: 'grade',
            computed: { grade: floor.grade, level: floor.level },
            basis: floor.basis.filter((b) => rank(b) === rank(floor)),
          },
        );
      }
      const before = { grade: data.grade, level: data.gradeLevel };
      const nextData: ResourceData = { ...data, grade: next.grade, gradeLevel: next.level };
      checkPolicy(g.policy, 'resource', next, nextData, '');
      let version: number | null = null;
      if (revision) {
        await this.repo.updateResource(tx, row.id, {
          pending: JSON.stringify({ resource: nextData, fields }),
          lock_version: row.lock_version + 1,
        });
      } else {
        const changed = rank(next) !== rank(before);
        if (changed && ['published', 'deprecated'].includes(row.status)) version = row.current_version + 1;
        await this.repo.updateResource(tx, row.id, {
          grade: next.grade,
          grade_level: next.level,
          grade_confirmed: true,
          grade_confirmed_by: actor.userId,
          grade_confirmed_at: new Date(),
          lock_version: row.lock_version + 1,
          ...(version ? { current_version: version } : {}),
        });
        if (version) {
          await this.repo.insertVersion(tx, {
            resource_id: row.id,
            version,
            snapshot: JSON.stringify(this.snapshotOf(row, nextData, fields)),
            reason: 'grade',
            comment,
            created_by: actor.userId,
            created_by_name: actor.displayName ?? actor.username,
          });
        }
      }
      await this.finish(tx, actor, row, 'catalog.resource.grade', {
        code: row.code,
        from: before,
        to: next,
        comment,
        revision: !!revision,
        ...(version ? { version } : {}),
      });
    });
    return this.get(actor, id);
  }

  // ------------------------------------------------------------------------------ versions and diff

  async versions(actor: Actor, id: string) {
    await this.loadVisible(this.db, actor, id);
    const rows = await this.repo.listVersions(this.db, id);
    return {
      items: rows.map((r) => ({
        version: r.version,
        reason: r.reason,
        comment: r.comment,
        createdByName: r.created_by_name,
        createdAt: isoNN(r.created_at),
        snapshot: r.snapshot,
      })),
    };
  }

  private async resolveSnapshot(row: ResourceRow, v: CatalogVisibility, which: string): Promise<Snapshot> {
    if (which === 'current') return this.snapshotOf(row, rowToData(row), await this.liveFields(this.db, row.id));
    if (which === 'pending') {
      if (!row.pending || !seesInternals(v, row)) throw notFound('CATALOG_VERSION_NOT_FOUND', { version: which }, { version: which });
      return this.snapshotOf(row, row.pending.resource, row.pending.fields);
    }
    const ver = await this.repo.getVersion(this.db, row.id, Number(which));
    if (!ver) throw notFound('CATALOG_VERSION_NOT_FOUND', { version: which }, { version: which });
    return ver.snapshot;
  }

  async diff(actor: Actor, id: string, from: string, to: string): Promise<DiffT> {
    const { row, v } = await this.loadVisible(this.db, actor, id);
    const [a, b] = [await this.resolveSnapshot(row, v, from), await this.resolveSnapshot(row, v, to)];
    return diffSnapshots(a, b, { from, to });
  }

  // ------------------------------------------------------------------------------ exports

  async tableSchema(actor: Actor, id: string): Promise<TableSchema> {
    const { row } = await this.loadVisible(this.db, actor, id);
    return toTableSchema(row.code, rowToData(row), await this.liveFields(this.db, id));
  }

  async exportJson(actor: Actor, id: string) {
    const { row } = await this.loadVisible(this.db, actor, id);
    const data = rowToData(row);
    const fields = await this.liveFields(this.db, id);
    const org = await this.orgRef(row.provider_org_id);
    return {
      format: 'shuyuan.catalog.resource/1' as const,
      exportedAt: new Date().toISOString(),
      resource: {
        id: row.id,
        code: row.code,
        provider: org,
        ...data,
        status: row.status,
        version: row.current_version,
        publishedAt: iso(row.published_at),
        updatedAt: isoNN(row.updated_at),
      },
      fields,
      tableSchema: toTableSchema(row.code, data, fields),
    };
  }

  /** For the registration module: the resource as the actor may see it (null otherwise), stable metadata only. */
  async registrationSubject(actor: Actor, id: string): Promise<RegistrationSubject | null> {
    const row = await this.repo.getResource(this.db, id);
    if (!row || !isVisible(await this.visibility(actor), row)) return null;
    const { contactName: _a, contactPhone: _b, contactEmail: _c, ...metadata } = rowToData(row);
    const fields = await this.liveFields(this.db, id);
    return {
      id: row.id,
      code: row.code,
      nameZh: row.name_zh,
      nameEn: row.name_en,
      abstractZh: row.abstract_zh,
      abstractEn: row.abstract_en,
      providerOrgId: row.provider_org_id,
      status: row.status,
      metadata: { code: row.code, ...metadata },
      fields: fields as unknown as Array<Record<string, unknown>>,
    };
  }

  // ------------------------------------------------------------------------------ grading rules and policy

  private ruleOut(r: GradingRuleRow): GradingRuleT {
    return {
      id: r.id,
      code: r.code,
      factorKind: r.factor_kind,
      impactObject: r.impact_object,
      impactDegree: r.impact_degree,
      piiKind: r.pii_kind,
      grade: r.grade,
      gradeLevel: r.grade_level,
      source: r.source,
      note: r.note,
      enabled: r.enabled,
      updatedAt: isoNN(r.updated_at),
    };
  }

  async listRules(actor: Actor) {
    await this.ctx.authz.authorize(actor, 'catalog.read', { type: 'catalog_grading_rule' });
    return { items: (await this.repo.listRules(this.db)).map((r) => this.ruleOut(r)) };
  }

  private ruleFactorTaken(
    e: unknown,
    rules: GradingRuleRow[],
    r: { factor_kind: string; impact_object: string | null; impact_degree: string | null; pii_kind: string | null },
  ) {
    if (!isDbError(e, '23505', 'catalog_grading_rules_factor_key')) return null;
    const other = rules.find(
      (x) =>
        x.enabled &&
        x.factor_kind === r.factor_kind &&
        x.impact_object === r.impact_object &&
        x.impact_degree === r.impact_degree &&
        x.pii_kind === r.pii_kind,
    );
    return conflict('CATALOG_RULE_FACTOR_TAKEN', { code: other?.code ?? '?' }, { code: other?.code ?? null });
  }

  async createRule(actor: Actor, input: CreateGradingRuleInput): Promise<GradingRuleT> {
    await this.ctx.authz.authorize(actor, 'catalog.rules.manage', { type: 'catalog_grading_rule' });
    const g = normalizeGrade(input.grade, input.gradeLevel);
    const values = {
      code: input.code,
      factor_kind: input.factorKind,
      impact_object: input.factorKind === 'impact' ? (input.impactObject ?? null) : null,
      impact_degree: input.factorKind === 'impact' ? (input.impactDegree ?? null) : null,
      pii_kind: input.factorKind === 'pii' ? ((input.piiKind ?? null) as GradingRuleRow['pii_kind']) : null,
      grade: g.grade,
      grade_level: g.level,
      source: input.source.trim(),
      note: input.note?.trim() ?? '',
      enabled: input.enabled ?? true,
    };
    if (values.factor_kind === 'impact' && (!values.impact_object || !values.impact_degree)) {
      throw badRequest(
        'CATALOG_RULE_INVALID',
        { reason: 'impactObject, impactDegree' },
        { field: values.impact_object ? 'impactDegree' : 'impactObject' },
      );
    }
    if (values.factor_kind === 'pii' && (!values.pii_kind || (values.pii_kind as string) === 'none')) {
      throw badRequest('CATALOG_RULE_INVALID', { reason: 'piiKind' }, { field: 'piiKind' });
    }
    if (!values.source) throw badRequest('CATALOG_RULE_INVALID', { reason: 'source' }, { field: 'source' });
    const rules = await this.repo.listRules(this.db);
    if (rules.some((r) => r.code.toLowerCase() === values.code.toLowerCase())) {
      throw conflict('CATALOG_RULE_CODE_TAKEN', { code: values.code }, { field: 'code', code: values.code });
    }
    const row = await this.db.transaction().execute(async (tx) => {
      let r: GradingRuleRow;
      try {
        r = await this.repo.insertRule(tx, values);
      } catch (e) {
        if (isDbError(e, '23505', 'catalog_grading_rules_code_key'))
          throw conflict('CATALOG_RULE_CODE_TAKEN', { code: values.code }, { field: 'code' });
        throw this.ruleFactorTaken(e, rules, values) ?? e;
      }
      await this.ctx.ledger.append(tx, {
        actor,
        action: 'catalog.grading_rule.create',
        objectType: 'catalog_grading_rule',
        objectId: r.id,
        details: { ...this.ruleOut(r), updatedAt: undefined },
      });
      return r;
    });
    return this.ruleOut(row);
  }

  async updateRule(actor: Actor, id: string, input: UpdateGradingRuleInput): Promise<GradingRuleT> {
    await this.ctx.authz.authorize(actor, 'catalog.rules.manage', { type: 'catalog_grading_rule', id });
    const rules = await this.repo.listRules(this.db);
    const row = await this.db.transaction().execute(async (tx) => {
      const cur = await this.repo.getRule(tx, id);
      if (!cur) throw notFound('CATALOG_RULE_NOT_FOUND', {}, { id });
      const g = normalizeGrade(input.grade ?? cur.grade, input.gradeLevel === undefined ? cur.grade_level : input.gradeLevel);
      const set = {
        grade: g.grade,
        grade_level: g.level,
        ...(input.source !== undefined ? { source: input.source.trim() } : {}),
        ...(input.note !== undefined ? { note: input.note.trim() } : {}),
        ...(input.enabled !== undefined ? { enabled: input.enabled } : {}),
      };
      if (set.source === '') throw badRequest('CATALOG_RULE_INVALID', { reason: 'source' }, { field: 'source' });
      let r: GradingRuleRow;
      try {
        r = await this.repo.updateRule(tx, id, set);
      } catch (e) {
        throw (
          this.ruleFactorTaken(
            e,
            rules.filter((x) => x.id !== id),
            cur,
          ) ?? e
        );
      }
      await this.ctx.ledger.append(tx, {
        actor,
        action: 'catalog.grading_rule.update',
        objectType: 'catalog_grading_rule',
        objectId: id,
        details: {
          code: cur.code,
          before: { grade: cur.grade, gradeLevel: cur.grade_level, enabled: cur.enabled, source: cur.source },
          changes: set,
        },
      });
      return r;
    });
    return this.ruleOut(row);
  }

  async getPolicy(actor: Actor): Promise<GradePolicyT> {
    await this.ctx.authz.authorize(actor, 'catalog.read', { type: 'catalog_grade_policy' });
    const rows = await this.repo.listPolicy(this.db);
    return {
      items: rows.map((p) => ({
        code: p.code,
        appliesTo: p.applies_to,
        grade: p.grade,
        minLevel: p.min_level,
        attribute: p.attribute,
        forbidden: p.forbidden,
        source: p.source,
        enabled: p.enabled,
      })),
    };
  }

  /** Replaces the whole policy. Applies to later writes; existing resources are checked on their next write. */
  async putPolicy(actor: Actor, body: GradePolicyT): Promise<GradePolicyT> {
    await this.ctx.authz.authorize(actor, 'catalog.rules.manage', { type: 'catalog_grade_policy' });
    const codes = new Set<string>();
    const rows = body.items.map((p, i) => {
      if (codes.has(p.code.toLowerCase()))
        throw badRequest('CATALOG_POLICY_INVALID', { index: i + 1, reason: `duplicate code ${p.code}` }, { field: `items[${i}].code` });
      codes.add(p.code.toLowerCase());
      if (p.minLevel != null && p.grade !== 'general') {
        throw badRequest(
          'CATALOG_POLICY_INVALID',
          { index: i + 1, reason: 'minLevel only applies to general data' },
          { field: `items[${i}].minLevel` },
        );
      }
      if (!p.source.trim()) throw badRequest('CATALOG_POLICY_INVALID', { index: i + 1, reason: 'source' }, { field: `items[${i}].source` });
      return {
        code: p.code,
        applies_to: p.appliesTo,
        grade: p.grade,
        min_level: p.minLevel ?? null,
        attribute: p.attribute,
        forbidden: [...new Set(p.forbidden)],
        source: p.source.trim(),
        enabled: p.enabled ?? true,
        position: i + 1,
      };
    });
    await this.db.transaction().execute(async (tx) => {
      await this.repo.replacePolicy(tx, rows);
      await this.ctx.ledger.append(tx, {
        actor,
        action: 'catalog.grade_policy.update',
        objectType: 'catalog_grade_policy',
        details: {
          rules: rows.map((r) => ({
            code: r.code,
            appliesTo: r.applies_to,
            grade: r.grade,
            minLevel: r.min_level,
            attribute: r.attribute,
            forbidden: r.forbidden,
            enabled: r.enabled,
          })),
        },
      });
    });
    return this.getPolicy(actor);
  }

  // ------------------------------------------------------------------------------ portal feeds (issue 7 §6)

  /** Codes of the resources the actor sees, in code order (the CKAN API's package_list). */
  async visibleCodes(actor: Actor, page: { limit: number; offset: number }): Promise<string[]> {
    return this.repo.visibleCodes(this.db, visibleSql(await this.visibility(actor), 'r'), page);
  }

  /**
   * Visible resources by id or code, with their published metadata (the CKAN API's package dicts): the one
   * visibility rule; ids and codes the actor may not see are simply absent. Codes match exactly.
   */
  async readMany(actor: Actor, f: { ids?: string[]; codes?: string[] }): Promise<Array<ResourceData & PortalRecordMeta>> {
    const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
    const ids = (f.ids ?? []).filter((x) => uuid.test(x)).slice(0, 1000);
    const codes = (f.codes ?? []).slice(0, 1000);
    const rows = await this.repo.resourcesByIdsOrCodes(this.db, visibleSql(await this.visibility(actor), 'r'), { ids, codes });
    return rows.map((r) => ({
      ...rowToData(r),
      id: r.id,
      code: r.code,
      providerOrgId: r.provider_org_id,
      status: r.status,
      currentVersion: r.current_version,
      publishedAt: iso(r.published_at),
      createdAt: isoNN(r.created_at),
      updatedAt: isoNN(r.updated_at),
    }));
  }
}
