// The database server a benchmark runs on: TEST_DATABASE_URL, else the local PostgreSQL at 5432 when it
// answers, else an embedded PostgreSQL started for the run. Sets TEST_DATABASE_URL for test/helpers.ts.
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { startEmbeddedPostgres } from '../src/db/embedded.ts';

export async function reachable(url: string): Promise<boolean> {
  const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await c.connect();
    await c.query('select 1');
    return true;
  } catch {
    return false;
  } finally {
    await c.end().catch(() => undefined);
  }
}

export async function benchServer(): Promise<{ url: string; stop(): Promise<void> }> {
  if (process.env.TEST_DATABASE_URL) return { url: process.env.TEST_DATABASE_URL, stop: async () => undefined };
  const local = 'postgres://postgres@127.0.0.1:5432/postgres';
  if (await reachable(local)) {
    process.env.TEST_DATABASE_URL = local;
    return { url: local, stop: async () => undefined };
  }
  const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'shuyuan-bench-pg-'));
  await fsp.chmod(dir, 0o755);
  const embedded = await startEmbeddedPostgres({ dataDir: dir, preferredPort: 0, log: () => undefined });
  process.env.TEST_DATABASE_URL = embedded.adminUrl;
  return {
    url: embedded.adminUrl,
    async stop() {
      await embedded.stop();
      await fsp.rm(dir, { recursive: true, force: true });
    },
  };
}
