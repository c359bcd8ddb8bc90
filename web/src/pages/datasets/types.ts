// Shapes of the datasets API responses these pages read (src/modules/datasets/schemas.ts, read-routes.ts and
// docs/dataplane.md "HTTP API"; /api/openapi.json has the full contract).
export const FIELD_TYPES = ['string', 'integer', 'number', 'boolean', 'date', 'datetime'] as const;
export type FieldType = (typeof FIELD_TYPES)[number];

/** The catalog's PII kinds plus the Hong Kong/Macao permit the privacy module also recognizes. */
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
  'hk_macao_permit',
] as const;
export type PiiKind = (typeof PII_KINDS)[number];

export const INGEST_STATUSES = [
  'queued',
  'staging',
  'awaiting_schema',
  'building',
  'checking',
  'published',
  'failed',
  'cancelled',
] as const;
export type IngestStatus = (typeof INGEST_STATUSES)[number];
/** A worker holds these (the page polls while any ingest is in one). */
export const ACTIVE_STATUSES: readonly IngestStatus[] = ['queued', 'staging', 'building', 'checking'];

export const QUALITY_DIMENSIONS = ['completeness', 'validity', 'uniqueness', 'consistency', 'timeliness'] as const;
export type QualityDimension = (typeof QUALITY_DIMENSIONS)[number];

export const FILTER_OPS = ['eq', 'ne', 'lt', 'le', 'gt', 'ge', 'in', 'contains', 'starts_with', 'is_null', 'not_null', 'between'] as const;
export type FilterOp = (typeof FILTER_OPS)[number];

export const EXPORT_FORMATS = ['csv', 'csv-bom', 'json', 'ndjson', 'xlsx', 'parquet'] as const;

export interface FieldHints {
  nullCount?: number;
  distinct?: number;
  sample?: string[];
  enumCandidate?: boolean;
  keyCandidate?: boolean;
  piiKind?: string;
  /** The catalog field (code) this column carries. */
  fieldCode?: string;
  [k: string]: unknown;
}

export interface SchemaField {
  name: string;
  type: FieldType;
  format?: string;
  source?: string;
  title?: string;
  description?: string;
  constraints?: { required?: boolean; unique?: boolean; enum?: string[]; [k: string]: unknown };
  'x-shuyuan'?: FieldHints;
  [k: string]: unknown;
}

export interface TableSchema {
  fields: SchemaField[];
  primaryKey?: string | string[];
  [k: string]: unknown;
}

export interface SchemaDiff {
  changed: boolean;
  added: string[];
  removed: string[];
  retyped: { name: string; from: string; to: string }[];
  constraints: { name: string; what: string }[];
}

export interface QualityRuleResult {
  id: string;
  kind: string;
  column: string | null;
  dimension: QualityDimension;
  severity: 'critical' | 'major' | 'minor';
  applicable: number;
  passed: number;
  failed: number;
  ratio: number | null;
  observed?: string | number | null;
  expected?: string | number | null;
}

export interface QualityReport {
  rows: number;
  evaluatedAt: string;
  rules: QualityRuleResult[];
  dimensions: Record<QualityDimension, number | null>;
  overall: number | null;
  grade: 'A' | 'B' | 'C' | 'D' | 'E' | null;
  rulesPassed: number;
  rulesJudged: number;
}

export interface PiiFinding {
  kind: string;
  confidence: number;
  matched?: number;
  sampled?: number;
}

export interface Version {
  version: number;
  state: 'published' | 'superseded' | 'expired';
  sha256: string;
  bytes: number;
  rows: number;
  schema: TableSchema | null;
  source: {
    kind?: string;
    fileName?: string | null;
    size?: number | null;
    format?: string | null;
    encoding?: string | null;
    fromVersion?: number | null;
    toVersion?: number | null;
    comment?: string;
    [k: string]: unknown;
  } | null;
  ingestId: string | null;
  quality: QualityReport | null;
  qualityScore: number | null;
  pii: Record<string, PiiFinding[]> | null;
  badRowCount: number;
  createdBy: string | null;
  createdAt: string;
}

export interface ResourceRef {
  id: string;
  code: string;
  nameZh: string;
  nameEn: string;
}

export interface Dataset {
  id: string;
  resource: ResourceRef;
  orgId: string;
  currentVersion: number | null;
  schema: TableSchema | null;
  qualityRules: unknown;
  retentionKeep: number | null;
  canManage: boolean;
  current: Version | null;
  createdAt: string;
  updatedAt: string;
}

export interface DatasetSummary {
  id: string;
  resourceId: string;
  /** Present when the server joins the resource's names in (otherwise the page looks them up). */
  resource?: ResourceRef;
  orgId: string;
  currentVersion: number | null;
  rows: number | null;
  bytes: number | null;
  qualityScore: number | null;
  publishedAt: string | null;
  updatedAt: string;
}

export interface IngestError {
  code: string;
  params?: Record<string, unknown>;
  details?: Record<string, unknown> | null;
  /** The text in the request's language, when the server adds it. */
  message?: string;
}

export interface BadRow {
  row: number;
  column?: string | null;
  value?: string | null;
  reason: string;
}

export interface IngestProgress {
  phase?: string;
  rowsRead?: number;
  rowsWritten?: number;
  format?: string | null;
  encoding?: string | null;
  warnings?: string[];
}

export interface Ingest {
  id: string;
  datasetId: string;
  status: IngestStatus;
  source: { kind?: string; fileName?: string; size?: number; uploadId?: string; specId?: string; [k: string]: unknown } | null;
  options: Record<string, unknown> | null;
  progress: IngestProgress | null;
  proposedSchema: TableSchema | null;
  schemaDiff: SchemaDiff | null;
  confirmedSchema: TableSchema | null;
  pii: Record<string, PiiFinding[]> | null;
  quality: QualityReport | null;
  badRows: BadRow[] | null;
  badRowCount: number;
  error: IngestError | null;
  version: number | null;
  createdBy: string | null;
  createdAt: string;
  updatedAt: string;
  finishedAt: string | null;
}

export interface DiffResult {
  from: number;
  to: number;
  key: string[];
  schema: SchemaDiff | null;
  added: number | null;
  removed: number | null;
  changed: number | null;
  rowsFrom: number;
  rowsTo: number;
  examples: { kind: 'added' | 'removed' | 'changed'; key: string }[] | null;
}

export interface QualityTrendItem {
  version: number;
  score: number | null;
  dimensions: Record<QualityDimension, number | null> | null;
  createdAt: string;
}

export type ColumnPolicy = 'clear' | 'mask' | 'token' | 'hide';

export interface ReadColumnOut {
  name: string;
  type: string;
  piiKind?: string | null;
  policy: ColumnPolicy;
}

export interface ReadResult {
  version: number;
  basis: 'owner' | 'entitlement' | 'masked';
  columns: ReadColumnOut[];
  rows: Record<string, unknown>[];
  total?: number;
  nextCursor?: string;
}

export interface FilterCondition {
  column: string;
  op: FilterOp;
  value?: string | number | boolean | (string | number | boolean)[];
}
