import assert from 'node:assert/strict';
import { createHash, getHashes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { deriveKey, pseudonym, PseudonymKey, sm3, tokenForm } from './pseudonym.ts';

let dataDir: string;
before(async () => {
  dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'shuyuan-pseudonym-'));
});
after(async () => {
  await fs.rm(dataDir, { recursive: true, force: true });
});

test('SM3 is available and matches the GB/T 32905-2016 test vectors', () => {
  assert.ok(getHashes().includes('sm3'));
  assert.equal(sm3('abc'), '66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0');
  assert.equal(sm3('abcd'.repeat(16)), 'debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732');
});

test('pseudonym is HMAC-SM3 (RFC 2104 over SM3, 64-byte blocks) in hex', () => {
  const key = Buffer.from('00112233445566778899aabbccddeeff', 'hex');
  const value = '110101199003071234';
  // The RFC 2104 construction written out: H((K ⊕ opad) ‖ H((K ⊕ ipad) ‖ m)).
  const k = Buffer.concat([key, Buffer.alloc(64 - key.length)]);
  const ipad = Buffer.from(k.map((b) => b ^ 0x36));
  const opad = Buffer.from(k.map((b) => b ^ 0x5c));
  const inner = createHash('sm3').update(ipad).update(value).digest();
  const expected = createHash('sm3').update(opad).update(inner).digest('hex');
  assert.equal(pseudonym(key, value), expected);
  assert.match(pseudonym(key, value), /^[0-9a-f]{64}$/);
});

test('tokens are stable for a key, differ between keys and between derived contexts', () => {
  const k1 = Buffer.alloc(32, 1);
  const k2 = Buffer.alloc(32, 2);
  assert.equal(pseudonym(k1, '13812345678'), pseudonym(k1, '13812345678'));
  assert.notEqual(pseudonym(k1, '13812345678'), pseudonym(k2, '13812345678'));
  assert.notEqual(pseudonym(k1, '13812345678'), pseudonym(k1, '13812345679'));
  const a = deriveKey(k1, 'recipient:A');
  const b = deriveKey(k1, 'recipient:B');
  assert.equal(a.length, 32);
  assert.deepEqual(a, deriveKey(k1, 'recipient:A'));
  assert.notEqual(pseudonym(a, '13812345678'), pseudonym(b, '13812345678'));
  assert.throws(() => pseudonym(Buffer.alloc(8), 'x'), RangeError);
});

test('with a kind, formatting does not split one value into two tokens', () => {
  const k = Buffer.alloc(32, 3);
  assert.equal(pseudonym(k, '+86 138-1234-5678', 'phone'), pseudonym(k, '13812345678', 'phone'));
  assert.equal(pseudonym(k, '11010519491231002x', 'id_number'), pseudonym(k, '11010519491231002X', 'id_number'));
  assert.equal(pseudonym(k, ' Li@Example.com ', 'email'), pseudonym(k, 'li@example.com', 'email'));
  assert.equal(tokenForm('name', ' 张三 '), '张三');
  // Without a kind the exact text is keyed.
  assert.notEqual(pseudonym(k, '11010519491231002x'), pseudonym(k, '11010519491231002X'));
});

test('PseudonymKey: created once with mode 0600, the same key afterwards and across instances racing', async () => {
  const keys = await Promise.all(Array.from({ length: 5 }, () => new PseudonymKey(dataDir).key()));
  for (const k of keys) assert.deepEqual(k, keys[0]);
  assert.equal(keys[0]!.length, 32);
  const file = path.join(dataDir, 'keys', 'pseudonym.key');
  const st = await fs.stat(file);
  assert.equal(st.mode & 0o777, 0o600);
  assert.deepEqual(await new PseudonymKey(dataDir).key(), keys[0]);
  const other = await fs.mkdtemp(path.join(os.tmpdir(), 'shuyuan-pseudonym-'));
  try {
    assert.notDeepEqual(await new PseudonymKey(other).key(), keys[0], 'each deployment has its own key');
  } finally {
    await fs.rm(other, { recursive: true, force: true });
  }
  await fs.writeFile(file, 'short\n');
  await assert.rejects(new PseudonymKey(dataDir).key(), /32-byte/);
});
