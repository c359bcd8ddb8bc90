// Resumable uploads over real HTTP against a running platform: the tus protocol by hand (create, chunks,
// an interrupted chunk resumed at the offset HEAD reports), the real tus-js-client, and every refusal
// (too large, deferred length, no file name, anonymous, missing CSRF token, someone else's upload).
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import * as tus from 'tus-js-client';
import { startTestPlatform, type TestClient, type TestPlatform } from '../../../test/helpers.ts';
import { AppError } from '../../errors.ts';
import type { Actor } from '../identity/actor.ts';
import { computeSignature, stringToSign } from '../identity/apikeys.ts';
import { DEMO_PASSWORD } from '../identity/service.ts';
import { OWNER_KEY, UPLOAD_ID } from './service.ts';

const MAX = 8 * 1024 * 1024;
const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');

let p: TestPlatform;
let provider: TestClient;
let consumer: TestClient;
let anon: TestClient;
let providerActor: Actor;
let consumerActor: Actor;

async function signIn(username: string): Promise<{ client: TestClient; actor: Actor }> {
  const client = p.client();
  await client.login(username, DEMO_PASSWORD);
  const me = (await client.get('/api/auth/me')).body as { id: string; username: string };
  const actor: Actor = { kind: 'user', userId: me.id, username: me.username, displayName: null, orgId: null, orgPath: [], roles: [] };
  return { client, actor };
}

interface Res {
  status: number;
  headers: Headers;
  text: string;
  json: any;
}

/** A raw tus request with the client's cookies (and its CSRF token unless `csrf: false`). */
async function tusReq(
  c: TestClient,
  method: string,
  url: string,
  headers: Record<string, string> = {},
  body?: Buffer | ReadableStream<Uint8Array>,
  opts: { csrf?: boolean; signal?: AbortSignal } = {},
): Promise<Res> {
  const h: Record<string, string> = { 'tus-resumable': '1.0.0', 'accept-language': 'en', ...headers };
  if (c.cookies.size) h.cookie = [...c.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  if (opts.csrf !== false && c.csrf && !['HEAD', 'OPTIONS', 'GET'].includes(method)) h['x-csrf-token'] = c.csrf;
  const res = await fetch(p.url + url, { method, headers: h, body, signal: opts.signal, duplex: 'half' } as RequestInit);
  const text = method === 'HEAD' ? '' : await res.text();
  let json: unknown = null;
  if ((res.headers.get('content-type') ?? '').includes('json') && text) json = JSON.parse(text);
  return { status: res.status, headers: res.headers, text, json };
}

async function create(c: TestClient, size: number, meta: Record<string, string> = { filename: '人口统计.csv', filetype: 'text/csv' }) {
  const metadata = Object.entries(meta)
    .map(([k, v]) => `${k} ${b64(v)}`)
    .join(',');
  const r = await tusReq(c, 'POST', '/api/uploads', { 'upload-length': String(size), 'upload-metadata': metadata });
  assert.equal(r.status, 201, r.text);
  const location = r.headers.get('location')!;
  assert.match(location, /^\/api\/uploads\/[0-9a-f]{32}$/);
  return { id: location.split('/').pop()!, url: location };
}

const patch = (c: TestClient, url: string, offset: number, chunk: Buffer, opts?: { csrf?: boolean }) =>
  tusReq(c, 'PATCH', url, { 'upload-offset': String(offset), 'content-type': 'application/offset+octet-stream' }, chunk, opts);

async function uploadFiles(): Promise<string[]> {
  return (await fs.readdir(path.join(p.dataDir, 'uploads'))).sort();
}

function assertError(r: Res, status: number, code: string) {
  assert.equal(r.status, status, r.text);
  assert.equal(r.json?.error?.code, code, r.text);
  assert.ok(r.json.error.message.length > 0);
}

async function rejectsWith(promise: Promise<unknown>, status: number, code: string) {
  await assert.rejects(promise, (e: unknown) => e instanceof AppError && e.status === status && e.code === code);
}

before(async () => {
  p = await startTestPlatform({ uploadMaxBytes: MAX, uploadExpiryHours: 24 });
  ({ client: provider, actor: providerActor } = await signIn('provider'));
  ({ client: consumer, actor: consumerActor } = await signIn('consumer'));
  anon = p.client();
});
after(async () => {
  await p?.close();
});

describe('tus uploads', () => {
  it('uploads in chunks, survives an interrupted chunk, resumes at the offset HEAD reports, and resolves', async () => {
    // 3 chunks, each larger than the JSON body limit (1 MiB): tus bodies are streamed, not parsed.
    const file = randomBytes(3 * 1_300_000 + 17);
    const cuts = [0, 1_300_000, 2_600_000, file.length];
    const { id, url } = await create(provider, file.length);
    assert.match(id, UPLOAD_ID);

    const r1 = await patch(provider, url, 0, file.subarray(cuts[0], cuts[1]));
    assert.equal(r1.status, 204, r1.text);
    assert.equal(r1.headers.get('upload-offset'), String(cuts[1]));
    // Sent through Fastify's reply: the platform's headers are on tus answers too.
    assert.ok(r1.headers.get('x-request-id'));
    assert.equal(r1.headers.get('tus-resumable'), '1.0.0');
    assert.equal(r1.headers.get('access-control-allow-origin'), null);

    // Not finished: the datasets module gets 409.
    await rejectsWith(p.ctx.uploads.resolve(providerActor, id), 409, 'UPLOAD_INCOMPLETE');

    // Chunk 2 is interrupted: the connection drops after part of it was sent.
    const partial = 400_000;
    const ac = new AbortController();
    const chunk2 = file.subarray(cuts[1], cuts[2]);
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new Uint8Array(chunk2.subarray(0, partial)));
        // Leave the stream open (the rest never comes), then cut the connection.
        setTimeout(() => ac.abort(), 300);
      },
    });
    await assert.rejects(
      tusReq(
        provider,
        'PATCH',
        url,
        { 'upload-offset': String(cuts[1]), 'content-type': 'application/offset+octet-stream', 'content-length': String(chunk2.length) },
        stream,
        { signal: ac.signal },
      ),
    );

    // Resume: HEAD tells how much arrived; it is at least chunk 1 and at most what was sent.
    const head = await tusReq(provider, 'HEAD', url);
    assert.equal(head.status, 200);
    assert.equal(head.headers.get('upload-length'), String(file.length));
    assert.equal(head.headers.get('cache-control'), 'no-store');
    const offset = Number(head.headers.get('upload-offset'));
    assert.ok(offset >= cuts[1]! && offset <= cuts[1]! + partial, `offset ${offset}`);
    // The bytes kept so far are exactly the file's.
    const kept = await fs.readFile(path.join(p.dataDir, 'uploads', id));
    assert.deepEqual(kept, file.subarray(0, offset));

    // A PATCH at a wrong offset is refused without changing anything.
    const wrong = await patch(provider, url, 0, file.subarray(0, 10));
    assertError(wrong, 409, 'UPLOAD_OFFSET_CONFLICT');
    assert.equal(wrong.headers.get('tus-resumable'), '1.0.0');
    assert.equal((await tusReq(provider, 'HEAD', url)).headers.get('upload-offset'), String(offset));

    const r2 = await patch(provider, url, offset, file.subarray(offset, cuts[2]));
    assert.equal(r2.status, 204, r2.text);
    assert.equal(r2.headers.get('upload-offset'), String(cuts[2]));
    const r3 = await patch(provider, url, cuts[2]!, file.subarray(cuts[2], cuts[3]));
    assert.equal(r3.status, 204, r3.text);
    assert.equal(r3.headers.get('upload-offset'), String(file.length));

    const resolved = await p.ctx.uploads.resolve(providerActor, id);
    assert.deepEqual(
      { ...resolved, path: undefined },
      { id, path: undefined, fileName: '人口统计.csv', fileType: 'text/csv', size: file.length },
    );
    assert.equal(resolved.path, path.join(p.dataDir, 'uploads', id));
    assert.deepEqual(await fs.readFile(resolved.path), file);
    // Jobs resolve as the system.
    assert.equal((await p.ctx.uploads.resolve({ ...providerActor, kind: 'system', userId: null }, id)).size, file.length);

    // A chunk beyond the declared length is refused.
    const over = await patch(provider, url, file.length, Buffer.from('x'));
    assertError(over, 413, 'UPLOAD_CHUNK_TOO_LARGE');
    // Not following the protocol: our error body too.
    assertError(
      await tusReq(provider, 'PATCH', url, { 'content-type': 'application/offset+octet-stream' }, Buffer.from('x')),
      403,
      'UPLOAD_REQUEST_INVALID',
    );

    await p.ctx.uploads.remove(id);
    await rejectsWith(p.ctx.uploads.resolve(providerActor, id), 404, 'UPLOAD_NOT_FOUND');
    assert.ok(!(await uploadFiles()).some((f) => f.startsWith(id)));
    await p.ctx.uploads.remove(id); // again: no error
  });

  it('works with tus-js-client (the web uploader): chunks, relative Location, CSRF header', async () => {
    const file = randomBytes(2_500_000);
    const progress: number[] = [];
    const uploadUrl = await new Promise<string>((resolve, reject) => {
      const up = new tus.Upload(file, {
        endpoint: `${p.url}/api/uploads`,
        chunkSize: 1024 * 1024,
        retryDelays: [],
        metadata: { filename: 'data.xlsx', filetype: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' },
        headers: {
          cookie: [...provider.cookies].map(([k, v]) => `${k}=${v}`).join('; '),
          'x-csrf-token': provider.csrf!,
        },
        onProgress: (sent) => void progress.push(sent),
        onError: reject,
        onSuccess: () => resolve(up.url!),
      });
      up.start();
    });
    const id = uploadUrl.split('/').pop()!;
    assert.ok(progress.length >= 3);
    assert.equal(progress.at(-1), file.length);
    const resolved = await p.ctx.uploads.resolve(providerActor, id);
    assert.equal(resolved.fileName, 'data.xlsx');
    assert.deepEqual(await fs.readFile(resolved.path), file);
    await p.ctx.uploads.remove(id);
  });

  it('refuses a declared size above the limit with 413 before storing anything', async () => {
    const before = await uploadFiles();
    const r = await tusReq(provider, 'POST', '/api/uploads', {
      'upload-length': String(MAX + 1),
      'upload-metadata': `filename ${b64('big.csv')}`,
    });
    assertError(r, 413, 'UPLOAD_TOO_LARGE');
    assert.equal(r.json.error.details.limit, MAX);
    assert.match(r.json.error.message, /8 MiB/);
    // Creation-with-upload: the body that follows a too-large declaration is not read either.
    const r2 = await tusReq(
      provider,
      'POST',
      '/api/uploads',
      {
        'upload-length': String(MAX * 4),
        'upload-metadata': `filename ${b64('big.csv')}`,
        'content-type': 'application/offset+octet-stream',
      },
      randomBytes(64 * 1024),
    );
    assertError(r2, 413, 'UPLOAD_TOO_LARGE');
    assert.deepEqual(await uploadFiles(), before);
    // The limit is what OPTIONS advertises (no sign-in needed for protocol discovery).
    const o = await tusReq(anon, 'OPTIONS', '/api/uploads');
    assert.equal(o.status, 204);
    assert.equal(o.headers.get('tus-max-size'), String(MAX));
    assert.equal(o.headers.get('tus-version'), '1.0.0');
    assert.ok(!(o.headers.get('tus-extension') ?? '').includes('creation-defer-length'));
  });

  it('refuses deferred length, a missing length and a missing or bad file name', async () => {
    const before = await uploadFiles();
    const meta = `filename ${b64('a.csv')}`;
    assertError(
      await tusReq(provider, 'POST', '/api/uploads', { 'upload-defer-length': '1', 'upload-metadata': meta }),
      400,
      'UPLOAD_LENGTH_REQUIRED',
    );
    assertError(await tusReq(provider, 'POST', '/api/uploads', { 'upload-metadata': meta }), 400, 'UPLOAD_LENGTH_REQUIRED');
    assertError(
      await tusReq(provider, 'POST', '/api/uploads', { 'upload-length': '-5', 'upload-metadata': meta }),
      400,
      'UPLOAD_LENGTH_REQUIRED',
    );
    assertError(await tusReq(provider, 'POST', '/api/uploads', { 'upload-length': '10' }), 400, 'UPLOAD_FILENAME_INVALID');
    assertError(
      await tusReq(provider, 'POST', '/api/uploads', { 'upload-length': '10', 'upload-metadata': `filename ${b64('a\nb.csv')}` }),
      400,
      'UPLOAD_FILENAME_INVALID',
    );
    assertError(
      await tusReq(provider, 'POST', '/api/uploads', { 'upload-length': '10', 'upload-metadata': 'filename !!notbase64' }),
      400,
      'UPLOAD_FILENAME_INVALID',
    );
    assert.deepEqual(await uploadFiles(), before);
  });

  it('requires sign-in (401) and the CSRF token on unsafe methods (403)', async () => {
    const { url } = await create(provider, 10);
    assertError(
      await tusReq(anon, 'POST', '/api/uploads', { 'upload-length': '10', 'upload-metadata': `filename ${b64('a.csv')}` }),
      401,
      'UNAUTHENTICATED',
    );
    assert.equal((await tusReq(anon, 'HEAD', url)).status, 401);
    assertError(await patch(anon, url, 0, Buffer.from('0123456789')), 401, 'UNAUTHENTICATED');
    assertError(await tusReq(anon, 'DELETE', url), 401, 'UNAUTHENTICATED');

    const before = await uploadFiles();
    assertError(
      await tusReq(provider, 'POST', '/api/uploads', { 'upload-length': '10', 'upload-metadata': `filename ${b64('a.csv')}` }, undefined, {
        csrf: false,
      }),
      403,
      'CSRF_FAILED',
    );
    assert.deepEqual(await uploadFiles(), before);
    assertError(await patch(provider, url, 0, Buffer.from('0123456789'), { csrf: false }), 403, 'CSRF_FAILED');
    assertError(await tusReq(provider, 'DELETE', url, {}, undefined, { csrf: false }), 403, 'CSRF_FAILED');
    assert.equal((await tusReq(provider, 'HEAD', url)).headers.get('upload-offset'), '0');

    // With the token: fine, and DELETE removes it.
    assert.equal((await patch(provider, url, 0, Buffer.from('0123456789'))).status, 204);
    assert.equal((await tusReq(provider, 'DELETE', url)).status, 204);
    assert.equal((await tusReq(provider, 'HEAD', url)).status, 404);
  });

  it("hides one user's upload from another (404, no IDOR), even with a forged owner in the metadata", async () => {
    // The client tries to claim the upload for someone else: the server writes the real uploader.
    const { id, url } = await create(provider, 10, { filename: 'mine.csv', [OWNER_KEY]: consumerActor.userId! });
    const state = await p.ctx.uploads.state(id);
    assert.equal(state?.owner, providerActor.userId);

    assert.equal((await tusReq(consumer, 'HEAD', url)).status, 404);
    assertError(await patch(consumer, url, 0, Buffer.from('0123456789')), 404, 'UPLOAD_NOT_FOUND');
    assertError(await tusReq(consumer, 'DELETE', url), 404, 'UPLOAD_NOT_FOUND');
    // Same answer as for an upload that does not exist at all, or a malformed id.
    assertError(await tusReq(consumer, 'DELETE', `/api/uploads/${'0'.repeat(32)}`), 404, 'UPLOAD_NOT_FOUND');
    assertError(await tusReq(consumer, 'DELETE', '/api/uploads/..%2F..%2Fetc'), 404, 'UPLOAD_NOT_FOUND');
    assert.equal((await tusReq(provider, 'HEAD', url)).headers.get('upload-offset'), '0');

    assert.equal((await patch(provider, url, 0, Buffer.from('0123456789'))).status, 204);
    await rejectsWith(p.ctx.uploads.resolve(consumerActor, id), 404, 'UPLOAD_NOT_FOUND');
    await rejectsWith(p.ctx.uploads.resolve(providerActor, 'not-an-id'), 404, 'UPLOAD_NOT_FOUND');
    assert.equal((await p.ctx.uploads.resolve(providerActor, id)).size, 10);
    await p.ctx.uploads.remove(id);
  });

  it('accepts machine clients signing with an API key (the signature covers the request, not the chunk)', async () => {
    const key = (await provider.post('/api/api-keys', { name: 'uploader' })).body as { appKey: string; appSecret: string };
    const signed = async (method: string, url: string, headers: Record<string, string>, body?: Buffer) => {
      const ts = String(Math.floor(Date.now() / 1000));
      const nonce = randomBytes(12).toString('hex');
      const signature = computeSignature(key.appSecret, stringToSign(method, url, ts, nonce, undefined));
      const res = await fetch(p.url + url, {
        method,
        headers: {
          'tus-resumable': '1.0.0',
          'x-shuyuan-appkey': key.appKey,
          'x-shuyuan-timestamp': ts,
          'x-shuyuan-nonce': nonce,
          'x-shuyuan-signature': signature,
          ...headers,
        },
        body: body ? new Uint8Array(body) : undefined,
      });
      return res;
    };
    const created = await signed('POST', '/api/uploads', { 'upload-length': '4', 'upload-metadata': `filename ${b64('m.csv')}` });
    assert.equal(created.status, 201, await created.text());
    const url = created.headers.get('location')!;
    const id = url.split('/').pop()!;
    const done = await signed(
      'PATCH',
      url,
      { 'upload-offset': '0', 'content-type': 'application/offset+octet-stream' },
      Buffer.from('a,b\n'),
    );
    assert.equal(done.status, 204, await done.text());
    // The key acts for its user: the upload is the provider's.
    assert.equal((await p.ctx.uploads.resolve(providerActor, id)).size, 4);
    // A bad signature is refused before tus sees anything.
    const forged = await fetch(p.url + '/api/uploads', {
      method: 'POST',
      headers: {
        'tus-resumable': '1.0.0',
        'x-shuyuan-appkey': key.appKey,
        'x-shuyuan-timestamp': String(Math.floor(Date.now() / 1000)),
        'x-shuyuan-nonce': randomBytes(12).toString('hex'),
        'x-shuyuan-signature': '0'.repeat(64),
        'upload-length': '4',
        'upload-metadata': `filename ${b64('m.csv')}`,
      },
    });
    assert.equal(forged.status, 401);
    await p.ctx.uploads.remove(id);
  });

  it('cleanup deletes unfinished uploads untouched past the expiry and keeps finished ones for 7 days', async () => {
    const unfinished = await create(provider, 100);
    assert.equal((await patch(provider, unfinished.url, 0, Buffer.alloc(40, 1))).status, 204);
    const finished = await create(provider, 5);
    assert.equal((await patch(provider, finished.url, 0, Buffer.from('hello'))).status, 204);

    // Nothing is old yet.
    assert.deepEqual((await p.ctx.uploads.cleanup()).removed, []);
    // 25 hours later (expiry 24 h): the unfinished one goes, the finished one stays.
    const hour = 3600_000;
    const r1 = await p.ctx.uploads.cleanup(Date.now() + 25 * hour);
    assert.deepEqual(r1.removed, [unfinished.id]);
    assert.equal((await tusReq(provider, 'HEAD', unfinished.url)).status, 404);
    assert.equal((await tusReq(provider, 'HEAD', finished.url)).status, 200);
    // 8 days later: the finished one too.
    const r2 = await p.ctx.uploads.cleanup(Date.now() + 8 * 24 * hour);
    assert.deepEqual(r2.removed, [finished.id]);
    await rejectsWith(p.ctx.uploads.resolve(providerActor, finished.id), 404, 'UPLOAD_NOT_FOUND');
    assert.ok(!(await uploadFiles()).some((f) => f.startsWith(unfinished.id) || f.startsWith(finished.id)));
  });
});
