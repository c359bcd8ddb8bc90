// The one entitlement model of the three modes (issue 6 §1; DESIGN.md "one entitlement model"): who may do
// what with which fields of a resource, for which purpose, until when, how much. A sharing request's grant
// creates one now; an open-data agreement, an operator authorization or a product order will create the same
// record later, so every data read passes one policy decision point (pdp.ts).
import type { ColumnPolicy, MaskingPolicy } from '../datasets/read.ts';

export type { ColumnPolicy, MaskingPolicy };

/** What a holder may do with the data (issue 6 §4: record query, verification, bulk delivery, download). */
export const ENTITLEMENT_ACTIONS = ['query', 'verify', 'bulk', 'download'] as const;
export type EntitlementAction = (typeof ENTITLEMENT_ACTIONS)[number];

export const ENTITLEMENT_STATES = ['active', 'suspended', 'expired', 'revoked'] as const;
export type EntitlementState = (typeof ENTITLEMENT_STATES)[number];

/** Where an entitlement came from. */
export const ENTITLEMENT_ORIGINS = [
  'sharing_request',
  'open_agreement',
  'operator_authorization',
  'product_order',
  'federation',
  'manual',
] as const;
export type EntitlementOrigin = (typeof ENTITLEMENT_ORIGINS)[number];

/** Limits per period; a missing period is unlimited. */
export interface QuotaLimits {
  day?: number;
  month?: number;
  total?: number;
}
export interface Quota {
  /** Calls (one answered request each). */
  calls?: QuotaLimits;
  /** Rows returned. */
  rows?: QuotaLimits;
}

export interface EntitlementConditions {
  /** Each call must carry a business reference (办件号/事项编码). */
  businessRefRequired?: boolean;
  /** Fields the provider agreed to deliver in clear although they hold personal information. */
  clearFields?: string[];
  /** Back-flow (数据回流): only rows whose column equals one of the values (e.g. the receiving city's area code). */
  rowFilter?: { column: string; values: string[] };
  /** Free-text conditions the provider attached (shown to the holder; exported as ODRL duties). */
  notes?: string;
  /** Verification calls per minute (issue 6 §4b). */
  verifyPerMinute?: number;
}

export interface Entitlement {
  id: string;
  /** The organization that holds the right; optionally narrowed to one of its applications or one user. */
  holderOrgId: string;
  holderApplicationId: string | null;
  holderUserId: string | null;
  resourceId: string;
  /** The organization whose data it is (the resource's provider). */
  providerOrgId: string;
  /** Granted fields by catalog field name (null: every field of the resource). */
  fields: string[] | null;
  actions: EntitlementAction[];
  purpose: string;
  scenario: string;
  legalBasis: string;
  validFrom: string;
  /** Null: no end. */
  validTo: string | null;
  quota: Quota | null;
  conditions: EntitlementConditions;
  state: EntitlementState;
  stateReason: string | null;
  origin: EntitlementOrigin;
  originId: string | null;
  createdAt: string;
  updatedAt: string;
}
