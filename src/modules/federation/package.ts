// The exchange format between two Shuyuan instances for back-flow (数据回流, issue 6 §7): a grant package,
// signed by the issuing platform's Ed25519 key, that tells the receiving platform what it was granted and how
// to fetch it. Pure: building the signed statement, signing and verifying. docs/federation.md has the format.
//
//   {
//     "format": "shuyuan-federation-grant/1",
//     "issuedAt": ISO 8601,
//     "issuer":   { "name", "baseUrl", "keyId", "publicKeyPem" },
//     "grant":    { "id", "entitlementId", "fields", "actions", "rowFilter": { "field", "values" } | null,
//                   "validFrom", "validTo" | null, "policy": ODRL 2.2 Agreement (JSON-LD) },
//     "resource": { "id", "code", "nameZh", "nameEn", "abstractZh", "abstractEn", "subjectCategory",
//                   "domainCategory", "updateFrequency", "grade", "gradeLevel",
//                   "fields": [{ "code", "nameZh", "nameEn", "dataType", "piiKind" }] },
//     "endpoints": { "extracts": "/api/gateway/v1/resources/<id>/extracts" },
//     "credentials": { "appKey", "appSecret" },
//     "signature": base64 Ed25519 over the UTF-8 RFC 8785 canonical JSON of every other member
//   }
//
// The package carries an AppSecret: it is handed over like any credential (out of band, to the receiving
// authority only). The receiver checks the signature against the issuer key fingerprint it obtained out of
// band (keyId = hex SHA-256 of the raw public key, the ledger's key id), so a package altered on the way, or
// signed by another key, is refused.
import { createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import canonicalizeModule from 'canonicalize';
import { keyIdOf } from '../ledger/signing.ts';

const canonicalize = canonicalizeModule as unknown as (input: unknown) => string | undefined;

export const PACKAGE_FORMAT = 'shuyuan-federation-grant/1';

export interface PackageField {
  code: string;
  nameZh: string;
  nameEn: string;
  dataType: string;
  piiKind: string;
}

export interface GrantPackage {
  format: typeof PACKAGE_FORMAT;
  issuedAt: string;
  issuer: { name: string; baseUrl: string; keyId: string; publicKeyPem: string };
  grant: {
    id: string;
    entitlementId: string;
    fields: string[];
    actions: string[];
    rowFilter: { field: string; values: string[] } | null;
    validFrom: string;
    validTo: string | null;
    policy: unknown;
  };
  resource: {
    id: string;
    code: string;
    nameZh: string;
    nameEn: string;
    abstractZh: string;
    abstractEn: string;
    subjectCategory: string;
    domainCategory: string;
    updateFrequency: string;
    grade: string;
    gradeLevel: number | null;
    fields: PackageField[];
  };
  endpoints: { extracts: string };
  credentials: { appKey: string; appSecret: string };
  signature: string;
}

/** The bytes the signature covers: the canonical JSON of the package without its signature. */
export function signedBytes(pkg: Omit<GrantPackage, 'signature'> | GrantPackage): Buffer {
  const { signature: _s, ...rest } = pkg as GrantPackage;
  const text = canonicalize(rest);
  if (text === undefined) throw new Error('federation: the package cannot be canonicalized');
  return Buffer.from(text, 'utf8');
}

export function signPackage(unsigned: Omit<GrantPackage, 'signature'>, privateKey: KeyObject): GrantPackage {
  return { ...unsigned, signature: sign(null, signedBytes(unsigned), privateKey).toString('base64') };
}

export type PackageProblem = 'format' | 'key_mismatch' | 'bad_key' | 'signature' | 'expired';

/** Why the package is not acceptable (null: it is), checked against the issuer key the receiver expects. */
export function checkPackage(pkg: GrantPackage, expectedKeyId: string, now: Date): PackageProblem | null {
  if (!pkg || pkg.format !== PACKAGE_FORMAT || typeof pkg.signature !== 'string' || !pkg.issuer || !pkg.grant || !pkg.resource)
    return 'format';
  let key: KeyObject;
  try {
    key = createPublicKey(pkg.issuer.publicKeyPem);
    if (key.asymmetricKeyType !== 'ed25519') return 'bad_key';
  } catch {
    return 'bad_key';
  }
  const keyId = keyIdOf(key);
  if (keyId !== pkg.issuer.keyId || keyId !== expectedKeyId.toLowerCase()) return 'key_mismatch';
  let ok: boolean;
  try {
    ok = verify(null, signedBytes(pkg), key, Buffer.from(pkg.signature, 'base64'));
  } catch {
    ok = false;
  }
  if (!ok) return 'signature';
  if (pkg.grant.validTo && new Date(pkg.grant.validTo) <= now) return 'expired';
  return null;
}
