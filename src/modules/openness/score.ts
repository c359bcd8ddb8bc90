// Measuring openness per dataset (issue 7 §9): a metadata quality score in the spirit of the EU data.europa.eu
// Metadata Quality Assessment (MQA) and Tim Berners-Lee's 5-star open data level. Pure functions of the facts a
// dataset's catalog record and files give (service.ts gathers them), so every point can be explained.
//
// MQA: five dimensions, 405 points, weights as in the MQA methodology (data.europa.eu; verified in the
// BeOpen-project/mqa-scoring implementation — ../shared/research/open_data_anchors.md §10.5). Indicators on
// distributions count the share of distributions that satisfy them. Two adaptations, both recorded in
// docs/portal-openness.md: "accessURL/downloadURL answers 2xx/3xx" is known without a link check for the
// platform's own files (it serves them), and unknown (0 points) for harvested links, which are not checked; the
// DCAT-AP compliance points are given when the dataset is in the feed that the tests validate against the
// official SHACL shapes (every published open dataset is).
// Rating bands: excellent 351–405, good 221–350, sufficient 121–220, bad 0–120.
//
// 5 stars (5stardata.info): ★ on the web under an open licence; ★★ machine-readable structured data;
// ★★★ a non-proprietary format; ★★★★ URIs to denote things (RDF); ★★★★★ linked to other data. A dataset gets
// the highest level its best distribution reaches. Our own files are CSV/JSON/XLSX/Parquet, so they reach ★★★;
// ★★★★ needs an RDF distribution (only harvested datasets may have one); ★★★★★ is not decided automatically.

export interface DistributionFacts {
  /** Catalog format name (csv, json, xlsx, parquet, pdf, rdf, …) or a media type. */
  format: string;
  hasDownloadUrl: boolean;
  /** Answers 2xx/3xx: true for the platform's own files, null when not checked (harvested links). */
  reachable: boolean | null;
  hasMediaType: boolean;
  hasByteSize: boolean;
}

export interface DatasetFacts {
  keywords: number;
  hasTheme: boolean;
  hasSpatial: boolean;
  hasTemporal: boolean;
  distributions: DistributionFacts[];
  licence: string;
  hasAccessRights: boolean;
  hasContactPoint: boolean;
  hasPublisher: boolean;
  hasRights: boolean;
  hasIssued: boolean;
  hasModified: boolean;
  /** In the DCAT-AP feed validated against the official shapes. */
  dcatConformant: boolean;
}

export type Dimension = 'findability' | 'accessibility' | 'interoperability' | 'reusability' | 'contextuality';
export interface Indicator {
  key: string;
  points: number;
  max: number;
}
export interface MqaScore {
  total: number;
  max: 405;
  rating: 'excellent' | 'good' | 'sufficient' | 'bad';
  dimensions: Record<Dimension, { points: number; max: number; indicators: Indicator[] }>;
}

const MACHINE_READABLE = new Set([
  'csv',
  'tsv',
  'json',
  'ndjson',
  'xml',
  'xlsx',
  'xls',
  'parquet',
  'geojson',
  'shp',
  'rdf',
  'ttl',
  'turtle',
  'jsonld',
  'json-ld',
  'api',
  'ods',
]);
const NON_PROPRIETARY = new Set([
  'csv',
  'tsv',
  'json',
  'ndjson',
  'xml',
  'parquet',
  'geojson',
  'rdf',
  'ttl',
  'turtle',
  'jsonld',
  'json-ld',
  'ods',
]);
const RDF = new Set(['rdf', 'ttl', 'turtle', 'jsonld', 'json-ld', 'n-triples', 'nt']);
/** Formats of a controlled vocabulary (the EU file-type table has them all). */
const KNOWN_FORMATS = new Set([...MACHINE_READABLE, 'pdf', 'doc', 'docx', 'zip', 'html', 'png', 'jpeg', 'jpg']);

/** A format name, file-type IRI or media type → a short lower-case format name. */
export function formatName(raw: string): string {
  const f = raw.trim().toLowerCase();
  const tail = f.replace(/^.*\/file-type\//, '').replace(/^.*\//, '');
  if (f.includes('spreadsheetml')) return 'xlsx';
  if (f.includes('parquet')) return 'parquet';
  if (f.includes('ld+json')) return 'jsonld';
  if (f.includes('geo+json')) return 'geojson';
  if (f === 'text/turtle') return 'ttl';
  if (f.includes('rdf+xml')) return 'rdf';
  return tail.replace(/^x-/, '').replace(/\+.*$/, '');
}

/** Open licences recognized by name (anything else counts as a licence, not as an open one). */
const OPEN_LICENCES = [
  /cc[\s_-]*by/i,
  /cc[\s_-]*0|cc0|public domain/i,
  /odbl|open data commons|odc[\s_-]*by|pddl/i,
  /open government licen[cs]e|licence ouverte|etalab/i,
  /开放(数据)?(许可|协议)|知识共享|署名/,
];
export const isOpenLicence = (l: string) => OPEN_LICENCES.some((re) => re.test(l));

const share = (ds: DistributionFacts[], ok: (d: DistributionFacts) => boolean) => (ds.length ? ds.filter(ok).length / ds.length : 0);

export function mqa(f: DatasetFacts): MqaScore {
  const ds = f.distributions;
  const ind = (key: string, max: number, fraction: number | boolean): Indicator => ({
    key,
    max,
    points: Math.round(max * (typeof fraction === 'boolean' ? (fraction ? 1 : 0) : fraction)),
  });
  const dims: MqaScore['dimensions'] = {
    findability: group([
      ind('keywords', 30, f.keywords > 0),
      ind('theme', 30, f.hasTheme),
      ind('spatial', 20, f.hasSpatial),
      ind('temporal', 20, f.hasTemporal),
    ]),
    accessibility: group([
      ind(
        'accessUrlReachable',
        50,
        share(ds, (d) => d.reachable === true),
      ),
      ind(
        'downloadUrl',
        20,
        share(ds, (d) => d.hasDownloadUrl),
      ),
      ind(
        'downloadUrlReachable',
        30,
        share(ds, (d) => d.hasDownloadUrl && d.reachable === true),
      ),
    ]),
    interoperability: group([
      ind(
        'format',
        20,
        share(ds, (d) => !!d.format),
      ),
      ind(
        'mediaType',
        10,
        share(ds, (d) => d.hasMediaType),
      ),
      ind(
        'formatVocabulary',
        10,
        share(ds, (d) => KNOWN_FORMATS.has(formatName(d.format))),
      ),
      ind(
        'nonProprietary',
        20,
        share(ds, (d) => NON_PROPRIETARY.has(formatName(d.format))),
      ),
      ind(
        'machineReadable',
        20,
        share(ds, (d) => MACHINE_READABLE.has(formatName(d.format))),
      ),
      ind('dcatApCompliance', 30, f.dcatConformant),
    ]),
    reusability: group([
      ind('licence', 20, !!f.licence.trim()),
      ind('licenceVocabulary', 10, isOpenLicence(f.licence)),
      ind('accessRights', 10, f.hasAccessRights),
      ind('accessRightsVocabulary', 5, f.hasAccessRights),
      ind('contactPoint', 20, f.hasContactPoint),
      ind('publisher', 10, f.hasPublisher),
    ]),
    contextuality: group([
      ind('rights', 5, f.hasRights),
      ind(
        'byteSize',
        5,
        share(ds, (d) => d.hasByteSize),
      ),
      ind('issued', 5, f.hasIssued),
      ind('modified', 5, f.hasModified),
    ]),
  };
  const total = Object.values(dims).reduce((s, d) => s + d.points, 0);
  return {
    total,
    max: 405,
    rating: total > 350 ? 'excellent' : total > 220 ? 'good' : total > 120 ? 'sufficient' : 'bad',
    dimensions: dims,
  };
}

function group(indicators: Indicator[]) {
  return { points: indicators.reduce((s, i) => s + i.points, 0), max: indicators.reduce((s, i) => s + i.max, 0), indicators };
}

/** Tim Berners-Lee's level: 0 when there is no file on the web under an open licence. */
export function stars(f: DatasetFacts): 0 | 1 | 2 | 3 | 4 | 5 {
  if (!f.distributions.length || !isOpenLicence(f.licence)) return 0;
  let best: 1 | 2 | 3 | 4 = 1;
  for (const d of f.distributions) {
    const name = formatName(d.format);
    if (RDF.has(name)) best = 4;
    else if (NON_PROPRIETARY.has(name) && best < 3) best = 3;
    else if (MACHINE_READABLE.has(name) && best < 2) best = 2;
  }
  return best;
}
