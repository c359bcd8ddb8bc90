// Helpers shared by the object store implementations: keys, ranges, hashing while writing, fsync.
import { createHash, type Hash } from 'node:crypto';
import fs from 'node:fs';
import { Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { AppError } from '../errors.ts';
import './messages.ts';

const KEY = /^sha256\/([0-9a-f]{2})\/([0-9a-f]{64})$/;

/** The key of the content with this SHA-256 (lowercase hex). */
export function keyOf(sha256: string): string {
  return `sha256/${sha256.slice(0, 2)}/${sha256}`;
}

/** The SHA-256 of a well-formed key; anything else (path tricks included) is refused. */
export function parseKey(key: string): string {
  const m = KEY.exec(key);
  if (!m || m[2]!.slice(0, 2) !== m[1]) throw new AppError(400, 'OBJECT_KEY_INVALID', { key: String(key).slice(0, 100) });
  return m[2]!;
}

/** Checks a requested range against the object size; returns the inclusive end (clamped to the last byte). */
export function checkRange(key: string, size: number, range: { start: number; end?: number }): number {
  const { start, end } = range;
  if (!Number.isSafeInteger(start) || start < 0 || (end !== undefined && (!Number.isSafeInteger(end) || end < start))) {
    throw new AppError(400, 'OBJECT_RANGE_INVALID', { start, end: end ?? '' });
  }
  if (start >= size) throw new AppError(416, 'OBJECT_RANGE_NOT_SATISFIABLE', { start, size }, { key, size });
  return Math.min(end ?? size - 1, size - 1);
}

/** A pass-through stream that hashes and counts what flows through it. */
export class HashingStream extends Transform {
  readonly hash: Hash = createHash('sha256');
  size = 0;
  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback) {
    this.hash.update(chunk);
    this.size += chunk.length;
    cb(null, chunk);
  }
  digest(): string {
    return this.hash.digest('hex');
  }
}

/**
 * Writes a stream to `tmpPath` (which must not exist) while hashing it, flushed to disk (fsync) before it
 * resolves. On any failure the partial file is removed and the error rethrown.
 */
export async function writeHashed(body: NodeJS.ReadableStream, tmpPath: string): Promise<{ sha256: string; size: number }> {
  const hasher = new HashingStream();
  try {
    await pipeline(body, hasher, fs.createWriteStream(tmpPath, { flags: 'wx', flush: true }));
  } catch (e) {
    await fs.promises.rm(tmpPath, { force: true });
    throw e;
  }
  return { sha256: hasher.digest(), size: hasher.size };
}

/** SHA-256 and size of a local file. */
export async function hashFile(file: string): Promise<{ sha256: string; size: number }> {
  const hasher = new HashingStream();
  await pipeline(fs.createReadStream(file), hasher, async (source: AsyncIterable<Buffer>) => {
    for await (const _chunk of source); // drain: the hasher has seen every byte
  });
  return { sha256: hasher.digest(), size: hasher.size };
}

/** fsync a directory so a rename inside it survives a crash (a no-op where directories cannot be opened). */
export async function syncDir(dir: string): Promise<void> {
  let fh: fs.promises.FileHandle | undefined;
  try {
    fh = await fs.promises.open(dir, 'r');
    await fh.sync();
  } catch {
    // Some platforms (Windows) cannot fsync a directory; the rename itself is still atomic.
  } finally {
    await fh?.close();
  }
}
