// File → staging on real files written to a temp dir (CSV in UTF-8/GBK, TSV, XLSX built with exceljs, zip bombs
// and crafted workbooks built by hand, JSON, NDJSON, Parquet written by DuckDB) through a real locked-down DuckDB.
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { after, before, describe, test } from 'node:test';
import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import { AppError } from '../../errors.ts';
import { translate } from '../../i18n/messages.ts';
import { DuckEngine, quoteLiteral } from './duckdb.ts';
import { listSheets, stageFile, stagingInfo, type StageOptions, type StageResult } from './ingest/index.ts';
import { composeBreaks } from './ingest/csv.ts';

let root: string;
let inDir: string;
let outDir: string;
let engine: DuckEngine;

before(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'shuyuan-ingest-'));
  inDir = path.join(root, 'in');
  outDir = path.join(root, 'out');
  await fs.mkdir(inDir);
  await fs.mkdir(outDir);
  engine = await DuckEngine.open({ allowedDirs: [root], tempDir: path.join(root, 'tmp'), memoryLimit: '256MB', threads: 2 });
});
after(async () => {
  engine.close();
  await fs.rm(root, { recursive: true, force: true });
});

let seq = 0;
async function put(name: string, content: string | Buffer): Promise<string> {
  const dir = path.join(inDir, String(++seq));
  await fs.mkdir(dir);
  const p = path.join(dir, name);
  await fs.writeFile(p, content);
  return p;
}

const outFor = (name: string) => path.join(outDir, `${++seq}-${name}.parquet`);

async function stage(name: string, content: string | Buffer, opts?: StageOptions, onProgress?: (n: number) => void) {
  const p = await put(name, content);
  const out = outFor(name);
  const result = await stageFile(engine, { path: p, fileName: name }, out, opts, onProgress);
  return { result, out };
}

/** Staging rows as [_row, ...values] arrays. */
async function staged(out: string): Promise<{ columns: string[]; rows: unknown[][] }> {
  const info = await stagingInfo(engine, out);
  const con = await engine.connect();
  try {
    const r = await con.runAndReadAll(
      `SELECT ${info.rowExpr}::INTEGER AS _row, * EXCLUDE (${info.rowExpr === '"_row"' ? '_row' : 'file_row_number'}) FROM ${info.from}`,
    );
    return { columns: info.columns, rows: r.getRowsJS() as unknown[][] };
  } finally {
    con.closeSync();
  }
}

/** The ingest fails with `code` at `place`, and nothing is left in the output directory. */
async function rejects(name: string, content: string | Buffer, code: string, place: Record<string, unknown> = {}, opts?: StageOptions) {
  const before = await fs.readdir(outDir);
  const p = await put(name, content);
  const out = outFor(name);
  let caught: unknown;
  try {
    await stageFile(engine, { path: p, fileName: name }, out, opts);
  } catch (err) {
    caught = err;
  }
  assert.ok(caught instanceof AppError, `expected AppError ${code}, got ${String(caught)}`);
  assert.equal(caught.code, code, JSON.stringify(caught.params));
  assert.equal(caught.status, 400);
  assert.equal(caught.params.file, name);
  for (const [k, v] of Object.entries(place)) assert.deepEqual(caught.params[k], v, `${k} in ${JSON.stringify(caught.params)}`);
  assert.deepEqual(await fs.readdir(outDir), before, 'nothing left behind');
  // The message names the place in both languages.
  const zh = translate(code, 'zh-CN', caught.params);
  assert.doesNotMatch(zh, /\{\w+\}/, zh);
  assert.doesNotMatch(translate(code, 'en', caught.params), /\{\w+\}/);
  return caught;
}

// ------------------------------------------------------------------------------------------ a minimal zip writer

function zip(entries: { name: string; data: Buffer; store?: boolean; declaredSize?: number }[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const name = Buffer.from(e.name, 'utf8');
    const body = e.store ? e.data : zlib.deflateRawSync(e.data, { level: 9 });
    const crc = zlib.crc32(e.data);
    const size = e.declaredSize ?? e.data.length;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x0800, 6); // UTF-8 names
    local.writeUInt16LE(e.store ? 0 : 8, 8);
    local.writeUInt16LE(0, 10);
    local.writeUInt16LE(0x21, 12);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(body.length, 18);
    local.writeUInt32LE(size, 22);
    local.writeUInt16LE(name.length, 26);
    local.writeUInt16LE(0, 28);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x0800, 8);
    central.writeUInt16LE(e.store ? 0 : 8, 10);
    central.writeUInt16LE(0, 12);
    central.writeUInt16LE(0x21, 14);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(body.length, 20);
    central.writeUInt32LE(size, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, body);
    centrals.push(central, name);
    offset += local.length + name.length + body.length;
  }
  const cd = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, end]);
}

/** A hand-made workbook with one sheet whose XML is `sheetXml` (or given as raw bytes). */
function workbook(sheet: {
  xml?: string;
  data?: Buffer;
  declaredSize?: number;
  extra?: { name: string; data: Buffer; declaredSize?: number }[];
}): Buffer {
  const x = (s: string) => Buffer.from(s, 'utf8');
  return zip([
    {
      name: '[Content_Types].xml',
      data: x(
        '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">' +
          '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>' +
          '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>' +
          '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>',
      ),
    },
    {
      name: '_rels/.rels',
      data: x(
        '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">' +
          '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>',
      ),
    },
    {
      name: 'xl/workbook.xml',
      data: x(
        '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" ' +
          'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="数据" sheetId="1" r:id="rId1"/></sheets></workbook>',
      ),
    },
    {
      name: 'xl/_rels/workbook.xml.rels',
      data: x(
        '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">' +
          '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>',
      ),
    },
    { name: 'xl/worksheets/sheet1.xml', data: sheet.data ?? x(sheet.xml!), declaredSize: sheet.declaredSize },
    ...(sheet.extra ?? []),
  ]);
}

const sheetXml = (body: string, dimension?: string) =>
  `<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">` +
  `${dimension ? `<dimension ref="${dimension}"/>` : ''}<sheetData>${body}</sheetData></worksheet>`;

// ------------------------------------------------------------------------------------------ CSV

describe('CSV', () => {
  test('UTF-8 with and without BOM: header, values, row numbers = source lines', async () => {
    for (const bom of ['', '\uFEFF']) {
      const { result, out } = await stage(
        '企业.csv',
        `${bom}统一代码,名称,成立日期\n91330100MA27XXXX1X,甲公司,2024-01-05\n91330100MA27YYYY2Y,"乙公司, 分公司",2023-12-31\n`,
      );
      assert.equal(result.format, 'csv');
      assert.equal(result.encoding, 'utf-8');
      assert.equal(result.delimiter, ',');
      assert.deepEqual(result.columns, ['统一代码', '名称', '成立日期']);
      assert.equal(result.rows, 2);
      assert.deepEqual(result.warnings, []);
      const s = await staged(out);
      assert.deepEqual(s.rows, [
        [2, '91330100MA27XXXX1X', '甲公司', '2024-01-05'],
        [3, '91330100MA27YYYY2Y', '乙公司, 分公司', '2023-12-31'],
      ]);
    }
  });

  test('GBK is detected (as GB18030, its superset) and transcoded; the encoding can be forced', async () => {
    const text = '地区,人口（万人）,备注\n杭州市,1237.6,省会\n宁波市,961.8,"计划单列市，副省级"\n';
    const gbk = iconv.encode(text, 'gbk');
    assert.ok(!Buffer.from(text).equals(gbk));
    const { result, out } = await stage('人口.csv', gbk);
    assert.equal(result.encoding, 'gb18030');
    assert.deepEqual(result.columns, ['地区', '人口（万人）', '备注']);
    assert.deepEqual((await staged(out)).rows, [
      [2, '杭州市', '1237.6', '省会'],
      [3, '宁波市', '961.8', '计划单列市，副省级'],
    ]);
    const forced = await stage('人口2.csv', gbk, { encoding: 'gbk' });
    assert.equal(forced.result.encoding, 'gbk');
    assert.deepEqual((await staged(forced.out)).rows[1], [3, '宁波市', '961.8', '计划单列市，副省级']);
    // GB18030 four-byte characters (beyond GBK) decode too
    const rare = iconv.encode('名称\n𠀀字\n', 'gb18030');
    const r2 = await stage('罕见字.csv', rare);
    assert.equal(r2.result.encoding, 'gb18030');
    assert.deepEqual((await staged(r2.out)).rows, [[2, '𠀀字']]);
    // No scratch copy is left next to the output
    assert.deepEqual(
      (await fs.readdir(outDir)).filter((f) => f.startsWith('.')),
      [],
    );
  });

  test('TSV, tab-separated TXT and semicolon CSV: the delimiter is detected', async () => {
    const tsv = await stage('a.tsv', 'a\tb\n1\t2,5\n');
    assert.equal(tsv.result.format, 'tsv');
    assert.deepEqual((await staged(tsv.out)).rows, [[2, '1', '2,5']]);
    const txt = await stage('a.txt', 'x\ty\tz\n1\t2\t3\n4\t5\t6\n');
    assert.equal(txt.result.delimiter, '\t');
    assert.equal(txt.result.format, 'tsv');
    const semi = await stage('b.csv', 'name;amount;note\nA;1,5;x, y\nB;2,0;z\n');
    assert.equal(semi.result.delimiter, ';');
    assert.deepEqual((await staged(semi.out)).rows, [
      [2, 'A', '1,5', 'x, y'],
      [3, 'B', '2,0', 'z'],
    ]);
    const pipe = await stage('c.csv', 'a|b\n1|2\n', { delimiter: '|' });
    assert.deepEqual((await staged(pipe.out)).rows, [[2, '1', '2']]);
  });

  test('quoted line breaks and blank lines: _row is the line where each record starts', async () => {
    const csv = [
      'id,note,n',
      '1,"first',
      'second line",10',
      '',
      '2,plain,20',
      '3,"a ""quoted"" word",30',
      '4,"x',
      'y',
      'z",40',
      '5,last,50',
      '',
    ].join('\n');
    const { result, out } = await stage('notes.csv', csv);
    assert.equal(result.rows, 5);
    assert.deepEqual((await staged(out)).rows, [
      [2, '1', 'first\nsecond line', '10'],
      [5, '2', 'plain', '20'],
      [6, '3', 'a "quoted" word', '30'],
      [7, '4', 'x\ny\nz', '40'],
      [10, '5', 'last', '50'],
    ]);
    // CRLF line ends, same numbering
    const crlf = await stage('crlf.csv', csv.replaceAll('\n', '\r\n'));
    assert.deepEqual(
      (await staged(crlf.out)).rows.map((r) => r[0]),
      [2, 5, 6, 7, 10],
    );
    // CR-only line ends, a quote inside a field (12" is literal), leading blank lines before the header
    const odd = await stage('odd.csv', '\r\ra,b,c\r1,12" pipe,3\r4,"x\ry",6\r7,8,9\r');
    assert.deepEqual(odd.result.columns, ['a', 'b', 'c']);
    assert.deepEqual(odd.result.warnings, []);
    assert.deepEqual((await staged(odd.out)).rows, [
      [4, '1', '12" pipe', '3'],
      [5, '4', 'x\ry', '6'],
      [7, '7', '8', '9'],
    ]);
    const lead = await stage('lead.csv', '\n\na,b\n1,2\n');
    assert.deepEqual((await staged(lead.out)).rows, [[4, '1', '2']]);
    // a one-column file keeps blank lines as empty rows (as DuckDB reads them)
    const one = await stage('one.csv', 'a\n1\n\n2\n');
    assert.deepEqual((await staged(one.out)).rows, [
      [2, '1'],
      [3, null],
      [4, '2'],
    ]);
  });

  test('column names that collide with internal names (c1, _rn, rn, json) keep their values', async () => {
    const { result, out } = await stage('names.csv', 'c2,c1,_rn\n1,"a\nb",3\n4,5,6\n');
    assert.deepEqual(result.columns, ['c2', 'c1', '_rn']);
    assert.deepEqual((await staged(out)).rows, [
      [2, '1', 'a\nb', '3'],
      [4, '4', '5', '6'],
    ]);
    const j = await stage('names.json', '[{"rn":"r1","json":"j1"},7,{"rn":"r3","json":"j3"}]', { badRows: 'quarantine' });
    assert.deepEqual((await staged(j.out)).rows, [
      [1, 'r1', 'j1'],
      [3, 'r3', 'j3'],
    ]);
  });

  test('a headerless file is detected; header can be forced either way', async () => {
    const { result, out } = await stage('nohead.csv', '1,2024-01-05,3.5\n2,2024-01-06,4.5\n');
    assert.deepEqual(result.columns, ['column_1', 'column_2', 'column_3']);
    assert.deepEqual((await staged(out)).rows[0], [1, '1', '2024-01-05', '3.5']);
    const forced = await stage('nohead2.csv', '1,2024-01-05,3.5\n2,2024-01-06,4.5\n', { header: true });
    assert.deepEqual(forced.result.columns, ['1', '2024-01-05', '3.5']);
    const years = await stage('wide.csv', '地区,2022,2023\n杭州,1.5,1.6\n');
    assert.deepEqual(years.result.columns, ['地区', '2022', '2023']);
  });

  test('header only: no rows and a warning; empty header names become column_<n>; hostile names stay literal', async () => {
    const { result } = await stage('h.csv', 'a,b,c\n');
    assert.equal(result.rows, 0);
    assert.deepEqual(result.warnings, ['FILE_NO_ROWS']);
    const named = await stage('n.csv', `a,,"x""; drop table t; --"\n1,2,3\n`);
    assert.deepEqual(named.result.columns, ['a', 'column_2', 'x"; drop table t; --']);
    assert.deepEqual((await staged(named.out)).columns, ['a', 'column_2', 'x"; drop table t; --']);
  });

  test('ragged row: CSV_RAGGED_ROW at its line (after a multi-line record), nothing left', async () => {
    const csv = 'a,b,c\n1,"two\nlines",3\n4,5,6\n7,8\n9,10,11\n';
    await rejects('ragged.csv', csv, 'CSV_RAGGED_ROW', { line: 5, expected: 3, found: 2 });
    await rejects('toomany.csv', 'a,b\n1,2\n3,4,5\n', 'CSV_RAGGED_ROW', { line: 3, expected: 2, found: 3 });
  });

  test('ragged rows quarantined: left out, listed with their lines; the others keep exact row numbers', async () => {
    const csv = 'a,b,c\n1,2,3\n4,5\n6,"x\ny",8\n9,10,11,12\n13,14,15\n';
    const { result, out } = await stage('q.csv', csv, { badRows: 'quarantine' });
    assert.equal(result.rows, 3);
    assert.equal(result.rejectedCount, 2);
    assert.deepEqual(
      result.rejected!.map((r) => [r.row, r.reason]),
      [
        [3, 'ROW_RAGGED'],
        [6, 'ROW_RAGGED'],
      ],
    );
    assert.deepEqual((await staged(out)).rows, [
      [2, '1', '2', '3'],
      [4, '6', 'x\ny', '8'],
      [7, '13', '14', '15'],
    ]);
  });

  test('composeBreaks numbers the rows that remain after some records are left out', () => {
    // records 0..5 on lines 2,3,4,5,6,7 (off 1); leave out 1 and 2 → remaining 0,3,4,5 on lines 2,5,6,7
    assert.deepEqual(composeBreaks([[0, 1]], [1, 2]), [
      [0, 1],
      [1, 3],
    ]);
    // a multi-line record shifts later lines: record 2 starts 2 lines later
    assert.deepEqual(
      composeBreaks(
        [
          [0, 1],
          [2, 3],
        ],
        [0],
      ),
      [
        [0, 2],
        [1, 4],
      ],
    );
  });

  test('unterminated quote: CSV_UNTERMINATED_QUOTE at its line', async () => {
    await rejects('unterminated.csv', 'a,b,c\n1,2,3\n4,5,"six\n7,8,9\n', 'CSV_UNTERMINATED_QUOTE', { line: 3 });
    await rejects('afterquote.csv', 'a,b,c\n1,2,3\n4,"5"x,6\n', 'CSV_UNTERMINATED_QUOTE', { line: 3 });
  });

  test('an undecodable encoding names the line; invalid UTF-8 past the sampled start is caught by the reader', async () => {
    const bad = Buffer.concat([Buffer.from('a,b\n1,2\n3,'), Buffer.from([0xff, 0xfe, 0x80]), Buffer.from('\n')]);
    await rejects('bad.csv', bad, 'ENCODING_UNDECODABLE', { line: 3 });
    // 5 MB of clean UTF-8, then one broken line: detection says UTF-8, DuckDB's reader finds the line
    const lines = ['id,名称'];
    for (let i = 1; i <= 200000; i++) lines.push(`${i},第${i}号企业名称`);
    const good = Buffer.from(lines.join('\n') + '\n');
    assert.ok(good.length > 4 << 20);
    const late = Buffer.concat([good, Buffer.from('200001,'), Buffer.from([0xc3, 0x28]), Buffer.from('\n200002,x\n')]);
    await rejects('late.csv', late, 'ENCODING_UNDECODABLE', { line: 200002 });
    // forcing UTF-8 on a GBK file fails the same way, at the first Chinese line
    await rejects('forced.csv', iconv.encode('a,b\n1,2\n3,杭州\n', 'gbk'), 'ENCODING_UNDECODABLE', { line: 3 }, { encoding: 'utf-8' });
    await rejects('utf16.csv', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('a,b\n', 'utf16le')]), 'ENCODING_UNSUPPORTED');
  });

  test('empty, whitespace-only and duplicate-header files', async () => {
    await rejects('empty.csv', '', 'FILE_EMPTY');
    await rejects('blank.csv', '\n\r\n  \n', 'FILE_EMPTY');
    const dup = await rejects('dup.csv', '姓名,年龄,姓名\n张三,30,李四\n', 'HEADER_DUPLICATE', { name: '姓名', first: 1, second: 3 });
    assert.match(translate(dup.code, 'zh-CN', dup.params), /第 1 列“姓名”与第 3 列“姓名”/);
    await rejects('dupcase.csv', 'Name,name\n1,2\n', 'HEADER_DUPLICATE', { first: 1, second: 2 });
    await rejects('reserved.csv', 'a,_row\n1,2\n', 'HEADER_RESERVED', { column: 2 });
  });

  test('a file whose content does not match its extension; unsupported types', async () => {
    const xlsxBytes = workbook({ xml: sheetXml('') });
    await rejects('data.csv', xlsxBytes, 'FILE_TYPE_MISMATCH', { extension: 'csv', detected: 'ZIP/XLSX' });
    await rejects('data.xlsx', 'a,b\n1,2\n', 'FILE_TYPE_MISMATCH', { extension: 'xlsx', detected: 'text (CSV)' });
    await rejects('data.json', 'a,b\n1,2\n', 'FILE_TYPE_MISMATCH', { extension: 'json' });
    await rejects('data.parquet', '[{"a":1}]', 'FILE_TYPE_MISMATCH', { extension: 'parquet', detected: 'JSON' });
    await rejects('data.csv', '[{"a":1},{"a":2}]', 'FILE_TYPE_MISMATCH', { detected: 'JSON' });
    await rejects('old.xls', Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 0, 0]), 'FILE_TYPE_UNSUPPORTED');
    await rejects('x.csv', Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 0, 0]), 'FILE_TYPE_MISMATCH', {
      detected: 'XLS (Excel 97-2003)',
    });
    await rejects('bin.csv', Buffer.from([1, 2, 0, 3, 4]), 'FILE_TYPE_MISMATCH', { detected: 'binary data' });
  });

  test('invalid options are refused', async () => {
    for (const opts of [{ encoding: 'latin1' }, { delimiter: '::' }, { quote: '\n' }, { badRows: 'skip' }] as StageOptions[]) {
      await assert.rejects(stage('o.csv', 'a,b\n1,2\n', opts), (e: unknown) => e instanceof AppError && e.code === 'INGEST_OPTION_INVALID');
    }
  });

  test('progress reports rows read', async () => {
    const lines = ['a,b'];
    for (let i = 0; i < 50000; i++) lines.push(`${i},${i * 2}`);
    const seen: number[] = [];
    const { result } = await stage('p.csv', lines.join('\n') + '\n', {}, (n) => seen.push(n));
    assert.equal(result.rows, 50000);
    assert.equal(seen[seen.length - 1], 50000);
    assert.ok(seen.every((n, i) => i === 0 || n >= seen[i - 1]!));
  });
});

// ------------------------------------------------------------------------------------------ XLSX

async function buildWorkbook(): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('企业');
  ws.getCell('A1').value = '2024年企业名录';
  ws.mergeCells('A1:E1');
  ws.getCell('A2').value = '序号';
  ws.mergeCells('A2:A3');
  ws.getCell('B2').value = '基本信息';
  ws.mergeCells('B2:C2');
  ws.getCell('D2').value = '联系方式';
  ws.mergeCells('D2:E2');
  ws.getCell('B3').value = '名称';
  ws.getCell('C3').value = '成立日期';
  ws.getCell('D3').value = '电话';
  ws.getCell('E3').value = '地址';
  ws.addRow([1, '甲公司', new Date(Date.UTC(2024, 0, 5)), '13800000000', '杭州市']);
  ws.addRow([2, { richText: [{ text: '乙' }, { text: '公司' }] }, new Date(Date.UTC(2023, 11, 31, 8, 30)), '13900000000', null]);
  ws.mergeCells('E4:E5');
  ws.addRow([3, '丙公司', '2024/1/5', { formula: '1+1', result: 2 }, '宁波市']);
  ws.addRow([4, '丁公司', null, 0.1, true]);
  const second = wb.addWorksheet('第二页');
  second.addRow(['代码', '值']);
  second.addRow(['001', 1.5]);
  second.addRow(['002', 2.5]);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

describe('XLSX', () => {
  test('two sheets listed; a title row skipped; a merged two-row header; merged data cells filled; Excel row numbers', async () => {
    const bytes = await buildWorkbook();
    const p = await put('名录.xlsx', bytes);
    assert.deepEqual(
      (await listSheets(p)).map((s) => [s.name, s.index]),
      [
        ['企业', 1],
        ['第二页', 2],
      ],
    );
    const { result, out } = await stage('名录.xlsx', bytes);
    assert.equal(result.format, 'xlsx');
    assert.deepEqual(result.columns, ['序号', '基本信息-名称', '基本信息-成立日期', '联系方式-电话', '联系方式-地址']);
    assert.deepEqual([...result.warnings].sort(), ['XLSX_MERGED_CELLS_FILLED', 'XLSX_TITLE_ROWS_SKIPPED', 'XLSX_TWO_ROW_HEADER']);
    assert.deepEqual((await staged(out)).rows, [
      [4, '1', '甲公司', '2024-01-05', '13800000000', '杭州市'],
      [5, '2', '乙公司', '2023-12-31 08:30:00', '13900000000', '杭州市'],
      [6, '3', '丙公司', '2024/1/5', '2', '宁波市'],
      [7, '4', '丁公司', null, '0.1', 'true'],
    ]);
  });

  test('the sheet is chosen by name or by position', async () => {
    const bytes = await buildWorkbook();
    for (const sheet of ['第二页', '2']) {
      const { result, out } = await stage('两页.xlsx', bytes, { sheet });
      assert.deepEqual(result.columns, ['代码', '值']);
      assert.deepEqual((await staged(out)).rows, [
        [2, '001', '1.5'],
        [3, '002', '2.5'],
      ]);
    }
    const raw = await stage('两页.xlsx', bytes, { sheet: '第二页', header: false });
    assert.deepEqual(raw.result.columns, ['column_1', 'column_2']);
    assert.deepEqual((await staged(raw.out)).rows[0], [1, '代码', '值']);
    await rejects('两页.xlsx', bytes, 'XLSX_SHEET_NOT_FOUND', { sheet: '第三页', sheets: '企业、第二页' }, { sheet: '第三页' });
  });

  test('a zip bomb is refused before any XML is parsed', async () => {
    const bomb = workbook({ data: Buffer.alloc(200 << 20, 0x20) });
    assert.ok(bomb.length < 1 << 20);
    await rejects('bomb.xlsx', bomb, 'XLSX_ZIP_BOMB', { entry: 'xl/worksheets/sheet1.xml' });
    // an entry that inflates to more than its declared size
    const liar = workbook({
      data: Buffer.from(sheetXml('<row r="1"><c r="A1" t="inlineStr"><is><t>a</t></is></c></row>'.repeat(20000))),
      declaredSize: 1000,
    });
    await rejects('liar.xlsx', liar, 'XLSX_ZIP_BOMB');
    // shared strings (held in memory by the reader) that inflate beyond their declared size
    const strings = Buffer.from(
      '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">' + '<si><t>x</t></si>'.repeat(200000) + '</sst>',
    );
    await rejects(
      'liar2.xlsx',
      workbook({ xml: sheetXml(''), extra: [{ name: 'xl/sharedStrings.xml', data: strings, declaredSize: 100 }] }),
      'XLSX_ZIP_BOMB',
      {
        entry: 'xl/sharedStrings.xml',
      },
    );
  });

  test('a sheet claiming more than 16384 columns is refused', async () => {
    await rejects(
      'wide.xlsx',
      workbook({ xml: sheetXml('<row r="1"><c r="A1" t="inlineStr"><is><t>a</t></is></c></row>', 'A1:AAAAA1') }),
      'XLSX_TOO_LARGE',
      {
        what: 'columns',
      },
    );
    await rejects(
      'wide2.xlsx',
      workbook({
        xml: sheetXml('<row r="1"><c r="A1" t="inlineStr"><is><t>a</t></is></c><c r="BBBBB1" t="inlineStr"><is><t>b</t></is></c></row>'),
      }),
      'XLSX_TOO_LARGE',
      { what: 'columns', row: 1 },
    );
  });

  test('an empty sheet has no columns; a value outside the header is an error naming row and column', async () => {
    await rejects('empty.xlsx', workbook({ xml: sheetXml('') }), 'FILE_NO_COLUMNS');
    const cell = (ref: string, t: string) => `<c r="${ref}" t="inlineStr"><is><t>${t}</t></is></c>`;
    const xml = sheetXml(
      `<row r="1">${cell('A1', 'a')}${cell('B1', 'b')}</row><row r="2">${cell('A2', '1')}${cell('B2', '2')}</row><row r="3">${cell('A3', '3')}${cell('D3', 'x')}</row>`,
    );
    await rejects('extra.xlsx', workbook({ xml }), 'XLSX_ROW_EXTRA_VALUES', { row: 3, column: 4 });
    const q = await stage('extra.xlsx', workbook({ xml }), { badRows: 'quarantine' });
    assert.equal(q.result.rows, 1);
    assert.deepEqual(q.result.rejected, [{ row: 3, column: '4', value: 'x', reason: 'ROW_EXTRA_VALUES' }]);
    await rejects(
      'dup.xlsx',
      workbook({ xml: sheetXml(`<row r="1">${cell('A1', '姓名')}${cell('B1', '姓名')}</row>`) }),
      'HEADER_DUPLICATE',
      { first: 1, second: 2 },
    );
  });

  test('a corrupt zip with an .xlsx name', async () => {
    const good = workbook({ xml: sheetXml('') });
    await rejects('cut.xlsx', good.subarray(0, good.length - 30), 'XLSX_INVALID');
  });
});

// ------------------------------------------------------------------------------------------ JSON, NDJSON, Parquet

describe('JSON and NDJSON', () => {
  test('an array of objects: keys in first-seen order, nested objects flattened, arrays as JSON, long numbers kept', async () => {
    const json = JSON.stringify([
      { id: '001', 企业: { 名称: '甲', 地址: { 市: '杭州' } }, tags: ['a', 'b'], n: 1.5 },
      { id: '002', 企业: { 名称: '乙' }, extra: true, n: null, empty: '' },
    ]).replace('"n":1.5', '"n":1.5,"big":12345678901234567890');
    const { result, out } = await stage('list.json', json);
    assert.equal(result.format, 'json');
    assert.deepEqual(result.columns, ['id', '企业.名称', '企业.地址.市', 'tags', 'n', 'big', 'extra', 'empty']);
    assert.deepEqual((await staged(out)).rows, [
      [1, '001', '甲', '杭州', '["a","b"]', '1.5', '12345678901234567890', null, null],
      [2, '002', '乙', null, null, null, null, 'true', null],
    ]);
  });

  test('a key that is an object in one record and text in another stays one JSON-text column', async () => {
    const { result, out } = await stage('mixed-kinds.json', '[{"a":{"b":1},"c":1},{"a":"x","c":2},{"c":3,"a":null}]');
    assert.deepEqual(result.columns, ['a', 'c']);
    assert.deepEqual((await staged(out)).rows, [
      [1, '{"b":1}', '1'],
      [2, 'x', '2'],
      [3, null, '3'],
    ]);
    const nested = await stage('nested-null.json', '[{"a":null,"c":1},{"a":{"b":2},"c":2}]');
    assert.deepEqual(nested.result.columns, ['a.b', 'c']);
  });

  test('NDJSON: one object per line', async () => {
    const { result, out } = await stage('rows.ndjson', '{"a":1,"b":"x"}\n{"a":2,"c":{"d":"y"}}\n');
    assert.equal(result.format, 'ndjson');
    assert.deepEqual(result.columns, ['a', 'b', 'c.d']);
    assert.deepEqual((await staged(out)).rows, [
      [1, '1', 'x', null],
      [2, '2', null, 'y'],
    ]);
    const jsonl = await stage('rows.json', '{"a":1}\n{"a":2}\n');
    assert.equal(jsonl.result.format, 'ndjson');
  });

  test('nesting deeper than 32 levels: JSON_TOO_DEEP at its line', async () => {
    let deep = '"x"';
    for (let i = 0; i < 40; i++) deep = `{"k":${deep}}`;
    await rejects('deep.json', `[\n{"a":1},\n{"a":2},\n${deep}\n]`, 'JSON_TOO_DEEP', { line: 4, max: 32 });
    await rejects('deep.ndjson', `{"a":1}\n${deep}\n`, 'JSON_TOO_DEEP', { line: 2 });
    // a nesting bomb of brackets is stopped the same way, without recursion
    await rejects('brackets.json', '['.repeat(1_000_000), 'JSON_TOO_DEEP', { line: 1 });
  });

  test('malformed JSON names the line; non-objects are refused or quarantined', async () => {
    await rejects('bad.json', '[\n  {"a": 1},\n  {"a": 2,\n   "b": tru}\n]', 'JSON_INVALID', { line: 4 });
    await rejects('bad.ndjson', '{"a":1}\n{"a":2}\n{"a":3, bad}\n', 'JSON_INVALID', { line: 3 });
    await rejects('mixed.json', '[{"a":1},2,{"a":3}]', 'JSON_NOT_RECORDS', { row: 2 });
    const q = await stage('mixed.json', '[{"a":1},2,{"a":3}]', { badRows: 'quarantine' });
    assert.equal(q.result.rows, 2);
    assert.deepEqual(q.result.rejected, [{ row: 2, value: '2', reason: 'ROW_NOT_OBJECT' }]);
    assert.deepEqual((await staged(q.out)).rows, [
      [1, '1'],
      [3, '3'],
    ]);
    await rejects('empty.json', '[]', 'FILE_NO_COLUMNS');
    await rejects('emptyobj.json', '[{}]', 'FILE_NO_COLUMNS');
    await rejects('collide.json', '[{"a.b":1,"a":{"b":2}}]', 'HEADER_DUPLICATE');
  });
});

describe('Parquet', () => {
  test('a Parquet file written by DuckDB: every column as text, nested as JSON, row positions', async () => {
    const p = path.join(inDir, 'typed.parquet');
    await engine.run(
      `COPY (SELECT * FROM (VALUES (1::BIGINT, 'a', DATE '2024-01-05', 1.5::DOUBLE, {'x': 1}, [1, 2], TIMESTAMP '2024-01-05 08:30:00', ''),` +
        ` (2, NULL, NULL, NULL, NULL, NULL, NULL, 'z')) t(id, name, d, v, s, l, ts, e)) TO ${quoteLiteral(p)} (FORMAT parquet)`,
    );
    const out = outFor('typed');
    const result: StageResult = await stageFile(engine, { path: p, fileName: 'typed.parquet' }, out);
    assert.deepEqual(result.columns, ['id', 'name', 'd', 'v', 's', 'l', 'ts', 'e']);
    assert.deepEqual((await staged(out)).rows, [
      [1, '1', 'a', '2024-01-05', '1.5', '{"x":1}', '[1,2]', '2024-01-05 08:30:00', null],
      [2, '2', null, null, null, null, null, null, 'z'],
    ]);
    await rejects('broken.parquet', Buffer.concat([Buffer.from('PAR1'), Buffer.alloc(100, 7), Buffer.from('PAR1')]), 'FILE_CORRUPT');
  });
});
