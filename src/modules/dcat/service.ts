// The catalog as DCAT-AP 3.0.1 (issue 7 §7; docs/portal-dcat.md): one RDF graph per document (a catalog page,
// one dataset, one distribution), serialized as Turtle or JSON-LD by ./rdf.ts so both say the same thing.
// Only what an anonymous visitor sees is described (./repository.ts).
import type { Quad } from 'n3';
import type { AppContext } from '../../context.ts';
import { AppError } from '../../errors.ts';
import { TtlCache } from '../../ttl-cache.ts';
import { Graph, iri } from './rdf.ts';
import { DcatRepository, type CategoryRow, type DcatResourceRow, type OrgRow } from './repository.ts';
import {
  ACCESS_RIGHT,
  CATEGORY_TO_EU_THEME,
  DATA_THEMES,
  DISTRIBUTION_FORMATS,
  EU,
  FREQUENCY,
  LANGUAGES,
  dataThemeIri,
  fileTypeIri,
  frequencyIri,
  hasHan,
  licenceOf,
  mediaTypeIri,
} from './vocab.ts';
import './messages.ts';

export const DEFAULT_PAGE_SIZE = 100;
export const MAX_PAGE_SIZE = 1000;
export const COUNT_TTL_MS = 10_000;

export type FeedFormat = 'jsonld' | 'ttl';

export interface PageRequest {
  page: number;
  pageSize: number;
  /** Keyset: the resource code the previous page ended with (the `next` links carry it; ?page= alone is an offset). */
  after?: string;
  /** The URL path of the document asked for (/catalog, /catalog.jsonld, /catalog.ttl): paging links keep it. */
  path: string;
}

/** The IRIs the feed mints (all under the public base URL). */
export class DcatIris {
  constructor(readonly base: string) {}
  catalog = () => `${this.base}/catalog`;
  dataset = (resourceId: string) => `${this.base}/catalog/datasets/${resourceId}`;
  distribution = (resourceId: string, format: string) => `${this.dataset(resourceId)}/distributions/${format}`;
  landingPage = (code: string) => `${this.base}/data/datasets/${encodeURIComponent(code)}`;
  publisher = (orgCode: string) => `${this.base}/catalog/publishers/${encodeURIComponent(orgCode)}`;
  themeScheme = () => `${this.base}/catalog/themes`;
  theme = (code: string) => `${this.themeScheme()}/${encodeURIComponent(code)}`;
  tableSchema = (resourceId: string) => `${this.base}/api/catalog/resources/${resourceId}/table-schema`;
  download = (datasetId: string, format: string, version: number) =>
    `${this.base}/api/datasets/${datasetId}/download?format=${format}&version=${version}`;
  soda = (datasetId: string) => `${this.base}/resource/${datasetId}.json`;
  service = (name: 'soda' | 'ckan' | 'download') => `${this.catalog()}#${name}-api`;
}

interface Shared {
  iris: DcatIris;
  authority: OrgRow;
  categories: Map<string, CategoryRow>;
}

export class DcatService {
  readonly repo = new DcatRepository();
  /** hydra:totalItems: a count over the whole open catalog (a scan at 400k resources), kept for COUNT_TTL_MS. */
  readonly #count = new TtlCache<string, number>(COUNT_TTL_MS, 1);
  constructor(private readonly ctx: AppContext) {}

  private async shared(base: string): Promise<Shared> {
    const [authority, cats] = await Promise.all([this.repo.authority(this.ctx.db), this.repo.categories(this.ctx.db)]);
    return {
      iris: new DcatIris(base),
      authority: authority ?? { code: 'AUTHORITY', name_zh: this.ctx.config.platformName, name_en: '' },
      categories: new Map(cats.map((c) => [c.code, c])),
    };
  }

  /** One page of the catalog with its hydra:PartialCollectionView links. */
  async catalogPage(base: string, req: PageRequest): Promise<{ quads: Quad[]; total: number; lastPage: number }> {
    const s = await this.shared(base);
    const [total, fetched] = await Promise.all([
      this.#count.get('n', () => this.repo.count(this.ctx.db)),
      this.repo.page(this.ctx.db, req.pageSize + 1, req.after ? { after: req.after } : { offset: (req.page - 1) * req.pageSize }),
    ]);
    // `next` follows the rows themselves (one row more than the page), never the cached count, so a walk
    // through the pages cannot stop early; `last` is the larger of what the count and the rows say.
    const hasMore = fetched.length > req.pageSize;
    const rows = fetched.slice(0, req.pageSize);
    const lastPage = Math.max(1, Math.ceil(total / req.pageSize), hasMore ? req.page + 1 : rows.length ? req.page : 1);
    const g = new Graph();
    const cat = s.iris.catalog();
    const a = s.authority;
    g.type(cat, 'dcat:Catalog', 'hydra:Collection')
      .text(cat, 'dct:title', `${a.name_zh}公共数据开放目录`, 'zh')
      .text(cat, 'dct:title', a.name_en ? `${a.name_en} open data catalogue` : 'Open data catalogue', 'en')
      .text(cat, 'dct:description', `${a.name_zh}依法向社会开放的公共数据资源（无条件开放和有条件开放），按 DCAT-AP 3.0.1 描述。`, 'zh')
      .text(cat, 'dct:description', 'Public data opened to society (unconditionally or on conditions), described in DCAT-AP 3.0.1.', 'en')
      .ref(cat, 'foaf:homepage', `${base}/`)
      .type(`${base}/`, 'foaf:Document')
      .ref(cat, 'dcat:themeTaxonomy', s.iris.themeScheme())
      .ref(cat, 'dcat:themeTaxonomy', `${EU}data-theme`)
      .typed(cat, 'hydra:totalItems', String(total), 'xsd:nonNegativeInteger');
    this.publisher(g, cat, s.iris.publisher(a.code), a);
    this.languages(g, cat);
    this.themeScheme(g, s);
    for (const name of ['soda', 'ckan', 'download'] as const) g.ref(cat, 'dcat:service', s.iris.service(name));
    this.services(g, s);

    // Hydra paging: the view is this page's URL; first/last always, previous/next when they exist. `next`
    // carries the last code of this page (keyset: walking the whole catalog stays linear); first, previous and
    // last are page numbers (offset).
    const pageUrl = (n: number, after?: string) =>
      `${base}${req.path}?page=${n}&pageSize=${req.pageSize}${after ? `&after=${encodeURIComponent(after)}` : ''}`;
    const view = pageUrl(req.page, req.after);
    g.ref(cat, 'hydra:view', view).type(view, 'hydra:PartialCollectionView');
    g.ref(view, 'hydra:first', pageUrl(1)).ref(view, 'hydra:last', pageUrl(lastPage));
    if (req.page > 1) g.ref(view, 'hydra:previous', pageUrl(Math.min(req.page - 1, lastPage)));
    if (hasMore) g.ref(view, 'hydra:next', pageUrl(req.page + 1, rows.at(-1)!.code));

    for (const r of rows) {
      g.ref(cat, 'dcat:dataset', s.iris.dataset(r.id));
      this.dataset(g, s, r);
    }
    return { quads: g.quads, total, lastPage };
  }

  /** The category dictionary as a SKOS concept scheme (the IRIs of dcat:theme resolve here). */
  async themesGraph(base: string): Promise<Quad[]> {
    const g = new Graph();
    this.themeScheme(g, await this.shared(base));
    return g.quads;
  }

  /** One dataset with its distributions (404 unless anonymous visitors see it). */
  async datasetGraph(base: string, resourceId: string): Promise<Quad[]> {
    const r = await this.load(resourceId);
    const s = await this.shared(base);
    const g = new Graph();
    this.services(g, s);
    this.dataset(g, s, r);
    return g.quads;
  }

  /** One distribution (a download format or the query API) of a dataset, with what it refers to. */
  async distributionGraph(base: string, resourceId: string, format: string): Promise<Quad[]> {
    const r = await this.load(resourceId);
    const s = await this.shared(base);
    const g = new Graph();
    this.services(g, s);
    this.dataset(g, s, r);
    const root = s.iris.distribution(r.id, format);
    if (!g.has(root)) throw new AppError(404, 'DCAT_DISTRIBUTION_NOT_FOUND', { id: resourceId, distribution: format });
    return reachable(g.quads, root);
  }

  private async load(resourceId: string): Promise<DcatResourceRow> {
    const r = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(resourceId)
      ? await this.repo.byId(this.ctx.db, resourceId)
      : undefined;
    if (!r) throw new AppError(404, 'DCAT_DATASET_NOT_FOUND', { id: resourceId });
    return r;
  }

  // ------------------------------------------------------------------------------------------ nodes

  private publisher(g: Graph, subject: string, agent: string, org: OrgRow) {
    g.ref(subject, 'dct:publisher', agent)
      .type(agent, 'foaf:Agent', 'foaf:Organization')
      .text(agent, 'foaf:name', org.name_zh, 'zh')
      .text(agent, 'foaf:name', org.name_en, 'en')
      .str(agent, 'dct:identifier', org.code);
  }

  private languages(g: Graph, subject: string) {
    for (const l of Object.values(LANGUAGES)) {
      g.ref(subject, 'dct:language', l.iri).type(l.iri, 'dct:LinguisticSystem').text(l.iri, 'skos:prefLabel', l.zh, 'zh');
      g.text(l.iri, 'skos:prefLabel', l.en, 'en');
    }
  }

  /** Our category dictionary as a SKOS concept scheme, each concept linked to the nearest EU data theme. */
  private themeScheme(g: Graph, s: Shared) {
    const scheme = s.iris.themeScheme();
    g.type(scheme, 'skos:ConceptScheme')
      .text(scheme, 'dct:title', '数据资源目录分类（基础库与主题领域）', 'zh')
      .text(scheme, 'dct:title', 'Data resource catalogue categories (base libraries and domains)', 'en');
    for (const c of s.categories.values()) this.theme(g, s, c.code);
    const eu = `${EU}data-theme`;
    g.type(eu, 'skos:ConceptScheme').text(eu, 'dct:title', 'Data theme', 'en');
  }

  private theme(g: Graph, s: Shared, code: string): string | null {
    const c = s.categories.get(code);
    if (!c) return null;
    const t = s.iris.theme(code);
    g.type(t, 'skos:Concept')
      .text(t, 'skos:prefLabel', c.name_zh, 'zh')
      .text(t, 'skos:prefLabel', c.name_en, 'en')
      .str(t, 'skos:notation', c.code)
      .ref(t, 'skos:inScheme', s.iris.themeScheme());
    const eu = CATEGORY_TO_EU_THEME[code];
    if (eu) {
      g.ref(t, 'skos:closeMatch', dataThemeIri(eu));
      this.euTheme(g, eu);
    }
    return t;
  }

  private euTheme(g: Graph, code: string) {
    const t = dataThemeIri(code);
    g.type(t, 'skos:Concept').text(t, 'skos:prefLabel', DATA_THEMES[code], 'en').ref(t, 'skos:inScheme', `${EU}data-theme`);
    g.type(`${EU}data-theme`, 'skos:ConceptScheme').text(`${EU}data-theme`, 'dct:title', 'Data theme', 'en');
    return t;
  }

  /** The three APIs as dcat:DataService. */
  private services(g: Graph, s: Shared) {
    const b = s.iris.base;
    const docs = `${b}/api/docs`;
    const svc = (name: 'soda' | 'ckan' | 'download', zh: string, en: string, endpoint: string, descZh: string, descEn: string) => {
      const id = s.iris.service(name);
      g.type(id, 'dcat:DataService')
        .text(id, 'dct:title', zh, 'zh')
        .text(id, 'dct:title', en, 'en')
        .text(id, 'dct:description', descZh, 'zh')
        .text(id, 'dct:description', descEn, 'en')
        .ref(id, 'dcat:endpointURL', endpoint)
        .ref(id, 'dcat:endpointDescription', docs)
        // The 3.0.1 range shapes ask sh:class rdfs:Resource of these two; without RDFS inference that is a type triple.
        .type(endpoint, 'rdfs:Resource')
        .type(docs, 'rdfs:Resource')
        .ref(id, 'dct:accessRights', ACCESS_RIGHT.unconditional.iri);
      this.accessRight(g, 'unconditional');
      this.publisher(g, id, s.iris.publisher(s.authority.code), s.authority);
      return id;
    };
    svc(
      'soda',
      '数据查询接口（SODA 风格）',
      'Query API (SODA style)',
      `${b}/resource/`,
      'GET /resource/{数据集编号}.json|.csv：$select、$where、$order、$group、$limit 等 SoQL 参数查询已发布版本。',
      'GET /resource/{dataset-id}.json|.csv with SoQL parameters ($select, $where, $order, $group, $limit …) over the published version.',
    );
    const ckan = svc(
      'ckan',
      'CKAN Action API v3（只读）',
      'CKAN Action API v3 (read subset)',
      `${b}/api/3/action/`,
      '与 CKAN 兼容的只读接口：package_search、package_show、datastore_search 等。',
      'CKAN-compatible read API: package_search, package_show, datastore_search and more.',
    );
    g.ref(ckan, 'dct:conformsTo', 'https://docs.ckan.org/en/2.11/api/').type('https://docs.ckan.org/en/2.11/api/', 'dct:Standard');
    g.text('https://docs.ckan.org/en/2.11/api/', 'dct:title', 'CKAN API (Action API v3)', 'en');
    svc(
      'download',
      '数据下载接口',
      'Download API',
      `${b}/api/datasets/`,
      'GET /api/datasets/{数据集编号}/download?format=csv|json|xlsx|parquet&version=N：下载某一版本的数据文件。',
      'GET /api/datasets/{dataset-id}/download?format=csv|json|xlsx|parquet&version=N: a version as a file.',
    );
  }

  private accessRight(g: Graph, mode: 'unconditional' | 'conditional') {
    const a = ACCESS_RIGHT[mode];
    g.type(a.iri, 'dct:RightsStatement').text(a.iri, 'rdfs:label', a.zh, 'zh').text(a.iri, 'rdfs:label', a.en, 'en');
    return a.iri;
  }

  private dataset(g: Graph, s: Shared, r: DcatResourceRow) {
    const ds = s.iris.dataset(r.id);
    g.type(ds, 'dcat:Dataset')
      .str(ds, 'dct:identifier', r.code)
      .text(ds, 'dct:title', r.name_zh, 'zh')
      .text(ds, 'dct:title', r.name_en, 'en')
      .text(ds, 'dct:description', r.abstract_zh.trim() ? r.abstract_zh : r.name_zh, 'zh')
      .text(ds, 'dct:description', r.abstract_en, 'en');
    const landing = s.iris.landingPage(r.code);
    g.ref(ds, 'dcat:landingPage', landing).type(landing, 'foaf:Document');
    this.publisher(g, ds, s.iris.publisher(r.org_code), { code: r.org_code, name_zh: r.org_name_zh, name_en: r.org_name_en });

    for (const code of new Set([r.subject_category, r.domain_category])) {
      const t = this.theme(g, s, code);
      if (t) g.ref(ds, 'dcat:theme', t);
      const eu = CATEGORY_TO_EU_THEME[code];
      if (eu) g.ref(ds, 'dcat:theme', this.euTheme(g, eu));
    }
    for (const k of r.keywords) g.text(ds, 'dcat:keyword', k, hasHan(k) ? 'zh' : 'en');

    const freq = frequencyIri(r.update_frequency);
    g.ref(ds, 'dct:accrualPeriodicity', freq)
      .type(freq, 'dct:Frequency')
      .text(freq, 'skos:prefLabel', FREQUENCY[r.update_frequency].label, 'en');
    g.ref(ds, 'dct:accessRights', this.accessRight(g, r.open_mode));

    if (r.spatial_coverage.trim()) {
      const loc = g.blank();
      g.ref(ds, 'dct:spatial', loc)
        .type(loc, 'dct:Location')
        .text(loc, 'skos:prefLabel', r.spatial_coverage, hasHan(r.spatial_coverage) ? 'zh' : 'en');
    }
    if (r.temporal_start || r.temporal_end) {
      const pt = g.blank();
      g.ref(ds, 'dct:temporal', pt).type(pt, 'dct:PeriodOfTime');
      if (r.temporal_start) g.typed(pt, 'dcat:startDate', r.temporal_start, 'xsd:date');
      if (r.temporal_end) g.typed(pt, 'dcat:endDate', r.temporal_end, 'xsd:date');
    }
    const licence = licenceOf(r.license, s.iris.base);
    if (licence) {
      g.ref(ds, 'dct:license', licence.iri)
        .type(licence.iri, 'dct:LicenseDocument')
        .text(licence.iri, 'dct:title', licence.title, licence.lang);
    }
    this.contact(g, ds, r);

    if (r.release_date) g.typed(ds, 'dct:issued', r.release_date, 'xsd:date');
    else if (r.published_at) g.typed(ds, 'dct:issued', r.published_at.toISOString(), 'xsd:dateTime');
    const modified = [r.metadata_modified, r.version_created_at, r.published_at]
      .filter((d): d is Date => d instanceof Date)
      .sort((x, y) => y.getTime() - x.getTime())[0];
    if (modified) g.typed(ds, 'dct:modified', modified.toISOString(), 'xsd:dateTime');
    g.ref(ds, 'dct:language', LANGUAGES.zh.iri).type(LANGUAGES.zh.iri, 'dct:LinguisticSystem');
    g.text(LANGUAGES.zh.iri, 'skos:prefLabel', LANGUAGES.zh.zh, 'zh').text(LANGUAGES.zh.iri, 'skos:prefLabel', LANGUAGES.zh.en, 'en');

    if (r.dataset_id && r.version !== null) this.distributions(g, s, r, ds, licence?.iri ?? null);
  }

  private contact(g: Graph, ds: string, r: DcatResourceRow) {
    const c = g.blank();
    g.ref(ds, 'dcat:contactPoint', c).type(c, 'vcard:Kind', 'vcard:Organization');
    g.text(c, 'vcard:fn', r.contact_name.trim() || r.org_name_zh, 'zh');
    g.text(c, 'vcard:organization-name', r.org_name_zh, 'zh').text(c, 'vcard:organization-name', r.org_name_en, 'en');
    const email = r.contact_email.trim();
    if (/^[^\s@<>"]+@[^\s@<>"]+$/.test(email)) g.ref(c, 'vcard:hasEmail', `mailto:${encodeURI(email)}`);
    const phone = r.contact_phone.replace(/[^0-9+]/g, '');
    if (phone.length >= 3) g.ref(c, 'vcard:hasTelephone', `tel:${phone}`);
  }

  private distributions(g: Graph, s: Shared, r: DcatResourceRow, ds: string, licence: string | null) {
    const version = r.version!;
    const did = r.dataset_id!;
    const issued = r.version_created_at!.toISOString();
    const schema = s.iris.tableSchema(r.id);
    g.type(schema, 'dct:Standard')
      .text(schema, 'dct:title', `${r.name_zh}的表结构（Frictionless Table Schema）`, 'zh')
      .text(schema, 'dct:title', 'Frictionless Table Schema of the dataset', 'en');
    const common = (d: string) => {
      g.ref(ds, 'dcat:distribution', d).type(d, 'dcat:Distribution');
      g.ref(d, 'dct:conformsTo', schema).typed(d, 'dct:issued', issued, 'xsd:dateTime').typed(d, 'dct:modified', issued, 'xsd:dateTime');
      if (licence) g.ref(d, 'dct:license', licence);
      if (r.open_mode === 'conditional' && r.open_conditions.trim()) {
        const rights = g.blank();
        g.ref(d, 'dct:rights', rights).type(rights, 'dct:RightsStatement').text(rights, 'rdfs:label', r.open_conditions, 'zh');
      }
    };
    const fileType = (d: string, ft: string, mt: string) => {
      g.ref(d, 'dct:format', fileTypeIri(ft)).type(fileTypeIri(ft), 'dct:MediaTypeOrExtent');
      g.ref(d, 'dcat:mediaType', mediaTypeIri(mt)).type(mediaTypeIri(mt), 'dct:MediaType');
    };
    for (const f of DISTRIBUTION_FORMATS) {
      const d = s.iris.distribution(r.id, f.format);
      const url = s.iris.download(did, f.format, version);
      common(d);
      g.text(d, 'dct:title', `${r.name_zh}（${f.zh}，第 ${version} 版）`, 'zh');
      if (r.name_en) g.text(d, 'dct:title', `${r.name_en} (${f.en}, version ${version})`, 'en');
      g.ref(d, 'dcat:accessURL', url).ref(d, 'dcat:downloadURL', url).ref(d, 'dcat:accessService', s.iris.service('download'));
      fileType(d, f.fileType, f.mediaType);
      if (f.format === 'parquet' && r.sha256 && r.bytes !== null) {
        // The version's own file (its content address); see docs/portal-dcat.md on masked downloads.
        g.typed(d, 'dcat:byteSize', r.bytes, 'xsd:nonNegativeInteger');
        const sum = g.blank();
        g.ref(d, 'spdx:checksum', sum).type(sum, 'spdx:Checksum').ref(sum, 'spdx:algorithm', iri('spdx:checksumAlgorithm_sha256').value);
        g.typed(sum, 'spdx:checksumValue', r.sha256, 'xsd:hexBinary');
        g.type(iri('spdx:checksumAlgorithm_sha256').value, 'spdx:ChecksumAlgorithm');
      }
    }
    const api = s.iris.distribution(r.id, 'api');
    common(api);
    g.text(api, 'dct:title', `${r.name_zh}（数据查询接口）`, 'zh');
    if (r.name_en) g.text(api, 'dct:title', `${r.name_en} (query API)`, 'en');
    g.ref(api, 'dcat:accessURL', s.iris.soda(did)).ref(api, 'dcat:accessService', s.iris.service('soda'));
    fileType(api, 'JSON', 'application/json');
    for (const name of ['soda', 'download', 'ckan'] as const) g.ref(s.iris.service(name), 'dcat:servesDataset', ds);
  }
}

/** The part of a graph reachable from `root` (not following dcat:servesDataset back to the datasets). */
function reachable(quads: Quad[], root: string): Quad[] {
  const serves = iri('dcat:servesDataset').value;
  const bySubject = new Map<string, Quad[]>();
  for (const q of quads) {
    const k = q.subject.id;
    const list = bySubject.get(k);
    if (list) list.push(q);
    else bySubject.set(k, [q]);
  }
  const out: Quad[] = [];
  const seen = new Set<string>();
  const visit = (id: string) => {
    if (seen.has(id)) return;
    seen.add(id);
    for (const q of bySubject.get(id) ?? []) {
      if (q.predicate.value === serves) continue;
      out.push(q);
      if (q.object.termType === 'NamedNode' || q.object.termType === 'BlankNode') visit(q.object.id);
    }
  };
  visit(iri(root).id);
  return out;
}
