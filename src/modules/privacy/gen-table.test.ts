// The benchmark table generator (bench/gen-table.ts): its rows carry valid identifiers that agree with each
// other, and the three formats hold the same table.
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import { generateTable, TABLE_COLUMNS } from '../../../bench/gen-table.ts';
import { DuckEngine } from '../datasets/duckdb.ts';
import { isAddress, isIdNumber, isPersonName, isPhone } from './recognizers.ts';
import { scratchEngine } from '../../../test/duck.ts';

let root: string;
let engine: DuckEngine;
let close: () => Promise<void>;
before(async () => ({ root, engine, close } = await scratchEngine('shuyuan-gen-table-', { threads: 1 })));
after(() => close());

const ROWS = 500;

test('CSV: the columns, valid and consistent values, deterministic for a seed', async () => {
  const out = path.join(root, 'a.csv');
  const r = await generateTable({ rows: ROWS, seed: 9, out, format: 'csv', batch: 64 });
  assert.equal(r.rows, ROWS);
  const rows = await engine.json<Record<string, string>>(`SELECT * FROM read_csv($1, all_varchar = true, header = true)`, [out]);
  assert.equal(rows.length, ROWS);
  assert.deepEqual(Object.keys(rows[0]!), [...TABLE_COLUMNS]);
  for (const [i, row] of rows.entries()) {
    assert.equal(row['序号'], String(i + 1));
    assert.ok(isPersonName(row['姓名']!), row['姓名']);
    const id = row['身份证号']!;
    assert.ok(isIdNumber(id), id);
    assert.ok(isPhone(row['手机号']!), row['手机号']);
    assert.equal(row['性别'], Number(id[16]) % 2 === 1 ? '男' : '女');
    assert.equal(row['出生日期'], `${id.slice(6, 10)}-${id.slice(10, 12)}-${id.slice(12, 14)}`);
    assert.ok(isAddress(row['地址']!), row['地址']);
    assert.ok(row['地址']!.includes(row['所属区县']!));
    assert.match(row['登记日期']!, /^20(1[5-9]|2[0-5])-\d\d-\d\d$/);
    assert.match(row['金额']!, /^\d+\.\d{2}$/);
  }
  const bytesPerRow = r.bytes / ROWS;
  assert.ok(bytesPerRow > 120 && bytesPerRow < 180, `${bytesPerRow} bytes a row`);
  const again = path.join(root, 'b.csv');
  await generateTable({ rows: ROWS, seed: 9, out: again, format: 'csv' });
  assert.deepEqual(await fs.readFile(again), await fs.readFile(out), 'same seed, same bytes (whatever the batch size)');
  await generateTable({ rows: ROWS, seed: 10, out: again, format: 'csv' });
  assert.notDeepEqual(await fs.readFile(again), await fs.readFile(out));
});

test('GBK CSV and XLSX hold the same table as the UTF-8 CSV', async () => {
  const csv = path.join(root, 'c.csv');
  const gbk = path.join(root, 'c.gbk.csv');
  const xlsx = path.join(root, 'c.xlsx');
  await generateTable({ rows: ROWS, seed: 3, out: csv, format: 'csv' });
  await generateTable({ rows: ROWS, seed: 3, out: gbk, format: 'gbk-csv' });
  await generateTable({ rows: ROWS, seed: 3, out: xlsx, format: 'xlsx', batch: 100 });
  const text = await fs.readFile(csv, 'utf8');
  const gbkBytes = await fs.readFile(gbk);
  assert.notDeepEqual(gbkBytes, Buffer.from(text, 'utf8'), 'really GBK');
  assert.equal(iconv.decode(gbkBytes, 'gbk'), text);

  const wb = new ExcelJS.Workbook();
  await wb.xlsx.readFile(xlsx);
  const ws = wb.worksheets[0]!;
  assert.equal(ws.rowCount, ROWS + 1);
  const lines = text.trimEnd().split('\n');
  for (let r = 1; r <= ws.rowCount; r++) {
    const cells = (ws.getRow(r).values as unknown[]).slice(1).map((v) => (v == null ? '' : String(v)));
    const fromCsv = lines[r - 1]!.split(',');
    // Amounts are numbers in the spreadsheet: 12.50 there is 12.5.
    if (r > 1) fromCsv[9] = String(Number(fromCsv[9]));
    while (cells.length < fromCsv.length) cells.push('');
    assert.deepEqual(cells, fromCsv, `row ${r}`);
  }
});
