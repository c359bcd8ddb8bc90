// Masking by kind (issue 5 §6): the JavaScript function and the same masking as a DuckDB expression, applied
// when data is read (never by rewriting a stored version). Conventions in common use (there is no single
// national rule; research §3.5; GB/T 37964 for de-identification in general): ID 110101********1234, mobile
// 138****5678, bank card first 6 + last 4, name 张* / 张*三 / 欧阳*, e-mail z***@example.com, address down to
// the county-level district, passport / permit / plate first and last character, credit code first 8 + last
// 2, anything else all but the last 4.
//
// Short or malformed values never come out in clear: when keeping the usual head and tail would leave fewer
// than 4 characters masked, only the last quarter (rounded down) is kept.
import { clean, compact, COMPOUND_SURNAME_START, PATTERNS, type PrivacyKind } from './recognizers.ts';
import { bindSql, cleanSql, compactSql } from './sql.ts';
import { quoteLiteral } from '../datasets/duckdb.ts';

/** A kind to mask by: a personal-information kind, or 'none' (a field marked for masking without a kind). */
export type MaskKind = PrivacyKind | 'none';

/** How many characters each identifier kind keeps at the start and at the end. */
const KEEP: Partial<Record<MaskKind, [number, number]>> = {
  id_number: [6, 4],
  phone: [3, 4],
  bank_card: [6, 4],
  credit_code: [8, 2],
  passport: [1, 1],
  hk_macao_permit: [1, 1],
  license_plate: [1, 1],
  none: [0, 4],
};
/** The fewest characters a head+tail mask may leave hidden before it falls back to keeping only the last quarter. */
const MIN_HIDDEN = 4;

// Address: the prefix kept, down to the county-level district (or the prefecture, or the province).
// A name part may not cross a street, door or village marker nor a digit, so nothing below the district shows.
const PART = '[^省市区县旗路街巷弄号道村镇乡0-9]{1,12}';
const PROVINCE = `${PART}(?:省|自治区)`;
const PREFECTURE = `${PART}(?:自治州|市|州|盟|地区)`;
export const ADDRESS_KEEP = [
  `^(?:${PROVINCE})?(?:${PREFECTURE})?${PART}(?:区|县|旗)`,
  `^(?:${PROVINCE})?${PREFECTURE}`,
  `^${PROVINCE}`,
] as const;
const ADDRESS_KEEP_RE = ADDRESS_KEEP.map((s) => new RegExp(s, 'u'));
const COMPOUND_RE = new RegExp(COMPOUND_SURNAME_START, 'u');
const PHONE_PREFIXED_RE = new RegExp(PATTERNS.phonePrefixed, 'u');

const stars = (n: number) => '*'.repeat(Math.max(0, n));

/** Keeps `head` and `tail` characters (code points) of `s`, or only the last quarter when too short. */
export function keepEnds(s: string, head: number, tail: number): string {
  const a = [...s];
  const n = a.length;
  if (n >= head + tail + MIN_HIDDEN) return a.slice(0, head).join('') + stars(n - head - tail) + (tail ? a.slice(n - tail).join('') : '');
  const k = Math.floor(n / 4);
  return stars(n - k) + (k ? a.slice(n - k).join('') : '');
}

function maskName(t: string): string {
  const a = [...t];
  const n = a.length;
  if (n <= 1) return stars(n);
  const s = n >= 3 && COMPOUND_RE.test(t) ? 2 : 1;
  const rest = n - s;
  return a.slice(0, s).join('') + (rest <= 1 ? '*' : stars(rest - 1) + a[n - 1]);
}

function maskEmail(t: string): string {
  const at = t.indexOf('@');
  if (at < 0) return keepEnds(t, 0, 4);
  const first = [...t.slice(0, at)][0] ?? '';
  return `${first}***${t.slice(at)}`;
}

function maskAddress(t: string): string {
  let kept = '';
  for (const r of ADDRESS_KEEP_RE) {
    kept = r.exec(t)?.[0] ?? '';
    if (kept) break;
  }
  return kept + stars([...t].length - [...kept].length);
}

/** The value masked for display (see the conventions above); null stays null. */
export function mask(kind: MaskKind, value: string): string;
export function mask(kind: MaskKind, value: null): null;
export function mask(kind: MaskKind, value: string | null): string | null;
export function mask(kind: MaskKind, value: string | null): string | null {
  if (value === null) return null;
  switch (kind) {
    case 'name':
      return maskName(clean(value));
    case 'email':
      return maskEmail(clean(value));
    case 'address':
      return maskAddress(clean(value));
    case 'phone': {
      const c = compact(value);
      return keepEnds(PHONE_PREFIXED_RE.test(c) ? c.slice(-11) : c, 3, 4);
    }
    case 'none':
      return keepEnds(clean(value), 0, 4);
    default: {
      const keep = KEEP[kind];
      if (!keep) throw new RangeError(`unknown personal-information kind: ${String(kind)}`);
      return keepEnds(compact(value), keep[0], keep[1]);
    }
  }
}

// ---------------------------------------------------------------------------------------------------------
// The same in DuckDB SQL

const lit = quoteLiteral;

function keepEndsSql(v: string, head: number, tail: number): string {
  const n = `length(${v})`;
  return (
    `CASE WHEN ${n} >= ${head + tail + MIN_HIDDEN} THEN ` +
    `left(${v}, ${head}) || repeat('*', ${n} - ${head + tail}) || ${tail ? `right(${v}, ${tail})` : `''`} ` +
    `ELSE repeat('*', ${n} - ${n} // 4) || right(${v}, ${n} // 4) END`
  );
}

function maskNameSql(t: string): string {
  const n = `length(${t})`;
  const s = `(CASE WHEN ${n} >= 3 AND regexp_matches(${t}, ${lit(COMPOUND_SURNAME_START)}) THEN 2 ELSE 1 END)`;
  return (
    `CASE WHEN ${n} <= 1 THEN repeat('*', ${n}) ` +
    `WHEN ${n} - ${s} <= 1 THEN left(${t}, ${s}) || '*' ` +
    `ELSE left(${t}, ${s}) || repeat('*', ${n} - ${s} - 1) || right(${t}, 1) END`
  );
}

function maskEmailSql(t: string): string {
  const at = `strpos(${t}, '@')`;
  return `CASE WHEN ${at} = 0 THEN ${keepEndsSql(t, 0, 4)} ELSE left(${t}, least(1, ${at} - 1)) || '***' || substr(${t}, ${at}) END`;
}

function maskAddressSql(t: string): string {
  const kept = ADDRESS_KEEP.map((r) => `nullif(regexp_extract(${t}, ${lit(r)}, 0), '')`);
  return bindSql(`coalesce(${kept.join(', ')}, '')`, (k) => `${k} || repeat('*', length(${t}) - length(${k}))`);
}

/**
 * `mask(kind, ·)` as a DuckDB expression over the VARCHAR expression `expr` (SQL the caller built, never user
 * text); NULL stays NULL. Tests check it against `mask` on generated values.
 */
export function maskSql(kind: MaskKind, expr: string): string {
  let body: string;
  switch (kind) {
    case 'name':
      body = bindSql(cleanSql(`(${expr})`), maskNameSql);
      break;
    case 'email':
      body = bindSql(cleanSql(`(${expr})`), maskEmailSql);
      break;
    case 'address':
      body = bindSql(cleanSql(`(${expr})`), maskAddressSql);
      break;
    case 'phone':
      body = bindSql(compactSql(`(${expr})`), (c) =>
        bindSql(`CASE WHEN regexp_matches(${c}, ${lit(PATTERNS.phonePrefixed)}) THEN right(${c}, 11) ELSE ${c} END`, (v) =>
          keepEndsSql(v, 3, 4),
        ),
      );
      break;
    case 'none':
      body = bindSql(cleanSql(`(${expr})`), (v) => keepEndsSql(v, 0, 4));
      break;
    default: {
      const keep = KEEP[kind];
      if (!keep) throw new RangeError(`unknown personal-information kind: ${String(kind)}`);
      body = bindSql(compactSql(`(${expr})`), (v) => keepEndsSql(v, keep[0], keep[1]));
    }
  }
  return `(CASE WHEN (${expr}) IS NULL THEN NULL ELSE ${body} END)`;
}
