// The shared XLSX reader: a worksheet stored before xl/workbook.xml (after the shared strings and the
// relations) is read with its name and values; exceljs's own reader fails on that order (CI failure of
// src/modules/catalog/bulk.test.ts, 2026-11-24: "Cannot read properties of undefined (reading 'sheets')").
// Chinese text across many zip chunks comes out whole. Worksheets stored before the shared strings are read
// whole, every time (exceljs's zip walk sometimes stopped after the first: "[object Object]" headers in a CI run).
import assert from 'node:assert/strict';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
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
  const sheets = await read(new SafeWorkbookReader(odd, OPTIONS));
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

test("worksheets stored before the shared strings: every sheet, every cell as text, in the workbook's order", async () => {
  // exceljs's writer stores the sheets before the shared strings and xl/workbook.xml, with data descriptors.
  // exceljs's stream reader copied such sheets to temporary files and sometimes stopped there: unzipper's Parse
  // ends its readable side once its input is written, and entries not yet taken from it were lost. Two local
  // runs of 2,400 such workbooks through the old reader lost the shared strings of 18 and of 1; this loop of
  // 320 catches that only sometimes. yauzl's random access never loses an entry.
  async function twoSheets(i: number): Promise<Buffer> {
    const wb = new ExcelJS.Workbook();
    wb.addWorksheet('资源').addRows([
      ['资源代码', '资源名称'],
      [`FR-${i}`, '个体工商户登记信息'],
    ]);
    wb.addWorksheet('信息项').addRows([
      ['资源代码', '信息项名称'],
      [`FR-${i}`, '姓名'],
    ]);
    return Buffer.from(await wb.xlsx.writeBuffer());
  }
  for (let batch = 0; batch < 40; batch++) {
    const files = await Promise.all(Array.from({ length: 8 }, (_, k) => twoSheets(batch * 8 + k)));
    for (const [k, file] of files.entries()) {
      const i = batch * 8 + k;
      const sheets = await read(new SafeWorkbookReader(file, OPTIONS));
      assert.deepEqual(sheets, [
        {
          name: '资源',
          rows: [
            ['资源代码', '资源名称'],
            [`FR-${i}`, '个体工商户登记信息'],
          ],
        },
        {
          name: '信息项',
          rows: [
            ['资源代码', '信息项名称'],
            [`FR-${i}`, '姓名'],
          ],
        },
      ]);
    }
  }
});

test('a workbook read from its file path; a sheet left unread does not stop the next one', async () => {
  const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'xlsx-reader-'));
  try {
    const wb = new ExcelJS.Workbook();
    wb.addWorksheet('第一页').addRows([['甲'], ['1']]);
    wb.addWorksheet('第二页').addRows([['乙'], ['2']]);
    const file = path.join(dir, 'book.xlsx');
    await wb.xlsx.writeFile(file);
    const names: string[] = [];
    const second: unknown[][] = [];
    for await (const ws of new SafeWorkbookReader(file, OPTIONS)) {
      names.push(ws.name);
      if (ws.name === '第二页') for await (const row of ws) second.push((row.values as unknown[]).slice(1));
    }
    assert.deepEqual(names, ['第一页', '第二页']);
    assert.deepEqual(second, [['乙'], ['2']]);
  } finally {
    await fsp.rm(dir, { recursive: true, force: true });
  }
});
