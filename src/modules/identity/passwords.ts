// Password hashing (scrypt from node:crypto, parameters encoded in the hash) and the password policy.
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { AppError } from '../../errors.ts';

const N = 2 ** 15;
const R = 8;
const P = 1;
const KEY_LEN = 32;
const SALT_LEN = 16;

function scryptAsync(password: string, salt: Buffer, keyLen: number, opts: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(password.normalize('NFKC'), salt, keyLen, opts, (err, key) => (err ? reject(err) : resolve(key))),
  );
}

/** `scrypt$N$r$p$salt$hash` (salt and hash base64, no padding). */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(SALT_LEN);
  const key = await scryptAsync(password, salt, KEY_LEN, { N, r: R, p: P, maxmem: 256 * N * R });
  return `scrypt$${N}$${R}$${P}$${salt.toString('base64url')}$${key.toString('base64url')}`;
}

/** Constant-time check of a password against a stored hash (false for an unreadable hash). */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [n, r, p] = parts.slice(1, 4).map(Number) as [number, number, number];
  if (![n, r, p].every((x) => Number.isSafeInteger(x) && x > 0) || n > 2 ** 20 || r > 32 || p > 16) return false;
  const salt = Buffer.from(parts[4]!, 'base64url');
  const expected = Buffer.from(parts[5]!, 'base64url');
  if (expected.length < 16) return false;
  const key = await scryptAsync(password, salt, expected.length, { N: n, r, p, maxmem: 256 * n * r });
  return timingSafeEqual(key, expected);
}

let dummy: Promise<string> | null = null;
/** A hash of a random password: verified against for unknown usernames so that both cases cost the same. */
export function dummyHash(): Promise<string> {
  return (dummy ??= hashPassword(randomBytes(16).toString('hex')));
}

export const PASSWORD_MIN_LENGTH = 10;
export const PASSWORD_MAX_LENGTH = 128;

export type PasswordRule = 'min_length' | 'max_length' | 'char_classes' | 'contains_username' | 'same_as_current';

/** Password policy: ≥ 10 characters, at least 3 of 4 classes (upper, lower, digit, symbol), not containing the username. */
export function checkPasswordPolicy(password: string, username: string, current?: string): PasswordRule[] {
  const failed: PasswordRule[] = [];
  const chars = [...password];
  if (chars.length < PASSWORD_MIN_LENGTH) failed.push('min_length');
  if (chars.length > PASSWORD_MAX_LENGTH) failed.push('max_length');
  const classes = [/\p{Lu}/u, /\p{Ll}/u, /\p{Nd}/u, /[^\p{L}\p{Nd}\s]/u].filter((re) => re.test(password)).length;
  if (classes < 3) failed.push('char_classes');
  if (username && password.toLowerCase().includes(username.toLowerCase())) failed.push('contains_username');
  if (current !== undefined && current === password) failed.push('same_as_current');
  return failed;
}

/** Throws 400 PASSWORD_POLICY naming the field and the failed rules. */
export function assertPasswordPolicy(password: string, username: string, field = 'password', current?: string): void {
  const failed = checkPasswordPolicy(password, username, current);
  if (failed.length) throw new AppError(400, 'PASSWORD_POLICY', { min: PASSWORD_MIN_LENGTH }, { field, failed });
}
