// The DCAT feed's SQL: read-only, parameterized. Which resources appear is the catalog's anonymous visibility
// rule (src/modules/catalog/visibility.ts: published/updated, opened unconditionally or conditionally) as SQL, so
// the feed never shows more than an anonymous visitor sees. A page is ordered by the unique resource code
// (index catalog_resources_code_key) and cut with limit/offset or, following `next` links, by keyset.
import { sql } from 'kysely';
import type { Executor } from '../../db/database.ts';
import type { UpdateFrequency } from '../catalog/repository.ts';
import { OPEN_CATALOG_STATUSES, OPEN_MODES_VISIBLE, visibleSql, type CatalogVisibility } from '../catalog/visibility.ts';

/** Exactly what catalogVisibility() answers for an anonymous actor. */
export const ANONYMOUS_VISIBILITY: CatalogVisibility = {
  all: false,
  ownOrgIds: [],
  statuses: OPEN_CATALOG_STATUSES,
  openModes: OPEN_MODES_VISIBLE,
};

export interface DcatResourceRow {
  id: string;
  code: string;
  name_zh: string;
  name_en: string;
  abstract_zh: string;
  abstract_en: string;
  keywords: string[];
  subject_category: string;
  domain_category: string;
  update_frequency: UpdateFrequency;
  spatial_coverage: string;
  temporal_start: string | null;
  temporal_end: string | null;
  open_mode: 'unconditional' | 'conditional';
  open_conditions: string;
  license: string;
  contact_name: string;
  contact_phone: string;
  contact_email: string;
  release_date: string | null;
  published_at: Date | null;
  metadata_modified: Date | null;
  org_code: string;
  org_name_zh: string;
  org_name_en: string;
  dataset_id: string | null;
  version: number | null;
  sha256: string | null;
  bytes: string | null;
  row_count: string | null;
  version_created_at: Date | null;
}

export interface CategoryRow {
  code: string;
  kind: 'base' | 'domain';
  name_zh: string;
  name_en: string;
}

export interface OrgRow {
  code: string;
  name_zh: string;
  name_en: string;
}

const COLS = sql`r.id, r.code, r.name_zh, r.name_en, r.abstract_zh, r.abstract_en, r.keywords, r.subject_category,
  r.domain_category, r.update_frequency, r.spatial_coverage, r.temporal_start::text as temporal_start,
  r.temporal_end::text as temporal_end, r.open_mode, r.open_conditions, r.license, r.contact_name, r.contact_phone,
  r.contact_email, r.release_date::text as release_date, r.published_at,
  (select max(cv.created_at) from catalog_resource_versions cv where cv.resource_id = r.id) as metadata_modified,
  o.code as org_code, o.name_zh as org_name_zh, o.name_en as org_name_en,
  d.id as dataset_id, v.version, v.sha256, v.bytes::text as bytes, v.row_count::text as row_count,
  v.created_at as version_created_at`;

const FROM = sql`catalog_resources r
  join organizations o on o.id = r.provider_org_id
  left join datasets d on d.resource_id = r.id
  left join dataset_versions v on v.dataset_id = d.id and v.version = d.current_version`;

export class DcatRepository {
  async count(db: Executor): Promise<number> {
    const { rows } = await sql<{ n: number }>`select count(*)::int as n from catalog_resources r
      where ${visibleSql(ANONYMOUS_VISIBILITY, 'r')}`.execute(db);
    return rows[0]!.n;
  }

  /** The page's ids first (code order, the visibility filter only), then the joins for those rows alone. */
  /** `after`: keyset (codes after it, by the code index); else `offset`. */
  async page(db: Executor, limit: number, at: { offset: number } | { after: string }): Promise<DcatResourceRow[]> {
    const cut = 'after' in at ? sql`and r.code > ${at.after}` : sql``;
    const offset = 'offset' in at ? at.offset : 0;
    const { rows } = await sql<DcatResourceRow>`with page as (
        select r.id, r.code from catalog_resources r where ${visibleSql(ANONYMOUS_VISIBILITY, 'r')} ${cut}
        order by r.code limit ${limit} offset ${offset})
      select ${COLS} from page
        join catalog_resources r on r.id = page.id
        join organizations o on o.id = r.provider_org_id
        left join datasets d on d.resource_id = r.id
        left join dataset_versions v on v.dataset_id = d.id and v.version = d.current_version
      order by page.code`.execute(db);
    return rows;
  }

  /** One resource by id, only when anonymous visitors see it. */
  async byId(db: Executor, id: string): Promise<DcatResourceRow | undefined> {
    const { rows } = await sql<DcatResourceRow>`select ${COLS} from ${FROM}
      where r.id = ${id} and ${visibleSql(ANONYMOUS_VISIBILITY, 'r')}`.execute(db);
    return rows[0];
  }

  async categories(db: Executor): Promise<CategoryRow[]> {
    const { rows } = await sql<CategoryRow>`select code, kind, name_zh, name_en from catalog_categories
      where enabled order by position, code`.execute(db);
    return rows;
  }

  /** The data authority (the root authority organization): the catalog's publisher. */
  async authority(db: Executor): Promise<OrgRow | undefined> {
    const { rows } = await sql<OrgRow>`select code, name_zh, name_en from organizations
      where kind = 'authority' order by (parent_id is null) desc, created_at limit 1`.execute(db);
    return rows[0];
  }
}
