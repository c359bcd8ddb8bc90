import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { listValue } from '@duckdb/node-api';
import { DuckEngine } from '../datasets/duckdb.ts';
import { keepEnds, mask, maskSql, type MaskKind } from './mask.ts';
import { PRIVACY_KINDS } from './recognizers.ts';
import { sampleValues } from './testing.ts';
import { scratchEngine } from '../../../test/duck.ts';

let engine: DuckEngine;
let close: () => Promise<void>;
before(async () => ({ engine, close } = await scratchEngine('shuyuan-privacy-mask-', { threads: 1 })));
after(() => close());

test('masking examples from the issue and the conventions', () => {
  assert.equal(mask('id_number', '110101199003071234'), '110101********1234');
  assert.equal(mask('id_number', '110101 19900307 123x'), '110101********123X');
  assert.equal(mask('id_number', '110105491231002'), '110105*****1002');
  assert.equal(mask('phone', '13812345678'), '138****5678');
  assert.equal(mask('phone', '+86 138-1234-5678'), '138****5678');
  assert.equal(mask('name', '张三'), '张*');
  assert.equal(mask('name', '张小三'), '张*三');
  assert.equal(mask('name', '欧阳明'), '欧阳*');
  assert.equal(mask('name', '欧阳明华'), '欧阳*华');
  assert.equal(mask('name', '张'), '*');
  assert.equal(mask('bank_card', '6222021234567890128'), '622202*********0128');
  assert.equal(mask('email', 'zhang.san@example.com'), 'z***@example.com');
  assert.equal(mask('address', '北京市朝阳区建国路88号'), '北京市朝阳区******');
  assert.equal(mask('address', '广东省深圳市南山区粤海街道科技园路1号'), '广东省深圳市南山区' + '*'.repeat(10));
  assert.equal(mask('address', '海南省三亚市吉阳镇红沙路2号'), '海南省三亚市' + '*'.repeat(8));
  assert.equal(mask('address', '建国路88号院3号楼'), '*'.repeat(10), 'no division: nothing kept');
  assert.equal(mask('passport', 'E12345678'), 'E*******8');
  assert.equal(mask('hk_macao_permit', 'C12345678'), 'C*******8');
  assert.equal(mask('license_plate', '京A·12345'), '京*****5');
  assert.equal(mask('credit_code', '91110000600037341L'), '91110000********1L');
  assert.equal(mask('none', 'secret-value-1234'), '*************1234');
  assert.equal(mask('phone', null), null);
});

test('short or malformed values are never shown whole', () => {
  assert.equal(mask('id_number', '1101011990'), '********90', 'too short for 6 + 4: only the last quarter');
  assert.equal(mask('phone', '123'), '***');
  assert.equal(mask('none', '1234'), '***4');
  assert.equal(keepEnds('', 3, 4), '');
  for (const kind of [...PRIVACY_KINDS, 'none'] as MaskKind[]) {
    for (const v of ['1', '12', '1234567', 'abcdefgh', '张三丰']) {
      const m = mask(kind, v);
      assert.notEqual(m, v, `${kind}: ${v}`);
      assert.ok(m.includes('*'), `${kind}: ${v} → ${m}`);
    }
  }
});

test('maskSql is the same masking in DuckDB, on hundreds of generated values of every kind', async () => {
  const values = sampleValues('mask-agreement', 30);
  assert.ok(values.length > 700);
  for (const kind of [...PRIVACY_KINDS, 'none'] as MaskKind[]) {
    const rows = await engine.json<{ v: string; m: string }>(`SELECT v, ${maskSql(kind, 'v')} AS m FROM unnest($1) t(v)`, [
      listValue(values),
    ]);
    assert.equal(rows.length, values.length);
    for (const r of rows) assert.equal(r.m, mask(kind, r.v), `${kind}: ${JSON.stringify(r.v)}`);
  }
});

test('maskSql keeps NULL and composes with any VARCHAR expression', async () => {
  const [row] = await engine.json<Record<string, string | null>>(
    `SELECT ${maskSql('name', 'NULL::VARCHAR')} AS a, ${maskSql('phone', "'138' || '12345678'")} AS b, ${maskSql('address', "CAST('上海市浦东新区世纪大道100号' AS VARCHAR)")} AS c`,
  );
  assert.deepEqual(row, { a: null, b: '138****5678', c: '上海市浦东新区' + '*'.repeat(8) });
});
