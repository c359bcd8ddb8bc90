// The public export of an open dataset is prepared at publication (issue 7 performance: the first anonymous
// download must not wait for the masked export): when a new version of an unconditionally open dataset is
// published, a job writes the CSV an anonymous visitor gets into the export cache; the download is then that
// very file, masked as the public reads it.
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { resourceIdByName, startTestPlatform, type TestClient, type TestPlatform } from '../../../test/helpers.ts';
import { SYSTEM } from '../identity/actor.ts';
import { DEMO_PASSWORD } from '../identity/service.ts';

let p: TestPlatform;
let admin: TestClient;

before(async () => {
  p = await startTestPlatform({ preparePublicExports: true });
  admin = p.client();
  await admin.login('admin', DEMO_PASSWORD);
});
after(async () => p?.close());

async function csvFiles(dir: string): Promise<string[]> {
  try {
    return (await fs.readdir(dir)).filter((f) => f.endsWith('.csv'));
  } catch {
    return [];
  }
}

test('publishing a version of an open dataset prepares the public CSV; the anonymous download is that file, masked', async () => {
  const resourceId = await resourceIdByName(admin, '养老机构信息');
  const datasetId = (await p.ctx.datasets.currentOfResources([resourceId])).get(resourceId)!.dataset_id as string;
  const dir = p.ctx.datasets.exports.dir;

  // A new version (the provider's own, unmasked rows re-ingested in reverse order: another file than version 1,
  // whose public export — prepared at start-up, in the background — is made sure of first, so that the one new
  // file below is this version's whenever that background job ran).
  const owner = await admin.get(`/api/datasets/${datasetId}/download?format=csv`);
  assert.equal(owner.status, 200, owner.text);
  const [head, ...rows] = owner.text.trimEnd().split('\n');
  const file = path.join(p.ctx.datasets.scratchDir, 'public-export-fixture.csv');
  await fs.mkdir(path.dirname(file), { recursive: true });
  await fs.writeFile(file, [head, ...rows.reverse()].join('\n') + '\n');
  const current = (await p.ctx.datasets.repo.byId(p.ctx.db, datasetId))!.current_version!;
  assert.equal((await p.ctx.datasets.preparePublicExport(datasetId, current)).prepared, true);
  const before = new Set(await csvFiles(dir));
  const ingest = await p.ctx.datasets.ingestLocalFile(SYSTEM, datasetId, file, 'fixture.csv', { confirm: (x) => x });
  assert.equal(ingest.status, 'published', JSON.stringify(ingest.error));

  // The job writes the public export without anyone asking for it. (The demo datasets published at start-up get
  // theirs too, in the background: the new file of this dataset is the one with its header.)
  const header = owner.text.split('\n')[0]!;
  const ours = async () => {
    const out: string[] = [];
    for (const f of (await csvFiles(dir)).filter((x) => !before.has(x)))
      if ((await fs.readFile(path.join(dir, f), 'utf8')).startsWith(`${header}\n`)) out.push(f);
    return out;
  };
  const deadline = Date.now() + 120_000;
  let prepared: string[] = [];
  while (!prepared.length) {
    prepared = await ours();
    if (Date.now() > deadline) throw new Error('the public export was not prepared');
    if (!prepared.length) await new Promise((r) => setTimeout(r, 200));
  }
  assert.equal(prepared.length, 1);
  const onDisk = await fs.readFile(path.join(dir, prepared[0]!), 'utf8');
  const mtime = (await fs.stat(path.join(dir, prepared[0]!))).mtimeMs;

  const anon = await p.client().get(`/api/datasets/${datasetId}/download?format=csv`);
  assert.equal(anon.status, 200, anon.text);
  assert.equal(anon.text, onDisk, 'the anonymous download is the prepared file');
  assert.equal((await fs.stat(path.join(dir, prepared[0]!))).mtimeMs, mtime, 'served from the cache, not written again');
  assert.match(anon.text, /\d{3}\*{4}\d{4}/, 'phone numbers masked for the public');
  assert.ok(!anon.text.includes(owner.text.match(/1[3-9]\d{9}/)![0]), 'no clear phone number');
  assert.deepEqual(await ours(), prepared, 'no second export of this version');
});
