// Takes the README screenshot: the home page as the demo authority admin, 1280×800, written to
// docs/screenshot.png. Starts a throw-away platform (demo seeded) on TEST_DATABASE_URL when set, otherwise
// on an embedded PostgreSQL in a temporary directory. Run: node --import tsx scripts/screenshot.ts
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startEmbeddedPostgres } from '../src/db/embedded.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const out = path.join(root, 'docs', 'screenshot.png');

const build = spawnSync(process.execPath, [path.join(root, 'scripts/build-web.mjs')], { cwd: root, stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);

let stopPg: (() => Promise<void>) | null = null;
let tmp: string | null = null;
if (!process.env.TEST_DATABASE_URL) {
  tmp = await fsp.mkdtemp(path.join(os.tmpdir(), 'shuyuan-shotpg-'));
  await fsp.chmod(tmp, 0o755);
  const pg = await startEmbeddedPostgres({ dataDir: tmp, preferredPort: 0, log: () => undefined });
  process.env.TEST_DATABASE_URL = pg.adminUrl;
  stopPg = () => pg.stop();
}

// Imported after TEST_DATABASE_URL is settled.
const { startTestPlatform } = await import('../test/helpers.ts');
const { launchBrowser, login, newPage } = await import('../test/browser/browser.ts');

// Checkpoints every 10 entries, so the demo world already has a signed one to show.
const platform = await startTestPlatform({ ledgerCheckpointEvery: 10 });
const browser = await launchBrowser();
try {
  const { page } = await newPage(browser, platform.url);
  await login(page, 'admin');
  // Wait (a little) for the first checkpoint, which is signed in the background.
  for (let i = 0; i < 20; i++) {
    const stats = await page.evaluate(async () => (await fetch('/api/stats')).json());
    if (stats.checkpoints > 0) break;
    await page.waitForTimeout(500);
  }
  await page.reload();
  await page.getByTestId('stat-ledgerEntries').waitFor();
  await page.waitForLoadState('networkidle');
  await page.mouse.move(0, 0);
  await page.screenshot({ path: out, fullPage: false });
  console.log(`wrote ${path.relative(root, out)}`);
} finally {
  await browser.close();
  await platform.close();
  if (stopPg) await stopPg();
  if (tmp) await fsp.rm(tmp, { recursive: true, force: true });
}
