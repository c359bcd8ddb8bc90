// Platform-wide counts for the home page (GET /api/stats): the data plane, sharing and the gateway.
import { sql } from 'kysely';
import type { Executor } from '../../db/database.ts';

export interface DataCounts {
  /** Datasets with a published current version, and the rows of those versions. */
  datasets: number;
  datasetRows: number;
  /** Entitlements in force now (any origin). */
  activeGrants: number;
  /** Sharing requests not yet decided, and those with an open deadline past due. */
  openRequests: number;
  overdueRequests: number;
  /** Gateway calls answered since midnight, China time. */
  gatewayCallsToday: number;
}

export async function dataCounts(db: Executor): Promise<DataCounts> {
  const { rows } = await sql<{ [K in keyof DataCounts]: string }>`
    select
      (select count(*) from datasets d join dataset_versions v on v.dataset_id = d.id and v.version = d.current_version
        where v.state = 'published') as "datasets",
      (select coalesce(sum(v.row_count), 0) from datasets d join dataset_versions v on v.dataset_id = d.id
        and v.version = d.current_version where v.state = 'published') as "datasetRows",
      (select count(*) from entitlements where state = 'active' and valid_from <= now() and (valid_to is null or valid_to > now()))
        as "activeGrants",
      (select count(*) from sharing_requests
        where state in ('compliance_review', 'provider_review', 'provider_refused', 'negotiation', 'coordination')) as "openRequests",
      (select count(distinct request_id) from sharing_deadlines where status = 'open' and due_at < now()) as "overdueRequests",
      (select count(*) from gateway_log where outcome = 'ok'
        and at >= (date_trunc('day', now() at time zone 'Asia/Shanghai') at time zone 'Asia/Shanghai')) as "gatewayCallsToday"`.execute(db);
  const r = rows[0]!;
  return {
    datasets: Number(r.datasets),
    datasetRows: Number(r.datasetRows),
    activeGrants: Number(r.activeGrants),
    openRequests: Number(r.openRequests),
    overdueRequests: Number(r.overdueRequests),
    gatewayCallsToday: Number(r.gatewayCallsToday),
  };
}
