// TypeBox schemas of the data element (一数一源) and list (职责目录 / 需求清单 / 负面清单) API; the TypeScript
// types are derived from them.
import { Type, type Static, type TSchema } from 'typebox';

const Uuid = Type.String({ format: 'uuid' });
const DateTime = Type.String({ format: 'date-time' });
const NullableDateTime = Type.Union([DateTime, Type.Null()]);
const Nullable = <T extends TSchema>(t: T, options: { description?: string } = {}) => Type.Union([t, Type.Null()], options);

export const ELEMENT_DATA_TYPES = ['string', 'code', 'integer', 'decimal', 'date', 'datetime', 'boolean'] as const;
export const CLAIM_STATUSES = ['accepted', 'pending', 'rejected', 'superseded'] as const;
export const DEMAND_STATUSES = ['open', 'answered', 'closed', 'rejected'] as const;
export const NEGATIVE_SCOPES = ['share', 'open', 'both'] as const;

export const OrgBrief = Type.Object({ id: Uuid, code: Type.String(), nameZh: Type.String(), nameEn: Type.String() });
export type OrgBriefT = Static<typeof OrgBrief>;

export const ResourceBrief = Type.Object(
  {
    id: Uuid,
    code: Type.String(),
    nameZh: Type.String(),
    nameEn: Type.String(),
    providerOrgId: Uuid,
    status: Type.String({ description: 'Catalog status (draft … published … withdrawn)' }),
  },
  { description: 'A catalog resource, as far as the caller may see it' },
);
export type ResourceBriefT = Static<typeof ResourceBrief>;

export const ElementBrief = Type.Object({
  id: Uuid,
  code: Type.String(),
  nameZh: Type.String(),
  nameEn: Type.String(),
  standardRef: Type.String(),
});
export type ElementBriefT = Static<typeof ElementBrief>;

// ============================================================================================= elements
export const DataType = Type.Enum([...ELEMENT_DATA_TYPES], { description: 'Value type: ' + ELEMENT_DATA_TYPES.join(', ') });

export const Element = Type.Object(
  {
    id: Uuid,
    code: Type.String({ description: 'Stable identifier, e.g. DE-RK-0001' }),
    nameZh: Type.String(),
    nameEn: Type.String(),
    definitionZh: Type.String(),
    definitionEn: Type.String(),
    dataType: DataType,
    format: Type.String({ description: 'Representation (GB/T 19488 style): c18, n8, an..100, …' }),
    pattern: Nullable(Type.String({ description: 'Regular expression a value must match (informative)' })),
    standardRef: Type.String({ description: 'Defining standard or regulation, e.g. GB 11643-1999' }),
    synonyms: Type.Array(Type.String(), { description: 'Other field names that mean this element (used to map fields)' }),
    status: Type.Enum(['active', 'retired']),
    authoritativeResource: Nullable(ResourceBrief),
    authoritativeOrg: Nullable(OrgBrief),
    mappedFields: Type.Integer({ description: 'Catalog fields mapped to this element (withdrawn resources excluded)' }),
    repeatedFields: Type.Integer({
      description: 'Of those, fields of another organization than the authoritative source (repeated collection)',
    }),
    openArbitrationId: Nullable(Uuid),
    createdAt: DateTime,
    updatedAt: DateTime,
  },
  { $id: 'DataElement', title: 'DataElement' },
);
export type ElementT = Static<typeof Element>;

export const ElementList = Type.Object({ items: Type.Array(Element), total: Type.Integer() });
export const ElementListQuery = Type.Object({
  q: Type.Optional(Type.String({ maxLength: 100, description: 'Text in the name, code, standard or synonyms' })),
  status: Type.Optional(Type.Enum(['active', 'retired'])),
});

export const CreateElementBody = Type.Object(
  {
    code: Type.String({ pattern: '^[A-Za-z][A-Za-z0-9-]{1,31}$', description: 'Stable identifier (stored upper case)' }),
    nameZh: Type.String({ minLength: 1, maxLength: 100 }),
    nameEn: Type.Optional(Type.String({ maxLength: 200 })),
    definitionZh: Type.Optional(Type.String({ maxLength: 2000 })),
    definitionEn: Type.Optional(Type.String({ maxLength: 2000 })),
    dataType: DataType,
    format: Type.Optional(Type.String({ maxLength: 100 })),
    pattern: Type.Optional(Nullable(Type.String({ maxLength: 500 }))),
    standardRef: Type.Optional(Type.String({ maxLength: 300 })),
    synonyms: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 100 }), { maxItems: 20 })),
    authoritativeResourceId: Type.Optional(Nullable(Uuid)),
    basis: Type.Optional(Type.String({ minLength: 1, maxLength: 2000, description: 'Basis of the designated source' })),
  },
  { additionalProperties: false },
);
export type CreateElementInput = Static<typeof CreateElementBody>;

export const UpdateElementBody = Type.Object(
  {
    nameZh: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    nameEn: Type.Optional(Type.String({ maxLength: 200 })),
    definitionZh: Type.Optional(Type.String({ maxLength: 2000 })),
    definitionEn: Type.Optional(Type.String({ maxLength: 2000 })),
    dataType: Type.Optional(DataType),
    format: Type.Optional(Type.String({ maxLength: 100 })),
    pattern: Type.Optional(Nullable(Type.String({ maxLength: 500 }))),
    standardRef: Type.Optional(Type.String({ maxLength: 300 })),
    synonyms: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 100 }), { maxItems: 20 })),
    status: Type.Optional(Type.Enum(['active', 'retired'])),
    authoritativeResourceId: Type.Optional(
      Nullable(Uuid, { description: 'Designate (or with null clear) the authoritative source directly (authority)' }),
    ),
    basis: Type.Optional(Type.String({ minLength: 1, maxLength: 2000 })),
  },
  { additionalProperties: false },
);
export type UpdateElementInput = Static<typeof UpdateElementBody>;

export const IdParams = Type.Object({ id: Uuid });
export const ResourceParams = Type.Object({ resourceId: Uuid });

// =============================================================================================== claims
export const Claim = Type.Object(
  {
    id: Uuid,
    elementId: Uuid,
    org: OrgBrief,
    resource: Nullable(ResourceBrief),
    basis: Type.String({ description: 'Legal or business basis of the claim' }),
    status: Type.Enum([...CLAIM_STATUSES], {
      description: 'accepted: the authoritative source; pending: in arbitration; rejected: lost an arbitration; superseded: replaced',
    }),
    arbitrationId: Nullable(Uuid),
    claimedBy: Nullable(Uuid),
    createdAt: DateTime,
    decidedAt: NullableDateTime,
  },
  { $id: 'ElementClaim' },
);
export type ClaimT = Static<typeof Claim>;

export const ClaimBody = Type.Object(
  {
    resourceId: Uuid,
    basis: Type.String({
      minLength: 1,
      maxLength: 2000,
      description: 'Why this resource is the authoritative source (法定职责, 文件依据…)',
    }),
  },
  { additionalProperties: false },
);
export type ClaimInput = Static<typeof ClaimBody>;

export const ClaimResult = Type.Object({
  outcome: Type.Enum(['accepted', 'arbitration'], {
    description: 'accepted: the claimant is now the authoritative source; arbitration: another organization holds or claims it',
  }),
  claim: Claim,
  arbitrationId: Nullable(Uuid),
});
export const ClaimList = Type.Object({ items: Type.Array(Claim) });

export const Arbitration = Type.Object(
  {
    id: Uuid,
    element: ElementBrief,
    status: Type.Enum(['open', 'decided']),
    openedAt: DateTime,
    decidedAt: NullableDateTime,
    decidedBy: Nullable(Uuid),
    winnerClaimId: Nullable(Uuid),
    comment: Type.String(),
    claims: Type.Array(Claim, { description: 'Competing claims (the current holder first when there is one)' }),
  },
  { $id: 'ElementArbitration' },
);
export type ArbitrationT = Static<typeof Arbitration>;
export const ArbitrationList = Type.Object({ items: Type.Array(Arbitration) });
export const ArbitrationQuery = Type.Object({ status: Type.Optional(Type.Enum(['open', 'decided'])) });
export const DecideBody = Type.Object(
  {
    winnerClaimId: Uuid,
    comment: Type.String({ minLength: 1, maxLength: 2000, description: 'Reasoning of the decision (required)' }),
  },
  { additionalProperties: false },
);

// ============================================================================================== lineage
export const LineageField = Type.Object({
  fieldId: Uuid,
  position: Type.Integer(),
  nameZh: Type.String(),
  nameEn: Type.String(),
  code: Type.String(),
  element: Nullable(ElementBrief),
  authoritativeResource: Nullable(ResourceBrief, {
    description: 'The authoritative source (null when none is designated or the caller may not see it)',
  }),
  authoritativeOrg: Nullable(OrgBrief),
  isAuthoritativeSource: Type.Boolean({ description: 'This resource is the element’s authoritative source' }),
  repeatedCollection: Type.Boolean({
    description: 'The element’s authoritative source belongs to another organization: this field collects it again (重复采集)',
  }),
});
export const Lineage = Type.Object(
  { resource: ResourceBrief, fields: Type.Array(LineageField), repeatedCount: Type.Integer() },
  { $id: 'ElementLineage' },
);
export type LineageT = Static<typeof Lineage>;

// =============================================================================================== report
export const RepeatedField = Type.Object({
  resource: ResourceBrief,
  fieldId: Uuid,
  fieldNameZh: Type.String(),
  fieldNameEn: Type.String(),
  element: ElementBrief,
  authoritativeOrg: OrgBrief,
  authoritativeResourceId: Nullable(Uuid),
});
export const ConflictItem = Type.Object({
  arbitrationId: Uuid,
  element: ElementBrief,
  openedAt: DateTime,
  claimants: Type.Array(OrgBrief),
});
export const ReportRow = Type.Object({
  org: OrgBrief,
  repeatedFields: Type.Object({ count: Type.Integer(), items: Type.Array(RepeatedField) }),
  openConflicts: Type.Object({ count: Type.Integer(), items: Type.Array(ConflictItem) }),
  authoritativeElements: Type.Array(ElementBrief),
});
export const Report = Type.Object(
  {
    items: Type.Array(ReportRow, { description: 'One row per department (units roll up into their department)' }),
    totals: Type.Object({ repeatedFields: Type.Integer(), openConflicts: Type.Integer(), elementsWithoutSource: Type.Integer() }),
  },
  { $id: 'ElementsReport' },
);
export type ReportT = Static<typeof Report>;

// ===================================================================================== responsibility list
export const Responsibility = Type.Object(
  {
    id: Uuid,
    org: OrgBrief,
    nameZh: Type.String(),
    nameEn: Type.String(),
    description: Type.String(),
    legalBasis: Type.String(),
    resources: Type.Array(ResourceBrief, { description: 'Linked resources the caller may see' }),
    linkedCount: Type.Integer({ description: 'All linked resources, including those the caller may not see' }),
    backed: Type.Boolean({ description: 'Linked to at least one published (or updated) resource' }),
    createdAt: DateTime,
    updatedAt: DateTime,
  },
  { $id: 'ResponsibilityItem' },
);
export type ResponsibilityT = Static<typeof Responsibility>;
export const ResponsibilityList = Type.Object({ items: Type.Array(Responsibility), total: Type.Integer() });
export const ResponsibilityQuery = Type.Object({ orgId: Type.Optional(Uuid) });
export const CreateResponsibilityBody = Type.Object(
  {
    orgId: Type.Optional(Uuid),
    nameZh: Type.String({ minLength: 1, maxLength: 200 }),
    nameEn: Type.Optional(Type.String({ maxLength: 300 })),
    description: Type.Optional(Type.String({ maxLength: 4000 })),
    legalBasis: Type.Optional(Type.String({ maxLength: 2000 })),
    resourceIds: Type.Optional(Type.Array(Uuid, { maxItems: 100, uniqueItems: true })),
  },
  { additionalProperties: false },
);
export type CreateResponsibilityInput = Static<typeof CreateResponsibilityBody>;
export const UpdateResponsibilityBody = Type.Object(
  {
    nameZh: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    nameEn: Type.Optional(Type.String({ maxLength: 300 })),
    description: Type.Optional(Type.String({ maxLength: 4000 })),
    legalBasis: Type.Optional(Type.String({ maxLength: 2000 })),
    resourceIds: Type.Optional(Type.Array(Uuid, { maxItems: 100, uniqueItems: true })),
  },
  { additionalProperties: false },
);
export type UpdateResponsibilityInput = Static<typeof UpdateResponsibilityBody>;

// ============================================================================================ demand list
export const DemandStatus = Type.Enum([...DEMAND_STATUSES], {
  description: 'open → answered (resources or a reply) → closed; open → rejected; answered → open (reopened); open → closed (withdrawn)',
});
export const Demand = Type.Object(
  {
    id: Uuid,
    title: Type.String(),
    description: Type.String(),
    neededFields: Type.Array(Type.String()),
    purpose: Type.String(),
    raiserKind: Type.Enum(['department', 'public']),
    raisedBy: Uuid,
    raiserOrg: Nullable(OrgBrief),
    targetOrg: Nullable(OrgBrief),
    status: DemandStatus,
    reply: Type.String(),
    respondedBy: Nullable(Uuid),
    respondedAt: NullableDateTime,
    answerWorkingDays: Nullable(Type.Integer({ description: 'Working days from raising to the first answer or rejection' })),
    closedAt: NullableDateTime,
    createdAt: DateTime,
    updatedAt: DateTime,
    resources: Type.Array(ResourceBrief, { description: 'Resources linked in the answer (those the caller may see)' }),
    allowedTransitions: Type.Array(Type.Enum(['answer', 'reject', 'close', 'reopen']), { description: 'What the caller may do now' }),
    matches: Type.Optional(Type.Array(ResourceBrief, { description: 'Existing resources that may meet the need (detail view)' })),
  },
  { $id: 'ListDemand' },
);
export type DemandT = Static<typeof Demand>;
export const DemandList = Type.Object({ items: Type.Array(Demand), total: Type.Integer(), page: Type.Integer(), pageSize: Type.Integer() });
export const DemandQuery = Type.Object({
  status: Type.Optional(DemandStatus),
  targetOrgId: Type.Optional(Uuid),
  page: Type.Optional(Type.Integer({ minimum: 1, default: 1 })),
  pageSize: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })),
});
export const CreateDemandBody = Type.Object(
  {
    title: Type.String({ minLength: 1, maxLength: 200 }),
    description: Type.Optional(Type.String({ maxLength: 4000 })),
    neededFields: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 100 }), { maxItems: 50 })),
    purpose: Type.Optional(Type.String({ maxLength: 2000 })),
    targetOrgId: Type.Optional(Nullable(Uuid)),
  },
  { additionalProperties: false },
);
export type CreateDemandInput = Static<typeof CreateDemandBody>;
export const UpdateDemandBody = Type.Object(
  {
    title: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    description: Type.Optional(Type.String({ maxLength: 4000 })),
    neededFields: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 100 }), { maxItems: 50 })),
    purpose: Type.Optional(Type.String({ maxLength: 2000 })),
    targetOrgId: Type.Optional(Nullable(Uuid, { description: 'Route the demand to a department (authority)' })),
  },
  { additionalProperties: false },
);
export type UpdateDemandInput = Static<typeof UpdateDemandBody>;
export const AnswerDemandBody = Type.Object(
  {
    reply: Type.Optional(Type.String({ maxLength: 4000 })),
    resourceIds: Type.Optional(Type.Array(Uuid, { maxItems: 50, uniqueItems: true })),
  },
  { additionalProperties: false },
);
export const ReasonBody = Type.Object({ reason: Type.String({ minLength: 1, maxLength: 4000 }) }, { additionalProperties: false });
export const CommentBody = Type.Object({ comment: Type.Optional(Type.String({ maxLength: 4000 })) }, { additionalProperties: false });

// ========================================================================================== negative list
export const NegativeScope = Type.Enum([...NEGATIVE_SCOPES], { description: 'share: not shared; open: not opened; both' });
export const NegativeEntry = Type.Object(
  {
    id: Uuid,
    resource: ResourceBrief,
    scope: NegativeScope,
    legalBasis: Type.String(),
    note: Type.String(),
    addedBy: Nullable(Uuid),
    createdAt: DateTime,
    updatedAt: DateTime,
    removedAt: NullableDateTime,
    removedBy: Nullable(Uuid),
    removeReason: Nullable(Type.String()),
    attributeConflict: Type.Boolean({
      description: 'The resource’s share/open attribute still allows what the entry forbids (the provider must change it)',
    }),
  },
  { $id: 'NegativeListEntry' },
);
export type NegativeEntryT = Static<typeof NegativeEntry>;
export const NegativeList = Type.Object({ items: Type.Array(NegativeEntry), total: Type.Integer() });
export const NegativeQuery = Type.Object({
  includeRemoved: Type.Optional(Type.Boolean({ default: false })),
  resourceId: Type.Optional(Uuid),
});
export const CreateNegativeBody = Type.Object(
  {
    resourceId: Uuid,
    scope: NegativeScope,
    legalBasis: Type.String({ minLength: 1, maxLength: 2000 }),
    note: Type.Optional(Type.String({ maxLength: 2000 })),
  },
  { additionalProperties: false },
);
export type CreateNegativeInput = Static<typeof CreateNegativeBody>;
export const UpdateNegativeBody = Type.Object(
  {
    scope: Type.Optional(NegativeScope),
    legalBasis: Type.Optional(Type.String({ minLength: 1, maxLength: 2000 })),
    note: Type.Optional(Type.String({ maxLength: 2000 })),
  },
  { additionalProperties: false },
);
export const NegativeCheckQuery = Type.Object({ mode: Type.Enum(['share', 'open']) });
export const NegativeCheck = Type.Object({
  resourceId: Uuid,
  mode: Type.Enum(['share', 'open']),
  blocked: Type.Boolean(),
  entryId: Nullable(Uuid),
  legalBasis: Nullable(Type.String()),
});

// ============================================================================================== coverage
export const CoverageRow = Type.Object({
  org: OrgBrief,
  responsibilityItems: Type.Integer(),
  backedItems: Type.Integer(),
  backedPercent: Nullable(Type.Number({ description: 'Share of items backed by a published resource, 0–100 (null: no items)' })),
  openDemands: Type.Integer({ description: 'Demands routed to the department that are still open' }),
  answeredDemands: Type.Integer({ description: 'Demands routed to the department that got an answer or a rejection' }),
  medianAnswerWorkingDays: Nullable(Type.Number()),
  avgAnswerWorkingDays: Nullable(Type.Number()),
});
export const Coverage = Type.Object(
  {
    items: Type.Array(CoverageRow, { description: 'One row per department' }),
    unrouted: Type.Object({
      openDemands: Type.Integer({ description: 'Open demands not yet routed to a department (the authority routes them)' }),
    }),
  },
  { $id: 'ListsCoverage' },
);
export type CoverageT = Static<typeof Coverage>;
