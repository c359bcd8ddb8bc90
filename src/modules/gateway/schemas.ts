// Request and response schemas of the data gateway (issue 6 §4–§6) and of applications.
import { Type, type Static } from 'typebox';
import { FilterSchema, MAX_CURSOR_CHARS, MAX_LIMIT } from '../datasets/read.ts';

const Uuid = Type.String({ format: 'uuid' });
const DateTime = Type.String({ format: 'date-time' });
const DateString = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: "China date 'YYYY-MM-DD'" });
const BusinessRef = Type.String({
  minLength: 1,
  maxLength: 200,
  description: '办件号/事项编码 (also accepted as header x-shuyuan-business-ref); required when the grant says so',
});
const Scalar = Type.Union([Type.String({ maxLength: 1000 }), Type.Number(), Type.Boolean()]);

// ------------------------------------------------------------------ applications
export const ApplicationBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 100, pattern: '\\S' }),
    description: Type.Optional(Type.String({ maxLength: 2000 })),
  },
  { additionalProperties: false },
);
export const ApplicationPatch = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 100, pattern: '\\S' })),
    description: Type.Optional(Type.String({ maxLength: 2000 })),
    state: Type.Optional(Type.Enum(['active', 'disabled'], { description: 'disabled: its keys stop signing at once' })),
  },
  { additionalProperties: false },
);
export const ApplicationView = Type.Object({
  id: Uuid,
  orgId: Uuid,
  name: Type.String(),
  description: Type.String(),
  state: Type.Enum(['active', 'disabled']),
  createdAt: DateTime,
  updatedAt: DateTime,
});
export const KeyView = Type.Object({
  id: Uuid,
  name: Type.String(),
  appKey: Type.String(),
  username: Type.String(),
  secretSha256Prefix: Type.String(),
  createdAt: DateTime,
  lastUsedAt: Type.Union([DateTime, Type.Null()]),
  revokedAt: Type.Union([DateTime, Type.Null()]),
});
export const ApplicationDetail = Type.Object({ ...ApplicationView.properties, keys: Type.Array(KeyView) });
export const KeyBody = Type.Object(
  { name: Type.String({ minLength: 1, maxLength: 100, pattern: '\\S' }) },
  { additionalProperties: false },
);
export const NewKey = Type.Object({
  id: Uuid,
  name: Type.String(),
  appKey: Type.String(),
  appSecret: Type.String({ description: 'Shown once; keep it secret' }),
});
export const IdParams = Type.Object({ id: Uuid });
export const KeyParams = Type.Object({ id: Uuid, keyId: Uuid });

// ------------------------------------------------------------------ delivery forms
export const ResourceParams = Type.Object({ resourceId: Type.String({ minLength: 1, maxLength: 64 }) });
export const ExtractParams = Type.Object({
  resourceId: Type.String({ minLength: 1, maxLength: 64 }),
  id: Type.String({ minLength: 1, maxLength: 64 }),
});

export const RecordsBody = Type.Object(
  {
    fields: Type.Optional(
      Type.Array(Type.String({ minLength: 1, maxLength: 1000 }), {
        maxItems: 4096,
        description: 'Columns to return (default: every granted one)',
      }),
    ),
    filters: Type.Optional(FilterSchema),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_LIMIT, default: 100 })),
    offset: Type.Optional(Type.Integer({ minimum: 0, maximum: 10_000_000 })),
    cursor: Type.Optional(Type.String({ maxLength: MAX_CURSOR_CHARS })),
    businessRef: Type.Optional(BusinessRef),
  },
  { additionalProperties: false },
);
export const RecordsResult = Type.Object({
  version: Type.Integer(),
  basis: Type.String(),
  columns: Type.Array(Type.Object({ name: Type.String(), type: Type.String(), policy: Type.String() })),
  rows: Type.Array(Type.Record(Type.String(), Type.Unknown())),
  nextCursor: Type.Optional(Type.String()),
});

export const VerifyBody = Type.Object(
  {
    key: Type.Object({ field: Type.String({ minLength: 1, maxLength: 1000 }), value: Scalar }, { additionalProperties: false }),
    claims: Type.Record(Type.String({ minLength: 1, maxLength: 1000 }), Type.Union([Scalar, Type.Null()]), {
      maxProperties: 50,
      description: 'field → claimed value',
    }),
    businessRef: Type.Optional(BusinessRef),
  },
  { additionalProperties: false },
);
export const VerifyResult = Type.Object({
  version: Type.Integer(),
  found: Type.Boolean(),
  results: Type.Record(Type.String(), Type.Enum(['match', 'no_match', 'not_found'])),
});

export const ExtractBody = Type.Object(
  {
    mode: Type.Enum(['full', 'incremental']),
    sinceVersion: Type.Optional(Type.Integer({ minimum: 1, description: 'incremental: rows new or changed since this version' })),
    format: Type.Optional(Type.Enum(['csv', 'parquet'], { default: 'csv' })),
    businessRef: Type.Optional(BusinessRef),
  },
  { additionalProperties: false },
);
export const ExtractView = Type.Object({
  id: Uuid,
  resourceId: Uuid,
  mode: Type.String(),
  sinceVersion: Type.Union([Type.Integer(), Type.Null()]),
  format: Type.String(),
  state: Type.Enum(['queued', 'running', 'done', 'failed']),
  errorCode: Type.Union([Type.String(), Type.Null()]),
  version: Type.Union([Type.Integer(), Type.Null()]),
  rowCount: Type.Union([Type.Integer(), Type.Null()]),
  bytes: Type.Union([Type.Integer(), Type.Null()]),
  sha256: Type.Union([Type.String(), Type.Null()]),
  entitlementId: Type.Union([Uuid, Type.Null()]),
  createdAt: DateTime,
  finishedAt: Type.Union([DateTime, Type.Null()]),
});

// ------------------------------------------------------------------ log, metering, data subjects
export const LogQuery = Type.Object({
  side: Type.Optional(
    Type.Enum(['consumer', 'provider'], { description: 'consumer: my calls; provider: calls on my data (default both)' }),
  ),
  resourceId: Type.Optional(Uuid),
  service: Type.Optional(Type.Enum(['records', 'verify', 'extract', 'extract_file', 'extract_manifest', 'extract_status'])),
  outcome: Type.Optional(Type.Enum(['ok', 'refused', 'error'])),
  from: Type.Optional(DateTime),
  to: Type.Optional(DateTime),
  limit: Type.Integer({ minimum: 1, maximum: 500, default: 50 }),
  offset: Type.Integer({ minimum: 0, maximum: 10_000_000, default: 0 }),
});
export const LogEntry = Type.Object({
  seq: Type.Integer(),
  messageId: Uuid,
  at: DateTime,
  clientOrgId: Type.Union([Uuid, Type.Null()]),
  applicationId: Type.Union([Uuid, Type.Null()]),
  userId: Type.Union([Uuid, Type.Null()]),
  service: Type.String(),
  resourceId: Type.Union([Uuid, Type.Null()]),
  providerOrgId: Type.Union([Uuid, Type.Null()]),
  entitlementId: Type.Union([Uuid, Type.Null()]),
  purpose: Type.Union([Type.String(), Type.Null()]),
  businessRef: Type.Union([Type.String(), Type.Null()]),
  fields: Type.Array(Type.String()),
  rowCount: Type.Integer(),
  requestBytes: Type.Integer(),
  responseBytes: Type.Integer(),
  durationMs: Type.Number(),
  status: Type.Integer(),
  outcome: Type.String(),
  errorCode: Type.Union([Type.String(), Type.Null()]),
  detail: Type.Record(Type.String(), Type.Unknown()),
  requestHash: Type.String(),
  responseHash: Type.String(),
  hash: Type.String(),
});
export const LogPage = Type.Object({ items: Type.Array(LogEntry), total: Type.Integer() });
export const MessageParams = Type.Object({ messageId: Type.String({ minLength: 1, maxLength: 64 }) });
export const MeteringQuery = Type.Object({
  groupBy: Type.String({
    pattern: '^(day|consumer|provider|resource|service)(,(day|consumer|provider|resource|service)){0,4}$',
    default: 'day',
    description: 'Comma-separated: day, consumer, provider, resource, service',
  }),
  from: DateString,
  to: DateString,
  side: Type.Optional(Type.Enum(['consumer', 'provider'])),
});
export const MyUses = Type.Object({
  items: Type.Array(
    Type.Object({
      messageId: Uuid,
      at: DateTime,
      org: Type.Union([Type.Object({ id: Uuid, nameZh: Type.String(), nameEn: Type.String() }), Type.Null()]),
      resource: Type.Union([Type.Object({ id: Uuid, code: Type.String(), nameZh: Type.String(), nameEn: Type.String() }), Type.Null()]),
      purpose: Type.Union([Type.String(), Type.Null()]),
      service: Type.String(),
    }),
  ),
});

export type RecordsBodyT = Static<typeof RecordsBody>;
