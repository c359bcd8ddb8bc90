// The shared XLSX reader: a worksheet stored before xl/workbook.xml (after the shared strings and the
// relations) is read with its name and values; exceljs's own reader fails on that order (CI failure of
// src/modules/catalog/bulk.test.ts, 2026-11-24: "Cannot read properties of undefined (reading 'sheets')").
// Chinese text across many zip chunks comes out whole.
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import ExcelJS from 'exceljs';
import JSZip from 'jszip';
import { SafeWorkbookReader } from './xlsx-reader.ts';

const LONG = '数据资源目录信息项'.repeat(2000);

async function workbook(): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('资源清单');
  ws.addRow(['资源名称', '说明']);
  for (let i = 0; i < 50; i++) ws.addRow([`市场主体登记信息${i}`, LONG]);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

/** The same zip with its entries in `first…` order, the rest after. */
async function reorder(buf: Buffer, first: string[]): Promise<Buffer> {
  const src = await JSZip.loadAsync(buf);
  const names = Object.keys(src.files).filter((n) => !src.files[n]!.dir);
  const order = [...first.filter((n) => names.includes(n)), ...names.filter((n) => !first.includes(n))];
  const out = new JSZip();
  for (const n of order) out.file(n, await src.files[n]!.async('nodebuffer'));
  return out.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE' });
}

async function read(reader: AsyncIterable<AsyncIterable<ExcelJS.Row> & { name: string }>) {
  const sheets: { name: string; rows: unknown[][] }[] = [];
  for await (const ws of reader) {
    const rows: unknown[][] = [];
    for await (const row of ws) rows.push((row.values as unknown[]).slice(1));
    sheets.push({ name: ws.name, rows });
  }
  return sheets;
}

const OPTIONS = { sharedStrings: 'cache', hyperlinks: 'ignore', styles: 'ignore', worksheets: 'emit', entries: 'ignore' } as const;

test('a worksheet stored before xl/workbook.xml is read with its name; Chinese across chunks stays whole', async () => {
  const odd = await reorder(await workbook(), [
    '[Content_Types].xml',
    '_rels/.rels',
    'xl/_rels/workbook.xml.rels',
    'xl/sharedStrings.xml',
    'xl/worksheets/sheet1.xml',
    'xl/workbook.xml',
  ]);
  const sheets = await read(new SafeWorkbookReader(Readable.from([odd]), OPTIONS));
  assert.equal(sheets.length, 1);
  assert.equal(sheets[0]!.name, '资源清单');
  assert.deepEqual(sheets[0]!.rows[0], ['资源名称', '说明']);
  assert.equal(sheets[0]!.rows.length, 51);
  assert.ok(
    sheets[0]!.rows.every((r, i) => i === 0 || r[1] === LONG),
    'every long Chinese cell is intact',
  );

  // exceljs's reader alone fails on this order (why the wrapper exists).
  const plain = new ExcelJS.stream.xlsx.WorkbookReader(Readable.from([odd]), OPTIONS);
  await assert.rejects(read(plain as unknown as AsyncIterable<AsyncIterable<ExcelJS.Row> & { name: string }>), /sheets/);
});
