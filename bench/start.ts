// `npm run bench -- start`: how long `shuyuan start` (what `npm start` runs after building the web app)
// takes to reach a green /readyz with the embedded PostgreSQL:
//   (i)  first start from an empty data directory: initdb, migrations, demo seed   — target ≤ 30 s
//   (ii) later starts from the existing data directory                            — target ≤ 5 s
// Measured from spawning the process (node + tsx loading included) to the first /readyz 200.
import fsp from 'node:fs/promises';
import { freePort } from '../src/db/embedded.ts';
import { makeDataDir, spawnCli, type CliProcess } from '../test/helpers.ts';

const RESTARTS = Number(process.env.BENCH_RESTARTS ?? 3);

async function timeToReady(dataDir: string): Promise<{ seconds: number; proc: CliProcess }> {
  const port = await freePort(0);
  const t0 = performance.now();
  const proc = await spawnCli(['start'], { SHUYUAN_DATA_DIR: dataDir, SHUYUAN_PORT: String(port), SHUYUAN_LOG_LEVEL: 'warn' });
  const url = `http://127.0.0.1:${port}/readyz`;
  for (;;) {
    if (proc.child.exitCode !== null) throw new Error(`shuyuan start exited ${proc.child.exitCode}:\n${proc.output()}`);
    try {
      const res = await fetch(url);
      if (res.status === 200) break;
    } catch {
      /* not listening yet */
    }
    await new Promise((r) => setTimeout(r, 10));
    if (performance.now() - t0 > 180_000) throw new Error(`not ready after 180 s:\n${proc.output()}`);
  }
  return { seconds: (performance.now() - t0) / 1000, proc };
}

async function stop(proc: CliProcess): Promise<number> {
  const t0 = performance.now();
  proc.child.kill('SIGTERM');
  const { code } = await proc.exited;
  if (code !== 0) throw new Error(`stop exited ${code}:\n${proc.output()}`);
  return (performance.now() - t0) / 1000;
}

export async function run(): Promise<void> {
  const dataDir = await makeDataDir('shuyuan-bench-start-');
  try {
    const first = await timeToReady(dataDir);
    const firstStop = await stop(first.proc);
    console.log(
      `first start (initdb + migrations + demo seed) → /readyz green: ${first.seconds.toFixed(2)} s (target ≤ 30 s) ${first.seconds <= 30 ? 'OK' : 'ABOVE TARGET'}`,
    );
    console.log(`  clean stop (platform + PostgreSQL): ${firstStop.toFixed(2)} s`);
    const restarts: number[] = [];
    for (let i = 0; i < RESTARTS; i++) {
      const again = await timeToReady(dataDir);
      await stop(again.proc);
      restarts.push(again.seconds);
    }
    const worst = Math.max(...restarts);
    console.log(
      `start from an existing data directory → /readyz green: ${restarts.map((s) => s.toFixed(2)).join(' s, ')} s (worst ${worst.toFixed(2)} s; target ≤ 5 s) ${worst <= 5 ? 'OK' : 'ABOVE TARGET'}`,
    );
  } finally {
    await fsp.rm(dataDir, { recursive: true, force: true });
  }
}
