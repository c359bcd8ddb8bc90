// The demo datasets on a freshly seeded platform (real PostgreSQL, DuckDB, files): four published resources of
// four departments have current versions with the generated rows, through the real ingest and its ledger entries;
// other departments read them masked; the enterprise registry has two versions whose diff shows the changes; a
// second seed run changes nothing.
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { startTestPlatform, TestClient, type TestPlatform } from '../../../test/helpers.ts';
import { seedDemo } from '../../seed.ts';
import { seedCatalogDemo } from '../catalog/seed.ts';
import type { Actor } from '../identity/actor.ts';
import { SYSTEM } from '../identity/actor.ts';
import { DEMO_PASSWORD } from '../identity/service.ts';
import { isValid } from '../privacy/recognizers.ts';
import { decide } from '../entitlements/pdp.ts';
import { preview, type ReadSource } from './read.ts';
import type { TableSchema } from './schema-infer.ts';
import { DEMO_DATASETS, seedDatasetsDemo } from './seed.ts';

let p: TestPlatform;
let admin: TestClient;
let consumer: TestClient;
let publicUser: TestClient;
/** Dataset id and resource fields by resource name. */
const demo = new Map<string, { id: string; resourceId: string; fields: { code: string; nameZh: string; piiKind: string }[] }>();

async function signIn(username: string): Promise<TestClient> {
  const c = p.client();
  await c.login(username, DEMO_PASSWORD);
  return c;
}

function dataset(nameZh: string) {
  const d = demo.get(nameZh);
  assert.ok(d, `the demo dataset of ${nameZh}`);
  return d;
}

/** Rows, versions, ingests and ledger entries of the data plane: what a seed run could add. */
async function footprint() {
  const { rows } = await sql<{ datasets: number; versions: number; ingests: number; ledger: number }>`
    select (select count(*) from datasets)::int as datasets, (select count(*) from dataset_versions)::int as versions,
      (select count(*) from dataset_ingests)::int as ingests,
      (select count(*) from ledger_entries where action like 'dataset.%')::int as ledger`.execute(p.ctx.db);
  return rows[0]!;
}

before(async () => {
  p = await startTestPlatform();
  admin = await signIn('admin');
  consumer = await signIn('consumer');
  publicUser = await signIn('public');
  const orgs = await p.ctx.identity.listOrgs(SYSTEM);
  for (const spec of DEMO_DATASETS) {
    const orgId = orgs.find((o) => o.code === spec.org)?.id;
    assert.ok(orgId, spec.org);
    const list = await admin.get(`/api/catalog/resources?orgId=${orgId}&status=published&pageSize=200`);
    assert.equal(list.status, 200, list.text);
    const r = list.body.items.find((x: { nameZh: string }) => x.nameZh === spec.nameZh);
    assert.ok(r, `${spec.nameZh} is a published demo resource`);
    const d = await admin.get(`/api/datasets/by-resource/${r.id}`);
    assert.equal(d.status, 200, `${spec.nameZh}: ${d.text}`);
    const full = await p.ctx.catalog.get(SYSTEM, r.id);
    demo.set(spec.nameZh, { id: d.body.id, resourceId: r.id, fields: full.fields });
  }
});
after(() => p?.close());

describe('demo datasets', () => {
  it('four departments’ resources have current versions with the generated rows, columns as catalogued', async () => {
    const orgs = new Set<string>();
    for (const spec of DEMO_DATASETS) {
      const versions = spec.versions();
      assert.deepEqual(spec.versions(), versions, `${spec.nameZh}: the same rows on every run`);
      const d = await admin.get(`/api/datasets/${dataset(spec.nameZh).id}`);
      assert.equal(d.status, 200, d.text);
      assert.equal(d.body.currentVersion, versions.length, spec.nameZh);
      assert.equal(d.body.current.rows, versions.at(-1)!.length, spec.nameZh);
      assert.ok(d.body.current.rows >= 200 && d.body.current.rows <= 2000, `${spec.nameZh}: ${d.body.current.rows} rows`);
      const history = await admin.get(`/api/datasets/${d.body.id}/versions`);
      assert.equal(history.body.items.length, versions.length);
      orgs.add(spec.org.split('-')[0]!);

      // The confirmed schema: the catalog's fields in order, its PII kinds, the key.
      const { fields } = dataset(spec.nameZh);
      const v = await p.ctx.datasets.versionFile(d.body.id);
      const schema = v.v.schema as TableSchema;
      assert.deepEqual(
        schema.fields.map((f) => [f.name, f['x-shuyuan']?.piiKind ?? 'none']),
        fields.map((f) => [f.nameZh, f.piiKind]),
      );
      const key = spec.key.map((code) => fields.find((f) => f.code === code)!.nameZh);
      assert.deepEqual(schema.primaryKey, key);

      // The provider's view (the authority reads in clear) shows the generated first row.
      const own = await admin.get(`/api/datasets/${d.body.id}/preview?limit=3`);
      assert.equal(own.status, 200, own.text);
      assert.equal(own.body.basis, 'owner');
      const first = versions.at(-1)![0]!;
      for (const f of schema.fields) {
        const cell = own.body.rows[0][f.name];
        const want = first[fields.find((x) => x.nameZh === f.name)!.code] ?? null;
        if (f.type === 'number' || f.type === 'integer') assert.equal(cell, want === null ? null : Number(want), f.name);
        else assert.equal(cell, want, f.name);
      }
    }
    assert.equal(orgs.size, 4, 'four departments');
  });

  it('identifiers carry valid check digits; other departments and the public read personal columns masked', async () => {
    // Every ID number and credit code in the person-level and enterprise data is valid.
    const people = dataset('社会保险参保登记信息');
    const engine = await p.ctx.datasets.engine();
    const { v, file } = await p.ctx.datasets.versionFile(people.id);
    const ids = await engine.all<{ id: string }>(`select "公民身份号码" as id from read_parquet($1)`, [file]);
    assert.equal(ids.length, 2000);
    assert.ok(
      ids.every((r) => isValid('id_number', r.id)),
      'every 公民身份号码 is valid',
    );
    const firms = dataset('市场主体登记信息');
    const { v: firmVersion, file: firmFile } = await p.ctx.datasets.versionFile(firms.id);
    const codes = await engine.all<{ c: string }>(`select "统一社会信用代码" as c from read_parquet($1)`, [firmFile]);
    assert.ok(
      codes.every((r) => isValid('credit_code', r.c)),
      'every 统一社会信用代码 is valid',
    );

    // Shared unconditionally: the consumer (人社局) reads the enterprise registry with the personal columns masked.
    // It also holds the demo's sharing grant on it (src/modules/sharing/seed.ts): a grant never narrows what
    // unconditional sharing gives, so every column is still there.
    const reg = await consumer.get(`/api/datasets/${firms.id}/preview?limit=5`);
    assert.equal(reg.status, 200, reg.text);
    assert.equal(reg.body.basis, 'entitlement');
    assert.equal(reg.body.columns.length, (firmVersion.schema as TableSchema).fields.length);
    const policy = Object.fromEntries(reg.body.columns.map((c: { name: string; policy: string }) => [c.name, c.policy]));
    assert.equal(policy['法定代表人'], 'mask');
    assert.equal(policy['统一社会信用代码'], 'mask');
    assert.equal(policy['企业名称'], 'clear');
    for (const row of reg.body.rows) {
      assert.match(row['统一社会信用代码'], /^[0-9A-Z]{8}\*{8}[0-9A-Z]{2}$/);
      assert.match(row['法定代表人'], /\*/);
    }
    // Opened unconditionally: a citizen reads the care homes with the phone masked.
    const homes = await publicUser.get(`/api/datasets/${dataset('养老机构信息').id}/preview?limit=5`);
    assert.equal(homes.status, 200, homes.text);
    assert.equal(homes.body.basis, 'masked');
    for (const row of homes.body.rows) assert.match(row['联系电话'], /^1\d{2}\*{4}\d{4}$/);
    // Statistics without personal information: the public reads them in full.
    const gdp = await publicUser.get(`/api/datasets/${dataset('地区生产总值统计').id}/preview?limit=5`);
    assert.equal(gdp.status, 200, gdp.text);
    assert.ok(gdp.body.columns.every((c: { policy: string }) => c.policy === 'clear'));

    // The person-level data is shared on conditions: until the sharing issue grants entitlements, another
    // department is refused (entitlements/pdp.ts) …
    const refused = await consumer.get(`/api/datasets/${people.id}/preview`);
    assert.equal(refused.status, 403, refused.text);
    assert.equal(refused.body.error.code, 'DATASET_ENTITLEMENT_REQUIRED');
    // … and reads, once entitled, through the masked basis: ID numbers keep region and the last four characters.
    const consumerActor = { kind: 'user', userId: null, roles: ['consumer_clerk'] } as unknown as Actor;
    const schema = v.schema as TableSchema;
    const masked = await decide(
      {
        actor: consumerActor,
        action: 'query',
        resource: { id: 'r', providerOrgId: 'p', shareMode: 'unconditional', openMode: 'none' },
        columns: schema.fields.map((f) => ({ name: f.name, piiKind: f['x-shuyuan']?.piiKind })),
        isOwner: false,
        now: new Date(),
      },
      [],
      () => Promise.reject(new Error('no entitlement here')),
      { day: new Date(), month: new Date() },
    );
    const src: ReadSource = {
      parquetPath: file,
      columns: schema.fields.map((f) => ({ name: f.name, type: f.type, piiKind: (f['x-shuyuan']?.piiKind ?? null) as never })),
    };
    const rows = (await preview(engine, src, masked.policy, 50)).rows;
    assert.equal(rows.length, 50);
    rows.forEach((r, n) => {
      const clear = ids[n]!.id;
      assert.match(String(r['公民身份号码']), /^\d{6}\*{8}\d{3}[\dX]$/);
      assert.equal(r['公民身份号码'], `${clear.slice(0, 6)}********${clear.slice(14)}`);
      assert.match(String(r['姓名']), /^\p{Script=Han}.*\*/u);
    });
  });

  it('the enterprise registry has two versions: 30 enterprises added, 20 changed, none removed', async () => {
    const firms = dataset('市场主体登记信息');
    const diff = await admin.get(`/api/datasets/${firms.id}/diff?from=1&to=2`);
    assert.equal(diff.status, 200, diff.text);
    assert.deepEqual([diff.body.added, diff.body.removed, diff.body.changed], [30, 0, 20]);
    assert.deepEqual(diff.body.key, ['统一社会信用代码']);
    assert.equal(diff.body.schema.changed, false);
    const history = await admin.get(`/api/datasets/${firms.id}/versions`);
    assert.deepEqual(
      history.body.items.map((x: { version: number; rows: number }) => [x.version, x.rows]),
      [
        [2, 1030],
        [1, 1000],
      ],
    );
  });

  it('went through the real ingest: ledger entries for every dataset, schema confirmation and version', async () => {
    const { rows } = await sql<{ action: string; n: number }>`
      select action, count(*)::int as n from ledger_entries where action like 'dataset.%' group by action`.execute(p.ctx.db);
    const n = Object.fromEntries(rows.map((r) => [r.action, r.n]));
    const versions = DEMO_DATASETS.reduce((s, d) => s + d.versions().length, 0);
    assert.equal(n['dataset.create'], DEMO_DATASETS.length);
    assert.equal(n['dataset.ingest.start'], versions);
    assert.equal(n['dataset.schema.confirm'], DEMO_DATASETS.length, 'the later file of the same columns needs no confirmation');
    assert.equal(n['dataset.version.publish'], versions);
    const publish = await sql<{ details: { rows: number; version: number } }>`
      select details from ledger_entries where action = 'dataset.version.publish'`.execute(p.ctx.db);
    assert.deepEqual(
      publish.rows.map((r) => r.details.rows).sort((a, b) => a - b),
      [240, 378, 1000, 1030, 2000],
    );
    // Nothing is left in the scratch area.
    const left = await fs.readdir(path.join(p.ctx.datasets.scratchDir, 'ingests')).catch(() => []);
    assert.deepEqual(left, []);
    await assert.rejects(fs.access(path.join(p.ctx.datasets.scratchDir, 'seed')));
  });

  it('seeding again changes nothing', async () => {
    const before = await footprint();
    const again = await seedDatasetsDemo(p.ctx);
    assert.deepEqual([again.seeded, again.failed, again.versions], [[], [], 0]);
    await seedDemo(p.ctx);
    assert.deepEqual(await footprint(), before);
  });

  it('ingestLocalFile reads only files under the data plane’s scratch directory', async () => {
    const outside = path.join(await fs.mkdtemp(path.join(os.tmpdir(), 'shuyuan-seed-')), 'x.csv');
    await fs.writeFile(outside, 'a\n1\n');
    const before = await footprint();
    await assert.rejects(p.ctx.datasets.ingestLocalFile(SYSTEM, dataset('地区生产总值统计').id, outside, 'x.csv'), /not under/);
    assert.deepEqual(await footprint(), before);
    await fs.rm(path.dirname(outside), { recursive: true, force: true });
  });
});

describe('demo datasets, two seeds at once', () => {
  it('two processes starting together on one database publish each version once', async () => {
    // The demo world without its datasets, then two seeds racing (each on its own connections, as two processes).
    const q = await startTestPlatform({ demo: false }, { jobs: false });
    try {
      await q.ctx.identity.seedDemo();
      await seedCatalogDemo(q.ctx);
      const [a, b] = await Promise.all([seedDatasetsDemo(q.ctx), seedDatasetsDemo(q.ctx)]);
      assert.deepEqual([a.failed, b.failed], [[], []]);
      assert.equal(a.versions + b.versions, 5);
      assert.deepEqual([a.seeded.length, b.seeded.length].sort(), [0, 4]);
      const { rows } = await sql<{ n: number }>`select count(*)::int as n from dataset_versions`.execute(q.ctx.db);
      assert.equal(rows[0]!.n, 5);
    } finally {
      await q.close();
    }
  });
});
