// The registration (登记) workflow as an explicit state machine. Pure data and functions: the service applies
// it inside a transaction, the routes list the allowed transitions, the web app draws it.
//
//   (apply) → applied ──accept──────────→ accepted ──start notice──→ public_notice ──notice ends (job)──┐
//               │  ↑                          │                                                         │
//        return │  │ resubmit                 └─reject                  no objections → pending_decision ┤
//               ↓  │                                                    objections    → objection_review ┤
//          returned_incomplete                                          both → approved | rejected ─────┘
//
//   applied may also be rejected (不予受理, with reasons); the applicant may withdraw before the decision.
//
// Who: 'applicant' = a provider clerk of the subject's provider organization (subtree), 'authority' = the data
// authority (registration.review), 'system' = the deadline job (never a user).
//
// Stages follow the national registration platform and the provincial rules (申请 → 受理 → 形式审核 → 公示 →
// 赋码): 受理 = accepted, 形式审核 = the accepted stage until the authority starts the notice, 赋码 = approved
// (certificate with registration number and query code). 'pending_decision' is the stage after a notice that
// ended without objections.

export const STATES = [
  'applied', // 已申请，待受理
  'returned_incomplete', // 材料不全，退回补正（一次性告知）
  'accepted', // 已受理，形式审核
  'public_notice', // 公示中
  'objection_review', // 异议处理
  'pending_decision', // 公示期满，待决定
  'approved', // 已登记（发证）
  'rejected', // 不予登记 / 不予受理
  'withdrawn', // 申请人撤回
] as const;
export type RegistrationState = (typeof STATES)[number];

/** States in which an application is still open (one open application per subject). */
export const OPEN_STATES: readonly RegistrationState[] = [
  'applied',
  'returned_incomplete',
  'accepted',
  'public_notice',
  'objection_review',
  'pending_decision',
];
export const FINAL_STATES: readonly RegistrationState[] = ['approved', 'rejected', 'withdrawn'];

export type TransitionBy = 'applicant' | 'authority' | 'system';

export interface TransitionRule {
  from: RegistrationState;
  to: RegistrationState;
  by: TransitionBy;
  /** Short name of the step (zh-CN / en), for the timeline and the buttons. */
  labelZh: string;
  labelEn: string;
}

export const TRANSITIONS: readonly TransitionRule[] = [
  { from: 'applied', to: 'accepted', by: 'authority', labelZh: '受理', labelEn: 'Accept' },
  { from: 'applied', to: 'returned_incomplete', by: 'authority', labelZh: '退回补正', labelEn: 'Return as incomplete' },
  { from: 'applied', to: 'rejected', by: 'authority', labelZh: '不予受理', labelEn: 'Refuse' },
  { from: 'applied', to: 'withdrawn', by: 'applicant', labelZh: '撤回', labelEn: 'Withdraw' },
  { from: 'returned_incomplete', to: 'applied', by: 'applicant', labelZh: '补正后重新提交', labelEn: 'Resubmit' },
  { from: 'returned_incomplete', to: 'withdrawn', by: 'applicant', labelZh: '撤回', labelEn: 'Withdraw' },
  { from: 'accepted', to: 'public_notice', by: 'authority', labelZh: '开始公示', labelEn: 'Start public notice' },
  { from: 'accepted', to: 'rejected', by: 'authority', labelZh: '形式审核不通过', labelEn: 'Reject' },
  { from: 'accepted', to: 'withdrawn', by: 'applicant', labelZh: '撤回', labelEn: 'Withdraw' },
  { from: 'public_notice', to: 'pending_decision', by: 'system', labelZh: '公示期满无异议', labelEn: 'Notice ended, no objections' },
  { from: 'public_notice', to: 'objection_review', by: 'system', labelZh: '公示期满，有异议', labelEn: 'Notice ended with objections' },
  { from: 'public_notice', to: 'withdrawn', by: 'applicant', labelZh: '撤回', labelEn: 'Withdraw' },
  { from: 'objection_review', to: 'approved', by: 'authority', labelZh: '异议不成立，准予登记', labelEn: 'Dismiss objections and approve' },
  { from: 'objection_review', to: 'rejected', by: 'authority', labelZh: '异议成立，不予登记', labelEn: 'Uphold objections and reject' },
  { from: 'objection_review', to: 'withdrawn', by: 'applicant', labelZh: '撤回', labelEn: 'Withdraw' },
  { from: 'pending_decision', to: 'approved', by: 'authority', labelZh: '准予登记', labelEn: 'Approve' },
  { from: 'pending_decision', to: 'rejected', by: 'authority', labelZh: '不予登记', labelEn: 'Reject' },
  { from: 'pending_decision', to: 'withdrawn', by: 'applicant', labelZh: '撤回', labelEn: 'Withdraw' },
];

export function isState(s: string): s is RegistrationState {
  return (STATES as readonly string[]).includes(s);
}

export function findTransition(from: RegistrationState, to: RegistrationState): TransitionRule | undefined {
  return TRANSITIONS.find((t) => t.from === from && t.to === to);
}

/** Transitions out of `from` that someone acting as one of `as` may take (system steps never appear). */
export function allowedTransitions(from: RegistrationState, as: readonly TransitionBy[]): TransitionRule[] {
  return TRANSITIONS.filter((t) => t.from === from && t.by !== 'system' && as.includes(t.by));
}

export const STATE_LABELS: Record<RegistrationState, { zh: string; en: string }> = {
  applied: { zh: '待受理', en: 'Applied' },
  returned_incomplete: { zh: '退回补正', en: 'Returned as incomplete' },
  accepted: { zh: '已受理（形式审核）', en: 'Accepted (formal review)' },
  public_notice: { zh: '公示中', en: 'In public notice' },
  objection_review: { zh: '异议处理', en: 'Objection review' },
  pending_decision: { zh: '待决定', en: 'Awaiting decision' },
  approved: { zh: '已登记', en: 'Registered' },
  rejected: { zh: '不予登记', en: 'Rejected' },
  withdrawn: { zh: '已撤回', en: 'Withdrawn' },
};
