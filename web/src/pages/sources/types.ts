// Shapes of the source-database API (src/modules/sources/schemas.ts; /api/openapi.json has the full contract).
import type { OrgRef } from '../../types.ts';

export const SOURCE_KINDS = ['postgresql', 'mysql'] as const;
export type SourceKind = (typeof SOURCE_KINDS)[number];

export const KIND_LABELS: Record<SourceKind, string> = { postgresql: 'PostgreSQL', mysql: 'MySQL / MariaDB' };

export const DEFAULT_PORTS: Record<SourceKind, number> = { postgresql: 5432, mysql: 3306 };

export interface Connection {
  id: string;
  org: OrgRef;
  name: string;
  kind: SourceKind;
  host: string;
  port: number;
  database: string;
  user: string;
  options: { ssl: boolean };
  hasPassword: boolean;
  specCount: number;
  createdBy: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface TestResult {
  ok: boolean;
  kind: SourceKind;
  serverVersion: string;
  privileged: boolean;
  latencyMs: number;
}

export type SpecMode = 'full' | 'incremental';

export interface Spec {
  id: string;
  connectionId: string;
  connectionName: string;
  kind: SourceKind;
  orgId: string;
  datasetId: string;
  name: string;
  query: string;
  mode: SpecMode;
  incrementalColumn: string | null;
  lastValue: string | null;
  schedule: string | null;
  scheduleTimeZone: 'Asia/Shanghai';
  nextRunAt: string | null;
  lastRun: {
    at: string;
    status: 'queued' | 'running' | 'succeeded' | 'failed';
    jobId: string | null;
    error: { code: string; message: string } | null;
  } | null;
  createdAt: string;
  updatedAt: string;
}
