// Data plane robustness (issue 5), against real components only:
// 1. a platform process killed with SIGKILL in the middle of an ingest: the next start (same PostgreSQL database,
//    same data directory) fails the ingest with INGEST_INTERRUPTED, removes its scratch files, and the previous
//    version still serves;
// 2. the S3 object store end to end: a platform on a real S3-compatible server (s3rver) ingests, publishes, reads
//    and downloads through its local read cache, and rolls back — with nothing in the local object directory.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { CreateBucketCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import iconv from 'iconv-lite';
import pg from 'pg';
import { generateTable } from '../bench/gen-table.ts';
import { DEMO_PASSWORD } from '../src/modules/identity/service.ts';
import { S3ObjectStore } from '../src/storage/s3.ts';
import {
  createTestDatabase,
  makeDataDir,
  spawnCli,
  startTestPlatform,
  TestClient,
  tusUpload,
  type CliProcess,
  type TestPlatform,
} from './helpers.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls an ingest until its status is one of `until` (or the deadline passes: the last answer is in the error). */
async function waitIngest(c: TestClient, id: string, until: string[], timeoutMs = 120_000, everyMs = 100) {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    const r = await c.get(`/api/ingests/${id}`);
    assert.equal(r.status, 200, r.text);
    if (until.includes(r.body.status)) return r.body;
    last = JSON.stringify({ status: r.body.status, progress: r.body.progress, error: r.body.error });
    await sleep(everyMs);
  }
  throw new Error(`ingest ${id} did not reach ${until.join('|')} in ${timeoutMs} ms; last: ${last}`);
}

/** Signs the demo provider in and creates (or gets) the dataset of one of its published resources. */
async function providerDataset(c: TestClient): Promise<string> {
  await c.login('provider', DEMO_PASSWORD);
  const me = await c.get('/api/auth/me');
  const list = await c.get(`/api/catalog/resources?orgId=${me.body.org.id}&status=published&pageSize=50`);
  assert.equal(list.status, 200, list.text);
  const resource = list.body.items[0];
  assert.ok(resource, 'the demo world has a published resource of the provider');
  const ds = await c.post('/api/datasets', { resourceId: resource.id });
  assert.equal(ds.status, 200, ds.text);
  return ds.body.id as string;
}

/** Ingests uploaded bytes; confirms the proposed schema when asked; returns the settled ingest. */
async function ingestAndPublish(c: TestClient, datasetId: string, fileName: string, bytes: Buffer | string) {
  const uploadId = await tusUpload(c, fileName, bytes);
  const r = await c.post(`/api/datasets/${datasetId}/ingests`, { uploadId });
  assert.equal(r.status, 202, r.text);
  let i = await waitIngest(c, r.body.id, ['awaiting_schema', 'published', 'failed', 'cancelled']);
  if (i.status === 'awaiting_schema') {
    const conf = await c.post(`/api/ingests/${i.id}/confirm`, { schema: i.proposedSchema });
    assert.equal(conf.status, 200, conf.text);
    i = await waitIngest(c, i.id, ['published', 'failed']);
  }
  assert.equal(i.status, 'published', JSON.stringify(i.error));
  return i;
}

/** Uploads a file from disk through tus, streaming it (one create, one PATCH), so a large file never sits in memory. */
async function tusUploadFile(c: TestClient, file: string, fileName: string): Promise<string> {
  const size = (await fsp.stat(file)).size;
  const b64 = (s: string) => Buffer.from(s).toString('base64');
  const headers: Record<string, string> = {
    'tus-resumable': '1.0.0',
    cookie: [...c.cookies].map(([k, v]) => `${k}=${v}`).join('; '),
    'x-csrf-token': c.csrf ?? '',
  };
  const created = await fetch(`${c.base}/api/uploads`, {
    method: 'POST',
    headers: { ...headers, 'upload-length': String(size), 'upload-metadata': `filename ${b64(fileName)},filetype ${b64('text/csv')}` },
  });
  assert.equal(created.status, 201, await created.text());
  const url = created.headers.get('location')!;
  const patched = await fetch(`${c.base}${url}`, {
    method: 'PATCH',
    headers: { ...headers, 'upload-offset': '0', 'content-type': 'application/offset+octet-stream', 'content-length': String(size) },
    body: fs.createReadStream(file) as unknown as BodyInit,
    duplex: 'half',
  } as RequestInit);
  assert.equal(patched.status, 204, await patched.text());
  return url.split('/').pop()!;
}

/** Every file below a directory (relative paths); [] when the directory does not exist. */
async function filesUnder(dir: string): Promise<string[]> {
  try {
    const entries = await fsp.readdir(dir, { recursive: true, withFileTypes: true });
    return entries.filter((e) => !e.isDirectory()).map((e) => path.relative(dir, path.join(e.parentPath, e.name)));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
}

const exists = (p: string) =>
  fsp.access(p).then(
    () => true,
    () => false,
  );

describe('data plane robustness', () => {
  it('SIGKILL during an ingest: the next start fails it with INGEST_INTERRUPTED, removes its scratch files, and version 1 still serves', async (t) => {
    const db = await createTestDatabase(false);
    const dataDir = await makeDataDir('shuyuan-robust-');
    const genDir = await fsp.mkdtemp(path.join(os.tmpdir(), 'shuyuan-robust-gen-'));
    const env = { DATABASE_URL: db.url, SHUYUAN_DATA_DIR: dataDir, SHUYUAN_LOG_LEVEL: 'warn', SHUYUAN_RATE_LIMIT: '1000000' };
    let cli: CliProcess | null = null;
    try {
      // The big file is generated while the platform starts (same columns as the small first file, other seed).
      const big = generateTable({ rows: 1_500_000, seed: 2, out: path.join(genDir, 'big.csv'), format: 'csv' });
      const small = await generateTable({ rows: 300, seed: 1, out: path.join(genDir, 'small.csv'), format: 'csv' });
      cli = await spawnCli(['start'], env);
      const first = new TestClient(await cli.url);
      const datasetId = await providerDataset(first);
      const v1 = await ingestAndPublish(first, datasetId, '登记表.csv', await fsp.readFile(small.path));
      assert.equal(v1.version, 1);

      await big;
      const uploadId = await tusUploadFile(first, path.join(genDir, 'big.csv'), '登记表-全量.csv');
      const started = await first.post(`/api/datasets/${datasetId}/ingests`, { uploadId });
      assert.equal(started.status, 202, started.text);
      const ingestId = started.body.id as string;
      const scratch = path.join(dataDir, 'tmp', 'dataplane', 'ingests', ingestId);
      // Killed in the middle of the work: staging with rows already read (DuckDB writing the staging file), or building.
      let running = await waitIngest(first, ingestId, ['staging', 'building', 'awaiting_schema', 'published', 'failed'], 60_000, 20);
      while (running.status === 'staging' && !(running.progress?.rowsRead > 0)) {
        await sleep(20);
        running = (await first.get(`/api/ingests/${ingestId}`)).body;
      }
      assert.ok(['staging', 'building'].includes(running.status), `the ingest is running when killed, not ${running.status}`);
      const pid = cli.child.pid!;
      cli.child.kill('SIGKILL');
      t.diagnostic(`killed process ${pid} while the ingest was ${running.status} (${JSON.stringify(running.progress)})`);
      assert.equal((await cli.exited).signal, 'SIGKILL');
      cli = null;

      // What the dead process left: the ingest still marked running, and its scratch directory.
      const direct = new pg.Client({ connectionString: db.url });
      await direct.connect();
      try {
        const row = await direct.query<{ status: string }>('select status from dataset_ingests where id = $1', [ingestId]);
        assert.ok(['staging', 'building', 'checking'].includes(row.rows[0]!.status), `left ${row.rows[0]!.status} by process ${pid}`);
      } finally {
        await direct.end();
      }
      assert.ok(await exists(scratch), `the killed ingest left its scratch directory ${scratch}`);

      // Start again on the same database and data directory (right away: the heartbeat is still fresh, so it is
      // the minute sweep, not only the start-time recovery, that must notice the dead worker).
      const killedAt = Date.now();
      cli = await spawnCli(['start'], env);
      const second = new TestClient(await cli.url);
      await second.login('provider', DEMO_PASSWORD);
      const failed = await waitIngest(second, ingestId, ['failed', 'published', 'cancelled', 'awaiting_schema'], 120_000, 500);
      assert.equal(failed.status, 'failed', JSON.stringify(failed));
      assert.equal(failed.error.code, 'INGEST_INTERRUPTED');
      t.diagnostic(`failed as interrupted ${((Date.now() - killedAt) / 1000).toFixed(1)} s after the kill`);
      assert.equal(await exists(scratch), false, 'the interrupted ingest’s scratch directory is removed');

      const d = await second.get(`/api/datasets/${datasetId}`);
      assert.equal(d.status, 200, d.text);
      assert.equal(d.body.currentVersion, 1, 'the previous version is still current');
      const versions = await second.get(`/api/datasets/${datasetId}/versions`);
      assert.deepEqual(
        versions.body.items.map((v: { version: number; state: string }) => `${v.version}:${v.state}`),
        ['1:published'],
      );
      const preview = await second.get(`/api/datasets/${datasetId}/preview?limit=5`);
      assert.equal(preview.status, 200, preview.text);
      assert.equal(preview.body.version, 1);
      assert.equal(preview.body.rows.length, 5);
      assert.equal(preview.body.rows[0]['序号'], 1);
    } finally {
      if (cli) {
        cli.child.kill('SIGTERM');
        await cli.exited;
      }
      await db.drop();
      await fsp.rm(dataDir, { recursive: true, force: true });
      await fsp.rm(genDir, { recursive: true, force: true });
    }
  });

  it('S3 object store end to end: publish to the bucket, read through the local cache, download, roll back', async () => {
    interface S3rverInstance {
      run(): Promise<{ port: number }>;
      close(): Promise<void>;
    }
    const S3rver = createRequire(import.meta.url)('s3rver') as new (opts: Record<string, unknown>) => S3rverInstance;
    const s3dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'shuyuan-robust-s3-'));
    const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory: s3dir });
    const { port } = await server.run();
    const endpoint = `http://127.0.0.1:${port}`;
    const bucket = 'shuyuan-robust';
    const admin = new S3Client({
      endpoint,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
    let p: TestPlatform | null = null;
    try {
      await admin.send(new CreateBucketCommand({ Bucket: bucket }));
      const bucketKeys = async () =>
        ((await admin.send(new ListObjectsV2Command({ Bucket: bucket }))).Contents ?? []).map((o) => o.Key!).sort();

      p = await startTestPlatform({
        objectStore: 's3',
        s3: { endpoint, region: 'us-east-1', bucket, accessKey: 'S3RVER', secretKey: 'S3RVER', pathStyle: true },
      });
      assert.equal(p.ctx.objects.kind, 's3');
      // The demo datasets (src/modules/datasets/seed.ts) are already in the bucket: this test's objects come on top.
      const seeded = await bucketKeys();
      assert.ok(seeded.length > 0 && seeded.every((k) => /^sha256\/[0-9a-f]{2}\/[0-9a-f]{64}$/.test(k)), seeded.join());
      const c = p.client();
      const datasetId = await providerDataset(c);

      // Version 1: a GBK CSV, schema confirmed.
      const header = '编号,单位名称,人数,登记日期\n';
      const v1Csv =
        header +
        Array.from(
          { length: 50 },
          (_, i) => `${i + 1},示范单位${i + 1},${(i + 1) * 3},2024-03-${String((i % 28) + 1).padStart(2, '0')}`,
        ).join('\n') +
        '\n';
      const i1 = await ingestAndPublish(c, datasetId, '单位名单.csv', iconv.encode(v1Csv, 'gbk'));
      assert.equal(i1.version, 1);
      assert.equal(i1.progress.encoding, 'gb18030');
      const d1 = await c.get(`/api/datasets/${datasetId}`);
      const sha1 = d1.body.current.sha256 as string;
      assert.match(sha1, /^[0-9a-f]{64}$/);
      const key1 = `sha256/${sha1.slice(0, 2)}/${sha1}`;
      assert.deepEqual(await bucketKeys(), [...seeded, key1].sort(), 'the version’s file is in the bucket under its SHA-256');
      assert.deepEqual(await filesUnder(path.join(p.dataDir, 'objects')), [], 'nothing in the local object directory');

      // Reads go through the verified local copy in <dataDir>/cache.
      const cached1 = path.join(p.dataDir, 'cache', 'sha256', sha1.slice(0, 2), sha1);
      const prev = await c.get(`/api/datasets/${datasetId}/preview?limit=3`);
      assert.equal(prev.status, 200, prev.text);
      assert.equal(prev.body.version, 1);
      assert.deepEqual(
        prev.body.rows.map((r: Record<string, unknown>) => r['单位名称']),
        ['示范单位1', '示范单位2', '示范单位3'],
      );
      assert.ok(await exists(cached1), 'the read left a cached copy of the object');
      const dl = await c.get(`/api/datasets/${datasetId}/download?format=csv`);
      assert.equal(dl.status, 200, dl.text.slice(0, 200));
      const lines = dl.text.trim().split('\n');
      assert.equal(lines.length, 51);
      assert.equal(lines[0], '编号,单位名称,人数,登记日期');
      assert.equal(lines[1], '1,示范单位1,3,2024-03-01');

      // Version 2: a UTF-8 file with the same columns publishes without asking again.
      const v2Csv = header + Array.from({ length: 20 }, (_, i) => `${i + 101},新单位${i + 1},${i + 1},2024-05-01`).join('\n') + '\n';
      const i2 = await ingestAndPublish(c, datasetId, '单位名单-更新.csv', v2Csv);
      assert.equal(i2.version, 2);
      const sha2 = (await c.get(`/api/datasets/${datasetId}`)).body.current.sha256 as string;
      assert.notEqual(sha2, sha1);
      assert.deepEqual(await bucketKeys(), [...seeded, key1, `sha256/${sha2.slice(0, 2)}/${sha2}`].sort());

      // Rollback to version 1 (version 3 shares its object); with the cached copy gone, the read fetches it again
      // from the bucket.
      await fsp.rm(cached1);
      const rb = await c.post(`/api/datasets/${datasetId}/rollback`, { version: 1, comment: '第二版有误，回退' });
      assert.equal(rb.status, 200, rb.text);
      assert.equal(rb.body.version, 3);
      const d3 = await c.get(`/api/datasets/${datasetId}`);
      assert.equal(d3.body.currentVersion, 3);
      assert.equal(d3.body.current.sha256, sha1, 'the rollback shares version 1’s object');
      const prev3 = await c.get(`/api/datasets/${datasetId}/preview?limit=100`);
      assert.equal(prev3.status, 200, prev3.text);
      assert.equal(prev3.body.version, 3);
      assert.equal(prev3.body.rows.length, 50);
      assert.equal(prev3.body.rows[49]['单位名称'], '示范单位50');
      assert.ok(await exists(cached1), 'fetched again from the bucket into the cache');
      assert.equal((await bucketKeys()).length, seeded.length + 2, 'a rollback stores nothing new');
      assert.deepEqual(await filesUnder(path.join(p.dataDir, 'objects')), []);
    } finally {
      if (p) {
        const store = p.ctx.objects;
        await p.close();
        if (store instanceof S3ObjectStore) store.destroy();
      }
      admin.destroy();
      await server.close();
      await fsp.rm(s3dir, { recursive: true, force: true });
    }
  });
});
