// `npm test`: typecheck, lint (eslint + prettier --check, as `npm run lint`), build the web app when needed, make sure a PostgreSQL is there (TEST_DATABASE_URL,
// or an embedded server started for this run), then every test file under node's test runner.
// Each test file creates its own fresh database on that server (test/helpers.ts).
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startEmbeddedPostgres } from '../src/db/embedded.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const only = args.filter((a) => !a.startsWith('--'));
const skipTypecheck = args.includes('--no-typecheck');

function step(name: string, cmd: string, cmdArgs: string[]) {
  const t = Date.now();
  process.stdout.write(`▶ ${name}\n`);
  const r = spawnSync(cmd, cmdArgs, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) {
    process.stdout.write(`✖ ${name} failed\n`);
    process.exit(r.status ?? 1);
  }
  process.stdout.write(`✔ ${name} (${((Date.now() - t) / 1000).toFixed(1)} s)\n`);
}

function findTests(dir: string, out: string[] = []): string[] {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory() && e.name !== 'node_modules') findTests(p, out);
    else if (e.isFile() && e.name.endsWith('.test.ts')) out.push(path.relative(root, p));
  }
  return out;
}

if (!skipTypecheck) {
  const tsc = path.join(root, 'node_modules/typescript/bin/tsc');
  step('typecheck server (tsc --noEmit)', process.execPath, [tsc, '--noEmit', '-p', 'tsconfig.json']);
  step('typecheck web (tsc --noEmit)', process.execPath, [tsc, '--noEmit', '-p', 'web/tsconfig.json']);
  // The lint too (about 20 s): a formatting slip otherwise reaches main unnoticed.
  step('lint (eslint .)', process.execPath, [path.join(root, 'node_modules/eslint/bin/eslint.js'), '.']);
  step('format (prettier --check .)', process.execPath, [
    path.join(root, 'node_modules/prettier/bin/prettier.cjs'),
    '--check',
    '--log-level',
    'warn',
    '.',
  ]);
}
step('build web app', process.execPath, [path.join(root, 'scripts/build-web.mjs')]);

let files = [...findTests(path.join(root, 'src')), ...findTests(path.join(root, 'test'))].sort();
if (only.length) files = files.filter((f) => only.some((o) => f.includes(o)));
if (!files.length) {
  console.error('no test files matched');
  process.exit(1);
}

let stopPg: (() => Promise<void>) | null = null;
let tmp: string | null = null;
if (!process.env.TEST_DATABASE_URL) {
  tmp = await fsp.mkdtemp(path.join(os.tmpdir(), 'shuyuan-testpg-'));
  await fsp.chmod(tmp, 0o755);
  process.stdout.write('▶ starting an embedded PostgreSQL for the tests\n');
  const pg = await startEmbeddedPostgres({ dataDir: tmp, preferredPort: 0, log: () => undefined });
  process.env.TEST_DATABASE_URL = pg.adminUrl;
  stopPg = () => pg.stop();
}

// --test-force-exit: a file whose tests have all finished ends even if a stray handle would keep it alive
// (once in CI a finished file sat until the 5-minute timeout). Leaks in the platform's own stop are caught
// by the tests that stop a real `shuyuan start` process (test/embedded.test.ts) instead.
const concurrency = process.env.TEST_CONCURRENCY ?? String(Math.max(1, Math.min(os.cpus().length, 2)));
const child = spawn(
  process.execPath,
  [
    '--import',
    'tsx',
    '--test',
    `--test-concurrency=${concurrency}`,
    '--test-timeout=300000',
    '--test-force-exit',
    '--test-reporter=spec',
    ...files,
  ],
  {
    cwd: root,
    stdio: 'inherit',
    env: process.env,
  },
);
const code: number = await new Promise((resolve) => child.on('close', (c) => resolve(c ?? 1)));
if (stopPg) await stopPg();
if (tmp) await fsp.rm(tmp, { recursive: true, force: true });
process.exit(code);
