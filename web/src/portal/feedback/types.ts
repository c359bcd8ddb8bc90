// Shapes of the portal feedback API (src/modules/feedback/schemas.ts).
export interface OrgBrief {
  id: string;
  nameZh: string;
  nameEn: string;
}
export interface ResourceBrief {
  id: string;
  code: string;
  nameZh: string;
  nameEn: string;
}
export interface FeedbackEvent {
  action: string;
  byRole: 'requester' | 'department' | 'authority' | 'system';
  text: string;
  details: Record<string, unknown>;
  at: string;
}
export type DemandKind = 'dataset' | 'format' | 'field' | 'frequency';
export type AnswerKind = 'accepted' | 'rejected' | 'available';
export interface Demand {
  id: string;
  title: string;
  description: string;
  kind: DemandKind;
  neededFields: string[];
  purpose: string;
  requester: string;
  mine: boolean;
  targetOrg: OrgBrief | null;
  resource: ResourceBrief | null;
  status: 'open' | 'answered' | 'closed' | 'rejected';
  answerKind: AnswerKind | null;
  reply: string;
  plannedDate: string | null;
  answerResource: ResourceBrief | null;
  votes: number;
  votedByMe: boolean;
  workingDays: number | null;
  dueDate: string | null;
  overdue: boolean;
  respondedAt: string | null;
  answerWorkingDays: number | null;
  createdAt: string;
  canAnswer: boolean;
  canRoute: boolean;
  events: FeedbackEvent[];
}
export type ReportKind = 'wrong_value' | 'stale' | 'broken_file' | 'other';
export type ReportStatus = 'open' | 'accepted' | 'rejected' | 'needs_info' | 'corrected';
export type ReportAction = 'accept' | 'reject' | 'needs_info' | 'correct' | 'info';
export interface ErrorReport {
  id: string;
  number: string;
  resource: ResourceBrief | null;
  datasetId: string;
  version: number;
  rowNumber: number | null;
  field: string | null;
  kind: ReportKind;
  description: string;
  reporter: string;
  mine: boolean;
  providerOrg: OrgBrief | null;
  status: ReportStatus;
  answer: string;
  respondedAt: string | null;
  answerWorkingDays: number | null;
  fixedVersion: number | null;
  correctedAt: string | null;
  workingDays: number;
  dueDate: string;
  overdue: boolean;
  createdAt: string;
  allowed: ReportAction[];
  events: FeedbackEvent[];
}
export type ReuseKind = 'app' | 'story' | 'paper' | 'visualization';
export interface Reuse {
  id: string;
  title: string;
  description: string;
  kind: ReuseKind;
  url: string;
  imageUrl: string | null;
  submitter: string;
  mine: boolean;
  status: 'pending' | 'published' | 'rejected';
  rejectReason: string | null;
  featured: boolean;
  datasets: ResourceBrief[];
  createdAt: string;
  moderatedAt: string | null;
  canModerate: boolean;
}
export interface Page<T> {
  items: T[];
  total: number;
  page: number;
  pageSize: number;
}
export interface StatFigure {
  total: number;
  answered: number;
  overdue: number;
  answerRate: number | null;
  medianAnswerDays: number | null;
}
export interface FeedbackStats {
  demands: StatFigure;
  errorReports: StatFigure;
  reuses: number;
  departments: { org: OrgBrief | null; demands: StatFigure; errorReports: StatFigure }[];
  generatedAt: string;
}
