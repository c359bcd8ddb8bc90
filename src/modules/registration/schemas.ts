// Request and response schemas of the registration (登记) API.
import { Type, type Static } from 'typebox';
import { STATES } from './workflow.ts';

const Uuid = Type.String({ format: 'uuid' });
const DateTime = Type.String({ format: 'date-time' });
const NullableDateTime = Type.Union([DateTime, Type.Null()]);
const DateString = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: "China date 'YYYY-MM-DD'" });
const NullableDate = Type.Union([DateString, Type.Null()]);
const Localized = Type.Object({ zh: Type.String(), en: Type.String() });

export const StateSchema = Type.Enum([...STATES], {
  description:
    'applied 待受理 · returned_incomplete 退回补正 · accepted 已受理(形式审核) · public_notice 公示中 · objection_review 异议处理 · ' +
    'pending_decision 公示期满待决定 · approved 已登记 · rejected 不予登记 · withdrawn 已撤回',
});
const DeadlineKind = Type.Enum(['completeness', 'notice_end', 'decision'], {
  description: 'completeness: 受理时限; notice_end: 公示期结束; decision: 登记决定时限',
});
const Comment = Type.String({
  minLength: 1,
  maxLength: 2000,
  pattern: '\\S',
  description: 'Reason or note recorded with the step (required)',
});

export const OrgView = Type.Object({ id: Uuid, code: Type.String(), nameZh: Type.String(), nameEn: Type.String() });
const Subject = Type.Object({ code: Type.String(), nameZh: Type.String(), nameEn: Type.String() });

export const IdParams = Type.Object({ id: Uuid });

export const ApplyBody = Type.Object(
  {
    resourceId: Type.String({ format: 'uuid', description: 'The catalog resource to register (published or approved)' }),
    comment: Comment,
  },
  { additionalProperties: false },
);

export const TransitionBody = Type.Object(
  {
    to: StateSchema,
    comment: Comment,
  },
  { additionalProperties: false },
);

export const ListQuery = Type.Object({
  scope: Type.Optional(
    Type.Enum(['mine', 'org', 'all'], {
      description: 'mine: my applications; org: my organization (and its units); all: everything the role may read (default)',
    }),
  ),
  state: Type.Optional(Type.Array(StateSchema, { description: 'Only these states (repeat the parameter)' })),
  overdue: Type.Optional(Type.Boolean({ description: 'Only registrations with a completeness or decision deadline past due' })),
  resourceId: Type.Optional(Uuid),
  page: Type.Optional(Type.Integer({ minimum: 1, default: 1 })),
  pageSize: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })),
});

const NextDue = Type.Union([Type.Object({ kind: DeadlineKind, dueDate: DateString, dueAt: DateTime }), Type.Null()]);

const summaryProps = {
  id: Uuid,
  subjectType: Type.Enum(['resource', 'product']),
  resourceId: Type.Union([Uuid, Type.Null()]),
  registrationType: Type.Enum(['first', 'change', 'update', 'cancel'], { description: '首次/变更/更新/注销 (only first today)' }),
  subject: Subject,
  provider: OrgView,
  applicantId: Type.Union([Uuid, Type.Null()]),
  state: StateSchema,
  stateLabel: Localized,
  overdue: Type.Boolean({ description: 'A completeness or decision deadline has passed while still open' }),
  nextDue: NextDue,
  firstAppliedAt: DateTime,
  appliedAt: DateTime,
  noticeStartDate: NullableDate,
  noticeEndDate: NullableDate,
  decidedAt: NullableDateTime,
  updatedAt: DateTime,
};

export const RegistrationSummary = Type.Object(summaryProps, { $id: 'RegistrationSummary', title: 'RegistrationSummary' });

export const RegistrationPage = Type.Object({
  items: Type.Array(RegistrationSummary),
  total: Type.Integer(),
  page: Type.Integer(),
  pageSize: Type.Integer(),
});

const Deadline = Type.Object({
  id: Uuid,
  kind: DeadlineKind,
  startDate: DateString,
  workingDays: Type.Integer({ description: 'N of "N 个工作日" (the start day is not counted)' }),
  dueDate: DateString,
  dueAt: Type.String({ format: 'date-time', description: 'End of the due day in China time' }),
  remindAt: NullableDateTime,
  status: Type.Enum(['open', 'met', 'cancelled']),
  overdue: Type.Boolean(),
  remindedAt: NullableDateTime,
  overdueAt: NullableDateTime,
  closedAt: NullableDateTime,
});

const TimelineEntry = Type.Object({
  from: Type.Union([StateSchema, Type.Null()]),
  to: StateSchema,
  actorId: Type.Union([Uuid, Type.Null()]),
  actorName: Type.Union([Type.String(), Type.Null()]),
  actorKind: Type.String(),
  comment: Type.String(),
  at: DateTime,
});

const Objection = Type.Object({
  id: Uuid,
  name: Type.String(),
  contact: Type.Union([Type.String(), Type.Null()], { description: 'Shown to the data authority only' }),
  reason: Type.String(),
  status: Type.Enum(['open', 'upheld', 'dismissed', 'closed']),
  resolution: Type.String(),
  resolvedAt: NullableDateTime,
  createdAt: DateTime,
});

const CertificateStatus = Type.Enum(['valid', 'expired', 'revoked']);
const Certificate = Type.Object({
  number: Type.String({ description: '登记号, e.g. SF-2026-000123' }),
  queryCode: Type.String({ description: '登记结果查询码 (16 base32 characters in groups of four)' }),
  contentHash: Type.String({ description: 'SHA-256 (hex) of the RFC 8785 canonical JSON of the registered snapshot' }),
  issuedAt: DateTime,
  validUntil: DateString,
  status: CertificateStatus,
});

export const RegistrationDetail = Type.Object(
  {
    ...summaryProps,
    comment: Type.String(),
    snapshot: Type.Unknown({ description: 'The registered metadata (what the content hash covers)' }),
    acceptedAt: NullableDateTime,
    allowedTransitions: Type.Array(Type.Object({ to: StateSchema, labelZh: Type.String(), labelEn: Type.String() }), {
      description: 'Steps the caller may take now',
    }),
    timeline: Type.Array(TimelineEntry),
    deadlines: Type.Array(Deadline),
    objections: Type.Array(Objection),
    certificate: Type.Union([Certificate, Type.Null()]),
  },
  { $id: 'RegistrationDetail', title: 'RegistrationDetail' },
);

export const ObjectionBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 100, pattern: '\\S', description: 'Name of the objector (person or organization)' }),
    contact: Type.String({ minLength: 1, maxLength: 200, pattern: '\\S', description: 'Phone or e-mail; seen by the data authority only' }),
    reason: Type.String({ minLength: 1, maxLength: 4000, pattern: '\\S' }),
  },
  { additionalProperties: false },
);
export const ObjectionCreated = Type.Object({ id: Uuid, createdAt: DateTime });

export const Notice = Type.Object({
  id: Uuid,
  registrationType: Type.String(),
  subject: Type.Object({
    code: Type.String(),
    nameZh: Type.String(),
    nameEn: Type.String(),
    abstractZh: Type.String(),
    abstractEn: Type.String(),
  }),
  provider: OrgView,
  noticeStartDate: DateString,
  noticeEndDate: DateString,
  noticeEndsAt: NullableDateTime,
});
export const NoticeList = Type.Object({ items: Type.Array(Notice) });

export const LookupQuery = Type.Object({
  number: Type.Optional(Type.String({ minLength: 1, maxLength: 40, description: '登记号, e.g. SF-2026-000123' })),
  queryCode: Type.Optional(Type.String({ minLength: 1, maxLength: 40, description: '查询码 (case, spaces and dashes ignored)' })),
});
export const LookupResult = Type.Object({
  number: Type.String(),
  resourceName: Type.String(),
  resourceNameEn: Type.String(),
  resourceCode: Type.String(),
  provider: Type.String(),
  providerEn: Type.String(),
  issuedAt: DateTime,
  validUntil: DateString,
  contentHash: Type.String(),
  status: CertificateStatus,
});

const DashboardItem = Type.Object({
  registrationId: Uuid,
  subjectNameZh: Type.String(),
  subjectNameEn: Type.String(),
  state: StateSchema,
  kind: DeadlineKind,
  dueDate: DateString,
  dueAt: DateTime,
});
export const Dashboard = Type.Object({
  byState: Type.Record(Type.String(), Type.Integer(), { description: 'Registrations per state (every state present)' }),
  total: Type.Integer(),
  open: Type.Integer({ description: 'Registrations not yet decided or withdrawn' }),
  dueSoonCount: Type.Integer(),
  overdueCount: Type.Integer(),
  dueSoon: Type.Array(DashboardItem, { description: 'Open completeness/decision deadlines due within due_soon_days working days' }),
  overdue: Type.Array(DashboardItem, { description: 'Open completeness/decision deadlines already past' }),
});

export const Setting = Type.Object({
  key: Type.String(),
  value: Type.Integer(),
  min: Type.Integer(),
  max: Type.Integer(),
  unit: Type.Enum(['working_days', 'years', 'per_hour', 'per_minute']),
  labelZh: Type.String(),
  labelEn: Type.String(),
  sourceZh: Type.String({ description: 'Where the figure comes from (regulation, or why it is a platform default)' }),
  sourceEn: Type.String(),
  platformDefault: Type.Boolean({ description: 'True: no regulation text fixes the figure; the platform chose it' }),
  updatedBy: Type.Union([Uuid, Type.Null()]),
  updatedAt: DateTime,
});
export const SettingList = Type.Object({ items: Type.Array(Setting) });
export const SettingParams = Type.Object({ key: Type.String({ pattern: '^[a-z][a-z0-9_]{1,63}$' }) });
export const SettingBody = Type.Object({ value: Type.Integer() }, { additionalProperties: false });

export type ListQueryT = Static<typeof ListQuery>;
