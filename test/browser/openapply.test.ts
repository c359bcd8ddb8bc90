// Browser: a conditional open application (有条件开放申请) from form to agreement, in Chromium. The company user
// opens the application form of 市场主体登记信息 (opened on conditions), chooses two fields, states purpose,
// scenario and security measures and attaches a PDF; the application page shows it under the provider's review
// with its document. The provider clerk (市场监管局) finds it in the review queue with a working-day countdown and
// approves it, signing the data use agreement; the company then sees the agreement with active access and its
// first usage report due.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import { resourceIdByName, startTestPlatform, type TestPlatform } from '../helpers.ts';
import { launchBrowser, login, newPage } from './browser.ts';
import { DEMO_PASSWORD } from '../../src/modules/identity/service.ts';

let platform: TestPlatform;
let browser: Browser;
let resourceId: string;

const PDF = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n');

before(async () => {
  [platform, browser] = await Promise.all([startTestPlatform(), launchBrowser()]);
  const api = platform.client();
  await api.login('company', DEMO_PASSWORD);
  resourceId = await resourceIdByName(api, '市场主体登记信息');
});

after(async () => {
  await browser?.close();
  await platform?.close();
});

test('a company applies with a document, the provider approves in the review page, the company sees the agreement', async () => {
  // 1. The company fills in the application form.
  const { context: companyCtx, page } = await newPage(browser, platform.url);
  await login(page, 'company');
  await page.goto(`/data/apply/${resourceId}`);
  await page.getByTestId('openapply-form').waitFor();
  await page.getByTestId('openapply-kind-company').check();
  await page.getByTestId('openapply-field-tyshxydm').check();
  await page.getByTestId('openapply-field-qymc').check();
  await page.getByLabel('用途').fill('企业信用评估模型训练');
  await page.getByLabel('应用场景').fill('为中小企业融资提供信用画像');
  await page.getByLabel('安全保障措施').fill('等保三级机房存储，专人专账访问，使用后删除');
  await page.locator('input[type="file"]').setInputFiles({ name: '营业执照.pdf', mimeType: 'application/pdf', buffer: PDF });
  await page.getByTestId('openapply-documents').getByText('营业执照.pdf').waitFor();
  await page.getByTestId('openapply-submit').click();

  // 2. The application's page: under the provider's review, with the document and the time limit.
  await page.waitForURL(/\/open\/applications\/[0-9a-f-]{36}$/);
  assert.equal((await page.getByTestId('openapply-state').first().textContent())?.trim(), '提供部门审核中');
  await page.getByTestId('openapply-detail-documents').getByText('营业执照.pdf').waitFor();
  await page
    .getByTestId('openapply-countdown')
    .getByText(/剩余 \d+ 个工作日/)
    .waitFor();
  const number = (await page.locator('h1').first().textContent())!.match(/KF-\d{4}-\d{6}/)![0];
  const appUrl = page.url();

  // 3. The provider finds it in the review queue and approves it.
  const { context: providerCtx, page: provider } = await newPage(browser, platform.url);
  await login(provider, 'provider');
  await provider.getByTestId('menu-openApplyIncoming').click();
  const row = provider.getByTestId('openapply-incoming').locator('tr', { hasText: number });
  await row.getByText(/剩余 \d+ 个工作日/).waitFor();
  await provider.getByTestId(`openapply-link-${number}`).click();
  await provider.getByTestId('openapply-approve').click();
  await provider.getByTestId('openapply-dialog-comment').fill('同意开放，按协议使用');
  await provider.getByTestId('openapply-dialog-ok').click();
  await provider.getByTestId('openapply-agreement').waitFor();
  assert.equal((await provider.getByTestId('openapply-state').first().textContent())?.trim(), '已通过');

  // 4. The company sees the signed agreement with active access and the first report due.
  await page.goto('/open/applications');
  await page.getByTestId(`openapply-link-${number}`).click();
  await page.waitForURL(appUrl);
  const agreement = page.getByTestId('openapply-agreement');
  await agreement.getByText(/数据利用协议 KFXY-\d{4}-\d{6}/).waitFor();
  assert.equal((await agreement.getByTestId('openapply-access').textContent())?.trim(), '可使用');
  await agreement.getByText('tyshxydm, qymc').waitFor();
  await page.getByTestId('openapply-reports').getByText('待提交').waitFor();

  await companyCtx.close();
  await providerCtx.close();
});
