// Column-level detection of personal information on a sample (issue 5 §6; research §3.3 and §3.6): every
// value is validated (check digits, dates, dictionaries), each value counts for its most specific kind, the
// share of matching values is the confidence, and the column name raises or lowers it. The result SUGGESTS
// a field PII kind (and through the catalog's grading rules a grade): the provider confirms; nothing here
// writes to the catalog.
//
// Pitfalls handled: an 18-digit order number is not an ID (check digit + date + region); an 11-digit code
// column is not a phone column unless most values fit a mobile prefix and the numbers are not a sequence;
// an enumeration ("成功/失败") that happens to start with surnames is not a name column; full-width digits
// and separators are normalized before matching; identifiers inside free text (备注) are counted apart.
import type { PiiKind } from '../catalog/repository.ts';
import { fieldGrade, fromRank, rank, type GradeValue } from '../catalog/grading.ts';
import type { GradingRuleRow } from '../catalog/repository.ts';
import { compact, findInText, KIND_PRIORITY, PATTERNS, recognize, type PrivacyKind } from './recognizers.ts';

export interface Detection {
  kind: PrivacyKind;
  /** The catalog field PII kind to suggest (hk_macao_permit → passport: both 证件号码 under the same rule). */
  piiKind: Exclude<PiiKind, 'none'>;
  /** 0–1: matched / sampled, adjusted by the column name and the pitfall checks; 3 decimals. */
  confidence: number;
  /** Non-empty sampled values that are entirely a valid `kind` (counted for their most specific kind only). */
  matched: number;
  /** Non-empty values sampled. */
  sampled: number;
  /** Values that are not a `kind` but contain one inside free text. */
  inText: number;
  /** The column name suggests this kind. */
  nameHint: boolean;
  /** confidence ≥ the threshold: propose it to the provider. */
  suggested: boolean;
}

export interface DetectOptions {
  /** The column name (header), a hint: 身份证号, 手机, 姓名, 地址, email … */
  name?: string;
  /** Suggest a kind from this confidence on (default 0.6). */
  threshold?: number;
  /** At most this many non-empty values are examined (default 5000; the caller samples the table). */
  maxSample?: number;
}

export const DEFAULT_THRESHOLD = 0.6;
const DEFAULT_MAX_SAMPLE = 5000;
const MAX_VALUE_CHARS = 1000;

/** Column-name hints per kind (lower-cased name, Chinese and common pinyin/English abbreviations). */
const NAME_HINTS: Record<PrivacyKind, RegExp> = {
  id_number: /身份证|公民身份|证件号|sfz|id_?card|id_?no\b|idnumber|identity/u,
  credit_code: /信用代码|社会信用|uscc|tyshxydm|credit_?code/u,
  phone: /手机|电话|联系方式|移动电话|mobile|phone|tel\b|sjh|lxdh/u,
  bank_card: /银行卡|卡号|银行账号|银行帐号|账号|帐号|bank|card_?no|account_?no/u,
  passport: /护照|passport|证件号/u,
  hk_macao_permit: /通行证|港澳|回乡证|permit|证件号/u,
  license_plate: /车牌|号牌|plate|cph/u,
  email: /邮箱|电子邮件|e-?mail|mail/u,
  name: /姓名|联系人|户主|申请人|法定代表人|法人代表|经办人|监护人|负责人|^xm$|^name$|person_?name|full_?name|real_?name|contact/u,
  address: /地址|住址|住所|居住地|户籍地|address|addr|^dz$/u,
};
/** Names of organization or item columns: never a person's name. */
const NOT_PERSON_NAME = /单位|企业|公司|机构|名称|company|org|product|item/u;
/** Names of code and number columns: lower the identifier kinds the name does not hint at. */
const CODE_LIKE = /订单|单号|编号|流水|序号|编码|批次|批号|order|serial|seq|trade_?no|txn/u;
const CODE_SENSITIVE: ReadonlySet<PrivacyKind> = new Set(['phone', 'bank_card', 'id_number']);

/** Without a name hint, names and addresses (no check digits) count for less. */
const WEIGHT: Partial<Record<PrivacyKind, number>> = { name: 0.7, address: 0.85 };

const PHONE_PREFIXED_RE = new RegExp(PATTERNS.phonePrefixed, 'u');

export function catalogPiiKind(kind: PrivacyKind): Exclude<PiiKind, 'none'> {
  return kind === 'hk_macao_permit' ? 'passport' : kind;
}

/** Kinds the column name hints at (ignoring the organization-name exception for person names). */
export function nameHints(name: string | undefined): PrivacyKind[] {
  if (!name) return [];
  const n = name.trim().toLowerCase();
  return KIND_PRIORITY.filter((k) => NAME_HINTS[k].test(n) && !(k === 'name' && NOT_PERSON_NAME.test(n)));
}

/** True when most gaps between the distinct sorted numbers are small: a running code, not phones or cards. */
function isSequence(numbers: bigint[]): boolean {
  const sorted = [...new Set(numbers)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  if (sorted.length < 10) return false;
  let small = 0;
  for (let i = 1; i < sorted.length; i++) if (sorted[i]! - sorted[i - 1]! <= 1000n) small++;
  return small / (sorted.length - 1) >= 0.5;
}

const round3 = (x: number) => Math.round(x * 1000) / 1000;

/**
 * Detects the personal-information kinds of one column from a sample of its values (null and empty ignored).
 * Kinds with any match, highest confidence first.
 */
export function detectColumn(values: readonly (string | null | undefined)[], opts: DetectOptions = {}): Detection[] {
  const threshold = opts.threshold ?? DEFAULT_THRESHOLD;
  const maxSample = opts.maxSample ?? DEFAULT_MAX_SAMPLE;
  const hints = new Set(nameHints(opts.name));
  const codeLike = opts.name ? CODE_LIKE.test(opts.name.trim().toLowerCase()) : false;

  const matched = new Map<PrivacyKind, string[]>();
  const inText = new Map<PrivacyKind, number>();
  let sampled = 0;
  for (const raw of values) {
    if (raw == null) continue;
    const value = raw.length > MAX_VALUE_CHARS ? raw.slice(0, MAX_VALUE_CHARS) : raw;
    if (value.trim().length === 0) continue;
    if (sampled >= maxSample) break;
    sampled++;
    const kind = recognize(value)[0];
    if (kind) {
      const list = matched.get(kind) ?? [];
      list.push(value);
      matched.set(kind, list);
      continue;
    }
    for (const k of new Set(findInText(value).map((h) => h.kind))) inText.set(k, (inText.get(k) ?? 0) + 1);
  }
  if (sampled === 0) return [];

  const out: Detection[] = [];
  for (const kind of KIND_PRIORITY) {
    const hits = matched.get(kind) ?? [];
    const embedded = inText.get(kind) ?? 0;
    if (hits.length === 0 && embedded === 0) continue;
    const ratio = hits.length / sampled;
    const hinted = hints.has(kind);
    let confidence = hinted ? (ratio >= 0.3 ? ratio + (1 - ratio) * 0.5 : ratio) : ratio * (WEIGHT[kind] ?? 1);
    if ((kind === 'name' || kind === 'address') && hits.length >= 10 && new Set(hits).size / hits.length < 0.5) {
      confidence *= 0.3; // an enumeration, not people
    }
    if (kind === 'phone' || kind === 'bank_card') {
      const numbers = hits.map((v) => {
        const c = compact(v);
        return BigInt(kind === 'phone' && PHONE_PREFIXED_RE.test(c) ? c.slice(-11) : c.replace(/^\+/, ''));
      });
      if (isSequence(numbers)) confidence *= 0.2;
    }
    if (codeLike && !hinted && CODE_SENSITIVE.has(kind)) confidence *= 0.5;
    confidence = round3(Math.min(1, confidence));
    out.push({
      kind,
      piiKind: catalogPiiKind(kind),
      confidence,
      matched: hits.length,
      sampled,
      inText: embedded,
      nameHint: hinted,
      suggested: confidence >= threshold,
    });
  }
  return out.sort((a, b) => b.confidence - a.confidence || KIND_PRIORITY.indexOf(a.kind) - KIND_PRIORITY.indexOf(b.kind));
}

export interface ColumnDetection {
  name: string;
  detections: Detection[];
  /** The kind to propose for the field (the best suggested detection), or null. */
  suggested: Detection | null;
}

/** detectColumn over each column of a table (values: a sample of that column). */
export function detectTable(
  columns: readonly { name: string; values: readonly (string | null | undefined)[] }[],
  opts: Omit<DetectOptions, 'name'> = {},
): ColumnDetection[] {
  return columns.map((c) => {
    const detections = detectColumn(c.values, { ...opts, name: c.name });
    return { name: c.name, detections, suggested: detections.find((d) => d.suggested) ?? null };
  });
}

export interface GradeSuggestion {
  /** Per column with a suggested kind: the catalog PII kind and the grade the catalog's PII rule gives it. */
  fields: { name: string; piiKind: Exclude<PiiKind, 'none'>; grade: GradeValue }[];
  /** The highest of the fields' grades (就高从严), general level 1 when nothing personal was found. */
  grade: GradeValue;
}

/**
 * What the catalog needs from detection: each field's suggested PII kind, and the grade the catalog's own
 * grading rules (factor_kind 'pii', from the database) would give it — computed by the catalog's `fieldGrade`
 * from a general-1 proposal, so the suggestion follows the deployment's rules. The provider confirms.
 */
export function suggestGrade(table: readonly ColumnDetection[], rules: GradingRuleRow[]): GradeSuggestion {
  const fields: GradeSuggestion['fields'] = [];
  let top = 1;
  for (const c of table) {
    if (!c.suggested) continue;
    const grade = fieldGrade({ grade: 'general', gradeLevel: 1, piiKind: c.suggested.piiKind }, rules);
    top = Math.max(top, rank(grade));
    fields.push({ name: c.name, piiKind: c.suggested.piiKind, grade });
  }
  return { fields, grade: fromRank(top) };
}
