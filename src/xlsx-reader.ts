// One streaming XLSX reader for the catalog's bulk import and the data plane's ingest: exceljs 4.4.0's
// WorkbookReader parsers (workbook, relations, shared strings, styles, worksheet rows), fed from yauzl instead
// of exceljs's own zip walk. That walk has three defects:
//
// 1. It reads the zip as a stream (unzipper 0.10 through lib/utils/iterate-stream.js) and sometimes stops
//    after the first entry it copies to a temporary file, silently: the rest of the workbook (shared strings,
//    later sheets) is never read and text cells come out as `{ sharedString: n }` objects. Seen once as
//    "[object Object]" headers in CI (src/modules/catalog/bulk.test.ts, the permissions test); reproduced
//    locally in 1 of 130 to 1 of 2,400 workbooks written by exceljs's own writer.
// 2. It parses a worksheet as soon as the shared strings and the relations are known, before
//    xl/workbook.xml when the zip stores that later (the format fixes no order), and then fails ("Cannot read
//    properties of undefined (reading 'sheets')").
// 3. It decodes every zip chunk of an XML part on its own (lib/utils/parse-sax.js), which garbles a multi-byte
//    character (all of Chinese) that straddles two chunks.
//
// Here yauzl reads the central directory (random access: the order of entries in the file does not matter),
// then the parts are parsed in the order they depend on each other: relations, workbook, shared strings,
// styles, then the worksheets in the workbook's own sheet order. Every part is handed over as already-decoded
// strings. A worksheet's entry is only inflated when its rows are read.
import { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import ExcelJS from 'exceljs';
import yauzl from 'yauzl';

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

export type WorkbookReaderOptions = Partial<ExcelJS.stream.xlsx.WorkbookStreamReaderOptions>;
export type SheetRows = AsyncIterable<ExcelJS.Row> & { name: string };

interface ReaderInternals {
  options: WorkbookReaderOptions;
  model?: { sheets?: { rId: string }[] };
  workbookRels?: { Id: string; Target: string }[];
}
type ParseEvent = { eventType: string; value: unknown };
const StreamReader = ExcelJS.stream.xlsx.WorkbookReader as unknown as new (
  input: Buffer | string,
  options: WorkbookReaderOptions,
) => AsyncIterable<SheetRows>;
type Base = {
  _parseRels(entry: NodeJS.ReadableStream): Promise<void>;
  _parseWorkbook(entry: NodeJS.ReadableStream): Promise<void>;
  _parseStyles(entry: NodeJS.ReadableStream): Promise<void>;
  _parseSharedStrings(entry: NodeJS.ReadableStream): AsyncGenerator<ParseEvent>;
  _parseWorksheet(iterator: AsyncIterable<string>, sheetNo: string): Generator<ParseEvent>;
  _parseHyperlinks(iterator: AsyncIterable<string>, sheetNo: string): Generator<ParseEvent>;
};
const base = StreamReader.prototype as unknown as Base;

const SHEET_PATH = /^xl\/worksheets\/sheet(\d+)\.xml$/;

export class SafeWorkbookReader extends StreamReader {
  readonly #input: Buffer | string;

  /** `input`: the workbook's bytes or its file path. */
  constructor(input: Buffer | string, options: WorkbookReaderOptions) {
    super(input, options);
    this.#input = input;
  }

  async *parse(): AsyncGenerator<ParseEvent> {
    const self = this as unknown as ReaderInternals & Base;
    const opts = { lazyEntries: true, autoClose: false, validateEntrySizes: true, strictFileNames: false };
    const zip =
      typeof this.#input === 'string' ? await yauzl.openPromise(this.#input, opts) : await yauzl.fromBufferPromise(this.#input, opts);
    try {
      const entries = new Map<string, yauzl.Entry>();
      for await (const e of zip.eachEntry()) entries.set(e.fileName.replace(/^\//, ''), e);
      // A part's text, decoded across chunks; opened only when iterated.
      const text = (name: string): AsyncIterable<string> => ({
        async *[Symbol.asyncIterator]() {
          const entry = entries.get(name)!;
          yield* utf8Strings((await zip.openReadStreamPromise(entry)) as AsyncIterable<Buffer>);
        },
      });
      const stream = (name: string) => Readable.from(text(name));

      if (entries.has('xl/_rels/workbook.xml.rels')) await base._parseRels.call(self, stream('xl/_rels/workbook.xml.rels'));
      if (entries.has('xl/workbook.xml')) await base._parseWorkbook.call(self, stream('xl/workbook.xml'));
      if (entries.has('xl/sharedStrings.xml')) yield* base._parseSharedStrings.call(self, stream('xl/sharedStrings.xml'));
      if (entries.has('xl/styles.xml')) await base._parseStyles.call(self, stream('xl/styles.xml'));

      // Worksheets in the workbook's order (sheets → relation → part), then any part the workbook does not list.
      const sheetNos: string[] = [];
      for (const s of self.model?.sheets ?? []) {
        const target = self.workbookRels?.find((r) => r.Id === s.rId)?.Target.replace(/^\/?(xl\/)?/, '');
        const no = target && SHEET_PATH.exec(`xl/${target}`)?.[1];
        if (no && !sheetNos.includes(no) && entries.has(`xl/worksheets/sheet${no}.xml`)) sheetNos.push(no);
      }
      const rest = [...entries.keys()]
        .map((n) => SHEET_PATH.exec(n)?.[1])
        .filter((n): n is string => Boolean(n) && !sheetNos.includes(n!))
        .sort((a, b) => Number(a) - Number(b));
      for (const no of [...sheetNos, ...rest]) {
        const rels = `xl/worksheets/_rels/sheet${no}.xml.rels`;
        if (self.options.hyperlinks !== 'ignore' && entries.has(rels)) yield* base._parseHyperlinks.call(self, text(rels), no);
        yield* base._parseWorksheet.call(self, text(`xl/worksheets/sheet${no}.xml`), no);
      }
    } finally {
      zip.close();
    }
  }
}
