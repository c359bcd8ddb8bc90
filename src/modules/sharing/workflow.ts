// The sharing request (共享申请) workflow as an explicit state machine. Pure data and functions: the service
// applies it inside a transaction, the routes list the steps a caller may take, the web app draws it.
//
//   (request) → compliance_review ──pass, unconditional──────────────────────────────→ approved (auto grant)
//                    │      └──pass, conditional──→ provider_review ──approve──────────→ approved
//                    └─refuse─→ rejected               │      └──refuse (reason)──→ provider_refused
//                                                      └─deadline passed (system)─┐       │      └─accept refusal─→ rejected
//                                                                                 │  negotiate
//                                                                                 │       ↓
//                                        coordination ←──escalate / deadline (system)── negotiation ──approve──→ approved
//                                          ├─approve─→ approved
//                                          └─uphold refusal─→ rejected
//   The consumer may withdraw any open request.
//
// Sources (docs/sharing.md): Shanxi sharing rules 2024 — compliance review by the data authority within 2
// working days; an unconditional request is then granted directly; a conditional one goes to the provider,
// who answers within 5 working days (data on the platform) or 10 (to be published first); a refusal needs
// reasons; after a refusal the parties negotiate, then the authority coordinates. 51号 (2016): disputes go
// to coordination. A provider that lets its deadline pass loses the decision to the authority (escalation).

export const STATES = [
  'compliance_review', // 符合性审查（数据管理机构）
  'provider_review', // 提供部门审核
  'provider_refused', // 提供部门不予共享（待申请方确认或协商）
  'negotiation', // 协商
  'coordination', // 数据管理机构协调
  'approved', // 已同意（已授权）
  'rejected', // 未通过
  'withdrawn', // 已撤回
] as const;
export type SharingState = (typeof STATES)[number];

export const OPEN_STATES: readonly SharingState[] = [
  'compliance_review',
  'provider_review',
  'provider_refused',
  'negotiation',
  'coordination',
];
export const FINAL_STATES: readonly SharingState[] = ['approved', 'rejected', 'withdrawn'];

export type SharingRole = 'consumer' | 'provider' | 'authority' | 'system';

export interface TransitionRule {
  from: SharingState;
  to: SharingState;
  by: SharingRole;
  /** Only for this share attribute of the request (the compliance pass branches on it). */
  shareMode?: 'unconditional' | 'conditional';
  /** The step grants an entitlement (the approver may narrow the terms). */
  grants?: boolean;
  /** The comment is the refusal reason and is required to be meaningful (a refusal must give reasons). */
  refusal?: boolean;
  labelZh: string;
  labelEn: string;
}

export const TRANSITIONS: readonly TransitionRule[] = [
  {
    from: 'compliance_review',
    to: 'approved',
    by: 'authority',
    shareMode: 'unconditional',
    grants: true,
    labelZh: '审查通过并授权',
    labelEn: 'Pass and grant',
  },
  {
    from: 'compliance_review',
    to: 'provider_review',
    by: 'authority',
    shareMode: 'conditional',
    labelZh: '审查通过，转提供部门',
    labelEn: 'Pass to the provider',
  },
  { from: 'compliance_review', to: 'rejected', by: 'authority', refusal: true, labelZh: '审查不通过', labelEn: 'Refuse' },
  { from: 'compliance_review', to: 'withdrawn', by: 'consumer', labelZh: '撤回', labelEn: 'Withdraw' },
  { from: 'provider_review', to: 'approved', by: 'provider', grants: true, labelZh: '同意共享', labelEn: 'Approve' },
  { from: 'provider_review', to: 'provider_refused', by: 'provider', refusal: true, labelZh: '不予共享', labelEn: 'Refuse' },
  {
    from: 'provider_review',
    to: 'coordination',
    by: 'system',
    labelZh: '逾期未答复，转协调',
    labelEn: 'No answer in time: to coordination',
  },
  { from: 'provider_review', to: 'withdrawn', by: 'consumer', labelZh: '撤回', labelEn: 'Withdraw' },
  { from: 'provider_refused', to: 'negotiation', by: 'consumer', labelZh: '申请协商', labelEn: 'Ask to negotiate' },
  { from: 'provider_refused', to: 'rejected', by: 'consumer', labelZh: '接受不予共享', labelEn: 'Accept the refusal' },
  { from: 'provider_refused', to: 'withdrawn', by: 'consumer', labelZh: '撤回', labelEn: 'Withdraw' },
  { from: 'negotiation', to: 'approved', by: 'provider', grants: true, labelZh: '协商一致，同意共享', labelEn: 'Agree and approve' },
  { from: 'negotiation', to: 'coordination', by: 'consumer', labelZh: '提请协调', labelEn: 'Ask the authority to coordinate' },
  { from: 'negotiation', to: 'coordination', by: 'provider', labelZh: '提请协调', labelEn: 'Ask the authority to coordinate' },
  { from: 'negotiation', to: 'coordination', by: 'system', labelZh: '协商期满，转协调', labelEn: 'Negotiation time over: to coordination' },
  { from: 'negotiation', to: 'withdrawn', by: 'consumer', labelZh: '撤回', labelEn: 'Withdraw' },
  { from: 'coordination', to: 'approved', by: 'authority', grants: true, labelZh: '协调决定：共享', labelEn: 'Coordinated: share' },
  {
    from: 'coordination',
    to: 'rejected',
    by: 'authority',
    refusal: true,
    labelZh: '协调决定：不予共享',
    labelEn: 'Coordinated: do not share',
  },
  { from: 'coordination', to: 'withdrawn', by: 'consumer', labelZh: '撤回', labelEn: 'Withdraw' },
];

export function isState(s: string): s is SharingState {
  return (STATES as readonly string[]).includes(s);
}

/** The rule for from → to for this request's share attribute, taken by one of `as` (the first that fits). */
export function findTransition(
  from: SharingState,
  to: SharingState,
  shareMode: 'unconditional' | 'conditional',
  as?: readonly SharingRole[],
): TransitionRule | undefined {
  const fits = TRANSITIONS.filter((t) => t.from === from && t.to === to && (!t.shareMode || t.shareMode === shareMode));
  return as ? (fits.find((t) => as.includes(t.by)) ?? fits[0]) : fits[0];
}

/** Steps out of `from` that someone acting as one of `as` may take (system steps never appear). */
export function allowedTransitions(
  from: SharingState,
  shareMode: 'unconditional' | 'conditional',
  as: readonly SharingRole[],
): TransitionRule[] {
  return TRANSITIONS.filter(
    (t) => t.from === from && t.by !== 'system' && as.includes(t.by) && (!t.shareMode || t.shareMode === shareMode),
  );
}

/** Which deadline each open state runs under (provider_refused waits for the consumer, without a limit). */
export type DeadlineKind = 'compliance' | 'provider_decision' | 'negotiation' | 'coordination';
export const STATE_DEADLINE: Partial<Record<SharingState, DeadlineKind>> = {
  compliance_review: 'compliance',
  provider_review: 'provider_decision',
  negotiation: 'negotiation',
  coordination: 'coordination',
};

export const STATE_LABELS: Record<SharingState, { zh: string; en: string }> = {
  compliance_review: { zh: '符合性审查', en: 'Compliance review' },
  provider_review: { zh: '提供部门审核', en: 'Provider review' },
  provider_refused: { zh: '提供部门不予共享', en: 'Refused by the provider' },
  negotiation: { zh: '协商中', en: 'Negotiation' },
  coordination: { zh: '数据管理机构协调', en: 'Coordination by the authority' },
  approved: { zh: '已授权', en: 'Approved' },
  rejected: { zh: '未通过', en: 'Rejected' },
  withdrawn: { zh: '已撤回', en: 'Withdrawn' },
};

export const ROLE_LABELS: Record<SharingRole, { zh: string; en: string }> = {
  consumer: { zh: '申请部门', en: 'the requesting department' },
  provider: { zh: '数据提供部门', en: 'the providing department' },
  authority: { zh: '数据管理机构', en: 'the data authority' },
  system: { zh: '系统（时限到期）', en: 'the system (deadline)' },
};

/** 51号 usage scopes (二手资料, research §6.3): 行政依据、工作参考、数据校核、业务协同. */
export const USAGE_SCOPES = ['administrative_basis', 'work_reference', 'data_verification', 'business_collaboration'] as const;
export type UsageScope = (typeof USAGE_SCOPES)[number];
