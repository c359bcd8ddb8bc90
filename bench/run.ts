// `npm run bench -- <name>`: runs bench/<name>.ts's exported run(). Each benchmark measures our path and its
// baseline in the same run and prints the ratio (timing thresholds never live in unit tests).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const dir = path.dirname(fileURLToPath(import.meta.url));
const available = fs
  .readdirSync(dir)
  .filter((f) => f.endsWith('.ts') && f !== 'run.ts' && !f.startsWith('_'))
  .map((f) => f.slice(0, -3));
const names = process.argv.slice(2).filter((a) => !a.startsWith('-'));
if (!names.length || names.some((n) => !available.includes(n))) {
  console.error(`usage: npm run bench -- <${available.join('|')}>`);
  process.exit(1);
}
for (const name of names) {
  console.log(`\n=== bench: ${name} ===`);
  const mod = (await import(`./${name}.ts`)) as { run: () => Promise<void> };
  await mod.run();
}
process.exit(0);
