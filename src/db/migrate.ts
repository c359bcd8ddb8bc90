// Numbered plain-SQL migrations (migrations/NNNN_name.sql), applied in order under an advisory lock so that
// two processes starting at once migrate once. Each file runs in its own transaction and is recorded with
// its checksum; a database migrated by a newer version of Shuyuan is refused.
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

export const MIGRATIONS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../migrations');
const LOCK_KEY = 0x5359_0001; // "SY" 1

export interface Migration {
  version: number;
  name: string;
  sql: string;
  checksum: string;
}

export class MigrationError extends Error {
  override name = 'MigrationError';
}

export async function loadMigrations(dir = MIGRATIONS_DIR): Promise<Migration[]> {
  const files = (await fs.readdir(dir)).filter((f) => f.endsWith('.sql')).sort();
  const out: Migration[] = [];
  for (const file of files) {
    const m = /^(\d{4})_([a-z0-9_]+)\.sql$/.exec(file);
    if (!m) throw new MigrationError(`migration file name must look like 0001_name.sql: ${file}`);
    const sql = await fs.readFile(path.join(dir, file), 'utf8');
    out.push({ version: Number(m[1]), name: m[2]!, sql, checksum: createHash('sha256').update(sql).digest('hex') });
  }
  out.forEach((mig, i) => {
    if (mig.version !== i + 1)
      throw new MigrationError(`migrations must be numbered 0001, 0002, … without gaps; found ${mig.version} at position ${i + 1}`);
  });
  return out;
}

export interface MigrateResult {
  applied: number[];
  current: number;
}

/** Applies pending migrations. Connects as the database owner (not the restricted application role). */
export async function migrate(url: string, log: (msg: string) => void = () => undefined): Promise<MigrateResult> {
  const migrations = await loadMigrations();
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('select pg_advisory_lock($1)', [LOCK_KEY]);
    await client.query(`create table if not exists schema_migrations (
      version integer primary key,
      name text not null,
      checksum text not null,
      applied_at timestamptz not null default now()
    )`);
    const { rows } = await client.query<{ version: number; name: string; checksum: string }>(
      'select version, name, checksum from schema_migrations order by version',
    );
    const known = migrations.length;
    const newest = rows.at(-1)?.version ?? 0;
    if (newest > known) {
      throw new MigrationError(
        `this database was migrated by a newer version of Shuyuan (schema ${newest}, this version knows ${known}); upgrade Shuyuan or restore a backup`,
      );
    }
    for (const row of rows) {
      const mig = migrations[row.version - 1];
      if (mig && mig.checksum !== row.checksum) {
        throw new MigrationError(
          `migration ${String(row.version).padStart(4, '0')}_${row.name} was edited after it was applied (checksum differs); migrations must never change once landed`,
        );
      }
    }
    const applied: number[] = [];
    for (const mig of migrations.slice(newest)) {
      await client.query('begin');
      try {
        await client.query(mig.sql);
        await client.query('insert into schema_migrations (version, name, checksum) values ($1, $2, $3)', [
          mig.version,
          mig.name,
          mig.checksum,
        ]);
        await client.query('commit');
      } catch (e) {
        await client.query('rollback');
        throw new MigrationError(`migration ${String(mig.version).padStart(4, '0')}_${mig.name} failed: ${(e as Error).message}`);
      }
      applied.push(mig.version);
      log(`applied migration ${String(mig.version).padStart(4, '0')}_${mig.name}`);
    }
    // Privileges of the application role, recomputed after every migration run (see 0001_foundation.sql).
    await client.query('select shuyuan_apply_grants()');
    return { applied, current: known };
  } finally {
    await client.query('select pg_advisory_unlock($1)', [LOCK_KEY]).catch(() => undefined);
    await client.end();
  }
}
