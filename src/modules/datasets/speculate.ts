// The first upload of a UTF-8 CSV read once (docs/dataplane.md, "Direct inference"): a speculative typed build.
//
//   1. The first 1000 rows give each column's candidate type, as the inference picks it (schema-infer.ts
//      candidateFor), and the exact text form of its values (a number's decimals, a date's zero padding, a
//      boolean's spellings).
//   2. One COPY from the upload's read_csv writes the typed Parquet file of those types. Every cast is guarded:
//      a value the inference would not accept for the type (its own SQL tests, VALUE_SQL), or whose text the typed
//      value does not give back exactly, raises an error and the COPY fails (the caller then profiles the upload
//      as before: correctness never depends on the first rows).
//   3. The inference's own profile (inferSchemaAndSample) runs over the typed file with each value turned back
//      into its text (exact by 2), so the proposed schema, its hints and the PII sample are those of the
//      inference over the upload, read from a columnar file instead of the CSV.
//   4. The file is the version when the schema is confirmed as proposed (sameBuild): no second read of the CSV.
//      A column the first rows left empty may come out typed from the profile: the file (a text column) is then
//      not the proposed schema's version and is dropped; the proposal stands.
import fsp from 'node:fs/promises';
import { quoteIdent, quoteLiteral, type DuckEngine } from './duckdb.ts';
import { removeQuietly, siblingPath, type StagingInfo } from './ingest/common.ts';
import {
  BOOLEAN_TRUE,
  candidateFor,
  formatRegex,
  inferSchemaAndSample,
  VALUE_SQL,
  type InferOptions,
  type SchemaField,
  type TableSchema,
} from './schema-infer.ts';

const HEAD_ROWS = 1000;
const MARKER = 'SHUYUAN_SPECULATION_MISSED';

/** A column of the speculative file: its SQL from the CSV text, and the SQL giving the text back from the typed value. */
interface ColumnPlan {
  /** The typed value; raises MARKER when the value is not exactly what the plan expects. */
  value: (v: string) => string;
  /** The original text from the typed value (exact for every value `value` accepted). */
  text: (x: string) => string;
  /** A condition on the typed column's minimum and maximum the file must meet (dates: the years accepted). */
  bounds?: (x: string) => string;
  /** The field as the inference proposes it (type, format, boolean spellings). */
  field: Pick<SchemaField, 'type' | 'format' | 'trueValues' | 'falseValues'>;
}

const re = (v: string, pattern: string): string => `regexp_full_match(${v}, ${quoteLiteral(pattern)})`;
const fail = `error(${quoteLiteral(MARKER)})`;
const guarded = (v: string, ok: string, typed: string) => `CASE WHEN ${v} IS NULL THEN NULL WHEN ${ok} THEN ${typed} ELSE ${fail} END`;

/** strptime directives whose value may be written without zero padding (strftime `%-m`). */
const UNPADDED = new Set(['m', 'd', 'H', 'M', 'S']);

/**
 * The regular expression of a format's values written one way (zero-padded, or without padding), and the
 * strftime pattern that writes them that way. Null when the format has adjacent directives (no unpadded form).
 */
function dateForm(format: string, padded: boolean): { regex: string; strftime: string } | null {
  let regex = '';
  let strftime = '';
  let prevDirective = false;
  for (let i = 0; i < format.length; i++) {
    const ch = format[i]!;
    if (ch !== '%') {
      regex += ch.replace(/[\\^$.*+?()[\]{}|-]/g, '\\$&');
      strftime += ch;
      prevDirective = false;
      continue;
    }
    const d = format[++i]!;
    if (prevDirective && !padded) return null;
    prevDirective = true;
    if (d === 'Y') regex += '[0-9]{4}';
    else if (d === 'f') regex += '[0-9]{6}';
    else if (UNPADDED.has(d)) regex += padded ? '[0-9]{2}' : '(0|[1-9][0-9]?)';
    else return null;
    strftime += padded || !UNPADDED.has(d) ? `%${d}` : `%-${d}`;
  }
  return { regex, strftime };
}

/** The plan of one column from its first values, or null when their text could not be given back exactly. */
function planColumn(values: string[]): ColumnPlan | null {
  const cand = candidateFor(values);
  if (!cand) return { value: (v) => v, text: (x) => x, field: { type: 'string' } };
  const vs = values.filter((v) => v.trim() !== '');
  // Surrounding spaces: the inference trims, the typed value cannot give them back.
  if (vs.some((v) => v.trim() !== v)) return null;
  switch (cand.type) {
    case 'integer':
      // "-0" is an integer the text of which the value does not give back.
      return {
        value: (v) => guarded(v, `${VALUE_SQL.integer(v)} AND ${v} <> '-0'`, `CAST(${v} AS BIGINT)`),
        text: (x) => `CAST(${x} AS VARCHAR)`,
        field: { type: 'integer' },
      };
    case 'number': {
      // One number of decimals in every value (amounts: 12.50): printf gives the text back (≤ 15 digits, exact).
      const scales = new Set(vs.map((v) => (v.includes('.') ? v.length - v.indexOf('.') - 1 : 0)));
      const scale = [...scales][0]!;
      if (scales.size !== 1 || scale === 0) return null;
      // The inference's number test, then the decimals (a number has at most one '.', and ASCII digits).
      const shape = (v: string) => `strpos(${v}, '.') > 0 AND strlen(${v}) - strpos(${v}, '.') = ${scale}`;
      return {
        value: (v) => guarded(v, `${VALUE_SQL.number(v)} AND ${shape(v)}`, `CAST(${v} AS DOUBLE)`),
        text: (x) => `printf(${quoteLiteral(`%.${scale}f`)}, ${x})`,
        field: { type: 'number' },
      };
    }
    case 'compact':
    case 'date':
    case 'datetime': {
      const format = cand.type === 'compact' ? '%Y%m%d' : cand.format;
      const type = cand.type === 'datetime' ? 'datetime' : 'date';
      const form = [true, false]
        .map((padded) => dateForm(format, padded))
        .find((f) => f !== null && vs.every((v) => new RegExp(`^(?:${f.regex})$`).test(v)));
      if (!form || formatRegex(format) === null) return null;
      const target = type === 'date' ? 'DATE' : 'TIMESTAMP';
      // The shape here; strptime raises on an impossible date (the COPY fails); the years the inference accepts
      // are checked on the file's minimum and maximum (bounds). A zero-padded ISO date casts directly (faster,
      // the same date: the shape leaves nothing else to accept).
      const iso = format === '%Y-%m-%d' && form.strftime === format;
      return {
        value: (v) =>
          guarded(v, re(v, form.regex), iso ? `CAST(${v} AS DATE)` : `CAST(strptime(${v}, ${quoteLiteral(format)}) AS ${target})`),
        text: (x) => `strftime(${x}, ${quoteLiteral(form.strftime)})`,
        bounds: (x) => VALUE_SQL.dateBounds(x, format),
        field: { type, format },
      };
    }
    case 'boolean': {
      // One spelling per truth value (是/否, Y/N …): the value gives it back.
      const t = [...new Set(vs.filter((v) => BOOLEAN_TRUE.includes(v.toLowerCase())))];
      const f = [...new Set(vs.filter((v) => !t.includes(v)))];
      if (t.length > 1 || f.length > 1) return null;
      const spelled = [...t, ...f].map(quoteLiteral).join(', ');
      return {
        value: (v) => guarded(v, `${VALUE_SQL.boolean(v)} AND ${v} IN (${spelled})`, t[0] ? `(${v} = ${quoteLiteral(t[0])})` : 'false'),
        text: (x) => `CASE WHEN ${x} THEN ${quoteLiteral(t[0] ?? '')} ELSE ${quoteLiteral(f[0] ?? '')} END`,
        field: { type: 'boolean', trueValues: t, falseValues: f },
      };
    }
  }
}

export interface SpeculativeBuild {
  /** What inferSchemaAndSample over the upload gives (the same schema, rows and PII sample). */
  inferred: Awaited<ReturnType<typeof inferSchemaAndSample>>;
  /** The version file of `inferred.schema` as proposed (see sameBuild), or null when it is not that (dropped). */
  file: { path: string; rows: number; bytes: number } | null;
  /** ms: the typed COPY, and the rest (first rows, profile of the file). */
  timings: { build: number; infer: number };
}

/**
 * The speculative typed build of `source` (a UTF-8 CSV read in place) to `out`, and the inference from it.
 * Null when the first rows already show a column whose text a typed value would not give back, or the COPY
 * fails (a value the first rows did not predict, a line the reader refuses): the caller profiles the upload.
 */
export async function speculativeBuild(
  engine: DuckEngine,
  source: StagingInfo,
  out: string,
  opts: Omit<InferOptions, 'verified'> = {},
): Promise<SpeculativeBuild | null> {
  if (!engine.allows(out)) throw new Error('speculativeBuild: path outside the DuckDB engine allowed directories');
  const t0 = performance.now();
  const cols = source.columns;
  if (cols.length === 0) return null;
  const q = cols.map(quoteIdent);
  const head = await engine.connect().then(async (con) => {
    try {
      return (await con.runAndReadAll(`SELECT ${q.join(', ')} FROM ${source.from} LIMIT ${HEAD_ROWS}`)).getRowsJson() as unknown[][];
    } finally {
      con.closeSync();
    }
  });
  if (head.length === 0) return null;
  const plans: ColumnPlan[] = [];
  for (let i = 0; i < cols.length; i++) {
    const p = planColumn(head.map((r) => r[i]).filter((v): v is string => typeof v === 'string' && v.trim() !== ''));
    if (!p) return null;
    plans.push(p);
  }
  const t1 = performance.now();
  const tmp = siblingPath(out, 'speculative');
  let rows: number;
  try {
    const con = await engine.connect();
    try {
      const select = plans.map((p, i) => `${p.value(q[i]!)} AS ${q[i]}`).join(', ');
      const r = await con.runAndReadAll(
        `COPY (SELECT ${select} FROM ${source.from}) TO ${quoteLiteral(tmp)} (FORMAT parquet, COMPRESSION zstd)`,
      );
      rows = Number(r.getRows()[0]?.[0] ?? 0);
    } finally {
      con.closeSync();
    }
    const bounded = plans.flatMap((p, i) => (p.bounds ? [`${p.bounds(`min(${q[i]})`)} AND ${p.bounds(`max(${q[i]})`)}`] : []));
    if (bounded.length > 0) {
      const [b] = await engine.json<{ ok: boolean | null }>(
        `SELECT ${bounded.join(' AND ')} AS ok FROM read_parquet(${quoteLiteral(tmp)})`,
      );
      if (b?.ok === false) throw new Error('a date outside the years accepted');
    }
    await fsp.rename(tmp, out);
  } catch {
    await removeQuietly(tmp);
    return null;
  }
  const { size } = await fsp.stat(out);
  const t2 = performance.now();
  let inferred: SpeculativeBuild['inferred'];
  try {
    const text = plans.map((p, i) => `${p.text(q[i]!)} AS ${q[i]}`).join(', ');
    inferred = await inferSchemaAndSample(
      engine,
      { columns: cols, from: `(SELECT ${text} FROM read_parquet(${quoteLiteral(out)}))`, rowExpr: 'NULL' },
      { ...opts, verified: true },
    );
  } catch (err) {
    await removeQuietly(out);
    throw err;
  }
  // A column empty in the first rows is text in the file; the profile may type it from its later values.
  const asPlanned = inferred.schema.fields.every((f, i) => sameTyping(f, plans[i]!.field));
  if (!asPlanned) await removeQuietly(out);
  return {
    inferred,
    file: asPlanned ? { path: out, rows, bytes: size } : null,
    timings: { build: Math.round(t2 - t1), infer: Math.round(t1 - t0 + performance.now() - t2) },
  };
}

const list = (v: string[] | undefined) => JSON.stringify([...(v ?? [])].sort());

function sameTyping(a: Pick<SchemaField, 'type' | 'format' | 'trueValues' | 'falseValues'>, b: typeof a): boolean {
  return (
    a.type === b.type &&
    (a.format ?? '') === (b.format ?? '') &&
    (a.type !== 'boolean' || (list(a.trueValues) === list(b.trueValues) && list(a.falseValues) === list(b.falseValues)))
  );
}

/**
 * Whether building `confirmed` gives the file built for `proposed` (the speculative file): same fields in the same
 * order, names, source columns, types, formats and boolean spellings; a field required in `confirmed` must be
 * required in `proposed` (no empty value: the build would not fail). Titles, descriptions, hints, enum, unique and
 * the primary key do not change the file.
 */
export function sameBuild(proposed: TableSchema, confirmed: TableSchema): boolean {
  const p = proposed.fields;
  const c = confirmed.fields;
  return (
    p.length === c.length &&
    p.every((f, i) => {
      const g = c[i]!;
      return (
        f.name === g.name &&
        (f.source ?? f.name) === (g.source ?? g.name) &&
        sameTyping(f, g) &&
        (g.constraints?.required !== true || f.constraints?.required === true)
      );
    })
  );
}
