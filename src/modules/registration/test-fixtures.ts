// Test fixtures of the registration tests: catalog resources created and moved through the catalog's own
// service (never its tables), as the platform itself would.
import type { AppContext } from '../../context.ts';
import { SYSTEM } from '../identity/actor.ts';

export async function orgId(ctx: AppContext, code: string): Promise<string> {
  const orgs = await ctx.identity.listOrgs(SYSTEM);
  const o = orgs.find((x) => x.code === code);
  if (!o) throw new Error(`no organization ${code}`);
  return o.id;
}

/** A resource of `orgCode` taken through the catalog lifecycle up to `stopAt` (default: published). */
export async function createPublishedResource(
  ctx: AppContext,
  orgCode: string,
  nameZh: string,
  opts: { stopAt?: 'draft' | 'approved' | 'published' } = {},
): Promise<{ id: string; code: string }> {
  const created = await ctx.catalog.create(SYSTEM, {
    providerOrgId: await orgId(ctx, orgCode),
    nameZh,
    nameEn: `${nameZh} (test)`,
    abstractZh: `${nameZh}：登记测试用数据资源，记录主体名称、统一社会信用代码和业务日期。`,
    abstractEn: 'A resource for the registration tests.',
    keywords: ['登记', '测试'],
    subjectCategory: 'FR',
    domainCategory: 'SCJG',
    formats: ['csv', 'api'],
    updateFrequency: 'monthly',
    shareMode: 'unconditional',
    openMode: 'none',
    openBasis: '测试数据，不予开放',
    contactName: '张经办',
    contactPhone: '010-12345678',
    grade: 'general',
    gradeLevel: 1,
    fields: [
      { nameZh: '主体名称', code: 'entity_name', dataType: 'string', length: 200 },
      { nameZh: '统一社会信用代码', code: 'uscc', dataType: 'string', length: 18, piiKind: 'credit_code' },
      { nameZh: '业务日期', code: 'biz_date', dataType: 'date' },
    ],
  });
  const stopAt = opts.stopAt ?? 'published';
  if (stopAt !== 'draft') {
    await ctx.catalog.transition(SYSTEM, created.id, { to: 'submitted', comment: '提交审核' });
    await ctx.catalog.transition(SYSTEM, created.id, { to: 'approved', comment: '审核通过' });
    if (stopAt === 'published') await ctx.catalog.transition(SYSTEM, created.id, { to: 'published', comment: '发布' });
  }
  return { id: created.id, code: created.code };
}
