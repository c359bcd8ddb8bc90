// API tests of the catalog search: Chinese (one character, several words) and English queries, filters with
// disjunctive facet counts, sort orders, pagination, highlighting (escaped), hostile input, visibility per
// role and organization, type-ahead suggestions, re-indexing on edits and in bulk.
//
// Every resource made here carries the word 珊瑚礁 (coral reef), which the demo catalog does not use, so the
// assertions do not depend on the demo data.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { startTestPlatform, type TestClient, type TestPlatform } from '../../../test/helpers.ts';
import { login, resourceBody } from '../catalog/testkit.ts';

let p: TestPlatform;
let provider: TestClient; // 市场监管局 SCJG clerk
let admin: TestClient;
let consumer: TestClient; // 人社局 RS clerk
let publicUser: TestClient;
let anon: TestClient;

const R: Record<string, { id: string; code: string; lockVersion: number }> = {};

const simpleFields = [
  { nameZh: '监测站点', nameEn: 'Station', code: 'jczd', dataType: 'string' },
  { nameZh: '监测时间', nameEn: 'Time', code: 'jcsj', dataType: 'datetime' },
];

async function create(key: string, over: Record<string, unknown>) {
  const r = await provider.post('/api/catalog/resources', resourceBody({ fields: simpleFields, ...over }));
  assert.equal(r.status, 201, r.text);
  R[key] = r.body;
}

async function publish(key: string) {
  const id = R[key]!.id;
  for (const [who, to] of [
    [provider, 'submitted'],
    [admin, 'approved'],
    [admin, 'published'],
  ] as const) {
    const r = await who.post(`/api/catalog/resources/${id}/transitions`, { to, comment: `to ${to}` });
    assert.equal(r.status, 200, r.text);
  }
}

async function search(c: TestClient, params: Record<string, string | number | boolean>) {
  const qs = new URLSearchParams(Object.entries(params).map(([k, v]) => [k, String(v)]));
  const r = await c.get(`/api/search/resources?${qs}`);
  assert.equal(r.status, 200, r.text);
  return r.body as {
    items: Array<{
      id: string;
      code: string;
      nameZh: string;
      highlight: { name: string; abstract: string };
      status: string;
      popularity: number;
      releaseDate: string | null;
      updatedAt: string;
      org: { id: string; nameZh: string };
    }>;
    total: number;
    page: number;
    pageSize: number;
    facets: Record<string, Array<{ value: string; label: string; count: number }>>;
  };
}

const ids = (res: { items: Array<{ id: string }> }) => new Set(res.items.map((i) => i.id));
const idOf = (...keys: string[]) => new Set(keys.map((k) => R[k]!.id));

before(async () => {
  p = await startTestPlatform();
  provider = await login(p, 'provider');
  admin = await login(p, 'admin');
  consumer = await login(p, 'consumer');
  publicUser = await login(p, 'public');
  anon = p.client();

  await create('monitor', {
    nameZh: '珊瑚礁生态监测数据',
    nameEn: 'Coral reef ecology monitoring',
    abstractZh: '近岸海域珊瑚礁覆盖率和水温的逐月监测结果。',
    keywords: ['珊瑚礁', '海洋生态'],
    subjectCategory: 'ZRKJ',
    domainCategory: 'STHJ',
    formats: ['csv'],
    updateFrequency: 'monthly',
    shareMode: 'unconditional',
    openMode: 'unconditional',
  });
  await create('bleach', {
    nameZh: '近海珊瑚礁白化调查',
    nameEn: 'Coral bleaching survey',
    abstractZh: '珊瑚礁白化事件的年度调查记录。',
    keywords: ['珊瑚礁', '白化'],
    formats: ['api', 'csv'],
    updateFrequency: 'yearly',
    openMode: 'conditional',
  });
  await create('script', {
    nameZh: '<script>alert(1)</script>珊瑚礁名录',
    nameEn: '',
    abstractZh: '名称里带有 <b>标签</b> & 符号的珊瑚礁名录。',
    keywords: ['珊瑚礁'],
    formats: ['xlsx'],
    updateFrequency: 'irregular',
    openMode: 'unconditional',
  });
  await create('draft', {
    nameZh: '珊瑚礁保护区规划草案',
    nameEn: 'Coral reef reserve plan (draft)',
    abstractZh: '尚未提交的珊瑚礁保护区规划资料。',
    keywords: ['珊瑚礁'],
  });
  await create('abstractOnly', {
    nameZh: '海洋牧场养殖名录',
    nameEn: 'Marine ranching registry',
    abstractZh: '海洋牧场的位置、面积和养殖品种，部分牧场毗邻珊瑚礁。',
    keywords: ['海洋牧场'],
    formats: ['csv'],
    updateFrequency: 'quarterly',
    openMode: 'unconditional',
  });
  await create('closed', {
    nameZh: '珊瑚礁统计',
    nameEn: 'Coral reef statistics',
    abstractZh: '珊瑚礁面积统计（不予开放）。',
    keywords: ['珊瑚礁'],
    formats: ['xlsx'],
    updateFrequency: 'yearly',
    openMode: 'none',
  });
  for (const k of ['monitor', 'bleach', 'script', 'abstractOnly', 'closed']) await publish(k);
});

after(async () => {
  await p?.close();
});

test('anonymous users search the open catalog in Chinese: one word, several words, one character', async () => {
  const all = await search(anon, { q: '珊瑚礁' });
  assert.deepEqual(ids(all), idOf('monitor', 'bleach', 'script', 'abstractOnly'));
  assert.equal(all.total, 4);

  const two = await search(anon, { q: '珊瑚礁 白化' });
  assert.deepEqual(ids(two), idOf('bleach'));
  // Words run together are split by jieba the same way.
  assert.deepEqual(ids(await search(anon, { q: '珊瑚礁白化' })), idOf('bleach'));

  // One character finds names that contain it (names also index their single characters).
  const one = await search(anon, { q: '礁' });
  for (const k of ['monitor', 'bleach', 'script']) assert.ok(ids(one).has(R[k]!.id), `礁 finds ${k}`);

  // The last word is a prefix (type-ahead): 海洋生 finds 海洋生态.
  assert.deepEqual(ids(await search(anon, { q: '海洋生' })), idOf('monitor'));

  // Words from the abstract and from field names are found too.
  assert.ok(ids(await search(anon, { q: '毗邻' })).has(R.abstractOnly!.id));
});

test('English words (case, plural) and resource codes', async () => {
  assert.ok(ids(await search(admin, { q: 'coral' })).has(R.closed!.id));
  assert.ok(ids(await search(admin, { q: 'Statistics' })).has(R.closed!.id), 'plural stemmed');
  assert.ok(ids(await search(admin, { q: 'CORAL REEF statistic' })).has(R.closed!.id));
  assert.equal((await search(admin, { q: 'coral zebra' })).total, 0, 'all words must match');
  const byCode = await search(admin, { q: R.bleach!.code });
  assert.equal(byCode.items[0]?.id, R.bleach!.id, 'the code finds its resource first');
});

test('relevance puts name matches above abstract-only matches', async () => {
  const r = await search(anon, { q: '珊瑚礁', sort: 'relevance' });
  assert.equal(r.items.at(-1)?.id, R.abstractOnly!.id);
});

test('filters narrow the results; facet counts exclude their own filter (disjunctive)', async () => {
  const r = await search(anon, { q: '珊瑚礁', format: 'api' });
  assert.deepEqual(ids(r), idOf('bleach'));
  assert.equal(r.total, 1);
  const fmt = Object.fromEntries(r.facets.format!.map((f) => [f.value, f.count]));
  // The format facet ignores the format filter: it shows what choosing another format would give.
  assert.deepEqual(fmt, { csv: 3, api: 1, xlsx: 1 });
  // Other facets are counted over the filtered results.
  assert.deepEqual(
    r.facets.open!.map((f) => [f.value, f.count]),
    [['conditional', 1]],
  );
  assert.equal(r.facets.open![0]!.label, '有条件开放');

  // Several values of one facet: any of them; two facets: both.
  assert.deepEqual(ids(await search(anon, { q: '珊瑚礁', format: 'api,xlsx' })), idOf('bleach', 'script'));
  assert.deepEqual(ids(await search(anon, { q: '珊瑚礁', format: 'csv', open: 'unconditional' })), idOf('monitor', 'abstractOnly'));
  assert.deepEqual(ids(await search(anon, { q: '珊瑚礁', category: 'STHJ' })), idOf('monitor'));
  assert.deepEqual(ids(await search(anon, { q: '珊瑚礁', frequency: 'yearly' })), idOf('bleach'));
  assert.deepEqual(ids(await search(anon, { q: '珊瑚礁', keyword: '白化' })), idOf('bleach'));
  assert.deepEqual(ids(await search(anon, { q: '珊瑚礁', grade: 'core' })), new Set());

  const full = await search(anon, { q: '珊瑚礁' });
  const org = full.facets.org!;
  assert.equal(org.length, 1);
  assert.equal(org[0]!.count, 4);
  assert.equal(org[0]!.label, '示范市市场监督管理局');
  assert.deepEqual(ids(await search(anon, { q: '珊瑚礁', org: org[0]!.value })), ids(full));
  // An organization id that is not a UUID matches nothing (never an error).
  assert.equal((await search(anon, { q: '珊瑚礁', org: 'SCJG' })).total, 0);
  const cat = Object.fromEntries(full.facets.category!.map((f) => [f.value, f]));
  assert.equal(cat.STHJ?.count, 1);
  assert.equal(cat.FR?.count, 3);
  assert.equal(cat.FR?.label, '法人基础库');
  const kw = Object.fromEntries(full.facets.keyword!.map((f) => [f.value, f.count]));
  assert.equal(kw['珊瑚礁'], 3);

  // English labels follow Accept-Language.
  anon.lang = 'en';
  try {
    const en = await search(anon, { q: '珊瑚礁' });
    assert.equal(en.facets.open!.find((f) => f.value === 'unconditional')?.label, 'Open unconditionally');
  } finally {
    anon.lang = 'zh-CN';
  }

  // facets=false skips the counts but keeps the total.
  const lean = await search(anon, { q: '珊瑚礁', facets: false });
  assert.equal(lean.total, 4);
  assert.deepEqual(lean.facets.org, []);
});

test('sort by popularity, release date and update time', async () => {
  for (let i = 0; i < 3; i++) assert.equal((await anon.get(`/api/catalog/resources/${R.script!.id}`)).status, 200);
  assert.equal((await anon.get(`/api/catalog/resources/${R.bleach!.id}`)).status, 200);
  const pop = await search(anon, { q: '珊瑚礁', sort: 'popularity' });
  assert.deepEqual(
    pop.items.slice(0, 2).map((i) => i.id),
    [R.script!.id, R.bleach!.id],
  );
  for (let i = 1; i < pop.items.length; i++) assert.ok(pop.items[i - 1]!.popularity >= pop.items[i]!.popularity);

  const upd = await search(anon, { q: '珊瑚礁', sort: 'updated' });
  for (let i = 1; i < upd.items.length; i++) assert.ok(upd.items[i - 1]!.updatedAt >= upd.items[i]!.updatedAt);
  const rel = await search(anon, { q: '珊瑚礁', sort: 'release' });
  assert.ok(rel.items.every((i) => i.releaseDate && /^\d{4}-\d{2}-\d{2}$/.test(i.releaseDate)));
  for (let i = 1; i < rel.items.length; i++) assert.ok(rel.items[i - 1]!.releaseDate! >= rel.items[i]!.releaseDate!);
});

test('pagination: pages are disjoint and together give every result', async () => {
  const seen: string[] = [];
  for (let page = 1; page <= 3; page++) {
    const r = await search(anon, { q: '珊瑚礁', pageSize: 2, page, sort: 'popularity' });
    assert.equal(r.total, 4);
    assert.equal(r.page, page);
    assert.equal(r.pageSize, 2);
    seen.push(...r.items.map((i) => i.id));
  }
  assert.equal(seen.length, 4);
  assert.deepEqual(new Set(seen), idOf('monitor', 'bleach', 'script', 'abstractOnly'));
  assert.equal((await search(anon, { q: '珊瑚礁', pageSize: 2, page: 50 })).items.length, 0);
});

test('highlights mark the matched words and escape everything else', async () => {
  const r = await search(anon, { q: '珊瑚礁 名录' });
  const item = r.items.find((i) => i.id === R.script!.id)!;
  assert.ok(item, 'the <script> resource is found');
  assert.equal(item.nameZh, '<script>alert(1)</script>珊瑚礁名录', 'the raw name is data, unchanged');
  assert.equal(item.highlight.name, '&lt;script&gt;alert(1)&lt;/script&gt;<mark>珊瑚礁</mark><mark>名录</mark>');
  assert.ok(!/<(?!\/?mark>)/.test(item.highlight.abstract), `only <mark> tags: ${item.highlight.abstract}`);
  assert.match(item.highlight.abstract, /&lt;b&gt;标签&lt;\/b&gt; &amp; 符号的<mark>珊瑚礁<\/mark><mark>名录<\/mark>/);
  const monitor = (await search(anon, { q: 'coral 珊瑚' })).items.find((i) => i.id === R.monitor!.id)!;
  assert.match(monitor.highlight.name, /<mark>珊瑚<\/mark>|<mark>珊瑚礁<\/mark>/);
});

test('a query asked again, and several times at once, gets the same answer (the tokenized query is reused)', async () => {
  const first = await search(anon, { q: '珊瑚礁 名录' });
  const again = await Promise.all([1, 2, 3, 4].map(() => search(anon, { q: '珊瑚礁 名录' })));
  for (const r of again) assert.deepEqual(r, first);
  // Type-ahead on the same text shares the tokenized query with the search.
  const s = await anon.get(`/api/search/suggest?q=${encodeURIComponent('珊瑚礁 名录')}`);
  assert.equal(s.status, 200, s.text);
  assert.ok(
    s.body.items.some((i: { id: string }) => i.id === R.script!.id),
    s.text,
  );
});

test('hostile input is text: SQL and tsquery syntax, lone brackets, backslashes, emoji, very long input', async () => {
  const inputs = [
    "'; drop table catalog_resources; --",
    'a & b | !c',
    '(',
    ')',
    '\\',
    '\\\\',
    "'",
    '"',
    ':*',
    '珊瑚礁:*A',
    '珊瑚礁 & !白化',
    '<->',
    '😀🪸',
    '珊瑚礁😀',
    '%_%',
    '\u0000',
    'x'.repeat(1000),
    '珊瑚礁'.repeat(400),
    ' '.repeat(50),
  ];
  for (const q of inputs) {
    for (const c of [anon, admin]) {
      const r = await c.get(`/api/search/resources?q=${encodeURIComponent(q)}`);
      assert.equal(r.status, 200, `${JSON.stringify(q.slice(0, 40))}: ${r.text.slice(0, 300)}`);
      assert.ok(Array.isArray(r.body.items));
      const s = await c.get(`/api/search/suggest?q=${encodeURIComponent(q)}`);
      assert.equal(s.status, 200, `suggest ${JSON.stringify(q.slice(0, 40))}: ${s.text.slice(0, 300)}`);
    }
  }
  // Syntax characters are ignored, the words still count.
  assert.deepEqual(ids(await search(anon, { q: '珊瑚礁 & !白化' })), idOf('bleach'));
  assert.equal((await search(anon, { q: '😀🪸' })).total, 0, 'no letters: nothing matches');
  // Filter values are data too.
  const r = await anon.get(
    `/api/search/resources?q=${encodeURIComponent('珊瑚礁')}&keyword=${encodeURIComponent("'); drop table x; --")}&format=${encodeURIComponent('\\')}`,
  );
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.total, 0);
  // Out-of-range parameters are a 400 with the standard error body, not a 500.
  const bad = await anon.get('/api/search/resources?pageSize=100000');
  assert.equal(bad.status, 400, bad.text);
  assert.equal(bad.body.error.code, 'VALIDATION_FAILED');
});

test('visibility: the public sees the open catalog; clerks see the share catalog and their own drafts', async () => {
  const pub = ids(await search(publicUser, { q: '珊瑚礁' }));
  assert.deepEqual(pub, idOf('monitor', 'bleach', 'script', 'abstractOnly'));
  // Provider clerk (SCJG): own organization in every status, including the draft and the closed one.
  assert.deepEqual(ids(await search(provider, { q: '珊瑚礁' })), idOf('monitor', 'bleach', 'script', 'abstractOnly', 'closed', 'draft'));
  // Consumer clerk (RS): the government-wide share catalog (published, whatever the open attribute), no drafts.
  assert.deepEqual(ids(await search(consumer, { q: '珊瑚礁' })), idOf('monitor', 'bleach', 'script', 'abstractOnly', 'closed'));
  assert.deepEqual(ids(await search(admin, { q: '珊瑚礁' })), idOf('monitor', 'bleach', 'script', 'abstractOnly', 'closed', 'draft'));
  // Facet counts follow visibility too.
  const f = await search(publicUser, { q: '珊瑚礁' });
  assert.deepEqual(f.facets.open!.map((x) => x.value).sort(), ['conditional', 'unconditional']);
  // Browsing without words respects the same rule.
  const browse = await search(anon, { pageSize: 100, facets: false });
  assert.ok(browse.items.every((i) => i.status === 'published' || i.status === 'updated'));
  assert.ok(!ids(browse).has(R.draft!.id));
});

test('type-ahead suggestions: names by prefix, visible only', async () => {
  const s = await anon.get(`/api/search/suggest?q=${encodeURIComponent('珊瑚')}`);
  assert.equal(s.status, 200, s.text);
  const names = s.body.items.map((i: { nameZh: string }) => i.nameZh);
  assert.ok(names.includes('珊瑚礁生态监测数据'));
  assert.ok(!names.includes('珊瑚礁保护区规划草案'), 'no drafts for anonymous users');
  assert.ok(!names.includes('海洋牧场养殖名录'), 'names only, not abstracts');
  assert.ok(s.body.items.length <= 10);
  const mine = await provider.get(`/api/search/suggest?q=${encodeURIComponent('珊瑚礁保')}`);
  assert.deepEqual(
    mine.body.items.map((i: { id: string }) => i.id),
    [R.draft!.id],
  );
  assert.equal((await anon.get('/api/search/suggest?q=')).body.items.length, 0);
});

test('browsing without words: every visible resource, newest release first; counts follow catalog changes at once', async () => {
  const before = await search(anon, { pageSize: 5 });
  assert.ok(before.total >= 4);
  for (let i = 1; i < before.items.length; i++) assert.ok((before.items[i - 1]!.releaseDate ?? '') >= (before.items[i]!.releaseDate ?? ''));
  const open = before.facets.open!.reduce((s, f) => s + f.count, 0);
  assert.equal(open, before.total);
  await create('late', { nameZh: '珊瑚礁修复项目清单', abstractZh: '珊瑚礁修复项目。', openMode: 'unconditional' });
  await publish('late');
  const after = await search(anon, { pageSize: 5 });
  assert.equal(after.total, before.total + 1, 'the cached browse counts were dropped by the write');
  assert.equal(
    after.facets.open!.reduce((s, f) => s + f.count, 0),
    after.total,
  );
});

test('edits are searchable at once (the catalog re-indexes in its transaction); reindexAll rebuilds everything', async () => {
  const d = R.draft!;
  const r = await provider.patch(`/api/catalog/resources/${d.id}`, { lockVersion: d.lockVersion, nameZh: '砗磲与珊瑚礁保护区规划草案' });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(ids(await search(provider, { q: '砗磲' })), idOf('draft'));
  assert.equal((await search(anon, { q: '砗磲' })).total, 0);

  // Wipe the tokens behind the service's back, then rebuild them all.
  await sql`update catalog_resources set search_tokens = ''::tsvector`.execute(p.ctx.db);
  assert.equal((await search(admin, { q: '珊瑚礁' })).total, 0);
  const n = await p.ctx.search.reindexAll();
  assert.ok(n >= 7);
  assert.equal((await search(admin, { q: '珊瑚礁' })).total, 7);
});
