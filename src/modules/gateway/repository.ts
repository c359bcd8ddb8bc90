// The gateway module's SQL (migrations/0013_gateway.sql; applications from 0011). Parameterized `sql` templates only.
import { sql } from 'kysely';
import type { Executor } from '../../db/database.ts';

export interface ApplicationRow {
  id: string;
  org_id: string;
  name: string;
  description: string;
  state: 'active' | 'disabled';
  created_by: string | null;
  created_at: Date;
  updated_at: Date;
}

export interface LogInsert {
  messageId: string;
  at: Date;
  clientOrgId: string | null;
  applicationId: string | null;
  userId: string | null;
  apiKeyId: string | null;
  service: string;
  resourceId: string | null;
  providerOrgId: string | null;
  entitlementId: string | null;
  purpose: string | null;
  businessRef: string | null;
  fields: string[];
  rowCount: number;
  requestBytes: number;
  responseBytes: number;
  durationMs: number;
  status: number;
  outcome: 'ok' | 'refused' | 'error';
  errorCode: string | null;
  detail: Record<string, unknown>;
  requestHash: string;
  responseHash: string;
  body: string;
  subjectTokens: string[];
}

export interface LogRow {
  seq: number;
  message_id: string;
  at: Date;
  client_org_id: string | null;
  application_id: string | null;
  user_id: string | null;
  api_key_id: string | null;
  service: string;
  resource_id: string | null;
  provider_org_id: string | null;
  entitlement_id: string | null;
  purpose: string | null;
  business_ref: string | null;
  fields: string[];
  row_count: number;
  request_bytes: number;
  response_bytes: number;
  duration_ms: number;
  status: number;
  outcome: string;
  error_code: string | null;
  detail: Record<string, unknown>;
  request_hash: string;
  response_hash: string;
  body: string;
  prev_hash: string;
  hash: string;
}

export interface CheckpointRow {
  to_seq: number;
  from_seq: number;
  root_hash: string;
  head_hash: string;
  ledger_seq: number;
  created_at: Date;
}

export interface ExtractRow {
  id: string;
  resource_id: string;
  dataset_id: string | null;
  client_org_id: string;
  application_id: string | null;
  user_id: string | null;
  api_key_id: string | null;
  actor: unknown;
  mode: 'full' | 'incremental';
  since_version: number | null;
  format: 'csv' | 'parquet';
  business_ref: string | null;
  state: 'queued' | 'running' | 'done' | 'failed';
  error_code: string | null;
  version: number | null;
  entitlement_id: string | null;
  file_key: string | null;
  file_bytes: number | null;
  row_count: number | null;
  sha256: string | null;
  manifest: Record<string, unknown> | null;
  created_at: Date;
  finished_at: Date | null;
}

export interface LogFilter {
  clientOrgIds: string[] | null;
  providerOrgIds: string[] | null;
  /** Either side (consumer or provider) within these organizations (null: no restriction). */
  eitherOrgIds: string[] | null;
  resourceId?: string;
  service?: string;
  outcome?: string;
  from?: string;
  to?: string;
  limit: number;
  offset: number;
}

export class GatewayRepository {
  // ---------------------------------------------------------------- applications
  async insertApplication(db: Executor, a: { orgId: string; name: string; description: string; createdBy: string | null }) {
    const { rows } = await sql<ApplicationRow>`
      insert into applications (org_id, name, description, created_by) values (${a.orgId}, ${a.name}, ${a.description}, ${a.createdBy})
      on conflict do nothing returning *`.execute(db);
    return rows[0];
  }

  async application(db: Executor, id: string): Promise<ApplicationRow | undefined> {
    const { rows } = await sql<ApplicationRow>`select * from applications where id = ${id}`.execute(db);
    return rows[0];
  }

  async applications(db: Executor, orgIds: string[] | null): Promise<ApplicationRow[]> {
    const { rows } = await sql<ApplicationRow>`
      select * from applications where (${orgIds}::uuid[] is null or org_id = any(${orgIds}::uuid[])) order by created_at desc`.execute(db);
    return rows;
  }

  async updateApplication(db: Executor, id: string, p: { name?: string; description?: string; state?: string }) {
    const { rows } = await sql<ApplicationRow>`
      update applications set name = coalesce(${p.name ?? null}, name), description = coalesce(${p.description ?? null}, description),
        state = coalesce(${p.state ?? null}, state), updated_at = now() where id = ${id} returning *`.execute(db);
    return rows[0];
  }

  // ---------------------------------------------------------------- exchange log
  async appendLog(db: Executor, r: LogInsert): Promise<{ seq: number; hash: string }> {
    const { rows } = await sql<{ seq: string; hash: string }>`
      select * from gateway_log_append(${r.messageId}::uuid, ${r.at}::timestamptz, ${r.clientOrgId}::uuid, ${r.applicationId}::uuid,
        ${r.userId}::uuid, ${r.apiKeyId}::uuid, ${r.service}, ${r.resourceId}::uuid, ${r.providerOrgId}::uuid, ${r.entitlementId}::uuid,
        ${r.purpose}, ${r.businessRef}, ${r.fields}::text[], ${r.rowCount}::int, ${r.requestBytes}::int, ${r.responseBytes}::int,
        ${r.durationMs}::real, ${r.status}::int, ${r.outcome}, ${r.errorCode}, ${JSON.stringify(r.detail)}::jsonb, ${r.requestHash},
        ${r.responseHash}, ${r.body}, ${r.subjectTokens}::text[])`.execute(db);
    return { seq: Number(rows[0]!.seq), hash: rows[0]!.hash };
  }

  /** Appends many rows in one statement (same chaining, in order); one result per row. */
  async appendLogMany(db: Executor, rows: LogInsert[]): Promise<Array<{ seq: number; hash: string }>> {
    if (rows.length === 1) return [await this.appendLog(db, rows[0]!)];
    const { rows: out } = await sql<{ seq: string; hash: string }>`
      select * from gateway_log_append_many(${JSON.stringify(rows)}::jsonb)`.execute(db);
    return out.map((r) => ({ seq: Number(r.seq), hash: r.hash }));
  }

  async logByMessage(db: Executor, messageId: string): Promise<LogRow | undefined> {
    const { rows } = await sql<LogRow>`select * from gateway_log where message_id = ${messageId}`.execute(db);
    return rows[0] && fixLog(rows[0]);
  }

  async logRange(db: Executor, fromExclusive: number, toInclusive: number): Promise<Array<{ seq: number; hash: string }>> {
    const { rows } = await sql<{ seq: string; hash: string }>`
      select seq, hash from gateway_log where seq > ${fromExclusive} and seq <= ${toInclusive} order by seq`.execute(db);
    return rows.map((r) => ({ seq: Number(r.seq), hash: r.hash }));
  }

  async logHead(db: Executor): Promise<{ seq: number; hash: string } | undefined> {
    const { rows } = await sql<{ seq: string; hash: string }>`select seq, hash from gateway_log order by seq desc limit 1`.execute(db);
    return rows[0] && { seq: Number(rows[0].seq), hash: rows[0].hash };
  }

  async listLog(db: Executor, f: LogFilter): Promise<{ items: LogRow[]; total: number }> {
    const { rows } = await sql<LogRow & { total: string }>`
      select g.*, count(*) over () as total from gateway_log g
      where (${f.clientOrgIds}::uuid[] is null or g.client_org_id = any(${f.clientOrgIds}::uuid[]))
        and (${f.providerOrgIds}::uuid[] is null or g.provider_org_id = any(${f.providerOrgIds}::uuid[]))
        and (${f.eitherOrgIds}::uuid[] is null or g.client_org_id = any(${f.eitherOrgIds}::uuid[])
             or g.provider_org_id = any(${f.eitherOrgIds}::uuid[]))
        and (${f.resourceId ?? null}::uuid is null or g.resource_id = ${f.resourceId ?? null}::uuid)
        and (${f.service ?? null}::text is null or g.service = ${f.service ?? null}::text)
        and (${f.outcome ?? null}::text is null or g.outcome = ${f.outcome ?? null}::text)
        and (${f.from ?? null}::timestamptz is null or g.at >= ${f.from ?? null}::timestamptz)
        and (${f.to ?? null}::timestamptz is null or g.at < ${f.to ?? null}::timestamptz)
      order by g.seq desc limit ${f.limit} offset ${f.offset}`.execute(db);
    return { items: rows.map(fixLog), total: Number(rows[0]?.total ?? 0) };
  }

  /** Verification calls and their no-match verdicts on one entitlement since `since`. */
  async verifyCounts(db: Executor, entitlementId: string, since: Date): Promise<{ calls: number; misses: number; oldest: Date | null }> {
    const { rows } = await sql<{ calls: string; misses: string; oldest: Date | null }>`
      select count(*) filter (where outcome = 'ok') as calls,
             coalesce(sum(((detail->>'no_match')::int + (detail->>'not_found')::int)) filter (where outcome = 'ok'), 0) as misses,
             min(at) filter (where outcome = 'ok') as oldest
      from gateway_log where entitlement_id = ${entitlementId} and service = 'verify' and at >= ${since}`.execute(db);
    const r = rows[0]!;
    return { calls: Number(r.calls), misses: Number(r.misses), oldest: r.oldest };
  }

  /** Adds verification misses of one grant in one minute (written with the log rows). */
  async addVerifyMisses(db: Executor, entitlementId: string, minute: Date, misses: number): Promise<void> {
    await sql`
      insert into gateway_verify_misses (entitlement_id, minute, misses) values (${entitlementId}, ${minute}, ${misses})
      on conflict (entitlement_id, minute) do update set misses = gateway_verify_misses.misses + excluded.misses`.execute(db);
  }

  /** Verification misses of one grant in the minutes from `since` on (the minute of `since` included). */
  async verifyMisses(db: Executor, entitlementId: string, since: Date): Promise<number> {
    const { rows } = await sql<{ n: string }>`
      select coalesce(sum(misses), 0) as n from gateway_verify_misses
      where entitlement_id = ${entitlementId} and minute >= date_trunc('minute', ${since}::timestamptz)`.execute(db);
    return Number(rows[0]!.n);
  }

  // ---------------------------------------------------------------- checkpoints
  async lockCheckpoints(db: Executor): Promise<void> {
    await sql`select pg_advisory_xact_lock(${0x5359_0006})`.execute(db);
  }

  async lastCheckpoint(db: Executor): Promise<CheckpointRow | undefined> {
    const { rows } = await sql<CheckpointRow>`select * from gateway_log_checkpoints order by to_seq desc limit 1`.execute(db);
    return rows[0] && fixCp(rows[0]);
  }

  async checkpointCovering(db: Executor, seq: number): Promise<CheckpointRow | undefined> {
    const { rows } = await sql<CheckpointRow>`
      select * from gateway_log_checkpoints where from_seq < ${seq} and to_seq >= ${seq}`.execute(db);
    return rows[0] && fixCp(rows[0]);
  }

  async insertCheckpoint(db: Executor, c: Omit<CheckpointRow, 'created_at'>): Promise<void> {
    await sql`insert into gateway_log_checkpoints (to_seq, from_seq, root_hash, head_hash, ledger_seq)
      values (${c.to_seq}, ${c.from_seq}, ${c.root_hash}, ${c.head_hash}, ${c.ledger_seq})`.execute(db);
  }

  // ---------------------------------------------------------------- metering
  async metering(
    db: Executor,
    q: {
      groupBy: string[];
      from: string;
      to: string;
      clientOrgIds: string[] | null;
      providerOrgIds: string[] | null;
      eitherOrgIds: string[] | null;
    },
  ) {
    const dims: Record<string, string> = {
      day: `to_char(g.at at time zone 'Asia/Shanghai', 'YYYY-MM-DD')`,
      consumer: 'g.client_org_id::text',
      provider: 'g.provider_org_id::text',
      resource: 'g.resource_id::text',
      service: 'g.service',
    };
    // Column expressions come from the fixed map above (never from the request); values are bound.
    const cols = q.groupBy.map((k) => sql.raw(`${dims[k]!} as "${k}"`));
    const groups = q.groupBy.map((_, i) => sql.raw(String(i + 1)));
    const { rows } = await sql<Record<string, string>>`
      select ${sql.join([...cols, sql.raw('count(*) as calls')])},
        count(*) filter (where g.outcome = 'ok') as answered, count(*) filter (where g.outcome <> 'ok') as refused,
        coalesce(sum(g.row_count), 0) as rows, coalesce(sum(g.response_bytes), 0) as bytes
      from gateway_log g
      where g.at >= ${q.from}::date::timestamp at time zone 'Asia/Shanghai'
        and g.at < (${q.to}::date + 1)::timestamp at time zone 'Asia/Shanghai'
        and (${q.clientOrgIds}::uuid[] is null or g.client_org_id = any(${q.clientOrgIds}::uuid[]))
        and (${q.providerOrgIds}::uuid[] is null or g.provider_org_id = any(${q.providerOrgIds}::uuid[]))
        and (${q.eitherOrgIds}::uuid[] is null or g.client_org_id = any(${q.eitherOrgIds}::uuid[])
             or g.provider_org_id = any(${q.eitherOrgIds}::uuid[]))
      ${groups.length ? sql`group by ${sql.join(groups)} order by ${sql.join(groups)}` : sql``}`.execute(db);
    return rows.map((r) => ({
      ...Object.fromEntries(q.groupBy.map((k) => [k, r[k] ?? null])),
      calls: Number(r.calls),
      answered: Number(r.answered),
      refused: Number(r.refused),
      rows: Number(r.rows),
      bytes: Number(r.bytes),
    }));
  }

  // ---------------------------------------------------------------- data subjects
  async usesOfToken(db: Executor, token: string, limit: number) {
    const { rows } = await sql<{
      message_id: string;
      at: Date;
      client_org_id: string | null;
      resource_id: string | null;
      purpose: string | null;
      service: string;
    }>`
      select g.message_id, g.at, g.client_org_id, g.resource_id, g.purpose, g.service
      from gateway_subject_uses s join gateway_log g on g.message_id = s.message_id
      where s.token = ${token} and g.outcome = 'ok' order by s.at desc limit ${limit}`.execute(db);
    return rows;
  }

  // ---------------------------------------------------------------- extracts
  async insertExtract(
    db: Executor,
    e: Pick<
      ExtractRow,
      | 'resource_id'
      | 'dataset_id'
      | 'client_org_id'
      | 'application_id'
      | 'user_id'
      | 'api_key_id'
      | 'actor'
      | 'mode'
      | 'since_version'
      | 'format'
      | 'business_ref'
    >,
  ): Promise<ExtractRow> {
    const { rows } = await sql<ExtractRow>`
      insert into gateway_extracts (resource_id, dataset_id, client_org_id, application_id, user_id, api_key_id, actor, mode, since_version, format, business_ref)
      values (${e.resource_id}, ${e.dataset_id}, ${e.client_org_id}, ${e.application_id}, ${e.user_id}, ${e.api_key_id},
        ${JSON.stringify(e.actor)}::jsonb, ${e.mode}, ${e.since_version}, ${e.format}, ${e.business_ref}) returning *`.execute(db);
    return fixExtract(rows[0]!);
  }

  async extract(db: Executor, id: string): Promise<ExtractRow | undefined> {
    const { rows } = await sql<ExtractRow>`select * from gateway_extracts where id = ${id}`.execute(db);
    return rows[0] && fixExtract(rows[0]);
  }

  async updateExtract(db: Executor, id: string, p: Partial<ExtractRow>): Promise<void> {
    await sql`update gateway_extracts set state = coalesce(${p.state ?? null}, state), error_code = coalesce(${p.error_code ?? null}, error_code),
      version = coalesce(${p.version ?? null}::int, version), entitlement_id = coalesce(${p.entitlement_id ?? null}::uuid, entitlement_id),
      file_key = coalesce(${p.file_key ?? null}, file_key), file_bytes = coalesce(${p.file_bytes ?? null}::bigint, file_bytes),
      row_count = coalesce(${p.row_count ?? null}::bigint, row_count), sha256 = coalesce(${p.sha256 ?? null}, sha256),
      manifest = coalesce(${p.manifest ? JSON.stringify(p.manifest) : null}::jsonb, manifest),
      finished_at = case when ${p.state ?? null}::text in ('done', 'failed') then now() else finished_at end
      where id = ${id}`.execute(db);
  }
}

function fixLog(r: LogRow): LogRow {
  return { ...r, seq: Number(r.seq), row_count: Number(r.row_count) };
}
function fixCp(r: CheckpointRow): CheckpointRow {
  return { ...r, to_seq: Number(r.to_seq), from_seq: Number(r.from_seq), ledger_seq: Number(r.ledger_seq) };
}
function fixExtract(r: ExtractRow): ExtractRow {
  return {
    ...r,
    file_bytes: r.file_bytes === null ? null : Number(r.file_bytes),
    row_count: r.row_count === null ? null : Number(r.row_count),
  };
}
