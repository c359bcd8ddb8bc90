// Browser: back-flow (数据回流) in Chromium, one platform playing both sides. On 回流授权 the authority sees this
// platform's key fingerprint, issues a grant of the demo 地区生产总值统计 to a new organization limited to one
// district (990101) through the form, and gets the signed package once in a dialog. On 回流数据 it accepts that
// package (pasted, with the fingerprint entered by hand), sets a daily pull schedule from a preset, pauses and
// resumes it, pulls now and follows the pull until the local dataset has its first version with that district's
// rows only; the pull history shows the manual pull.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import { startTestPlatform, type TestClient, type TestPlatform } from '../helpers.ts';
import { clickUntil, launchBrowser, login, newPage, pickOption } from './browser.ts';
import { DEMO_PASSWORD } from '../../src/modules/identity/service.ts';

let platform: TestPlatform;
let browser: Browser;
let api: TestClient;
let pkgText = '';

/** Waits long enough for the pull and extract jobs on a loaded machine (no timing is asserted). */
const JOB_WAIT = 120_000;
const DISTRICT = '990101';
/** Quarters 2015-Q1 … 2025-Q2 of the demo GDP table: one row per quarter and district. */
const DISTRICT_ROWS = 42;

before(async () => {
  [platform, browser] = await Promise.all([startTestPlatform(), launchBrowser()]);
  api = platform.client();
  await api.login('admin', DEMO_PASSWORD);
});

after(async () => {
  await browser?.close();
  await platform?.close();
});

test('回流授权: the authority sees the fingerprint, issues a grant through the form and gets the package once', async () => {
  const identity = (await api.get('/api/federation/identity')).body;
  const { context, page } = await newPage(browser, platform.url);
  try {
    await login(page, 'admin');
    await page.getByTestId('menu-federationGrants').click();
    await page.getByTestId('federation-key-id').getByText(identity.keyId).waitFor();
    await page.getByTestId('federation-grants-table').getByText('尚未签发回流授权').waitFor();

    await page.getByTestId('federation-issue').click();
    const dialog = page.getByRole('dialog', { name: '签发回流授权' });
    await dialog.getByLabel('数据资源').click();
    await dialog.getByLabel('数据资源').fill('地区生产总值');
    await pickOption(page, '地区生产总值统计');
    // The resource's fields are all granted by default.
    await dialog.locator('.ant-form-item', { hasText: '信息项' }).getByText('(xzqh)').first().waitFor();
    await dialog.locator('#federationIssue_peerCode').fill('QX-WEB');
    await dialog.locator('#federationIssue_peerNameZh').fill('示范区县数据局');
    await dialog.getByLabel('地区字段').click();
    await pickOption(page, '(xzqh)');
    await dialog.locator('#federationIssue_areaValues').fill(DISTRICT);
    await dialog.locator('#federationIssue_areaValues').press('Enter');
    await dialog.locator('#federationIssue_legalBasis').fill('《政务数据共享条例》：上级政务数据按需回流下级');
    await page.getByTestId('federation-issue-submit').click();

    // The package, once: signed by this platform, limited to the district, with the receiver's key.
    const shown = page.getByTestId('federation-package');
    await shown.waitFor();
    pkgText = (await shown.textContent()) ?? '';
    const pkg = JSON.parse(pkgText);
    assert.equal(pkg.format, 'shuyuan-federation-grant/1');
    assert.equal(pkg.issuer.keyId, identity.keyId);
    assert.equal(pkg.resource.nameZh, '地区生产总值统计');
    assert.deepEqual(pkg.grant.rowFilter, { field: 'xzqh', values: [DISTRICT] });
    assert.match(pkg.credentials.appKey, /^ak_/);
    assert.ok(pkg.credentials.appSecret.length > 20);
    await page.getByRole('dialog', { name: '授权包（仅显示一次）' }).getByText('关闭后无法再次查看', { exact: false }).waitFor();
    // A click while the dialog is still animating in can be lost: clickUntil.
    await clickUntil(page.getByTestId('federation-package-saved'), (timeout) => shown.waitFor({ state: 'hidden', timeout }));

    const row = page.getByTestId('federation-grants-table').locator('tbody tr.ant-table-row', { hasText: '示范区县数据局' });
    await row.getByText('地区生产总值统计').waitFor();
    await row.getByText(DISTRICT).waitFor();
    await row.getByTestId('entitlement-state').getByText('有效', { exact: true }).waitFor();
    await row.getByText(/起长期有效$/).waitFor();
    const grants = (await api.get('/api/federation/grants')).body.items;
    assert.equal(grants.length, 1);
    assert.equal(grants[0].peerOrg.code, 'QX-WEB');
    assert.equal(grants[0].state, 'active');
  } finally {
    await context.close();
  }
});

test('回流数据: the authority accepts the package, schedules, pauses and resumes, pulls now and sees the history', async () => {
  assert.ok(pkgText, 'the first test issued a package');
  const identity = (await api.get('/api/federation/identity')).body;
  const { context, page } = await newPage(browser, platform.url);
  try {
    await login(page, 'admin');
    await page.getByTestId('menu-federationLinks').click();
    await page.getByTestId('federation-links-table').getByText('尚未导入授权包').waitFor();

    await page.getByTestId('federation-accept').click();
    const dialog = page.getByRole('dialog', { name: '导入授权包' });
    await page.getByTestId('federation-accept-package').fill(pkgText);
    await page.getByTestId('federation-accept-preview').getByText('地区生产总值统计').waitFor();
    // A wrong fingerprint is refused by the server and shown on the form.
    await page.getByTestId('federation-accept-key').fill('a'.repeat(64));
    await page.getByTestId('federation-accept-submit').click();
    await dialog.getByText('授权包无效（key_mismatch）', { exact: false }).waitFor();
    await page.getByTestId('federation-accept-key').fill(identity.keyId);
    await page.getByTestId('federation-accept-submit').click();
    await dialog.waitFor({ state: 'hidden' });

    const table = page.getByTestId('federation-links-table');
    const row = table.locator('tbody tr.ant-table-row', { hasText: identity.name });
    await row.getByText('尚未拉取').waitFor();
    await row.getByTestId('link-schedule').getByText('按需拉取').waitFor();

    // A daily schedule from a preset; then paused and resumed.
    await row.getByTestId('link-schedule-edit').click();
    const sched = page.getByRole('dialog', { name: /^拉取计划：/ });
    await page.getByTestId('schedule-cron').fill('*/10 * * * *');
    await page.getByTestId('schedule-save').click();
    await sched.getByText('过于频繁', { exact: false }).waitFor();
    await page.getByTestId('schedule-preset-daily').click();
    assert.equal(await page.getByTestId('schedule-cron').inputValue(), '0 3 * * *');
    await page.getByTestId('schedule-save').click();
    await sched.waitFor({ state: 'hidden' });
    await row.getByTestId('link-schedule').getByText('0 3 * * *').waitFor();
    await row
      .getByTestId('link-schedule')
      .getByText(/^下次：/)
      .waitFor();
    await row.getByTestId('link-pause').click();
    await row.getByTestId('link-schedule').getByText('已暂停').waitFor();
    await row.getByTestId('link-resume').click();
    await row.getByTestId('link-pause').waitFor();
    await row
      .getByTestId('link-schedule')
      .getByText(/^下次：/)
      .waitFor();

    // Pull now: followed until the local dataset has version 1.
    await row.getByTestId('link-pull').click();
    await row.getByTestId('link-last-pull').getByText('已更新').waitFor({ timeout: JOB_WAIT });
    await row.getByText(`${DISTRICT_ROWS} 行`, { exact: false }).waitFor();
    await row.getByText('当前版本 v1', { exact: false }).waitFor();
    const [link] = (await api.get('/api/federation/links')).body.items;
    assert.equal(link.lastPull.status, 'ok');
    assert.equal(link.lastPull.rows, DISTRICT_ROWS);
    assert.deepEqual(link.schedule && { cron: link.schedule.cron, paused: link.schedule.paused }, { cron: '0 3 * * *', paused: false });
    const ds = (await api.get(`/api/datasets/by-resource/${link.localResourceId}`)).body;
    const rows = await api.post(`/api/datasets/${ds.id}/query`, { limit: 100, total: true });
    assert.equal(rows.body.total, DISTRICT_ROWS);
    assert.deepEqual([...new Set(rows.body.rows.map((r: Record<string, string>) => r['行政区划代码']))], [DISTRICT]);

    // The pull history of the link.
    await row.locator('.ant-table-row-expand-icon').click();
    const history = page.getByTestId('pull-history');
    const entry = history.locator('tbody tr.ant-table-row').first();
    await entry.getByText('已更新').waitFor();
    await entry.getByText('手动').waitFor();
    // The row count's own cell (exact: a time like 07:42:42 contains the digits too; that failed CI once).
    await entry.getByRole('cell', { name: String(DISTRICT_ROWS), exact: true }).waitFor();
  } finally {
    await context.close();
  }
});
