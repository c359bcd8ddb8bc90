// The tamper-evident ledger (可信存证): hash-chained entries appended inside the caller's transaction, signed
// RFC 9162 Merkle checkpoints, inclusion and consistency proofs, and full verification.
import { createPublicKey, type KeyObject } from 'node:crypto';
import os from 'node:os';
import { Worker } from 'node:worker_threads';
import type { Config } from '../../config.ts';
import type { Logger } from '../../context.ts';
import type { Database, Db, Executor, Tx } from '../../db/database.ts';
import { AppError, badRequest, notFound } from '../../errors.ts';
import type { Actor } from '../identity/actor.ts';
import type { JobsService } from '../jobs/service.ts';
import { entryHash, normalizeDetails } from './hash.ts';
import {
  MerkleFrontier,
  consistencyPath,
  inclusionPath,
  leafHashHex,
  neededNodes,
  nodeHash,
  treeRoot,
  type PerfectSource,
} from './merkle.ts';
import * as repo from './repository.ts';
import { verifyChunk, type ChunkResult, type ChunkTask, type VerifyFailure } from './verify.ts';
import { loadOrCreateKey, signCheckpoint, verifyCheckpointSignature, type SigningKey } from './signing.ts';

export type { EntryFilters, EntryRow, CheckpointRow } from './repository.ts';

export interface LedgerAppend {
  actor: Actor;
  /** Dotted verb, e.g. 'auth.login', 'user.create', 'org.update'. */
  action: string;
  objectType: string;
  objectId?: string | null;
  /** Defaults to the actor's organization. */
  orgId?: string | null;
  purpose?: string | null;
  details?: Record<string, unknown>;
}

export type { VerifyFailure };

export interface VerifyOptions {
  /** Entries per chunk (a power of two; default 65,536). */
  chunkSize?: number;
  /** Worker threads (default: up to 4 when the ledger has more than one chunk; 0 = this thread). */
  workers?: number;
}

export interface VerifyResult {
  ok: boolean;
  /** Entries checked (all of them when ok). */
  entries: number;
  /** Checkpoints checked (all of them when ok). */
  checkpoints: number;
  /** The first entry that does not verify; for a checkpoint failure, the last entry that checkpoint covers. */
  firstBad?: { seq: number; reason: string; code: VerifyFailure };
}

export interface LedgerStats {
  entries: number;
  checkpoints: number;
  lastCheckpointAt: Date | null;
  lastCheckpointSize: number;
}

export interface InclusionProof {
  seq: number;
  leafIndex: number;
  treeSize: number;
  /** The entry's hash (the Merkle leaf is its 32 bytes). */
  entryHash: string;
  /** SHA-256(0x00 || entry hash bytes). */
  leafHash: string;
  rootHash: string;
  path: string[];
  /** The signed checkpoint of this tree size, when there is one. */
  checkpoint: repo.CheckpointRow | null;
}

export interface ConsistencyProof {
  from: number;
  to: number;
  fromRoot: string;
  toRoot: string;
  proof: string[];
  fromCheckpoint: repo.CheckpointRow | null;
  toCheckpoint: repo.CheckpointRow | null;
}

/** Perfect subtrees of at least 2^STORED_LEVEL leaves are cached in ledger_merkle_nodes; smaller ones are computed. */
const STORED_LEVEL = 4;
const VERIFY_BATCH = 10_000;
const CHUNK_SIZE = 65_536;

export class LedgerService {
  private key: SigningKey | null = null;
  private timer: NodeJS.Timeout | null = null;
  private soon: NodeJS.Timeout | null = null;
  private running: Promise<unknown> | null = null;
  private appendsSinceTick = 0;
  private stopped = false;

  constructor(
    readonly db: Db,
    readonly config: Config,
    readonly log: Logger,
    readonly jobs: JobsService,
    /** The pool's URL lets verification use worker threads with their own connections. */
    readonly database?: Database,
  ) {
    jobs.define<{ requestedBy?: string }>('ledger.verify', async () => this.verify(), { retryLimit: 0, expireInSeconds: 3600 });
  }

  /**
   * Appends one entry inside the caller's transaction (the change and its record commit together). Takes the
   * ledger lock until that transaction ends, so call it last. Needs READ COMMITTED (the default).
   */
  async append(tx: Tx, entry: LedgerAppend): Promise<{ seq: number; hash: string }> {
    const { actor } = entry;
    const details = normalizeDetails(entry.details);
    const head = await repo.lockHead(tx);
    if (head.isolation !== 'read committed') {
      throw new Error(`ledger.append needs a READ COMMITTED transaction (got ${head.isolation})`);
    }
    const seq = head.lastSeq + 1;
    const row: repo.EntryRow = {
      seq,
      time: head.nextTime,
      actorId: actor.userId ?? null,
      actorName: actor.displayName ?? actor.username ?? null,
      actorKind: actor.kind,
      orgId: entry.orgId === undefined ? (actor.orgId ?? null) : entry.orgId,
      action: entry.action,
      objectType: entry.objectType,
      objectId: entry.objectId ?? null,
      purpose: entry.purpose ?? null,
      details,
      prevHash: head.lastHash,
      hash: '',
    };
    row.hash = entryHash({ ...row, time: row.time.toISOString() }, row.prevHash);
    await repo.insertEntry(tx, row);
    if (this.timer && ++this.appendsSinceTick >= this.config.ledgerCheckpointEvery) this.tickSoon();
    return { seq, hash: row.hash };
  }

  /**
   * Loads (or creates) the signing key, registers its public half, and starts the checkpoint timer (not for
   * one-shot commands: `checkpointTimer: false`).
   */
  async init(opts: { checkpointTimer?: boolean } = {}): Promise<void> {
    this.stopped = false;
    await this.signingKey();
    if (opts.checkpointTimer === false) return;
    const every = Math.min(this.config.ledgerCheckpointSeconds, 5) * 1000;
    this.timer = setInterval(() => this.tickSoon(0), every);
    this.timer.unref();
    this.tickSoon(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    if (this.soon) clearTimeout(this.soon);
    this.timer = this.soon = null;
    await this.running?.catch(() => undefined);
  }

  /** The key of this data directory (created at first use) and its registration in ledger_keys. */
  async signingKey(): Promise<SigningKey> {
    if (!this.key) {
      const key = await loadOrCreateKey(this.config.dataDir);
      await repo.insertKey(this.db, key.keyId, key.publicKeyPem);
      this.key = key;
    }
    return this.key;
  }

  private tickSoon(delayMs = 20): void {
    if (this.stopped || this.soon) return;
    this.soon = setTimeout(() => {
      this.soon = null;
      if (this.running) return;
      this.appendsSinceTick = 0;
      this.running = this.tick()
        .catch((e: unknown) => this.log.error({ err: e }, 'ledger checkpoint failed'))
        .finally(() => (this.running = null));
    }, delayMs);
    this.soon.unref();
  }

  /** Signs a checkpoint when N entries or T seconds have passed since the last one (and there are new entries). */
  private async tick(): Promise<void> {
    const [last, max] = await Promise.all([repo.lastCheckpoint(this.db), repo.maxSeq(this.db)]);
    const covered = last?.treeSize ?? 0;
    if (max <= covered) return;
    let due = max - covered >= this.config.ledgerCheckpointEvery;
    if (!due) {
      const oldest = await repo.entryTime(this.db, covered + 1);
      due = !!oldest && Date.now() - oldest.getTime() >= this.config.ledgerCheckpointSeconds * 1000;
    }
    if (due) await this.checkpoint();
  }

  /**
   * Signs a checkpoint over every committed entry, if there are entries since the last checkpoint (otherwise
   * returns the last one). One checkpointer at a time across processes (advisory lock).
   */
  async checkpoint(): Promise<repo.CheckpointRow | null> {
    const key = await this.signingKey();
    return this.db.transaction().execute(async (tx) => {
      await repo.lockCheckpoints(tx);
      const last = await repo.lastCheckpoint(tx);
      const from = last?.treeSize ?? 0;
      const to = await repo.maxSeq(tx);
      if (to <= from) return last;
      const frontier = await this.restoreFrontier(tx, from);
      const nodes: Array<{ level: number; index: number; hash: Buffer }> = [];
      const sink = (level: number, index: number, hash: string) => {
        if (level >= STORED_LEVEL) nodes.push({ level, index, hash: Buffer.from(hash, 'hex') });
      };
      const f = MerkleFrontier.restore(frontier.size, frontier.stack, sink);
      for (let s = from + 1; s <= to; s += VERIFY_BATCH) {
        const hashes = await repo.hashesBetween(tx, s, Math.min(to, s + VERIFY_BATCH - 1));
        for (const h of hashes) f.pushLeafHash(leafHashHex(h));
      }
      if (f.size !== to) throw new Error(`ledger checkpoint: expected ${to} entries, read ${f.size}`);
      await repo.insertMerkleNodes(tx, nodes);
      const rootHash = f.root();
      const signedAt = new Date();
      const cp: repo.CheckpointRow = {
        treeSize: to,
        rootHash,
        signedAt,
        keyId: key.keyId,
        signature: signCheckpoint(key, to, rootHash, signedAt),
      };
      await repo.insertCheckpoint(tx, cp);
      this.log.info({ treeSize: to, rootHash }, 'ledger checkpoint signed');
      return cp;
    });
  }

  /** The frontier (perfect subtrees of the binary decomposition) of the tree of the first `size` entries. */
  private async restoreFrontier(db: Executor, size: number): Promise<MerkleFrontier> {
    const parts = MerkleFrontier.decomposition(size);
    const hashes = await this.perfectNodes(db, parts);
    return MerkleFrontier.restore(
      size,
      parts.map((p) => ({ level: p.level, hash: hashes.get(`${p.level}:${p.index}`)!.toString('hex') })),
    );
  }

  /** Hashes of perfect subtrees: cached ones from ledger_merkle_nodes, small ones computed from the entries. */
  private async perfectNodes(db: Executor, wanted: Array<{ level: number; index: number }>): Promise<Map<string, Buffer>> {
    const high = wanted.filter((w) => w.level >= STORED_LEVEL);
    const low = wanted.filter((w) => w.level < STORED_LEVEL);
    const seqs: number[] = [];
    for (const w of low) for (let i = 0; i < 2 ** w.level; i++) seqs.push(w.index * 2 ** w.level + i + 1);
    const [stored, entryHashes] = await Promise.all([repo.merkleNodes(db, high), repo.hashesOf(db, [...new Set(seqs)])]);
    const out = new Map<string, Buffer>();
    for (const w of high) {
      const h = stored.get(`${w.level}:${w.index}`);
      if (!h) throw new Error(`ledger Merkle node (${w.level}, ${w.index}) is missing; sign a checkpoint first`);
      out.set(`${w.level}:${w.index}`, h);
    }
    for (const w of low) {
      const width = 2 ** w.level;
      const leaves: Buffer[] = [];
      for (let i = 0; i < width; i++) {
        const h = entryHashes.get(w.index * width + i + 1);
        if (!h) throw new Error(`ledger entry ${w.index * width + i + 1} is missing`);
        leaves.push(Buffer.from(leafHashHex(h), 'hex'));
      }
      while (leaves.length > 1) {
        for (let i = 0; i < leaves.length / 2; i++) leaves[i] = nodeHash(leaves[2 * i]!, leaves[2 * i + 1]!);
        leaves.length /= 2;
      }
      out.set(`${w.level}:${w.index}`, leaves[0]!);
    }
    return out;
  }

  /** Runs a Merkle computation against the stored tree: learn the nodes it needs, fetch them, run it. */
  private async withTree<T>(fn: (get: PerfectSource) => T): Promise<T> {
    const nodes = await this.perfectNodes(this.db, neededNodes(fn));
    return fn((level, index) => nodes.get(`${level}:${index}`)!);
  }

  private async checkpointedSize(): Promise<number> {
    const last = await repo.lastCheckpoint(this.db);
    if (!last) throw new AppError(409, 'LEDGER_NO_CHECKPOINT');
    return last.treeSize;
  }

  /** RFC 9162 inclusion proof of entry `seq` in the tree of `treeSize` entries (default: the latest checkpoint). */
  async inclusionProof(seq: number, treeSize?: number): Promise<InclusionProof> {
    const signed = await this.checkpointedSize();
    const size = treeSize ?? signed;
    if (!Number.isSafeInteger(size) || size < 1 || size > signed)
      throw badRequest('LEDGER_TREE_SIZE_INVALID', { max: signed }, { field: 'treeSize' });
    const entry = await repo.entryBySeq(this.db, seq);
    if (!entry) throw notFound('LEDGER_ENTRY_NOT_FOUND', { seq });
    if (seq > size) throw badRequest('LEDGER_ENTRY_OUTSIDE_TREE', { seq, treeSize: size }, { field: 'treeSize' });
    const { path, root } = await this.withTree((get) => ({ path: inclusionPath(get, seq - 1, size), root: treeRoot(get, size) }));
    return {
      seq,
      leafIndex: seq - 1,
      treeSize: size,
      entryHash: entry.hash,
      leafHash: leafHashHex(entry.hash),
      rootHash: root.toString('hex'),
      path: path.map((p) => p.toString('hex')),
      checkpoint: await repo.checkpointAt(this.db, size),
    };
  }

  /** RFC 9162 consistency proof between the trees of `from` and `to` entries (both at most the latest checkpoint). */
  async consistencyProof(from: number, to: number): Promise<ConsistencyProof> {
    const signed = await this.checkpointedSize();
    if (!Number.isSafeInteger(from) || from < 1 || from > to)
      throw badRequest('LEDGER_TREE_SIZE_INVALID', { max: signed }, { field: 'from' });
    if (!Number.isSafeInteger(to) || to > signed) throw badRequest('LEDGER_TREE_SIZE_INVALID', { max: signed }, { field: 'to' });
    const r = await this.withTree((get) => ({
      proof: consistencyPath(get, from, to),
      fromRoot: treeRoot(get, from),
      toRoot: treeRoot(get, to),
    }));
    const [fromCheckpoint, toCheckpoint] = await Promise.all([repo.checkpointAt(this.db, from), repo.checkpointAt(this.db, to)]);
    return {
      from,
      to,
      fromRoot: r.fromRoot.toString('hex'),
      toRoot: r.toRoot.toString('hex'),
      proof: r.proof.map((p) => p.toString('hex')),
      fromCheckpoint,
      toCheckpoint,
    };
  }

  /**
   * Recomputes the whole chain (streamed in batches of 10,000) and every checkpoint's Merkle root and signature;
   * names the first entry that does not verify. Large ledgers are cut into aligned chunks verified in parallel
   * by worker threads (each with its own connection); their Merkle frontiers combine into the whole tree's.
   */
  async verify(onProgress?: (checked: number, total: number) => void, opts: VerifyOptions = {}): Promise<VerifyResult> {
    const chunkSize = opts.chunkSize ?? CHUNK_SIZE;
    const chunkLevel = Math.log2(chunkSize);
    if (!Number.isInteger(chunkLevel)) throw new Error('chunkSize must be a power of two');
    const keys = new Map<string, KeyObject>();
    for (const k of await repo.allKeys(this.db)) keys.set(k.keyId, createPublicKey(k.publicKeyPem));
    const checkpoints = await repo.allCheckpoints(this.db);
    const total = await repo.maxSeq(this.db);
    const tasks: ChunkTask[] = [];
    for (let start = 0, i = 0; start < total; start += chunkSize, i++) {
      const end = Math.min(total, start + chunkSize);
      tasks.push({
        index: i,
        start,
        end,
        checkpointSizes: checkpoints.filter((c) => c.treeSize > start && c.treeSize <= end).map((c) => c.treeSize),
      });
    }
    const workers = Math.min(
      opts.workers ?? (total > chunkSize && this.database ? Math.max(1, Math.min(os.availableParallelism(), 4)) : 0),
      tasks.length,
    );
    const results = new Map<number, ChunkResult>();
    let wake: (() => void) | null = null;
    let failure: Error | null = null;
    let firstBadChunk = Infinity;
    const deliver = (r: ChunkResult) => {
      results.set(r.index, r);
      if (r.bad) firstBadChunk = Math.min(firstBadChunk, r.index);
      wake?.();
    };
    const runner = this.runChunks(tasks, workers, deliver, () => firstBadChunk).catch((e: unknown) => {
      failure = e as Error;
      wake?.();
    });

    const global = new MerkleFrontier();
    let cpIndex = 0;
    let checked = 0;
    const fail = (seq: number, code: VerifyFailure, reason: string): VerifyResult => ({
      ok: false,
      entries: checked,
      checkpoints: cpIndex,
      firstBad: { seq, code, reason },
    });
    try {
      for (const task of tasks) {
        let r = results.get(task.index);
        while (!r) {
          if (failure) throw failure;
          await new Promise<void>((resolve) => (wake = resolve));
          wake = null;
          r = results.get(task.index);
        }
        results.delete(task.index);
        for (const f of r.frontiers) {
          while (cpIndex < checkpoints.length && checkpoints[cpIndex]!.treeSize === f.treeSize) {
            const cp = checkpoints[cpIndex]!;
            const bad = this.checkCheckpoint(cp, MerkleFrontier.rootOf([...global.stack, ...f.nodes]), keys);
            if (bad) {
              checked = cp.treeSize;
              return fail(cp.treeSize, bad.code, bad.reason);
            }
            cpIndex++;
          }
        }
        checked = task.start + r.verified;
        if (r.bad) return fail(r.bad.seq, r.bad.code, r.bad.reason);
        const local = r.frontiers.at(-1)!.nodes;
        if (task.end - task.start === chunkSize) global.pushSubtree(chunkLevel, local[0]!.hash);
        onProgress?.(checked, total);
      }
    } finally {
      firstBadChunk = -1; // stop handing out chunks
      await runner;
    }
    if (cpIndex < checkpoints.length) {
      const cp = checkpoints[cpIndex]!;
      return fail(
        total + 1,
        'CHECKPOINT_BEYOND_END',
        `checkpoint of ${cp.treeSize} entries covers entries that no longer exist (the ledger ends at #${total})`,
      );
    }
    return { ok: true, entries: total, checkpoints: cpIndex };
  }

  /** Runs the chunks in order of index, in this thread (workers = 0) or in worker threads. */
  private async runChunks(tasks: ChunkTask[], workers: number, deliver: (r: ChunkResult) => void, stopAfter: () => number): Promise<void> {
    let nextTask = 0;
    const take = () => (nextTask < tasks.length && tasks[nextTask]!.index <= stopAfter() ? tasks[nextTask++]! : null);
    if (workers === 0 || !this.database) {
      for (let t = take(); t; t = take()) deliver(await verifyChunk(this.db, t));
      return;
    }
    const url = this.database.url;
    const one = async () => {
      const w = new Worker(new URL('./verify-worker.mjs', import.meta.url), { workerData: { url } });
      try {
        const inbox: Array<(m: unknown) => void> = [];
        const failed = new Promise<never>((_, reject) => {
          w.once('error', reject);
          w.once('exit', (code) => reject(new Error(`ledger verify worker exited (${code})`)));
        });
        failed.catch(() => undefined);
        w.on('message', (m: unknown) => inbox.shift()?.(m));
        const receive = () => Promise.race([new Promise<unknown>((resolve) => inbox.push(resolve)), failed]);
        await receive(); // 'ready'
        for (let t = take(); t; t = take()) {
          const reply = receive();
          w.postMessage(t);
          const m = (await reply) as { ok?: ChunkResult; error?: string };
          if (!m.ok) throw new Error(`ledger verify worker: ${m.error}`);
          deliver(m.ok);
        }
        w.postMessage('close');
        await new Promise((resolve) => w.once('exit', resolve));
      } finally {
        await w.terminate();
      }
    };
    await Promise.all(Array.from({ length: workers }, one));
  }

  private checkCheckpoint(
    cp: repo.CheckpointRow,
    root: string,
    keys: Map<string, KeyObject>,
  ): { code: VerifyFailure; reason: string } | null {
    if (cp.rootHash !== root) {
      return {
        code: 'CHECKPOINT_ROOT_MISMATCH',
        reason: `the signed checkpoint of ${cp.treeSize} entries does not match them: entries up to #${cp.treeSize} were rewritten`,
      };
    }
    const key = keys.get(cp.keyId);
    if (!key)
      return { code: 'CHECKPOINT_KEY_UNKNOWN', reason: `checkpoint of ${cp.treeSize} entries is signed by an unknown key ${cp.keyId}` };
    if (!verifyCheckpointSignature(key, cp.treeSize, cp.rootHash, cp.signedAt, cp.signature)) {
      return { code: 'CHECKPOINT_SIGNATURE_INVALID', reason: `the signature of the checkpoint of ${cp.treeSize} entries does not verify` };
    }
    return null;
  }

  // -------------------------------------------------------------------------------------------------------
  // Reading (not recorded in the ledger) and exporting (recorded).

  async list(
    filters: repo.EntryFilters,
    page = 1,
    pageSize = 50,
  ): Promise<{ items: repo.EntryRow[]; total: number; page: number; pageSize: number }> {
    const r = await repo.listEntries(this.db, filters, (page - 1) * pageSize, pageSize);
    return { ...r, page, pageSize };
  }

  async get(seq: number): Promise<repo.EntryRow> {
    const e = await repo.entryBySeq(this.db, seq);
    if (!e) throw notFound('LEDGER_ENTRY_NOT_FOUND', { seq });
    return e;
  }

  async checkpoints(page = 1, pageSize = 50): Promise<{ items: repo.CheckpointRow[]; total: number; page: number; pageSize: number }> {
    const r = await repo.listCheckpoints(this.db, (page - 1) * pageSize, pageSize);
    return { ...r, page, pageSize };
  }

  async latestCheckpoint(): Promise<repo.CheckpointRow | null> {
    return repo.lastCheckpoint(this.db);
  }

  async stats(): Promise<LedgerStats> {
    const [entries, cps, last] = await Promise.all([
      repo.countEntries(this.db),
      repo.listCheckpoints(this.db, 0, 0),
      repo.lastCheckpoint(this.db),
    ]);
    return { entries, checkpoints: cps.total, lastCheckpointAt: last?.signedAt ?? null, lastCheckpointSize: last?.treeSize ?? 0 };
  }

  /** The filtered entries newest first, in batches (keyset pagination), for exports. */
  async *iterate(filters: repo.EntryFilters, batch = 1000): AsyncGenerator<repo.EntryRow> {
    let before: number | null = null;
    for (;;) {
      const rows = await repo.entriesBefore(this.db, filters, before, batch);
      yield* rows;
      if (rows.length < batch) return;
      before = rows.at(-1)!.seq;
    }
  }

  /** Records an export of the ledger (the export itself is a data access). */
  async recordExport(actor: Actor, filters: repo.EntryFilters): Promise<void> {
    await this.db
      .transaction()
      .execute((tx) => this.append(tx, { actor, action: 'ledger.export', objectType: 'ledger', details: { format: 'csv', filters } }));
  }

  /** Starts a verification job; returns its id. The job and its ledger entry commit together. */
  async startVerification(actor: Actor): Promise<string> {
    return this.db.transaction().execute(async (tx) => {
      const jobId = await this.jobs.sendInTx(tx, 'ledger.verify', { requestedBy: actor.userId });
      if (!jobId) throw new AppError(409, 'LEDGER_VERIFY_ALREADY_QUEUED');
      await this.append(tx, { actor, action: 'ledger.verify', objectType: 'ledger', objectId: jobId, details: { jobId } });
      return jobId;
    });
  }

  async verification(jobId: string) {
    const job = await this.jobs.getJob('ledger.verify', jobId);
    if (!job) throw notFound('LEDGER_VERIFY_JOB_NOT_FOUND', { jobId });
    return job;
  }
}
