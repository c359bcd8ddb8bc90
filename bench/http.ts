// `npm run bench -- http`: an authenticated GET through the whole platform (session cookie lookup, CSRF/auth
// hooks, authorize(), service, repository, metrics, security headers, rate limiter) against a bare Fastify
// route returning the same JSON, both measured with autocannon on loopback in the same run (alternating
// rounds, so that background load on a shared machine affects both sides alike).
// Target (issue 3): ours ≥ 0.5× the bare throughput.
//
// Database: TEST_DATABASE_URL, else a PostgreSQL at 127.0.0.1:5432 when one answers, else an embedded one
// started for the run. A fresh database is created and dropped. autocannon runs in a child process so that
// it does not share the server's event loop.
import os from 'node:os';
import Fastify from 'fastify';
import { CANNON_SUMMARY, combine, resultLine, runCannon, type CannonResult } from './_cannon.ts';
import { benchServer } from './_server.ts';
import { startTestPlatform, TestClient } from '../test/helpers.ts';

const DURATION = Number(process.env.BENCH_DURATION ?? 10);
/** The two targets alternate in rounds, so a change in background load hits both alike. */
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 20);
const DEMO_USER = 'admin';
const DEMO_PASSWORD = 'Shuyuan@2024';
const ROUTE = '/api/auth/me';

/** autocannon with fixed headers (the session cookie). */
function cannon(url: string, headers: Record<string, string>, duration: number): Promise<CannonResult> {
  return runCannon(
    `import autocannon from 'autocannon';
    const r = await autocannon({ url: o.url, connections: o.connections, duration: o.duration, headers: o.headers });
    process.stdout.write(JSON.stringify(${CANNON_SUMMARY}));`,
    { url, connections: CONNECTIONS, duration, headers },
  );
}

const row = (name: string, r: CannonResult) => resultLine(name, r, 44);

export async function run(): Promise<void> {
  const bench = await benchServer();
  const server = bench.url;
  console.log(
    `database server: ${new URL(server).host}; autocannon: ${CONNECTIONS} connections, ${DURATION} s per target in ${ROUNDS} alternating rounds, loopback; ${os.cpus().length} CPUs`,
  );

  // Ours: the whole platform, logger silent, rate limit out of the way.
  const platform = await startTestPlatform({ rateLimit: 1_000_000_000, logLevel: 'silent' });
  const bare = Fastify({ logger: false });
  try {
    const client = new TestClient(platform.url);
    await client.login(DEMO_USER, DEMO_PASSWORD);
    const cookie = [...client.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    const probe = await client.get(ROUTE);
    if (probe.status !== 200) throw new Error(`GET ${ROUTE} answered ${probe.status}: ${probe.text}`);
    const payload = probe.body as unknown;

    // Bare: a new Fastify instance, no plugins, no hooks, the same JSON.
    bare.get(ROUTE, async () => payload);
    await bare.listen({ host: '127.0.0.1', port: 0 });
    const addr = bare.server.address();
    const bareUrl = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}${ROUTE}`;
    const bareCheck = await fetch(bareUrl);
    if (JSON.stringify(await bareCheck.json()) !== JSON.stringify(payload)) throw new Error('bare route does not return the same JSON');

    const headers = { cookie, 'accept-language': 'zh-CN' };
    // Warm-up (JIT, connection pool, prepared caches), not reported.
    await cannon(bareUrl, {}, 2);
    await cannon(platform.url + ROUTE, headers, 2);

    const bareRounds: CannonResult[] = [];
    const ourRounds: CannonResult[] = [];
    const slice = Math.max(1, Math.round(DURATION / ROUNDS));
    for (let i = 0; i < ROUNDS; i++) {
      bareRounds.push(await cannon(bareUrl, {}, slice));
      ourRounds.push(await cannon(platform.url + ROUTE, headers, slice));
    }
    const b = combine(bareRounds);
    const o = combine(ourRounds);
    console.log(row(`bare Fastify GET ${ROUTE}`, b));
    console.log(row(`Shuyuan GET ${ROUTE} (session + authorize)`, o));
    const ratio = o.reqPerSec / b.reqPerSec;
    const perRound = ourRounds.map((r, i) => (r.reqPerSec / bareRounds[i]!.reqPerSec).toFixed(2));
    console.log(
      `ratio ours/bare: ${ratio.toFixed(2)}× (target ≥ 0.5×) ${ratio >= 0.5 ? 'OK' : 'BELOW TARGET'}; per round: ${perRound.join(', ')}`,
    );
    console.log(
      `load average during the run: ${os
        .loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')} (the bench shares ${os.cpus().length} CPUs with everything else)`,
    );
    if (o.non2xx || o.errors) console.log(`WARNING: ${o.non2xx} non-2xx responses and ${o.errors} errors on our route`);
  } finally {
    await bare.close();
    await platform.close();
    await bench.stop();
  }
}
