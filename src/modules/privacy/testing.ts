// Value sets the privacy tests share (JS ⇄ DuckDB agreement, detection): generated valid values of every
// kind, their single-character corruptions, and hand-picked edge cases.
import * as S from './synthetic.ts';

/** One character of `v` changed to another of the same class (digit → digit, letter → letter, Han → next Han). */
export function corrupt(rng: S.Rng, v: string): string {
  const a = [...v];
  if (a.length === 0) return v;
  const i = Math.floor(rng() * a.length);
  const c = a[i]!;
  const pool = /[0-9]/.test(c) ? '0123456789' : /[A-Z]/.test(c) ? 'ABCDEFGHJKLMNPQRTUWXY' : null;
  if (!pool) {
    a[i] = String.fromCodePoint(c.codePointAt(0)! + 1);
    return a.join('');
  }
  let r = c;
  while (r === c) r = pool[Math.floor(rng() * pool.length)]!;
  a[i] = r;
  return a.join('');
}

export const GENERATORS: readonly ((rng: S.Rng) => string)[] = [
  (r) => S.idNumber(r),
  S.idNumber15,
  S.uscc,
  S.mobile,
  S.bankCard,
  S.personName,
  S.address,
  S.plate,
  S.company,
  S.passport,
  S.hkMacaoPermit,
  S.email,
];

export const EDGE_CASES: readonly string[] = [
  '',
  ' ',
  'a',
  '张',
  '欧阳',
  '欧阳明',
  '欧阳明华',
  '张小三',
  '张三 ',
  '𠀀𠀁张三四五',
  '+86 138-1234-5678',
  '0086１３８１２３４５６７８',
  '11010519491231002x',
  '110105 19491231 002X',
  '91110000600037341L',
  '@x.com',
  'x@',
  "o'brien@example.com",
  '北京市朝阳区建国路88号',
  '新疆维吾尔自治区乌鲁木齐市天山区和平路1号',
  '建国路88号院朝阳小区3号楼',
  '江苏省昆山市周市镇',
  '海南省三亚市',
  '1234567',
  '\t13812345678\n',
  '京A·12345',
];

/** `perKind` generated values of each kind, each followed by a corrupted copy, then the edge cases. */
export function sampleValues(seed: number | string, perKind: number): string[] {
  const rng = S.createRng(seed);
  const out: string[] = [];
  for (let i = 0; i < perKind; i++) {
    for (const g of GENERATORS) {
      const v = g(rng);
      out.push(v, corrupt(rng, v));
    }
  }
  return [...out, ...EDGE_CASES];
}
