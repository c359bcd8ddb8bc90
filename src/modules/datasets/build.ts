// Staging + confirmed schema → the typed Parquet file of a version (zstd), without `_row`.
//
// One COPY in the normal case: every value goes through a guarded cast that raises an error (never a silent NULL)
// when it does not parse as its field's type, is out of range, or is empty in a required field. Only when that
// COPY fails does a second statement list the bad values (row, column, value, reason; first 1000 and the exact
// counts). Policy 'reject' (default): AppError 400 ROWS_INVALID and no output file. 'quarantine': the rows
// without bad values are written and the bad ones returned. The file is written under a temporary name and
// renamed into place only when complete.
import fsp from 'node:fs/promises';
import type { DuckDBConnection } from '@duckdb/node-api';
import { AppError } from '../../errors.ts';
import { quoteIdent, quoteLiteral, type DuckEngine } from './duckdb.ts';
import {
  LIMITS,
  ROW_COLUMN,
  removeQuietly,
  sha256File,
  siblingPath,
  stagingInfo,
  type BadRow,
  type BadRowPolicy,
  type StagingInfo,
} from './ingest/common.ts';
import { BOOLEAN_FALSE, BOOLEAN_TRUE, FIELD_TYPES, formatRegex, type SchemaField, type TableSchema } from './schema-infer.ts';
import './messages.ts';

export interface BuildOptions {
  badRows?: BadRowPolicy;
  /** Field name → staging column, overriding each field's `source`. */
  columnMap?: Record<string, string>;
}

export interface BuildResult {
  /** Rows written. */
  rows: number;
  bytes: number;
  sha256: string;
  /** Bad values (first 1000), ordered by row then field. */
  badRows: BadRow[];
  /** Rows with at least one bad value (left out under 'quarantine'). */
  badRowCount: number;
  /** Bad values in all. */
  badValueCount: number;
}

const MARKER = 'SHUYUAN_BAD_VALUE';
const INTEGER_RE = '[+-]?[0-9]+';
const NUMBER_RE = '[+-]?([0-9]+(\\.[0-9]*)?|\\.[0-9]+)([eE][+-]?[0-9]+)?';
const DECIMAL_RE = '[+-]?([0-9]{1,300}(\\.[0-9]*)?|\\.[0-9]+)';
const ISO_DATETIME_RE = '[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\\.[0-9]{1,6})?)?';

const schemaError = (field: string, reason: string) => new AppError(400, 'SCHEMA_INVALID', { field, reason });

interface Plan {
  field: SchemaField;
  src: string;
  /** The typed value, raising MARKER on a bad one. */
  value: string;
  /** NULL when the value is good, else the reason code. */
  reason: string;
}

/**
 * The typed value and the reason of a bad one. The value expression tries the raw text first and trims only the
 * values that need it (CASE evaluates each branch on the rows still undecided); a cast that fails (integer
 * overflow, an impossible date) raises an error, as does the final branch.
 */
function plan(field: SchemaField, srcColumn: string): Plan {
  const src = quoteIdent(srcColumn);
  const t = `trim(${src})`;
  const required = field.constraints?.required === true;
  const fail = `error(${quoteLiteral(MARKER)})`;
  const whenEmpty = required ? fail : 'NULL';
  const empty = `(${src} IS NULL OR ${t} = '')`;
  const reasonEmpty = required ? `'VALUE_REQUIRED'` : 'NULL';
  const full = (v: string, re: string) => `regexp_full_match(${v}, ${quoteLiteral(re)})`;
  /** CASE: NULL, then the raw value (each [test, cast] in turn), then blank, then the trimmed value, else the error. */
  const value = (branches: [(v: string) => string, (v: string) => string][]) =>
    `CASE WHEN ${src} IS NULL THEN ${whenEmpty} ${branches.map(([ok, typed]) => `WHEN ${ok(src)} THEN ${typed(src)}`).join(' ')} ` +
    `WHEN ${t} = '' THEN ${whenEmpty} ${branches.map(([ok, typed]) => `WHEN ${ok(t)} THEN ${typed(t)}`).join(' ')} ELSE ${fail} END`;
  let valid: string;
  let reason: string;
  let typedValue: string;
  switch (field.type) {
    case 'string':
      return {
        field,
        src,
        // trim only where a value starts with a space
        value: required ? `CASE WHEN ${src} IS NULL THEN ${fail} WHEN prefix(${src}, ' ') AND ${t} = '' THEN ${fail} ELSE ${src} END` : src,
        reason: `CASE WHEN ${empty} THEN ${reasonEmpty} END`,
      };
    case 'integer':
      typedValue = value([[(v) => full(v, INTEGER_RE), (v) => `CAST(${v} AS BIGINT)`]]);
      valid = `(${full(t, INTEGER_RE)} AND TRY_CAST(${t} AS BIGINT) IS NOT NULL)`;
      reason = `CASE WHEN ${full(t, INTEGER_RE)} THEN 'VALUE_OVERFLOW' ELSE 'VALUE_NOT_INTEGER' END`;
      break;
    case 'number':
      // Plain decimals of up to 300 digits cannot overflow a double; an exponent is checked for a finite result.
      typedValue = value([
        [(v) => full(v, DECIMAL_RE), (v) => `CAST(${v} AS DOUBLE)`],
        [(v) => `${full(v, NUMBER_RE)} AND isfinite(TRY_CAST(${v} AS DOUBLE))`, (v) => `CAST(${v} AS DOUBLE)`],
      ]);
      valid = `(${full(t, NUMBER_RE)} AND isfinite(TRY_CAST(${t} AS DOUBLE)))`;
      reason = `CASE WHEN ${full(t, NUMBER_RE)} THEN 'VALUE_OVERFLOW' ELSE 'VALUE_NOT_NUMBER' END`;
      break;
    case 'boolean': {
      const lower = (vs: string[]) => vs.map((v) => quoteLiteral(v.trim().toLowerCase())).join(', ');
      const tv = field.trueValues?.length ? field.trueValues : [...BOOLEAN_TRUE, '1'];
      const fv = field.falseValues?.length ? field.falseValues : [...BOOLEAN_FALSE, '0'];
      if (tv.some((v) => fv.map((x) => x.toLowerCase()).includes(v.toLowerCase()))) {
        throw schemaError(field.name, 'trueValues and falseValues overlap');
      }
      const ok = (v: string) => `(lower(${v}) IN (${lower(tv)}) OR lower(${v}) IN (${lower(fv)}))`;
      typedValue = value([[ok, (v) => `(lower(${v}) IN (${lower(tv)}))`]]);
      valid = ok(t);
      reason = `'VALUE_NOT_BOOLEAN'`;
      break;
    }
    case 'date':
    case 'datetime': {
      const fmt = !field.format || field.format === 'default' ? (field.type === 'date' ? '%Y-%m-%d' : null) : field.format;
      const target = field.type === 'date' ? 'DATE' : 'TIMESTAMP';
      if (fmt === null) {
        typedValue = value([[(v) => full(v, ISO_DATETIME_RE), (v) => `CAST(replace(${v}, 'T', ' ') AS TIMESTAMP)`]]);
        valid = `(${full(t, ISO_DATETIME_RE)} AND TRY_CAST(replace(${t}, 'T', ' ') AS TIMESTAMP) IS NOT NULL)`;
      } else {
        const re = formatRegex(fmt);
        if (re === null) throw schemaError(field.name, `unsupported format ${fmt} (use %Y %m %d %H %M %S %f and literal text)`);
        typedValue = value([[(v) => full(v, re), (v) => `CAST(strptime(${v}, ${quoteLiteral(fmt)}) AS ${target})`]]);
        valid = `(${full(t, re)} AND try_strptime(${t}, ${quoteLiteral(fmt)}) IS NOT NULL)`;
      }
      reason = field.type === 'date' ? `'VALUE_NOT_DATE'` : `'VALUE_NOT_DATETIME'`;
      break;
    }
    default:
      throw schemaError(field.name, `unknown type ${String(field.type)}`);
  }
  return {
    field,
    src,
    value: typedValue,
    reason: `CASE WHEN ${empty} THEN ${reasonEmpty} WHEN ${valid} THEN NULL ELSE ${reason} END`,
  };
}

function checkSchema(schema: TableSchema, columns: string[], columnMap: Record<string, string> | undefined): Plan[] {
  if (!schema || !Array.isArray(schema.fields) || schema.fields.length === 0) throw schemaError('fields', 'no fields');
  const names = new Set<string>();
  const staged = new Set(columns);
  return schema.fields.map((f) => {
    if (typeof f.name !== 'string' || f.name.trim() === '' || f.name.length > 255) throw schemaError(String(f.name), 'invalid name');
    const key = f.name.toLowerCase();
    if (key === ROW_COLUMN) throw schemaError(f.name, 'reserved name');
    if (names.has(key)) throw schemaError(f.name, 'duplicate name');
    names.add(key);
    if (!(FIELD_TYPES as readonly string[]).includes(f.type)) throw schemaError(f.name, `unknown type ${String(f.type)}`);
    const source = columnMap?.[f.name] ?? f.source ?? f.name;
    if (!staged.has(source)) throw new AppError(400, 'SCHEMA_SOURCE_UNKNOWN', { field: f.name, column: source });
    return plan(f, source);
  });
}

const isValueFailure = (err: unknown) =>
  err instanceof Error && (err.message.includes(MARKER) || /Conversion Error|Could not convert|out of range/i.test(err.message));

/** staging: a staging file, or a relation read in place (ingest/index.ts directSource). */
export async function buildVersion(
  engine: DuckEngine,
  staging: string | StagingInfo,
  schema: TableSchema,
  outPath: string,
  opts: BuildOptions = {},
): Promise<BuildResult> {
  if (!engine.allows(outPath) || (typeof staging === 'string' && !engine.allows(staging)))
    throw new Error('buildVersion: paths outside the DuckDB engine allowed directories');
  const info = typeof staging === 'string' ? await stagingInfo(engine, staging) : staging;
  const plans = checkSchema(schema, info.columns, opts.columnMap);
  const select = plans.map((p) => `${p.value} AS ${quoteIdent(p.field.name)}`).join(', ');
  const tmp = siblingPath(outPath, 'build');
  const copy = async (con: DuckDBConnection, where = '') => {
    const r = await con.runAndReadAll(
      `COPY (SELECT ${select} FROM ${info.from}${where}) TO ${quoteLiteral(tmp)} (FORMAT parquet, COMPRESSION zstd)`,
    );
    return Number(r.getRows()[0]?.[0] ?? 0);
  };
  const con = await engine.connect();
  try {
    let rows: number;
    let badRows: BadRow[] = [];
    let badRowCount = 0;
    let badValueCount = 0;
    try {
      rows = await copy(con);
    } catch (err) {
      await removeQuietly(tmp);
      if (!isValueFailure(err)) throw err;
      const anyBad = plans.map((p) => `(${p.reason}) IS NOT NULL`).join(' OR ');
      const tag = Math.random().toString(36).slice(2, 10);
      const list = `[${plans.map((p, i) => `{'i': ${i}, 'v': ${p.src}::VARCHAR, 'r': ${p.reason}}`).join(', ')}]`;
      // (No lambda: a column could share the lambda parameter's name.)
      await con.run(
        `CREATE TEMP TABLE bad_${tag} AS SELECT b._row AS _row, b.e.i AS i, b.e.v AS v, b.e.r AS r FROM (` +
          `SELECT ${info.rowExpr} AS _row, unnest(${list}) AS e FROM ${info.from} WHERE ${anyBad}) b WHERE b.e.r IS NOT NULL`,
      );
      const [counts] = (
        await con.runAndReadAll(`SELECT count(*)::BIGINT AS n, count(DISTINCT _row)::BIGINT AS r FROM bad_${tag}`)
      ).getRowObjectsJS() as {
        n: bigint;
        r: bigint;
      }[];
      badValueCount = Number(counts?.n ?? 0);
      badRowCount = Number(counts?.r ?? 0);
      if (badValueCount === 0) throw err;
      const first = (
        await con.runAndReadAll(
          `SELECT _row::BIGINT AS row, i::INTEGER AS i, v, r FROM bad_${tag} ORDER BY _row, i LIMIT ${LIMITS.maxListedBadRows}`,
        )
      ).getRowObjectsJS() as { row: bigint; i: number; v: string | null; r: string }[];
      badRows = first.map((b) => ({
        row: Number(b.row),
        column: plans[b.i]!.field.name,
        value: b.v === null ? null : b.v.slice(0, 500),
        reason: b.r,
      }));
      if ((opts.badRows ?? 'reject') === 'reject') {
        const b0 = badRows[0]!;
        throw new AppError(
          400,
          'ROWS_INVALID',
          { rows: badRowCount, count: badValueCount, row: b0.row, column: b0.column, value: b0.value },
          { errors: badRows, total: badValueCount, rows: badRowCount },
        );
      }
      rows = await copy(con, ` WHERE NOT (${anyBad})`);
    }
    await fsp.rename(tmp, outPath);
    const { size } = await fsp.stat(outPath);
    return { rows, bytes: size, sha256: await sha256File(outPath), badRows, badRowCount, badValueCount };
  } catch (err) {
    await removeQuietly(tmp);
    throw err;
  } finally {
    con.closeSync();
  }
}
