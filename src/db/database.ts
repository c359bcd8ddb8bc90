// One PostgreSQL pool and one Kysely instance per process. SQL lives in each module's repository.ts.
import pg from 'pg';
import { Kysely, PostgresDialect, type Transaction } from 'kysely';
import type { DB } from './schema.ts';

// The one rule for big numbers (DESIGN.md, stack): int8 becomes a JS number, refusing values that would lose
// precision; numeric stays a string (money and measurements are never floats).
pg.types.setTypeParser(pg.types.builtins.INT8, (v: string) => {
  const n = Number(v);
  if (!Number.isSafeInteger(n)) throw new RangeError(`int8 value ${v} exceeds the safe integer range`);
  return n;
});

/** The role the application runs as: DML on everything, but no UPDATE/DELETE/TRUNCATE on append-only tables. */
export const APP_ROLE = 'shuyuan_app';

export type Db = Kysely<DB>;
export type Tx = Transaction<DB>;
/** Anything that can run a query: the database or an open transaction. */
export type Executor = Kysely<DB> | Transaction<DB>;

export interface Database {
  db: Db;
  pool: pg.Pool;
  url: string;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  max?: number;
  /** Switch to the restricted application role on every connection (default true). */
  appRole?: boolean;
}

export function openDatabase(url: string, opts: DatabaseOptions = {}): Database {
  const pool = new pg.Pool({ connectionString: url, max: opts.max ?? 10, idleTimeoutMillis: 30_000 });
  pool.on('error', () => undefined); // idle client errors (server restart) are retried by the next checkout
  if (opts.appRole !== false) {
    // Queued before any other query of the new client (pg runs a client's queries in order).
    pool.on('connect', (client) => {
      client.query(`set role ${APP_ROLE}`).catch(() => undefined);
    });
  }
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
  return {
    db,
    pool,
    url,
    async close() {
      await db.destroy();
    },
  };
}
