// Browser: scheduled bulk delivery (定时交付) in Chromium. The consumer department holds a bulk grant on the market
// entities registry, narrowed to its application (which has a key). Its clerk opens 授权 → 定时交付, creates a
// schedule through the form (the grant, the application filled in from the grant, the preset 每周一 02:00,
// incremental CSV), sees it listed with its next run time and state, runs it now and sees the delivery in its runs
// with a download link whose file matches the checksum the API reports.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import type { Browser } from 'playwright-core';
import { sql } from 'kysely';
import { startTestPlatform, type TestClient, type TestPlatform } from '../helpers.ts';
import { launchBrowser, login, newPage, pickOption } from './browser.ts';
import { DEMO_PASSWORD } from '../../src/modules/identity/service.ts';
import { SYSTEM } from '../../src/modules/identity/actor.ts';

let platform: TestPlatform;
let browser: Browser;
let consumerApi: TestClient;
let firmsId: string;
let appName: string;

/** Waits long enough for a job to be picked up and run on a loaded machine (no timing is asserted). */
const JOB_WAIT = 120_000;

before(async () => {
  [platform, browser] = await Promise.all([startTestPlatform(), launchBrowser()]);
  consumerApi = platform.client();
  await consumerApi.login('consumer', DEMO_PASSWORD);
  const admin = platform.client();
  await admin.login('admin', DEMO_PASSWORD);
  const found = await admin.get(`/api/search/resources?q=${encodeURIComponent('市场主体登记信息')}&pageSize=5`);
  firmsId = found.body.items.find((r: { nameZh: string }) => r.nameZh === '市场主体登记信息').id;
  const providerOrgId = (await platform.ctx.catalog.get(SYSTEM, firmsId)).providerOrg.id;
  const consumerOrgId = (await consumerApi.get('/api/auth/me')).body.org.id;
  // The demo's grants on the registry are set aside: the one below is the only bulk grant.
  await sql`update entitlements set state = 'revoked', state_reason = 'test' where resource_id = ${firmsId}`.execute(platform.ctx.db);
  appName = '定时交付接收系统';
  const app = await consumerApi.post('/api/applications', { name: appName });
  assert.equal(app.status, 201, app.text);
  assert.equal((await consumerApi.post(`/api/applications/${app.body.id}/keys`, { name: '生产环境' })).status, 201);
  await platform.ctx.db.transaction().execute((tx) =>
    platform.ctx.entitlements.grant(tx, SYSTEM, {
      holderOrgId: consumerOrgId,
      holderApplicationId: app.body.id,
      holderUserId: null,
      resourceId: firmsId,
      providerOrgId,
      fields: ['tyshxydm', 'qymc', 'djzt'],
      actions: ['bulk'],
      purpose: '就业补贴企业名录定期更新',
      scenario: '就业补贴审核',
      legalBasis: '《就业促进法》第十五条',
      validFrom: new Date(Date.now() - 60_000).toISOString(),
      validTo: null,
      quota: null,
      conditions: {},
      origin: 'manual',
      originId: null,
    }),
  );
});

after(async () => {
  await browser?.close();
  await platform?.close();
});

test('a clerk schedules a weekly incremental delivery, sees it listed, runs it now and downloads the file', async () => {
  const { context, page } = await newPage(browser, platform.url);
  try {
    await login(page, 'consumer');
    await page.goto('/sharing/grants');
    await page.getByRole('tab', { name: '定时交付' }).click();
    await page.getByTestId('schedule-create').click();
    const dialog = page.getByRole('dialog');
    await dialog.locator('#scheduleForm_entitlementId').click();
    await pickOption(page, '就业补贴企业名录定期更新');
    // The grant is narrowed to the application: it is filled in.
    await dialog.getByText(appName, { exact: true }).waitFor();
    await dialog.getByText('每周一 02:00').click();
    await dialog.locator('#scheduleForm_name').fill('每周企业名录');
    await dialog.getByRole('button', { name: '新建', exact: true }).click();
    await dialog.waitFor({ state: 'hidden' });

    const row = page.getByTestId('schedules').locator('tbody tr.ant-table-row').first();
    await row.getByText('市场主体登记信息').waitFor();
    await row.getByText('每周一 02:00').waitFor();
    await row.getByText('增量 · CSV').waitFor();
    assert.equal(await row.getByTestId('schedule-state').innerText(), '运行中');
    const next = await row.getByTestId('schedule-next-run').innerText();
    assert.match(next, /\d{4}\/\d{2}\/\d{2} 02:00:00/, 'the next Monday at 02:00, China time');

    // The server has it as the page shows it.
    const listed = (await consumerApi.get('/api/gateway/extract-schedules')).body.items;
    assert.equal(listed.length, 1);
    assert.equal(listed[0].cron, '0 2 * * 1');
    assert.equal(listed[0].mode, 'incremental');
    assert.equal(listed[0].name, '每周企业名录');
    assert.equal(new Date(listed[0].nextRunAt).getUTCDay(), 0, 'Monday 02:00 in Beijing is Sunday 18:00 UTC');

    // Run now: the delivery appears in the runs with a link to its file.
    await row.getByTestId('schedule-run').click();
    await row.getByTestId('schedule-run-state').getByText('已交付').waitFor({ timeout: JOB_WAIT });
    await row.getByRole('button', { name: /展开行|Expand row/ }).click();
    const link = page.getByTestId('schedule-run-file').first();
    await link.waitFor();
    const href = await link.getAttribute('href');
    const runs = (await consumerApi.get(`/api/gateway/extract-schedules/${listed[0].id}/runs`)).body.items;
    assert.equal(runs[0].state, 'done');
    assert.equal(href, runs[0].fileUrl);
    const file = await page.request.get(href!);
    assert.equal(file.status(), 200);
    assert.equal(
      createHash('sha256')
        .update(await file.body())
        .digest('hex'),
      runs[0].sha256,
    );
  } finally {
    await context.close();
  }
});
