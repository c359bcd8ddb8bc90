// Recognizers for Chinese personal information with real validation (issue 5 §6): check digits, real
// dates and region prefixes where the identifier has them, dictionaries and markers where it has none.
//
// Every rule here has a DuckDB twin in ./sql.ts (validSql) and ./mask.ts (maskSql); the two must agree on
// every input, so the shared regular expressions below are written in the common subset of JavaScript
// (with the `u` flag: code points) and RE2 — no lookaround, no `.`, no `\s`, no backreferences — and the
// normalization is a fixed character mapping both sides can do (not NFKC, which DuckDB lacks).
import { PII_KINDS } from '../catalog/repository.ts';
import { isValidUscc } from './uscc.ts';

/** The catalog's personal-information kinds (minus 'none') plus 往来港澳通行证 / 回乡证 numbers. */
export const PRIVACY_KINDS = [
  ...(PII_KINDS.filter((k) => k !== 'none') as Exclude<(typeof PII_KINDS)[number], 'none'>[]),
  'hk_macao_permit',
] as const;
export type PrivacyKind = Exclude<(typeof PII_KINDS)[number], 'none'> | 'hk_macao_permit';

/** The order `recognize` reports kinds in: the most specific (strongest validation) first. */
export const KIND_PRIORITY: readonly PrivacyKind[] = [
  'id_number',
  'credit_code',
  'hk_macao_permit',
  'passport',
  'license_plate',
  'email',
  'phone',
  'bank_card',
  'address',
  'name',
];

// ---------------------------------------------------------------------------------------------------------
// Normalization (mirrored in SQL by ./sql.ts foldSql / compactSql / trimSql)

/** Full-width ASCII (U+FF01–FF5E) and the ideographic and no-break spaces, as `translate` source/target. */
export const FOLD_FROM = String.fromCharCode(...Array.from({ length: 94 }, (_, i) => 0xff01 + i)) + '\u3000\u00a0';
export const FOLD_TO = String.fromCharCode(...Array.from({ length: 94 }, (_, i) => 0x21 + i)) + '  ';
const FOLD_MAP = new Map<string, string>([...FOLD_FROM].map((c, i) => [c, FOLD_TO[i]!]));
const LOWER = 'abcdefghijklmnopqrstuvwxyz';
/** The mapping `compact` applies: the fold, with ASCII letters (full-width or not) upper-cased. */
export const UPPER_FROM = FOLD_FROM + LOWER;
export const UPPER_TO = FOLD_TO.replace(/[a-z]/g, (c) => c.toUpperCase()) + LOWER.toUpperCase();
const UPPER_MAP = new Map<string, string>([...UPPER_FROM].map((c, i) => [c, UPPER_TO[i]!]));

/** Separators people type inside numbers and plates: spaces, tabs, line breaks, '-', '·', '•'. */
export const SEPARATORS = '[ \\t\\r\\n·•-]';
export const EDGE_SPACE = '^[ \\t\\r\\n]+|[ \\t\\r\\n]+$';
const SEPARATORS_RE = new RegExp(SEPARATORS, 'gu');
const EDGE_SPACE_RE = new RegExp(EDGE_SPACE, 'gu');

/** Full-width ASCII → ASCII, U+3000 / U+00A0 → space; nothing else changes. */
export function fold(value: string): string {
  let out = '';
  for (const c of value) out += FOLD_MAP.get(c) ?? c;
  return out;
}

/** fold + leading/trailing spaces removed (names, addresses, e-mail). */
export function clean(value: string): string {
  return fold(value).replace(EDGE_SPACE_RE, '');
}

/** fold + ASCII letters upper-cased + separators removed (identifiers: 110101 19900101 123x → 11010119900101123X). */
export function compact(value: string): string {
  let out = '';
  for (const c of value) out += UPPER_MAP.get(c) ?? c;
  return out.replace(SEPARATORS_RE, '');
}

// ---------------------------------------------------------------------------------------------------------
// Shared patterns (JavaScript with the `u` flag and RE2 read them alike)

/** GB/T 2260 province-level codes (34: 31 provinces, Taiwan 71, Hong Kong 81, Macao 82). */
// prettier-ignore
export const PROVINCE_CODES = [
  '11', '12', '13', '14', '15', '21', '22', '23', '31', '32', '33', '34', '35', '36', '37', '41', '42',
  '43', '44', '45', '46', '50', '51', '52', '53', '54', '61', '62', '63', '64', '65', '71', '81', '82',
] as const;
const PROVINCE = `(?:${PROVINCE_CODES.join('|')})`;
const MMDD = '(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])';

export const PATTERNS = {
  /** GB 11643-1999: region (6) + birth date YYYYMMDD (8) + sequence (3) + check (0-9 or X). */
  id18: `^${PROVINCE}[0-9]{4}(?:18|19|20)[0-9]{2}${MMDD}[0-9]{3}[0-9X]$`,
  /** The legacy 15-digit number: region (6) + YYMMDD (19YY) + sequence (3), no check digit. */
  id15: `^${PROVINCE}[0-9]{4}[0-9]{2}${MMDD}[0-9]{3}$`,
  /** GB 32100-2015 alphabet: 31 characters (no I, O, S, V, Z); positions 3–8 a division code. */
  creditCode: '^[0-9A-HJ-NP-RTUWXY]{2}[0-9]{6}[0-9A-HJ-NP-RTUWXY]{9}[0-9A-HJ-NP-RTUWXY]$',
  /** Mainland mobile: 1[3-9] + 9 digits, optionally after +86 / 86 / 0086. */
  phone: '^(?:\\+?86|0086)?1[3-9][0-9]{9}$',
  /** The national number inside a phone value with a country prefix. */
  phonePrefixed: '^(?:\\+?86|0086)1[3-9][0-9]{9}$',
  /** ISO/IEC 7812: 15–19 digits; major industry identifier 3 (T&E), 4/5 (banking), 6 (UnionPay 62…), 9 (domestic). */
  bankCard: '^[34569][0-9]{14,18}$',
  /** Ordinary passport G/E + 8, E + letter + 7 (2012 series), diplomatic/service/official DE/SE/PE + 7. */
  passport: '^(?:G[0-9]{8}|E[0-9A-HJ-NP-Z][0-9]{7}|[DSP]E[0-9]{7})$',
  /** 往来港澳通行证 C/W + 8 (C + letter + 7 for the card); 港澳居民来往内地通行证 H/M + 8 or 10 digits. */
  hkMacaoPermit: '^(?:[CW][0-9A-HJ-NP-Z][0-9]{7}|[HM][0-9]{8}(?:[0-9]{2})?)$',
  /** GA 36-2018: province abbreviation + issuing-office letter + 5 (last may be 挂学警港澳), or new-energy 6. */
  licensePlate:
    '^[京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼][A-HJ-NP-Z](?:[A-HJ-NP-Z0-9]{4}[A-HJ-NP-Z0-9挂学警港澳]|[0-9]{5}[A-HJK]|[A-HJK][A-HJ-NP-Z0-9][0-9]{4})$',
  email:
    '^[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\\.[A-Za-z]{2,24}$',
} as const;

/** Weights of GB 11643 (ISO 7064 MOD 11-2): 2^(17−i) mod 11. */
export const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
export const ID_CHECK = '10X98765432';

// Names: 百家姓 surnames in common use (single and compound) followed by 1–3 Han characters, 2–4 in all.
// prettier-ignore
export const COMPOUND_SURNAMES = [
  '欧阳', '上官', '司马', '东方', '诸葛', '皇甫', '尉迟', '公孙', '慕容', '长孙', '宇文', '司徒', '夏侯', '轩辕',
  '令狐', '钟离', '端木', '独孤', '南宫', '西门', '百里', '呼延', '澹台', '公冶', '太史', '申屠', '闻人', '赫连',
  '濮阳', '淳于', '单于', '万俟', '司空', '左丘', '东郭', '拓跋', '第五', '梁丘', '羊舌', '微生', '公羊', '乐正',
  '谷梁', '宰父', '夹谷', '巫马', '漆雕', '颛孙', '壤驷', '亓官', '仲孙', '子车', '鲜于', '闾丘', '段干', '宗政',
] as const;
export const SINGLE_SURNAMES = [
  ...new Set(
    '王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付傅方白邹孟熊秦邱江尹薛闫阎段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝官封谈匡鞠惠荆乐冀郁胥南班储原栗燕楚鄢劳谌奚皮粟冼蔺楼盘满闻厉伊仝郜海阚花权强帅屠豆朴盖练廉禹井祖漆巴丰支卿国狄平计索宣晋初云容敬扈晁芮普阙浦戈伏鹿薄邸雍辜羊母裘亓修邰赫杭况宿鲜印逯隆茹诸战慕危玉银亢嵇公湛宾戎勾茅呼揭尉冶斯元束檀衣展昝智幸奉植衡富尧闭',
  ),
];
const HAN = '[一-龥]';
export const NAME_PATTERN = `^(?:(?:${COMPOUND_SURNAMES.join('|')})${HAN}{1,2}|[${SINGLE_SURNAMES.join('')}]${HAN}{1,3})$`;
/** A last character that makes a place, an organization or a thing, not a person. */
export const NOT_NAME_ENDING = '[省市区县镇乡村路街巷道号楼栋室局厅委院司部处科所站队厂店馆校园场]$';
/** Compound surname at the start of a name (masking keeps both characters). */
export const COMPOUND_SURNAME_START = `^(?:${COMPOUND_SURNAMES.join('|')})`;

// Addresses: administrative and street markers, GB/T 2260 levels down to the door number.
export const ADDRESS_MARKERS = [
  '省|自治区', // province
  '市|州|盟', // prefecture
  '区|县|旗', // county
  '街道|镇|乡', // township
  '路|街|巷|弄|大道|胡同', // street
  '[0-9一二三四五六七八九十百]+(?:号|栋|幢|座|单元|室|层|楼)|村|社区|小区|大厦|花园|公寓', // door, building, village
] as const;
/** At least one of the township/street/door markers: a place a person lives, not a division. */
export const ADDRESS_DETAIL_FROM = 3;
export const ADDRESS_MIN_CHARS = 6;
export const ADDRESS_MAX_CHARS = 200;
export const HAN_ANY = HAN;

const re = (src: string): RegExp => new RegExp(src, 'u');
const RE = {
  id18: re(PATTERNS.id18),
  id15: re(PATTERNS.id15),
  creditCode: re(PATTERNS.creditCode),
  phone: re(PATTERNS.phone),
  bankCard: re(PATTERNS.bankCard),
  passport: re(PATTERNS.passport),
  hkMacaoPermit: re(PATTERNS.hkMacaoPermit),
  licensePlate: re(PATTERNS.licensePlate),
  email: re(PATTERNS.email),
  name: re(NAME_PATTERN),
  notName: re(NOT_NAME_ENDING),
  han: re(HAN),
  address: ADDRESS_MARKERS.map(re),
};

// ---------------------------------------------------------------------------------------------------------
// Validators: each takes the raw value and normalizes it itself.

/** 'YYYYMMDD' of today in UTC (DuckDB's current_date in the platform's UTC session). */
export function todayYmd(now: Date = new Date()): string {
  return now.toISOString().slice(0, 10).replaceAll('-', '');
}

function realDate(ymd: string): boolean {
  const y = Number(ymd.slice(0, 4));
  const m = Number(ymd.slice(4, 6));
  const d = Number(ymd.slice(6, 8));
  const t = new Date(Date.UTC(y, m - 1, d));
  return t.getUTCFullYear() === y && t.getUTCMonth() === m - 1 && t.getUTCDate() === d;
}

/** GB 11643 check character of the first 17 digits. */
export function idCheck(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += (first17.charCodeAt(i) - 48) * ID_WEIGHTS[i]!;
  return ID_CHECK[sum % 11]!;
}

/** 居民身份证号: 18 characters with a province prefix, a real birth date not in the future and the check digit; or the 15-digit legacy form. */
export function isIdNumber(value: string): boolean {
  const c = compact(value);
  if (RE.id18.test(c)) {
    const birth = c.slice(6, 14);
    return realDate(birth) && birth <= todayYmd() && idCheck(c.slice(0, 17)) === c[17];
  }
  if (RE.id15.test(c)) return realDate('19' + c.slice(6, 12));
  return false;
}

/** 统一社会信用代码 (GB 32100-2015 check character and the GB 11714 organization-code check). */
export function isCreditCode(value: string): boolean {
  const c = compact(value);
  return RE.creditCode.test(c) && isValidUscc(c);
}

export function isPhone(value: string): boolean {
  return RE.phone.test(compact(value));
}

/** Luhn (ISO/IEC 7812-1 Annex B) over a digit string. */
export function luhnValid(digits: string): boolean {
  let sum = 0;
  for (let j = 0; j < digits.length; j++) {
    const d = digits.charCodeAt(digits.length - 1 - j) - 48;
    sum += j % 2 === 1 ? (d > 4 ? 2 * d - 9 : 2 * d) : d;
  }
  return sum % 10 === 0;
}

export function isBankCard(value: string): boolean {
  const c = compact(value);
  return RE.bankCard.test(c) && luhnValid(c);
}

export function isPassport(value: string): boolean {
  return RE.passport.test(compact(value));
}

export function isHkMacaoPermit(value: string): boolean {
  return RE.hkMacaoPermit.test(compact(value));
}

export function isLicensePlate(value: string): boolean {
  return RE.licensePlate.test(compact(value));
}

export function isEmail(value: string): boolean {
  return RE.email.test(clean(value));
}

/** A person's name: a known surname and 2–4 Han characters in all, not ending like a place or an office. Weak alone. */
export function isPersonName(value: string): boolean {
  const t = clean(value);
  return RE.name.test(t) && !RE.notName.test(t);
}

/** How many of the address marker levels a value shows (0–6). */
export function addressLevels(value: string): number {
  const t = clean(value);
  return RE.address.filter((r) => r.test(t)).length;
}

/** An address: 6–200 characters with Han text, two or more marker levels, one of them township, street or door. */
export function isAddress(value: string): boolean {
  const t = clean(value);
  const n = [...t].length;
  if (n < ADDRESS_MIN_CHARS || n > ADDRESS_MAX_CHARS || !RE.han.test(t)) return false;
  const hits = RE.address.map((r) => r.test(t));
  return hits.filter(Boolean).length >= 2 && hits.slice(ADDRESS_DETAIL_FROM).some(Boolean);
}

export const VALIDATORS: Record<PrivacyKind, (value: string) => boolean> = {
  id_number: isIdNumber,
  credit_code: isCreditCode,
  phone: isPhone,
  bank_card: isBankCard,
  passport: isPassport,
  hk_macao_permit: isHkMacaoPermit,
  license_plate: isLicensePlate,
  email: isEmail,
  name: isPersonName,
  address: isAddress,
};

/** True when `value` is a valid `kind`. */
export function isValid(kind: PrivacyKind, value: string): boolean {
  return VALIDATORS[kind](value);
}

/** The kinds `value` is a valid instance of, most specific first (an 18-digit ID can also pass Luhn). */
export function recognize(value: string | null | undefined): PrivacyKind[] {
  if (value == null || value.length === 0 || value.length > 1000) return [];
  return KIND_PRIORITY.filter((k) => VALIDATORS[k](value));
}

// ---------------------------------------------------------------------------------------------------------
// Personal information inside free text (备注 columns): candidates by shape, then the full validators.

const TEXT_CANDIDATES: readonly [PrivacyKind, RegExp][] = [
  ['id_number', /(?<![0-9])[1-9][0-9]{5}(?:[0-9]{11}[0-9Xx]|[0-9]{9})(?![0-9A-Za-z])/gu],
  ['credit_code', /(?<![0-9A-Za-z])[0-9A-HJ-NP-RTUWXY]{18}(?![0-9A-Za-z])/gu],
  ['email', /[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9.-]{1,200}\.[A-Za-z]{2,24}/gu],
  ['phone', /(?<![0-9+])(?:(?:\+?86|0086)[ -]?)?1[3-9][0-9](?:[ -]?[0-9]){8}(?![0-9])/gu],
  ['bank_card', /(?<![0-9])[34569](?:[ -]?[0-9]){14,18}(?![0-9])/gu],
];

/** Validated identifiers embedded in free text, e.g. '联系电话13812345678，身份证…' (at most `limit`). */
export function findInText(text: string, limit = 20): { kind: PrivacyKind; value: string }[] {
  const folded = fold(text);
  const taken: [number, number][] = [];
  const out: { kind: PrivacyKind; value: string; at: number }[] = [];
  for (const [kind, pattern] of TEXT_CANDIDATES) {
    for (const m of folded.matchAll(pattern)) {
      const start = m.index;
      const end = start + m[0].length;
      if (taken.some(([a, b]) => start < b && end > a) || !VALIDATORS[kind](m[0])) continue;
      taken.push([start, end]);
      out.push({ kind, value: m[0], at: start });
    }
  }
  return out
    .sort((a, b) => a.at - b.at)
    .slice(0, limit)
    .map(({ kind, value }) => ({ kind, value }));
}
