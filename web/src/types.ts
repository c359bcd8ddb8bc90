// Shapes of the API responses the web app reads (see /api/openapi.json for the full contract).
export const ROLES = [
  'authority_admin',
  'provider_clerk',
  'consumer_clerk',
  'operator',
  'public_user',
  'auditor',
  'security_officer',
] as const;
export type Role = (typeof ROLES)[number];

export const ORG_KINDS = ['authority', 'department', 'unit', 'operator', 'company', 'public'] as const;
export type OrgKind = (typeof ORG_KINDS)[number];

export interface OrgRef {
  id: string;
  code?: string;
  nameZh: string;
  nameEn: string;
  kind?: OrgKind;
}

export interface Me {
  id: string;
  username: string;
  displayName: string;
  roles: Role[];
  org: OrgRef | null;
  authMethod?: string;
}

export interface Org {
  id: string;
  parentId: string | null;
  code: string;
  nameZh: string;
  nameEn: string;
  kind: OrgKind;
  status?: string;
  creditCode?: string | null;
}

export interface UserRow {
  id: string;
  username: string;
  displayName: string;
  org: OrgRef | null;
  roles: Role[];
  status: string;
  lockedUntil: string | null;
  lastLoginAt: string | null;
  createdAt: string;
}

export interface Page<T> {
  items: T[];
  total: number;
  page?: number;
  pageSize?: number;
}

export interface LedgerEntry {
  seq: number;
  time: string;
  actorId: string | null;
  actorName: string | null;
  actorKind: string;
  orgId: string | null;
  action: string;
  objectType: string;
  objectId: string | null;
  purpose: string | null;
  details: unknown;
  prevHash: string;
  hash: string;
}

export interface VerifyResult {
  ok: boolean;
  entries: number;
  checkpoints: number;
  firstBad?: { seq: number; reason: string } | null;
}

export interface VerifyJob {
  state: string;
  result?: VerifyResult | null;
  error?: unknown;
}

export interface Notification {
  id: string;
  kind: string;
  titleZh: string;
  titleEn: string;
  bodyZh: string;
  bodyEn: string;
  link: string | null;
  createdAt: string;
  readAt: string | null;
}

export interface NotificationPage extends Page<Notification> {
  unread: number;
}

export interface CalendarDay {
  date: string;
  working: boolean;
  kind: string;
  name?: string | null;
  override?: { kind: 'workday' | 'holiday'; note: string } | null;
}

export interface CalendarYear {
  year: number;
  days: CalendarDay[];
  dataAvailable: boolean;
}

export interface ApiKey {
  id: string;
  name: string;
  appKey: string;
  createdAt?: string;
  lastUsedAt?: string | null;
  revokedAt?: string | null;
  secretSha256Prefix?: string;
}

export interface Stats {
  organizations: number;
  users: number;
  activeUsers: number;
  ledgerEntries: number;
  checkpoints: number;
  lastCheckpointAt: string | null;
  unreadNotifications: number;
  datasets: number;
  datasetRows: number;
  activeGrants: number;
  openRequests: number;
  overdueRequests: number;
  gatewayCallsToday: number;
}

export interface Meta {
  name: string;
  version: string;
  languages: string[];
  demo: boolean;
  demoLogins: { username: string; role: Role }[];
  demoPassword: string | null;
}
