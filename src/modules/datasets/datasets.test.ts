// The data plane end to end through the HTTP API on a real PostgreSQL and DuckDB: upload (tus), ingest job,
// schema confirmation, atomic publish, versions, diff, rollback, reads masked by role, downloads with Range,
// bad input that leaves no version, an interrupted ingest, and the ledger entries.
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import iconv from 'iconv-lite';
import pg from 'pg';
import { startTestPlatform, TestClient, tusUpload, type TestPlatform } from '../../../test/helpers.ts';
import { SYSTEM } from '../identity/actor.ts';
import { DEMO_PASSWORD } from '../identity/service.ts';
import { createRng, idNumber, mobile, personName } from '../privacy/synthetic.ts';

let p: TestPlatform;
let provider: TestClient;
let consumer: TestClient;
let publicUser: TestClient;
let resourceId: string;
let datasetId: string;
let openMode: string;

async function signIn(username: string): Promise<TestClient> {
  const c = p.client();
  await c.login(username, DEMO_PASSWORD);
  return c;
}

/** Polls an ingest until it leaves the running states. */
async function settle(c: TestClient, ingestId: string, until: string[] = ['awaiting_schema', 'published', 'failed', 'cancelled']) {
  for (let i = 0; i < 600; i++) {
    const r = await c.get(`/api/ingests/${ingestId}`);
    assert.equal(r.status, 200, r.text);
    if (until.includes(r.body.status)) return r.body;
    await new Promise((res) => setTimeout(res, 100));
  }
  throw new Error(`ingest ${ingestId} did not settle`);
}

function peopleCsv(rows: number, seed: number, extra = ''): string {
  const rng = createRng(seed);
  const lines = ['编号,姓名,身份证号,手机号,登记日期,金额'];
  for (let i = 1; i <= rows; i++) {
    lines.push(
      `${String(i).padStart(6, '0')},${personName(rng)},${idNumber(rng)},${mobile(rng)},2024年1月${(i % 28) + 1}日,${(i * 13.5).toFixed(2)}`,
    );
  }
  return lines.join('\n') + '\n' + extra;
}

async function ingest(c: TestClient, fileName: string, bytes: Buffer | string, options: Record<string, unknown> = {}) {
  const uploadId = await tusUpload(c, fileName, bytes);
  const r = await c.post(`/api/datasets/${datasetId}/ingests`, { uploadId, options });
  assert.equal(r.status, 202, r.text);
  return settle(c, r.body.id);
}

before(async () => {
  p = await startTestPlatform();
  provider = await signIn('provider');
  consumer = await signIn('consumer');
  publicUser = await signIn('public');
  const me = await provider.get('/api/auth/me');
  const list = await provider.get(`/api/catalog/resources?orgId=${me.body.org.id}&status=published&pageSize=50`);
  assert.equal(list.status, 200, list.text);
  // A resource shared unconditionally, so another department reads it masked.
  const pick = list.body.items.find((r: { shareMode: string }) => r.shareMode === 'unconditional');
  assert.ok(pick, 'the demo world has a published, unconditionally shared resource of the provider');
  resourceId = pick.id;
  openMode = pick.openMode;
});
after(() => p.close());

describe('datasets', () => {
  it('only the provider org creates the dataset; the consumer gets 403', async () => {
    const denied = await consumer.post('/api/datasets', { resourceId });
    assert.equal(denied.status, 403, denied.text);
    const r = await provider.post('/api/datasets', { resourceId });
    assert.equal(r.status, 200, r.text);
    datasetId = r.body.id;
    assert.equal(r.body.canManage, true);
    assert.equal(r.body.currentVersion, null);
    const again = await provider.post('/api/datasets', { resourceId });
    assert.equal(again.body.id, datasetId, 'idempotent');
  });

  it('a GBK CSV is detected, its schema proposed (ID numbers stay strings, Chinese dates recognized, PII found), confirmed and published', async () => {
    const gbk = iconv.encode(peopleCsv(200, 1), 'gbk');
    const i = await ingest(provider, '人员名单.csv', gbk);
    assert.equal(i.status, 'awaiting_schema', JSON.stringify(i.error));
    assert.equal(i.progress.encoding, 'gb18030');
    assert.equal(i.progress.rowsRead, 200);
    const fields = Object.fromEntries(i.proposedSchema.fields.map((f: { name: string }) => [f.name, f]));
    assert.equal(fields['编号'].type, 'string', 'leading zeros keep a code a string');
    assert.equal(fields['身份证号'].type, 'string');
    assert.equal(fields['登记日期'].type, 'date');
    assert.equal(fields['金额'].type, 'number');
    assert.equal(i.pii['身份证号'][0].kind, 'id_number');
    assert.equal(i.pii['手机号'][0].kind, 'phone');
    // The consumer cannot see or confirm it.
    assert.equal((await consumer.get(`/api/ingests/${i.id}`)).status, 404);
    // The provider keeps the registration date as text (an override of the inferred type): later files with the
    // same columns must still publish without asking again.
    const schema = {
      ...i.proposedSchema,
      primaryKey: ['编号'],
      fields: i.proposedSchema.fields.map((f: { name: string }) =>
        f.name === '登记日期' ? { ...f, type: 'string', format: undefined } : f,
      ),
    };
    const c = await provider.post(`/api/ingests/${i.id}/confirm`, { schema });
    assert.equal(c.status, 200, c.text);
    const done = await settle(provider, i.id, ['published', 'failed']);
    assert.equal(done.status, 'published', JSON.stringify(done.error));
    assert.equal(done.version, 1);
    const d = await provider.get(`/api/datasets/${datasetId}`);
    assert.equal(d.body.currentVersion, 1);
    assert.equal(d.body.current.rows, 200);
    assert.match(d.body.current.sha256, /^[0-9a-f]{64}$/);
    assert.equal(typeof d.body.current.qualityScore, 'number');
  });

  it('reads: the provider sees clear values, another department masked ones, the public is refused for shared-only data', async () => {
    const own = await provider.get(`/api/datasets/${datasetId}/preview?limit=5`);
    assert.equal(own.status, 200, own.text);
    assert.equal(own.body.basis, 'owner');
    assert.match(own.body.rows[0]['身份证号'], /^\d{17}[\dX]$/);
    const other = await consumer.get(`/api/datasets/${datasetId}/preview?limit=5`);
    assert.equal(other.status, 200, other.text);
    assert.equal(other.body.basis, 'masked');
    assert.match(other.body.rows[0]['身份证号'], /^\d{6}\*{8}\d{3}[\dX]$/);
    assert.match(other.body.rows[0]['手机号'], /^1\d{2}\*{4}\d{4}$/);
    assert.equal(other.body.columns.find((c: { name: string }) => c.name === '身份证号').policy, 'mask');
    // Filtering on a masked column would leak it.
    const leak = await consumer.post(`/api/datasets/${datasetId}/query`, {
      filter: [{ column: '身份证号', op: 'starts_with', value: '11' }],
    });
    assert.equal(leak.status, 400, leak.text);
    assert.equal(leak.body.error.code, 'QUERY_INVALID');
    const q = await provider.post(`/api/datasets/${datasetId}/query`, {
      filter: [{ column: '金额', op: 'ge', value: 2000 }],
      sort: [{ column: '金额', dir: 'desc' }],
      limit: 10,
      total: true,
    });
    assert.equal(q.status, 200, q.text);
    assert.equal(q.body.total, 200 - 148);
    assert.equal(q.body.rows[0]['金额'], 2700);
    // A citizen reads it only when it is also opened unconditionally (then masked), else refused.
    const pub = await publicUser.get(`/api/datasets/${datasetId}/preview`);
    if (openMode === 'unconditional') assert.equal(pub.body.basis, 'masked', pub.text);
    else assert.ok([403, 404].includes(pub.status), pub.text);
  });

  it('downloads: CSV with BOM for Excel, byte ranges resume the same file, and every read is in the ledger', async () => {
    const cookie = [...consumer.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    const full = await fetch(`${p.url}/api/datasets/${datasetId}/download?format=csv-bom`, { headers: { cookie } });
    assert.equal(full.status, 200);
    assert.match(full.headers.get('content-disposition') ?? '', /filename\*=UTF-8''/);
    const bytes = Buffer.from(await full.arrayBuffer());
    assert.deepEqual([...bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'BOM for Excel');
    const text = bytes.toString('utf8');
    assert.ok(text.startsWith('\uFEFF编号,姓名'), text.slice(0, 40));
    assert.match(text, /\d{6}\*{8}\d{3}[\dX]/, 'masked in the download too');
    // The first download started the export and got its bytes while DuckDB wrote them (length unknown: chunked);
    // the next ones are the cached file — the same bytes — with a length, and resume from it.
    assert.equal(full.headers.get('content-length'), null);
    assert.equal(full.headers.get('transfer-encoding'), 'chunked');
    const again = await fetch(`${p.url}/api/datasets/${datasetId}/download?format=csv-bom`, { headers: { cookie } });
    assert.equal(again.headers.get('content-length'), String(bytes.length));
    assert.ok(Buffer.from(await again.arrayBuffer()).equals(bytes), 'the cached file is the streamed body, byte for byte');
    const part = await fetch(`${p.url}/api/datasets/${datasetId}/download?format=csv-bom`, { headers: { range: 'bytes=10-29', cookie } });
    assert.equal(part.status, 206);
    assert.deepEqual(Buffer.from(await part.arrayBuffer()), bytes.subarray(10, 30));
    const ledger = await p.ctx.db
      .selectFrom('ledger_entries' as never)
      .select(['action' as never, 'details' as never])
      .where('action' as never, '=', 'dataset.read' as never)
      .execute();
    const kinds = (ledger as { details: { kind: string; basis: string } }[]).map((e) => `${e.details.kind}:${e.details.basis}`);
    for (const k of ['preview:owner', 'preview:masked', 'query:owner', 'download:masked'])
      assert.ok(kinds.includes(k), `${k} in ${kinds.join()}`);
  });

  it('a download whose ledger entry cannot be written is an error with no data (the export still goes into the cache)', async () => {
    // The platform's own role may not create functions: the test database's owner adds the refusal.
    const admin = new pg.Client({ connectionString: p.testDb.url });
    await admin.connect();
    await admin.query(`create function refuse_read_test() returns trigger language plpgsql as $$
      begin raise exception 'ledger refused (test)'; end $$`);
    await admin.query(`create trigger refuse_read before insert on ledger_entries for each row
      when (new.action = 'dataset.read') execute function refuse_read_test()`);
    try {
      const r = await provider.get(`/api/datasets/${datasetId}/download?format=csv`);
      assert.equal(r.status, 500, r.text);
      assert.doesNotMatch(r.text, /编号/, 'no row in the answer');
      const q = await provider.post(`/api/datasets/${datasetId}/query`, { limit: 5 });
      assert.equal(q.status, 500, q.text);
      assert.doesNotMatch(q.text, /编号/);
    } finally {
      await admin.query('drop trigger refuse_read on ledger_entries');
      await admin.query('drop function refuse_read_test()');
      await admin.end();
    }
    const ok = await provider.get(`/api/datasets/${datasetId}/download?format=csv`);
    assert.equal(ok.status, 200);
    assert.equal(ok.headers.get('content-length'), String(Buffer.byteLength(ok.text)), 'served from the cached export');
    assert.match(ok.text, /编号/);
  });

  it('bad input fails the ingest with the line and leaves the current version alone', async () => {
    const ragged = peopleCsv(20, 2) + '000999,多一列,1,2,3,4,5\n';
    const i = await ingest(provider, 'ragged.csv', ragged);
    assert.equal(i.status, 'failed');
    assert.equal(i.error.code, 'CSV_RAGGED_ROW');
    assert.equal(i.error.params.line, 22);
    assert.match(i.error.message, /22/, "the message names the line, in the caller's language");
    const empty = await ingest(provider, 'empty.csv', '');
    assert.equal(empty.status, 'failed');
    assert.equal(empty.error.code, 'FILE_EMPTY');
    const d = await provider.get(`/api/datasets/${datasetId}`);
    assert.equal(d.body.currentVersion, 1);
  });

  it('a second file with the same structure publishes without asking; diff by key and rollback', async () => {
    // Rows 1–150 kept (10 of them changed), 151–200 removed, 30 added.
    const rng = createRng(1);
    const lines = peopleCsv(200, 1).trim().split('\n');
    const kept = lines.slice(0, 151).map((l, idx) => (idx >= 1 && idx <= 10 ? l.replace(/,[\d.]+$/, ',1.00') : l));
    void rng;
    const added = peopleCsv(230, 7).trim().split('\n').slice(201);
    const i = await ingest(provider, '人员名单2.csv', iconv.encode([...kept, ...added].join('\n') + '\n', 'gbk'));
    assert.equal(i.status, 'published', JSON.stringify(i.error));
    assert.equal(i.version, 2);
    const diff = await provider.get(`/api/datasets/${datasetId}/diff?from=1&to=2`);
    assert.equal(diff.status, 200, diff.text);
    assert.deepEqual([diff.body.added, diff.body.removed, diff.body.changed], [30, 50, 10]);
    assert.deepEqual(diff.body.key, ['编号']);
    const rb = await provider.post(`/api/datasets/${datasetId}/rollback`, { version: 1, comment: '第二版金额有误，回退' });
    assert.equal(rb.status, 200, rb.text);
    assert.equal(rb.body.version, 3);
    const v = await provider.get(`/api/datasets/${datasetId}/versions`);
    assert.deepEqual(
      v.body.items.map((x: { version: number; state: string }) => `${x.version}:${x.state}`),
      ['3:published', '2:superseded', '1:superseded'],
    );
    assert.equal(v.body.items[0].sha256, v.body.items[2].sha256, 'the rollback shares the file of version 1');
    assert.equal((await consumer.post(`/api/datasets/${datasetId}/rollback`, { version: 2, comment: 'x' })).status, 403);
  });

  it('same columns, but a value no longer fits its confirmed type: the schema change is shown and waits for the provider', async () => {
    const lines = peopleCsv(50, 3).trim().split('\n');
    lines[5] = lines[5]!.replace(/,[\d.]+$/, ',待定');
    const i = await ingest(provider, '人员名单4.csv', lines.join('\n') + '\n');
    assert.equal(i.status, 'awaiting_schema', JSON.stringify(i.error));
    assert.deepEqual(
      i.schemaDiff.retyped.find((r: { name: string }) => r.name === '金额'),
      { name: '金额', from: 'number', to: 'string' },
    );
    assert.equal(i.proposedSchema.fields.find((f: { name: string }) => f.name === '金额').type, 'string');
    assert.equal((await provider.get(`/api/datasets/${datasetId}`)).body.currentVersion, 3, 'nothing published');
  });

  it('an ingest left running by a dead process fails cleanly at the next start', async () => {
    const r = await p.ctx.datasets.repo.createIngest(p.ctx.db, {
      datasetId,
      source: { kind: 'upload', uploadId: 'gone' },
      options: {},
      userId: null,
    });
    await p.ctx.datasets.repo.updateIngest(p.ctx.db, r.id, { status: 'building' });
    // What a process killed while writing a first upload's speculative file leaves (speculate.ts).
    const scratch = path.join(p.ctx.datasets.scratchDir, 'ingests', r.id);
    await fs.mkdir(scratch, { recursive: true });
    await fs.writeFile(path.join(scratch, '.speculative.parquet.speculative-0123456789ab'), 'PAR1 partial');
    await p.ctx.db
      .updateTable('dataset_ingests' as never)
      .set({ heartbeat_at: new Date(Date.now() - 600_000) } as never)
      .where('id' as never, '=', r.id as never)
      .execute();
    assert.equal(await p.ctx.datasets.recoverInterrupted(), 1);
    const after = await provider.get(`/api/ingests/${r.id}`);
    assert.equal(after.body.status, 'failed');
    assert.equal(after.body.error.code, 'INGEST_INTERRUPTED');
    await assert.rejects(fs.stat(scratch), 'its scratch files (a partial speculative file) are removed');
    assert.equal((await provider.get(`/api/datasets/${datasetId}`)).body.currentVersion, 3);
  });

  it('a repeat UTF-8 upload with the confirmed columns is typed straight from the file (no staging, no inference)', async () => {
    // Columns in another order: matched by name. 金额 of row 3 is an integer: still a number.
    const lines = peopleCsv(40, 5).trim().split('\n');
    const reorder = (l: string) => {
      const c = l.split(',');
      return [c[5], c[0], c[1], c[2], c[3], c[4]].join(',');
    };
    const body =
      lines
        .map(reorder)
        .join('\n')
        .replace(/,(\d+)\.00(?=,)/, ',$1') + '\n';
    const i = await ingest(provider, '人员名单5.csv', body);
    assert.equal(i.status, 'published', JSON.stringify(i.error));
    assert.equal(i.progress.direct, true);
    assert.equal(i.progress.rowsRead, 40);
    assert.ok(!('infer' in i.progress.timings) && !('stage' in i.progress.timings), JSON.stringify(i.progress.timings));
    assert.equal(i.pii['身份证号'][0].kind, 'id_number', 'PII found on the built version');
    const rows = await provider.get(`/api/datasets/${datasetId}/preview?limit=2`);
    assert.equal(rows.body.rows[0]['编号'], '000001', 'a code keeps its leading zeros');
    assert.equal(rows.body.rows[1]['金额'], 27);
    // A line the reader refuses in such a file: staged after all, and the error names the line.
    const ragged = await ingest(provider, 'ragged2.csv', peopleCsv(5, 6) + '000009,多,1\n');
    assert.equal(ragged.status, 'failed');
    assert.equal(ragged.error.code, 'CSV_RAGGED_ROW');
    assert.equal(ragged.error.params.line, 7);
  });

  it('a new structure asks again, and a 是/否 column confirms as boolean', async () => {
    const i = await ingest(provider, '名单3.csv', '编号,姓名,是否有效\n000001,张三,是\n000002,李四,否\n');
    assert.equal(i.status, 'awaiting_schema', JSON.stringify(i.error));
    assert.ok(i.schemaDiff.added.includes('是否有效') && i.schemaDiff.removed.includes('身份证号'), JSON.stringify(i.schemaDiff));
    const flag = i.proposedSchema.fields.find((f: { name: string }) => f.name === '是否有效');
    assert.equal(flag.type, 'boolean');
    const c = await provider.post(`/api/ingests/${i.id}/confirm`, { schema: i.proposedSchema });
    assert.equal(c.status, 200, c.text);
    const done = await settle(provider, i.id, ['published', 'failed']);
    assert.equal(done.status, 'published', JSON.stringify(done.error));
    const rows = await provider.get(`/api/datasets/${datasetId}/preview`);
    assert.deepEqual(
      rows.body.rows.map((r: Record<string, unknown>) => r['是否有效']),
      [true, false],
    );
    assert.equal(done.progress.direct, true, 'a UTF-8 CSV is profiled and built in place');
    assert.ok(!('stage' in done.progress.timings), JSON.stringify(done.progress.timings));
  });

  it('in place: a value that does not fit the type the provider confirms fails with its row and column, as staged', async () => {
    const csv = '编号,数量,备注\n000001,5,甲\n000002,6,乙\n000003,七,丙\n';
    const i = await ingest(provider, '名单6.csv', csv);
    assert.equal(i.status, 'awaiting_schema', JSON.stringify(i.error));
    assert.equal(i.progress.direct, true);
    assert.equal(i.progress.rowsRead, 3);
    assert.equal(i.proposedSchema.fields.find((f: { name: string }) => f.name === '数量').type, 'string');
    // The provider insists on integers: the in-place build meets 七, the upload is staged and the row named.
    const schema = structuredClone(i.proposedSchema);
    schema.fields.find((f: { name: string }) => f.name === '数量').type = 'integer';
    const c = await provider.post(`/api/ingests/${i.id}/confirm`, { schema });
    assert.equal(c.status, 200, c.text);
    const done = await settle(provider, i.id, ['published', 'failed']);
    assert.equal(done.status, 'failed');
    assert.equal(done.error.code, 'ROWS_INVALID');
    assert.deepEqual(
      done.badRows.map((b: { row: number; column: string; reason: string }) => [b.row, b.column, b.reason]),
      [[4, '数量', 'VALUE_NOT_INTEGER']],
    );
    // A line the reader refuses in a first file: staged, and the error names the line (at the proposal already).
    const ragged = await ingest(provider, '名单7.csv', '甲,乙\n1,2\n3\n');
    assert.equal(ragged.status, 'failed');
    assert.equal(ragged.error.code, 'CSV_RAGGED_ROW');
    assert.equal(ragged.error.params.line, 3);
  });

  /** A first file of a new structure whose first rows predict every type (speculate.ts). */
  const speculable = (tag: string, rows = 1500) =>
    `序号,${tag}名称,日期,金额\n` +
    Array.from(
      { length: rows },
      (_, k) => `${k + 1},单位${k % 17},2024-01-${String((k % 28) + 1).padStart(2, '0')},${(k * 2.5).toFixed(2)}`,
    ).join('\n') +
    '\n';
  const ingestDir = (id: string) => path.join(p.ctx.datasets.scratchDir, 'ingests', id);

  it('a first upload read once: confirmed as proposed, the speculative typed file is the version; nothing left', async () => {
    const i = await ingest(provider, '名单8.csv', speculable('甲'));
    assert.equal(i.status, 'awaiting_schema', JSON.stringify(i.error));
    assert.equal(i.progress.direct, true);
    assert.equal(i.progress.speculative.rows, 1500);
    assert.ok('infer' in i.progress.timings && 'build' in i.progress.timings, JSON.stringify(i.progress.timings));
    assert.deepEqual(
      i.proposedSchema.fields.map((f: { type: string }) => f.type),
      ['integer', 'string', 'date', 'number'],
    );
    assert.equal(
      (await fs.stat(path.join(ingestDir(i.id), 'speculative.parquet'))).size,
      i.progress.speculative.bytes,
      'kept while the provider decides',
    );
    // Titles and the key do not change the file: it is published as it is, without reading the upload again
    // (gone here: an upload left for 7 days is deleted).
    await fs.rm((await p.ctx.uploads.resolve(SYSTEM, i.source.uploadId)).path);
    const schema = structuredClone(i.proposedSchema);
    schema.fields[1].title = '单位名称';
    schema.primaryKey = ['序号'];
    assert.equal((await provider.post(`/api/ingests/${i.id}/confirm`, { schema })).status, 200);
    const done = await settle(provider, i.id, ['published', 'failed']);
    assert.equal(done.status, 'published', JSON.stringify(done.error));
    const d = await provider.get(`/api/datasets/${datasetId}`);
    assert.equal(d.body.current.rows, 1500);
    assert.equal(d.body.current.bytes, i.progress.speculative.bytes);
    const rows = await provider.get(`/api/datasets/${datasetId}/preview?limit=2`);
    assert.deepEqual(rows.body.rows[1], { 序号: 2, 甲名称: '单位1', 日期: '2024-01-02', 金额: 2.5 });
    await assert.rejects(fs.stat(ingestDir(i.id)), 'no scratch file left');
  });

  it('a first upload confirmed with an edit is built again from the upload; a cancelled one leaves nothing', async () => {
    const i = await ingest(provider, '名单9.csv', speculable('乙'));
    assert.equal(i.status, 'awaiting_schema', JSON.stringify(i.error));
    assert.ok(i.progress.speculative);
    const schema = structuredClone(i.proposedSchema);
    schema.fields[2] = { ...schema.fields[2], type: 'string', format: undefined };
    assert.equal((await provider.post(`/api/ingests/${i.id}/confirm`, { schema })).status, 200);
    const done = await settle(provider, i.id, ['published', 'failed']);
    assert.equal(done.status, 'published', JSON.stringify(done.error));
    const rows = await provider.get(`/api/datasets/${datasetId}/preview?limit=1`);
    assert.deepEqual(rows.body.rows[0], { 序号: 1, 乙名称: '单位0', 日期: '2024-01-01', 金额: 0 });
    assert.equal(rows.body.columns.find((c: { name: string }) => c.name === '日期').type, 'string');
    await assert.rejects(fs.stat(ingestDir(i.id)), 'no scratch file left');

    const c = await ingest(provider, '名单10.csv', speculable('丙'));
    assert.ok(c.progress.speculative);
    assert.equal((await provider.post(`/api/ingests/${c.id}/cancel`, {})).status, 200);
    await assert.rejects(fs.stat(ingestDir(c.id)), 'the speculative file goes with the cancelled ingest');
  });

  it("a first upload whose later rows break the first rows' prediction: the full inference decides the proposal", async () => {
    const csv = speculable('丁').replace('\n1400,', '\n第1400,');
    const i = await ingest(provider, '名单11.csv', csv);
    assert.equal(i.status, 'awaiting_schema', JSON.stringify(i.error));
    assert.equal(i.progress.speculative, undefined);
    assert.equal(i.progress.direct, true);
    assert.deepEqual(
      i.proposedSchema.fields.map((f: { type: string }) => f.type),
      ['string', 'string', 'date', 'number'],
    );
    assert.deepEqual(await fs.readdir(ingestDir(i.id)).catch(() => []), [], 'the missed file is gone');
    assert.equal((await provider.post(`/api/ingests/${i.id}/confirm`, { schema: i.proposedSchema })).status, 200);
    const done = await settle(provider, i.id, ['published', 'failed']);
    assert.equal(done.status, 'published', JSON.stringify(done.error));
    assert.equal((await provider.get(`/api/datasets/${datasetId}`)).body.current.rows, 1500);
  });
});
