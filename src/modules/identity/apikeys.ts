// API keys for machine clients: AppKey + AppSecret, requests signed with HMAC-SHA256.
//
// Signature (all clients, see signRequest below):
//   x-shuyuan-appkey:    the AppKey
//   x-shuyuan-timestamp: unix seconds
//   x-shuyuan-nonce:     random, 16–128 characters [A-Za-z0-9_-]
//   x-shuyuan-signature: hex HMAC-SHA256(AppSecret,
//                          METHOD "\n" PATH_WITH_QUERY "\n" TIMESTAMP "\n" NONCE "\n" hex SHA-256(body bytes))
//
// How the secret is stored — decision: to verify an HMAC the server needs the secret itself (unlike a
// password, a one-way hash cannot check an HMAC the client computed with the secret). Schemes that sign with
// a hash of the secret only move the problem: that hash becomes the secret, readable by anyone who reads the
// database. So each key row stores
//   * secret_sha256 — a one-way fingerprint (shown in listings, lets an operator recognise a leaked secret);
//   * secret_enc    — the secret under AES-256-GCM with a master key kept OUTSIDE the database, in
//                     <dataDir>/keys/master.key (mode 0600, created at first start), the AppKey bound in as
//                     additional authenticated data.
// A stolen database dump alone (backup, SQL injection, read replica) therefore cannot forge requests; the
// master key file must be shared by all processes (like the ledger signing key) and is part of backups.
import { createCipheriv, createDecipheriv, createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import path from 'node:path';
import { KeyFile } from '../../keyfile.ts';

export const SIGNATURE_HEADERS = {
  appKey: 'x-shuyuan-appkey',
  timestamp: 'x-shuyuan-timestamp',
  nonce: 'x-shuyuan-nonce',
  signature: 'x-shuyuan-signature',
} as const;

export const NONCE_PATTERN = /^[A-Za-z0-9_-]{16,128}$/;

export function sha256Hex(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/** The string that is signed. */
export function stringToSign(
  method: string,
  pathWithQuery: string,
  timestamp: string,
  nonce: string,
  body: string | Buffer | undefined,
): string {
  return [method.toUpperCase(), pathWithQuery, timestamp, nonce, sha256Hex(body ?? Buffer.alloc(0))].join('\n');
}

export function computeSignature(appSecret: string, toSign: string): string {
  return createHmac('sha256', appSecret).update(toSign).digest('hex');
}

/** Constant-time comparison of two hex signatures. */
export function signaturesEqual(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return x.length === y.length && timingSafeEqual(x, y);
}

export interface SignInput {
  appKey: string;
  appSecret: string;
  method: string;
  /** Path with the query string exactly as sent, e.g. `/api/auth/me?x=1`. */
  path: string;
  /** The exact body bytes sent (a string is taken as UTF-8); omit for no body. */
  body?: string | Buffer;
  /** Unix seconds (default now). */
  timestamp?: number;
  nonce?: string;
}

/** Headers for a signed request (used by clients, tests and the docs). */
export function signRequest(input: SignInput): Record<string, string> {
  const timestamp = String(input.timestamp ?? Math.floor(Date.now() / 1000));
  const nonce = input.nonce ?? randomBytes(16).toString('hex');
  const body = typeof input.body === 'string' ? Buffer.from(input.body, 'utf8') : input.body;
  return {
    [SIGNATURE_HEADERS.appKey]: input.appKey,
    [SIGNATURE_HEADERS.timestamp]: timestamp,
    [SIGNATURE_HEADERS.nonce]: nonce,
    [SIGNATURE_HEADERS.signature]: computeSignature(input.appSecret, stringToSign(input.method, input.path, timestamp, nonce, body)),
  };
}

export function newAppKey(): string {
  return `ak_${randomBytes(12).toString('hex')}`;
}

export function newAppSecret(): string {
  return `sk_${randomBytes(32).toString('base64url')}`;
}

/** The master key of the data directory (AES-256-GCM), created on first use. */
export class SecretBox {
  readonly #key: KeyFile;
  constructor(readonly dataDir: string) {
    this.#key = new KeyFile(path.join(dataDir, 'keys', 'master.key'));
  }

  get file(): string {
    return this.#key.file;
  }

  private key(): Promise<Buffer> {
    return this.#key.key();
  }

  async seal(plain: string, aad: string): Promise<string> {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', await this.key(), iv);
    cipher.setAAD(Buffer.from(aad, 'utf8'));
    const ct = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return Buffer.concat([iv, cipher.getAuthTag(), ct]).toString('base64');
  }

  async open(sealed: string, aad: string): Promise<string> {
    const buf = Buffer.from(sealed, 'base64');
    const decipher = createDecipheriv('aes-256-gcm', await this.key(), buf.subarray(0, 12));
    decipher.setAAD(Buffer.from(aad, 'utf8'));
    decipher.setAuthTag(buf.subarray(12, 28));
    return Buffer.concat([decipher.update(buf.subarray(28)), decipher.final()]).toString('utf8');
  }
}
