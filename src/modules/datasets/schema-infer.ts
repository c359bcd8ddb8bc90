// Frictionless Table Schema inferred from a staging file (docs/dataplane.md, "Schema"), never guessing wrong
// silently: a column gets a type only when EVERY non-empty value parses as it.
//
// Over a staging file or a relation read in place (a UTF-8 CSV's read_csv: the first ingest needs no staging file).
// Two DuckDB statements, whatever the width of the table (one full pass):
//   1. the first 1000 rows, from which JS picks each column's candidate type (and the samples);
//   2. one aggregate pass over all columns: rows, non-empty count, approximate distinct count, min/max length,
//      the count of values that really parse as the candidate (and its fallback: integer → number; 8-digit
//      date → integer), the distinct values of the columns that may be enums and the exact distinct counts of
//      those that may be keys (as their first rows allow; the profile decides).
// A column empty in the first rows but not everywhere gets its candidate from its first values and one more pass.
// A column that fails its candidate is a string. Strings that look numeric but are identifiers stay strings:
// a leading zero (0571, 007), more than 15 digits (ID numbers, bank cards, 20-digit codes), a value shaped like a
// mobile phone number or a 15-digit ID number. Dates are recognised in 2024-01-05, 2024/1/5, 2024.1.5,
// 2024年1月5日 and 20240105 (8 digits: only when every value is a valid date of 1900–2199); the field's
// `format` records the pattern (strptime syntax, as Frictionless has it) so the build parses it the same way.
import { Type, type Static } from 'typebox';
import { quoteIdent, quoteLiteral, type DuckEngine } from './duckdb.ts';
import { stagingInfo, type StagingInfo } from './ingest/common.ts';

export const FIELD_TYPES = ['string', 'integer', 'number', 'boolean', 'date', 'datetime'] as const;
export type FieldType = (typeof FIELD_TYPES)[number];

export const FieldHintsSchema = Type.Object(
  {
    nullCount: Type.Integer({ description: 'Empty values (missing or blank)' }),
    distinct: Type.Integer({ description: 'Distinct non-empty values (approximate above a few thousand)' }),
    sample: Type.Array(Type.String(), { description: 'Up to 5 distinct values from the first rows' }),
    enumCandidate: Type.Boolean({ description: 'At most 20 distinct values, each repeated' }),
    keyCandidate: Type.Boolean({ description: 'No empty value and no duplicate' }),
    enumValues: Type.Optional(Type.Array(Type.String(), { description: 'The distinct values of an enum candidate' })),
    minLength: Type.Optional(Type.Integer()),
    maxLength: Type.Optional(Type.Integer()),
    piiKind: Type.Optional(Type.String({ description: 'PII kind found by the privacy module (set by the ingest service)' })),
  },
  { description: 'Shuyuan hints (x-shuyuan): what the data showed; not constraints until the provider confirms them' },
);

export const SchemaFieldSchema = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 255 }),
  type: Type.Enum([...FIELD_TYPES]),
  format: Type.Optional(Type.String({ maxLength: 64, description: 'date/datetime: strptime pattern, e.g. %Y年%m月%d日' })),
  title: Type.Optional(Type.String({ maxLength: 255 })),
  description: Type.Optional(Type.String({ maxLength: 2000 })),
  trueValues: Type.Optional(Type.Array(Type.String({ maxLength: 32 }), { maxItems: 20 })),
  falseValues: Type.Optional(Type.Array(Type.String({ maxLength: 32 }), { maxItems: 20 })),
  constraints: Type.Optional(
    Type.Object({
      required: Type.Optional(Type.Boolean()),
      unique: Type.Optional(Type.Boolean()),
      enum: Type.Optional(Type.Array(Type.String(), { maxItems: 1000 })),
    }),
  ),
  source: Type.Optional(Type.String({ description: 'The staging column this field is built from (default: name)' })),
  'x-shuyuan': Type.Optional(FieldHintsSchema),
});

export const TableSchemaSchema = Type.Object({
  fields: Type.Array(SchemaFieldSchema, { maxItems: 16384 }),
  primaryKey: Type.Optional(Type.Array(Type.String())),
});

export type FieldHints = Static<typeof FieldHintsSchema>;
export type SchemaField = Static<typeof SchemaFieldSchema>;
export type TableSchema = Static<typeof TableSchemaSchema>;

// ------------------------------------------------------------------------------------------ value patterns

/** RE2 (DuckDB) and JS patterns, matched against the trimmed value. */
export const PATTERNS = {
  integer: '-?(0|[1-9][0-9]{0,14})',
  /** With a fraction; digits counted separately (≤ 15). */
  decimal: '-?(0|[1-9][0-9]*)\\.[0-9]+',
  /** Integer or decimal; digits counted separately (≤ 15). */
  number: '-?(0|[1-9][0-9]*)(\\.[0-9]+)?',
  /** Mobile numbers and 15-digit (first-generation) ID numbers: identifiers, not quantities. */
  idLike: '1[3-9][0-9]{9}|[1-9][0-9]{7}(0[1-9]|1[0-2])(0[1-9]|[12][0-9]|3[01])[0-9]{3}',
  compactDate: '(19|20|21)[0-9]{6}',
};
/** The lengths of the values `PATTERNS.idLike` matches (a mobile number, a 15-digit ID number). */
export const ID_LIKE_LENGTHS = [11, 15];
export const BOOLEAN_TRUE = ['true', '是', 'y', 'yes'];
export const BOOLEAN_FALSE = ['false', '否', 'n', 'no'];

export const DATE_FORMATS = ['%Y-%m-%d', '%Y/%m/%d', '%Y.%m.%d', '%Y年%m月%d日', '%Y%m%d'];
export const DATETIME_FORMATS = [
  '%Y-%m-%d %H:%M:%S',
  '%Y-%m-%dT%H:%M:%S',
  '%Y-%m-%d %H:%M:%S.%f',
  '%Y-%m-%d %H:%M',
  '%Y/%m/%d %H:%M:%S',
  '%Y/%m/%d %H:%M',
  '%Y年%m月%d日 %H:%M:%S',
  '%Y年%m月%d日 %H时%M分%S秒',
];

const DIRECTIVES: Record<string, [string, string]> = {
  Y: ['[0-9]{4}', '[0-9]{4}'],
  m: ['[0-9]{1,2}', '[0-9]{2}'],
  d: ['[0-9]{1,2}', '[0-9]{2}'],
  H: ['[0-9]{1,2}', '[0-9]{2}'],
  M: ['[0-9]{1,2}', '[0-9]{2}'],
  S: ['[0-9]{1,2}', '[0-9]{2}'],
  f: ['[0-9]{1,6}', '[0-9]{6}'],
};

/**
 * The regular expression a value of a strptime `format` must fully match (DuckDB's strptime alone accepts
 * trailing text and 7-digit "%Y%m%d"). A directive next to another one has a fixed width. Null: a directive
 * we do not support.
 */
export function formatRegex(format: string): string | null {
  const parts: ({ d: string } | { lit: string })[] = [];
  for (let i = 0; i < format.length; i++) {
    if (format[i] === '%') {
      const d = format[++i];
      if (!d || !(d in DIRECTIVES)) return null;
      parts.push({ d });
    } else parts.push({ lit: format[i]! });
  }
  return parts
    .map((p, i) => {
      if ('lit' in p) return p.lit.replace(/[\\^$.*+?()[\]{}|-]/g, '\\$&');
      const adjacent = (q: (typeof parts)[number] | undefined) => q !== undefined && 'd' in q;
      const [flex, fixed] = DIRECTIVES[p.d]!;
      return adjacent(parts[i - 1]) || adjacent(parts[i + 1]) ? fixed : flex;
    })
    .join('');
}

const jsFull = (re: string) => new RegExp(`^(?:${re})$`);
const JS = {
  integer: jsFull(PATTERNS.integer),
  decimal: jsFull(PATTERNS.decimal),
  idLike: jsFull(PATTERNS.idLike),
  compactDate: jsFull(PATTERNS.compactDate),
};
const digitsOk = (t: string) => t.replace(/[-.]/g, '').length <= 15;
const BOOLS = new Set([...BOOLEAN_TRUE, ...BOOLEAN_FALSE]);

export type Candidate = { type: 'integer' | 'number' | 'boolean' } | { type: 'date' | 'datetime'; format: string } | { type: 'compact' };

/** The most specific type every sample value fits, to be verified on all values. */
export function candidateFor(values: string[]): Candidate | null {
  const vs = values.map((v) => v.trim()).filter((v) => v !== '');
  if (vs.length === 0) return null;
  if (vs.every((v) => BOOLS.has(v.toLowerCase()))) return { type: 'boolean' };
  if (vs.every((v) => JS.compactDate.test(v))) return { type: 'compact' };
  if (vs.every((v) => JS.integer.test(v) && !JS.idLike.test(v))) return { type: 'integer' };
  if (vs.every((v) => (JS.integer.test(v) || JS.decimal.test(v)) && digitsOk(v) && !JS.idLike.test(v))) return { type: 'number' };
  for (const [type, formats] of [
    ['date', DATE_FORMATS],
    ['datetime', DATETIME_FORMATS],
  ] as const) {
    for (const format of formats) {
      if (format === '%Y%m%d') continue;
      const re = jsFull(formatRegex(format)!);
      if (vs.every((v) => re.test(v))) return { type, format };
    }
  }
  return null;
}

// ------------------------------------------------------------------------------------------ SQL pieces

// Checks take a value expression: the column itself (fast: no trim) or trim(column) (the fallback for the few
// columns whose values carry spaces). `a AND b` inside an aggregate FILTER evaluates b on every row; a CASE
// evaluates its THEN only on the rows that passed its WHEN: the costly test (a second regex, strptime, trim)
// runs only on the values that passed the cheap one.
const full = (v: string, re: string) => `regexp_full_match(${v}, ${quoteLiteral(re)})`;
const andThen = (cheap: string, costly: string) => `(CASE WHEN ${cheap} THEN ${costly} ELSE false END)`;
const digits15 = (v: string) =>
  `(strlen(${v}) - CASE WHEN contains(${v}, '.') THEN 1 ELSE 0 END - CASE WHEN starts_with(${v}, '-') THEN 1 ELSE 0 END) <= 15`;
/** Not shaped like an identifier: the regex runs only on values of the lengths idLike matches (11 and 15). */
const notIdLike = (v: string) =>
  `(CASE WHEN strlen(${v}) IN (${ID_LIKE_LENGTHS.join(', ')}) THEN NOT ${full(v, PATTERNS.idLike)} ELSE true END)`;
const integerSql = (v: string) => andThen(full(v, PATTERNS.integer), notIdLike(v));
const numberSql = (v: string) => andThen(full(v, PATTERNS.number), `${digits15(v)} AND ${notIdLike(v)}`);
/** The date test once the value has the format's shape: it parses, within the years the inference accepts. */
const dateRangeSql = (v: string, format: string) => dateBoundsSql(`try_strptime(${v}, ${quoteLiteral(format)})`, format);
/** Whether a parsed date or timestamp lies within the years the inference accepts for `format`. */
const dateBoundsSql = (parsed: string, format: string) => {
  const [lo, hi] = format === '%Y%m%d' ? ['1900-01-01', '2199-12-31'] : ['1000-01-01', '2999-12-31'];
  return `${parsed} BETWEEN TIMESTAMP '${lo}' AND TIMESTAMP '${hi} 23:59:59.999999'`;
};
const dateSql = (v: string, format: string) => andThen(full(v, formatRegex(format)!), dateRangeSql(v, format));
const BOOL_SET = () => [...BOOLS].map(quoteLiteral).join(', ');
/** Only spaces (DuckDB's trim removes spaces); trim runs only on values that start with one. */
const blank = (c: string) => andThen(`prefix(${c}, ' ')`, `trim(${c}) = ''`);
const nonEmpty = (c: string) => `(${c} IS NOT NULL AND NOT ${blank(c)})`;

/**
 * The inference's value tests as SQL, for the speculative build (speculate.ts), which must accept nothing the
 * inference would not: integer and number over a value expression (with the identifier exclusions), the years
 * accepted for a date format over a parsed date or timestamp, and the boolean spellings.
 */
export const VALUE_SQL = {
  integer: integerSql,
  number: numberSql,
  dateBounds: dateBoundsSql,
  boolean: (v: string) => `lower(${v}) IN (${BOOL_SET()})`,
};

const num = (v: unknown) => Number(v ?? 0);

/** Rows as arrays (column names from user files never become object keys). */
async function rowArrays(engine: DuckEngine, sqlText: string): Promise<unknown[][]> {
  const con = await engine.connect();
  try {
    return (await con.runAndReadAll(sqlText)).getRowsJson() as unknown[][];
  } finally {
    con.closeSync();
  }
}

/** Infers the schema of a staging file (any width; three statements). */
export async function inferSchema(engine: DuckEngine, stagingPath: string): Promise<TableSchema> {
  return (await inferSchemaAndSample(engine, stagingPath)).schema;
}

export interface InferOptions {
  /**
   * Also collect a uniform sample of about this many rows (values as text, source column order) in the profile
   * pass, for PII detection without a pass of its own: the rows whose hash is among the `sample` smallest of
   * those under a threshold set from `expectedRows` (an estimate; a wrong one gives a smaller or larger sample).
   */
  sample?: number;
  expectedRows?: number;
  /**
   * Every non-empty value of a column with a candidate from the first rows is known to be of that candidate
   * type (checked when the relation was written: the speculative build, speculate.ts): the profile skips the
   * verification counts. The schema is the same as without the option when that holds.
   */
  verified?: boolean;
}

/**
 * inferSchema over a staging file or a relation read in place (ingest/index.ts directSource: a UTF-8 CSV's
 * read_csv, no staging file), with an optional sample of rows collected in the same profile pass.
 */
export async function inferSchemaAndSample(
  engine: DuckEngine,
  staging: string | StagingInfo,
  opts: InferOptions = {},
): Promise<{ schema: TableSchema; rows: number; sample: (string | null)[][] }> {
  const info = typeof staging === 'string' ? await stagingInfo(engine, staging) : staging;
  const cols = info.columns;
  if (cols.length === 0) return { schema: { fields: [] }, rows: 0, sample: [] };
  const q = cols.map(quoteIdent);

  // 1. first rows: candidates and samples
  const head = await rowArrays(engine, `SELECT ${q.join(', ')} FROM ${info.from} LIMIT 1000`);
  const sampleOf = new Map<number, string[]>();
  cols.forEach((_, i) =>
    sampleOf.set(
      i,
      head.map((r) => r[i]).filter((v): v is string => typeof v === 'string' && v.trim() !== ''),
    ),
  );
  const candidates = cols.map((_, i) => candidateFor(sampleOf.get(i)!));

  // 2. one pass: the profile, the verification of the candidates on the raw values, enum values, key counts
  // (and the sample). Enum values and key counts are gathered for the columns whose first rows allow them (at
  // most 25 distinct values; all present and distinct); the full profile then decides.
  const counts = (v: string, i: number, cand: Candidate): string[] => {
    switch (cand.type) {
      case 'boolean':
        return [
          `count(*) FILTER (WHERE lower(${v}) IN (${BOOL_SET()})) AS ok${i}`,
          `list(DISTINCT ${v}) FILTER (WHERE lower(${v}) IN (${BOOL_SET()})) AS bv${i}`,
        ];
      case 'date':
      case 'datetime':
        return [`count(*) FILTER (WHERE ${dateSql(v, cand.format)}) AS ok${i}`];
      case 'compact':
        return [`count(*) FILTER (WHERE ${dateSql(v, '%Y%m%d')}) AS ok${i}`, `count(*) FILTER (WHERE ${integerSql(v)}) AS int${i}`];
      case 'integer':
        return [`count(*) FILTER (WHERE ${integerSql(v)}) AS int${i}`];
      case 'number':
        return [`count(*) FILTER (WHERE ${numberSql(v)}) AS num${i}`];
    }
  };
  const parts = ['count(*) AS n'];
  const enumGathered = new Set<number>();
  const keyGathered = new Set<number>();
  cols.forEach((_, i) => {
    const c = q[i]!;
    const cand = candidates[i];
    parts.push(
      `count(${c}) - count(*) FILTER (WHERE ${blank(c)}) AS e${i}`,
      `approx_count_distinct(${c}) AS d${i}`,
      `min(length(${c})) AS minl${i}`,
      `max(length(${c})) AS maxl${i}`,
    );
    if (cand && opts.verified) {
      if (cand.type === 'boolean') parts.push(counts(c, i, cand)[1]!);
    } else if (cand) parts.push(...counts(c, i, cand));
    const seen = sampleOf.get(i)!;
    const distinctSeen = new Set(seen).size;
    if (distinctSeen <= 25 && cand?.type !== 'boolean') {
      // approx_top_k keeps every value exactly while there are at most 3 × 64 of them: bounded memory even when
      // the first rows were not representative (an enum needs at most 25).
      enumGathered.add(i);
      parts.push(`approx_top_k(${c}, 64) FILTER (WHERE ${nonEmpty(c)}) AS ev${i}`);
    }
    // Keys are identifiers: integers or strings. hash(): a collision (~1e-8 at a million rows) only loses a candidate.
    if (
      head.length >= 2 &&
      seen.length === head.length &&
      distinctSeen === head.length &&
      (!cand || cand.type === 'integer' || cand.type === 'compact')
    ) {
      keyGathered.add(i);
      // Over a typed file (verified) the exact counts come after the profile, one column at a time (below).
      if (!opts.verified) parts.push(`count(DISTINCT hash(${c})) AS kd${i}`);
    }
  });
  if (opts.sample) {
    const fraction = Math.min(1, (4 * opts.sample) / Math.max(1, opts.expectedRows ?? 0));
    const threshold = fraction >= 1 ? 2n ** 64n - 1n : BigInt(Math.floor(fraction * 2 ** 53)) * 2n ** 11n;
    // The row's hash: of a column whose first rows are all distinct when there is one (cheaper), else of all.
    const keyLike = [...keyGathered][0];
    const h = `hash(${keyLike === undefined ? q.join(', ') : q[keyLike]})`;
    // The row's list is built only for the rows kept (CASE): an aggregate's argument is otherwise evaluated on
    // every row before its FILTER.
    const kept = `${h} <= ${threshold}::UBIGINT`;
    parts.push(`list(CASE WHEN ${kept} THEN [${h}::VARCHAR, ${q.join(', ')}] END) FILTER (WHERE ${kept}) AS smp`);
  }
  const [profile] = await engine.json<Record<string, unknown>>(`SELECT ${parts.join(', ')} FROM ${info.from}`);
  const verify = profile!;
  if (opts.verified) {
    candidates.forEach((cand, i) => {
      if (!cand) return;
      const e = num(profile![`e${i}`]);
      for (const key of cand.type === 'integer' ? ['int'] : cand.type === 'number' ? ['num'] : ['ok']) verify[`${key}${i}`] = e;
    });
  }
  const rows = num(profile!.n);
  const sample = ((profile!.smp as (string | null)[][] | null) ?? [])
    .map((r) => ({ h: BigInt(r[0]!), v: r.slice(1) }))
    .sort((a, b) => (a.h < b.h ? -1 : a.h > b.h ? 1 : 0))
    .slice(0, opts.sample ?? 0)
    .map((r) => r.v);
  // 3. only for columns empty in the first rows but not everywhere: candidates from their first values, verified.
  const sparse = cols.map((_, i) => i).filter((i) => sampleOf.get(i)!.length === 0 && num(profile![`e${i}`]) > 0);
  if (sparse.length > 0) {
    const more = await engine.json<{ i: number; v: string }>(
      sparse.map((i) => `(SELECT ${i} AS i, ${q[i]} AS v FROM ${info.from} WHERE ${nonEmpty(q[i]!)} LIMIT 100)`).join(' UNION ALL '),
    );
    for (const r of more) sampleOf.get(Number(r.i))!.push(r.v);
    const checks: string[] = [];
    for (const i of sparse) {
      candidates[i] = candidateFor(sampleOf.get(i)!);
      if (candidates[i]) checks.push(...counts(q[i]!, i, candidates[i]));
    }
    if (checks.length)
      Object.assign(verify, (await engine.json<Record<string, unknown>>(`SELECT ${checks.join(', ')} FROM ${info.from}`))[0]);
  }

  const enumCols = cols
    .map((_, i) => i)
    .filter((i) => enumGathered.has(i) && candidates[i]?.type !== 'boolean' && num(profile![`e${i}`]) > 0 && num(profile![`d${i}`]) <= 25);
  const keyCols = cols
    .map((_, i) => i)
    .filter((i) => keyGathered.has(i) && rows >= 2 && num(profile![`e${i}`]) === rows && num(profile![`d${i}`]) >= rows * 0.7);
  // A typed file is columnar: reading a column again is cheap, and one exact count at a time holds one hash table
  // instead of all of them at once beside the profile's (the 1 GB ingest's peak memory, bench/ingest.ts).
  if (opts.verified)
    for (const i of keyCols)
      verify[`kd${i}`] = (await engine.json<{ kd: unknown }>(`SELECT count(DISTINCT hash(${q[i]})) AS kd FROM ${info.from}`))[0]!.kd;
  for (const i of enumCols) {
    // In DuckDB's order (bytes of the UTF-8 text), as ORDER BY gives it.
    verify[`ev${i}`] = ((verify[`ev${i}`] as string[] | null) ?? [])
      .map((v) => Buffer.from(v))
      .sort(Buffer.compare)
      .map((b) => b.toString());
  }

  // 4. only when some candidate failed on the raw values: again on trimmed values, with the fallbacks
  // (8-digit → integer → number, integer → number). Clean data never gets here.
  const primaryOk = (i: number, cand: Candidate) => {
    const e = num(profile![`e${i}`]);
    const all = (key: string) => num(verify[`${key}${i}`]) === e;
    return cand.type === 'integer'
      ? all('int')
      : cand.type === 'number'
        ? all('num')
        : cand.type === 'compact'
          ? all('ok') || all('int')
          : all('ok');
  };
  const retry = cols.map((_, i) => i).filter((i) => candidates[i] && num(profile![`e${i}`]) > 0 && !primaryOk(i, candidates[i]!));
  if (retry.length > 0) {
    const more: string[] = [];
    for (const i of retry) {
      const cand = candidates[i]!;
      const t = `trim(${q[i]})`;
      more.push(...counts(t, i, cand));
      if (cand.type === 'compact') more.push(`count(*) FILTER (WHERE ${numberSql(t)}) AS num${i}`);
      if (cand.type === 'integer') more.push(`count(*) FILTER (WHERE ${numberSql(t)}) AS num${i}`);
    }
    Object.assign(verify, (await engine.json<Record<string, unknown>>(`SELECT ${more.join(', ')} FROM ${info.from}`))[0]);
  }

  const fields: SchemaField[] = cols.map((name, i) => {
    const e = num(profile![`e${i}`]);
    const cand = candidates[i];
    const field: SchemaField = { name, type: 'string' };
    if (cand && e > 0) {
      const all = (key: string) => num(verify[`${key}${i}`]) === e;
      if (cand.type === 'boolean' && all('ok')) {
        const seen = ((verify[`bv${i}`] as string[] | null) ?? []).map((v) => v.trim());
        field.type = 'boolean';
        field.trueValues = [...new Set(seen.filter((v) => BOOLEAN_TRUE.includes(v.toLowerCase())))].sort();
        field.falseValues = [...new Set(seen.filter((v) => BOOLEAN_FALSE.includes(v.toLowerCase())))].sort();
      } else if (cand.type === 'compact' && all('ok')) Object.assign(field, { type: 'date', format: '%Y%m%d' });
      else if ((cand.type === 'date' || cand.type === 'datetime') && all('ok'))
        Object.assign(field, { type: cand.type, format: cand.format });
      else if ((cand.type === 'compact' || cand.type === 'integer') && all('int')) field.type = 'integer';
      else if ((cand.type === 'compact' || cand.type === 'integer' || cand.type === 'number') && all('num')) field.type = 'number';
    }
    const distinctApprox = num(profile![`d${i}`]);
    const enumValues = enumCols.includes(i) ? ((verify[`ev${i}`] as string[] | null) ?? []) : [];
    const exactDistinct = keyCols.includes(i)
      ? num(verify[`kd${i}`])
      : enumCols.includes(i)
        ? enumValues.length
        : Math.min(distinctApprox, e);
    const enumCandidate = enumCols.includes(i) && enumValues.length <= 20 && enumValues.length > 0 && e >= 2 * enumValues.length;
    const keyCandidate = keyCols.includes(i) && exactDistinct === rows;
    const seenSample = [...new Set(sampleOf.get(i)!)].slice(0, 5).map((v) => (v.length > 200 ? v.slice(0, 200) : v));
    if (rows > 0 && e === rows) field.constraints = { required: true };
    field['x-shuyuan'] = {
      nullCount: rows - e,
      distinct: exactDistinct,
      sample: seenSample,
      enumCandidate,
      keyCandidate,
      ...(enumCandidate ? { enumValues } : {}),
      ...(e > 0 ? { minLength: num(profile![`minl${i}`]), maxLength: num(profile![`maxl${i}`]) } : {}),
    };
    return field;
  });
  const key = fields.find(
    (f) => f['x-shuyuan']!.keyCandidate && (f.type === 'integer' || (f.type === 'string' && (f['x-shuyuan']!.maxLength ?? 0) <= 64)),
  );
  return { schema: key ? { fields, primaryKey: [key.name] } : { fields }, rows, sample };
}

// ------------------------------------------------------------------------------------------ diff

export interface SchemaDiff {
  changed: boolean;
  /** Field names (of `b`) whose source column is new. */
  added: string[];
  /** Field names (of `a`) whose source column is gone. */
  removed: string[];
  /** Same source column, different type or format (e.g. integer → string, date(%Y/%m/%d) → string). */
  retyped: { name: string; from: string; to: string }[];
  /** Same source column, another name — reported only when both fields name their source (confirmed schemas). */
  renamed: { from: string; to: string }[];
  /** A field required in `a` that is not in `b` (the new data has empty values there). */
  constraints: { name: string; what: 'required' }[];
}

const typeLabel = (f: SchemaField) => (f.format ? `${f.type}(${f.format})` : f.type);
const sourceOf = (f: SchemaField) => f.source ?? f.name;

/**
 * What changed from schema `a` (the previous or confirmed one) to `b` (a new version's, or a fresh inference),
 * field by field, matched by source column. Provider-declared rules (enum, unique, primary key) are quality
 * rules, not structure: they are not compared.
 */
export function diffSchema(a: TableSchema, b: TableSchema): SchemaDiff {
  const A = new Map(a.fields.map((f) => [sourceOf(f), f]));
  const B = new Map(b.fields.map((f) => [sourceOf(f), f]));
  const added = b.fields.filter((f) => !A.has(sourceOf(f))).map((f) => f.name);
  const removed = a.fields.filter((f) => !B.has(sourceOf(f))).map((f) => f.name);
  const retyped: SchemaDiff['retyped'] = [];
  const renamed: SchemaDiff['renamed'] = [];
  const constraints: SchemaDiff['constraints'] = [];
  for (const fb of b.fields) {
    const fa = A.get(sourceOf(fb));
    if (!fa) continue;
    if (typeLabel(fa) !== typeLabel(fb)) retyped.push({ name: fb.name, from: typeLabel(fa), to: typeLabel(fb) });
    if (fa.source !== undefined && fb.source !== undefined && fa.name !== fb.name) renamed.push({ from: fa.name, to: fb.name });
    if (fa.constraints?.required === true && fb.constraints?.required !== true) constraints.push({ name: fb.name, what: 'required' });
  }
  const changed = added.length + removed.length + retyped.length + renamed.length + constraints.length > 0;
  return { changed, added, removed, retyped, renamed, constraints };
}
