// The query a department gives for an ingest: checked here before it ever reaches its database.
//
// Rule: exactly one SELECT (or WITH … SELECT) statement. A lexer that knows each dialect's strings, quoted
// identifiers, comments and (PostgreSQL) dollar quotes walks the text; outside those:
//   - the first word (after any opening parentheses) must be SELECT or WITH;
//   - no ';' except one at the very end (it is removed);
//   - no INTO (SELECT … INTO creates a table in PostgreSQL and writes a file in MySQL: INTO OUTFILE/DUMPFILE);
//   - no locking clauses (FOR UPDATE / FOR SHARE / FOR NO KEY UPDATE / FOR KEY SHARE / LOCK IN SHARE MODE): an ingest
//     must never block the department's own writers;
//   - MySQL only: no executable comments (/*! … */), whose text MySQL runs as SQL.
// This is the first line. The second: the query runs in a READ ONLY transaction (PostgreSQL: inside
// DECLARE … CURSOR over the extended protocol, which also refuses a second statement and a data-modifying WITH;
// MySQL/MariaDB: `SET SESSION TRANSACTION READ ONLY` + `START TRANSACTION READ ONLY`, multi-statements off).
import { badRequest } from '../../errors.ts';
import './messages.ts';

export type Dialect = 'postgresql' | 'mysql';

export const QUERY_MAX_CHARS = 100_000;

const notSelect = (reason: string) => badRequest('SOURCE_QUERY_NOT_SELECT', { reason }, { field: 'query', reason });

const isIdentStart = (c: string) => /[A-Za-z_\u0080-\uffff]/.test(c);
const isIdentChar = (c: string) => /[A-Za-z0-9_$\u0080-\uffff]/.test(c);
const isSpace = (c: string) => c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\f' || c === '\v';

interface Lexed {
  /** Upper-cased bare words outside strings and comments, in order. */
  words: string[];
  /** Offset of a ';' outside strings and comments, or -1. */
  semicolon: number;
}

/** Walks the text once. Throws for an unterminated string, identifier or comment. */
function lex(text: string, dialect: Dialect): Lexed {
  const words: string[] = [];
  let semicolon = -1;
  let i = 0;
  const n = text.length;
  const unterminated = (what: string) => notSelect(`unterminated ${what}`);
  // Reads a quoted run starting after the opening quote `q`; `backslash`: a backslash escapes the next character.
  const quoted = (q: string, backslash: boolean, what: string) => {
    for (;;) {
      if (i >= n) throw unterminated(what);
      const c = text[i]!;
      if (backslash && c === '\\') {
        i += 2;
        continue;
      }
      if (c === q) {
        if (text[i + 1] === q) {
          i += 2;
          continue;
        }
        i++;
        return;
      }
      i++;
    }
  };
  while (i < n) {
    const c = text[i]!;
    const next = text[i + 1] ?? '';
    if (
      semicolon >= 0 &&
      !isSpace(c) &&
      !(c === '-' && next === '-') &&
      !(c === '/' && next === '*') &&
      !(dialect === 'mysql' && c === '#')
    ) {
      throw notSelect('more than one statement');
    }
    if (isSpace(c)) {
      i++;
    } else if (
      c === '-' &&
      next === '-' &&
      (dialect === 'postgresql' || i + 2 >= n || isSpace(text[i + 2]!) || text.charCodeAt(i + 2) < 32)
    ) {
      // Line comment. MySQL needs whitespace after "--" ("1--1" is 1 minus -1 there).
      while (i < n && text[i] !== '\n') i++;
    } else if (c === '#' && dialect === 'mysql') {
      while (i < n && text[i] !== '\n') i++;
    } else if (c === '/' && next === '*') {
      if (dialect === 'mysql' && text[i + 2] === '!') throw notSelect('executable comments (/*! … */) are not allowed');
      // PostgreSQL block comments nest; MySQL's do not.
      let depth = 1;
      i += 2;
      while (depth > 0) {
        if (i >= n) throw unterminated('comment');
        if (text[i] === '*' && text[i + 1] === '/') {
          depth--;
          i += 2;
        } else if (dialect === 'postgresql' && text[i] === '/' && text[i + 1] === '*') {
          depth++;
          i += 2;
        } else i++;
      }
    } else if (c === "'") {
      // PostgreSQL: standard strings ('' doubles a quote); E'…' below. MySQL: backslash escapes too.
      i++;
      quoted("'", dialect === 'mysql', 'string');
    } else if ((c === 'E' || c === 'e') && next === "'" && dialect === 'postgresql' && !(i > 0 && isIdentChar(text[i - 1]!))) {
      i += 2;
      quoted("'", true, 'string');
    } else if (c === '"') {
      i++;
      quoted('"', dialect === 'mysql', 'quoted identifier');
    } else if (c === '`' && dialect === 'mysql') {
      i++;
      quoted('`', false, 'quoted identifier');
    } else if (c === '$' && dialect === 'postgresql' && !(i > 0 && isIdentChar(text[i - 1]!))) {
      // $tag$ … $tag$ (tag may be empty); $1 is a parameter, not a quote.
      const m = /^\$([A-Za-z_\u0080-\uffff][A-Za-z0-9_\u0080-\uffff]*)?\$/.exec(text.slice(i, i + 200));
      if (m) {
        const tag = m[0];
        const end = text.indexOf(tag, i + tag.length);
        if (end < 0) throw unterminated('dollar-quoted string');
        i = end + tag.length;
      } else i++;
    } else if (c === ';') {
      semicolon = i;
      i++;
    } else if (isIdentStart(c)) {
      const start = i;
      while (i < n && isIdentChar(text[i]!)) i++;
      words.push(text.slice(start, i).toUpperCase());
    } else if (/[0-9]/.test(c)) {
      // A number (possibly 1e5, 0x1F, 1.5): skip its characters so "1e5" does not count as the word "E5".
      while (i < n && /[0-9A-Za-z_.]/.test(text[i]!)) i++;
    } else {
      if (c !== '(' && words.length === 0) throw notSelect('it must start with SELECT or WITH');
      i++;
    }
  }
  return { words, semicolon };
}

const LOCKING: Array<string[]> = [
  ['FOR', 'UPDATE'],
  ['FOR', 'SHARE'],
  ['FOR', 'NO', 'KEY', 'UPDATE'],
  ['FOR', 'KEY', 'SHARE'],
  ['LOCK', 'IN', 'SHARE', 'MODE'],
];

/**
 * Checks an ingest query and returns it ready to run: trimmed, a single trailing ';' removed.
 * Throws 400 SOURCE_QUERY_NOT_SELECT (details.reason) otherwise.
 */
export function checkQuery(query: string, dialect: Dialect): string {
  if (typeof query !== 'string' || !query.trim()) throw notSelect('empty query');
  if (query.length > QUERY_MAX_CHARS) throw notSelect(`longer than ${QUERY_MAX_CHARS} characters`);
  if (query.includes('\0')) throw notSelect('NUL character');
  const { words, semicolon } = lex(query, dialect);
  const first = words[0];
  if (first !== 'SELECT' && first !== 'WITH') throw notSelect('it must start with SELECT or WITH');
  if (!words.includes('SELECT')) throw notSelect('no SELECT');
  if (words.includes('INTO')) throw notSelect('SELECT … INTO is not allowed');
  for (let w = 0; w < words.length; w++) {
    for (const seq of LOCKING) {
      if (seq.every((s, k) => words[w + k] === s)) throw notSelect(`locking clause ${seq.join(' ')} is not allowed`);
    }
  }
  let text = query;
  if (semicolon >= 0) text = text.slice(0, semicolon) + text.slice(semicolon + 1);
  return text.trim();
}

/** An identifier quoted for the dialect (the name exactly as the query returns it). */
export function quoteSourceIdent(name: string, dialect: Dialect): string {
  return dialect === 'postgresql' ? `"${name.replaceAll('"', '""')}"` : `\`${name.replaceAll('`', '``')}\``;
}

/** Checks an incremental column name (a column of the query's result; quoted when used). */
export function checkIncrementalColumn(name: string): string {
  if (!name || name.length > 128 || [...name].some((ch) => ch.charCodeAt(0) < 32)) {
    throw badRequest(
      'SOURCE_INCREMENTAL_COLUMN_INVALID',
      { column: name.slice(0, 128), reason: 'empty, too long or control characters' },
      {
        field: 'incrementalColumn',
      },
    );
  }
  return name;
}

/**
 * The statement an ingest runs. Full: the checked query as it is. Incremental: the query wrapped so only rows
 * past the high-water mark come, in the column's order (newlines keep a trailing line comment of the query
 * from swallowing the wrapper). `placeholder` is how the dialect binds the mark ($1, ?, CAST(? AS …)).
 */
export function ingestStatement(
  checked: string,
  dialect: Dialect,
  incremental: { column: string; placeholder: string | null } | null,
): string {
  if (!incremental) return checked;
  const col = quoteSourceIdent(incremental.column, dialect);
  const where = incremental.placeholder ? ` where sy_q.${col} > ${incremental.placeholder}` : '';
  return `select sy_q.* from (\n${checked}\n) sy_q${where} order by sy_q.${col}`;
}
