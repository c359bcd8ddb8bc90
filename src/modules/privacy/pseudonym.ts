// Keyed pseudonymous tokens (issue 5 §6): HMAC-SM3 (the SM3 hash of GB/T 32905-2016 in the RFC 2104 HMAC
// construction) with a per-deployment key, so the same value always gives the same token and joins on tokens
// still work, while nobody without the key can go from a token back to the value by hashing candidates (an
// 18-digit ID has only ~10^11 plausible values, a mobile number ~10^10: a plain hash falls to enumeration).
import { createHash, createHmac, getHashes } from 'node:crypto';
import path from 'node:path';
import { KeyFile } from '../../keyfile.ts';
import { clean, compact, PATTERNS, type PrivacyKind } from './recognizers.ts';

if (!getHashes().includes('sm3')) throw new Error('this Node.js build has no SM3 (OpenSSL without sm3): pseudonymous tokens need it');

/** SM3 digest of UTF-8 text or bytes, hex. */
export function sm3(data: string | Buffer): string {
  return createHash('sm3').update(data).digest('hex');
}

const PHONE_PREFIXED_RE = new RegExp(PATTERNS.phonePrefixed, 'u');

/**
 * The form a value is tokenized in when its kind is known, so formatting does not split one person into two
 * tokens: identifiers compacted (full-width folded, separators removed, letters upper-cased; a phone without
 * its +86), names, addresses and e-mail addresses trimmed (e-mail also lower-cased).
 */
export function tokenForm(kind: PrivacyKind, value: string): string {
  switch (kind) {
    case 'name':
    case 'address':
      return clean(value);
    case 'email':
      return clean(value).toLowerCase();
    case 'phone': {
      const c = compact(value);
      return PHONE_PREFIXED_RE.test(c) ? c.slice(-11) : c;
    }
    default:
      return compact(value);
  }
}

/**
 * HMAC-SM3(key, value) as 64 hex characters. With `kind`, the value is first put in its `tokenForm`; without,
 * the exact text (UTF-8) is keyed — the read path tokenizes stored cells as they are.
 */
export function pseudonym(key: Buffer, value: string, kind?: PrivacyKind): string {
  if (key.length < 16) throw new RangeError('pseudonym key must be at least 16 bytes');
  return createHmac('sm3', key)
    .update(kind ? tokenForm(kind, value) : value, 'utf8')
    .digest('hex');
}

/**
 * A key of its own for one context (a project, a recipient, an authorization): tokens made with keys derived
 * for different contexts cannot be joined with each other (research §3.5: per-recipient keys). 32 bytes.
 */
export function deriveKey(key: Buffer, context: string): Buffer {
  if (context.length === 0) throw new RangeError('context must not be empty');
  return createHmac('sm3', key).update('shuyuan.pseudonym.v1\0').update(context, 'utf8').digest();
}

/**
 * The deployment's pseudonym key, `<dataDir>/keys/pseudonym.key` (32 random bytes, base64), created on first
 * use with mode 0600; two processes starting at once agree on one key (exclusive create, then read).
 */
export class PseudonymKey extends KeyFile {
  constructor(readonly dataDir: string) {
    super(path.join(dataDir, 'keys', 'pseudonym.key'));
  }
}
