// Browser: a sharing request from request to grant to suspension, in Chromium. The consumer clerk (人社局) requests
// two fields of a conditionally shared resource of another department through the wizard, reached from the
// resource's page; the authority passes the compliance review on the request's page; the provider clerk refuses (a
// reason shorter than five characters is refused in the dialog), the consumer asks to negotiate, and the provider
// approves with one field narrowed out and a daily call quota. The consumer's grants page shows the one field and
// the quota; the provider suspends the grant with a reason and the consumer's grants page shows it suspended. A
// person sees who used records about them (an account without an ID number is told why not); a clerk registers an
// application, issues a key whose secret is shown once, and disables the application.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { startTestPlatform, type TestClient, type TestPlatform } from '../helpers.ts';
import { clickUntil, launchBrowser, login, newPage } from './browser.ts';
import { DEMO_PASSWORD } from '../../src/modules/identity/service.ts';

let platform: TestPlatform;
let browser: Browser;
let consumerApi: TestClient;

interface Field {
  code: string;
  nameZh: string;
  shareMode: string;
}

interface Picked {
  id: string;
  nameZh: string;
  providerOrg: { id: string };
  fields: Field[];
}

/** The provider department's clerk, created by the authority for this test. */
const PROVIDER = { username: 'gx-provider', password: 'Gongxiang#2024' };

before(async () => {
  [platform, browser] = await Promise.all([startTestPlatform(), launchBrowser()]);
  consumerApi = platform.client();
  await consumerApi.login('consumer', DEMO_PASSWORD);
});

after(async () => {
  await browser?.close();
  await platform?.close();
});

/**
 * A published, conditionally shared resource of another department that 人社局 neither holds nor has an open request
 * for, with at least two shareable fields. The demo's 市场监管局 shares only unconditionally (legal-entity data and
 * public registers), so the resource is chosen across the catalog and its provider clerk is created for the test.
 */
async function pickResource(): Promise<Picked> {
  const orgs = (await consumerApi.get('/api/orgs')).body.items as { id: string; parentId: string | null }[];
  const rs = (await consumerApi.get('/api/auth/me')).body.org.id as string;
  const inRs = (id: string | null): boolean => !!id && (id === rs || inRs(orgs.find((o) => o.id === id)?.parentId ?? null));
  const found = await consumerApi.get('/api/search/resources?share=conditional&pageSize=100&facets=false');
  assert.equal(found.status, 200, found.text);
  const mine = (await consumerApi.get('/api/sharing/requests?box=mine&pageSize=100')).body.items as {
    resource: { id: string };
    state: string;
  }[];
  const held = (await consumerApi.get('/api/entitlements?side=consumer&limit=200')).body.items as { resourceId: string }[];
  for (const item of found.body.items as { id: string; status: string; org: { id: string } }[]) {
    if (item.status !== 'published' || inRs(item.org.id)) continue;
    if (mine.some((r) => r.resource.id === item.id && !['approved', 'rejected', 'withdrawn'].includes(r.state))) continue;
    if (held.some((e) => e.resourceId === item.id)) continue;
    const r = (await consumerApi.get(`/api/catalog/resources/${item.id}`)).body as Picked;
    if (r.fields.filter((f) => f.shareMode !== 'none').length >= 2) return r;
  }
  throw new Error('no conditionally shared resource of another department to request');
}

/** Takes a workflow step that asks for a comment or reason in a dialog. */
async function stepWithComment(page: Page, to: string, comment: string) {
  await page.getByTestId(`step-${to}`).click();
  const dialog = page.getByTestId('step-comment');
  await dialog.getByRole('textbox').fill(comment);
  // The dialog closes when the step is taken; a click during its opening animation can be lost (seen in CI).
  await clickUntil(page.getByTestId('step-comment-ok'), (timeout) => dialog.waitFor({ state: 'hidden', timeout }));
}

async function waitForState(page: Page, label: string) {
  await page.getByTestId('request-header').getByTestId('sharing-state').filter({ hasText: label }).waitFor();
}

test('a consumer requests two fields, the provider refuses, negotiates and grants one with a quota, then suspends the grant', async () => {
  const resource = await pickResource();
  const adminApi = platform.client();
  await adminApi.login('admin', DEMO_PASSWORD);
  const created = await adminApi.post('/api/users', {
    username: PROVIDER.username,
    displayName: '提供部门共享经办人',
    orgId: resource.providerOrg.id,
    roles: ['provider_clerk'],
    password: PROVIDER.password,
  });
  assert.equal(created.status, 201, created.text);
  const [f1, f2] = resource.fields.filter((f) => f.shareMode !== 'none');
  assert.ok(f1 && f2);
  let requestId!: string;

  // The consumer requests two fields through the wizard, from the resource's page.
  const consumer = await newPage(browser, platform.url);
  try {
    const page = consumer.page;
    await login(page, 'consumer');
    await page.goto(`/catalog/resources/${resource.id}`);
    await page.getByTestId('sharing-request').click();
    await page.getByTestId('wizard-resource').getByText('有条件共享').waitFor();
    await page.getByTestId('wizard-next').click();
    const table = page.getByTestId('wizard-fields');
    for (const f of [f1, f2]) await table.locator('tr', { hasText: f.code }).locator('input[type="checkbox"]').check();
    await page.getByTestId('wizard-next').click();
    const wizard = page.getByTestId('sharing-wizard');
    await wizard.getByLabel('履职依据').fill('《社会保险法》第五十八条：用人单位参保登记核验');
    await wizard.getByLabel('使用用途').fill('核验参保单位的登记信息');
    await wizard.getByLabel('应用场景').fill('社会保险参保登记业务办理');
    await page.getByTestId('wizard-submit').click();
    await page.waitForURL(/\/sharing\/requests\/[0-9a-f-]{36}$/);
    requestId = page.url().split('/').pop()!;
    await waitForState(page, '符合性审查');
    await page.getByTestId('request-fields').getByText(f1.nameZh).waitFor();
    await page.getByTestId('request-fields').getByText(f2.nameZh).waitFor();
    // The request is in "my requests" with its compliance deadline counting down.
    await page.getByTestId('menu-sharingMine').click();
    const number = (await consumerApi.get(`/api/sharing/requests/${requestId}`)).body.number as string;
    const row = page.getByTestId('requests-mine').locator('tr', { has: page.getByTestId(`request-link-${number}`) });
    await row
      .getByTestId('deadline-countdown')
      .getByText(/符合性审查/)
      .waitFor();
  } finally {
    await consumer.context.close();
  }
  const number = (await consumerApi.get(`/api/sharing/requests/${requestId}`)).body.number as string;

  // The authority finds it in the compliance review queue and passes it to the provider.
  const admin = await newPage(browser, platform.url);
  try {
    const page = admin.page;
    await login(page, 'admin');
    await page.getByTestId('menu-sharingManage').click();
    await page.getByRole('tab', { name: '符合性审查' }).click();
    await page.getByTestId('queue-compliance').getByTestId(`request-link-${number}`).click();
    await stepWithComment(page, 'provider_review', '履职依据充分，转提供部门审核');
    await waitForState(page, '提供部门审核');
  } finally {
    await admin.context.close();
  }

  // The provider refuses: a reason of fewer than five characters is refused in the dialog, a real one goes through.
  const provider = await newPage(browser, platform.url);
  try {
    const page = provider.page;
    await login(page, PROVIDER.username, PROVIDER.password);
    await page.getByTestId('menu-sharingIncoming').click();
    await page.getByTestId('requests-incoming').getByTestId(`request-link-${number}`).click();
    await page.getByTestId('step-provider_refused').click();
    const dialog = page.getByTestId('step-comment');
    await dialog.getByRole('textbox').fill('不行');
    await page.getByTestId('step-comment-ok').click();
    await dialog.getByRole('alert').getByText('请写明理由（至少 5 个字）').waitFor();
    await dialog.getByRole('textbox').fill('申请的信息项超出核验所需范围，请缩减后协商');
    await page.getByTestId('step-comment-ok').click();
    await waitForState(page, '提供部门不予共享');
  } finally {
    await provider.context.close();
  }

  // The consumer reads the reasons and asks to negotiate.
  const consumer2 = await newPage(browser, platform.url);
  try {
    const page = consumer2.page;
    await login(page, 'consumer');
    await page.goto(`/sharing/requests/${requestId}`);
    await page.getByTestId('refusal-reason').getByText('申请的信息项超出核验所需范围').waitFor();
    await stepWithComment(page, 'negotiation', '同意缩减信息项，请协商');
    await waitForState(page, '协商中');
  } finally {
    await consumer2.context.close();
  }

  // The provider approves with the second field narrowed out and 100 calls a day.
  const provider2 = await newPage(browser, platform.url);
  try {
    const page = provider2.page;
    await login(page, PROVIDER.username, PROVIDER.password);
    await page.goto(`/sharing/requests/${requestId}`);
    await page.getByTestId('step-approved').click();
    const form = page.getByTestId('decision-form');
    await form.getByRole('checkbox', { name: f2.nameZh }).uncheck();
    await form.getByLabel('每日调用次数').fill('100');
    await form.getByLabel('办理意见').fill('协商一致，只提供一个信息项');
    await page.getByTestId('decision-ok').click();
    await waitForState(page, '已授权');
  } finally {
    await provider2.context.close();
  }
  const entitlementId = (await consumerApi.get(`/api/sharing/requests/${requestId}`)).body.entitlementId as string;
  assert.ok(entitlementId);

  // The consumer's grants page: the one field and the daily quota.
  const consumer3 = await newPage(browser, platform.url);
  try {
    const page = consumer3.page;
    await login(page, 'consumer');
    await page.getByTestId('menu-sharingGrants').click();
    const row = page.getByTestId('grants-consumer').locator(`tr[data-row-key="${entitlementId}"]`);
    await row.getByTestId('grant-fields').getByText(f1.nameZh).waitFor();
    assert.equal(await row.getByTestId('grant-fields').getByText(f2.nameZh).count(), 0);
    await row.getByTestId('grant-quota').getByText('今日调用 0 / 100 次').waitFor();
    await row.getByTestId('entitlement-state').getByText('有效').waitFor();
  } finally {
    await consumer3.context.close();
  }

  // The provider suspends it with a reason.
  const provider3 = await newPage(browser, platform.url);
  try {
    const page = provider3.page;
    await login(page, PROVIDER.username, PROVIDER.password);
    await page.getByTestId('menu-sharingGrants').click();
    await page.getByRole('tab', { name: '我提供的授权' }).click();
    const row = page.getByTestId('grants-provider').locator(`tr[data-row-key="${entitlementId}"]`);
    await row.getByTestId('grant-suspend').click();
    await page.getByTestId('grant-reason').getByRole('textbox').fill('发现超范围调用，暂停核查');
    await page.getByTestId('grant-reason-ok').click();
    await row.getByTestId('entitlement-state').getByText('已暂停').waitFor();
  } finally {
    await provider3.context.close();
  }

  // The consumer sees it suspended, with the reason.
  const consumer4 = await newPage(browser, platform.url);
  try {
    const page = consumer4.page;
    await login(page, 'consumer');
    await page.goto('/sharing/grants');
    const row = page.getByTestId('grants-consumer').locator(`tr[data-row-key="${entitlementId}"]`);
    await row.getByTestId('entitlement-state').getByText('已暂停').waitFor();
    await row.getByText('发现超范围调用，暂停核查').waitFor();
  } finally {
    await consumer4.context.close();
  }
});

test('a person sees who used records about them; an account without an ID number is told why there is nothing', async () => {
  const api = platform.client();
  await api.login('public', DEMO_PASSWORD);
  const uses = await api.get('/api/gateway/my-uses');
  assert.equal(uses.status, 200, uses.text);
  const person = await newPage(browser, platform.url);
  try {
    const page = person.page;
    await login(page, 'public');
    await page.getByTestId('menu-myDataUses').click();
    const table = page.getByTestId('my-data-uses');
    if (uses.body.items.length) await table.getByText(uses.body.items[0].org.nameZh).first().waitFor();
    else await table.getByText('暂无使用记录').waitFor();
  } finally {
    await person.context.close();
  }
  const company = await newPage(browser, platform.url);
  try {
    await login(company.page, 'company');
    await company.page.goto('/my-data-uses');
    await company.page.getByText('您的账号没有登记证件号码，无法查询使用记录。').waitFor();
  } finally {
    await company.context.close();
  }
});

test('a consumer clerk registers an application, issues a key whose secret is shown once, and disables the application', async () => {
  const { context, page } = await newPage(browser, platform.url);
  try {
    await login(page, 'consumer');
    await page.getByTestId('menu-applications').click();
    await page.getByTestId('app-create').click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('应用名称').fill('社保核验系统');
    await dialog.getByLabel('说明').fill('参保登记时核验单位信息');
    await dialog.getByRole('button', { name: '新建' }).click();
    const row = page.getByTestId('applications').locator('tr', { hasText: '社保核验系统' });
    await row.getByTestId('app-key-create').click();
    const keyName = page.getByRole('dialog').getByLabel('名称');
    await keyName.fill('生产环境');
    await keyName.press('Enter');
    const secret = page.getByTestId('app-key-secret');
    const appSecret = (await secret.locator('.mono').nth(1).textContent()) ?? '';
    assert.ok(appSecret.length >= 16, appSecret);
    // A click while the secret's dialog is still animating in can be lost (failed CI once): clickUntil.
    await clickUntil(page.getByRole('button', { name: '我已保存' }), (timeout) => secret.waitFor({ state: 'detached', timeout }));
    // The key is listed under the application without its secret.
    await row.getByRole('button', { name: /展开行|Expand row/ }).click();
    await page.getByTestId('applications').getByText('生产环境').waitFor();
    assert.equal(await page.getByText(appSecret).count(), 0);
    await row.getByTestId('app-toggle').click();
    await row.getByText('已停用').waitFor();
  } finally {
    await context.close();
  }
});
