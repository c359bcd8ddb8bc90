// `npm run bench -- ledger`: the ledger's two costs, measured in one run on a fresh database.
//  (a) chained appends, each in its own transaction (lock, head, hash, chain-checking insert), against plain
//      INSERTs of the same rows, each in its own transaction, into a table of the same shape and indexes
//      without the chain. Target (issue 3): ours ≥ 0.5× the plain rows/s.
//  (b) full verification (chain + every checkpoint's Merkle root and signature) of 1,000,000 entries.
//      Target: ≤ 10 s. The chain is generated with the ledger's own hashing code and bulk-loaded.
//
// Database: TEST_DATABASE_URL, else a PostgreSQL at 127.0.0.1:5432 when one answers, else an embedded one
// started for the run. A fresh database is created and dropped.
import { randomBytes } from 'node:crypto';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import pg from 'pg';
import { loadConfig } from '../src/config.ts';
import { openDatabase } from '../src/db/database.ts';
import { benchServer } from './_server.ts';
import { createLogger } from '../src/log.ts';
import type { Actor } from '../src/modules/identity/actor.ts';
import { JobsService } from '../src/modules/jobs/service.ts';
import { GENESIS_HASH, entryHash } from '../src/modules/ledger/hash.ts';
import { LedgerService } from '../src/modules/ledger/service.ts';
import { createTestDatabase } from '../test/helpers.ts';

const APPENDS = Number(process.env.BENCH_LEDGER_APPENDS ?? 3000);
const VERIFY_ENTRIES = Number(process.env.BENCH_LEDGER_ENTRIES ?? 1_000_000);
const CHECKPOINT_EVERY = 100_000;

const actor: Actor = {
  kind: 'user',
  userId: 'bench-user',
  username: 'bench',
  displayName: '压测用户',
  orgId: 'org-bench',
  orgPath: ['org-bench'],
  roles: [],
};
const detailsOf = (i: number) => ({ resource: `res-${i % 97}`, fields: ['姓名', '身份证号'], rows: i % 1000, reason: '共享申请审批' });

const line = (name: string, value: string, target: string, ok: boolean | null) =>
  `${name.padEnd(52)} ${value.padStart(16)}   ${target.padEnd(12)} ${ok === null ? '' : ok ? 'OK' : 'BELOW TARGET'}`;

export async function run(): Promise<void> {
  const bench = await benchServer();
  const server = bench.url;
  console.log(`database server: ${new URL(server).host}; ${os.cpus().length} CPUs`);

  const dataDir = await fsp.mkdtemp(path.join(os.tmpdir(), 'shuyuan-bench-ledger-'));
  const tdb = await createTestDatabase();
  const database = openDatabase(tdb.url, { max: 4 });
  const owner = new pg.Client({ connectionString: tdb.url });
  await owner.connect();
  const config = loadConfig({ SHUYUAN_LOG_LEVEL: 'silent' }, { databaseUrl: tdb.url, dataDir });
  const log = createLogger('silent');
  const ledger = new LedgerService(database.db, config, log, new JobsService(database, config, log), database);
  const out: string[] = [];
  try {
    // (a) appends vs plain inserts. Baseline table: same columns, constraints and indexes, no chain triggers.
    await owner.query('create table bench_plain (like ledger_entries including defaults including constraints including indexes)');
    await owner.query('grant select, insert on bench_plain to shuyuan_app');
    const db = database.db;
    // Warm-up of both paths (connections, plans), not measured.
    for (let i = 0; i < 200; i++) {
      await db
        .transaction()
        .execute((tx) =>
          ledger.append(tx, { actor, action: 'bench.warmup', objectType: 'bench', objectId: String(i), details: detailsOf(i) }),
        );
    }
    const { rows: hrow } = await owner.query<{ n: number }>('select max(seq)::int as n from ledger_entries');
    let plainSeq = hrow[0]!.n + 1_000_000;
    const plainInsert = (i: number) =>
      db.transaction().execute((tx) =>
        sql`insert into bench_plain (seq, time, actor_id, actor_name, actor_kind, org_id, action, object_type, object_id, purpose, details, prev_hash, hash)
              values (${plainSeq++}, ${new Date()}, ${actor.userId}, ${actor.displayName}, ${actor.kind}, ${actor.orgId}, 'bench.write', 'bench',
                      ${String(i)}, ${null}, ${JSON.stringify(detailsOf(i))}, ${GENESIS_HASH}, ${randomBytes(32).toString('hex')})`.execute(
          tx,
        ),
      );
    for (let i = 0; i < 200; i++) await plainInsert(i);
    // Interleaved rounds, so that load from elsewhere on the machine hits both sides alike.
    const ROUNDS = 10;
    let plainMs = 0;
    let chainMs = 0;
    let t = 0;
    for (let round = 0, i = 0; round < ROUNDS; round++) {
      const n = Math.ceil(APPENDS / ROUNDS);
      t = performance.now();
      for (let k = 0; k < n; k++) await plainInsert(i + k);
      plainMs += performance.now() - t;
      t = performance.now();
      for (let k = 0; k < n; k++) {
        await db
          .transaction()
          .execute((tx) =>
            ledger.append(tx, { actor, action: 'bench.write', objectType: 'bench', objectId: String(i + k), details: detailsOf(i + k) }),
          );
      }
      chainMs += performance.now() - t;
      i += n;
    }
    const measured = Math.ceil(APPENDS / ROUNDS) * ROUNDS;
    const plainRate = measured / (plainMs / 1000);
    const chainRate = measured / (chainMs / 1000);
    const ratio = chainRate / plainRate;
    console.log(`appends: plain ${plainRate.toFixed(0)} rows/s, chained ${chainRate.toFixed(0)} rows/s`);
    out.push(line(`plain INSERT, own transaction (${measured} rows)`, `${plainRate.toFixed(0)} rows/s`, '', null));
    out.push(line(`ledger.append, own transaction (${measured} rows)`, `${chainRate.toFixed(0)} rows/s`, '', null));
    out.push(line('ratio append/plain', `${ratio.toFixed(2)}×`, '≥ 0.5×', ratio >= 0.5));

    // (b) a valid chain of VERIFY_ENTRIES entries, bulk-loaded (triggers off for the load only), with a signed
    // checkpoint every CHECKPOINT_EVERY entries, then a full verification.
    const { rows: last } = await owner.query<{ seq: number; hash: string; time: Date }>(
      'select seq::int, hash, time from ledger_entries order by seq desc limit 1',
    );
    let prev = last[0]!.hash;
    let seq = last[0]!.seq;
    let ms = last[0]!.time.getTime();
    const toLoad = VERIFY_ENTRIES - seq;
    t = performance.now();
    await owner.query('set session_replication_role = replica');
    const BATCH = 20_000;
    for (let done = 0; done < toLoad;) {
      const n = Math.min(BATCH, toLoad - done);
      const cols = {
        seq: [] as number[],
        time: [] as string[],
        oid: [] as string[],
        details: [] as string[],
        prev: [] as string[],
        hash: [] as string[],
      };
      for (let i = 0; i < n; i++) {
        seq++;
        if (seq % 3 === 0) ms++;
        const time = new Date(ms).toISOString();
        const details = detailsOf(seq);
        const h = entryHash(
          {
            seq,
            time,
            actorId: actor.userId,
            actorName: actor.displayName,
            actorKind: actor.kind,
            orgId: actor.orgId,
            action: 'bench.load',
            objectType: 'bench',
            objectId: String(seq),
            purpose: '压测',
            details,
          },
          prev,
        );
        cols.seq.push(seq);
        cols.time.push(time);
        cols.oid.push(String(seq));
        cols.details.push(JSON.stringify(details));
        cols.prev.push(prev);
        cols.hash.push(h);
        prev = h;
      }
      await owner.query(
        `insert into ledger_entries (seq, time, actor_id, actor_name, actor_kind, org_id, action, object_type, object_id, purpose, details, prev_hash, hash)
         select s, t, $7, $8, $9, $10, 'bench.load', 'bench', o, '压测', d::jsonb, p, h
         from unnest($1::bigint[], $2::timestamptz[], $3::text[], $4::text[], $5::text[], $6::text[]) as x(s, t, o, d, p, h)`,
        [cols.seq, cols.time, cols.oid, cols.details, cols.prev, cols.hash, actor.userId, actor.displayName, actor.kind, actor.orgId],
      );
      done += n;
      if (Math.floor(seq / CHECKPOINT_EVERY) > Math.floor((seq - n) / CHECKPOINT_EVERY) || done === toLoad) await ledger.checkpoint();
    }
    await owner.query('set session_replication_role = origin');
    await owner.query('analyze ledger_entries');
    const loadS = (performance.now() - t) / 1000;
    out.push(line(`bulk load + checkpoints (${toLoad} entries)`, `${loadS.toFixed(1)} s`, '', null));

    t = performance.now();
    const result = await ledger.verify();
    const verifyS = (performance.now() - t) / 1000;
    console.log(`verify: ${verifyS.toFixed(2)} s`);
    if (!result.ok || result.entries !== VERIFY_ENTRIES) throw new Error(`verification failed: ${JSON.stringify(result)}`);
    out.push(
      line(`verify ${result.entries} entries, ${result.checkpoints} checkpoints`, `${verifyS.toFixed(2)} s`, '≤ 10 s', verifyS <= 10),
    );
    out.push(line('verify throughput', `${(result.entries / verifyS).toFixed(0)} entries/s`, '', null));

    t = performance.now();
    const proof = await ledger.inclusionProof(Math.ceil(VERIFY_ENTRIES / 3));
    out.push(
      line(
        `inclusion proof in a tree of ${proof.treeSize} (${proof.path.length} hashes)`,
        `${(performance.now() - t).toFixed(1)} ms`,
        '',
        null,
      ),
    );
    console.log(out.join('\n'));
  } finally {
    await owner.end();
    await database.close();
    await tdb.drop();
    await fsp.rm(dataDir, { recursive: true, force: true });
    await bench.stop();
  }
}
