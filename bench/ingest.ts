// `npm run bench -- ingest` (issue 5, performance):
//   1. A 1,000,000-row people table (~150 MB CSV, bench/gen-table.ts: Chinese names, valid ID numbers, phones,
//      addresses, dates, amounts) is ingested through the platform (HTTP upload, ingest job, schema confirmed,
//      typed Parquet, quality rules, PII detection, object store, publish) and, in the same run, by DuckDB itself
//      (`COPY (SELECT * FROM read_csv(file)) TO parquet`, same thread count). Ratios: platform without the quality
//      and PII phases ≤ 2×, with them ≤ 4×. The platform's time is the sum of its phases (excluding the wait for
//      a human to confirm the schema); the wall clock of a second ingest of the same file (schema unchanged: no
//      confirmation) is reported too, including the job queue's pickup.
//   2. Peak RSS of the server process (`shuyuan start` in its own process) while a ~1 GB CSV is uploaded and
//      ingested (target ≤ 1 GB).
// Knobs: INGEST_BENCH_ROWS (1,000,000), INGEST_BENCH_BIG_ROWS (7,000,000 ≈ 1 GB; 0 skips).
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { benchServer } from './_server.ts';
import { benchDataset, benchDatasetProcess, ingestUpload, uploadFile } from './_dataset.ts';
import { generateTable } from './gen-table.ts';

const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

async function duckdbBaseline(csv: string, out: string, threads: number): Promise<number> {
  const inst = await DuckDBInstance.create(':memory:', { threads: String(threads) });
  const con = await inst.connect();
  try {
    const t0 = performance.now();
    await con.run(`COPY (SELECT * FROM read_csv('${csv}')) TO '${out}' (FORMAT parquet, COMPRESSION zstd)`);
    return performance.now() - t0;
  } finally {
    con.closeSync();
    inst.closeSync();
    await fsp.rm(out, { force: true });
  }
}

export async function run(): Promise<void> {
  const rows = Number(process.env.INGEST_BENCH_ROWS ?? 1_000_000);
  const bigRows = Number(process.env.INGEST_BENCH_BIG_ROWS ?? 7_000_000);
  const server = await benchServer();
  const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'shuyuan-bench-ingest-'));
  const b = await benchDataset();
  try {
    const threads = b.platform.ctx.config.duckdbThreads;
    console.log(
      `database ${new URL(server.url).host}; ${os.cpus().length} CPUs; DuckDB threads ${threads}, memory ${b.platform.ctx.config.duckdbMemory}`,
    );
    const csv = path.join(dir, 'people.csv');
    const g = await generateTable({ rows, seed: 1, out: csv, format: 'csv' });
    console.log(`generated ${g.rows} rows, ${(g.bytes / 1e6).toFixed(1)} MB`);

    const base1 = await duckdbBaseline(csv, path.join(dir, 'base.parquet'), threads);
    const upload1 = await uploadFile(b.provider, csv, 'people.csv');
    const first = await ingestUpload(b, upload1);
    if (first.status !== 'published') throw new Error(`first ingest ${first.status}: ${JSON.stringify(first.error)}`);
    const base2 = await duckdbBaseline(csv, path.join(dir, 'base.parquet'), threads);
    const upload2 = await uploadFile(b.provider, csv, 'people.csv');
    const second = await ingestUpload(b, upload2);
    if (second.status !== 'published') throw new Error(`second ingest ${second.status}: ${JSON.stringify(second.error)}`);
    const base = Math.min(base1, base2);

    const t = (x: Record<string, number>, k: string) => x[k] ?? 0;
    for (const [name, o] of [
      ['first (schema confirmed)', first],
      ['second (schema unchanged)', second],
    ] as const) {
      const all = ['stage', 'infer', 'pii', 'build', 'quality', 'store'].reduce((a, k) => a + t(o.timings, k), 0);
      const noChecks = all - t(o.timings, 'pii') - t(o.timings, 'quality');
      console.log(
        `${name}: phases ${Object.entries(o.timings)
          .map(([k, v]) => `${k} ${v} ms`)
          .join(
            ', ',
          )}; sum ${s(all)}, wall clock ${s(o.wallMs)}${o.speculative ? '; CSV read once (speculative typed file published)' : ''}`,
      );
      console.log(
        `  vs DuckDB read_csv → parquet ${s(base)} (best of 2: ${s(base1)}, ${s(base2)}): without quality/PII ${(noChecks / base).toFixed(2)}× (target ≤ 2×), with them ${(all / base).toFixed(2)}× (target ≤ 4×), wall clock ${(o.wallMs / base).toFixed(2)}×`,
      );
    }

    if (bigRows > 0) {
      // The server in its own process (as `npm start` runs it), so its memory is measured alone.
      await fsp.rm(csv, { force: true });
      const big = path.join(dir, 'big.csv');
      const gb = await generateTable({ rows: bigRows, seed: 2, out: big, format: 'csv' });
      const proc = await benchDatasetProcess();
      try {
        const rss = async () => Number(/VmRSS:\s+(\d+) kB/.exec(await fsp.readFile(`/proc/${proc.pid}/status`, 'utf8'))?.[1] ?? 0) * 1024;
        const idle = await rss();
        let peak = idle;
        const timer = setInterval(
          () =>
            void rss().then(
              (r) => (peak = Math.max(peak, r)),
              () => undefined,
            ),
          100,
        );
        const up = await uploadFile(proc.provider, big, 'big.csv');
        const afterUpload = peak;
        const o = await ingestUpload(proc, up);
        clearInterval(timer);
        console.log(
          `big: ${gb.rows} rows, ${(gb.bytes / 1e9).toFixed(2)} GB, ${o.status} in ${s(o.wallMs)} (phases ${Object.entries(o.timings)
            .map(([k, v]) => `${k} ${v} ms`)
            .join(', ')})`,
        );
        console.log(
          `  server process RSS: idle ${(idle / 2 ** 20).toFixed(0)} MiB, peak during upload ${(afterUpload / 2 ** 20).toFixed(0)} MiB, peak during upload + ingest ${(peak / 2 ** 20).toFixed(0)} MiB (target ≤ 1024 MiB) ${peak <= 2 ** 30 ? 'OK' : 'ABOVE TARGET'}`,
        );
      } finally {
        await proc.close();
      }
    }
  } finally {
    await b.platform.close();
    await fsp.rm(dir, { recursive: true, force: true });
    await server.stop();
  }
}
