import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  compact,
  findInText,
  fold,
  isAddress,
  isBankCard,
  isCreditCode,
  isEmail,
  isHkMacaoPermit,
  isIdNumber,
  isLicensePlate,
  isPassport,
  isPersonName,
  isPhone,
  luhnValid,
  PRIVACY_KINDS,
  recognize,
  todayYmd,
  VALIDATORS,
} from './recognizers.ts';
import * as S from './synthetic.ts';
import { corrupt } from './testing.ts';
import { idCheck } from './recognizers.ts';
import { isValidUscc as identityIsValidUscc } from '../identity/uscc.ts';

test('PRIVACY_KINDS: the catalog kinds without none, plus hk_macao_permit', () => {
  assert.deepEqual([...PRIVACY_KINDS].sort(), [
    'address',
    'bank_card',
    'credit_code',
    'email',
    'hk_macao_permit',
    'id_number',
    'license_plate',
    'name',
    'passport',
    'phone',
  ]);
});

test('ID numbers: check digit, province, real birth date not in the future, 15-digit legacy', () => {
  // Check digits computed by hand (ISO 7064 MOD 11-2) and the GB 11643 example.
  for (const v of [
    '11010519491231002X',
    '11010519491231002x',
    '360426199101010071',
    '120103198806018241',
    '440305198506151233',
    '310115200002294567',
  ]) {
    assert.ok(isIdNumber(v), v);
  }
  assert.ok(isIdNumber('１１０１０５１９４９１２３１００２Ｘ'), 'full-width');
  assert.ok(isIdNumber('110105 19491231 002X'), 'spaces');
  assert.ok(isIdNumber('110105491231002'), '15-digit legacy');
  assert.equal(isIdNumber('360426199101010072'), false, 'wrong check digit');
  assert.equal(isIdNumber('990426199101010079'.slice(0, 17) + idCheck('99042619910101007')), false, 'province 99');
  assert.equal(isIdNumber('100426199101010075'.slice(0, 17) + idCheck('10042619910101007')), false, 'province 10');
  assert.equal(isIdNumber('31011519000229' + '456' + idCheck('31011519000229456')), false, '1900-02-29 is not a date');
  assert.equal(isIdNumber('31011520230231' + '456' + idCheck('31011520230231456')), false, 'Feb 31');
  const future = `${Number(todayYmd().slice(0, 4)) + 1}0101`;
  assert.equal(isIdNumber('110105' + future + '123' + idCheck('110105' + future + '123')), false, 'born next year');
  assert.equal(isIdNumber('110105491331002'), false, '15-digit month 13');
  assert.equal(isIdNumber('1101051949123100'), false, '16 digits');
  assert.equal(isIdNumber('20240105123456789X'), false, 'an order number shape');
});

test('credit codes: GB 32100 check character and the embedded GB 11714 organization code', () => {
  assert.ok(isCreditCode('91110000600037341L'));
  assert.ok(isCreditCode('91110000 600037341l'), 'lower case and a space');
  assert.equal(isCreditCode('91110000600037341M'), false);
  assert.equal(isCreditCode('91110000600037342L'), false, 'org code check broken');
  assert.equal(isCreditCode('9111000060003734IL'), false, 'I is not in the alphabet');
  // identity keeps working through the re-export
  assert.ok(identityIsValidUscc('91110000600037341L'));
});

test('phones, bank cards, passports, permits, plates, e-mail', () => {
  for (const v of ['13812345678', '+8613812345678', '0086 138 1234 5678', '86-138-1234-5678', '１９９１２３４５６７８'])
    assert.ok(isPhone(v), v);
  for (const v of ['12812345678', '1381234567', '138123456789', '+8512345678901', '23812345678']) assert.equal(isPhone(v), false, v);

  for (const v of ['6222021234567890128', '6217000012345670', '4111 1111 1111 1111', '378282246310005', '5555-5555-5555-4444']) {
    assert.ok(isBankCard(v), v);
  }
  for (const v of ['6222021234567890127', '1111111111111116', '62170000123456', '62220212345678901234'])
    assert.equal(isBankCard(v), false, v);
  assert.ok(luhnValid('79927398713') && !luhnValid('79927398710'), 'the Wikipedia Luhn example');

  for (const v of ['E12345678', 'G12345678', 'EA1234567', 'DE1234567', 'e12345678']) assert.ok(isPassport(v), v);
  for (const v of ['EI1234567', 'A12345678', 'E1234567', 'G123456789']) assert.equal(isPassport(v), false, v);

  for (const v of ['C12345678', 'CA1234567', 'W12345678', 'H12345678', 'M1234567890']) assert.ok(isHkMacaoPermit(v), v);
  for (const v of ['C1234567', 'X12345678', 'H123456789']) assert.equal(isHkMacaoPermit(v), false, v);

  for (const v of ['京A12345', '粤B·D12345', '沪AD12345', '苏E 1234学', '浙A12345D']) assert.ok(isLicensePlate(v), v);
  for (const v of ['京I12345', '港A12345', '京A1234', '京AO1234', '京A123456']) assert.equal(isLicensePlate(v), false, v);

  for (const v of ['zhang.san@example.com', ' li+tag@mail.example.cn ', 'a@b.io']) assert.ok(isEmail(v), v);
  for (const v of ['zhang@', '@example.com', 'a@b', 'a b@example.com', 'a@-b.com']) assert.equal(isEmail(v), false, v);
});

test('names: dictionary surname + 2–4 Han characters; places and offices are not names', () => {
  for (const v of ['张三', '王小明', '欧阳明华', '司马光', ' 李娜 ']) assert.ok(isPersonName(v), v);
  for (const v of ['张', '张三丰四五', '江苏省', '高新区', '王府井路', 'Zhang San', '北京', '未知', '张3']) {
    assert.equal(isPersonName(v), false, v);
  }
});

test('addresses: two or more marker levels, one at township, street or door level', () => {
  for (const v of ['北京市朝阳区建国路88号', '示范省示范市东城区和平街道人民路18号3栋2单元501室', '建国路88号院', '朝阳区建国路甲1号']) {
    assert.ok(isAddress(v), v);
  }
  for (const v of ['江苏省南京市鼓楼区', '北京市', '朝阳区', '88号', '示范市瑞丰信息技术有限公司', 'Jianguo Road No. 88']) {
    assert.equal(isAddress(v), false, v);
  }
});

test('recognize: kinds most specific first; an ID that also passes Luhn is an ID first', () => {
  assert.deepEqual(recognize('13812345678'), ['phone']);
  assert.deepEqual(recognize(null), []);
  assert.deepEqual(recognize(''), []);
  assert.deepEqual(recognize('张三'), ['name']);
  // Find an ID that is also Luhn-valid (about one in ten are, when it starts with 3–6).
  const rng = S.createRng(7);
  let both: string | undefined;
  for (let i = 0; i < 200 && !both; i++) {
    const id = S.idNumber(rng, { region: '440305' });
    if (/^[0-9]+$/.test(id) && luhnValid(id)) both = id;
  }
  assert.ok(both);
  assert.deepEqual(recognize(both), ['id_number', 'bank_card']);
});

test('normalization: full-width folded, separators removed, ASCII letters upper-cased', () => {
  assert.equal(fold('１３８　ａＢ'), '138 aB');
  assert.equal(compact(' 138-1234·5678\t x '), '13812345678X');
});

test('property: generated identifiers validate; any single-character change breaks the check', () => {
  const rng = S.createRng('privacy-property');
  const checked: [keyof typeof VALIDATORS, () => string][] = [
    ['id_number', () => S.idNumber(rng)],
    ['credit_code', () => S.uscc(rng)],
    ['bank_card', () => S.bankCard(rng)],
  ];
  for (const [kind, gen] of checked) {
    for (let i = 0; i < 500; i++) {
      const v = gen();
      assert.ok(VALIDATORS[kind](v), `${kind} ${v}`);
      const bad = corrupt(rng, v);
      if (bad !== v) assert.equal(VALIDATORS[kind](bad), false, `${kind} corrupted ${v} → ${bad}`);
    }
  }
  const plain: [keyof typeof VALIDATORS, () => string][] = [
    ['phone', () => S.mobile(rng)],
    ['name', () => S.personName(rng)],
    ['address', () => S.address(rng)],
    ['license_plate', () => S.plate(rng)],
    ['passport', () => S.passport(rng)],
    ['hk_macao_permit', () => S.hkMacaoPermit(rng)],
    ['email', () => S.email(rng)],
    ['id_number', () => S.idNumber15(rng)],
  ];
  for (const [kind, gen] of plain) for (let i = 0; i < 300; i++) assert.ok(VALIDATORS[kind](gen()), kind);
  for (let i = 0; i < 100; i++) assert.equal(recognize(S.company(rng)).length, 0);
});

test('synthetic generators are deterministic for a seed', () => {
  const a = S.createRng(42);
  const b = S.createRng(42);
  const c = S.createRng(43);
  const row = (r: S.Rng) => [S.idNumber(r), S.uscc(r), S.mobile(r), S.bankCard(r), S.personName(r), S.address(r), S.plate(r), S.company(r)];
  const ra = row(a);
  assert.deepEqual(ra, row(b));
  assert.notDeepEqual(ra, row(c));
  const male = S.idNumber(S.createRng(1), { sex: 'male' });
  const female = S.idNumber(S.createRng(1), { sex: 'female' });
  assert.equal(Number(male[16]) % 2, 1);
  assert.equal(Number(female[16]) % 2, 0);
});

test('findInText: validated identifiers inside free text', () => {
  const hits = findInText('联系电话：138-1234-5678，身份证11010519491231002X；邮箱 li@example.com；订单号 20240105123456789012');
  assert.deepEqual(hits, [
    { kind: 'phone', value: '138-1234-5678' },
    { kind: 'id_number', value: '11010519491231002X' },
    { kind: 'email', value: 'li@example.com' },
  ]);
  assert.deepEqual(findInText('请于3号前办理，编号13800000000000'), []);
});
