// What a file really is: its type from magic bytes and content (compared with its extension) and, for text,
// its encoding (BOM → UTF-8; valid UTF-8 → UTF-8; else valid GB18030 → GB18030; else an error naming the line).
import { isUtf8 } from 'node:buffer';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { ingestError, LIMITS, type StageFormat } from './common.ts';

export type Family = 'text' | 'xlsx' | 'json' | 'parquet';
export type DetectedKind = 'empty' | 'zip' | 'parquet' | 'xls' | 'gzip' | 'pdf' | 'binary' | 'utf16' | 'json' | 'ndjson' | 'text';
export type TextEncoding = 'utf-8' | 'gbk' | 'gb18030';

export interface Head {
  head: Buffer;
  size: number;
  /** The file is longer than `head`. */
  truncated: boolean;
}

export async function readHead(file: string, bytes: number = LIMITS.sampleBytes): Promise<Head> {
  const fd = await fsp.open(file, 'r');
  try {
    const { size } = await fd.stat();
    const buf = Buffer.alloc(Math.min(bytes, size));
    let off = 0;
    while (off < buf.length) {
      const { bytesRead } = await fd.read(buf, off, buf.length - off, off);
      if (bytesRead === 0) break;
      off += bytesRead;
    }
    return { head: buf.subarray(0, off), size, truncated: size > off };
  } finally {
    await fd.close();
  }
}

const KIND_NAMES: Record<DetectedKind, string> = {
  empty: 'empty',
  zip: 'ZIP/XLSX',
  parquet: 'Parquet',
  xls: 'XLS (Excel 97-2003)',
  gzip: 'gzip',
  pdf: 'PDF',
  binary: 'binary data',
  utf16: 'UTF-16 text',
  json: 'JSON',
  ndjson: 'NDJSON',
  text: 'text (CSV)',
};

const startsWith = (buf: Buffer, bytes: number[]) => bytes.every((b, i) => buf[i] === b);

/** The type a file's bytes say it has. */
export function sniffKind(head: Buffer): DetectedKind {
  if (head.length === 0) return 'empty';
  if (startsWith(head, [0x50, 0x4b, 0x03, 0x04]) || startsWith(head, [0x50, 0x4b, 0x05, 0x06])) return 'zip';
  if (startsWith(head, [0x50, 0x41, 0x52, 0x31])) return 'parquet';
  if (startsWith(head, [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1])) return 'xls';
  if (startsWith(head, [0x1f, 0x8b])) return 'gzip';
  if (startsWith(head, [0x25, 0x50, 0x44, 0x46])) return 'pdf';
  if (startsWith(head, [0xff, 0xfe]) || startsWith(head, [0xfe, 0xff])) return 'utf16';
  const probe = head.subarray(0, 65536);
  if (probe.includes(0)) return 'binary';
  let i = startsWith(head, [0xef, 0xbb, 0xbf]) ? 3 : 0;
  while (i < head.length && (head[i] === 0x20 || head[i] === 0x09 || head[i] === 0x0a || head[i] === 0x0d)) i++;
  if (i >= head.length) return 'empty';
  const c = head[i];
  if (c === 0x5b /* [ */) {
    let j = i + 1;
    while (j < head.length && (head[j] === 0x20 || head[j] === 0x09 || head[j] === 0x0a || head[j] === 0x0d)) j++;
    const n = head[j];
    // `[` then an object, an array, the end or a JSON scalar: JSON. `[id],name` stays text.
    if (j >= head.length || n === 0x7b || n === 0x5b || n === 0x5d || n === 0x22 || (n! >= 0x30 && n! <= 0x39) || n === 0x2d) return 'json';
    return 'text';
  }
  if (c === 0x7b /* { */) {
    const nl = head.indexOf(0x0a, i);
    const first = head
      .subarray(i, nl === -1 ? head.length : nl)
      .toString('utf8')
      .trim();
    try {
      JSON.parse(first);
      return 'ndjson';
    } catch {
      return 'json';
    }
  }
  return 'text';
}

const EXTENSIONS: Record<string, { family: Family; format: StageFormat }> = {
  csv: { family: 'text', format: 'csv' },
  txt: { family: 'text', format: 'csv' },
  tsv: { family: 'text', format: 'tsv' },
  tab: { family: 'text', format: 'tsv' },
  xlsx: { family: 'xlsx', format: 'xlsx' },
  json: { family: 'json', format: 'json' },
  ndjson: { family: 'json', format: 'ndjson' },
  jsonl: { family: 'json', format: 'ndjson' },
  parquet: { family: 'parquet', format: 'parquet' },
};

const KIND_FAMILY: Partial<Record<DetectedKind, Family>> = {
  zip: 'xlsx',
  parquet: 'parquet',
  json: 'json',
  ndjson: 'json',
  text: 'text',
  utf16: 'text',
};

export interface FileType {
  family: Family;
  /** From the extension; refined by the reader (tsv when the delimiter is a tab, ndjson when the content is). */
  format: StageFormat;
  kind: DetectedKind;
  extension: string;
}

/** The file's type: its extension must be one we read and its content must agree. */
export function checkFileType(fileName: string, head: Head): FileType {
  const file = fileName;
  const extension = path.extname(fileName).slice(1).toLowerCase();
  const byExt = EXTENSIONS[extension];
  if (!byExt) throw ingestError('FILE_TYPE_UNSUPPORTED', { file }, { extension });
  const kind = sniffKind(head.head);
  if (kind === 'empty') throw ingestError('FILE_EMPTY', { file });
  const family = KIND_FAMILY[kind];
  // A text file may legitimately start with `[` or `{`? Only JSON does; a .csv holding JSON is a mismatch.
  if (family !== byExt.family) throw ingestError('FILE_TYPE_MISMATCH', { file }, { extension, detected: KIND_NAMES[kind] });
  return { family, format: byExt.format === 'json' && kind === 'ndjson' ? 'ndjson' : byExt.format, kind, extension };
}

/** Offset of the first byte that is not valid UTF-8, or -1. An incomplete sequence at the end of a truncated sample is not an error. */
export function firstInvalidUtf8(buf: Buffer, truncated: boolean): number {
  let i = 0;
  const n = buf.length;
  while (i < n) {
    const b = buf[i]!;
    if (b < 0x80) {
      i++;
      continue;
    }
    let need: number;
    let min: number;
    if (b >= 0xc2 && b <= 0xdf) [need, min] = [1, 0x80];
    else if (b >= 0xe0 && b <= 0xef) [need, min] = [2, 0x800];
    else if (b >= 0xf0 && b <= 0xf4) [need, min] = [3, 0x10000];
    else return i;
    let cp = b & (need === 1 ? 0x1f : need === 2 ? 0x0f : 0x07);
    for (let k = 1; k <= need; k++) {
      if (i + k >= n) return truncated ? -1 : i;
      const c = buf[i + k]!;
      if ((c & 0xc0) !== 0x80) return i;
      cp = (cp << 6) | (c & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return i;
    i += need + 1;
  }
  return -1;
}

/**
 * Structural GB18030 (or GBK, without four-byte sequences) validation, chunk by chunk. `push` returns the
 * absolute offset of the first invalid byte, or -1; `end` reports a sequence cut off by the end of the file.
 */
export class GbValidator {
  private pending: number[] = [];
  private offset = 0;
  /** 1-based line of the current position. */
  line = 1;
  /** Line of the first invalid byte (valid after push/end returned ≥ 0). */
  badLine = 1;

  constructor(private readonly fourByte: boolean) {}

  push(chunk: Buffer): number {
    const data = this.pending.length ? Buffer.concat([Buffer.from(this.pending), chunk]) : chunk;
    const base = this.offset - this.pending.length;
    this.pending = [];
    let i = 0;
    const n = data.length;
    while (i < n) {
      const b = data[i]!;
      if (b < 0x80) {
        if (b === 0x0a) this.line++;
        i++;
        continue;
      }
      if (b === 0x80 || b === 0xff) return this.bad(base + i);
      if (i + 1 >= n) break;
      const b2 = data[i + 1]!;
      if ((b2 >= 0x40 && b2 <= 0x7e) || (b2 >= 0x80 && b2 <= 0xfe)) {
        i += 2;
        continue;
      }
      if (this.fourByte && b2 >= 0x30 && b2 <= 0x39) {
        if (i + 3 >= n) break;
        const b3 = data[i + 2]!;
        const b4 = data[i + 3]!;
        if (b3 >= 0x81 && b3 <= 0xfe && b4 >= 0x30 && b4 <= 0x39) {
          i += 4;
          continue;
        }
      }
      return this.bad(base + i);
    }
    for (let k = i; k < n; k++) this.pending.push(data[k]!);
    this.offset = base + n;
    return -1;
  }

  end(): number {
    return this.pending.length ? this.bad(this.offset - this.pending.length) : -1;
  }

  private bad(offset: number): number {
    this.badLine = this.line;
    return offset;
  }
}

const lineAt = (buf: Buffer, offset: number) => {
  let line = 1;
  let p = buf.indexOf(0x0a);
  while (p !== -1 && p < offset) {
    line++;
    p = buf.indexOf(0x0a, p + 1);
  }
  return line;
};

export interface Encoding {
  encoding: TextEncoding;
  bom: boolean;
}

/** The text encoding of a file from its first bytes (see the module comment); `override` wins. */
export function detectEncoding(file: string, head: Head, override?: TextEncoding): Encoding {
  const buf = head.head;
  const bom = startsWith(buf, [0xef, 0xbb, 0xbf]);
  if (override) return { encoding: override, bom: override === 'utf-8' && bom };
  if (bom) return { encoding: 'utf-8', bom: true };
  if (startsWith(buf, [0xff, 0xfe]) || startsWith(buf, [0xfe, 0xff]))
    throw ingestError('ENCODING_UNSUPPORTED', { file }, { encoding: 'UTF-16' });
  if (isUtf8(buf)) return { encoding: 'utf-8', bom: false };
  const utf8Bad = firstInvalidUtf8(buf, head.truncated);
  if (utf8Bad === -1) return { encoding: 'utf-8', bom: false };
  const gb = new GbValidator(true);
  let gbBad = gb.push(buf);
  if (gbBad === -1 && !head.truncated) gbBad = gb.end();
  if (gbBad === -1) return { encoding: 'gb18030', bom: false };
  // Neither: report where the encoding that got further failed (it is most likely the intended one).
  const [offset, encoding] = utf8Bad >= gbBad ? [utf8Bad, 'UTF-8'] : [gbBad, 'GB18030'];
  throw ingestError('ENCODING_UNDECODABLE', { file, line: lineAt(buf, offset) }, { offset, encoding });
}
