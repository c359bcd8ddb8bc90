// Request and response schemas of the sharing request (共享申请) API.
import { Type, type Static } from 'typebox';
import { ENTITLEMENT_ACTIONS } from '../entitlements/types.ts';
import { STATES, USAGE_SCOPES } from './workflow.ts';

const Uuid = Type.String({ format: 'uuid' });
const DateTime = Type.String({ format: 'date-time' });
const NullableDateTime = Type.Union([DateTime, Type.Null()]);
const DateString = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: "China date 'YYYY-MM-DD'" });
const Localized = Type.Object({ zh: Type.String(), en: Type.String() });
const Text = (max: number, description: string) => Type.String({ minLength: 1, maxLength: max, description });

export const StateSchema = Type.Enum([...STATES], {
  description:
    'compliance_review 符合性审查 · provider_review 提供部门审核 · provider_refused 提供部门不予共享 · negotiation 协商 · ' +
    'coordination 协调 · approved 已授权 · rejected 未通过 · withdrawn 已撤回',
});
const Role = Type.Enum(['consumer', 'provider', 'authority', 'system']);
const Action = Type.Enum([...ENTITLEMENT_ACTIONS], { description: 'query 记录查询 · verify 核验 · bulk 批量交付 · download 下载' });
const UsageScope = Type.Enum([...USAGE_SCOPES], {
  description: 'administrative_basis 行政依据 · work_reference 工作参考 · data_verification 数据校核 · business_collaboration 业务协同',
});
const DeadlineKind = Type.Enum(['compliance', 'provider_decision', 'negotiation', 'coordination']);

export const IdParams = Type.Object({ id: Uuid });

export const CreateBody = Type.Object(
  {
    resourceId: Uuid,
    fields: Type.Array(Type.String({ minLength: 1, maxLength: 64 }), {
      minItems: 1,
      maxItems: 500,
      description: 'Catalog field codes requested (the minimum the purpose needs)',
    }),
    actions: Type.Array(Action, { minItems: 1, maxItems: 4 }),
    legalBasis: Text(1000, '履职依据 / legal basis for the use'),
    purpose: Text(500, '使用用途'),
    scenario: Text(500, '应用场景'),
    usageScope: UsageScope,
    validFrom: Type.Optional(DateTime),
    validTo: DateTime,
    applicationId: Type.Optional(Type.Union([Uuid, Type.Null()])),
    renewsEntitlementId: Type.Optional(Type.Union([Uuid, Type.Null()])),
  },
  { additionalProperties: false },
);

const QuotaLimits = Type.Object(
  {
    day: Type.Optional(Type.Integer({ minimum: 1 })),
    month: Type.Optional(Type.Integer({ minimum: 1 })),
    total: Type.Optional(Type.Integer({ minimum: 1 })),
  },
  { additionalProperties: false },
);

export const Terms = Type.Object(
  {
    fields: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 64 }), { minItems: 1, maxItems: 500 })),
    actions: Type.Optional(Type.Array(Action, { minItems: 1, maxItems: 4 })),
    validTo: Type.Optional(DateTime),
    quota: Type.Optional(
      Type.Union([
        Type.Object({ calls: Type.Optional(QuotaLimits), rows: Type.Optional(QuotaLimits) }, { additionalProperties: false }),
        Type.Null(),
      ]),
    ),
    conditions: Type.Optional(
      Type.Object(
        {
          businessRefRequired: Type.Optional(Type.Boolean()),
          clearFields: Type.Optional(Type.Array(Type.String({ maxLength: 64 }), { maxItems: 500 })),
          notes: Type.Optional(Type.String({ maxLength: 2000 })),
          verifyPerMinute: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000 })),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false, description: 'On an approving step: the grant’s terms; each may only narrow the request' },
);

export const TransitionBody = Type.Object(
  {
    to: StateSchema,
    comment: Type.String({ minLength: 1, maxLength: 2000, pattern: '\\S', description: 'Opinion or reason (a refusal must give reasons)' }),
    terms: Type.Optional(Terms),
  },
  { additionalProperties: false },
);

export const MessageBody = Type.Object(
  { text: Type.String({ minLength: 1, maxLength: 2000, pattern: '\\S' }) },
  { additionalProperties: false },
);

export const ListQuery = Type.Object(
  {
    box: Type.Optional(
      Type.Enum(['mine', 'incoming', 'all'], { description: 'mine: my organization’s requests; incoming: requests for my data' }),
    ),
    state: Type.Optional(Type.String({ maxLength: 200, description: 'Comma-separated states' })),
    overdue: Type.Optional(Type.Boolean()),
    resourceId: Type.Optional(Uuid),
    page: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000 })),
    pageSize: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
  },
  { additionalProperties: false },
);
export type ListQueryT = Static<typeof ListQuery>;

const OrgRef = Type.Object({ id: Uuid, nameZh: Type.String(), nameEn: Type.String() });
const Deadline = Type.Object({
  id: Uuid,
  kind: DeadlineKind,
  workingDays: Type.Integer(),
  startDate: DateString,
  dueDate: DateString,
  dueAt: DateTime,
  status: Type.Enum(['open', 'met', 'cancelled', 'escalated']),
  overdue: Type.Boolean(),
  workingDaysLeft: Type.Union([Type.Integer(), Type.Null()], {
    description: 'Open deadlines: working days left on the calendar (0 = due today)',
  }),
  remindedAt: NullableDateTime,
  closedAt: NullableDateTime,
});

const summaryProps = {
  id: Uuid,
  number: Type.String({ description: 'GX-<year>-<6 digits>' }),
  state: StateSchema,
  stateLabel: Localized,
  shareMode: Type.Enum(['unconditional', 'conditional']),
  resource: Type.Object({ id: Uuid, code: Type.String(), nameZh: Type.String(), nameEn: Type.String() }),
  requesterOrg: OrgRef,
  providerOrg: OrgRef,
  fields: Type.Array(Type.String()),
  actions: Type.Array(Type.String()),
  purpose: Type.String(),
  validFrom: DateTime,
  validTo: DateTime,
  renewsEntitlementId: Type.Union([Uuid, Type.Null()]),
  entitlementId: Type.Union([Uuid, Type.Null()]),
  nextDeadline: Type.Union([Deadline, Type.Null()]),
  createdAt: DateTime,
  decidedAt: NullableDateTime,
};

export const RequestSummary = Type.Object(summaryProps);
export const RequestPage = Type.Object({
  items: Type.Array(RequestSummary),
  total: Type.Integer(),
  page: Type.Integer(),
  pageSize: Type.Integer(),
});

export const RequestDetail = Type.Object({
  ...summaryProps,
  legalBasis: Type.String(),
  scenario: Type.String(),
  usageScope: UsageScope,
  applicationId: Type.Union([Uuid, Type.Null()]),
  dataOnPlatform: Type.Union([Type.Boolean(), Type.Null()]),
  refusalReason: Type.Union([Type.String(), Type.Null()]),
  requesterUserId: Type.Union([Uuid, Type.Null()]),
  deadlines: Type.Array(Deadline),
  events: Type.Array(
    Type.Object({
      id: Type.Integer(),
      kind: Type.Enum(['transition', 'message']),
      fromState: Type.Union([StateSchema, Type.Null()]),
      toState: Type.Union([StateSchema, Type.Null()]),
      byRole: Role,
      actorName: Type.String(),
      comment: Type.String(),
      details: Type.Record(Type.String(), Type.Unknown()),
      at: DateTime,
    }),
  ),
  myRoles: Type.Array(Role),
  allowed: Type.Array(
    Type.Object({ to: StateSchema, labelZh: Type.String(), labelEn: Type.String(), grants: Type.Boolean(), refusal: Type.Boolean() }),
  ),
  canMessage: Type.Boolean(),
});

export const Stats = Type.Object({
  byState: Type.Record(Type.String(), Type.Integer()),
  open: Type.Integer(),
  overdue: Type.Integer({ description: 'Open deadlines past their due time' }),
  dueSoon: Type.Integer(),
  escalated: Type.Integer({ description: 'Provider or negotiation deadlines that ran out and went to coordination' }),
  decided: Type.Integer(),
  approvalRate: Type.Union([Type.Number(), Type.Null()]),
  medianAnswerWorkingDays: Type.Union([Type.Number(), Type.Null()], {
    description: 'From submission to the final decision, in working days',
  }),
  callsPerDay: Type.Array(Type.Object({ day: DateString, calls: Type.Integer(), rows: Type.Integer() })),
});
