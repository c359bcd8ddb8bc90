// What every ingest path shares: the staging contract (docs/dataplane.md, "Staging"), limits, the header rules,
// errors that name the file and the place, and how a staging file is read back.
import crypto from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { Type } from 'typebox';
import { AppError } from '../../../errors.ts';
import { quoteIdent, quoteLiteral, type DuckEngine } from '../duckdb.ts';
import '../messages.ts';

export type StageFormat = 'csv' | 'tsv' | 'xlsx' | 'json' | 'ndjson' | 'parquet';
export type BadRowPolicy = 'reject' | 'quarantine';

export interface StageOptions {
  /** Overrides detection. */
  encoding?: 'utf-8' | 'gbk' | 'gb18030';
  /** One ASCII character; overrides detection (CSV/TSV/TXT). */
  delimiter?: string;
  /** One ASCII character, or '' for none; overrides detection. */
  quote?: string;
  /** false: the first row is data (columns are named column_1 …). Default: detected (CSV), true (XLSX). */
  header?: boolean;
  /** XLSX: a sheet name, or its 1-based position when no sheet has that name. Default: the first sheet. */
  sheet?: string;
  /** Rows the reader cannot split into the header's columns: fail the file (default) or leave them out and report them. */
  badRows?: BadRowPolicy;
}

/** The options as an API accepts them (TypeBox). */
export const StageOptionsSchema = Type.Object(
  {
    encoding: Type.Optional(Type.Enum(['utf-8', 'gbk', 'gb18030'], { description: 'Overrides detection' })),
    delimiter: Type.Optional(Type.String({ minLength: 1, maxLength: 1, description: 'CSV: one ASCII character' })),
    quote: Type.Optional(Type.String({ maxLength: 1, description: "CSV: one ASCII character, '' for none" })),
    header: Type.Optional(Type.Boolean({ description: 'false: the first row is data' })),
    sheet: Type.Optional(Type.String({ maxLength: 255, description: 'XLSX: sheet name or 1-based position' })),
    badRows: Type.Optional(
      Type.Enum(['reject', 'quarantine'], { description: 'Unsplittable rows: fail the file (default) or leave them out' }),
    ),
  },
  { additionalProperties: false },
);

/** Checks option values that did not come through StageOptionsSchema (programmatic callers). */
export function checkStageOptions(opts: StageOptions): void {
  const bad = (option: string, value: unknown) => new AppError(400, 'INGEST_OPTION_INVALID', { option, value: JSON.stringify(value) });
  if (opts.encoding !== undefined && !['utf-8', 'gbk', 'gb18030'].includes(opts.encoding)) throw bad('encoding', opts.encoding);
  if (opts.badRows !== undefined && !['reject', 'quarantine'].includes(opts.badRows)) throw bad('badRows', opts.badRows);
  if (opts.header !== undefined && typeof opts.header !== 'boolean') throw bad('header', opts.header);
  if (opts.sheet !== undefined && (typeof opts.sheet !== 'string' || opts.sheet.length > 255)) throw bad('sheet', opts.sheet);
}

/** A row (or value) left out, with the place in the source and a message code (messages.ts). */
export interface BadRow {
  row: number;
  column?: string;
  value?: string | null;
  reason: string;
}

export interface StageResult {
  path: string;
  format: StageFormat;
  encoding?: string;
  delimiter?: string;
  columns: string[];
  rows: number;
  /** Message codes (messages.ts) the provider should see. */
  warnings: string[];
  /** Quarantine policy: the rows left out (first 1000) and how many there were (absent: none). */
  rejected?: BadRow[];
  rejectedCount?: number;
}

export type ProgressFn = (rows: number) => void;

export const LIMITS = {
  /** Columns of any source (Excel's own maximum). */
  maxColumns: 16384,
  /** Bytes read from the start of a file to detect its type, encoding, delimiter and header. */
  sampleBytes: 4 << 20,
  /** DuckDB's per-line limit for CSV. */
  maxLineBytes: 8 << 20,
  /** Kept in a StageResult / BuildResult list; the count is always exact. */
  maxListedBadRows: 1000,
  /** JSON nesting (a record object is level 1). */
  maxJsonDepth: 32,
  /** Nested JSON objects are flattened to `a.b` columns down to this level; deeper values are kept as JSON text. */
  jsonFlattenDepth: 5,
  /** XLSX: total uncompressed bytes, per-entry compression ratio (entries above 1 MiB), shared strings (held in memory). */
  xlsxMaxUncompressed: 4 * 1024 ** 3,
  xlsxMaxRatio: 100,
  xlsxMaxSharedStrings: 256 << 20,
  xlsxMaxEntries: 10000,
  xlsxMaxRows: 1048576,
  xlsxMaxMerges: 100000,
};

/** The staging column that carries the source row number. */
export const ROW_COLUMN = '_row';
/** Parquet key-value metadata of a staging file without a `_row` column: the row number of its first row. */
export const ROW_BASE_KEY = 'shuyuan.row_base';

export interface Place {
  file: string;
  line?: number;
  row?: number;
  column?: string | number;
}

/** A 400 whose params name the file and the place; the same place goes into details for machines. */
export function ingestError(code: string, place: Place, params: Record<string, unknown> = {}, details?: Record<string, unknown>): AppError {
  const loc = Object.fromEntries(Object.entries(place).filter(([, v]) => v !== undefined));
  return new AppError(400, code, { ...params, ...loc }, { ...loc, ...details });
}

/**
 * Header rules of the staging contract: names trimmed, an empty name becomes `column_<n>`, `_row` is reserved,
 * duplicates are an error naming both columns. DuckDB folds identifier case, so `Name` and `name` are duplicates too.
 */
export function normalizeHeader(raw: (string | null | undefined)[], file: string): string[] {
  if (raw.length === 0) throw ingestError('FILE_NO_COLUMNS', { file });
  if (raw.length > LIMITS.maxColumns) throw ingestError('FILE_TOO_MANY_COLUMNS', { file }, { count: raw.length, max: LIMITS.maxColumns });
  const names = raw.map((n, i) => {
    const t = (n ?? '').replace(/^\uFEFF/, '').trim();
    return t === '' ? `column_${i + 1}` : t;
  });
  const seen = new Map<string, number>();
  names.forEach((name, i) => {
    if (name.toLowerCase() === ROW_COLUMN) throw ingestError('HEADER_RESERVED', { file, column: i + 1 }, { name });
    const key = name.toLowerCase();
    const first = seen.get(key);
    if (first !== undefined) {
      throw ingestError('HEADER_DUPLICATE', { file, column: i + 1 }, { name, first: first + 1, second: i + 1, firstName: names[first] });
    }
    seen.set(key, i);
  });
  return names;
}

/** A scratch file next to `out` (inside the directories DuckDB may use). */
export function siblingPath(out: string, tag: string): string {
  return path.join(path.dirname(out), `.${path.basename(out)}.${tag}-${crypto.randomBytes(6).toString('hex')}`);
}

export async function removeQuietly(...files: (string | undefined)[]): Promise<void> {
  await Promise.all(files.map((f) => (f ? fsp.rm(f, { force: true }) : undefined)));
}

/**
 * Writes a staging Parquet file from a SELECT whose columns are `_row` (when `rowBase` is undefined) or the
 * source columns only (then row i has number rowBase + i, kept in the key-value metadata).
 */
export async function copyToStaging(con: DuckDBConnection, selectSql: string, out: string, rowBase?: number): Promise<number> {
  const kv = rowBase === undefined ? '' : `, KV_METADATA {${quoteLiteral(ROW_BASE_KEY)}: ${quoteLiteral(String(rowBase))}}`;
  const reader = await con.runAndReadAll(`COPY (${selectSql}) TO ${quoteLiteral(out)} (FORMAT parquet, COMPRESSION snappy${kv})`);
  const count = reader.getRows()[0]?.[0];
  return Number(count ?? 0);
}

export interface StagingInfo {
  /** Source columns in order (without `_row`). */
  columns: string[];
  /** `read_parquet(...)` with the file row number switched on when needed. */
  from: string;
  /** SQL expression of the source row number over `from`. */
  rowExpr: string;
}

/** How to read a staging file: its columns and its row-number expression, whichever of the two forms it has. */
export async function stagingInfo(engine: DuckEngine, file: string): Promise<StagingInfo> {
  const names = await columnNames(engine, `SELECT * FROM read_parquet(${quoteLiteral(file)}) LIMIT 0`);
  if (names.includes(ROW_COLUMN)) {
    return { columns: names.filter((n) => n !== ROW_COLUMN), from: `read_parquet(${quoteLiteral(file)})`, rowExpr: quoteIdent(ROW_COLUMN) };
  }
  const kv = await engine.json<{ k: string; v: string }>(`SELECT key::VARCHAR AS k, value::VARCHAR AS v FROM parquet_kv_metadata($1)`, [
    file,
  ]);
  const base = Number(kv.find((r) => r.k === ROW_BASE_KEY)?.v ?? 1);
  return {
    columns: names,
    from: `read_parquet(${quoteLiteral(file)}, file_row_number = true)`,
    rowExpr: `(file_row_number + ${Number.isSafeInteger(base) ? base : 1})`,
  };
}

/** Column names of a query's result, in order. */
export async function columnNames(engine: DuckEngine, sqlText: string): Promise<string[]> {
  const con = await engine.connect();
  try {
    return (await con.runAndReadAll(sqlText)).columnNames();
  } finally {
    con.closeSync();
  }
}

/** 1-based line numbers of byte offsets (0-based) in a file, counting '\n' (or '\r' for CR-only files). */
export async function linesOfOffsets(file: string, offsets: number[], newline = 0x0a): Promise<number[]> {
  const order = offsets.map((o, i) => [o, i] as const).sort((a, b) => a[0] - b[0]);
  const out = new Array<number>(offsets.length).fill(1);
  if (order.length === 0) return out;
  const fd = await fsp.open(file, 'r');
  try {
    const buf = Buffer.allocUnsafe(1 << 20);
    let pos = 0;
    let lines = 1;
    let next = 0;
    while (next < order.length) {
      const { bytesRead } = await fd.read(buf, 0, buf.length, pos);
      if (bytesRead === 0) break;
      const end = pos + bytesRead;
      let at = 0;
      while (next < order.length && order[next]![0] < end) {
        const rel = Math.max(0, order[next]![0] - pos);
        lines += countByte(buf, newline, at, rel);
        at = rel;
        out[order[next]![1]] = lines;
        next++;
      }
      lines += countByte(buf, newline, at, bytesRead);
      pos = end;
    }
    while (next < order.length) out[order[next++]![1]] = lines;
  } finally {
    await fd.close();
  }
  return out;
}

function countByte(buf: Buffer, byte: number, start: number, end: number): number {
  let n = 0;
  let p = buf.indexOf(byte, start);
  while (p !== -1 && p < end) {
    n++;
    p = buf.indexOf(byte, p + 1);
  }
  return n;
}

/** Streams a file through SHA-256. */
export async function sha256File(file: string): Promise<string> {
  const hash = crypto.createHash('sha256');
  for await (const chunk of fs.createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
