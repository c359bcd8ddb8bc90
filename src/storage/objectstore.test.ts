// One test suite, run against both object stores: the local one in a temporary data directory, and the S3 one
// against a real S3-compatible server (s3rver) started here on a free port with its own temporary directory.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { AppError } from '../errors.ts';
import { LocalObjectStore } from './local.ts';
import { keyOf, type ObjectStore } from './objectstore.ts';
import { S3ObjectStore } from './s3.ts';

interface S3rverInstance {
  run(): Promise<{ port: number }>;
  close(): Promise<void>;
}
const S3rver = createRequire(import.meta.url)('s3rver') as new (opts: Record<string, unknown>) => S3rverInstance;

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

async function readAll(s: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of s as AsyncIterable<Buffer>) chunks.push(Buffer.from(c));
  return Buffer.concat(chunks);
}

async function keys(store: ObjectStore): Promise<string[]> {
  const out: string[] = [];
  for await (const k of store.list()) out.push(k);
  return out.sort();
}

async function rejectsWith(p: Promise<unknown>, status: number, code: string) {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof AppError, `expected an AppError, got ${String(e)}`);
    assert.equal(e.code, code);
    assert.equal(e.status, status);
    return true;
  });
}

interface Harness {
  store: ObjectStore;
  dataDir: string;
  /** The directory where interrupted writes would leave their temporary files. */
  tempDir: string;
  /** S3 only: writes raw bytes under a key, bypassing the store (to simulate a damaged object). */
  putRaw?: (key: string, body: Buffer) => Promise<void>;
  close(): Promise<void>;
}

async function localHarness(): Promise<Harness> {
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'shuyuan-objects-'));
  const store = new LocalObjectStore(dataDir);
  return {
    store,
    dataDir,
    tempDir: store.tmpDir,
    close: () => fs.rm(dataDir, { recursive: true, force: true }),
  };
}

async function s3Harness(): Promise<Harness> {
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'shuyuan-s3data-'));
  const s3dir = await fs.mkdtemp(path.join(os.tmpdir(), 'shuyuan-s3rver-'));
  const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory: s3dir });
  const { port } = await server.run();
  const endpoint = `http://127.0.0.1:${port}`;
  // s3rver's built-in account.
  const cred = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };
  const admin = new S3Client({
    endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: cred,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  await admin.send(new CreateBucketCommand({ Bucket: 'shuyuan-test' }));
  const store = new S3ObjectStore({
    endpoint,
    region: 'us-east-1',
    bucket: 'shuyuan-test',
    accessKey: cred.accessKeyId,
    secretKey: cred.secretAccessKey,
    pathStyle: true,
    dataDir,
  });
  return {
    store,
    dataDir,
    tempDir: store.spoolDir,
    putRaw: async (key, body) => {
      await admin.send(new PutObjectCommand({ Bucket: 'shuyuan-test', Key: key, Body: body, ContentLength: body.length }));
    },
    async close() {
      store.destroy();
      admin.destroy();
      await server.close();
      await fs.rm(dataDir, { recursive: true, force: true });
      await fs.rm(s3dir, { recursive: true, force: true });
    },
  };
}

for (const [kind, make] of [
  ['local', localHarness],
  ['s3', s3Harness],
] as const) {
  describe(`ObjectStore: ${kind}`, () => {
    let h: Harness;
    before(async () => {
      h = await make();
    });
    after(async () => {
      await h?.close();
    });

    it('stores a stream under its SHA-256 and reads it back whole and by range', async () => {
      const body = Buffer.from('序号,名称\n1,示范市数据局\n2,示范市统计局\n', 'utf8');
      const info = await h.store.putStream(Readable.from([body.subarray(0, 7), body.subarray(7)]));
      assert.equal(info.sha256, sha(body));
      assert.equal(info.key, keyOf(sha(body)));
      assert.match(info.key, /^sha256\/[0-9a-f]{2}\/[0-9a-f]{64}$/);
      assert.equal(info.size, body.length);
      assert.equal(h.store.kind, kind);

      assert.deepEqual(await h.store.stat(info.key), { size: body.length });
      assert.deepEqual(await readAll(await h.store.get(info.key)), body);
      assert.deepEqual(await readAll(await h.store.get(info.key, { start: 2, end: 5 })), body.subarray(2, 6));
      assert.deepEqual(await readAll(await h.store.get(info.key, { start: 10 })), body.subarray(10));
      // An end past the last byte is clamped; a start past it is refused.
      assert.deepEqual(await readAll(await h.store.get(info.key, { start: 3, end: 10_000 })), body.subarray(3));
      await rejectsWith(h.store.get(info.key, { start: body.length }), 416, 'OBJECT_RANGE_NOT_SATISFIABLE');
      await rejectsWith(h.store.get(info.key, { start: 5, end: 4 }), 400, 'OBJECT_RANGE_INVALID');
      await rejectsWith(h.store.get(info.key, { start: -1 }), 400, 'OBJECT_RANGE_INVALID');
    });

    it('is idempotent: the same content stored twice (file or stream) is one object', async () => {
      const body = randomBytes(70_000);
      const file = path.join(h.dataDir, 'input.bin');
      await fs.writeFile(file, body);
      const before = await keys(h.store);
      const a = await h.store.putFile(file);
      const b = await h.store.putStream(Readable.from([body]));
      const c = await h.store.putFile(file);
      assert.deepEqual(a, { key: keyOf(sha(body)), size: body.length, sha256: sha(body) });
      assert.deepEqual(b, a);
      assert.deepEqual(c, a);
      const afterKeys = await keys(h.store);
      assert.deepEqual(
        afterKeys.filter((k) => !before.includes(k)),
        [a.key],
      );
      // putFile leaves its input alone.
      assert.deepEqual(await fs.readFile(file), body);
      assert.deepEqual(await readAll(await h.store.get(a.key)), body);
    });

    it('deletes (idempotently) and reports a missing object as absent / 404', async () => {
      const info = await h.store.putStream(Readable.from([Buffer.from('to be deleted')]));
      assert.ok((await keys(h.store)).includes(info.key));
      await h.store.delete(info.key);
      assert.equal(await h.store.stat(info.key), null);
      assert.ok(!(await keys(h.store)).includes(info.key));
      await rejectsWith(h.store.get(info.key), 404, 'OBJECT_NOT_FOUND');
      await rejectsWith(h.store.localPath(info.key), 404, 'OBJECT_NOT_FOUND');
      await h.store.delete(info.key); // again: no error
      // Stored again after a delete: back.
      assert.deepEqual(await h.store.putStream(Readable.from([Buffer.from('to be deleted')])), info);
      assert.deepEqual(await h.store.stat(info.key), { size: info.size });
    });

    it('refuses keys that are not sha256/<2 hex>/<64 hex> with matching prefix', async () => {
      const good = keyOf('ab'.repeat(32));
      for (const bad of [
        '../../etc/passwd',
        'sha256/ab/../../x',
        `sha256/cd/${'ab'.repeat(32)}`,
        `sha256/AB/${'AB'.repeat(32)}`,
        `${good}/`,
        `/${good}`,
      ]) {
        await rejectsWith(h.store.stat(bad), 400, 'OBJECT_KEY_INVALID');
        await rejectsWith(h.store.get(bad), 400, 'OBJECT_KEY_INVALID');
        await rejectsWith(h.store.delete(bad), 400, 'OBJECT_KEY_INVALID');
        await rejectsWith(h.store.localPath(bad), 400, 'OBJECT_KEY_INVALID');
      }
      assert.equal(await h.store.stat(good), null);
    });

    it('gives DuckDB a local path with the exact bytes', async () => {
      const body = randomBytes(5000);
      const info = await h.store.putStream(Readable.from([body]));
      const p = await h.store.localPath(info.key);
      assert.ok(path.isAbsolute(p));
      assert.ok(p.startsWith(path.resolve(h.dataDir) + path.sep), `${p} is inside the data directory`);
      assert.ok(p.startsWith(path.join(path.resolve(h.dataDir), kind === 'local' ? 'objects' : 'cache') + path.sep));
      assert.deepEqual(await fs.readFile(p), body);
      assert.equal(await h.store.localPath(info.key), p); // reused
    });

    if (kind === 's3') {
      it('refuses a damaged object instead of caching it (the cached copy is verified)', async () => {
        const claimed = randomBytes(100);
        const key = keyOf(sha(claimed));
        await h.putRaw!(key, Buffer.from('not the bytes the key names'));
        await rejectsWith(h.store.localPath(key), 500, 'OBJECT_CORRUPT');
        const cacheFiles = await fs.readdir(path.join(h.dataDir, 'cache', 'tmp'));
        assert.deepEqual(cacheFiles, []);
        await assert.rejects(fs.stat(path.join(h.dataDir, 'cache', 'sha256', key.slice(7, 9), sha(claimed))));
        await h.store.delete(key);
      });
    }

    it('streams a 50 MB body in and out', async () => {
      const hash = createHash('sha256');
      const chunk = 1024 * 1024;
      let last = Buffer.alloc(0);
      async function* gen() {
        for (let i = 0; i < 50; i++) {
          const b = randomBytes(chunk);
          hash.update(b);
          last = b;
          yield b;
        }
      }
      const info = await h.store.putStream(Readable.from(gen()));
      const expected = hash.digest('hex');
      assert.equal(info.sha256, expected);
      assert.equal(info.size, 50 * chunk);
      assert.deepEqual(await h.store.stat(info.key), { size: 50 * chunk });
      // The tail of the object is the last chunk generated.
      assert.deepEqual(await readAll(await h.store.get(info.key, { start: 49 * chunk })), last);
      // The whole object round-trips (the S3 store verifies the SHA-256 of its cached copy).
      const p = await h.store.localPath(info.key);
      const check = createHash('sha256');
      for await (const c of (await import('node:fs')).createReadStream(p)) check.update(c as Buffer);
      assert.equal(check.digest('hex'), expected);
      assert.deepEqual(await fs.readdir(h.tempDir), []);
    });

    it('leaves no object and no temporary file behind when the source fails midway', async () => {
      const before = await keys(h.store);
      async function* failing() {
        yield randomBytes(256 * 1024);
        yield randomBytes(256 * 1024);
        throw new Error('connection reset by the source');
      }
      await assert.rejects(h.store.putStream(Readable.from(failing())), /connection reset by the source/);
      assert.deepEqual(await keys(h.store), before);
      assert.deepEqual(await fs.readdir(h.tempDir), []);
    });
  });
}
