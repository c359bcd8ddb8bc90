// The conditional open application (有条件开放申请) workflow as an explicit state machine. Pure data and
// functions: the service applies it inside a transaction, the routes list the steps a caller may take.
//
//   (apply) → provider_review ──approve (agreement + entitlement)──→ approved
//                 │    │   └──reject (reasons required)──────────→ rejected
//                 │    └──ask for more (what is missing)──→ supplement ──resubmit (applicant)──→ provider_review
//                 │                                           └──time limit passed (system)──→ lapsed
//                 └── (applicant may withdraw from provider_review or supplement) ──→ withdrawn
//
// Sources (docs/open-applications.md): Opinions (2024) §II(2) — open public data in order and according to law,
// protecting personal information and trade secrets, hence an application and a review for 有条件开放; the
// Qingdao 2025 rules (research §9.1) — the opening body reviews conditional applications and the user reports
// its use, results and benefits. Time limits: openapply_settings (migrations/0017).

export const STATES = [
  'provider_review', // 提供部门审核
  'supplement', // 待补充材料
  'approved', // 已通过（已签协议）
  'rejected', // 未通过
  'withdrawn', // 已撤回
  'lapsed', // 逾期未补充，已终止
] as const;
export type OpenApplyState = (typeof STATES)[number];

export const OPEN_STATES: readonly OpenApplyState[] = ['provider_review', 'supplement'];

export type OpenApplyRole = 'applicant' | 'provider' | 'authority' | 'system';

export interface TransitionRule {
  from: OpenApplyState;
  to: OpenApplyState;
  by: OpenApplyRole;
  /** The step signs the agreement and grants the entitlement. */
  grants?: boolean;
  /** The comment is the refusal reason (required, at least MIN_REASON characters). */
  refusal?: boolean;
  /** The comment says what the applicant must supplement (required, at least MIN_REASON characters). */
  asks?: boolean;
  labelZh: string;
  labelEn: string;
}

export const TRANSITIONS: readonly TransitionRule[] = [
  { from: 'provider_review', to: 'approved', by: 'provider', grants: true, labelZh: '同意并签订协议', labelEn: 'Approve and sign' },
  { from: 'provider_review', to: 'rejected', by: 'provider', refusal: true, labelZh: '不予同意', labelEn: 'Reject' },
  { from: 'provider_review', to: 'supplement', by: 'provider', asks: true, labelZh: '要求补充材料', labelEn: 'Ask for more information' },
  { from: 'provider_review', to: 'withdrawn', by: 'applicant', labelZh: '撤回', labelEn: 'Withdraw' },
  { from: 'supplement', to: 'provider_review', by: 'applicant', labelZh: '补充后重新提交', labelEn: 'Supplement and resubmit' },
  { from: 'supplement', to: 'withdrawn', by: 'applicant', labelZh: '撤回', labelEn: 'Withdraw' },
  { from: 'supplement', to: 'lapsed', by: 'system', labelZh: '逾期未补充，终止', labelEn: 'Not supplemented in time: lapsed' },
];

export function isState(s: string): s is OpenApplyState {
  return (STATES as readonly string[]).includes(s);
}

/** The rule for from → to (whoever may take it). */
export function findTransition(from: OpenApplyState, to: OpenApplyState): TransitionRule | undefined {
  return TRANSITIONS.find((t) => t.from === from && t.to === to);
}

/** Steps out of `from` that someone acting as one of `as` may take (system steps never appear). */
export function allowedTransitions(from: OpenApplyState, as: readonly OpenApplyRole[]): TransitionRule[] {
  return TRANSITIONS.filter((t) => t.from === from && t.by !== 'system' && as.includes(t.by));
}

/** Which deadline each open state runs under. */
export type DeadlineKind = 'review' | 'supplement';
export const STATE_DEADLINE: Partial<Record<OpenApplyState, DeadlineKind>> = {
  provider_review: 'review',
  supplement: 'supplement',
};

export const STATE_LABELS: Record<OpenApplyState, { zh: string; en: string }> = {
  provider_review: { zh: '提供部门审核', en: 'Provider review' },
  supplement: { zh: '待补充材料', en: 'More information requested' },
  approved: { zh: '已通过', en: 'Approved' },
  rejected: { zh: '未通过', en: 'Rejected' },
  withdrawn: { zh: '已撤回', en: 'Withdrawn' },
  lapsed: { zh: '已终止（逾期未补充）', en: 'Lapsed (not supplemented)' },
};

export const ROLE_LABELS: Record<OpenApplyRole, { zh: string; en: string }> = {
  applicant: { zh: '申请人', en: 'the applicant' },
  provider: { zh: '数据提供部门', en: 'the providing department' },
  authority: { zh: '数据管理机构', en: 'the data authority' },
  system: { zh: '系统（时限到期）', en: 'the system (deadline)' },
};

export const APPLICANT_KINDS = ['company', 'researcher', 'citizen'] as const;
export type ApplicantKind = (typeof APPLICANT_KINDS)[number];
