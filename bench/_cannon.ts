// autocannon for the HTTP benches (http, gateway): run in a child process so that the load generator does not
// share the server's event loop, with the server's own CPU time per answered request measured around it, and
// rounds combined (mean throughput over the whole time, median of the round percentiles).
import { spawn } from 'node:child_process';
import path from 'node:path';

export interface CannonResult {
  reqPerSec: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
  total: number;
  /** CPU time of this process (the server: main thread, DuckDB's threads, libuv) per answered request, ms. */
  cpuMs: number;
}

/**
 * Runs `script` (an ES module; `o` is the JSON argument) in a child node process. It must print one JSON object
 * with at least the CannonResult fields but cpuMs.
 */
export async function runCannon<T extends CannonResult>(script: string, arg: object): Promise<T> {
  const before = process.cpuUsage();
  const r = await new Promise<Omit<T, 'cpuMs'>>((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--input-type=module', '-e', `const o = JSON.parse(process.argv[1]);\n${script}`, JSON.stringify(arg)],
      { cwd: path.resolve(import.meta.dirname, '..'), stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve(JSON.parse(out) as Omit<T, 'cpuMs'>) : reject(new Error(`autocannon exited ${code}`)),
    );
  });
  const used = process.cpuUsage(before);
  return { ...r, cpuMs: (used.user + used.system) / 1000 / Math.max(1, r.total) } as T;
}

/** The summary line autocannon's result is turned into (inside the child's script). */
export const CANNON_SUMMARY = `{ reqPerSec: r.requests.average, p50: r.latency.p50, p99: r.latency.p99,
  non2xx: r.non2xx, errors: r.errors + r.timeouts, total: r.requests.total }`;

/** Rounds of one target → one result. */
export function combine(rounds: CannonResult[]): CannonResult {
  const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)]!;
  const total = rounds.reduce((s, r) => s + r.total, 0);
  return {
    reqPerSec: rounds.reduce((s, r) => s + r.reqPerSec, 0) / rounds.length,
    p50: median(rounds.map((r) => r.p50)),
    p99: median(rounds.map((r) => r.p99)),
    non2xx: rounds.reduce((s, r) => s + r.non2xx, 0),
    errors: rounds.reduce((s, r) => s + r.errors, 0),
    total,
    cpuMs: rounds.reduce((s, r) => s + r.cpuMs * r.total, 0) / Math.max(1, total),
  };
}

/** One line of a bench's table. */
export function resultLine(name: string, r: CannonResult, width = 46): string {
  return `${name.padEnd(width)} ${r.reqPerSec.toFixed(0).padStart(7)} req/s   p50 ${String(r.p50).padStart(3)} ms   p99 ${String(r.p99).padStart(3)} ms   server CPU ${r.cpuMs.toFixed(2)} ms/req   (${r.total} requests, non-2xx ${r.non2xx}, errors ${r.errors})`;
}
