// Test helpers: a fresh database per test file on a real PostgreSQL (TEST_DATABASE_URL, or the embedded
// server that scripts/test.ts starts), a running platform on a free port, and an HTTP client that keeps
// cookies and the CSRF token like a browser does.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { loadConfig, type Config } from '../src/config.ts';
import { createLogger } from '../src/log.ts';
import { migrate } from '../src/db/migrate.ts';
import { signRequest } from '../src/modules/identity/apikeys.ts';
import { startPlatform, type Platform } from '../src/server.ts';

export function testServerUrl(): string {
  const url = process.env.TEST_DATABASE_URL;
  if (!url) throw new Error('TEST_DATABASE_URL is not set: run the tests with `npm test` (it starts a PostgreSQL when none is given)');
  return url;
}

export interface TestDatabase {
  url: string;
  name: string;
  drop(): Promise<void>;
}

/** Creates an empty database on the test server; `migrated` (default true) applies the migrations. */
export async function createTestDatabase(migrated = true): Promise<TestDatabase> {
  const server = new URL(testServerUrl());
  const name = `shuyuan_t_${process.pid}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: server.toString() });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const dbUrl = new URL(server.toString());
  dbUrl.pathname = `/${name}`;
  const url = dbUrl.toString();
  if (migrated) await migrate(url);
  return {
    url,
    name,
    async drop() {
      const c = new pg.Client({ connectionString: server.toString() });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    },
  };
}

export interface TestPlatform extends Platform {
  testDb: TestDatabase;
  dataDir: string;
  client(): TestClient;
  close(): Promise<void>;
}

/** Starts a whole platform (HTTP on a free port) on a fresh database. Demo seed on unless overridden. */
export async function startTestPlatform(overrides: Partial<Config> = {}, opts: { jobs?: boolean } = {}): Promise<TestPlatform> {
  const testDb = await createTestDatabase(false);
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'shuyuan-test-'));
  const config = loadConfig(
    { SHUYUAN_LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent' },
    {
      databaseUrl: testDb.url,
      dataDir,
      port: 0,
      host: '127.0.0.1',
      rateLimit: 100000,
      anonRateLimit: 100000,
      // Tests that publish open datasets do not build their public export in the background (one test turns it on).
      preparePublicExports: false,
      appTokenRateLimit: 100000,
      ...overrides,
    },
  );
  const platform = await startPlatform(config, { log: createLogger(config.logLevel), jobs: opts.jobs });
  return {
    ...platform,
    testDb,
    dataDir,
    client: () => new TestClient(platform.url),
    async close() {
      await platform.stop();
      await testDb.drop();
      await fs.rm(dataDir, { recursive: true, force: true });
    },
  };
}

export interface TestResponse<T = any> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

/** The id of the catalog resource named `nameZh` exactly, as the search shows it to `c` (fails the test when absent). */
export async function resourceIdByName(c: TestClient, nameZh: string): Promise<string> {
  const r = await c.get(`/api/search/resources?q=${encodeURIComponent(nameZh)}&pageSize=10`);
  const hit = r.body.items.find((x: { nameZh: string }) => x.nameZh === nameZh);
  assert.ok(hit, r.text);
  return hit.id;
}

/** A signed call's answer: a TestResponse with the raw bytes too (for files and their SHA-256). */
export interface SignedResponse<T = any> extends TestResponse<T> {
  bytes: Buffer;
}

/**
 * A signed machine call (AppKey/AppSecret HMAC) to the platform at `base`, as a consumer's system makes it; `extra`
 * headers go on top of the signature's.
 */
export async function signedFetch(
  base: string,
  key: { appKey: string; appSecret: string },
  method: string,
  url: string,
  body?: unknown,
  extra: Record<string, string> = {},
): Promise<SignedResponse> {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  const headers: Record<string, string> = {
    ...signRequest({ appKey: key.appKey, appSecret: key.appSecret, method, path: url, body: payload }),
    ...extra,
  };
  if (payload !== undefined) headers['content-type'] = 'application/json';
  const r = await fetch(base + url, { method, headers, body: payload });
  const bytes = Buffer.from(await r.arrayBuffer());
  // Decoded as Response.text() does (UTF-8, a leading BOM dropped).
  const text = new TextDecoder().decode(bytes);
  return {
    status: r.status,
    headers: r.headers,
    bytes,
    text,
    body: (r.headers.get('content-type') ?? '').includes('json') && text ? JSON.parse(text) : text,
  };
}

/** A fetch-based client that behaves like a browser: keeps cookies, sends the CSRF token on unsafe methods. */
export class TestClient {
  cookies = new Map<string, string>();
  lang = 'zh-CN';
  constructor(readonly base: string) {}

  get csrf(): string | undefined {
    return this.cookies.get('sy_csrf');
  }

  async request<T = any>(method: string, url: string, body?: unknown, headers: Record<string, string> = {}): Promise<TestResponse<T>> {
    const h: Record<string, string> = { 'accept-language': this.lang, ...headers };
    if (this.cookies.size) h.cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    if (!['GET', 'HEAD', 'OPTIONS'].includes(method) && this.csrf && !('x-csrf-token' in h)) h['x-csrf-token'] = this.csrf;
    let payload: string | undefined;
    if (body !== undefined) {
      payload = typeof body === 'string' ? body : JSON.stringify(body);
      h['content-type'] ??= 'application/json';
    }
    const res = await fetch(this.base + url, { method, headers: h, body: payload, redirect: 'manual' });
    for (const c of res.headers.getSetCookie()) {
      const [pair = ''] = c.split(';');
      const i = pair.indexOf('=');
      const k = pair.slice(0, i).trim();
      const v = pair.slice(i + 1).trim();
      if (!v || /max-age=0|expires=thu, 01 jan 1970/i.test(c)) this.cookies.delete(k);
      else this.cookies.set(k, v);
    }
    const text = await res.text();
    let parsed: unknown = text;
    if ((res.headers.get('content-type') ?? '').includes('json') && text) parsed = JSON.parse(text);
    return { status: res.status, headers: res.headers, body: parsed as T, text };
  }

  get<T = any>(url: string, headers?: Record<string, string>) {
    return this.request<T>('GET', url, undefined, headers);
  }
  post<T = any>(url: string, body?: unknown, headers?: Record<string, string>) {
    return this.request<T>('POST', url, body ?? {}, headers);
  }
  put<T = any>(url: string, body?: unknown, headers?: Record<string, string>) {
    return this.request<T>('PUT', url, body ?? {}, headers);
  }
  patch<T = any>(url: string, body?: unknown, headers?: Record<string, string>) {
    return this.request<T>('PATCH', url, body ?? {}, headers);
  }
  delete<T = any>(url: string, headers?: Record<string, string>) {
    return this.request<T>('DELETE', url, undefined, headers);
  }

  /** Logs in with a password; throws unless it succeeds. */
  async login(username: string, password: string): Promise<TestResponse> {
    const res = await this.post('/api/auth/login', { username, password });
    if (res.status !== 200) throw new Error(`login ${username} failed: ${res.status} ${res.text}`);
    return res;
  }
}

// ---- Running the real CLI (`node bin/shuyuan.js …`) as a child process: the embedded-default tests and
// bench/start.ts boot the platform exactly as `npm start` does.

export const REPO_ROOT = path.resolve(decodeURIComponent(new URL('..', import.meta.url).pathname));

export interface CliProcess {
  child: import('node:child_process').ChildProcess;
  /** Everything the process wrote so far (stdout + stderr), for assertions and failure messages. */
  output(): string;
  /** Resolves with the URL printed in the start banner ("… is running at http://…"). */
  url: Promise<string>;
  /** Resolves when the process has exited. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** A fresh empty data directory that the unprivileged PostgreSQL OS user can traverse (root runs PG as shuyuan-pg). */
export async function makeDataDir(prefix = 'shuyuan-data-'): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), prefix));
  await fs.chmod(dir, 0o755);
  return dir;
}

/**
 * Spawns `node bin/shuyuan.js <args>` with a clean environment: no DATABASE_URL and no SHUYUAN_* from the
 * caller, only what `env` sets (SHUYUAN_PORT defaults to 0 = a free port, SHUYUAN_PG_PORT to 0).
 */
export async function spawnCli(args: string[], env: Record<string, string> = {}): Promise<CliProcess> {
  const { spawn } = await import('node:child_process');
  const base: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v === undefined || k === 'DATABASE_URL' || k.startsWith('SHUYUAN_')) continue;
    base[k] = v;
  }
  const child = spawn(process.execPath, [path.join(REPO_ROOT, 'bin/shuyuan.js'), ...args], {
    cwd: REPO_ROOT,
    env: { ...base, SHUYUAN_PORT: '0', SHUYUAN_PG_PORT: '0', SHUYUAN_LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let onUrl: ((u: string) => void) | null = null;
  let onFail: ((e: Error) => void) | null = null;
  const url = new Promise<string>((resolve, reject) => {
    onUrl = resolve;
    onFail = reject;
  });
  url.catch(() => undefined); // callers that never await the URL must not see an unhandled rejection
  const scan = (d: Buffer) => {
    out += d.toString();
    const m = /is running at (http:\/\/[^\s]+)/.exec(out);
    if (m && onUrl) {
      onUrl(m[1]!);
      onUrl = null;
    }
  };
  child.stdout!.on('data', scan);
  child.stderr!.on('data', scan);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('exit', (code, signal) => {
      onFail?.(new Error(`shuyuan ${args.join(' ')} exited (code ${code}, signal ${signal}) before serving:\n${out}`));
      resolve({ code, signal });
    });
  });
  return { child, output: () => out, url, exited };
}

/** Polls GET <url>/readyz until it answers 200 (or the timeout passes). */
export async function waitForReady(url: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    try {
      const res = await fetch(`${url}/readyz`);
      if (res.status === 200) return;
      last = `${res.status} ${await res.text()}`;
    } catch (e) {
      last = String(e);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${url}/readyz not green after ${timeoutMs} ms: ${last}`);
}

/** True while a process with this pid exists. */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Waits until the process is gone (or the timeout passes); returns whether it is gone. */
export async function waitForPidGone(pid: number, timeoutMs = 30_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (pidAlive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  return !pidAlive(pid);
}

/** Uploads bytes through the resumable upload API (tus 1.0: create, then one PATCH) and returns the upload id. */
export async function tusUpload(c: TestClient, fileName: string, bytes: Buffer | string, fileType = 'text/csv'): Promise<string> {
  const body = typeof bytes === 'string' ? Buffer.from(bytes) : bytes;
  const b64 = (s: string) => Buffer.from(s).toString('base64');
  const headers: Record<string, string> = { 'tus-resumable': '1.0.0' };
  if (c.cookies.size) headers.cookie = [...c.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  if (c.csrf) headers['x-csrf-token'] = c.csrf;
  const created = await fetch(c.base + '/api/uploads', {
    method: 'POST',
    headers: { ...headers, 'upload-length': String(body.length), 'upload-metadata': `filename ${b64(fileName)},filetype ${b64(fileType)}` },
  });
  if (created.status !== 201) throw new Error(`upload create: ${created.status} ${await created.text()}`);
  const url = created.headers.get('location')!;
  const patched = await fetch(c.base + url, {
    method: 'PATCH',
    headers: { ...headers, 'upload-offset': '0', 'content-type': 'application/offset+octet-stream' },
    body: new Uint8Array(body),
  });
  if (patched.status !== 204) throw new Error(`upload patch: ${patched.status} ${await patched.text()}`);
  return url.split('/').pop()!;
}
