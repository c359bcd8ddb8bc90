// Shapes of the catalog, data element, list, registration and search API responses these pages read (see
// src/modules/{catalog,elements,registration,search}/schemas.ts and /api/openapi.json for the contract).
export const STATUSES = ['draft', 'submitted', 'returned', 'approved', 'published', 'updated', 'deprecated', 'withdrawn'] as const;
export type Status = (typeof STATUSES)[number];
export const REVISION_STATUSES = ['draft', 'submitted', 'returned', 'approved'] as const;
export type RevisionStatus = (typeof REVISION_STATUSES)[number];
export const GRADES = ['core', 'important', 'general'] as const;
export type Grade = (typeof GRADES)[number];
export const MODES = ['unconditional', 'conditional', 'none'] as const;
export type Mode = (typeof MODES)[number];
export const FREQUENCIES = ['realtime', 'daily', 'weekly', 'monthly', 'quarterly', 'half_yearly', 'yearly', 'irregular'] as const;
export type Frequency = (typeof FREQUENCIES)[number];
export const DATA_TYPES = ['string', 'integer', 'decimal', 'date', 'datetime', 'time', 'boolean', 'binary', 'geometry', 'json'] as const;
export type DataType = (typeof DATA_TYPES)[number];
export const PII_KINDS = [
  'none',
  'id_number',
  'phone',
  'name',
  'address',
  'email',
  'bank_card',
  'passport',
  'license_plate',
  'credit_code',
] as const;
export type PiiKind = (typeof PII_KINDS)[number];
export const FORMATS = ['xlsx', 'csv', 'json', 'xml', 'api', 'database', 'pdf', 'shp', 'geojson', 'image', 'video', 'other'] as const;
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

export interface OrgBrief {
  id: string;
  code: string;
  nameZh: string;
  nameEn: string;
}

export interface Category {
  code: string;
  kind: 'base' | 'domain';
  nameZh: string;
  nameEn: string;
  enabled: boolean;
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
  shareMode: Mode;
  openMode: Mode;
}

export interface Field extends FieldData {
  id: string;
  position: number;
}

export interface GradingFactor {
  object: ImpactObject;
  degree: ImpactDegree;
}

export interface ResourceData {
  nameZh: string;
  nameEn: string;
  abstractZh: string;
  abstractEn: string;
  keywords: string[];
  subjectCategory: string;
  domainCategory: string;
  formats: string[];
  updateFrequency: Frequency;
  spatialCoverage: string;
  temporalStart: string | null;
  temporalEnd: string | null;
  shareMode: Mode;
  shareConditions: string;
  shareBasis: string;
  openMode: Mode;
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

export interface TransitionRef {
  to: Status;
  by: 'provider' | 'authority';
  zh: string;
  en: string;
}

export interface ResourceSummary {
  id: string;
  code: string;
  providerOrg: OrgBrief;
  nameZh: string;
  nameEn: string;
  abstractZh: string;
  abstractEn: string;
  keywords: string[];
  subjectCategory: string;
  domainCategory: string;
  formats: string[];
  updateFrequency: Frequency;
  shareMode: Mode;
  openMode: Mode;
  grade: Grade;
  gradeLevel: number | null;
  gradeConfirmed: boolean;
  status: Status;
  revisionStatus: RevisionStatus | null;
  state: string;
  lockVersion: number;
  currentVersion: number;
  releaseDate: string | null;
  publishedAt: string | null;
  createdAt: string;
  updatedAt: string;
  popularity: number;
  fieldCount: number;
}

export interface Resource extends Omit<ResourceSummary, 'fieldCount'>, ResourceData {
  gradeConfirmedAt: string | null;
  gradeBasis: { source: 'proposal' | 'field' | 'rule'; ref: string | null; grade: Grade; level: number | null }[];
  fields: Field[];
  pending: { resource: ResourceData; fields: FieldData[] } | null;
  allowedTransitions: TransitionRef[];
  events: { fromState: string; toState: string; comment: string; actorName: string | null; at: string }[];
}

export interface ResourceList {
  items: ResourceSummary[];
  total: number;
  page: number;
  pageSize: number;
}

export interface Version {
  version: number;
  reason: 'publish' | 'revision' | 'grade' | 'reinstate';
  comment: string;
  createdByName: string | null;
  createdAt: string;
  snapshot: { code: string; providerOrgId: string; resource: ResourceData; fields: FieldData[] };
}

export interface Change {
  attribute: string;
  from: unknown;
  to: unknown;
}

export interface Diff {
  from: string;
  to: string;
  metadata: Change[];
  fields: { added: FieldData[]; removed: FieldData[]; changed: { code: string; changes: Change[] }[] };
}

export interface PolicyRule {
  code: string;
  appliesTo: 'resource' | 'field';
  grade: Grade;
  minLevel?: number | null;
  attribute: 'share_mode' | 'open_mode';
  forbidden: Mode[];
  source: string;
  enabled?: boolean;
}

// ------------------------------------------------------------------------------------------ search
export interface SearchItem {
  id: string;
  code: string;
  nameZh: string;
  nameEn: string;
  abstractZh: string;
  highlight: { name: string; abstract: string };
  org: { id: string; nameZh: string; nameEn: string };
  grade: Grade;
  gradeLevel: number | null;
  shareMode: Mode;
  openMode: Mode;
  status: Status;
  releaseDate: string | null;
  updatedAt: string;
  popularity: number;
}

export const FACETS = ['org', 'category', 'grade', 'share', 'open', 'format', 'frequency', 'keyword'] as const;
export type FacetKey = (typeof FACETS)[number];
export interface FacetValue {
  value: string;
  label: string;
  count: number;
}

export interface SearchResult {
  items: SearchItem[];
  total: number;
  page: number;
  pageSize: number;
  facets: Record<FacetKey, FacetValue[]>;
}

export interface Suggestion {
  id: string;
  code: string;
  nameZh: string;
  nameEn: string;
}

// ------------------------------------------------------------------------------------------ elements
export interface ResourceBrief {
  id: string;
  code: string;
  nameZh: string;
  nameEn: string;
  providerOrgId: string;
  status: string;
}

export interface ElementBrief {
  id: string;
  code: string;
  nameZh: string;
  nameEn: string;
  standardRef: string;
}

export interface DataElement extends ElementBrief {
  definitionZh: string;
  definitionEn: string;
  dataType: string;
  format: string;
  pattern: string | null;
  synonyms: string[];
  status: 'active' | 'retired';
  authoritativeResource: ResourceBrief | null;
  authoritativeOrg: OrgBrief | null;
  mappedFields: number;
  repeatedFields: number;
  openArbitrationId: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface Claim {
  id: string;
  elementId: string;
  org: OrgBrief;
  resource: ResourceBrief | null;
  basis: string;
  status: 'accepted' | 'pending' | 'rejected' | 'superseded';
  arbitrationId: string | null;
  createdAt: string;
  decidedAt: string | null;
}

export interface Arbitration {
  id: string;
  element: ElementBrief;
  status: 'open' | 'decided';
  openedAt: string;
  decidedAt: string | null;
  winnerClaimId: string | null;
  comment: string;
  claims: Claim[];
}

export interface LineageField {
  fieldId: string;
  position: number;
  nameZh: string;
  nameEn: string;
  code: string;
  element: ElementBrief | null;
  authoritativeResource: ResourceBrief | null;
  authoritativeOrg: OrgBrief | null;
  isAuthoritativeSource: boolean;
  repeatedCollection: boolean;
}

export interface Lineage {
  resource: ResourceBrief;
  fields: LineageField[];
  repeatedCount: number;
}

export interface ReportRow {
  org: OrgBrief;
  repeatedFields: {
    count: number;
    items: {
      resource: ResourceBrief;
      fieldId: string;
      fieldNameZh: string;
      fieldNameEn: string;
      element: ElementBrief;
      authoritativeOrg: OrgBrief;
      authoritativeResourceId: string | null;
    }[];
  };
  openConflicts: { count: number; items: { arbitrationId: string; element: ElementBrief; openedAt: string; claimants: OrgBrief[] }[] };
  authoritativeElements: ElementBrief[];
}

export interface Report {
  items: ReportRow[];
  totals: { repeatedFields: number; openConflicts: number; elementsWithoutSource: number };
}

// ------------------------------------------------------------------------------------------ lists
export interface Responsibility {
  id: string;
  org: OrgBrief;
  nameZh: string;
  nameEn: string;
  description: string;
  legalBasis: string;
  resources: ResourceBrief[];
  linkedCount: number;
  backed: boolean;
  createdAt: string;
  updatedAt: string;
}

export const DEMAND_STATUSES = ['open', 'answered', 'closed', 'rejected'] as const;
export type DemandStatus = (typeof DEMAND_STATUSES)[number];
export interface Demand {
  id: string;
  title: string;
  description: string;
  neededFields: string[];
  purpose: string;
  raiserKind: 'department' | 'public';
  raisedBy: string;
  raiserOrg: OrgBrief | null;
  targetOrg: OrgBrief | null;
  status: DemandStatus;
  reply: string;
  respondedAt: string | null;
  answerWorkingDays: number | null;
  closedAt: string | null;
  createdAt: string;
  updatedAt: string;
  resources: ResourceBrief[];
  allowedTransitions: ('answer' | 'reject' | 'close' | 'reopen')[];
  matches?: ResourceBrief[];
}

export interface NegativeEntry {
  id: string;
  resource: ResourceBrief;
  scope: 'share' | 'open' | 'both';
  legalBasis: string;
  note: string;
  createdAt: string;
  updatedAt: string;
  removedAt: string | null;
  removeReason: string | null;
  attributeConflict: boolean;
}

export interface CoverageRow {
  org: OrgBrief;
  responsibilityItems: number;
  backedItems: number;
  backedPercent: number | null;
  openDemands: number;
  answeredDemands: number;
  medianAnswerWorkingDays: number | null;
  avgAnswerWorkingDays: number | null;
}

export interface Coverage {
  items: CoverageRow[];
  unrouted: { openDemands: number };
}

// ------------------------------------------------------------------------------------------ registration
export const REG_STATES = [
  'applied',
  'returned_incomplete',
  'accepted',
  'public_notice',
  'objection_review',
  'pending_decision',
  'approved',
  'rejected',
  'withdrawn',
] as const;
export type RegState = (typeof REG_STATES)[number];
export type DeadlineKind = 'completeness' | 'notice_end' | 'decision';

export interface Localized {
  zh: string;
  en: string;
}

export interface RegistrationSummary {
  id: string;
  subjectType: 'resource' | 'product';
  resourceId: string | null;
  registrationType: string;
  subject: { code: string; nameZh: string; nameEn: string };
  provider: OrgBrief;
  applicantId: string | null;
  state: RegState;
  stateLabel: Localized;
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
  allowedTransitions: { to: RegState; labelZh: string; labelEn: string }[];
  timeline: {
    from: RegState | null;
    to: RegState;
    actorName: string | null;
    actorKind: string;
    comment: string;
    at: string;
  }[];
  deadlines: {
    id: string;
    kind: DeadlineKind;
    startDate: string;
    workingDays: number;
    dueDate: string;
    dueAt: string;
    status: 'open' | 'met' | 'cancelled';
    overdue: boolean;
  }[];
  objections: { id: string; name: string; contact: string | null; reason: string; status: string; createdAt: string }[];
  certificate: Certificate | null;
}

export interface Certificate {
  number: string;
  queryCode: string;
  contentHash: string;
  issuedAt: string;
  validUntil: string;
  status: 'valid' | 'expired' | 'revoked';
}

export interface RegistrationPage {
  items: RegistrationSummary[];
  total: number;
  page: number;
  pageSize: number;
}

export interface DashboardItem {
  registrationId: string;
  subjectNameZh: string;
  subjectNameEn: string;
  state: RegState;
  kind: DeadlineKind;
  dueDate: string;
  dueAt: string;
}

export interface Dashboard {
  byState: Record<string, number>;
  total: number;
  open: number;
  dueSoonCount: number;
  overdueCount: number;
  dueSoon: DashboardItem[];
  overdue: DashboardItem[];
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
