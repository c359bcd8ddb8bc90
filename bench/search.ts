// `npm run bench -- search`: catalog search over 400,000 synthetic resources (issue 4, performance).
//
// 1. A platform starts on a fresh database (demo world seeded); bench/gen-catalog.ts generates 400,000
//    resources with Chinese names, abstracts, keywords and 2.2 M fields (deterministic seed) and bulk-loads
//    them with their search tokens precomputed by the search module's own tokenizer.
// 2. A fixed mix of queries — common words, rare words, two-word queries, with and without filters, with and
//    without facets, type-ahead — runs through the HTTP API (GET /api/search/resources and /suggest,
//    anonymous and as a signed-in clerk) and, in the same run and interleaved, the very same SQL statements
//    (compiled by the search module for the same actor and parameters) directly through `pg`.
// 3. Reports p50/p95 per query class for both and the ratio. Targets: API ≤ 1.5× raw; rare words p95 ≤ 30 ms.
//
// Database: TEST_DATABASE_URL, else a PostgreSQL at 127.0.0.1:5432 when one answers, else an embedded one
// started for the run. The database is created for the run and dropped after it.
// Knobs: SEARCH_BENCH_COUNT (default 400000), SEARCH_BENCH_ROUNDS (default 10).
// BENCH_PROFILE=<dir>: after the measurement, writes a V8 CPU profile of the process (server and client share it)
// while the rare-word API queries run alone again (search-rare.cpuprofile); the figures above are unaffected.
import fs from 'node:fs/promises';
import http from 'node:http';
import { Session } from 'node:inspector/promises';
import os from 'node:os';
import path from 'node:path';
import { Kysely, PostgresDialect, type CompiledQuery, type RawBuilder } from 'kysely';
import pg from 'pg';
import { APP_ROLE } from '../src/db/database.ts';
import { ANONYMOUS, type Actor } from '../src/modules/identity/actor.ts';
import { countQuery, facetCountsQuery, itemsQuery, keywordFacetQuery, suggestQuery } from '../src/modules/search/repository.ts';
import type { SearchParams } from '../src/modules/search/service.ts';
import { queryWords, tsqueryLiteral } from '../src/modules/search/tokenize.ts';
import { visibleSql, catalogVisibility } from '../src/modules/catalog/visibility.ts';
import { DEMO_PASSWORD } from '../src/modules/identity/service.ts';
import { createTestDatabase, startTestPlatform, TestClient } from '../test/helpers.ts';
import { generateResources, loadCatalog, type GenOrg } from './gen-catalog.ts';
import { benchServer } from './_server.ts';

/** A fresh migrated database on the bench server (dropped by close()). */
export async function benchDatabase(): Promise<{ url: string; close(): Promise<void> }> {
  const server = await benchServer();
  const db = await createTestDatabase(true);
  return {
    url: db.url,
    async close() {
      await db.drop();
      await server.stop();
    },
  };
}

// ---------------------------------------------------------------------------------------------------------

type Kind = 'search' | 'suggest';
interface BenchQuery {
  cls: string;
  kind: Kind;
  params: SearchParams & { q?: string };
  as: 'anon' | 'clerk';
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))] ?? NaN;
};
const ms = (x: number) => (x < 10 ? x.toFixed(2) : x.toFixed(1)).padStart(7);

/** The query mix: fixed for a seed (rare words come from resources the generator made). */
function queryMix(seed: number, count: number, orgs: GenOrg[]): BenchQuery[] {
  const q: BenchQuery[] = [];
  const common = ['交通', '医疗', '人口', '企业', '监测', '登记'];
  // Rare words: the dictionary words in the abstracts of 20 resources spread over the catalog.
  const rare: string[] = [];
  for (let k = 0; rare.length < 20; k++) {
    const i = Math.floor(((k * 7919 + 13) % 1000) * (count / 1000));
    const [r] = [...generateResources(seed, i, i + 1, orgs)];
    const m = /内容涉及(.+?)等方面/.exec(r!.abstractZh);
    const w = m?.[1]?.split('、').at(-1);
    if (w && !rare.includes(w)) rare.push(w);
    if (k > 1000) break;
  }
  const pairs = [
    ['西湖区', '公交线路'],
    ['滨江区', '企业登记'],
    ['萧山区', '空气质量'],
    ['2021年', '养老机构'],
    ['余杭区', '不动产登记'],
    ['临安区', '学校名录'],
    ['高新区', '专精特新'],
    ['桐庐县', '旅游景区'],
  ];
  for (const w of common) q.push({ cls: 'common word', kind: 'search', params: { q: w }, as: 'anon' });
  for (const w of rare) q.push({ cls: 'rare word', kind: 'search', params: { q: w }, as: 'anon' });
  for (const [a, b] of pairs) q.push({ cls: 'two words', kind: 'search', params: { q: `${a} ${b}` }, as: 'anon' });
  // Filters (facet counts are disjunctive, so every active filter adds one more count per facet).
  q.push({ cls: 'common + filters', kind: 'search', params: { q: '交通', open: 'unconditional', format: 'csv' }, as: 'anon' });
  q.push({ cls: 'common + filters', kind: 'search', params: { q: '企业', grade: 'general', frequency: 'monthly' }, as: 'anon' });
  q.push({ cls: 'common + filters', kind: 'search', params: { q: '监测', category: 'STHJ', sort: 'release' }, as: 'anon' });
  q.push({ cls: 'common + filters', kind: 'search', params: { q: '登记', org: orgs[3]!.id, sort: 'popularity' }, as: 'anon' });
  for (const w of rare.slice(0, 8))
    q.push({ cls: 'rare + filters', kind: 'search', params: { q: w, open: 'unconditional,conditional', grade: 'general' }, as: 'anon' });
  // Without facets (a result list that only needs the total).
  for (const w of common.slice(0, 4)) q.push({ cls: 'common, no facets', kind: 'search', params: { q: w, facets: false }, as: 'anon' });
  for (const w of rare.slice(0, 8)) q.push({ cls: 'rare, no facets', kind: 'search', params: { q: w, facets: false }, as: 'anon' });
  // A signed-in clerk (share catalog + own organization's drafts).
  for (const w of rare.slice(8, 14)) q.push({ cls: 'rare, clerk', kind: 'search', params: { q: w }, as: 'clerk' });
  for (const w of common.slice(0, 3)) q.push({ cls: 'common, clerk', kind: 'search', params: { q: w }, as: 'clerk' });
  // Type-ahead.
  for (const w of ['交', '西湖', '企业登', '空气质', '养老', '学校名', rare[0]!.slice(0, 2), rare[1]!.slice(0, 1)])
    q.push({ cls: 'suggest', kind: 'suggest', params: { q: w }, as: 'anon' });
  return q;
}

export async function run(): Promise<void> {
  const count = Number(process.env.SEARCH_BENCH_COUNT ?? 400_000);
  const rounds = Number(process.env.SEARCH_BENCH_ROUNDS ?? 10);
  const seed = 20240401;
  const server = await benchServer();
  console.log(`database server: ${new URL(server.url).host}; ${os.cpus().length} CPUs; ${count} resources; ${rounds} rounds per query`);
  const platform = await startTestPlatform({ rateLimit: 1_000_000_000, logLevel: 'silent' });
  // The raw path runs as the application's role too (set at connection start, like the platform's SET ROLE).
  const pool = new pg.Pool({ connectionString: platform.testDb.url, max: 10, options: `-c role=${APP_ROLE}` });
  pool.on('error', () => undefined);
  const compiler = new Kysely<any>({ dialect: new PostgresDialect({ pool }) });
  let agentRef: http.Agent | undefined;
  try {
    // ---- load
    const owner = new pg.Client({ connectionString: platform.testDb.url });
    await owner.connect();
    let orgs: GenOrg[];
    try {
      const t0 = performance.now();
      const r = await loadCatalog(owner, { count, seed, log: (m) => console.log(m) });
      console.log(
        `loaded ${r.count} resources and ${r.fields} fields in ${(r.totalMs / 1000).toFixed(1)} s ` +
          `(generate + tokenize ${(r.generateMs / 1000).toFixed(1)} s overlapped with INSERT; GIN index + ANALYZE ${(r.indexMs / 1000).toFixed(1)} s)`,
      );
      await owner.query('vacuum analyze catalog_resources');
      const { rows } = await owner.query(
        `select pg_size_pretty(pg_relation_size('catalog_resources')) as heap, pg_size_pretty(pg_relation_size('catalog_resources_search_idx')) as gin,
                (select count(*) from catalog_resources)::int as n`,
      );
      console.log(
        `catalog_resources: ${rows[0].n} rows, heap ${rows[0].heap}, GIN ${rows[0].gin}; load phase ${((performance.now() - t0) / 1000).toFixed(0)} s`,
      );
      orgs = (
        await owner.query<GenOrg>(
          `select id, code, name_zh as "nameZh" from organizations where kind in ('department', 'unit') and status = 'active' order by code`,
        )
      ).rows;
    } finally {
      await owner.end();
    }

    // ---- actors and clients
    const clerkClient = new TestClient(platform.url);
    await clerkClient.login('provider', DEMO_PASSWORD);
    const me = await clerkClient.get('/api/auth/me');
    const clerkActor: Actor = {
      kind: 'user',
      userId: me.body.id ?? null,
      username: 'provider',
      displayName: null,
      orgId: me.body.org?.id ?? null,
      orgPath: [],
      roles: ['provider_clerk'],
    };
    if (!clerkActor.orgId) throw new Error(`cannot read the clerk's organization from /api/auth/me: ${me.text.slice(0, 300)}`);
    const actors = { anon: ANONYMOUS, clerk: clerkActor };

    const who = await pool.query<{ u: string }>('select current_user as u');
    if (who.rows[0]?.u !== APP_ROLE) throw new Error(`raw path runs as ${who.rows[0]?.u}, not ${APP_ROLE}`);
    const mix = queryMix(seed, count, orgs);

    // ---- the same SQL, compiled once per query (outside the timing), as the service would run it
    type Raw = () => Promise<unknown>;
    const run = (q: CompiledQuery) => pool.query(q.sql, q.parameters as unknown[]);
    const compile = (b: RawBuilder<unknown>) => b.compile(compiler);
    async function rawFor(b: BenchQuery): Promise<Raw> {
      const svc = platform.ctx.search;
      if (b.kind === 'suggest') {
        const tsq = tsqueryLiteral(queryWords(b.params.q ?? ''), true);
        if (!tsq) return async () => undefined;
        const c = compile(suggestQuery(tsq, visibleSql(await catalogVisibility(platform.ctx.authz, actors[b.as])), 10));
        return () => run(c);
      }
      const prep = await svc.prepare(actors[b.as], b.params);
      const items = compile(itemsQuery(prep.spec));
      if (!prep.facets) {
        const cnt = compile(countQuery(prep.spec));
        return () => Promise.all([run(items), run(cnt)]);
      }
      const grouped = compile(facetCountsQuery(prep.spec));
      const keywords = compile(keywordFacetQuery(prep.spec));
      return () => Promise.all([run(items), run(grouped), run(keywords)]);
    }
    // HTTP client: node:http with a keep-alive agent (a browser keeps its connection too; fetch/undici would add
    // client-side overhead that is not the platform's).
    const agent = (agentRef = new http.Agent({ keepAlive: true, maxSockets: 1 }));
    const base = new URL(platform.url);
    const cookieOf = (c: TestClient) => [...c.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    const headersOf = { anon: { 'accept-language': 'zh-CN' }, clerk: { 'accept-language': 'zh-CN', cookie: cookieOf(clerkClient) } };
    const httpGet = (path: string, headers: Record<string, string>) =>
      new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = http.request({ host: base.hostname, port: base.port, path, agent, headers }, (res) => {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (d: string) => (body += d));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        });
        req.on('error', reject);
        req.end();
      });
    // Timed: until the last byte of a 200 answer (what the platform controls). Parsing the JSON is the
    // client's work and happens in the warm-up only, where the result sizes are read.
    function apiFor(b: BenchQuery): () => Promise<string> {
      const qs = new URLSearchParams(Object.entries(b.params).map(([k, v]) => [k, String(v)]));
      const url = b.kind === 'suggest' ? `/api/search/suggest?${qs}` : `/api/search/resources?${qs}`;
      const headers = headersOf[b.as];
      return async () => {
        const r = await httpGet(url, headers);
        if (r.status !== 200) throw new Error(`${url}: ${r.status} ${r.body.slice(0, 300)}`);
        return r.body;
      };
    }
    const prepared = await Promise.all(mix.map(async (b) => ({ b, raw: await rawFor(b), api: apiFor(b) })));

    // ---- warm-up (caches, JIT, plans), and result sizes
    const totals = new Map<string, number[]>();
    for (const x of prepared) {
      await x.raw();
      const body = JSON.parse(await x.api()) as { total?: number };
      if (typeof body.total === 'number') (totals.get(x.b.cls) ?? totals.set(x.b.cls, []).get(x.b.cls)!).push(body.total);
    }

    // ---- measure: every round runs the whole mix, API and raw interleaved (order alternates per round)
    const samples = new Map<string, { api: number[]; raw: number[] }>();
    const t0 = performance.now();
    for (let round = 0; round < rounds; round++) {
      for (const x of prepared) {
        // Common words cost hundreds of milliseconds each: every other round is enough to keep the run short.
        if (x.b.cls.startsWith('common') && round % 2 === 1) continue;
        const s = samples.get(x.b.cls) ?? samples.set(x.b.cls, { api: [], raw: [] }).get(x.b.cls)!;
        const order = round % 2 === 0 ? (['api', 'raw'] as const) : (['raw', 'api'] as const);
        for (const which of order) {
          const a = performance.now();
          await x[which]();
          s[which].push(performance.now() - a);
        }
      }
    }
    console.log(
      `measured ${prepared.length} queries × ${rounds} rounds (common words ${Math.ceil(rounds / 2)}) × 2 paths in ${((performance.now() - t0) / 1000).toFixed(0)} s; ` +
        `load average ${os
          .loadavg()
          .map((l) => l.toFixed(1))
          .join(' / ')} (other processes share the CPUs)\n`,
    );

    console.log(
      `${'query class'.padEnd(20)} ${'n'.padStart(4)} ${'hits (median)'.padStart(13)}   raw p50   raw p95   API p50   API p95   ratio p50  ratio p95`,
    );
    const allApi: number[] = [];
    const allRaw: number[] = [];
    for (const [cls, s] of samples) {
      const hits = totals.get(cls);
      const r50 = pct(s.raw, 50);
      const r95 = pct(s.raw, 95);
      const a50 = pct(s.api, 50);
      const a95 = pct(s.api, 95);
      allApi.push(...s.api);
      allRaw.push(...s.raw);
      console.log(
        `${cls.padEnd(20)} ${String(s.api.length).padStart(4)} ${(hits ? String(pct(hits, 50)) : '—').padStart(13)}  ${ms(r50)}   ${ms(r95)}   ${ms(a50)}   ${ms(a95)}     ${(a50 / r50).toFixed(2)}×     ${(a95 / r95).toFixed(2)}×`,
      );
    }
    const ratio50 = pct(allApi, 50) / pct(allRaw, 50);
    const ratio95 = pct(allApi, 95) / pct(allRaw, 95);
    console.log(
      `${'all'.padEnd(20)} ${String(allApi.length).padStart(4)} ${''.padStart(13)}  ${ms(pct(allRaw, 50))}   ${ms(pct(allRaw, 95))}   ${ms(pct(allApi, 50))}   ${ms(pct(allApi, 95))}     ${ratio50.toFixed(2)}×     ${ratio95.toFixed(2)}×`,
    );
    const rareApi = [
      ...(samples.get('rare word')?.api ?? []),
      ...(samples.get('rare + filters')?.api ?? []),
      ...(samples.get('rare, no facets')?.api ?? []),
    ];
    const rare95 = pct(rareApi, 95);
    console.log(
      `\nAPI/raw (all queries): p50 ${ratio50.toFixed(2)}×, p95 ${ratio95.toFixed(2)}× (target ≤ 1.5×) ${Math.max(ratio50, ratio95) <= 1.5 ? 'OK' : 'ABOVE TARGET'}`,
    );
    console.log(
      `rare-word API p95 (with and without filters/facets): ${rare95.toFixed(1)} ms (target ≤ 30 ms) ${rare95 <= 30 ? 'OK' : 'ABOVE TARGET'}`,
    );
    const common = samples.get('common word');
    if (common) console.log(`common-word API p50 / p95: ${pct(common.api, 50).toFixed(1)} / ${pct(common.api, 95).toFixed(1)} ms`);

    const profileDir = process.env.BENCH_PROFILE;
    if (profileDir) {
      const rareOnly = prepared.filter((x) => x.b.cls.startsWith('rare'));
      const profiler = new Session();
      profiler.connect();
      await profiler.post('Profiler.enable');
      await profiler.post('Profiler.start');
      for (let i = 0; i < 20; i++) for (const x of rareOnly) await x.api();
      const { profile } = await profiler.post('Profiler.stop');
      profiler.disconnect();
      await fs.mkdir(profileDir, { recursive: true });
      await fs.writeFile(path.join(profileDir, 'search-rare.cpuprofile'), JSON.stringify(profile));
      console.log(`profile: ${path.join(profileDir, 'search-rare.cpuprofile')} (${rareOnly.length} rare-word API queries × 20)`);
    }
  } finally {
    await compiler.destroy().catch(() => undefined); // ends the pool
    agentRef?.destroy();
    await platform.close();
    await server.stop();
  }
}
