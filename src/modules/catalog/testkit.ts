// Helpers for the catalog's API tests (not used by the server).
import pg from 'pg';
import type { TestClient, TestPlatform } from '../../../test/helpers.ts';
import { SYSTEM } from '../identity/actor.ts';
import { DEMO_PASSWORD } from '../identity/service.ts';

export { DEMO_PASSWORD };

/** A fingerprint of every catalog table and the ledger length: equal before and after a refused request. */
export async function catalogFingerprint(p: TestPlatform): Promise<Record<string, string>> {
  const c = new pg.Client({ connectionString: p.testDb.url });
  await c.connect();
  try {
    const out: Record<string, string> = {};
    for (const t of [
      'catalog_resources',
      'catalog_fields',
      'catalog_resource_versions',
      'catalog_resource_events',
      'catalog_code_sequences',
      'catalog_grading_rules',
      'catalog_grade_policy',
    ]) {
      const r = await c.query(`select count(*)::int as n, coalesce(md5(string_agg(t::text, '|' order by t::text)), '') as h from ${t} t`);
      out[t] = `${r.rows[0].n}:${r.rows[0].h}`;
    }
    const l = await c.query('select count(*)::int as n from ledger_entries');
    out.ledger = String(l.rows[0].n);
    return out;
  } finally {
    await c.end();
  }
}

export async function ledgerActions(
  p: TestPlatform,
  objectId: string,
): Promise<Array<{ action: string; details: Record<string, unknown> }>> {
  const c = new pg.Client({ connectionString: p.testDb.url });
  await c.connect();
  try {
    const r = await c.query('select action, details from ledger_entries where object_id = $1 order by seq', [objectId]);
    return r.rows;
  } finally {
    await c.end();
  }
}

export async function login(p: TestPlatform, username: string): Promise<TestClient> {
  const c = p.client();
  await c.login(username, DEMO_PASSWORD);
  return c;
}

/** A provider clerk of another department (公安局 GA), created through the identity service. */
export async function gaClerk(p: TestPlatform): Promise<TestClient> {
  await p.ctx.identity.createUser(SYSTEM, {
    username: 'ga_clerk',
    password: DEMO_PASSWORD,
    displayName: '公安局经办人',
    orgCode: 'GA',
    roles: ['provider_clerk'],
  });
  return login(p, 'ga_clerk');
}

/** A complete, valid resource body for the SCJG provider (override what a test needs). */
export function resourceBody(over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    nameZh: '市场主体登记信息',
    nameEn: 'Market entity registrations',
    abstractZh: '市场监管部门登记的企业、个体工商户等市场主体的基本信息。',
    abstractEn: 'Basic information on registered market entities.',
    keywords: ['企业', '登记'],
    subjectCategory: 'FR',
    domainCategory: 'SCJG',
    formats: ['api', 'xlsx'],
    updateFrequency: 'daily',
    shareMode: 'unconditional',
    openMode: 'conditional',
    openConditions: '实名注册后申请',
    fields: [
      {
        nameZh: '统一社会信用代码',
        nameEn: 'Unified social credit code',
        code: 'tyshxydm',
        dataType: 'string',
        length: 18,
        piiKind: 'credit_code',
        required: true,
      },
      { nameZh: '企业名称', nameEn: 'Enterprise name', code: 'qymc', dataType: 'string', length: 200 },
      { nameZh: '法定代表人', nameEn: 'Legal representative', code: 'fddbr', dataType: 'string', piiKind: 'name' },
      { nameZh: '注册资本', nameEn: 'Registered capital', code: 'zczb', dataType: 'decimal', precision: 2, unit: '万元' },
      { nameZh: '成立日期', nameEn: 'Date of establishment', code: 'clrq', dataType: 'date' },
    ],
    ...over,
  };
}

export const ADMIN_ORG_CODE = 'AUTH';
