// Browser: the public portal (issue 7 §1) in Chromium, without logging in. An anonymous citizen opening / lands
// on the portal, searches from the home page, opens a dataset page, sees the preview table with the phone column
// masked, downloads the CSV (the file is checked) and switches to English. Keyboard only: skip link, the search
// box reached with Tab, results opened with Enter, a visible focus ring. A conditionally open dataset shows its
// metadata and the 申请使用 button but no data. A citizen registers and lands on the developer page.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import type { Browser, Page } from 'playwright-core';
import { startTestPlatform, type TestPlatform } from '../helpers.ts';
import { launchBrowser, newPage, pickOption } from './browser.ts';

let platform: TestPlatform;
let browser: Browser;

before(async () => {
  [platform, browser] = await Promise.all([startTestPlatform({}, { jobs: false }), launchBrowser()]);
});

after(async () => {
  await browser?.close();
  await platform?.close();
});

/** Presses Tab until the focused element matches, at most `max` times. */
async function tabTo(page: Page, predicate: string, max = 40): Promise<void> {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    if (await page.evaluate(`(() => { const el = document.activeElement; return !!el && (${predicate}); })()`)) return;
  }
  throw new Error(`Tab never reached ${predicate}`);
}

test('an anonymous citizen searches, opens a dataset, sees masked phones, downloads the CSV and switches to English', async () => {
  const { context, page } = await newPage(browser, platform.url);
  try {
    await page.goto('/');
    await page.waitForURL(/\/data$/);
    await page.getByRole('heading', { name: '公共数据开放', level: 1 }).waitFor();
    assert.equal(await page.getByTestId('portal-login').count(), 1, 'the visitor is offered 登录');
    await page.getByTestId('portal-stat-datasets').getByText(/^\d+$/).waitFor();

    const box = page.getByLabel('搜索开放数据');
    await box.fill('养老');
    await box.press('Enter');
    await page.waitForURL(/\/data\/search\?q=%E5%85%BB%E8%80%81/);
    const results = page.getByTestId('portal-results');
    await results.getByRole('link', { name: '养老机构信息' }).click();
    await page.waitForURL(/\/data\/datasets\/FR-MZ-00002$/);
    await page.getByRole('heading', { name: '养老机构信息', level: 1 }).waitFor();

    // The preview: 10 rows, the phone column masked for the public.
    const preview = page.getByTestId('portal-preview');
    await preview.getByRole('columnheader', { name: '联系电话 (已脱敏)' }).waitFor();
    const rows = preview.locator('tbody tr.ant-table-row');
    await rows.first().waitFor();
    assert.equal(await rows.count(), 10);
    const headers = await preview.locator('thead th').allTextContents();
    const phoneCol = headers.findIndex((h) => h.startsWith('联系电话'));
    for (const phone of await rows.locator(`td:nth-child(${phoneCol + 1})`).allTextContents()) {
      assert.match(phone, /^1\d{2}\*{4}\d{4}$/);
    }
    // Fields with their types, quality score and versions are there too.
    await page.getByTestId('portal-fields').getByText('床位数').waitFor();
    await page.getByTestId('portal-quality').waitFor();
    await page.getByTestId('portal-versions').locator('tbody tr.ant-table-row').first().waitFor();
    assert.match((await page.locator('pre.portal-code').first().textContent()) ?? '', /curl .*\/resource\/[0-9a-f-]{36}\.json\?\$where=/);

    // Download the CSV: the whole version, masked.
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('portal-download-csv').click()]);
    const file = await download.path();
    const text = (await fs.readFile(file!, 'utf8')).replace(/^\uFEFF/, '');
    const lines = text.trim().split(/\r?\n/);
    assert.equal(lines[0], '统一社会信用代码,单位名称,地址,床位数,联系电话');
    assert.equal(lines.length, 241);
    for (const l of lines.slice(1)) assert.match(l.split(',').at(-1)!, /^1\d{2}\*{4}\d{4}$/);

    // English.
    await page.getByTestId('lang-switch').click();
    await page.getByRole('heading', { name: 'Data preview' }).waitFor();
    await page.getByRole('heading', { name: 'Elderly care institutions', level: 1 }).waitFor();
    assert.equal(await page.evaluate(() => document.documentElement.lang), 'en');
    await page.getByTestId('portal-login').getByText('Log in', { exact: true }).waitFor();
  } finally {
    await context.close();
  }
});

test('keyboard only: skip link, search box reached with Tab, a result opened with Enter, focus always visible', async () => {
  const { context, page } = await newPage(browser, platform.url);
  try {
    await page.goto('/data');
    await page.getByRole('heading', { name: '公共数据开放', level: 1 }).waitFor();
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement?.textContent), '跳到主要内容', 'the first stop is the skip link');
    await tabTo(page, "el.id === 'portal-home-q'");
    await page.keyboard.type('养老机构');
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/data\/search\?q=/);
    await page.getByTestId('portal-results').getByRole('link', { name: '养老机构信息' }).waitFor();
    await tabTo(page, "el.tagName === 'A' && el.textContent === '养老机构信息'", 80);
    const outline = await page.evaluate(() => getComputedStyle(document.activeElement!).outlineStyle);
    assert.notEqual(outline, 'none', 'the focused link shows a focus ring');
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/data\/datasets\/FR-MZ-00002$/);
    await page.getByRole('heading', { name: '养老机构信息', level: 1 }).waitFor();
  } finally {
    await context.close();
  }
});

test('search facets, sort and type-ahead; a department page lists its datasets', async () => {
  const { context, page } = await newPage(browser, platform.url);
  try {
    await page.goto('/data/search');
    const total = page.getByTestId('portal-search-total');
    await total.getByText(/共 \d+ 个数据集/).waitFor();
    const all = Number((await total.textContent())!.match(/\d+/)![0]);
    // Open attribute: conditional only.
    await page
      .getByTestId('portal-facet-open')
      .getByText(/^有条件开放 \(\d+\)$/)
      .click();
    await page.waitForURL(/open=conditional/);
    await page.waitForFunction(
      (n) => !document.querySelector('[data-testid="portal-search-total"]')?.textContent?.includes(`共 ${n} 个`),
      all,
    );
    const tags = await page.getByTestId('portal-results').locator('.ant-tag').allTextContents();
    assert.ok(tags.length > 0);
    assert.ok(
      tags.every((t) => t === '有条件开放'),
      tags.join(),
    );
    // Sort by newest keeps the filter.
    await page.getByLabel('排序').click();
    await pickOption(page, '最新发布');
    await page.waitForURL(/sort=release/);
    assert.match(page.url(), /open=conditional/);
    // Type-ahead: picking a suggestion opens that dataset.
    await page.goto('/data/search');
    await page.getByTestId('portal-search-q').pressSequentially('养老机');
    await pickOption(page, '养老机构信息');
    await page.waitForURL(/\/data\/datasets\/FR-MZ-00002$/);
    // A department page.
    await page.goto('/data/departments/MZ');
    await page.getByRole('heading', { name: '示范市民政局', level: 1 }).waitFor();
    const count = Number((await page.getByTestId('portal-group-count').textContent())!.match(/\d+/)![0]);
    const links = page.getByTestId('portal-results').locator('.ant-list-item-meta-title a');
    await links.first().waitFor();
    assert.equal(await links.count(), Math.min(10, count));
    assert.ok((await links.allTextContents()).includes('养老机构信息'));
  } finally {
    await context.close();
  }
});

test('a conditionally open dataset shows its metadata and the apply button, but no data', async () => {
  const { context, page } = await newPage(browser, platform.url);
  try {
    await page.goto('/data/datasets/DZZZ-WJ-00001');
    await page.getByRole('heading', { name: '医师执业注册信息', level: 1 }).waitFor();
    await page.getByText('有条件开放数据', { exact: true }).waitFor();
    const fields = page.getByTestId('portal-fields').locator('tbody tr.ant-table-row');
    await fields.first().waitFor();
    assert.ok((await fields.count()) > 0, 'the fields are public');
    const id = (await platform.client().get('/api/portal/resources/by-code/DZZZ-WJ-00001')).body.id;
    assert.equal(await page.getByTestId('portal-preview').count(), 0);
    assert.equal(await page.getByTestId('portal-download-csv').count(), 0);
    // Metadata is public, data on request: the apply button sends a visitor to log in, then to the form.
    await page.getByTestId('openapply-apply-button').click();
    await page.waitForURL((u) => u.pathname === '/login' && u.searchParams.get('next') === `/data/apply/${id}`);
  } finally {
    await context.close();
  }
});

test('a citizen registers, is signed in and lands on the developer page', async () => {
  const { context, page } = await newPage(browser, platform.url);
  try {
    await page.goto('/data');
    await page.getByTestId('portal-register').click();
    await page.getByLabel('用户名').fill('li.lei');
    await page.getByLabel('密码', { exact: true }).fill('Kaifang#2026x');
    await page.getByLabel('确认密码').fill('Kaifang#2026x');
    await page.getByTestId('register-submit').click();
    await page.waitForURL(/\/data\/developer$/);
    await page.getByRole('heading', { name: '开发者中心' }).waitFor();
    await page.getByTestId('portal-user').getByText('li.lei').waitFor();
  } finally {
    await context.close();
  }
});

test('a dataset page shows its openness score, reuses and feedback thread; the openness page shows figures, charts and the self-evaluation', async () => {
  const { context, page } = await newPage(browser, platform.url);
  try {
    await page.goto('/data/search?q=' + encodeURIComponent('养老机构信息'));
    await page.getByRole('link', { name: '养老机构信息' }).first().click();
    await page.getByRole('heading', { name: '养老机构信息', level: 1 }).waitFor();
    const score = page.getByTestId('openness-score');
    await score.getByText(/^元数据 \d+\/405/).waitFor();
    await page.getByTestId('dataset-reuses').waitFor();
    await page.getByTestId('dataset-feedback').getByText('登录后可纠错').waitFor();

    await page.getByRole('navigation', { name: '门户导航' }).getByRole('link', { name: '开放度评估' }).click();
    await page.getByTestId('openness-page').waitFor();
    const stats = (await platform.client().get('/api/openness/stats')).body;
    await page.getByTestId('openness-total-openDatasets').waitFor();
    await page.getByText(`无条件 ${stats.totals.unconditional}，有条件 ${stats.totals.conditional}`).waitFor();
    for (const id of ['openness-departments-chart', 'openness-months-chart', 'openness-stars-chart', 'openness-radar'])
      await page.getByTestId(id).locator('canvas').first().waitFor();
    const evaluation = page.getByTestId('openness-evaluation');
    for (const layer of ['准备度', '平台层', '数据层', '利用层', '效果层'])
      await evaluation.getByText(layer, { exact: true }).first().waitFor();
    const ev = (await platform.client().get('/api/openness/evaluation')).body;
    const cited = ev.layers[0].indicators.find((i: { key: string }) => i.key === 'rulesCited');
    await evaluation.getByTestId('indicator-rulesCited').getByText(String(cited.value), { exact: true }).waitFor();
  } finally {
    await context.close();
  }
});
