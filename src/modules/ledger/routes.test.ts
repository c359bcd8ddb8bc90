// The ledger over HTTP: who may read, export and verify; filters; CSV; proofs; the verification job.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { verify as verifySig, createPublicKey } from 'node:crypto';
import { startTestPlatform, type TestPlatform } from '../../../test/helpers.ts';
import { SYSTEM } from '../identity/actor.ts';
import { leafHash, verifyConsistency, verifyInclusion } from './merkle.ts';
import { checkpointStatement } from './signing.ts';
import { csvCell } from './routes.ts';

const PW = 'Shuyuan@2024';

describe('ledger routes', () => {
  let p: TestPlatform;

  before(async () => {
    p = await startTestPlatform();
    // A few entries with awkward content for the CSV and the filters.
    await p.ctx.db.transaction().execute(async (tx) => {
      await p.ctx.ledger.append(tx, {
        actor: SYSTEM,
        action: 'test.formula',
        objectType: 'doc',
        objectId: '=HYPERLINK("http://x")',
        details: { note: '+1', 名称: '测试' },
      });
      await p.ctx.ledger.append(tx, { actor: SYSTEM, action: 'test.other', objectType: 'doc', objectId: '-2', purpose: '@sum' });
    });
  });
  after(async () => {
    await p.close();
  });

  it('publishes the checkpoint public key without login', async () => {
    const r = await p.client().get('/api/ledger/key');
    assert.equal(r.status, 200);
    assert.equal(r.body.algorithm, 'Ed25519');
    assert.match(r.body.keyId, /^[0-9a-f]{64}$/);
    assert.equal(Buffer.from(r.body.publicKeyRawBase64, 'base64').length, 32);
    assert.match(r.body.publicKeyPem, /BEGIN PUBLIC KEY/);
  });

  it('lets the admin, the auditor and the security officer read; refuses others and anonymous callers', async () => {
    assert.equal((await p.client().get('/api/ledger/entries')).status, 401);
    for (const [user, status] of [
      ['admin', 200],
      ['auditor', 200],
      ['security', 200],
      ['provider', 403],
      ['public', 403],
    ] as const) {
      const c = p.client();
      await c.login(user, PW);
      assert.equal((await c.get('/api/ledger/entries')).status, status, user);
    }
    const sec = p.client();
    await sec.login('security', PW);
    const none = await sec.get('/api/ledger/checkpoints/latest');
    assert.equal(none.status, 200);
    assert.equal(none.body, null, 'no checkpoint yet');
    assert.equal((await sec.get('/api/ledger/entries.csv')).status, 403, 'security officer may read, not export');
    assert.equal((await sec.post('/api/ledger/verify')).status, 403);
  });

  it('lists entries newest first with filters and pages, and reading is not recorded', async () => {
    const c = p.client();
    await c.login('auditor', PW);
    const all = await c.get('/api/ledger/entries?pageSize=5');
    assert.equal(all.status, 200);
    assert.equal(all.body.pageSize, 5);
    assert.ok(all.body.items.length <= 5);
    const seqs = all.body.items.map((e: { seq: number }) => e.seq);
    assert.deepEqual(
      seqs,
      [...seqs].sort((a, b) => b - a),
    );
    const again = await c.get('/api/ledger/entries?pageSize=5');
    assert.equal(again.body.total, all.body.total, 'reading adds no entry');

    const login = await c.get('/api/ledger/entries?action=auth');
    assert.ok(login.body.items.length >= 1);
    assert.ok(login.body.items.every((e: { action: string }) => e.action.startsWith('auth.')));
    const byObject = await c.get(`/api/ledger/entries?objectType=doc&objectId=${encodeURIComponent('-2')}`);
    assert.equal(byObject.body.total, 1);
    assert.equal(byObject.body.items[0].purpose, '@sum');
    const byActor = await c.get(`/api/ledger/entries?actor=${encodeURIComponent('审计')}&action=auth.login`);
    assert.ok(byActor.body.total >= 1);
    assert.ok(byActor.body.items.every((e: { actorName: string }) => e.actorName.includes('审计')));
    const today = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);
    assert.equal((await c.get(`/api/ledger/entries?from=${today}&to=${today}`)).body.total, all.body.total);
    assert.equal((await c.get('/api/ledger/entries?to=2000-01-01')).body.total, 0);
    const bad = await c.get('/api/ledger/entries?from=yesterday');
    assert.equal(bad.status, 400);
    assert.equal(bad.body.error.code, 'LEDGER_INVALID_TIME');
    const page2 = await c.get('/api/ledger/entries?pageSize=1&page=2');
    assert.equal(page2.body.items[0].seq, all.body.items[1].seq);

    const one = await c.get(`/api/ledger/entries/${seqs[0]}`);
    assert.deepEqual(one.body, all.body.items[0]);
    const missing = await c.get('/api/ledger/entries/999999');
    assert.equal(missing.status, 404);
    assert.equal(missing.body.error.code, 'LEDGER_ENTRY_NOT_FOUND');
  });

  it('exports CSV (BOM, formulas neutralized) and records the export', async () => {
    const c = p.client();
    await c.login('auditor', PW);
    const before = (await c.get('/api/ledger/entries?action=ledger.export')).body.total;
    const r = await c.get('/api/ledger/entries.csv?objectType=doc');
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type') ?? '', /text\/csv/);
    assert.match(r.headers.get('content-disposition') ?? '', /attachment; filename="ledger-/);
    const raw = Buffer.from(
      await (
        await fetch(p.url + '/api/ledger/entries.csv?objectType=doc', {
          headers: { cookie: [...c.cookies].map(([k, v]) => `${k}=${v}`).join('; ') },
        })
      ).arrayBuffer(),
    );
    assert.deepEqual([...raw.subarray(0, 3)], [0xef, 0xbb, 0xbf]);
    const lines = r.text
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\r\n');
    assert.equal(lines[0], 'seq,time,actorId,actorName,actorKind,orgId,action,objectType,objectId,purpose,details,prevHash,hash');
    assert.equal(lines.length, 3);
    assert.ok(lines[1]!.includes(`"'-2"`) && lines[1]!.includes(`"'@sum"`), lines[1]);
    assert.ok(lines[2]!.includes(`"'=HYPERLINK(""http://x"")"`), lines[2]);
    assert.ok(lines[2]!.includes('测试'));
    const after = (await c.get('/api/ledger/entries?action=ledger.export')).body;
    assert.equal(after.total, before + 2);
    assert.equal(after.items[0].actorName, '审计员');
    assert.deepEqual(after.items[0].details.filters, { objectType: 'doc' });
    assert.equal(csvCell('=1+1'), `"'=1+1"`);
    assert.equal(csvCell('\tx'), `"'\tx"`);
    assert.equal(csvCell('a"b'), `"a""b"`);
  });

  it('serves checkpoints and proofs that verify with the public key', async () => {
    const c = p.client();
    await c.login('admin', PW);
    const first = (await p.ctx.ledger.checkpoint())!;
    await c.get('/api/ledger/entries'); // not recorded
    await p.ctx.db.transaction().execute((tx) => p.ctx.ledger.append(tx, { actor: SYSTEM, action: 'test.more', objectType: 'doc' }));
    const second = (await p.ctx.ledger.checkpoint())!;
    const latest = await c.get('/api/ledger/checkpoints/latest');
    assert.equal(latest.body.treeSize, second.treeSize);
    const list = await c.get('/api/ledger/checkpoints');
    assert.ok(list.body.total >= 2);
    assert.equal(list.body.items[0].treeSize, second.treeSize);
    const key = (await c.get('/api/ledger/key')).body;
    assert.ok(
      verifySig(
        null,
        checkpointStatement(latest.body.treeSize, latest.body.rootHash, new Date(latest.body.signedAt)),
        createPublicKey(key.publicKeyPem),
        Buffer.from(latest.body.signature, 'base64'),
      ),
    );

    const proof = await c.get('/api/ledger/entries/1/proof');
    assert.equal(proof.status, 200);
    assert.equal(proof.body.treeSize, second.treeSize);
    assert.equal(proof.body.checkpoint.rootHash, second.rootHash);
    const hex = (a: string[]) => a.map((h) => Buffer.from(h, 'hex'));
    assert.ok(
      verifyInclusion(
        0,
        proof.body.treeSize,
        leafHash(Buffer.from(proof.body.entryHash, 'hex')),
        hex(proof.body.path),
        Buffer.from(second.rootHash, 'hex'),
      ),
    );
    const old = await c.get(`/api/ledger/entries/1/proof?treeSize=${first.treeSize}`);
    assert.equal(old.body.rootHash, first.rootHash);
    const cons = await c.get(`/api/ledger/consistency?from=${first.treeSize}&to=${second.treeSize}`);
    assert.equal(cons.status, 200);
    assert.ok(
      verifyConsistency(
        first.treeSize,
        second.treeSize,
        Buffer.from(first.rootHash, 'hex'),
        Buffer.from(second.rootHash, 'hex'),
        hex(cons.body.proof),
      ),
    );
    const tooBig = await c.get(`/api/ledger/entries/1/proof?treeSize=${second.treeSize + 100}`);
    assert.equal(tooBig.status, 400);
    assert.equal(tooBig.body.error.code, 'LEDGER_TREE_SIZE_INVALID');
  });

  it('runs a verification as a job and records who started it', async () => {
    const c = p.client();
    c.lang = 'en';
    await c.login('auditor', PW);
    const started = await c.post('/api/ledger/verify');
    assert.equal(started.status, 202);
    const { jobId } = started.body;
    let job;
    for (let i = 0; i < 200; i++) {
      job = await c.get(`/api/ledger/verify/${jobId}`);
      assert.equal(job.status, 200);
      if (job.body.state === 'completed' || job.body.state === 'failed') break;
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(job!.body.state, 'completed', JSON.stringify(job!.body));
    assert.equal(job!.body.result.ok, true);
    assert.ok(job!.body.result.entries > 0);
    const rec = await c.get(`/api/ledger/entries?action=ledger.verify&objectId=${jobId}`);
    assert.equal(rec.body.total, 1);
    assert.equal((await c.get('/api/ledger/verify/00000000-0000-0000-0000-000000000000')).status, 404);
  });
});
