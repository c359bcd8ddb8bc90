// Checkpoints, proofs and verification against a real PostgreSQL, including tampering by the database owner.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { createTestDatabase, type TestDatabase } from '../../../test/helpers.ts';
import { openDatabase, type Database } from '../../db/database.ts';
import { loadConfig, type Config } from '../../config.ts';
import { createLogger } from '../../log.ts';
import { JobsService } from '../jobs/service.ts';
import { SYSTEM, type Actor } from '../identity/actor.ts';
import { leafHash, verifyConsistency, verifyInclusion } from './merkle.ts';
import { checkpointStatement } from './signing.ts';
import { LedgerService } from './service.ts';
import { createPublicKey, verify as verifySig } from 'node:crypto';

const alice: Actor = { kind: 'user', userId: 'u-1', username: 'alice', displayName: '张三', orgId: 'org-1', orgPath: ['org-1'], roles: [] };

async function makeLedger(url: string, dataDir: string, overrides: Partial<Config> = {}) {
  const database = openDatabase(url);
  const config = loadConfig({ SHUYUAN_LOG_LEVEL: 'silent' }, { databaseUrl: url, dataDir, ...overrides });
  const log = createLogger('silent');
  const ledger = new LedgerService(database.db, config, log, new JobsService(database, config, log), database);
  return { database, ledger };
}

async function appendMany(database: Database, ledger: LedgerService, n: number, actor: Actor = alice) {
  for (let i = 0; i < n; i++) {
    await database.db
      .transaction()
      .execute((tx) =>
        ledger.append(tx, { actor, action: 'test.write', objectType: 'test', objectId: String(i), details: { i, 名称: `条目${i}` } }),
      );
  }
}

/** Runs SQL as the database owner with the triggers switched off (what an attacker with owner rights can do). */
async function tamper(url: string, statement: string) {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    await c.query('set session_replication_role = replica');
    await c.query(statement);
  } finally {
    await c.end();
  }
}

describe('ledger checkpoints, proofs and verification', () => {
  let tdb: TestDatabase;
  let dirA: string;
  let dirB: string;
  let A: Awaited<ReturnType<typeof makeLedger>>;

  before(async () => {
    tdb = await createTestDatabase();
    dirA = await fs.mkdtemp(path.join(os.tmpdir(), 'ledger-a-'));
    dirB = await fs.mkdtemp(path.join(os.tmpdir(), 'ledger-b-'));
    A = await makeLedger(tdb.url, dirA);
  });
  after(async () => {
    await A.ledger.stop();
    await A.database.close();
    await tdb.drop();
    await fs.rm(dirA, { recursive: true, force: true });
    await fs.rm(dirB, { recursive: true, force: true });
  });

  it('verifies an empty ledger', async () => {
    assert.deepEqual(await A.ledger.verify(), { ok: true, entries: 0, checkpoints: 0 });
  });

  it('creates the signing key at first start (0600) and registers its public key', async () => {
    await A.ledger.init();
    await A.ledger.stop();
    const file = path.join(dirA, 'keys', 'ledger-ed25519.pem');
    const st = await fs.stat(file);
    assert.equal(st.mode & 0o777, 0o600);
    const key = await A.ledger.signingKey();
    const rows = await A.database.db.selectFrom('ledger_keys').selectAll().execute();
    assert.deepEqual(
      rows.map((r) => r.key_id),
      [key.keyId],
    );
    assert.equal(key.publicKeyRaw.length, 32);
  });

  it('signs checkpoints that verify, and proofs that check against them', async () => {
    await appendMany(A.database, A.ledger, 37);
    const cp1 = await A.ledger.checkpoint();
    assert.equal(cp1?.treeSize, 37);
    assert.equal(await A.ledger.checkpoint().then((c) => c?.treeSize), 37, 'nothing new: no new checkpoint');
    await appendMany(A.database, A.ledger, 30);
    const cp2 = (await A.ledger.checkpoint())!;
    assert.equal(cp2.treeSize, 67);
    // The signature verifies with the public key alone.
    const key = await A.ledger.signingKey();
    assert.ok(
      verifySig(
        null,
        checkpointStatement(cp2.treeSize, cp2.rootHash, cp2.signedAt),
        createPublicKey(key.publicKeyPem),
        Buffer.from(cp2.signature, 'base64'),
      ),
    );

    for (const seq of [1, 16, 17, 37, 38, 64, 67]) {
      const p = await A.ledger.inclusionProof(seq);
      assert.equal(p.treeSize, 67);
      assert.equal(p.checkpoint?.rootHash, cp2.rootHash);
      assert.ok(
        verifyInclusion(
          p.leafIndex,
          p.treeSize,
          leafHash(Buffer.from(p.entryHash, 'hex')),
          p.path.map((h) => Buffer.from(h, 'hex')),
          Buffer.from(cp2.rootHash, 'hex'),
        ),
        `inclusion of ${seq}`,
      );
    }
    const old = await A.ledger.inclusionProof(5, 37);
    assert.equal(old.rootHash, cp1!.rootHash);
    const c = await A.ledger.consistencyProof(37, 67);
    assert.equal(c.fromRoot, cp1!.rootHash);
    assert.equal(c.toRoot, cp2.rootHash);
    assert.ok(
      verifyConsistency(
        37,
        67,
        Buffer.from(cp1!.rootHash, 'hex'),
        Buffer.from(cp2.rootHash, 'hex'),
        c.proof.map((h) => Buffer.from(h, 'hex')),
      ),
    );
    // Trees that are not checkpoints (below the latest) also get proofs.
    const mid = await A.ledger.consistencyProof(20, 50);
    assert.ok(
      verifyConsistency(
        20,
        50,
        Buffer.from(mid.fromRoot, 'hex'),
        Buffer.from(mid.toRoot, 'hex'),
        mid.proof.map((h) => Buffer.from(h, 'hex')),
      ),
    );
    await assert.rejects(A.ledger.inclusionProof(5, 68), /LEDGER_TREE_SIZE_INVALID/);
    await assert.rejects(A.ledger.inclusionProof(50, 40), /LEDGER_ENTRY_OUTSIDE_TREE/);
    await assert.rejects(A.ledger.inclusionProof(999), /LEDGER_ENTRY_NOT_FOUND/);
  });

  it('verifies from the database alone, with checkpoints signed by two data directories', async () => {
    const B = await makeLedger(tdb.url, dirB);
    try {
      await appendMany(B.database, B.ledger, 5, SYSTEM);
      const cp = (await B.ledger.checkpoint())!;
      assert.notEqual(cp.keyId, (await A.ledger.signingKey()).keyId);
      const progress: number[] = [];
      const r = await A.ledger.verify((checked) => progress.push(checked));
      assert.deepEqual(r, { ok: true, entries: 72, checkpoints: 3 });
      assert.equal(progress.at(-1), 72);
      // The same in chunks, in this thread and in worker threads (as large ledgers are verified).
      assert.deepEqual(await A.ledger.verify(undefined, { chunkSize: 16, workers: 0 }), r);
      assert.deepEqual(await A.ledger.verify(undefined, { chunkSize: 8, workers: 2 }), r);
      const stats = await A.ledger.stats();
      assert.equal(stats.entries, 72);
      assert.equal(stats.checkpoints, 3);
      assert.equal(stats.lastCheckpointSize, 72);
    } finally {
      await B.database.close();
    }
  });

  it('signs checkpoints by itself every N entries', async () => {
    const C = await makeLedger(tdb.url, dirA, { ledgerCheckpointEvery: 3 });
    try {
      await C.ledger.init();
      await appendMany(C.database, C.ledger, 3);
      for (let i = 0; i < 100 && (await C.ledger.stats()).lastCheckpointSize < 75; i++) await new Promise((r) => setTimeout(r, 20));
      assert.equal((await C.ledger.stats()).lastCheckpointSize, 75);
    } finally {
      await C.ledger.stop();
      await C.database.close();
    }
  });

  it('names the entry whose content was changed by the database owner', async () => {
    await tamper(tdb.url, `update ledger_entries set details = jsonb_set(details, '{i}', '999') where seq = 40`);
    for (const opts of [{}, { chunkSize: 16, workers: 2 }, { chunkSize: 32, workers: 0 }]) {
      const r = await A.ledger.verify(undefined, opts);
      assert.equal(r.ok, false);
      assert.equal(r.firstBad?.seq, 40);
      assert.equal(r.firstBad?.code, 'HASH_MISMATCH');
      assert.equal(r.entries, 39);
    }
  });

  it('names a deleted entry, and a rewritten chain through the signed checkpoint', async () => {
    const t2 = await createTestDatabase();
    const D = await makeLedger(t2.url, dirA);
    try {
      await appendMany(D.database, D.ledger, 20);
      await D.ledger.checkpoint();
      // Rewrite entry 7 and recompute the chain after it (hashes stay consistent; only the checkpoint notices).
      const rows = await D.database.db.selectFrom('ledger_entries').selectAll().orderBy('seq').execute();
      const { entryHash } = await import('./hash.ts');
      let prev = rows[5]!.hash;
      const updates: string[] = [];
      for (const r of rows.slice(6)) {
        const details = r.seq === 7 ? { i: 'forged' } : (r.details as Record<string, unknown>);
        const h = entryHash(
          {
            seq: r.seq,
            time: r.time.toISOString(),
            actorId: r.actor_id,
            actorName: r.actor_name,
            actorKind: r.actor_kind,
            orgId: r.org_id,
            action: r.action,
            objectType: r.object_type,
            objectId: r.object_id,
            purpose: r.purpose,
            details,
          },
          prev,
        );
        updates.push(
          `update ledger_entries set details = '${JSON.stringify(details)}', prev_hash = '${prev}', hash = '${h}' where seq = ${r.seq}`,
        );
        prev = h;
      }
      await tamper(t2.url, updates.join(';'));
      const chunked = { chunkSize: 4, workers: 2 };
      for (const opts of [{}, chunked]) {
        const r = await D.ledger.verify(undefined, opts);
        assert.equal(r.firstBad?.code, 'CHECKPOINT_ROOT_MISMATCH');
        assert.equal(r.firstBad?.seq, 20);
      }
      await tamper(t2.url, 'delete from ledger_entries where seq in (3, 9)');
      for (const opts of [{}, chunked]) {
        const r = await D.ledger.verify(undefined, opts);
        assert.equal(r.firstBad?.code, 'ENTRY_MISSING');
        assert.equal(r.firstBad?.seq, 3);
      }
      await tamper(t2.url, 'delete from ledger_entries where seq >= 3');
      for (const opts of [{}, chunked]) {
        const r = await D.ledger.verify(undefined, opts);
        assert.equal(r.firstBad?.code, 'CHECKPOINT_BEYOND_END');
        assert.equal(r.firstBad?.seq, 3);
      }
    } finally {
      await D.database.close();
      await t2.drop();
    }
  });
});
