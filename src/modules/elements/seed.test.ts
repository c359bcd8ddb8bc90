// The elements demo seed on top of the catalog demo: registry with sources cited, repeated collection
// (人社局 fields carrying 公民身份号码 point to 公安局's population library), exactly one open conflict,
// responsibility lists for every department, demands in every status, negative-list entries; idempotent.
// The test runs the catalog and elements seeds itself (a no-op when the platform's demo seed already did).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestPlatform, type TestPlatform } from '../../../test/helpers.ts';
import { DEMO_PASSWORD } from '../identity/service.ts';
import { seedCatalogDemo } from '../catalog/seed.ts';
import { ELEMENT_SEEDS, seedElementsDemo } from './seed.ts';

let p: TestPlatform;

before(async () => {
  p = await startTestPlatform();
  await seedCatalogDemo(p.ctx);
});

after(async () => {
  await p.close();
});

test('seedElementsDemo builds the 一数一源 and lists demo once', async () => {
  // The platform's demo seed may already have run it at start; either way a second run changes nothing.
  const first = await seedElementsDemo(p.ctx);
  if (first.created) assert.equal(first.arbitrations, 1);
  const again = await seedElementsDemo(p.ctx);
  assert.deepEqual(again, {
    ...again,
    created: false,
    elements: 0,
    responsibilityItems: 0,
    demands: 0,
    negativeEntries: 0,
    arbitrations: 0,
  });

  const admin = p.client();
  await admin.login('admin', DEMO_PASSWORD);

  // Registry: at least 15 standard elements, each citing its standard; most have a source.
  const list = await admin.get('/api/elements');
  assert.ok(list.body.total >= ELEMENT_SEEDS.length && ELEMENT_SEEDS.length >= 15);
  const byCode = new Map(list.body.items.map((e: { code: string }) => [e.code, e]));
  const idNo = byCode.get('DE-RK-0001') as { standardRef: string; authoritativeOrg: { code: string }; repeatedFields: number };
  assert.match(idNo.standardRef, /GB 11643/);
  assert.equal(idNo.authoritativeOrg.code, 'GA-RK');
  assert.ok(idNo.repeatedFields > 5);
  assert.match((byCode.get('DE-FR-0001') as { standardRef: string }).standardRef, /GB 32100/);
  assert.match((byCode.get('DE-ZR-0001') as { standardRef: string }).standardRef, /GB\/T 37346/);

  // Repeated collection: an 人社局 resource with 公民身份号码 points to 公安局's population library.
  const report = await admin.get('/api/elements/report');
  const rs = report.body.items.find((r: { org: { code: string } }) => r.org.code === 'RS');
  const sfzh = rs.repeatedFields.items.find((f: { element: { code: string } }) => f.element.code === 'DE-RK-0001');
  assert.ok(sfzh, 'an RS field re-collects the ID number');
  assert.equal(sfzh.authoritativeOrg.code, 'GA-RK');
  const lineage = await admin.get(`/api/elements/resources/${sfzh.resource.id}/lineage`);
  const f = lineage.body.fields.find((x: { fieldId: string }) => x.fieldId === sfzh.fieldId);
  assert.equal(f.repeatedCollection, true);
  assert.equal(f.authoritativeResource.nameZh, '常住人口基本信息');

  // Exactly one conflict: 民政局 vs 市场监管局 over 统一社会信用代码.
  const arbs = await admin.get('/api/elements/arbitrations?status=open');
  assert.equal(arbs.body.items.length, 1);
  const arb = arbs.body.items[0];
  assert.equal(arb.element.code, 'DE-FR-0001');
  assert.deepEqual(
    arb.claims.map((c: { org: { code: string }; status: string }) => `${c.org.code}:${c.status}`),
    ['SCJG-DJ:accepted', 'MZ:pending'],
  );
  assert.equal(report.body.totals.openConflicts, 1);

  // Every demo department has a responsibility list, some items backed and some not.
  const cov = await admin.get('/api/elements/coverage');
  for (const code of ['GA', 'SCJG', 'RS', 'WJ', 'JT', 'ZRZY', 'TJ', 'JY', 'MZ', 'ZJ']) {
    const row = cov.body.items.find((r: { org: { code: string } }) => r.org.code === code);
    assert.ok(row.responsibilityItems >= 2, code);
    assert.ok(row.backedItems < row.responsibilityItems, `${code} has an item not yet backed`);
  }
  const scjg = cov.body.items.find((r: { org: { code: string } }) => r.org.code === 'SCJG');
  assert.ok(scjg.backedItems >= 1);
  assert.equal(scjg.answeredDemands, 2);
  assert.ok(scjg.medianAnswerWorkingDays > 0);
  assert.equal(cov.body.unrouted.openDemands, 1);

  // Demands in every status; negative list entries with their legal basis.
  const demands = await admin.get('/api/lists/demands?pageSize=100');
  const statuses = new Set(demands.body.items.map((d: { status: string }) => d.status));
  assert.deepEqual([...statuses].sort(), ['answered', 'closed', 'open', 'rejected']);
  const negative = await admin.get('/api/lists/negative');
  assert.equal(negative.body.items.length, 3);
  assert.ok(negative.body.items.every((n: { legalBasis: string; attributeConflict: boolean }) => n.legalBasis && !n.attributeConflict));
  assert.ok(await p.ctx.elements.negativeListBlocks(negative.body.items[0].resource.id, 'open'));

  // The consumer (人社局) sees its own demands and its department's row only.
  const consumer = p.client();
  await consumer.login('consumer', DEMO_PASSWORD);
  const mine = await consumer.get('/api/lists/demands');
  assert.equal(mine.body.total, 4);
});
