// The search module's SQL. It owns one column of the catalog's table (catalog_resources.search_tokens,
// migrations/0008_catalog_search.sql) and reads the catalog's tables; everything here is parameterized
// (`sql` tagged templates; the tsquery is a literal built by tokenize.ts and bound as a parameter).
import { sql, type Expression, type RawBuilder, type SqlBool } from 'kysely';
import type { Db, Executor } from '../../db/database.ts';

// The column lives in the catalog's table, whose Kysely type the catalog module declares; the search module
// reads and writes it with raw SQL below, so it adds no table type of its own.
export interface SearchTables {}

export const FACETS = ['org', 'category', 'grade', 'share', 'open', 'format', 'frequency', 'keyword'] as const;
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
/** work_mem of the facet statement (the materialized facet columns of every match). */
export const FACET_WORK_MEM = '64MB';
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

/**
 * The total and every facet's counts in one statement. Facets are disjunctive: a facet's counts apply every
 * filter except its own (choosing another department shows how many results it would have). The matching
 * rows are read once (a materialized CTE of the narrow facet columns plus one boolean per active filter).
 */
export function facetsQuery(spec: SearchSpec): RawBuilder<FacetRow> {
  const active = activeFilters(spec.filters);
  const flags = active.map(([f, v]) => sql`${filterCondition(f, v)} as ${sql.ref(`f_${f}`)}`);
  const except = (facet: Facet | null) => and(active.filter(([f]) => f !== facet).map(([f]) => sql<SqlBool>`${sql.ref(`f_${f}`)}`));
  const limit = spec.facetLimit ?? FACET_LIMIT;
  const top = (facet: Facet, from: RawBuilder<unknown>, max = limit) =>
    sql`(select ${facet}::text as facet, v as value, count(*)::int as count from ${from} group by v order by 3 desc, 2 limit ${max})`;
  const col = (facet: Facet, expr: string) => top(facet, sql`(select ${sql.raw(expr)} as v from m where ${except(facet)}) x`);
  const arr = (facet: Facet, column: string) => top(facet, sql`(select unnest(${sql.ref(column)}) as v from m where ${except(facet)}) x`);
  return sql<FacetRow>`
    with m as materialized (
      select provider_org_id, subject_category, domain_category, grade, share_mode, open_mode, formats, update_frequency, keywords
        ${flags.length ? sql`, ${sql.join(flags)}` : sql``}
      from catalog_resources
      where ${baseWhere(spec)}
    )
    select 'total'::text as facet, null::text as value, count(*)::int as count from m where ${except(null)}
    union all ${top('org', sql`(select provider_org_id::text as v from m where ${except('org')}) x`, FACET_LIMIT_ORG)}
    union all ${top(
      'category',
      sql`(select subject_category as v from m where ${except('category')}
           union all select domain_category from m where ${except('category')} and domain_category <> subject_category) x`,
    )}
    union all ${col('grade', 'grade')}
    union all ${col('share', 'share_mode')}
    union all ${col('open', 'open_mode')}
    union all ${arr('format', 'formats')}
    union all ${col('frequency', 'update_frequency')}
    union all ${arr('keyword', 'keywords')}`;
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

  /**
   * Runs facetsQuery in a short transaction with a larger work_mem, so that the materialized matches of a
   * common word stay in memory instead of spilling to a temporary file.
   */
  async facets(db: Db, spec: SearchSpec): Promise<FacetRow[]> {
    return db.transaction().execute(async (tx) => {
      await sql`select set_config('work_mem', ${FACET_WORK_MEM}, true)`.execute(tx);
      return (await facetsQuery(spec).execute(tx)).rows;
    });
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
}
