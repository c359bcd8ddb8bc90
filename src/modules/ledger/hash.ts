// The hash chain of the ledger (DESIGN.md principle 3). Byte layout of one entry's hash:
//
//   hash = lowercase hex( SHA-256( UTF-8( JCS(body) ) || UTF-8( prev_hash ) ) )
//
// where JCS is RFC 8785 canonical JSON, prev_hash is the previous entry's hash as 64 lowercase hex characters
// (64 × "0" for entry 1), and body is the object
//   { seq, time, actorId, actorName, actorKind, orgId, action, objectType, objectId, purpose, details }
// with seq a JSON number, time an ISO 8601 UTC string with milliseconds ("2025-01-31T08:00:00.000Z"),
// absent values as null and details a JSON object ({} when none). RFC 8785 sorts the keys, so the serialized
// order is: action, actorId, actorKind, actorName, details, objectId, objectType, orgId, purpose, seq, time.
import { hash } from 'node:crypto';

export const GENESIS_HASH = '0'.repeat(64);

export interface EntryBody {
  seq: number;
  /** ISO 8601 UTC with milliseconds. */
  time: string;
  actorId: string | null;
  actorName: string | null;
  actorKind: string;
  orgId: string | null;
  action: string;
  objectType: string;
  objectId: string | null;
  purpose: string | null;
  details: Record<string, unknown>;
}

// Strings that JSON.stringify would escape: quote, backslash, control characters, surrogates (lone ones are
// escaped; pairs are left to JSON.stringify too). Any other string serializes as itself between quotes.
// eslint-disable-next-line no-control-regex -- control characters are exactly what JSON escapes
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;
const str = (v: string) => (NEEDS_ESCAPE.test(v) ? JSON.stringify(v) : '"' + v + '"');
const s = (v: string | null) => (v === null ? 'null' : str(v));

/**
 * RFC 8785 (JCS) serialization of a JSON value: object keys sorted by UTF-16 code units, strings and numbers as
 * ECMAScript JSON.stringify writes them (which RFC 8785 adopts), no whitespace. Same output as the
 * `canonicalize` package for JSON data (tested), several times faster: verification runs it a million times.
 */
export function canonicalJson(v: unknown): string {
  if (v === null) return 'null';
  switch (typeof v) {
    case 'string':
      return str(v);
    case 'number':
      if (!Number.isFinite(v)) throw new TypeError('JSON numbers must be finite');
      return '' + v; // Number::toString, as JSON.stringify (and RFC 8785 §3.2.2.3)
    case 'boolean':
      return v ? 'true' : 'false';
    case 'object': {
      if (Array.isArray(v)) {
        let out = '[';
        for (let i = 0; i < v.length; i++) {
          const x: unknown = v[i];
          out += (i ? ',' : '') + (x === undefined || typeof x === 'function' || typeof x === 'symbol' ? 'null' : canonicalJson(x));
        }
        return out + ']';
      }
      const o = v as Record<string, unknown>;
      const keys = Object.keys(o);
      for (let i = 1; i < keys.length; i++) {
        if (keys[i - 1]! > keys[i]!) {
          keys.sort();
          break;
        }
      }
      let out = '{';
      let first = true;
      for (const k of keys) {
        const x = o[k];
        if (x === undefined || typeof x === 'function' || typeof x === 'symbol') continue;
        out += (first ? '' : ',') + str(k) + ':' + canonicalJson(x);
        first = false;
      }
      return out + '}';
    }
    default:
      throw new TypeError(`cannot serialize a ${typeof v} as JSON`);
  }
}

/**
 * RFC 8785 serialization of an entry body. Equal to canonicalize(body) (tested); the envelope is written out
 * because its keys are fixed.
 */
export function canonicalEntry(b: EntryBody): string {
  if (typeof b.details !== 'object' || b.details === null || Array.isArray(b.details))
    throw new TypeError('ledger details must be a JSON object');
  const details = canonicalJson(b.details);
  if (!Number.isSafeInteger(b.seq)) throw new TypeError('ledger seq must be a safe integer');
  return (
    `{"action":${str(b.action)},"actorId":${s(b.actorId)},"actorKind":${str(b.actorKind)},` +
    `"actorName":${s(b.actorName)},"details":${details},"objectId":${s(b.objectId)},"objectType":${str(b.objectType)},` +
    `"orgId":${s(b.orgId)},"purpose":${s(b.purpose)},"seq":${b.seq},"time":${str(b.time)}}`
  );
}

export function entryHash(body: EntryBody, prevHash: string): string {
  return hash('sha256', canonicalEntry(body) + prevHash, 'hex');
}

/** Makes details plain JSON (drops undefined, turns Dates into strings) so what is hashed is what is stored. */
export function normalizeDetails(details: Record<string, unknown> | undefined | null): Record<string, unknown> {
  if (details === undefined || details === null) return {};
  const plain: unknown = JSON.parse(JSON.stringify(details));
  if (typeof plain !== 'object' || plain === null || Array.isArray(plain)) throw new TypeError('ledger details must be a JSON object');
  return plain as Record<string, unknown>;
}
