// The public portal's server side (issue 7 §1, §5): dataset pages served with their title, description,
// canonical link and schema.org JSON-LD (metadata cannot break out of the script), sitemap.xml and robots.txt,
// the portal's public lists, self-registration of the public with developer keys, application tokens that raise
// the anonymous rate limit, and 429 with Retry-After for anonymous floods.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { resourceIdByName, startTestPlatform, type TestClient, type TestPlatform, type TestResponse } from '../../../test/helpers.ts';
import { DEMO_PASSWORD } from '../identity/service.ts';
import { datasetJsonLd, injectHead, sitemapIndex, urlset } from './seo.ts';
import { PortalWebService } from './service.ts';
import { REGISTRATIONS_PER_HOUR } from './routes.ts';
import { PUBLIC_READ_PATH } from './apptoken.ts';

let p: TestPlatform;
let anon: TestClient;

/** The JSON-LD blocks of a page, parsed. */
function jsonLd(html: string): Array<Record<string, any>> {
  return [...html.matchAll(/<script type="application\/ld\+json">([\s\S]*?)<\/script>/g)].map((m) => JSON.parse(m[1]!));
}
const meta = (html: string, name: string) => html.match(new RegExp(`<meta name="${name}" content="([^"]*)"`))?.[1];

before(async () => {
  p = await startTestPlatform({}, { jobs: false });
  anon = p.client();
});
after(() => p?.close());

describe('dataset pages for search engines', () => {
  it('GET /data/datasets/<code> is the app page with title, description, canonical link and a schema.org Dataset whose downloads work anonymously', async () => {
    const r = await anon.get('/data/datasets/FR-MZ-00002', { accept: 'text/html' });
    assert.equal(r.status, 200, r.text);
    assert.match(r.headers.get('content-type')!, /text\/html/);
    assert.match(r.text, /<title>养老机构信息 \(Elderly care institutions\) - [^<]+<\/title>/);
    assert.match(meta(r.text, 'description')!, /^示范市民政局在依法履职过程中产生和维护的养老机构信息/);
    assert.match(r.text, new RegExp(`<link rel="canonical" href="${p.url}/data/datasets/FR-MZ-00002" />`));
    assert.match(r.text, /<div id="root"><\/div>/, 'the SPA still mounts');
    const [ld] = jsonLd(r.text);
    assert.equal(ld!['@type'], 'Dataset');
    assert.equal(ld!.identifier, 'FR-MZ-00002');
    assert.equal(ld!.name, '养老机构信息');
    assert.equal(ld!.url, `${p.url}/data/datasets/FR-MZ-00002`);
    assert.ok(ld!.keywords.includes('养老机构'));
    assert.equal(ld!.publisher.name, '示范市民政局');
    assert.equal(ld!.isAccessibleForFree, true);
    assert.equal(ld!.inLanguage, 'zh-CN');
    assert.ok(ld!.dateModified);
    assert.deepEqual(
      ld!.distribution.map((d: { encodingFormat: string }) => d.encodingFormat),
      [
        'text/csv',
        'application/json',
        'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
        'application/vnd.apache.parquet',
      ],
    );
    // The CSV distribution is what an anonymous citizen downloads: through the gate, masked, in the ledger.
    const csvUrl = new URL(ld!.distribution[0].contentUrl);
    const before = Number(
      (await sql<{ n: string }>`select count(*) as n from ledger_entries where action = 'dataset.read'`.execute(p.ctx.db)).rows[0]!.n,
    );
    const csv = await anon.get(csvUrl.pathname + csvUrl.search);
    assert.equal(csv.status, 200, csv.text);
    const lines = csv.text
      .replace(/^\uFEFF/, '')
      .trim()
      .split(/\r?\n/);
    assert.equal(lines[0], '统一社会信用代码,单位名称,地址,床位数,联系电话');
    assert.equal(lines.length, 241);
    for (const l of lines.slice(1)) assert.match(l.split(',').at(-1)!, /^1\d{2}\*{4}\d{4}$/, 'phones masked for the public');
    const afterCount = Number(
      (await sql<{ n: string }>`select count(*) as n from ledger_entries where action = 'dataset.read'`.execute(p.ctx.db)).rows[0]!.n,
    );
    assert.equal(afterCount, before + 1, 'the anonymous download is in the ledger');
  });

  it('the resource id redirects to the code URL; an unknown or non-public dataset is a 404 page that is not indexed', async () => {
    const admin = p.client();
    await admin.login('admin', DEMO_PASSWORD);
    const id = await resourceIdByName(anon, '养老机构信息');
    const r = await anon.get(`/data/datasets/${id}`, { accept: 'text/html' });
    assert.equal(r.status, 301);
    assert.equal(r.headers.get('location'), '/data/datasets/FR-MZ-00002');
    const missing = await anon.get('/data/datasets/NO-SUCH-1', { accept: 'text/html' });
    assert.equal(missing.status, 404);
    assert.equal(meta(missing.text, 'robots'), 'noindex');
    assert.equal(jsonLd(missing.text).length, 0);
    // A resource not opened to the public: its metadata is not in the page either.
    const closed = (
      await sql<{ code: string }>`select code from catalog_resources where open_mode = 'none' and status = 'published' limit 1`.execute(
        p.ctx.db,
      )
    ).rows[0]!;
    const c = await anon.get(`/data/datasets/${closed.code}`, { accept: 'text/html' });
    assert.equal(c.status, 404);
  });

  it('a conditionally open dataset shows its metadata but offers no download (conditions of access instead)', async () => {
    const r = await anon.get('/data/datasets/DZZZ-WJ-00001', { accept: 'text/html' });
    assert.equal(r.status, 200);
    const [ld] = jsonLd(r.text);
    assert.equal(ld!.name, '医师执业注册信息');
    assert.equal(ld!.distribution, undefined);
    assert.match(ld!.conditionsOfAccess, /有条件开放/);
  });

  it('metadata with </script>, <!-- and & cannot break out of the JSON-LD nor the head', async () => {
    const evil = '养老</script><script>alert(1)</script><!-- & "quoted" \u2028';
    await sql`update catalog_resources set abstract_zh = ${evil}, name_zh = ${'殡葬</title><script>alert(2)</script>'} where code = 'FR-MZ-00003'`.execute(
      p.ctx.db,
    );
    const r = await anon.get('/data/datasets/FR-MZ-00003', { accept: 'text/html' });
    assert.equal(r.status, 200);
    assert.ok(!r.text.includes('<script>alert'), 'no injected script element');
    // Every script element is either the JSON-LD block or the app's own (a src, no body): nothing injected.
    const scripts = [...r.text.matchAll(/<script([^>]*)>([\s\S]*?)<\/script>/g)];
    assert.equal(scripts.filter((m) => m[1]!.includes('application/ld+json')).length, 1);
    for (const m of scripts.filter((x) => !x[1]!.includes('application/ld+json'))) assert.ok(/ src="/.test(m[1]!) && m[2] === '', m[0]);
    assert.equal((r.text.match(/<script/g) ?? []).length, scripts.length, 'no script opens without closing');
    assert.ok(!r.text.includes('</title><script>'));
    const [ld] = jsonLd(r.text);
    assert.equal(ld!.description, evil, 'the JSON reads back exactly');
    assert.equal(ld!.name, '殡葬</title><script>alert(2)</script>');
    assert.match(meta(r.text, 'description')!, /^养老&lt;\/script&gt;&lt;script&gt;alert\(1\)/);
  });

  it('the home, department and topic pages have their own head; unknown ones are 404', async () => {
    const home = await anon.get('/data', { accept: 'text/html' });
    assert.equal(home.status, 200);
    assert.equal(jsonLd(home.text)[0]!['@type'], 'DataCatalog');
    assert.match(home.text, new RegExp(`<link rel="canonical" href="${p.url}/data" />`));
    const dep = await anon.get('/data/departments/MZ', { accept: 'text/html' });
    assert.equal(dep.status, 200);
    assert.match(dep.text, /<title>示范市民政局 开放数据 - /);
    assert.equal(jsonLd(dep.text)[0]!['@type'], 'GovernmentOrganization');
    const topic = await anon.get('/data/topics/FR', { accept: 'text/html' });
    assert.equal(topic.status, 200);
    assert.match(topic.text, /<title>法人基础库 主题数据 - /);
    assert.equal((await anon.get('/data/departments/NOPE', { accept: 'text/html' })).status, 404);
    assert.equal((await anon.get('/data/topics/NOPE', { accept: 'text/html' })).status, 404);
    const other = await anon.get('/data/search?q=x', { accept: 'text/html' });
    assert.equal(other.status, 200);
    assert.match(other.text, new RegExp(`<link rel="canonical" href="${p.url}/data/search" />`));
  });

  it('the unit functions: the title is replaced, the head gets the tags, the JSON escapes < > &', () => {
    const html = injectHead('<html lang="zh-CN"><head><title>x</title></head><body></body></html>', {
      title: 'a<b',
      description: 'd"e',
      canonical: 'https://example.org/data',
      lang: 'en',
      jsonLd: { s: '</script>&' },
    });
    assert.match(html, /^<html lang="en">/);
    assert.match(html, /<title>a&lt;b<\/title>/);
    assert.match(html, /content="d&quot;e"/);
    assert.match(html, /\{"s":"\\u003c\/script\\u003e\\u0026"\}/);
    const ld = datasetJsonLd({
      base: 'https://example.org',
      platformName: 'P',
      code: 'A-1',
      nameZh: 'n',
      nameEn: '',
      abstractZh: '',
      abstractEn: '',
      keywords: [],
      license: 'CC-BY-4.0',
      org: { code: 'O', nameZh: 'o', nameEn: '' },
      updatedAt: '2026-01-01T00:00:00.000Z',
      releaseDate: null,
      openMode: 'unconditional',
      updateFrequency: 'monthly',
      datasetId: null,
    });
    assert.equal(ld.license, 'CC-BY-4.0');
    assert.equal(ld.description, 'n', 'falls back to the name');
    assert.equal(ld.distribution, undefined, 'no data yet: no distribution');
  });
});

describe('sitemap.xml, robots.txt and the portal lists', () => {
  it('the sitemap lists the home, every department and topic and every public dataset, and nothing else', async () => {
    const r = await anon.get('/sitemap.xml');
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type')!, /application\/xml/);
    const locs = [...r.text.matchAll(/<loc>([^<]+)<\/loc>/g)].map((m) => m[1]!);
    assert.ok(locs.includes(`${p.url}/data`));
    assert.ok(locs.includes(`${p.url}/data/datasets/FR-MZ-00002`));
    assert.ok(locs.includes(`${p.url}/data/departments/MZ`));
    assert.ok(locs.includes(`${p.url}/data/topics/FR`));
    const publicCount = (await anon.get('/api/search/resources?pageSize=1&facets=false')).body.total;
    assert.equal(locs.filter((l) => l.includes('/data/datasets/')).length, publicCount);
    const closed = (await sql<{ code: string }>`select code from catalog_resources where open_mode = 'none' limit 1`.execute(p.ctx.db))
      .rows[0]!;
    assert.ok(!locs.some((l) => l.endsWith(`/${closed.code}`)), 'a dataset not opened is not listed');
    assert.match(r.text, /<lastmod>\d{4}-\d{2}-\d{2}<\/lastmod>/);
  });

  it('above 50,000 URLs the sitemap is an index of parts', () => {
    assert.equal(PortalWebService.sitemapParts(50_000), 1);
    assert.equal(PortalWebService.sitemapParts(50_001), 2);
    const idx = sitemapIndex('https://x.org', 3);
    assert.match(idx, /<sitemapindex xmlns="http:\/\/www.sitemaps.org\/schemas\/sitemap\/0.9">/);
    assert.deepEqual(
      [...idx.matchAll(/<loc>([^<]+)<\/loc>/g)].map((m) => m[1]),
      [1, 2, 3].map((n) => `https://x.org/sitemap-${n}.xml`),
    );
    assert.match(urlset([{ loc: 'https://x.org/a?b&c' }]), /<loc>https:\/\/x.org\/a\?b&amp;c<\/loc>/);
  });

  it('robots.txt points at the sitemap and keeps crawlers out of the API', async () => {
    const r = await anon.get('/robots.txt');
    assert.equal(r.status, 200);
    assert.match(r.text, new RegExp(`Sitemap: ${p.url}/sitemap.xml`));
    assert.match(r.text, /Disallow: \/api\//);
    const part = await anon.get('/sitemap-1.xml');
    assert.equal(part.status, 200, 'part 1 always exists');
    assert.equal((await anon.get('/sitemap-9.xml')).status, 404);
  });

  it('stats, departments and topics are public and agree with the search', async () => {
    const stats = await anon.get('/api/portal/stats');
    assert.equal(stats.status, 200, stats.text);
    const total = (await anon.get('/api/search/resources?pageSize=1')).body;
    assert.equal(stats.body.datasets, total.total);
    assert.ok(stats.body.rows >= 240);
    const deps = await anon.get('/api/portal/departments');
    assert.equal(deps.body.items.length, stats.body.departments);
    const mz = deps.body.items.find((d: { code: string }) => d.code === 'MZ');
    assert.equal(mz.nameZh, '示范市民政局');
    assert.equal(mz.datasets, total.facets.org.find((f: { value: string }) => f.value === mz.id).count);
    assert.equal((await anon.get('/api/portal/departments/MZ')).body.id, mz.id);
    assert.equal((await anon.get('/api/portal/departments/NOPE')).body.error.code, 'PORTAL_DEPARTMENT_NOT_FOUND');
    const topics = await anon.get('/api/portal/topics');
    assert.ok(topics.body.items.some((t: { code: string; datasets: number }) => t.code === 'FR' && t.datasets > 0));
    const byCode = await anon.get('/api/portal/resources/by-code/FR-MZ-00002');
    assert.equal(byCode.body.id, await resourceIdByName(anon, '养老机构信息'));
    assert.ok(byCode.body.datasetId);
    assert.equal((await anon.get('/api/portal/resources/by-code/NOPE')).status, 404);
  });
  it('the search has a license facet and filter (added to the catalog search for the portal)', async () => {
    const all = (await anon.get('/api/search/resources?pageSize=1')).body;
    const cc = all.facets.license.find((f: { value: string }) => f.value === 'CC BY 4.0');
    assert.ok(cc && cc.count > 0, JSON.stringify(all.facets.license));
    const r = (await anon.get(`/api/search/resources?pageSize=100&license=${encodeURIComponent('CC BY 4.0')}`)).body;
    assert.equal(r.total, cc.count);
    for (const it of r.items) assert.equal((await anon.get(`/api/catalog/resources/${it.id}`)).body.license, 'CC BY 4.0');
    // Disjunctive like every facet: the license counts ignore the license filter itself.
    assert.deepEqual(r.facets.license, all.facets.license);
    assert.equal(
      all.facets.license.some((f: { value: string }) => f.value === ''),
      false,
      'no empty license value',
    );
  });
});

describe('registration of the public and developer keys', () => {
  it('a citizen registers, logs in as a public user of the PUBLIC organization and creates a developer key', async () => {
    const c = p.client();
    const r = await c.post('/api/auth/register', { username: 'zhang.san', displayName: '张三', password: 'Kaifang#2026x' });
    assert.equal(r.status, 201, r.text);
    await c.login('zhang.san', 'Kaifang#2026x');
    const me = (await c.get('/api/auth/me')).body;
    assert.deepEqual(me.roles, ['public_user']);
    assert.equal(me.org.code, 'PUBLIC');
    const key = await c.post('/api/api-keys', { name: '我的应用' });
    assert.equal(key.status, 201, key.text);
    assert.ok(key.body.appKey);
    const entry = (
      await sql<{
        details: { username: string; roles: string[] };
      }>`select details from ledger_entries where action = 'user.create' and object_id = ${r.body.id}`.execute(p.ctx.db)
    ).rows[0];
    assert.deepEqual(entry?.details.roles, ['public_user'], 'the registration is in the ledger');
    const again = await c.post('/api/auth/register', { username: 'li.si', password: 'Kaifang#2026x' });
    assert.equal(again.status, 409);
    assert.equal(again.body.error.code, 'REGISTER_SIGNED_IN');
  });

  it('bad input: weak password, reserved or malformed username, a taken one — each a clear error, nobody created', async () => {
    const c = p.client();
    const users = async () => Number((await sql<{ n: string }>`select count(*) as n from users`.execute(p.ctx.db)).rows[0]!.n);
    const n0 = await users();
    const weak = await c.post('/api/auth/register', { username: 'wang.wu', password: 'password' });
    assert.equal(weak.status, 400);
    assert.equal(weak.body.error.code, 'PASSWORD_POLICY');
    for (const username of ['admin', 'ab', '-x-y', '<script>', '王五']) {
      const r = await c.post('/api/auth/register', { username, password: 'Kaifang#2026x' });
      assert.equal(r.status, 400, username);
      assert.equal(r.body.error.code, 'REGISTER_USERNAME_INVALID');
      assert.equal(r.body.error.details.field, 'username');
    }
    const taken = await c.post('/api/auth/register', { username: 'zhang.san', password: 'Kaifang#2026x' });
    assert.equal(taken.status, 409);
    assert.equal(taken.body.error.code, 'USERNAME_TAKEN');
    assert.equal(await users(), n0);
  });

  it(`at most ${REGISTRATIONS_PER_HOUR} registrations per address and hour: then 429 with Retry-After`, async () => {
    const c = p.client();
    let limited: TestResponse | null = null;
    for (let i = 0; i < REGISTRATIONS_PER_HOUR + 2 && !limited; i++) {
      const r = await c.post('/api/auth/register', { username: `flood${i}`, password: 'Kaifang#2026x' });
      if (r.status === 429) limited = r;
    }
    assert.ok(limited, 'the flood is refused');
    assert.equal(limited.body.error.code, 'RATE_LIMITED');
    assert.ok(Number(limited.headers.get('retry-after')) > 0);
  });
});

describe('application tokens and anonymous floods', () => {
  let q: TestPlatform;
  let appKey: string;
  let keyId: string;
  let dev: TestClient;
  let homes: string;
  before(async () => {
    q = await startTestPlatform({ anonRateLimit: 5, appTokenRateLimit: 40 }, { jobs: false });
    dev = q.client();
    await dev.login('public', DEMO_PASSWORD);
    const k = await dev.post('/api/api-keys', { name: 'app' });
    appKey = k.body.appKey;
    keyId = k.body.id;
    homes = (await dev.get('/api/portal/resources/by-code/FR-MZ-00002')).body.datasetId;
  });
  after(() => q?.close());

  it('an anonymous flood of the public read API gets 429 with Retry-After and the error body; an app token lifts the limit; signed-in users are not counted as anonymous', async () => {
    const c = q.client();
    const url = `/resource/${homes}.json?$limit=1`;
    const statuses: number[] = [];
    let limited: TestResponse | null = null;
    for (let i = 0; i < 8; i++) {
      const r = await c.get(url);
      statuses.push(r.status);
      if (r.status === 429) limited ??= r;
    }
    assert.deepEqual(statuses.slice(0, 5), [200, 200, 200, 200, 200]);
    assert.ok(limited, `flood refused: ${statuses}`);
    assert.equal(limited.body.error.code, 'RATE_LIMITED');
    assert.ok(Number(limited.headers.get('retry-after')) >= 1);
    // Same address, with the developer's application token: served.
    for (let i = 0; i < 10; i++) {
      const r = await c.get(url, { 'x-app-token': appKey });
      assert.equal(r.status, 200, r.text);
    }
    // A signed-in user is not limited as anonymous either.
    assert.equal((await dev.get(url)).status, 200);
    // Search and preview are public read APIs too.
    assert.equal((await c.get('/api/search/resources?q=养老')).status, 429);
    assert.equal((await c.get('/api/search/resources?q=养老', { 'x-app-token': appKey })).status, 200);
  });

  it('the public read APIs the anonymous limit applies to', () => {
    const id = '0b8d1c4e-1111-4222-8333-944455556666';
    for (const u of [
      `/resource/${id}.json?$limit=1`,
      `/api/datasets/${id}/download?format=csv`,
      `/api/datasets/${id}/preview`,
      `/api/datasets/${id}/query`,
      '/api/search/resources?q=x',
      '/api/search/suggest?q=x',
      '/api/3/action/package_search?q=x',
      '/catalog',
      '/catalog.jsonld',
      '/catalog.ttl?page=2',
    ])
      assert.ok(PUBLIC_READ_PATH.test(u), u);
    for (const u of [
      `/api/datasets/${id}/versions`,
      `/api/datasets/${id}`,
      '/api/catalog/resources',
      '/catalogue',
      '/data/search',
      '/api/auth/login',
    ])
      assert.ok(!PUBLIC_READ_PATH.test(u), u);
  });

  it('an unknown or revoked app token is 403 APP_TOKEN_INVALID, not silently anonymous', async () => {
    const c = q.client();
    const bad = await c.get(`/resource/${homes}.json?$limit=1`, { 'x-app-token': 'not-a-token' });
    assert.equal(bad.status, 403);
    assert.equal(bad.body.error.code, 'APP_TOKEN_INVALID');
    assert.equal((await dev.delete(`/api/api-keys/${keyId}`)).status, 204);
    await new Promise((r) => setTimeout(r, 600)); // the key cache's TTL
    const revoked = await c.get(`/api/search/resources?q=x`, { 'x-app-token': appKey });
    assert.equal(revoked.status, 403);
    assert.equal(revoked.body.error.code, 'APP_TOKEN_INVALID');
  });
});
