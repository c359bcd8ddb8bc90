// Catalog tables (migrations/0005_catalog.sql) and the only SQL of the catalog module.
import { sql, type ColumnType, type Expression, type Generated, type Insertable, type Selectable, type SqlBool } from 'kysely';
import type { Executor } from '../../db/database.ts';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
/** `date` columns come back as 'YYYY-MM-DD' strings (see the type parser in ./repository.ts users). */
type DateCol = ColumnType<string | null, string | null | undefined, string | null>;
type Json<T> = ColumnType<T, string | T, string | T>;

export const SHARE_MODES = ['unconditional', 'conditional', 'none'] as const;
export type ShareMode = (typeof SHARE_MODES)[number];
export const GRADES = ['core', 'important', 'general'] as const;
export type Grade = (typeof GRADES)[number];
export const STATUSES = ['draft', 'submitted', 'returned', 'approved', 'published', 'updated', 'deprecated', 'withdrawn'] as const;
export type Status = (typeof STATUSES)[number];
export const REVISION_STATUSES = ['draft', 'submitted', 'returned', 'approved'] as const;
export type RevisionStatus = (typeof REVISION_STATUSES)[number];
export const DATA_TYPES = ['string', 'integer', 'decimal', 'date', 'datetime', 'time', 'boolean', 'binary', 'geometry', 'json'] as const;
export type DataType = (typeof DATA_TYPES)[number];
export const PII_KINDS = [
  'id_number',
  'phone',
  'name',
  'address',
  'email',
  'bank_card',
  'passport',
  'license_plate',
  'credit_code',
  'none',
] as const;
export type PiiKind = (typeof PII_KINDS)[number];
export const UPDATE_FREQUENCIES = ['realtime', 'daily', 'weekly', 'monthly', 'quarterly', 'half_yearly', 'yearly', 'irregular'] as const;
export type UpdateFrequency = (typeof UPDATE_FREQUENCIES)[number];
export const IMPACT_OBJECTS = [
  'national_security',
  'economy',
  'social_order',
  'public_interest',
  'organization_rights',
  'personal_rights',
] as const;
export type ImpactObject = (typeof IMPACT_OBJECTS)[number];
export const IMPACT_DEGREES = ['particularly_serious', 'serious', 'general'] as const;
export type ImpactDegree = (typeof IMPACT_DEGREES)[number];
export interface GradingFactor {
  object: ImpactObject;
  degree: ImpactDegree;
}

export interface CatalogCategoriesTable {
  code: string;
  kind: 'base' | 'domain';
  name_zh: string;
  name_en: Generated<string>;
  position: Generated<number>;
  enabled: Generated<boolean>;
}

export interface CatalogResourcesTable {
  id: Generated<string>;
  code: string;
  provider_org_id: string;
  name_zh: string;
  name_en: Generated<string>;
  abstract_zh: string;
  abstract_en: Generated<string>;
  keywords: Generated<string[]>;
  subject_category: string;
  domain_category: string;
  formats: Generated<string[]>;
  update_frequency: UpdateFrequency;
  spatial_coverage: Generated<string>;
  temporal_start: DateCol;
  temporal_end: DateCol;
  share_mode: ShareMode;
  share_conditions: Generated<string>;
  share_basis: Generated<string>;
  open_mode: ShareMode;
  open_conditions: Generated<string>;
  open_basis: Generated<string>;
  license: Generated<string>;
  contact_name: Generated<string>;
  contact_phone: Generated<string>;
  contact_email: Generated<string>;
  grade: Grade;
  grade_level: number | null;
  grading_factors: Json<GradingFactor[]>;
  grade_confirmed: Generated<boolean>;
  grade_confirmed_by: string | null;
  grade_confirmed_at: NullableTimestamp;
  status: Generated<Status>;
  revision_status: RevisionStatus | null;
  /** A pending revision of a published resource (status 'updated'): { resource: ResourceData, fields: FieldData[] }. */
  pending: Json<PendingRevision | null>;
  lock_version: Generated<number>;
  current_version: Generated<number>;
  release_date: DateCol;
  published_at: NullableTimestamp;
  created_by: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
  popularity: Generated<number>;
}

export interface CatalogFieldsTable {
  id: Generated<string>;
  resource_id: string;
  position: number;
  name_zh: string;
  name_en: Generated<string>;
  code: string;
  data_type: DataType;
  length: number | null;
  precision: number | null;
  unit: Generated<string>;
  description_zh: Generated<string>;
  description_en: Generated<string>;
  required: Generated<boolean>;
  element_id: string | null;
  grade: Grade;
  grade_level: number | null;
  pii_kind: Generated<PiiKind>;
  share_mode: ShareMode;
  open_mode: ShareMode;
}

export interface CatalogResourceVersionsTable {
  resource_id: string;
  version: number;
  snapshot: Json<Snapshot>;
  reason: 'publish' | 'revision' | 'grade' | 'reinstate';
  comment: Generated<string>;
  created_by: string | null;
  created_by_name: string | null;
  created_at: Timestamp;
}

export interface CatalogResourceEventsTable {
  id: Generated<number>;
  resource_id: string;
  from_state: string;
  to_state: string;
  comment: string;
  actor_id: string | null;
  actor_name: string | null;
  created_at: Timestamp;
}

export interface CatalogCodeSequencesTable {
  category_code: string;
  org_id: string;
  last_seq: Generated<number>;
}

export interface CatalogGradingRulesTable {
  id: Generated<string>;
  code: string;
  factor_kind: 'impact' | 'pii';
  impact_object: ImpactObject | null;
  impact_degree: ImpactDegree | null;
  pii_kind: Exclude<PiiKind, 'none'> | null;
  grade: Grade;
  grade_level: number | null;
  source: string;
  note: Generated<string>;
  enabled: Generated<boolean>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface CatalogGradePolicyTable {
  code: string;
  applies_to: 'resource' | 'field';
  grade: Grade;
  min_level: number | null;
  attribute: 'share_mode' | 'open_mode';
  forbidden: ShareMode[];
  source: string;
  enabled: Generated<boolean>;
  position: Generated<number>;
}

export interface CatalogTables {
  catalog_categories: CatalogCategoriesTable;
  catalog_resources: CatalogResourcesTable;
  catalog_fields: CatalogFieldsTable;
  catalog_resource_versions: CatalogResourceVersionsTable;
  catalog_resource_events: CatalogResourceEventsTable;
  catalog_code_sequences: CatalogCodeSequencesTable;
  catalog_grading_rules: CatalogGradingRulesTable;
  catalog_grade_policy: CatalogGradePolicyTable;
}

export type ResourceRow = Selectable<CatalogResourcesTable>;
export type FieldRow = Selectable<CatalogFieldsTable>;
export type CategoryRow = Selectable<CatalogCategoriesTable>;
export type VersionRow = Selectable<CatalogResourceVersionsTable>;
export type EventRow = Selectable<CatalogResourceEventsTable>;
export type GradingRuleRow = Selectable<CatalogGradingRulesTable>;
export type GradePolicyRow = Selectable<CatalogGradePolicyTable>;
export type FieldInsert = Insertable<CatalogFieldsTable>;
export type ResourceInsert = Insertable<CatalogResourcesTable>;

/** The editable metadata of a resource (camelCase, as in the API). */
export interface ResourceData {
  nameZh: string;
  nameEn: string;
  abstractZh: string;
  abstractEn: string;
  keywords: string[];
  subjectCategory: string;
  domainCategory: string;
  formats: string[];
  updateFrequency: UpdateFrequency;
  spatialCoverage: string;
  temporalStart: string | null;
  temporalEnd: string | null;
  shareMode: ShareMode;
  shareConditions: string;
  shareBasis: string;
  openMode: ShareMode;
  openConditions: string;
  openBasis: string;
  license: string;
  contactName: string;
  contactPhone: string;
  contactEmail: string;
  grade: Grade;
  gradeLevel: number | null;
  gradingFactors: GradingFactor[];
  releaseDate: string | null;
}

export interface FieldData {
  nameZh: string;
  nameEn: string;
  code: string;
  dataType: DataType;
  length: number | null;
  precision: number | null;
  unit: string;
  descriptionZh: string;
  descriptionEn: string;
  required: boolean;
  elementId: string | null;
  grade: Grade;
  gradeLevel: number | null;
  piiKind: PiiKind;
  shareMode: ShareMode;
  openMode: ShareMode;
}

export interface PendingRevision {
  resource: ResourceData;
  fields: FieldData[];
}

/** A version snapshot: the metadata, code, provider and fields at that time. */
export interface Snapshot {
  code: string;
  providerOrgId: string;
  resource: ResourceData;
  fields: FieldData[];
}

// ================================================================================================ SQL

const DATE_COLUMNS = new Set(['temporal_start', 'temporal_end', 'release_date']);
const RESOURCE_COLUMNS = [
  'id',
  'code',
  'provider_org_id',
  'name_zh',
  'name_en',
  'abstract_zh',
  'abstract_en',
  'keywords',
  'subject_category',
  'domain_category',
  'formats',
  'update_frequency',
  'spatial_coverage',
  'temporal_start',
  'temporal_end',
  'share_mode',
  'share_conditions',
  'share_basis',
  'open_mode',
  'open_conditions',
  'open_basis',
  'license',
  'contact_name',
  'contact_phone',
  'contact_email',
  'grade',
  'grade_level',
  'grading_factors',
  'grade_confirmed',
  'grade_confirmed_by',
  'grade_confirmed_at',
  'status',
  'revision_status',
  'pending',
  'lock_version',
  'current_version',
  'release_date',
  'published_at',
  'created_by',
  'created_at',
  'updated_at',
  'popularity',
] as const satisfies ReadonlyArray<keyof CatalogResourcesTable>;

/** Columns of catalog_resources under `alias`, dates as 'YYYY-MM-DD' text. */
function resourceSelection(alias: string) {
  return RESOURCE_COLUMNS.map((c) =>
    DATE_COLUMNS.has(c) ? sql`to_char(${sql.ref(`${alias}.${c}`)}, 'YYYY-MM-DD')`.as(c) : sql.ref(`${alias}.${c}`).as(c),
  );
}

export interface ResourceListFilters {
  orgIds?: string[];
  statuses?: Status[];
  subjectCategory?: string;
  domainCategory?: string;
  grade?: Grade;
  /** Review queue: [status, revision_status|null] pairs. */
  states?: Array<[Status, RevisionStatus | null]>;
}

export type ResourceListRow = ResourceRow & { field_count: number };

export class CatalogRepository {
  // ---- categories
  async listCategories(db: Executor): Promise<CategoryRow[]> {
    return db.selectFrom('catalog_categories').selectAll().orderBy('position').orderBy('code').execute();
  }

  async getCategory(db: Executor, code: string): Promise<CategoryRow | undefined> {
    return db.selectFrom('catalog_categories').selectAll().where('code', '=', code).executeTakeFirst();
  }

  // ---- resources
  async getResource(db: Executor, id: string, opts: { forUpdate?: boolean } = {}): Promise<ResourceRow | undefined> {
    let q = db
      .selectFrom('catalog_resources as r')
      .select(resourceSelection('r') as never)
      .where('r.id', '=', id);
    if (opts.forUpdate) q = q.forUpdate();
    return (await q.executeTakeFirst()) as ResourceRow | undefined;
  }

  async idByCode(db: Executor, code: string): Promise<string | undefined> {
    const r = await db.selectFrom('catalog_resources').select('id').where('code', '=', code).executeTakeFirst();
    return r?.id;
  }

  async codeExists(db: Executor, code: string): Promise<boolean> {
    const r = await db.selectFrom('catalog_resources').select('id').where('code', '=', code).executeTakeFirst();
    return !!r;
  }

  /** The next sequence number for (category, org); the row lock serializes concurrent creations. */
  async nextSequence(db: Executor, category: string, orgId: string): Promise<number> {
    const r = await db
      .insertInto('catalog_code_sequences')
      .values({ category_code: category, org_id: orgId, last_seq: 1 })
      .onConflict((oc) => oc.columns(['category_code', 'org_id']).doUpdateSet({ last_seq: sql`catalog_code_sequences.last_seq + 1` }))
      .returning('last_seq')
      .executeTakeFirstOrThrow();
    return r.last_seq;
  }

  async insertResource(db: Executor, values: ResourceInsert): Promise<string> {
    const r = await db.insertInto('catalog_resources').values(values).returning('id').executeTakeFirstOrThrow();
    return r.id;
  }

  async insertResources(db: Executor, values: ResourceInsert[]): Promise<Array<{ id: string; code: string }>> {
    if (!values.length) return [];
    return db.insertInto('catalog_resources').values(values).returning(['id', 'code']).execute();
  }

  async updateResource(db: Executor, id: string, values: Partial<ResourceInsert>): Promise<void> {
    await db
      .updateTable('catalog_resources')
      .set({ ...values, updated_at: sql`now()` } as never)
      .where('id', '=', id)
      .execute();
  }

  async incrementPopularity(db: Executor, id: string): Promise<void> {
    await db
      .updateTable('catalog_resources')
      .set({ popularity: sql`popularity + 1` })
      .where('id', '=', id)
      .execute();
  }

  async listResources(
    db: Executor,
    visible: Expression<SqlBool>,
    f: ResourceListFilters,
    page: { limit: number; offset: number; sort: 'updated' | 'created' | 'published' | 'code' | 'popularity' },
  ): Promise<{ rows: ResourceListRow[]; total: number }> {
    let q = db.selectFrom('catalog_resources as r').where(visible);
    if (f.orgIds) q = q.where('r.provider_org_id', 'in', f.orgIds.length ? f.orgIds : ['00000000-0000-0000-0000-000000000000']);
    if (f.statuses?.length) q = q.where('r.status', 'in', f.statuses);
    if (f.subjectCategory) q = q.where('r.subject_category', '=', f.subjectCategory);
    if (f.domainCategory) q = q.where('r.domain_category', '=', f.domainCategory);
    if (f.grade) q = q.where('r.grade', '=', f.grade);
    if (f.states?.length) {
      const states = f.states;
      q = q.where((eb) =>
        eb.or(
          states.map(([s, rs]) =>
            eb.and([eb('r.status', '=', s), rs === null ? eb('r.revision_status', 'is', null) : eb('r.revision_status', '=', rs)]),
          ),
        ),
      );
    }
    const totalRow = await q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    const order = {
      updated: 'r.updated_at',
      created: 'r.created_at',
      published: 'r.published_at',
      code: 'r.code',
      popularity: 'r.popularity',
    } as const;
    const rows = await q
      .select(resourceSelection('r') as never)
      .select(sql<number>`(select count(*)::int from catalog_fields f where f.resource_id = r.id)`.as('field_count'))
      .orderBy(sql.ref(order[page.sort]), (ob) => (page.sort === 'code' ? ob.asc() : ob.desc().nullsLast()))
      .orderBy('r.id')
      .limit(page.limit)
      .offset(page.offset)
      .execute();
    return { rows: rows as unknown as ResourceListRow[], total: Number(totalRow.n) };
  }

  async anyResourceOf(db: Executor, orgIds: string[]): Promise<boolean> {
    const r = await db.selectFrom('catalog_resources').select('id').where('provider_org_id', 'in', orgIds).limit(1).executeTakeFirst();
    return !!r;
  }

  async countResources(db: Executor): Promise<number> {
    const r = await db
      .selectFrom('catalog_resources')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(r.n);
  }

  // ---- fields
  async getFields(db: Executor, resourceId: string): Promise<FieldRow[]> {
    return db.selectFrom('catalog_fields').selectAll().where('resource_id', '=', resourceId).orderBy('position').execute();
  }

  async replaceFields(db: Executor, resourceId: string, fields: FieldInsert[]): Promise<void> {
    await db.deleteFrom('catalog_fields').where('resource_id', '=', resourceId).execute();
    if (fields.length) await db.insertInto('catalog_fields').values(fields).execute();
  }

  async insertFields(db: Executor, fields: FieldInsert[]): Promise<void> {
    for (let i = 0; i < fields.length; i += 2000)
      await db
        .insertInto('catalog_fields')
        .values(fields.slice(i, i + 2000))
        .execute();
  }

  // ---- versions and events
  async insertVersion(db: Executor, v: Insertable<CatalogResourceVersionsTable>): Promise<void> {
    await db.insertInto('catalog_resource_versions').values(v).execute();
  }

  async insertVersions(db: Executor, v: Array<Insertable<CatalogResourceVersionsTable>>): Promise<void> {
    for (let i = 0; i < v.length; i += 1000)
      await db
        .insertInto('catalog_resource_versions')
        .values(v.slice(i, i + 1000))
        .execute();
  }

  async listVersions(db: Executor, resourceId: string): Promise<VersionRow[]> {
    return db
      .selectFrom('catalog_resource_versions')
      .selectAll()
      .where('resource_id', '=', resourceId)
      .orderBy('version', 'desc')
      .execute();
  }

  async getVersion(db: Executor, resourceId: string, version: number): Promise<VersionRow | undefined> {
    return db
      .selectFrom('catalog_resource_versions')
      .selectAll()
      .where('resource_id', '=', resourceId)
      .where('version', '=', version)
      .executeTakeFirst();
  }

  async insertEvent(db: Executor, e: Insertable<CatalogResourceEventsTable>): Promise<void> {
    await db.insertInto('catalog_resource_events').values(e).execute();
  }

  async insertEvents(db: Executor, e: Array<Insertable<CatalogResourceEventsTable>>): Promise<void> {
    for (let i = 0; i < e.length; i += 1000)
      await db
        .insertInto('catalog_resource_events')
        .values(e.slice(i, i + 1000))
        .execute();
  }

  async listEvents(db: Executor, resourceId: string): Promise<EventRow[]> {
    return db.selectFrom('catalog_resource_events').selectAll().where('resource_id', '=', resourceId).orderBy('id').execute();
  }

  // ---- grading rules and policy
  async listRules(db: Executor): Promise<GradingRuleRow[]> {
    return db.selectFrom('catalog_grading_rules').selectAll().orderBy('factor_kind').orderBy('code').execute();
  }

  async getRule(db: Executor, id: string): Promise<GradingRuleRow | undefined> {
    return db.selectFrom('catalog_grading_rules').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async insertRule(db: Executor, v: Insertable<CatalogGradingRulesTable>): Promise<GradingRuleRow> {
    return db.insertInto('catalog_grading_rules').values(v).returningAll().executeTakeFirstOrThrow();
  }

  async updateRule(db: Executor, id: string, v: Partial<Insertable<CatalogGradingRulesTable>>): Promise<GradingRuleRow> {
    return db
      .updateTable('catalog_grading_rules')
      .set({ ...v, updated_at: sql`now()` } as never)
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
  }

  async listPolicy(db: Executor): Promise<GradePolicyRow[]> {
    return db.selectFrom('catalog_grade_policy').selectAll().orderBy('position').orderBy('code').execute();
  }

  async replacePolicy(db: Executor, rows: Array<Insertable<CatalogGradePolicyTable>>): Promise<void> {
    await db.deleteFrom('catalog_grade_policy').execute();
    if (rows.length) await db.insertInto('catalog_grade_policy').values(rows).execute();
  }

  // ---- bulk import and export (bulk.ts)
  /** Which of these codes are taken already. */
  async existingCodes(db: Executor, codes: string[]): Promise<string[]> {
    const out: string[] = [];
    for (let i = 0; i < codes.length; i += 5000) {
      const rows = await db
        .selectFrom('catalog_resources')
        .select('code')
        .where('code', '=', sql<string>`any(${codes.slice(i, i + 5000)}::text[])`)
        .execute();
      out.push(...rows.map((r) => r.code));
    }
    return out;
  }

  /** Reserves `n` sequence numbers for (category, org) at once; returns the first (they run first..first+n-1). */
  async reserveSequence(db: Executor, category: string, orgId: string, n: number): Promise<number> {
    const r = await db
      .insertInto('catalog_code_sequences')
      .values({ category_code: category, org_id: orgId, last_seq: n })
      .onConflict((oc) => oc.columns(['category_code', 'org_id']).doUpdateSet({ last_seq: sql`catalog_code_sequences.last_seq + ${n}` }))
      .returning('last_seq')
      .executeTakeFirstOrThrow();
    return r.last_seq - n + 1;
  }

  /** The fields of many resources, in resource then position order. */
  async fieldsOfResources(db: Executor, resourceIds: string[]): Promise<FieldRow[]> {
    if (!resourceIds.length) return [];
    return db
      .selectFrom('catalog_fields')
      .selectAll()
      .where('resource_id', '=', sql<string>`any(${resourceIds}::uuid[])`)
      .orderBy('resource_id')
      .orderBy('position')
      .execute();
  }

  /** Visible resources by ids or by codes (the CKAN API's package_show and search results; issue 7 §6). */
  async resourcesByIdsOrCodes(db: Executor, visible: Expression<SqlBool>, f: { ids?: string[]; codes?: string[] }): Promise<ResourceRow[]> {
    const ids = f.ids ?? [];
    const codes = f.codes ?? [];
    if (!ids.length && !codes.length) return [];
    const rows = await db
      .selectFrom('catalog_resources as r')
      .select(resourceSelection('r') as never)
      .where(visible)
      .where((eb) => eb.or([eb('r.id', '=', sql<string>`any(${ids}::uuid[])`), eb('r.code', '=', sql<string>`any(${codes}::text[])`)]))
      .execute();
    return rows as unknown as ResourceRow[];
  }

  /** Codes of the visible resources, in code order (the CKAN API's package_list). */
  async visibleCodes(db: Executor, visible: Expression<SqlBool>, page: { limit: number; offset: number }): Promise<string[]> {
    const rows = await db
      .selectFrom('catalog_resources as r')
      .select('r.code')
      .where(visible)
      .orderBy('r.code')
      .limit(page.limit)
      .offset(page.offset)
      .execute();
    return rows.map((r) => r.code);
  }

  /** Takes a transaction-scoped advisory lock (demo seeding runs once even with several processes). */
  async seedLock(db: Executor): Promise<void> {
    await sql`select pg_advisory_xact_lock(hashtext('shuyuan.catalog.seed'))`.execute(db);
  }
}
