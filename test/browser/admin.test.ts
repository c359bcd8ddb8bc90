// Browser: the authority admin sees the record of their own login in the ledger, and creates a user
// through the users page who can then log in.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Locator } from 'playwright-core';
import { startTestPlatform, type TestPlatform } from '../helpers.ts';
import { clickUntil, launchBrowser, login, menuKeys, newPage } from './browser.ts';

let platform: TestPlatform;
let browser: Browser;

before(async () => {
  [platform, browser] = await Promise.all([startTestPlatform(), launchBrowser()]);
});

after(async () => {
  await browser?.close();
  await platform?.close();
});

test('the ledger page shows an auth.login entry for the admin who just logged in', async () => {
  const { context, page } = await newPage(browser, platform.url);
  try {
    await login(page, 'admin');
    const me = await page.evaluate(async () => (await fetch('/api/auth/me')).json());
    await page.getByTestId('menu-ledger').click();
    const filters = page.getByTestId('ledger-filters');
    await filters.getByLabel('操作', { exact: true }).fill('auth.login');
    await filters.getByLabel('操作', { exact: true }).press('Enter');
    const row = page.getByTestId('ledger-table').locator('tbody tr', { hasText: 'auth.login' }).filter({ hasText: me.displayName });
    await row.first().waitFor();
    // Expanding the row shows the entry's details and the previous hash.
    await row
      .first()
      .getByRole('button', { name: /展开|Expand/ })
      .click();
    await page.getByText('前一哈希').first().waitFor();
    // The trust card shows the signing key.
    await page.getByTestId('ledger-key').waitFor();
    // Verification of the whole ledger succeeds.
    await page.getByTestId('ledger-verify').click();
    const result = page.getByTestId('ledger-verify-result');
    await result.waitFor({ timeout: 30_000 });
    assert.match((await result.textContent()) ?? '', /账本完整/);
  } finally {
    await context.close();
  }
});

/** Chooses an option of a searchable antd select with the keyboard: type to filter, Enter to pick. */
async function pick(input: Locator, text: string) {
  await input.focus();
  await input.fill(text);
  await input.press('Enter');
  await input.press('Escape');
}

test('the admin creates a user through the UI and that user can log in', async () => {
  const admin = await newPage(browser, platform.url);
  const username = 'clerk-ui-test';
  const password = 'Str0ng!Passw0rd';
  try {
    const { page } = admin;
    await login(page, 'admin');
    await page.getByTestId('menu-users').click();
    await page.getByTestId('user-create').click();
    const form = page.getByTestId('user-form');
    await form.getByLabel('用户名').fill(username);
    await form.getByLabel('姓名').fill('界面测试员');
    await pick(form.getByLabel('所属机构'), '示范市市场监督管理局');
    await pick(form.getByLabel('角色'), '数据提供部门经办人');
    await form.getByLabel('初始密码').fill('short');
    await page.getByTestId('user-form-submit').click();
    // The client-side policy hint blocks a short password before anything is sent.
    await form.locator('.ant-form-item-explain-error').first().waitFor();
    await form.getByLabel('初始密码').fill(password);
    await page.getByTestId('user-form-submit').click();
    await page.getByTestId('users-table').getByText(username, { exact: true }).waitFor();

    // A second try with the same username is refused and shown on the username field.
    await page.getByTestId('user-create').click();
    const again = page.getByTestId('user-form');
    await again.getByLabel('用户名').fill(username);
    await again.getByLabel('姓名').fill('重复');
    await pick(again.getByLabel('所属机构'), '示范市市场监督管理局');
    await pick(again.getByLabel('角色'), '数据提供部门经办人');
    await again.getByLabel('初始密码').fill(password);
    await page.getByTestId('user-form-submit').click();
    await again
      .locator('.ant-form-item', { has: page.locator('#userForm_username') })
      .getByText(`用户名 ${username} 已被使用`)
      .waitFor();
  } finally {
    await admin.context.close();
  }

  const { context, page } = await newPage(browser, platform.url);
  try {
    await login(page, username, password);
    assert.deepEqual(await menuKeys(page), [
      'apiKeys',
      'applications',
      'calendar',
      'catalog',
      'datasets',
      'elements',
      'feedbackDesk',
      'home',
      'lists',
      'notifications',
      'openApplyIncoming',
      'registrations',
      'sharingGrants',
      'sharingIncoming',
      'sharingMine',
      'sharingNew',
      'sources',
    ]);
  } finally {
    await context.close();
  }
});

test('an API key is created with the keyboard, its secret shown once, then revoked', async () => {
  const { context, page } = await newPage(browser, platform.url);
  try {
    await login(page, 'provider');
    await page.getByTestId('menu-apiKeys').click();
    await page.getByTestId('apikey-create').click();
    const name = page.getByRole('dialog').getByLabel('名称');
    await name.fill('nightly-sync');
    await name.press('Enter');
    const secret = page.getByTestId('apikey-secret');
    await secret.waitFor();
    assert.match((await page.getByRole('dialog').textContent()) ?? '', /无法再次查看/);
    const appSecret = (await secret.locator('.mono').nth(1).textContent())?.trim() ?? '';
    assert.ok(appSecret.length >= 32, 'the AppSecret is shown');
    await clickUntil(page.getByRole('button', { name: '我已保存' }), (timeout) =>
      page.getByRole('dialog').waitFor({ state: 'detached', timeout }),
    );
    const row = page.locator('tr', { hasText: 'nightly-sync' });
    await row.waitFor();
    // The secret is not on the page any more.
    assert.equal(await page.getByText(appSecret).count(), 0);
    await row.getByRole('button', { name: /撤销/ }).click();
    await page.getByRole('dialog').getByRole('button', { name: '撤销' }).click();
    await row.getByText(/已撤销/).waitFor();
  } finally {
    await context.close();
  }
});
