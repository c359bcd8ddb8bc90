// Request and response schemas of the ledger routes.
import { Type, type Static } from 'typebox';

const Hex64 = Type.String({ pattern: '^[0-9a-f]{64}$', description: '32 bytes, lowercase hex' });

export const Entry = Type.Object({
  seq: Type.Integer({ minimum: 1, description: 'Position in the chain: 1, 2, 3, … without gaps' }),
  time: Type.String({ format: 'date-time' }),
  actorId: Type.Union([Type.String(), Type.Null()]),
  actorName: Type.Union([Type.String(), Type.Null()]),
  actorKind: Type.String({ description: 'user, api_key, system or anonymous' }),
  orgId: Type.Union([Type.String(), Type.Null()]),
  action: Type.String({ description: "Dotted verb, e.g. 'user.create'" }),
  objectType: Type.String(),
  objectId: Type.Union([Type.String(), Type.Null()]),
  purpose: Type.Union([Type.String(), Type.Null()]),
  details: Type.Unknown({ description: 'JSON object' }),
  prevHash: Hex64,
  hash: Type.String({ pattern: '^[0-9a-f]{64}$', description: 'hex SHA-256( JCS(entry) || prevHash ), see src/modules/ledger/FORMAT.md' }),
});

const TimeBound = Type.String({
  maxLength: 40,
  description: "ISO 8601 date-time, or a date 'YYYY-MM-DD' in China time (from: start of that day; to: end of that day)",
});

export const EntryFiltersQuery = Type.Object({
  actor: Type.Optional(Type.String({ maxLength: 200, description: 'User id, or part of the actor name' })),
  org: Type.Optional(Type.String({ maxLength: 200, description: 'Organization id' })),
  action: Type.Optional(Type.String({ maxLength: 200, description: "Exact action, or a prefix: 'user' matches 'user.create'" })),
  objectType: Type.Optional(Type.String({ maxLength: 200 })),
  objectId: Type.Optional(Type.String({ maxLength: 200 })),
  from: Type.Optional(TimeBound),
  to: Type.Optional(TimeBound),
});

export const EntryListQuery = Type.Object({
  ...EntryFiltersQuery.properties,
  page: Type.Integer({ minimum: 1, maximum: 1_000_000, default: 1 }),
  pageSize: Type.Integer({ minimum: 1, maximum: 200, default: 50 }),
});

export const EntryPage = Type.Object({
  items: Type.Array(Entry, { description: 'Newest first' }),
  total: Type.Integer(),
  page: Type.Integer(),
  pageSize: Type.Integer(),
});

export const SeqParams = Type.Object({ seq: Type.Integer({ minimum: 1 }) });

export const Checkpoint = Type.Object({
  treeSize: Type.Integer({ minimum: 1, description: 'The checkpoint covers entries 1..treeSize' }),
  rootHash: Type.String({ pattern: '^[0-9a-f]{64}$', description: 'RFC 9162 Merkle tree head; leaf i = bytes of entry (i+1).hash' }),
  signedAt: Type.String({ format: 'date-time' }),
  keyId: Hex64,
  signature: Type.String({ description: 'Ed25519 signature (base64) of the statement described in src/modules/ledger/FORMAT.md' }),
});

export const CheckpointPage = Type.Object({
  items: Type.Array(Checkpoint, { description: 'Largest tree first' }),
  total: Type.Integer(),
  page: Type.Integer(),
  pageSize: Type.Integer(),
});

export const PageQuery = Type.Object({
  page: Type.Integer({ minimum: 1, maximum: 1_000_000, default: 1 }),
  pageSize: Type.Integer({ minimum: 1, maximum: 200, default: 50 }),
});

export const PublicKey = Type.Object({
  algorithm: Type.Literal('Ed25519'),
  keyId: Type.String({ description: 'hex SHA-256 of the 32-byte raw public key' }),
  publicKeyPem: Type.String({ description: 'SubjectPublicKeyInfo PEM' }),
  publicKeyRawBase64: Type.String({ description: 'The 32-byte raw public key (RFC 8032), base64' }),
});

export const ProofQuery = Type.Object({
  treeSize: Type.Optional(Type.Integer({ minimum: 1, description: 'Default: the latest checkpoint' })),
});

export const InclusionProof = Type.Object({
  seq: Type.Integer(),
  leafIndex: Type.Integer({ description: 'seq − 1' }),
  treeSize: Type.Integer(),
  entryHash: Hex64,
  leafHash: Type.String({ description: 'SHA-256(0x00 || entry hash bytes), hex' }),
  rootHash: Hex64,
  path: Type.Array(Type.String(), { description: 'RFC 9162 PATH(leafIndex, D[treeSize]), hex, leaf to root' }),
  checkpoint: Type.Union([Checkpoint, Type.Null()], { description: 'The signed checkpoint of this tree size, if there is one' }),
});

export const ConsistencyQuery = Type.Object({
  from: Type.Integer({ minimum: 1, description: 'Smaller tree size (e.g. an older checkpoint)' }),
  to: Type.Integer({ minimum: 1, description: 'Larger tree size, at most the latest checkpoint' }),
});

export const ConsistencyProof = Type.Object({
  from: Type.Integer(),
  to: Type.Integer(),
  fromRoot: Hex64,
  toRoot: Hex64,
  proof: Type.Array(Type.String(), { description: 'RFC 9162 PROOF(from, D[to]), hex' }),
  fromCheckpoint: Type.Union([Checkpoint, Type.Null()]),
  toCheckpoint: Type.Union([Checkpoint, Type.Null()]),
});

export const VerifyStarted = Type.Object({ jobId: Type.String() });
export const JobParams = Type.Object({ jobId: Type.String({ maxLength: 100 }) });

export const VerifyResult = Type.Object({
  ok: Type.Boolean(),
  entries: Type.Integer({ description: 'Entries verified' }),
  checkpoints: Type.Integer({ description: 'Checkpoints verified' }),
  firstBad: Type.Optional(
    Type.Object({
      seq: Type.Integer({ description: 'The first entry that does not verify (for a checkpoint: the last entry it covers)' }),
      code: Type.String({
        description:
          'ENTRY_MISSING, PREV_HASH_MISMATCH, HASH_MISMATCH, CHECKPOINT_ROOT_MISMATCH, CHECKPOINT_SIGNATURE_INVALID, CHECKPOINT_KEY_UNKNOWN, CHECKPOINT_BEYOND_END',
      }),
      reason: Type.String({ description: "In the caller's language" }),
    }),
  ),
});

export const VerifyJob = Type.Object({
  jobId: Type.String(),
  state: Type.String({ description: 'created, retry, active, completed, cancelled, failed' }),
  result: Type.Union([VerifyResult, Type.Null()]),
  error: Type.Union([Type.String(), Type.Null()]),
  createdAt: Type.String({ format: 'date-time' }),
  completedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
});

export type EntryFiltersQuery = Static<typeof EntryFiltersQuery>;
