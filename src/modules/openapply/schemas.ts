// Request and response schemas of the conditional open application (有条件开放申请) API.
import { Type } from 'typebox';
import { APPLICANT_KINDS, STATES } from './workflow.ts';

const Uuid = Type.String({ format: 'uuid' });
const DateTime = Type.String({ format: 'date-time' });
const NullableDateTime = Type.Union([DateTime, Type.Null()]);
const DateString = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: "China date 'YYYY-MM-DD'" });
const Localized = Type.Object({ zh: Type.String(), en: Type.String() });
const Text = (max: number, description: string) => Type.String({ minLength: 1, maxLength: max, description });
const UploadId = Type.String({ pattern: '^[0-9a-f]{32}$', description: 'A finished upload (POST /api/uploads, tus) of the caller' });

export const StateSchema = Type.Enum([...STATES], {
  description:
    'provider_review 提供部门审核 · supplement 待补充材料 · approved 已通过 · rejected 未通过 · withdrawn 已撤回 · lapsed 已终止',
});
const Role = Type.Enum(['applicant', 'provider', 'authority', 'system']);
const ApplicantKind = Type.Enum([...APPLICANT_KINDS], { description: 'company 企业 · researcher 科研人员 · citizen 公民个人' });

export const IdParams = Type.Object({ id: Uuid });
export const DocParams = Type.Object({ id: Uuid, docId: Uuid });
export const ReportParams = Type.Object({ id: Uuid, reportId: Uuid });

export const CreateBody = Type.Object(
  {
    resourceId: Uuid,
    applicantKind: ApplicantKind,
    fields: Type.Array(Type.String({ minLength: 1, maxLength: 64 }), {
      minItems: 1,
      maxItems: 500,
      description: 'Catalog field codes applied for (the minimum the purpose needs)',
    }),
    purpose: Text(1000, '用途'),
    scenario: Text(1000, '应用场景'),
    securityMeasures: Text(2000, '安全保障措施'),
    periodFrom: Type.Optional(DateTime),
    periodTo: DateTime,
    documents: Type.Optional(Type.Array(UploadId, { maxItems: 20, description: 'Uploaded PDF/PNG/JPEG documents (each ≤ 10 MiB)' })),
  },
  { additionalProperties: false },
);

export const TransitionBody = Type.Object(
  {
    to: StateSchema,
    comment: Type.String({
      minLength: 1,
      maxLength: 2000,
      pattern: '\\S',
      description: 'Opinion; a rejection gives reasons; asking for more says what is missing; a resubmission says what was supplemented',
    }),
    terms: Type.Optional(
      Type.Object(
        {
          text: Type.Optional(
            Type.String({ maxLength: 4000, description: 'The agreement’s terms (default: the platform’s standard terms)' }),
          ),
          fields: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 64 }), { minItems: 1, maxItems: 500 })),
          validTo: Type.Optional(DateTime),
          reportEveryDays: Type.Optional(Type.Integer({ minimum: 1, maximum: 366, description: 'Usage report every N days' })),
        },
        { additionalProperties: false, description: 'On approval: the agreement; each may only narrow the application' },
      ),
    ),
    documents: Type.Optional(Type.Array(UploadId, { maxItems: 20, description: 'On a resubmission: supplementary documents' })),
    purpose: Type.Optional(Type.String({ maxLength: 1000 })),
    scenario: Type.Optional(Type.String({ maxLength: 1000 })),
    securityMeasures: Type.Optional(Type.String({ maxLength: 2000 })),
  },
  { additionalProperties: false },
);

export const ReportBody = Type.Object({ content: Type.String({ minLength: 1, maxLength: 10_000 }) }, { additionalProperties: false });
export const ReinstateBody = Type.Object(
  { comment: Type.String({ minLength: 1, maxLength: 2000, pattern: '\\S' }) },
  { additionalProperties: false },
);

export const ListQuery = Type.Object(
  {
    box: Type.Optional(
      Type.Enum(['mine', 'incoming', 'all'], { description: 'mine: my applications; incoming: applications for my data' }),
    ),
    state: Type.Optional(Type.String({ maxLength: 200, description: 'Comma-separated states' })),
    page: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000 })),
    pageSize: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
  },
  { additionalProperties: false },
);

const OrgRef = Type.Object({ id: Uuid, nameZh: Type.String(), nameEn: Type.String() });
const Deadline = Type.Object({
  id: Uuid,
  kind: Type.Enum(['review', 'supplement']),
  workingDays: Type.Integer(),
  startDate: DateString,
  dueDate: DateString,
  dueAt: DateTime,
  status: Type.Enum(['open', 'met', 'cancelled', 'lapsed']),
  overdue: Type.Boolean(),
  workingDaysLeft: Type.Union([Type.Integer(), Type.Null()], { description: 'Open deadlines: working days left (0 = due today)' }),
  closedAt: NullableDateTime,
});
const EntitlementState = Type.Union([Type.Enum(['active', 'suspended', 'expired', 'revoked']), Type.Null()]);

const summaryProps = {
  id: Uuid,
  number: Type.String({ description: 'KF-<year>-<6 digits>' }),
  state: StateSchema,
  stateLabel: Localized,
  applicantKind: ApplicantKind,
  applicantOrg: OrgRef,
  resource: Type.Object({ id: Uuid, code: Type.String(), nameZh: Type.String(), nameEn: Type.String() }),
  providerOrg: OrgRef,
  fields: Type.Array(Type.String()),
  purpose: Type.String(),
  periodFrom: DateTime,
  periodTo: DateTime,
  entitlementState: EntitlementState,
  nextDeadline: Type.Union([Deadline, Type.Null()]),
  createdAt: DateTime,
  decidedAt: NullableDateTime,
};
export const Summary = Type.Object(summaryProps);
export const Page = Type.Object({ items: Type.Array(Summary), total: Type.Integer(), page: Type.Integer(), pageSize: Type.Integer() });

export const Detail = Type.Object({
  ...summaryProps,
  scenario: Type.String(),
  securityMeasures: Type.String(),
  supplementRequest: Type.Union([Type.String(), Type.Null()]),
  refusalReason: Type.Union([Type.String(), Type.Null()]),
  applicantName: Type.String(),
  deadlines: Type.Array(Deadline),
  documents: Type.Array(
    Type.Object({
      id: Uuid,
      stage: Type.Enum(['application', 'supplement', 'report']),
      fileName: Type.String(),
      contentType: Type.String(),
      size: Type.Integer(),
      sha256: Type.String(),
      createdAt: DateTime,
    }),
  ),
  events: Type.Array(
    Type.Object({
      id: Type.Integer(),
      fromState: Type.Union([StateSchema, Type.Null()]),
      toState: StateSchema,
      byRole: Role,
      actorName: Type.String(),
      comment: Type.String(),
      at: DateTime,
    }),
  ),
  agreement: Type.Union([
    Type.Object({
      id: Uuid,
      number: Type.String({ description: 'KFXY-<year>-<6 digits>' }),
      terms: Type.String(),
      fields: Type.Array(Type.String()),
      actions: Type.Array(Type.String()),
      validFrom: DateTime,
      validTo: DateTime,
      reportEveryDays: Type.Integer(),
      reportGraceDays: Type.Integer(),
      entitlementId: Type.Union([Uuid, Type.Null()]),
      entitlementState: EntitlementState,
      entitlementReason: Type.Union([Type.String(), Type.Null()]),
      reports: Type.Array(
        Type.Object({
          id: Uuid,
          period: Type.Integer(),
          dueDate: DateString,
          graceUntil: DateTime,
          status: Type.Enum(['due', 'submitted', 'overdue_submitted', 'overdue']),
          content: Type.Union([Type.String(), Type.Null()]),
          submittedAt: NullableDateTime,
          workingDaysLeft: Type.Union([Type.Integer(), Type.Null()]),
        }),
      ),
      canReinstate: Type.Boolean(),
    }),
    Type.Null(),
  ]),
  myRoles: Type.Array(Role),
  allowed: Type.Array(
    Type.Object({
      to: StateSchema,
      labelZh: Type.String(),
      labelEn: Type.String(),
      grants: Type.Boolean(),
      refusal: Type.Boolean(),
      asks: Type.Boolean(),
    }),
  ),
});

export const Stats = Type.Object({ byState: Type.Record(Type.String(), Type.Integer()), open: Type.Integer() });
