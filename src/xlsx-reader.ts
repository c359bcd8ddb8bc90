// One streaming XLSX reader for the catalog's bulk import and the data plane's ingest: exceljs 4.4.0's
// WorkbookReader with two defects worked around.
//
// 1. It decodes every zip chunk of an XML part on its own (lib/utils/parse-sax.js), which garbles a multi-byte
//    character (all of Chinese) that straddles two chunks. This reader hands it already-decoded strings
//    (it passes strings through untouched).
// 2. It parses a worksheet at once when the shared strings and the workbook relations are known, else later
//    from a temporary file. A worksheet stored in the zip after those two but before xl/workbook.xml (the
//    XLSX format fixes no order; exceljs's own writer produces it under load) meets an undefined workbook
//    model and fails ("Cannot read properties of undefined (reading 'sheets')"). Here the relations count as
//    known only once the workbook is parsed, so such a worksheet takes the later path.
import { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import ExcelJS from 'exceljs';

/** Decodes UTF-8 across chunk boundaries (a character split between two chunks stays whole). */
export async function* utf8Strings(chunks: AsyncIterable<Buffer | string>): AsyncGenerator<string> {
  const decoder = new StringDecoder('utf8');
  for await (const c of chunks) {
    const s = typeof c === 'string' ? c : decoder.write(c);
    if (s) yield s;
  }
  const rest = decoder.end();
  if (rest) yield rest;
}

type ZipEntry = NodeJS.ReadableStream & { autodrain(): unknown };
function utf8Entry(entry: ZipEntry): NodeJS.ReadableStream {
  return Readable.from(utf8Strings(entry as unknown as AsyncIterable<Buffer>));
}

export type WorkbookReaderOptions = Partial<ExcelJS.stream.xlsx.WorkbookStreamReaderOptions>;
export type SheetRows = AsyncIterable<ExcelJS.Row> & { name: string };

const StreamReader = ExcelJS.stream.xlsx.WorkbookReader as unknown as new (
  input: NodeJS.ReadableStream | string,
  options: WorkbookReaderOptions,
) => AsyncIterable<SheetRows>;
type Base = Record<string, (...args: unknown[]) => unknown>;
const base = StreamReader.prototype as unknown as Base;

export class SafeWorkbookReader extends StreamReader {
  #rels: unknown;

  get workbookRels(): unknown {
    return (this as unknown as { model?: unknown }).model ? this.#rels : undefined;
  }
  set workbookRels(v: unknown) {
    this.#rels = v;
  }

  _parseWorksheet(iterator: AsyncIterable<Buffer>, sheetNo: string) {
    // A generator: its body runs when the sheet is read, after the gate above let it through (model known).
    return base._parseWorksheet!.call(this, utf8Strings(iterator), sheetNo);
  }
  _parseSharedStrings(entry: ZipEntry) {
    return base._parseSharedStrings!.call(this, utf8Entry(entry));
  }
  _parseWorkbook(entry: ZipEntry) {
    return base._parseWorkbook!.call(this, utf8Entry(entry));
  }
  _parseRels(entry: ZipEntry) {
    return base._parseRels!.call(this, utf8Entry(entry));
  }
}
