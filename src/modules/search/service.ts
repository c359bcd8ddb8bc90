// Catalog search (issue 4 §7): indexing (called by the catalog inside its write transactions), the search
// itself with filters, disjunctive facet counts, highlighting and pagination, and type-ahead suggestions.
// Visibility is the catalog's one rule (src/modules/catalog/visibility.ts).
import type { AppContext } from '../../context.ts';
import type { Executor, Tx } from '../../db/database.ts';
import type { Lang } from '../../i18n/messages.ts';
import type { Actor } from '../identity/actor.ts';
import { catalogVisibility, visibleSql } from '../catalog/visibility.ts';
import { highlight, termPattern } from './highlight.ts';
import {
  FACETS,
  SearchRepository,
  type Facet,
  type FacetFilters,
  type FacetRow,
  type ItemRow,
  type SearchSpec,
  type Sort,
} from './repository.ts';
import { highlightTerms, loadJieba, queryWords, resourceVectors, tsqueryLiteral, type QueryWord } from './tokenize.ts';

export interface SearchParams {
  q?: string;
  /** Comma-separated values per facet (OR within a facet, AND across facets). */
  org?: string;
  category?: string;
  grade?: string;
  share?: string;
  open?: string;
  format?: string;
  frequency?: string;
  keyword?: string;
  /** License (exact, e.g. CC-BY-4.0). */
  license?: string;
  sort?: Sort;
  page?: number;
  pageSize?: number;
  /** false: skip the facet counts (the total is still computed). */
  facets?: boolean;
}

export interface OrgRef {
  id: string;
  nameZh: string;
  nameEn: string;
}

export interface SearchItem {
  id: string;
  code: string;
  nameZh: string;
  nameEn: string;
  abstractZh: string;
  highlight: { name: string; abstract: string };
  org: OrgRef;
  grade: string;
  gradeLevel: number | null;
  shareMode: string;
  openMode: string;
  status: string;
  releaseDate: string | null;
  updatedAt: string;
  popularity: number;
}

export interface FacetValue {
  value: string;
  label: string;
  count: number;
}

export interface SearchResult {
  items: SearchItem[];
  total: number;
  page: number;
  pageSize: number;
  facets: Record<Facet, FacetValue[]>;
}

export interface Suggestion {
  id: string;
  code: string;
  nameZh: string;
  nameEn: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const NO_ORG = '00000000-0000-0000-0000-000000000000';
const MAX_FILTER_VALUES = 20;
const SNIPPET_CHARS = 120;

const LABELS: Record<'grade' | 'share' | 'open' | 'frequency', Record<string, [string, string]>> = {
  grade: { core: ['核心数据', 'Core data'], important: ['重要数据', 'Important data'], general: ['一般数据', 'General data'] },
  share: {
    unconditional: ['无条件共享', 'Shared unconditionally'],
    conditional: ['有条件共享', 'Shared on conditions'],
    none: ['不予共享', 'Not shared'],
  },
  open: {
    unconditional: ['无条件开放', 'Open unconditionally'],
    conditional: ['有条件开放', 'Open on conditions'],
    none: ['不予开放', 'Not open'],
  },
  frequency: {
    realtime: ['实时', 'Real time'],
    daily: ['每日', 'Daily'],
    weekly: ['每周', 'Weekly'],
    monthly: ['每月', 'Monthly'],
    quarterly: ['每季度', 'Quarterly'],
    half_yearly: ['每半年', 'Half-yearly'],
    yearly: ['每年', 'Yearly'],
    irregular: ['不定期', 'Irregular'],
  },
};

const CATEGORY_TTL_MS = 60_000;
/**
 * Facet counts of a browse without words (the portal's landing page: every visible resource) are cached this
 * long per visibility and filters. Any catalog write in this process clears the cache (indexResource), so
 * the TTL only bounds staleness across processes. Searches with words are never cached.
 */
const BROWSE_FACETS_TTL_MS = 15_000;
const BROWSE_FACETS_MAX = 200;
/**
 * Tokenized queries kept per input text (jieba's cut, the tsquery literal and the highlight pattern are a pure
 * function of the text): type-ahead and repeated searches skip the tokenizer. Inputs longer than this are not kept.
 */
const QUERY_CACHE_MAX = 1000;
const QUERY_CACHE_TEXT = 200;

/** A tokenized query text. */
interface ParsedQuery {
  words: QueryWord[];
  tsquery: string | null;
  /** Highlight matcher (its lastIndex is reset by every highlight() call, all synchronous). */
  pattern: RegExp | null;
}

/** A prepared search: what the API runs, exposed so the benchmark can run the very same SQL through pg. */
export interface PreparedSearch {
  spec: SearchSpec;
  /** Marks the matched words in names and abstracts (null: nothing to mark). */
  pattern: RegExp | null;
  /** The input had text but no letters or digits (only punctuation, symbols, emoji): nothing can match. */
  nothing: boolean;
  page: number;
  pageSize: number;
  facets: boolean;
  /** Identifies visibility + filters (the browse facet cache key). */
  cacheKey: string;
}

export class SearchService {
  readonly repo = new SearchRepository();
  #categories: { at: number; map: Map<string, { zh: string; en: string }> } | null = null;
  #browseFacets = new Map<string, { at: number; rows: FacetRow[] }>();
  #browseGeneration = 0;
  #queries = new Map<string, ParsedQuery>();

  constructor(readonly ctx: AppContext) {
    // Anyone may search the catalog (the public portal too); what they find is limited by visibility.
    ctx.authz.allow('anonymous', 'catalog.search').allow('signed_in', 'catalog.search');
  }

  // ------------------------------------------------------------------------------------------ indexing

  /** Recomputes a resource's search tokens inside the caller's transaction (the catalog calls it on every write). */
  async indexResource(tx: Tx | Executor, resourceId: string): Promise<void> {
    await loadJieba();
    this.#browseFacets.clear();
    this.#browseGeneration++;
    const [src] = await this.repo.sources(tx, { id: resourceId });
    if (!src) return; // deleted in this transaction
    const v = this.vectorsOf(src);
    await this.repo.setTokens(tx, src.id, v.tokens, v.names);
  }

  /** indexResource for many resources at once (the catalog's bulk import), inside the caller's transaction. */
  async indexResources(tx: Tx | Executor, resourceIds: string[], batch = 1000): Promise<void> {
    await loadJieba();
    this.#browseFacets.clear();
    this.#browseGeneration++;
    for (let i = 0; i < resourceIds.length; i += batch) {
      const ids = resourceIds.slice(i, i + batch);
      const rows = await this.repo.sources(tx, { ids, limit: ids.length });
      const vectors = rows.map((r) => this.vectorsOf(r));
      await this.repo.setTokensMany(
        tx,
        rows.map((r) => r.id),
        vectors.map((v) => v.tokens),
        vectors.map((v) => v.names),
      );
    }
  }

  /** Rebuilds every resource's tokens (after a bulk load or a tokenizer change); returns how many. */
  async reindexAll(opts: { batch?: number; onProgress?: (done: number) => void } = {}): Promise<number> {
    await loadJieba();
    this.#browseFacets.clear();
    this.#browseGeneration++;
    const batch = opts.batch ?? 1000;
    let afterId: string | null = null;
    let done = 0;
    for (;;) {
      const rows = await this.repo.sources(this.ctx.db, { afterId, limit: batch });
      if (!rows.length) break;
      const vectors = rows.map((r) => this.vectorsOf(r));
      await this.repo.setTokensMany(
        this.ctx.db,
        rows.map((r) => r.id),
        vectors.map((v) => v.tokens),
        vectors.map((v) => v.names),
      );
      done += rows.length;
      afterId = rows[rows.length - 1]!.id;
      opts.onProgress?.(done);
    }
    return done;
  }

  private vectorsOf(src: {
    code: string;
    name_zh: string;
    name_en: string;
    abstract_zh: string;
    abstract_en: string;
    keywords: string[];
    field_names: string[];
  }): { tokens: string; names: string } {
    return resourceVectors({
      code: src.code,
      names: [src.name_zh, src.name_en],
      keywords: src.keywords,
      abstracts: [src.abstract_zh, src.abstract_en],
      fieldNames: src.field_names,
    });
  }

  // ------------------------------------------------------------------------------------------ search

  /** The words, tsquery and highlight pattern of a (trimmed) query text, from the cache when it was seen before. */
  private async parseQuery(text: string): Promise<ParsedQuery> {
    const hit = this.#queries.get(text);
    if (hit) return hit;
    await loadJieba();
    const words = queryWords(text);
    const parsed: ParsedQuery = { words, tsquery: tsqueryLiteral(words, true), pattern: termPattern(highlightTerms(words)) };
    if (text.length <= QUERY_CACHE_TEXT) {
      if (this.#queries.size >= QUERY_CACHE_MAX) this.#queries.clear();
      this.#queries.set(text, parsed);
    }
    return parsed;
  }

  /** Turns request parameters into the SQL specification (tokenizing the query, resolving visibility). */
  async prepare(actor: Actor, p: SearchParams): Promise<PreparedSearch> {
    const page = Math.max(1, p.page ?? 1);
    const pageSize = Math.min(100, Math.max(1, p.pageSize ?? 20));
    const text = (p.q ?? '').trim();
    const { tsquery, pattern } = await this.parseQuery(text);
    const vis = await catalogVisibility(this.ctx.authz, actor);
    const visibility = visibleSql(vis);
    const filters: FacetFilters = {};
    for (const f of FACETS) {
      const raw = p[f];
      if (raw === undefined || raw === '') continue;
      let values = [
        ...new Set(
          raw
            .split(',')
            .map((v) => v.trim())
            .filter(Boolean),
        ),
      ]
        .slice(0, MAX_FILTER_VALUES)
        .map((v) => v.slice(0, 200));
      if (f === 'org') {
        values = values.filter((v) => UUID.test(v));
        if (!values.length) values = [NO_ORG]; // an unknown organization matches nothing (never a SQL error)
      }
      if (values.length) filters[f] = values;
    }
    return {
      spec: { tsquery, visibility, filters, sort: p.sort ?? 'relevance', limit: pageSize, offset: (page - 1) * pageSize },
      pattern,
      nothing: text !== '' && tsquery === null,
      page,
      pageSize,
      facets: p.facets !== false,
      cacheKey: JSON.stringify([vis, filters]),
    };
  }

  async search(actor: Actor, p: SearchParams, lang: Lang = 'zh-CN'): Promise<SearchResult> {
    const prep = await this.prepare(actor, p);
    if (prep.nothing) return { items: [], total: 0, page: prep.page, pageSize: prep.pageSize, facets: emptyFacets() };
    const db = this.ctx.db;
    // At once on pooled connections: the page, and the total with the facet counts (two statements) or the count.
    // Each part is turned into its answer as soon as its rows arrive (the page usually comes first and is
    // highlighted while the counts still run).
    const [items, counted] = await Promise.all([
      this.repo.items(db, prep.spec).then((rows) => this.items(rows, prep.pattern, lang)),
      prep.facets
        ? this.facetRows(prep).then((rows) => this.facetValues(rows, lang))
        : this.repo.count(db, prep.spec).then((total) => ({ total, facets: emptyFacets() })),
    ]);
    return { items, total: counted.total, page: prep.page, pageSize: prep.pageSize, facets: counted.facets };
  }

  private async facetRows(prep: PreparedSearch): Promise<FacetRow[]> {
    if (prep.spec.tsquery !== null) return this.repo.facets(this.ctx.db, prep.spec);
    const hit = this.#browseFacets.get(prep.cacheKey);
    if (hit && Date.now() - hit.at < BROWSE_FACETS_TTL_MS) return hit.rows;
    const generation = this.#browseGeneration;
    const at = Date.now();
    const rows = await this.repo.facets(this.ctx.db, prep.spec);
    if (generation !== this.#browseGeneration) return rows; // a write happened meanwhile: do not keep them
    if (this.#browseFacets.size >= BROWSE_FACETS_MAX) this.#browseFacets.clear();
    this.#browseFacets.set(prep.cacheKey, { at, rows });
    return rows;
  }

  /** A page of result rows as items, with their organizations (each looked up once) and highlights. */
  private async items(rows: ItemRow[], pattern: RegExp | null, lang: Lang): Promise<SearchItem[]> {
    if (!rows.length) return [];
    const nodes = await this.ctx.authz.orgs.nodes();
    const orgs = new Map<string, OrgRef>();
    return rows.map((r) => {
      let org = orgs.get(r.provider_org_id);
      if (!org) {
        const o = nodes.get(r.provider_org_id);
        orgs.set(r.provider_org_id, (org = { id: r.provider_org_id, nameZh: o?.nameZh ?? '', nameEn: o?.nameEn ?? '' }));
      }
      return this.item(r, org, pattern, lang);
    });
  }

  private item(r: ItemRow, org: OrgRef, pattern: RegExp | null, lang: Lang): SearchItem {
    const en = lang === 'en';
    const name = en && r.name_en ? r.name_en : r.name_zh;
    const abstract = en && r.abstract_en ? r.abstract_en : r.abstract_zh;
    return {
      id: r.id,
      code: r.code,
      nameZh: r.name_zh,
      nameEn: r.name_en,
      abstractZh: r.abstract_zh,
      highlight: { name: highlight(name, pattern), abstract: highlight(abstract, pattern, SNIPPET_CHARS) },
      org,
      grade: r.grade,
      gradeLevel: r.grade_level,
      shareMode: r.share_mode,
      openMode: r.open_mode,
      status: r.status,
      releaseDate: r.release_date,
      updatedAt: r.updated_at.toISOString(),
      popularity: r.popularity,
    };
  }

  private async categoryLabels(): Promise<Map<string, { zh: string; en: string }>> {
    if (this.#categories && Date.now() - this.#categories.at < CATEGORY_TTL_MS) return this.#categories.map;
    const rows = await this.repo.categories(this.ctx.db);
    const map = new Map(rows.map((r) => [r.code, { zh: r.name_zh, en: r.name_en || r.name_zh }]));
    this.#categories = { at: Date.now(), map };
    return map;
  }

  /** The total and the labelled facet values of the facet rows. */
  private async facetValues(rows: FacetRow[], lang: Lang): Promise<{ total: number; facets: Record<Facet, FacetValue[]> }> {
    const out = emptyFacets();
    const en = lang === 'en' ? 1 : 0;
    const categories = rows.some((r) => r.facet === 'category') ? await this.categoryLabels() : null;
    const orgs = rows.some((r) => r.facet === 'org') ? await this.ctx.authz.orgs.nodes() : null;
    let total = 0;
    for (const r of rows) {
      if (r.facet === 'total') total = r.count;
      if (r.facet === 'total' || r.value === null) continue;
      let label = r.value;
      if (r.facet === 'org') {
        const o = orgs?.get(r.value);
        label = (en ? o?.nameEn || o?.nameZh : o?.nameZh) ?? r.value;
      } else if (r.facet === 'category') {
        const c = categories?.get(r.value);
        label = (en ? c?.en : c?.zh) ?? r.value;
      } else if (r.facet === 'grade' || r.facet === 'share' || r.facet === 'open' || r.facet === 'frequency') {
        label = LABELS[r.facet][r.value]?.[en] ?? r.value;
      }
      out[r.facet].push({ value: r.value, label, count: r.count });
    }
    return { total, facets: out };
  }

  /** Type-ahead: up to `limit` visible resources whose name (or code) has words starting with the input. */
  async suggest(actor: Actor, q: string, limit = 10): Promise<Suggestion[]> {
    const { tsquery } = await this.parseQuery(q.trim());
    if (!tsquery) return [];
    const visibility = visibleSql(await catalogVisibility(this.ctx.authz, actor));
    const rows = await this.repo.suggest(this.ctx.db, tsquery, visibility, limit);
    return rows.map((r) => ({ id: r.id, code: r.code, nameZh: r.name_zh, nameEn: r.name_en }));
  }
}

function emptyFacets(): Record<Facet, FacetValue[]> {
  return { org: [], category: [], grade: [], share: [], open: [], format: [], frequency: [], keyword: [], license: [] };
}
