// API tests of the catalog's bulk import and export: the template, export → import round trips (XLSX and
// CSV) into a fresh organization, file type by content, headers, per-row errors in the caller's language with
// nothing written, permissions, formula-injection neutralization, encodings and multipart uploads.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import ExcelJS from 'exceljs';
import pg from 'pg';
import { startTestPlatform, type TestClient, type TestPlatform } from '../../../test/helpers.ts';
import { SYSTEM } from '../identity/actor.ts';
import { DEMO_PASSWORD, catalogFingerprint, gaClerk, login, resourceBody } from './testkit.ts';
import { XLSX_TYPE, parseCsv } from './bulk.ts';

let p: TestPlatform;
let provider: TestClient;
let admin: TestClient;
let publicUser: TestClient;
let anon: TestClient;
let ga: TestClient;
let fresh: TestClient;
let scjgId: string;

const FRESH_ORG = 'XQSJ';

before(async () => {
  p = await startTestPlatform();
  provider = await login(p, 'provider');
  admin = await login(p, 'admin');
  publicUser = await login(p, 'public');
  anon = p.client();
  ga = await gaClerk(p);
  const org = await p.ctx.identity.createOrg(SYSTEM, {
    code: FRESH_ORG,
    nameZh: '示范市新区数据局',
    nameEn: 'New District Data Bureau',
    kind: 'department',
  });
  await p.ctx.identity.createUser(SYSTEM, {
    username: 'fresh_clerk',
    password: DEMO_PASSWORD,
    displayName: '新区经办人',
    orgCode: org.code,
    roles: ['provider_clerk'],
  });
  fresh = await login(p, 'fresh_clerk');
  scjgId = (await provider.get('/api/auth/me')).body.org.id;
});
after(async () => {
  await p?.close();
});

// ------------------------------------------------------------------------------------------ helpers

function headers(c: TestClient, extra: Record<string, string> = {}): Record<string, string> {
  const h: Record<string, string> = { 'accept-language': c.lang, ...extra };
  if (c.cookies.size) h.cookie = [...c.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  if (c.csrf) h['x-csrf-token'] = c.csrf;
  return h;
}

async function download(c: TestClient, url: string): Promise<{ status: number; type: string; body: Buffer }> {
  const r = await fetch(p.url + url, { headers: headers(c) });
  return { status: r.status, type: r.headers.get('content-type') ?? '', body: Buffer.from(await r.arrayBuffer()) };
}

async function upload(
  c: TestClient,
  file: Buffer | string,
  opts: { type?: string; query?: string; lang?: string } = {},
): Promise<{ status: number; body: any }> {
  const r = await fetch(`${p.url}/api/catalog/import${opts.query ? `?${opts.query}` : ''}`, {
    method: 'POST',
    headers: headers(c, { 'content-type': opts.type ?? XLSX_TYPE, ...(opts.lang ? { 'accept-language': opts.lang } : {}) }),
    body: typeof file === 'string' ? file : new Uint8Array(file),
  });
  const text = await r.text();
  return { status: r.status, body: text ? JSON.parse(text) : null };
}

/** Refused with status/code, and the catalog and the ledger are exactly as before. */
async function refused(fn: () => Promise<{ status: number; body: any }>, status: number, code: string) {
  const before = await catalogFingerprint(p);
  const r = await fn();
  assert.equal(r.status, status, JSON.stringify(r.body).slice(0, 2000));
  assert.equal(r.body.error.code, code, JSON.stringify(r.body).slice(0, 2000));
  assert.deepEqual(await catalogFingerprint(p), before, 'a refused import changed the catalog');
  return r.body.error;
}

async function sql<T = any>(text: string, params: unknown[] = []): Promise<T[]> {
  const c = new pg.Client({ connectionString: p.testDb.url });
  await c.connect();
  try {
    return (await c.query(text, params)).rows as T[];
  } finally {
    await c.end();
  }
}

const RES_HEADERS = [
  '资源代码',
  '资源名称',
  '摘要',
  '提供部门代码',
  '主题分类',
  '领域分类',
  '更新频率',
  '共享属性',
  '共享条件',
  '开放属性',
  '开放条件',
  '分级',
];
const FIELD_HEADERS = ['资源代码', '信息项名称', '代码', '数据类型', '长度', '个人信息类型'];

/** An XLSX built like a user would (exceljs in memory: shared strings, no styles). */
async function workbook(
  resources: unknown[][],
  fields: unknown[][] = [],
  resHeaders = RES_HEADERS,
  fieldHeaders = FIELD_HEADERS,
): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.addWorksheet('资源').addRows([resHeaders, ...resources]);
  wb.addWorksheet('信息项').addRows([fieldHeaders, ...fields]);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

const okRow = (code: string, over: Partial<Record<string, string>> = {}) => {
  const v: Record<string, string> = {
    资源代码: code,
    资源名称: '个体工商户登记信息',
    摘要: '个体工商户的登记、变更和注销信息。',
    提供部门代码: 'SCJG',
    主题分类: 'FR',
    领域分类: 'SCJG',
    更新频率: '每日',
    共享属性: '有条件共享',
    共享条件: '依法履职需要，经审核后接口调用',
    开放属性: '不予开放',
    开放条件: '',
    分级: '一般数据2级',
    ...over,
  };
  return RES_HEADERS.map((h) => v[h] ?? '');
};

/** Encodes text as GBK with the platform's own decoder (reverse table of the two-byte codes). */
function gbk(text: string): Buffer {
  const table = new Map<string, number[]>();
  const dec = new TextDecoder('gbk');
  for (let a = 0x81; a <= 0xfe; a++)
    for (let b = 0x40; b <= 0xfe; b++) {
      const ch = dec.decode(new Uint8Array([a, b]));
      if (ch.length === 1 && !table.has(ch)) table.set(ch, [a, b]);
    }
  const out: number[] = [];
  for (const ch of text) {
    const code = ch.charCodeAt(0);
    if (code < 0x80) out.push(code);
    else {
      const bytes = table.get(ch);
      assert.ok(bytes, `no GBK code for ${ch}`);
      out.push(...bytes);
    }
  }
  return Buffer.from(out);
}

// ------------------------------------------------------------------------------------------ template

test('the template: XLSX sheets with Chinese headers, notes, dictionaries and drop-down lists; CSV header with BOM', async () => {
  const x = await download(provider, '/api/catalog/template.xlsx');
  assert.equal(x.status, 200);
  assert.equal(x.type, XLSX_TYPE);
  assert.equal(x.body.subarray(0, 2).toString(), 'PK');
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(x.body as unknown as ArrayBuffer);
  assert.deepEqual(
    wb.worksheets.map((w) => w.name),
    ['资源', '信息项', '允许值', '填写说明'],
  );
  const res = wb.getWorksheet('资源')!;
  const heads = (res.getRow(1).values as string[]).slice(1);
  for (const h of [
    '资源代码',
    '资源名称',
    '英文名称',
    '摘要',
    '提供部门代码',
    '主题分类',
    '领域分类',
    '关键词',
    '格式',
    '更新频率',
    '共享属性',
    '共享条件',
    '共享依据',
    '开放属性',
    '开放条件',
    '分级',
    '许可',
    '联系人',
    '联系电话',
    '发布日期',
  ]) {
    assert.ok(heads.includes(h), `missing header ${h}`);
  }
  assert.equal(res.rowCount, 1, 'no example rows in the template');
  assert.deepEqual((wb.getWorksheet('信息项')!.getRow(1).values as string[]).slice(1, 14), [
    '资源代码',
    '信息项名称',
    '英文名',
    '代码',
    '数据类型',
    '长度',
    '精度',
    '单位',
    '数据元',
    '分级',
    '个人信息类型',
    '共享属性',
    '开放属性',
  ]);
  // Dictionaries: values the import accepts, and the drop-down of 共享属性 points at them.
  const dict = wb.getWorksheet('允许值')!;
  const dictHeads = (dict.getRow(1).values as string[]).slice(1);
  const shareCol = dictHeads.indexOf('共享属性') + 1;
  assert.deepEqual(
    [2, 3, 4].map((r) => dict.getRow(r).getCell(shareCol).value),
    ['无条件共享', '有条件共享', '不予共享'],
  );
  const orgCol = dictHeads.indexOf('提供部门代码') + 1;
  const orgCodes = dict.getColumn(orgCol).values.slice(2);
  assert.ok(orgCodes.includes('SCJG') && orgCodes.includes(FRESH_ORG));
  const shareLetter = res
    .getRow(1)
    .getCell(heads.indexOf('共享属性') + 1)
    .address.replace(/\d+/, '');
  const dv = res.getCell(`${shareLetter}2`).dataValidation;
  assert.equal(dv?.type, 'list');
  assert.match(String(dv?.formulae?.[0]), /允许值/);
  assert.match(String(res.getRow(1).getCell(1).note ?? ''), /FR-SCJG-00001/);

  const c = await download(provider, '/api/catalog/template.csv');
  assert.equal(c.status, 200);
  assert.match(c.type, /^text\/csv/);
  assert.deepEqual([...c.body.subarray(0, 3)], [0xef, 0xbb, 0xbf]);
  const line = c.body.subarray(3).toString('utf8').trim();
  assert.ok(line.startsWith('资源代码,资源名称,英文名称,摘要'));
  assert.ok(line.includes(',信息项名称,信息项英文名,信息项代码,数据类型,'));
});

// ------------------------------------------------------------------------------------------ round trips

test('export → import into a fresh organization (XLSX): every resource and field comes back as a draft of that organization', async () => {
  // Formula-looking values survive both formats.
  const tricky = await provider.post(
    '/api/catalog/resources',
    resourceBody({ nameEn: '=HYPERLINK("http://x")', contactPhone: '+86 571 8700 0000' }),
  );
  assert.equal(tricky.status, 201, tricky.text);
  const list = await provider.get(`/api/catalog/resources?orgId=${scjgId}&pageSize=200`);
  const originals = new Map<string, any>();
  for (const s of list.body.items) originals.set(s.code, (await provider.get(`/api/catalog/resources/${s.id}`)).body);
  assert.ok(originals.size >= 10);

  const x = await download(provider, `/api/catalog/export.xlsx?orgId=${scjgId}`);
  assert.equal(x.status, 200);
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(x.body as unknown as ArrayBuffer);
  const res = wb.getWorksheet('资源')!;
  const fld = wb.getWorksheet('信息项')!;
  assert.equal(res.rowCount - 1, originals.size);
  // The fresh organization takes the file over: its own code in 提供部门代码 and in the resource codes.
  const heads = (res.getRow(1).values as string[]).slice(1);
  const providerCol = heads.indexOf('提供部门代码') + 1;
  const rename = (code: string) => code.replace(/^([A-Z0-9]+)-(.+)-(\d+)$/, `$1-${FRESH_ORG}-$2-$3`);
  res.eachRow((row, n) => {
    if (n === 1) return;
    row.getCell(providerCol).value = FRESH_ORG;
    row.getCell(1).value = rename(String(row.getCell(1).value));
  });
  fld.eachRow((row, n) => {
    if (n > 1) row.getCell(1).value = rename(String(row.getCell(1).value));
  });
  const file = Buffer.from(await wb.xlsx.writeBuffer());

  const ledgerBefore = (await sql('select max(seq)::int as s from ledger_entries'))[0].s;
  const dry = await upload(fresh, file, { query: 'dryRun=1' });
  assert.equal(dry.status, 200, JSON.stringify(dry.body).slice(0, 3000));
  assert.equal(dry.body.dryRun, true);
  assert.equal(dry.body.resources, originals.size);
  const r = await upload(fresh, file);
  assert.equal(r.status, 201, JSON.stringify(r.body).slice(0, 3000));
  assert.equal(r.body.format, 'xlsx');
  assert.equal(r.body.resources, originals.size);
  assert.equal(
    r.body.fields,
    [...originals.values()].reduce((n, o) => n + o.fields.length, 0),
  );

  for (const item of r.body.items) {
    const copy = (await fresh.get(`/api/catalog/resources/${item.id}`)).body;
    const orig = [...originals.values()].find((o) => rename(o.code) === item.code);
    assert.ok(orig, item.code);
    assert.equal(copy.status, 'draft');
    assert.equal(copy.providerOrg.code, FRESH_ORG);
    for (const k of [
      'nameZh',
      'nameEn',
      'abstractZh',
      'abstractEn',
      'keywords',
      'subjectCategory',
      'domainCategory',
      'formats',
      'updateFrequency',
      'shareMode',
      'shareConditions',
      'shareBasis',
      'openMode',
      'openConditions',
      'openBasis',
      'grade',
      'gradeLevel',
      'gradingFactors',
      'license',
      'contactName',
      'contactPhone',
      'contactEmail',
      'releaseDate',
      'temporalStart',
      'temporalEnd',
      'spatialCoverage',
    ]) {
      assert.deepEqual(copy[k], orig[k], `${item.code}.${k}`);
    }
    const strip = (f: any) => ({ ...f, id: undefined });
    assert.deepEqual(copy.fields.map(strip), orig.fields.map(strip), `${item.code} fields`);
  }
  // One ledger entry per resource (marked with the file hash), then the summary.
  const entries = await sql('select action, object_id, details from ledger_entries where seq > $1 order by seq', [ledgerBefore]);
  assert.equal(entries.length, originals.size + 1);
  assert.ok(entries.slice(0, -1).every((e) => e.action === 'catalog.resource.create' && /^[0-9a-f]{64}$/.test(e.details.import)));
  const summary = entries.at(-1);
  assert.equal(summary.action, 'catalog.import');
  assert.equal(summary.details.resources, originals.size);
  assert.deepEqual(summary.details.perOrg, { [FRESH_ORG]: originals.size });
  // Indexed for search in the same transaction.
  const s = await fresh.get(`/api/search/resources?q=${encodeURIComponent(rename(tricky.body.code))}`);
  assert.equal(s.status, 200);
  assert.ok(s.body.items.some((i: any) => i.code === rename(tricky.body.code)));
});

test('export → import (CSV, long form, new codes): neutralized formulas come back as they were', async () => {
  const c = await download(provider, `/api/catalog/export.csv?orgId=${scjgId}`);
  assert.equal(c.status, 200);
  assert.deepEqual([...c.body.subarray(0, 3)], [0xef, 0xbb, 0xbf]);
  const text = c.body.toString('utf8');
  assert.ok(text.includes(`"'=HYPERLINK(""http://x"")"`), 'a formula is neutralized with an apostrophe');
  assert.ok(text.includes(",'+86 571 8700 0000,"));
  assert.ok(!/,=HYPERLINK/.test(text));
  // The fresh organization takes the file over: its code in 提供部门代码 (a cell-by-cell edit, as a spreadsheet would).
  const records = parseCsv(text.replace(/^\uFEFF/, ''));
  const providerCol = records[0]!.cells.indexOf('提供部门代码');
  const quote = (s: string) => (/[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  const mine = records.map((r, i) => r.cells.map((cell, k) => quote(i > 0 && k === providerCol ? FRESH_ORG : cell)).join(',')).join('\r\n');
  const r = await upload(fresh, mine, { type: 'text/csv', query: 'newCodes=1' });
  assert.equal(r.status, 201, JSON.stringify(r.body).slice(0, 3000));
  assert.equal(r.body.format, 'csv');
  assert.ok(
    r.body.items.every((i: any) => new RegExp(`^[A-Z]+-${FRESH_ORG}-\\d{5}$`).test(i.code)),
    'fresh structured codes',
  );
  const copy = r.body.items.find((i: any) => i.nameZh === '市场主体登记信息');
  const got = (await fresh.get(`/api/catalog/resources/${copy.id}`)).body;
  assert.ok(r.body.items.length > 1);
  const tricky = (
    await sql(`select id from catalog_resources where name_en = '=HYPERLINK("http://x")' and provider_org_id <> $1`, [scjgId])
  ).length;
  assert.equal(tricky, 2, 'both imports restored the value exactly');
  assert.equal(got.providerOrg.code, FRESH_ORG);
});

// ------------------------------------------------------------------------------------------ bad files

test('a file that is not XLSX or CSV is refused by its content, whatever its name or type', async () => {
  const files: Array<[string, Buffer]> = [
    ['pdf', Buffer.from('%PDF-1.7\n1 0 obj <<>> endobj\n')],
    ['png', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13])],
    ['xls', Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 0, 0])],
    ['binary', Buffer.from([1, 2, 3, 0, 0, 0, 4, 5, 6, 7])],
    ['broken zip', Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.alloc(200, 7)])],
    ['empty', Buffer.alloc(0)],
  ];
  for (const [name, body] of files) {
    const e = await refused(() => upload(provider, body, { type: XLSX_TYPE }), 400, 'IMPORT_BAD_FILE');
    assert.ok(e.details.detected, name);
  }
  const en = await upload(provider, files[0]![1], { lang: 'en' });
  assert.match(en.body.error.message, /not an XLSX or CSV/);
  // A CSV sent as "xlsx" is read as CSV (the bytes decide).
  const csv = [
    '资源代码,资源名称,摘要,主题分类,领域分类,更新频率,共享属性,开放属性',
    'FR-SCJG-70001,测试资源,测试摘要,FR,SCJG,每月,无条件共享,不予开放',
  ].join('\n');
  const r = await upload(provider, csv, { type: XLSX_TYPE, query: 'dryRun=1' });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.format, 'csv');
});

test('wrong or missing headers: 400 IMPORT_BAD_HEADERS naming them; headers match ignoring case and spaces, in English too', async () => {
  const noAbstract = RES_HEADERS.filter((h) => h !== '摘要').concat('备注信息');
  const file = await workbook([okRow('FR-SCJG-70002').slice(0, noAbstract.length)], [], noAbstract);
  const e = await refused(() => upload(provider, file), 400, 'IMPORT_BAD_HEADERS');
  assert.deepEqual(e.details.sheets[0].missing, ['摘要']);
  assert.deepEqual(e.details.sheets[0].unknown, ['备注信息']);
  assert.match(e.message, /缺少：摘要/);
  const en = await upload(provider, file, { lang: 'en' });
  assert.deepEqual(en.body.error.details.sheets[0].missing, ['Abstract']);
  assert.match(en.body.error.message, /missing: Abstract; unknown: 备注信息/);

  // The fields sheet is checked too.
  const badFields = await workbook([okRow('FR-SCJG-70003')], [['FR-SCJG-70003', '姓名']], RES_HEADERS, ['资源代码', '名字']);
  const e2 = await refused(() => upload(provider, badFields), 400, 'IMPORT_BAD_HEADERS');
  assert.equal(e2.details.sheets[0].sheet, '信息项');
  assert.deepEqual(e2.details.sheets[0].missing.sort(), ['代码', '信息项名称', '数据类型'].sort());

  // A random text file is a CSV with wrong headers.
  await refused(() => upload(provider, 'hello world\nthis is not a catalog\n', { type: 'text/plain' }), 400, 'IMPORT_BAD_HEADERS');

  // English headers in any case and spacing, API property names, any column order.
  const csv = [
    'resource code, NAME ,abstract,subjectCategory,Domain Category,UPDATE FREQUENCY,share attribute,Open Attribute,Field Name,field code,data type',
    'FR-SCJG-70004,测试资源,测试摘要,FR,SCJG,monthly,Shared unconditionally,not open,企业名称,qymc,string',
    'FR-SCJG-70004,,,,,,,,成立日期,clrq,日期型',
  ].join('\r\n');
  const ok = await upload(provider, csv, { type: 'text/csv', query: 'dryRun=1' });
  assert.equal(ok.status, 200, JSON.stringify(ok.body));
  assert.equal(ok.body.resources, 1);
  assert.equal(ok.body.fields, 2);
});

test('bad rows: every problem with sheet, row and column, in the caller’s language, and nothing written', async () => {
  const taken = (await provider.get(`/api/catalog/resources?orgId=${scjgId}`)).body.items[0].code;
  const resources = [
    okRow('FR-SCJG-80001'), // row 2: valid, but its first field has an unknown type
    okRow('FR-SCJG-80002', { 提供部门代码: 'NOPE' }), // 3: unknown organization
    okRow('FR-SCJG-80003', { 主题分类: 'XX' }), // 4: unknown category
    okRow('FR-SCJG-80001'), // 5: duplicate code in the file
    okRow(taken), // 6: code taken in the database
    okRow('FR-SCJG-80006', { 资源名称: '', 摘要: ' ' }), // 7: two required values missing
    okRow('FR-SCJG-80007', { 分级: '核心数据', 开放属性: '有条件开放', 开放条件: '实名申请' }), // 8: grade policy
    okRow('FR-SCJG-80008'), // 9: a field with a non-numeric length
    okRow('FR-SCJG-80009', { 更新频率: '偶尔' }), // 10: a value outside the dictionary
  ];
  const fields = [
    ['FR-SCJG-80001', '照片', 'zp', '图片', '', ''], // 2: unknown data type
    ['FR-SCJG-80008', '企业名称', 'qymc', '字符型', 'abc', ''], // 3: length not a number
    ['FR-SCJG-89999', '姓名', 'xm', '字符型', '50', '姓名'], // 4: no such resource in the file
  ];
  const file = await workbook(resources, fields);
  const e = await refused(() => upload(provider, file), 400, 'IMPORT_INVALID_ROWS');
  assert.equal(e.details.total, e.details.errors.length);
  assert.equal(e.details.truncated, false);
  assert.match(e.message, /未写入任何数据/);
  const has = (sheet: string, row: number, column: string, code: string) => {
    const hit = e.details.errors.find((x: any) => x.sheet === sheet && x.row === row && x.column === column && x.code === code);
    assert.ok(hit, `expected ${code} at ${sheet}!${row} ${column} in ${JSON.stringify(e.details.errors, null, 1)}`);
    assert.ok(hit.message && !hit.message.includes('{'), hit.message);
    return hit;
  };
  has('资源', 3, '提供部门代码', 'CATALOG_ORG_UNKNOWN');
  assert.match(has('资源', 4, '主题分类', 'CATALOG_CATEGORY_UNKNOWN').message, /分类 XX 不存在/);
  assert.match(has('资源', 5, '资源代码', 'IMPORT_DUPLICATE_CODE').message, /首次出现于第 2 行/);
  has('资源', 6, '资源代码', 'CATALOG_CODE_TAKEN');
  has('资源', 7, '资源名称', 'CATALOG_MISSING_METADATA');
  has('资源', 7, '摘要', 'CATALOG_MISSING_METADATA');
  assert.match(has('资源', 8, '开放属性', 'GRADE_POLICY_VIOLATION').message, /CORE-NO-OPEN/);
  has('资源', 10, '更新频率', 'CATALOG_VALUE_INVALID');
  has('信息项', 2, '数据类型', 'CATALOG_FIELD_TYPE_UNKNOWN');
  has('信息项', 3, '长度', 'CATALOG_VALUE_INVALID');
  has('信息项', 4, '资源代码', 'IMPORT_FIELD_RESOURCE_UNKNOWN');
  // Resources sheet first, then the fields sheet, by row.
  const order = e.details.errors.map((x: any) => `${x.sheet === '资源' ? 0 : 1}:${String(x.row).padStart(3, '0')}`);
  assert.deepEqual(order, [...order].sort());

  // The same in English.
  const en = await upload(provider, file, { lang: 'en' });
  assert.equal(en.status, 400);
  assert.match(en.body.error.message, /nothing was imported/);
  const cat = en.body.error.details.errors.find((x: any) => x.code === 'CATALOG_CATEGORY_UNKNOWN');
  assert.equal(cat.message, 'Unknown category XX (主题分类)');
  const dup = en.body.error.details.errors.find((x: any) => x.code === 'IMPORT_DUPLICATE_CODE');
  assert.equal(dup.message, 'Resource code FR-SCJG-80001 appears twice in the file (first on row 2)');
  assert.match(
    en.body.error.details.errors.find((x: any) => x.code === 'GRADE_POLICY_VIOLATION').message,
    /Grade policy CORE-NO-OPEN violated/,
  );

  // CSV: rows of one resource must agree on its columns.
  const csv = [
    '资源代码,资源名称,摘要,主题分类,领域分类,更新频率,共享属性,开放属性,信息项名称,信息项代码,数据类型',
    'FR-SCJG-80100,资源甲,摘要,FR,SCJG,每月,无条件共享,不予开放,名称,mc,字符型',
    'FR-SCJG-80100,资源乙,,,,,,,日期,rq,日期型',
  ].join('\n');
  const e3 = await refused(() => upload(provider, csv, { type: 'text/csv' }), 400, 'IMPORT_INVALID_ROWS');
  assert.deepEqual(
    e3.details.errors.map((x: any) => [x.sheet, x.row, x.column, x.code]),
    [['CSV', 3, '资源名称', 'IMPORT_CONFLICTING_VALUE']],
  );
});

test('the error list stops at 1000 entries and gives the total', async () => {
  const rows = Array.from({ length: 1200 }, (_, i) => okRow(`FR-SCJG-${String(60000 + i)}`, { 主题分类: 'XX' }));
  const e = await refused(async () => upload(provider, await workbook(rows)), 400, 'IMPORT_INVALID_ROWS');
  assert.equal(e.details.total, 1200);
  assert.equal(e.details.errors.length, 1000);
  assert.equal(e.details.truncated, true);
  assert.equal(e.details.errors[0].row, 2);
});

// ------------------------------------------------------------------------------------------ permissions

test('permissions: public users and anonymous callers cannot import; a clerk imports for their own organization only', async () => {
  const file = await workbook([okRow('FR-SCJG-81001')]);
  await refused(() => upload(publicUser, file), 403, 'FORBIDDEN');
  await refused(() => upload(anon, file), 401, 'UNAUTHENTICATED');
  // The GA clerk imports a row for SCJG: refused on that row, nothing written.
  const both = await workbook([okRow('FR-GA-81002', { 提供部门代码: 'GA' }), okRow('FR-SCJG-81003')]);
  const e = await refused(() => upload(ga, both), 400, 'IMPORT_INVALID_ROWS');
  assert.deepEqual(
    e.details.errors.map((x: any) => [x.row, x.column, x.code]),
    [[3, '提供部门代码', 'IMPORT_ORG_FORBIDDEN']],
  );
  assert.match(e.details.errors[0].message, /无权为机构 SCJG/);
  // An empty provider cell means the importer's own organization; the authority imports for anyone.
  const mine = await upload(ga, await workbook([okRow('FR-GA-81004', { 提供部门代码: '' })]));
  assert.equal(mine.status, 201, JSON.stringify(mine.body));
  assert.equal((await ga.get(`/api/catalog/resources/${mine.body.items[0].id}`)).body.providerOrg.code, 'GA');
  const auth = await upload(admin, await workbook([okRow('FR-SCJG-81005'), okRow('FR-GA-81006', { 提供部门代码: 'GA' })]));
  assert.equal(auth.status, 201, JSON.stringify(auth.body));
  assert.deepEqual(
    auth.body.items.map((i: any) => i.code),
    ['FR-SCJG-81005', 'FR-GA-81006'],
  );
});

test('exports follow visibility: the public sees only open published resources', async () => {
  const c = await download(anon, '/api/catalog/export.csv');
  assert.equal(c.status, 200);
  const lines = c.body
    .toString('utf8')
    .replace(/^\uFEFF/, '')
    .trim()
    .split(/\r\n/);
  const head = lines[0]!.split(',');
  const statusCol = head.indexOf('状态');
  const openCol = head.indexOf('开放属性');
  assert.ok(lines.length > 1);
  const statuses = new Set<string>();
  for (const { cells } of parseCsv(lines.slice(1).join('\r\n'))) {
    statuses.add(cells[statusCol]!);
    assert.notEqual(cells[openCol], '不予开放');
  }
  assert.ok(
    [...statuses].every((s) => ['已发布', '修订中'].includes(s)),
    [...statuses].join(),
  );
  // A filter of the list endpoint applies too.
  const x = await download(admin, '/api/catalog/export.xlsx?subjectCategory=FR&status=draft');
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(x.body as unknown as ArrayBuffer);
  const rows = wb.getWorksheet('资源')!.getSheetValues().slice(2) as unknown[][];
  assert.ok(rows.length > 0);
  const heads = wb.getWorksheet('资源')!.getRow(1).values as string[];
  assert.ok(rows.every((r) => r[heads.indexOf('主题分类')] === 'FR' && r[heads.indexOf('状态')] === '草稿'));
});

// ------------------------------------------------------------------------------------------ encodings and uploads

test('CSV in GBK and UTF-8 without BOM, and a multipart/form-data upload, are read', async () => {
  const csv = [
    '资源代码,资源名称,摘要,主题分类,领域分类,更新频率,共享属性,开放属性,信息项名称,信息项代码,数据类型',
    'FR-SCJG-82001,企业年报信息,企业年度报告公示信息,法人基础库,市场监管,每年,无条件共享,无条件开放,企业名称,qymc,字符型',
  ].join('\r\n');
  for (const [name, body] of [
    ['gbk', gbk(csv)],
    ['utf-8', Buffer.from(csv, 'utf8')],
  ] as const) {
    const r = await upload(provider, body, { type: 'text/csv', query: 'dryRun=1' });
    assert.equal(r.status, 200, `${name}: ${JSON.stringify(r.body)}`);
    assert.equal(r.body.items[0].nameZh, '企业年报信息', name);
  }
  // Many distinct Chinese strings: the XML parts span many zip chunks, and no character may break at a chunk edge.
  const many = Array.from({ length: 3000 }, (_, i) =>
    okRow(`FR-SCJG-${83000 + i}`, { 资源名称: `示范市第${i}号企业登记信息汇总`, 摘要: `第${i}号：${'市场主体登记信息，'.repeat(8)}` }),
  );
  const big = await upload(provider, await workbook(many), { query: 'dryRun=1' });
  assert.equal(big.status, 200, JSON.stringify(big.body).slice(0, 2000));
  assert.ok(big.body.items.every((it: any, i: number) => it.nameZh === `示范市第${i}号企业登记信息汇总`));

  const boundary = '----shuyuan-test-boundary';
  const file = await workbook([okRow('FR-SCJG-82002')]);
  const form = Buffer.concat([
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="note"\r\n\r\nhello\r\n`),
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="目录.xlsx"\r\nContent-Type: ${XLSX_TYPE}\r\n\r\n`),
    file,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  const before = await catalogFingerprint(p);
  const r = await upload(provider, form, { type: `multipart/form-data; boundary=${boundary}`, query: 'dryRun=1' });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.items[0].code, 'FR-SCJG-82002');
  assert.deepEqual(await catalogFingerprint(p), before, 'a dry run writes nothing');
});
