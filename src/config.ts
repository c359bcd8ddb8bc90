// All configuration is read and validated here, once, then passed in. No other module reads process.env.
import path from 'node:path';

type Kind = 'string' | 'int' | 'bool' | 'url';

interface VarDef {
  name: string;
  kind: Kind;
  default?: string;
  min?: number;
  max?: number;
  secret?: boolean;
  doc: string;
}

/** Every environment variable the platform reads. The README's configuration table is this list. */
export const CONFIG_VARS = [
  {
    name: 'DATABASE_URL',
    kind: 'url',
    secret: true,
    doc: 'PostgreSQL (≥ 15) connection URL. Unset: start the embedded PostgreSQL under the data directory.',
  },
  {
    name: 'SHUYUAN_DATA_DIR',
    kind: 'string',
    default: './data',
    doc: 'Where the embedded database (pg/), the object store (objects/) and the ledger signing key (keys/) live.',
  },
  {
    name: 'SHUYUAN_PG_PORT',
    kind: 'int',
    default: '54329',
    min: 0,
    max: 65535,
    doc: 'Preferred port of the embedded PostgreSQL; a free port is picked when it is taken.',
  },
  { name: 'SHUYUAN_HOST', kind: 'string', default: '127.0.0.1', doc: 'Address the HTTP server listens on (0.0.0.0 for all interfaces).' },
  { name: 'SHUYUAN_PORT', kind: 'int', default: '8080', min: 0, max: 65535, doc: 'HTTP port (0 picks a free one).' },
  {
    name: 'SHUYUAN_PUBLIC_URL',
    kind: 'string',
    default: '',
    doc: 'Public base URL printed at start and used in e-mails (default http://HOST:PORT).',
  },
  {
    name: 'SHUYUAN_PLATFORM_NAME',
    kind: 'string',
    default: '数源公共数据资源平台',
    doc: 'This platform’s name as peer platforms see it (issuer of back-flow grant packages).',
  },
  {
    name: 'SHUYUAN_DEMO',
    kind: 'bool',
    default: '1',
    doc: 'Seed the demo city (示范市) on first start with an empty database. 0 turns it off.',
  },
  { name: 'SHUYUAN_LOG_LEVEL', kind: 'string', default: 'info', doc: 'Log level: fatal, error, warn, info, debug, trace, silent.' },
  { name: 'SHUYUAN_SESSION_HOURS', kind: 'int', default: '12', min: 1, max: 720, doc: 'Idle lifetime of a login session in hours.' },
  { name: 'SHUYUAN_COOKIE_SECURE', kind: 'bool', default: '0', doc: 'Mark cookies Secure (set to 1 behind HTTPS).' },
  { name: 'SHUYUAN_LOGIN_MAX_FAILURES', kind: 'int', default: '5', min: 1, max: 100, doc: 'Failed logins before a temporary lockout.' },
  { name: 'SHUYUAN_LOCKOUT_MINUTES', kind: 'int', default: '15', min: 1, max: 1440, doc: 'Length of the temporary lockout.' },
  {
    name: 'SHUYUAN_SIGNATURE_WINDOW_SECONDS',
    kind: 'int',
    default: '300',
    min: 10,
    max: 3600,
    doc: 'API-key request signatures older or newer than this are refused; nonces are remembered this long.',
  },
  {
    name: 'SHUYUAN_BODY_LIMIT',
    kind: 'int',
    default: '1048576',
    min: 1024,
    max: 1073741824,
    doc: 'Largest JSON request body in bytes (413 above it).',
  },
  {
    name: 'SHUYUAN_RATE_LIMIT',
    kind: 'int',
    default: '600',
    min: 1,
    max: 1000000,
    doc: 'Requests per minute per client IP (and per API key); 429 with Retry-After above it.',
  },
  {
    name: 'SHUYUAN_PREPARE_PUBLIC_EXPORTS',
    kind: 'bool',
    default: '1',
    doc: 'When a version of an unconditionally open dataset is published, build its public (masked) CSV download at once, so the first visitor does not wait for it (docs/portal.md).',
  },
  {
    name: 'SHUYUAN_ANON_RATE_LIMIT',
    kind: 'int',
    default: '300',
    min: 1,
    max: 1000000,
    doc: 'Requests per minute per client IP to the public read APIs (/resource, dataset preview/query/download, search, /api/3/action, /catalog) without an application token (docs/portal.md).',
  },
  {
    name: 'SHUYUAN_APP_TOKEN_RATE_LIMIT',
    kind: 'int',
    default: '1200',
    min: 1,
    max: 1000000,
    doc: 'Requests per minute per application token (X-App-Token: a developer key’s AppKey) for anonymous callers (docs/portal.md).',
  },
  {
    name: 'SHUYUAN_LEDGER_CHECKPOINT_EVERY',
    kind: 'int',
    default: '1000',
    min: 1,
    max: 10000000,
    doc: 'Sign a ledger checkpoint every N entries …',
  },
  {
    name: 'SHUYUAN_LEDGER_CHECKPOINT_SECONDS',
    kind: 'int',
    default: '300',
    min: 1,
    max: 86400,
    doc: '… or every T seconds when there are new entries.',
  },
  {
    name: 'SHUYUAN_SMTP_URL',
    kind: 'url',
    default: '',
    secret: true,
    doc: 'SMTP server for notification e-mail (smtp://user:pass@host:587). Unset: e-mails are written to the log.',
  },
  { name: 'SHUYUAN_MAIL_FROM', kind: 'string', default: 'Shuyuan <noreply@shuyuan.local>', doc: 'Sender of notification e-mail.' },
  // ---- data plane (docs/dataplane.md)
  {
    name: 'SHUYUAN_OBJECT_STORE',
    kind: 'string',
    default: 'local',
    doc: 'Where dataset files live: local (files under the data directory, objects/) or s3 (an S3-compatible server, below).',
  },
  {
    name: 'SHUYUAN_S3_ENDPOINT',
    kind: 'string',
    default: '',
    doc: 'S3-compatible endpoint URL (for SHUYUAN_OBJECT_STORE=s3), e.g. http://minio:9000.',
  },
  {
    name: 'SHUYUAN_S3_REGION',
    kind: 'string',
    default: 'us-east-1',
    doc: 'S3 region (self-hosted S3 servers usually accept the default).',
  },
  { name: 'SHUYUAN_S3_BUCKET', kind: 'string', default: 'shuyuan', doc: 'S3 bucket for dataset files.' },
  { name: 'SHUYUAN_S3_ACCESS_KEY', kind: 'string', default: '', secret: true, doc: 'S3 access key id.' },
  { name: 'SHUYUAN_S3_SECRET_KEY', kind: 'string', default: '', secret: true, doc: 'S3 secret access key.' },
  { name: 'SHUYUAN_S3_PATH_STYLE', kind: 'bool', default: '1', doc: 'Path-style S3 addressing (most self-hosted S3 servers need it).' },
  {
    name: 'SHUYUAN_UPLOAD_MAX_BYTES',
    kind: 'int',
    default: String(5 * 1024 ** 3),
    min: 1024,
    max: Number.MAX_SAFE_INTEGER,
    doc: 'Largest file a resumable upload may declare (bytes; default 5 GiB). Larger ones get 413 before any byte is stored.',
  },
  {
    name: 'SHUYUAN_UPLOAD_EXPIRY_HOURS',
    kind: 'int',
    default: '24',
    min: 1,
    max: 720,
    doc: 'An unfinished upload untouched this long is deleted.',
  },
  {
    name: 'SHUYUAN_DUCKDB_MEMORY',
    kind: 'string',
    default: '512MB',
    doc: 'DuckDB memory limit (it spills to the data directory beyond it).',
  },
  { name: 'SHUYUAN_DUCKDB_THREADS', kind: 'int', default: '2', min: 1, max: 256, doc: 'DuckDB worker threads.' },
  {
    name: 'SHUYUAN_INGEST_BAD_ROWS',
    kind: 'string',
    default: 'reject',
    doc: 'What an ingest does with rows that do not fit the schema: reject (the whole file, default) or quarantine (keep the good rows, report the bad ones).',
  },
  {
    name: 'SHUYUAN_QUALITY_GATE',
    kind: 'int',
    default: '0',
    min: 0,
    max: 100,
    doc: 'Refuse to publish a dataset version whose overall quality score is below this (0–100; 0 turns the gate off).',
  },
  {
    name: 'SHUYUAN_SOURCE_QUERY_TIMEOUT_SECONDS',
    kind: 'int',
    default: '600',
    min: 1,
    max: 86400,
    doc: 'Longest a query against a source database may run before the ingest fails.',
  },
] as const satisfies readonly VarDef[];

export interface Config {
  databaseUrl: string | null;
  dataDir: string;
  pgPort: number;
  host: string;
  port: number;
  /** SHUYUAN_PUBLIC_URL, or null to derive it from the listening address. */
  publicUrl: string | null;
  /** SHUYUAN_PLATFORM_NAME: the name peers see (back-flow packages). */
  platformName: string;
  demo: boolean;
  logLevel: string;
  sessionHours: number;
  cookieSecure: boolean;
  loginMaxFailures: number;
  lockoutMinutes: number;
  signatureWindowSeconds: number;
  bodyLimit: number;
  rateLimit: number;
  /** SHUYUAN_PREPARE_PUBLIC_EXPORTS: build the public CSV export of an open dataset's new version at publication. */
  preparePublicExports: boolean;
  /** SHUYUAN_ANON_RATE_LIMIT: per minute per IP on the public read APIs without an app token. */
  anonRateLimit: number;
  /** SHUYUAN_APP_TOKEN_RATE_LIMIT: per minute per X-App-Token. */
  appTokenRateLimit: number;
  ledgerCheckpointEvery: number;
  ledgerCheckpointSeconds: number;
  smtpUrl: string | null;
  mailFrom: string;
  objectStore: 'local' | 's3';
  s3: { endpoint: string | null; region: string; bucket: string; accessKey: string; secretKey: string; pathStyle: boolean };
  uploadMaxBytes: number;
  uploadExpiryHours: number;
  duckdbMemory: string;
  duckdbThreads: number;
  ingestBadRows: 'reject' | 'quarantine';
  qualityGate: number;
  sourceQueryTimeoutSeconds: number;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

function parseVar(def: VarDef, raw: string | undefined): string | number | boolean | null {
  const value = raw === undefined || raw === '' ? def.default : raw;
  if (value === undefined || value === '') return def.kind === 'bool' ? false : null;
  switch (def.kind) {
    case 'int': {
      if (!/^-?\d+$/.test(value)) throw new ConfigError(`${def.name} must be an integer, got "${value}"`);
      const n = Number(value);
      if ((def.min !== undefined && n < def.min) || (def.max !== undefined && n > def.max)) {
        throw new ConfigError(`${def.name} must be between ${def.min} and ${def.max}, got ${n}`);
      }
      return n;
    }
    case 'bool':
      if (['1', 'true', 'yes', 'on'].includes(value.toLowerCase())) return true;
      if (['0', 'false', 'no', 'off'].includes(value.toLowerCase())) return false;
      throw new ConfigError(`${def.name} must be 0 or 1, got "${value}"`);
    case 'url':
      try {
        new URL(value);
      } catch {
        throw new ConfigError(`${def.name} is not a valid URL`);
      }
      return value;
    default:
      return value;
  }
}

/** Reads and validates the configuration from an environment (process.env by default). */
export function loadConfig(env: Record<string, string | undefined> = process.env, overrides: Partial<Config> = {}): Config {
  const v: Record<string, string | number | boolean | null> = {};
  for (const def of CONFIG_VARS as readonly VarDef[]) v[def.name] = parseVar(def, env[def.name]);
  const logLevel = String(v.SHUYUAN_LOG_LEVEL);
  if (!LOG_LEVELS.includes(logLevel)) throw new ConfigError(`SHUYUAN_LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}`);
  const objectStore = String(v.SHUYUAN_OBJECT_STORE);
  if (objectStore !== 'local' && objectStore !== 's3') throw new ConfigError('SHUYUAN_OBJECT_STORE must be local or s3');
  if (objectStore === 's3' && !v.SHUYUAN_S3_ENDPOINT) throw new ConfigError('SHUYUAN_S3_ENDPOINT is required with SHUYUAN_OBJECT_STORE=s3');
  const ingestBadRows = String(v.SHUYUAN_INGEST_BAD_ROWS);
  if (ingestBadRows !== 'reject' && ingestBadRows !== 'quarantine')
    throw new ConfigError('SHUYUAN_INGEST_BAD_ROWS must be reject or quarantine');
  const duckdbMemory = String(v.SHUYUAN_DUCKDB_MEMORY);
  if (!/^\d+(\.\d+)?\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)$/i.test(duckdbMemory))
    throw new ConfigError('SHUYUAN_DUCKDB_MEMORY must look like 512MB or 2GB');
  const host = String(v.SHUYUAN_HOST);
  const port = v.SHUYUAN_PORT as number;
  const config: Config = {
    databaseUrl: (v.DATABASE_URL as string | null) ?? null,
    dataDir: path.resolve(String(v.SHUYUAN_DATA_DIR)),
    pgPort: v.SHUYUAN_PG_PORT as number,
    host,
    port,
    publicUrl: String(v.SHUYUAN_PUBLIC_URL ?? '') || null,
    platformName: String(v.SHUYUAN_PLATFORM_NAME),
    demo: v.SHUYUAN_DEMO as boolean,
    logLevel,
    sessionHours: v.SHUYUAN_SESSION_HOURS as number,
    cookieSecure: v.SHUYUAN_COOKIE_SECURE as boolean,
    loginMaxFailures: v.SHUYUAN_LOGIN_MAX_FAILURES as number,
    lockoutMinutes: v.SHUYUAN_LOCKOUT_MINUTES as number,
    signatureWindowSeconds: v.SHUYUAN_SIGNATURE_WINDOW_SECONDS as number,
    bodyLimit: v.SHUYUAN_BODY_LIMIT as number,
    rateLimit: v.SHUYUAN_RATE_LIMIT as number,
    preparePublicExports: v.SHUYUAN_PREPARE_PUBLIC_EXPORTS as boolean,
    anonRateLimit: v.SHUYUAN_ANON_RATE_LIMIT as number,
    appTokenRateLimit: v.SHUYUAN_APP_TOKEN_RATE_LIMIT as number,
    ledgerCheckpointEvery: v.SHUYUAN_LEDGER_CHECKPOINT_EVERY as number,
    ledgerCheckpointSeconds: v.SHUYUAN_LEDGER_CHECKPOINT_SECONDS as number,
    smtpUrl: (v.SHUYUAN_SMTP_URL as string | null) ?? null,
    mailFrom: String(v.SHUYUAN_MAIL_FROM),
    objectStore,
    s3: {
      endpoint: (v.SHUYUAN_S3_ENDPOINT as string | null) || null,
      region: String(v.SHUYUAN_S3_REGION),
      bucket: String(v.SHUYUAN_S3_BUCKET),
      accessKey: String(v.SHUYUAN_S3_ACCESS_KEY ?? ''),
      secretKey: String(v.SHUYUAN_S3_SECRET_KEY ?? ''),
      pathStyle: v.SHUYUAN_S3_PATH_STYLE as boolean,
    },
    uploadMaxBytes: v.SHUYUAN_UPLOAD_MAX_BYTES as number,
    uploadExpiryHours: v.SHUYUAN_UPLOAD_EXPIRY_HOURS as number,
    duckdbMemory,
    duckdbThreads: v.SHUYUAN_DUCKDB_THREADS as number,
    ingestBadRows,
    qualityGate: v.SHUYUAN_QUALITY_GATE as number,
    sourceQueryTimeoutSeconds: v.SHUYUAN_SOURCE_QUERY_TIMEOUT_SECONDS as number,
    ...overrides,
  };
  return config;
}
