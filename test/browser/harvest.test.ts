// Browser: catalog harvesting (目录采集, issue 7 §8) in Chromium. Platform B's data authority adds platform A
// (a second Shuyuan instance on this machine) as a CKAN source through the form, harvests it now and follows the
// run until it succeeds with every open dataset of A created; harvesting again creates nothing (the history shows
// both runs), and a harvested resource's page in B's portal names its source.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import { startTestPlatform, type TestPlatform } from '../helpers.ts';
import { launchBrowser, login, newPage, pickOption } from './browser.ts';
import { SYSTEM } from '../../src/modules/identity/actor.ts';
import { orgId } from '../../src/modules/registration/test-fixtures.ts';

let a: TestPlatform;
let b: TestPlatform;
let browser: Browser;
const RUN_WAIT = 180_000;

before(async () => {
  [a, b, browser] = await Promise.all([startTestPlatform(), startTestPlatform(), launchBrowser()]);
});

after(async () => {
  await browser?.close();
  await Promise.all([a?.close(), b?.close()]);
});

test('the authority adds a CKAN source, harvests it twice without duplicates, and the portal names the source', async () => {
  const n = (await a.client().get('/api/3/action/package_search?rows=0')).body.result.count as number;
  assert.ok(n > 0);
  const { context, page } = await newPage(browser, b.url);
  try {
    await login(page, 'admin');
    await page.getByTestId('menu-harvest').click();
    await page.getByRole('button', { name: '添加采集源' }).click();
    const dialog = page.getByRole('dialog', { name: '添加采集源' });
    await dialog.getByLabel('名称').fill('示范省开放平台');
    await dialog.getByLabel('地址').fill(a.url);
    await dialog.getByLabel('接收部门').click();
    await dialog.getByLabel('接收部门').fill('市场监督');
    await page
      .locator('.ant-select-dropdown:not(.ant-select-dropdown-hidden) .ant-select-tree-title', { hasText: '示范市市场监督管理局' })
      .first()
      .click();
    await dialog.getByLabel('资源分类').click();
    await pickOption(page, '法人基础库');
    await dialog.getByLabel('领域分类').click();
    await pickOption(page, '市场监管');
    await dialog.getByRole('button', { name: '保存' }).click();
    await dialog.waitFor({ state: 'hidden' });

    const row = page.locator('tr', { hasText: '示范省开放平台' });
    await row.getByRole('button', { name: '立即采集' }).click();
    await row.getByTestId('run-status').getByText('成功').waitFor({ timeout: RUN_WAIT });
    await row.getByText(`新增 ${n}，更新 0，未变 0，撤销 0`).waitFor();
    await row.getByTestId('harvest-datasets').getByText(String(n), { exact: true }).waitFor();

    await row.getByRole('button', { name: '立即采集' }).click();
    await row.getByText(`新增 0，更新 0，未变 ${n}，撤销 0`).waitFor({ timeout: RUN_WAIT });
    await row.getByTestId('harvest-datasets').getByText(String(n), { exact: true }).waitFor();
    // The history has both runs.
    await row.locator('.ant-table-row-expand-icon').click();
    const history = page.locator('.ant-table-expanded-row');
    await history.getByText(`新增 ${n}，更新 0，未变 0，撤销 0`).waitFor();
    assert.equal(await history.getByTestId('run-status').count(), 2);

    // In B's portal, a harvested dataset names where it came from.
    const mine = await b.ctx.catalog.list(SYSTEM, { orgId: await orgId(b.ctx, 'SCJG'), status: ['published'], pageSize: 200 });
    const copy = mine.items.find((r) => r.nameZh === '养老机构信息' && r.code.startsWith('FR-SCJG-'));
    assert.ok(copy, 'the harvested copy is a published resource of the receiving department');
    await page.goto(`/data/datasets/${copy.code}`);
    await page.getByTestId('harvest-origin').getByText('本数据集采集自“示范省开放平台”', { exact: false }).waitFor();
  } finally {
    await context.close();
  }
});
