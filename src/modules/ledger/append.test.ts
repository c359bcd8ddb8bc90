// The hash chain: appends inside the caller's transaction, concurrency without gaps, refusals of change.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import canonicalizeModule from 'canonicalize';
import { sql } from 'kysely';
import { createTestDatabase, type TestDatabase } from '../../../test/helpers.ts';
import { openDatabase, type Database } from '../../db/database.ts';
import { loadConfig } from '../../config.ts';
import { createLogger } from '../../log.ts';
import { JobsService } from '../jobs/service.ts';
import { SYSTEM, type Actor } from '../identity/actor.ts';
import { GENESIS_HASH, canonicalEntry, canonicalJson, entryHash, type EntryBody } from './hash.ts';
import { LedgerService } from './service.ts';

const canonicalize = canonicalizeModule as unknown as (v: unknown) => string;

const alice: Actor = {
  kind: 'user',
  userId: 'u-1',
  username: 'alice',
  displayName: '张三',
  orgId: 'org-1',
  orgPath: ['org-1'],
  roles: ['authority_admin'],
};

describe('ledger hash chain', () => {
  let tdb: TestDatabase;
  let database: Database;
  let ledger: LedgerService;

  before(async () => {
    tdb = await createTestDatabase();
    database = openDatabase(tdb.url, { max: 25 });
    const config = loadConfig({ SHUYUAN_LOG_LEVEL: 'silent' }, { databaseUrl: tdb.url });
    const log = createLogger('silent');
    ledger = new LedgerService(database.db, config, log, new JobsService(database, config, log));
  });
  after(async () => {
    await ledger.stop();
    await database.close();
    await tdb.drop();
  });

  it('serializes an entry exactly as RFC 8785 canonicalize() does', () => {
    const body: EntryBody = {
      seq: 12,
      time: '2025-01-31T08:00:00.123Z',
      actorId: null,
      actorName: '张三 "quoted"\n',
      actorKind: 'user',
      orgId: 'o',
      action: 'user.create',
      objectType: 'user',
      objectId: 'x',
      purpose: null,
      details: { z: 1, a: [1.5, 'é', { b: null, A: true }], '€': 1e21, '\u0080': -0 },
    };
    assert.equal(canonicalEntry(body), canonicalize(body));
  });

  it('canonicalizes JSON values exactly as the canonicalize package (RFC 8785)', () => {
    const samples: unknown[] = [
      {},
      [],
      { b: [], a: {}, '': '' },
      { '\u20ac': 'Euro', '\r': 'CR', '\ufb33': 'Hebrew', '1': 'one', '\u0080': 'ctl', '😀': 'smile', '\u00f6': 'o' },
      { numbers: [333333333.3333333, 1e30, 4.5, 2e-3, 0.000000000000000000000000001, -0, 9007199254740992, 1e21, 1e-7] },
      { s: 'tab\tquote"back\\slash\u0001\u001f\u007f\u2028 中文 ‘’' },
      { nested: { z: [1, { y: null, x: true, w: false }], a: [[[]]] } },
      { arr: [undefined, 1], skip: undefined },
      { lone: '\ud800x', pair: '😀', ctl: '\u0000\b\f\n', ls: '\u2028\u2029', zh: '数源', b: 'ab', a: 'b', aa: 1, B: 2 },
    ];
    for (const v of samples) assert.equal(canonicalJson(v), canonicalize(v), JSON.stringify(v));
    assert.throws(() => canonicalJson({ n: NaN }));
  });

  it('appends inside the caller transaction, chained from the genesis hash', async () => {
    const r1 = await database.db.transaction().execute((tx) =>
      ledger.append(tx, {
        actor: alice,
        action: 'user.create',
        objectType: 'user',
        objectId: 'u-2',
        details: { username: 'bob', at: new Date(0), gone: undefined },
      }),
    );
    const r2 = await database.db
      .transaction()
      .execute((tx) => ledger.append(tx, { actor: SYSTEM, action: 'system.seed', objectType: 'system', orgId: 'org-9' }));
    assert.deepEqual([r1.seq, r2.seq], [1, 2]);
    const rows = await database.db.selectFrom('ledger_entries').selectAll().orderBy('seq').execute();
    assert.equal(rows[0]!.prev_hash, GENESIS_HASH);
    assert.equal(rows[1]!.prev_hash, r1.hash);
    assert.equal(rows[0]!.actor_name, '张三');
    assert.equal(rows[0]!.actor_kind, 'user');
    assert.equal(rows[0]!.org_id, 'org-1');
    assert.deepEqual(rows[0]!.details, { username: 'bob', at: '1970-01-01T00:00:00.000Z' });
    assert.equal(rows[1]!.org_id, 'org-9');
    assert.equal(rows[1]!.actor_kind, 'system');
    for (const r of rows) {
      const body: EntryBody = {
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
        details: r.details as Record<string, unknown>,
      };
      assert.equal(entryHash(body, r.prev_hash), r.hash);
    }
  });

  it('rolls back with the change: a rolled-back append leaves no gap', async () => {
    await assert.rejects(
      database.db.transaction().execute(async (tx) => {
        await ledger.append(tx, { actor: alice, action: 'x.fail', objectType: 'x' });
        throw new Error('boom');
      }),
      /boom/,
    );
    const r = await database.db.transaction().execute((tx) => ledger.append(tx, { actor: alice, action: 'x.ok', objectType: 'x' }));
    assert.equal(r.seq, 3);
  });

  it('keeps the chain intact under 20 concurrent transactions, some rolling back', async () => {
    const before = (
      await database.db
        .selectFrom('ledger_entries')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow()
    ).n;
    const results = await Promise.allSettled(
      Array.from({ length: 20 }, (_, i) =>
        database.db.transaction().execute(async (tx) => {
          await sql`select pg_sleep(${(i % 5) * 0.005})`.execute(tx);
          const r = await ledger.append(tx, { actor: alice, action: 'concurrent.test', objectType: 'test', objectId: String(i) });
          await sql`select pg_sleep(0.002)`.execute(tx);
          if (i % 4 === 0) throw new Error('rollback');
          return r;
        }),
      ),
    );
    assert.equal(results.filter((r) => r.status === 'fulfilled').length, 15);
    const rows = await database.db.selectFrom('ledger_entries').select(['seq', 'prev_hash', 'hash']).orderBy('seq').execute();
    assert.equal(rows.length, Number(before) + 15);
    rows.forEach((r, i) => {
      assert.equal(r.seq, i + 1);
      assert.equal(r.prev_hash, i === 0 ? GENESIS_HASH : rows[i - 1]!.hash);
    });
  });

  it('refuses an INSERT that does not extend the chain', async () => {
    const last = await database.db.selectFrom('ledger_entries').select(['seq', 'hash']).orderBy('seq', 'desc').executeTakeFirstOrThrow();
    const row = { time: new Date(), actor_kind: 'system', action: 'forged', object_type: 'x', hash: 'a'.repeat(64) };
    await assert.rejects(
      database.db
        .insertInto('ledger_entries')
        .values({ ...row, seq: last.seq + 2, prev_hash: last.hash })
        .execute(),
      /does not follow/,
    );
    await assert.rejects(
      database.db
        .insertInto('ledger_entries')
        .values({ ...row, seq: last.seq + 1, prev_hash: 'b'.repeat(64) })
        .execute(),
      /prev_hash/,
    );
  });

  it('refuses UPDATE, DELETE and TRUNCATE to the application role, and the triggers refuse them to the owner', async () => {
    await assert.rejects(sql`update ledger_entries set details = '{}' where seq = 1`.execute(database.db), /permission denied|append-only/);
    await assert.rejects(sql`delete from ledger_entries where seq = 1`.execute(database.db), /permission denied|append-only/);
    await assert.rejects(sql`truncate ledger_entries`.execute(database.db), /permission denied|append-only/);
    const owner = new pg.Client({ connectionString: tdb.url });
    await owner.connect();
    try {
      await assert.rejects(owner.query(`update ledger_entries set details = '{}' where seq = 1`), /append-only/);
      await assert.rejects(owner.query(`delete from ledger_entries where seq = 1`), /append-only/);
      await assert.rejects(owner.query(`truncate ledger_entries cascade`), /append-only/);
    } finally {
      await owner.end();
    }
  });

  it('refuses to append outside READ COMMITTED', async () => {
    await assert.rejects(
      database.db
        .transaction()
        .setIsolationLevel('serializable')
        .execute((tx) => ledger.append(tx, { actor: alice, action: 'x', objectType: 'x' })),
      /READ COMMITTED/,
    );
  });
});
