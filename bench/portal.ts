// `npm run bench -- portal` (issue 7, performance), every target measured against a baseline in the same run:
//   1. SODA-style `$where` + `$group` on a 1,000,000-row version through GET /resource/{id}.json (session, PDP, the
//      visible relation, SoQL compile, DuckDB, the ledger entry) vs the same query run directly on DuckDB (same
//      engine settings, same Parquet file), alternating. Target: ≤ 1.5×.
//   2. Anonymous full-file CSV download of that version through the portal (GET /api/datasets/:id/download, no
//      login: the gate and a ledger entry per download) vs DuckDB `COPY … TO csv` of the same Parquet locally:
//      throughput ratio (target ≥ 0.7×) — once with the masked export built on the request (the bench platform
//      runs with SHUYUAN_PREPARE_PUBLIC_EXPORTS off, as tests do), then as every visitor gets it when the export is
//      prepared at publication (the default) — then 20 concurrent anonymous downloads (all complete, same bytes)
//      with the process's RSS sampled during them (flat memory).
//   3. The public dataset page (server response: HTML with title, description and schema.org JSON-LD) at 50
//      connections vs the static index.html (bench/_portal_page.ts). Target: p95 ≤ 50 ms.
//   4. CKAN package_search with facets on a generated catalog (400k by default) vs the catalog's own search
//      endpoint (bench/_portal_ckan.ts). Target: p95 ≤ 1.5×.
// Knobs: PORTAL_BENCH_ROWS (1,000,000), PORTAL_BENCH_QUERIES (40), PORTAL_BENCH_PARTS (soda,download,page,ckan),
// CKAN_BENCH_COUNT (400000), CKAN_BENCH_ROUNDS (6).
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { benchServer } from './_server.ts';
import { benchDataset, duckdbCsvCopy, ingestUpload, uploadFile } from './_dataset.ts';
import { downloadClient } from './_download.ts';
import { generateTable } from './gen-table.ts';
import { measurePackageSearch } from './_portal_ckan.ts';
import { measureDatasetPage } from './_portal_page.ts';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const pct = (xs: number[], p: number) => {
  const v = [...xs].sort((a, b) => a - b);
  return v[Math.min(v.length - 1, Math.max(0, Math.ceil((p / 100) * v.length) - 1))]!;
};

export async function run(): Promise<void> {
  const parts = new Set((process.env.PORTAL_BENCH_PARTS ?? 'soda,download,page,ckan').split(','));
  if (parts.has('soda') || parts.has('download')) await dataParts(parts);
  if (parts.has('page')) {
    console.log('\n--- public dataset page (bench/_portal_page.ts)');
    await measureDatasetPage();
  }
  if (parts.has('ckan')) {
    console.log('\n--- CKAN package_search (bench/_portal_ckan.ts)');
    await measurePackageSearch();
  }
}

async function dataParts(parts: Set<string>): Promise<void> {
  const rows = Number(process.env.PORTAL_BENCH_ROWS ?? 1_000_000);
  const queries = Number(process.env.PORTAL_BENCH_QUERIES ?? 40);
  const server = await benchServer();
  const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'shuyuan-bench-portal-'));
  const b = await benchDataset();
  try {
    const threads = b.platform.ctx.config.duckdbThreads;
    const csv = path.join(dir, 'people.csv');
    await generateTable({ rows, seed: 5, out: csv, format: 'csv' });
    const o = await ingestUpload(b, await uploadFile(b.provider, csv, 'people.csv'));
    if (o.status !== 'published') throw new Error(`ingest ${o.status}: ${JSON.stringify(o.error)}`);
    await fsp.rm(csv, { force: true });
    const { file } = await b.platform.ctx.datasets.versionFile(b.datasetId);
    console.log(
      `${os.cpus().length} CPUs; DuckDB threads ${threads}; version of ${rows} rows; load average ${os.loadavg()[0]!.toFixed(2)}`,
    );

    const inst = await DuckDBInstance.create(':memory:', { threads: String(threads) });
    const con = await inst.connect();
    // The same statement both ways: counts and amounts by district for one status and a date range.
    const where = (i: number) => `状态 = '${['正常', '已办结', '待审核'][i % 3]}' AND 登记日期 >= '20${10 + (i % 10)}-01-01'`;
    const soql = (i: number) => ({
      $select: '所属区县, count(*) AS n, sum(金额) AS total',
      $where: where(i),
      $group: '所属区县',
      $order: '所属区县',
    });
    const soda = async () => {
      const direct = await con.prepare(
        `SELECT "所属区县", count(*) AS n, sum("金额") AS total FROM read_parquet('${file}') WHERE "状态" = $1 AND "登记日期" >= CAST($2 AS DATE) GROUP BY 1 ORDER BY 1`,
      );
      const api: number[] = [];
      const raw: number[] = [];
      for (let i = 0; i < queries + 5; i++) {
        const a0 = performance.now();
        const r = await b.provider.get(`/resource/${b.datasetId}.json?${new URLSearchParams(soql(i))}`);
        const a = performance.now() - a0;
        if (r.status !== 200) throw new Error(`SODA query ${r.status}: ${r.text.slice(0, 300)}`);
        direct.bind([['正常', '已办结', '待审核'][i % 3]!, `20${10 + (i % 10)}-01-01`]);
        const r0 = performance.now();
        const d = (await direct.runAndReadAll()).getRowObjectsJson();
        const rr = performance.now() - r0;
        if (d.length !== r.body.length) throw new Error(`the API answered ${r.body.length} groups, DuckDB ${d.length}`);
        if (i >= 5) {
          api.push(a);
          raw.push(rr);
        }
      }
      console.log(
        `SODA $where + $group on ${rows} rows, ${queries} queries: DuckDB direct p50 ${median(raw).toFixed(1)} / p95 ${pct(raw, 95).toFixed(1)} ms; ` +
          `GET /resource/{id}.json p50 ${median(api).toFixed(1)} / p95 ${pct(api, 95).toFixed(1)} ms → p50 ${(median(api) / median(raw)).toFixed(2)}×, ` +
          `p95 ${(pct(api, 95) / pct(raw, 95)).toFixed(2)}× (target ≤ 1.5×)`,
      );
      direct.destroySync();
    };
    if (parts.has('soda')) await soda();
    if (parts.has('download')) await downloads(b.platform.url, b.datasetId, file, con, dir);
    con.closeSync();
    inst.closeSync();
  } finally {
    await b.platform.close();
    await fsp.rm(dir, { recursive: true, force: true });
    await server.stop();
  }
}

async function downloads(base: string, datasetId: string, file: string, con: import('@duckdb/node-api').DuckDBConnection, dir: string) {
  const url = `${base}/api/datasets/${datasetId}/download?format=csv`;
  const copyOnce = () => duckdbCsvCopy(con, file, dir);
  const sampled = async <T>(work: () => Promise<T>) => {
    const before = process.memoryUsage().rss;
    let peak = before;
    const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
    const t0 = performance.now();
    try {
      const out = await work();
      return { out, ms: performance.now() - t0, rssGrowth: peak - before };
    } finally {
      clearInterval(timer);
    }
  };
  const mbps = (bytes: number, ms: number) => bytes / 1e6 / (ms / 1000);
  // Anonymous GETs from a client in its own process (bench/_download.ts), streamed and counted.
  const client = downloadClient();
  const fetchCount = () => client.get(url);
  const c1 = await copyOnce();
  const cold = await sampled(fetchCount);
  const c2 = await copyOnce();
  const warm = await sampled(fetchCount);
  const c3 = await copyOnce();
  for (const d of [cold, warm]) if (d.out.status !== 200) throw new Error(`anonymous download answered ${d.out.status}`);
  const copy = [c1, c2, c3].sort((x, y) => x.ms - y.ms)[1]!;
  const base0 = mbps(copy.bytes, copy.ms);
  console.log(`\n--- anonymous full download (CSV, ${(warm.out.bytes / 1e6).toFixed(1)} MB)`);
  console.log(`DuckDB COPY to CSV locally: ${copy.ms.toFixed(0)} ms = ${base0.toFixed(0)} MB/s (median of 3)`);
  for (const [name, d] of [
    // With SHUYUAN_PREPARE_PUBLIC_EXPORTS off (or before the publication job has finished) the first visitor's
    // request builds the masked export; with it on (the default) that is done at publication, off the request path.
    ['portal download, export built on request', cold],
    ['portal download, export prepared (default: every anonymous download)', warm],
  ] as const) {
    const r = mbps(d.out.bytes, d.ms);
    console.log(
      `${name}: ${d.ms.toFixed(0)} ms = ${r.toFixed(0)} MB/s → ${(r / base0).toFixed(2)}× (target ≥ 0.7×); RSS growth ${(d.rssGrowth / 2 ** 20).toFixed(0)} MiB`,
    );
  }
  const n = 20;
  const many = await sampled(() => Promise.all(Array.from({ length: n }, fetchCount)));
  client.close();
  const ok = many.out.filter((r) => r.status === 200 && r.bytes === warm.out.bytes).length;
  const total = many.out.reduce((x, r) => x + r.bytes, 0);
  console.log(
    `${n} concurrent anonymous downloads: ${ok}/${n} complete with the same ${(warm.out.bytes / 1e6).toFixed(1)} MB; ` +
      `${many.ms.toFixed(0)} ms for ${(total / 1e6).toFixed(0)} MB = ${mbps(total, many.ms).toFixed(0)} MB/s aggregate; ` +
      `RSS growth during them ${(many.rssGrowth / 2 ** 20).toFixed(0)} MiB`,
  );
  if (ok !== n) throw new Error(`${n - ok} of ${n} concurrent downloads failed`);
}
