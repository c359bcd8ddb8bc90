// Registration certificate (登记证书) pieces: the registration number, the query code and the content hash.
//
// - Number: 'SF-<year>-<6-digit sequence>' (SF = 示范市, the demo city; the sequence restarts every year and has
//   no gaps: it comes from registration_number_counters inside the approving transaction).
// - Query code (登记结果查询码): 16 characters of RFC 4648 base32 from 80 random bits — unguessable, and the
//   public lookup is rate limited per address on top. Shown in groups of four (ABCD-EFGH-…); lookups accept
//   any case, spaces and dashes.
// - Content hash: SHA-256 (hex) over the RFC 8785 (JCS) canonical JSON of the registered metadata snapshot,
//   so anyone holding the snapshot can recompute it with any JCS implementation.
import { createHash, randomBytes } from 'node:crypto';
import canonicalizeModule from 'canonicalize';

/** Prefix of registration numbers (示范市). A deployment for another region changes this one constant. */
export const NUMBER_PREFIX = 'SF';

const canonicalize = canonicalizeModule as unknown as (input: unknown) => string | undefined;

export function formatNumber(year: number, seq: number): string {
  return `${NUMBER_PREFIX}-${year}-${String(seq).padStart(6, '0')}`;
}

export const NUMBER_PATTERN = /^[A-Z]{2,8}-\d{4}-\d{6,}$/;

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** 16 base32 characters from 80 random bits. */
export function newQueryCode(): string {
  const bytes = randomBytes(10);
  let bits = 0;
  let value = 0;
  let out = '';
  for (const b of bytes) {
    value = (value << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
    value &= (1 << bits) - 1;
  }
  return out;
}

/** The stored form of a query code as typed by a person (case, spaces and dashes ignored); null if malformed. */
export function normalizeQueryCode(input: string): string | null {
  const s = input.toUpperCase().replace(/[\s-]/g, '');
  return /^[A-Z2-7]{16}$/.test(s) ? s : null;
}

export function displayQueryCode(code: string): string {
  return code.match(/.{1,4}/g)!.join('-');
}

/** RFC 8785 canonical JSON of a metadata snapshot. */
export function canonicalJson(snapshot: unknown): string {
  const s = canonicalize(snapshot);
  if (s === undefined) throw new TypeError('snapshot cannot be canonicalized');
  return s;
}

export function contentHash(snapshot: unknown): string {
  return createHash('sha256').update(canonicalJson(snapshot), 'utf8').digest('hex');
}
