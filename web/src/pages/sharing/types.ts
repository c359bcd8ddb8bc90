// Shapes of the sharing request (共享申请), entitlement (授权) and application API responses the sharing pages read
// (src/modules/sharing/schemas.ts, src/modules/entitlements/schemas.ts, src/modules/gateway/schemas.ts).
export const SHARING_STATES = [
  'compliance_review',
  'provider_review',
  'provider_refused',
  'negotiation',
  'coordination',
  'approved',
  'rejected',
  'withdrawn',
] as const;
export type SharingState = (typeof SHARING_STATES)[number];

export const ACTIONS = ['query', 'verify', 'bulk', 'download'] as const;
export type Action = (typeof ACTIONS)[number];

export const USAGE_SCOPES = ['administrative_basis', 'work_reference', 'data_verification', 'business_collaboration'] as const;
export type UsageScope = (typeof USAGE_SCOPES)[number];

export type DeadlineKind = 'compliance' | 'provider_decision' | 'negotiation' | 'coordination';

export interface Named {
  id: string;
  nameZh: string;
  nameEn: string;
}

export interface Deadline {
  id: string;
  kind: DeadlineKind;
  workingDays: number;
  startDate: string;
  dueDate: string;
  dueAt: string;
  status: 'open' | 'met' | 'cancelled' | 'escalated';
  overdue: boolean;
  /** Open deadlines: working days left on the calendar (0 = due today). */
  workingDaysLeft: number | null;
  remindedAt: string | null;
  closedAt: string | null;
}

export interface RequestSummary {
  id: string;
  number: string;
  state: SharingState;
  shareMode: 'unconditional' | 'conditional';
  resource: Named & { code: string };
  requesterOrg: Named;
  providerOrg: Named;
  fields: string[];
  actions: Action[];
  purpose: string;
  validFrom: string;
  validTo: string;
  renewsEntitlementId: string | null;
  entitlementId: string | null;
  nextDeadline: Deadline | null;
  createdAt: string;
  decidedAt: string | null;
}

export interface RequestPage {
  items: RequestSummary[];
  total: number;
  page: number;
  pageSize: number;
}

export type SharingRole = 'consumer' | 'provider' | 'authority' | 'system';

export interface AllowedStep {
  to: SharingState;
  labelZh: string;
  labelEn: string;
  grants: boolean;
  refusal: boolean;
}

export interface SharingEvent {
  id: number;
  kind: 'transition' | 'message';
  fromState: SharingState | null;
  toState: SharingState | null;
  byRole: SharingRole;
  actorName: string;
  comment: string;
  at: string;
}

export interface RequestDetail extends RequestSummary {
  legalBasis: string;
  scenario: string;
  usageScope: UsageScope;
  applicationId: string | null;
  dataOnPlatform: boolean | null;
  refusalReason: string | null;
  deadlines: Deadline[];
  events: SharingEvent[];
  myRoles: SharingRole[];
  allowed: AllowedStep[];
  canMessage: boolean;
}

export interface QuotaLimits {
  day?: number;
  month?: number;
  total?: number;
}

export interface Terms {
  fields?: string[];
  actions?: Action[];
  validTo?: string;
  quota?: { calls?: QuotaLimits; rows?: QuotaLimits } | null;
  conditions?: { businessRefRequired?: boolean; clearFields?: string[]; notes?: string; verifyPerMinute?: number };
}

export interface SharingStats {
  byState: Record<string, number>;
  open: number;
  overdue: number;
  dueSoon: number;
  escalated: number;
  decided: number;
  approvalRate: number | null;
  medianAnswerWorkingDays: number | null;
  callsPerDay: { day: string; calls: number; rows: number }[];
}

export interface SharingSetting {
  key: string;
  value: number;
  min: number;
  max: number;
  unit: 'working_days' | 'days';
  labelZh: string;
  labelEn: string;
  sourceZh: string;
  sourceEn: string;
  platformDefault: boolean;
  updatedAt: string;
}

export type EntitlementState = 'active' | 'suspended' | 'expired' | 'revoked';

interface Counts {
  calls: number;
  rows: number;
}

export interface Entitlement {
  id: string;
  holderOrgId: string;
  holderApplicationId: string | null;
  resourceId: string;
  providerOrgId: string;
  fields: string[] | null;
  actions: Action[];
  purpose: string;
  scenario: string;
  legalBasis: string;
  validFrom: string;
  validTo: string | null;
  quota: { calls?: QuotaLimits; rows?: QuotaLimits } | null;
  conditions: { businessRefRequired?: boolean; clearFields?: string[]; notes?: string; verifyPerMinute?: number };
  state: EntitlementState;
  stateReason: string | null;
  origin: string;
  originId: string | null;
  createdAt: string;
  updatedAt: string;
  usage: { day: Counts; month: Counts; total: Counts };
}

export interface DailyUsage {
  days: { day: string; calls: number; rows: number }[];
}

export interface Application {
  id: string;
  orgId: string;
  name: string;
  description: string;
  state: 'active' | 'disabled';
  createdAt: string;
  updatedAt: string;
}
