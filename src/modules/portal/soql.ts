// SoQL (Socrata Query Language, SODA 2) for the open portal's query API (issue 7 §5; docs/portal-soql.md).
// A hand-written tokenizer and recursive-descent parser turn `$select`, `$where`, `$order`, `$group`, `$having`,
// `$limit`, `$offset`, `$q` (or one `$query` statement) into an AST; the compiler checks every name against the
// dataset's columns, every function against an allow-list and the types where cheap, and writes one DuckDB
// SELECT over a FROM clause the caller gives. No user text reaches the SQL: names are checked and quoted with
// quoteIdent, every literal is a bound parameter ($n). Anything outside the grammar is an AppError 400 with a
// stable code and the position of the fault.
import type { DuckDBValue } from '@duckdb/node-api';
import { AppError } from '../../errors.ts';
import { quoteIdent } from '../datasets/duckdb.ts';
import './messages.ts';

// ------------------------------------------------------------------------------------------ limits

/** Rows returned when $limit is absent. */
export const SOQL_DEFAULT_LIMIT = 1000;
/** Largest $limit accepted; more is an error (SOQL_LIMIT), never silently cut. */
export const SOQL_MAX_LIMIT = 50_000;
/** Largest $offset accepted. */
export const SOQL_MAX_OFFSET = 1_000_000_000;
/** Characters of all query parameters together. */
export const SOQL_MAX_QUERY_CHARS = 4000;
/** Nesting depth of one expression (parentheses, function calls, operators). */
export const SOQL_MAX_DEPTH = 64;
/** Items of one IN (…) list. */
export const SOQL_MAX_IN = 1000;
/** Characters of one name (column or alias). */
const MAX_NAME_CHARS = 256;

// ------------------------------------------------------------------------------------------ public types

export const SOQL_TYPES = ['text', 'integer', 'number', 'boolean', 'date', 'timestamp'] as const;
export type SoqlType = (typeof SOQL_TYPES)[number];

export interface SoqlColumn {
  name: string;
  type: SoqlType;
}

/** The SODA 2 query parameters (values as they come from a query string; $limit/$offset may be numbers). */
export interface SoqlParams {
  $select?: string;
  $where?: string;
  $order?: string;
  $group?: string;
  $having?: string;
  $limit?: string | number;
  $offset?: string | number;
  $q?: string;
  $query?: string;
}

export const SOQL_PARAMS = ['$select', '$where', '$order', '$group', '$having', '$limit', '$offset', '$q', '$query'] as const;

export interface SoqlCompileOptions {
  /** The FROM clause, trusted SQL from the caller (e.g. `read_parquet($1)`); the user never writes it. */
  from: string;
  /** The dataset's columns: the only names a query may use. */
  columns: SoqlColumn[];
  /** Parameters the FROM clause already uses ($1 … $n); the query's own parameters are numbered after them. */
  leadingParams?: DuckDBValue[];
  /**
   * Columns (trusted, not offered to the user) appended to ORDER BY of a query that is not grouped or aggregated,
   * so that $limit/$offset pages are stable (e.g. ['_row']).
   */
  tieBreaker?: string[];
}

export interface SoqlResultColumn {
  name: string;
  type: SoqlType;
}

export interface CompiledSoql {
  sql: string;
  /** leadingParams followed by the query's literals, in $n order. */
  params: DuckDBValue[];
  /** The result's columns in order (names are unique). */
  columns: SoqlResultColumn[];
  limit: number;
  offset: number;
  /** True when the query groups or aggregates. */
  aggregated: boolean;
}

// ------------------------------------------------------------------------------------------ errors

const REASONS = {
  unexpected: ['意外的内容', 'unexpected token'],
  unexpected_char: ['无法识别的字符', 'unrecognized character'],
  unterminated_string: ['字符串缺少结束的单引号', 'the string has no closing quote'],
  unterminated_name: ['反引号列名缺少结束的反引号', 'the backquoted name has no closing backquote'],
  bad_name: ['列名为空、过长或含控制字符', 'the name is empty, too long or contains control characters'],
  bad_string: ['字符串含控制字符 NUL', 'the string contains a NUL character'],
  bad_number: ['数字格式不正确', 'malformed number'],
  semicolon: ['不允许分号（只能有一条查询）', 'semicolons are not allowed (one statement only)'],
  comment: ['不允许注释', 'comments are not allowed'],
  subquery: ['不允许子查询', 'subqueries are not allowed'],
  from: ['不允许 FROM：查询只针对当前数据集', 'FROM is not allowed: a query reads this dataset only'],
  qualified: ['不允许引用其他表或数据集（a.b）', 'names of other tables or datasets (a.b) are not allowed'],
  star: ['* 只能用在 $select 中或 count(*) 里', '* is only allowed in $select and in count(*)'],
  expected_expression: ['此处应为表达式', 'an expression was expected'],
  expected_rparen: ['缺少右括号', "')' was expected"],
  expected_lparen: ['IN 后应为左括号', "'(' was expected after IN"],
  expected_name: ['应为列名或别名', 'a name was expected'],
  expected_null: ['IS 后应为 NULL 或 NOT NULL', 'IS must be followed by NULL or NOT NULL'],
  expected_and: ['BETWEEN 缺少 AND', 'BETWEEN needs AND'],
  expected_after_not: ['NOT 后应为 IN、BETWEEN 或 LIKE', 'NOT must be followed by IN, BETWEEN or LIKE'],
  expected_by: ['应为 BY', 'BY was expected'],
  expected_select: ['$query 须以 SELECT 开头', '$query must start with SELECT'],
  expected_integer: ['应为非负整数', 'a non-negative integer was expected'],
  trailing: ['多余的内容', 'unexpected text after the end'],
  // SOQL_TYPE
  not_numeric: ['运算需要数值', 'the operator needs numbers'],
  not_boolean: ['条件需要布尔值', 'a condition must be true or false'],
  not_text: ['LIKE 需要文本', 'LIKE needs text'],
  not_comparable: ['两边类型不能比较', 'the two sides have types that cannot be compared'],
  bad_literal: ['该值与所比较的类型不符', 'the value does not match the type it is compared with'],
  integer_range: ['整数超出 64 位范围', 'the integer is outside the 64-bit range'],
  arg_type: ['函数参数类型不符', 'the function does not take an argument of this type'],
  arg_count: ['函数参数个数不符', 'wrong number of arguments'],
  // SOQL_AGGREGATE
  not_grouped: ['列既不在 $group 中也不在聚合函数内', 'the column is neither in $group nor inside an aggregate'],
  nested_aggregate: ['聚合函数不能嵌套', 'aggregates cannot be nested'],
  aggregate_here: ['此处不能使用聚合函数', 'aggregates are not allowed here'],
  having_alone: ['$having 只能用于分组或聚合查询', '$having needs $group or an aggregate'],
  // SOQL_LIMIT
  limit: ['$limit 过大', '$limit is too large'],
  offset: ['$offset 过大', '$offset is too large'],
  length: ['查询过长（字符数）', 'the query is too long (characters)'],
  depth: ['表达式嵌套过深', 'the expression is nested too deeply'],
  in_list: ['IN 列表项过多', 'too many items in the IN list'],
  // SOQL_PARAM
  unknown_param: ['未知的查询参数', 'unknown query parameter'],
  query_combined: ['$query 不能与 $select、$where 等参数同时使用', '$query cannot be combined with $select, $where and the like'],
  not_string: ['参数值须为一个字符串', 'the value must be one string'],
} as const;
type Reason = keyof typeof REASONS;

interface Src {
  param: string;
  text: string;
}

function near(text: string): { near: string | null; nearZh: string; nearEn: string } {
  if (!text) return { near: null, nearZh: '在结尾处', nearEn: 'at the end' };
  const t = text.length > 40 ? text.slice(0, 40) + '…' : text;
  return { near: t, nearZh: `“${t}”处`, nearEn: `at "${t}"` };
}

function syntax(src: Src, position: number, tokenText: string, reason: Reason): AppError {
  const [zh, en] = REASONS[reason];
  const n = near(tokenText);
  return new AppError(
    400,
    'SOQL_SYNTAX',
    { param: src.param, at: position + 1, reasonZh: zh, reasonEn: en, nearZh: n.nearZh, nearEn: n.nearEn },
    { param: src.param, position, near: n.near, reason },
  );
}

function typed(code: 'SOQL_TYPE' | 'SOQL_AGGREGATE', src: Src, position: number, reason: Reason, extra: Record<string, unknown> = {}) {
  const [zh, en] = REASONS[reason];
  return new AppError(
    400,
    code,
    { param: src.param, at: position + 1, reasonZh: zh, reasonEn: en },
    { param: src.param, position, reason, ...extra },
  );
}

function overLimit(param: string, reason: 'limit' | 'offset' | 'length' | 'depth' | 'in_list', max: number, position?: number): AppError {
  const [zh, en] = REASONS[reason];
  return new AppError(
    400,
    'SOQL_LIMIT',
    { param, max, reasonZh: zh, reasonEn: en },
    { param, limit: reason, max, ...(position === undefined ? {} : { position }) },
  );
}

function badParam(param: string, reason: 'unknown_param' | 'query_combined' | 'not_string'): AppError {
  const [zh, en] = REASONS[reason];
  return new AppError(400, 'SOQL_PARAM', { param, reasonZh: zh, reasonEn: en }, { param, reason });
}

// ------------------------------------------------------------------------------------------ tokens

type TokKind = 'ident' | 'qident' | 'kw' | 'string' | 'number' | 'op' | 'eof';
interface Token {
  kind: TokKind;
  /** Keywords upper case; identifiers as written (backquoted: without the quotes); operators as written. */
  value: string;
  /** 0-based index of the first character in the parameter's text. */
  pos: number;
  /** The source text of the token (for error messages). */
  text: string;
}

const KEYWORDS = new Set([
  'SELECT',
  'FROM',
  'WHERE',
  'GROUP',
  'BY',
  'HAVING',
  'ORDER',
  'LIMIT',
  'OFFSET',
  'AND',
  'OR',
  'NOT',
  'IN',
  'BETWEEN',
  'LIKE',
  'IS',
  'NULL',
  'TRUE',
  'FALSE',
  'AS',
]);

const IDENT_START = /[\p{L}_]/u;
const IDENT_PART = /[\p{L}\p{M}\p{N}_]/u;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;

function tokenize(src: Src): Token[] {
  const s = src.text;
  const out: Token[] = [];
  let i = 0;
  while (i < s.length) {
    const ch = s[i]!;
    if (/\s/.test(ch)) {
      i++;
      continue;
    }
    const start = i;
    if (ch === "'" || ch === '`') {
      // A quoted string ('…') or name (`…`): the quote doubled inside stands for itself.
      let v = '';
      i++;
      for (;;) {
        if (i >= s.length) throw syntax(src, start, s.slice(start, start + 20), ch === "'" ? 'unterminated_string' : 'unterminated_name');
        if (s[i] === ch) {
          if (s[i + 1] === ch) {
            v += ch;
            i += 2;
            continue;
          }
          i++;
          break;
        }
        v += s[i];
        i++;
      }
      if (ch === "'") {
        if (v.includes('\0')) throw syntax(src, start, s.slice(start, i), 'bad_string');
        out.push({ kind: 'string', value: v, pos: start, text: s.slice(start, i) });
        continue;
      }
      if (!v.trim() || v.length > MAX_NAME_CHARS || CONTROL.test(v)) throw syntax(src, start, s.slice(start, i), 'bad_name');
      out.push({ kind: 'qident', value: v, pos: start, text: s.slice(start, i) });
      continue;
    }
    if (/[0-9]/.test(ch) || (ch === '.' && /[0-9]/.test(s[i + 1] ?? ''))) {
      const m = /^(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?/.exec(s.slice(i))!;
      i += m[0].length;
      if (i < s.length && (IDENT_PART.test(s[i]!) || s[i] === '.')) throw syntax(src, start, s.slice(start, i + 1), 'bad_number');
      out.push({ kind: 'number', value: m[0], pos: start, text: m[0] });
      continue;
    }
    if (IDENT_START.test(ch)) {
      while (i < s.length && IDENT_PART.test(s[i]!)) i++;
      const word = s.slice(start, i);
      if (word.length > MAX_NAME_CHARS) throw syntax(src, start, word, 'bad_name');
      const upper = word.toUpperCase();
      out.push(
        KEYWORDS.has(upper) ? { kind: 'kw', value: upper, pos: start, text: word } : { kind: 'ident', value: word, pos: start, text: word },
      );
      continue;
    }
    const two = s.slice(i, i + 2);
    if (two === '--' || two === '/*') throw syntax(src, start, two, 'comment');
    if (two === '<=' || two === '>=' || two === '!=' || two === '<>') {
      out.push({ kind: 'op', value: two === '<>' ? '!=' : two, pos: start, text: two });
      i += 2;
      continue;
    }
    if ('=<>+-*/%(),'.includes(ch)) {
      out.push({ kind: 'op', value: ch, pos: start, text: ch });
      i++;
      continue;
    }
    if (ch === ';') throw syntax(src, start, ch, 'semicolon');
    if (ch === '.') throw syntax(src, start, ch, 'qualified');
    throw syntax(src, start, String.fromCodePoint(s.codePointAt(i)!), 'unexpected_char');
  }
  out.push({ kind: 'eof', value: '', pos: s.length, text: '' });
  return out;
}

// ------------------------------------------------------------------------------------------ AST

type Lit = string | number | bigint | boolean | null;
type CmpOp = '=' | '!=' | '<' | '<=' | '>' | '>=';
type ArithOp = '+' | '-' | '*' | '/' | '%';

type Expr =
  | { k: 'lit'; v: Lit; pos: number }
  | { k: 'col'; name: string; pos: number }
  | { k: 'neg'; e: Expr; pos: number }
  | { k: 'not'; e: Expr; pos: number }
  | { k: 'logic'; op: 'AND' | 'OR'; args: Expr[]; pos: number }
  | { k: 'cmp'; op: CmpOp; l: Expr; r: Expr; pos: number }
  | { k: 'arith'; op: ArithOp; l: Expr; r: Expr; pos: number }
  | { k: 'in'; e: Expr; list: Expr[]; not: boolean; pos: number }
  | { k: 'between'; e: Expr; lo: Expr; hi: Expr; not: boolean; pos: number }
  | { k: 'like'; e: Expr; pat: Expr; not: boolean; pos: number }
  | { k: 'isnull'; e: Expr; not: boolean; pos: number }
  | { k: 'call'; fn: string; args: Expr[]; star: boolean; pos: number };

type SelectItem = { star: true; pos: number } | { star: false; e: Expr; alias: string | null; pos: number };
interface OrderItem {
  e: Expr;
  desc: boolean;
  nulls: 'first' | 'last' | null;
}

interface Clause<T> {
  src: Src;
  value: T;
}

interface Query {
  select: Clause<SelectItem[]> | null;
  where: Clause<Expr> | null;
  group: Clause<Expr[]> | null;
  having: Clause<Expr> | null;
  order: Clause<OrderItem[]> | null;
  limit: Clause<number> | null;
  offset: Clause<number> | null;
}

// ------------------------------------------------------------------------------------------ parser

class Parser {
  #i = 0;
  #depth = 0;
  readonly toks: Token[];
  constructor(readonly src: Src) {
    this.toks = tokenize(src);
  }

  get peek(): Token {
    return this.toks[this.#i]!;
  }
  peekAt(n: number): Token {
    return this.toks[Math.min(this.#i + n, this.toks.length - 1)]!;
  }
  next(): Token {
    const t = this.toks[this.#i]!;
    if (t.kind !== 'eof') this.#i++;
    return t;
  }
  isKw(word: string, t = this.peek): boolean {
    return t.kind === 'kw' && t.value === word;
  }
  isOp(op: string, t = this.peek): boolean {
    return t.kind === 'op' && t.value === op;
  }
  eatKw(word: string): boolean {
    if (!this.isKw(word)) return false;
    this.next();
    return true;
  }
  /** A word that is a keyword only here (ASC, DESC, NULLS, FIRST, LAST stay usable as column names). */
  eatWord(word: string): boolean {
    const t = this.peek;
    if (!((t.kind === 'ident' || t.kind === 'kw') && t.value.toUpperCase() === word)) return false;
    this.next();
    return true;
  }
  eatOp(op: string): boolean {
    if (!this.isOp(op)) return false;
    this.next();
    return true;
  }
  fail(reason: Reason, t = this.peek): never {
    // A few tokens explain themselves better than the generic reason.
    if (t.kind === 'kw' && t.value === 'SELECT' && reason !== 'expected_select') throw syntax(this.src, t.pos, t.text, 'subquery');
    if (t.kind === 'kw' && t.value === 'FROM') throw syntax(this.src, t.pos, t.text, 'from');
    if (this.isOp('*', t) && reason === 'expected_expression') throw syntax(this.src, t.pos, t.text, 'star');
    throw syntax(this.src, t.pos, t.text, reason);
  }
  end(): void {
    if (this.peek.kind !== 'eof') this.fail('trailing');
  }
  #enter(t: Token): void {
    if (++this.#depth > SOQL_MAX_DEPTH) throw overLimit(this.src.param, 'depth', SOQL_MAX_DEPTH, t.pos);
  }
  #leave(): void {
    this.#depth--;
  }

  expr(): Expr {
    this.#enter(this.peek);
    try {
      return this.#or();
    } finally {
      this.#leave();
    }
  }

  #or(): Expr {
    const first = this.#and();
    if (!this.isKw('OR')) return first;
    const args = [first];
    while (this.eatKw('OR')) args.push(this.#and());
    return { k: 'logic', op: 'OR', args, pos: first.pos };
  }

  #and(): Expr {
    const first = this.#not();
    if (!this.isKw('AND')) return first;
    const args = [first];
    while (this.eatKw('AND')) args.push(this.#not());
    return { k: 'logic', op: 'AND', args, pos: first.pos };
  }

  #not(): Expr {
    const t = this.peek;
    if (!this.isKw('NOT')) return this.#cmp();
    this.next();
    this.#enter(t);
    try {
      return { k: 'not', e: this.#not(), pos: t.pos };
    } finally {
      this.#leave();
    }
  }

  #cmp(): Expr {
    const l = this.#add();
    const t = this.peek;
    if (t.kind === 'op' && ['=', '!=', '<', '<=', '>', '>='].includes(t.value)) {
      this.next();
      return { k: 'cmp', op: t.value as CmpOp, l, r: this.#add(), pos: t.pos };
    }
    if (this.isKw('IS')) {
      this.next();
      const not = this.eatKw('NOT');
      if (!this.eatKw('NULL')) this.fail('expected_null');
      return { k: 'isnull', e: l, not, pos: t.pos };
    }
    let not = false;
    if (this.isKw('NOT')) {
      const after = this.peekAt(1);
      if (!(this.isKw('IN', after) || this.isKw('BETWEEN', after) || this.isKw('LIKE', after))) this.fail('expected_after_not', after);
      this.next();
      not = true;
    }
    if (this.eatKw('IN')) {
      if (!this.isOp('(')) this.fail('expected_lparen');
      const open = this.next();
      const list: Expr[] = [];
      do {
        if (list.length >= SOQL_MAX_IN) throw overLimit(this.src.param, 'in_list', SOQL_MAX_IN, this.peek.pos);
        list.push(this.expr());
      } while (this.eatOp(','));
      if (!this.eatOp(')')) this.fail('expected_rparen');
      return { k: 'in', e: l, list, not, pos: open.pos };
    }
    if (this.eatKw('BETWEEN')) {
      const lo = this.#add();
      if (!this.eatKw('AND')) this.fail('expected_and');
      const hi = this.#add();
      return { k: 'between', e: l, lo, hi, not, pos: t.pos };
    }
    if (this.eatKw('LIKE')) return { k: 'like', e: l, pat: this.#add(), not, pos: t.pos };
    return l;
  }

  #add(): Expr {
    let l = this.#mul();
    for (;;) {
      const t = this.peek;
      if (!(this.isOp('+') || this.isOp('-'))) return l;
      this.next();
      l = { k: 'arith', op: t.value as ArithOp, l, r: this.#mul(), pos: t.pos };
      this.#checkChain(l, t);
    }
  }

  #mul(): Expr {
    let l = this.#unary();
    for (;;) {
      const t = this.peek;
      if (!(this.isOp('*') || this.isOp('/') || this.isOp('%'))) return l;
      this.next();
      l = { k: 'arith', op: t.value as ArithOp, l, r: this.#unary(), pos: t.pos };
      this.#checkChain(l, t);
    }
  }

  /** A chain a+b+c… nests to the left: its length counts towards the depth (DuckDB's own limit is 1000). */
  #checkChain(e: Expr, t: Token): void {
    let d = 0;
    for (let x: Expr = e; x.k === 'arith'; x = x.l) d++;
    if (d + this.#depth > SOQL_MAX_DEPTH) throw overLimit(this.src.param, 'depth', SOQL_MAX_DEPTH, t.pos);
  }

  #unary(): Expr {
    const t = this.peek;
    if (!this.isOp('-')) return this.#primary();
    this.next();
    this.#enter(t);
    try {
      return { k: 'neg', e: this.#unary(), pos: t.pos };
    } finally {
      this.#leave();
    }
  }

  #primary(): Expr {
    const t = this.peek;
    switch (t.kind) {
      case 'string':
        this.next();
        return { k: 'lit', v: t.value, pos: t.pos };
      case 'number': {
        this.next();
        if (/^[0-9]+$/.test(t.value)) {
          const n = BigInt(t.value);
          if (n > 2n ** 63n - 1n) throw typed('SOQL_TYPE', this.src, t.pos, 'integer_range');
          return { k: 'lit', v: n, pos: t.pos };
        }
        const n = Number(t.value);
        if (!Number.isFinite(n)) throw syntax(this.src, t.pos, t.text, 'bad_number');
        return { k: 'lit', v: n, pos: t.pos };
      }
      case 'kw':
        if (t.value === 'TRUE' || t.value === 'FALSE') {
          this.next();
          return { k: 'lit', v: t.value === 'TRUE', pos: t.pos };
        }
        if (t.value === 'NULL') {
          this.next();
          return { k: 'lit', v: null, pos: t.pos };
        }
        return this.fail('expected_expression');
      case 'op':
        if (t.value === '(') {
          this.next();
          if (this.isKw('SELECT')) this.fail('subquery');
          const e = this.expr();
          if (!this.eatOp(')')) this.fail('expected_rparen');
          return e;
        }
        return this.fail('expected_expression');
      case 'ident':
      case 'qident': {
        this.next();
        if (t.kind === 'ident' && this.isOp('(')) return this.#call(t);
        return { k: 'col', name: t.value, pos: t.pos };
      }
      default:
        return this.fail('expected_expression');
    }
  }

  #call(name: Token): Expr {
    const fn = name.value.toLowerCase();
    if (!Object.hasOwn(FUNCTIONS, fn)) {
      throw new AppError(
        400,
        'SOQL_UNKNOWN_FUNCTION',
        { param: this.src.param, at: name.pos + 1, function: name.value, allowed: Object.keys(FUNCTIONS).join(', ') },
        { param: this.src.param, position: name.pos, function: name.value },
      );
    }
    this.next(); // (
    this.#enter(name);
    try {
      if (fn === 'count' && this.isOp('*') && this.isOp(')', this.peekAt(1))) {
        this.next();
        this.next();
        return { k: 'call', fn, args: [], star: true, pos: name.pos };
      }
      const args: Expr[] = [];
      if (!this.isOp(')')) {
        do args.push(this.expr());
        while (this.eatOp(','));
      }
      if (!this.eatOp(')')) this.fail('expected_rparen');
      return { k: 'call', fn, args, star: false, pos: name.pos };
    } finally {
      this.#leave();
    }
  }

  name(): string {
    const t = this.peek;
    if (t.kind !== 'ident' && t.kind !== 'qident') this.fail('expected_name');
    this.next();
    return t.value;
  }

  selectList(): SelectItem[] {
    const items: SelectItem[] = [];
    do {
      const t = this.peek;
      if (this.isOp('*')) {
        this.next();
        items.push({ star: true, pos: t.pos });
        continue;
      }
      const e = this.expr();
      const alias = this.eatKw('AS') ? this.name() : null;
      items.push({ star: false, e, alias, pos: t.pos });
    } while (this.eatOp(','));
    return items;
  }

  exprList(): Expr[] {
    const list: Expr[] = [];
    do list.push(this.expr());
    while (this.eatOp(','));
    return list;
  }

  orderList(): OrderItem[] {
    const list: OrderItem[] = [];
    do {
      const e = this.expr();
      let desc = false;
      if (this.eatWord('DESC')) desc = true;
      else this.eatWord('ASC');
      let nulls: OrderItem['nulls'] = null;
      if (this.eatWord('NULLS')) {
        if (this.eatWord('FIRST')) nulls = 'first';
        else if (this.eatWord('LAST')) nulls = 'last';
        else this.fail('unexpected');
      }
      list.push({ e, desc, nulls });
    } while (this.eatOp(','));
    return list;
  }

  integer(max: number, what: 'limit' | 'offset'): number {
    const t = this.peek;
    if (t.kind !== 'number' || !/^[0-9]+$/.test(t.value)) this.fail('expected_integer');
    this.next();
    const n = Number(t.value);
    if (n > max) throw overLimit(this.src.param, what, max, t.pos);
    return n;
  }
}

function parseParam<T>(src: Src, body: (p: Parser) => T): Clause<T> {
  const p = new Parser(src);
  if (p.peek.kind === 'eof') p.fail('expected_expression');
  const value = body(p);
  p.end();
  return { src, value };
}

function parseInteger(param: '$limit' | '$offset', raw: string | number, max: number): Clause<number> {
  const src = { param, text: String(raw) };
  if (typeof raw === 'number') {
    if (!Number.isSafeInteger(raw) || raw < 0) throw syntax(src, 0, String(raw), 'expected_integer');
    if (raw > max) throw overLimit(param, param === '$limit' ? 'limit' : 'offset', max, 0);
    return { src, value: raw };
  }
  const p = new Parser(src);
  const value = p.integer(max, param === '$limit' ? 'limit' : 'offset');
  p.end();
  return { src, value };
}

function parseStatement(text: string): Query {
  const src: Src = { param: '$query', text };
  const p = new Parser(src);
  if (!p.eatKw('SELECT')) p.fail('expected_select');
  const q: Query = { select: null, where: null, group: null, having: null, order: null, limit: null, offset: null };
  q.select = { src, value: p.selectList() };
  if (p.eatKw('WHERE')) q.where = { src, value: p.expr() };
  if (p.eatKw('GROUP')) {
    if (!p.eatKw('BY')) p.fail('expected_by');
    q.group = { src, value: p.exprList() };
  }
  if (p.eatKw('HAVING')) q.having = { src, value: p.expr() };
  if (p.eatKw('ORDER')) {
    if (!p.eatKw('BY')) p.fail('expected_by');
    q.order = { src, value: p.orderList() };
  }
  if (p.eatKw('LIMIT')) q.limit = { src, value: p.integer(SOQL_MAX_LIMIT, 'limit') };
  if (p.eatKw('OFFSET')) q.offset = { src, value: p.integer(SOQL_MAX_OFFSET, 'offset') };
  p.end();
  return q;
}

function present(v: unknown): v is string | number {
  return v !== undefined && v !== null && !(typeof v === 'string' && v.trim() === '');
}

/** The query of the parameters (parameter form or $query), checked for shape and length; no names checked yet. */
function parseParams(input: SoqlParams): { query: Query; q: string | null } {
  if (typeof input !== 'object' || input === null) throw badParam('$query', 'not_string');
  let total = 0;
  for (const [k, v] of Object.entries(input)) {
    if (!(SOQL_PARAMS as readonly string[]).includes(k)) {
      if (k.startsWith('$')) throw badParam(k, 'unknown_param');
      continue; // not a SoQL parameter (e.g. a SODA simple filter): the caller's business
    }
    if (v === undefined) continue;
    if (typeof v === 'number' ? k !== '$limit' && k !== '$offset' : typeof v !== 'string') throw badParam(k, 'not_string');
    total += String(v).length;
    if (total > SOQL_MAX_QUERY_CHARS) throw overLimit(k, 'length', SOQL_MAX_QUERY_CHARS);
  }
  const q = present(input.$q) ? String(input.$q) : null;
  if (present(input.$query)) {
    for (const k of ['$select', '$where', '$order', '$group', '$having', '$limit', '$offset'] as const)
      if (present(input[k])) throw badParam(k, 'query_combined');
    return { query: parseStatement(String(input.$query)), q };
  }
  const src = (param: string) => ({ param, text: String(input[param as keyof SoqlParams]) });
  const query: Query = {
    select: present(input.$select) ? parseParam(src('$select'), (p) => p.selectList()) : null,
    where: present(input.$where) ? parseParam(src('$where'), (p) => p.expr()) : null,
    group: present(input.$group) ? parseParam(src('$group'), (p) => p.exprList()) : null,
    having: present(input.$having) ? parseParam(src('$having'), (p) => p.expr()) : null,
    order: present(input.$order) ? parseParam(src('$order'), (p) => p.orderList()) : null,
    limit: present(input.$limit) ? parseInteger('$limit', input.$limit, SOQL_MAX_LIMIT) : null,
    offset: present(input.$offset) ? parseInteger('$offset', input.$offset, SOQL_MAX_OFFSET) : null,
  };
  return { query, q };
}

// ------------------------------------------------------------------------------------------ functions

type T = SoqlType | 'null';
const NUMERIC = new Set<T>(['integer', 'number']);
const TEMPORAL = new Set<T>(['date', 'timestamp']);

interface FnSpec {
  aggregate: boolean;
  /** Result type from the argument's type, or null when the argument type is not accepted. */
  result: (arg: T) => T | null;
  sql: (arg: string, argType: T) => string;
}

const DATE_TRUNC = (part: string): FnSpec => ({
  aggregate: false,
  result: (t) => (TEMPORAL.has(t) || t === 'null' ? (t === 'null' ? 'timestamp' : t) : null),
  sql: (a, t) => `CAST(date_trunc('${part}', ${a}) AS ${t === 'date' ? 'DATE' : 'TIMESTAMP'})`,
});

/** The allow-list; count(*) is count with star. Names are case-insensitive. */
const FUNCTIONS: Record<string, FnSpec> = {
  count: { aggregate: true, result: () => 'integer', sql: (a) => `count(${a})` },
  sum: {
    aggregate: true,
    result: (t) => (t === 'integer' ? 'integer' : t === 'number' || t === 'null' ? 'number' : null),
    sql: (a, t) => (t === 'integer' ? `CAST(sum(${a}) AS BIGINT)` : `CAST(sum(${a}) AS DOUBLE)`),
  },
  avg: { aggregate: true, result: (t) => (NUMERIC.has(t) || t === 'null' ? 'number' : null), sql: (a) => `avg(${a})` },
  min: { aggregate: true, result: (t) => (t === 'null' ? 'text' : t), sql: (a) => `min(${a})` },
  max: { aggregate: true, result: (t) => (t === 'null' ? 'text' : t), sql: (a) => `max(${a})` },
  date_trunc_y: DATE_TRUNC('year'),
  date_trunc_ym: DATE_TRUNC('month'),
  date_trunc_ymd: DATE_TRUNC('day'),
  upper: { aggregate: false, result: (t) => (t === 'text' || t === 'null' ? 'text' : null), sql: (a) => `upper(${a})` },
  lower: { aggregate: false, result: (t) => (t === 'text' || t === 'null' ? 'text' : null), sql: (a) => `lower(${a})` },
  length: { aggregate: false, result: (t) => (t === 'text' || t === 'null' ? 'integer' : null), sql: (a) => `length(${a})` },
};

export const SOQL_FUNCTIONS = Object.keys(FUNCTIONS);

// ------------------------------------------------------------------------------------------ name resolution

/** A name outside the columns is looked up here ($group, $having, $order may use a $select alias). */
type Aliases = Map<string, Expr>;

function resolve(e: Expr, cols: Map<string, SoqlColumn>, aliases: Aliases | null, src: Src): Expr {
  const r = (x: Expr) => resolve(x, cols, aliases, src);
  switch (e.k) {
    case 'lit':
      return e;
    case 'col': {
      if (cols.has(e.name)) return e;
      const a = aliases?.get(e.name);
      if (a) return atPos(a, e.pos);
      throw new AppError(
        400,
        'SOQL_UNKNOWN_COLUMN',
        { param: src.param, at: e.pos + 1, column: e.name },
        { param: src.param, position: e.pos, column: e.name },
      );
    }
    case 'neg':
    case 'not':
    case 'isnull':
      return { ...e, e: r(e.e) };
    case 'logic':
      return { ...e, args: e.args.map(r) };
    case 'cmp':
    case 'arith':
      return { ...e, l: r(e.l), r: r(e.r) };
    case 'in':
      return { ...e, e: r(e.e), list: e.list.map(r) };
    case 'between':
      return { ...e, e: r(e.e), lo: r(e.lo), hi: r(e.hi) };
    case 'like':
      return { ...e, e: r(e.e), pat: r(e.pat) };
    case 'call':
      return { ...e, args: e.args.map(r) };
  }
}

/** A copy of an alias's expression placed where the alias is used (errors then point at the reference). */
function atPos(e: Expr, pos: number): Expr {
  const copy = structuredClone(e);
  const walk = (o: unknown): void => {
    if (typeof o !== 'object' || o === null) return;
    if ('pos' in o) (o as { pos: number }).pos = pos;
    for (const v of Object.values(o)) walk(v);
  };
  walk(copy);
  return copy;
}

function hasAggregate(e: Expr): boolean {
  switch (e.k) {
    case 'lit':
    case 'col':
      return false;
    case 'call':
      return FUNCTIONS[e.fn]!.aggregate || e.args.some(hasAggregate);
    case 'neg':
    case 'not':
    case 'isnull':
      return hasAggregate(e.e);
    case 'logic':
      return e.args.some(hasAggregate);
    case 'cmp':
    case 'arith':
      return hasAggregate(e.l) || hasAggregate(e.r);
    case 'in':
      return hasAggregate(e.e) || e.list.some(hasAggregate);
    case 'between':
      return hasAggregate(e.e) || hasAggregate(e.lo) || hasAggregate(e.hi);
    case 'like':
      return hasAggregate(e.e) || hasAggregate(e.pat);
  }
}

/** Where the expression's text starts (an operator node's own position is its operator's). */
function startPos(e: Expr): number {
  switch (e.k) {
    case 'cmp':
    case 'arith':
      return startPos(e.l);
    case 'in':
    case 'between':
    case 'like':
    case 'isnull':
      return startPos(e.e);
    case 'logic':
      return startPos(e.args[0]!);
    default:
      return e.pos;
  }
}

/** The expression without positions, to compare with the $group expressions. */
function canon(e: Expr): string {
  return JSON.stringify(e, (k, v: unknown) => (k === 'pos' ? undefined : typeof v === 'bigint' ? `${v}n` : v));
}

/** Every column used outside an aggregate must be (inside) a $group expression. */
function checkGrouped(e: Expr, keys: Set<string>, src: Src): void {
  if (keys.has(canon(e))) return;
  const c = (x: Expr) => checkGrouped(x, keys, src);
  switch (e.k) {
    case 'lit':
      return;
    case 'col':
      throw typed('SOQL_AGGREGATE', src, e.pos, 'not_grouped', { column: e.name });
    case 'call':
      if (FUNCTIONS[e.fn]!.aggregate) return;
      return e.args.forEach(c);
    case 'neg':
    case 'not':
    case 'isnull':
      return c(e.e);
    case 'logic':
      return e.args.forEach(c);
    case 'cmp':
    case 'arith':
      c(e.l);
      return c(e.r);
    case 'in':
      c(e.e);
      return e.list.forEach(c);
    case 'between':
      c(e.e);
      c(e.lo);
      return c(e.hi);
    case 'like':
      c(e.e);
      return c(e.pat);
  }
}

// ------------------------------------------------------------------------------------------ compiler

const SQL_TYPE: Record<SoqlType, string> = {
  text: 'VARCHAR',
  integer: 'BIGINT',
  number: 'DOUBLE',
  boolean: 'BOOLEAN',
  date: 'DATE',
  timestamp: 'TIMESTAMP',
};

interface Out {
  sql: string;
  t: T;
}

function validDate(y: number, m: number, d: number): boolean {
  if (y < 1 || y > 9999 || m < 1 || m > 12 || d < 1) return false;
  return d <= new Date(Date.UTC(2000, m, 0)).getUTCDate() && (m !== 2 || d !== 29 || (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0);
}

/** A string literal read as a value of type `t` (when compared with a `t`), or null when it is not one. */
function coerce(v: string, t: T): { value: DuckDBValue; t: SoqlType } | null {
  const s = v.trim();
  switch (t) {
    case 'integer':
      if (!/^[+-]?[0-9]{1,19}$/.test(s)) return null;
      if (BigInt(s) > 2n ** 63n - 1n || BigInt(s) < -(2n ** 63n)) return null;
      return { value: BigInt(s), t: 'integer' };
    case 'number':
      if (!/^[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$/.test(s) || !Number.isFinite(Number(s))) return null;
      return { value: Number(s), t: 'number' };
    case 'boolean':
      return /^(true|false)$/i.test(s) ? { value: s.toLowerCase() === 'true', t: 'boolean' } : null;
    case 'date':
    case 'timestamp': {
      // Floating timestamps as SoQL writes them: 2024-01-05, 2024-01-05T08:30:00(.000).
      const m = /^([0-9]{4})-([0-9]{2})-([0-9]{2})(?:[T ]([0-9]{2}):([0-9]{2})(?::([0-9]{2})(\.[0-9]{1,6})?)?)?$/.exec(s);
      if (!m || !validDate(+m[1]!, +m[2]!, +m[3]!)) return null;
      if (m[4] === undefined) return { value: m[0].slice(0, 10), t: t === 'date' ? 'date' : 'timestamp' };
      if (+m[4] > 23 || +m[5]! > 59 || +(m[6] ?? 0) > 59) return null;
      return { value: `${m[1]}-${m[2]}-${m[3]} ${m[4]}:${m[5]}:${m[6] ?? '00'}${m[7] ?? ''}`, t: 'timestamp' };
    }
    default:
      return null;
  }
}

class Compiler {
  readonly params: DuckDBValue[];
  /**
   * The compiled $group expressions by canon(): the same expression elsewhere reuses their SQL text (with the
   * same $n), so DuckDB sees it as the grouped expression (`x + $1` and `x + $2` would not match).
   */
  readonly groupOut = new Map<string, Out>();
  constructor(
    readonly cols: Map<string, SoqlColumn>,
    leading: DuckDBValue[],
  ) {
    this.params = [...leading];
  }

  bind(v: DuckDBValue, t: SoqlType): string {
    this.params.push(v);
    return `CAST($${this.params.length} AS ${SQL_TYPE[t]})`;
  }

  /** Compiles e; a string literal with `hint` (the type it is compared with) is read as a value of that type. */
  expr(e: Expr, src: Src, agg: { allowed: boolean; inside: boolean }, hint?: T): Out {
    if (this.groupOut.size) {
      const hit = this.groupOut.get(canon(e));
      if (hit) return hit;
    }
    const x = (y: Expr, h?: T) => this.expr(y, src, agg, h);
    switch (e.k) {
      case 'lit': {
        if (e.v === null) return { sql: 'NULL', t: 'null' };
        if (typeof e.v === 'string') {
          if (hint && hint !== 'text' && hint !== 'null') {
            const c = coerce(e.v, hint);
            if (!c) throw typed('SOQL_TYPE', src, e.pos, 'bad_literal', { expected: hint });
            return { sql: this.bind(c.value, c.t), t: c.t };
          }
          return { sql: this.bind(e.v, 'text'), t: 'text' };
        }
        if (typeof e.v === 'bigint') return { sql: this.bind(e.v, 'integer'), t: 'integer' };
        if (typeof e.v === 'number') return { sql: this.bind(e.v, 'number'), t: 'number' };
        return { sql: this.bind(e.v, 'boolean'), t: 'boolean' };
      }
      case 'col':
        return { sql: quoteIdent(e.name), t: this.cols.get(e.name)!.type };
      case 'neg': {
        const a = x(e.e);
        if (!NUMERIC.has(a.t) && a.t !== 'null') throw typed('SOQL_TYPE', src, e.pos, 'not_numeric');
        return { sql: `(- ${a.sql})`, t: a.t };
      }
      case 'not': {
        const a = this.#bool(e.e, src, agg);
        return { sql: `(NOT ${a})`, t: 'boolean' };
      }
      case 'logic':
        return { sql: `(${e.args.map((a) => this.#bool(a, src, agg)).join(` ${e.op} `)})`, t: 'boolean' };
      case 'arith': {
        const l = x(e.l);
        const r = x(e.r);
        for (const [side, o] of [
          [e.l, l],
          [e.r, r],
        ] as const)
          if (!NUMERIC.has(o.t) && o.t !== 'null') throw typed('SOQL_TYPE', src, side.pos, 'not_numeric');
        const t: T = e.op === '/' || l.t === 'number' || r.t === 'number' ? 'number' : 'integer';
        return { sql: `(${l.sql} ${e.op} ${r.sql})`, t };
      }
      case 'cmp': {
        const [l, r] = this.#pair(e.l, e.r, src, agg);
        this.#comparable(l.t, r.t, src, e.pos);
        return { sql: `(${l.sql} ${e.op} ${r.sql})`, t: 'boolean' };
      }
      case 'in': {
        const v = x(e.e);
        const list = e.list.map((item) => {
          const o = x(item, v.t);
          this.#comparable(v.t, o.t, src, item.pos);
          return o.sql;
        });
        return { sql: `(${v.sql} ${e.not ? 'NOT IN' : 'IN'} (${list.join(', ')}))`, t: 'boolean' };
      }
      case 'between': {
        const v = x(e.e);
        const lo = x(e.lo, v.t);
        const hi = x(e.hi, v.t);
        this.#comparable(v.t, lo.t, src, e.lo.pos);
        this.#comparable(v.t, hi.t, src, e.hi.pos);
        return { sql: `(${v.sql} ${e.not ? 'NOT BETWEEN' : 'BETWEEN'} ${lo.sql} AND ${hi.sql})`, t: 'boolean' };
      }
      case 'like': {
        const v = x(e.e);
        const p = x(e.pat);
        if (v.t !== 'text' && v.t !== 'null') throw typed('SOQL_TYPE', src, e.e.pos, 'not_text');
        if (p.t !== 'text' && p.t !== 'null') throw typed('SOQL_TYPE', src, e.pat.pos, 'not_text');
        return { sql: `(${v.sql} ${e.not ? 'NOT LIKE' : 'LIKE'} ${p.sql})`, t: 'boolean' };
      }
      case 'isnull': {
        const v = x(e.e);
        return { sql: `(${v.sql} ${e.not ? 'IS NOT NULL' : 'IS NULL'})`, t: 'boolean' };
      }
      case 'call': {
        const spec = FUNCTIONS[e.fn]!;
        if (spec.aggregate) {
          if (!agg.allowed) throw typed('SOQL_AGGREGATE', src, e.pos, 'aggregate_here', { function: e.fn });
          if (agg.inside) throw typed('SOQL_AGGREGATE', src, e.pos, 'nested_aggregate', { function: e.fn });
        }
        if (e.star) return { sql: 'count(*)', t: 'integer' };
        if (e.args.length !== 1) throw typed('SOQL_TYPE', src, e.pos, 'arg_count', { function: e.fn });
        const a = this.expr(e.args[0]!, src, spec.aggregate ? { allowed: true, inside: true } : agg);
        const t = spec.result(a.t);
        if (t === null) throw typed('SOQL_TYPE', src, e.args[0]!.pos, 'arg_type', { function: e.fn, type: a.t });
        return { sql: spec.sql(a.sql, a.t), t };
      }
    }
  }

  /** Both sides of a comparison: a string literal on one side takes the other side's type. */
  #pair(l: Expr, r: Expr, src: Src, agg: { allowed: boolean; inside: boolean }): [Out, Out] {
    const isStr = (e: Expr) => e.k === 'lit' && typeof e.v === 'string';
    if (isStr(l) && !isStr(r)) {
      const ro = this.expr(r, src, agg);
      return [this.expr(l, src, agg, ro.t), ro];
    }
    const lo = this.expr(l, src, agg);
    return [lo, this.expr(r, src, agg, lo.t)];
  }

  #comparable(a: T, b: T, src: Src, pos: number): void {
    if (a === 'null' || b === 'null' || a === b) return;
    if (NUMERIC.has(a) && NUMERIC.has(b)) return;
    if (TEMPORAL.has(a) && TEMPORAL.has(b)) return;
    throw typed('SOQL_TYPE', src, pos, 'not_comparable', { left: a, right: b });
  }

  #bool(e: Expr, src: Src, agg: { allowed: boolean; inside: boolean }): string {
    const o = this.expr(e, src, agg);
    if (o.t !== 'boolean' && o.t !== 'null') throw typed('SOQL_TYPE', src, startPos(e), 'not_boolean');
    return o.sql;
  }

  condition(e: Expr, src: Src, aggAllowed: boolean): string {
    return this.#bool(e, src, { allowed: aggAllowed, inside: false });
  }
}

/** `%` `_` and `\` of a $q term escaped for ILIKE … ESCAPE '\'. */
export function likeEscape(s: string): string {
  return s.replace(/[\\%_]/g, (c) => `\\${c}`);
}

function autoName(e: Expr, index: number): string {
  if (e.k === 'col') return e.name;
  if (e.k === 'call') {
    if (e.star) return e.fn;
    const a = e.args[0];
    return a?.k === 'col' ? `${e.fn}_${a.name}` : e.fn;
  }
  return `_${index + 1}`;
}

/**
 * Compiles SODA 2 query parameters to one DuckDB SELECT over `opts.from`. Throws AppError 400 (SOQL_*) for
 * anything outside the grammar, an unknown name or function, a type error or a limit exceeded.
 */
export function compileSoql(input: SoqlParams, opts: SoqlCompileOptions): CompiledSoql {
  const cols = new Map<string, SoqlColumn>();
  for (const c of opts.columns) {
    if (!(SOQL_TYPES as readonly string[]).includes(c.type))
      throw new TypeError(`soql: column ${JSON.stringify(c.name)} has type ${c.type}`);
    cols.set(c.name, c);
  }
  const { query, q } = parseParams(input);
  const cc = new Compiler(cols, opts.leadingParams ?? []);
  const whole = (param: string): Src => ({ param, text: '' });

  // $select: names resolved against the columns only; aliases collected for $group, $having and $order.
  const aliases: Aliases = new Map();
  type Item = { e: Expr; name: string; explicit: boolean; src: Src };
  const items: Item[] = [];
  const selSrc = query.select?.src ?? whole('$select');
  for (const [i, it] of (query.select?.value ?? [{ star: true as const, pos: 0 }]).entries()) {
    if (it.star) {
      for (const c of cols.values()) items.push({ e: { k: 'col', name: c.name, pos: it.pos }, name: c.name, explicit: false, src: selSrc });
      continue;
    }
    const e = resolve(it.e, cols, null, selSrc);
    if (it.alias !== null) {
      if (aliases.has(it.alias))
        throw new AppError(
          400,
          'SOQL_DUPLICATE_NAME',
          { param: selSrc.param, at: it.pos + 1, column: it.alias },
          { param: selSrc.param, position: it.pos, column: it.alias },
        );
      aliases.set(it.alias, e);
    }
    items.push({ e, name: it.alias ?? autoName(e, i), explicit: it.alias !== null, src: selSrc });
  }
  // Generated names give way to explicit aliases and to each other (name, name_2, …).
  const used = new Set<string>(aliases.keys());
  for (const it of items) {
    if (it.explicit) continue;
    let name = it.name;
    for (let n = 2; used.has(name); n++) name = `${it.name}_${n}`;
    used.add(name);
    it.name = name;
  }

  const where = query.where ? resolve(query.where.value, cols, null, query.where.src) : null;
  const group = query.group ? query.group.value.map((g) => resolve(g, cols, aliases, query.group!.src)) : null;
  const having = query.having ? resolve(query.having.value, cols, aliases, query.having.src) : null;
  const order = query.order ? query.order.value.map((o) => ({ ...o, e: resolve(o.e, cols, aliases, query.order!.src) })) : null;

  const aggregated = group !== null || items.some((it) => hasAggregate(it.e)) || (having !== null && hasAggregate(having));
  if (query.having && group === null && !items.some((it) => hasAggregate(it.e)))
    throw typed('SOQL_AGGREGATE', query.having.src, startPos(query.having.value), 'having_alone');
  if (group) {
    for (const [i, g] of group.entries())
      if (hasAggregate(g)) throw typed('SOQL_AGGREGATE', query.group!.src, startPos(query.group!.value[i]!), 'aggregate_here');
  }
  if (aggregated) {
    const keys = new Set((group ?? []).map(canon));
    for (const it of items) checkGrouped(it.e, keys, it.src);
    if (having) checkGrouped(having, keys, query.having!.src);
    if (order) for (const o of order) checkGrouped(o.e, keys, query.order!.src);
  }

  if (group)
    for (const g of group) {
      const o = cc.expr(g, query.group!.src, { allowed: false, inside: false });
      cc.groupOut.set(canon(g), o);
    }
  const groupSql = [...cc.groupOut.values()].map((o) => o.sql);
  const selectSql = items.map((it) => {
    const o = cc.expr(it.e, it.src, { allowed: true, inside: false });
    return { sql: `${o.sql} AS ${quoteIdent(it.name)}`, col: { name: it.name, type: o.t === 'null' ? 'text' : o.t } as SoqlResultColumn };
  });
  const conds: string[] = [];
  if (where) conds.push(cc.condition(where, query.where!.src, false));
  if (q !== null) {
    const text = [...cols.values()].filter((c) => c.type === 'text');
    if (!text.length) conds.push('false');
    else {
      cc.params.push(`%${likeEscape(q)}%`);
      const p = `CAST($${cc.params.length} AS VARCHAR)`;
      conds.push(`(${text.map((c) => `${quoteIdent(c.name)} ILIKE ${p} ESCAPE '\\'`).join(' OR ')})`);
    }
  }
  const havingSql = having ? cc.condition(having, query.having!.src, true) : null;
  const orderSql = (order ?? []).map((o) => {
    const e = cc.expr(o.e, query.order!.src, { allowed: aggregated, inside: false });
    return `${e.sql} ${o.desc ? 'DESC' : 'ASC'}${o.nulls ? ` NULLS ${o.nulls.toUpperCase()}` : ''}`;
  });
  if (!aggregated) for (const k of opts.tieBreaker ?? []) orderSql.push(`${quoteIdent(k)} ASC`);
  const limit = query.limit?.value ?? SOQL_DEFAULT_LIMIT;
  const offset = query.offset?.value ?? 0;
  cc.params.push(BigInt(limit));
  const limitSql = `CAST($${cc.params.length} AS BIGINT)`;
  cc.params.push(BigInt(offset));
  const offsetSql = `CAST($${cc.params.length} AS BIGINT)`;

  const sql = [
    `SELECT ${selectSql.map((s) => s.sql).join(', ')}`,
    `FROM ${opts.from}`,
    conds.length ? `WHERE ${conds.join(' AND ')}` : '',
    groupSql.length ? `GROUP BY ${groupSql.join(', ')}` : '',
    havingSql ? `HAVING ${havingSql}` : '',
    orderSql.length ? `ORDER BY ${orderSql.join(', ')}` : '',
    `LIMIT ${limitSql} OFFSET ${offsetSql}`,
  ]
    .filter(Boolean)
    .join(' ');
  return { sql, params: cc.params, columns: selectSql.map((s) => s.col), limit, offset, aggregated };
}
