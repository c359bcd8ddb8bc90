// Data quality (issue 5 §5, docs/dataplane.md): rules per field and per dataset, evaluated by DuckDB over one
// version's Parquet file, scored by dimension, with the failing rows on demand.
//
// Performance shape: evaluate() compiles every rule into ONE aggregate SELECT (a count_if per rule, a count(DISTINCT)
// per uniqueness rule — in a scalar subquery of its own, which DuckDB runs faster than a DISTINCT beside the other
// aggregates —, an IN-subquery per reference rule, a max() per freshness column), so a version is scanned once for
// the row rules (and once more per uniqueness rule, reading only its columns) whatever the number of rules. failingRows()/writeFailingRowsCsv() are a second query, run only when asked for.
//
// Safety: column names are checked against the version's schema and quoted with quoteIdent; the file paths are bound
// parameters; rule values (enum values, regex patterns, bounds) are either validated numbers/dates or single-quoted
// literals (quoteLiteral). Regex patterns are RE2 (DuckDB's engine: linear time, no backtracking), bounded in length,
// and compiled by DuckDB before use so an invalid one is a 400, not a failed evaluation.
//
// Scoring (GB/T 36344-2018 names the dimensions; the formula and weights are our design, see
// the project research notes on privacy and quality, §4.7 "recommended scoring"):
//   rule ratio      r = passed / applicable   (row rules: rows with a value, or all rows for not_null; dataset rules 0/1;
//                                              a rule with nothing to judge has ratio null and does not count)
//   dimension score D = 100 · Σ w_sev·r / Σ w_sev over its rules with a ratio   (null when it has none: not 100)
//   overall         Q = Σ W_d·D_d / Σ W_d over the dimensions whose score is not null
//   grade           A ≥ 95, B ≥ 85, C ≥ 70, D ≥ 60, else E (the "five levels" idea of DB11/T 2317-2024; thresholds ours)
import { Type, type Static } from 'typebox';
import { Compile } from 'typebox/compile';
import { AppError } from '../../errors.ts';
import { registerMessages, type Lang } from '../../i18n/messages.ts';
import { UPDATE_FREQUENCIES, type UpdateFrequency } from '../catalog/repository.ts';
import { validSql } from '../privacy/sql.ts';
import { PRIVACY_KINDS, type PrivacyKind } from '../privacy/recognizers.ts';
import { quoteIdent, quoteLiteral, type DuckEngine } from './duckdb.ts';

// ------------------------------------------------------------------------------------------------ rule model

export const QUALITY_DIMENSIONS = ['completeness', 'validity', 'uniqueness', 'consistency', 'timeliness'] as const;
export type QualityDimension = (typeof QUALITY_DIMENSIONS)[number];
export const QUALITY_SEVERITIES = ['critical', 'major', 'minor'] as const;
export type QualitySeverity = (typeof QUALITY_SEVERITIES)[number];
export const QUALITY_RULE_KINDS = [
  'not_null',
  'unique',
  'range',
  'length',
  'enum',
  'regex',
  'pii_valid',
  'date_valid',
  'reference',
  'freshness',
  'row_count',
] as const;
export type QualityRuleKind = (typeof QUALITY_RULE_KINDS)[number];

/** Longest regex pattern accepted (characters). RE2 also refuses programs over its memory budget. */
export const MAX_PATTERN_LENGTH = 500;
const MAX_ENUM_VALUES = 1000;
const MAX_ENUM_VALUE_LENGTH = 500;
/** Longest value text put in a failing-rows report. */
const MAX_REPORT_VALUE = 500;
/** Default cap of lines in the failing-rows CSV (the integrator may pass its own limit). */
export const DEFAULT_REPORT_LIMIT = 1_000_000;

/** Which dimension a rule counts towards unless it says otherwise. */
export const DEFAULT_DIMENSION: Record<QualityRuleKind, QualityDimension> = {
  not_null: 'completeness',
  row_count: 'completeness',
  unique: 'uniqueness',
  range: 'validity',
  length: 'validity',
  enum: 'validity',
  regex: 'validity',
  pii_valid: 'validity',
  date_valid: 'validity',
  reference: 'consistency',
  freshness: 'timeliness',
};

/** Rule weight by severity inside a dimension (research §4.7 suggests critical 3, major 2, minor 1; our choice). */
export const SEVERITY_WEIGHTS: Record<QualitySeverity, number> = { critical: 3, major: 2, minor: 1 };

/**
 * Dimension weights of the overall score. GB/T 36344-2018 defines the dimensions but no weights; these are our
 * choice: validity and completeness carry most (they are what users of open data complain about first), the rest
 * share the remainder. Dimensions without rules drop out and the others are re-normalized.
 */
export const DIMENSION_WEIGHTS: Record<QualityDimension, number> = {
  completeness: 0.25,
  validity: 0.3,
  uniqueness: 0.15,
  consistency: 0.15,
  timeliness: 0.15,
};

/**
 * Freshness: how old (days) the newest data may be for each catalog update frequency: the period plus a grace
 * (our choice; a rule's graceDays overrides the grace). 'irregular' is never judged.
 */
export const FRESHNESS_DAYS: Record<UpdateFrequency, { period: number; grace: number } | null> = {
  realtime: { period: 1, grace: 0 },
  daily: { period: 1, grace: 1 },
  weekly: { period: 7, grace: 2 },
  monthly: { period: 31, grace: 7 },
  quarterly: { period: 92, grace: 15 },
  half_yearly: { period: 183, grace: 30 },
  yearly: { period: 366, grace: 60 },
  irregular: null,
};

const Column = Type.String({ minLength: 1, maxLength: 256, description: 'field name in the version schema' });
const DateText = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'YYYY-MM-DD' });
const Bound = Type.Union([Type.Number(), Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}([ T]\\d{2}:\\d{2}(:\\d{2})?)?$' })], {
  description: 'a number, or a date / date-time (YYYY-MM-DD[ HH:MM[:SS]]) for date columns',
});
const Count = Type.Integer({ minimum: 0 });
const Common = {
  id: Type.String({ minLength: 1, maxLength: 200, description: 'stable id of the rule within the dataset' }),
  dimension: Type.Optional(Type.Enum([...QUALITY_DIMENSIONS])),
  severity: Type.Optional(Type.Enum([...QUALITY_SEVERITIES], { description: 'weight in its dimension; default major' })),
};
const Empty = Type.Object({}, { additionalProperties: false });
/** A rule on one column. */
const colRule = <K extends QualityRuleKind, P extends Parameters<typeof Type.Object>[0]>(kind: K, params: P) =>
  Type.Object(
    { ...Common, kind: Type.Literal(kind), column: Column, params: Type.Object(params, { additionalProperties: false }) },
    { additionalProperties: false },
  );
/** A rule on the whole dataset (freshness may name a date column). */
const dataRule = <K extends QualityRuleKind, P extends Parameters<typeof Type.Object>[0]>(kind: K, params: P) =>
  Type.Object(
    {
      ...Common,
      kind: Type.Literal(kind),
      column: Type.Optional(Column),
      params: Type.Object(params, { additionalProperties: false }),
    },
    { additionalProperties: false },
  );

const RULE_SCHEMAS = [
  Type.Object({ ...Common, kind: Type.Literal('not_null'), column: Column, params: Type.Optional(Empty) }, { additionalProperties: false }),
  Type.Object(
    {
      ...Common,
      kind: Type.Literal('unique'),
      column: Type.Optional(Column),
      params: Type.Optional(
        Type.Object(
          { columns: Type.Optional(Type.Array(Column, { minItems: 1, maxItems: 16, description: 'a composite key' })) },
          { additionalProperties: false },
        ),
      ),
    },
    { additionalProperties: false },
  ),
  colRule('range', { min: Type.Optional(Bound), max: Type.Optional(Bound) }),
  colRule('length', { min: Type.Optional(Count), max: Type.Optional(Count) }),
  colRule('enum', {
    values: Type.Array(Type.String({ maxLength: MAX_ENUM_VALUE_LENGTH }), { minItems: 1, maxItems: MAX_ENUM_VALUES }),
  }),
  colRule('regex', {
    pattern: Type.String({ minLength: 1, maxLength: MAX_PATTERN_LENGTH, description: 'RE2 syntax, whole value must match' }),
  }),
  colRule('pii_valid', { kind: Type.Enum([...PRIVACY_KINDS]) }),
  colRule('date_valid', {
    min: Type.Optional(DateText),
    max: Type.Optional(DateText),
    notFuture: Type.Optional(Type.Boolean()),
    formats: Type.Optional(
      Type.Array(Type.String({ minLength: 2, maxLength: 64, pattern: '^[^\\u0000]*%[^\\u0000]*$' }), { minItems: 1, maxItems: 8 }),
    ),
  }),
  colRule('reference', {
    dataset: Type.Optional(Type.String({ maxLength: 200, description: 'the referenced dataset (resolved by the caller)' })),
    parquetPath: Type.Optional(Type.String({ maxLength: 4096, description: "the referenced dataset's current version file" })),
    column: Column,
  }),
  dataRule('freshness', {
    updateFrequency: Type.Optional(
      Type.Enum([...UPDATE_FREQUENCIES], { description: "default: the catalog's current update frequency (evaluate input)" }),
    ),
    graceDays: Type.Optional(Type.Integer({ minimum: 0, maximum: 3660 })),
  }),
  dataRule('row_count', { min: Type.Optional(Count), max: Type.Optional(Count) }),
] as const;
export const QualityRule = Type.Union([...RULE_SCHEMAS]);
export type QualityRule = Static<typeof QualityRule>;
const compiledRule = Compile(QualityRule);
/** One validator per kind, so an error names the property at fault rather than "no branch of the union matched". */
const compiledByKind = new Map(RULE_SCHEMAS.map((s) => [s.properties.kind.const as string, Compile(s)]));

// ------------------------------------------------------------------------------------------------ schema input

/** The part of a Frictionless Table Schema the rules need (schema-infer.ts's and the catalog's both fit). */
export interface QualityField {
  name: string;
  type: string;
  format?: string;
  constraints?: {
    required?: boolean;
    unique?: boolean;
    enum?: unknown[];
    minimum?: unknown;
    maximum?: unknown;
    minLength?: unknown;
    maxLength?: unknown;
    pattern?: unknown;
  } & Record<string, unknown>;
  'x-shuyuan'?: Record<string, unknown>;
}
export interface QualitySchema {
  fields: QualityField[];
  primaryKey?: string | string[];
}
/**
 * Per-field metadata from the catalog (the confirmed PII kind): keyed by field name, or the catalog's field list
 * (an entry applies to the schema field whose name is its code, name or nameZh).
 */
export type FieldsMeta =
  | Record<string, { piiKind?: string | null } | undefined>
  | Array<{ code?: string; name?: string; nameZh?: string; piiKind?: string | null }>;

function piiKindOf(meta: FieldsMeta, f: QualityField): unknown {
  if (Array.isArray(meta)) {
    const m = meta.find((x) => x.code === f.name) ?? meta.find((x) => x.name === f.name || x.nameZh === f.name);
    if (m?.piiKind) return m.piiKind;
  } else if (Object.hasOwn(meta, f.name) && meta[f.name]?.piiKind) return meta[f.name]!.piiKind;
  return f['x-shuyuan']?.piiKind;
}

// ------------------------------------------------------------------------------------------------ messages

const ERROR_MESSAGES = {
  QUALITY_RULE_INVALID: { 'zh-CN': '质量规则 {rule} 无效：{detail}', en: 'Quality rule {rule} is invalid: {detail}' },
  QUALITY_COLUMN_UNKNOWN: {
    'zh-CN': '质量规则 {rule} 引用的字段 {column} 不存在',
    en: 'Quality rule {rule} refers to a field {column} that does not exist',
  },
  QUALITY_REGEX_INVALID: {
    'zh-CN': '质量规则 {rule} 的正则表达式无效（RE2 语法）：{detail}',
    en: 'Quality rule {rule} has an invalid regular expression (RE2 syntax): {detail}',
  },
  QUALITY_REFERENCE_UNRESOLVED: {
    'zh-CN': '质量规则 {rule} 引用的数据集没有可用版本',
    en: 'The dataset referred to by quality rule {rule} has no usable version',
  },
};
registerMessages(ERROR_MESSAGES);

/** Reasons a row fails a rule, and rule names, in both languages ({name} placeholders). */
export const QUALITY_TEXTS = {
  'reason.not_null': { 'zh-CN': '必填字段为空', en: 'Required value is missing' },
  'reason.unique': { 'zh-CN': '与第 {first} 行重复', en: 'Duplicate of row {first}' },
  'reason.range': { 'zh-CN': '不在允许范围 {range} 内', en: 'Outside the allowed range {range}' },
  'reason.length': { 'zh-CN': '长度不在 {range} 内', en: 'Length outside {range}' },
  'reason.enum': { 'zh-CN': '不在允许的取值中：{values}', en: 'Not one of the allowed values: {values}' },
  'reason.regex': { 'zh-CN': '不符合格式 {pattern}', en: 'Does not match the pattern {pattern}' },
  'reason.pii_valid': { 'zh-CN': '不是有效的{kind}（格式或校验位错误）', en: 'Not a valid {kind} (format or check digit)' },
  'reason.date_valid': { 'zh-CN': '不是有效日期或不在 {range} 内', en: 'Not a valid date or outside {range}' },
  'reason.reference': {
    'zh-CN': '在引用数据的 {column} 字段中不存在',
    en: 'Not found in column {column} of the referenced data',
  },
  'kind.not_null': { 'zh-CN': '非空', en: 'Not null' },
  'kind.unique': { 'zh-CN': '唯一', en: 'Unique' },
  'kind.range': { 'zh-CN': '取值范围', en: 'Range' },
  'kind.length': { 'zh-CN': '长度', en: 'Length' },
  'kind.enum': { 'zh-CN': '枚举值', en: 'Allowed values' },
  'kind.regex': { 'zh-CN': '正则格式', en: 'Pattern' },
  'kind.pii_valid': { 'zh-CN': '证件号码校验', en: 'Identifier check' },
  'kind.date_valid': { 'zh-CN': '日期有效性', en: 'Date validity' },
  'kind.reference': { 'zh-CN': '引用一致性', en: 'Reference' },
  'kind.freshness': { 'zh-CN': '及时性', en: 'Freshness' },
  'kind.row_count': { 'zh-CN': '记录数', en: 'Row count' },
  'pii.id_number': { 'zh-CN': '居民身份证号码', en: 'resident ID number' },
  'pii.credit_code': { 'zh-CN': '统一社会信用代码', en: 'unified social credit code' },
  'pii.phone': { 'zh-CN': '手机号码', en: 'mobile number' },
  'pii.bank_card': { 'zh-CN': '银行卡号', en: 'bank card number' },
  'pii.email': { 'zh-CN': '电子邮箱', en: 'email address' },
  'pii.passport': { 'zh-CN': '护照号码', en: 'passport number' },
  'pii.hk_macao_permit': { 'zh-CN': '港澳通行证号码', en: 'Hong Kong/Macao permit number' },
  'pii.license_plate': { 'zh-CN': '车牌号码', en: 'license plate' },
  'pii.name': { 'zh-CN': '姓名', en: 'name' },
  'pii.address': { 'zh-CN': '地址', en: 'address' },
} satisfies Record<string, { 'zh-CN': string; en: string }>;
type TextKey = keyof typeof QUALITY_TEXTS;

export function qualityText(key: TextKey, lang: Lang, params: Record<string, string | number> = {}): string {
  return QUALITY_TEXTS[key][lang].replace(/\{(\w+)\}/g, (m, k: string) => (params[k] === undefined ? m : String(params[k])));
}

// ------------------------------------------------------------------------------------------------ validation

function invalid(r: { id?: unknown }, detail: string): AppError {
  return new AppError(400, 'QUALITY_RULE_INVALID', { rule: String(r.id ?? '?'), detail }, { rule: r.id });
}

function fieldOf(schema: QualitySchema, r: QualityRule, name: string): QualityField {
  const f = schema.fields.find((x) => x.name === name);
  if (!f) throw new AppError(400, 'QUALITY_COLUMN_UNKNOWN', { rule: r.id, column: name }, { rule: r.id, column: name });
  return f;
}

function isRealDate(text: string): boolean {
  const d = new Date(`${text.slice(0, 10)}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === text.slice(0, 10);
}

/**
 * Checks rules without touching data: shape (TypeBox), unique ids, columns against the schema, parameters that fit
 * the column type. Returns the rules typed. DuckDB-level checks (regex syntax) are in validateRules().
 */
export function checkRules(schema: QualitySchema, input: unknown[]): QualityRule[] {
  const ids = new Set<string>();
  return input.map((raw) => {
    if (!compiledRule.Check(raw)) {
      const kind = raw !== null && typeof raw === 'object' ? (raw as { kind?: unknown }).kind : undefined;
      const one = typeof kind === 'string' ? compiledByKind.get(kind) : undefined;
      if (!one) throw invalid((raw ?? {}) as { id?: unknown }, `kind must be one of ${QUALITY_RULE_KINDS.join(', ')}`);
      const e = [...one.Errors(raw)][0];
      throw invalid((raw ?? {}) as { id?: unknown }, e ? `${e.instancePath || '/'} ${e.message}` : 'shape');
    }
    const r = raw;
    if (ids.has(r.id)) throw invalid(r, 'duplicate id');
    ids.add(r.id);
    if (r.column !== undefined) fieldOf(schema, r, r.column);
    switch (r.kind) {
      case 'unique': {
        const cols = r.params?.columns ?? (r.column !== undefined ? [r.column] : []);
        if (!cols.length) throw invalid(r, 'column or params.columns required');
        if (r.column !== undefined && r.params?.columns) throw invalid(r, 'column and params.columns are exclusive');
        if (new Set(cols).size !== cols.length) throw invalid(r, 'duplicate column in params.columns');
        for (const c of cols) fieldOf(schema, r, c);
        break;
      }
      case 'range': {
        const { min, max } = r.params;
        if (min === undefined && max === undefined) throw invalid(r, 'min or max required');
        const kind = typeKind(fieldOf(schema, r, r.column));
        for (const b of [min, max]) {
          if (b === undefined) continue;
          if (kind === 'date' || kind === 'datetime') {
            if (typeof b !== 'string' || !isRealDate(b)) throw invalid(r, 'date bounds must be real dates (YYYY-MM-DD)');
            if (kind === 'date' && b.length > 10) throw invalid(r, 'a date column takes YYYY-MM-DD bounds');
          } else if (typeof b !== 'number' || !Number.isFinite(b)) throw invalid(r, 'bounds must be finite numbers');
        }
        if (min !== undefined && max !== undefined && min > max) throw invalid(r, 'min > max');
        break;
      }
      case 'length':
      case 'row_count': {
        const { min, max } = r.params;
        if (min === undefined && max === undefined) throw invalid(r, 'min or max required');
        if (min !== undefined && max !== undefined && min > max) throw invalid(r, 'min > max');
        break;
      }
      case 'enum':
        for (const v of r.params.values) if (v.includes('\0')) throw invalid(r, 'NUL in a value');
        break;
      case 'regex':
        if (r.params.pattern.includes('\0')) throw invalid(r, 'NUL in the pattern');
        break;
      case 'date_valid':
        for (const d of [r.params.min, r.params.max]) if (d !== undefined && !isRealDate(d)) throw invalid(r, `not a date: ${d}`);
        if (r.params.min && r.params.max && r.params.min > r.params.max) throw invalid(r, 'min > max');
        break;
      case 'reference':
        if (r.params.parquetPath?.includes('\0')) throw invalid(r, 'NUL in the path');
        break;
      default:
        break;
    }
    return r;
  });
}

/** checkRules() plus DuckDB's own compile of every regex pattern (one statement; per pattern only to name a culprit). */
export async function validateRules(engine: Pick<DuckEngine, 'json'>, schema: QualitySchema, input: unknown[]): Promise<QualityRule[]> {
  const rules = checkRules(schema, input);
  const regexes = rules.filter((r): r is Extract<QualityRule, { kind: 'regex' }> => r.kind === 'regex');
  if (!regexes.length) return rules;
  const probe = (rs: typeof regexes) =>
    engine.json(`SELECT ${rs.map((r, i) => `regexp_full_match('', ${quoteLiteral(r.params.pattern)}) AS p${i}`).join(', ')}`);
  try {
    await probe(regexes);
  } catch {
    for (const r of regexes) {
      try {
        await probe([r]);
      } catch (e) {
        const detail = (e as Error).message.replace(/^[^:]*Error: /, '').slice(0, 200);
        throw new AppError(400, 'QUALITY_REGEX_INVALID', { rule: r.id, detail }, { rule: r.id });
      }
    }
  }
  return rules;
}

// ------------------------------------------------------------------------------------------------ default rules

/**
 * Rules proposed from a Table Schema (required → not_null; unique / primaryKey → unique; enum → enum; minimum/maximum →
 * range; minLength/maxLength → length; pattern → regex; date/datetime → date_valid) and from the fields' PII kinds
 * (id_number, credit_code, phone → pii_valid; from fieldsMeta, else the field's x-shuyuan.piiKind), plus a freshness
 * rule on the version gap against the catalog's update frequency. The provider edits them before they are saved.
 */
export function defaultRules(schema: QualitySchema, fieldsMeta: FieldsMeta = {}): QualityRule[] {
  const out: QualityRule[] = [];
  const pk = schema.primaryKey === undefined ? [] : Array.isArray(schema.primaryKey) ? schema.primaryKey : [schema.primaryKey];
  const names = new Set(schema.fields.map((f) => f.name));
  const key = pk.filter((c) => names.has(c));
  for (const f of schema.fields) {
    const c = f.constraints ?? {};
    const kind = typeKind(f);
    if (c.required === true || key.includes(f.name)) out.push({ id: `not_null:${f.name}`, kind: 'not_null', column: f.name });
    if (c.unique === true || (key.length === 1 && key[0] === f.name)) out.push({ id: `unique:${f.name}`, kind: 'unique', column: f.name });
    if (Array.isArray(c.enum) && c.enum.length > 0 && c.enum.length <= MAX_ENUM_VALUES) {
      const values = c.enum.filter((v) => v !== null && v !== undefined).map((v) => String(v));
      if (values.length && values.every((v) => v.length <= MAX_ENUM_VALUE_LENGTH && !v.includes('\0')))
        out.push({ id: `enum:${f.name}`, kind: 'enum', column: f.name, params: { values } });
    }
    const bound = (v: unknown) =>
      (kind === 'number' && typeof v === 'number' && Number.isFinite(v)) ||
      ((kind === 'date' || kind === 'datetime') && typeof v === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(v) && isRealDate(v));
    const min = bound(c.minimum) ? (c.minimum as number | string) : undefined;
    const max = bound(c.maximum) ? (c.maximum as number | string) : undefined;
    if ((min !== undefined || max !== undefined) && !(min !== undefined && max !== undefined && min > max))
      out.push({
        id: `range:${f.name}`,
        kind: 'range',
        column: f.name,
        params: { ...(min !== undefined ? { min } : {}), ...(max !== undefined ? { max } : {}) },
      });
    const len = (v: unknown) => (Number.isInteger(v) && (v as number) >= 0 ? (v as number) : undefined);
    const minL = len(c.minLength);
    const maxL = len(c.maxLength);
    if ((minL !== undefined || maxL !== undefined) && !(minL !== undefined && maxL !== undefined && minL > maxL))
      out.push({
        id: `length:${f.name}`,
        kind: 'length',
        column: f.name,
        params: { ...(minL !== undefined ? { min: minL } : {}), ...(maxL !== undefined ? { max: maxL } : {}) },
      });
    if (typeof c.pattern === 'string' && c.pattern.length > 0 && c.pattern.length <= MAX_PATTERN_LENGTH && !c.pattern.includes('\0'))
      out.push({ id: `regex:${f.name}`, kind: 'regex', column: f.name, params: { pattern: c.pattern } });
    if (kind === 'date' || kind === 'datetime') out.push({ id: `date_valid:${f.name}`, kind: 'date_valid', column: f.name, params: {} });
    const pii = piiKindOf(fieldsMeta, f);
    if (pii === 'id_number' || pii === 'credit_code' || pii === 'phone')
      out.push({ id: `pii_valid:${f.name}`, kind: 'pii_valid', column: f.name, params: { kind: pii } });
  }
  if (key.length > 1) out.push({ id: `unique:${key.join(',')}`, kind: 'unique', params: { columns: key } });
  // Timeliness: the gap since the previous version against the catalog's update frequency (evaluate's input).
  out.push({ id: 'freshness', kind: 'freshness', params: {} });
  return out;
}

// ------------------------------------------------------------------------------------------------ SQL building blocks

type TypeKind = 'string' | 'number' | 'date' | 'datetime' | 'boolean';
function typeKind(f: QualityField): TypeKind {
  switch (f.type) {
    case 'integer':
    case 'number':
      return 'number';
    case 'date':
      return 'date';
    case 'datetime':
      return 'datetime';
    case 'boolean':
      return 'boolean';
    default:
      return 'string';
  }
}
const DUCK_TYPE: Record<TypeKind, string> = {
  string: 'VARCHAR',
  number: 'DOUBLE',
  date: 'DATE',
  datetime: 'TIMESTAMP',
  boolean: 'BOOLEAN',
};
/** Input formats tried for dates kept as text (the Chinese forms schema inference recognizes). */
const DATE_FORMATS = ['%Y-%m-%d', '%Y/%m/%d', '%Y年%m月%d日', '%Y%m%d', '%Y-%m-%d %H:%M:%S', '%Y-%m-%dT%H:%M:%S'];

const text = (col: string) => `CAST(${col} AS VARCHAR)`;
/** A value is present when not NULL and, for text, not empty or blanks only (Table Schema missingValues ['']). */
function presentSql(f: QualityField): string {
  const c = quoteIdent(f.name);
  // trim() (spaces) runs only on the values that start with a space: the others are present when not empty.
  const t = text(c);
  return typeKind(f) === 'string'
    ? `(${c} IS NOT NULL AND ${t} <> '' AND (NOT prefix(${t}, ' ') OR trim(${t}) <> ''))`
    : `(${c} IS NOT NULL)`;
}
function dateLiteral(b: string, kind: 'date' | 'datetime'): string {
  // b was validated: digits, '-', ':', ' ' or 'T' only.
  return kind === 'date' ? `DATE '${b}'` : `TIMESTAMP '${b.replace('T', ' ')}'`;
}
function numberLiteral(n: number): string {
  return `CAST(${quoteLiteral(String(n))} AS DOUBLE)`;
}
/** The column as a DATE (typed dates as they are, text through the known formats), NULL when it is not one. */
function asDateSql(f: QualityField, formats?: string[]): string {
  const c = quoteIdent(f.name);
  const k = typeKind(f);
  if (k === 'date') return `TRY_CAST(${c} AS DATE)`;
  if (k === 'datetime') return `TRY_CAST(${c} AS TIMESTAMP)`;
  const list = `[${(formats ?? DATE_FORMATS).map(quoteLiteral).join(', ')}]`;
  return `try_strptime(trim(${text(c)}), ${list})`;
}
function chinaDay(d: Date): string {
  return new Date(d.getTime() + 8 * 3600_000).toISOString().slice(0, 10);
}
function rangeText(min: unknown, max: unknown): string {
  if (min !== undefined && max !== undefined) return `[${String(min)}, ${String(max)}]`;
  if (min !== undefined) return `≥ ${String(min)}`;
  return `≤ ${String(max)}`;
}

interface Compiled {
  rule: QualityRule;
  index: number;
  dimension: QualityDimension;
  severity: QualitySeverity;
  /** Row rules: a boolean SQL expression true for a failing row; `applicable` the rows judged. */
  fail?: string;
  applicable?: string;
  /** Uniqueness: the key columns (quoted) and presence of all of them. */
  unique?: { keys: string[]; present: string };
  /** Extra aggregate (freshness: max date as text). */
  observe?: string;
  /** Row rules: the value shown in reports and the reason (SQL text expressions per language). */
  value?: string;
  reason?: (lang: Lang) => string;
  columnLabel: string | null;
}

/** Compiles one rule into SQL fragments; paths of referenced files are appended to `params` ($2, $3, …). */
function compileRule(
  schema: QualitySchema,
  r: QualityRule,
  index: number,
  params: string[],
  engine: Pick<DuckEngine, 'allows'>,
  now: Date,
): Compiled {
  const base = {
    rule: r,
    index,
    dimension: r.dimension ?? DEFAULT_DIMENSION[r.kind],
    severity: r.severity ?? 'major',
    columnLabel: r.column ?? null,
  };
  const lit =
    (key: TextKey, p: Record<string, string | number> = {}) =>
    (lang: Lang) =>
      quoteLiteral(qualityText(key, lang, p));
  if (r.kind === 'row_count') return { ...base };
  if (r.kind === 'freshness') {
    if (r.column === undefined) return { ...base };
    const f = fieldOf(schema, r, r.column);
    return { ...base, observe: `CAST(max(CAST(${asDateSql(f)} AS DATE)) AS VARCHAR)` };
  }
  if (r.kind === 'unique') {
    const cols = r.params?.columns ?? [r.column!];
    const fields = cols.map((c) => fieldOf(schema, r, c));
    const present = fields.map(presentSql).join(' AND ');
    const keys = fields.map((f) => quoteIdent(f.name));
    return {
      ...base,
      columnLabel: cols.join(', '),
      applicable: `count_if(${present})`,
      unique: { keys, present },
      value: keys.length === 1 ? text(keys[0]!) : `concat_ws(', ', ${keys.map(text).join(', ')})`,
    };
  }
  const f = fieldOf(schema, r, r.column);
  const c = quoteIdent(f.name);
  const present = presentSql(f);
  const kind = typeKind(f);
  const value = text(c);
  let bad: string;
  let reason: (lang: Lang) => string;
  switch (r.kind) {
    case 'not_null':
      return { ...base, fail: `NOT ${present}`, applicable: 'count(*)', value, reason: lit('reason.not_null') };
    case 'range': {
      const { min, max } = r.params;
      const v = kind === 'date' || kind === 'datetime' ? `TRY_CAST(${c} AS ${DUCK_TYPE[kind]})` : `TRY_CAST(${c} AS DOUBLE)`;
      const b = (x: number | string) => (typeof x === 'number' ? numberLiteral(x) : dateLiteral(x, kind as 'date' | 'datetime'));
      const ok = [min !== undefined ? `${v} >= ${b(min)}` : null, max !== undefined ? `${v} <= ${b(max)}` : null]
        .filter(Boolean)
        .join(' AND ');
      bad = `NOT coalesce(${ok}, false)`;
      reason = lit('reason.range', { range: rangeText(min, max) });
      break;
    }
    case 'length': {
      const { min, max } = r.params;
      const len = `length(${value})`;
      const ok = [min !== undefined ? `${len} >= ${min}` : null, max !== undefined ? `${len} <= ${max}` : null]
        .filter(Boolean)
        .join(' AND ');
      bad = `NOT (${ok})`;
      reason = lit('reason.length', { range: rangeText(min, max) });
      break;
    }
    case 'enum': {
      const values = r.params.values;
      bad = `${value} NOT IN (${values.map(quoteLiteral).join(', ')})`;
      const shown = values.join('、');
      reason = lit('reason.enum', { values: shown.length > 100 ? `${shown.slice(0, 100)}…` : shown });
      break;
    }
    case 'regex':
      bad = `NOT regexp_full_match(${value}, ${quoteLiteral(r.params.pattern)})`;
      reason = lit('reason.regex', { pattern: r.params.pattern.length > 100 ? `${r.params.pattern.slice(0, 100)}…` : r.params.pattern });
      break;
    case 'pii_valid': {
      const k = r.params.kind as PrivacyKind;
      bad = `NOT coalesce(${validSql(k, value)}, false)`;
      const key = `pii.${k}` as TextKey;
      reason = (lang) => quoteLiteral(qualityText('reason.pii_valid', lang, { kind: key in QUALITY_TEXTS ? qualityText(key, lang) : k }));
      break;
    }
    case 'date_valid': {
      const min = r.params.min ?? '1900-01-01';
      const max = r.params.notFuture && (!r.params.max || r.params.max > chinaDay(now)) ? chinaDay(now) : (r.params.max ?? '2100-12-31');
      const d = `CAST(${asDateSql(f, r.params.formats)} AS DATE)`;
      bad = `NOT coalesce(${d} BETWEEN DATE '${min}' AND DATE '${max}', false)`;
      reason = lit('reason.date_valid', { range: `[${min}, ${max}]` });
      break;
    }
    case 'reference': {
      const p = r.params.parquetPath;
      if (!p) throw new AppError(400, 'QUALITY_REFERENCE_UNRESOLVED', { rule: r.id }, { rule: r.id });
      if (!engine.allows(p)) throw new Error(`quality: reference file outside DuckDB's allowed directories: ${p}`);
      params.push(p);
      const ref = quoteIdent(r.params.column);
      const t = f.type === 'integer' ? 'BIGINT' : DUCK_TYPE[kind];
      // coalesce: IN over a set holding NULL is NULL, not false; the subquery drops NULLs anyway.
      const sub = `SELECT TRY_CAST(${ref} AS ${t}) FROM read_parquet($${params.length + 1}) WHERE ${ref} IS NOT NULL`;
      const probe = kind === 'string' ? value : `TRY_CAST(${c} AS ${t})`;
      bad = `NOT coalesce(${probe} IN (${sub}), false)`;
      reason = lit('reason.reference', { column: r.params.column });
      break;
    }
  }
  return { ...base, fail: `(${present} AND ${bad})`, applicable: `count_if(${present})`, value, reason };
}

function compileAll(
  engine: Pick<DuckEngine, 'allows'>,
  parquetPath: string,
  schema: QualitySchema,
  rules: unknown[],
  now: Date,
): { compiled: Compiled[]; params: string[] } {
  if (!engine.allows(parquetPath)) throw new Error(`quality: file outside DuckDB's allowed directories: ${parquetPath}`);
  const typed = checkRules(schema, rules);
  const params: string[] = [];
  const compiled = typed.map((r, i) => compileRule(schema, r, i, params, engine, now));
  return { compiled, params: [parquetPath, ...params] };
}

/**
 * The one aggregate statement of an evaluation: `n` = rows, and per rule i `a<i>` (rows judged), `f<i>` (rows
 * failing) and/or `o<i>` (an observed value). Exported for tests and EXPLAIN.
 */
export function compileEvaluation(
  engine: Pick<DuckEngine, 'allows'>,
  input: { parquetPath: string; schema: QualitySchema; rules: unknown[]; now: Date },
): { sql: string; params: string[]; compiled: Compiled[] } {
  const { compiled, params } = compileAll(engine, input.parquetPath, input.schema, input.rules, input.now);
  const cols = ['count(*) AS n'];
  for (const c of compiled) {
    if (c.applicable) cols.push(`${c.applicable} AS a${c.index}`);
    if (c.fail) cols.push(`count_if(${c.fail}) AS f${c.index}`);
    if (c.unique) {
      const k = c.unique.keys.length === 1 ? c.unique.keys[0]! : `row(${c.unique.keys.join(', ')})`;
      // A scalar subquery of its own: a DISTINCT aggregate next to the others slows the whole pass (1M rows,
      // default rules: 1.15 s → 0.83 s with it apart).
      cols.push(`(SELECT count(DISTINCT CASE WHEN ${c.unique.present} THEN ${k} END) FROM read_parquet($1)) AS d${c.index}`);
    }
    if (c.observe) cols.push(`${c.observe} AS o${c.index}`);
  }
  return { sql: `SELECT ${cols.join(',\n  ')}\nFROM read_parquet($1)`, params, compiled };
}

// ------------------------------------------------------------------------------------------------ evaluation

export interface QualityRuleResult {
  id: string;
  kind: QualityRuleKind;
  column: string | null;
  dimension: QualityDimension;
  severity: QualitySeverity;
  /** Rows judged (row rules) or 1/0 (dataset rules: 0 when there is nothing to judge, e.g. a first version). */
  applicable: number;
  passed: number;
  failed: number;
  /** passed / applicable, null when applicable is 0 (the rule then does not count in the scores). */
  ratio: number | null;
  /** What a dataset rule saw: the row count, the newest date, or the days since the previous version. */
  observed?: string | number | null;
  /** Dataset rules: the limit it was judged against (e.g. the allowed age in days). */
  expected?: string | number | null;
}
export interface QualityReport {
  rows: number;
  evaluatedAt: string;
  rules: QualityRuleResult[];
  /** 0–100 per dimension, null when it has no rule with something to judge. */
  dimensions: Record<QualityDimension, number | null>;
  /** Weighted mean of the non-null dimensions (DIMENSION_WEIGHTS), null when all are null. */
  overall: number | null;
  grade: 'A' | 'B' | 'C' | 'D' | 'E' | null;
  /** Great Expectations style "rules passed" (every judged row passed); shown beside the score, never as it. */
  rulesPassed: number;
  rulesJudged: number;
}

export interface EvaluateInput {
  parquetPath: string;
  schema: QualitySchema;
  rules: unknown[];
  /** The evaluation time (freshness, notFuture). */
  now: Date;
  /** This version's creation time (default `now`), compared with the previous version's for column-less freshness. */
  createdAt?: Date;
  previous?: { createdAt: Date } | null;
  /** The catalog's update frequency, for freshness rules that do not name one. */
  updateFrequency?: UpdateFrequency | null;
}

const round2 = (x: number) => Math.round(x * 100) / 100;

export function gradeOf(score: number | null): QualityReport['grade'] {
  if (score === null) return null;
  return score >= 95 ? 'A' : score >= 85 ? 'B' : score >= 70 ? 'C' : score >= 60 ? 'D' : 'E';
}

/** Scores from rule results (the formula in the header comment). */
export function scoreRules(results: QualityRuleResult[]): Pick<QualityReport, 'dimensions' | 'overall' | 'grade'> {
  const dimensions = Object.fromEntries(QUALITY_DIMENSIONS.map((d) => [d, null])) as Record<QualityDimension, number | null>;
  for (const d of QUALITY_DIMENSIONS) {
    let num = 0;
    let den = 0;
    for (const r of results) {
      if (r.dimension !== d || r.ratio === null) continue;
      const w = SEVERITY_WEIGHTS[r.severity];
      num += w * r.ratio;
      den += w;
    }
    dimensions[d] = den ? round2((100 * num) / den) : null;
  }
  let num = 0;
  let den = 0;
  for (const d of QUALITY_DIMENSIONS) {
    const s = dimensions[d];
    if (s === null) continue;
    num += DIMENSION_WEIGHTS[d] * s;
    den += DIMENSION_WEIGHTS[d];
  }
  const overall = den ? round2(num / den) : null;
  return { dimensions, overall, grade: gradeOf(overall) };
}

function result(c: Compiled, applicable: number, failed: number, extra: Partial<QualityRuleResult> = {}): QualityRuleResult {
  const passed = applicable - failed;
  return {
    id: c.rule.id,
    kind: c.rule.kind,
    column: c.columnLabel,
    dimension: c.dimension,
    severity: c.severity,
    applicable,
    passed,
    failed,
    ratio: applicable ? passed / applicable : null,
    ...extra,
  };
}

/** Evaluates every rule over one version in a single aggregate pass and scores the result. */
export async function evaluate(engine: Pick<DuckEngine, 'json' | 'allows'>, input: EvaluateInput): Promise<QualityReport> {
  const { sql, params, compiled } = compileEvaluation(engine, input);
  let row: Record<string, string | number | null>;
  try {
    [row] = (await engine.json<Record<string, string | number | null>>(sql, params)) as [Record<string, string | number | null>];
  } catch (e) {
    // Name the culprit when a regex pattern is what DuckDB refused (validateRules throws QUALITY_REGEX_INVALID).
    if (compiled.some((c) => c.rule.kind === 'regex')) await validateRules(engine, input.schema, input.rules);
    throw e;
  }
  const num = (k: string) => Number(row[k] ?? 0);
  const rows = num('n');
  const createdAt = input.createdAt ?? input.now;
  const results = compiled.map((c): QualityRuleResult => {
    const r = c.rule;
    switch (r.kind) {
      case 'row_count': {
        const ok = (r.params.min === undefined || rows >= r.params.min) && (r.params.max === undefined || rows <= r.params.max);
        return result(c, 1, ok ? 0 : 1, { observed: rows, expected: rangeText(r.params.min, r.params.max) });
      }
      case 'freshness': {
        const frequency = r.params.updateFrequency ?? input.updateFrequency;
        const f = frequency ? FRESHNESS_DAYS[frequency] : null;
        if (!f) return result(c, 0, 0);
        const allowed = f.period + (r.params.graceDays ?? f.grace);
        if (r.column !== undefined) {
          const newest = row[`o${c.index}`] as string | null;
          if (!newest) return result(c, 1, 1, { observed: null, expected: allowed });
          const age = (Date.parse(`${chinaDay(input.now)}T00:00:00Z`) - Date.parse(`${newest}T00:00:00Z`)) / 86_400_000;
          return result(c, 1, age <= allowed ? 0 : 1, { observed: newest, expected: allowed });
        }
        if (!input.previous) return result(c, 0, 0, { observed: null, expected: allowed });
        const gap = round2((createdAt.getTime() - input.previous.createdAt.getTime()) / 86_400_000);
        return result(c, 1, gap <= allowed ? 0 : 1, { observed: gap, expected: allowed });
      }
      case 'unique': {
        const a = num(`a${c.index}`);
        return result(c, a, a - num(`d${c.index}`));
      }
      default:
        return result(c, num(`a${c.index}`), num(`f${c.index}`));
    }
  });
  const judged = results.filter((r) => r.applicable > 0);
  return {
    rows,
    evaluatedAt: input.now.toISOString(),
    rules: results,
    ...scoreRules(results),
    rulesPassed: judged.filter((r) => r.failed === 0).length,
    rulesJudged: judged.length,
  };
}

/** The publication gate: a version passes when its overall score reaches the threshold (no score: nothing to refuse). */
export function gate(report: Pick<QualityReport, 'overall'>, threshold: number): { ok: boolean; score: number | null; threshold: number } {
  return { ok: report.overall === null || report.overall >= threshold, score: report.overall, threshold };
}

// ------------------------------------------------------------------------------------------------ failing rows

export interface FailingRow {
  /** Source row number (the file's `_row` column when it has one, else the 1-based position in the file). */
  row: number;
  column: string | null;
  value: string | null;
  /** The rule id. */
  rule: string;
  kind: QualityRuleKind;
  reason: string;
}
export interface FailingRowsInput {
  parquetPath: string;
  schema: QualitySchema;
  rules: unknown[];
  /** Most rows returned (failingRows: required, ≤ 100000; CSV: default DEFAULT_REPORT_LIMIT). */
  limit?: number;
  lang?: Lang;
  /** For date_valid notFuture (default: the current time). */
  now?: Date;
}

/** Builds the failing-rows SELECT (row, col, val, rule, kind, why) ordered by row then rule; `forCsv` neutralizes formulas. */
async function failingRowsQuery(
  engine: Pick<DuckEngine, 'json' | 'allows'>,
  input: FailingRowsInput,
  limit: number,
  forCsv: boolean,
): Promise<{ sql: string; params: string[] }> {
  const lang = input.lang ?? 'zh-CN';
  const { compiled, params } = compileAll(engine, input.parquetPath, input.schema, input.rules, input.now ?? new Date());
  const rowRules = compiled.filter((c) => c.fail || c.unique);
  const empty = `SELECT NULL::BIGINT AS "row", NULL::VARCHAR AS col, NULL::VARCHAR AS val, NULL::VARCHAR AS rule, NULL::VARCHAR AS kind, NULL::VARCHAR AS why LIMIT 0`;
  if (!rowRules.length) return { sql: empty, params: [] };
  // The typed version may carry the source row numbers in `_row`; else the position in the file.
  const described = await engine.json<{ column_name: string }>(`SELECT column_name FROM (DESCRIBE SELECT * FROM read_parquet($1))`, [
    input.parquetPath,
  ]);
  const hasRow = described.some((d) => d.column_name === '_row');
  const used = new Set<string>();
  for (const c of rowRules) {
    const r = c.rule;
    if (r.kind === 'unique') for (const col of r.params?.columns ?? [r.column!]) used.add(col);
    else if (r.column !== undefined) used.add(r.column);
  }
  const select = [...used].map(quoteIdent).join(', ');
  const scan = hasRow
    ? `SELECT CAST(_row AS BIGINT) AS __row, ${select} FROM read_parquet($1)`
    : `SELECT CAST(file_row_number + 1 AS BIGINT) AS __row, ${select} FROM read_parquet($1, file_row_number = true)`;
  const windows = rowRules
    .filter((c) => c.unique)
    .map((c) => `min(__row) OVER (PARTITION BY ${c.unique!.keys.join(', ')}) AS __u${c.index}`);
  const flags = rowRules.map((c) => `${c.unique ? `(${c.unique.present} AND __row > __u${c.index})` : c.fail} AS __f${c.index}`);
  const items = rowRules.map((c) => {
    const reason = c.unique
      ? (() => {
          const [before, after] = qualityText('reason.unique', lang).split('{first}') as [string, string];
          return `${quoteLiteral(before)} || CAST(__u${c.index} AS VARCHAR) || ${quoteLiteral(after ?? '')}`;
        })()
      : c.reason!(lang);
    const col = c.columnLabel === null ? 'NULL' : quoteLiteral(c.columnLabel);
    return `CASE WHEN __f${c.index} THEN {'i': ${c.index}, 'col': ${col}, 'val': left(${c.value}, ${MAX_REPORT_VALUE}), 'rule': ${quoteLiteral(c.rule.id)}, 'kind': '${c.rule.kind}', 'why': ${reason}} END`;
  });
  const val = forCsv
    ? `CASE WHEN regexp_matches(x.val, '^[=+\\-@\\t\\r]') AND NOT regexp_full_match(x.val, '[+-]?[0-9]+(\\.[0-9]+)?') THEN '''' || x.val ELSE x.val END`
    : 'x.val';
  const sql = `WITH t AS (${scan}),
w AS (SELECT *${windows.length ? `, ${windows.join(', ')}` : ''} FROM t),
g AS (SELECT *, ${flags.join(', ')} FROM w),
u AS (SELECT __row, unnest(list_filter([${items.join(', ')}], y -> y IS NOT NULL)) AS x
      FROM g WHERE ${rowRules.map((c) => `__f${c.index}`).join(' OR ')})
SELECT __row AS "row", x.col AS col, ${val} AS val, x.rule AS rule, x.kind AS kind, x.why AS why
FROM u ORDER BY __row, x.i LIMIT ${limit}`;
  return { sql, params };
}

function checkLimit(limit: number, max: number): number {
  if (!Number.isInteger(limit) || limit < 1 || limit > max) throw new RangeError(`quality: limit must be an integer in 1..${max}`);
  return limit;
}

/** The first `limit` failing (row, rule) pairs in row order, with the reason in `lang` (default zh-CN). */
export async function failingRows(
  engine: Pick<DuckEngine, 'json' | 'allows'>,
  input: FailingRowsInput & { limit: number },
): Promise<FailingRow[]> {
  const { sql, params } = await failingRowsQuery(engine, input, checkLimit(input.limit, 100_000), false);
  const rows = await engine.json<{
    row: string | number;
    col: string | null;
    val: string | null;
    rule: string;
    kind: QualityRuleKind;
    why: string;
  }>(sql, params);
  return rows.map((r) => ({ row: Number(r.row), column: r.col, value: r.val, rule: r.rule, kind: r.kind, reason: r.why }));
}

/**
 * Writes the failing-rows report as CSV with DuckDB COPY (streamed, memory bounded by DuckDB's limit): UTF-8 with a
 * BOM so Excel opens it, headers 行号, 字段, 值, 规则, 原因; values that would start a spreadsheet formula are prefixed
 * with '. Returns the number of lines written (without the header).
 */
export async function writeFailingRowsCsv(
  engine: Pick<DuckEngine, 'json' | 'allows'>,
  input: FailingRowsInput,
  outPath: string,
): Promise<{ rows: number }> {
  if (!engine.allows(outPath)) throw new Error(`quality: report path outside DuckDB's allowed directories: ${outPath}`);
  const lang = input.lang ?? 'zh-CN';
  const { sql, params } = await failingRowsQuery(engine, input, checkLimit(input.limit ?? DEFAULT_REPORT_LIMIT, 100_000_000), true);
  const kindName = `CASE kind ${QUALITY_RULE_KINDS.map((k) => `WHEN '${k}' THEN ${quoteLiteral(qualityText(`kind.${k}`, lang))}`).join(' ')} END`;
  // The BOM rides at the front of the first header name: DuckDB writes header names verbatim.
  const copy = `COPY (SELECT "row" AS "\uFEFF行号", col AS "字段", val AS "值", ${kindName} || ${lang === 'zh-CN' ? `'（' || rule || '）'` : `' (' || rule || ')'`} AS "规则", why AS "原因"
FROM (${sql})) TO ${quoteLiteral(outPath)} (FORMAT csv, HEADER true)`;
  const [res] = await engine.json<{ Count: string | number }>(copy, params);
  return { rows: Number(res?.Count ?? 0) };
}
