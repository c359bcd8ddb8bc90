// The CKAN Action API v3, read subset (issue 7 §6): our catalog answered as CKAN 2.10/2.11 answers, so CKAN clients
// and harvesters read this portal unchanged. Mapping (docs/portal-ckan.md): catalog resource = package; each
// downloadable form of its published dataset version = a CKAN resource; provider department = organization;
// category = group; keywords = tags. Visibility is the catalog's one rule; package_search runs the search module's
// own statements; datastore_search reads rows only through the datasets gate (PDP, masking, time limit, ledger).
import { createHash } from 'node:crypto';
import type { AppContext } from '../../context.ts';
import { AppError } from '../../errors.ts';
import type { Actor } from '../identity/actor.ts';
import { SYSTEM } from '../identity/actor.ts';
import type { ResourceData } from '../catalog/repository.ts';
import type { PortalRecordMeta } from '../catalog/service.ts';
import type { Facet, FacetRow } from '../search/repository.ts';
import type { SearchParams } from '../search/service.ts';
import { quoteIdent, type Params } from '../datasets/duckdb.ts';
import type { VisibleColumn } from '../datasets/read.ts';
import { bool, CkanError, invalid, list, natural, noJunk, notFound, object, str, type CkanParams } from './params.ts';

type Rec = ResourceData & PortalRecordMeta;
type Dataset = NonNullable<ReturnType<Awaited<ReturnType<AppContext['datasets']['currentOfResources']>>['get']>>;

/** The CKAN version whose answers these are (status_show). */
export const CKAN_VERSION = '2.10.5';
export const ROWS_MAX = 1000; // ckan.search.rows_max
export const DATASTORE_ROWS_MAX = 32000; // ckan.datastore.search.rows_max
export const DATASTORE_TIMEOUT_MS = 10_000;
const FACET_LIMIT_DEFAULT = 50; // search.facets.default
const FACET_LIMIT_MAX = 1000;
const LIST_MAX = 1000; // ckan.group_and_organization_list_max
const LIST_ALL_FIELDS_MAX = 25; // ckan.group_and_organization_list_all_fields_max
const PROVIDER_KINDS = new Set(['authority', 'department', 'unit']);

/** The downloadable forms of a published version, in resource order. */
export const FORMS = [
  { key: 'csv', format: 'CSV', mimetype: 'text/csv', label: 'CSV' },
  { key: 'json', format: 'JSON', mimetype: 'application/json', label: 'JSON' },
  { key: 'xlsx', format: 'XLSX', mimetype: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', label: 'Excel' },
  { key: 'parquet', format: 'Parquet', mimetype: 'application/vnd.apache.parquet', label: 'Parquet' },
  { key: 'soda', format: 'API', mimetype: 'application/json', label: 'SODA API' },
] as const;
type FormKey = (typeof FORMS)[number]['key'];

// ---------------------------------------------------------------------------------------------- identifiers

/**
 * A CKAN resource id from the dataset id and the form, deterministic and reversible: the dataset uuid XOR a mask
 * derived from the form (the mask keeps the uuid's version and variant bits, so the result is a valid v4 uuid).
 * resource_show and datastore_search turn it back into the dataset by trying the five masks.
 */
function mask(key: string): Buffer {
  const m = createHash('sha256').update(`shuyuan-ckan-resource:${key}`).digest().subarray(0, 16);
  m[6] = m[6]! & 0x0f;
  m[8] = m[8]! & 0x3f;
  return m;
}
const MASKS = new Map(FORMS.map((f) => [f.key, mask(f.key)]));
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function xorUuid(id: string, m: Buffer): string {
  const b = Buffer.from(id.replaceAll('-', ''), 'hex');
  for (let i = 0; i < 16; i++) b[i] = b[i]! ^ m[i]!;
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
export const resourceIdOf = (datasetId: string, form: FormKey) => xorUuid(datasetId, MASKS.get(form)!);

/** A stable uuid for a name (tags and groups have no uuid of their own here). */
function nameUuid(kind: string, name: string): string {
  const h = createHash('sha256').update(`shuyuan-ckan-${kind}:${name}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${((parseInt(h[16]!, 16) & 3) | 8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** CKAN's timestamps: UTC without a zone designator, microseconds. */
const ckanTime = (iso: string | Date | null | undefined): string | null =>
  iso == null
    ? null
    : new Date(iso)
        .toISOString()
        .replace('Z', '')
        .replace(/\.(\d{3})$/, '.$1000');

// ---------------------------------------------------------------------------------------------- licenses

interface License {
  id: string;
  title: string;
  url: string;
  od_conformance: string;
  osd_conformance: string;
  domain_content: boolean;
  domain_data: boolean;
  domain_software: boolean;
  family: string;
  is_generic: boolean;
  is_okd_compliant: boolean;
  is_osi_compliant: boolean;
  maintainer: string;
  status: string;
}
const lic = (id: string, title: string, url: string, open: boolean, generic = false): License => ({
  id,
  title,
  url,
  od_conformance: open ? 'approved' : 'not reviewed',
  osd_conformance: 'not reviewed',
  domain_content: open,
  domain_data: open,
  domain_software: false,
  family: '',
  is_generic: generic,
  is_okd_compliant: open,
  is_osi_compliant: false,
  maintainer: '',
  status: 'active',
});
/** The licenses this portal's packages can carry (a subset of CKAN's default list). */
export const LICENSES: License[] = [
  lic('notspecified', 'License not specified', '', false, true),
  lic('cc-by', 'Creative Commons Attribution', 'http://www.opendefinition.org/licenses/cc-by', true),
  lic('cc-by-sa', 'Creative Commons Attribution Share-Alike', 'http://www.opendefinition.org/licenses/cc-by-sa', true),
  lic('cc-zero', 'Creative Commons CCZero', 'http://www.opendefinition.org/licenses/cc-zero', true),
  lic('odc-odbl', 'Open Data Commons Open Database License (ODbL)', 'http://www.opendefinition.org/licenses/odc-odbl', true),
  lic('other-open', 'Other (Open)', '', true, true),
];
const LICENSE_BY_ID = new Map(LICENSES.map((l) => [l.id, l]));

/**
 * The license_id facet: the search module counts packages per license text; CKAN's ids group texts. Packages
 * without a license text (not a facet value) are `notspecified`: the total less every counted text.
 */
function licenseFacet(rows: FacetRow[], total: number): Array<{ name: string; display_name: string; count: number }> {
  const counts = new Map<string, number>();
  let counted = 0;
  for (const row of rows) {
    if (row.facet !== 'license' || row.value === null) continue;
    const id = licenseIdOf(row.value);
    counts.set(id, (counts.get(id) ?? 0) + row.count);
    counted += row.count;
  }
  if (total > counted) counts.set('notspecified', (counts.get('notspecified') ?? 0) + total - counted);
  return [...counts].map(([id, count]) => ({ name: id, display_name: LICENSE_BY_ID.get(id)?.title ?? id, count }));
}

/** The catalog's free-text license → CKAN's license id (docs/portal-ckan.md). */
export function licenseIdOf(text: string): string {
  const t = text.trim();
  if (!t) return 'notspecified';
  if (/^cc[\s-]?by(?:[\s-]?(?:4\.0|3\.0))?$/i.test(t)) return 'cc-by';
  if (/^cc[\s-]?by[\s-]?sa\b/i.test(t)) return 'cc-by-sa';
  if (/^(cc0|cc[\s-]?zero)\b/i.test(t)) return 'cc-zero';
  if (/odbl/i.test(t)) return 'odc-odbl';
  return 'other-open';
}

// ---------------------------------------------------------------------------------------------- q and fq

/** CKAN facet/filter fields we map to the search module's facets. */
const FIELD_TO_FACET: Record<string, Facet> = {
  organization: 'org',
  groups: 'category',
  tags: 'keyword',
  res_format: 'format',
  license_id: 'license',
};
export const FACET_FIELDS = ['organization', 'groups', 'tags', 'res_format', 'license_id'] as const;
const TEXT_FIELDS = new Set(['text', 'title', 'notes', 'name']);
/** A filter value nothing has (two terms on one field that share no value). */
const NO_MATCH = '~no-such-value~';

interface Parsed {
  words: string[];
  filters: Partial<Record<Facet, Set<string>>>;
}

/**
 * Splits q or fq into Solr-ish terms: `field:value`, `field:"quoted value"`, `field:(a OR b)`, optional leading
 * `+`, and bare words (q only); `AND` between terms is allowed. Anything else is refused with the parameter named.
 */
export function parseTerms(input: string, param: 'q' | 'fq'): Parsed {
  const out: Parsed = { words: [], filters: {} };
  const s = input.trim();
  if (s === '' || s === '*:*') return out;
  const re = /\s*(\+?)(?:([A-Za-z_]+):(?:"((?:[^"\\]|\\.)*)"|\(([^()]*)\)|([^\s()"]+))|("(?:[^"\\]|\\.)*"|[^\s]+))/y;
  let m: RegExpExecArray | null;
  let pos = 0;
  while (pos < s.length && (re.lastIndex = pos) >= 0 && (m = re.exec(s))) {
    pos = re.lastIndex;
    const [, , field, quoted, group, bare, word] = m;
    if (word !== undefined) {
      if (word === 'AND' || word === '&&') continue;
      if (param === 'fq' || word === 'OR' || word === 'NOT' || word.startsWith('-') || /[(){}[\]^~]/.test(word))
        throw invalid({ [param]: [`Unsupported ${param} syntax near "${word.slice(0, 50)}"`] });
      out.words.push(word.replace(/^"|"$/g, ''));
      continue;
    }
    const f = field!;
    const values =
      group !== undefined
        ? group
            .split(/\s+OR\s+/)
            .map((v) => v.trim().replace(/^"|"$/g, ''))
            .filter(Boolean)
        : [(quoted ?? bare ?? '').replace(/\\(.)/g, '$1')];
    if (group !== undefined && /\s(AND|NOT)\s/.test(group)) throw invalid({ [param]: [`Only OR is supported inside ( ) in ${param}`] });
    if (f === 'dataset_type' && values.every((v) => v === 'dataset')) continue; // every package is a dataset
    if (f === 'state' && values.every((v) => v === 'active')) continue;
    if (f === 'capacity' && values.every((v) => v === 'public')) continue;
    if (param === 'q' && TEXT_FIELDS.has(f)) {
      out.words.push(...values);
      continue;
    }
    const facet = FIELD_TO_FACET[f];
    if (!facet)
      throw invalid({
        [param]: [
          `Unsupported field "${f}" in ${param}; supported: ${[...FACET_FIELDS, ...(param === 'q' ? [...TEXT_FIELDS] : [])].join(', ')}`,
        ],
      });
    out.filters[facet] = mergeFilter(out.filters[facet], new Set(values), f, param);
  }
  if (pos < s.length && s.slice(pos).trim()) throw invalid({ [param]: [`Unsupported ${param} syntax near "${s.slice(pos, pos + 50)}"`] });
  return out;
}

const FACET_TO_FIELD = Object.fromEntries(Object.entries(FIELD_TO_FACET).map(([k, v]) => [v, k])) as Record<Facet, string>;

/**
 * Two terms on one field must both hold. An organization is single-valued: the values both terms allow. Tags, groups
 * and formats are sets, and the search module's filter is "any of": requiring all of several is refused (409)
 * rather than answered wrongly; `field:(a OR b)` asks for any of them.
 */
function mergeFilter(prev: Set<string> | undefined, next: Set<string>, field: string, param: 'q' | 'fq'): Set<string> {
  if (!prev) return next;
  const both = new Set([...prev].filter((v) => next.has(v)));
  if (field !== 'organization' && (both.size !== prev.size || both.size !== next.size))
    throw invalid({
      [param]: [`Only one ${field} term is supported (all of several ${field} cannot be required); use ${field}:(a OR b) for any of them`],
    });
  return both.size ? both : new Set([NO_MATCH]);
}

/** CKAN sort → the search module's sort. */
const SORTS: Record<string, NonNullable<SearchParams['sort']>> = {
  'score desc, metadata_modified desc': 'relevance',
  'score desc': 'relevance',
  relevance: 'relevance',
  'metadata_modified desc': 'updated',
  'metadata_created desc': 'release',
  'views_recent desc': 'popularity',
  'views_total desc': 'popularity',
  // A stable order for harvesters that page with `id asc` (ckanext-harvest): release date, then id.
  'id asc': 'release',
};

// ---------------------------------------------------------------------------------------------- service

export interface OrgInfo {
  id: string;
  code: string;
  nameZh: string;
  nameEn: string;
  createdAt: string;
}

export class CkanService {
  #orgs: { at: number; list: OrgInfo[] } | null = null;
  #licenses: { at: number; texts: string[] } | null = null;
  #cats: { at: number; list: Array<{ code: string; nameZh: string; nameEn: string; enabled: boolean }> } | null = null;

  constructor(readonly ctx: AppContext) {}

  // ---------------------------------------------------------------------------------------- lookups

  /** Provider organizations (departments, units, the authority): public names, cached 5 s. */
  async orgs(): Promise<OrgInfo[]> {
    if (this.#orgs && Date.now() - this.#orgs.at < 5_000) return this.#orgs.list;
    const all = await this.ctx.identity.listOrgs(SYSTEM);
    const list = all
      .filter((o) => PROVIDER_KINDS.has(o.kind) && o.status === 'active')
      .map((o) => ({ id: o.id, code: o.code, nameZh: o.nameZh, nameEn: o.nameEn, createdAt: o.createdAt }))
      .sort((a, b) => (a.code.toLowerCase() < b.code.toLowerCase() ? -1 : 1));
    this.#orgs = { at: Date.now(), list };
    return list;
  }

  /** The catalog's license texts whose CKAN id is `id` (short cache): a license_id filter matches any of them. */
  async licenseTexts(id: string): Promise<string[]> {
    if (!this.#licenses || Date.now() - this.#licenses.at > 60_000) {
      this.#licenses = { at: Date.now(), texts: await this.ctx.search.repo.licenses(this.ctx.db) };
    }
    return this.#licenses.texts.filter((t) => licenseIdOf(t) === id.toLowerCase());
  }

  async categories() {
    if (this.#cats && Date.now() - this.#cats.at < 60_000) return this.#cats.list;
    const list = (await this.ctx.catalog.categories()).filter((c) => c.enabled).sort((a, b) => (a.code < b.code ? -1 : 1));
    this.#cats = { at: Date.now(), list };
    return list;
  }

  private async orgByName(name: string): Promise<OrgInfo | undefined> {
    const n = name.toLowerCase();
    return (await this.orgs()).find((o) => o.code.toLowerCase() === n || o.id === n);
  }

  // ---------------------------------------------------------------------------------------- search

  /**
   * The search module's own statements (prepare → items, facets or count) with CKAN's paging: `rows` up to 1000
   * and any `start` (the search API pages by 100), and the facet limit CKAN asks for.
   */
  async runSearch(
    actor: Actor,
    p: { words: string[]; filters: Partial<Record<Facet, Set<string>>>; sort: NonNullable<SearchParams['sort']> },
    page: { rows: number; start: number; facets: boolean; facetLimit?: number },
  ): Promise<{ ids: string[]; total: number; facets: FacetRow[] }> {
    const r = await this.searchThen(actor, p, page, async () => undefined);
    return { ids: r.ids, total: r.total, facets: r.facets };
  }

  /**
   * runSearch, and `then` on the page's ids as soon as the page is there — while the facet counts (the slower
   * statements) still run, so the package dicts cost little extra time.
   */
  async searchThen<T>(
    actor: Actor,
    p: { words: string[]; filters: Partial<Record<Facet, Set<string>>>; sort: NonNullable<SearchParams['sort']> },
    page: { rows: number; start: number; facets: boolean; facetLimit?: number },
    then: (ids: string[]) => Promise<T>,
  ): Promise<{ ids: string[]; total: number; facets: FacetRow[]; then: T }> {
    const sp: SearchParams = { q: p.words.join(' '), sort: p.sort, facets: page.facets };
    for (const [facet, values] of Object.entries(p.filters) as Array<[Facet, Set<string>]>) {
      (sp as Record<string, unknown>)[facet] = [...values].map((v) => v.replaceAll(',', ' ')).join(',');
    }
    const search = this.ctx.search;
    const prep = await search.prepare(actor, sp);
    if (prep.nothing) return { ids: [], total: 0, facets: [], then: await then([]) };
    // License texts are matched exactly as the catalog holds them (a comma, an empty text for notspecified).
    if (p.filters.license) prep.spec.filters.license = [...p.filters.license];
    prep.spec.limit = page.rows;
    prep.spec.offset = page.start;
    if (page.facetLimit !== undefined) prep.spec.facetLimit = page.facetLimit;
    const db = this.ctx.db;
    const ids = page.rows > 0 ? search.repo.items(db, prep.spec).then((items) => items.map((i) => i.id)) : Promise.resolve([] as string[]);
    const [pageIds, facets, count, after] = await Promise.all([
      ids,
      page.facets ? search.repo.facets(db, prep.spec) : Promise.resolve([] as FacetRow[]),
      page.facets ? Promise.resolve(-1) : search.repo.count(db, prep.spec),
      ids.then(then),
    ]);
    const total = page.facets ? (facets.find((f) => f.facet === 'total')?.count ?? 0) : count;
    return { ids: pageIds, total, facets, then: after };
  }

  // ---------------------------------------------------------------------------------------- dicts

  private orgDict(o: OrgInfo | undefined, id: string) {
    const name = (o?.code ?? id).toLowerCase();
    return {
      id,
      name,
      title: o?.nameZh ?? '',
      type: 'organization',
      description: o?.nameEn ?? '',
      image_url: '',
      created: ckanTime(o?.createdAt ?? null),
      is_organization: true,
      approval_status: 'approved',
      state: 'active',
    };
  }

  private async groupDicts(r: Rec) {
    const cats = await this.categories();
    const codes = [...new Set([r.subjectCategory, r.domainCategory].filter(Boolean))];
    return codes.map((code) => {
      const c = cats.find((x) => x.code === code);
      return {
        id: nameUuid('group', code),
        name: code.toLowerCase(),
        title: c?.nameZh ?? code,
        display_name: c?.nameZh ?? code,
        description: c?.nameEn ?? '',
        image_display_url: '',
      };
    });
  }

  resourceDicts(base: string, r: Rec, d: Dataset | undefined) {
    if (!d) return [];
    return FORMS.map((f, position) => ({
      id: resourceIdOf(d.dataset_id, f.key),
      package_id: r.id,
      name: `${r.nameZh} (${f.label})`,
      description:
        f.key === 'soda'
          ? 'SODA 2-style query API (SoQL: $select, $where, $order, $group, $limit, …); see /docs/portal-soql'
          : `${r.nameZh}, version ${d.version}, ${d.row_count} rows, ${f.label}`,
      format: f.format,
      mimetype: f.mimetype,
      mimetype_inner: null,
      url: f.key === 'soda' ? `${base}/resource/${d.dataset_id}.json` : `${base}/api/datasets/${d.dataset_id}/download?format=${f.key}`,
      url_type: null,
      resource_type: f.key === 'soda' ? 'api' : 'file',
      position,
      size: f.key === 'parquet' ? Number(d.bytes) : null,
      hash: f.key === 'parquet' ? d.sha256 : '',
      created: ckanTime(d.created_at),
      last_modified: ckanTime(d.created_at),
      metadata_modified: ckanTime(d.created_at),
      cache_url: null,
      cache_last_updated: null,
      datastore_active: true,
      state: 'active',
    }));
  }

  async packageDict(base: string, r: Rec, d: Dataset | undefined) {
    const org = (await this.orgs()).find((o) => o.id === r.providerOrgId) ?? (await this.orgFromTree(r.providerOrgId));
    const licenseId = licenseIdOf(r.license);
    const license = LICENSE_BY_ID.get(licenseId)!;
    const resources = this.resourceDicts(base, r, d);
    const tags = r.keywords.map((k) => ({ id: nameUuid('tag', k), name: k, display_name: k, state: 'active', vocabulary_id: null }));
    const extras: Array<{ key: string; value: string }> = [];
    const extra = (key: string, value: string | number | null | undefined) => {
      if (value !== null && value !== undefined && value !== '') extras.push({ key, value: String(value) });
    };
    extra('resource_code', r.code);
    extra('title_en', r.nameEn);
    extra('notes_en', r.abstractEn);
    extra('open_mode', r.openMode);
    extra('open_conditions', r.openMode === 'conditional' ? r.openConditions : null);
    extra('share_mode', r.shareMode);
    extra('update_frequency', r.updateFrequency);
    extra('grade', r.grade);
    extra('spatial_coverage', r.spatialCoverage);
    extra('temporal_start', r.temporalStart);
    extra('temporal_end', r.temporalEnd);
    extra('release_date', r.releaseDate);
    extra('license_text', r.license);
    extra('catalog_status', r.status);
    return {
      author: org?.nameZh ?? '',
      author_email: null,
      creator_user_id: null,
      id: r.id,
      isopen: license.is_okd_compliant && r.openMode === 'unconditional',
      license_id: licenseId,
      license_title: licenseId === 'other-open' ? r.license : license.title,
      license_url: license.url || undefined,
      maintainer: r.contactName || null,
      maintainer_email: r.contactEmail || null,
      metadata_created: ckanTime(r.publishedAt ?? r.createdAt),
      metadata_modified: ckanTime(r.updatedAt),
      name: r.code.toLowerCase(),
      notes: r.abstractZh,
      num_resources: resources.length,
      num_tags: tags.length,
      organization: this.orgDict(org, r.providerOrgId),
      owner_org: r.providerOrgId,
      private: false,
      state: 'active',
      title: r.nameZh,
      type: 'dataset',
      url: `${base}/data/datasets/${encodeURIComponent(r.code)}`,
      version: d ? String(d.version) : null,
      extras,
      groups: await this.groupDicts(r),
      resources,
      tags,
      relationships_as_object: [],
      relationships_as_subject: [],
    };
  }

  private async orgFromTree(id: string): Promise<OrgInfo | undefined> {
    const o = await this.ctx.authz.orgs.get(id);
    return o ? { id: o.id, code: o.code, nameZh: o.nameZh, nameEn: o.nameEn, createdAt: new Date(0).toISOString() } : undefined;
  }

  /** Package dicts for these visible resource ids, in the given order. */
  async packagesByIds(actor: Actor, base: string, ids: string[]) {
    if (!ids.length) return [];
    const [recs, ds] = await Promise.all([this.ctx.catalog.readMany(actor, { ids }), this.ctx.datasets.currentOfResources(ids)]);
    const byId = new Map(recs.map((r) => [r.id, r]));
    const out = [];
    for (const id of ids) {
      const r = byId.get(id);
      if (r) out.push(await this.packageDict(base, r, ds.get(id)));
    }
    return out;
  }

  // ---------------------------------------------------------------------------------------- actions

  statusShow(base: string) {
    return {
      site_title: '数源 Shuyuan 公共数据开放平台',
      site_description: 'Shuyuan public data portal (CKAN Action API v3, read subset)',
      site_url: base,
      ckan_version: CKAN_VERSION,
      error_emails_to: null,
      locale_default: 'zh_Hans_CN',
      extensions: ['datastore'],
    };
  }

  async packageList(actor: Actor, p: CkanParams): Promise<string[]> {
    const limit = natural(p, 'limit');
    const offset = natural(p, 'offset', { def: 0 })!;
    const codes = await this.ctx.catalog.visibleCodes(actor, { limit: Math.min(limit ?? 1_000_000, 1_000_000), offset });
    return codes.map((c) => c.toLowerCase());
  }

  async currentPackageListWithResources(actor: Actor, base: string, p: CkanParams) {
    const limit = natural(p, 'limit', { def: 10, max: ROWS_MAX })!;
    const page = natural(p, 'page');
    if (page === 0) throw invalid({ page: ['Must be a postive integer'] });
    const offset = p.offset === undefined && page ? (page - 1) * limit : natural(p, 'offset', { def: 0 })!;
    const r = await this.searchThen(
      actor,
      { words: [], filters: {}, sort: 'updated' },
      { rows: limit, start: offset, facets: false },
      (ids) => this.packagesByIds(actor, base, ids),
    );
    return r.then;
  }

  /** package_show / resource lookups: by uuid or by name (the resource code lowercased). */
  async findPackage(actor: Actor, idOrName: string): Promise<Rec | undefined> {
    const recs = UUID.test(idOrName)
      ? await this.ctx.catalog.readMany(actor, { ids: [idOrName] })
      : await this.ctx.catalog.readMany(actor, { codes: [idOrName.toUpperCase(), idOrName] });
    return recs[0];
  }

  async packageShow(actor: Actor, base: string, p: CkanParams) {
    const id = str(p, 'id', 200) ?? str(p, 'name_or_id', 200);
    if (!id) throw invalid({ name_or_id: ['Missing value'] });
    const r = await this.findPackage(actor, id);
    if (!r) throw notFound();
    const ds = await this.ctx.datasets.currentOfResources([r.id]);
    return this.packageDict(base, r, ds.get(r.id));
  }

  async packageSearch(actor: Actor, base: string, p: CkanParams) {
    const q = str(p, 'q', 4000) ?? '';
    const fqRaw = p.fq;
    const fqs: string[] =
      fqRaw === undefined || fqRaw === null
        ? []
        : Array.isArray(fqRaw)
          ? fqRaw.map((x) => (typeof x === 'string' ? x : ''))
          : [str(p, 'fq', 4000) ?? ''];
    const fqList = list(p, 'fq_list');
    if (fqList) fqs.push(...fqList);
    const rows = natural(p, 'rows', { def: 10, max: ROWS_MAX })!;
    const start = natural(p, 'start', { def: 0 })!;
    const sortRaw = (str(p, 'sort', 200) ?? 'score desc, metadata_modified desc').trim().replace(/\s+/g, ' ').toLowerCase();
    const sort = SORTS[sortRaw];
    if (!sort) throw invalid({ sort: [`Unsupported sort "${sortRaw}"; supported: ${Object.keys(SORTS).join(' | ')}`] });
    const facetFields = list(p, 'facet.field', { max: 10 }) ?? [];
    for (const f of facetFields)
      if (!(FACET_FIELDS as readonly string[]).includes(f))
        throw invalid({ 'facet.field': [`Unsupported facet field "${f}"; supported: ${FACET_FIELDS.join(', ')}`] });
    const facetLimitRaw = p['facet.limit'];
    let facetLimit = FACET_LIMIT_DEFAULT;
    if (facetLimitRaw !== undefined && facetLimitRaw !== null && facetLimitRaw !== '') {
      if (String(facetLimitRaw).trim() === '-1') facetLimit = FACET_LIMIT_MAX;
      else facetLimit = Math.min(natural(p, 'facet.limit')!, FACET_LIMIT_MAX);
    }
    const facetMincount = natural(p, 'facet.mincount', { def: 1 })!;
    // include_private / include_drafts / include_deleted: nothing private is ever shown to the public (ignored).
    for (const k of ['include_private', 'include_drafts', 'include_deleted']) bool(p, k, false);

    const parsed = parseTerms(q, 'q');
    for (const fq of fqs) {
      const f = parseTerms(fq, 'fq');
      for (const [facet, values] of Object.entries(f.filters) as Array<[Facet, Set<string>]>) {
        parsed.filters[facet] = mergeFilter(parsed.filters[facet], values, FACET_TO_FIELD[facet], 'fq');
      }
    }
    // CKAN names → the search module's values.
    const filters: Partial<Record<Facet, Set<string>>> = {};
    for (const [facet, values] of Object.entries(parsed.filters) as Array<[Facet, Set<string>]>) {
      const mapped = new Set<string>();
      for (const v of values) {
        if (facet === 'org') mapped.add((await this.orgByName(v))?.id ?? 'none');
        else if (facet === 'category') mapped.add(v.toUpperCase());
        else if (facet === 'format') mapped.add(v.toLowerCase());
        else if (facet === 'license') for (const text of await this.licenseTexts(v)) mapped.add(text);
        else mapped.add(v);
      }
      filters[facet] = mapped.size ? mapped : new Set([NO_MATCH]);
    }

    const wantFacets = facetFields.length > 0;
    // license_id counts are sums over the catalog's license texts: every text is counted (the limit applies after).
    const searchLimit = facetFields.includes('license_id') ? FACET_LIMIT_MAX : facetLimit;
    const r = await this.searchThen(
      actor,
      { words: parsed.words, filters, sort },
      { rows, start, facets: wantFacets, facetLimit: searchLimit },
      (ids) => this.packagesByIds(actor, base, ids),
    );
    const results = r.then;
    const facets: Record<string, Record<string, number>> = {};
    const searchFacets: Record<string, { title: string; items: Array<{ name: string; display_name: string; count: number }> }> = {};
    if (wantFacets) {
      const cats = await this.categories();
      const orgs = await this.orgs();
      for (const field of facetFields) {
        const facet = FIELD_TO_FACET[field]!;
        const items: Array<{ name: string; display_name: string; count: number }> = [];
        if (facet === 'license') items.push(...licenseFacet(r.facets, r.total).filter((i) => i.count >= facetMincount));
        else
          for (const row of r.facets) {
            if (row.facet !== facet || row.value === null || row.count < facetMincount) continue;
            let name = row.value;
            let display = row.value;
            if (facet === 'org') {
              const o = orgs.find((x) => x.id === row.value) ?? (await this.orgFromTree(row.value));
              name = (o?.code ?? row.value).toLowerCase();
              display = o?.nameZh ?? name;
            } else if (facet === 'category') {
              name = row.value.toLowerCase();
              display = cats.find((c) => c.code === row.value)?.nameZh ?? row.value;
            } else if (facet === 'format') {
              name = display = row.value.toUpperCase();
            }
            items.push({ name, display_name: display, count: row.count });
          }
        const top = items.sort((a, b) => b.count - a.count || (a.name < b.name ? -1 : 1)).slice(0, facetLimit);
        facets[field] = Object.fromEntries(top.map((i) => [i.name, i.count]));
        searchFacets[field] = { title: field, items: top.map((i) => ({ count: i.count, display_name: i.display_name, name: i.name })) };
      }
    }
    return { count: r.total, facets, results, sort: sortRaw, search_facets: searchFacets };
  }

  /** Resolves a CKAN resource id to its dataset and form (404 for anything the actor cannot see). */
  async resolveResource(actor: Actor, id: string) {
    if (!UUID.test(id)) return undefined;
    for (const f of FORMS) {
      const datasetId = xorUuid(id.toLowerCase(), MASKS.get(f.key)!);
      try {
        const d = await this.ctx.datasets.load(actor, datasetId);
        if (d.row.current_version) return { datasetId, form: f.key, dataset: d };
      } catch (e) {
        if (e instanceof AppError && e.status === 404) continue;
        throw e;
      }
    }
    return undefined;
  }

  async resourceShow(actor: Actor, base: string, p: CkanParams) {
    const id = str(p, 'id', 200);
    if (!id) throw invalid({ id: ['Missing value'] });
    const found = await this.resolveResource(actor, id);
    if (!found) throw notFound('CKAN_RESOURCE_NOT_FOUND');
    const [r] = await this.ctx.catalog.readMany(actor, { ids: [found.dataset.row.resource_id] });
    const d = (await this.ctx.datasets.currentOfResources([found.dataset.row.resource_id])).get(found.dataset.row.resource_id);
    const res = r && this.resourceDicts(base, r, d).find((x) => x.id === id.toLowerCase());
    if (!res) throw notFound('CKAN_RESOURCE_NOT_FOUND');
    return res;
  }

  /** package_count of each organization / category visible to the actor (the search module's facet counts). */
  private async counts(actor: Actor): Promise<{ org: Map<string, number>; category: Map<string, number> }> {
    const r = await this.runSearch(
      actor,
      { words: [], filters: {}, sort: 'relevance' },
      { rows: 0, start: 0, facets: true, facetLimit: 1000 },
    );
    const org = new Map<string, number>();
    const category = new Map<string, number>();
    for (const f of r.facets) {
      if (f.value === null) continue;
      if (f.facet === 'org') org.set(f.value, f.count);
      if (f.facet === 'category') category.set(f.value, f.count);
    }
    return { org, category };
  }

  // Like CKAN (schemas without __junk), these actions ignore parameters they do not know; datastore_search refuses them.
  private listParams(p: CkanParams) {
    const allFields = bool(p, 'all_fields', false);
    const limit = natural(p, 'limit', {
      def: allFields ? LIST_ALL_FIELDS_MAX : LIST_MAX,
      max: allFields ? LIST_ALL_FIELDS_MAX : LIST_MAX,
    })!;
    const offset = natural(p, 'offset', { def: 0 })!;
    const sortRaw = (str(p, 'sort', 100) ?? 'name asc').trim().toLowerCase();
    const [key, dir = 'asc'] = sortRaw.split(/\s+/);
    if (!['name', 'title', 'package_count'].includes(key!) || !['asc', 'desc'].includes(dir))
      throw invalid({ sort: [`Unsupported sort "${sortRaw}"; supported: name, title, package_count with asc or desc`] });
    const q = (str(p, 'q', 200) ?? '').toLowerCase();
    const only = list(p, 'organizations', { max: 1000 }) ?? list(p, 'groups', { max: 1000 });
    return { allFields, limit, offset, key: key as 'name' | 'title' | 'package_count', dir, q, only };
  }

  private page<T extends { name: string; title: string; package_count: number }>(items: T[], lp: ReturnType<CkanService['listParams']>) {
    let list = items;
    if (lp.q) list = list.filter((i) => i.name.includes(lp.q) || i.title.toLowerCase().includes(lp.q));
    if (lp.only) list = list.filter((i) => lp.only!.includes(i.name));
    const sign = lp.dir === 'desc' ? -1 : 1;
    list = [...list].sort((a, b) => {
      const x = a[lp.key];
      const y = b[lp.key];
      return (x < y ? -1 : x > y ? 1 : a.name < b.name ? -1 : 1) * sign;
    });
    return list.slice(lp.offset, lp.offset + lp.limit);
  }

  private orgFull(o: OrgInfo, count: number) {
    return {
      ...this.orgDict(o, o.id),
      display_name: o.nameZh,
      image_display_url: '',
      package_count: count,
      num_followers: 0,
      extras: [] as unknown[],
      groups: [] as unknown[],
      tags: [] as unknown[],
      users: [] as unknown[],
    };
  }

  async organizationList(actor: Actor, p: CkanParams) {
    const lp = this.listParams(p);
    const { org } = await this.counts(actor);
    const items = (await this.orgs()).map((o) => ({ o, name: o.code.toLowerCase(), title: o.nameZh, package_count: org.get(o.id) ?? 0 }));
    const page = this.page(items, lp);
    return lp.allFields ? page.map((i) => this.orgFull(i.o, i.package_count)) : page.map((i) => i.name);
  }

  async organizationShow(actor: Actor, base: string, p: CkanParams) {
    const id = str(p, 'id', 200);
    if (!id) throw invalid({ id: ['Missing value'] });
    const o = await this.orgByName(id);
    if (!o) throw notFound('CKAN_ORG_NOT_FOUND');
    const { org } = await this.counts(actor);
    const out: Record<string, unknown> = this.orgFull(o, org.get(o.id) ?? 0);
    if (bool(p, 'include_datasets', false)) {
      const r = await this.runSearch(
        actor,
        { words: [], filters: { org: new Set([o.id]) }, sort: 'updated' },
        { rows: 10, start: 0, facets: false },
      );
      out.packages = await this.packagesByIds(actor, base, r.ids);
    }
    return out;
  }

  private groupFull(c: { code: string; nameZh: string; nameEn: string }, count: number) {
    return {
      id: nameUuid('group', c.code),
      name: c.code.toLowerCase(),
      title: c.nameZh,
      display_name: c.nameZh,
      description: c.nameEn,
      type: 'group',
      is_organization: false,
      approval_status: 'approved',
      state: 'active',
      image_url: '',
      image_display_url: '',
      created: null,
      package_count: count,
      num_followers: 0,
      extras: [] as unknown[],
      groups: [] as unknown[],
      tags: [] as unknown[],
      users: [] as unknown[],
    };
  }

  async groupList(actor: Actor, p: CkanParams) {
    const lp = this.listParams(p);
    const { category } = await this.counts(actor);
    const items = (await this.categories()).map((c) => ({
      c,
      name: c.code.toLowerCase(),
      title: c.nameZh,
      package_count: category.get(c.code) ?? 0,
    }));
    const page = this.page(items, lp);
    return lp.allFields ? page.map((i) => this.groupFull(i.c, i.package_count)) : page.map((i) => i.name);
  }

  async groupShow(actor: Actor, base: string, p: CkanParams) {
    const id = str(p, 'id', 200);
    if (!id) throw invalid({ id: ['Missing value'] });
    const c = (await this.categories()).find((x) => x.code.toLowerCase() === id.toLowerCase() || nameUuid('group', x.code) === id);
    if (!c) throw notFound('CKAN_GROUP_NOT_FOUND');
    const { category } = await this.counts(actor);
    const out: Record<string, unknown> = this.groupFull(c, category.get(c.code) ?? 0);
    if (bool(p, 'include_datasets', false)) {
      const r = await this.runSearch(
        actor,
        { words: [], filters: { category: new Set([c.code]) }, sort: 'updated' },
        { rows: 10, start: 0, facets: false },
      );
      out.packages = await this.packagesByIds(actor, base, r.ids);
    }
    return out;
  }

  async tagList(actor: Actor, p: CkanParams) {
    const query = (str(p, 'query', 100) ?? '').toLowerCase();
    const allFields = bool(p, 'all_fields', false);
    if (p.vocabulary_id) return [];
    const r = await this.runSearch(
      actor,
      { words: [], filters: {}, sort: 'relevance' },
      { rows: 0, start: 0, facets: true, facetLimit: FACET_LIMIT_MAX },
    );
    const tags = r.facets
      .filter((f) => f.facet === 'keyword' && f.value !== null && (!query || f.value.toLowerCase().includes(query)))
      .map((f) => f.value!)
      .sort();
    return allFields ? tags.map((t) => ({ id: nameUuid('tag', t), name: t, display_name: t, state: 'active', vocabulary_id: null })) : tags;
  }

  licenseList() {
    return LICENSES;
  }

  // ---------------------------------------------------------------------------------------- datastore

  async datastoreSearch(actor: Actor, base: string, p: CkanParams) {
    noJunk(p, [
      'resource_id',
      'id',
      'q',
      'plain',
      'filters',
      'language',
      'limit',
      'offset',
      'fields',
      'sort',
      'include_total',
      'records_format',
      'distinct',
      'total_estimation_threshold',
    ]);
    const resourceId = str(p, 'resource_id', 100) ?? str(p, 'id', 100);
    if (!resourceId) throw invalid({ resource_id: ['Missing value'] });
    const limit = natural(p, 'limit', { def: 100, max: DATASTORE_ROWS_MAX })!;
    const offset = natural(p, 'offset', { def: 0 })!;
    const includeTotal = bool(p, 'include_total', true);
    if (bool(p, 'distinct', false)) throw invalid({ distinct: ['distinct is not supported by this portal'] });
    bool(p, 'plain', true);
    const recordsFormat = str(p, 'records_format', 20) ?? 'objects';
    if (!['objects', 'lists'].includes(recordsFormat))
      throw invalid({ records_format: ['Value must be one of: objects; lists (csv and tsv are not offered here)'] });
    const filters = object(p, 'filters') ?? {};
    const qRaw = p.q;
    let q: string | Record<string, unknown> | undefined;
    if (typeof qRaw === 'string' && qRaw.trim().startsWith('{')) q = object(p, 'q');
    else if (qRaw !== undefined && qRaw !== null && typeof qRaw === 'object' && !Array.isArray(qRaw)) q = qRaw as Record<string, unknown>;
    else q = str(p, 'q', 1000);
    const fieldsWanted = list(p, 'fields', { commaSeparated: true, max: 500 });
    const sortRaw = list(p, 'sort', { commaSeparated: true, max: 20 });

    const found = await this.resolveResource(actor, resourceId);
    if (!found) throw notFound('CKAN_DATASTORE_NOT_FOUND', { id: resourceId });
    const datasetId = found.datasetId;

    let shown: VisibleColumn[] = [];
    let outCols: Array<{ id: string; type: string; kind: VisibleColumn['type'] | 'id' }> = [];
    let result: { rows: unknown[][] };
    try {
      result = await this.ctx.datasets.queryVisible(
        actor,
        datasetId,
        (rel) => {
          shown = rel.columns;
          const c = compileDatastore(rel, { limit, offset, includeTotal, filters, q, fields: fieldsWanted, sort: sortRaw });
          outCols = c.out;
          return { sql: c.sql, params: c.params, details: { via: 'ckan.datastore_search', resourceId, limit, offset } };
        },
        { timeoutMs: DATASTORE_TIMEOUT_MS },
      );
    } catch (e) {
      if (e instanceof CkanError) throw e;
      // The gate has ledgered the refusal (dataset.read.denied) before answering 403.
      if (e instanceof AppError && e.status === 403)
        throw new CkanError(403, 'Authorization Error', 'CKAN_ACCESS_DENIED', { code: e.code });
      if (e instanceof AppError && e.status === 404) throw notFound('CKAN_DATASTORE_NOT_FOUND', { id: resourceId });
      if (e instanceof AppError && e.code === 'QUERY_TIMEOUT') throw new CkanError(409, 'Search Error', 'CKAN_QUERY_TIMEOUT', e.params);
      throw e;
    }
    void shown;
    const rows = result.rows;
    const total = includeTotal ? Number(rows[0]?.[0] ?? 0) : undefined;
    const page = rows.filter((r) => r[r.length - 1] !== null);
    const conv = (v: unknown, kind: string) => {
      if (v === null || v === undefined) return null;
      if (
        (kind === 'integer' || kind === 'id' || kind === 'number') &&
        typeof v === 'string' &&
        v.trim() !== '' &&
        Number.isFinite(Number(v))
      ) {
        const n = Number(v);
        return kind === 'number' || Number.isSafeInteger(n) ? n : v;
      }
      return v;
    };
    const values = page.map((r) => outCols.map((c, i) => conv(r[i + 1], c.kind)));
    const records =
      recordsFormat === 'lists'
        ? values
        : values.map((vals) => {
            const o: Record<string, unknown> = {};
            outCols.forEach((c, i) => Object.defineProperty(o, c.id, { value: vals[i], enumerable: true, writable: true }));
            return o;
          });
    const linkParams = (off?: number) => {
      const u = new URLSearchParams({ resource_id: resourceId });
      if (p.limit !== undefined) u.set('limit', String(limit));
      if (off !== undefined) u.set('offset', String(off));
      return `/api/3/action/datastore_search?${u}`;
    };
    const out: Record<string, unknown> = {
      include_total: includeTotal,
      limit,
      records_format: recordsFormat,
      resource_id: resourceId,
      total_estimation_threshold: null,
      records,
      fields: outCols.map((c) => ({ id: c.id, type: c.type })),
      _links: { start: linkParams(), next: linkParams(offset + limit) },
    };
    if (p.offset !== undefined) out.offset = offset;
    if (q !== undefined) out.q = q;
    if (p.filters !== undefined) out.filters = filters;
    if (sortRaw) out.sort = sortRaw.join(', ');
    if (includeTotal) {
      out.total = total;
      out.total_was_estimated = false;
    }
    void base;
    return out;
  }
}

// ---------------------------------------------------------------------------------------------- datastore SQL

const CKAN_TYPES: Record<VisibleColumn['type'], string> = {
  text: 'text',
  integer: 'int',
  number: 'numeric',
  boolean: 'bool',
  date: 'date',
  timestamp: 'timestamp',
};
const ID = '__ckan_id';

/**
 * datastore_search over the visible relation (DuckDB): `_id` is the row's position in the version file; filters are
 * typed equalities (a list: any of them); q is words found (case-insensitively) in any column, or per column with an
 * object; sort names columns only; every value is a bound parameter. Output: total, the columns, the page ordinal.
 */
export function compileDatastore(
  rel: { from: string; params: Params; columns: VisibleColumn[] },
  o: {
    limit: number;
    offset: number;
    includeTotal: boolean;
    filters: Record<string, unknown>;
    q: string | Record<string, unknown> | undefined;
    fields: string[] | undefined;
    sort: string[] | undefined;
  },
): { sql: string; params: Params; out: Array<{ id: string; type: string; kind: VisibleColumn['type'] | 'id' }> } {
  const params: Params = [...rel.params];
  const bind = (v: string | number | boolean) => {
    params.push(v);
    return `$${params.length}`;
  };
  const byName = new Map(rel.columns.map((c) => [c.name, c]));
  const ref = (name: string, param: string) => {
    if (name === '_id') return { sql: quoteIdent(ID), type: 'integer' as const };
    const c = byName.get(name);
    if (!c) throw invalid({ [param]: [`field "${name}" not in table`] });
    return { sql: quoteIdent(c.name), type: c.type };
  };

  const where: string[] = [];
  for (const [name, raw] of Object.entries(o.filters)) {
    const col = ref(name, 'filters');
    const values = Array.isArray(raw) ? raw : [raw];
    if (!values.length) throw invalid({ filters: [`no values for field "${name}"`] });
    if (values.length > 1000) throw invalid({ filters: [`too many values for field "${name}"`] });
    const eqs = values.map((v) => {
      if (v === null) return `${col.sql} IS NULL`;
      if (typeof v === 'object') throw invalid({ filters: [`invalid value for field "${name}"`] });
      switch (col.type) {
        case 'integer':
        case 'number': {
          const n = typeof v === 'number' ? v : Number(String(v).trim());
          if (String(v).trim() === '' || !Number.isFinite(n))
            throw invalid({ filters: [`invalid value for field "${name}": not a number`] });
          return `${col.sql} = CAST(${bind(n)} AS DOUBLE)`;
        }
        case 'boolean': {
          const s = String(v).toLowerCase();
          if (!['true', 'false', '1', '0', 't', 'f'].includes(s))
            throw invalid({ filters: [`invalid value for field "${name}": not a boolean`] });
          return `${col.sql} = ${bind(['true', '1', 't'].includes(s))}`;
        }
        case 'date':
        case 'timestamp':
          return `${col.sql} = TRY_CAST(${bind(String(v))} AS ${col.type === 'date' ? 'DATE' : 'TIMESTAMP'})`;
        default:
          return `${col.sql} = ${bind(String(v))}`;
      }
    });
    where.push(eqs.length === 1 ? eqs[0]! : `(${eqs.join(' OR ')})`);
  }
  const contains = (colSql: string, word: string) => `contains(lower(CAST(${colSql} AS VARCHAR)), lower(${bind(word)}))`;
  if (typeof o.q === 'string') {
    const words = o.q.split(/\s+/).filter(Boolean).slice(0, 20);
    for (const w of words) where.push(`(${rel.columns.map((c) => contains(quoteIdent(c.name), w)).join(' OR ')})`);
  } else if (o.q) {
    for (const [name, text] of Object.entries(o.q)) {
      const col = ref(name, 'q');
      if (typeof text !== 'string') throw invalid({ q: [`invalid value for field "${name}"`] });
      for (const w of text.split(/\s+/).filter(Boolean).slice(0, 20)) where.push(contains(col.sql, w));
    }
  }

  const names = o.fields ?? ['_id', ...rel.columns.map((c) => c.name)];
  const out = names.map((n) => {
    const c = ref(n, 'fields');
    return { id: n, type: n === '_id' ? 'int' : CKAN_TYPES[c.type], kind: n === '_id' ? ('id' as const) : c.type, sql: c.sql };
  });
  if (new Set(names).size !== names.length) throw invalid({ fields: ['duplicate field'] });

  const order: string[] = [];
  for (const item of o.sort ?? []) {
    const m = /^\s*(?:"((?:[^"]|"")+)"|([^\s"]+))(?:\s+(asc|desc))?\s*$/i.exec(item);
    if (!m) throw invalid({ sort: [`invalid sort "${item.slice(0, 100)}"`] });
    const name = m[1] !== undefined ? m[1].replaceAll('""', '"') : m[2]!;
    order.push(`${ref(name, 'sort').sql} ${(m[3] ?? 'asc').toUpperCase()}`);
  }
  order.push(quoteIdent(ID));

  const cols = rel.columns.map((c) => quoteIdent(c.name)).join(', ');
  const base = `SELECT row_number() OVER () AS ${quoteIdent(ID)}, ${cols} FROM ${rel.from}`;
  const filtered = `SELECT * FROM b${where.length ? ` WHERE ${where.join(' AND ')}` : ''}`;
  const selected = out.map((c) => c.sql).join(', ');
  const ordered = `SELECT ${selected}, row_number() OVER (ORDER BY ${order.join(', ')}) AS __o FROM f`;
  const lo = bind(o.offset);
  const hi = bind(o.offset + o.limit);
  const total = o.includeTotal ? '(SELECT count(*) FROM f)' : 'NULL';
  const sql =
    `WITH b AS (${base}), f AS (${filtered}), p AS (${ordered}) ` +
    `SELECT ${total} AS __total, ${out.map((_, i) => `pg.c${i}`).join(', ')}, pg.__o ` +
    `FROM (SELECT 1 AS one) AS o LEFT JOIN (SELECT ${out.map((c, i) => `${c.sql} AS c${i}`).join(', ')}, __o FROM p ` +
    `WHERE __o > CAST(${lo} AS BIGINT) AND __o <= CAST(${hi} AS BIGINT)) AS pg ON true ORDER BY pg.__o`;
  return { sql, params, out: out.map(({ id, type, kind }) => ({ id, type, kind })) };
}
