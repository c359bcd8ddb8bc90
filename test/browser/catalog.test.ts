// Browser: the catalog flows end to end in Chromium. A provider clerk writes a resource in the step-by-step
// editor (live validation, the grade policy, a field) and submits it; the authority approves and publishes it
// from the review queue; search finds it by a Chinese word with the word highlighted, and a facet narrows the
// results; a registration certificate is found on the public lookup page without logging in.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Locator, Page } from 'playwright-core';
import { startTestPlatform, type TestPlatform } from '../helpers.ts';
import { clickUntil, launchBrowser, login, newPage } from './browser.ts';
import { DEMO_PASSWORD } from '../../src/modules/identity/service.ts';

let platform: TestPlatform;
let browser: Browser;

/** A name with a word nothing in the demo catalog uses, so search finds exactly this resource. */
const NAME = '湿地候鸟监测记录';
const WORD = '候鸟';
let resourceId = '';

before(async () => {
  [platform, browser] = await Promise.all([startTestPlatform(), launchBrowser()]);
});

after(async () => {
  await browser?.close();
  await platform?.close();
});

/** Chooses an option of a searchable antd select with the keyboard: type to filter, Enter to pick. */
async function pick(input: Locator, text: string) {
  await input.focus();
  await input.fill(text);
  await input.press('Enter');
  await input.press('Escape');
}

/** Clicks the antd radio button labelled exactly `text` (its input is visually hidden). */
async function choose(scope: Locator, text: string) {
  await scope
    .locator('label.ant-radio-button-wrapper')
    .filter({ hasText: new RegExp(`^${text}$`) })
    .click();
}

/** The error text under the editor's form item whose control has this id (antd: resourceEditor_<path>). */
function itemError(page: Page, id: string): Locator {
  return page.locator('.ant-form-item', { has: page.locator(`#resourceEditor_${id}`) }).locator('.ant-form-item-explain-error');
}

test('a provider clerk writes a resource in the step-by-step editor and submits it for review', async () => {
  const { context, page } = await newPage(browser, platform.url);
  try {
    await login(page, 'provider');
    await page.getByTestId('menu-catalog').click();
    await page.getByTestId('resource-create').click();
    const editor = page.getByTestId('resource-editor');

    // Step 1: "next" checks the required metadata before moving on.
    await page.getByTestId('editor-next').click();
    await editor.getByText('请填写资源名称（中文）').waitFor();
    await editor.getByLabel('资源名称（中文）').fill(NAME);
    await editor.getByLabel('资源名称（英文）').fill('Wetland migratory bird monitoring');
    await editor
      .getByLabel('资源摘要（中文）')
      .fill('示范市市场监督管理局配合湿地保护开展的候鸟监测记录，包括观测点、观测日期、物种和数量等信息项。');
    await pick(editor.getByLabel('资源分类'), '法人基础库');
    await pick(editor.getByLabel('主题领域'), '市场监管');
    await pick(editor.getByLabel('更新频率'), '每月');
    const keywords = editor.getByLabel('关键词');
    await keywords.fill('湿地保护');
    await keywords.press('Enter');
    await page.getByTestId('editor-next').click();

    // Step 2: the grade policy is checked as the user chooses — important data is never opened unconditionally.
    await choose(editor, '重要数据');
    await choose(editor, '无条件开放');
    await itemError(page, 'openMode')
      .getByText(/IMP-NO-FREE-OPEN/)
      .waitFor();
    await choose(editor, '一般数据');
    await itemError(page, 'openMode').waitFor({ state: 'detached' });
    await page.getByTestId('editor-next').click();

    // Step 3: a field, with its code checked as it is typed.
    await page.getByTestId('field-add').click();
    await editor.getByLabel('名称（中文） 1').fill('观测点编号');
    const code = editor.getByLabel('代码 1');
    await code.fill('1point');
    await itemError(page, 'fields_0_code').getByText('以字母开头，只含字母、数字和下划线').waitFor();
    await code.fill('point_no');
    await itemError(page, 'fields_0_code').waitFor({ state: 'detached' });
    await page.getByTestId('field-add').click();
    await editor.getByLabel('名称（中文） 2').fill('观测日期');
    await editor.getByLabel('代码 2').fill('obs_date');
    await pick(editor.getByLabel('数据类型 2'), '日期型');
    await page.getByTestId('editor-next').click();

    // Step 4: review; submitting needs a note.
    const review = page.getByTestId('editor-review');
    await review.getByText(NAME).waitFor();
    await review.getByText('观测日期', { exact: true }).waitFor();
    await page.getByTestId('editor-submit').click();
    await page.getByText('请填写提交说明').waitFor();
    await page.getByTestId('editor-comment').fill('新编目资源，请审核');
    await page.getByTestId('editor-submit').click();

    // The detail page of the new resource: submitted, with its two fields.
    await page.getByTestId('resource-title').getByText(NAME).waitFor();
    await page.getByTestId('resource-tags').getByText('待审核').waitFor();
    resourceId = /\/catalog\/resources\/([0-9a-f-]{36})$/.exec(page.url())?.[1] ?? '';
    assert.ok(resourceId, 'the browser is on the new resource page');
    await page.getByRole('tab', { name: /信息项/ }).click();
    await page.getByTestId('fields-table').getByText('point_no').waitFor();
    await page.getByRole('tab', { name: '流转记录' }).click();
    await page.getByTestId('resource-history').getByText('新编目资源，请审核').waitFor();
  } finally {
    await context.close();
  }

  // The server holds what the browser wrote.
  const admin = platform.client();
  await admin.login('admin', DEMO_PASSWORD);
  const r = await admin.get(`/api/catalog/resources/${resourceId}`);
  assert.equal(r.status, 200);
  assert.equal(r.body.status, 'submitted');
  assert.equal(r.body.openMode, 'unconditional', 'general data may be opened unconditionally');
  assert.deepEqual(
    r.body.fields.map((f: { code: string; dataType: string }) => [f.code, f.dataType]),
    [
      ['point_no', 'string'],
      ['obs_date', 'date'],
    ],
  );
  assert.match(r.body.code, /^FR-SCJG-\d{5}$/);
});

test('saving over a change someone else made meanwhile says so and reloads the latest version', async () => {
  const provider = platform.client();
  await provider.login('provider', DEMO_PASSWORD);
  const created = await provider.post('/api/catalog/resources', {
    nameZh: '并发编辑测试资源',
    abstractZh: '用于检验乐观并发控制的测试资源。',
    subjectCategory: 'FR',
    domainCategory: 'SCJG',
    updateFrequency: 'monthly',
    shareMode: 'unconditional',
    openMode: 'none',
    fields: [{ nameZh: '主体名称', code: 'entity_name', dataType: 'string' }],
  });
  assert.equal(created.status, 201, created.text);
  const { context, page } = await newPage(browser, platform.url);
  try {
    await login(page, 'provider');
    await page.goto(`/catalog/resources/${created.body.id}/edit`);
    const name = page.getByTestId('resource-editor').getByLabel('资源名称（中文）');
    await name.fill('我的修改');
    // Someone else saves first.
    const other = await provider.patch(`/api/catalog/resources/${created.body.id}`, {
      lockVersion: created.body.lockVersion,
      nameZh: '他人的修改',
    });
    assert.equal(other.status, 200, other.text);
    await page.getByTestId('editor-save').click();
    await page.getByTestId('editor-stale').getByText('他人已修改了该资源').waitFor();
    await page.getByTestId('editor-reload').click();
    await page.getByTestId('editor-stale').waitFor({ state: 'detached' });
    assert.equal(await name.inputValue(), '他人的修改');
  } finally {
    await context.close();
  }
  const after = await provider.get(`/api/catalog/resources/${created.body.id}`);
  assert.equal(after.body.nameZh, '他人的修改', 'the stale save changed nothing');
});

test('the authority approves and publishes the resource from the review queue', async () => {
  assert.ok(resourceId, 'the resource of the editor test');
  const { context, page } = await newPage(browser, platform.url);
  try {
    await login(page, 'admin');
    await page.getByTestId('menu-review').click();
    const row = page.getByTestId('review-table').locator('tbody tr', { hasText: NAME });
    await row.getByTestId('review-approved').click();
    let dialog = page.getByRole('dialog');
    // The opinion is required. (A click while the dialog is still animating in can be lost: clickUntil.)
    await clickUntil(dialog.getByTestId('review-ok'), (timeout) => dialog.getByText('请填写审核意见').waitFor({ timeout }));
    await dialog.getByLabel('审核意见').fill('元数据完整，同意');
    await dialog.getByTestId('review-ok').click();
    await dialog.waitFor({ state: 'detached' });
    await row.getByText('已审核待发布').waitFor();

    await row.getByTestId('review-published').click();
    dialog = page.getByRole('dialog');
    await dialog.getByLabel('审核意见').fill('发布至公共数据资源目录');
    await dialog.getByTestId('review-ok').click();
    await dialog.waitFor({ state: 'detached' });
    // Published resources leave the queue.
    await row.waitFor({ state: 'detached' });

    await page.goto(`/catalog/resources/${resourceId}`);
    await page.getByTestId('resource-tags').getByText('已发布').waitFor();
    await page.getByTestId('resource-tags').getByText('第 1 版').waitFor();
  } finally {
    await context.close();
  }
});

test('search finds the resource by a Chinese word and highlights it; a facet narrows the results', async () => {
  const { context, page } = await newPage(browser, platform.url);
  try {
    await login(page, 'consumer');
    await page.getByTestId('menu-catalog').click();
    const input = page.getByTestId('catalog-search-input').locator('input');
    await input.fill(WORD);
    await input.press('Enter');
    const hit = page.getByTestId('search-result').filter({ hasText: NAME });
    await hit.waitFor();
    // The matched word is marked in the name and the abstract — as a <mark> element, never as HTML text.
    assert.equal(await hit.getByTestId('result-name').locator('mark').first().textContent(), WORD);
    assert.equal(await hit.getByTestId('result-snippet').locator('mark').first().textContent(), WORD);
    assert.equal(await page.getByText('<mark>').count(), 0);
    await hit.getByTestId('result-name').click();
    await page.getByTestId('resource-title').getByText(NAME).waitFor();

    // A common word, then one provider department: fewer results, all from that department.
    await page.goto('/catalog?q=' + encodeURIComponent('企业'));
    const total = async () => Number(/(\d+)/.exec((await page.getByTestId('search-total').textContent()) ?? '')?.[1]);
    await page.getByTestId('search-result').first().waitFor();
    const before = await total();
    const facet = page.getByTestId('facet-org').getByRole('checkbox').nth(1);
    const label = ((await page.getByTestId('facet-org').locator('label').nth(1).textContent()) ?? '').replace(/\s*\(\d+\)\s*$/, '');
    await facet.click();
    await page.waitForURL(/org=/);
    await page.getByTestId('active-filters').getByText(label).waitFor();
    assert.ok(await facet.isChecked());
    await page.waitForFunction(
      (n) => Number(/(\d+)/.exec(document.querySelector('[data-testid=search-total]')?.textContent ?? '')?.[1]) < n,
      before,
    );
    const after = await total();
    assert.ok(after > 0 && after < before, `the filter narrows ${before} to ${after}`);
    const orgs = await page.getByTestId('search-result').evaluateAll((els) => els.map((e) => e.textContent ?? ''));
    assert.ok(orgs.length > 0 && orgs.every((t) => t.includes(label)), `every result is from ${label}`);
  } finally {
    await context.close();
  }
});

test('the public lookup page finds a registration certificate without logging in', async () => {
  assert.ok(resourceId, 'the published resource');
  // A registration through the API, its notice period ended by the deadline job, then approved.
  const provider = platform.client();
  await provider.login('provider', DEMO_PASSWORD);
  const admin = platform.client();
  await admin.login('admin', DEMO_PASSWORD);
  const applied = await provider.post('/api/registrations', { resourceId, comment: '申请首次登记' });
  assert.equal(applied.status, 201, applied.text);
  const id = applied.body.id as string;
  for (const to of ['accepted', 'public_notice']) {
    const r = await admin.post(`/api/registrations/${id}/transitions`, { to, comment: '同意' });
    assert.equal(r.status, 200, r.text);
  }
  const detail = await admin.get(`/api/registrations/${id}`);
  const noticeEnd = detail.body.deadlines.find((d: { kind: string; status: string }) => d.kind === 'notice_end' && d.status === 'open');
  await platform.ctx.registration.fireDeadline(noticeEnd.id);
  const approved = await admin.post(`/api/registrations/${id}/transitions`, { to: 'approved', comment: '准予登记' });
  assert.equal(approved.status, 200, approved.text);
  const cert = approved.body.certificate as { number: string; queryCode: string };
  // One of the demo world's certificates too.
  const demo = await admin.get('/api/registrations?state=approved&pageSize=20');
  const demoId = demo.body.items.find((x: { resourceId: string }) => x.resourceId !== resourceId)?.id as string | undefined;
  const demoCert = demoId ? ((await admin.get(`/api/registrations/${demoId}`)).body.certificate as { number: string } | null) : null;

  const { context, page } = await newPage(browser, platform.url);
  try {
    await page.goto('/registration/lookup');
    await page.getByTestId('lookup-input').fill(cert.number);
    await page.getByTestId('lookup-input').press('Enter');
    const result = page.getByTestId('lookup-result');
    await result.getByText(NAME).waitFor();
    await result.getByText(cert.number).waitFor();
    await result.getByText('有效', { exact: true }).waitFor();
    // By query code, typed in lower case.
    await page.getByText('查询码', { exact: true }).first().click();
    await page.getByTestId('lookup-input').fill(cert.queryCode.toLowerCase());
    await page.getByTestId('lookup-submit').click();
    await page.getByTestId('lookup-result').getByText(NAME).waitFor();
    // A wrong number is "not found", not an error page; the page never asked for a login.
    await page.getByText('登记号', { exact: true }).first().click();
    await page.getByTestId('lookup-input').fill('SF-1999-000000');
    await page.getByTestId('lookup-submit').click();
    await page.getByTestId('lookup-error').getByText('未找到').waitFor();
    if (demoCert) {
      await page.getByTestId('lookup-input').fill(demoCert.number);
      await page.getByTestId('lookup-submit').click();
      await page.getByTestId('lookup-result').getByText(demoCert.number).waitFor();
    }
    assert.match(page.url(), /\/registration\/lookup$/);
  } finally {
    await context.close();
  }
});
