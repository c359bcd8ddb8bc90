// Request and response schemas of the datasets API (issue 5).
import { Type, type Static } from 'typebox';
import { INGEST_STATUSES } from './repository.ts';

const Uuid = Type.String({ format: 'uuid' });
const DateTime = Type.String({ format: 'date-time' });
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);
const Json = Type.Unknown();

export const IdParams = Type.Object({ id: Uuid });
export const ResourceParams = Type.Object({ resourceId: Uuid });
export const VersionParams = Type.Object({ id: Uuid, version: Type.Integer({ minimum: 1 }) });

export const CreateBody = Type.Object({ resourceId: Uuid }, { additionalProperties: false });

export const TableSchemaBody = Type.Object(
  {
    fields: Type.Array(
      Type.Object(
        {
          name: Type.String({ minLength: 1, maxLength: 128 }),
          type: Type.Enum(['string', 'integer', 'number', 'boolean', 'date', 'datetime']),
          format: Type.Optional(Type.String({ maxLength: 64 })),
          source: Type.Optional(Type.String({ maxLength: 256 })),
          title: Type.Optional(Type.String({ maxLength: 200 })),
          description: Type.Optional(Type.String({ maxLength: 2000 })),
          trueValues: Type.Optional(Type.Array(Type.String({ maxLength: 32 }), { maxItems: 20 })),
          falseValues: Type.Optional(Type.Array(Type.String({ maxLength: 32 }), { maxItems: 20 })),
          constraints: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
          'x-shuyuan': Type.Optional(Type.Record(Type.String(), Type.Unknown())),
        },
        { additionalProperties: false },
      ),
      { minItems: 1, maxItems: 2000 },
    ),
    primaryKey: Type.Optional(Type.Union([Type.String(), Type.Array(Type.String(), { maxItems: 16 })])),
  },
  { additionalProperties: true, description: 'Frictionless Table Schema with x-shuyuan hints per field' },
);

export const IngestBody = Type.Object(
  {
    uploadId: Type.String({ minLength: 1, maxLength: 200, description: 'A finished resumable upload (POST /api/uploads)' }),
    options: Type.Optional(
      Type.Object(
        {
          encoding: Type.Optional(Type.Enum(['utf-8', 'gbk', 'gb18030'])),
          delimiter: Type.Optional(Type.String({ minLength: 1, maxLength: 1 })),
          quote: Type.Optional(Type.String({ minLength: 1, maxLength: 1 })),
          header: Type.Optional(Type.Boolean()),
          sheet: Type.Optional(Type.String({ maxLength: 100 })),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);

export const ConfirmBody = Type.Object({ schema: TableSchemaBody }, { additionalProperties: false });

export const RollbackBody = Type.Object(
  { version: Type.Integer({ minimum: 1 }), comment: Type.String({ minLength: 1, maxLength: 2000, pattern: '\\S' }) },
  { additionalProperties: false },
);

export const SettingsBody = Type.Object(
  {
    qualityRules: Type.Optional(Nullable(Type.Array(Type.Record(Type.String(), Type.Unknown()), { maxItems: 500 }))),
    retentionKeep: Type.Optional(Nullable(Type.Integer({ minimum: 1, maximum: 1000 }))),
  },
  { additionalProperties: false },
);

export const DiffQuery = Type.Object({
  from: Type.Integer({ minimum: 1 }),
  to: Type.Integer({ minimum: 1 }),
  key: Type.Optional(Type.String({ maxLength: 1000, description: 'Comma-separated key columns (default: the schema primary key)' })),
});

export const ListQuery = Type.Object({
  limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }),
  offset: Type.Integer({ minimum: 0, default: 0 }),
});

const ResourceRef = Type.Object({ id: Uuid, code: Type.String(), nameZh: Type.String(), nameEn: Type.String() });

export const Version = Type.Object({
  version: Type.Integer(),
  state: Type.Enum(['published', 'superseded', 'expired']),
  sha256: Type.String(),
  bytes: Type.Integer(),
  rows: Type.Integer(),
  schema: Json,
  source: Json,
  ingestId: Nullable(Uuid),
  quality: Json,
  qualityScore: Nullable(Type.Number()),
  pii: Json,
  badRowCount: Type.Integer(),
  createdBy: Nullable(Type.String()),
  createdAt: DateTime,
});
export type VersionT = Static<typeof Version>;

export const Dataset = Type.Object({
  id: Uuid,
  resource: ResourceRef,
  orgId: Uuid,
  currentVersion: Nullable(Type.Integer()),
  schema: Json,
  qualityRules: Json,
  retentionKeep: Nullable(Type.Integer()),
  canManage: Type.Boolean(),
  current: Nullable(Version),
  createdAt: DateTime,
  updatedAt: DateTime,
});
export type DatasetT = Static<typeof Dataset>;

export const DatasetSummary = Type.Object({
  id: Uuid,
  resourceId: Uuid,
  orgId: Uuid,
  currentVersion: Nullable(Type.Integer()),
  rows: Nullable(Type.Integer()),
  bytes: Nullable(Type.Integer()),
  qualityScore: Nullable(Type.Number()),
  publishedAt: Nullable(DateTime),
  updatedAt: DateTime,
});
export const DatasetList = Type.Object({ items: Type.Array(DatasetSummary), total: Type.Integer() });
export const VersionList = Type.Object({ items: Type.Array(Version) });

export const Ingest = Type.Object({
  id: Uuid,
  datasetId: Uuid,
  status: Type.Enum([...INGEST_STATUSES], {
    description:
      'queued 排队 · staging 读取 · awaiting_schema 待确认结构 · building 生成版本 · checking 质量检查 · published 已发布 · failed 失败 · cancelled 已取消',
  }),
  source: Json,
  options: Json,
  progress: Json,
  proposedSchema: Json,
  schemaDiff: Json,
  confirmedSchema: Json,
  pii: Json,
  quality: Json,
  badRows: Json,
  badRowCount: Type.Integer(),
  error: Json,
  version: Nullable(Type.Integer()),
  createdBy: Nullable(Type.String()),
  createdAt: DateTime,
  updatedAt: DateTime,
  finishedAt: Nullable(DateTime),
});
export type IngestT = Static<typeof Ingest>;
export const IngestList = Type.Object({ items: Type.Array(Ingest) });

export const Diff = Type.Object({
  from: Type.Integer(),
  to: Type.Integer(),
  key: Type.Array(Type.String()),
  schema: Json,
  added: Nullable(Type.Integer()),
  removed: Nullable(Type.Integer()),
  changed: Nullable(Type.Integer()),
  rowsFrom: Type.Integer(),
  rowsTo: Type.Integer(),
  examples: Json,
});

export const QualityTrend = Type.Object({
  items: Type.Array(Type.Object({ version: Type.Integer(), score: Nullable(Type.Number()), dimensions: Json, createdAt: DateTime })),
});
