// The resource lifecycle as an explicit state machine: (state × target) → effect, who may do it.
//
// States are the resource status, except that a published resource with a pending revision (status 'updated')
// is split by the revision's own progress: 'updated:draft', 'updated:submitted', 'updated:returned',
// 'updated:approved'. While 'updated', the resource stays visible with its last published metadata; the
// revision lives in catalog_resources.pending until it is approved and published (a new version).
//
// `by`: 'provider' — a clerk of the provider organization (or its parents), authorization action
// 'catalog.update' on the provider org; 'authority' — the data authority, action 'catalog.review'.
// Every transition needs a non-empty comment; it is stored in catalog_resource_events and the ledger.
import type { RevisionStatus, Status } from './repository.ts';

export type StateKey = Exclude<Status, 'updated'> | `updated:${RevisionStatus}`;
export type Party = 'provider' | 'authority';
export type Effect =
  | 'set_status' // status := to
  | 'open_revision' // published → updated: the pending revision starts as a copy of the published metadata
  | 'revision_status' // updated: revision_status := to
  | 'discard_revision' // updated → published: the pending revision is dropped
  | 'publish' // approved → published: a new version (v1 on first publication)
  | 'publish_revision' // updated:approved → published: the revision replaces the metadata, a new version
  | 'close'; // → deprecated / withdrawn (a pending revision is dropped)

export interface Transition {
  from: StateKey;
  to: Status;
  by: Party;
  effect: Effect;
  zh: string;
  en: string;
}

export const TRANSITIONS: readonly Transition[] = [
  { from: 'draft', to: 'submitted', by: 'provider', effect: 'set_status', zh: '提交审核', en: 'Submit for review' },
  { from: 'draft', to: 'withdrawn', by: 'provider', effect: 'close', zh: '放弃草稿', en: 'Abandon the draft' },
  { from: 'submitted', to: 'returned', by: 'authority', effect: 'set_status', zh: '退回修改', en: 'Return for changes' },
  { from: 'submitted', to: 'approved', by: 'authority', effect: 'set_status', zh: '审核通过', en: 'Approve' },
  { from: 'returned', to: 'submitted', by: 'provider', effect: 'set_status', zh: '重新提交', en: 'Resubmit' },
  { from: 'returned', to: 'withdrawn', by: 'provider', effect: 'close', zh: '放弃草稿', en: 'Abandon the draft' },
  { from: 'approved', to: 'published', by: 'authority', effect: 'publish', zh: '发布', en: 'Publish' },
  { from: 'approved', to: 'returned', by: 'authority', effect: 'set_status', zh: '退回修改', en: 'Return for changes' },
  { from: 'published', to: 'updated', by: 'provider', effect: 'open_revision', zh: '发起修订', en: 'Start a revision' },
  { from: 'published', to: 'deprecated', by: 'authority', effect: 'close', zh: '停用', en: 'Deprecate' },
  { from: 'published', to: 'withdrawn', by: 'authority', effect: 'close', zh: '撤销', en: 'Withdraw' },
  { from: 'updated:draft', to: 'submitted', by: 'provider', effect: 'revision_status', zh: '提交修订', en: 'Submit the revision' },
  { from: 'updated:draft', to: 'published', by: 'provider', effect: 'discard_revision', zh: '放弃修订', en: 'Discard the revision' },
  { from: 'updated:submitted', to: 'returned', by: 'authority', effect: 'revision_status', zh: '退回修订', en: 'Return the revision' },
  { from: 'updated:submitted', to: 'approved', by: 'authority', effect: 'revision_status', zh: '修订审核通过', en: 'Approve the revision' },
  { from: 'updated:returned', to: 'submitted', by: 'provider', effect: 'revision_status', zh: '重新提交修订', en: 'Resubmit the revision' },
  { from: 'updated:returned', to: 'published', by: 'provider', effect: 'discard_revision', zh: '放弃修订', en: 'Discard the revision' },
  { from: 'updated:approved', to: 'published', by: 'authority', effect: 'publish_revision', zh: '发布修订', en: 'Publish the revision' },
  { from: 'updated:approved', to: 'returned', by: 'authority', effect: 'revision_status', zh: '退回修订', en: 'Return the revision' },
  ...(['draft', 'submitted', 'returned', 'approved'] as const).flatMap((r): Transition[] => [
    { from: `updated:${r}`, to: 'deprecated', by: 'authority', effect: 'close', zh: '停用', en: 'Deprecate' },
    { from: `updated:${r}`, to: 'withdrawn', by: 'authority', effect: 'close', zh: '撤销', en: 'Withdraw' },
  ]),
  { from: 'deprecated', to: 'published', by: 'authority', effect: 'set_status', zh: '恢复发布', en: 'Reinstate' },
  { from: 'deprecated', to: 'withdrawn', by: 'authority', effect: 'close', zh: '撤销', en: 'Withdraw' },
];

export function stateKey(status: Status, revisionStatus: RevisionStatus | null): StateKey {
  return status === 'updated' ? `updated:${revisionStatus ?? 'draft'}` : status;
}

export function transitionsFrom(state: StateKey): Transition[] {
  return TRANSITIONS.filter((t) => t.from === state);
}

export function findTransition(state: StateKey, to: Status): Transition | undefined {
  return TRANSITIONS.find((t) => t.from === state && t.to === to);
}

/** States in which metadata and fields may be edited (the row before publication; the revision after). */
export const EDITABLE_STATES: StateKey[] = ['draft', 'returned', 'published', 'updated:draft', 'updated:returned'];

/** States the authority's review queue shows. */
export const REVIEW_STATES: StateKey[] = ['submitted', 'approved', 'updated:submitted', 'updated:approved'];
