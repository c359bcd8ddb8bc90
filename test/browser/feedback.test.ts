// Browser: a demand from the public to a public answer, in Chromium. A citizen (signed in) asks for data on the
// public demand board, choosing the department, with a title carrying a script tag; the market regulator's clerk
// answers it on the department desk (accepted, with a planned date and a reply); an anonymous visitor then reads
// the answer on the public demand page without logging in, with the requester's name masked and the script tag
// shown as text (no dialog ever opens).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { startTestPlatform, type TestPlatform } from '../helpers.ts';
import { launchBrowser, login, newPage, pickOption } from './browser.ts';

let platform: TestPlatform;
let browser: Browser;

before(async () => {
  [platform, browser] = await Promise.all([startTestPlatform({}, { jobs: false }), launchBrowser()]);
});

after(async () => {
  await browser?.close();
  await platform?.close();
});

const TITLE = '食品经营许可数据 <script>alert(1)</script>';

/** Fails the test if any script-made dialog opens (an XSS payload that ran). */
function noDialogs(page: Page, seen: string[]) {
  page.on('dialog', (d) => {
    seen.push(d.message());
    void d.dismiss();
  });
}

test('a citizen submits a demand, the department answers it, and anyone reads the answer without logging in', async () => {
  const dialogs: string[] = [];
  let demandUrl: string;

  // 1. The citizen asks for data on the public board.
  const citizen = await newPage(browser, platform.url);
  try {
    noDialogs(citizen.page, dialogs);
    await login(citizen.page, 'public');
    await citizen.page.goto('/data/demands');
    await citizen.page.getByTestId('demand-new').click();
    const form = citizen.page.getByTestId('demand-form');
    await form.getByLabel('需要什么数据').fill(TITLE);
    await form.getByLabel('详细说明').fill('希望按月开放食品经营许可的发证信息，含许可证编号、经营者名称、经营场所。');
    await form.getByLabel('答复部门').click();
    await form.getByLabel('答复部门').fill('市场监督');
    await pickOption(citizen.page, '示范市市场监督管理局');
    await form.getByRole('button', { name: '提交需求' }).click();
    await citizen.page.waitForURL(/\/data\/demands\/[0-9a-f-]{36}$/);
    demandUrl = new URL(citizen.page.url()).pathname;
    await citizen.page.getByTestId('demand-title').getByText(TITLE, { exact: true }).waitFor();
    await citizen.page.getByTestId('demand-status').getByText('待答复').waitFor();
  } finally {
    await citizen.context.close();
  }

  // 2. The market regulator's clerk answers on the department desk.
  const clerk = await newPage(browser, platform.url);
  try {
    noDialogs(clerk.page, dialogs);
    await login(clerk.page, 'provider');
    await clerk.page.getByTestId('menu-feedbackDesk').click();
    const item = clerk.page.getByTestId('desk-demand').filter({ hasText: TITLE });
    await item.waitFor();
    const id = demandUrl.split('/').pop()!;
    const answer = clerk.page.getByTestId(`answer-form-${id}`);
    await answer.getByTestId('answer-reply').fill('已列入年度开放计划，将按月更新。');
    await answer.getByTestId('answer-date').click();
    await clerk.page.keyboard.type('2099-06-30');
    // Enter takes the typed date and submits the form (the keyboard path).
    await clerk.page.keyboard.press('Enter');
    // Answered: it leaves the "awaiting answer" list.
    await item.waitFor({ state: 'detached' });
    // The inbox's status filter: "all" lists it again; the error reports tab has its own statuses.
    const filter = clerk.page.getByRole('tabpanel');
    await filter.getByText('全部', { exact: true }).click();
    await item.waitFor();
    await clerk.page.getByRole('tab', { name: '纠错' }).click();
    await filter.getByText('待补充', { exact: true }).waitFor();
  } finally {
    await clerk.context.close();
  }

  // 3. Anyone reads the answer without logging in.
  const visitor = await newPage(browser, platform.url);
  try {
    noDialogs(visitor.page, dialogs);
    await visitor.page.goto(demandUrl);
    await visitor.page.getByTestId('demand-title').getByText(TITLE, { exact: true }).waitFor();
    assert.ok(visitor.page.url().endsWith(demandUrl), 'not sent to the login page');
    const answer = visitor.page.getByTestId('demand-answer');
    await answer.getByText('已采纳').waitFor();
    await answer.getByTestId('demand-planned').getByText('2099-06-30').waitFor();
    await answer.getByTestId('demand-reply').getByText('已列入年度开放计划，将按月更新。').waitFor();
    await visitor.page.getByText('公**').first().waitFor();
    assert.equal(await visitor.page.getByText('公众用户').count(), 0, 'the requester’s name is masked');
    await visitor.page.getByTestId('demand-thread').getByText('答复部门 · 采纳').waitFor();
    // The board lists it too, answered.
    await visitor.page.goto('/data/demands');
    await visitor.page.getByTestId('demand-item').filter({ hasText: TITLE }).getByText('已采纳').waitFor();
  } finally {
    await visitor.context.close();
  }
  assert.deepEqual(dialogs, [], 'no script ran');
});

test('a reuse is submitted with an http(s) link only, hidden until the authority publishes and features it', async () => {
  const dialogs: string[] = [];
  const NAME = '养老地图 <img src=x onerror=alert(2)>';
  let reusePath: string;

  const citizen = await newPage(browser, platform.url);
  try {
    noDialogs(citizen.page, dialogs);
    await login(citizen.page, 'public');
    await citizen.page.goto('/data/reuses');
    await citizen.page.getByRole('button', { name: '提交应用成果' }).click();
    const form = citizen.page.getByTestId('reuse-form');
    await form.getByLabel('名称').fill(NAME);
    await form.getByLabel('简介').fill('在地图上查找附近的养老机构和床位数。');
    await form.getByLabel('链接', { exact: true }).fill('javascript:alert(1)');
    await form.getByLabel('使用的数据').click();
    await form.getByLabel('使用的数据').fill('养老');
    // A multiple select stays open after a choice: click the option, then close the list.
    await citizen.page
      .locator('.ant-select-dropdown:not(.ant-select-dropdown-hidden) .ant-select-item-option')
      .filter({ hasText: '养老机构信息' })
      .first()
      .click();
    await citizen.page.keyboard.press('Escape');
    await form.locator('.ant-select-selection-item').filter({ hasText: '养老机构信息' }).waitFor();
    await form.getByRole('button', { name: '提交' }).click();
    await form.getByText('请填写以 http:// 或 https:// 开头的网址').waitFor();
    await form.getByLabel('链接', { exact: true }).fill('https://map.example.cn/yanglao');
    await form.getByRole('button', { name: '提交' }).click();
    const mine = citizen.page.getByRole('listitem').filter({ hasText: NAME });
    await mine.getByText('待审核').waitFor();
    reusePath = (await mine.getByRole('link', { name: NAME }).getAttribute('href'))!;
    assert.match(reusePath, /^\/data\/reuses\/[0-9a-f-]{36}$/);
  } finally {
    await citizen.context.close();
  }

  const visitor = await newPage(browser, platform.url);
  try {
    noDialogs(visitor.page, dialogs);
    await visitor.page.goto(reusePath);
    await visitor.page.getByText('应用成果不存在或尚未发布').waitFor();
  } finally {
    await visitor.context.close();
  }

  const admin = await newPage(browser, platform.url);
  try {
    noDialogs(admin.page, dialogs);
    await login(admin.page, 'admin');
    await admin.page.getByTestId('menu-feedbackDesk').click();
    await admin.page.getByRole('tab', { name: '应用审核' }).click();
    const item = admin.page.getByTestId('desk-reuse').filter({ hasText: NAME });
    await item.getByRole('button', { name: '发布' }).click();
    await item.waitFor({ state: 'detached' });
    await admin.page.getByText('已发布', { exact: true }).click();
    await admin.page.getByTestId('desk-reuse').filter({ hasText: NAME }).getByRole('button', { name: '设为精选' }).click();
    await admin.page.getByTestId('desk-reuse').filter({ hasText: NAME }).getByText('精选', { exact: true }).waitFor();
  } finally {
    await admin.context.close();
  }

  const again = await newPage(browser, platform.url);
  try {
    noDialogs(again.page, dialogs);
    await again.page.goto(reusePath);
    await again.page.getByTestId('reuse-title').getByText(NAME, { exact: true }).waitFor();
    assert.equal(
      await again.page.getByRole('link', { name: 'https://map.example.cn/yanglao' }).getAttribute('href'),
      'https://map.example.cn/yanglao',
    );
    await again.page.getByRole('link', { name: '养老机构信息' }).waitFor();
    await again.page.goto('/data/reuses');
    await again.page.getByTestId('reuse-card').filter({ hasText: NAME }).waitFor();
  } finally {
    await again.context.close();
  }
  assert.deepEqual(dialogs, [], 'no script ran');
});
