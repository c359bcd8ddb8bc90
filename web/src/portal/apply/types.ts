// Shapes of the conditional open application API (/api/open-applications, see /api/openapi.json).
export const OPEN_APPLY_STATES = ['provider_review', 'supplement', 'approved', 'rejected', 'withdrawn', 'lapsed'] as const;
export type OpenApplyState = (typeof OPEN_APPLY_STATES)[number];
export const APPLICANT_KINDS = ['company', 'researcher', 'citizen'] as const;
export type ApplicantKind = (typeof APPLICANT_KINDS)[number];
export type EntitlementState = 'active' | 'suspended' | 'expired' | 'revoked';

export interface OpenDeadline {
  id: string;
  kind: 'review' | 'supplement';
  workingDays: number;
  startDate: string;
  dueDate: string;
  dueAt: string;
  status: 'open' | 'met' | 'cancelled' | 'lapsed';
  overdue: boolean;
  workingDaysLeft: number | null;
  closedAt: string | null;
}

interface OrgRef {
  id: string;
  nameZh: string;
  nameEn: string;
}

export interface OpenApplicationSummary {
  id: string;
  number: string;
  state: OpenApplyState;
  applicantKind: ApplicantKind;
  applicantOrg: OrgRef;
  resource: { id: string; code: string; nameZh: string; nameEn: string };
  providerOrg: OrgRef;
  fields: string[];
  purpose: string;
  periodFrom: string;
  periodTo: string;
  entitlementState: EntitlementState | null;
  nextDeadline: OpenDeadline | null;
  createdAt: string;
  decidedAt: string | null;
}

export interface UsageReport {
  id: string;
  period: number;
  dueDate: string;
  graceUntil: string;
  status: 'due' | 'submitted' | 'overdue_submitted' | 'overdue';
  content: string | null;
  submittedAt: string | null;
  workingDaysLeft: number | null;
}

export interface OpenAgreement {
  id: string;
  number: string;
  terms: string;
  fields: string[];
  actions: string[];
  validFrom: string;
  validTo: string;
  reportEveryDays: number;
  reportGraceDays: number;
  entitlementId: string | null;
  entitlementState: EntitlementState | null;
  entitlementReason: string | null;
  reports: UsageReport[];
  canReinstate: boolean;
}

export interface OpenApplicationDetail extends OpenApplicationSummary {
  scenario: string;
  securityMeasures: string;
  supplementRequest: string | null;
  refusalReason: string | null;
  applicantName: string;
  deadlines: OpenDeadline[];
  documents: {
    id: string;
    stage: 'application' | 'supplement' | 'report';
    fileName: string;
    contentType: string;
    size: number;
    sha256: string;
    createdAt: string;
  }[];
  events: {
    id: number;
    fromState: OpenApplyState | null;
    toState: OpenApplyState;
    byRole: string;
    actorName: string;
    comment: string;
    at: string;
  }[];
  agreement: OpenAgreement | null;
  myRoles: ('applicant' | 'provider' | 'authority' | 'system')[];
  allowed: { to: OpenApplyState; labelZh: string; labelEn: string; grants: boolean; refusal: boolean; asks: boolean }[];
}

export interface OpenApplicationPage {
  items: OpenApplicationSummary[];
  total: number;
  page: number;
  pageSize: number;
}
