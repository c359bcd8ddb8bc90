// The local object store: <dataDir>/objects/sha256/ab/<64 hex>, written to <dataDir>/objects/tmp, flushed
// to disk (fsync) and renamed into place only when whole. Objects are made read-only (0444): nothing in the
// platform ever rewrites one.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { AppError } from '../errors.ts';
import type { ObjectInfo, ObjectStore } from './objectstore.ts';
import { checkRange, keyOf, parseKey, syncDir, writeHashed } from './util.ts';

/** Temporary files older than this are leftovers of a crash and are swept on the first write. */
const STALE_TEMP_MS = 24 * 3600_000;

export class LocalObjectStore implements ObjectStore {
  readonly kind = 'local' as const;
  /** <dataDir>/objects */
  readonly root: string;
  readonly tmpDir: string;
  private swept = false;

  constructor(dataDir: string) {
    this.root = path.join(path.resolve(dataDir), 'objects');
    this.tmpDir = path.join(this.root, 'tmp');
  }

  /** Where the object with this key lives (whether or not it exists). */
  pathOf(key: string): string {
    const sha = parseKey(key);
    return path.join(this.root, 'sha256', sha.slice(0, 2), sha);
  }

  async putFile(file: string): Promise<ObjectInfo> {
    return this.putStream(fs.createReadStream(file));
  }

  async putStream(body: NodeJS.ReadableStream): Promise<ObjectInfo> {
    await fsp.mkdir(this.tmpDir, { recursive: true });
    if (!this.swept) {
      this.swept = true;
      await this.sweepTemp(STALE_TEMP_MS).catch(() => undefined);
    }
    const tmp = path.join(this.tmpDir, `${randomBytes(12).toString('hex')}.part`);
    const { sha256, size } = await writeHashed(body, tmp);
    const key = keyOf(sha256);
    const final = this.pathOf(key);
    try {
      const existing = await fsp.stat(final).catch(() => null);
      if (existing?.isFile() && existing.size === size) {
        // Same content is already stored (content addressing): nothing to do.
        await fsp.rm(tmp, { force: true });
        return { key, size, sha256 };
      }
      await fsp.chmod(tmp, 0o444);
      await fsp.mkdir(path.dirname(final), { recursive: true });
      // Atomic on one file system; a concurrent put of the same content renames identical bytes.
      await fsp.rename(tmp, final);
      await syncDir(path.dirname(final));
    } catch (e) {
      await fsp.rm(tmp, { force: true });
      throw e;
    }
    return { key, size, sha256 };
  }

  async stat(key: string): Promise<{ size: number } | null> {
    const st = await fsp.stat(this.pathOf(key)).catch((e: NodeJS.ErrnoException) => {
      if (e.code === 'ENOENT') return null;
      throw e;
    });
    return st?.isFile() ? { size: st.size } : null;
  }

  async get(key: string, range?: { start: number; end?: number }): Promise<NodeJS.ReadableStream> {
    const file = this.pathOf(key);
    const st = await this.stat(key);
    if (!st) throw new AppError(404, 'OBJECT_NOT_FOUND', { key }, { key });
    if (!range) return fs.createReadStream(file);
    const end = checkRange(key, st.size, range);
    return fs.createReadStream(file, { start: range.start, end });
  }

  async delete(key: string): Promise<void> {
    await fsp.rm(this.pathOf(key), { force: true });
  }

  async localPath(key: string): Promise<string> {
    if (!(await this.stat(key))) throw new AppError(404, 'OBJECT_NOT_FOUND', { key }, { key });
    return this.pathOf(key);
  }

  async *list(): AsyncIterable<string> {
    const base = path.join(this.root, 'sha256');
    const prefixes = await fsp.readdir(base).catch((e: NodeJS.ErrnoException) => {
      if (e.code === 'ENOENT') return [] as string[];
      throw e;
    });
    for (const prefix of prefixes.sort()) {
      if (!/^[0-9a-f]{2}$/.test(prefix)) continue;
      const names = await fsp.readdir(path.join(base, prefix)).catch(() => [] as string[]);
      for (const name of names.sort()) {
        if (/^[0-9a-f]{64}$/.test(name) && name.startsWith(prefix)) yield keyOf(name);
      }
    }
  }

  /** Removes temporary files older than maxAgeMs (left behind by a crash mid-write). Returns how many. */
  async sweepTemp(maxAgeMs: number): Promise<number> {
    const names = await fsp.readdir(this.tmpDir).catch(() => [] as string[]);
    let removed = 0;
    for (const name of names) {
      const file = path.join(this.tmpDir, name);
      const st = await fsp.stat(file).catch(() => null);
      if (st && Date.now() - st.mtimeMs > maxAgeMs) {
        await fsp.rm(file, { force: true });
        removed++;
      }
    }
    return removed;
  }
}
