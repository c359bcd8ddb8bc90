// Browser: a source database end to end in Chromium. A scratch PostgreSQL database on the test server (another
// database than the platform's own, which the platform would refuse) holds a table of 20 rows with Chinese
// text, a numeric and a date. The provider clerk adds a connection to it on 数据源 (the password is never shown
// again), tests it (the server version is shown), then on a published resource's data page creates a full
// import "select * from <table>", runs it, follows the ingest it starts to 待确认结构, confirms the structure and
// sees version 1 published with 20 rows; the connection, now in use, cannot be deleted. An auditor sees the
// connection read-only (no test, edit or delete).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { Browser, Locator, Page } from 'playwright-core';
import { startTestPlatform, testServerUrl, type TestPlatform } from '../helpers.ts';
import { launchBrowser, login, newPage, pickOption } from './browser.ts';
import { DEMO_PASSWORD } from '../../src/modules/identity/service.ts';

let platform: TestPlatform;
let browser: Browser;

/** Waits long enough for a job to be picked up and run on a loaded machine (no timing is asserted). */
const JOB_WAIT = 120_000;

const server = new URL(testServerUrl());
const dbName = `srcweb_${randomBytes(5).toString('hex')}`;
const TABLE = '企业登记';
const ROWS = 20;

async function onServer(database: string, fn: (c: pg.Client) => Promise<void>) {
  const url = new URL(server.toString());
  url.pathname = `/${database}`;
  const c = new pg.Client({ connectionString: url.toString() });
  await c.connect();
  try {
    await fn(c);
  } finally {
    await c.end();
  }
}

before(async () => {
  await onServer(server.pathname.slice(1) || 'postgres', (c) => c.query(`create database ${dbName}`).then(() => undefined));
  await onServer(dbName, async (c) => {
    await c.query(`create table "${TABLE}" (编号 integer primary key, 企业名称 text not null, 注册资本 numeric(14,2), 成立日期 date)`);
    const values: unknown[] = [];
    const rows: string[] = [];
    for (let i = 1; i <= ROWS; i++) {
      rows.push(`($${values.length + 1}, $${values.length + 2}, $${values.length + 3}, $${values.length + 4})`);
      values.push(i, `数源测试企业第${i}号有限公司`, (1000 + i * 12.5).toFixed(2), `2020-0${1 + (i % 9)}-1${i % 10}`);
    }
    await c.query(`insert into "${TABLE}" values ${rows.join(', ')}`, values);
  });
  [platform, browser] = await Promise.all([startTestPlatform(), launchBrowser()]);
});

after(async () => {
  await browser?.close();
  await platform?.close();
  await onServer(server.pathname.slice(1) || 'postgres', (c) =>
    c.query(`drop database if exists ${dbName} with (force)`).then(() => undefined),
  );
});

/** Status text of the newest ingest (the table lists newest first). */
function newestIngest(page: Page): Locator {
  return page.getByTestId('ingest-table').locator('tbody tr.ant-table-row').first();
}

async function waitForStatus(page: Page, statuses: string[]): Promise<string> {
  const tag = newestIngest(page).getByTestId('ingest-status');
  const re = new RegExp(`^(${statuses.join('|')})$`);
  await tag.filter({ hasText: re }).waitFor({ timeout: JOB_WAIT });
  return ((await tag.textContent()) ?? '').trim();
}

test('a provider connects a PostgreSQL database, tests it and imports a table into a dataset', async () => {
  const provider = platform.client();
  await provider.login('provider', DEMO_PASSWORD);
  const list = await provider.get('/api/catalog/resources?status=published&pageSize=200');
  assert.equal(list.status, 200);
  const me = await provider.get('/api/auth/me');
  const resource = (list.body.items as { id: string; providerOrg: { id: string } }[]).find((r) => r.providerOrg.id === me.body.org.id);
  assert.ok(resource, 'the demo catalog has a published resource of the provider');

  const connName = `登记库-${dbName}`;
  const { context, page } = await newPage(browser, platform.url);
  try {
    await login(page, 'provider');
    await page.getByTestId('menu-sources').click();
    await page.getByTestId('sources-table').waitFor();

    // Add the connection.
    await page.getByTestId('source-add').click();
    const dialog = page.getByRole('dialog');
    await dialog.locator('#sourceForm_name').fill(connName);
    await dialog.locator('#sourceForm_host').fill(server.hostname);
    await dialog.locator('#sourceForm_port').fill(server.port || '5432');
    await dialog.locator('#sourceForm_database').fill(dbName);
    await dialog.locator('#sourceForm_user').fill(decodeURIComponent(server.username || 'postgres'));
    await dialog.locator('#sourceForm_password').fill(decodeURIComponent(server.password) || 'any-password');
    await page.getByTestId('source-save').click();
    await page.getByText(`已保存连接“${connName}”`).waitFor();
    const row = page.getByTestId('sources-table').locator('tbody tr.ant-table-row', { hasText: connName });
    await row.getByText(`${server.hostname}:${server.port || '5432'}/${dbName}`).waitFor();
    await row.getByText('PostgreSQL').waitFor();

    // The edit form never shows the password, and asks for it again when the account changes.
    await row.getByRole('button', { name: `编辑 ${connName}` }).click();
    assert.equal(await dialog.locator('#sourceForm_password').inputValue(), '');
    await dialog.locator('#sourceForm_user').fill('someone_else');
    await page.getByTestId('source-save').click();
    await dialog.getByText('修改主机、端口、数据库类型或用户名时必须重新输入密码').first().waitFor();
    await dialog.getByRole('button', { name: '取消' }).click();
    await dialog.waitFor({ state: 'hidden' });

    // Test: the server version and the latency.
    await page.getByTestId(`source-test-${connName}`).click();
    const result = page.getByTestId('source-test-result');
    await result.getByText(/连接成功：PostgreSQL \d+/).waitFor();
    assert.match((await result.textContent()) ?? '', /耗时 \d+ 毫秒/);

    // The resource's data page: enable the dataset when it has none yet, then the import from the database.
    await page.goto(`/catalog/resources/${resource.id}/data`);
    await page.getByTestId('dataset-title').waitFor();
    const enable = page.getByTestId('dataset-enable');
    if (await enable.isVisible()) {
      await enable.click();
      await page.getByText('已启用数据集').waitFor();
    }
    await page.getByRole('tab', { name: '导入' }).click();
    const specs = page.getByTestId('source-specs');
    await specs.getByText('从数据库导入').waitFor();
    await page.getByTestId('spec-add').click();
    const specDialog = page.getByRole('dialog');
    await specDialog.locator('#specForm_connectionId').click();
    await pickOption(page, connName);
    await specDialog.locator('#specForm_query').fill(`select * from "${TABLE}" order by 编号`);
    await page.getByTestId('spec-save').click();
    // The spec's row (durable) rather than the save toast (gone after 3 s; missed once on a loaded machine).
    await specDialog.waitFor({ state: 'hidden' });
    const specRow = page.getByTestId('specs-table').locator('tbody tr.ant-table-row').first();
    await specRow.getByText(connName).waitFor();
    await specRow.getByText('全量').waitFor();
    await specRow.getByText('手动运行').waitFor();

    // Run now: the ingest it starts appears in the ingest list and is followed there.
    await specRow.getByTestId('spec-run').click();
    await specRow.getByTestId('spec-last-run').getByText('已启动导入').waitFor({ timeout: JOB_WAIT });
    await newestIngest(page).getByText('源数据库').waitFor({ timeout: JOB_WAIT });
    assert.equal(await waitForStatus(page, ['待确认结构', '已发布', '失败']), '待确认结构');
    await newestIngest(page).getByText(`已读取 ${ROWS} 行`).waitFor();

    await newestIngest(page).getByTestId('ingest-review').click();
    const review = page.getByTestId('schema-review');
    await review.waitFor();
    await page.getByTestId('schema-confirm').click();
    await page.getByText('结构已确认，正在生成版本').waitFor();
    await page.getByRole('tab', { name: '导入' }).click();
    assert.equal(await waitForStatus(page, ['已发布', '失败']), '已发布');
    await page
      .getByTestId('dataset-version-tag')
      .getByText(/版本 \d+/)
      .waitFor();
    await page.getByRole('tab', { name: '概览' }).click();
    await page.getByTestId('overview-rows').getByText(String(ROWS), { exact: true }).waitFor();

    // The connection feeds an import now: deleting it is refused with the server's reason.
    await page.getByTestId('menu-sources').click();
    const inUse = page.getByTestId('sources-table').locator('tbody tr.ant-table-row', { hasText: connName });
    await inUse.getByRole('button', { name: `删除 ${connName}` }).click();
    await page.locator('.ant-popconfirm').getByRole('button', { name: '删除' }).click();
    await page.getByText('该连接仍被 1 个数据接入任务使用，请先删除这些任务').waitFor();
    await inUse.waitFor();
  } finally {
    await context.close();
  }

  // The server holds the rows of the source table.
  const ds = await provider.get(`/api/datasets/by-resource/${resource.id}`);
  assert.equal(ds.status, 200);
  assert.equal(ds.body.current.rows, ROWS);
  const names = (ds.body.current.schema.fields as { name: string }[]).map((f) => f.name);
  for (const column of ['编号', '企业名称', '注册资本', '成立日期']) assert.ok(names.includes(column), `column ${column} published`);

  // An auditor reads the connection list without the means to change it.
  const auditor = await newPage(browser, platform.url);
  try {
    await login(auditor.page, 'auditor');
    await auditor.page.goto('/sources');
    await auditor.page.getByTestId('sources-table').getByText(connName).waitFor();
    assert.equal(await auditor.page.getByTestId('source-add').count(), 0);
    assert.equal(await auditor.page.getByRole('button', { name: `编辑 ${connName}` }).count(), 0);
    assert.equal(await auditor.page.getByTestId(`source-test-${connName}`).count(), 0, 'testing connects: a manage action');
    await auditor.page.getByText('只读', { exact: true }).waitFor();
  } finally {
    await auditor.context.close();
  }
});
