// The object store (docs/dataplane.md, "Object store"): immutable files addressed by their SHA-256, kept on the
// local disk under <dataDir>/objects (default) or in an S3-compatible bucket. Every write goes to a temporary
// name first and becomes visible under its key only when it is whole, so a reader never sees half an object.
import type { Config } from '../config.ts';
import { LocalObjectStore } from './local.ts';
import { S3ObjectStore } from './s3.ts';

export { keyOf, parseKey } from './util.ts';

export interface ObjectInfo {
  key: string;
  size: number;
  sha256: string;
}

export interface ObjectStore {
  readonly kind: 'local' | 's3';
  /** Releases network clients (S3); called when the platform stops. */
  destroy?(): void;
  /** Stores a local file by content (key `sha256/<2 hex>/<64 hex>`); written to a temporary name and renamed/completed only when whole. Idempotent. */
  putFile(path: string): Promise<ObjectInfo>;
  /** Streams a body in (hashing as it goes), same guarantees. */
  putStream(body: NodeJS.ReadableStream): Promise<ObjectInfo>;
  stat(key: string): Promise<{ size: number } | null>;
  /** A byte range (inclusive start, inclusive end) or the whole object. */
  get(key: string, range?: { start: number; end?: number }): Promise<NodeJS.ReadableStream>;
  delete(key: string): Promise<void>;
  /** A local file path DuckDB can read (local: the file itself; s3: a verified copy in <dataDir>/cache). */
  localPath(key: string): Promise<string>;
  /** Every stored key (in no particular order), for retention and clean-up. */
  list(): AsyncIterable<string>;
}

/** The store the configuration asks for (SHUYUAN_OBJECT_STORE). */
export function createObjectStore(config: Config): ObjectStore {
  return config.objectStore === 's3' ? S3ObjectStore.fromConfig(config) : new LocalObjectStore(config.dataDir);
}
