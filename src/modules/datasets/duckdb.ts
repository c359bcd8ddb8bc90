// The DuckDB engine of one process (docs/dataplane.md, "DuckDB lockdown"): one in-memory instance whose file
// access is limited to the directories the platform hands it (the object store's files, the read cache, the
// data plane's scratch directory, the upload area), with extension install/load off, a memory limit that spills
// to disk, and the configuration locked so no statement can loosen any of it.
import fs from 'node:fs/promises';
import path from 'node:path';
import { DuckDBInstance, type DuckDBConnection, type DuckDBPreparedStatement, type DuckDBValue } from '@duckdb/node-api';

export interface DuckEngineOptions {
  /** Directories DuckDB may read and write (created if missing). */
  allowedDirs: string[];
  /** Where DuckDB spills beyond its memory limit (must be inside one of allowedDirs or is added to them). */
  tempDir: string;
  /** e.g. '512MB'. */
  memoryLimit: string;
  threads: number;
}

export type Params = DuckDBValue[];

/** `"name"` with embedded quotes doubled: an identifier DuckDB reads literally. */
export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** `'text'` with embedded quotes doubled, for the few places DuckDB wants a literal (file paths in COPY). */
export function quoteLiteral(text: string): string {
  if (text.includes('\0')) throw new RangeError('NUL in a DuckDB literal');
  return `'${text.replaceAll("'", "''")}'`;
}

const PREPARED_PER_CONNECTION = 32;

export class DuckEngine {
  private constructor(
    readonly instance: DuckDBInstance,
    readonly options: DuckEngineOptions,
    private readonly shared: DuckDBConnection,
  ) {}

  static async open(options: DuckEngineOptions): Promise<DuckEngine> {
    const dirs = [...new Set([...options.allowedDirs, options.tempDir].map((d) => path.resolve(d)))];
    for (const d of dirs) await fs.mkdir(d, { recursive: true });
    const instance = await DuckDBInstance.create(':memory:', {
      threads: String(options.threads),
      memory_limit: options.memoryLimit,
      temp_directory: path.resolve(options.tempDir),
      autoinstall_known_extensions: 'false',
      autoload_known_extensions: 'false',
      // Memory freed in bulk (a query's hash tables) goes back to the system from 128 MB on (DuckDB's default:
      // 512 MB). The profile of a 7M-row first upload (speculate.ts) left ~500 MB held by the allocator and the
      // quality check right after it took the server to 1119 MiB RSS; now 984 MiB (`npm run bench -- ingest`).
      // 64 MB held less still but cost ~10% CPU on the 1M-row ingest (memory given back, then faulted in again).
      allocator_bulk_deallocation_flush_threshold: '128MB',
    });
    const con = await instance.connect();
    // Order matters: the allow-list must be in place before external access is switched off, and the lock last.
    const list = dirs.map((d) => quoteLiteral(d.endsWith(path.sep) ? d : d + path.sep)).join(', ');
    await con.run(`SET allowed_directories = [${list}]`);
    await con.run('SET enable_external_access = false');
    await con.run('SET lock_configuration = true');
    return new DuckEngine(instance, { ...options, allowedDirs: dirs }, con);
  }

  /** A new connection (for streaming results or an appender); close it with closeSync(). */
  async connect(): Promise<DuckDBConnection> {
    return this.instance.connect();
  }

  /** Idle connections kept for the read path's short queries (opening one per query was ~3% of a gateway call). */
  readonly #idle: DuckDBConnection[] = [];

  /**
   * Runs `fn` on a pooled connection (at most 8 kept idle). The caller must leave the connection as it found it
   * (no SET, no temporary objects); a connection whose statement failed is closed, not reused.
   */
  async withConnection<T>(fn: (con: DuckDBConnection) => Promise<T>): Promise<T> {
    const con = this.#idle.pop() ?? (await this.instance.connect());
    let ok = false;
    try {
      const r = await fn(con);
      ok = true;
      return r;
    } finally {
      if (ok && this.#idle.length < 8) this.#idle.push(con);
      else con.closeSync();
    }
  }

  /** Prepared statements of each pooled connection, by SQL text (at most PREPARED_PER_CONNECTION, oldest dropped). */
  readonly #prepared = new WeakMap<DuckDBConnection, Map<string, DuckDBPreparedStatement>>();

  /**
   * The rows (as JSON values) of one parameterized query on a pooled connection, with the statement prepared once
   * per connection and SQL text: the read path's queries differ by their parameters (the file path is one of
   * them, and DuckDB binds a table function's arguments again at each run), so a hot query skips parsing,
   * planning setup and the statement's teardown (together ~10% of a point read).
   */
  async rowsJson(sqlText: string, params: Params): Promise<unknown[][]> {
    return this.withConnection(async (con) => {
      let stmts = this.#prepared.get(con);
      if (!stmts) this.#prepared.set(con, (stmts = new Map()));
      let stmt = stmts.get(sqlText);
      if (!stmt) {
        stmt = await con.prepare(sqlText);
        if (stmts.size >= PREPARED_PER_CONNECTION) {
          const [oldest, old] = stmts.entries().next().value!;
          stmts.delete(oldest);
          old.destroySync();
        }
        stmts.set(sqlText, stmt);
      }
      stmt.clearBindings();
      stmt.bind(params);
      return (await stmt.runAndReadAll()).getRowsJson() as unknown[][];
    });
  }

  /** Runs a statement on a connection of its own (statements on one connection run one at a time). */
  async run(sqlText: string, params?: Params): Promise<void> {
    const con = await this.instance.connect();
    try {
      await con.run(sqlText, params);
    } finally {
      con.closeSync();
    }
  }

  /** Rows as plain JS objects (BIGINT as bigint, DATE/TIMESTAMP as DuckDB value objects: use ::VARCHAR in SQL for text). */
  async all<T = Record<string, unknown>>(sqlText: string, params?: Params): Promise<T[]> {
    const con = await this.instance.connect();
    try {
      const reader = await con.runAndReadAll(sqlText, params);
      return reader.getRowObjectsJS() as T[];
    } finally {
      con.closeSync();
    }
  }

  /** Rows as JSON-safe objects (BIGINT and DECIMAL as strings, dates as ISO text). */
  async json<T = Record<string, unknown>>(sqlText: string, params?: Params): Promise<T[]> {
    const con = await this.instance.connect();
    try {
      const reader = await con.runAndReadAll(sqlText, params);
      return reader.getRowObjectsJson() as T[];
    } finally {
      con.closeSync();
    }
  }

  /** True when `file` is inside a directory DuckDB may touch (callers check before handing it a path). */
  allows(file: string): boolean {
    const f = path.resolve(file);
    return this.options.allowedDirs.some((d) => f === d || f.startsWith(d.endsWith(path.sep) ? d : d + path.sep));
  }

  close(): void {
    for (const con of this.#idle.splice(0)) con.closeSync();
    this.shared.closeSync();
    this.instance.closeSync();
  }
}
