import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { GradingRuleRow, PiiKind } from '../catalog/repository.ts';
import { detectColumn, detectTable, nameHints, suggestGrade, type Detection } from './detect.ts';
import * as S from './synthetic.ts';

const gen = (n: number, f: (i: number) => string) => Array.from({ length: n }, (_, i) => f(i));
const top = (d: Detection[]) => d[0];
const find = (d: Detection[], kind: string) => d.find((x) => x.kind === kind);

test('a clean ID column: confidence 1, suggested; nulls and blanks are not sampled', () => {
  const rng = S.createRng(1);
  const values: (string | null)[] = [...gen(200, () => S.idNumber(rng)), null, '', '  '];
  const d = detectColumn(values);
  assert.equal(top(d)?.kind, 'id_number');
  assert.equal(top(d)?.confidence, 1);
  assert.equal(top(d)?.sampled, 200);
  assert.equal(top(d)?.matched, 200);
  assert.equal(top(d)?.suggested, true);
  assert.equal(top(d)?.piiKind, 'id_number');
  // IDs that also pass Luhn count for id_number only: no bank-card noise.
  assert.equal(find(d, 'bank_card'), undefined);
  assert.deepEqual(detectColumn([null, '', undefined]), []);
});

test('confidence = matched / sampled on a mixed column; the column name raises it', () => {
  const rng = S.createRng(2);
  const values = [...gen(70, () => S.mobile(rng)), ...gen(30, () => '未填写')];
  const plain = find(detectColumn(values), 'phone')!;
  assert.equal(plain.confidence, 0.7);
  assert.equal(plain.matched, 70);
  assert.equal(plain.nameHint, false);
  const hinted = find(detectColumn(values, { name: '联系手机' }), 'phone')!;
  assert.equal(hinted.nameHint, true);
  assert.equal(hinted.confidence, 0.85);
  // A hint does not make a kind out of a few stray values.
  const few = find(detectColumn([...gen(10, () => S.mobile(rng)), ...gen(90, () => '无')], { name: '电话' }), 'phone')!;
  assert.equal(few.confidence, 0.1);
  assert.equal(few.suggested, false);
  // Full-width digits and separators are the same phone numbers.
  const wide = detectColumn(gen(20, () => S.mobile(rng).replace(/[0-9]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0))));
  assert.equal(top(wide)?.kind, 'phone');
  assert.equal(top(wide)?.confidence, 1);
});

test('pitfall: 11-digit order numbers are not phones (wrong prefix, or a running sequence)', () => {
  const orders = gen(200, (i) => String(20240105000 + i));
  assert.equal(find(detectColumn(orders), 'phone'), undefined, '2024… never fits a mobile prefix');
  let n = 13800000000;
  const running = gen(200, () => String((n += 7)));
  const d = find(detectColumn(running), 'phone')!;
  assert.equal(d.matched, 200);
  assert.ok(d.confidence <= 0.2, `a sequence: ${d.confidence}`);
  assert.equal(d.suggested, false);
  // Real phones under a code-like name: lowered, not suggested.
  const rng = S.createRng(3);
  const coded = find(
    detectColumn(
      gen(100, () => S.mobile(rng)),
      { name: '订单编号' },
    ),
    'phone',
  )!;
  assert.equal(coded.confidence, 0.5);
  assert.equal(coded.suggested, false);
});

test('pitfall: 18-digit order numbers and random digits are not IDs or cards', () => {
  const rng = S.createRng(4);
  const digits = (n: number) => Array.from({ length: n }, () => Math.floor(rng() * 10)).join('');
  const orders = gen(500, () => '2024' + digits(14));
  const d = detectColumn(orders);
  const id = find(d, 'id_number');
  assert.ok(!id || id.confidence < 0.1, `ids: ${id?.confidence}`);
  const card = find(d, 'bank_card');
  assert.ok(!card || card.confidence < 0.2, `cards: ${card?.confidence}`);
  assert.ok(d.every((x) => !x.suggested));
});

test('names: weak alone, confirmed by the header; enumerations and company names are not people', () => {
  const rng = S.createRng(5);
  const names = gen(300, () => S.personName(rng));
  const alone = find(detectColumn(names), 'name')!;
  assert.ok(alone.confidence >= 0.6 && alone.confidence <= 0.7, `${alone.confidence}`);
  const headed = find(detectColumn(names, { name: '姓名' }), 'name')!;
  assert.equal(headed.confidence, 1);
  const statuses = gen(300, () => S.pick(rng, ['成功', '失败', '处理中', '金额', '高级']));
  const status = find(detectColumn(statuses, { name: '状态' }), 'name');
  assert.ok(!status || status.confidence < 0.2, `enum: ${status?.confidence}`);
  const companies = detectColumn(
    gen(100, () => S.company(rng)),
    { name: '单位名称' },
  );
  assert.deepEqual(companies, []);
  assert.deepEqual(nameHints('单位名称'), []);
  assert.deepEqual(nameHints('姓名'), ['name']);
  assert.deepEqual(nameHints('证件号码'), ['id_number', 'hk_macao_permit', 'passport']);
});

test('free text: identifiers inside 备注 are counted apart from whole-value matches', () => {
  const rng = S.createRng(6);
  const notes = gen(100, () => (rng() < 0.4 ? `已联系，电话${S.mobile(rng)}` : '材料齐全'));
  const d = find(detectColumn(notes, { name: '备注' }), 'phone')!;
  assert.equal(d.matched, 0);
  assert.equal(d.confidence, 0);
  assert.ok(d.inText > 20 && d.inText < 60, `${d.inText}`);
  assert.equal(d.suggested, false);
});

test('detectTable + suggestGrade: field kinds and the grade from the catalog rules (就高)', () => {
  const rng = S.createRng(7);
  const rows = 200;
  const table = detectTable([
    { name: '序号', values: gen(rows, (i) => String(i + 1)) },
    { name: '姓名', values: gen(rows, () => S.personName(rng)) },
    { name: '身份证号', values: gen(rows, () => S.idNumber(rng)) },
    { name: '手机号', values: gen(rows, () => S.mobile(rng)) },
    { name: '地址', values: gen(rows, () => S.address(rng)) },
    { name: '回乡证', values: gen(rows, () => S.hkMacaoPermit(rng)) },
    { name: '金额', values: gen(rows, () => (rng() * 1000).toFixed(2)) },
  ]);
  assert.deepEqual(
    table.map((c) => [c.name, c.suggested?.kind ?? null]),
    [
      ['序号', null],
      ['姓名', 'name'],
      ['身份证号', 'id_number'],
      ['手机号', 'phone'],
      ['地址', 'address'],
      ['回乡证', 'hk_macao_permit'],
      ['金额', null],
    ],
  );
  // The catalog's seeded PII rules (migrations/0005_catalog.sql), as rows.
  const rule = (code: string, pii: Exclude<PiiKind, 'none'>, level: number): GradingRuleRow => ({
    id: code,
    code,
    factor_kind: 'pii',
    impact_object: null,
    impact_degree: null,
    pii_kind: pii,
    grade: 'general',
    grade_level: level,
    source: 'test',
    note: '',
    enabled: true,
    created_at: new Date(),
    updated_at: new Date(),
  });
  const rules = [
    rule('PII-ID', 'id_number', 4),
    rule('PII-PASS', 'passport', 4),
    rule('PII-PHONE', 'phone', 3),
    rule('PII-NAME', 'name', 3),
  ];
  const g = suggestGrade(table, rules);
  assert.deepEqual(g.grade, { grade: 'general', level: 4 });
  assert.deepEqual(
    g.fields.map((f) => [f.name, f.piiKind, f.grade.level]),
    [
      ['姓名', 'name', 3],
      ['身份证号', 'id_number', 4],
      ['手机号', 'phone', 3],
      ['地址', 'address', 1],
      ['回乡证', 'passport', 4],
    ],
  );
  assert.deepEqual(suggestGrade(table.slice(0, 1), rules).grade, { grade: 'general', level: 1 });
});
