// Request and response schemas of scheduled bulk delivery (定时交付).
import { Type, type Static, type TSchema } from 'typebox';

const Uuid = Type.String({ format: 'uuid' });
const DateTime = Type.String({ format: 'date-time' });
const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);
const ErrorView = Nullable(Type.Object({ code: Type.String(), message: Type.String(), at: Nullable(DateTime) }));

export const ScheduleBody = Type.Object(
  {
    resourceId: Uuid,
    applicationId: Type.Optional(Uuid),
    apiKeyId: Type.Optional(
      Type.String({ format: 'uuid', description: "The key the runs act as (default: the application's newest live key)" }),
    ),
    name: Type.Optional(Type.String({ maxLength: 100 })),
    cron: Type.String({
      minLength: 1,
      maxLength: 100,
      description: 'Five-field cron expression in China time (Asia/Shanghai), e.g. "0 2 * * *"; at least an hour between runs',
    }),
    mode: Type.Enum(['full', 'incremental'], {
      description: 'incremental: the rows new or changed since the version of the last successful run (the first run is full)',
    }),
    format: Type.Optional(Type.Enum(['csv', 'parquet'], { default: 'csv' })),
    businessRef: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: '办件号/事项编码, when the grant requires one' })),
  },
  { additionalProperties: false },
);
export type ScheduleBodyT = Static<typeof ScheduleBody>;

export const ScheduleView = Type.Object({
  id: Uuid,
  orgId: Uuid,
  applicationId: Uuid,
  apiKeyId: Uuid,
  resourceId: Uuid,
  name: Type.String(),
  cron: Type.String(),
  timeZone: Type.String(),
  mode: Type.Enum(['full', 'incremental']),
  format: Type.Enum(['csv', 'parquet']),
  businessRef: Nullable(Type.String()),
  state: Type.Enum(['active', 'paused', 'failing']),
  nextRunAt: Nullable(DateTime),
  lastVersion: Nullable(Type.Integer()),
  lastRunAt: Nullable(DateTime),
  lastRunState: Nullable(Type.String()),
  lastError: ErrorView,
  entitlementId: Nullable(Uuid),
  createdBy: Nullable(Uuid),
  createdAt: DateTime,
  updatedAt: DateTime,
});

export const RunView = Type.Object({
  id: Uuid,
  scheduleId: Uuid,
  trigger: Type.Enum(['schedule', 'manual']),
  state: Type.Enum(['queued', 'running', 'done', 'no_change', 'failed', 'skipped']),
  dueAt: Nullable(DateTime),
  mode: Nullable(Type.String()),
  sinceVersion: Nullable(Type.Integer()),
  extractId: Nullable(Uuid),
  messageId: Nullable(Uuid),
  version: Nullable(Type.Integer()),
  rowCount: Nullable(Type.Integer()),
  bytes: Nullable(Type.Integer()),
  sha256: Nullable(Type.String()),
  error: ErrorView,
  fileUrl: Nullable(Type.String({ description: 'GET with the same credentials: the file (its SHA-256 is in the manifest)' })),
  manifestUrl: Nullable(Type.String()),
  createdAt: DateTime,
  startedAt: Nullable(DateTime),
  finishedAt: Nullable(DateTime),
});

export const ScheduleListQuery = Type.Object({
  resourceId: Type.Optional(Uuid),
  applicationId: Type.Optional(Uuid),
});
export const RunsQuery = Type.Object({
  limit: Type.Integer({ minimum: 1, maximum: 200, default: 20 }),
  offset: Type.Integer({ minimum: 0, maximum: 1_000_000, default: 0 }),
});
export const ScheduleParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });
