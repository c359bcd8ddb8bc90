// Resumable uploads (tus 1.0, https://tus.io/protocols/resumable-upload) under <dataDir>/uploads, with
// @tus/server + @tus/file-store: a file arrives in chunks (PATCH at an offset), streamed straight to disk, so a
// 2 GB file never sits in memory and an interrupted upload resumes where it stopped (HEAD tells the offset).
//
// What this module adds around tus (admit(), before tus sees a request):
//   - signed-in callers only (session cookie with its CSRF token, or a signed API-key request);
//   - the uploader's user id is written into the upload's metadata by the server (`sy_owner`, whatever the
//     client sent) and every HEAD/PATCH/DELETE of someone else's upload answers 404, as if it did not exist;
//   - Upload-Length is required and checked against SHUYUAN_UPLOAD_MAX_BYTES before any byte is stored (413);
//     deferred length is refused (the limit could not be checked up front);
//   - a file name (`filename` metadata) is required; `filetype` is kept when given;
//   - uploads nobody touched for SHUYUAN_UPLOAD_EXPIRY_HOURS (unfinished) or 7 days (finished but never
//     consumed) are deleted by cleanup(), which runs every 15 minutes in each process that serves HTTP.
//
// Cleanup runs on a timer in each process rather than as a pg-boss cron job: the files live in this process's
// data directory, and pg-boss hands a cron job to one process of the cluster, which would leave the uploads
// of the other processes (each with its own data directory) behind. A timer needs no database either.
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import type { IncomingHttpHeaders } from 'node:http';
import type { FastifyRequest } from 'fastify';
import { FileStore } from '@tus/file-store';
import { MemoryLocker, Metadata, Server, type Upload } from '@tus/server';
import type { AppContext } from '../../context.ts';
import { AppError } from '../../errors.ts';
import type { Actor } from '../identity/actor.ts';
import './messages.ts';

/** Where the tus endpoint is mounted. */
export const UPLOADS_PATH = '/api/uploads';
/** Upload ids are what @tus/server names them: 16 random bytes in hex. */
export const UPLOAD_ID = /^[0-9a-f]{32}$/;
/** The metadata key the server writes the uploader's user id into. */
export const OWNER_KEY = 'sy_owner';
/** A finished upload that no dataset took is kept this long after its last byte arrived. */
export const FINISHED_KEEP_MS = 7 * 24 * 3600_000;
export const CLEANUP_INTERVAL_MS = 15 * 60_000;
const MAX_FILENAME = 255;

export interface ResolvedUpload {
  id: string;
  /** The uploaded file (inside <dataDir>/uploads; DuckDB may read it). */
  path: string;
  fileName: string;
  /** The MIME type the client declared, if any (not trusted: the ingest detects the real type). */
  fileType: string | null;
  size: number;
}

export interface UploadState {
  id: string;
  owner: string | null;
  fileName: string | null;
  fileType: string | null;
  /** Declared size (Upload-Length). */
  size: number | null;
  /** Bytes received so far. */
  offset: number;
  /** Last time a byte arrived (or the upload was created), ms since the epoch. */
  touchedAt: number;
}

function humanBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${Number.isInteger(v) ? v : v.toFixed(1)} ${units[i]}`;
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

const notFound = (id: string) => new AppError(404, 'UPLOAD_NOT_FOUND', {}, { id: id.slice(0, 64) });

export class UploadsService {
  readonly dir: string;
  readonly store: FileStore;
  readonly tus: Server;
  private readonly locker = new MemoryLocker();
  /** The actor of each request handed to tus (its hooks only see the web Request). */
  private readonly actors = new WeakMap<Request, Actor>();
  private timer: NodeJS.Timeout | null = null;
  private cleaning: Promise<unknown> | null = null;

  constructor(readonly ctx: AppContext) {
    this.dir = path.join(path.resolve(ctx.config.dataDir), 'uploads');
    // Created here, synchronously: FileStore's own mkdir runs unawaited in its constructor.
    fs.mkdirSync(this.dir, { recursive: true });
    this.store = new FileStore({ directory: this.dir });
    // No deferred length (the size limit is checked before any byte); no tus "expiration" extension (it counts
    // from creation and sends Upload-Expires; our cleanup counts from the last byte received).
    this.store.extensions = this.store.extensions.filter((e) => e !== 'creation-defer-length' && e !== 'expiration');
    this.tus = new Server({
      path: UPLOADS_PATH,
      datastore: this.store,
      locker: this.locker,
      // Location: /api/uploads/<id> — right behind any proxy, whatever Host/scheme it forwards.
      relativeLocation: true,
      maxSize: ctx.config.uploadMaxBytes,
      // Same-origin only: no Access-Control-Allow-Origin on any answer.
      allowedOrigins: [],
      onUploadCreate: async (req, upload) => {
        const actor = this.actors.get(req);
        if (!actor?.userId) throw { status_code: 401, body: 'Unauthenticated\n' };
        return { metadata: { ...upload.metadata, [OWNER_KEY]: actor.userId } };
      },
    });
  }

  // ------------------------------------------------------------------------------------------ HTTP side

  /**
   * Checks a tus request before tus sees it (our error codes and bodies): the caller is signed in, a new
   * upload declares its size within the limit and names its file, an existing one is the caller's.
   */
  async admit(actor: Actor, method: string, id: string | null, headers: IncomingHttpHeaders): Promise<void> {
    if (method === 'OPTIONS') return; // protocol discovery: versions, extensions, max size
    if (actor.kind === 'anonymous' || !actor.userId) throw new AppError(401, 'UNAUTHENTICATED');
    if (method === 'POST') {
      const length = header(headers, 'upload-length');
      if (length === undefined || header(headers, 'upload-defer-length') !== undefined) {
        throw new AppError(400, 'UPLOAD_LENGTH_REQUIRED');
      }
      if (!/^\d{1,16}$/.test(length)) throw new AppError(400, 'UPLOAD_LENGTH_REQUIRED', {}, { uploadLength: length.slice(0, 32) });
      const size = Number(length);
      const limit = this.ctx.config.uploadMaxBytes;
      if (size > limit) throw new AppError(413, 'UPLOAD_TOO_LARGE', { size, limit, limitText: humanBytes(limit) }, { size, limit });
      let meta: Record<string, string | null> = {};
      const raw = header(headers, 'upload-metadata');
      try {
        if (raw) meta = Metadata.parse(raw);
      } catch {
        throw new AppError(400, 'UPLOAD_FILENAME_INVALID', {}, { reason: 'Upload-Metadata is malformed' });
      }
      const name = meta.filename;
      // eslint-disable-next-line no-control-regex
      if (!name || !name.trim() || name.length > MAX_FILENAME || /[\u0000-\u001f\u007f]/.test(name)) {
        throw new AppError(400, 'UPLOAD_FILENAME_INVALID');
      }
      return;
    }
    if (!id) throw new AppError(404, 'ROUTE_NOT_FOUND', { method, url: UPLOADS_PATH });
    const state = await this.state(id);
    if (!state || state.owner !== actor.userId) throw notFound(id);
  }

  /**
   * Hands a request to tus and returns its answer (sent by the route, so the app's headers and hooks apply);
   * a tus error becomes an AppError.
   */
  async handle(req: FastifyRequest): Promise<Response> {
    const headers = new Headers();
    for (const [name, value] of Object.entries(req.headers)) {
      if (value === undefined || name === 'cookie') continue;
      if (Array.isArray(value)) for (const v of value) headers.append(name, v);
      else headers.set(name, value);
    }
    const hasBody = req.method === 'POST' || req.method === 'PATCH';
    // The body is the raw request stream: tus pipes it to the file with back-pressure (never buffered whole).
    const body = hasBody ? (Readable.toWeb(req.raw) as unknown as ReadableStream<Uint8Array>) : null;
    const url = `http://localhost${req.url.split('?')[0]}`;
    const request = new Request(url, { method: req.method, headers, body, duplex: 'half' } as RequestInit & { duplex: 'half' });
    this.actors.set(request, req.actor);
    const res = await this.tus.handleWeb(request);
    if (res.status < 400) return res;
    // tus answers errors in plain text; the platform's clients get the one error body, with a stable code.
    const detail = (await res.text()).trim().slice(0, 200);
    switch (res.status) {
      case 404:
      case 410:
        throw notFound(req.url.split('?')[0]!.split('/').pop() ?? '');
      case 409:
        throw new AppError(409, 'UPLOAD_OFFSET_CONFLICT');
      case 413:
        throw new AppError(413, 'UPLOAD_CHUNK_TOO_LARGE');
      case 415:
        throw new AppError(415, 'UNSUPPORTED_MEDIA_TYPE');
      default:
        if (res.status >= 500 && res.status !== 501) {
          this.ctx.log.error({ status: res.status, detail }, 'tus upload request failed');
          throw new AppError(500, 'INTERNAL', { requestId: req.id });
        }
        throw new AppError(res.status, 'UPLOAD_REQUEST_INVALID', { detail }, { detail });
    }
  }

  // ------------------------------------------------------------------------------------------ for other modules

  /** The state of an upload, or null when there is no such upload (or its files are damaged/half-deleted). */
  async state(id: string): Promise<UploadState | null> {
    if (!UPLOAD_ID.test(id)) return null;
    const info: Upload | undefined = await this.store.configstore.get(id);
    if (!info) return null;
    const data = await fsp.stat(path.join(this.dir, id)).catch(() => null);
    if (!data?.isFile()) return null;
    const meta = info.metadata ?? {};
    const created = info.creation_date ? Date.parse(info.creation_date) : 0;
    return {
      id,
      owner: meta[OWNER_KEY] ?? null,
      fileName: meta.filename ?? null,
      fileType: meta.filetype ?? null,
      size: typeof info.size === 'number' ? info.size : null,
      offset: data.size,
      touchedAt: Math.max(data.mtimeMs, Number.isFinite(created) ? created : 0),
    };
  }

  /**
   * A finished upload of this actor (any actor's for the system, i.e. jobs): 404 UPLOAD_NOT_FOUND when it does
   * not exist or is someone else's, 409 UPLOAD_INCOMPLETE while bytes are missing.
   */
  async resolve(actor: Actor, uploadId: string): Promise<ResolvedUpload> {
    const s = await this.state(uploadId);
    if (!s || (actor.kind !== 'system' && (!actor.userId || s.owner !== actor.userId))) throw notFound(uploadId);
    if (s.size === null || s.offset !== s.size) {
      throw new AppError(409, 'UPLOAD_INCOMPLETE', { offset: s.offset, size: s.size ?? '?' }, { offset: s.offset, size: s.size });
    }
    return {
      id: s.id,
      path: path.join(this.dir, s.id),
      fileName: path.basename((s.fileName ?? s.id).replaceAll('\\', '/')).trim() || s.id,
      fileType: s.fileType,
      size: s.size,
    };
  }

  /** Deletes an upload (its bytes and its info); a missing one is not an error. */
  async remove(uploadId: string): Promise<void> {
    if (!UPLOAD_ID.test(uploadId)) return;
    // Under the upload's tus lock: a PATCH still writing is asked to stop first.
    const lock = this.locker.newLock(uploadId);
    await lock.lock(new AbortController().signal, () => undefined);
    try {
      await fsp.rm(path.join(this.dir, uploadId), { force: true });
      await fsp.rm(path.join(this.dir, `${uploadId}.json`), { force: true });
    } finally {
      await lock.unlock();
    }
  }

  /**
   * Deletes unfinished uploads untouched for SHUYUAN_UPLOAD_EXPIRY_HOURS, finished ones untouched for 7 days,
   * and half-written leftovers (info without bytes or bytes without info) older than the expiry.
   */
  async cleanup(now: number = Date.now()): Promise<{ removed: string[] }> {
    const expiryMs = this.ctx.config.uploadExpiryHours * 3600_000;
    const names = await fsp.readdir(this.dir).catch(() => [] as string[]);
    const ids = new Set(names.map((n) => n.replace(/\.json$/, '')).filter((id) => UPLOAD_ID.test(id)));
    const removed: string[] = [];
    for (const id of ids) {
      const s = await this.state(id);
      let expired: boolean;
      if (s) {
        const finished = s.size !== null && s.offset === s.size;
        expired = now - s.touchedAt > (finished ? Math.max(FINISHED_KEEP_MS, expiryMs) : expiryMs);
      } else {
        const stats = await Promise.all([id, `${id}.json`].map((n) => fsp.stat(path.join(this.dir, n)).catch(() => null)));
        const touched = Math.max(...stats.map((st) => st?.mtimeMs ?? 0));
        expired = now - touched > expiryMs;
      }
      if (expired) {
        await this.remove(id);
        removed.push(id);
      }
    }
    return { removed };
  }

  /** Starts the periodic cleanup (idempotent). */
  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.runCleanup(), CLEANUP_INTERVAL_MS);
    this.timer.unref();
    void this.runCleanup();
  }

  /** Stops the periodic cleanup and waits for a run in progress. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.cleaning;
  }

  private async runCleanup(): Promise<void> {
    if (this.cleaning) return;
    this.cleaning = this.cleanup()
      .then(({ removed }) => {
        if (removed.length) this.ctx.log.info({ removed: removed.length }, 'expired uploads deleted');
      })
      .catch((e: unknown) => this.ctx.log.warn({ err: e }, 'upload cleanup failed'))
      .finally(() => {
        this.cleaning = null;
      });
    await this.cleaning;
  }
}
