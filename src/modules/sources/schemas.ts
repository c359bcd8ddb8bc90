// Request and response schemas of the source-database API (/api/sources). Passwords go in, never out.
import { Type, type Static } from 'typebox';

const Uuid = Type.String({ format: 'uuid' });
const DateTime = Type.String({ format: 'date-time' });
const NullableDateTime = Type.Union([DateTime, Type.Null()]);
const Kind = Type.Enum(['postgresql', 'mysql'], { description: 'postgresql: PostgreSQL ≥ 10; mysql: MySQL ≥ 5.7 or MariaDB ≥ 10.2' });
const Mode = Type.Enum(['full', 'incremental'], {
  description: 'full: every row of the query each run; incremental: only rows whose incrementalColumn is past the last published mark',
});
const Host = Type.String({
  minLength: 1,
  maxLength: 253,
  pattern: '^[A-Za-z0-9][A-Za-z0-9.:_-]*$',
  description:
    'Host name or IP address of the database server (link-local / cloud metadata addresses and the platform’s own database are refused)',
});
const Name = Type.String({ minLength: 1, maxLength: 100, pattern: '\\S' });
const Options = Type.Object(
  {
    ssl: Type.Optional(
      Type.Boolean({ description: 'Require TLS and verify the server certificate against the system CAs (default false)' }),
    ),
  },
  { additionalProperties: false },
);
const Query = Type.String({
  minLength: 1,
  maxLength: 100000,
  description:
    'One SELECT (or WITH … SELECT) statement; a single trailing ";" is allowed. No INTO, no locking clause (FOR UPDATE …), no second statement. ' +
    'It runs in a READ ONLY transaction.',
});
const Schedule = Type.Union([Type.String({ minLength: 9, maxLength: 100 }), Type.Null()], {
  description:
    'Five-field cron expression in China time (Asia/Shanghai), e.g. "0 2 * * *" = every day at 02:00; runs at most every 5 minutes. null: on demand only.',
});
const IncrementalColumn = Type.String({
  minLength: 1,
  maxLength: 128,
  description:
    'Incremental mode: a column of the query’s result that only grows (an id or a modification time), named exactly as the query returns it',
});
const LastValue = Type.Union([Type.String({ maxLength: 1000 }), Type.Null()], {
  description:
    'Incremental mode: the high-water mark (rows with a larger value come next). Set it to start from a given point; null: from the beginning.',
});

export const IdParams = Type.Object({ id: Uuid });

export const OrgRef = Type.Object({ id: Uuid, code: Type.String(), nameZh: Type.String(), nameEn: Type.String() });

export const CreateConnectionBody = Type.Object(
  {
    orgId: Type.Optional(Type.String({ format: 'uuid', description: 'Owning department; default the caller’s organization' })),
    name: Name,
    kind: Kind,
    host: Host,
    port: Type.Integer({ minimum: 1, maximum: 65535 }),
    database: Type.String({ minLength: 1, maxLength: 128 }),
    user: Type.String({ minLength: 1, maxLength: 128 }),
    password: Type.String({ maxLength: 1024, description: 'Stored sealed (AES-256-GCM); never returned' }),
    options: Type.Optional(Options),
  },
  { additionalProperties: false },
);
export type CreateConnectionInput = Static<typeof CreateConnectionBody>;

export const UpdateConnectionBody = Type.Object(
  {
    name: Type.Optional(Name),
    kind: Type.Optional(Kind),
    host: Type.Optional(Host),
    port: Type.Optional(Type.Integer({ minimum: 1, maximum: 65535 })),
    database: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
    user: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
    password: Type.Optional(
      Type.String({
        maxLength: 1024,
        description: 'New password; required when kind, host, port or user change (a stored password never follows a new address)',
      }),
    ),
    options: Type.Optional(Options),
  },
  { additionalProperties: false },
);
export type UpdateConnectionInput = Static<typeof UpdateConnectionBody>;

export const Connection = Type.Object({
  id: Uuid,
  org: OrgRef,
  name: Type.String(),
  kind: Kind,
  host: Type.String(),
  port: Type.Integer(),
  database: Type.String(),
  user: Type.String(),
  options: Type.Object({ ssl: Type.Boolean() }),
  hasPassword: Type.Boolean({ description: 'A non-empty password is stored (the password itself is never returned)' }),
  specCount: Type.Integer({ description: 'Ingest specs using this connection' }),
  createdBy: Type.Union([Uuid, Type.Null()]),
  createdAt: DateTime,
  updatedAt: DateTime,
});
export type ConnectionT = Static<typeof Connection>;

export const ConnectionList = Type.Object({ items: Type.Array(Connection) });

export const TestResult = Type.Object({
  ok: Type.Boolean(),
  kind: Kind,
  serverVersion: Type.String({ description: 'e.g. "PostgreSQL 15.6" or "MariaDB 10.11.6-MariaDB"' }),
  privileged: Type.Boolean({
    description: 'The account is a superuser (PostgreSQL) or holds SUPER/FILE (MySQL): give the platform a read-only account instead',
  }),
  latencyMs: Type.Integer(),
});
export type TestResultT = Static<typeof TestResult>;

export const CreateSpecBody = Type.Object(
  {
    connectionId: Uuid,
    datasetId: Type.String({ format: 'uuid', description: 'The dataset the rows feed (the caller must manage it)' }),
    name: Type.Optional(Type.String({ maxLength: 100 })),
    query: Query,
    mode: Mode,
    incrementalColumn: Type.Optional(Type.Union([IncrementalColumn, Type.Null()])),
    lastValue: Type.Optional(LastValue),
    schedule: Type.Optional(Schedule),
  },
  { additionalProperties: false },
);
export type CreateSpecInput = Static<typeof CreateSpecBody>;

export const UpdateSpecBody = Type.Object(
  {
    datasetId: Type.Optional(Type.String({ format: 'uuid' })),
    name: Type.Optional(Type.String({ maxLength: 100 })),
    query: Type.Optional(Query),
    mode: Type.Optional(Mode),
    incrementalColumn: Type.Optional(Type.Union([IncrementalColumn, Type.Null()])),
    lastValue: Type.Optional(LastValue),
    schedule: Type.Optional(Schedule),
  },
  { additionalProperties: false },
);
export type UpdateSpecInput = Static<typeof UpdateSpecBody>;

export const SpecListQuery = Type.Object({
  connectionId: Type.Optional(Uuid),
  datasetId: Type.Optional(Uuid),
});

const LastRun = Type.Union([
  Type.Object({
    at: DateTime,
    status: Type.Enum(['queued', 'running', 'succeeded', 'failed'], {
      description: 'succeeded: the runner (the datasets module) accepted the run and returned; the ingest itself is tracked by the dataset',
    }),
    jobId: Type.Union([Uuid, Type.Null()]),
    error: Type.Union([Type.Object({ code: Type.String(), message: Type.String() }), Type.Null()]),
  }),
  Type.Null(),
]);

export const Spec = Type.Object({
  id: Uuid,
  connectionId: Uuid,
  connectionName: Type.String(),
  kind: Kind,
  orgId: Uuid,
  datasetId: Uuid,
  name: Type.String(),
  query: Type.String(),
  mode: Mode,
  incrementalColumn: Type.Union([Type.String(), Type.Null()]),
  lastValue: Type.Union([Type.String(), Type.Null()]),
  schedule: Type.Union([Type.String(), Type.Null()]),
  scheduleTimeZone: Type.Literal('Asia/Shanghai'),
  nextRunAt: NullableDateTime,
  lastRun: LastRun,
  createdAt: DateTime,
  updatedAt: DateTime,
});
export type SpecT = Static<typeof Spec>;

export const SpecList = Type.Object({ items: Type.Array(Spec) });

export const RunAccepted = Type.Object({
  specId: Uuid,
  jobId: Uuid,
  status: Type.Literal('queued'),
});
