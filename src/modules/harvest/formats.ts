// Reading other portals' catalogs into one shape (HarvestedDataset): a CKAN Action API package_search page, or
// a DCAT-AP page in JSON-LD or Turtle (with Hydra paging). Whatever is malformed fails the whole harvest with
// the page and item named (HarvestFailure 'malformed' / 'invalid_dataset'); nothing here writes.
import { hydraNext, parseDcat, rdfFormatOf, readDcatDatasets, type DcatText } from '../dcat/rdf.ts';
import { HarvestFailure } from './fetch.ts';
import type { UpdateFrequency } from '../catalog/repository.ts';

/** One upstream dataset, normalized (metadata only: the data stays upstream, reachable by its links). */
export interface HarvestedDataset {
  remoteId: string;
  nameZh: string;
  nameEn: string;
  abstractZh: string;
  abstractEn: string;
  keywords: string[];
  formats: string[];
  license: string;
  landingPage: string | null;
  modified: string | null;
  openMode: 'unconditional' | 'conditional';
  openConditions: string;
  updateFrequency: UpdateFrequency;
  publisher: string;
  distributions: Array<{ url: string; format: string; title: string }>;
}

export interface HarvestPage {
  datasets: HarvestedDataset[];
  /** The next page's URL (DCAT Hydra paging) — CKAN pages are counted by the caller. */
  next: string | null;
  /** CKAN: the total the portal reports. */
  total?: number;
}

const CATALOG_FORMATS = ['xlsx', 'csv', 'json', 'xml', 'api', 'database', 'pdf', 'shp', 'geojson', 'image', 'video', 'other'];
const FORMAT_ALIASES: Record<string, string> = {
  xls: 'xlsx',
  ndjson: 'json',
  jsonl: 'json',
  'json-ld': 'json',
  jsonld: 'json',
  soda: 'api',
  'ckan api': 'api',
  rest: 'api',
  png: 'image',
  jpg: 'image',
  jpeg: 'image',
  zip: 'other',
  parquet: 'other',
};

/** A format name, a media type or a format IRI (…/file-type/CSV) → the catalog's format list. */
export function catalogFormat(raw: string): string {
  let f = raw.trim().toLowerCase();
  f = f.replace(/^.*\/file-type\//, '').replace(/^.*\/(vnd\.[^/]+|[^/]+)$/, (_m, t: string) => t);
  if (f.includes('spreadsheetml') || f === 'vnd.ms-excel') return 'xlsx';
  if (f.includes('geo+json')) return 'geojson';
  f = f.replace(/^x-/, '').replace(/\+.*$/, '');
  if (CATALOG_FORMATS.includes(f)) return f;
  return FORMAT_ALIASES[f] ?? 'other';
}

const clip = (s: unknown, n: number) => (typeof s === 'string' ? s.trim().slice(0, n) : '');
const isHttp = (s: unknown): s is string => typeof s === 'string' && /^https?:\/\//i.test(s.trim());
const hasHan = (s: string) => /\p{Script=Han}/u.test(s);

function keywords(list: string[]): string[] {
  const out: string[] = [];
  for (const k of list) {
    const v = k.trim().slice(0, 50);
    if (v && !out.includes(v)) out.push(v);
    if (out.length === 30) break;
  }
  return out;
}

function formats(list: string[]): string[] {
  return [...new Set(list.filter((f) => f.trim()).map(catalogFormat))].slice(0, 12);
}

/** The catalog needs a Chinese name and abstract: an English-only upstream dataset keeps its text in both. */
function names(zh: string, en: string, abstractZh: string, abstractEn: string) {
  const nameZh = clip(zh || en, 200);
  return {
    nameZh,
    nameEn: clip(en || (hasHan(zh) ? '' : zh), 300),
    abstractZh: clip(abstractZh || abstractEn || nameZh, 4000),
    abstractEn: clip(abstractEn, 8000),
  };
}

// ------------------------------------------------------------------------------------------------ CKAN

const FREQUENCIES: readonly UpdateFrequency[] = [
  'realtime',
  'daily',
  'weekly',
  'monthly',
  'quarterly',
  'half_yearly',
  'yearly',
  'irregular',
];

type Json = Record<string, unknown>;
const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A package_search answer ({help, success, result: {count, results}}) → its datasets and the reported count. */
export function parseCkanPage(body: string, base: string, page: number): HarvestPage & { total: number } {
  let doc: unknown;
  try {
    doc = JSON.parse(body);
  } catch (e) {
    throw new HarvestFailure('malformed', { page, message: `not JSON: ${(e as Error).message.slice(0, 120)}` });
  }
  if (!isObj(doc) || doc.success !== true || !isObj(doc.result))
    throw new HarvestFailure('malformed', { page, message: 'not a CKAN package_search answer ({success: true, result})' });
  const { count, results } = doc.result;
  if (typeof count !== 'number' || !Number.isInteger(count) || count < 0 || !Array.isArray(results))
    throw new HarvestFailure('malformed', { page, message: 'result.count (an integer) and result.results (a list) are required' });
  return { datasets: results.map((p, i) => ckanPackage(p, base, page, i)), next: null, total: count };
}

function ckanPackage(p: unknown, base: string, page: number, index: number): HarvestedDataset {
  const bad = (message: string) => new HarvestFailure('invalid_dataset', { page, item: `results[${index}]`, message });
  if (!isObj(p)) throw bad('not an object');
  const id = clip(p.id, 2000);
  if (!id) throw bad('no id');
  const extras = new Map<string, string>();
  if (Array.isArray(p.extras))
    for (const e of p.extras) if (isObj(e) && typeof e.key === 'string' && typeof e.value === 'string') extras.set(e.key, e.value);
  const translated = (k: string, lang: string) => (isObj(p[`${k}_translated`]) ? clip((p[`${k}_translated`] as Json)[lang], 8000) : '');
  const title = clip(p.title, 300) || clip(p.name, 300);
  const notes = clip(p.notes, 8000);
  const zhTitle = translated('title', 'zh') || (hasHan(title) ? title : '');
  const enTitle = translated('title', 'en') || extras.get('title_en') || (hasHan(title) ? '' : title);
  const zhNotes = translated('notes', 'zh') || (hasHan(notes) || !enTitle ? notes : '');
  const enNotes = translated('notes', 'en') || extras.get('notes_en') || (zhNotes ? '' : notes);
  const n = names(zhTitle || title, enTitle, zhNotes, enNotes);
  if (!n.nameZh) throw bad('no title or name');
  const tags = Array.isArray(p.tags) ? p.tags.map((t) => (isObj(t) ? clip(t.display_name ?? t.name, 50) : '')).filter(Boolean) : [];
  const resources = Array.isArray(p.resources) ? p.resources.filter(isObj) : [];
  const distributions = resources
    .filter((r) => isHttp(r.url))
    .slice(0, 50)
    .map((r) => ({ url: clip(r.url, 2000), format: clip(r.format, 40), title: clip(r.name, 200) }));
  const openExtra = extras.get('open_mode') ?? extras.get('open_attribute') ?? '';
  const conditional = openExtra === 'conditional' || /有条件/.test(openExtra);
  const freq = extras.get('update_frequency') ?? '';
  const name = clip(p.name, 200);
  return {
    remoteId: id,
    ...n,
    keywords: keywords(tags),
    formats: formats(resources.map((r) => clip(r.format, 40))),
    license: clip(p.license_title, 200) || clip(p.license_id, 200),
    landingPage: isHttp(p.url) ? clip(p.url, 2000) : name ? `${base.replace(/\/+$/, '')}/dataset/${encodeURIComponent(name)}` : null,
    modified: clip(p.metadata_modified, 40) || null,
    openMode: conditional ? 'conditional' : 'unconditional',
    openConditions: conditional ? clip(extras.get('open_conditions'), 2000) : '',
    updateFrequency: (FREQUENCIES as readonly string[]).includes(freq) ? (freq as UpdateFrequency) : 'irregular',
    publisher: isObj(p.organization) ? clip(p.organization.title ?? p.organization.name, 200) : '',
    distributions,
  };
}

// ------------------------------------------------------------------------------------------------ DCAT

/** EU frequency vocabulary (publications.europa.eu/resource/authority/frequency/…) → the catalog's. */
const EU_FREQUENCY: Record<string, UpdateFrequency> = {
  CONT: 'realtime',
  UPDATE_CONT: 'realtime',
  '1MIN': 'realtime',
  HOURLY: 'realtime',
  DAILY: 'daily',
  WEEKLY: 'weekly',
  MONTHLY: 'monthly',
  QUARTERLY: 'quarterly',
  ANNUAL_2: 'half_yearly',
  ANNUAL: 'yearly',
  IRREG: 'irregular',
};

/** A language-tagged text: the zh (or untagged Chinese) value and the en (or untagged non-Chinese) value. */
function textOf(list: DcatText[]): { zh: string; en: string } {
  const tagged = (lang: string) =>
    list.find((l) => l.lang.toLowerCase() === lang || l.lang.toLowerCase().startsWith(`${lang}-`))?.value ?? '';
  const plain = list.find((l) => !l.lang)?.value ?? '';
  const zh = tagged('zh') || (hasHan(plain) ? plain : '');
  return { zh, en: tagged('en') || (!zh && !hasHan(plain) ? plain : '') };
}

/**
 * A DCAT-AP page (JSON-LD or Turtle; src/modules/dcat/rdf.ts parses it, never loading a remote JSON-LD context)
 * → its datasets and the Hydra next page, if any. Datasets marked NON_PUBLIC upstream are not harvested.
 */
export async function parseDcatPage(body: string, contentType: string, pageUrl: string, page: number): Promise<HarvestPage> {
  const type = rdfFormatOf(contentType) ? contentType : /^\s*[[{]/.test(body) ? 'application/ld+json' : 'text/turtle';
  let quads;
  try {
    quads = await parseDcat(body, type, { baseIri: pageUrl });
  } catch (e) {
    throw new HarvestFailure('malformed', { page, message: String((e as Error).message).slice(0, 200) });
  }
  const datasets: HarvestedDataset[] = [];
  for (const ds of readDcatDatasets(quads)) {
    const bad = (message: string) => new HarvestFailure('invalid_dataset', { page, item: ds.iri.slice(0, 200), message });
    if (ds.iri.startsWith('_:')) throw bad('a dataset without an IRI');
    const title = textOf(ds.title);
    const desc = textOf(ds.description);
    const n = names(title.zh, title.en, desc.zh, desc.en);
    if (!n.nameZh) throw bad('no dct:title');
    const access = ds.accessRights ?? '';
    if (/NON_PUBLIC$/.test(access)) continue;
    const zhKw = ds.keywords.filter((k) => /^zh/i.test(k.lang) || hasHan(k.value));
    const dists = ds.distributions.map((d) => ({
      url: (d.downloadUrl ?? d.accessUrl ?? '').slice(0, 2000),
      format: (d.format ?? d.mediaType ?? '').replace(/^.*\//, '').slice(0, 40),
      title: (textOf(d.title).zh || textOf(d.title).en).slice(0, 200),
    }));
    const conditional = /RESTRICTED$/.test(access);
    datasets.push({
      remoteId: ds.iri.slice(0, 2000),
      ...n,
      keywords: keywords((zhKw.length ? zhKw : ds.keywords).map((k) => k.value)),
      formats: formats(dists.map((d) => d.format)),
      license: (ds.license ?? '').slice(0, 200),
      landingPage: isHttp(ds.landingPage) ? ds.landingPage.slice(0, 2000) : null,
      modified: (ds.modified ?? ds.issued)?.slice(0, 40) ?? null,
      openMode: conditional ? 'conditional' : 'unconditional',
      openConditions: '',
      updateFrequency: EU_FREQUENCY[(ds.accrualPeriodicity ?? '').replace(/^.*\//, '')] ?? 'irregular',
      publisher: ds.publisher ? (textOf(ds.publisher.name).zh || textOf(ds.publisher.name).en).slice(0, 200) : '',
      distributions: dists.filter((d) => isHttp(d.url)).slice(0, 50),
    });
  }
  const next = hydraNext(quads);
  return { datasets, next: next && isHttp(next) ? new URL(next, pageUrl).href : null };
}
