// Contract tests of the CKAN Action API v3 read subset (issue 7 §6), written from CKAN's API documentation
// (docs.ckan.org "API guide", ckan/logic/action/get.py, ckanext/datastore) against the demo world on a real
// PostgreSQL and DuckDB: the envelope, every action, paging, facets, CKAN's error shapes and statuses, the gate
// (conditional data refused and recorded), datastore types/filters/q/sort, POST JSON = GET, and attack cases.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { resourceIdByName, startTestPlatform, type TestClient, type TestPlatform } from '../../../test/helpers.ts';
import { DEMO_PASSWORD } from '../identity/service.ts';
import { resourceIdOf } from './service.ts';

let p: TestPlatform;
let anon: TestClient;
let admin: TestClient;
let homesPkg: string; // 养老机构信息: open unconditionally, with data
let homesDataset: string;
let marketPkg: string; // 市场主体登记信息: open on conditions, with data
let marketDataset: string;
let peoplePkg: string; // 社会保险参保登记信息: not open
let file: string;

const A = '/api/3/action';
const get = (c: TestClient, action: string, q: Record<string, string> = {}) => c.get(`${A}/${action}?${new URLSearchParams(q)}`);
async function duck<T>(text: string): Promise<T[]> {
  return (await p.ctx.datasets.engine()).all<T>(text.replaceAll('FILE', `read_parquet('${file}')`));
}

before(async () => {
  p = await startTestPlatform({}, { jobs: false });
  admin = p.client();
  await admin.login('admin', DEMO_PASSWORD);
  anon = p.client();
  anon.lang = 'en';
  homesPkg = await resourceIdByName(admin, '养老机构信息');
  marketPkg = await resourceIdByName(admin, '市场主体登记信息');
  peoplePkg = await resourceIdByName(admin, '社会保险参保登记信息');
  homesDataset = (await admin.get(`/api/datasets/by-resource/${homesPkg}`)).body.id;
  marketDataset = (await admin.get(`/api/datasets/by-resource/${marketPkg}`)).body.id;
  file = (await p.ctx.datasets.versionFile(homesDataset)).file;
});
after(() => p?.close());

describe('envelope and actions', () => {
  it('status_show: the envelope {help, success, result} and CKAN site info; /api/action/ answers too', async () => {
    const r = await get(anon, 'status_show');
    assert.equal(r.status, 200, r.text);
    assert.match(r.headers.get('content-type') ?? '', /^application\/json/);
    assert.deepEqual(Object.keys(r.body).sort(), ['help', 'result', 'success']);
    assert.equal(r.body.success, true);
    assert.match(r.body.help, /\/api\/3\/action\/help_show\?name=status_show$/);
    assert.match(r.body.result.ckan_version, /^2\.10\./);
    assert.deepEqual(r.body.result.extensions, ['datastore']);
    const legacy = await anon.get('/api/action/status_show');
    assert.equal(legacy.status, 200);
    assert.equal(legacy.body.result.ckan_version, r.body.result.ckan_version);
    const help = await get(anon, 'help_show', { name: 'package_search' });
    assert.match(help.body.result, /:param rows:/);
  });

  it('package_list: names (resource codes lowercased) of the open catalog, paged; not-open data is absent', async () => {
    const r = await get(anon, 'package_list');
    assert.equal(r.status, 200, r.text);
    const names: string[] = r.body.result;
    const homes = (await admin.get(`/api/catalog/resources/${homesPkg}`)).body;
    const people = (await admin.get(`/api/catalog/resources/${peoplePkg}`)).body;
    assert.ok(names.includes(homes.code.toLowerCase()));
    assert.ok(!names.includes(people.code.toLowerCase()), 'data not opened is not listed for the public');
    assert.deepEqual([...names].sort(), names, 'in name order');
    for (const n of names) assert.equal(n, n.toLowerCase());
    const page = await get(anon, 'package_list', { limit: '3', offset: '2' });
    assert.deepEqual(page.body.result, names.slice(2, 5));
    // A department clerk sees the government share catalog: more names.
    const clerk = p.client();
    await clerk.login('consumer', DEMO_PASSWORD);
    assert.ok((await get(clerk, 'package_list')).body.result.length > names.length);
  });

  it('package_show by id and by name: CKAN package dict with organization, groups, tags, license, extras and resources', async () => {
    const byId = await get(anon, 'package_show', { id: homesPkg });
    assert.equal(byId.status, 200, byId.text);
    const pkg = byId.body.result;
    const byName = await get(anon, 'package_show', { id: pkg.name });
    assert.deepEqual(byName.body.result, pkg);
    assert.equal(pkg.id, homesPkg);
    assert.equal(pkg.title, '养老机构信息');
    assert.equal(pkg.type, 'dataset');
    assert.equal(pkg.state, 'active');
    assert.equal(pkg.private, false);
    assert.match(pkg.name, /^[a-z0-9-]+$/);
    assert.match(pkg.url, new RegExp(`/data/datasets/${pkg.name.toUpperCase()}$`));
    assert.equal(pkg.organization.is_organization, true);
    assert.equal(pkg.organization.name, pkg.organization.name.toLowerCase());
    assert.equal(pkg.owner_org, pkg.organization.id);
    assert.equal(pkg.license_id, 'cc-by');
    assert.equal(pkg.isopen, true);
    assert.match(pkg.metadata_modified, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}$/);
    assert.ok(pkg.groups.length >= 1);
    assert.equal(pkg.num_tags, pkg.tags.length);
    for (const t of pkg.tags) assert.deepEqual(Object.keys(t).sort(), ['display_name', 'id', 'name', 'state', 'vocabulary_id']);
    const extras = Object.fromEntries(pkg.extras.map((e: { key: string; value: string }) => [e.key, e.value]));
    assert.equal(extras.open_mode, 'unconditional');
    assert.ok(extras.update_frequency);
    // Resources: the downloadable forms of the published version, with stable ids.
    assert.deepEqual(
      pkg.resources.map((r: { format: string }) => r.format),
      ['CSV', 'JSON', 'XLSX', 'Parquet', 'API'],
    );
    assert.equal(pkg.num_resources, 5);
    const csv = pkg.resources[0];
    assert.equal(csv.id, resourceIdOf(homesDataset, 'csv'));
    assert.equal(csv.package_id, homesPkg);
    assert.equal(csv.datastore_active, true);
    assert.match(csv.url, new RegExp(`/api/datasets/${homesDataset}/download\\?format=csv$`));
    assert.match(pkg.resources[4].url, new RegExp(`/resource/${homesDataset}\\.json$`));
    // The download URL works anonymously.
    const dl = await anon.get(new URL(csv.url).pathname + new URL(csv.url).search);
    assert.equal(dl.status, 200);
  });

  it('resource_show resolves every form back; unknown ids are 404 Not Found Error', async () => {
    const pkg = (await get(anon, 'package_show', { id: homesPkg })).body.result;
    for (const res of pkg.resources) {
      const r = await get(anon, 'resource_show', { id: res.id });
      assert.equal(r.status, 200, r.text);
      assert.deepEqual(r.body.result, res);
    }
    const missing = await get(anon, 'resource_show', { id: '00000000-0000-4000-8000-000000000000' });
    assert.equal(missing.status, 404);
    assert.equal(missing.body.success, false);
    assert.equal(missing.body.error.__type, 'Not Found Error');
    assert.equal(missing.body.error.message, 'Not found: Resource was not found.');
  });

  it('package_show: unknown id or name, and data not opened, are 404 (no leak); a missing id is a Validation Error', async () => {
    for (const id of ['00000000-0000-4000-8000-000000000000', 'no-such-package', peoplePkg]) {
      const r = await get(anon, 'package_show', { id });
      assert.equal(r.status, 404, `${id}: ${r.text}`);
      assert.deepEqual(r.body.error, { __type: 'Not Found Error', message: 'Not found' });
      assert.equal(r.body.success, false);
      assert.match(r.body.help, /help_show\?name=package_show/);
    }
    const none = await get(anon, 'package_show');
    assert.equal(none.status, 409);
    assert.deepEqual(none.body.error, { __type: 'Validation Error', name_or_id: ['Missing value'] });
  });

  it('current_package_list_with_resources: package dicts, most recently modified first', async () => {
    const r = await get(anon, 'current_package_list_with_resources', { limit: '5' });
    assert.equal(r.status, 200, r.text);
    assert.ok(r.body.result.length > 0 && r.body.result.length <= 5);
    const mods = r.body.result.map((x: { metadata_modified: string }) => x.metadata_modified);
    assert.deepEqual([...mods].sort().reverse(), mods);
    assert.ok(r.body.result.every((x: { resources: unknown[] }) => Array.isArray(x.resources)));
  });

  it('organization_list / organization_show, group_list / group_show, tag_list, license_list', async () => {
    const orgs = await get(anon, 'organization_list');
    assert.equal(orgs.status, 200, orgs.text);
    const pkg = (await get(anon, 'package_show', { id: homesPkg })).body.result;
    assert.ok(orgs.body.result.includes(pkg.organization.name));
    assert.deepEqual([...orgs.body.result].sort(), orgs.body.result);
    const full = await get(anon, 'organization_list', { all_fields: 'true', limit: '100' });
    assert.ok(full.body.result.length <= 25, 'all_fields answers at most 25 like CKAN');
    const one = full.body.result.find((o: { name: string }) => o.name === pkg.organization.name) ?? null;
    const show = await get(anon, 'organization_show', { id: pkg.organization.name, include_datasets: 'true' });
    assert.equal(show.status, 200, show.text);
    assert.equal(show.body.result.id, pkg.organization.id);
    assert.ok(show.body.result.package_count >= 1);
    if (one) assert.equal(one.package_count, show.body.result.package_count);
    assert.ok(show.body.result.packages.some((x: { id: string }) => x.id === homesPkg));
    assert.equal((await get(anon, 'organization_show', { id: 'nope' })).status, 404);

    const groups = await get(anon, 'group_list', { all_fields: 'true', sort: 'package_count desc' });
    assert.equal(groups.status, 200, groups.text);
    const counts = groups.body.result.map((g: { package_count: number }) => g.package_count);
    assert.deepEqual(
      [...counts].sort((a, b) => b - a),
      counts,
    );
    const g = pkg.groups[0];
    const gs = await get(anon, 'group_show', { id: g.name });
    assert.equal(gs.status, 200, gs.text);
    assert.equal(gs.body.result.id, g.id);
    assert.ok(gs.body.result.package_count >= 1);

    const tags = await get(anon, 'tag_list');
    assert.ok(pkg.tags.every((t: { name: string }) => tags.body.result.includes(t.name)));
    const lic = await get(anon, 'license_list');
    assert.ok(lic.body.result.some((l: { id: string }) => l.id === 'cc-by'));
    for (const l of lic.body.result) assert.ok('title' in l && 'od_conformance' in l && 'is_okd_compliant' in l);
  });
});

describe('package_search', () => {
  it('count, results, facets and search_facets in CKAN shape; rows/start page through the same order', async () => {
    const r = await get(anon, 'package_search', { 'facet.field': '["organization","groups","tags","res_format"]', rows: '4' });
    assert.equal(r.status, 200, r.text);
    const res = r.body.result;
    assert.deepEqual(Object.keys(res).sort(), ['count', 'facets', 'results', 'search_facets', 'sort']);
    assert.equal(res.sort, 'score desc, metadata_modified desc');
    assert.equal(res.results.length, 4);
    assert.ok(res.count >= 4);
    assert.equal(res.count, (await get(anon, 'package_list')).body.result.length);
    for (const f of ['organization', 'groups', 'tags', 'res_format']) {
      assert.equal(typeof res.facets[f], 'object');
      assert.equal(res.search_facets[f].title, f);
      for (const it of res.search_facets[f].items) {
        assert.deepEqual(Object.keys(it).sort(), ['count', 'display_name', 'name']);
        assert.equal(res.facets[f][it.name], it.count);
      }
    }
    const orgSum = Object.values(res.facets.organization as Record<string, number>).reduce((a, b) => a + b, 0);
    assert.equal(orgSum, res.count, 'every package has one organization');
    const all = (await get(anon, 'package_search', { rows: '1000' })).body.result.results.map((x: { id: string }) => x.id);
    const page2 = (await get(anon, 'package_search', { rows: '3', start: '3' })).body.result.results.map((x: { id: string }) => x.id);
    assert.deepEqual(page2, all.slice(3, 6));
    // No facet.field: empty facets like CKAN.
    const plain = (await get(anon, 'package_search', { rows: '0' })).body.result;
    assert.deepEqual(plain.facets, {});
    assert.deepEqual(plain.results, []);
    assert.equal(plain.count, res.count);
  });

  it('q words (Chinese, via the catalog search), field:value terms in q, and fq filters', async () => {
    const q = await get(anon, 'package_search', { q: '养老机构' });
    assert.equal(q.status, 200, q.text);
    assert.ok(q.body.result.results.some((x: { id: string }) => x.id === homesPkg));
    const pkg = (await get(anon, 'package_show', { id: homesPkg })).body.result;
    const byOrg = await get(anon, 'package_search', { fq: `organization:${pkg.organization.name}`, rows: '1000' });
    assert.ok(byOrg.body.result.count >= 1);
    assert.ok(byOrg.body.result.results.every((x: { organization: { name: string } }) => x.organization.name === pkg.organization.name));
    const tag = pkg.tags[0].name;
    const byTag = await get(anon, 'package_search', { q: `tags:"${tag}"`, rows: '1000' });
    assert.ok(byTag.body.result.results.some((x: { id: string }) => x.id === homesPkg));
    assert.ok(byTag.body.result.results.every((x: { tags: { name: string }[] }) => x.tags.some((t) => t.name === tag)));
    const both = await get(anon, 'package_search', { fq: `+organization:${pkg.organization.name} +groups:${pkg.groups[0].name}` });
    assert.ok(both.body.result.count >= 1 && both.body.result.count <= byOrg.body.result.count);
    const either = await get(anon, 'package_search', { fq: `organization:(${pkg.organization.name} OR nobody)` });
    assert.equal(either.body.result.count, byOrg.body.result.count);
    const fmt = await get(anon, 'package_search', { fq: 'res_format:CSV', 'facet.field': '["res_format"]' });
    assert.equal(fmt.status, 200, fmt.text);
    assert.equal(fmt.body.result.facets.res_format.CSV, fmt.body.result.count);
    const disjoint = await get(anon, 'package_search', { q: `tags:"${tag}"`, fq: `tags:"${tag}-other"` });
    assert.equal(disjoint.status, 409, 'requiring two tags at once cannot be answered by an any-of filter: refused, not wrong');
    assert.ok(Array.isArray(disjoint.body.error.fq));
    const twoOrgs = await get(anon, 'package_search', { q: `organization:${pkg.organization.name}`, fq: 'organization:nobody' });
    assert.equal(twoOrgs.status, 200, twoOrgs.text);
    assert.equal(twoOrgs.body.result.count, 0, 'a package has one organization: two different ones match nothing');
    const nobody = await get(anon, 'package_search', { fq: 'organization:nobody' });
    assert.equal(nobody.body.result.count, 0);
    assert.equal(
      (await get(anon, 'package_search', { q: '*:*' })).body.result.count,
      (await get(anon, 'package_search')).body.result.count,
    );
  });

  it('license_id: facet counts by CKAN license id (texts grouped, no text = notspecified) and fq filters that agree with them', async () => {
    const all = await get(anon, 'package_search', { 'facet.field': '["license_id"]', rows: '1000' });
    assert.equal(all.status, 200, all.text);
    const facet: Record<string, number> = all.body.result.facets.license_id;
    assert.equal(
      Object.values(facet).reduce((a, b) => a + b, 0),
      all.body.result.count,
      'every package counted once',
    );
    // The open demo catalog has CC BY 4.0 and the city's own licence text (other-open).
    for (const id of ['cc-by', 'other-open']) assert.ok(facet[id]! > 0, `${id} in ${JSON.stringify(facet)}`);
    const byId = new Map<string, number>();
    for (const pkg of all.body.result.results) byId.set(pkg.license_id, (byId.get(pkg.license_id) ?? 0) + 1);
    assert.deepEqual(Object.fromEntries(byId), facet, 'the facet counts what package dicts say');
    for (const id of [...Object.keys(facet), 'notspecified']) {
      const one = await get(anon, 'package_search', { fq: `license_id:${id}`, rows: '1000' });
      assert.equal(one.status, 200, one.text);
      assert.equal(one.body.result.count, facet[id] ?? 0, id);
      assert.ok(
        one.body.result.results.every((x: any) => x.license_id === id),
        id,
      );
    }
    const either = await get(anon, 'package_search', { fq: 'license_id:(cc-by OR notspecified)' });
    assert.equal(either.body.result.count, facet['cc-by']! + (facet.notspecified ?? 0));
    const unknown = await get(anon, 'package_search', { fq: 'license_id:gpl-3.0' });
    assert.equal(unknown.status, 200);
    assert.equal(unknown.body.result.count, 0, 'an id no text has matches nothing (never everything)');
  });

  it('sort: metadata_modified desc; an unknown sort is a Validation Error naming sort', async () => {
    const r = await get(anon, 'package_search', { sort: 'metadata_modified desc', rows: '20' });
    const mods = r.body.result.results.map((x: { metadata_modified: string }) => x.metadata_modified);
    assert.deepEqual([...mods].sort().reverse(), mods);
    const bad = await get(anon, 'package_search', { sort: 'name; drop table catalog_resources' });
    assert.equal(bad.status, 409);
    assert.equal(bad.body.error.__type, 'Validation Error');
    assert.ok(Array.isArray(bad.body.error.sort));
  });

  it('wrong types and limits behave like CKAN: rows=abc → 409 Invalid integer; rows=5000 → clamped to 1000; negative start', async () => {
    const abc = await get(anon, 'package_search', { rows: 'abc' });
    assert.equal(abc.status, 409);
    assert.deepEqual(abc.body.error, { __type: 'Validation Error', rows: ['Invalid integer'] });
    const neg = await get(anon, 'package_search', { start: '-1' });
    assert.deepEqual(neg.body.error, { __type: 'Validation Error', start: ['Must be a natural number'] });
    const big = await get(anon, 'package_search', { rows: '5000' });
    assert.equal(big.status, 200);
    assert.equal(big.body.result.results.length, Math.min(1000, big.body.result.count));
    const hugeStart = await get(anon, 'package_search', { start: '1000000000' });
    assert.equal(hugeStart.status, 200);
    assert.deepEqual(hugeStart.body.result.results, []);
  });

  it('unsupported fq syntax or fields are 409 Validation Errors naming the parameter, never ignored', async () => {
    for (const [key, value] of [
      ['fq', 'metadata_modified:[NOW-1DAY TO NOW]'],
      ['fq', 'author:someone'],
      ['fq', 'just words'],
      ['q', 'maintainer:x'],
      ['facet.field', '["author"]'],
      ['facet.field', 'not json'],
    ] as const) {
      const r = await get(anon, 'package_search', { [key]: value });
      assert.equal(r.status, 409, `${key}=${value}: ${r.text}`);
      assert.equal(r.body.error.__type, 'Validation Error');
      assert.ok(Array.isArray(r.body.error[key]), `${key}=${value} names ${key}: ${r.text}`);
    }
  });

  it('SQL-ish and tsquery-ish input in q is only text (no error, nothing leaks)', async () => {
    for (const q of ["'; drop table catalog_resources; --", "养老' or 1=1 --", '& | ! ( ) : *', '\\']) {
      const r = await get(anon, 'package_search', { q });
      assert.ok(r.status === 200 || r.status === 409, `${q}: ${r.text}`);
      if (r.status === 200) assert.ok(r.body.result.results.every((x: { id: string }) => x.id !== peoplePkg));
    }
    assert.equal((await get(anon, 'package_list')).status, 200, 'the catalog is still there');
  });

  it('include_private is ignored for the public: nothing private appears', async () => {
    const a = await get(anon, 'package_search', { include_private: 'true', rows: '1000' });
    const b = await get(anon, 'package_search', { rows: '1000' });
    assert.deepEqual(
      a.body.result.results.map((x: { id: string }) => x.id),
      b.body.result.results.map((x: { id: string }) => x.id),
    );
  });

  it('POST with a JSON body answers exactly what GET answers', async () => {
    const params = { q: '养老', rows: 5, 'facet.field': ['organization', 'tags'], 'facet.limit': 3 };
    const viaPost = await anon.post(`${A}/package_search`, params);
    const viaGet = await get(anon, 'package_search', {
      q: '养老',
      rows: '5',
      'facet.field': JSON.stringify(params['facet.field']),
      'facet.limit': '3',
    });
    assert.equal(viaPost.status, 200, viaPost.text);
    assert.deepEqual(viaPost.body, viaGet.body);
    for (const f of ['organization', 'tags']) assert.ok(viaPost.body.result.search_facets[f].items.length <= 3);
  });
});

describe('errors', () => {
  it('an unknown action is 400 with CKAN’s bare message string', async () => {
    const r = await get(anon, 'package_create_everything');
    assert.equal(r.status, 400);
    assert.equal(r.body, 'Bad request - Action name not known: package_create_everything');
    const w = await anon.post(`${A}/package_create`, { name: 'x' });
    assert.equal(w.status, 400, 'write actions do not exist here');
    const long = await get(anon, 'x'.repeat(90));
    assert.equal(long.status, 400);
    assert.ok(long.body.length < 300);
  });

  it('like CKAN, catalog actions ignore parameters they do not know (cache busters); datastore_search refuses them', async () => {
    const a = await get(anon, 'package_list', { _: '12345', foo: 'bar' });
    assert.equal(a.status, 200, a.text);
    assert.deepEqual(a.body.result, (await get(anon, 'package_list')).body.result);
    assert.equal((await get(anon, 'organization_list', { foo: 'bar' })).status, 200);
  });

  it('a malformed JSON body or a non-object body is CKAN’s 400 bad request', async () => {
    const bad = await fetch(`${p.url}${A}/package_search`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"q":',
    });
    assert.equal(bad.status, 400);
    assert.match(await bad.json(), /^Bad request - JSON Error/);
    const arr = await anon.post(`${A}/package_search`, [1, 2]);
    assert.equal(arr.status, 400);
    assert.match(arr.body, /needs to be a dictionary/);
  });
});

describe('datastore_search', () => {
  const rid = () => resourceIdOf(homesDataset, 'csv');

  it('records, fields with CKAN types, total, limit default 100, _links — rows equal DuckDB on the same file', async () => {
    const r = await get(anon, 'datastore_search', { resource_id: rid() });
    assert.equal(r.status, 200, r.text);
    const res = r.body.result;
    assert.equal(res.resource_id, rid());
    assert.equal(res.total, 240);
    assert.equal(res.limit, 100);
    assert.equal(res.records.length, 100);
    assert.equal(res.total_was_estimated, false);
    assert.deepEqual(res.fields[0], { id: '_id', type: 'int' });
    const types = Object.fromEntries(res.fields.map((f: { id: string; type: string }) => [f.id, f.type]));
    assert.equal(types['床位数'], 'int');
    assert.equal(types['单位名称'], 'text');
    assert.equal(types['联系电话'], 'text');
    assert.equal(res.records[0]._id, 1);
    assert.equal(typeof res.records[0]['床位数'], 'number');
    assert.match(res._links.start, /^\/api\/3\/action\/datastore_search\?resource_id=/);
    assert.match(res._links.next, /offset=100/);
    const expected = await duck<{ n: string }>(`SELECT "单位名称" AS n FROM FILE LIMIT 100`);
    assert.deepEqual(
      res.records.map((x: Record<string, unknown>) => x['单位名称']),
      expected.map((e) => e.n),
    );
    for (const row of res.records) assert.match(row['联系电话'], /^1\d{2}\*{4}\d{4}$/, 'masked for the public');
    // Any form's resource id reads the same table.
    const viaParquet = await get(anon, 'datastore_search', { resource_id: resourceIdOf(homesDataset, 'parquet'), limit: '1' });
    assert.deepEqual(viaParquet.body.result.records[0], res.records[0]);
  });

  it('filters, q, sort, fields, offset — checked against DuckDB', async () => {
    const [one] = await duck<{ addr: string }>(`SELECT "地址" AS addr FROM FILE LIMIT 1`);
    const district = /(\S+?区)/.exec(one!.addr)?.[1] ?? one!.addr.slice(0, 3);
    const r = await get(anon, 'datastore_search', {
      resource_id: rid(),
      q: district,
      fields: '单位名称,床位数',
      sort: '床位数 desc, 单位名称',
      limit: '5',
      offset: '1',
    });
    assert.equal(r.status, 200, r.text);
    const expected = await duck<{ n: string; b: number }>(
      `SELECT "单位名称" AS n, "床位数" AS b FROM FILE WHERE contains(lower("单位名称"), lower('${district}')) OR contains(lower("地址"), lower('${district}'))
         OR contains(CAST("床位数" AS VARCHAR), '${district}') OR contains(lower("统一社会信用代码"), lower('${district}'))
       ORDER BY "床位数" DESC, "单位名称" LIMIT 5 OFFSET 1`,
    );
    assert.deepEqual(r.body.result.fields, [
      { id: '单位名称', type: 'text' },
      { id: '床位数', type: 'int' },
    ]);
    assert.deepEqual(
      r.body.result.records.map((x: Record<string, unknown>) => [x['单位名称'], x['床位数']]),
      expected.map((e) => [e.n, Number(e.b)]),
    );
    const beds = Number(expected[0]!.b);
    const f = await anon.post(`${A}/datastore_search`, {
      resource_id: rid(),
      filters: { 床位数: [beds, String(beds)] },
      fields: ['床位数'],
    });
    assert.equal(f.status, 200, f.text);
    const [cnt] = await duck<{ c: bigint }>(`SELECT count(*) AS c FROM FILE WHERE "床位数" = ${beds}`);
    assert.equal(f.body.result.total, Number(cnt!.c));
    assert.ok(f.body.result.records.every((x: Record<string, unknown>) => x['床位数'] === beds));
    // An offset past the end: no records, the total stays.
    const past = await get(anon, 'datastore_search', { resource_id: rid(), offset: '1000' });
    assert.deepEqual(past.body.result.records, []);
    assert.equal(past.body.result.total, 240);
    // records_format=lists
    const lists = await get(anon, 'datastore_search', { resource_id: rid(), fields: '_id,单位名称', limit: '2', records_format: 'lists' });
    assert.deepEqual(
      lists.body.result.records.map((x: unknown[]) => x[0]),
      [1, 2],
    );
  });

  it('limit: default 100, 10^9 clamps to 32000 like CKAN; abc and negatives are Validation Errors', async () => {
    const huge = await get(anon, 'datastore_search', { resource_id: rid(), limit: '1000000000' });
    assert.equal(huge.status, 200, huge.text);
    assert.equal(huge.body.result.limit, 32000);
    assert.equal(huge.body.result.records.length, 240);
    const abc = await get(anon, 'datastore_search', { resource_id: rid(), limit: 'abc' });
    assert.equal(abc.status, 409);
    assert.deepEqual(abc.body.error, { __type: 'Validation Error', limit: ['Invalid integer'] });
    const neg = await get(anon, 'datastore_search', { resource_id: rid(), offset: '-5' });
    assert.deepEqual(neg.body.error, { __type: 'Validation Error', offset: ['Must be a natural number'] });
    const missing = await get(anon, 'datastore_search');
    assert.deepEqual(missing.body.error, { __type: 'Validation Error', resource_id: ['Missing value'] });
    const junk = await get(anon, 'datastore_search', { resource_id: rid(), nonsense: '1' });
    assert.equal(junk.status, 409);
    assert.ok(junk.body.error.__junk);
  });

  it('attacks: SQL in filters, q and sort is a value or a Validation Error; unknown columns are refused', async () => {
    const inj = await anon.post(`${A}/datastore_search`, { resource_id: rid(), filters: { 单位名称: "x' OR '1'='1" } });
    assert.equal(inj.status, 200, inj.text);
    assert.equal(inj.body.result.total, 0);
    const q = await get(anon, 'datastore_search', { resource_id: rid(), q: "'; DROP TABLE x; --" });
    assert.equal(q.status, 200, q.text);
    assert.equal(q.body.result.total, 0);
    for (const sort of ['床位数; DROP TABLE x', '(SELECT 1)', 'nosuchfield desc', '床位数 sideways']) {
      const s = await get(anon, 'datastore_search', { resource_id: rid(), sort });
      assert.equal(s.status, 409, `${sort}: ${s.text}`);
      assert.equal(s.body.error.__type, 'Validation Error');
      assert.ok(Array.isArray(s.body.error.sort), s.text);
    }
    const unknownFilter = await anon.post(`${A}/datastore_search`, {
      resource_id: rid(),
      filters: { "x\" FROM read_csv('/etc/passwd') --": 1 },
    });
    assert.equal(unknownFilter.status, 409);
    assert.ok(unknownFilter.body.error.filters[0].includes('not in table'));
    const unknownField = await get(anon, 'datastore_search', { resource_id: rid(), fields: 'sfzh' });
    assert.deepEqual(unknownField.body.error, { __type: 'Validation Error', fields: ['field "sfzh" not in table'] });
    const notNumber = await anon.post(`${A}/datastore_search`, { resource_id: rid(), filters: { 床位数: 'abc' } });
    assert.equal(notNumber.status, 409);
    const masked = (await duck<{ phone: string }>(`SELECT "联系电话" AS phone FROM FILE LIMIT 1`))[0]!.phone;
    const byReal = await anon.post(`${A}/datastore_search`, { resource_id: rid(), filters: { 联系电话: masked } });
    assert.equal(byReal.body.result.total, 0, 'a masked column cannot be searched by its real value');
  });

  it('conditional data: metadata public, datastore_search 403 Authorization Error for the public, and the attempt is in the ledger', async () => {
    const pkg = await get(anon, 'package_show', { id: marketPkg });
    assert.equal(pkg.status, 200, pkg.text);
    const extras = Object.fromEntries(pkg.body.result.extras.map((e: { key: string; value: string }) => [e.key, e.value]));
    assert.equal(extras.open_mode, 'conditional');
    assert.equal(pkg.body.result.isopen, false);
    const res = pkg.body.result.resources.find((x: { format: string }) => x.format === 'CSV');
    assert.equal(res.id, resourceIdOf(marketDataset, 'csv'));
    const r = await get(anon, 'datastore_search', { resource_id: res.id });
    assert.equal(r.status, 403, r.text);
    assert.equal(r.body.success, false);
    assert.equal(r.body.error.__type, 'Authorization Error');
    assert.match(r.body.error.message, /^Access denied/);
    const { rows } = await sql<{ action: string; actor_kind: string; details: { action: string; code: string } }>`
      select action, actor_kind, details from ledger_entries where object_id = ${marketDataset} order by seq desc limit 5`.execute(
      p.ctx.db,
    );
    // Recorded once, by the gate (the same entry whichever API asked).
    const denied = rows.filter((x) => x.action === 'dataset.read.denied');
    assert.equal(denied.length, 1, 'the refused read is recorded once');
    assert.equal(denied[0]!.actor_kind, 'anonymous');
    assert.ok(denied[0]!.details.code);
  });

  it('the same resource reads for a caller the gate allows (a department clerk: shared unconditionally)', async () => {
    const clerk = p.client();
    await clerk.login('consumer', DEMO_PASSWORD);
    const r = await get(clerk, 'datastore_search', { resource_id: resourceIdOf(marketDataset, 'csv'), limit: '3' });
    assert.equal(r.status, 200, r.text);
    assert.ok(r.body.result.total > 0);
    assert.equal(r.body.result.records.length, 3);
  });

  it('every datastore_search read is a dataset.read ledger entry; not-open data is 404', async () => {
    const { rows } = await sql<{ details: { kind: string; via?: string } }>`
      select details from ledger_entries where action = 'dataset.read' and object_id = ${homesDataset} order by seq desc limit 50`.execute(
      p.ctx.db,
    );
    assert.ok(rows.some((r) => r.details.via === 'ckan.datastore_search'));
    const peopleDataset = (await admin.get(`/api/datasets/by-resource/${peoplePkg}`)).body.id;
    const r = await get(anon, 'datastore_search', { resource_id: resourceIdOf(peopleDataset, 'csv') });
    assert.equal(r.status, 404, r.text);
    assert.equal(r.body.error.__type, 'Not Found Error');
  });
});
