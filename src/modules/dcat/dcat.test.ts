// The DCAT-AP 3.0.1 feed (issue 7 §7) through HTTP on the demo city: the Turtle and the JSON-LD of the catalog,
// of a dataset and of a distribution conform to the official SHACL shapes (test/fixtures/dcat-ap-3.0.1, validated
// with rdf-validate-shacl; a broken graph does not), both formats carry the same graph, Hydra paging walks the
// whole catalog once, content negotiation, only the anonymous view of the catalog, language tags, and metadata
// with markup characters survives both syntaxes intact.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import jsonld from 'jsonld';
import { DataFactory, Parser, Store, type Quad } from 'n3';
import SHACLValidator from 'rdf-validate-shacl';
import { sql } from 'kysely';
import { REPO_ROOT, startTestPlatform, TestClient, type TestPlatform } from '../../../test/helpers.ts';
import { DEMO_PASSWORD } from '../identity/service.ts';
import { hydraNext, NS, parseDcat, RdfParseError, readDcatDatasets, subjectsOfType, toNQuads, type DcatDatasetSummary } from './rdf.ts';
import { negotiate } from './routes.ts';

const SHAPES_DIR = path.join(REPO_ROOT, 'test/fixtures/dcat-ap-3.0.1');
const shapes = new Store(
  ['dcat-ap-SHACL.ttl', 'ranges.ttl'].flatMap((f) => new Parser().parse(fs.readFileSync(path.join(SHAPES_DIR, f), 'utf8'))),
);

async function shacl(quads: Quad[]) {
  const report = await new SHACLValidator(shapes).validate(new Store(quads));
  const violations = report.results.map(
    (r) => `${r.focusNode?.value} ${r.path?.value ?? ''}: ${r.message.map((m) => m.value).join('; ')} [${r.sourceShape?.value}]`,
  );
  return { conforms: report.conforms, violations };
}

async function assertConforms(quads: Quad[], what: string) {
  assert.ok(quads.length > 0, `${what}: an empty graph proves nothing`);
  const { conforms, violations } = await shacl(quads);
  assert.equal(conforms, true, `${what} does not conform to DCAT-AP 3.0.1:\n${violations.slice(0, 30).join('\n')}`);
}

const RDF_TYPE = `${NS.rdf}type`;
const objectsOf = (quads: Quad[], s: string, p: string) =>
  quads.filter((q) => q.subject.value === s && q.predicate.value === p).map((q) => q.object);

async function ttl(url: string): Promise<Quad[]> {
  const r = await anon.get(url);
  assert.equal(r.status, 200, r.text);
  assert.match(r.headers.get('content-type') ?? '', /^text\/turtle/);
  return parseDcat(r.text, 'text/turtle');
}
async function jld(url: string): Promise<Quad[]> {
  const r = await anon.get(url);
  assert.equal(r.status, 200, r.text);
  assert.match(r.headers.get('content-type') ?? '', /^application\/ld\+json/);
  return parseDcat(r.text, 'application/ld+json');
}
/** The graph in URDNA2015 canonical N-Quads (blank node labels normalized), to compare two serializations. */
async function canonical(quads: Quad[]): Promise<string> {
  return (await jsonld.canonize(
    toNQuads(quads) as never,
    { inputFormat: 'application/n-quads', algorithm: 'URDNA2015' } as never,
  )) as unknown as string;
}

let p: TestPlatform;
let anon: TestClient;
let admin: TestClient;
const visible: { id: string; code: string }[] = [];

before(async () => {
  p = await startTestPlatform({ publicUrl: 'https://data.example.gov.cn' }, { jobs: false });
  // SHUYUAN_PUBLIC_URL names the IRIs; the server itself listens on a local port.
  const addr = p.app.server.address();
  const local = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
  anon = new TestClient(local);
  admin = new TestClient(local);
  await admin.login('admin', DEMO_PASSWORD);
  const { rows } = await sql<{ id: string; code: string }>`select id, code from catalog_resources
    where status in ('published', 'updated') and open_mode in ('unconditional', 'conditional') order by code`.execute(p.ctx.db);
  visible.push(...rows);
});
after(() => p?.close());

const dsIri = (id: string) => `https://data.example.gov.cn/catalog/datasets/${id}`;

describe('DCAT-AP 3.0.1 conformance (official SHACL shapes)', () => {
  it('the whole demo catalog in Turtle conforms, with datasets, distributions (checksums) and data services', async () => {
    assert.ok(visible.length >= 3, 'the demo opens several datasets');
    const quads = await ttl('/catalog.ttl?pageSize=1000');
    await assertConforms(quads, 'catalog.ttl');
    assert.equal(subjectsOfType(quads, 'dcat:Dataset').length, visible.length);
    const dists = subjectsOfType(quads, 'dcat:Distribution');
    assert.ok(dists.length >= 5, 'published versions appear as distributions');
    assert.ok(
      quads.some((q) => q.predicate.value === `${NS.spdx}checksumValue` && /^[0-9a-f]{64}$/.test(q.object.value)),
      'the Parquet distribution carries the version SHA-256',
    );
    assert.deepEqual(
      subjectsOfType(quads, 'dcat:DataService').sort(),
      ['ckan', 'download', 'soda'].map((n) => `https://data.example.gov.cn/catalog#${n}-api`),
    );
  });

  it('the JSON-LD feed (read with jsonld.toRDF, no network) conforms and is the same graph as the Turtle', async () => {
    const fromJson = await jld('/catalog.jsonld?pageSize=1000');
    await assertConforms(fromJson, 'catalog.jsonld');
    const fromTtl = await ttl('/catalog.ttl?pageSize=1000');
    // The paging view IRIs name the document asked for; apart from them the two graphs are identical.
    const norm = (qs: Quad[]) =>
      qs.map((q) =>
        q.subject.value.includes('/catalog.') || q.object.value.includes('/catalog.')
          ? DataFactory.quad(
              DataFactory.namedNode(q.subject.value.replace(/\/catalog\.(jsonld|ttl)/, '/catalog.X')),
              q.predicate,
              q.object.termType === 'NamedNode'
                ? DataFactory.namedNode(q.object.value.replace(/\/catalog\.(jsonld|ttl)/, '/catalog.X'))
                : q.object,
            )
          : q,
      );
    const canon = await canonical(norm(fromJson));
    assert.ok(canon.split('\n').length > 500 && canon.includes(`<${NS.dcat}Dataset>`), 'the canonical form holds the graph');
    assert.equal(canon, await canonical(norm(fromTtl)));
  });

  it('a dataset document and a distribution document conform in both syntaxes', async () => {
    const withData = (
      await sql<{ id: string }>`select r.id from catalog_resources r join datasets d on d.resource_id = r.id
        where d.current_version is not null and r.status in ('published', 'updated') and r.open_mode = 'unconditional' limit 1`.execute(
        p.ctx.db,
      )
    ).rows[0]!.id;
    for (const fetchAs of [ttl, jld]) {
      const ext = fetchAs === ttl ? 'ttl' : 'jsonld';
      const ds = await fetchAs(`/catalog/datasets/${withData}.${ext}`);
      await assertConforms(ds, `dataset .${ext}`);
      assert.deepEqual(subjectsOfType(ds, 'dcat:Dataset'), [dsIri(withData)]);
      assert.equal(objectsOf(ds, dsIri(withData), `${NS.dcat}distribution`).length, 5, 'csv, json, xlsx, parquet and the query API');
      const dist = await fetchAs(`/catalog/datasets/${withData}/distributions/csv.${ext}`);
      await assertConforms(dist, `distribution .${ext}`);
      const d = `${dsIri(withData)}/distributions/csv`;
      const download = objectsOf(dist, d, `${NS.dcat}downloadURL`)[0]!.value;
      assert.match(download, /^https:\/\/data\.example\.gov\.cn\/api\/datasets\/[0-9a-f-]{36}\/download\?format=csv&version=\d+$/);
      assert.equal(objectsOf(dist, d, `${NS.dcat}mediaType`)[0]!.value, 'https://www.iana.org/assignments/media-types/text/csv');
    }
    // The download URL the feed names really serves the file to an anonymous visitor.
    const dist = await ttl(`/catalog/datasets/${withData}/distributions/csv.ttl`);
    const url = objectsOf(dist, `${dsIri(withData)}/distributions/csv`, `${NS.dcat}downloadURL`)[0]!.value;
    const file = await anon.get(url.replace('https://data.example.gov.cn', ''));
    assert.equal(file.status, 200, file.text);
    assert.match(file.headers.get('content-type') ?? '', /text\/csv/);
  });

  it('the theme concept scheme resolves and holds every dcat:theme concept of the feed', async () => {
    for (const fetchAs of [ttl, jld]) {
      const scheme = await fetchAs(fetchAs === ttl ? '/catalog/themes.ttl' : '/catalog/themes.jsonld');
      await assertConforms(scheme, 'theme scheme');
      const concepts = new Set(subjectsOfType(scheme, 'skos:Concept'));
      const feed = await ttl('/catalog.ttl?pageSize=1000');
      const used = feed.filter((q) => q.predicate.value === `${NS.dcat}theme`).map((q) => q.object.value);
      assert.ok(used.some((t) => t.startsWith('https://data.example.gov.cn/catalog/themes/')));
      for (const t of used) assert.ok(concepts.has(t), `${t} is in the scheme`);
    }
  });

  it('the validator runs: a dataset without a title, or a distribution without an access URL, does not conform', async () => {
    const quads = await ttl(`/catalog/datasets/${visible[0]!.id}.ttl`);
    const noTitle = quads.filter((q) => !(q.subject.value === dsIri(visible[0]!.id) && q.predicate.value === `${NS.dct}title`));
    const r1 = await shacl(noTitle);
    assert.equal(r1.conforms, false);
    assert.ok(
      r1.violations.some((v) => v.includes(`${NS.dct}title`)),
      r1.violations.join('\n'),
    );
    const badDist = [
      ...quads,
      DataFactory.quad(DataFactory.namedNode('urn:x:d'), DataFactory.namedNode(RDF_TYPE), DataFactory.namedNode(`${NS.dcat}Distribution`)),
    ];
    const r2 = await shacl(badDist);
    assert.equal(r2.conforms, false);
    assert.ok(
      r2.violations.some((v) => v.startsWith('urn:x:d') && v.includes(`${NS.dcat}accessURL`)),
      r2.violations.join('\n'),
    );
  });
});

describe('Hydra paging', () => {
  it('first/next/previous/last walk the whole catalog once; page size is bounded', async () => {
    const seen: string[] = [];
    let url: string | undefined = '/catalog.ttl?page=1&pageSize=2';
    let pages = 0;
    let last = '';
    while (url) {
      const quads = await ttl(url);
      const view = objectsOf(quads, 'https://data.example.gov.cn/catalog', `${NS.hydra}view`)[0]!.value;
      assert.equal(view, `https://data.example.gov.cn${url}`);
      const link = (rel: string) => objectsOf(quads, view, `${NS.hydra}${rel}`)[0]?.value;
      assert.equal(link('first'), 'https://data.example.gov.cn/catalog.ttl?page=1&pageSize=2');
      if (pages === 0) assert.equal(link('previous'), undefined);
      else assert.equal(link('previous'), `https://data.example.gov.cn/catalog.ttl?page=${pages}&pageSize=2`);
      last = link('last')!;
      const total = Number(objectsOf(quads, 'https://data.example.gov.cn/catalog', `${NS.hydra}totalItems`)[0]!.value);
      assert.equal(total, visible.length);
      const ds = objectsOf(quads, 'https://data.example.gov.cn/catalog', `${NS.dcat}dataset`).map((o) => o.value);
      assert.ok(ds.length <= 2 && ds.length > 0);
      // The same page by its number (offset) holds the same datasets as the keyset page the walk followed.
      const byNumber = await ttl(`/catalog.ttl?page=${pages + 1}&pageSize=2`);
      assert.deepEqual(
        objectsOf(byNumber, 'https://data.example.gov.cn/catalog', `${NS.dcat}dataset`).map((o) => o.value),
        ds,
      );
      seen.push(...ds);
      pages++;
      const next = link('next');
      if (next)
        assert.match(next, new RegExp(`^https://data\\.example\\.gov\\.cn/catalog\\.ttl\\?page=${pages + 1}&pageSize=2&after=[A-Z]`));
      url = next?.replace('https://data.example.gov.cn', '');
    }
    assert.equal(last, `https://data.example.gov.cn/catalog.ttl?page=${pages}&pageSize=2`);
    assert.equal(pages, Math.ceil(visible.length / 2));
    assert.deepEqual(
      seen,
      visible.map((v) => dsIri(v.id)),
      'every visible dataset once, in code order',
    );

    const tooBig = await anon.get('/catalog.jsonld?pageSize=1001');
    assert.equal(tooBig.status, 400);
    assert.equal(tooBig.body.error.code, 'VALIDATION_FAILED', tooBig.text);
    const zero = await anon.get('/catalog.jsonld?page=0');
    assert.equal(zero.status, 400);
    const badCursor = await anon.get(`/catalog.jsonld?after=${encodeURIComponent("x' or 1=1 --")}`);
    assert.equal(badCursor.status, 400);
    // Past the end: an empty page whose previous link is the last page.
    const past = await ttl(`/catalog.ttl?page=${pages + 5}&pageSize=2`);
    assert.equal(objectsOf(past, 'https://data.example.gov.cn/catalog', `${NS.dcat}dataset`).length, 0);
    const pastView = objectsOf(past, 'https://data.example.gov.cn/catalog', `${NS.hydra}view`)[0]!.value;
    assert.equal(objectsOf(past, pastView, `${NS.hydra}previous`)[0]!.value, last);
    assert.equal(objectsOf(past, pastView, `${NS.hydra}next`).length, 0);
    const defaults = await jld('/catalog.jsonld');
    const view = objectsOf(defaults, 'https://data.example.gov.cn/catalog', `${NS.hydra}view`)[0]!.value;
    assert.equal(view, 'https://data.example.gov.cn/catalog.jsonld?page=1&pageSize=100');
  });
});

describe('content negotiation', () => {
  it('/catalog answers JSON-LD by default and Turtle when asked; 406 when neither is acceptable', async () => {
    const none = await anon.get('/catalog', { accept: '' });
    assert.equal(none.status, 200);
    assert.match(none.headers.get('content-type')!, /^application\/ld\+json/);
    assert.match(none.headers.get('vary') ?? '', /accept/i);
    const any = await anon.get('/catalog', { accept: '*/*' });
    assert.match(any.headers.get('content-type')!, /^application\/ld\+json/);
    const turtle = await anon.get('/catalog', { accept: 'application/ld+json;q=0.5, text/turtle' });
    assert.match(turtle.headers.get('content-type')!, /^text\/turtle/);
    assert.ok((await parseDcat(turtle.text, 'text/turtle')).length > 0);
    const xml = await anon.get('/catalog', { accept: 'application/rdf+xml' });
    assert.equal(xml.status, 406);
    assert.equal(xml.body.error.code, 'DCAT_NOT_ACCEPTABLE');
    const ds = await anon.get(`/catalog/datasets/${visible[0]!.id}`, { accept: 'text/turtle' });
    assert.match(ds.headers.get('content-type')!, /^text\/turtle/);
    // A browser navigating to /catalog (the web app's catalog page) gets the web app when it is built, else JSON-LD.
    const browser = await anon.get('/catalog', { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' });
    assert.equal(browser.status, 200);
    const built = fs.existsSync(path.join(REPO_ROOT, 'web/dist/index.html'));
    assert.match(browser.headers.get('content-type')!, built ? /^text\/html/ : /^application\/ld\+json/);
    assert.equal(negotiate('text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8'), 'html');
    assert.equal(negotiate('text/html'), 'html');
    assert.equal(negotiate('text/*'), 'ttl');
    assert.equal(negotiate('application/ld+json;q=0, text/turtle;q=0'), null);
    assert.equal(negotiate('application/json'), 'jsonld');
    assert.equal(negotiate('image/png'), null);
  });
});

describe('only the anonymous view of the catalog', () => {
  it('drafts, 不予开放 resources and a withdrawn resource never appear, and their documents are 404', async () => {
    const hidden = (
      await sql<{ id: string }>`select id from catalog_resources
        where not (status in ('published', 'updated') and open_mode in ('unconditional', 'conditional'))`.execute(p.ctx.db)
    ).rows.map((r) => r.id);
    assert.ok(hidden.length > 0, 'the demo has non-open and unpublished resources');
    const victim = visible.at(-1)!;
    const w = await admin.post(`/api/catalog/resources/${victim.id}/transitions`, { to: 'withdrawn', comment: '测试撤回' });
    assert.equal(w.status, 200, w.text);
    for (const fetchAs of [ttl, jld]) {
      const quads = await fetchAs(fetchAs === ttl ? '/catalog.ttl?pageSize=1000' : '/catalog.jsonld?pageSize=1000');
      const datasets = new Set(subjectsOfType(quads, 'dcat:Dataset'));
      for (const id of [...hidden, victim.id]) assert.ok(!datasets.has(dsIri(id)), `${id} must not be in the feed`);
      assert.equal(datasets.size, visible.length - 1);
    }
    for (const id of [hidden[0]!, victim.id, '00000000-0000-0000-0000-000000000000', 'not-a-uuid']) {
      const r = await anon.get(`/catalog/datasets/${id}.ttl`);
      assert.equal(r.status, 404, r.text);
      assert.equal(r.body.error.code, 'DCAT_DATASET_NOT_FOUND');
    }
    const nodist = await anon.get(`/catalog/datasets/${visible[0]!.id}/distributions/exe.jsonld`);
    assert.equal(nodist.status, 404);
    visible.pop();
  });
});

describe('literals', () => {
  it('Chinese and English literals are language-tagged; access rights follow 无条件/有条件开放', async () => {
    const quads = await ttl('/catalog.ttl?pageSize=1000');
    const titles = quads.filter(
      (q) => q.predicate.value === `${NS.dct}title` && subjectsOfType(quads, 'dcat:Dataset').includes(q.subject.value),
    );
    assert.ok(titles.length > visible.length, 'titles in both languages');
    for (const t of titles) {
      assert.equal(t.object.termType, 'Literal');
      const lang = (t.object as { language: string }).language;
      assert.ok(lang === 'zh' || lang === 'en', `${t.object.value} has language ${lang}`);
      if (lang === 'zh') assert.match(t.object.value, /\p{Script=Han}/u);
    }
    const modes = (
      await sql<{
        id: string;
        open_mode: string;
      }>`select id, open_mode from catalog_resources where id = any(${visible.map((v) => v.id)}::uuid[])`.execute(p.ctx.db)
    ).rows;
    assert.ok(modes.some((m) => m.open_mode === 'conditional') && modes.some((m) => m.open_mode === 'unconditional'));
    for (const m of modes) {
      const rights = objectsOf(quads, dsIri(m.id), `${NS.dct}accessRights`).map((o) => o.value);
      assert.deepEqual(rights, [
        `http://publications.europa.eu/resource/authority/access-right/${m.open_mode === 'conditional' ? 'RESTRICTED' : 'PUBLIC'}`,
      ]);
    }
    const issued = quads.find((q) => q.predicate.value === `${NS.dct}modified` && q.subject.value === dsIri(visible[0]!.id))!;
    assert.equal((issued.object as { datatype: { value: string } }).datatype.value, `${NS.xsd}dateTime`);
  });

  it('metadata with markup and quote characters comes back unchanged from Turtle and JSON-LD, never as raw </script>', async () => {
    const evil = '养老</script><script>alert("x")</script> > "引号" \\ \n第二行';
    const target = visible[0]!;
    // Set directly: the catalog API's own validation is not what this test is about; the feed must survive any text.
    await sql`update catalog_resources set name_zh = ${evil}, keywords = ${[evil, 'a"b>c']}::text[],
      license = ${'许可</script>"> 协议'}, contact_email = ${'x@y.cn>"<script>'}, spatial_coverage = ${evil}
      where id = ${target.id}`.execute(p.ctx.db);
    const jsonText = (await anon.get(`/catalog/datasets/${target.id}.jsonld`)).text;
    assert.ok(!jsonText.includes('</script>') && !jsonText.includes('<'), 'JSON-LD escapes < as \\u003c');
    const ttlText = (await anon.get(`/catalog/datasets/${target.id}.ttl`)).text;
    for (const quads of [await parseDcat(jsonText, 'application/ld+json'), await parseDcat(ttlText, 'text/turtle')]) {
      const zh = objectsOf(quads, dsIri(target.id), `${NS.dct}title`).filter((o) => (o as { language: string }).language === 'zh');
      assert.deepEqual(
        zh.map((o) => o.value),
        [evil],
      );
      const kws = objectsOf(quads, dsIri(target.id), `${NS.dcat}keyword`).map((o) => o.value);
      assert.deepEqual(kws.sort(), [evil, 'a"b>c'].sort());
      // Text that ends up in an IRI is percent-encoded (licence) or dropped when it is no e-mail address.
      const licence = objectsOf(quads, dsIri(target.id), `${NS.dct}license`)[0]!.value;
      assert.equal(licence, `https://data.example.gov.cn/catalog/licenses/${encodeURIComponent('许可</script>"> 协议')}`);
      assert.deepEqual(
        objectsOf(quads, licence, `${NS.dct}title`).map((o) => o.value),
        ['许可</script>"> 协议'],
      );
      const contact = objectsOf(quads, dsIri(target.id), `${NS.dcat}contactPoint`)[0]!.value;
      assert.deepEqual(objectsOf(quads, contact, `${NS.vcard}hasEmail`), []);
      const place = objectsOf(quads, dsIri(target.id), `${NS.dct}spatial`)[0]!.value;
      assert.deepEqual(
        objectsOf(quads, place, `${NS.skos}prefLabel`).map((o) => o.value),
        [evil],
      );
      await assertConforms(quads, 'dataset with markup in its metadata');
    }
  });
});

describe('parseDcat (RDF in, for harvesting)', () => {
  it('a harvester walks the JSON-LD feed by hydra:next and reads back every open dataset with its distributions', async () => {
    const found: DcatDatasetSummary[] = [];
    let url: string | null = 'https://data.example.gov.cn/catalog.jsonld?pageSize=3';
    while (url) {
      const quads = await jld(url.replace('https://data.example.gov.cn', ''));
      found.push(...readDcatDatasets(quads));
      url = hydraNext(quads);
    }
    const { rows } = await sql<{ id: string; code: string; name_zh: string; sha256: string | null; bytes: string | null }>`
      select r.id, r.code, r.name_zh, v.sha256, v.bytes::text as bytes from catalog_resources r
      left join datasets d on d.resource_id = r.id left join dataset_versions v on v.dataset_id = d.id and v.version = d.current_version
      where r.status in ('published', 'updated') and r.open_mode in ('unconditional', 'conditional') order by r.code`.execute(p.ctx.db);
    // Within a page, RDF has no order: compare the sets (each once).
    assert.deepEqual(found.map((d) => d.identifier).sort(), rows.map((r) => r.code).sort());
    for (const r of rows) {
      const d = found.find((x) => x.identifier === r.code)!;
      assert.equal(d.iri, dsIri(r.id));
      assert.deepEqual(
        d.title.filter((t) => t.lang === 'zh').map((t) => t.value),
        [r.name_zh],
      );
      const parquet = d.distributions.find((x) => x.mediaType?.endsWith('/application/vnd.apache.parquet'));
      if (r.sha256) {
        assert.equal(d.distributions.length, 5);
        assert.equal(parquet?.checksumSha256, r.sha256);
        assert.equal(parquet?.byteSize, Number(r.bytes));
        assert.match(parquet!.downloadUrl!, /format=parquet&version=\d+$/);
      } else assert.deepEqual(d.distributions, []);
    }
  });

  it('refuses remote JSON-LD contexts without fetching, malformed input, and unknown content types', async () => {
    await assert.rejects(
      parseDcat(
        JSON.stringify({ '@context': 'http://169.254.169.254/latest/meta-data/', '@id': 'urn:x', 'urn:p': 'v' }),
        'application/ld+json',
      ),
      (e: unknown) => e instanceof RdfParseError && /remote JSON-LD context refused/.test(e.message),
    );
    const inline = await parseDcat(
      JSON.stringify({ '@context': 'https://example.org/ctx', '@id': 'urn:x', p: 'v' }),
      'application/ld+json; charset=utf-8',
      { contexts: { 'https://example.org/ctx': { '@context': { p: 'urn:p' } } } },
    );
    assert.equal(inline.length, 1);
    await assert.rejects(parseDcat('{"@id": ', 'application/ld+json'), RdfParseError);
    await assert.rejects(parseDcat('<a> <b> ', 'text/turtle'), RdfParseError);
    await assert.rejects(parseDcat('x', 'application/rdf+xml'), RdfParseError);
    await assert.rejects(
      parseDcat('<urn:a> <urn:b> <urn:c> . <urn:a> <urn:b> <urn:d> .', 'text/turtle', { maxQuads: 1 }),
      /too many triples/,
    );
  });
});

describe('a revision of a published dataset', () => {
  it('the feed keeps the published metadata while a revision is pending; once published, the new title and RESTRICTED access appear', async () => {
    const { id } = (
      await sql<{ id: string }>`select r.id from catalog_resources r join datasets d on d.resource_id = r.id
        where d.current_version is not null and r.status = 'published' and r.open_mode = 'unconditional'
        and r.id <> ${visible[0]!.id} order by r.code limit 1`.execute(p.ctx.db)
    ).rows[0]!;
    const cur = await admin.get(`/api/catalog/resources/${id}`);
    assert.equal(cur.status, 200, cur.text);
    const oldName = cur.body.nameZh as string;
    let r = await admin.patch(`/api/catalog/resources/${id}`, {
      lockVersion: cur.body.lockVersion,
      nameZh: `${oldName}（修订）`,
      openMode: 'conditional',
      openConditions: '仅限科研用途，需签署数据使用协议',
      comment: '改为有条件开放',
    });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.status, 'updated');
    const title = async () =>
      objectsOf(await ttl(`/catalog/datasets/${id}.ttl`), dsIri(id), `${NS.dct}title`)
        .filter((o) => (o as { language: string }).language === 'zh')
        .map((o) => o.value);
    assert.deepEqual(await title(), [oldName], 'the pending revision is not published');
    for (const to of ['submitted', 'approved', 'published']) {
      r = await admin.post(`/api/catalog/resources/${id}/transitions`, { to, comment: `修订${to}` });
      assert.equal(r.status, 200, r.text);
    }
    assert.deepEqual(await title(), [`${oldName}（修订）`]);
    const quads = await ttl(`/catalog/datasets/${id}.ttl`);
    await assertConforms(quads, 'a conditional dataset with distributions');
    assert.deepEqual(
      objectsOf(quads, dsIri(id), `${NS.dct}accessRights`).map((o) => o.value),
      ['http://publications.europa.eu/resource/authority/access-right/RESTRICTED'],
    );
    const rights = objectsOf(quads, `${dsIri(id)}/distributions/csv`, `${NS.dct}rights`)[0]!;
    assert.deepEqual(
      objectsOf(quads, rights.value, `${NS.rdfs}label`).map((o) => o.value),
      ['仅限科研用途，需签署数据使用协议'],
    );
  });
});
