// Shared by bench/ingest.ts and bench/read.ts: a platform with the provider signed in, a dataset on one of its
// published resources, and file upload + ingest through the real HTTP API (tus upload streamed from disk).
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { DEMO_PASSWORD } from '../src/modules/identity/service.ts';
import { createTestDatabase, makeDataDir, spawnCli, startTestPlatform, TestClient, type TestPlatform } from '../test/helpers.ts';

export interface BenchDataset {
  platform: TestPlatform;
  provider: TestClient;
  datasetId: string;
}

export async function benchDataset(): Promise<BenchDataset> {
  const platform = await startTestPlatform({ logLevel: 'silent', rateLimit: 1_000_000_000 });
  const provider = platform.client();
  return { platform, provider, datasetId: await providerDataset(provider) };
}

/**
 * The platform as its own process (`shuyuan start`, as `npm start` runs it, on a fresh database), so its memory
 * can be measured apart from the benchmark's: `pid` is the server process.
 */
export async function benchDatasetProcess(): Promise<{ provider: TestClient; datasetId: string; pid: number; close(): Promise<void> }> {
  const db = await createTestDatabase(false);
  const dataDir = await makeDataDir('shuyuan-bench-data-');
  const cli = await spawnCli(['start'], {
    DATABASE_URL: db.url,
    SHUYUAN_DATA_DIR: dataDir,
    SHUYUAN_LOG_LEVEL: 'warn',
    SHUYUAN_RATE_LIMIT: '1000000',
  });
  const url = await cli.url;
  const provider = new TestClient(url);
  return {
    provider,
    datasetId: await providerDataset(provider),
    pid: cli.child.pid!,
    async close() {
      cli.child.kill('SIGTERM');
      await cli.exited;
      await db.drop();
      const fsp = await import('node:fs/promises');
      await fsp.rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** Signs the demo provider in and returns a dataset on one of its published resources. */
async function providerDataset(provider: TestClient): Promise<string> {
  await provider.login('provider', DEMO_PASSWORD);
  const me = await provider.get('/api/auth/me');
  const list = await provider.get(`/api/catalog/resources?orgId=${me.body.org.id}&status=published&pageSize=50`);
  const resource = list.body.items[0];
  if (!resource) throw new Error('no published resource of the provider in the demo world');
  const ds = await provider.post('/api/datasets', { resourceId: resource.id });
  if (ds.status !== 200) throw new Error(`create dataset: ${ds.status} ${ds.text}`);
  return ds.body.id as string;
}

/** Uploads a file from disk (tus: create, then one streamed PATCH). */
export async function uploadFile(c: TestClient, file: string, fileName: string): Promise<string> {
  const size = fs.statSync(file).size;
  const b64 = (s: string) => Buffer.from(s).toString('base64');
  const headers: Record<string, string> = {
    'tus-resumable': '1.0.0',
    cookie: [...c.cookies].map(([k, v]) => `${k}=${v}`).join('; '),
    'x-csrf-token': c.csrf ?? '',
  };
  const created = await fetch(`${c.base}/api/uploads`, {
    method: 'POST',
    headers: { ...headers, 'upload-length': String(size), 'upload-metadata': `filename ${b64(fileName)}` },
  });
  if (created.status !== 201) throw new Error(`upload: ${created.status} ${await created.text()}`);
  const url = created.headers.get('location')!;
  const body = fs.createReadStream(file);
  const patched = await fetch(`${c.base}${url}`, {
    method: 'PATCH',
    headers: { ...headers, 'upload-offset': '0', 'content-type': 'application/offset+octet-stream', 'content-length': String(size) },
    body: body as unknown as BodyInit,
    duplex: 'half',
  } as RequestInit);
  if (patched.status !== 204) throw new Error(`upload patch: ${patched.status} ${await patched.text()}`);
  return url.split('/').pop()!;
}

export interface IngestOutcome {
  id: string;
  status: string;
  version: number | null;
  timings: Record<string, number>;
  /** A first upload whose speculative typed file became the version (one read of the CSV). */
  speculative: boolean;
  /** Wall clock from the request to the end (waiting for the schema confirmation excluded). */
  wallMs: number;
  error: unknown;
}

async function poll(c: TestClient, id: string, until: string[]) {
  for (;;) {
    const r = await c.get(`/api/ingests/${id}`);
    if (until.includes(r.body.status)) return r.body;
    await new Promise((res) => setTimeout(res, 50));
  }
}

/** Ingests an uploaded file; confirms the proposed schema at once when asked. */
export async function ingestUpload(b: Pick<BenchDataset, 'provider' | 'datasetId'>, uploadId: string): Promise<IngestOutcome> {
  const t0 = performance.now();
  const r = await b.provider.post(`/api/datasets/${b.datasetId}/ingests`, { uploadId });
  if (r.status !== 202) throw new Error(`ingest: ${r.status} ${r.text}`);
  let i = await poll(b.provider, r.body.id, ['awaiting_schema', 'published', 'failed']);
  let wall = performance.now() - t0;
  if (i.status === 'awaiting_schema') {
    const t1 = performance.now();
    const c = await b.provider.post(`/api/ingests/${i.id}/confirm`, { schema: i.proposedSchema });
    if (c.status !== 200) throw new Error(`confirm: ${c.status} ${c.text}`);
    i = await poll(b.provider, i.id, ['published', 'failed']);
    wall += performance.now() - t1;
  }
  return {
    id: i.id,
    status: i.status,
    version: i.version,
    timings: i.progress?.timings ?? {},
    speculative: Boolean(i.progress?.speculative),
    wallMs: wall,
    error: i.error,
  };
}

/**
 * The download benches' baseline: DuckDB's own COPY of a version file to CSV (without the staging row number when
 * the file has one) into `dir`; the time and the bytes written (the file is removed).
 */
export async function duckdbCsvCopy(con: DuckDBConnection, file: string, dir: string): Promise<{ ms: number; bytes: number }> {
  const out = path.join(dir, 'copy.csv');
  const t0 = performance.now();
  await con.run(`COPY (SELECT * EXCLUDE (_row) FROM read_parquet('${file}')) TO '${out}' (FORMAT csv, HEADER)`).catch(async () => {
    await con.run(`COPY (SELECT * FROM read_parquet('${file}')) TO '${out}' (FORMAT csv, HEADER)`);
  });
  const ms = performance.now() - t0;
  const bytes = (await fsp.stat(out)).size;
  await fsp.rm(out, { force: true });
  return { ms, bytes };
}
