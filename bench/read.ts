// `npm run bench -- read` (issue 5, performance), on a 1,000,000-row version ingested through the platform:
//   1. Streaming CSV download through the HTTP API (GET /api/datasets/:id/download?format=csv, by a client in its
//      own process: bench/_download.ts) vs DuckDB `COPY (SELECT * FROM read_parquet(version)) TO csv` of the
//      same version, in the same run: throughput
//      ratio (target ≥ 0.7×) for a cold download (the export is made) and a warm one (served from the export
//      cache); RSS of the process sampled during the download (flat memory).
//   2. Paged query with a filter on an indexed-looking column (所属区县 = ?, 50 rows at an offset), p50/p95
//      through POST /api/datasets/:id/query vs the same query run directly on DuckDB (target p95 ≤ 1.5×).
// Knobs: READ_BENCH_ROWS (1,000,000), READ_BENCH_QUERIES (200), READ_BENCH_ROUNDS (3 download rounds).
import fsp from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { benchServer } from './_server.ts';
import { benchDataset, duckdbCsvCopy, ingestUpload, uploadFile } from './_dataset.ts';
import { downloadClient } from './_download.ts';
import { generateTable } from './gen-table.ts';

const pct = (xs: number[], p: number) => {
  const v = [...xs].sort((a, b) => a - b);
  return v[Math.min(v.length - 1, Math.max(0, Math.ceil((p / 100) * v.length) - 1))]!;
};

export async function run(): Promise<void> {
  const rows = Number(process.env.READ_BENCH_ROWS ?? 1_000_000);
  const queries = Number(process.env.READ_BENCH_QUERIES ?? 200);
  const server = await benchServer();
  const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'shuyuan-bench-read-'));
  const b = await benchDataset();
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const downloader = downloadClient();
  try {
    const threads = b.platform.ctx.config.duckdbThreads;
    const csv = path.join(dir, 'people.csv');
    await generateTable({ rows, seed: 3, out: csv, format: 'csv' });
    const o = await ingestUpload(b, await uploadFile(b.provider, csv, 'people.csv'));
    if (o.status !== 'published') throw new Error(`ingest ${o.status}: ${JSON.stringify(o.error)}`);
    await fsp.rm(csv, { force: true });
    const { file } = await b.platform.ctx.datasets.versionFile(b.datasetId);
    console.log(
      `${os.cpus().length} CPUs; DuckDB threads ${threads}; version of ${rows} rows (${((await fsp.stat(file)).size / 1e6).toFixed(1)} MB Parquet)`,
    );

    const inst = await DuckDBInstance.create(':memory:', { threads: String(threads) });
    const con = await inst.connect();
    const base = new URL(b.platform.url);
    const cookie = [...b.provider.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    const query = (p: string, body: string) =>
      new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = http.request(
          {
            host: base.hostname,
            port: base.port,
            path: p,
            method: 'POST',
            agent,
            headers: { cookie, 'x-csrf-token': b.provider.csrf ?? '', 'content-type': 'application/json' },
          },
          (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (d: Buffer) => chunks.push(d));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
          },
        );
        req.on('error', reject);
        req.end(body);
      });

    // ---- 1. CSV download vs DuckDB COPY
    const copyOnce = () => duckdbCsvCopy(con, file, dir);
    // The download client is its own process (bench/_download.ts), as a browser or curl is.
    const download = async () => {
      let peak = 0;
      const before = process.memoryUsage().rss;
      const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
      const r = await downloader.get(`${b.platform.url}/api/datasets/${b.datasetId}/download?format=csv`, { cookie });
      clearInterval(timer);
      if (r.status !== 200) throw new Error(`download ${r.status}`);
      return { ms: r.ms, bytes: r.bytes, rssGrowth: Math.max(0, peak - before) };
    };
    // Rounds of: COPY, cold download (the export cache emptied first), warm download. Each download's ratio is
    // against the COPY of its own round; the median round is reported, with the spread.
    const rounds = Number(process.env.READ_BENCH_ROUNDS ?? 3);
    const cache = b.platform.ctx.datasets.exports;
    const results: {
      copy: { ms: number; bytes: number };
      cold: Awaited<ReturnType<typeof download>>;
      warm: Awaited<ReturnType<typeof download>>;
    }[] = [];
    for (let r = 0; r < rounds; r++) {
      await fsp.rm(cache.dir, { recursive: true, force: true });
      const copy = await copyOnce();
      const cold = await download();
      const warm = await download();
      results.push({ copy, cold, warm });
    }
    const mbps = (x: { ms: number; bytes: number }) => x.bytes / 1e6 / (x.ms / 1000);
    const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)]!;
    console.log(
      `DuckDB COPY to CSV: ${median(results.map((r) => r.copy.ms)).toFixed(0)} ms (median; ${results.map((r) => r.copy.ms.toFixed(0)).join(', ')}) for ${(results[0]!.copy.bytes / 1e6).toFixed(1)} MB`,
    );
    for (const which of ['cold', 'warm'] as const) {
      const ratios = results.map((r) => mbps(r[which]) / mbps(r.copy));
      const name = which === 'cold' ? 'API download, cold (export made)' : 'API download, warm (export cache)';
      console.log(
        `${name}: ${results.map((r) => r[which].ms.toFixed(0)).join(', ')} ms → median ${median(ratios).toFixed(2)}× DuckDB (${ratios.map((x) => x.toFixed(2)).join(', ')}; target ≥ 0.7×); RSS growth during it ≤ ${(Math.max(...results.map((r) => r[which].rssGrowth)) / 2 ** 20).toFixed(0)} MiB`,
      );
    }

    // ---- 2. Paged filtered query: API vs DuckDB directly
    const districts = (
      await (await con.runAndReadAll(`SELECT DISTINCT "所属区县" AS d FROM read_parquet('${file}') ORDER BY 1`)).getRowObjectsJson()
    ).map((r) => String(r.d));
    const api: number[] = [];
    const raw: number[] = [];
    const stmt = await con.prepare(`SELECT * FROM read_parquet('${file}') WHERE "所属区县" = $1 LIMIT 50 OFFSET $2`);
    for (let i = 0; i < queries + 20; i++) {
      const d = districts[i % districts.length]!;
      const offset = (i * 997) % 5000;
      const a0 = performance.now();
      const r = await query(
        `/api/datasets/${b.datasetId}/query`,
        JSON.stringify({ filter: [{ column: '所属区县', op: 'eq', value: d }], limit: 50, offset }),
      );
      const a = performance.now() - a0;
      if (r.status !== 200) throw new Error(`query ${r.status}: ${r.body.slice(0, 300)}`);
      stmt.bindVarchar(1, d);
      stmt.bindInteger(2, offset);
      const r0 = performance.now();
      (await stmt.runAndReadAll()).getRowObjects();
      const rr = performance.now() - r0;
      if (i >= 20) {
        api.push(a);
        raw.push(rr);
      }
    }
    console.log(
      `paged query (所属区县 = ?, 50 rows at an offset), ${queries} queries: DuckDB p50 ${pct(raw, 50).toFixed(2)} / p95 ${pct(raw, 95).toFixed(2)} ms; API p50 ${pct(api, 50).toFixed(2)} / p95 ${pct(api, 95).toFixed(2)} ms → p95 ${(pct(api, 95) / pct(raw, 95)).toFixed(2)}× (target ≤ 1.5×), p50 ${(pct(api, 50) / pct(raw, 50)).toFixed(2)}×`,
    );
    con.closeSync();
    inst.closeSync();
  } finally {
    agent.destroy();
    downloader.close();
    await b.platform.close();
    await fsp.rm(dir, { recursive: true, force: true });
    await server.stop();
  }
}
