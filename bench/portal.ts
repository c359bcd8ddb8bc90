// `npm run bench -- portal` (issue 7, performance). So far the one target whose code exists:
//   SODA-style `$where` + `$group` query on a 1,000,000-row version through GET /resource/{id}.json (the gate:
//   session, PDP, the visible relation, SoQL compile, DuckDB, the ledger entry) vs the same query run directly
//   on DuckDB (same engine settings, same Parquet file), in alternating rounds of one run. Target: ≤ 1.5×.
// Not measured yet (their code is to come): anonymous full download at 20 concurrent connections, CKAN
// package_search on 400k datasets, the public dataset page p95 at 50 connections.
// Knobs: PORTAL_BENCH_ROWS (1,000,000), PORTAL_BENCH_QUERIES (40).
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { benchServer } from './_server.ts';
import { benchDataset, ingestUpload, uploadFile } from './_dataset.ts';
import { generateTable } from './gen-table.ts';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const pct = (xs: number[], p: number) => {
  const v = [...xs].sort((a, b) => a - b);
  return v[Math.min(v.length - 1, Math.max(0, Math.ceil((p / 100) * v.length) - 1))]!;
};

export async function run(): Promise<void> {
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
    con.closeSync();
    inst.closeSync();
  } finally {
    await b.platform.close();
    await fsp.rm(dir, { recursive: true, force: true });
    await server.stop();
  }
}
