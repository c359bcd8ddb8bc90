// Catalog tables (migrations/0005_catalog.sql) and the only SQL of the catalog module.
import { sql, type ColumnType, type Generated, type Insertable, type Selectable } from 'kysely';
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
