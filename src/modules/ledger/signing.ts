// The checkpoint signing key (Ed25519, node:crypto) and the exact statement a checkpoint signs.
//
// Key: created at first start as <data dir>/keys/ledger-ed25519.pem (PKCS#8 PEM, mode 0600). Its public half is
// registered in ledger_keys, so checkpoints verify from the database alone (also in another process with
// another data directory). key_id = lowercase hex SHA-256 of the 32-byte raw Ed25519 public key.
//
// Signed statement (UTF-8, "\n" line ends, no trailing spaces):
//   shuyuan-ledger-checkpoint-v1
//   tree_size=<decimal>
//   root_hash=<64 lowercase hex: RFC 9162 MTH over the first tree_size entries>
//   signed_at=<ISO 8601 UTC with milliseconds>
// The signature is stored base64 (64 bytes, RFC 8032 pure Ed25519).
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';

export const KEY_FILE = 'ledger-ed25519.pem';

export interface SigningKey {
  keyId: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
  publicKeyPem: string;
  publicKeyRaw: Buffer;
}

export function rawPublicKey(publicKey: KeyObject): Buffer {
  const jwk = publicKey.export({ format: 'jwk' });
  if (jwk.kty !== 'OKP' || jwk.crv !== 'Ed25519' || !jwk.x) throw new Error('not an Ed25519 public key');
  return Buffer.from(jwk.x, 'base64url');
}

export function keyIdOf(publicKey: KeyObject): string {
  return createHash('sha256').update(rawPublicKey(publicKey)).digest('hex');
}

function fromPrivate(privateKey: KeyObject): SigningKey {
  if (privateKey.asymmetricKeyType !== 'ed25519') throw new Error('the ledger signing key must be Ed25519');
  const publicKey = createPublicKey(privateKey);
  return {
    keyId: keyIdOf(publicKey),
    privateKey,
    publicKey,
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    publicKeyRaw: rawPublicKey(publicKey),
  };
}

/** Loads the key of this data directory, creating it (0600) on first start. Safe against a concurrent start. */
export async function loadOrCreateKey(dataDir: string): Promise<SigningKey> {
  const dir = path.join(dataDir, 'keys');
  const file = path.join(dir, KEY_FILE);
  await fs.mkdir(dir, { recursive: true, mode: 0o700 });
  try {
    return fromPrivate(createPrivateKey(await fs.readFile(file, 'utf8')));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  const { privateKey } = generateKeyPairSync('ed25519');
  const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  try {
    await fs.writeFile(file, pem, { mode: 0o600, flag: 'wx' });
    return fromPrivate(privateKey);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    return fromPrivate(createPrivateKey(await fs.readFile(file, 'utf8'))); // another process won the race
  }
}

export function checkpointStatement(treeSize: number, rootHash: string, signedAt: Date): Buffer {
  return Buffer.from(
    `shuyuan-ledger-checkpoint-v1\ntree_size=${treeSize}\nroot_hash=${rootHash}\nsigned_at=${signedAt.toISOString()}\n`,
    'utf8',
  );
}

export function signCheckpoint(key: SigningKey, treeSize: number, rootHash: string, signedAt: Date): string {
  return sign(null, checkpointStatement(treeSize, rootHash, signedAt), key.privateKey).toString('base64');
}

export function verifyCheckpointSignature(
  publicKey: KeyObject,
  treeSize: number,
  rootHash: string,
  signedAt: Date,
  signature: string,
): boolean {
  try {
    return verify(null, checkpointStatement(treeSize, rootHash, signedAt), publicKey, Buffer.from(signature, 'base64'));
  } catch {
    return false;
  }
}
