// Test fixtures of the elements module: catalog resources and fields written straight into the catalog
// tables (through the shared contract), so that these tests do not depend on the catalog's workflow.
import { randomInt } from 'node:crypto';
import { sql } from 'kysely';
import type { AppContext } from '../../context.ts';
import type { Db } from '../../db/database.ts';

export interface FixtureField {
  nameZh: string;
  code?: string;
  elementId?: string | null;
}

export interface FixtureResource {
  orgId: string;
  orgCode: string;
  nameZh: string;
  nameEn?: string;
  status?: 'draft' | 'submitted' | 'returned' | 'approved' | 'published' | 'deprecated' | 'withdrawn';
  shareMode?: 'unconditional' | 'conditional' | 'none';
  openMode?: 'unconditional' | 'conditional' | 'none';
  keywords?: string[];
  fields?: FixtureField[];
}

let seq = 90000 + randomInt(0, 5000);

export async function orgIds(db: Db): Promise<Map<string, string>> {
  const { rows } = await sql<{ id: string; code: string }>`select id, code from organizations`.execute(db);
  return new Map(rows.map((r) => [r.code, r.id]));
}

export async function userIds(db: Db): Promise<Map<string, string>> {
  const { rows } = await sql<{ id: string; username: string }>`select id, username from users`.execute(db);
  return new Map(rows.map((r) => [r.username, r.id]));
}

/** Inserts a resource (and its fields) and indexes it for search; returns its id and its fields' ids in order. */
export async function insertResource(ctx: AppContext, r: FixtureResource): Promise<{ id: string; fieldIds: string[] }> {
  const db = ctx.db;
  const code = `RK-${r.orgCode}-${String(seq++).padStart(5, '0')}`;
  const status = r.status ?? 'published';
  const { rows } = await sql<{ id: string }>`insert into catalog_resources
      (code, provider_org_id, name_zh, name_en, abstract_zh, keywords, subject_category, domain_category, update_frequency,
       share_mode, open_mode, grade, grade_level, status, published_at)
    values (${code}, ${r.orgId}, ${r.nameZh}, ${r.nameEn ?? ''}, ${r.nameZh + '（测试）'}, ${r.keywords ?? []}::text[], 'RK', 'GGAQ', 'daily',
       ${r.shareMode ?? 'conditional'}, ${r.openMode ?? 'none'}, 'general', 2, ${status},
       ${status === 'published' ? new Date() : null})
    returning id`.execute(db);
  const id = rows[0]!.id;
  const fieldIds: string[] = [];
  for (const [i, f] of (r.fields ?? []).entries()) {
    const res = await sql<{ id: string }>`insert into catalog_fields
        (resource_id, position, name_zh, code, data_type, element_id, grade, grade_level, share_mode, open_mode)
      values (${id}, ${i}, ${f.nameZh}, ${f.code ?? `f${i}`}, 'string', ${f.elementId ?? null}, 'general', 2, 'conditional', 'none')
      returning id`.execute(db);
    fieldIds.push(res.rows[0]!.id);
  }
  await ctx.search.indexResource(db, id);
  return { id, fieldIds };
}

export async function setResourceStatus(ctx: AppContext, id: string, status: string): Promise<void> {
  await sql`update catalog_resources set status = ${status} where id = ${id}`.execute(ctx.db);
  await ctx.search.indexResource(ctx.db, id);
}
