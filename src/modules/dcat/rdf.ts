// RDF in and out for the DCAT-AP feed (issue 7 §7) and for DCAT harvesting (§8): one graph of n3 quads,
// written as Turtle (n3's Writer) or as compacted JSON-LD (jsonld.fromRDF + compact), and read back from Turtle,
// N-Triples or JSON-LD. jsonld never touches the network: every context is inline or comes from a map the caller
// passes; any other remote context is refused (no SSRF through "@context": "http://169.254.169.254/…").
import jsonld from 'jsonld';
import { DataFactory, Parser, Writer, type Quad, type Quad_Object, type Quad_Subject } from 'n3';

const { namedNode, literal, quad, blankNode } = DataFactory;

export const NS = {
  rdf: 'http://www.w3.org/1999/02/22-rdf-syntax-ns#',
  rdfs: 'http://www.w3.org/2000/01/rdf-schema#',
  xsd: 'http://www.w3.org/2001/XMLSchema#',
  dcat: 'http://www.w3.org/ns/dcat#',
  dct: 'http://purl.org/dc/terms/',
  foaf: 'http://xmlns.com/foaf/0.1/',
  vcard: 'http://www.w3.org/2006/vcard/ns#',
  skos: 'http://www.w3.org/2004/02/skos/core#',
  spdx: 'http://spdx.org/rdf/terms#',
  adms: 'http://www.w3.org/ns/adms#',
  hydra: 'http://www.w3.org/ns/hydra/core#',
} as const;
export type Prefix = keyof typeof NS;

/** The JSON-LD context of our output: the prefixes only, so every value keeps its explicit type or language. */
export const JSONLD_CONTEXT: Record<string, string> = { ...NS };

/** A prefixed name ('dcat:Dataset') or a full IRI as an n3 NamedNode. */
export function iri(name: string) {
  const i = name.indexOf(':');
  const p = name.slice(0, i) as Prefix;
  return namedNode(i > 0 && p in NS && !name.startsWith(`${p}://`) ? NS[p] + name.slice(i + 1) : name);
}

/** A small graph builder: subjects are IRIs (string) or blank nodes. */
export class Graph {
  readonly quads: Quad[] = [];
  #seen = new Set<string>();

  blank() {
    return blankNode();
  }

  private subj(s: string | Quad_Subject): Quad_Subject {
    return typeof s === 'string' ? namedNode(s) : s;
  }

  add(s: string | Quad_Subject, p: string, o: Quad_Object): this {
    const q = quad(this.subj(s), iri(p), o);
    const key = `${q.subject.id} ${q.predicate.id} ${q.object.id}`;
    if (!this.#seen.has(key)) {
      this.#seen.add(key);
      this.quads.push(q);
    }
    return this;
  }
  type(s: string | Quad_Subject, ...classes: string[]): this {
    for (const c of classes) this.add(s, 'rdf:type', iri(c));
    return this;
  }
  /** An IRI object. */
  ref(s: string | Quad_Subject, p: string, o: string | Quad_Subject): this {
    return this.add(s, p, typeof o === 'string' ? namedNode(o) : o);
  }
  /** A language-tagged string; nothing when the text is empty. */
  text(s: string | Quad_Subject, p: string, value: string | null | undefined, lang: 'zh' | 'en'): this {
    if (value && value.trim()) this.add(s, p, literal(value, lang));
    return this;
  }
  /** A plain xsd:string literal; nothing when empty. */
  str(s: string | Quad_Subject, p: string, value: string | null | undefined): this {
    if (value !== null && value !== undefined && value !== '') this.add(s, p, literal(value));
    return this;
  }
  typed(s: string | Quad_Subject, p: string, value: string, datatype: string): this {
    return this.add(s, p, literal(value, iri(datatype)));
  }
  has(subject: string): boolean {
    return this.quads.some((q) => q.subject.value === subject);
  }
}

/** Turtle, each subject's triples together (in the order subjects first appear). */
export function toTurtle(quads: Quad[]): Promise<string> {
  const bySubject = new Map<string, Quad[]>();
  for (const q of quads) {
    const list = bySubject.get(q.subject.id);
    if (list) list.push(q);
    else bySubject.set(q.subject.id, [q]);
  }
  const writer = new Writer({ prefixes: { ...NS } });
  for (const list of bySubject.values()) writer.addQuads(list);
  return new Promise((resolve, reject) => writer.end((err, out: string) => (err ? reject(err) : resolve(out))));
}

export function toNQuads(quads: Quad[]): string {
  return new Writer({ format: 'N-Quads' }).quadsToString(quads);
}

/** A jsonld document loader that fetches nothing: only the contexts given (by exact URL) resolve. */
export function offlineLoader(contexts: Record<string, object> = {}) {
  return async (url: string) => {
    const doc = Object.prototype.hasOwnProperty.call(contexts, url) ? contexts[url] : undefined;
    if (!doc) throw new RemoteContextRefused(url);
    return { contextUrl: undefined, documentUrl: url, document: doc };
  };
}

export class RemoteContextRefused extends Error {
  constructor(readonly url: string) {
    super(`remote JSON-LD context refused (no network access): ${url}`);
  }
}

/**
 * The graph as JSON-LD: `{ "@context": prefixes, "@graph": [node, …] }`, one node object per subject (in the order
 * subjects first appear), predicates and classes as compact IRIs, every literal with its explicit `@language` or
 * `@type`, every IRI value as a full `{"@id"}`. Written directly from the quads: jsonld.compact took 6–13 s for a
 * 1000-dataset page (superlinear); the tests read this output back with jsonld.toRDF and compare it with the
 * Turtle of the same quads (URDNA2015), so the two stay the same graph.
 */
export function toJsonLd(quads: Quad[]): Record<string, unknown> {
  const nodes = new Map<string, Record<string, unknown[]>>();
  const term = (t: Quad['subject'] | Quad_Object) => (t.termType === 'BlankNode' ? `_:${t.value}` : t.value);
  const typeIri = iri('rdf:type').value;
  const stringIri = iri('xsd:string').value;
  for (const q of quads) {
    const id = term(q.subject);
    let node = nodes.get(id);
    if (!node) nodes.set(id, (node = {}));
    let key: string;
    let value: unknown;
    if (q.predicate.value === typeIri && q.object.termType === 'NamedNode') {
      key = '@type';
      value = compactIri(q.object.value);
    } else {
      key = compactIri(q.predicate.value);
      const o = q.object;
      if (o.termType === 'Literal') {
        if (o.language) value = { '@value': o.value, '@language': o.language };
        else if (o.datatype.value === stringIri) value = { '@value': o.value };
        else value = { '@value': o.value, '@type': compactIri(o.datatype.value) };
      } else value = { '@id': term(o as Quad_Object) };
    }
    (node[key] ??= []).push(value);
  }
  const graph = [...nodes].map(([id, props]) => {
    const out: Record<string, unknown> = { '@id': id };
    for (const [k, vs] of Object.entries(props)) out[k] = vs.length === 1 ? vs[0] : vs;
    return out;
  });
  return { '@context': JSONLD_CONTEXT, '@graph': graph };
}

/** 'http://www.w3.org/ns/dcat#Dataset' → 'dcat:Dataset' when a prefix covers it; else the IRI unchanged. */
export function compactIri(value: string): string {
  for (const [p, ns] of Object.entries(NS)) {
    if (value.startsWith(ns)) {
      const local = value.slice(ns.length);
      if (local && !local.startsWith('//')) return `${p}:${local}`;
    }
  }
  return value;
}

/**
 * JSON text safe to embed anywhere: `<`, `>`, `&` and the JavaScript line separators as \u escapes (a title
 * containing `</script>` cannot end a `<script type="application/ld+json">` block). JSON.parse reads it back.
 */
export function safeJson(v: unknown): string {
  return JSON.stringify(v).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

export type RdfFormat = 'turtle' | 'jsonld' | 'ntriples';

/** The RDF syntax named by a Content-Type (parameters ignored), or null. */
export function rdfFormatOf(contentType: string): RdfFormat | null {
  const t = contentType.split(';')[0]!.trim().toLowerCase();
  if (t === 'text/turtle' || t === 'application/x-turtle') return 'turtle';
  if (t === 'application/ld+json' || t === 'application/json') return 'jsonld';
  if (t === 'application/n-triples' || t === 'application/n-quads' || t === 'text/plain') return 'ntriples';
  return null;
}

export interface ParseOptions {
  /** Base IRI for relative IRIs. */
  baseIri?: string;
  /** JSON-LD contexts the document may reference by URL (nothing else is loaded). */
  contexts?: Record<string, object>;
  /** Largest number of triples accepted (default 1,000,000). */
  maxQuads?: number;
}

export class RdfParseError extends Error {
  constructor(
    message: string,
    readonly format: RdfFormat | null,
  ) {
    super(message);
  }
}

/**
 * Parses a DCAT (or any RDF) document in Turtle, N-Triples/N-Quads or JSON-LD into n3 quads. Throws
 * RdfParseError (unsupported content type, syntax error, remote context, too many triples).
 */
export async function parseDcat(body: string, contentType: string, opts: ParseOptions = {}): Promise<Quad[]> {
  const format = rdfFormatOf(contentType);
  const max = opts.maxQuads ?? 1_000_000;
  if (!format) throw new RdfParseError(`unsupported content type: ${contentType}`, null);
  let quads: Quad[];
  if (format === 'jsonld') {
    let doc: unknown;
    try {
      doc = JSON.parse(body);
    } catch (e) {
      throw new RdfParseError(`malformed JSON: ${(e as Error).message}`, format);
    }
    let nq: string;
    try {
      nq = (await jsonld.toRDF(doc as never, {
        format: 'application/n-quads',
        documentLoader: offlineLoader(opts.contexts) as never,
        ...(opts.baseIri ? { base: opts.baseIri } : {}),
      })) as unknown as string;
    } catch (e) {
      const cause = (e as { details?: { cause?: unknown } }).details?.cause;
      if (cause instanceof RemoteContextRefused) throw new RdfParseError(cause.message, format);
      throw new RdfParseError(`invalid JSON-LD: ${(e as Error).message}`, format);
    }
    quads = parseText(nq, 'N-Quads', undefined, format);
  } else {
    quads = parseText(body, format === 'turtle' ? 'Turtle' : 'N-Quads', opts.baseIri, format);
  }
  if (quads.length > max) throw new RdfParseError(`too many triples: ${quads.length} > ${max}`, format);
  return quads;
}

function parseText(text: string, syntax: 'Turtle' | 'N-Quads', baseIRI: string | undefined, format: RdfFormat): Quad[] {
  try {
    return new Parser({ format: syntax, ...(baseIRI ? { baseIRI } : {}) }).parse(text);
  } catch (e) {
    throw new RdfParseError(`${syntax} syntax error: ${(e as Error).message}`, format);
  }
}

/** The objects of (subject, predicate) in a parsed graph. */
export function objects(quads: Quad[], subject: string, predicate: string): Quad_Object[] {
  const p = iri(predicate).value;
  return quads.filter((q) => q.subject.value === subject && q.predicate.value === p).map((q) => q.object);
}

/** The subjects typed with a class in a parsed graph (e.g. every dcat:Dataset). */
export function subjectsOfType(quads: Quad[], cls: string): string[] {
  const t = iri('rdf:type').value;
  const c = iri(cls).value;
  return [...new Set(quads.filter((q) => q.predicate.value === t && q.object.value === c).map((q) => q.subject.value))];
}

// ---------------------------------------------------------------------------------------------------------
// Reading a DCAT graph (for a harvester): the datasets as plain objects, and the Hydra next page.

export interface DcatText {
  value: string;
  lang: string;
}

export interface DcatDistributionSummary {
  iri: string;
  title: DcatText[];
  accessUrl: string | null;
  downloadUrl: string | null;
  format: string | null;
  mediaType: string | null;
  byteSize: number | null;
  checksumSha256: string | null;
}

export interface DcatDatasetSummary {
  iri: string;
  identifier: string | null;
  title: DcatText[];
  description: DcatText[];
  keywords: DcatText[];
  landingPage: string | null;
  publisher: { iri: string | null; name: DcatText[] } | null;
  themes: string[];
  accessRights: string | null;
  accrualPeriodicity: string | null;
  license: string | null;
  issued: string | null;
  modified: string | null;
  distributions: DcatDistributionSummary[];
}

/** Every dcat:Dataset of a parsed graph as a plain object (literals with their language; '' when untagged). */
export function readDcatDatasets(quads: Quad[]): DcatDatasetSummary[] {
  const index = new Map<string, Map<string, Quad_Object[]>>();
  for (const q of quads) {
    const s = q.subject.termType === 'BlankNode' ? `_:${q.subject.value}` : q.subject.value;
    let bySubject = index.get(s);
    if (!bySubject) index.set(s, (bySubject = new Map()));
    const list = bySubject.get(q.predicate.value);
    if (list) list.push(q.object);
    else bySubject.set(q.predicate.value, [q.object]);
  }
  const key = (o: Quad_Object) => (o.termType === 'BlankNode' ? `_:${o.value}` : o.value);
  const all = (s: string, p: string) => index.get(s)?.get(iri(p).value) ?? [];
  const one = (s: string, p: string) => all(s, p)[0]?.value ?? null;
  const texts = (s: string, p: string): DcatText[] =>
    all(s, p)
      .filter((o) => o.termType === 'Literal')
      .map((o) => ({ value: o.value, lang: (o as { language?: string }).language ?? '' }));
  const num = (v: string | null) => (v !== null && /^\d+$/.test(v) ? Number(v) : null);
  const type = iri('rdf:type').value;
  const datasetClass = iri('dcat:Dataset').value;
  const datasets = new Set<string>();
  for (const q of quads) if (q.predicate.value === type && q.object.value === datasetClass) datasets.add(key(q.subject as Quad_Object));
  return [...datasets].map((ds) => {
    const pub = all(ds, 'dct:publisher')[0];
    return {
      iri: ds,
      identifier: one(ds, 'dct:identifier'),
      title: texts(ds, 'dct:title'),
      description: texts(ds, 'dct:description'),
      keywords: texts(ds, 'dcat:keyword'),
      landingPage: one(ds, 'dcat:landingPage'),
      publisher: pub ? { iri: pub.termType === 'NamedNode' ? pub.value : null, name: texts(key(pub), 'foaf:name') } : null,
      themes: all(ds, 'dcat:theme').map((o) => o.value),
      accessRights: one(ds, 'dct:accessRights'),
      accrualPeriodicity: one(ds, 'dct:accrualPeriodicity'),
      license: one(ds, 'dct:license'),
      issued: one(ds, 'dct:issued'),
      modified: one(ds, 'dct:modified'),
      distributions: all(ds, 'dcat:distribution').map((d) => {
        const id = key(d);
        const sum = all(id, 'spdx:checksum')[0];
        const isSha256 = sum && one(key(sum), 'spdx:algorithm') === `${NS.spdx}checksumAlgorithm_sha256`;
        return {
          iri: key(d),
          title: texts(id, 'dct:title'),
          accessUrl: one(id, 'dcat:accessURL'),
          downloadUrl: one(id, 'dcat:downloadURL'),
          format: one(id, 'dct:format'),
          mediaType: one(id, 'dcat:mediaType'),
          byteSize: num(one(id, 'dcat:byteSize')),
          checksumSha256: isSha256 ? one(key(sum), 'spdx:checksumValue') : null,
        };
      }),
    };
  });
}

/** The hydra:next page of a paged catalog document (hydra:PartialCollectionView or the older hydra:PagedCollection), or null. */
export function hydraNext(quads: Quad[]): string | null {
  const next = iri('hydra:next').value;
  const nextPage = iri('hydra:nextPage').value;
  return (
    quads.find((q) => (q.predicate.value === next || q.predicate.value === nextPage) && q.object.termType === 'NamedNode')?.object.value ??
    null
  );
}
