// CSV / TSV / TXT → staging. Detection (delimiter, quote, header) runs in JS on the first MBs; the rows are read
// by DuckDB's CSV reader end to end (no JS per row): one COPY of read_csv(all VARCHAR, strict) into Parquet.
// Row numbers: a JS pass over the bytes (indexOf over quotes and line breaks, ~1 ms per MB) finds where each
// record starts. When every record is one line and no blank line is skipped — nearly always — the staging file
// needs no `_row` column (row i is line base + i, kept in the Parquet metadata: reading it costs nothing);
// otherwise the line numbers are joined in (ASOF join on the record index). Bad rows come from DuckDB's rejects
// table with their byte position, turned into the physical line.
import fsp from 'node:fs/promises';
import type { DuckDBConnection } from '@duckdb/node-api';
import { AppError } from '../../../errors.ts';
import { quoteIdent, quoteLiteral, type DuckEngine } from '../duckdb.ts';
import {
  copyToStaging,
  ingestError,
  LIMITS,
  linesOfOffsets,
  normalizeHeader,
  removeQuietly,
  type BadRow,
  type ProgressFn,
  type StageOptions,
  type StageResult,
} from './common.ts';
import { detectEncoding, readHead, type Head } from './detect.ts';
import { utf8Source } from './transcode.ts';

const DELIMITERS = [',', '\t', ';', '|'];

/** Records of a CSV text (quote-aware, lenient: detection only). `complete` is false when the text ends inside the last record. */
export function parseRecords(text: string, delimiter: string, quote: string, max: number): { records: string[][]; complete: boolean } {
  const records: string[][] = [];
  let field = '';
  let fields: string[] = [];
  let inQuote = false;
  let atFieldStart = true;
  let i = 0;
  const n = text.length;
  while (i < n && records.length < max) {
    const c = text[i]!;
    if (inQuote) {
      if (c === quote) {
        if (text[i + 1] === quote) {
          field += quote;
          i += 2;
          continue;
        }
        inQuote = false;
      } else field += c;
      i++;
      continue;
    }
    if (quote && c === quote && atFieldStart) {
      inQuote = true;
      atFieldStart = false;
      i++;
      continue;
    }
    if (c === delimiter) {
      fields.push(field);
      field = '';
      atFieldStart = true;
      i++;
      continue;
    }
    if (c === '\n' || c === '\r') {
      fields.push(field);
      if (!(fields.length === 1 && fields[0] === '')) records.push(fields);
      fields = [];
      field = '';
      atFieldStart = true;
      i += c === '\r' && text[i + 1] === '\n' ? 2 : 1;
      continue;
    }
    field += c;
    atFieldStart = false;
    i++;
  }
  if (records.length >= max) return { records, complete: true };
  if (field !== '' || fields.length > 0) {
    fields.push(field);
    records.push(fields);
  }
  return { records, complete: !inQuote };
}

/** The delimiter that splits the sample into the most consistent number (> 1) of columns. */
export function sniffDelimiter(text: string, quote: string, candidates = DELIMITERS): string {
  let best = { delimiter: candidates[0]!, score: -1 };
  for (const d of candidates) {
    const { records } = parseRecords(text, d, quote, 200);
    if (records.length === 0) continue;
    const width = records[0]!.length;
    if (width < 2) continue;
    const same = records.filter((r) => r.length === width).length / records.length;
    const score = same * 1000 + Math.min(width, 999);
    if (score > best.score) best = { delimiter: d, score };
  }
  return best.delimiter;
}

/** `"` unless the sample never uses it and wraps most fields in `'`. */
export function sniffQuote(text: string, delimiter: string): string {
  if (text.includes('"')) return '"';
  const { records } = parseRecords(text, delimiter, '', 50);
  const values = records.flat().filter((v) => v !== '');
  const wrapped = values.filter((v) => v.length >= 2 && v.startsWith("'") && v.endsWith("'")).length;
  return values.length > 0 && wrapped / values.length >= 0.5 ? "'" : '"';
}

type Kind = 'empty' | 'number' | 'date' | 'text';
const kindOf = (v: string): Kind => {
  const t = v.trim();
  if (t === '') return 'empty';
  if (/^[+-]?(\d+\.?\d*|\.\d+)%?$/.test(t)) return 'number';
  if (/^\d{4}([-/.年])\d{1,2}\1?\d{1,2}日?( .*)?$/.test(t) || /^\d{4}-\d{2}-\d{2}T/.test(t)) return 'date';
  return 'text';
};
const isYear = (v: string) => /^(19|20)\d{2}年?$/.test(v.trim());

/**
 * Whether the first record is a header. It is not when some column is numeric or dated in the data rows and the
 * first record has a value of that same kind there (a year like 2023 does not count: wide tables use years as
 * column names), and no column says "header" (text above numbers or dates). All-text tables: a header.
 */
export function sniffHeader(records: string[][]): boolean {
  if (records.length < 2) return true;
  const [first, ...rest] = records as [string[], ...string[][]];
  let dataLike = 0;
  let headerLike = 0;
  first.forEach((v, c) => {
    const kinds = rest
      .slice(0, 100)
      .map((r) => kindOf(r[c] ?? ''))
      .filter((k) => k !== 'empty');
    if (kinds.length === 0 || !kinds.every((k) => k === kinds[0])) return;
    const col = kinds[0];
    if (col !== 'number' && col !== 'date') return;
    const k0 = kindOf(v);
    if (k0 === 'text') headerLike++;
    else if (k0 === col && !isYear(v)) dataLike++;
  });
  return !(dataLike > 0 && headerLike === 0);
}

const oneChar = (option: string, v: string | undefined, allowEmpty: boolean): string | undefined => {
  if (v === undefined) return undefined;
  if ((v === '' && allowEmpty) || (v.length === 1 && v.charCodeAt(0) < 128 && v !== '\n' && v !== '\r')) return v;
  throw new AppError(400, 'INGEST_OPTION_INVALID', { option, value: JSON.stringify(v) });
};

export interface ScanOptions {
  quote: number | null;
  delimiter: number;
  newline: number;
  header: boolean;
  /** A one-column file keeps blank lines as (empty) rows, as DuckDB does; wider files skip them. */
  singleColumn: boolean;
  /** Offset of the first byte after a BOM and leading blank lines. */
  dataStart: number;
  /** Line number at dataStart (1 + leading blank lines). */
  startLine?: number;
}

/** Where data record j starts: line(j) = j + 1 + off, off from the last break [k, off] with k ≤ j. */
export type Breaks = [number, number][];

/**
 * Walks the quotes and line breaks of a CSV file (Buffer.indexOf, no per-byte JS loop) and returns the number
 * of data records and the line where each starts, as breaks. Mirrors DuckDB's reader: a quote opens only at the
 * start of a field, a doubled quote inside quotes is literal, blank lines are skipped unless the file has one column.
 */
export async function scanRecords(file: string, o: ScanOptions, onProgress?: ProgressFn): Promise<{ dataRecords: number; breaks: Breaks }> {
  const fd = await fsp.open(file, 'r');
  const buf = Buffer.allocUnsafe(1 << 20);
  const breaks: Breaks = [];
  let lastOff = Number.NaN;
  let pos = 0;
  let prevByte = -1;
  let line = o.startLine ?? 1;
  let inQuote = false;
  let pendingClose = -1;
  let recStart = o.dataStart;
  let recLine = line;
  let recIndex = 0;
  const headerRecords = o.header ? 1 : 0;
  const emit = () => {
    const j = recIndex - headerRecords;
    if (j >= 0) {
      const off = recLine - (j + 1);
      if (off !== lastOff) {
        breaks.push([j, off]);
        lastOff = off;
      }
    }
    recIndex++;
  };
  try {
    for (;;) {
      const { bytesRead: n } = await fd.read(buf, 0, buf.length, pos);
      if (n === 0) break;
      if (pos === 0 && o.dataStart > 0) {
        // skipped bytes (BOM, leading blank lines) are not scanned
        pos = o.dataStart;
        prevByte = buf[o.dataStart - 1]!;
        continue;
      }
      const view = buf.subarray(0, n);
      const byteBefore = (abs: number) => (abs - 1 >= pos ? view[abs - 1 - pos]! : prevByte);
      const quoteOutside = (abs: number) => {
        const b = byteBefore(abs);
        if (abs === recStart || b === o.delimiter || b === 0x0a || b === 0x0d) inQuote = true;
      };
      let qi = o.quote === null ? -1 : view.indexOf(o.quote);
      let ni = view.indexOf(o.newline);
      while (qi !== -1 || ni !== -1) {
        if (qi !== -1 && (ni === -1 || qi < ni)) {
          const abs = pos + qi;
          if (pendingClose !== -1) {
            if (abs === pendingClose + 1) pendingClose = -1;
            else {
              inQuote = false;
              pendingClose = -1;
              quoteOutside(abs);
            }
          } else if (inQuote) pendingClose = abs;
          else quoteOutside(abs);
          qi = view.indexOf(o.quote!, qi + 1);
        } else {
          const abs = pos + ni;
          if (pendingClose !== -1) {
            inQuote = false;
            pendingClose = -1;
          }
          line++;
          if (!inQuote) {
            const len = abs - recStart;
            const blank = len === 0 || (len === 1 && byteBefore(abs) === 0x0d);
            if (!blank || o.singleColumn) emit();
            recStart = abs + 1;
            recLine = line;
          }
          ni = view.indexOf(o.newline, ni + 1);
        }
      }
      prevByte = view[n - 1]!;
      pos += n;
      onProgress?.(Math.max(0, recIndex - headerRecords));
    }
  } finally {
    await fd.close();
  }
  const len = pos - recStart;
  if (len > 0 && !(len === 1 && prevByte === 0x0d)) emit();
  return { dataRecords: Math.max(0, recIndex - headerRecords), breaks };
}

/** Index of the data record starting on `line` (inverse of the breaks), or -1. Lines must come sorted. */
function recordIndexes(breaks: Breaks, lines: number[]): number[] {
  let s = 0;
  return lines.map((line) => {
    while (s + 1 < breaks.length && line - 1 - breaks[s + 1]![1] >= breaks[s + 1]![0]) s++;
    const [k, off] = breaks[s] ?? [0, 0];
    const j = line - 1 - off;
    const end = s + 1 < breaks.length ? breaks[s + 1]![0] : Number.POSITIVE_INFINITY;
    return j >= k && j < end ? j : -1;
  });
}

/** Breaks of the rows that remain after leaving out the records at `rejected` (sorted, unique). */
export function composeBreaks(breaks: Breaks, rejected: number[]): Breaks {
  const points = [...new Set([...breaks.map(([k]) => k), ...rejected.map((j) => j + 1)])].sort((a, b) => a - b);
  const out = new Map<number, number>();
  let b = 0;
  let r = 0;
  for (const p of points) {
    while (b + 1 < breaks.length && breaks[b + 1]![0] <= p) b++;
    while (r < rejected.length && rejected[r]! < p) r++;
    out.set(p - r, (breaks[b]?.[1] ?? 0) + r);
  }
  const result: Breaks = [];
  for (const [i, off] of [...out.entries()].sort((x, y) => x[0] - y[0])) {
    if (result.length === 0 || result[result.length - 1]![1] !== off) result.push([i, off]);
  }
  return result;
}

interface Reject {
  line: number;
  errorType: string;
  column: string | null;
  csvLine: string | null;
  message: string;
}

const REJECT_CODES: Record<string, string> = {
  'MISSING COLUMNS': 'CSV_RAGGED_ROW',
  'TOO MANY COLUMNS': 'CSV_RAGGED_ROW',
  'UNQUOTED VALUE': 'CSV_UNTERMINATED_QUOTE',
  'LINE SIZE OVER MAXIMUM': 'CSV_LINE_TOO_LONG',
  'INVALID ENCODING': 'ENCODING_UNDECODABLE',
  'INVALID UNICODE': 'ENCODING_UNDECODABLE',
};

function rejectError(file: string, r: Reject, width: number): AppError {
  const code = REJECT_CODES[r.errorType] ?? 'CSV_INVALID';
  const place = { file, line: r.line, column: r.column ?? undefined };
  if (code === 'CSV_RAGGED_ROW') {
    const m = /Expected Number of Columns: (\d+) Found: (\d+)/.exec(r.message);
    return ingestError(code, place, { expected: Number(m?.[1] ?? width), found: Number(m?.[2] ?? 0) });
  }
  if (code === 'CSV_LINE_TOO_LONG') return ingestError(code, place, { max: LIMITS.maxLineBytes });
  if (code === 'ENCODING_UNDECODABLE') return ingestError(code, place, { encoding: 'UTF-8', offset: '?' });
  if (code === 'CSV_UNTERMINATED_QUOTE') return ingestError(code, place);
  return ingestError(code, place, { reason: r.message });
}

/** A DuckDB CSV error that escaped the rejects table: its code and DuckDB's line (DuckDB counts records, not lines). */
function mapThrown(file: string, err: unknown, width: number): AppError | unknown {
  const msg = err instanceof Error ? err.message : String(err);
  const m = /CSV Error on Line: (\d+)/.exec(msg);
  if (!m) return err;
  const line = Number(m[1]);
  const reason = (msg.split('\n').find((l, i) => i > 1 && l.trim() !== '') ?? '').trim();
  const type = /unterminated quote/i.test(msg)
    ? 'UNQUOTED VALUE'
    : /Expected Number of Columns/.test(msg)
      ? 'MISSING COLUMNS'
      : /Invalid unicode/i.test(msg)
        ? 'INVALID ENCODING'
        : /Maximum line size/i.test(msg)
          ? 'LINE SIZE OVER MAXIMUM'
          : 'OTHER';
  return rejectError(file, { line, errorType: type, column: null, csvLine: null, message: type === 'OTHER' ? reason : msg }, width);
}

/** What the detection decided about a text file: enough to read it with DuckDB's CSV reader. */
interface CsvPlan {
  /** The UTF-8 file DuckDB reads (the input itself, or a transcoded scratch copy). */
  src: string;
  utf8Copy?: string;
  encoding: string;
  skipLines: number;
  header: boolean;
  delimiter: string;
  quote: string;
  columns: string[];
  scanOpts: ScanOptions;
  /** read_csv(...) of the file, all VARCHAR, strict; with a rejects table when named. */
  reader(rejects?: string): string;
}

async function planCsv(input: { path: string; fileName: string }, out: string, opts: StageOptions, head: Head): Promise<CsvPlan> {
  const file = input.fileName;
  const enc = detectEncoding(file, head, opts.encoding);
  const { src, copy: utf8Copy } = await utf8Source(input.path, out, enc.encoding, file, 'utf8.csv');
  try {
    if (utf8Copy) head = await readHead(src);
    const bomLen = enc.bom ? 3 : 0;
    // Leading blank lines: DuckDB would take the first (blank) line as the header; skip them.
    let dataStart = bomLen;
    let skipLines = 0;
    for (;;) {
      const b = head.head[dataStart];
      if (b === 0x0a) dataStart += 1;
      else if (b === 0x0d) dataStart += head.head[dataStart + 1] === 0x0a ? 2 : 1;
      else break;
      skipLines++;
    }
    let sample = head.head.subarray(dataStart).toString('utf8');
    if (head.truncated && !/[\r\n]/.test(sample))
      throw ingestError('CSV_LINE_TOO_LONG', { file, line: skipLines + 1 }, { max: head.head.length });
    if (head.truncated) {
      const cut = Math.max(sample.lastIndexOf('\n'), sample.lastIndexOf('\r'));
      if (cut > 0) sample = sample.slice(0, cut + 1);
    }
    const isTsv = /\.(tsv|tab)$/i.test(file);
    const quote = oneChar('quote', opts.quote, true) ?? sniffQuote(sample, oneChar('delimiter', opts.delimiter, false) ?? ',');
    const delimiter = oneChar('delimiter', opts.delimiter, false) ?? (isTsv ? '\t' : sniffDelimiter(sample, quote));
    if (delimiter === quote) throw new AppError(400, 'INGEST_OPTION_INVALID', { option: 'quote', value: JSON.stringify(quote) });
    const { records } = parseRecords(sample, delimiter, quote, 200);
    const first = records[0];
    if (!first || (first.length === 1 && first[0]!.trim() === '')) throw ingestError('FILE_NO_COLUMNS', { file });
    const header = opts.header ?? sniffHeader(records);
    const columns = header
      ? normalizeHeader(first, file)
      : normalizeHeader(
          first.map(() => ''),
          file,
        );
    const newline = sample.includes('\n') || !sample.includes('\r') ? 0x0a : 0x0d;
    const reader = (rejects?: string) =>
      `read_csv(${quoteLiteral(src)}, auto_detect = false, skip = ${skipLines}, header = ${header}, delim = ${quoteLiteral(delimiter)}, ` +
      `quote = ${quoteLiteral(quote)}, escape = ${quoteLiteral(quote)}, ` +
      `columns = {${columns.map((_, i) => `'c${i + 1}': 'VARCHAR'`).join(', ')}}, strict_mode = true, null_padding = false, ` +
      // buffer_size: DuckDB's default is 16 × max_line_size (128 MB here, several in flight): a 1 GB file's COPY then
      // held ~350 MB more than with 16 MB buffers, at the same speed (bench/ingest.ts, RSS target ≤ 1 GB).
      `max_line_size = ${LIMITS.maxLineBytes}, buffer_size = ${2 * LIMITS.maxLineBytes}, encoding = 'utf-8'` +
      (rejects
        ? `, store_rejects = true, rejects_table = ${quoteLiteral(rejects)}, rejects_scan = ${quoteLiteral(rejects + '_scan')})`
        : ')');
    return {
      src,
      utf8Copy,
      encoding: enc.encoding,
      skipLines,
      header,
      delimiter,
      quote,
      columns,
      reader,
      scanOpts: {
        quote: quote ? quote.charCodeAt(0) : null,
        delimiter: delimiter.charCodeAt(0),
        newline,
        header,
        singleColumn: columns.length === 1,
        dataStart,
        startLine: skipLines + 1,
      },
    };
  } catch (err) {
    await removeQuietly(utf8Copy);
    throw err;
  }
}

/**
 * A UTF-8 text file read in place, without a staging file (docs/dataplane.md, "Direct build"): its columns and
 * a FROM expression of them (all VARCHAR, the staging column names). Null when the file needs staging first
 * (another encoding). Row numbers are not available: a caller that meets a bad row stages the file instead.
 */
export async function directCsv(
  input: { path: string; fileName: string },
  opts: StageOptions,
  head: Head,
): Promise<{ columns: string[]; from: string; format: 'csv' | 'tsv'; encoding: string; delimiter: string } | null> {
  if (detectEncoding(input.fileName, head, opts.encoding).encoding !== 'utf-8') return null;
  const plan = await planCsv(input, input.path, opts, head);
  const cols = plan.columns.map((name, i) => `c${i + 1} AS ${quoteIdent(name)}`).join(', ');
  return {
    columns: plan.columns,
    from: `(SELECT ${cols} FROM ${plan.reader()})`,
    format: plan.delimiter === '\t' ? 'tsv' : 'csv',
    encoding: plan.encoding,
    delimiter: plan.delimiter,
  };
}

export async function stageCsv(
  engine: DuckEngine,
  input: { path: string; fileName: string },
  out: string,
  opts: StageOptions,
  head: Head,
  onProgress?: ProgressFn,
): Promise<StageResult> {
  const file = input.fileName;
  const warnings: string[] = [];
  let utf8Copy: string | undefined;
  let con: DuckDBConnection | undefined;
  try {
    const plan = await planCsv(input, out, opts, head);
    utf8Copy = plan.utf8Copy;
    const { src, skipLines, header, delimiter, columns, scanOpts } = plan;
    const newline = scanOpts.newline;
    const width = columns.length;
    // The JS scan (record start lines, progress) runs beside DuckDB's COPY: in the common case (no record spans
    // lines) the rows are numbered consecutively from the first data line, known before the scan ends.
    const scanning = scanRecords(src, scanOpts, onProgress);
    scanning.catch(() => undefined);

    con = await engine.connect();
    const tag = Math.random().toString(36).slice(2, 10);
    const rejectsTable = `rejects_${tag}`;
    const reader = plan.reader;
    const cols = columns.map((name, i) => `c${i + 1} AS ${quoteIdent(name)}`).join(', ');
    const withBreaks = async (breaks: Breaks, rejects: string) => {
      await con!.run(`CREATE OR REPLACE TEMP TABLE brk_${tag} (k BIGINT, off BIGINT)`);
      const app = await con!.createAppender(`brk_${tag}`);
      for (const [k, off] of breaks) {
        app.appendBigInt(BigInt(k));
        app.appendBigInt(BigInt(off));
        app.endRow();
      }
      app.closeSync();
      const sel =
        `SELECT d._rn + b.off AS _row, ${columns.map((name, i) => `d.c${i + 1} AS ${quoteIdent(name)}`).join(', ')} ` +
        `FROM (SELECT row_number() OVER () AS _rn, * FROM ${reader(rejects)}) d ` +
        `ASOF JOIN brk_${tag} b ON d._rn - 1 >= b.k ORDER BY _row`;
      return copyToStaging(con!, sel, out);
    };

    const firstOff = skipLines + (header ? 1 : 0);
    let rows: number;
    let scan: Awaited<typeof scanning>;
    let copied: Promise<number> | undefined;
    try {
      copied = copyToStaging(con, `SELECT ${cols} FROM ${reader(rejectsTable)}`, out, 1 + firstOff);
      copied.catch(() => undefined);
      scan = await scanning;
      const consecutive = scan.breaks.length === 0 || (scan.breaks.length === 1 && scan.breaks[0]![1] === firstOff);
      if (consecutive) rows = await copied;
      else {
        // A record spans lines (or the header does): number the rows from the scan's breaks instead.
        await copied.catch(() => undefined);
        await con.run(`DROP TABLE IF EXISTS ${rejectsTable}; DROP TABLE IF EXISTS ${rejectsTable}_scan`);
        rows =
          scan.breaks.length <= 1
            ? await copyToStaging(con, `SELECT ${cols} FROM ${reader(rejectsTable)}`, out, 1 + scan.breaks[0]![1])
            : await withBreaks(scan.breaks, rejectsTable);
      }
    } catch (err) {
      await Promise.allSettled([scanning, copied]);
      throw mapThrown(file, err, width);
    }

    const [{ n } = { n: 0 }] = (await con.runAndReadAll(`SELECT count(*)::INTEGER AS n FROM ${rejectsTable}`)).getRowObjectsJS() as {
      n: number;
    }[];
    const rejected: BadRow[] = [];
    if (n > 0) {
      const list = (
        await con.runAndReadAll(
          `SELECT line_byte_position::BIGINT AS pos, error_type::VARCHAR AS t, column_name AS c, csv_line AS l, error_message AS m ` +
            `FROM ${rejectsTable} ORDER BY byte_position LIMIT ${LIMITS.maxListedBadRows}`,
        )
      ).getRowObjectsJS() as { pos: bigint; t: string; c: string | null; l: string | null; m: string }[];
      const lines = await linesOfOffsets(
        src,
        list.map((r) => Math.max(0, Number(r.pos) - 1)),
        newline,
      );
      const rejects: Reject[] = list.map((r, i) => ({ line: lines[i]!, errorType: r.t, column: r.c, csvLine: r.l, message: r.m }));
      const encodingError = rejects.find((r) => REJECT_CODES[r.errorType] === 'ENCODING_UNDECODABLE');
      if (encodingError || (opts.badRows ?? 'reject') === 'reject') throw rejectError(file, encodingError ?? rejects[0]!, width);
      // Quarantine: the rows stay out; number the remaining ones exactly (needs every rejected line, not just the listed ones).
      const all =
        n > list.length
          ? await linesOfOffsets(
              src,
              (
                (
                  await con.runAndReadAll(`SELECT line_byte_position::BIGINT AS pos FROM ${rejectsTable} ORDER BY byte_position`)
                ).getRowObjectsJS() as {
                  pos: bigint;
                }[]
              ).map((r) => Math.max(0, Number(r.pos) - 1)),
              newline,
            )
          : lines;
      const idx = recordIndexes(
        scan.breaks,
        [...all].sort((a, b) => a - b),
      );
      if (idx.includes(-1)) warnings.push('ROW_NUMBERS_APPROXIMATE');
      rows = await withBreaks(
        composeBreaks(
          scan.breaks,
          [...new Set(idx.filter((j) => j >= 0))].sort((a, b) => a - b),
        ),
        `${rejectsTable}_2`,
      );
      const rowCodes: Record<string, string> = {
        CSV_RAGGED_ROW: 'ROW_RAGGED',
        CSV_UNTERMINATED_QUOTE: 'ROW_UNTERMINATED_QUOTE',
        CSV_LINE_TOO_LONG: 'ROW_LINE_TOO_LONG',
      };
      for (const r of rejects) {
        const reason = rowCodes[REJECT_CODES[r.errorType] ?? ''] ?? 'ROW_UNPARSABLE';
        rejected.push({ row: r.line, column: r.column ?? undefined, value: r.csvLine?.slice(0, 500) ?? null, reason });
      }
    } else if (rows !== scan.dataRecords) {
      warnings.push('ROW_NUMBERS_APPROXIMATE');
    }
    if (rows === 0 && n === 0) warnings.push('FILE_NO_ROWS');
    onProgress?.(rows);
    return {
      path: out,
      format: delimiter === '\t' ? 'tsv' : 'csv',
      encoding: plan.encoding,
      delimiter,
      columns,
      rows,
      warnings,
      rejected,
      rejectedCount: n,
    };
  } catch (err) {
    await removeQuietly(out);
    throw err;
  } finally {
    con?.closeSync();
    await removeQuietly(utf8Copy);
  }
}
