// Source databases → staging (docs/dataplane.md, "Staging"): a query's rows streamed from PostgreSQL or
// MySQL/MariaDB into the all-VARCHAR staging Parquet (`_row` + the result columns in order), never the whole
// result in memory.
//
// PostgreSQL: one READ ONLY transaction, the query inside `DECLARE … NO SCROLL CURSOR` sent over the extended
// protocol (one statement only), `FETCH FORWARD <batch>` until empty, each FETCH under a `statement_timeout` of
// the time left. MySQL/MariaDB: `SET SESSION TRANSACTION READ ONLY` + `START TRANSACTION READ ONLY`, the query
// streamed with mysql2 (`query().stream()`, back-pressure pauses the socket) under `max_statement_time`
// (MariaDB) / `max_execution_time` (MySQL) and a client-side timeout.
// Rows go through DuckDB's Appender into a temporary table of the engine and are written with one
// `COPY … TO '<out>.part' (FORMAT parquet)`, then renamed: the output exists whole or not at all.
//
// Values become text without loss: numbers as the server prints them (numeric/decimal exact), dates ISO
// (`2024-01-05`), timestamps `2024-01-05 10:00:00[.ffffff]` (the forms schema inference types); values with a
// zone in China time (sessions run in Asia/Shanghai / +08:00; an offset other than +08 is kept), booleans
// `true`/`false`, JSON as its text, binary (bytea, BLOB, BINARY) as base64 with a warning, BIT as its integer
// value; NULL and the empty string are NULL (the staging contract: empty is NULL).
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import mysql from 'mysql2';
import pg from 'pg';
import { AppError, badRequest } from '../../errors.ts';
import { quoteIdent, quoteLiteral, type DuckEngine } from '../datasets/duckdb.ts';
import './messages.ts';
import { checkIncrementalColumn, checkQuery, ingestStatement } from './query.ts';
import type { DuckDBAppender, DuckDBConnection } from '@duckdb/node-api';

export type SourceKind = 'postgresql' | 'mysql';

/** Where and how to connect (the password in clear: only ever in memory, never logged). */
export interface SourceEndpoint {
  kind: SourceKind;
  /** The host as configured (also the TLS server name). */
  host: string;
  /** The address to connect to (checked by the caller against the forbidden ranges); default: host. */
  address?: string;
  port: number;
  database: string;
  user: string;
  password: string;
  ssl: boolean;
}

export interface StageSpec {
  query: string;
  mode: 'full' | 'incremental';
  incrementalColumn?: string | null;
  /** High-water mark of the last published run (incremental), the server's own text for the value. */
  lastValue?: string | null;
  /** Driver type of the incremental column when the mark was taken ('pg:<oid>', 'mysql:<type>'). */
  lastValueType?: string | null;
}

export interface HighWater {
  value: string;
  type: string | null;
}

export interface SourceStageResult {
  path: string;
  format: SourceKind;
  columns: string[];
  rows: number;
  warnings: string[];
  /** Incremental: the mark to store once the version is published (the previous one when no row came); full: null. */
  highWater: HighWater | null;
  serverVersion: string;
}

export interface StageQueryOptions {
  /** The longest the query may run (config sourceQueryTimeoutSeconds). */
  timeoutSeconds: number;
  /** Rows per PostgreSQL FETCH and per progress report (default 10,000). */
  batchSize?: number;
}

export interface ProbeResult {
  kind: SourceKind;
  serverVersion: string;
  /** The account is a superuser (PostgreSQL) or holds SUPER/FILE (MySQL): use a read-only account instead. */
  privileged: boolean;
  latencyMs: number;
}

export const PROBE_TIMEOUT_MS = 5000;
const CONNECT_TIMEOUT_MS = 5000;
const SESSION_TIME_ZONE = 'Asia/Shanghai';

// ------------------------------------------------------------------------------------------------ errors

/** A driver or server message made safe to show: no credentials, bounded length. */
export function safeReason(e: unknown, password?: string): string {
  const err = e as { message?: unknown; code?: unknown };
  let msg = typeof err?.message === 'string' && err.message ? err.message : String(err?.code ?? e);
  msg = msg.replace(/\/\/[^/@\s]*@/g, '//***@');
  if (password && password.length >= 3) msg = msg.split(password).join('***');
  return msg.replace(/\s+/g, ' ').trim().slice(0, 300);
}

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
  'EADDRNOTAVAIL',
]);

/** Maps a failure to connect (or to sign in) to SOURCE_UNREACHABLE / SOURCE_AUTH_FAILED / SOURCE_DATABASE_UNKNOWN. */
export function connectError(e: unknown, ep: SourceEndpoint): AppError {
  if (e instanceof AppError) return e;
  const err = e as { code?: unknown; errno?: unknown; message?: string };
  const code = typeof err?.code === 'string' ? err.code : '';
  const errno = typeof err?.errno === 'number' ? err.errno : 0;
  const reason = safeReason(e, ep.password);
  const where = { host: ep.host, port: ep.port };
  // PostgreSQL: 28P01 invalid_password, 28000 invalid_authorization_specification (unknown role, pg_hba reject).
  // MySQL/MariaDB: 1045 access denied, 1044 no access to the database, 1698 access denied (auth plugin).
  if (code === '28P01' || code === '28000' || errno === 1045 || errno === 1044 || errno === 1698) {
    return new AppError(502, 'SOURCE_AUTH_FAILED', { reason }, { ...where, reason });
  }
  if (code === '3D000' || errno === 1049) {
    return new AppError(502, 'SOURCE_DATABASE_UNKNOWN', { database: ep.database }, { ...where, database: ep.database });
  }
  const network = NETWORK_CODES.has(code) || code.startsWith('ERR_TLS') || code.startsWith('ERR_SSL') || /CERT|SELF_SIGNED|SSL/.test(code);
  return new AppError(502, 'SOURCE_UNREACHABLE', { ...where, reason }, { ...where, reason, ...(network ? { code } : {}) });
}

class QueryTimeout extends Error {}

function queryError(e: unknown, ep: SourceEndpoint, timeoutSeconds: number): AppError {
  if (e instanceof AppError) return e;
  const err = e as { code?: unknown; errno?: unknown; message?: string };
  const code = typeof err?.code === 'string' ? err.code : '';
  const errno = typeof err?.errno === 'number' ? err.errno : 0;
  const msg = typeof err?.message === 'string' ? err.message : '';
  // PostgreSQL 57014 with "statement timeout"; MariaDB 1969 ER_STATEMENT_TIMEOUT; MySQL 3024 ER_QUERY_TIMEOUT;
  // mysql2's client-side timeout; pg's client-side read timeout; our own deadline between batches.
  if (
    e instanceof QueryTimeout ||
    (code === '57014' && /statement timeout/i.test(msg)) ||
    errno === 1969 ||
    errno === 3024 ||
    code === 'PROTOCOL_SEQUENCE_TIMEOUT' ||
    /Query read timeout/.test(msg)
  ) {
    return new AppError(504, 'SOURCE_QUERY_TIMEOUT', { seconds: timeoutSeconds }, { seconds: timeoutSeconds });
  }
  const reason = safeReason(e, ep.password);
  return new AppError(422, 'SOURCE_QUERY_FAILED', { reason }, { reason, ...(code ? { code } : errno ? { errno } : {}) });
}

// ------------------------------------------------------------------------------------------------ rendering

type Render = (raw: unknown) => string | null;

const PG_BOOL = 16;
const PG_BYTEA = 17;
const PG_TIMESTAMP = 1114;
const PG_TIMESTAMPTZ = 1184;

const PG_DATETIME = /^\d{4,}-\d\d-\d\d \d\d:\d\d:\d\d(?:\.(\d+))?(.*)$/;

/**
 * PostgreSQL prints a timestamp's fraction only when it is not zero ('…10:00:00' next to '…10:00:00.5'), and a
 * column mixing both forms would not be typed by schema inference. The renderer counts the longest fraction;
 * `finishSql` then pads every value of such a column to it (a column of whole seconds stays as it is).
 * A timestamptz printed in the session zone loses its '+08' (China time); any other offset (China's summer
 * time 1986–1991, local mean time before 1901) is kept, so nothing is lost.
 */
function pgTimestamp(zoned: boolean): Pick<Column, 'render' | 'binary' | 'finishSql'> {
  let digits = 0;
  return {
    render: (v) => {
      if (v === null) return null;
      let text = String(v);
      const m = PG_DATETIME.exec(text);
      if (!m) return text;
      if (m[1] && m[1].length > digits) digits = m[1].length;
      if (zoned && m[2] === '+08') text = text.slice(0, -3);
      return text;
    },
    binary: false,
    finishSql: (ident) => {
      if (digits === 0) return null;
      const whole = "'\\d{4,}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d'";
      const part = "'\\d{4,}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\.\\d+'";
      return (
        `case when regexp_full_match(${ident}, ${whole}) then ${ident} || '.${'0'.repeat(digits)}' ` +
        `when regexp_full_match(${ident}, ${part}) then ${ident} || repeat('0', ${digits} - (length(${ident}) - strpos(${ident}, '.'))) ` +
        `else ${ident} end`
      );
    },
  };
}

function pgRender(oid: number): Pick<Column, 'render' | 'binary' | 'finishSql'> {
  switch (oid) {
    case PG_BOOL:
      return { render: (v) => (v === null ? null : v === 't' ? 'true' : v === 'f' ? 'false' : String(v)), binary: false };
    case PG_BYTEA:
      return {
        render: (v) => (v === null ? null : Buffer.from(String(v).replace(/^\\x/, ''), 'hex').toString('base64')),
        binary: true,
      };
    case PG_TIMESTAMP:
      return pgTimestamp(false);
    case PG_TIMESTAMPTZ:
      return pgTimestamp(true);
    default:
      return { render: (v) => (v === null ? null : String(v)), binary: false };
  }
}

// mysql2 column type codes (MySQL protocol).
const MY = {
  DECIMAL: 0,
  TINY: 1,
  SHORT: 2,
  LONG: 3,
  TIMESTAMP: 7,
  LONGLONG: 8,
  INT24: 9,
  DATETIME: 12,
  YEAR: 13,
  VARCHAR: 15,
  BIT: 16,
  JSON: 245,
  NEWDECIMAL: 246,
  TINY_BLOB: 249,
  MEDIUM_BLOB: 250,
  LONG_BLOB: 251,
  BLOB: 252,
  VAR_STRING: 253,
  STRING: 254,
  GEOMETRY: 255,
} as const;
const MY_BINARY_CHARSET = 63;
const MY_STRINGISH = new Set<number>([MY.VARCHAR, MY.TINY_BLOB, MY.MEDIUM_BLOB, MY.LONG_BLOB, MY.BLOB, MY.VAR_STRING, MY.STRING]);
const MY_INTEGER = new Set<number>([MY.TINY, MY.SHORT, MY.LONG, MY.LONGLONG, MY.INT24, MY.YEAR]);

function mysqlRender(type: number, charset: number): Pick<Column, 'render' | 'binary'> {
  const text: Render = (v) => (v === null ? null : (v as Buffer).toString('utf8'));
  if (type === MY.GEOMETRY || (MY_STRINGISH.has(type) && charset === MY_BINARY_CHARSET)) {
    return { render: (v) => (v === null ? null : (v as Buffer).toString('base64')), binary: true };
  }
  if (type === MY.BIT) {
    return {
      render: (v) => (v === null ? null : BigInt('0x' + ((v as Buffer).toString('hex') || '0')).toString()),
      binary: false,
    };
  }
  // DATETIME and TIMESTAMP stay as the server prints them ('2024-01-05 10:00:00[.fff]'); a TIMESTAMP in the
  // session's zone, +08:00 (set below), like PostgreSQL's timestamptz.
  return { render: text, binary: false };
}

/** How MySQL compares the mark: exactly for integer and decimal columns (a bare string would compare as a double). */
function mysqlPlaceholder(lastValueType: string | null | undefined): string {
  const m = /^mysql:(\d+)$/.exec(lastValueType ?? '');
  const t = m ? Number(m[1]) : -1;
  if (MY_INTEGER.has(t)) return 'CAST(? AS DECIMAL(65,0))';
  if (t === MY.DECIMAL || t === MY.NEWDECIMAL) return 'CAST(? AS DECIMAL(65,30))';
  return '?';
}

// ------------------------------------------------------------------------------------------------ readers

interface Column {
  name: string;
  type: string;
  render: Render;
  binary: boolean;
  /** A DuckDB expression over the staged column (quoted identifier) applied when the file is written, or null. */
  finishSql?: (ident: string) => string | null;
}

interface Reader {
  serverVersion: string;
  /** Known once the first batch was read. */
  columns: Column[] | null;
  /** The next rows (raw driver values), or null at the end. */
  next(): Promise<unknown[][] | null>;
  close(): Promise<void>;
}

function endpointHost(ep: SourceEndpoint): string {
  return ep.address ?? ep.host;
}

function pgClient(ep: SourceEndpoint): pg.Client {
  const client = new pg.Client({
    host: endpointHost(ep),
    port: ep.port,
    database: ep.database,
    user: ep.user,
    password: ep.password,
    ssl: ep.ssl ? { rejectUnauthorized: true, servername: ep.host } : false,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    application_name: 'shuyuan-ingest',
    keepAlive: true,
  });
  client.on('error', () => undefined); // a dropped connection surfaces as the failing query's error
  return client;
}

async function endPg(client: pg.Client): Promise<void> {
  await Promise.race([client.end().catch(() => undefined), new Promise((r) => setTimeout(r, 2000).unref())]);
}

const RAW_TEXT = { getTypeParser: () => (v: string) => v } as unknown as pg.CustomTypesConfig;

async function openPg(ep: SourceEndpoint, statement: string, values: unknown[], deadline: number, batchSize: number): Promise<Reader> {
  const client = pgClient(ep);
  try {
    await client.connect();
  } catch (e) {
    await endPg(client);
    throw connectError(e, ep);
  }
  const left = () => deadline - Date.now();
  const guard = (ms: number) => {
    if (ms <= 0) throw new QueryTimeout();
    return ms;
  };
  let serverVersion: string;
  try {
    await client.query('begin transaction read only');
    const set = await client.query<{ v: string }>({
      text:
        "select current_setting('server_version') as v, set_config('statement_timeout', $1, true), set_config('TimeZone', $2, true), " +
        "set_config('DateStyle', 'ISO, YMD', true), set_config('IntervalStyle', 'postgres', true), " +
        "set_config('extra_float_digits', '3', true), set_config('bytea_output', 'hex', true)",
      values: [String(guard(left())), SESSION_TIME_ZONE],
    });
    serverVersion = `PostgreSQL ${set.rows[0]?.v ?? ''}`.trim();
    await client.query({ text: `declare sy_cursor no scroll cursor for ${statement}`, values, queryMode: 'extended' } as pg.QueryConfig);
  } catch (e) {
    await endPg(client);
    throw e;
  }
  const reader: Reader = {
    serverVersion,
    columns: null,
    async next() {
      const ms = guard(left());
      await client.query({ text: "select set_config('statement_timeout', $1, true)", values: [String(ms)] });
      const res = await client.query({
        text: `fetch forward ${batchSize} from sy_cursor`,
        rowMode: 'array',
        types: RAW_TEXT,
        queryMode: 'extended',
        query_timeout: ms + 5000,
      } as pg.QueryArrayConfig);
      if (!reader.columns) {
        reader.columns = res.fields.map((f) => ({ name: f.name, type: `pg:${f.dataTypeID}`, ...pgRender(f.dataTypeID) }));
      }
      return res.rows.length ? (res.rows as unknown[][]) : null;
    },
    async close() {
      await client.query('rollback').catch(() => undefined);
      await endPg(client);
    },
  };
  return reader;
}

type MyConn = mysql.Connection;

function mysqlConnection(ep: SourceEndpoint): MyConn {
  const conn = mysql.createConnection({
    // With TLS, connect by name so mysql2 can verify the certificate's identity (it takes the server name from
    // `host`); without, to the checked address.
    host: ep.ssl ? ep.host : endpointHost(ep),
    port: ep.port,
    user: ep.user,
    password: ep.password,
    database: ep.database,
    ssl: ep.ssl ? { rejectUnauthorized: true, verifyIdentity: true } : undefined,
    connectTimeout: CONNECT_TIMEOUT_MS,
    charset: 'utf8mb4',
    multipleStatements: false,
    supportBigNumbers: true,
    bigNumberStrings: true,
    dateStrings: true,
  } as mysql.ConnectionOptions);
  conn.on('error', () => undefined);
  return conn;
}

function myQuery<T = unknown>(conn: MyConn, sqlText: string, values: unknown[] = [], timeout?: number): Promise<T[]> {
  return new Promise((resolve, reject) => {
    conn.query({ sql: sqlText, values, ...(timeout ? { timeout } : {}) }, (err, rows) => (err ? reject(err) : resolve(rows as T[])));
  });
}

async function connectMysql(ep: SourceEndpoint): Promise<MyConn> {
  const conn = mysqlConnection(ep);
  try {
    await new Promise<void>((resolve, reject) => conn.connect((err) => (err ? reject(err) : resolve())));
    return conn;
  } catch (e) {
    conn.destroy();
    throw connectError(e, ep);
  }
}

async function mysqlVersion(conn: MyConn, timeout?: number): Promise<string> {
  const rows = await myQuery<{ v: string }>(conn, 'select version() as v', [], timeout);
  return String(rows[0]?.v ?? '');
}

async function openMysql(ep: SourceEndpoint, statement: string, values: unknown[], deadline: number): Promise<Reader> {
  const conn = await connectMysql(ep);
  const left = () => deadline - Date.now();
  let stream: Readable;
  let fields: Array<{ name: string; columnType: number; characterSet: number }> | null = null;
  let serverVersion: string;
  try {
    const version = await mysqlVersion(conn);
    const maria = /mariadb/i.test(version);
    serverVersion = maria ? `MariaDB ${version}` : `MySQL ${version}`;
    const ms = left();
    if (ms <= 0) throw new QueryTimeout();
    await myQuery(conn, `set session time_zone = '+08:00'`);
    if (maria) await myQuery(conn, `set session max_statement_time = ${(ms / 1000).toFixed(3)}`);
    else await myQuery(conn, `set session max_execution_time = ${Math.max(1, Math.floor(ms))}`);
    await myQuery(conn, 'set session transaction read only');
    await myQuery(conn, 'start transaction read only');
    const q = conn.query({
      sql: statement,
      values,
      rowsAsArray: true,
      timeout: Math.max(1, left()) + 5000,
      typeCast: (field: { buffer(): Buffer | null }) => field.buffer(),
    } as mysql.QueryOptions);
    q.on('fields', (f: unknown) => {
      fields = f as typeof fields;
    });
    stream = q.stream({ highWaterMark: 2000 });
  } catch (e) {
    conn.destroy();
    throw e;
  }
  const it = stream[Symbol.asyncIterator]() as AsyncIterator<unknown[]>;
  const reader: Reader = {
    serverVersion,
    columns: null,
    async next() {
      const rows: unknown[][] = [];
      for (let k = 0; k < 10_000; k++) {
        const r = await it.next();
        if (r.done) break;
        rows.push(r.value);
      }
      if (!reader.columns && fields) {
        reader.columns = fields.map((f) => ({ name: f.name, type: `mysql:${f.columnType}`, ...mysqlRender(f.columnType, f.characterSet) }));
      }
      if (left() <= -5000) throw new QueryTimeout();
      return rows.length ? rows : null;
    },
    async close() {
      stream.destroy();
      conn.destroy();
    },
  };
  return reader;
}

// ------------------------------------------------------------------------------------------------ probe

/** Connects, signs in and runs one trivial query within `timeoutMs`: the server's version or a clear error. */
export async function probeSource(ep: SourceEndpoint, timeoutMs = PROBE_TIMEOUT_MS): Promise<ProbeResult> {
  const t0 = Date.now();
  if (ep.kind === 'postgresql') {
    const client = pgClient(ep);
    try {
      await client.connect();
    } catch (e) {
      await endPg(client);
      throw connectError(e, ep);
    }
    try {
      const r = await client.query<{ v: string; su: boolean | null }>({
        text: "select current_setting('server_version') as v, (select rolsuper from pg_roles where rolname = current_user) as su",
        query_timeout: Math.max(1, timeoutMs - (Date.now() - t0)),
      } as pg.QueryConfig);
      return {
        kind: 'postgresql',
        serverVersion: `PostgreSQL ${r.rows[0]?.v ?? ''}`,
        privileged: r.rows[0]?.su === true,
        latencyMs: Date.now() - t0,
      };
    } catch (e) {
      throw connectError(e, ep);
    } finally {
      await endPg(client);
    }
  }
  const conn = await connectMysql(ep);
  try {
    const timeout = Math.max(1, timeoutMs - (Date.now() - t0));
    const version = await mysqlVersion(conn, timeout);
    const priv = await myQuery<{ n: number | string }>(
      conn,
      "select count(*) as n from information_schema.user_privileges where privilege_type in ('SUPER', 'FILE') and grantee = " +
        "concat('''', substring_index(current_user(), '@', 1), '''@''', substring_index(current_user(), '@', -1), '''')",
      [],
      timeout,
    );
    return {
      kind: 'mysql',
      serverVersion: /mariadb/i.test(version) ? `MariaDB ${version}` : `MySQL ${version}`,
      privileged: Number(priv[0]?.n ?? 0) > 0,
      latencyMs: Date.now() - t0,
    };
  } catch (e) {
    throw connectError(e, ep);
  } finally {
    conn.destroy();
  }
}

// ------------------------------------------------------------------------------------------------ staging writer

/** Staging column names per the contract: trimmed, empty → column_<n>, duplicates (as DuckDB sees them) refused. */
export function stagingNames(names: string[]): string[] {
  const out = names.map((raw, i) => raw.trim() || `column_${i + 1}`);
  const seen = new Set<string>(['_row']);
  for (const name of out) {
    const key = name.toLowerCase();
    if (seen.has(key)) throw badRequest('SOURCE_COLUMN_DUPLICATE', { column: name }, { column: name });
    seen.add(key);
  }
  return out;
}

class StagingWriter {
  private rows = 0;
  private constructor(
    private readonly con: DuckDBConnection,
    private readonly appender: DuckDBAppender,
    private readonly width: number,
  ) {}

  static async open(engine: DuckEngine, columns: string[]): Promise<StagingWriter> {
    const con = await engine.connect();
    try {
      const cols = columns.map((c) => `${quoteIdent(c)} VARCHAR`).join(', ');
      await con.run(`create temp table sy_stage (_row BIGINT, ${cols})`);
      const appender = await con.createAppender('sy_stage', 'main', 'temp');
      return new StagingWriter(con, appender, columns.length);
    } catch (e) {
      con.closeSync();
      throw e;
    }
  }

  get count(): number {
    return this.rows;
  }

  append(values: Array<string | null>): void {
    const a = this.appender;
    a.appendBigInt(BigInt(++this.rows));
    for (let c = 0; c < this.width; c++) {
      const v = values[c];
      // The staging contract: empty values are NULL (as for an empty CSV field).
      if (v === null || v === undefined || v === '') a.appendNull();
      else a.appendVarchar(v);
    }
    a.endRow();
  }

  /** Writes the file; `exprs[i]`: an expression for column i (over its quoted name) or null to copy it as is. */
  async finish(outPath: string, names: string[], exprs: Array<string | null>): Promise<void> {
    this.appender.flushSync();
    this.appender.closeSync();
    const part = `${outPath}.part`;
    const select = ['_row', ...names.map((n, i) => (exprs[i] ? `${exprs[i]} as ${quoteIdent(n)}` : quoteIdent(n)))].join(', ');
    try {
      await this.con.run(`copy (select ${select} from sy_stage) to ${quoteLiteral(part)} (format parquet, compression zstd)`);
      await fs.rename(part, outPath);
    } catch (e) {
      await fs.rm(part, { force: true });
      throw e;
    }
  }

  close(): void {
    try {
      this.appender.closeSync();
    } catch {
      // already closed by finish()
    }
    try {
      this.con.closeSync(); // drops the temporary table
    } catch {
      // the connection is gone already
    }
  }
}

// ------------------------------------------------------------------------------------------------ stageQuery

/**
 * Runs the spec's query against the source (once, read-only) and writes its rows to `outPath` (the staging
 * Parquet). Incremental: only rows whose column is past `spec.lastValue`, ordered by it; returns the new mark.
 * Errors: 400 SOURCE_QUERY_NOT_SELECT / SOURCE_COLUMN_DUPLICATE / SOURCE_NO_COLUMNS / SOURCE_INCREMENTAL_COLUMN_*,
 * 502 SOURCE_UNREACHABLE / SOURCE_AUTH_FAILED / SOURCE_DATABASE_UNKNOWN, 504 SOURCE_QUERY_TIMEOUT,
 * 422 SOURCE_QUERY_FAILED (the server's message). Nothing is left at outPath after an error.
 */
export async function stageQuery(
  engine: DuckEngine,
  ep: SourceEndpoint,
  spec: StageSpec,
  outPath: string,
  onProgress?: (rows: number) => void,
  opts: StageQueryOptions = { timeoutSeconds: 600 },
): Promise<SourceStageResult> {
  if (!engine.allows(outPath)) throw new Error(`staging path ${outPath} is outside the directories DuckDB may write`);
  const batchSize = Math.max(1, Math.min(opts.batchSize ?? 10_000, 100_000));
  const checked = checkQuery(spec.query, ep.kind);
  let incremental: { column: string; placeholder: string | null } | null = null;
  const values: unknown[] = [];
  if (spec.mode === 'incremental') {
    if (!spec.incrementalColumn) throw badRequest('SOURCE_INCREMENTAL_COLUMN_REQUIRED', {}, { field: 'incrementalColumn' });
    const column = checkIncrementalColumn(spec.incrementalColumn);
    const since = spec.lastValue ?? null;
    if (since !== null) values.push(since);
    const placeholder = since === null ? null : ep.kind === 'postgresql' ? '$1' : mysqlPlaceholder(spec.lastValueType);
    incremental = { column, placeholder };
  }
  const statement = ingestStatement(checked, ep.kind, incremental);
  const deadline = Date.now() + opts.timeoutSeconds * 1000;

  await fs.mkdir(path.dirname(outPath), { recursive: true });
  await fs.rm(outPath, { force: true });
  let reader: Reader | null = null;
  let writer: StagingWriter | null = null;
  let succeeded = false;
  try {
    try {
      reader =
        ep.kind === 'postgresql'
          ? await openPg(ep, statement, values, deadline, batchSize)
          : await openMysql(ep, statement, values, deadline);
    } catch (e) {
      throw queryError(e, ep, opts.timeoutSeconds);
    }
    let hwIndex = -1;
    let highWater: HighWater | null =
      spec.mode === 'incremental' && spec.lastValue != null ? { value: spec.lastValue, type: spec.lastValueType ?? null } : null;
    let columns: Column[] = [];
    const warnings: string[] = [];
    for (;;) {
      let batch: unknown[][] | null;
      try {
        batch = await reader.next();
      } catch (e) {
        throw queryError(e, ep, opts.timeoutSeconds);
      }
      if (!writer) {
        columns = reader.columns ?? [];
        if (!columns.length) throw badRequest('SOURCE_NO_COLUMNS', {}, {});
        const names = stagingNames(columns.map((c) => c.name));
        for (const c of columns) if (c.binary) warnings.push(`column "${c.name}": binary values stored as base64`);
        if (incremental) {
          const want = incremental.column;
          hwIndex = columns.findIndex((c) => c.name === want);
          if (hwIndex < 0 && ep.kind === 'mysql') hwIndex = columns.findIndex((c) => c.name.toLowerCase() === want.toLowerCase());
          if (hwIndex < 0) throw badRequest('SOURCE_INCREMENTAL_COLUMN_INVALID', { column: want, reason: 'not a column of the result' });
          if (columns[hwIndex]!.binary) throw badRequest('SOURCE_INCREMENTAL_COLUMN_INVALID', { column: want, reason: 'binary column' });
        }
        writer = await StagingWriter.open(engine, names);
      }
      if (!batch) break;
      const width = columns.length;
      const out: Array<string | null> = new Array(width);
      for (const row of batch) {
        for (let c = 0; c < width; c++) out[c] = columns[c]!.render(row[c] ?? null);
        writer.append(out);
        if (hwIndex >= 0) {
          const raw = row[hwIndex];
          // Rows come ordered by the column: the last non-null value is the largest.
          if (raw !== null && raw !== undefined) {
            highWater = { value: Buffer.isBuffer(raw) ? raw.toString('utf8') : String(raw), type: columns[hwIndex]!.type };
          }
        }
      }
      onProgress?.(writer.count);
    }
    const rows = writer!.count;
    const names = stagingNames(columns.map((c) => c.name));
    await writer!.finish(
      outPath,
      names,
      columns.map((c, i) => c.finishSql?.(quoteIdent(names[i]!)) ?? null),
    );
    succeeded = true;
    return {
      path: outPath,
      format: ep.kind,
      columns: names,
      rows,
      warnings,
      highWater: spec.mode === 'incremental' ? highWater : null,
      serverVersion: reader.serverVersion,
    };
  } finally {
    writer?.close();
    await reader?.close();
    if (!succeeded) await fs.rm(outPath, { force: true });
  }
}
