// XLSX → staging. Before exceljs touches the file, yauzl reads the zip's central directory: too many entries,
// too many uncompressed bytes or a compression ratio no spreadsheet has → refused (zip bomb); then the chosen
// sheet's XML is inflated once (yauzl checks the real size against the declared one) to read its <dimension>
// and <mergeCell> list, which exceljs's streaming reader ignores and which sits after the rows in the file.
// exceljs then streams the rows (shared strings cached, bounded above); rows go to DuckDB through the Appender.
//
// Header rules (documented in docs/dataplane.md):
// - leading title rows (one non-empty cell, followed by a row with several) are skipped;
// - a header row with a horizontally merged cell is the first of a two-row header: each column is named
//   "上级-下级" (the merged parent's text, a hyphen, the cell below); a cell merged down over both rows keeps its
//   own name; a column without a name is `column_<n>`;
// - merged cells in the data area are filled with their top-left value on every row they cover;
// - dates are written as YYYY-MM-DD (or YYYY-MM-DD HH:MM:SS), numbers as JavaScript prints them, booleans as
//   true/false, formulas as their cached result, errors as their text (#N/A).
import yauzl from 'yauzl';
import type { DuckDBConnection } from '@duckdb/node-api';
import { SafeWorkbookReader } from '../../../xlsx-reader.ts';
import { quoteIdent, type DuckEngine } from '../duckdb.ts';
import {
  copyToStaging,
  ingestError,
  LIMITS,
  normalizeHeader,
  removeQuietly,
  type BadRow,
  type ProgressFn,
  type StageOptions,
  type StageResult,
} from './common.ts';

export interface SheetInfo {
  name: string;
  /** 1-based position in the workbook. */
  index: number;
  /** Path of the sheet's XML inside the zip. */
  path: string;
  hidden: boolean;
}

interface Merge {
  top: number;
  left: number;
  bottom: number;
  right: number;
}

const decodeXml = (s: string) =>
  s.replace(/&(lt|gt|amp|quot|apos|#\d+|#x[0-9a-f]+);/gi, (_, e: string) => {
    const k = e.toLowerCase();
    if (k === 'lt') return '<';
    if (k === 'gt') return '>';
    if (k === 'amp') return '&';
    if (k === 'quot') return '"';
    if (k === 'apos') return "'";
    const cp = k.startsWith('#x') ? parseInt(k.slice(2), 16) : parseInt(k.slice(1), 10);
    return Number.isFinite(cp) && cp <= 0x10ffff ? String.fromCodePoint(cp) : '';
  });

const attrs = (tag: string): Record<string, string> => {
  const out: Record<string, string> = {};
  for (const m of tag.matchAll(/([\w:]+)\s*=\s*("([^"]*)"|'([^']*)')/g)) out[m[1]!] = decodeXml(m[3] ?? m[4] ?? '');
  return out;
};

/** Column letters → 1-based number (no upper bound: a crafted file may claim any). */
const colNumber = (letters: string) => {
  let n = 0;
  for (const ch of letters.toUpperCase()) n = n * 26 + (ch.charCodeAt(0) - 64);
  return n;
};

const parseRef = (ref: string): { row: number; col: number } | null => {
  const m = /^\$?([A-Za-z]{1,10})\$?(\d{1,10})$/.exec(ref.trim());
  return m ? { col: colNumber(m[1]!), row: Number(m[2]) } : null;
};

const parseRange = (ref: string): Merge | null => {
  const [a, b = a] = ref.split(':');
  const p = parseRef(a!);
  const q = parseRef(b!);
  if (!p || !q) return null;
  return { top: Math.min(p.row, q.row), left: Math.min(p.col, q.col), bottom: Math.max(p.row, q.row), right: Math.max(p.col, q.col) };
};

interface Workbook {
  zip: yauzl.ZipFile;
  entries: Map<string, yauzl.Entry>;
  sheets: SheetInfo[];
}

async function readEntryText(zip: yauzl.ZipFile, entry: yauzl.Entry, max: number, file: string): Promise<string> {
  if (entry.uncompressedSize > max)
    throw ingestError('XLSX_TOO_LARGE', { file }, { what: entry.fileName, value: entry.uncompressedSize, max });
  const stream = await zip.openReadStreamPromise(entry);
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Central-directory checks and the sheet list. The caller closes `zip`. */
async function openWorkbook(path: string, file: string): Promise<Workbook> {
  let zip: yauzl.ZipFile;
  try {
    zip = await yauzl.openPromise(path, { lazyEntries: true, autoClose: false, validateEntrySizes: true, strictFileNames: false });
  } catch (err) {
    throw ingestError('XLSX_INVALID', { file }, { reason: (err as Error).message });
  }
  try {
    if (zip.entryCount > LIMITS.xlsxMaxEntries) {
      throw ingestError('XLSX_TOO_LARGE', { file }, { what: 'zip entries', value: zip.entryCount, max: LIMITS.xlsxMaxEntries });
    }
    const entries = new Map<string, yauzl.Entry>();
    let total = 0;
    for await (const e of zip.eachEntry()) {
      entries.set(e.fileName.replace(/^\//, ''), e);
      total += e.uncompressedSize;
      const ratio = e.uncompressedSize / Math.max(1, e.compressedSize);
      if (e.uncompressedSize > 1 << 20 && ratio > LIMITS.xlsxMaxRatio) {
        throw ingestError('XLSX_ZIP_BOMB', { file }, { entry: e.fileName, size: e.uncompressedSize, ratio: Math.round(ratio) });
      }
      if (total > LIMITS.xlsxMaxUncompressed) {
        throw ingestError(
          'XLSX_ZIP_BOMB',
          { file },
          { entry: '(total)', size: total, ratio: Math.round(total / Math.max(1, zip.fileSize)) },
        );
      }
      if (e.isEncrypted()) throw ingestError('XLSX_INVALID', { file }, { reason: 'encrypted entry ' + e.fileName });
    }
    const shared = entries.get('xl/sharedStrings.xml');
    if (shared && shared.uncompressedSize > LIMITS.xlsxMaxSharedStrings) {
      throw ingestError(
        'XLSX_TOO_LARGE',
        { file },
        { what: 'sharedStrings.xml', value: shared.uncompressedSize, max: LIMITS.xlsxMaxSharedStrings },
      );
    }
    const wb = entries.get('xl/workbook.xml');
    const rels = entries.get('xl/_rels/workbook.xml.rels');
    if (!wb || !rels) throw ingestError('XLSX_INVALID', { file }, { reason: 'xl/workbook.xml missing' });
    const wbXml = await readEntryText(zip, wb, 16 << 20, file);
    const relXml = await readEntryText(zip, rels, 16 << 20, file);
    const targets = new Map<string, string>();
    for (const m of relXml.matchAll(/<Relationship\b[^>]*>/g)) {
      const a = attrs(m[0]);
      if (a.Id && a.Target) targets.set(a.Id, a.Target.startsWith('/') ? a.Target.slice(1) : `xl/${a.Target}`);
    }
    const sheets: SheetInfo[] = [];
    for (const m of wbXml.matchAll(/<(?:\w+:)?sheet\b[^>]*>/g)) {
      const a = attrs(m[0]);
      const target = targets.get(a['r:id'] ?? '') ?? '';
      if (!a.name || !entries.has(target)) continue;
      sheets.push({ name: a.name, index: sheets.length + 1, path: target, hidden: a.state === 'hidden' || a.state === 'veryHidden' });
    }
    if (sheets.length === 0) throw ingestError('XLSX_INVALID', { file }, { reason: 'no worksheets' });
    return { zip, entries, sheets };
  } catch (err) {
    zip.close();
    throw err;
  }
}

/** The sheets of a workbook, in order (after the same zip checks as an ingest). */
export async function listSheets(path: string, fileName = path): Promise<SheetInfo[]> {
  const wb = await openWorkbook(path, fileName);
  wb.zip.close();
  return wb.sheets;
}

export function chooseSheet(sheets: SheetInfo[], wanted: string | undefined, file: string): SheetInfo {
  if (wanted === undefined || wanted === '') return sheets[0]!;
  const byName = sheets.find((s) => s.name === wanted) ?? sheets.find((s) => s.name.trim() === wanted.trim());
  if (byName) return byName;
  if (/^\d+$/.test(wanted) && sheets[Number(wanted) - 1]) return sheets[Number(wanted) - 1]!;
  throw ingestError('XLSX_SHEET_NOT_FOUND', { file }, { sheet: wanted, sheets: sheets.map((s) => s.name).join('、') });
}

/** One pass over the sheet XML: <dimension> and every <mergeCell>; refuses absurd sizes. */
async function scanSheet(wb: Workbook, sheet: SheetInfo, file: string): Promise<{ merges: Merge[]; dimCols: number }> {
  const entry = wb.entries.get(sheet.path)!;
  const stream = await wb.zip.openReadStreamPromise(entry);
  const merges: Merge[] = [];
  let dimCols = 0;
  let carry = '';
  const tooLarge = (what: string, value: number, max: number) => ingestError('XLSX_TOO_LARGE', { file }, { what, value, max });
  try {
    for await (const chunk of stream) {
      const text = carry + (chunk as Buffer).toString('latin1');
      const lastLt = text.lastIndexOf('<');
      const body = lastLt > text.length - 256 ? text.slice(0, lastLt) : text;
      carry = text.slice(body.length);
      if (dimCols === 0) {
        const d = /<dimension\b[^>]*>/.exec(body);
        if (d) {
          const r = parseRange(attrs(d[0]).ref ?? '');
          if (r) {
            dimCols = r.right;
            if (r.right > LIMITS.maxColumns) throw tooLarge('columns', r.right, LIMITS.maxColumns);
            if (r.bottom > LIMITS.xlsxMaxRows) throw tooLarge('rows', r.bottom, LIMITS.xlsxMaxRows);
          }
        }
      }
      // A cell reference with four column letters is beyond XFD (16384): refuse before exceljs sizes a row by it.
      const wide = /<c\b[^>]*?\br="([A-Za-z]{4,})(\d+)"/.exec(body);
      if (wide)
        throw ingestError(
          'XLSX_TOO_LARGE',
          { file, row: Number(wide[2]) },
          { what: 'columns', value: colNumber(wide[1]!), max: LIMITS.maxColumns },
        );
      if (body.includes('<mergeCell ')) {
        for (const m of body.matchAll(/<mergeCell\b[^>]*>/g)) {
          const r = parseRange(attrs(m[0]).ref ?? '');
          if (!r) continue;
          if (r.right > LIMITS.maxColumns) throw tooLarge('columns', r.right, LIMITS.maxColumns);
          merges.push(r);
          if (merges.length > LIMITS.xlsxMaxMerges) throw tooLarge('merged ranges', merges.length, LIMITS.xlsxMaxMerges);
        }
      }
    }
  } catch (err) {
    stream.destroy();
    if (err instanceof Error && /too many bytes|uncompressedSize|invalid/i.test(err.message) && !('status' in err)) {
      throw ingestError('XLSX_ZIP_BOMB', { file }, { entry: sheet.path, size: entry.uncompressedSize, ratio: '?' });
    }
    throw err;
  }
  return { merges, dimCols };
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');
const DATE_FMT = /[ymdhs]/i;
const isDateFormat = (fmt: string | undefined) => !!fmt && DATE_FMT.test(fmt.replace(/"[^"]*"|\[[^\]]*\]|\\./g, ''));

/** Excel serial day number (1900 system) → JS Date (UTC). */
const excelDate = (serial: number, date1904: boolean) => new Date(Math.round((serial - (date1904 ? -1462 : 25569)) * 86400000));

function dateText(d: Date): string {
  if (Number.isNaN(d.getTime())) return '';
  const day = `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
  const ms = d.getTime() % 86400000;
  return ms === 0 ? day : `${day} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
}

type CellLike = { value: unknown; numFmt?: string };

/** A cell as staging text (null when empty). */
export function cellText(cell: CellLike, date1904 = false): string | null {
  const v = cell.value;
  if (v === null || v === undefined) return null;
  if (typeof v === 'string') return v === '' ? null : v;
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : null;
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (v instanceof Date) return dateText(v) || null;
  if (typeof v === 'object') {
    const o = v as Record<string, unknown>;
    if (Array.isArray(o.richText)) return (o.richText as { text?: string }[]).map((r) => r.text ?? '').join('') || null;
    if ('formula' in o || 'sharedFormula' in o) {
      const r = o.result;
      if (typeof r === 'number' && isDateFormat(cell.numFmt)) return dateText(excelDate(r, date1904)) || null;
      if (r && typeof r === 'object' && 'error' in (r as object)) return String((r as { error: unknown }).error);
      return cellText({ value: r, numFmt: cell.numFmt }, date1904);
    }
    if ('error' in o) return String(o.error);
    if ('text' in o) return cellText({ value: o.text }, date1904);
  }
  return String(v);
}

interface SheetRow {
  number: number;
  /** 1-based column → text. */
  cells: Map<number, string>;
  width: number;
}

export async function stageXlsx(
  engine: DuckEngine,
  input: { path: string; fileName: string },
  out: string,
  opts: StageOptions,
  onProgress?: ProgressFn,
): Promise<StageResult> {
  const file = input.fileName;
  const warnings = new Set<string>();
  const wb = await openWorkbook(input.path, file);
  let sheet: SheetInfo;
  let merges: Merge[];
  let dimCols: number;
  try {
    sheet = chooseSheet(wb.sheets, opts.sheet, file);
    ({ merges, dimCols } = await scanSheet(wb, sheet, file));
    // exceljs holds the shared strings in memory: inflate them once here, where yauzl checks the real size
    // against the declared (and limited) one.
    const shared = wb.entries.get('xl/sharedStrings.xml');
    if (shared) {
      try {
        for await (const _ of await wb.zip.openReadStreamPromise(shared)) void _;
      } catch (err) {
        throw ingestError(
          'XLSX_ZIP_BOMB',
          { file },
          { entry: shared.fileName, size: shared.uncompressedSize, ratio: '?' },
          { reason: (err as Error).message },
        );
      }
    }
  } finally {
    wb.zip.close();
  }

  const reader = new SafeWorkbookReader(input.path, {
    worksheets: 'emit',
    sharedStrings: 'cache',
    styles: 'cache',
    hyperlinks: 'ignore',
    entries: 'ignore',
  });
  const date1904 = () => Boolean((reader as unknown as { properties?: { model?: { date1904?: boolean } } }).properties?.model?.date1904);

  let con: DuckDBConnection | undefined;
  const table = `xlsx_${Math.random().toString(36).slice(2, 10)}`;
  let appender: Awaited<ReturnType<DuckDBConnection['createAppender']>> | undefined;
  let columns: string[] | undefined;
  let width = 0;
  let rows = 0;
  const rejected: BadRow[] = [];
  let rejectedCount = 0;
  const buffered: SheetRow[] = [];
  let headerEnd = 0;
  // Data-area merges, by top row; `active` holds those covering the current row with their top-left value.
  let pendingMerges: Merge[] = [];
  let active: { m: Merge; value: string | null }[] = [];

  const setupHeader = async () => {
    let start = 0;
    if (opts.header !== false) {
      while (start < 3 && start + 1 < buffered.length && buffered[start]!.cells.size === 1 && buffered[start + 1]!.cells.size >= 2) {
        start++;
        warnings.add('XLSX_TITLE_ROWS_SKIPPED');
      }
    }
    const h = buffered[start];
    if (!h) throw ingestError('FILE_NO_COLUMNS', { file });
    let names: (string | null)[];
    if (opts.header === false) {
      width = Math.max(dimCols, ...buffered.map((r) => r.width), 0);
      names = Array.from({ length: width }, () => null);
      headerEnd = h.number - 1;
    } else {
      const hr = h.number;
      const covering = (row: number, col: number) => merges.find((m) => m.top <= row && m.bottom >= row && m.left <= col && m.right >= col);
      const twoRow = merges.some((m) => m.top === hr && m.right > m.left) && buffered[start + 1]?.number === hr + 1;
      const rowsUsed = twoRow ? [hr, hr + 1] : [hr];
      width = Math.max(
        h.width,
        twoRow ? buffered[start + 1]!.width : 0,
        ...merges.filter((m) => m.top <= rowsUsed[rowsUsed.length - 1]! && m.bottom >= hr).map((m) => m.right),
      );
      const valueAt = (row: number, col: number): string | null => {
        const r = buffered.find((b) => b.number === row);
        const m = covering(row, col);
        if (m) return buffered.find((b) => b.number === m.top)?.cells.get(m.left) ?? null;
        return r?.cells.get(col) ?? null;
      };
      names = Array.from({ length: width }, (_, i) => {
        const col = i + 1;
        const top = valueAt(hr, col)?.trim() ?? '';
        if (!twoRow) return top;
        const mTop = covering(hr, col);
        const down = mTop && mTop.bottom >= hr + 1;
        const bottom = down ? '' : (valueAt(hr + 1, col)?.trim() ?? '');
        return [top, bottom].filter((p, k, a) => p !== '' && (k === 0 || p !== a[0])).join('-');
      });
      if (twoRow) warnings.add('XLSX_TWO_ROW_HEADER');
      headerEnd = hr + rowsUsed.length - 1;
    }
    if (width === 0) throw ingestError('FILE_NO_COLUMNS', { file });
    columns =
      opts.header === false
        ? normalizeHeader(
            names.map(() => ''),
            file,
          )
        : normalizeHeader(names, file);
    pendingMerges = merges.filter((m) => m.top > headerEnd).sort((a, b) => a.top - b.top);
    con = await engine.connect();
    await con.run(`CREATE TEMP TABLE ${table} (_row BIGINT, ${columns.map((_, i) => `c${i + 1} VARCHAR`).join(', ')})`);
    appender = await con.createAppender(table);
    const rest = buffered.splice(0).filter((r) => r.number > headerEnd);
    for (const r of rest) addRow(r);
  };

  const addRow = (r: SheetRow) => {
    // fill data-area merges
    active = active.filter((a) => a.m.bottom >= r.number);
    while (pendingMerges.length && pendingMerges[0]!.top <= r.number) {
      const m = pendingMerges.shift()!;
      if (m.bottom < r.number) continue;
      active.push({ m, value: m.top === r.number ? (r.cells.get(m.left) ?? null) : null });
    }
    for (const a of active) {
      if (a.value === null) continue;
      for (let c = a.m.left; c <= a.m.right; c++) {
        if (!(r.number === a.m.top && c === a.m.left) && !r.cells.has(c)) {
          r.cells.set(c, a.value);
          warnings.add('XLSX_MERGED_CELLS_FILLED');
        }
      }
    }
    if (r.cells.size === 0) return;
    const extra = [...r.cells.keys()].find((c) => c > width);
    if (extra !== undefined) {
      if ((opts.badRows ?? 'reject') === 'reject') throw ingestError('XLSX_ROW_EXTRA_VALUES', { file, row: r.number, column: extra });
      rejectedCount++;
      if (rejected.length < LIMITS.maxListedBadRows) {
        rejected.push({ row: r.number, column: String(extra), value: r.cells.get(extra) ?? null, reason: 'ROW_EXTRA_VALUES' });
      }
      return;
    }
    appender!.appendBigInt(BigInt(r.number));
    for (let c = 1; c <= width; c++) {
      const v = r.cells.get(c);
      if (v === undefined) appender!.appendNull();
      else appender!.appendVarchar(v);
    }
    appender!.endRow();
    rows++;
    if (rows % 10000 === 0) onProgress?.(rows);
  };

  try {
    let found = false;
    for await (const ws of reader) {
      const wsName = (ws as unknown as { name?: string }).name;
      if (wsName !== sheet.name) continue;
      found = true;
      for await (const row of ws) {
        if (row.number > LIMITS.xlsxMaxRows)
          throw ingestError('XLSX_TOO_LARGE', { file, row: row.number }, { what: 'rows', value: row.number, max: LIMITS.xlsxMaxRows });
        if (row.cellCount > LIMITS.maxColumns) {
          throw ingestError('XLSX_TOO_LARGE', { file, row: row.number }, { what: 'columns', value: row.cellCount, max: LIMITS.maxColumns });
        }
        const cells = new Map<number, string>();
        let w = 0;
        row.eachCell({ includeEmpty: false }, (cell, col) => {
          const t = cellText(cell as unknown as CellLike, date1904());
          if (t !== null) {
            cells.set(col, t);
            if (col > w) w = col;
          }
        });
        if (cells.size === 0 && !merges.some((m) => m.top <= row.number && m.bottom >= row.number)) continue;
        const r = { number: row.number, cells, width: w };
        if (!columns) {
          buffered.push(r);
          if (buffered.length >= 6) await setupHeader();
        } else addRow(r);
      }
      break;
    }
    if (!found) throw ingestError('XLSX_SHEET_NOT_FOUND', { file }, { sheet: sheet.name, sheets: wb.sheets.map((s) => s.name).join('、') });
    if (!columns) {
      if (buffered.length === 0) throw ingestError('FILE_NO_COLUMNS', { file });
      await setupHeader();
    }
    appender!.closeSync();
    appender = undefined;
    if (rows === 0) warnings.add('FILE_NO_ROWS');
    const sel = `SELECT _row, ${columns!.map((name, i) => `c${i + 1} AS ${quoteIdent(name)}`).join(', ')} FROM ${table}`;
    await copyToStaging(con!, sel, out);
    onProgress?.(rows);
    return { path: out, format: 'xlsx', columns: columns!, rows, warnings: [...warnings], rejected, rejectedCount };
  } catch (err) {
    await removeQuietly(out);
    if (
      err instanceof Error &&
      !('status' in err) &&
      /end of central directory|invalid signature|unexpected end|Corrupted zip/i.test(err.message)
    ) {
      throw ingestError('XLSX_INVALID', { file }, { reason: err.message });
    }
    throw err;
  } finally {
    (reader as unknown as { stream?: { destroy?: () => void } }).stream?.destroy?.();
    try {
      appender?.closeSync();
    } catch {
      /* already failed */
    }
    con?.closeSync();
  }
}
