// The S3-compatible object store (SHUYUAN_OBJECT_STORE=s3): objects live in one bucket under the same keys as
// the local store (sha256/ab/<64 hex>). A body is hashed while it is spooled to <dataDir>/tmp/s3-put (the key is
// its SHA-256, known only at the end), then uploaded: one PutObject up to the part size, a multipart upload
// above it (parts read from the spooled file, so memory stays flat whatever the size). DuckDB reads a verified
// copy in <dataDir>/cache.
//
// Uploads go straight to the content key, not to a temporary key copied into place: an S3 object becomes visible
// only when its PutObject or CompleteMultipartUpload succeeds (never half-written), and a content-addressed key
// always names the same bytes, so two writers racing on one key write identical objects. A temporary key plus
// CopyObject would double the traffic (and needs a multipart copy above 5 GB) to guarantee nothing more.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import type { S3Client } from '@aws-sdk/client-s3';
import type { Config } from '../config.ts';
import { AppError } from '../errors.ts';
import type { ObjectInfo, ObjectStore } from './objectstore.ts';
import { checkRange, hashFile, keyOf, parseKey, syncDir, writeHashed } from './util.ts';

export interface S3StoreOptions {
  endpoint: string;
  region: string;
  bucket: string;
  /** Empty: the SDK's default credential chain (instance role, …). */
  accessKey: string;
  secretKey: string;
  pathStyle: boolean;
  /** Spool files (tmp/s3-put) and the read cache (cache/) live here. */
  dataDir: string;
  /** Bodies up to this size go in one PutObject; larger ones in parts of this size (≥ 5 MiB; default 16 MiB). */
  partSize?: number;
  /** Parts uploaded at the same time (default 4). */
  partConcurrency?: number;
}

const MIN_PART = 5 * 1024 * 1024;
const MAX_PARTS = 10_000;
const PART_ATTEMPTS = 3;

type Sdk = typeof import('@aws-sdk/client-s3');
let sdkPromise: Promise<Sdk> | null = null;
/** The SDK is loaded on first use: a deployment on the local store never pays for it. */
const sdk = () => (sdkPromise ??= import('@aws-sdk/client-s3'));

function httpStatus(e: unknown): number | undefined {
  return (e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
}
function isNotFound(e: unknown): boolean {
  const name = (e as { name?: string }).name;
  return name === 'NotFound' || name === 'NoSuchKey' || httpStatus(e) === 404;
}

export class S3ObjectStore implements ObjectStore {
  readonly kind = 's3' as const;
  readonly bucket: string;
  readonly spoolDir: string;
  readonly cacheDir: string;
  readonly partSize: number;
  readonly partConcurrency: number;
  private client: S3Client | null = null;
  private readonly downloads = new Map<string, Promise<string>>();

  constructor(readonly options: S3StoreOptions) {
    this.bucket = options.bucket;
    const dataDir = path.resolve(options.dataDir);
    this.spoolDir = path.join(dataDir, 'tmp', 's3-put');
    this.cacheDir = path.join(dataDir, 'cache');
    this.partSize = Math.max(MIN_PART, options.partSize ?? 16 * 1024 * 1024);
    this.partConcurrency = Math.max(1, options.partConcurrency ?? 4);
  }

  static fromConfig(config: Config): S3ObjectStore {
    const { s3 } = config;
    if (!s3.endpoint) throw new Error('SHUYUAN_S3_ENDPOINT is required with SHUYUAN_OBJECT_STORE=s3');
    return new S3ObjectStore({ ...s3, endpoint: s3.endpoint, dataDir: config.dataDir });
  }

  private async s3(): Promise<{ client: S3Client; sdk: Sdk }> {
    const lib = await sdk();
    this.client ??= new lib.S3Client({
      endpoint: this.options.endpoint,
      region: this.options.region,
      forcePathStyle: this.options.pathStyle,
      credentials: this.options.accessKey ? { accessKeyId: this.options.accessKey, secretAccessKey: this.options.secretKey } : undefined,
      // SDK v3 (since 3.729) adds CRC32 checksums to every upload by default, sending the body with
      // aws-chunked content encoding and a trailing checksum. Many self-hosted S3-compatible servers (s3rver,
      // older MinIO/Ceph) do not understand that and store the chunk framing as part of the object — the bytes
      // come back altered. Checksums only where the S3 API requires them keeps bodies byte-exact everywhere; our
      // own SHA-256 (the key) is the integrity check.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
    return { client: this.client, sdk: lib };
  }

  /** Closes the HTTP connections of the S3 client. */
  destroy(): void {
    this.client?.destroy();
    this.client = null;
  }

  async putFile(file: string): Promise<ObjectInfo> {
    // The file is read twice (hash, then upload) rather than copied to the spool: the caller owns it and must
    // not change it meanwhile; a change of size or mtime between the two reads is detected and refused.
    const before = await fsp.stat(file);
    const { sha256, size } = await hashFile(file);
    const info = await this.upload(file, sha256, size);
    const after = await fsp.stat(file);
    if (after.size !== before.size || after.mtimeMs !== before.mtimeMs || size !== after.size) {
      await this.delete(info.key).catch(() => undefined);
      throw new Error(`${file} changed while it was being stored`);
    }
    return info;
  }

  async putStream(body: NodeJS.ReadableStream): Promise<ObjectInfo> {
    await fsp.mkdir(this.spoolDir, { recursive: true });
    const tmp = path.join(this.spoolDir, `${randomBytes(12).toString('hex')}.part`);
    try {
      const { sha256, size } = await writeHashed(body, tmp);
      return await this.upload(tmp, sha256, size);
    } finally {
      await fsp.rm(tmp, { force: true });
    }
  }

  private async upload(file: string, sha256: string, size: number): Promise<ObjectInfo> {
    const key = keyOf(sha256);
    const existing = await this.stat(key);
    if (existing && existing.size === size) return { key, size, sha256 };
    const { client, sdk } = await this.s3();
    const Bucket = this.bucket;
    if (size <= this.partSize) {
      await client.send(
        new sdk.PutObjectCommand({
          Bucket,
          Key: key,
          Body: fs.createReadStream(file),
          ContentLength: size,
          ContentType: 'application/octet-stream',
        }),
      );
      return { key, size, sha256 };
    }
    const partSize = Math.max(this.partSize, Math.ceil(size / MAX_PARTS));
    const count = Math.ceil(size / partSize);
    const created = await client.send(new sdk.CreateMultipartUploadCommand({ Bucket, Key: key, ContentType: 'application/octet-stream' }));
    const UploadId = created.UploadId;
    if (!UploadId) throw new Error('S3 CreateMultipartUpload returned no UploadId');
    try {
      const etags: string[] = new Array<string>(count);
      let next = 0;
      const worker = async () => {
        while (next < count) {
          const i = next++;
          const start = i * partSize;
          const end = Math.min(start + partSize, size) - 1;
          // A fresh file stream per attempt: a retried request cannot rewind a consumed stream.
          for (let attempt = 1; ; attempt++) {
            try {
              const res = await client.send(
                new sdk.UploadPartCommand({
                  Bucket,
                  Key: key,
                  UploadId,
                  PartNumber: i + 1,
                  Body: fs.createReadStream(file, { start, end }),
                  ContentLength: end - start + 1,
                }),
              );
              if (!res.ETag) throw new Error(`S3 UploadPart ${i + 1} returned no ETag`);
              etags[i] = res.ETag;
              break;
            } catch (e) {
              if (attempt >= PART_ATTEMPTS) throw e;
            }
          }
        }
      };
      await Promise.all(Array.from({ length: Math.min(this.partConcurrency, count) }, worker));
      await client.send(
        new sdk.CompleteMultipartUploadCommand({
          Bucket,
          Key: key,
          UploadId,
          MultipartUpload: { Parts: etags.map((ETag, i) => ({ ETag, PartNumber: i + 1 })) },
        }),
      );
    } catch (e) {
      await client.send(new sdk.AbortMultipartUploadCommand({ Bucket, Key: key, UploadId })).catch(() => undefined);
      throw e;
    }
    return { key, size, sha256 };
  }

  async stat(key: string): Promise<{ size: number } | null> {
    parseKey(key);
    const { client, sdk } = await this.s3();
    try {
      const head = await client.send(new sdk.HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      return { size: Number(head.ContentLength ?? 0) };
    } catch (e) {
      if (isNotFound(e)) return null;
      throw e;
    }
  }

  async get(key: string, range?: { start: number; end?: number }): Promise<NodeJS.ReadableStream> {
    parseKey(key);
    let Range: string | undefined;
    if (range) {
      // The same checks and clamping as the local store (S3 would answer 416 itself, but not for a bad end).
      const st = await this.stat(key);
      if (!st) throw new AppError(404, 'OBJECT_NOT_FOUND', { key }, { key });
      Range = `bytes=${range.start}-${checkRange(key, st.size, range)}`;
    }
    const { client, sdk } = await this.s3();
    try {
      const res = await client.send(new sdk.GetObjectCommand({ Bucket: this.bucket, Key: key, Range }));
      return res.Body as Readable;
    } catch (e) {
      if (isNotFound(e)) throw new AppError(404, 'OBJECT_NOT_FOUND', { key }, { key });
      throw e;
    }
  }

  async delete(key: string): Promise<void> {
    parseKey(key);
    const { client, sdk } = await this.s3();
    await client.send(new sdk.DeleteObjectCommand({ Bucket: this.bucket, Key: key }));
    await fsp.rm(this.cachePath(key), { force: true });
  }

  private cachePath(key: string): string {
    const sha = parseKey(key);
    return path.join(this.cacheDir, 'sha256', sha.slice(0, 2), sha);
  }

  async localPath(key: string): Promise<string> {
    const final = this.cachePath(key);
    if (
      await fsp.stat(final).then(
        (s) => s.isFile(),
        () => false,
      )
    )
      return final;
    // One download per key at a time in this process; others wait for it.
    let pending = this.downloads.get(key);
    if (!pending) {
      pending = this.download(key, final).finally(() => this.downloads.delete(key));
      this.downloads.set(key, pending);
    }
    return pending;
  }

  private async download(key: string, final: string): Promise<string> {
    const tmpDir = path.join(this.cacheDir, 'tmp');
    await fsp.mkdir(tmpDir, { recursive: true });
    const tmp = path.join(tmpDir, `${randomBytes(12).toString('hex')}.part`);
    const body = await this.get(key);
    const { sha256 } = await writeHashed(body, tmp);
    try {
      if (sha256 !== parseKey(key)) throw new AppError(500, 'OBJECT_CORRUPT', { key }, { key, sha256 });
      await fsp.chmod(tmp, 0o444);
      await fsp.mkdir(path.dirname(final), { recursive: true });
      await fsp.rename(tmp, final);
      await syncDir(path.dirname(final));
    } catch (e) {
      await fsp.rm(tmp, { force: true });
      throw e;
    }
    return final;
  }

  async *list(): AsyncIterable<string> {
    const { client, sdk } = await this.s3();
    let ContinuationToken: string | undefined;
    do {
      const page = await client.send(new sdk.ListObjectsV2Command({ Bucket: this.bucket, Prefix: 'sha256/', ContinuationToken }));
      for (const o of page.Contents ?? []) {
        if (!o.Key) continue;
        try {
          parseKey(o.Key);
        } catch {
          continue; // not one of ours
        }
        yield o.Key;
      }
      ContinuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (ContinuationToken);
  }
}
