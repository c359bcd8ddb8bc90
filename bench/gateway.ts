// `npm run bench -- gateway` (issue 6, performance): one record by key through the whole gate — AppKey/HMAC
// signature and nonce, PDP (entitlement and quota use read on every call), the data plane's read path on the
// version's Parquet file, masking, the dataset.read ledger entry, quota accounting, the exchange log row
// (hash-chained) — against a bare Fastify route answering the same record from the same DuckDB engine and Parquet
// version without any check, both with autocannon (50 connections, loopback) in alternating rounds of one run.
// Then the same for verification (核验). Targets: record query ≥ 0.5× and p99 ≤ 20 ms; verification ≥ 0.6×.
// Finally: every answered gateway call is in the exchange log (the log count equals the server's answered count).
// Knobs: BENCH_DURATION (seconds per target and kind, default 10), BENCH_ROUNDS (5), BENCH_CONNECTIONS (50);
// BENCH_PROFILE=<dir> writes a V8 CPU profile of the server during the gateway rounds only (one file per kind).
import fs from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import os from 'node:os';
import path from 'node:path';
import Fastify from 'fastify';
import { sql } from 'kysely';
import { CANNON_SUMMARY, combine, resultLine, runCannon, type CannonResult } from './_cannon.ts';
import { benchServer } from './_server.ts';
import { resourceIdByName, startTestPlatform, TestClient } from '../test/helpers.ts';
import { SYSTEM } from '../src/modules/identity/actor.ts';
import { DEMO_PASSWORD } from '../src/modules/identity/service.ts';
import { baseGrant } from '../src/modules/entitlements/testkit.ts';

const DURATION = Number(process.env.BENCH_DURATION ?? 10);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const PROFILE_DIR = process.env.BENCH_PROFILE;
const KEY_COLUMN = '统一社会信用代码';

interface Result extends CannonResult {
  /** Message ids of the answers the client received (gateway only). */
  ids: string[];
}

interface Target {
  url: string;
  /** Request bodies, used in turn (one per key). */
  bodies: string[];
  /** Sign each request with this key (a fresh nonce each time), as a machine client does. */
  sign?: { appKey: string; appSecret: string; path: string };
}

/** autocannon in a child process; each request gets the next body (and signature). */
function cannon(t: Target, duration: number): Promise<Result> {
  return runCannon<Result>(
    `import autocannon from 'autocannon';
    import { createHash, createHmac, randomBytes } from 'node:crypto';
    let i = 0;
    const setupRequest = (req) => {
      const body = o.bodies[i++ % o.bodies.length];
      const headers = { 'content-type': 'application/json' };
      if (o.sign) {
        const ts = String(Math.floor(Date.now() / 1000));
        const nonce = randomBytes(16).toString('hex');
        const toSign = ['POST', o.sign.path, ts, nonce, createHash('sha256').update(body).digest('hex')].join('\\n');
        Object.assign(headers, { 'x-shuyuan-appkey': o.sign.appKey, 'x-shuyuan-timestamp': ts, 'x-shuyuan-nonce': nonce,
          'x-shuyuan-signature': createHmac('sha256', o.sign.appSecret).update(toSign).digest('hex') });
      }
      return { ...req, method: 'POST', body, headers };
    };
    const ids = [];
    const onResponse = (status, body, context, headers) => {
      const id = headers['x-shuyuan-message-id'];
      if (id) ids.push(id);
    };
    const r = await autocannon({ url: o.url, connections: o.connections, duration: o.duration, requests: [{ setupRequest, onResponse }] });
    process.stdout.write(JSON.stringify({ ...${CANNON_SUMMARY}, ids }));`,
    { ...t, connections: CONNECTIONS, duration },
  );
}

function combineWithIds(rounds: Result[]): Result {
  return { ...combine(rounds), ids: rounds.flatMap((r) => r.ids) };
}

export async function run(): Promise<void> {
  const server = await benchServer();
  console.log(
    `database server: ${new URL(server.url).host}; autocannon: ${CONNECTIONS} connections, ${DURATION} s per target in ${ROUNDS} alternating rounds, loopback; ${os.cpus().length} CPUs`,
  );
  const platform = await startTestPlatform({ rateLimit: 1_000_000_000, logLevel: 'silent' });
  const bare = Fastify({ logger: false });
  try {
    const ctx = platform.ctx;
    const admin = new TestClient(platform.url);
    await admin.login('admin', DEMO_PASSWORD);
    const consumer = new TestClient(platform.url);
    await consumer.login('consumer', DEMO_PASSWORD);
    const resourceId = await resourceIdByName(admin, '市场主体登记信息');
    const resource = await ctx.catalog.get(SYSTEM, resourceId);
    const datasetId: string = (await admin.get(`/api/datasets/by-resource/${resourceId}`)).body.id;
    // One application with one key, one grant narrowed to it (the demo's own grants set aside).
    await sql`update entitlements set state = 'revoked', state_reason = 'bench' where resource_id = ${resourceId}`.execute(ctx.db);
    const app = await consumer.post('/api/applications', { name: '基准测试系统' });
    const key = (await consumer.post(`/api/applications/${app.body.id}/keys`, { name: 'bench' })).body as {
      appKey: string;
      appSecret: string;
    };
    await ctx.db.transaction().execute((tx) =>
      ctx.entitlements.grant(tx, SYSTEM, {
        ...baseGrant({ holderOrgId: (app.body as { orgId: string }).orgId, resourceId, providerOrgId: resource.providerOrg.id }),
        holderApplicationId: app.body.id,
        fields: ['tyshxydm', 'qymc', 'djzt'],
        actions: ['query', 'verify'],
        purpose: '基准测试',
        legalBasis: '基准测试',
        conditions: { clearFields: ['tyshxydm'] },
      }),
    );

    // The same version file and DuckDB engine for the bare route.
    const { v, file } = await ctx.datasets.versionFile(datasetId);
    const engine = await ctx.datasets.engine();
    const codes = (
      await engine.all<{ k: string; n: string }>(`SELECT "${KEY_COLUMN}" AS k, "企业名称" AS n FROM read_parquet('${file}') LIMIT 500`)
    ).map((r) => ({ code: String(r.k), name: String(r.n) }));
    const pointSql = `SELECT "${KEY_COLUMN}", "企业名称", "登记状态" FROM read_parquet('${file}') WHERE "${KEY_COLUMN}" = $1 LIMIT 1`;
    bare.post('/bare/records', async (req) => {
      const { code } = req.body as { code: string };
      const con = await engine.connect();
      try {
        const rows = (await con.runAndReadAll(pointSql, [code])).getRowObjectsJson();
        return { version: v.version, rows };
      } finally {
        con.closeSync();
      }
    });
    bare.post('/bare/verify', async (req) => {
      const { code, name } = req.body as { code: string; name: string };
      const con = await engine.connect();
      try {
        const row = (await con.runAndReadAll(pointSql, [code])).getRowObjectsJson()[0];
        return {
          version: v.version,
          found: !!row,
          results: { 企业名称: !row ? 'not_found' : row['企业名称'] === name ? 'match' : 'no_match' },
        };
      } finally {
        con.closeSync();
      }
    });
    await bare.listen({ host: '127.0.0.1', port: 0 });
    const addr = bare.server.address();
    const bareBase = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;

    const recordsPath = `/api/gateway/v1/resources/${resourceId}/records`;
    const verifyPath = `/api/gateway/v1/resources/${resourceId}/verify`;
    const kinds = [
      {
        name: 'record query (one record by key)',
        target: 0.5,
        ours: {
          url: platform.url + recordsPath,
          sign: { ...key, path: recordsPath },
          // The same three columns the bare route answers (reading every column of the record costs DuckDB more).
          bodies: codes.map((c) =>
            JSON.stringify({
              fields: [KEY_COLUMN, '企业名称', '登记状态'],
              filters: [{ column: KEY_COLUMN, op: 'eq', value: c.code }],
              limit: 1,
            }),
          ),
        },
        bare: { url: bareBase + '/bare/records', bodies: codes.map((c) => JSON.stringify({ code: c.code })) },
      },
      {
        name: 'verification (核验)',
        target: 0.6,
        ours: {
          url: platform.url + verifyPath,
          sign: { ...key, path: verifyPath },
          bodies: codes.map((c, i) =>
            JSON.stringify({ key: { field: KEY_COLUMN, value: c.code }, claims: { 企业名称: i % 2 ? c.name : `${c.name}X` } }),
          ),
        },
        bare: {
          url: bareBase + '/bare/verify',
          bodies: codes.map((c, i) => JSON.stringify({ code: c.code, name: i % 2 ? c.name : `${c.name}X` })),
        },
      },
    ];
    // Correctness probes before timing.
    for (const k of kinds) {
      const ours = await cannon(k.ours, 1);
      if (ours.non2xx || ours.errors)
        throw new Error(`${k.name}: gateway answered ${ours.non2xx} non-2xx / ${ours.errors} errors in the warm-up`);
      await cannon(k.bare, 1);
    }
    const before = (await sql<{ n: number }>`select count(*)::int as n from gateway_log`.execute(ctx.db)).rows[0]!.n;
    const received: string[] = [];
    const slice = Math.max(1, Math.round(DURATION / ROUNDS));
    for (const k of kinds) {
      const b: Result[] = [];
      const o: Result[] = [];
      const profiler = PROFILE_DIR ? new Session() : null;
      if (profiler) {
        profiler.connect();
        await profiler.post('Profiler.enable');
      }
      for (let i = 0; i < ROUNDS; i++) {
        b.push(await cannon(k.bare, slice));
        await profiler?.post('Profiler.start');
        o.push(await cannon(k.ours, slice));
        if (profiler && i < ROUNDS - 1) await profiler.post('Profiler.stop'); // only the last round is kept
      }
      if (profiler && PROFILE_DIR) {
        const { profile } = await profiler.post('Profiler.stop');
        await fs.mkdir(PROFILE_DIR, { recursive: true });
        await fs.writeFile(path.join(PROFILE_DIR, `gateway-${kinds.indexOf(k)}.cpuprofile`), JSON.stringify(profile));
        profiler.disconnect();
      }
      const bb = combineWithIds(b);
      const oo = combineWithIds(o);
      received.push(...oo.ids);
      const ratio = oo.reqPerSec / bb.reqPerSec;
      console.log(`\n${k.name}`);
      console.log(resultLine('  bare Fastify + DuckDB (no checks)', bb));
      console.log(resultLine('  Shuyuan gateway (signature → PDP → read → log)', oo));
      console.log(
        `  ratio ${ratio.toFixed(2)}× (target ≥ ${k.target}×) ${ratio >= k.target ? 'OK' : 'BELOW TARGET'}; p99 ${oo.p99} ms${k.target === 0.5 ? ` (target ≤ 20 ms) ${oo.p99 <= 20 ? 'OK' : 'ABOVE TARGET'}` : ''}; per round: ${o
          .map((r, i) => (r.reqPerSec / b[i]!.reqPerSec).toFixed(2))
          .join(', ')}`,
      );
      if (oo.non2xx || oo.errors) console.log(`  WARNING: ${oo.non2xx} non-2xx and ${oo.errors} errors on the gateway`);
    }
    // Every answer a client received is in the exchange log (by its message id); the log may hold a few more:
    // calls in flight when autocannon stopped were answered and logged, but their connection was already closed.
    await new Promise((r) => setTimeout(r, 500));
    const found = (
      await sql<{ n: number }>`select count(*)::int as n from gateway_log where message_id = any(${received}::uuid[])`.execute(ctx.db)
    ).rows[0]!.n;
    const logged = (await sql<{ n: number }>`select count(*)::int as n from gateway_log`.execute(ctx.db)).rows[0]!.n - before;
    const ledgerReads = (
      await sql<{ n: number }>`select count(*)::int as n from ledger_entries where action = 'dataset.read'`.execute(ctx.db)
    ).rows[0]!.n;
    console.log(
      `\nexchange log: ${received.length} answers received by the clients in the timed rounds, ${found} of them in the log → ${found === received.length ? 'NONE LOST' : `${received.length - found} MISSING`}; ${logged} rows logged in those rounds (answers in flight at each stop included); ${ledgerReads} dataset.read ledger entries in all`,
    );
    console.log(
      `load average: ${os
        .loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')} (${os.cpus().length} CPUs shared with everything else)`,
    );
  } finally {
    await bare.close();
    await platform.close();
    await server.stop();
  }
}
