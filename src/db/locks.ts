// Cross-process mutual exclusion on one database: a session advisory lock held on one pooled connection for
// the duration of `fn` (demo seeds, which must run once even when two processes start at the same moment).
import { sql } from 'kysely';
import type { Db } from './database.ts';

export async function withSessionLock<T>(db: Db, name: string, fn: () => Promise<T>): Promise<T> {
  return db.connection().execute(async (conn) => {
    await sql`select pg_advisory_lock(hashtext(${name}))`.execute(conn);
    try {
      return await fn();
    } finally {
      await sql`select pg_advisory_unlock(hashtext(${name}))`.execute(conn);
    }
  });
}
