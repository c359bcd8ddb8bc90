// The one read path of the data plane (docs/dataplane.md, "Masking policy"; issue 5 §7). Every consumer (sharing
// gateway, open portal, sandbox) reads a dataset version through these functions: preview, a paged query with
// typed filters, and exports to a file. Nothing here is SQL text from a user: column names are checked against
// the version's schema and quoted, values are converted to the column's type and bound as parameters.
//
// Masking happens here, at read time, per column: 'clear' (stored value), 'mask' (maskSql of the field's PII
// kind), 'token' (HMAC-SM3 pseudonym with the deployment key, computed by a DuckDB scalar function registered
// by enableTokens), 'hide' (not readable; also any column missing from the policy). A masked, tokenized or
// hidden column cannot be filtered or sorted by its stored value: the answer to "rows where id = X" or the
// order of rows by id reveals the hidden value one probe at a time. Only is_null / not_null are allowed on
// 'mask' and 'token' columns, whose output already shows which cells are empty.
//
// Exports are written by DuckDB COPY (CSV, JSON, NDJSON, Parquet) or by exceljs's streaming writer fed from a
// DuckDB streaming result (XLSX): memory stays flat whatever the size. The file is then served with sendFile
// (single Range, If-Range, 416), which is what makes a download resumable: the bytes must still be there,
// unchanged, when the client comes back, so ExportCache keeps each export under a key that names exactly what
// it contains (version, statement, parameters, format) and evicts the least recently used beyond a byte budget.
import crypto from 'node:crypto';
import { once } from 'node:events';
import fs from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { DuckDBScalarFunction, VARCHAR, type DuckDBValue } from '@duckdb/node-api';
import ExcelJS from 'exceljs';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type, type Static } from 'typebox';
import { AppError } from '../../errors.ts';
import { registerMessages } from '../../i18n/messages.ts';
import { HOT_PATH_TTL_MS } from '../../ttl-cache.ts';
import { maskSql, type MaskKind } from '../privacy/mask.ts';
import { pseudonym } from '../privacy/pseudonym.ts';
import type { PrivacyKind } from '../privacy/recognizers.ts';
import { quoteIdent, quoteLiteral, type DuckEngine } from './duckdb.ts';

// ------------------------------------------------------------------------------------------ limits

export const MAX_LIMIT = 1000;
export const DEFAULT_LIMIT = 100;
export const MAX_FILTERS = 50;
export const MAX_IN_VALUES = 1000;
export const MAX_SORT = 8;
export const MAX_VALUE_CHARS = 1000;
export const MAX_CURSOR_CHARS = 4096;
const MAX_COLUMN_NAME = 1000;
/** An XLSX sheet holds 1,048,576 rows; one is the header. More rows continue on the next sheet. */
const XLSX_SHEET_ROWS = 1_048_575;
/** Excel's limit on the text of one cell. */
const XLSX_CELL_CHARS = 32767;
/**
 * Formats whose export DuckDB's COPY writes front to back, appending, so the bytes can be sent while it writes
 * (ExportCache.follow). Parquet (footer) and XLSX (zip) are sent when whole.
 */
export const FOLLOWABLE: ReadonlySet<ExportFormat> = new Set(['csv', 'csv-bom', 'json', 'ndjson']);
/** Bytes at the end of a growing export a follower does not send until the COPY is over (CSV: the suffix '\n', cut when there are no rows). */
const FOLLOW_HOLD_BACK = 1;
/** Reads of a followed export: as sendFile's. */
const FOLLOW_CHUNK = 1024 * 1024;
/** Bumped when the bytes an export produces for the same statement change (cache keys include it). */
const EXPORT_VERSION = 1;

// ------------------------------------------------------------------------------------------ types and schemas

/** Table Schema types the data plane produces (docs/dataplane.md, "Schema"). */
export const READ_TYPES = ['string', 'integer', 'number', 'boolean', 'date', 'datetime'] as const;
export type ReadType = (typeof READ_TYPES)[number];

export interface ReadColumn {
  name: string;
  /** The field's Table Schema type (the file's own column type decides comparisons when they disagree). */
  type: ReadType | string;
  /** The field's PII kind ('none' or absent: not personal). 'mask' needs it. */
  piiKind?: PrivacyKind | 'none' | null;
}

export interface ReadSource {
  /** The version's Parquet file (inside DuckDB's allowed directories). */
  parquetPath: string;
  /** The version's fields in schema order (`_row` is not one of them: it is found in the file). */
  columns: ReadColumn[];
  /** The schema's declared primary key: the cursor's tie-breaker when the file has no `_row`. */
  primaryKey?: string[];
  /**
   * Only rows whose column (text form) is one of the values: an entitlement's row filter (back-flow, 数据回流:
   * a city sees the provincial rows of its own area). Applied under everything else (filters, counts, exports),
   * whatever the column's masking; an empty list reads no row.
   */
  restrict?: { column: string; values: string[] };
}

export type ColumnPolicy = 'clear' | 'mask' | 'token' | 'hide';
/** Per column; a column missing from the policy is 'hide' (docs/dataplane.md, "Masking policy"). */
export type MaskingPolicy = Record<string, ColumnPolicy>;

export const FILTER_OPS = ['eq', 'ne', 'lt', 'le', 'gt', 'ge', 'in', 'contains', 'starts_with', 'is_null', 'not_null', 'between'] as const;
export type FilterOp = (typeof FILTER_OPS)[number];

const Scalar = Type.Union([Type.String({ maxLength: MAX_VALUE_CHARS }), Type.Number(), Type.Boolean()]);
export const FilterConditionSchema = Type.Object(
  {
    column: Type.String({ minLength: 1, maxLength: MAX_COLUMN_NAME }),
    op: Type.Enum([...FILTER_OPS], {
      description:
        'eq, ne (also matches empty cells), lt, le, gt, ge, in (value: list), contains / starts_with (text columns), is_null, not_null (no value), between (value: [low, high], inclusive)',
    }),
    value: Type.Optional(
      Type.Union([Scalar, Type.Array(Scalar, { maxItems: MAX_IN_VALUES })], {
        description: "A value of the column's type (or its text: '42', '2024-01-05', '2024-01-05 08:30:00', 'true')",
      }),
    ),
  },
  { additionalProperties: false },
);
/** Conditions combined with AND. */
export const FilterSchema = Type.Array(FilterConditionSchema, { maxItems: MAX_FILTERS });
export const SortSchema = Type.Array(
  Type.Object(
    { column: Type.String({ minLength: 1, maxLength: MAX_COLUMN_NAME }), dir: Type.Enum(['asc', 'desc']) },
    { additionalProperties: false },
  ),
  { maxItems: MAX_SORT, description: 'Empty cells sort last in either direction' },
);
export const ColumnsSchema = Type.Array(Type.String({ minLength: 1, maxLength: MAX_COLUMN_NAME }), {
  maxItems: 4096,
  description: 'Columns to return, in this order (default: every readable column; `_row`, the source row number, only when named)',
});
export const QueryBodySchema = Type.Object(
  {
    columns: Type.Optional(ColumnsSchema),
    filter: Type.Optional(FilterSchema),
    sort: Type.Optional(SortSchema),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_LIMIT, default: DEFAULT_LIMIT })),
    offset: Type.Optional(Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER })),
    cursor: Type.Optional(
      Type.String({ maxLength: MAX_CURSOR_CHARS, description: "Keyset paging: '' for the first page, then the answer's nextCursor" }),
    ),
    total: Type.Optional(Type.Boolean({ description: 'Also count the matching rows (costs a second scan)' })),
  },
  { additionalProperties: false },
);
export const EXPORT_FORMATS = ['csv', 'csv-bom', 'json', 'ndjson', 'xlsx', 'parquet'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];
export const ExportFormatSchema = Type.Enum([...EXPORT_FORMATS], {
  description: 'csv, csv-bom (UTF-8 with BOM, for Excel), json (one array), ndjson (one object a line), xlsx, parquet',
});
export const EXPORT_MEDIA: Record<ExportFormat, { contentType: string; extension: string }> = {
  csv: { contentType: 'text/csv; charset=utf-8', extension: 'csv' },
  'csv-bom': { contentType: 'text/csv; charset=utf-8', extension: 'csv' },
  json: { contentType: 'application/json; charset=utf-8', extension: 'json' },
  ndjson: { contentType: 'application/x-ndjson; charset=utf-8', extension: 'ndjson' },
  xlsx: { contentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', extension: 'xlsx' },
  parquet: { contentType: 'application/vnd.apache.parquet', extension: 'parquet' },
};

export type Filter = Static<typeof FilterSchema>;
export type FilterCondition = Static<typeof FilterConditionSchema>;
export type Sort = Static<typeof SortSchema>;

export interface QueryOptions {
  columns?: string[];
  filter?: Filter;
  sort?: Sort;
  /** 1–1000, default 100. */
  limit?: number;
  offset?: number;
  /** Keyset paging: '' starts, then pass the previous answer's nextCursor. Not with offset. */
  cursor?: string;
  /** Count the matching rows too. */
  total?: boolean;
}

export interface OutputColumn {
  name: string;
  /** The type of the values returned: the field's type when clear, 'string' when masked or tokenized. */
  type: string;
  policy: Exclude<ColumnPolicy, 'hide'>;
}

export interface QueryResult {
  columns: OutputColumn[];
  rows: Record<string, unknown>[];
  total?: number;
  /** Cursor mode only: present when more rows follow. */
  nextCursor?: string;
}

export interface ExportOptions {
  format: ExportFormat;
  columns?: string[];
  filter?: Filter;
  sort?: Sort;
}

// ------------------------------------------------------------------------------------------ errors

const REASONS = {
  unknown_column: ['没有这一列', 'no such column'],
  column_hidden: ['按脱敏策略该列不可读', 'the masking policy hides this column'],
  column_masked: [
    '该列已脱敏或令牌化，不能按原值筛选或排序（否则会逐步泄露原值）',
    'the column is masked or tokenized: filtering or sorting by its stored value would reveal it',
  ],
  duplicate_column: ['列重复', 'the column is named twice'],
  no_columns: ['没有可读的列', 'no readable column'],
  op_unknown: ['不支持的运算', 'unknown operator'],
  op_not_applicable: ['该运算不适用于此列的类型', 'the operator does not apply to this column type'],
  value_required: ['缺少比较值', 'a value is required'],
  value_not_allowed: ['此运算不需要值', 'this operator takes no value'],
  type_mismatch: ['值与列的类型不符', "the value does not match the column's type"],
  list_required: ['需要一个值列表', 'a list of values is required'],
  pair_required: ['需要 [下限, 上限] 两个值', 'a [low, high] pair is required'],
  too_many: ['数量超过上限', 'too many items'],
  too_long: ['值过长', 'the value is too long'],
  bad_cursor: ['游标无效或不属于这个查询', 'the cursor is invalid or belongs to another query'],
  cursor_with_offset: ['游标和偏移量不能同时使用', 'cursor and offset cannot be combined'],
  no_key: [
    '没有可用于游标分页的键（无 _row 列，主键缺失或不可读），请用偏移量分页',
    'no key for cursor paging (no _row column, no readable primary key): use offset',
  ],
  out_of_range: ['超出允许范围', 'out of the allowed range'],
  not_sortable: ['该列不能排序或筛选', 'this column cannot be sorted or compared'],
  format_unknown: ['不支持的导出格式', 'unknown export format'],
  malformed: ['格式不正确', 'malformed'],
} as const;
export type QueryInvalidReason = keyof typeof REASONS;

registerMessages({
  QUERY_INVALID: { 'zh-CN': '查询参数 {field} 无效：{reasonZh}', en: 'Invalid query parameter {field}: {reasonEn}' },
});

function invalid(field: string, reason: QueryInvalidReason): AppError {
  const [zh, en] = REASONS[reason];
  return new AppError(400, 'QUERY_INVALID', { field, reason, reasonZh: zh, reasonEn: en }, { field, reason });
}

// ------------------------------------------------------------------------------------------ token function

const TOKEN_FUNCTIONS = new WeakMap<DuckEngine, string>();

/**
 * Registers the 'token' scalar function on the engine: HMAC-SM3 of the cell's text with the deployment key
 * (the same `pseudonym(key, value)` as in JS). DuckDB calls it once per vector of up to 2048 values on the JS
 * thread; measured on this machine at ~3.3 µs a row, of which ~2.7 µs is the HMAC itself. The function is
 * visible to every connection of the instance; its name carries a fingerprint of the key, so a second key
 * (tests, a rotation) gets a function of its own. Idempotent.
 */
export async function enableTokens(engine: DuckEngine, key: Buffer): Promise<string> {
  const fp = crypto.createHash('sha256').update('shuyuan.read.token\0').update(key).digest('hex').slice(0, 16);
  const name = `shuyuan_token_${fp}`;
  if (TOKEN_FUNCTIONS.get(engine) === name) return name;
  const con = await engine.connect();
  try {
    con.registerScalarFunction(
      DuckDBScalarFunction.create({
        name,
        returnType: VARCHAR,
        parameterTypes: [VARCHAR],
        mainFunction: (_info, input, output) => {
          const values = input.getColumnValues(0);
          for (let i = 0; i < input.rowCount; i++) {
            const v = values[i];
            output.setItem(i, v === null || v === undefined ? null : pseudonym(key, String(v)));
          }
          output.flush();
        },
      }),
    );
  } finally {
    con.closeSync();
  }
  TOKEN_FUNCTIONS.set(engine, name);
  return name;
}

// ------------------------------------------------------------------------------------------ columns

type Kind = 'string' | 'integer' | 'number' | 'boolean' | 'date' | 'datetime' | 'other';

interface Col {
  name: string;
  declared: string;
  /** How values compare, from the file's own column type. */
  kind: Kind;
  /** DuckDB type of the column in the file, e.g. BIGINT, DECIMAL(18,2). */
  physical: string;
  policy: ColumnPolicy;
  piiKind: string | null;
  isRow: boolean;
}

function kindOf(physical: string): Kind {
  if (physical === 'VARCHAR') return 'string';
  if (/^U?(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT)$/.test(physical)) return 'integer';
  if (/^(FLOAT|DOUBLE|DECIMAL\(\d+,\d+\))$/.test(physical)) return 'number';
  if (physical === 'BOOLEAN') return 'boolean';
  if (physical === 'DATE') return 'date';
  if (/^TIMESTAMP(_S|_MS|_NS)?$/.test(physical)) return 'datetime';
  return 'other';
}

/** What the file holds (column → DuckDB type), by path; files are immutable, the stamp guards a rewrite. */
const FILE_TYPES = new Map<string, { stamp: string; types: Map<string, string>; checkedAt: number; formulaFree?: Promise<Set<string>> }>();

async function fileTypes(engine: DuckEngine, file: string): Promise<Map<string, string>> {
  if (!engine.allows(file)) throw new Error(`read: ${file} is outside DuckDB's allowed directories`);
  const hit = FILE_TYPES.get(file);
  // Checked against the file at most every HOT_PATH_TTL_MS (a stat per read was ~2% of a gateway call).
  if (hit && Date.now() - hit.checkedAt < HOT_PATH_TTL_MS) return hit.types;
  const st = await fs.stat(file);
  const stamp = `${st.ino}:${st.size}:${st.mtimeMs}`;
  if (hit?.stamp === stamp) {
    hit.checkedAt = Date.now();
    return hit.types;
  }
  const con = await engine.connect();
  let types: Map<string, string>;
  try {
    const reader = await con.runAndReadAll('SELECT * FROM read_parquet($1) LIMIT 0', [file]);
    const names = reader.columnNames();
    const ts = reader.columnTypes();
    types = new Map(names.map((n, i) => [n, String(ts[i])]));
  } finally {
    con.closeSync();
  }
  if (FILE_TYPES.size >= 512) FILE_TYPES.delete(FILE_TYPES.keys().next().value!);
  FILE_TYPES.set(file, { stamp, types, checkedAt: Date.now() });
  return types;
}

/**
 * First bytes of a text value that cannot start a spreadsheet formula, as ranges none of = + - @ TAB CR (61, 43,
 * 45, 64, 9, 13) falls in; -1 is the empty string.
 */
const FORMULA_FREE_FIRST_BYTES: readonly (readonly [number, number])[] = [
  [-1, 8],
  [10, 12],
  [14, 42],
  [44, 44],
  [46, 60],
  [62, 63],
  [65, 255],
];

/**
 * The text columns of a version file no value of which can start with a formula character, proven from the
 * Parquet row-group statistics (the footer only, no data read): values sort by their bytes, so when a row group's
 * smallest and largest values start with bytes in the same formula-free range, so do all values between. A row
 * group without statistics (DuckDB keeps none for long strings) proves nothing; an all-null one is free. CSV and
 * XLSX exports skip the neutralizing CASE on these columns (it was a third of a CSV COPY: bench/read.ts).
 */
export async function formulaFreeColumns(engine: DuckEngine, file: string): Promise<Set<string>> {
  const types = await fileTypes(engine, file);
  const entry = FILE_TYPES.get(file);
  if (entry?.types === types && entry.formulaFree) return entry.formulaFree;
  const job = (async () => {
    const names = [...types.keys()];
    const range = (s: string | null) => {
      const b = s === null ? null : s.length ? Math.min(255, s.codePointAt(0)!) : -1;
      return b === null ? -2 : FORMULA_FREE_FIRST_BYTES.findIndex(([lo, hi]) => b >= lo && b <= hi);
    };
    const unproven = new Set<string>();
    const con = await engine.connect();
    try {
      const r = await con.runAndReadAll(
        'SELECT column_id, stats_min_value, stats_max_value, stats_null_count, row_group_num_rows FROM parquet_metadata($1)',
        [file],
      );
      for (const [id, min, max, nulls, rows] of r.getRowsJS()) {
        const name = names[Number(id)];
        if (name === undefined) continue;
        if (nulls !== null && rows !== null && Number(nulls) === Number(rows)) continue;
        const lo = range(min === null ? null : String(min));
        if (lo < 0 || lo !== range(max === null ? null : String(max))) unproven.add(name);
      }
    } finally {
      con.closeSync();
    }
    return new Set(names.filter((n) => types.get(n) === 'VARCHAR' && !unproven.has(n)));
  })();
  if (entry?.types === types) {
    entry.formulaFree = job;
    job.catch(() => entry.formulaFree === job && delete entry.formulaFree);
  }
  return job;
}

function policyOf(policy: MaskingPolicy, name: string): ColumnPolicy {
  if (!Object.hasOwn(policy, name)) return 'hide';
  const p = policy[name];
  if (p !== 'clear' && p !== 'mask' && p !== 'token' && p !== 'hide')
    throw new TypeError(`read: unknown masking policy ${String(p)} for a column`);
  return p;
}

async function resolveColumns(engine: DuckEngine, src: ReadSource, policy: MaskingPolicy): Promise<Map<string, Col>> {
  const types = await fileTypes(engine, src.parquetPath);
  const cols = new Map<string, Col>();
  for (const c of src.columns) {
    const physical = types.get(c.name);
    if (physical === undefined) throw new Error(`read: the schema's column ${JSON.stringify(c.name)} is not in the version file`);
    if (cols.has(c.name)) throw new Error(`read: column ${JSON.stringify(c.name)} is declared twice`);
    const pii = c.piiKind && c.piiKind !== 'none' ? c.piiKind : null;
    cols.set(c.name, {
      name: c.name,
      declared: c.type,
      kind: kindOf(physical),
      physical,
      policy: policyOf(policy, c.name),
      piiKind: pii,
      isRow: false,
    });
  }
  const rowType = types.get('_row');
  if (rowType !== undefined && !cols.has('_row')) {
    cols.set('_row', {
      name: '_row',
      declared: 'integer',
      kind: kindOf(rowType),
      physical: rowType,
      policy: 'clear',
      piiKind: null,
      isRow: true,
    });
  }
  return cols;
}

function pickColumns(cols: Map<string, Col>, requested: string[] | undefined): Col[] {
  if (requested === undefined) {
    const out = [...cols.values()].filter((c) => !c.isRow && c.policy !== 'hide');
    if (!out.length) throw invalid('columns', 'no_columns');
    return out;
  }
  if (!Array.isArray(requested)) throw invalid('columns', 'malformed');
  if (!requested.length) throw invalid('columns', 'no_columns');
  const seen = new Set<string>();
  return requested.map((name, i) => {
    const field = `columns[${i}]`;
    if (typeof name !== 'string') throw invalid(field, 'malformed');
    const c = cols.get(name);
    if (!c) throw invalid(field, 'unknown_column');
    if (c.policy === 'hide') throw invalid(field, 'column_hidden');
    if (seen.has(name)) throw invalid(field, 'duplicate_column');
    seen.add(name);
    return c;
  });
}

function outputType(c: Col): string {
  return c.policy === 'clear' ? c.declared : 'string';
}

// ------------------------------------------------------------------------------------------ expressions

/** The column as the reader may see it (no neutralization). */
function valueExpr(c: Col, tokenFn: string | null): string {
  const q = quoteIdent(c.name);
  switch (c.policy) {
    case 'clear':
      return q;
    case 'mask':
      return maskExpr(c, `CAST(${q} AS VARCHAR)`);
    case 'token':
      if (!tokenFn) throw new Error('read: a column is to be tokenized but enableTokens() was not called on this engine');
      return `${tokenFn}(CAST(${q} AS VARCHAR))`;
    default:
      throw new Error('read: a hidden column reached the select list');
  }
}

/** Masking by the field's PII kind; a field marked for masking without a kind is masked as 'none' (last 4 kept). */
function maskExpr(c: Col, expr: string): string {
  return maskSql((c.piiKind ?? 'none') as MaskKind, expr);
}

/**
 * Spreadsheet formula injection (OWASP "CSV injection"): a text cell starting with = + - @ tab or CR is read by
 * Excel/WPS as a formula; prefixed with ' it stays text. Applied to text outputs of CSV and XLSX only; numeric
 * columns keep their numbers (a negative amount stays a number).
 */
function neutralizedExpr(e: string): string {
  // The first character's code point is one of = + - @ TAB CR (inList: an IN list here lost the rows' order).
  return `CASE WHEN ${inList(`ascii(${e})`, ['61', '43', '45', '64', '9', '13'])} THEN '''' || ${e} ELSE ${e} END`;
}

export function neutralizeText(s: string): string {
  return /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
}

/** True when the select expression of c is text that a spreadsheet might read as a formula. */
function isTextOutput(c: Col): boolean {
  return c.policy === 'mask' || (c.policy === 'clear' && (c.kind === 'string' || c.kind === 'other'));
}

/** `formulaFree`: clear text columns that need no neutralizing (formulaFreeColumns). */
function selectFor(c: Col, tokenFn: string | null, target: 'rows' | 'file' | 'csv' | 'xlsx', formulaFree?: Set<string>): string {
  const e = valueExpr(c, tokenFn);
  if (target === 'rows' || target === 'file') return e;
  const free = c.policy === 'clear' && c.kind === 'string' && formulaFree?.has(c.name) === true;
  if (target === 'csv')
    return isTextOutput(c) && !free ? neutralizedExpr(c.kind === 'other' && c.policy === 'clear' ? `CAST(${e} AS VARCHAR)` : e) : e;
  // xlsx: values the JS side turns into cells without further parsing.
  if (c.policy !== 'clear') return `left(${c.policy === 'mask' ? neutralizedExpr(e) : e}, ${XLSX_CELL_CHARS})`;
  switch (c.kind) {
    case 'string':
      return `left(${free ? e : neutralizedExpr(e)}, ${XLSX_CELL_CHARS})`;
    case 'other':
      return `left(${neutralizedExpr(`CAST(${e} AS VARCHAR)`)}, ${XLSX_CELL_CHARS})`;
    case 'number':
      return `CAST(${e} AS DOUBLE)`;
    case 'date':
    case 'datetime':
      return `CAST(${e} AS VARCHAR)`;
    default:
      return e;
  }
}

// ------------------------------------------------------------------------------------------ typed values

const SQL_CAST: Record<Exclude<Kind, 'other'>, string> = {
  string: 'VARCHAR',
  integer: 'BIGINT',
  number: 'DOUBLE',
  boolean: 'BOOLEAN',
  date: 'DATE',
  datetime: 'TIMESTAMP',
};
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

function validDate(y: number, m: number, d: number): boolean {
  if (y < 1 || y > 9999 || m < 1 || m > 12 || d < 1) return false;
  const days = new Date(Date.UTC(2000, m, 0)).getUTCDate(); // month length in a leap year
  if (d > days) return false;
  if (m === 2 && d === 29) return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  return true;
}

/** A filter value converted to the column's kind: a DuckDB value to bind (cast in SQL to the kind's type). */
function convertValue(c: Col, v: unknown, field: string): DuckDBValue {
  if (v === null || v === undefined) throw invalid(field, 'value_required');
  if (typeof v === 'string' && v.length > MAX_VALUE_CHARS) throw invalid(field, 'too_long');
  switch (c.kind) {
    case 'string':
      if (typeof v !== 'string') throw invalid(field, 'type_mismatch');
      if (v.includes('\0')) throw invalid(field, 'type_mismatch');
      return v;
    case 'integer': {
      let n: bigint;
      if (typeof v === 'number' && Number.isSafeInteger(v)) n = BigInt(v);
      else if (typeof v === 'bigint') n = v;
      else if (typeof v === 'string' && /^[+-]?\d{1,19}$/.test(v.trim())) n = BigInt(v.trim());
      else throw invalid(field, 'type_mismatch');
      if (n < INT64_MIN || n > INT64_MAX) throw invalid(field, 'type_mismatch');
      return n;
    }
    case 'number': {
      let n: number;
      if (typeof v === 'number') n = v;
      else if (typeof v === 'string' && /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(v.trim())) n = Number(v.trim());
      else throw invalid(field, 'type_mismatch');
      if (!Number.isFinite(n)) throw invalid(field, 'type_mismatch');
      return n;
    }
    case 'boolean':
      if (typeof v === 'boolean') return v;
      if (typeof v === 'string' && /^(true|false)$/i.test(v.trim())) return v.trim().toLowerCase() === 'true';
      throw invalid(field, 'type_mismatch');
    case 'date': {
      const m = typeof v === 'string' ? /^(\d{4})-(\d{2})-(\d{2})$/.exec(v.trim()) : null;
      if (!m || !validDate(+m[1]!, +m[2]!, +m[3]!)) throw invalid(field, 'type_mismatch');
      return m[0];
    }
    case 'datetime': {
      // Local time as stored (no offset): the versions keep the source's wall-clock time.
      const m = typeof v === 'string' ? /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d{1,6})?)?)?$/.exec(v.trim()) : null;
      if (!m || !validDate(+m[1]!, +m[2]!, +m[3]!)) throw invalid(field, 'type_mismatch');
      const [h, mi, s] = [+(m[4] ?? 0), +(m[5] ?? 0), +(m[6] ?? 0)];
      if (h > 23 || mi > 59 || s > 59) throw invalid(field, 'type_mismatch');
      const pad = (x: number) => String(x).padStart(2, '0');
      return `${m[1]}-${m[2]}-${m[3]} ${pad(h)}:${pad(mi)}:${pad(s)}${m[7] ?? ''}`;
    }
    default:
      throw invalid(field, 'not_sortable');
  }
}

/**
 * `expr` is one of the items. Not `expr IN (…)`: DuckDB (1.5) plans an IN list of 5 or more constants as hash joins
 * against the list, and then neither a query nor a COPY keeps the file's order (exports came out with blocks of
 * rows swapped, offset pages skipped and repeated rows); list_contains is a plain filter (and no slower).
 */
function inList(expr: string, items: string[]): string {
  return `list_contains([${items.join(', ')}], ${expr})`;
}

/** FROM clause of a read: the version file, narrowed to the source's row restriction (its values bound in `b`). */
function fromClause(src: ReadSource, b: Binder): string {
  if (!src.restrict) return 'read_parquet($1)';
  const { column, values } = src.restrict;
  if (!src.columns.some((c) => c.name === column))
    throw new Error(`read: the row restriction's column ${JSON.stringify(column)} is not in the version`);
  const cond = values.length
    ? inList(
        `CAST(${quoteIdent(column)} AS VARCHAR)`,
        values.map((v) => b.bind(v, 'VARCHAR')),
      )
    : 'false';
  return `(SELECT * FROM read_parquet($1) WHERE ${cond})`;
}

class Binder {
  readonly params: DuckDBValue[];
  constructor(first: DuckDBValue[]) {
    this.params = [...first];
  }
  bind(v: DuckDBValue, cast: string): string {
    this.params.push(v);
    return `CAST($${this.params.length} AS ${cast})`;
  }
}

function compileFilter(filter: Filter | undefined, cols: Map<string, Col>, b: Binder): string[] {
  if (filter === undefined) return [];
  if (!Array.isArray(filter)) throw invalid('filter', 'malformed');
  if (filter.length > MAX_FILTERS) throw invalid('filter', 'too_many');
  return filter.map((f, i) => {
    const at = `filter[${i}]`;
    if (typeof f !== 'object' || f === null || typeof f.column !== 'string') throw invalid(at, 'malformed');
    const c = cols.get(f.column);
    if (!c) throw invalid(`${at}.column`, 'unknown_column');
    const op = f.op as string;
    if (!(FILTER_OPS as readonly string[]).includes(op)) throw invalid(`${at}.op`, 'op_unknown');
    if (c.policy === 'hide') throw invalid(`${at}.column`, 'column_hidden');
    const nullOp = op === 'is_null' || op === 'not_null';
    if (c.policy !== 'clear' && !nullOp) throw invalid(`${at}.column`, 'column_masked');
    const q = quoteIdent(c.name);
    const vf = `${at}.value`;
    if (nullOp) {
      if (f.value !== undefined && f.value !== null) throw invalid(vf, 'value_not_allowed');
      return op === 'is_null' ? `${q} IS NULL` : `${q} IS NOT NULL`;
    }
    if (c.kind === 'other') throw invalid(`${at}.column`, 'not_sortable');
    const cast = SQL_CAST[c.kind];
    if ((op === 'contains' || op === 'starts_with') && c.kind !== 'string') throw invalid(`${at}.op`, 'op_not_applicable');
    if (c.kind === 'boolean' && !['eq', 'ne', 'in'].includes(op)) throw invalid(`${at}.op`, 'op_not_applicable');
    const one = () => {
      if (Array.isArray(f.value)) throw invalid(vf, 'type_mismatch');
      return b.bind(convertValue(c, f.value, vf), cast);
    };
    switch (op as FilterOp) {
      case 'eq':
        return `${q} = ${one()}`;
      case 'ne':
        return `${q} IS DISTINCT FROM ${one()}`;
      case 'lt':
        return `${q} < ${one()}`;
      case 'le':
        return `${q} <= ${one()}`;
      case 'gt':
        return `${q} > ${one()}`;
      case 'ge':
        return `${q} >= ${one()}`;
      case 'contains':
        return `contains(${q}, ${one()})`;
      case 'starts_with':
        return `starts_with(${q}, ${one()})`;
      case 'in': {
        if (!Array.isArray(f.value) || !f.value.length) throw invalid(vf, 'list_required');
        if (f.value.length > MAX_IN_VALUES) throw invalid(vf, 'too_many');
        return inList(
          q,
          f.value.map((v, j) => b.bind(convertValue(c, v, `${vf}[${j}]`), cast)),
        );
      }
      case 'between': {
        if (!Array.isArray(f.value) || f.value.length !== 2) throw invalid(vf, 'pair_required');
        const lo = b.bind(convertValue(c, f.value[0], `${vf}[0]`), cast);
        const hi = b.bind(convertValue(c, f.value[1], `${vf}[1]`), cast);
        return `${q} BETWEEN ${lo} AND ${hi}`;
      }
      default:
        throw invalid(`${at}.op`, 'op_unknown');
    }
  });
}

interface OrderTerm {
  col: Col;
  dir: 'asc' | 'desc';
}

function compileSort(sort: Sort | undefined, cols: Map<string, Col>): OrderTerm[] {
  if (sort === undefined) return [];
  if (!Array.isArray(sort)) throw invalid('sort', 'malformed');
  if (sort.length > MAX_SORT) throw invalid('sort', 'too_many');
  const seen = new Set<string>();
  return sort.map((s, i) => {
    const at = `sort[${i}]`;
    if (typeof s !== 'object' || s === null) throw invalid(at, 'malformed');
    const c = typeof s.column === 'string' ? cols.get(s.column) : undefined;
    if (!c) throw invalid(`${at}.column`, 'unknown_column');
    if (c.policy === 'hide') throw invalid(`${at}.column`, 'column_hidden');
    if (c.policy !== 'clear') throw invalid(`${at}.column`, 'column_masked');
    if (c.kind === 'other') throw invalid(`${at}.column`, 'not_sortable');
    if (s.dir !== 'asc' && s.dir !== 'desc') throw invalid(`${at}.dir`, 'malformed');
    if (seen.has(c.name)) throw invalid(`${at}.column`, 'duplicate_column');
    seen.add(c.name);
    return { col: c, dir: s.dir };
  });
}

/** The tie-breaker that makes an order total: `_row` when the file has it, else the declared primary key. */
function keyColumns(src: ReadSource, cols: Map<string, Col>): Col[] | null {
  const row = cols.get('_row');
  if (row?.isRow && row.kind === 'integer') return [row];
  const pk = src.primaryKey ?? [];
  if (!pk.length) return null;
  const out: Col[] = [];
  for (const name of pk) {
    const c = cols.get(name);
    // A masked key cannot be the cursor: the cursor would carry its stored values to the reader.
    if (!c || c.policy !== 'clear' || c.kind === 'other') return null;
    out.push(c);
  }
  return out;
}

function orderBy(terms: OrderTerm[]): string {
  return terms.map((t) => `${quoteIdent(t.col.name)} ${t.dir.toUpperCase()} NULLS LAST`).join(', ');
}

function totalOrder(sort: OrderTerm[], key: Col[] | null): OrderTerm[] {
  const names = new Set(sort.map((t) => t.col.name));
  return [...sort, ...(key ?? []).filter((c) => !names.has(c.name)).map((col) => ({ col, dir: 'asc' as const }))];
}

/** A physical type name from the file, safe to put in a CAST. */
function physicalCast(c: Col): string {
  if (!/^[A-Z][A-Z0-9_]*(\(\d+(,\s*\d+)?\))?$/.test(c.physical)) throw invalid(c.name, 'not_sortable');
  return c.physical;
}

// ------------------------------------------------------------------------------------------ cursors

function orderSignature(order: OrderTerm[]): string {
  return crypto
    .createHash('sha256')
    .update(JSON.stringify(order.map((t) => [t.col.name, t.dir])))
    .digest('base64url')
    .slice(0, 12);
}

function encodeCursor(order: OrderTerm[], values: (string | null)[]): string {
  return Buffer.from(JSON.stringify({ s: orderSignature(order), v: values })).toString('base64url');
}

function decodeCursor(cursor: string, order: OrderTerm[]): (string | null)[] {
  if (cursor.length > MAX_CURSOR_CHARS) throw invalid('cursor', 'too_long');
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalid('cursor', 'bad_cursor');
  }
  const p = parsed as { s?: unknown; v?: unknown };
  if (
    typeof p !== 'object' ||
    p === null ||
    p.s !== orderSignature(order) ||
    !Array.isArray(p.v) ||
    p.v.length !== order.length ||
    !p.v.every((x) => x === null || (typeof x === 'string' && x.length <= MAX_CURSOR_CHARS))
  )
    throw invalid('cursor', 'bad_cursor');
  return p.v as (string | null)[];
}

/** Rows strictly after the cursor's row in the total order (empty cells last in both directions). */
function keysetWhere(order: OrderTerm[], values: (string | null)[], b: Binder): string {
  const ors: string[] = [];
  const eqs: string[] = [];
  order.forEach((t, i) => {
    const q = quoteIdent(t.col.name);
    const v = values[i] ?? null;
    const cast = physicalCast(t.col);
    if (v !== null) {
      const p = b.bind(v, cast);
      ors.push([...eqs, `(${q} ${t.dir === 'asc' ? '>' : '<'} ${p} OR ${q} IS NULL)`].join(' AND '));
      eqs.push(`${q} = ${p}`);
    } else {
      eqs.push(`${q} IS NULL`); // nothing sorts after an empty cell at this level
    }
  });
  return ors.length ? `(${ors.map((o) => `(${o})`).join(' OR ')})` : 'false';
}

// ------------------------------------------------------------------------------------------ rows

type RowConverter = (values: readonly unknown[]) => Record<string, unknown>;

function rowConverter(out: Col[]): RowConverter {
  const conv = out.map((c) => {
    if (c.policy !== 'clear') return (v: unknown) => v;
    if (c.kind === 'integer')
      return (v: unknown) => (typeof v === 'string' && Number.isSafeInteger(Number(v)) ? Number(v) : typeof v === 'bigint' ? String(v) : v);
    if (c.kind === 'number') return (v: unknown) => (typeof v === 'string' ? Number(v) : v);
    return (v: unknown) => v;
  });
  return (values) => {
    const row: Record<string, unknown> = {};
    out.forEach((c, i) => {
      const v = conv[i]!(values[i] ?? null);
      if (c.name === '__proto__') Object.defineProperty(row, c.name, { value: v, enumerable: true, writable: true, configurable: true });
      else row[c.name] = v;
    });
    return row;
  };
}

// ------------------------------------------------------------------------------------------ query

/** A column of `visibleRelation`, typed as SoQL sees it (src/modules/portal/soql.ts). */
export interface VisibleColumn {
  name: string;
  type: 'text' | 'integer' | 'number' | 'boolean' | 'date' | 'timestamp';
}

/**
 * The version as this reader may see it, as a relation for a query written by the reader (SoQL, issue 7 §5):
 * only the columns the policy shows, each as the reader sees it (masked or tokenized columns are their masked
 * text, so a filter can match only what is shown), under the source's row restriction. `$1` is the file; `from`
 * uses `params`. The file's `_row` (when present) is kept for stable paging but is not offered as a column.
 */
export async function visibleRelation(
  engine: DuckEngine,
  src: ReadSource,
  policy: MaskingPolicy,
): Promise<{ from: string; params: DuckDBValue[]; columns: VisibleColumn[]; rowColumn: string | null }> {
  const cols = [...(await resolveColumns(engine, src, policy)).values()];
  const shown = cols.filter((c) => !c.isRow && c.policy !== 'hide');
  if (!shown.length) throw invalid('columns', 'no_columns');
  const row = cols.find((c) => c.isRow) ?? null;
  const tokenFn = TOKEN_FUNCTIONS.get(engine) ?? null;
  const b = new Binder([src.parquetPath]);
  const from = fromClause(src, b);
  const typeOf = (c: Col): VisibleColumn['type'] => {
    if (c.policy !== 'clear') return 'text';
    const map: Record<Kind, VisibleColumn['type']> = {
      string: 'text',
      integer: 'integer',
      number: 'number',
      boolean: 'boolean',
      date: 'date',
      datetime: 'timestamp',
      other: 'text',
    };
    return map[c.kind];
  };
  const select = shown.map((c) => {
    const e = valueExpr(c, tokenFn);
    return `${c.policy === 'clear' && c.kind === 'other' ? `CAST(${e} AS VARCHAR)` : e} AS ${quoteIdent(c.name)}`;
  });
  if (row) select.push(quoteIdent(row.name));
  return {
    from: `(SELECT ${select.join(', ')} FROM ${from}) AS t`,
    params: b.params,
    columns: shown.map((c) => ({ name: c.name, type: typeOf(c) })),
    rowColumn: row?.name ?? null,
  };
}

/** The first n rows (file order) of every readable column. */
export async function preview(engine: DuckEngine, src: ReadSource, policy: MaskingPolicy, n = 20): Promise<QueryResult> {
  return query(engine, src, { limit: n }, policy);
}

/** A page of rows: typed filters (AND), sort, limit with offset or a keyset cursor, optionally the total. */
export async function query(engine: DuckEngine, src: ReadSource, q: QueryOptions, policy: MaskingPolicy): Promise<QueryResult> {
  const limit = q.limit ?? DEFAULT_LIMIT;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) throw invalid('limit', 'out_of_range');
  const offset = q.offset;
  if (offset !== undefined && (!Number.isSafeInteger(offset) || offset < 0)) throw invalid('offset', 'out_of_range');
  const cursorMode = q.cursor !== undefined;
  if (cursorMode && offset !== undefined) throw invalid('cursor', 'cursor_with_offset');
  if (cursorMode && typeof q.cursor !== 'string') throw invalid('cursor', 'bad_cursor');

  const cols = await resolveColumns(engine, src, policy);
  const out = pickColumns(cols, q.columns);
  const tokenFn = TOKEN_FUNCTIONS.get(engine) ?? null;
  const b = new Binder([src.parquetPath]);
  const from = fromClause(src, b);
  const where = compileFilter(q.filter, cols, b);
  const filterParams = b.params.length;
  const sort = compileSort(q.sort, cols);
  const key = keyColumns(src, cols);

  let order: OrderTerm[] = sort.length ? totalOrder(sort, key) : [];
  let extras: string[] = [];
  if (cursorMode) {
    if (!key) throw invalid('cursor', 'no_key');
    order = totalOrder(sort, key);
    if (q.cursor) where.push(keysetWhere(order, decodeCursor(q.cursor, order), b));
    extras = order.map((t, i) => `CAST(${quoteIdent(t.col.name)} AS VARCHAR) AS "__shuyuan_k${i}"`);
  }
  const whereSql = where.length ? ` WHERE ${where.join(' AND ')}` : '';
  const select = [...out.map((c) => `${selectFor(c, tokenFn, 'rows')} AS ${quoteIdent(c.name)}`), ...extras].join(', ');
  const sqlText =
    `SELECT ${select} FROM ${from}${whereSql}` +
    (order.length ? ` ORDER BY ${orderBy(order)}` : '') +
    ` LIMIT ${cursorMode ? limit + 1 : limit}` +
    (offset ? ` OFFSET ${offset}` : '');

  const page = engine.rowsJson(sqlText, b.params);
  const count = q.total
    ? engine.all<{ n: bigint }>(`SELECT count(*) AS n FROM ${from}${countWhere(where, q)}`, b.params.slice(0, filterParams))
    : null;
  const [raw, counted] = await Promise.all([page, count]);
  const toRow = rowConverter(out);
  const more = cursorMode && raw.length > limit;
  const kept = more ? raw.slice(0, limit) : raw;
  const result: QueryResult = {
    columns: out.map((c) => ({ name: c.name, type: outputType(c), policy: c.policy as OutputColumn['policy'] })),
    rows: kept.map((r) => toRow(r)),
  };
  if (counted) result.total = Number(counted[0]!.n);
  if (more) {
    const last = kept[kept.length - 1]!;
    result.nextCursor = encodeCursor(
      order,
      last.slice(out.length).map((v) => (v === null || v === undefined ? null : String(v))),
    );
  }
  return result;
}

/** The filter part of the WHERE clause (the keyset condition, added last, is not part of a count). */
function countWhere(where: string[], q: QueryOptions): string {
  const n = q.filter?.length ?? 0;
  return n ? ` WHERE ${where.slice(0, n).join(' AND ')}` : '';
}

// ------------------------------------------------------------------------------------------ exports

interface ExportPlan {
  out: Col[];
  sql: string;
  params: DuckDBValue[];
}

async function planExport(engine: DuckEngine, src: ReadSource, opts: ExportOptions, policy: MaskingPolicy): Promise<ExportPlan> {
  if (!(EXPORT_FORMATS as readonly string[]).includes(opts.format)) throw invalid('format', 'format_unknown');
  const cols = await resolveColumns(engine, src, policy);
  const out = pickColumns(cols, opts.columns);
  const tokenFn = TOKEN_FUNCTIONS.get(engine) ?? null;
  const b = new Binder([src.parquetPath]);
  const from = fromClause(src, b);
  const where = compileFilter(opts.filter, cols, b);
  const sort = compileSort(opts.sort, cols);
  const target = opts.format === 'csv' || opts.format === 'csv-bom' ? 'csv' : opts.format === 'xlsx' ? 'xlsx' : 'file';
  const formulaFree = target === 'file' ? undefined : await formulaFreeColumns(engine, src.parquetPath);
  const select = out.map((c) => `${selectFor(c, tokenFn, target, formulaFree)} AS ${quoteIdent(c.name)}`).join(', ');
  // Without a sort the file order is kept (DuckDB preserves insertion order); with one, the key makes it total.
  const order = sort.length ? totalOrder(sort, keyColumns(src, cols)) : [];
  const sql =
    `SELECT ${select} FROM ${from}` +
    (where.length ? ` WHERE ${where.join(' AND ')}` : '') +
    (order.length ? ` ORDER BY ${orderBy(order)}` : '');
  return { out, sql, params: b.params };
}

/** RFC 4180 field: quoted when it holds a comma, quote, CR or LF (or leading/trailing space). */
function csvField(s: string): string {
  return /[",\r\n]|^\s|\s$/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

/**
 * Writes the rows the reader may see to outPath, in constant memory, and returns its size and row count. The
 * file appears whole or not at all (written beside it under a temporary name, then renamed). outPath must be in
 * one of DuckDB's allowed directories.
 */
export async function exportTo(
  engine: DuckEngine,
  src: ReadSource,
  opts: ExportOptions,
  policy: MaskingPolicy,
  outPath: string,
  hooks: { onStart?: (reader: fs.FileHandle) => void } = {},
): Promise<{ bytes: number; rows: number }> {
  const plan = await planExport(engine, src, opts, policy);
  const target = path.resolve(outPath);
  const tmp = `${target}.${crypto.randomBytes(6).toString('hex')}.part`;
  if (!engine.allows(tmp)) throw new Error(`read: ${outPath} is outside DuckDB's allowed directories`);
  let rows: number;
  try {
    if (hooks.onStart) {
      if (!FOLLOWABLE.has(opts.format)) throw new Error(`read: a ${opts.format} export cannot be followed while written`);
      // The file exists before DuckDB writes it (in place: USE_TMP_FILE false), so this handle reads what COPY
      // writes, and keeps reading the same bytes after the rename.
      await fs.writeFile(tmp, '', { flag: 'wx' });
      hooks.onStart(await fs.open(tmp, 'r'));
    }
    if (opts.format === 'xlsx') rows = await writeXlsx(engine, plan, tmp);
    else rows = await copyTo(engine, plan, opts.format, tmp);
    await fs.rename(tmp, target);
  } catch (err) {
    await fs.rm(tmp, { force: true });
    throw err;
  }
  const st = await fs.stat(target);
  return { bytes: st.size, rows };
}

async function copyTo(engine: DuckEngine, plan: ExportPlan, format: Exclude<ExportFormat, 'xlsx'>, file: string): Promise<number> {
  let options: string;
  let header = '';
  if (format === 'csv' || format === 'csv-bom') {
    // The header is written by us (DuckDB's own would not neutralize a name like "=cmd"), as the COPY prefix;
    // with a prefix DuckDB leaves the last line without its newline, which the suffix puts back.
    header = (format === 'csv-bom' ? '\uFEFF' : '') + plan.out.map((c) => csvField(neutralizeText(c.name))).join(',') + '\n';
    options = `FORMAT csv, HEADER false, PREFIX ${quoteLiteral(header)}, SUFFIX ${quoteLiteral('\n')}`;
  } else if (format === 'json') options = 'FORMAT json, ARRAY true';
  else if (format === 'ndjson') options = 'FORMAT json';
  else options = 'FORMAT parquet, COMPRESSION zstd';
  // Written in place: the temporary name is new (or pre-created by exportTo for a follower, whose handle must see
  // these bytes; DuckDB's default would write another file and rename it over this one).
  options += ', USE_TMP_FILE false';
  const con = await engine.connect();
  let rows: number;
  try {
    const r = await con.run(`COPY (${plan.sql}) TO ${quoteLiteral(file)} (${options})`, plan.params);
    rows = Number(r.rowsChanged);
  } finally {
    con.closeSync();
  }
  // No rows: DuckDB writes prefix + suffix, an empty line after the header (cut off in place: a follower holds the
  // suffix back until the COPY is over, FOLLOW_HOLD_BACK).
  if (rows === 0 && header) await fs.truncate(file, Buffer.byteLength(header));
  return rows;
}

function dateCell(s: string): Date | string {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?: (\d{2}):(\d{2}):(\d{2})(\.\d+)?)?$/.exec(s);
  if (!m || +m[1]! < 1900) return s; // Excel has no dates before 1900: keep the text
  const ms = m[7] ? Math.floor(Number(m[7]) * 1000) : 0;
  return new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +(m[4] ?? 0), +(m[5] ?? 0), +(m[6] ?? 0), ms));
}

/**
 * exceljs 4.4's streaming writer pipes each sheet into the zip without honouring backpressure (utils/stream-buf.js
 * ignores write()'s answer), so a fast producer piles compressed-to-be XML in memory. Waiting for the zip entry's
 * stream to drain after each DuckDB chunk keeps memory flat (measured: 600k rows, +115 MB RSS flat instead of
 * growing ~60 MB per 200k rows).
 */
async function drainSheet(ws: ExcelJS.Worksheet): Promise<void> {
  const pipes = (ws as unknown as { stream?: { pipes?: unknown[] } }).stream?.pipes ?? [];
  for (const p of pipes) {
    const state = (p as { _writableState?: { needDrain?: boolean } })._writableState;
    if (state?.needDrain) await once(p as NodeJS.EventEmitter, 'drain');
  }
}

async function writeXlsx(engine: DuckEngine, plan: ExportPlan, file: string): Promise<number> {
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: file, useStyles: true, useSharedStrings: false });
  wb.creator = 'Shuyuan';
  const cells = plan.out.map((c): ((v: unknown) => unknown) => {
    if (c.policy !== 'clear') return (v) => v;
    switch (c.kind) {
      case 'integer':
        // Beyond 2^53 a number would lose digits (Excel keeps 15): such values go in as text.
        return (v) => (typeof v === 'bigint' ? (v >= -(2n ** 53n) && v <= 2n ** 53n ? Number(v) : String(v)) : v);
      case 'date':
      case 'datetime':
        return (v) => (typeof v === 'string' ? dateCell(v) : v);
      default:
        return (v) => v;
    }
  });
  const columns = plan.out.map((c) => ({
    header: neutralizeText(c.name),
    width: Math.min(50, Math.max(10, c.name.length * 2 + 2)),
    ...(c.policy === 'clear' && c.kind === 'date' ? { style: { numFmt: 'yyyy-mm-dd' } } : {}),
    ...(c.policy === 'clear' && c.kind === 'datetime' ? { style: { numFmt: 'yyyy-mm-dd hh:mm:ss' } } : {}),
  }));
  let ws: ExcelJS.Worksheet | null = null;
  let sheetRows = 0;
  let sheets = 0;
  const nextSheet = () => {
    ws?.commit();
    sheets++;
    ws = wb.addWorksheet(sheets === 1 ? '数据' : `数据${sheets}`);
    ws.columns = columns;
    sheetRows = 0;
    return ws;
  };
  let rows = 0;
  const con = await engine.connect();
  try {
    const result = await con.stream(plan.sql, plan.params);
    for (;;) {
      const chunk = await result.fetchChunk();
      if (!chunk || chunk.rowCount === 0) break;
      for (const r of chunk.getRows()) {
        const sheet: ExcelJS.Worksheet = ws && sheetRows < XLSX_SHEET_ROWS ? ws : nextSheet();
        sheet.addRow(r.map((v, i) => cells[i]!(v))).commit();
        sheetRows++;
        rows++;
      }
      if (ws) await drainSheet(ws);
    }
    (ws ?? nextSheet()).commit();
    await wb.commit();
  } catch (err) {
    (wb as unknown as { stream?: { destroy?: () => void } }).stream?.destroy?.();
    throw err;
  } finally {
    con.closeSync();
  }
  return rows;
}

// ------------------------------------------------------------------------------------------ export cache

export interface CachedExport {
  path: string;
  bytes: number;
  rows: number;
  format: ExportFormat;
  contentType: string;
  /** True when the file was already there. */
  hit: boolean;
}

/** An export being written (ExportCache.follow). */
export interface GrowingExport {
  growing: true;
  format: ExportFormat;
  contentType: string;
  body: Readable;
  /** The export once whole and in the cache. */
  done: Promise<CachedExport>;
}

/**
 * The bytes of a file another writer appends to, as they come, until `done` settles: then read to its end. The
 * last `holdBack` bytes are sent only then (a writer may cut its own tail when it finishes). When `done` rejects,
 * or the file ends shorter than what was sent, the stream fails: the receiver must see a broken transfer, never a
 * short or different file. Takes the handle over (closed at the end or when the stream is destroyed).
 */
export function followFile(fh: fs.FileHandle, done: Promise<unknown>, holdBack = 0): Readable {
  let settled = false;
  let failure: { error: unknown } | null = null;
  let wake: (() => void) | null = null;
  done.then(
    () => {
      settled = true;
      wake?.();
    },
    (error: unknown) => {
      settled = true;
      failure = { error };
      wake?.();
    },
  );
  async function* chunks() {
    let pos = 0;
    try {
      for (;;) {
        const finished = settled; // read before the size: once settled, the size is final
        if (failure) throw (failure as { error: unknown }).error;
        const { size } = await fh.stat();
        if (finished && size < pos) throw new Error('read: a followed export ended shorter than the bytes already sent');
        const limit = finished ? size : size - holdBack;
        if (limit > pos) {
          const buf = Buffer.allocUnsafe(Math.min(FOLLOW_CHUNK, limit - pos));
          const { bytesRead } = await fh.read(buf, 0, buf.length, pos);
          pos += bytesRead;
          yield buf.subarray(0, bytesRead);
        } else if (finished) {
          return;
        } else {
          // Nothing new yet: look again shortly (or at once when the writer is done).
          await new Promise<void>((resolve) => {
            const t = setTimeout(resolve, 4);
            wake = () => {
              clearTimeout(t);
              resolve();
            };
          });
          wake = null;
        }
      }
    } finally {
      await fh.close();
    }
  }
  return Readable.from(chunks(), { objectMode: false, highWaterMark: FOLLOW_CHUNK });
}

/**
 * Exports kept on disk under a key naming exactly what they contain: the version (its SHA-256), the statement
 * DuckDB runs (selected columns, masking expressions with the token function's key fingerprint, filter, order)
 * with its bound values, the format and EXPORT_VERSION. Why cache: (1) a resumed download (Range) must get the
 * same bytes as the first attempt, which only a kept file guarantees (an XLSX carries timestamps, and nothing
 * promises DuckDB writes byte-identical files twice); (2) a popular open dataset is exported once, then every
 * download is a file read. Concurrent requests for the same export share one COPY. Beyond maxBytes the least
 * recently served files are deleted (a file being streamed stays readable: its descriptor is open).
 */
export class ExportCache {
  readonly dir: string;
  readonly maxBytes: number;
  readonly #inflight = new Map<string, Promise<CachedExport>>();

  constructor(opts: { dir: string; maxBytes: number }) {
    this.dir = path.resolve(opts.dir);
    this.maxBytes = opts.maxBytes;
  }

  /** The key of an export (hex SHA-256); throws QUERY_INVALID like exportTo for a bad request. */
  async key(engine: DuckEngine, src: ReadSource, versionSha256: string, opts: ExportOptions, policy: MaskingPolicy): Promise<string> {
    const plan = await planExport(engine, src, opts, policy);
    const params = plan.params.slice(1).map((p) => (typeof p === 'bigint' ? `${p}n` : p));
    return crypto
      .createHash('sha256')
      .update(JSON.stringify([EXPORT_VERSION, versionSha256, opts.format, plan.sql, params]))
      .digest('hex');
  }

  async get(engine: DuckEngine, src: ReadSource, versionSha256: string, opts: ExportOptions, policy: MaskingPolicy): Promise<CachedExport> {
    return (await this.#get(engine, src, versionSha256, opts, policy, false)) as CachedExport;
  }

  /**
   * Like get, but when this request starts the export of a FOLLOWABLE format, answers as soon as DuckDB starts
   * writing: `body` streams the bytes while the COPY appends them and ends when it is over and the file read to
   * its end (or fails with the export: never a silently short body); `done` is the cached export, the same bytes,
   * which later and resumed (Range) downloads get. Destroying the body (a client gone) does not stop the export.
   */
  async follow(
    engine: DuckEngine,
    src: ReadSource,
    versionSha256: string,
    opts: ExportOptions,
    policy: MaskingPolicy,
  ): Promise<CachedExport | GrowingExport> {
    return this.#get(engine, src, versionSha256, opts, policy, FOLLOWABLE.has(opts.format));
  }

  async #get(
    engine: DuckEngine,
    src: ReadSource,
    versionSha256: string,
    opts: ExportOptions,
    policy: MaskingPolicy,
    follow: boolean,
  ): Promise<CachedExport | GrowingExport> {
    if (!/^[0-9a-f]{64}$/.test(versionSha256)) throw new Error('ExportCache: versionSha256 must be 64 hex digits');
    const key = await this.key(engine, src, versionSha256, opts, policy);
    const media = EXPORT_MEDIA[opts.format];
    const file = path.join(this.dir, `${key}.${media.extension}`);
    const pending = this.#inflight.get(key);
    if (pending) return { ...(await pending), hit: true };
    let started: ((reader: fs.FileHandle) => void) | undefined;
    const reader = follow ? new Promise<fs.FileHandle>((resolve) => (started = resolve)) : null;
    const job = (async (): Promise<CachedExport> => {
      const hit = await this.#lookup(file, opts.format);
      if (hit) return hit;
      await fs.mkdir(this.dir, { recursive: true });
      const { bytes, rows } = await exportTo(engine, src, opts, policy, file, { onStart: started });
      const meta = `${file}.meta`;
      const tmp = `${meta}.${crypto.randomBytes(4).toString('hex')}.part`;
      await fs.writeFile(tmp, JSON.stringify({ format: opts.format, bytes, rows, createdAt: new Date().toISOString() }));
      await fs.rename(tmp, meta);
      await this.prune(file);
      return { path: file, bytes, rows, format: opts.format, contentType: media.contentType, hit: false };
    })();
    this.#inflight.set(key, job);
    const forget = () => this.#inflight.delete(key);
    job.then(forget, forget);
    if (!reader) return await job;
    // The export's start (its file handle) or its end (a hit, or a failure before any byte was written).
    const first = await Promise.race([reader, job.then(() => null)]);
    if (!first) return await job;
    job.catch(() => undefined); // reported through the body
    return {
      growing: true,
      format: opts.format,
      contentType: media.contentType,
      body: followFile(first, job, FOLLOW_HOLD_BACK),
      done: job,
    };
  }

  async #lookup(file: string, format: ExportFormat): Promise<CachedExport | null> {
    try {
      const meta = JSON.parse(await fs.readFile(`${file}.meta`, 'utf8')) as { bytes: number; rows: number };
      const st = await fs.stat(file);
      if (st.size !== meta.bytes) return null;
      // Last use is recorded on the meta file: the export itself stays untouched (its mtime is in the ETag).
      const now = new Date();
      await fs.utimes(`${file}.meta`, now, now);
      return { path: file, bytes: st.size, rows: meta.rows, format, contentType: EXPORT_MEDIA[format].contentType, hit: true };
    } catch {
      return null;
    }
  }

  /** Deletes the least recently used exports beyond maxBytes (never `keep`), and leftovers of crashed writes. */
  async prune(keep?: string): Promise<void> {
    let names: string[];
    try {
      names = await fs.readdir(this.dir);
    } catch {
      return;
    }
    const files: { file: string; size: number; used: number }[] = [];
    const present = new Set(names);
    let total = 0;
    const now = Date.now();
    for (const name of names) {
      const file = path.join(this.dir, name);
      const st = await fs.stat(file).catch(() => null);
      if (!st?.isFile()) continue;
      if (name.endsWith('.part')) {
        if (now - st.mtimeMs > 24 * 3600_000) await fs.rm(file, { force: true });
        continue;
      }
      if (name.endsWith('.meta')) {
        if (!present.has(name.slice(0, -5))) await fs.rm(file, { force: true });
        continue;
      }
      // Without its meta file an export is not served (being written, or a leftover): the oldest goes first.
      const meta = present.has(`${name}.meta`) ? await fs.stat(`${file}.meta`).catch(() => null) : null;
      total += st.size;
      files.push({ file, size: st.size, used: meta ? meta.mtimeMs : 0 });
    }
    files.sort((a, b) => a.used - b.used);
    for (const f of files) {
      if (total <= this.maxBytes) break;
      if (f.file === keep) continue;
      await fs.rm(`${f.file}.meta`, { force: true });
      await fs.rm(f.file, { force: true });
      total -= f.size;
    }
  }
}

// ------------------------------------------------------------------------------------------ HTTP file sending

export interface SendFileOptions {
  contentType: string;
  /** The name the browser saves the file as (any language: RFC 5987 filename*). */
  fileName: string;
  /** A strong ETag (quoted); default: from the file's inode, size and modification time. */
  etag?: string;
  disposition?: 'attachment' | 'inline';
}

/** Content-Disposition with an ASCII fallback and the UTF-8 name (RFC 6266 / RFC 5987), e.g. for 人口数据.csv. */
export function contentDisposition(fileName: string, disposition: 'attachment' | 'inline' = 'attachment'): string {
  // eslint-disable-next-line no-control-regex
  const clean = fileName.replace(/[\u0000-\u001f\u007f"\\/]/g, '_').trim() || 'download';
  const ascii = clean.replace(/[^\x20-\x7e]/g, '_').replace(/%/g, '_');
  const encoded = encodeURIComponent(clean).replace(/['()*]/g, (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`);
  return `${disposition}; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}

type Range = { start: number; end: number };

/** One byte range of a `Range: bytes=…` header: a range, 'unsatisfiable', or null (ignore: serve it all). */
export function parseRange(header: string, size: number): Range | 'unsatisfiable' | null {
  const m = /^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$/i.exec(header);
  if (!m || (m[1] === '' && m[2] === '')) return null; // several ranges or bad syntax: RFC 9110 lets us ignore it
  if (m[1] === '') {
    const n = Number(m[2]);
    if (n === 0 || size === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - n), end: size - 1 };
  }
  const start = Number(m[1]);
  const end = m[2] === '' ? Infinity : Number(m[2]);
  if (end < start) return null;
  if (start >= size) return 'unsatisfiable';
  return { start, end: Math.min(end, size - 1) };
}

function etagMatches(list: string, etag: string, weak: boolean): boolean {
  if (list.trim() === '*') return true;
  const norm = (t: string) => (weak ? t.trim().replace(/^W\//, '') : t.trim());
  return list.split(',').some((t) => norm(t) === (weak ? etag.replace(/^W\//, '') : etag));
}

/**
 * Sends a file with what a resumable download needs: Accept-Ranges, a strong ETag, Last-Modified, a single
 * Range (206 with Content-Range; 416 with `bytes *\/size` when it starts past the end; several ranges are
 * answered with the whole file), If-Range (the range only while the ETag or date still matches), If-None-Match
 * (304) and HEAD. The file is opened first, so a cache eviction during the send does not cut it short.
 */
export async function sendFile(req: FastifyRequest, reply: FastifyReply, file: string, opts: SendFileOptions): Promise<FastifyReply> {
  let fh: fs.FileHandle;
  try {
    fh = await fs.open(file, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new AppError(404, 'NOT_FOUND');
    throw err;
  }
  let handedOver = false;
  try {
    const st = await fh.stat();
    const size = st.size;
    const etag = opts.etag ?? `"${st.ino.toString(16)}-${size.toString(16)}-${Math.floor(st.mtimeMs).toString(16)}"`;
    const lastModified = st.mtime.toUTCString();
    reply.header('accept-ranges', 'bytes').header('etag', etag).header('last-modified', lastModified);

    const inm = req.headers['if-none-match'];
    if (typeof inm === 'string' && etagMatches(inm, etag, true)) return reply.code(304).send();

    let range: Range | null = null;
    const rangeHeader = req.headers.range;
    if (typeof rangeHeader === 'string' && ifRangeHolds(req.headers['if-range'], etag, st.mtime)) {
      const r = parseRange(rangeHeader, size);
      if (r === 'unsatisfiable') {
        return reply.code(416).header('content-range', `bytes */${size}`).header('content-length', '0').send();
      }
      range = r;
    }
    reply.header('content-type', opts.contentType).header('content-disposition', contentDisposition(opts.fileName, opts.disposition));
    if (range) {
      reply
        .code(206)
        .header('content-range', `bytes ${range.start}-${range.end}/${size}`)
        .header('content-length', String(range.end - range.start + 1));
    } else {
      reply.code(200).header('content-length', String(size));
    }
    // HEAD: an empty stream, because Fastify's HEAD handling would reset Content-Length to 0 for no body.
    if (req.method === 'HEAD') return reply.send(Readable.from([]));
    if (size === 0) return reply.send();
    // 1 MiB reads: the default 64 KiB chunks cap a localhost download near 170 MB/s (bench/read.ts).
    const chunk = { highWaterMark: 1024 * 1024 };
    const stream = fh.createReadStream(range ? { ...chunk, start: range.start, end: range.end } : { ...chunk, start: 0 });
    handedOver = true;
    return reply.send(stream);
  } finally {
    if (!handedOver) await fh.close();
  }
}

function ifRangeHolds(ifRange: string | string[] | undefined, etag: string, mtime: Date): boolean {
  if (ifRange === undefined) return true;
  if (typeof ifRange !== 'string') return false;
  const v = ifRange.trim();
  if (v.startsWith('"') || v.startsWith('W/')) return v === etag && !etag.startsWith('W/'); // strong comparison only
  const t = Date.parse(v);
  return Number.isFinite(t) && Math.floor(t / 1000) === Math.floor(mtime.getTime() / 1000);
}
