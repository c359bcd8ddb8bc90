// Request and response schemas of the entitlements API (issue 6 §3: grants over time, quota use, ODRL export).
import { Type, type Static } from 'typebox';
import { ENTITLEMENT_ACTIONS, ENTITLEMENT_ORIGINS, ENTITLEMENT_STATES } from './types.ts';

const Uuid = Type.String({ format: 'uuid' });
const DateTime = Type.String({ format: 'date-time' });
const DateString = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: "China date 'YYYY-MM-DD'" });
const Reason = Type.String({ minLength: 1, maxLength: 1000, pattern: '\\S', description: 'Why (recorded in the ledger)' });
const Limits = Type.Object({
  day: Type.Optional(Type.Integer()),
  month: Type.Optional(Type.Integer()),
  total: Type.Optional(Type.Integer()),
});
const Counts = Type.Object({ calls: Type.Integer(), rows: Type.Integer() });

export const IdParams = Type.Object({ id: Uuid });

export const UsageView = Type.Object(
  { day: Counts, month: Counts, total: Counts },
  { description: 'Calls and rows used today, this month (China calendar) and in total' },
);

export const EntitlementView = Type.Object({
  id: Uuid,
  holderOrgId: Uuid,
  holderApplicationId: Type.Union([Uuid, Type.Null()]),
  holderUserId: Type.Union([Uuid, Type.Null()]),
  resourceId: Uuid,
  providerOrgId: Uuid,
  fields: Type.Union([Type.Array(Type.String()), Type.Null()], { description: 'Granted catalog fields (null: all)' }),
  actions: Type.Array(Type.Enum([...ENTITLEMENT_ACTIONS])),
  purpose: Type.String(),
  scenario: Type.String(),
  legalBasis: Type.String(),
  validFrom: DateTime,
  validTo: Type.Union([DateTime, Type.Null()]),
  quota: Type.Union([Type.Object({ calls: Type.Optional(Limits), rows: Type.Optional(Limits) }), Type.Null()]),
  conditions: Type.Object({
    businessRefRequired: Type.Optional(Type.Boolean()),
    clearFields: Type.Optional(Type.Array(Type.String())),
    rowFilter: Type.Optional(Type.Object({ column: Type.String(), values: Type.Array(Type.String()) })),
    notes: Type.Optional(Type.String()),
    verifyPerMinute: Type.Optional(Type.Integer()),
  }),
  state: Type.Enum([...ENTITLEMENT_STATES]),
  stateReason: Type.Union([Type.String(), Type.Null()]),
  origin: Type.Enum([...ENTITLEMENT_ORIGINS]),
  originId: Type.Union([Uuid, Type.Null()]),
  createdAt: DateTime,
  updatedAt: DateTime,
});

export const EntitlementWithUsage = Type.Object({
  ...EntitlementView.properties,
  usage: UsageView,
  relation: Type.Optional(
    Type.Object(
      { holder: Type.Boolean(), provider: Type.Boolean(), authority: Type.Boolean() },
      { description: 'How the caller relates to it' },
    ),
  ),
});

export const ListQuery = Type.Object({
  side: Type.Enum(['consumer', 'provider'], {
    default: 'consumer',
    description: "consumer: held by my organization's subtree; provider: on resources my subtree provides (authority: all)",
  }),
  resourceId: Type.Optional(Uuid),
  state: Type.Optional(Type.Enum([...ENTITLEMENT_STATES])),
  limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }),
  offset: Type.Integer({ minimum: 0, maximum: 1_000_000, default: 0 }),
});

export const ListResult = Type.Object({ items: Type.Array(EntitlementWithUsage), total: Type.Integer() });

export const ReasonBody = Type.Object({ reason: Reason }, { additionalProperties: false });
export const RenewBody = Type.Object(
  { validTo: Type.String({ format: 'date-time', description: 'New end (later than now and the current end)' }), reason: Reason },
  { additionalProperties: false },
);

export const UsageQuery = Type.Object({ from: Type.Optional(DateString), to: Type.Optional(DateString) });
export const DailyUsage = Type.Object({
  days: Type.Array(Type.Object({ day: DateString, calls: Type.Integer(), rows: Type.Integer() })),
  totals: UsageView,
});

export type ListQueryT = Static<typeof ListQuery>;
