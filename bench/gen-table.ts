// Synthetic government-style tables for the data-plane benchmarks (ingest, inference, quality, reads): a
// household-registration-like table of people with valid IDs, phones and addresses from the privacy module's
// seeded generators, streamed to disk so a million rows never sit in memory (~150 bytes a row in UTF-8 CSV:
// 1M rows ≈ 150 MB).
//
//   node --import tsx bench/gen-table.ts --rows 1000000 --format csv --out /tmp/x.csv [--seed 1]
//   npm run bench -- gen-table        (generation throughput of each format, 100,000 rows, temp files)
//
// Formats: 'csv' (UTF-8, no BOM, RFC 4180 quoting), 'gbk-csv' (the same text in GBK via iconv-lite, as many
// departments' exports are), 'xlsx' (exceljs streaming WorkbookWriter, inline strings, no styles).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import { address, createRng, DISTRICT_NAMES, idNumber, int, personName, pick, type Rng } from '../src/modules/privacy/synthetic.ts';

export const TABLE_COLUMNS = [
  '序号',
  '姓名',
  '身份证号',
  '手机号',
  '性别',
  '出生日期',
  '地址',
  '所属区县',
  '登记日期',
  '金额',
  '状态',
  '备注',
] as const;
export type TableFormat = 'csv' | 'gbk-csv' | 'xlsx';
export type TableRow = [number, string, string, string, string, string, string, string, string, number, string, string];

const STREETS = ['人民', '解放', '建设', '和平', '中山', '文化', '新华', '光明', '胜利', '长江', '黄河', '学府'];
const STATUSES = ['正常', '正常', '正常', '正常', '已办结', '待审核', '注销'];
const REMARKS = ['材料齐全', '已电话回访', '补充材料后办结', '地址待核实', '本人到场办理'];
const MOBILE_HEADS = ['130', '135', '136', '138', '139', '150', '151', '158', '159', '177', '186', '187', '188', '189', '199'];
const pad = (n: number, w: number) => String(n).padStart(w, '0');

/** Row `i` (1-based) of the table for a PRNG; gender and birth date agree with the ID number. */
export function tableRow(rng: Rng, i: number): TableRow {
  const sex = rng() < 0.5 ? 'male' : 'female';
  const id = idNumber(rng, { sex });
  const district = pick(rng, DISTRICT_NAMES);
  // A shorter street address than synthetic.address() (no province, no unit): keeps rows near 150 bytes.
  const addr = rng() < 0.2 ? address(rng) : `示范市${district}${pick(rng, STREETS)}路${int(rng, 1, 999)}号`;
  const reg = new Date(Date.UTC(2015, 0, 1) + int(rng, 0, 3652) * 86_400_000).toISOString().slice(0, 10);
  const mobile = pick(rng, MOBILE_HEADS) + pad(int(rng, 0, 99_999_999), 8);
  return [
    i,
    personName(rng),
    id,
    mobile,
    sex === 'male' ? '男' : '女',
    `${id.slice(6, 10)}-${id.slice(10, 12)}-${id.slice(12, 14)}`,
    addr,
    addr.startsWith('示范市') ? district : addr.slice(6, 9),
    reg,
    Math.round(rng() * 5_000_000) / 100,
    pick(rng, STATUSES),
    rng() < 0.3 ? pick(rng, REMARKS) : '',
  ];
}

function csvField(v: string | number): string {
  if (typeof v === 'number') return String(v);
  return /[",\r\n]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v;
}

function csvLine(row: TableRow): string {
  return (
    [row[0], row[1], row[2], row[3], row[4], row[5], row[6], row[7], row[8]].map(csvField).join(',') +
    `,${row[9].toFixed(2)},${csvField(row[10])},${csvField(row[11])}\n`
  );
}

export interface GenerateOptions {
  rows: number;
  seed?: number;
  out: string;
  format: TableFormat;
  /** Rows per write (default 2000). */
  batch?: number;
}

/** Bytes the XLSX sheet stream has written into the zip streams that they have not processed yet. */
const MAX_BACKLOG = 16 * 1024 * 1024;
function zipBacklog(ws: ExcelJS.Worksheet): number {
  // exceljs internals: WorksheetWriter.stream is a StreamBuf piping into the archiver's entry streams
  // (readable-stream PassThroughs). 0 if that changes: then there is no throttling, nothing breaks.
  type State = { length?: number };
  const pipes = (ws as unknown as { stream?: { pipes?: { _writableState?: State; _readableState?: State }[] } }).stream?.pipes ?? [];
  return pipes.reduce((sum, p) => sum + (p._writableState?.length ?? 0) + (p._readableState?.length ?? 0), 0);
}

async function write(stream: fs.WriteStream, chunk: string | Buffer): Promise<void> {
  if (!stream.write(chunk)) await new Promise<void>((resolve) => stream.once('drain', resolve));
}

/** Writes the table to `out`, streaming; returns the rows written and the file size. */
export async function generateTable(opts: GenerateOptions): Promise<{ path: string; rows: number; bytes: number }> {
  if (!Number.isInteger(opts.rows) || opts.rows < 0) throw new RangeError('rows must be a non-negative integer');
  const rng = createRng(opts.seed ?? 1);
  const batch = opts.batch ?? 2000;
  await fs.promises.mkdir(path.dirname(path.resolve(opts.out)), { recursive: true });

  if (opts.format === 'xlsx') {
    const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: opts.out, useSharedStrings: false, useStyles: false });
    const ws = wb.addWorksheet('数据');
    ws.addRow([...TABLE_COLUMNS]).commit();
    for (let i = 1; i <= opts.rows; i++) {
      ws.addRow(tableRow(rng, i)).commit();
      // exceljs hands committed rows to the zip stream without backpressure; wait while its input backs up.
      if (i % batch === 0) {
        await new Promise((r) => setImmediate(r));
        while (zipBacklog(ws) > MAX_BACKLOG) await new Promise((r) => setTimeout(r, 5));
      }
    }
    ws.commit();
    await wb.commit();
  } else {
    const stream = fs.createWriteStream(opts.out);
    const closed = new Promise<void>((resolve, reject) => {
      stream.once('close', resolve);
      stream.once('error', reject);
    });
    const encode = (s: string): string | Buffer => (opts.format === 'gbk-csv' ? iconv.encode(s, 'gbk') : s);
    await write(stream, encode(TABLE_COLUMNS.join(',') + '\n'));
    let buf = '';
    for (let i = 1; i <= opts.rows; i++) {
      buf += csvLine(tableRow(rng, i));
      if (i % batch === 0) {
        await write(stream, encode(buf));
        buf = '';
      }
    }
    if (buf) await write(stream, encode(buf));
    stream.end();
    await closed;
  }
  return { path: opts.out, rows: opts.rows, bytes: (await fs.promises.stat(opts.out)).size };
}

/** `npm run bench -- gen-table`: generation throughput per format (100,000 rows into temp files, removed). */
export async function run(): Promise<void> {
  const dir = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'shuyuan-gen-table-'));
  try {
    for (const format of ['csv', 'gbk-csv', 'xlsx'] as const) {
      const t = performance.now();
      const r = await generateTable({ rows: 100_000, seed: 1, out: path.join(dir, `t.${format}`), format });
      const s = (performance.now() - t) / 1000;
      console.log(
        `${format}: ${r.rows} rows, ${(r.bytes / 1e6).toFixed(1)} MB (${(r.bytes / r.rows).toFixed(0)} B/row) in ${s.toFixed(1)} s`,
      );
    }
  } finally {
    await fs.promises.rm(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const { values } = parseArgs({
    options: {
      rows: { type: 'string', default: '1000' },
      seed: { type: 'string', default: '1' },
      format: { type: 'string', default: 'csv' },
      out: { type: 'string' },
    },
  });
  const format = values.format as TableFormat;
  if (!['csv', 'gbk-csv', 'xlsx'].includes(format) || !values.out) {
    console.error('usage: node --import tsx bench/gen-table.ts --rows N --format csv|gbk-csv|xlsx --out FILE [--seed S]');
    process.exit(2);
  }
  const t = performance.now();
  const r = await generateTable({ rows: Number(values.rows), seed: Number(values.seed), out: values.out, format });
  console.log(`${r.path}: ${r.rows} rows, ${r.bytes} bytes in ${((performance.now() - t) / 1000).toFixed(1)} s`);
}
