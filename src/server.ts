// Starting and stopping one platform process: database (embedded or DATABASE_URL), migrations, services,
// demo seed, HTTP server. Used by `shuyuan start`, `npm start` and the tests.
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Config } from './config.ts';
import { createContext, type AppContext, type Logger } from './context.ts';
import { openDatabase } from './db/database.ts';
import { startEmbeddedPostgres, type EmbeddedPostgres } from './db/embedded.ts';
import { migrate } from './db/migrate.ts';
import { buildApp, type App } from './http/app.ts';
import { seedDemo, type DemoSummary } from './seed.ts';

export interface Platform {
  ctx: AppContext;
  app: App;
  url: string;
  embedded: EmbeddedPostgres | null;
  demo: DemoSummary | null;
  stop(): Promise<void>;
}

export interface DatabaseHandle {
  url: string;
  embedded: EmbeddedPostgres | null;
}

/** The database URL to use: DATABASE_URL, or the embedded server of the data directory (started if needed). */
export async function resolveDatabase(config: Config, log: Logger): Promise<DatabaseHandle> {
  if (config.databaseUrl) return { url: config.databaseUrl, embedded: null };
  const embedded = await startEmbeddedPostgres({
    dataDir: config.dataDir,
    preferredPort: config.pgPort,
    log: (msg) => log.info({ component: 'postgres' }, msg),
  });
  log.info({ port: embedded.port, owned: embedded.owned }, 'embedded PostgreSQL ready');
  return { url: embedded.url, embedded };
}

export interface StartOptions {
  log: Logger;
  /** Serve HTTP (default true). */
  listen?: boolean;
  /** Run background jobs (default true). */
  jobs?: boolean;
  /** Use an already resolved database instead of DATABASE_URL/embedded. */
  database?: DatabaseHandle;
}

export async function startPlatform(config: Config, opts: StartOptions): Promise<Platform> {
  const { log } = opts;
  const t0 = Date.now();
  await fs.mkdir(path.join(config.dataDir, 'objects'), { recursive: true });
  const handle = opts.database ?? (await resolveDatabase(config, log));
  const cleanup: Array<() => Promise<void>> = [];
  try {
    if (handle.embedded) cleanup.push(() => handle.embedded!.stop());
    const { applied } = await migrate(handle.url, (m) => log.info(m));
    if (applied.length) log.info({ applied }, 'database migrated');
    const database = openDatabase(handle.url);
    cleanup.unshift(() => database.close());
    const ctx = createContext(config, database, log);
    cleanup.unshift(async () => ctx.objects.destroy?.());
    cleanup.unshift(() => ctx.datasets.close());
    await ctx.ledger.init();
    // Ingests a killed process left half-done fail cleanly (no version was published; scratch files go).
    await ctx.datasets.recoverInterrupted();
    cleanup.unshift(() => ctx.ledger.stop());
    // Stopped in every case: with jobs off, a send still boots pg-boss lazily (no workers).
    cleanup.unshift(() => ctx.jobs.stop());
    if (opts.jobs !== false) await ctx.jobs.start(ctx);
    const demo = config.demo ? await seedDemo(ctx) : null;
    const app = await buildApp(ctx);
    cleanup.unshift(() => app.close());
    let port = config.port;
    if (opts.listen !== false) {
      await app.listen({ host: config.host, port: config.port });
      const addr = app.server.address();
      if (typeof addr === 'object' && addr) port = addr.port;
    }
    const url = config.publicUrl ?? `http://${config.host === '0.0.0.0' ? '127.0.0.1' : config.host}:${port}`;
    log.info({ url, ms: Date.now() - t0 }, 'Shuyuan is ready');
    let stopped = false;
    return {
      ctx,
      app,
      url,
      embedded: handle.embedded,
      demo,
      async stop() {
        if (stopped) return;
        stopped = true;
        for (const fn of cleanup) await fn().catch((e: unknown) => log.error({ err: e }, 'error while stopping'));
      },
    };
  } catch (e) {
    for (const fn of cleanup) await fn().catch(() => undefined);
    throw e;
  }
}
