// The search module's SQL. It owns one column of the catalog's table (catalog_resources.search_tokens,
// migrations/0008_catalog_search.sql) and reads the catalog's tables; everything here is parameterized
// (`sql` tagged templates; the tsquery is a literal built by tokenize.ts and bound as a parameter).
import { sql, type Expression, type RawBuilder, type SqlBool } from 'kysely';
import type { Executor } from '../../db/database.ts';

// The column lives in the catalog's table, whose Kysely type the catalog module declares; the search module
// reads and writes it with raw SQL below, so it adds no table type of its own.
export interface SearchTables {}

export const FACETS = ['org', 'category', 'grade', 'share', 'open', 'format', 'frequency', 'keyword', 'license'] as const;
export type Facet = (typeof FACETS)[number];
export type FacetFilters = Partial<Record<Facet, string[]>>;
export const SORTS = ['relevance', 'release', 'updated', 'popularity'] as const;
export type Sort = (typeof SORTS)[number];

export interface SearchSpec {
  /** tsquery literal from tokenize.ts; null: no text query (browse). */
  tsquery: string | null;
  /** Who may see what (unqualified catalog_resources columns). */
  visibility: Expression<SqlBool>;
  filters: FacetFilters;
  sort: Sort;
  limit: number;
  offset: number;
  /** At most this many values per facet (organizations get FACET_LIMIT_ORG). */
  facetLimit?: number;
}

export interface ItemRow {
  id: string;
  code: string;
  name_zh: string;
  name_en: string;
  abstract_zh: string;
  abstract_en: string;
  provider_org_id: string;
  grade: string;
  grade_level: number | null;
  share_mode: string;
  open_mode: string;
  status: string;
  release_date: string | null;
  updated_at: Date;
  popularity: number;
}

export interface FacetRow {
  facet: Facet | 'total';
  value: string | null;
  count: number;
}

const FACET_LIMIT = 30;
const FACET_LIMIT_ORG = 200;

/** The SQL condition of one facet filter (values already validated by the service). */
function filterCondition(facet: Facet, values: string[]): RawBuilder<SqlBool> {
  switch (facet) {
    case 'org':
      return sql<SqlBool>`provider_org_id = any(${values}::uuid[])`;
    case 'category':
      return sql<SqlBool>`(subject_category = any(${values}::text[]) or domain_category = any(${values}::text[]))`;
    case 'grade':
      return sql<SqlBool>`grade = any(${values}::text[])`;
    case 'share':
      return sql<SqlBool>`share_mode = any(${values}::text[])`;
    case 'open':
      return sql<SqlBool>`open_mode = any(${values}::text[])`;
    case 'format':
      return sql<SqlBool>`formats && ${values}::text[]`;
    case 'frequency':
      return sql<SqlBool>`update_frequency = any(${values}::text[])`;
    case 'keyword':
      return sql<SqlBool>`keywords && ${values}::text[]`;
    case 'license':
      return sql<SqlBool>`license = any(${values}::text[])`;
  }
}

function and(conds: Expression<SqlBool>[]): RawBuilder<SqlBool> {
  return conds.length ? sql<SqlBool>`(${sql.join(conds, sql` and `)})` : sql<SqlBool>`true`;
}

function activeFilters(filters: FacetFilters): [Facet, string[]][] {
  return FACETS.filter((f) => filters[f] && filters[f].length).map((f) => [f, filters[f]!]);
}

/** Text match and visibility: the set every facet count starts from. */
function baseWhere(spec: SearchSpec): RawBuilder<SqlBool> {
  const conds: Expression<SqlBool>[] = [spec.visibility];
  if (spec.tsquery !== null) conds.unshift(sql<SqlBool>`search_tokens @@ ${spec.tsquery}::tsquery`);
  return and(conds);
}

// Sort columns are qualified: a bare release_date would sort by the to_char() output column of that name
// and miss the index.
function orderBy(spec: SearchSpec): RawBuilder<unknown> {
  switch (spec.sort) {
    case 'release':
      return sql`catalog_resources.release_date desc nulls last, id`;
    case 'updated':
      return sql`catalog_resources.updated_at desc, id`;
    case 'popularity':
      return sql`popularity desc, id`;
    case 'relevance':
      // Without a text query there is nothing to rank: newest releases first.
      return spec.tsquery === null
        ? sql`catalog_resources.release_date desc nulls last, id`
        : sql`ts_rank(search_tokens, ${spec.tsquery}::tsquery) desc, popularity desc, id`;
  }
}

/** One page of results (the statement is also what the benchmark runs directly through pg). */
export function itemsQuery(spec: SearchSpec): RawBuilder<ItemRow> {
  const where = and([baseWhere(spec), ...activeFilters(spec.filters).map(([f, v]) => filterCondition(f, v))]);
  return sql<ItemRow>`
    select id, code, name_zh, name_en, abstract_zh, abstract_en, provider_org_id, grade, grade_level, share_mode, open_mode,
      status, to_char(release_date, 'YYYY-MM-DD') as release_date, updated_at, popularity
    from catalog_resources
    where ${where}
    order by ${orderBy(spec)}
    limit ${spec.limit} offset ${spec.offset}`;
}

// Facet counts are disjunctive: a facet's counts apply every filter except its own (choosing another
// department shows how many results it would have), so each active filter adds one count column.
//
// Two statements, both one pass over the matches: facetCountsQuery groups the scalar columns (and the format
// sets) with GROUPING SETS — a single hashed aggregation, barely dearer than count(*) — and gives the total;
// keywordFacetQuery unnests the keywords (many distinct values) and keeps the most frequent.

/** The grouped columns of facetCountsQuery, in grouping() bit order (most significant first). */
export const GROUPED = [
  'provider_org_id',
  'subject_category',
  'domain_category',
  'grade',
  'share_mode',
  'open_mode',
  'update_frequency',
  'formats',
  'license',
] as const;

// The constant parts of facetCountsQuery, built once (Kysely fragments are immutable).
const GROUPED_COLS = sql.join(GROUPED.map((c) => sql.ref(c)));
const GROUPING_SETS = sql.join([...GROUPED.map((c) => sql`(${sql.ref(c)})`), sql`()`]);

export interface FacetCountRow {
  /** grouping() bitmask: a 0 bit marks the grouped column (all bits 1: the total). */
  g: number;
  provider_org_id: string | null;
  subject_category: string | null;
  domain_category: string | null;
  grade: string | null;
  share_mode: string | null;
  open_mode: string | null;
  update_frequency: string | null;
  formats: string[] | null;
  license: string | null;
  /** Count with every filter. */
  c_all: number;
  /** Domain-category count with every filter but the category one, not counting domain = subject twice. */
  c_domain: number;
  /** c_<facet>: count with every filter but that facet's (only for active filters). */
  [k: `c_${string}`]: number;
}

export function facetCountsQuery(spec: SearchSpec): RawBuilder<FacetCountRow> {
  const active = activeFilters(spec.filters);
  const conds = new Map(active.map(([f, v]) => [f, filterCondition(f, v)]));
  const except = (facet: Facet | null) => and([...conds].filter(([f]) => f !== facet).map(([, c]) => c));
  const counts = [
    sql`count(*) filter (where ${except(null)})::int as c_all`,
    sql`count(*) filter (where ${except('category')} and domain_category <> subject_category)::int as c_domain`,
    ...active.map(([f]) => sql`count(*) filter (where ${except(f)})::int as ${sql.ref(`c_${f}`)}`),
  ];
  return sql<FacetCountRow>`
    select grouping(${GROUPED_COLS})::int as g, provider_org_id::text as provider_org_id, subject_category, domain_category, grade,
      share_mode, open_mode, update_frequency, formats, license, ${sql.join(counts)}
    from catalog_resources
    where ${baseWhere(spec)}
    group by grouping sets (${GROUPING_SETS})`;
}

export function keywordFacetQuery(spec: SearchSpec): RawBuilder<{ value: string; count: number }> {
  const others = activeFilters(spec.filters)
    .filter(([f]) => f !== 'keyword')
    .map(([f, v]) => filterCondition(f, v));
  return sql<{ value: string; count: number }>`
    select k as value, count(*)::int as count
    from catalog_resources cross join lateral unnest(keywords) as k
    where ${and([baseWhere(spec), ...others])}
    group by k
    order by 2 desc, 1
    limit ${spec.facetLimit ?? FACET_LIMIT}`;
}

/** Turns the grouped rows into per-facet counts (largest first, capped) and the total. */
export function assembleFacets(rows: FacetCountRow[], keywords: { value: string; count: number }[], spec: SearchSpec): FacetRow[] {
  const active = new Set(activeFilters(spec.filters).map(([f]) => f));
  const countFor = (r: FacetCountRow, facet: Facet) => (active.has(facet) ? (r[`c_${facet}`] ?? 0) : r.c_all);
  const acc = new Map<Facet, Map<string, number>>(FACETS.map((f) => [f, new Map()]));
  const add = (facet: Facet, value: string | null, n: number) => {
    if (value === null || n <= 0) return;
    const m = acc.get(facet)!;
    m.set(value, (m.get(value) ?? 0) + n);
  };
  let total = 0;
  const bits = GROUPED.length;
  for (const r of rows) {
    const grouped = GROUPED.findIndex((_, i) => ((r.g >> (bits - 1 - i)) & 1) === 0);
    switch (GROUPED[grouped]) {
      case undefined:
        total = r.c_all;
        break;
      case 'provider_org_id':
        add('org', r.provider_org_id, countFor(r, 'org'));
        break;
      case 'subject_category':
        add('category', r.subject_category, countFor(r, 'category'));
        break;
      case 'domain_category':
        add('category', r.domain_category, r.c_domain);
        break;
      case 'grade':
        add('grade', r.grade, countFor(r, 'grade'));
        break;
      case 'share_mode':
        add('share', r.share_mode, countFor(r, 'share'));
        break;
      case 'open_mode':
        add('open', r.open_mode, countFor(r, 'open'));
        break;
      case 'update_frequency':
        add('frequency', r.update_frequency, countFor(r, 'frequency'));
        break;
      case 'formats':
        for (const f of new Set(r.formats ?? [])) add('format', f, countFor(r, 'format'));
        break;
      case 'license':
        add('license', r.license || null, countFor(r, 'license'));
        break;
    }
  }
  for (const k of keywords) add('keyword', k.value, k.count);
  const out: FacetRow[] = [{ facet: 'total', value: null, count: total }];
  const limit = spec.facetLimit ?? FACET_LIMIT;
  for (const [facet, m] of acc) {
    const list = [...m].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, facet === 'org' ? FACET_LIMIT_ORG : limit);
    for (const [value, count] of list) out.push({ facet, value, count });
  }
  return out;
}

/** Total only (when the caller does not want facets). */
export function countQuery(spec: SearchSpec): RawBuilder<{ count: number }> {
  const where = and([baseWhere(spec), ...activeFilters(spec.filters).map(([f, v]) => filterCondition(f, v))]);
  return sql<{ count: number }>`select count(*)::int as count from catalog_resources where ${where}`;
}

/** Type-ahead: visible resources whose name or code has the words, the last one as a prefix (search_names). */
export function suggestQuery(
  tsquery: string,
  visibility: Expression<SqlBool>,
  limit: number,
): RawBuilder<{ id: string; name_zh: string; name_en: string; code: string }> {
  return sql<{ id: string; name_zh: string; name_en: string; code: string }>`
    select id, name_zh, name_en, code
    from catalog_resources
    where search_names @@ ${tsquery}::tsquery and ${visibility}
    order by popularity desc, id
    limit ${limit}`;
}

export interface IndexSource {
  id: string;
  code: string;
  name_zh: string;
  name_en: string;
  abstract_zh: string;
  abstract_en: string;
  keywords: string[];
  field_names: string[];
}

export class SearchRepository {
  /** What the tokens are computed from: one resource, these resources (`ids`), or a batch after `afterId`, by id. */
  async sources(db: Executor, opts: { id?: string; ids?: string[]; afterId?: string | null; limit?: number }): Promise<IndexSource[]> {
    const where = opts.id
      ? sql`r.id = ${opts.id}`
      : opts.ids
        ? sql`r.id = any(${opts.ids}::uuid[])`
        : opts.afterId
          ? sql`r.id > ${opts.afterId}`
          : sql`true`;
    const { rows } = await sql<IndexSource>`
      select r.id, r.code, r.name_zh, r.name_en, r.abstract_zh, r.abstract_en, r.keywords,
        coalesce((select array_agg(f.name_zh || ' ' || f.name_en order by f.position) from catalog_fields f where f.resource_id = r.id), '{}') as field_names
      from catalog_resources r
      where ${where}
      order by r.id
      limit ${opts.limit ?? 1}`.execute(db);
    return rows;
  }

  async setTokens(db: Executor, id: string, tokens: string, names: string): Promise<void> {
    await sql`update catalog_resources set search_tokens = ${tokens}::tsvector, search_names = ${names}::tsvector where id = ${id}`.execute(
      db,
    );
  }

  /** Many at once (reindexAll): ids[i] gets tokens[i] and names[i]. */
  async setTokensMany(db: Executor, ids: string[], tokens: string[], names: string[]): Promise<void> {
    if (!ids.length) return;
    await sql`
      update catalog_resources r set search_tokens = t.tokens::tsvector, search_names = t.names::tsvector
      from unnest(${ids}::uuid[], ${tokens}::text[], ${names}::text[]) as t(id, tokens, names)
      where r.id = t.id`.execute(db);
  }

  async items(db: Executor, spec: SearchSpec): Promise<ItemRow[]> {
    return (await itemsQuery(spec).execute(db)).rows;
  }

  /** The total and the facet counts (two statements at once on two pooled connections). */
  async facets(db: Executor, spec: SearchSpec): Promise<FacetRow[]> {
    const [grouped, keywords] = await Promise.all([facetCountsQuery(spec).execute(db), keywordFacetQuery(spec).execute(db)]);
    return assembleFacets(grouped.rows, keywords.rows, spec);
  }

  async count(db: Executor, spec: SearchSpec): Promise<number> {
    return (await countQuery(spec).execute(db)).rows[0]?.count ?? 0;
  }

  async suggest(db: Executor, tsquery: string, visibility: Expression<SqlBool>, limit: number) {
    return (await suggestQuery(tsquery, visibility, limit).execute(db)).rows;
  }

  /** Category labels (the catalog's dictionary). */
  async categories(db: Executor): Promise<{ code: string; name_zh: string; name_en: string }[]> {
    return (
      await sql<{ code: string; name_zh: string; name_en: string }>`select code, name_zh, name_en from catalog_categories`.execute(db)
    ).rows;
  }

  /** Every license text the catalog holds (the license facet's possible values; a short list). */
  async licenses(db: Executor): Promise<string[]> {
    return (await sql<{ license: string }>`select distinct license from catalog_resources`.execute(db)).rows.map((r) => r.license);
  }
}
