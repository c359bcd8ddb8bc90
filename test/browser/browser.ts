// Shared set-up for the browser tests: Debian's Chromium driven by playwright-core (one browser per test
// file, a fresh context per test), and the steps most tests begin with.
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-dev-shm-usage',
];

import { DEMO_PASSWORD } from '../../src/modules/identity/service.ts';

export { DEMO_PASSWORD };

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS });
}

export async function newPage(
  browser: Browser,
  base: string,
  opts: { locale?: string } = {},
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({
    baseURL: base,
    locale: opts.locale ?? 'zh-CN',
    timezoneId: 'Asia/Shanghai',
    viewport: { width: 1280, height: 800 },
  });
  context.setDefaultTimeout(15_000);
  const page = await context.newPage();
  return { context, page };
}

/** Fills the login form and submits it with Enter (the keyboard path). */
export async function fillLogin(page: Page, username: string, password: string): Promise<void> {
  await page.goto('/login');
  await page.getByLabel(/^(用户名|Username)$/).fill(username);
  const pw = page.getByLabel(/^(密码|Password)$/);
  await pw.fill(password);
  await pw.press('Enter');
}

/** Logs in through the UI and waits for the side menu. */
export async function login(page: Page, username: string, password = DEMO_PASSWORD): Promise<void> {
  await fillLogin(page, username, password);
  await page.getByTestId('side-menu').waitFor();
}

/** The data-testid suffixes of the side-menu entries, e.g. ['home', 'users', …]. */
export async function menuKeys(page: Page): Promise<string[]> {
  await page.getByTestId('menu-home').waitFor();
  const ids = await page
    .getByTestId('side-menu')
    .locator('[data-testid^="menu-"]')
    .evaluateAll((els) => els.map((e) => e.getAttribute('data-testid') ?? ''));
  return ids.map((id) => id.replace(/^menu-/, '')).sort();
}
