// The HTTP platform as a client meets it: one error body for every failure, languages, request ids,
// security headers, limits, health/readiness/metrics, and an OpenAPI document that is a true contract.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { loadConfig } from '../src/config.ts';
import { REDACT_PATHS } from '../src/log.ts';
import { startPlatform } from '../src/server.ts';
import { createTestDatabase, makeDataDir, startTestPlatform, TestClient, type TestPlatform } from './helpers.ts';

const DEMO_PASSWORD = 'Shuyuan@2024';
const STANDARD_ERRORS = ['400', '401', '403', '404', '409', '413', '429'];

function assertErrorBody(body: unknown, code: string) {
  const b = body as { error?: { code?: unknown; message?: unknown } };
  assert.ok(b && typeof b === 'object' && b.error, `expected an error body, got ${JSON.stringify(body)}`);
  assert.equal(b.error.code, code);
  assert.equal(typeof b.error.message, 'string');
  assert.ok((b.error.message as string).length > 0);
}

describe('HTTP platform', () => {
  let p: TestPlatform;
  let c: TestClient;
  before(async () => {
    p = await startTestPlatform({ bodyLimit: 2048 });
    c = p.client();
  });
  after(async () => {
    await p?.close();
  });

  test('an unknown route answers 404 with the JSON error body, in Chinese by default and English on request', async () => {
    const zh = await c.get('/api/no-such-thing?x=1');
    assert.equal(zh.status, 404);
    assert.match(zh.headers.get('content-type') ?? '', /application\/json/);
    assertErrorBody(zh.body, 'ROUTE_NOT_FOUND');
    assert.match(zh.body.error.message, /接口不存在/);
    assert.deepEqual(zh.body.error.details, undefined);

    const en = await c.get('/api/no-such-thing', { 'accept-language': 'en-US,en;q=0.9' });
    assert.equal(en.status, 404);
    assertErrorBody(en.body, 'ROUTE_NOT_FOUND');
    assert.equal(en.body.error.message, 'No such endpoint: GET /api/no-such-thing');

    // Unknown API routes stay JSON even for a browser asking for HTML (only web routes fall back to the app).
    const html = await c.get('/api/nothing-here', { accept: 'text/html' });
    assert.equal(html.status, 404);
    assertErrorBody(html.body, 'ROUTE_NOT_FOUND');
  });

  test('malformed JSON is refused with 400 MALFORMED_JSON', async () => {
    const res = await c.request('POST', '/api/auth/login', '{"username": "admin", ', { 'content-type': 'application/json' });
    assert.equal(res.status, 400);
    assertErrorBody(res.body, 'MALFORMED_JSON');
  });

  test('a body above the configured limit is refused with 413 PAYLOAD_TOO_LARGE', async () => {
    const res = await c.post('/api/auth/login', { username: 'admin', password: 'x'.repeat(4096) }, { 'accept-language': 'en' });
    assert.equal(res.status, 413);
    assertErrorBody(res.body, 'PAYLOAD_TOO_LARGE');
    assert.match(res.body.error.message, /2048/);
  });

  test('every response carries a request id; a sane one sent by the client is echoed', async () => {
    const given = await c.get('/api/meta', { 'x-request-id': 'trace-abc.123' });
    assert.equal(given.status, 200);
    assert.equal(given.headers.get('x-request-id'), 'trace-abc.123');

    const generated = await c.get('/api/meta');
    assert.match(generated.headers.get('x-request-id') ?? '', /^[0-9a-f-]{36}$/);

    // Header injection attempts are not echoed back.
    const bad = await c.get('/api/meta', { 'x-request-id': 'a b<script>' });
    assert.notEqual(bad.headers.get('x-request-id'), 'a b<script>');

    const err = await c.get('/api/nope', { 'x-request-id': 'err-req-1' });
    assert.equal(err.headers.get('x-request-id'), 'err-req-1');
  });

  test('security headers: CSP without framing, nosniff, no referrer leaks', async () => {
    for (const url of ['/api/meta', '/api/does-not-exist', '/']) {
      const res = await c.get(url);
      const csp = res.headers.get('content-security-policy') ?? '';
      assert.match(csp, /default-src 'self'/, `${url}: ${csp}`);
      assert.match(csp, /frame-ancestors 'none'/, `${url}: ${csp}`);
      assert.match(csp, /object-src 'none'/, `${url}: ${csp}`);
      assert.equal(res.headers.get('x-content-type-options'), 'nosniff', url);
      assert.ok(res.headers.get('x-frame-options'), url);
      assert.ok(res.headers.get('referrer-policy'), url);
      assert.equal(res.headers.get('x-powered-by'), null, url);
    }
  });

  test('/healthz and /readyz report the process, the database and the object store', async () => {
    const health = await c.get('/healthz');
    assert.equal(health.status, 200);
    assert.deepEqual(health.body, { status: 'ok' });

    const ready = await c.get('/readyz');
    assert.equal(ready.status, 200);
    assert.equal(ready.body.status, 'ok');
    assert.equal(ready.body.checks.database, 'ok');
    assert.equal(ready.body.checks.objectStore, 'ok');
  });

  test('/metrics is Prometheus text with request counts by route, latency, the DB pool and the job queue', async () => {
    await c.get('/api/meta');
    await c.get('/api/meta');
    await c.get('/api/definitely-missing');
    const res = await c.get('/metrics');
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /text\/plain/);
    const text = res.text;
    const metaLine = text
      .split('\n')
      .find((l) => l.startsWith('shuyuan_http_requests_total{') && l.includes('route="/api/meta"') && l.includes('status="200"'));
    assert.ok(metaLine, 'request counter for /api/meta');
    assert.ok(Number(metaLine.split(' ').at(-1)) >= 2, metaLine);
    // Unknown URLs are counted under one label, not one series per URL a scanner tries.
    assert.ok(!text.includes('/api/definitely-missing'), 'unmatched URLs must not become label values');
    assert.match(text, /^# TYPE shuyuan_http_request_duration_seconds histogram$/m);
    assert.match(text, /^shuyuan_http_request_duration_seconds_bucket\{.*route="\/api\/meta".*\} \d+$/m);
    assert.match(text, /^shuyuan_db_pool_total \d+$/m);
    assert.match(text, /^# TYPE shuyuan_job_queue_size gauge$/m);
  });

  test('GET /api/openapi.json is OpenAPI 3.1 and every operation documents every error response with the ErrorBody schema', async () => {
    const res = await c.get('/api/openapi.json');
    assert.equal(res.status, 200);
    const doc = res.body as {
      openapi: string;
      paths: Record<string, Record<string, { responses?: Record<string, { content?: Record<string, { schema?: unknown }> }> }>>;
      components?: { schemas?: Record<string, unknown> };
    };
    assert.match(doc.openapi, /^3\.1\.\d+$/);

    const resolve = (schema: unknown): unknown => {
      let s = schema as { $ref?: string } | undefined;
      for (let i = 0; i < 10 && s && typeof s.$ref === 'string'; i++) {
        const ref: string = s.$ref;
        assert.ok(ref.startsWith('#/'), `only local references expected, got ${ref}`);
        s = ref
          .slice(2)
          .split('/')
          .reduce<unknown>((o, k) => (o as Record<string, unknown> | undefined)?.[decodeURIComponent(k)], doc) as
          { $ref?: string } | undefined;
        assert.ok(s, `dangling reference ${ref}`);
      }
      return s;
    };

    const methods = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'];
    let operations = 0;
    const problems: string[] = [];
    for (const [route, item] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(item)) {
        if (!methods.includes(method)) continue;
        operations++;
        const name = `${method.toUpperCase()} ${route}`;
        const responses = op.responses ?? {};
        if (!Object.keys(responses).some((s) => /^2\d\d$/.test(s))) problems.push(`${name}: no success response documented`);
        for (const status of STANDARD_ERRORS) {
          const r = responses[status];
          if (!r) {
            problems.push(`${name}: ${status} not documented`);
            continue;
          }
          const schema = resolve(r.content?.['application/json']?.schema) as
            { properties?: { error?: { properties?: Record<string, unknown>; required?: string[] } }; required?: string[] } | undefined;
          const errorProps = schema?.properties?.error?.properties;
          if (!errorProps || !('code' in errorProps) || !('message' in errorProps) || !('details' in errorProps)) {
            problems.push(`${name}: ${status} does not resolve to ErrorBody`);
          }
        }
      }
    }
    assert.ok(operations > 0, 'the document lists operations');
    assert.deepEqual(problems, []);
    // Internal endpoints stay out of the contract.
    assert.ok(!('/healthz' in doc.paths) && !('/metrics' in doc.paths));
  });

  test('/api/docs serves the interactive API documentation', async () => {
    let res = await c.get('/api/docs');
    if (res.status >= 300 && res.status < 400) res = await c.get(new URL(res.headers.get('location')!, p.url + '/api/docs/').pathname);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /text\/html/);
    assert.match(res.text, /<html/i);
  });
});

describe('rate limits', () => {
  let p: TestPlatform;
  before(async () => {
    p = await startTestPlatform({ rateLimit: 5, demo: false });
  });
  after(async () => {
    await p?.close();
  });

  test('above the per-IP limit requests get 429 RATE_LIMITED with Retry-After; health checks are exempt', async () => {
    const c = p.client();
    c.lang = 'en';
    const statuses: number[] = [];
    let last;
    for (let i = 0; i < 7; i++) {
      last = await c.get('/api/meta');
      statuses.push(last.status);
    }
    assert.deepEqual(statuses, [200, 200, 200, 200, 200, 429, 429]);
    assert.ok(last);
    assertErrorBody(last.body, 'RATE_LIMITED');
    const retryAfter = Number(last.headers.get('retry-after'));
    assert.ok(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 60, `Retry-After: ${last.headers.get('retry-after')}`);
    assert.match(last.body.error.message, /retry in \d+ s/);

    for (const url of ['/healthz', '/readyz', '/metrics']) assert.equal((await c.get(url)).status, 200, url);
  });

  test('each API key has its own budget, apart from the IP', async () => {
    const c = p.client();
    // The IP is exhausted by the previous test; a request naming an AppKey is counted on that key.
    // (An unknown key is then refused by authentication, but not rate limited.)
    const res = await c.get('/api/meta', { 'x-shuyuan-appkey': 'ak_rate_limit_probe' });
    assert.notEqual(res.status, 429);
  });
});

describe('structured logs', () => {
  test('never contain passwords, session tokens or CSRF tokens', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, cb) {
        lines.push(chunk.toString());
        cb();
      },
    });
    const log = pino({ level: 'trace', redact: { paths: REDACT_PATHS, censor: '[redacted]' } }, sink);
    const testDb = await createTestDatabase(false);
    const dataDir = await makeDataDir('shuyuan-logs-');
    const config = loadConfig({}, { databaseUrl: testDb.url, dataDir, port: 0, host: '127.0.0.1', rateLimit: 100000 });
    const platform = await startPlatform(config, { log });
    try {
      const c = new TestClient(platform.url);
      const wrong = 'Wrong-Passw0rd!unique';
      const bad = await c.post('/api/auth/login', { username: 'admin', password: wrong });
      assert.equal(bad.status, 401);
      await c.login('admin', DEMO_PASSWORD);
      const session = [...c.cookies.entries()].find(([k]) => k !== 'sy_csrf')?.[1];
      const csrf = c.csrf;
      assert.ok(session, 'a session cookie was set');
      assert.ok(csrf, 'a CSRF cookie was set');
      assert.equal((await c.get('/api/auth/me')).status, 200);
      await c.post('/api/auth/logout');
      const all = lines.join('');
      assert.ok(all.length > 0, 'something was logged');
      for (const secret of [wrong, DEMO_PASSWORD, session, csrf]) {
        assert.ok(!all.includes(secret), `the log contains a secret (${secret.slice(0, 4)}…)`);
      }
    } finally {
      await platform.stop();
      await testDb.drop();
      await fs.rm(dataDir, { recursive: true, force: true });
    }
  });
});
