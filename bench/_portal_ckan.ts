// CKAN package_search with facets on a large catalog vs the catalog's own search endpoint, in the same run
// (issue 7, performance: "package_search with facets on 400k datasets: p95 ≤ 1.5× the catalog's own search").
//
// 1. A platform starts on a fresh database (demo world seeded); bench/gen-catalog.ts loads CKAN_BENCH_COUNT
//    synthetic resources (default 400,000; deterministic seed) with their search tokens, as bench/search.ts does.
// 2. A fixed mix of anonymous queries — common words, rare words, two words, words with filters — runs through
//    GET /api/3/action/package_search (rows=20, facet.field = organization, groups, tags, res_format; filters as fq)
//    and GET /api/search/resources (pageSize=20, facets on; the same filters), alternating which goes first each
//    round, over one keep-alive connection each. Browsing without words is left out: the catalog's endpoint caches
//    those facet counts for 15 s, which would compare a cache hit with a computation.
// 3. Reports p50/p95 of both per query class and overall, and the ratios. Target: p95 ≤ 1.5×.
// Knobs: CKAN_BENCH_COUNT (400000), CKAN_BENCH_ROUNDS (6).
import http from 'node:http';
import os from 'node:os';
import pg from 'pg';
import { startTestPlatform } from '../test/helpers.ts';
import { benchServer } from './_server.ts';
import { generateResources, loadCatalog, type GenOrg } from './gen-catalog.ts';

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))] ?? NaN;
};
const ms = (x: number) => (x < 10 ? x.toFixed(2) : x.toFixed(1)).padStart(7);

interface Query {
  cls: string;
  q: string;
  /** Search-module filters (catalog endpoint) and the same as CKAN fq terms. */
  filters?: { org?: GenOrg; category?: string; format?: string };
}

function mix(seed: number, count: number, orgs: GenOrg[]): Query[] {
  const out: Query[] = [];
  const rare: string[] = [];
  for (let k = 0; rare.length < 12 && k < 1000; k++) {
    const i = Math.floor(((k * 7919 + 13) % 1000) * (count / 1000));
    const [r] = [...generateResources(seed, i, i + 1, orgs)];
    const w = /内容涉及(.+?)等方面/.exec(r!.abstractZh)?.[1]?.split('、').at(-1);
    if (w && !rare.includes(w)) rare.push(w);
  }
  for (const w of ['交通', '医疗', '企业', '监测']) out.push({ cls: 'common word', q: w });
  for (const w of rare) out.push({ cls: 'rare word', q: w });
  for (const [a, b] of [
    ['西湖区', '公交线路'],
    ['滨江区', '企业登记'],
    ['萧山区', '空气质量'],
    ['余杭区', '不动产登记'],
  ])
    out.push({ cls: 'two words', q: `${a} ${b}` });
  out.push({ cls: 'words + filters', q: '交通', filters: { format: 'csv' } });
  out.push({ cls: 'words + filters', q: '登记', filters: { org: orgs[3]! } });
  out.push({ cls: 'words + filters', q: '监测', filters: { category: 'STHJ' } });
  for (const w of rare.slice(0, 6)) out.push({ cls: 'words + filters', q: w, filters: { format: 'csv' } });
  return out;
}

export async function measurePackageSearch(): Promise<void> {
  const count = Number(process.env.CKAN_BENCH_COUNT ?? 400_000);
  const rounds = Number(process.env.CKAN_BENCH_ROUNDS ?? 6);
  const seed = 20240401;
  const server = await benchServer();
  const platform = await startTestPlatform({ rateLimit: 1_000_000_000, logLevel: 'silent' });
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  try {
    const owner = new pg.Client({ connectionString: platform.testDb.url });
    await owner.connect();
    let orgs: GenOrg[];
    try {
      const r = await loadCatalog(owner, { count, seed, log: (m) => console.log(m) });
      console.log(`CKAN bench: loaded ${r.count} resources in ${(r.totalMs / 1000).toFixed(1)} s`);
      await owner.query('vacuum analyze catalog_resources');
      orgs = (
        await owner.query<GenOrg>(
          `select id, code, name_zh as "nameZh" from organizations where kind in ('department', 'unit') and status = 'active' order by code`,
        )
      ).rows;
    } finally {
      await owner.end();
    }
    const base = new URL(platform.url);
    const httpGet = (path: string) =>
      new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = http.request({ host: base.hostname, port: base.port, path, agent, headers: { 'accept-language': 'zh-CN' } }, (res) => {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (d: string) => (body += d));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        });
        req.on('error', reject);
        req.end();
      });
    const facetField = JSON.stringify(['organization', 'groups', 'tags', 'res_format']);
    const prepared = mix(seed, count, orgs).map((x) => {
      const f = x.filters ?? {};
      const sp = new URLSearchParams({ q: x.q, pageSize: '20' });
      if (f.org) sp.set('org', f.org.id);
      if (f.category) sp.set('category', f.category);
      if (f.format) sp.set('format', f.format);
      const fq = [
        f.org ? `organization:${f.org.code.toLowerCase()}` : '',
        f.category ? `groups:${f.category.toLowerCase()}` : '',
        f.format ? `res_format:${f.format.toUpperCase()}` : '',
      ]
        .filter(Boolean)
        .join(' ');
      const cp = new URLSearchParams({ q: x.q, rows: '20', 'facet.field': facetField });
      if (fq) cp.set('fq', fq);
      return { x, search: `/api/search/resources?${sp}`, ckan: `/api/3/action/package_search?${cp}` };
    });
    // Warm-up, and a check that both answer the same count.
    for (const p of prepared) {
      const a = await httpGet(p.search);
      const b = await httpGet(p.ckan);
      if (a.status !== 200 || b.status !== 200) throw new Error(`${p.search}: ${a.status}; ${p.ckan}: ${b.status} ${b.body.slice(0, 300)}`);
      const ta = (JSON.parse(a.body) as { total: number }).total;
      const tb = (JSON.parse(b.body) as { result: { count: number } }).result.count;
      if (ta !== tb) throw new Error(`count differs for ${p.x.q}: search ${ta}, package_search ${tb}`);
    }
    const samples = new Map<string, { search: number[]; ckan: number[] }>();
    const t0 = performance.now();
    for (let round = 0; round < rounds; round++) {
      for (const p of prepared) {
        const s = samples.get(p.x.cls) ?? samples.set(p.x.cls, { search: [], ckan: [] }).get(p.x.cls)!;
        const order = round % 2 === 0 ? (['search', 'ckan'] as const) : (['ckan', 'search'] as const);
        for (const which of order) {
          const a = performance.now();
          const r = await httpGet(p[which]);
          if (r.status !== 200) throw new Error(`${p[which]}: ${r.status}`);
          s[which].push(performance.now() - a);
        }
      }
    }
    console.log(
      `CKAN package_search vs catalog search: ${count} resources, ${prepared.length} queries × ${rounds} rounds in ${((performance.now() - t0) / 1000).toFixed(0)} s; ` +
        `${os.cpus().length} CPUs, load ${os.loadavg()[0]!.toFixed(1)}`,
    );
    console.log(`${'query class'.padEnd(16)}    n  search p50  search p95    CKAN p50    CKAN p95   ratio p50  ratio p95`);
    const all = { search: [] as number[], ckan: [] as number[] };
    for (const [cls, s] of samples) {
      all.search.push(...s.search);
      all.ckan.push(...s.ckan);
      console.log(
        `${cls.padEnd(16)} ${String(s.ckan.length).padStart(4)}     ${ms(pct(s.search, 50))}     ${ms(pct(s.search, 95))}     ${ms(pct(s.ckan, 50))}     ${ms(pct(s.ckan, 95))}      ${(pct(s.ckan, 50) / pct(s.search, 50)).toFixed(2)}×     ${(pct(s.ckan, 95) / pct(s.search, 95)).toFixed(2)}×`,
      );
    }
    const r50 = pct(all.ckan, 50) / pct(all.search, 50);
    const r95 = pct(all.ckan, 95) / pct(all.search, 95);
    console.log(
      `${'all'.padEnd(16)} ${String(all.ckan.length).padStart(4)}     ${ms(pct(all.search, 50))}     ${ms(pct(all.search, 95))}     ${ms(pct(all.ckan, 50))}     ${ms(pct(all.ckan, 95))}      ${r50.toFixed(2)}×     ${r95.toFixed(2)}×`,
    );
    console.log(
      `package_search / catalog search: p50 ${r50.toFixed(2)}×, p95 ${r95.toFixed(2)}× (target p95 ≤ 1.5×) ${r95 <= 1.5 ? 'OK' : 'ABOVE TARGET'}`,
    );
  } finally {
    agent.destroy();
    await platform.close();
    await server.stop();
  }
}

// Run alone: node --import tsx bench/_portal_ckan.ts
if (import.meta.url === `file://${process.argv[1]}`) {
  measurePackageSearch().catch((e: unknown) => {
    console.error(e);
    process.exit(1);
  });
}
