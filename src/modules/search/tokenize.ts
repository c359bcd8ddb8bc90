// Chinese + English tokens for the catalog search (issue 4 §7).
//
// Documents: jieba's search mode (`cutForSearch`, HMM on) gives every dictionary word and its dictionary
// sub-words ("杭州市" → 杭州, 州市, 杭州市); each jieba token is split further into runs of letters/digits
// (punctuation, symbols and emoji are dropped), lower-cased, and English words get a light plural stemmer.
// Names also contribute their single Han characters (a one-character query such as 水 finds 污水处理), and
// resource codes their parts.
//
// Queries: jieba's precise mode (`cut`) gives the user's words; a compound word W also matches documents
// that hold its sub-words: (W | (sub₁ & sub₂ …)). Words are ANDed; the last one is a prefix (type-ahead).
//
// Both sides are built here as tsvector / tsquery LITERALS of lexemes made only of letters and digits, so
// nothing the user types reaches PostgreSQL's tsquery syntax or text-search parser (no locale dependence,
// no parse errors), and the index and the query always agree on what a lexeme is.
import { Jieba } from '@node-rs/jieba';

let jieba: Jieba | null = null;

/** The jieba instance with its bundled dictionary, loaded on first use (~0.2 s, ~50 MB). */
export async function loadJieba(): Promise<Jieba> {
  if (jieba) return jieba;
  // ESM: the package has no exports map, so the file name is spelled out.
  const { dict } = (await import('@node-rs/jieba/dict.js')) as { dict: Uint8Array };
  jieba ??= Jieba.withDict(dict);
  return jieba;
}

function j(): Jieba {
  if (!jieba) throw new Error('jieba is not loaded: await loadJieba() first');
  return jieba;
}

/** Longest lexeme kept (longer runs are cut to this length on both sides, so they still match). */
export const MAX_LEXEME = 60;
/** At most this many query words are used (the rest of a very long query is ignored). */
export const MAX_QUERY_WORDS = 16;
const MAX_POSITIONS_PER_LEXEME = 8;
const MAX_POSITION = 16383; // PostgreSQL's limit

const RUN = /[\p{L}\p{N}]+/gu;
const HAN = /\p{Script=Han}/u;
const HAN_G = /\p{Script=Han}/gu;
const LATIN_WORD = /^[a-z]+$/;

// Words that carry no meaning on their own; dropped from a query unless nothing else is left.
const STOP = new Set([
  '的',
  '了',
  '和',
  '与',
  '及',
  '或',
  '等',
  '之',
  '其',
  '是',
  '在',
  '对',
  'the',
  'a',
  'an',
  'of',
  'and',
  'or',
  'to',
  'in',
  'for',
  'on',
  'by',
  'with',
  'is',
]);

/** Light English stemmer: plural endings only (statistics → statistic, companies → company). */
export function stem(word: string): string {
  if (!LATIN_WORD.test(word) || word.length <= 3) return word;
  if (word.endsWith('ies') && word.length > 4) return word.slice(0, -3) + 'y';
  if (word.endsWith('sses')) return word.slice(0, -2);
  if (word.endsWith('s') && !/(ss|us|is)$/.test(word)) return word.slice(0, -1);
  return word;
}

/** One lexeme from a raw run of letters/digits: NFKC (full-width → ASCII), lower case, stemmed, capped. */
function normalize(run: string): string {
  return stem(run.normalize('NFKC').toLowerCase()).slice(0, MAX_LEXEME);
}

/** Splits one jieba token into lexemes (COVID-19 → covid, 19; punctuation and emoji → nothing). */
function lexemesOf(token: string): string[] {
  const out: string[] = [];
  for (const m of token.normalize('NFKC').matchAll(RUN)) {
    const l = normalize(m[0]);
    if (l) out.push(l);
  }
  return out;
}

/** Index tokens of a free text, in order, with repeats (search mode: words and their sub-words). */
export function tokenize(text: string | null | undefined): string[] {
  if (!text) return [];
  const out: string[] = [];
  for (const t of j().cutForSearch(text.normalize('NFKC'), true)) for (const l of lexemesOf(t)) out.push(l);
  return out;
}

/** The distinct Han characters of a text (names only: lets a one-character query find them). */
export function hanUnigrams(text: string | null | undefined): string[] {
  if (!text) return [];
  return [...new Set(text.match(HAN_G) ?? [])];
}

/** A resource code and its parts: 'ZR-SCJG-00012' → zrscjg00012, zr, scjg, 00012. */
export function codeTokens(code: string | null | undefined): string[] {
  if (!code) return [];
  const parts = lexemesOf(code);
  const whole = parts.join('').slice(0, MAX_LEXEME);
  return parts.length > 1 ? [whole, ...parts] : parts;
}

export interface DocumentText {
  code?: string | null;
  names: (string | null | undefined)[];
  keywords: (string | null | undefined)[];
  abstracts: (string | null | undefined)[];
  fieldNames: (string | null | undefined)[];
}

/**
 * Weighted lexemes of one resource: A = code + names (+ their Han characters), B = keywords,
 * C = abstracts, D = field names.
 */
export function documentTokens(doc: DocumentText): { A: string[]; B: string[]; C: string[]; D: string[] } {
  const A = codeTokens(doc.code);
  for (const n of doc.names) A.push(...tokenize(n));
  for (const n of doc.names) A.push(...hanUnigrams(n));
  const B: string[] = [];
  for (const k of doc.keywords) B.push(...tokenize(k));
  const C: string[] = [];
  for (const a of doc.abstracts) C.push(...tokenize(a));
  const D: string[] = [];
  for (const f of doc.fieldNames) D.push(...tokenize(f));
  return { A, B, C, D };
}

function quoteLexeme(l: string): string {
  // Lexemes hold only letters and digits; escaping anyway keeps the literal valid whatever changes above.
  return `'${l.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`;
}

/** A tsvector literal ('交通':1A,7C 'bus':3B …) from weighted lexemes; positions follow the A, B, C, D order. */
export function tsvectorLiteral(weighted: { A: string[]; B: string[]; C: string[]; D: string[] }): string {
  const positions = new Map<string, string[]>();
  let pos = 0;
  for (const w of ['A', 'B', 'C', 'D'] as const) {
    for (const l of weighted[w]) {
      if (pos < MAX_POSITION) pos++;
      let list = positions.get(l);
      if (!list) positions.set(l, (list = []));
      if (list.length < MAX_POSITIONS_PER_LEXEME) list.push(`${pos}${w}`);
    }
  }
  const parts: string[] = [];
  for (const [l, list] of positions) parts.push(`${quoteLexeme(l)}:${list.join(',')}`);
  return parts.join(' ');
}

/** A position-less tsvector literal of distinct lexemes ('a' 'b' …). */
export function lexemeSetLiteral(lexemes: string[]): string {
  return [...new Set(lexemes)].map(quoteLexeme).join(' ');
}

/**
 * Both search columns of a resource: `tokens`, the weighted document (search), and `names`, the words of its
 * code and names without positions or single characters (type-ahead suggestions).
 */
export function resourceVectors(doc: DocumentText): { tokens: string; names: string } {
  const names = [...codeTokens(doc.code), ...doc.names.flatMap((n) => tokenize(n))];
  return { tokens: tsvectorLiteral(documentTokens(doc)), names: lexemeSetLiteral(names) };
}

/** One word of a query: the word itself, or (if a compound) all of its sub-words together. */
export interface QueryWord {
  word: string;
  /** Sub-words that also match when all present (empty: the word alone). */
  parts: string[];
}

/** The user's words, normalized the same way as the index; SQL/tsquery syntax is plain text here. */
export function queryWords(input: string | null | undefined): QueryWord[] {
  if (!input) return [];
  const text = input.slice(0, 512).normalize('NFKC');
  const words: QueryWord[] = [];
  const seen = new Set<string>();
  for (const t of j().cut(text, true)) {
    for (const word of lexemesOf(t)) {
      if (seen.has(word)) continue;
      seen.add(word);
      words.push({ word, parts: HAN.test(word) && word.length > 2 ? subWords(word) : [] });
    }
  }
  const meaningful = words.filter((w) => !STOP.has(w.word));
  return (meaningful.length ? meaningful : words).slice(0, MAX_QUERY_WORDS);
}

/** Sub-words of a compound (search mode), plus any character no sub-word covers: 运输局 → 运输, 局. */
function subWords(word: string): string[] {
  const subs = j()
    .cutForSearch(word, true)
    .flatMap(lexemesOf)
    .filter((s) => s !== word && s.length < word.length);
  if (!subs.length) return [];
  const covered = new Array<boolean>(word.length).fill(false);
  for (const s of subs) {
    for (let from = 0; ;) {
      const i = word.indexOf(s, from);
      if (i < 0) break;
      for (let k = i; k < i + s.length; k++) covered[k] = true;
      from = i + 1;
    }
  }
  const out = [...new Set(subs)];
  for (let k = 0; k < word.length; k++) if (!covered[k] && !out.includes(word[k]!)) out.push(word[k]!);
  return out;
}

/**
 * A tsquery literal: every word must match (AND); a compound also matches through its sub-words; the last
 * word is a prefix when `prefixLast` (type-ahead); `weights` ('A', 'AB', …) restricts matches to those
 * parts of the document. Null when the input has no letters or digits at all.
 */
export function tsqueryLiteral(words: QueryWord[], prefixLast = true, weights = ''): string | null {
  if (!words.length) return null;
  const w = weights.replace(/[^A-D]/g, '');
  const lex = (l: string, prefix: boolean) => quoteLexeme(l) + (prefix || w ? `:${prefix ? '*' : ''}${w}` : '');
  return words
    .map((word, i) => {
      const self = lex(word.word, prefixLast && i === words.length - 1);
      if (!word.parts.length) return self;
      return `( ${self} | ( ${word.parts.map((p) => lex(p, false)).join(' & ')} ) )`;
    })
    .join(' & ');
}

/** Every lexeme a query can match (for highlighting matched text in results). */
export function highlightTerms(words: QueryWord[]): string[] {
  const set = new Set<string>();
  for (const w of words) {
    set.add(w.word);
    for (const p of w.parts) if (p.length > 1 || words.length === 1) set.add(p);
  }
  return [...set].sort((a, b) => b.length - a.length);
}
