// Read-only statistics for measuring openness (issue 7 §9). Like src/modules/system/repository.ts (the home
// page's counts), these aggregate over several modules' tables in single statements — counting across a catalog
// of 400k resources through each module's service would take one call per row. Nothing here writes.
import { sql } from 'kysely';
import type { Executor } from '../../db/database.ts';

/** What the MQA facts of one open resource are computed from (score.ts; service.ts factsOf). */
export interface FactsRow {
  id: string;
  provider_org_id: string;
  open_mode: 'unconditional' | 'conditional';
  keywords: number;
  spatial: boolean;
  temporal: boolean;
  license: string;
  contact: boolean;
  conditions: boolean;
  issued: boolean;
  /** The current published version's size in bytes (null: no data here). */
  bytes: string | null;
  rows: string | null;
  columns: number | null;
  /** Harvested: the upstream files' formats (null: not harvested). */
  harvested_formats: string[] | null;
}

const FACTS = sql`
  select r.id, r.provider_org_id, r.open_mode, coalesce(cardinality(r.keywords), 0)::int as keywords,
    (r.spatial_coverage <> '') as spatial, (r.temporal_start is not null or r.temporal_end is not null) as temporal,
    r.license, (r.contact_name <> '' or r.contact_phone <> '' or r.contact_email <> '') as contact,
    (r.open_mode = 'conditional' and r.open_conditions <> '') as conditions, (r.release_date is not null) as issued,
    v.bytes::text as bytes, v.row_count::text as rows, jsonb_array_length(v.schema -> 'fields') as columns,
    (select array_agg(coalesce(d ->> 'format', '')) from harvest_records h, jsonb_array_elements(h.distributions) d
      where h.resource_id = r.id and h.state = 'active') as harvested_formats
  from catalog_resources r
  left join datasets ds on ds.resource_id = r.id
  left join dataset_versions v on v.dataset_id = ds.id and v.version = ds.current_version and v.state = 'published'
  where r.status in ('published', 'updated') and r.open_mode in ('unconditional', 'conditional')`;

export interface ReadCountRow {
  org_id: string | null;
  downloads: string;
  api_calls: string;
}
export interface MonthRow {
  month: string;
  downloads: string;
  api_calls: string;
}
export interface ApplicationRow {
  provider_org_id: string;
  total: string;
  approved: string;
  rejected: string;
  pending: string;
  median_days: number | null;
}

export class OpennessRepository {
  async facts(db: Executor, resourceId: string): Promise<FactsRow | undefined> {
    return (await sql<FactsRow>`${FACTS} and r.id = ${resourceId}`.execute(db)).rows[0];
  }

  /** Every open resource's facts (a catalog of 400k resources is a few MB of booleans). */
  async allFacts(db: Executor): Promise<FactsRow[]> {
    return (await sql<FactsRow>`${FACTS}`.execute(db)).rows;
  }

  /** Departments (kind department) in the organization table: the denominator of "departments that open data". */
  async departmentCount(db: Executor): Promise<number> {
    const r = await sql<{ n: string }>`select count(*) as n from organizations where kind = 'department' and status = 'active'`.execute(db);
    return Number(r.rows[0]!.n);
  }

  /** Reads of datasets by provider organization since a time: file downloads and API queries (SoQL, query). */
  async readCounts(db: Executor, since: Date): Promise<ReadCountRow[]> {
    return (
      await sql<ReadCountRow>`
        select org_id, count(*) filter (where details ->> 'kind' = 'download') as downloads,
          count(*) filter (where details ->> 'kind' in ('soql', 'query')) as api_calls
        from ledger_entries where action = 'dataset.read' and time >= ${since} group by org_id`.execute(db)
    ).rows;
  }

  /** The same by month (China time), the last `months` months. */
  async readMonths(db: Executor, since: Date): Promise<MonthRow[]> {
    return (
      await sql<MonthRow>`
        select to_char(date_trunc('month', time at time zone 'Asia/Shanghai'), 'YYYY-MM') as month,
          count(*) filter (where details ->> 'kind' = 'download') as downloads,
          count(*) filter (where details ->> 'kind' in ('soql', 'query')) as api_calls
        from ledger_entries where action = 'dataset.read' and time >= ${since} group by 1 order by 1`.execute(db)
    ).rows;
  }

  /** Conditional-open applications by provider: counts and the median days from application to decision. */
  async applications(db: Executor): Promise<ApplicationRow[]> {
    return (
      await sql<ApplicationRow>`
        select provider_org_id, count(*) as total, count(*) filter (where state = 'approved') as approved,
          count(*) filter (where state = 'rejected') as rejected,
          count(*) filter (where state in ('provider_review', 'supplement')) as pending,
          (percentile_cont(0.5) within group (order by extract(epoch from decided_at - created_at) / 86400)
            filter (where decided_at is not null))::float as median_days
        from open_applications group by provider_org_id`.execute(db)
    ).rows;
  }

  /** Usage reports of agreements: due so far, submitted (on time or late). */
  async usageReports(db: Executor): Promise<{ due: number; submitted: number }> {
    const r = await sql<{ due: string; submitted: string }>`
      select count(*) filter (where due_date <= (now() at time zone 'Asia/Shanghai')::date) as due,
        count(*) filter (where submitted_at is not null) as submitted from open_usage_reports`.execute(db);
    return { due: Number(r.rows[0]!.due), submitted: Number(r.rows[0]!.submitted) };
  }

  /** Policy readiness: rule figures with their sources, grade-policy rules, negative-list entries in force. */
  async readiness(db: Executor): Promise<{ settings: number; cited: number; gradeRules: number; negative: number }> {
    const r = await sql<{ settings: string; cited: string; grade_rules: string; negative: string }>`
      select
        (select count(*) from openapply_settings) + (select count(*) from feedback_settings) as settings,
        (select count(*) from openapply_settings where source_zh <> '')
          + (select count(*) from feedback_settings where source_zh <> '') as cited,
        (select count(*) from catalog_grade_policy) as grade_rules,
        (select count(*) from negative_list_entries where removed_at is null) as negative`.execute(db);
    const x = r.rows[0]!;
    return { settings: Number(x.settings), cited: Number(x.cited), gradeRules: Number(x.grade_rules), negative: Number(x.negative) };
  }
}
