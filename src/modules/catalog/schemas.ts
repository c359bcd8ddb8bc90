// TypeBox schemas of the catalog API; the TypeScript types are derived from them.
import { Type, type Static } from 'typebox';
import {
  DATA_TYPES,
  GRADES,
  IMPACT_DEGREES,
  IMPACT_OBJECTS,
  PII_KINDS,
  REVISION_STATUSES,
  SHARE_MODES,
  STATUSES,
  UPDATE_FREQUENCIES,
} from './repository.ts';

export const FORMATS = ['xlsx', 'csv', 'json', 'xml', 'api', 'database', 'pdf', 'shp', 'geojson', 'image', 'video', 'other'] as const;

const Uuid = Type.String({ format: 'uuid' });
const DateTime = Type.String({ format: 'date-time' });
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);
const DateStr = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'YYYY-MM-DD' });

export const ShareModeSchema = Type.Enum([...SHARE_MODES], {
  description: 'unconditional 无条件 / conditional 有条件 / none 不予（共享、开放）',
});
export const GradeSchema = Type.Enum([...GRADES], { description: 'GB/T 43697-2024: core 核心 / important 重要 / general 一般' });
export const GradeLevel = Type.Integer({ minimum: 1, maximum: 4, description: 'Level 1–4 of general data (null otherwise)' });
export const StatusSchema = Type.Enum([...STATUSES]);
export const RevisionStatusSchema = Type.Enum([...REVISION_STATUSES]);
export const UpdateFrequencySchema = Type.Enum([...UPDATE_FREQUENCIES], { description: '更新频率' });
export const PiiKindSchema = Type.Enum([...PII_KINDS], { description: '个人信息类型' });
export const ImpactObjectSchema = Type.Enum([...IMPACT_OBJECTS]);
export const ImpactDegreeSchema = Type.Enum([...IMPACT_DEGREES]);
export const GradingFactorSchema = Type.Object(
  { object: ImpactObjectSchema, degree: ImpactDegreeSchema },
  { additionalProperties: false, description: 'GB/T 43697 impact analysis: affected object and degree of harm' },
);

const Text = (max: number, description?: string) => Type.String({ maxLength: max, ...(description ? { description } : {}) });

// ------------------------------------------------------------------------------------------ fields
const fieldProps = {
  nameZh: Text(200, '信息项名称（必填）'),
  nameEn: Type.Optional(Text(300)),
  code: Text(64, 'Field code, ^[A-Za-z][A-Za-z0-9_]*$ (required, unique within the resource)'),
  dataType: Text(32, `Data type, one of: ${DATA_TYPES.join(', ')}`),
  length: Type.Optional(Nullable(Type.Integer({ minimum: 1, maximum: 1_000_000 }))),
  precision: Type.Optional(Nullable(Type.Integer({ minimum: 0, maximum: 64 }))),
  unit: Type.Optional(Text(50)),
  descriptionZh: Type.Optional(Text(2000)),
  descriptionEn: Type.Optional(Text(4000)),
  required: Type.Optional(Type.Boolean()),
  elementId: Type.Optional(Nullable(Uuid)),
  grade: Type.Optional(GradeSchema),
  gradeLevel: Type.Optional(Nullable(GradeLevel)),
  piiKind: Type.Optional(PiiKindSchema),
  shareMode: Type.Optional(ShareModeSchema),
  openMode: Type.Optional(ShareModeSchema),
};
export const FieldInput = Type.Object(
  {
    ...fieldProps,
    nameZh: Type.Optional(fieldProps.nameZh),
    code: Type.Optional(fieldProps.code),
    dataType: Type.Optional(fieldProps.dataType),
  },
  {
    additionalProperties: false,
    description: 'A field (信息项). share/open default to the resource attributes; grade to general level 1.',
  },
);
export type FieldInputT = Static<typeof FieldInput>;

export const FieldDataSchema = Type.Object({
  nameZh: Type.String(),
  nameEn: Type.String(),
  code: Type.String(),
  dataType: Type.Enum([...DATA_TYPES]),
  length: Nullable(Type.Integer()),
  precision: Nullable(Type.Integer()),
  unit: Type.String(),
  descriptionZh: Type.String(),
  descriptionEn: Type.String(),
  required: Type.Boolean(),
  elementId: Nullable(Uuid),
  grade: GradeSchema,
  gradeLevel: Nullable(Type.Integer()),
  piiKind: PiiKindSchema,
  shareMode: ShareModeSchema,
  openMode: ShareModeSchema,
});
export const Field = Type.Object({ id: Uuid, position: Type.Integer(), ...FieldDataSchema.properties }, { $id: 'CatalogField' });
export type FieldT = Static<typeof Field>;

// ------------------------------------------------------------------------------------------ resources
const metadataProps = {
  nameZh: Text(200, '资源名称（必填）'),
  nameEn: Text(300),
  abstractZh: Text(4000, '资源摘要（必填）'),
  abstractEn: Text(8000),
  keywords: Type.Array(Type.String({ minLength: 1, maxLength: 50 }), { maxItems: 30 }),
  subjectCategory: Text(10, 'Category code (GET /api/catalog/categories), also the first part of the resource code (必填)'),
  domainCategory: Text(10, 'Domain category code, kind "domain" (必填)'),
  formats: Type.Array(Type.String({ maxLength: 20 }), { maxItems: 12, description: `Formats: ${FORMATS.join(', ')}` }),
  updateFrequency: UpdateFrequencySchema,
  spatialCoverage: Text(200, '空间范围'),
  temporalStart: Nullable(DateStr),
  temporalEnd: Nullable(DateStr),
  shareMode: ShareModeSchema,
  shareConditions: Text(2000, '共享条件 (required when conditional)'),
  shareBasis: Text(2000, '不予共享的法律依据 (required when none)'),
  openMode: ShareModeSchema,
  openConditions: Text(2000, '开放条件 (required when conditional)'),
  openBasis: Text(2000, '不予开放的依据'),
  license: Text(200),
  contactName: Text(100),
  contactPhone: Text(50),
  contactEmail: Text(200),
  grade: GradeSchema,
  gradeLevel: Nullable(GradeLevel),
  gradingFactors: Type.Array(GradingFactorSchema, { maxItems: 20 }),
  releaseDate: Nullable(DateStr),
};
type MetaProps = typeof metadataProps;
const optionalMeta = Object.fromEntries(Object.entries(metadataProps).map(([k, v]) => [k, Type.Optional(v)])) as {
  [K in keyof MetaProps]: ReturnType<typeof Type.Optional<MetaProps[K]>>;
};

export const ResourceDataSchema = Type.Object(metadataProps);

export const CreateResourceBody = Type.Object(
  {
    code: Type.Optional(
      Type.String({ maxLength: 60, description: 'Explicit code (import of an existing catalog); generated when omitted' }),
    ),
    providerOrgId: Type.Optional(Uuid),
    ...optionalMeta,
    fields: Type.Optional(Type.Array(FieldInput, { maxItems: 500 })),
  },
  { additionalProperties: false },
);
export type CreateResourceInput = Static<typeof CreateResourceBody>;

export const UpdateResourceBody = Type.Object(
  {
    lockVersion: Type.Optional(Type.Integer({ minimum: 1, description: 'The lockVersion you read (or send If-Match)' })),
    comment: Type.Optional(Type.String({ maxLength: 2000, description: 'Comment when the edit opens a revision of a published resource' })),
    ...optionalMeta,
  },
  { additionalProperties: false },
);
export type UpdateResourceInput = Static<typeof UpdateResourceBody>;

export const ReplaceFieldsBody = Type.Object(
  {
    lockVersion: Type.Optional(Type.Integer({ minimum: 1 })),
    comment: Type.Optional(Type.String({ maxLength: 2000 })),
    fields: Type.Array(FieldInput, { maxItems: 500 }),
  },
  { additionalProperties: false },
);

export const TransitionBody = Type.Object(
  {
    to: StatusSchema,
    comment: Type.String({ minLength: 1, maxLength: 2000 }),
    lockVersion: Type.Optional(Type.Integer({ minimum: 1 })),
  },
  { additionalProperties: false },
);

export const GradeBody = Type.Object(
  {
    grade: GradeSchema,
    level: Type.Optional(Nullable(GradeLevel)),
    comment: Type.String({ minLength: 1, maxLength: 2000 }),
    lockVersion: Type.Optional(Type.Integer({ minimum: 1 })),
  },
  { additionalProperties: false },
);

const OrgRef = Type.Object({ id: Uuid, code: Type.String(), nameZh: Type.String(), nameEn: Type.String() });
const TransitionRef = Type.Object({ to: StatusSchema, by: Type.Enum(['provider', 'authority']), zh: Type.String(), en: Type.String() });
export const GradeContributionSchema = Type.Object({
  source: Type.Enum(['proposal', 'field', 'rule']),
  ref: Nullable(Type.String()),
  grade: GradeSchema,
  level: Nullable(Type.Integer()),
});
export const EventSchema = Type.Object({
  fromState: Type.String(),
  toState: Type.String(),
  comment: Type.String(),
  actorName: Nullable(Type.String()),
  at: DateTime,
});

const summaryProps = {
  id: Uuid,
  code: Type.String(),
  providerOrg: OrgRef,
  nameZh: Type.String(),
  nameEn: Type.String(),
  abstractZh: Type.String(),
  abstractEn: Type.String(),
  keywords: Type.Array(Type.String()),
  subjectCategory: Type.String(),
  domainCategory: Type.String(),
  formats: Type.Array(Type.String()),
  updateFrequency: UpdateFrequencySchema,
  shareMode: ShareModeSchema,
  openMode: ShareModeSchema,
  grade: GradeSchema,
  gradeLevel: Nullable(Type.Integer()),
  gradeConfirmed: Type.Boolean(),
  status: StatusSchema,
  revisionStatus: Nullable(RevisionStatusSchema),
  state: Type.String({ description: 'Lifecycle state: the status, or updated:<revision status>' }),
  lockVersion: Type.Integer(),
  currentVersion: Type.Integer({ description: 'Last published version (0: never published)' }),
  releaseDate: Nullable(Type.String()),
  publishedAt: Nullable(DateTime),
  createdAt: DateTime,
  updatedAt: DateTime,
  popularity: Type.Integer(),
};
export const ResourceSummary = Type.Object({ ...summaryProps, fieldCount: Type.Integer() }, { $id: 'CatalogResourceSummary' });
export type ResourceSummaryT = Static<typeof ResourceSummary>;

export const Resource = Type.Object(
  {
    ...summaryProps,
    ...metadataProps,
    gradeConfirmedAt: Nullable(DateTime),
    gradeBasis: Type.Array(GradeContributionSchema, { description: 'Why the grade is what it is (就高从严)' }),
    fields: Type.Array(Field),
    pending: Nullable(
      Type.Object(
        { resource: ResourceDataSchema, fields: Type.Array(FieldDataSchema) },
        { description: 'The pending revision of a published resource (provider org and authority only)' },
      ),
    ),
    allowedTransitions: Type.Array(TransitionRef, { description: 'Transitions the caller may take now' }),
    events: Type.Array(EventSchema, { description: 'Lifecycle history (provider org and authority only)' }),
  },
  { $id: 'CatalogResource' },
);
export type ResourceT = Static<typeof Resource>;

export const ResourceList = Type.Object({
  items: Type.Array(ResourceSummary),
  total: Type.Integer(),
  page: Type.Integer(),
  pageSize: Type.Integer(),
});
export type ResourceListT = Static<typeof ResourceList>;

export const ResourceQuery = Type.Object(
  {
    orgId: Type.Optional(Uuid),
    status: Type.Optional(Type.Array(StatusSchema, { maxItems: 8 })),
    subjectCategory: Type.Optional(Type.String({ maxLength: 10 })),
    domainCategory: Type.Optional(Type.String({ maxLength: 10 })),
    grade: Type.Optional(GradeSchema),
    sort: Type.Optional(Type.Enum(['updated', 'created', 'published', 'code', 'popularity'])),
    page: Type.Optional(Type.Integer({ minimum: 1, maximum: 100000, default: 1 })),
    pageSize: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 20 })),
  },
  { additionalProperties: false },
);
export type ResourceQueryT = Static<typeof ResourceQuery>;

export const IdParams = Type.Object({ id: Uuid });

// ------------------------------------------------------------------------------------------ versions
export const VersionSummary = Type.Object({
  version: Type.Integer(),
  reason: Type.Enum(['publish', 'revision', 'grade', 'reinstate']),
  comment: Type.String(),
  createdByName: Nullable(Type.String()),
  createdAt: DateTime,
});
export const SnapshotSchema = Type.Object({
  code: Type.String(),
  providerOrgId: Uuid,
  resource: ResourceDataSchema,
  fields: Type.Array(FieldDataSchema),
});
export const VersionList = Type.Object({ items: Type.Array(Type.Object({ ...VersionSummary.properties, snapshot: SnapshotSchema })) });

export const DiffQuery = Type.Object(
  {
    from: Type.String({ pattern: '^([0-9]{1,6}|current|pending)$', description: 'A version number, "current" or "pending"' }),
    to: Type.String({ pattern: '^([0-9]{1,6}|current|pending)$' }),
  },
  { additionalProperties: false },
);
const Change = Type.Object({ attribute: Type.String(), from: Type.Unknown(), to: Type.Unknown() });
export const Diff = Type.Object({
  from: Type.String(),
  to: Type.String(),
  metadata: Type.Array(Change),
  fields: Type.Object({
    added: Type.Array(FieldDataSchema),
    removed: Type.Array(FieldDataSchema),
    changed: Type.Array(Type.Object({ code: Type.String(), changes: Type.Array(Change) })),
  }),
});
export type DiffT = Static<typeof Diff>;

// ------------------------------------------------------------------------------------------ exports
export const TableSchemaResponse = Type.Object(
  {
    $schema: Type.String(),
    name: Type.String(),
    title: Type.String(),
    description: Type.String(),
    titles: Type.Object({ 'zh-CN': Type.String(), en: Type.String() }),
    descriptions: Type.Object({ 'zh-CN': Type.String(), en: Type.String() }),
    fields: Type.Array(Type.Object({}, { additionalProperties: true })),
    missingValues: Type.Array(Type.String()),
  },
  { additionalProperties: true, description: 'Frictionless Table Schema (v2) of the resource fields' },
);
export const ExportJson = Type.Object(
  {
    format: Type.Literal('shuyuan.catalog.resource/1'),
    exportedAt: DateTime,
    resource: Type.Object({}, { additionalProperties: true }),
    fields: Type.Array(Type.Object({}, { additionalProperties: true })),
    tableSchema: Type.Object({}, { additionalProperties: true }),
  },
  { additionalProperties: false },
);

// ------------------------------------------------------------------------------------------ grading
export const GradingRule = Type.Object(
  {
    id: Uuid,
    code: Type.String(),
    factorKind: Type.Enum(['impact', 'pii']),
    impactObject: Nullable(ImpactObjectSchema),
    impactDegree: Nullable(ImpactDegreeSchema),
    piiKind: Nullable(PiiKindSchema),
    grade: GradeSchema,
    gradeLevel: Nullable(Type.Integer()),
    source: Type.String(),
    note: Type.String(),
    enabled: Type.Boolean(),
    updatedAt: DateTime,
  },
  { $id: 'CatalogGradingRule' },
);
export type GradingRuleT = Static<typeof GradingRule>;
export const GradingRuleList = Type.Object({ items: Type.Array(GradingRule) });
export const CreateGradingRuleBody = Type.Object(
  {
    code: Type.String({ pattern: '^[A-Za-z0-9_.-]{1,40}$' }),
    factorKind: Type.Enum(['impact', 'pii']),
    impactObject: Type.Optional(ImpactObjectSchema),
    impactDegree: Type.Optional(ImpactDegreeSchema),
    piiKind: Type.Optional(PiiKindSchema),
    grade: GradeSchema,
    gradeLevel: Type.Optional(Nullable(GradeLevel)),
    source: Type.String({ minLength: 1, maxLength: 500, description: 'The rule source (standard clause, law article, or "平台策略")' }),
    note: Type.Optional(Type.String({ maxLength: 2000 })),
    enabled: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
export type CreateGradingRuleInput = Static<typeof CreateGradingRuleBody>;
export const UpdateGradingRuleBody = Type.Object(
  {
    grade: Type.Optional(GradeSchema),
    gradeLevel: Type.Optional(Nullable(GradeLevel)),
    source: Type.Optional(Type.String({ minLength: 1, maxLength: 500 })),
    note: Type.Optional(Type.String({ maxLength: 2000 })),
    enabled: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
export type UpdateGradingRuleInput = Static<typeof UpdateGradingRuleBody>;

export const GradePolicyRule = Type.Object(
  {
    code: Type.String({ pattern: '^[A-Za-z0-9_.-]{1,40}$' }),
    appliesTo: Type.Enum(['resource', 'field']),
    grade: GradeSchema,
    minLevel: Type.Optional(Nullable(GradeLevel)),
    attribute: Type.Enum(['share_mode', 'open_mode']),
    forbidden: Type.Array(ShareModeSchema, { minItems: 1, maxItems: 3, uniqueItems: true }),
    source: Type.String({ minLength: 1, maxLength: 500 }),
    enabled: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
export type GradePolicyRuleT = Static<typeof GradePolicyRule>;
export const GradePolicy = Type.Object({ items: Type.Array(GradePolicyRule, { maxItems: 200 }) });
export type GradePolicyT = Static<typeof GradePolicy>;

// ------------------------------------------------------------------------------------------ dictionaries
export const Category = Type.Object({
  code: Type.String(),
  kind: Type.Enum(['base', 'domain']),
  nameZh: Type.String(),
  nameEn: Type.String(),
  enabled: Type.Boolean(),
});
export const CategoryList = Type.Object({ items: Type.Array(Category) });

export const StateMachine = Type.Object({
  transitions: Type.Array(
    Type.Object({
      from: Type.String(),
      to: StatusSchema,
      by: Type.Enum(['provider', 'authority']),
      effect: Type.String(),
      zh: Type.String(),
      en: Type.String(),
    }),
  ),
  editableStates: Type.Array(Type.String()),
});
