// Request and response schemas of the portal feedback API: demands (需求征集), error reports (纠错), reuses (应用展示),
// the public statistics and the settings.
import { Type, type Static } from 'typebox';

const Uuid = Type.String({ format: 'uuid' });
const DateTime = Type.String({ format: 'date-time' });
const NullableDateTime = Type.Union([DateTime, Type.Null()]);
const DateString = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: "China date 'YYYY-MM-DD'" });
const Nullable = <T extends ReturnType<typeof Type.String>>(t: T) => Type.Union([t, Type.Null()]);
const Page = {
  page: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000 })),
  pageSize: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
};

export const IdParams = Type.Object({ id: Uuid });
export const ResourceParams = Type.Object({ resourceId: Uuid });

export const OrgBrief = Type.Object({ id: Uuid, nameZh: Type.String(), nameEn: Type.String() });
export type OrgBriefT = Static<typeof OrgBrief>;
export const ResourceBrief = Type.Object({ id: Uuid, code: Type.String(), nameZh: Type.String(), nameEn: Type.String() });
export type ResourceBriefT = Static<typeof ResourceBrief>;

export const Event = Type.Object({
  action: Type.String({
    description: 'submitted, routed, accepted, rejected, available, overdue; reports: accept, reject, needs_info, info, correct',
  }),
  byRole: Type.Enum(['requester', 'department', 'authority', 'system']),
  text: Type.String(),
  details: Type.Record(Type.String(), Type.Unknown()),
  at: DateTime,
});
export type EventT = Static<typeof Event>;

// ------------------------------------------------------------------------------------------------------ demands
export const DemandKind = Type.Enum(['dataset', 'format', 'field', 'frequency'], {
  description: 'dataset 开放新数据 · format 增加格式 · field 增加字段 · frequency 提高更新频率 (the last three name resourceId)',
});
export const CreateDemandBody = Type.Object(
  {
    title: Type.String({ minLength: 1, maxLength: 200 }),
    description: Type.Optional(Type.String({ maxLength: 4000 })),
    kind: Type.Optional(DemandKind),
    resourceId: Type.Optional(Uuid),
    neededFields: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 100 }), { maxItems: 50 })),
    purpose: Type.Optional(Type.String({ maxLength: 2000 })),
    targetOrgId: Type.Optional(
      Type.Union([Uuid, Type.Null()], { description: 'The department asked; empty: the data authority routes it' }),
    ),
  },
  { additionalProperties: false },
);
export type CreateDemandInput = Static<typeof CreateDemandBody>;

export const AnswerDemandBody = Type.Object(
  {
    kind: Type.Enum(['accepted', 'rejected', 'available'], {
      description:
        'accepted 采纳 (plannedDate required) · rejected 不予采纳 (reply = reason, required) · available 已有 (resourceId of an open resource)',
    }),
    reply: Type.Optional(Type.String({ maxLength: 2000 })),
    plannedDate: Type.Optional(DateString),
    resourceId: Type.Optional(Uuid),
  },
  { additionalProperties: false },
);
export type AnswerDemandInput = Static<typeof AnswerDemandBody>;

export const RouteDemandBody = Type.Object({ orgId: Uuid }, { additionalProperties: false });
export const VoteBody = Type.Object(
  { on: Type.Boolean({ description: 'true: +1; false: take the vote back' }) },
  { additionalProperties: false },
);
export const VoteResult = Type.Object({ votes: Type.Integer(), votedByMe: Type.Boolean() });

export const Demand = Type.Object({
  id: Uuid,
  title: Type.String(),
  description: Type.String(),
  kind: DemandKind,
  neededFields: Type.Array(Type.String()),
  purpose: Type.String(),
  requester: Type.String({ description: 'Masked name (张*)' }),
  mine: Type.Boolean(),
  targetOrg: Type.Union([OrgBrief, Type.Null()]),
  resource: Type.Union([ResourceBrief, Type.Null()]),
  status: Type.Enum(['open', 'answered', 'closed', 'rejected']),
  answerKind: Type.Union([Type.Enum(['accepted', 'rejected', 'available']), Type.Null()]),
  reply: Type.String(),
  plannedDate: Nullable(Type.String()),
  answerResource: Type.Union([ResourceBrief, Type.Null()]),
  votes: Type.Integer(),
  votedByMe: Type.Boolean(),
  workingDays: Type.Union([Type.Integer(), Type.Null()]),
  dueDate: Nullable(Type.String()),
  overdue: Type.Boolean(),
  respondedAt: NullableDateTime,
  answerWorkingDays: Type.Union([Type.Integer(), Type.Null()]),
  createdAt: DateTime,
  canAnswer: Type.Boolean(),
  canRoute: Type.Boolean(),
  events: Type.Array(Event),
});
export type DemandT = Static<typeof Demand>;
export const DemandPage = Type.Object({ items: Type.Array(Demand), total: Type.Integer(), page: Type.Integer(), pageSize: Type.Integer() });
export type DemandPageT = Static<typeof DemandPage>;
export const DemandQuery = Type.Object({
  status: Type.Optional(Type.Enum(['open', 'answered', 'rejected', 'closed', 'overdue'])),
  orgId: Type.Optional(Uuid),
  resourceId: Type.Optional(Uuid),
  q: Type.Optional(Type.String({ maxLength: 100 })),
  sort: Type.Optional(Type.Enum(['new', 'votes'])),
  ...Page,
});

// ------------------------------------------------------------------------------------------------ error reports
export const ReportKind = Type.Enum(['wrong_value', 'stale', 'broken_file', 'other'], {
  description: 'wrong_value 数据错误 · stale 数据过时 · broken_file 文件无法使用 · other 其他',
});
export const ReportAction = Type.Enum(['accept', 'reject', 'needs_info', 'correct', 'info']);
export const CreateReportBody = Type.Object(
  {
    kind: ReportKind,
    description: Type.String({ minLength: 1, maxLength: 2000 }),
    version: Type.Optional(Type.Integer({ minimum: 1, description: 'Dataset version (default: the current one)' })),
    rowNumber: Type.Optional(Type.Integer({ minimum: 1, description: '1-based row of that version' })),
    field: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  },
  { additionalProperties: false },
);
export type CreateReportInput = Static<typeof CreateReportBody>;
export const ReportActionBody = Type.Object(
  {
    action: ReportAction,
    text: Type.Optional(Type.String({ maxLength: 2000 })),
    fixedVersion: Type.Optional(Type.Integer({ minimum: 2, description: 'correct: the dataset version that fixes the error' })),
  },
  { additionalProperties: false },
);
export type ReportActionInput = Static<typeof ReportActionBody>;

export const Report = Type.Object({
  id: Uuid,
  number: Type.String(),
  resource: Type.Union([ResourceBrief, Type.Null()]),
  datasetId: Uuid,
  version: Type.Integer(),
  rowNumber: Type.Union([Type.Integer(), Type.Null()]),
  field: Nullable(Type.String()),
  kind: ReportKind,
  description: Type.String(),
  reporter: Type.String({ description: 'Masked name' }),
  mine: Type.Boolean(),
  providerOrg: Type.Union([OrgBrief, Type.Null()]),
  status: Type.Enum(['open', 'accepted', 'rejected', 'needs_info', 'corrected']),
  answer: Type.String(),
  respondedAt: NullableDateTime,
  answerWorkingDays: Type.Union([Type.Integer(), Type.Null()]),
  fixedVersion: Type.Union([Type.Integer(), Type.Null()]),
  correctedAt: NullableDateTime,
  workingDays: Type.Integer(),
  dueDate: Type.String(),
  overdue: Type.Boolean(),
  createdAt: DateTime,
  allowed: Type.Array(ReportAction),
  events: Type.Array(Event),
});
export type ReportT = Static<typeof Report>;
export const ReportPage = Type.Object({ items: Type.Array(Report), total: Type.Integer(), page: Type.Integer(), pageSize: Type.Integer() });
export type ReportPageT = Static<typeof ReportPage>;
export const PageQuery = Type.Object({ ...Page });

export const InboxQuery = Type.Object({
  type: Type.Enum(['demand', 'report']),
  status: Type.Optional(Type.String({ maxLength: 20 })),
  ...Page,
});
export const Inbox = Type.Object({
  demands: Type.Array(Demand),
  reports: Type.Array(Report),
  total: Type.Integer(),
  page: Type.Integer(),
  pageSize: Type.Integer(),
});

// -------------------------------------------------------------------------------------------------------- stats
export const StatFigure = Type.Object({
  total: Type.Integer(),
  answered: Type.Integer(),
  overdue: Type.Integer(),
  answerRate: Type.Union([Type.Number(), Type.Null()], { description: 'answered / total (0..1), null without items' }),
  medianAnswerDays: Type.Union([Type.Number(), Type.Null()], { description: 'Median working days to the first answer' }),
});
export type StatFigureT = Static<typeof StatFigure>;
export const Stats = Type.Object({
  demands: StatFigure,
  errorReports: StatFigure,
  reuses: Type.Integer({ description: 'Published reuses' }),
  departments: Type.Array(
    Type.Object({
      org: Type.Union([OrgBrief, Type.Null()], { description: 'null: demands not routed yet' }),
      demands: StatFigure,
      errorReports: StatFigure,
    }),
  ),
  generatedAt: DateTime,
});
export type StatsT = Static<typeof Stats>;

// ------------------------------------------------------------------------------------------------------- reuses
export const ReuseKind = Type.Enum(['app', 'story', 'paper', 'visualization'], {
  description: 'app 应用 · story 数据故事 · paper 论文/报告 · visualization 可视化',
});
export const CreateReuseBody = Type.Object(
  {
    title: Type.String({ minLength: 1, maxLength: 200 }),
    description: Type.String({ minLength: 1, maxLength: 4000 }),
    kind: ReuseKind,
    url: Type.String({ minLength: 1, maxLength: 2000, description: 'http or https only' }),
    imageUrl: Type.Optional(Type.Union([Type.String({ maxLength: 2000 }), Type.Null()])),
    resourceIds: Type.Array(Uuid, { minItems: 1, maxItems: 20 }),
  },
  { additionalProperties: false },
);
export type CreateReuseInput = Static<typeof CreateReuseBody>;
export const ModerateReuseBody = Type.Object(
  {
    action: Type.Enum(['publish', 'reject', 'feature', 'unfeature']),
    reason: Type.Optional(Type.String({ maxLength: 2000 })),
  },
  { additionalProperties: false },
);
export type ModerateReuseInput = Static<typeof ModerateReuseBody>;
export const Reuse = Type.Object({
  id: Uuid,
  title: Type.String(),
  description: Type.String(),
  kind: ReuseKind,
  url: Type.String(),
  imageUrl: Nullable(Type.String()),
  submitter: Type.String({ description: 'Masked name' }),
  mine: Type.Boolean(),
  status: Type.Enum(['pending', 'published', 'rejected']),
  rejectReason: Nullable(Type.String()),
  featured: Type.Boolean(),
  datasets: Type.Array(ResourceBrief),
  createdAt: DateTime,
  moderatedAt: NullableDateTime,
  canModerate: Type.Boolean(),
});
export type ReuseT = Static<typeof Reuse>;
export const ReusePage = Type.Object({ items: Type.Array(Reuse), total: Type.Integer(), page: Type.Integer(), pageSize: Type.Integer() });
export type ReusePageT = Static<typeof ReusePage>;
export const ReuseQuery = Type.Object({
  status: Type.Optional(Type.Enum(['pending', 'published', 'rejected'])),
  featured: Type.Optional(Type.Boolean()),
  resourceId: Type.Optional(Uuid),
  mine: Type.Optional(Type.Boolean()),
  ...Page,
});
