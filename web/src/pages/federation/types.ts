// Shapes of the back-flow API (数据回流, src/modules/federation/routes.ts; /api/openapi.json has the full contract).

export interface Identity {
  name: string;
  keyId: string;
  publicKeyPem: string;
  format: string;
}

export interface Named {
  id: string;
  code: string;
  nameZh: string;
  nameEn: string;
}

export interface RowFilter {
  field: string;
  values: string[];
}

export type GrantState = 'active' | 'suspended' | 'expired' | 'revoked';

/** A grant package this platform issued (issuing side). */
export interface Grant {
  id: string;
  peerOrg: Named;
  resource: Named;
  entitlementId: string;
  applicationId: string;
  fields: string[];
  rowFilter: RowFilter | null;
  validFrom: string;
  validTo: string | null;
  state: GrantState;
  stateReason: string | null;
  packageSha256: string;
  createdAt: string;
}

/** The signed package (shuyuan-federation-grant/1); it holds an AppSecret. */
export interface GrantPackage {
  format: string;
  issuedAt: string;
  issuer: { name: string; baseUrl: string; keyId: string; publicKeyPem: string };
  grant: { id: string; entitlementId: string; fields: string[]; rowFilter: RowFilter | null; validFrom: string; validTo: string | null };
  resource: { id: string; code: string; nameZh: string; nameEn: string; fields: { code: string; nameZh: string; nameEn: string }[] };
  credentials: { appKey: string; appSecret: string };
  signature: string;
}

export type PullStatus = 'queued' | 'running' | 'ok' | 'unchanged' | 'failed' | 'skipped';
export type PullPhase = 'extract' | 'download' | 'ingest';

export interface PullError {
  reason: string;
  status?: number;
  remoteCode?: string;
  message?: string;
  at?: string;
}

/** A back-flow link this platform accepted (receiving side). */
export interface Link {
  id: string;
  issuerName: string;
  issuerBaseUrl: string;
  issuerKeyId: string;
  remoteResource: { id: string; code: string; nameZh: string };
  fields: string[];
  rowFilter: RowFilter | null;
  validTo: string | null;
  localResourceId: string;
  localResource: Named | null;
  localDataset: { id: string; currentVersion: number | null } | null;
  state: 'active' | 'disabled';
  lastPull: {
    at: string;
    status: 'ok' | 'unchanged' | 'failed';
    error: string | null;
    remoteVersion: number | null;
    rows: number | null;
    sha256: string | null;
  } | null;
  lastSuccessAt: string | null;
  consecutiveFailures: number;
  lastError: PullError | null;
  schedule: { cron: string; timeZone: string; paused: boolean; nextRunAt: string | null } | null;
  activePull: {
    id: string;
    status: 'queued' | 'running';
    phase: PullPhase | null;
    trigger: 'manual' | 'schedule';
    createdAt: string;
  } | null;
  createdAt: string;
}

export interface Pull {
  id: string;
  trigger: 'manual' | 'schedule';
  status: PullStatus;
  phase: PullPhase | null;
  jobId: string | null;
  requestedBy: string | null;
  extractId: string | null;
  remoteVersion: number | null;
  rows: number | null;
  bytes: number | null;
  sha256: string | null;
  localVersion: number | null;
  error: PullError | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

/** Failure reasons the pages explain (others show the server's message). */
export const KNOWN_REASONS = [
  'remote_refused',
  'checksum',
  'network',
  'timeout',
  'extract_failed',
  'ingest',
  'http',
  'interrupted',
  'FEDERATION_LINK_DISABLED',
] as const;

/** Schedule presets (cron, China time); pulls must be at least an hour apart. */
export const SCHEDULE_PRESETS = [
  { key: 'hourly', cron: '0 * * * *' },
  { key: 'daily', cron: '0 3 * * *' },
  { key: 'weekly', cron: '0 3 * * 1' },
  { key: 'monthly', cron: '0 3 1 * *' },
] as const;
