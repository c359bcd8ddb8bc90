// Ledger routes: entries (list, one, CSV export), checkpoints, proofs, the public key, verification jobs.
// Reading the ledger is not itself recorded; exporting it and starting a verification are.
import { Readable } from 'node:stream';
import { Type } from 'typebox';
import type { App } from '../../http/app.ts';
import type { AppContext } from '../../context.ts';
import { badRequest } from '../../errors.ts';
import { pickLang, translate } from '../../i18n/messages.ts';
import type { CheckpointRow, EntryFilters, EntryRow, VerifyResult } from './service.ts';
import * as S from './schemas.ts';

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:?\d{2})?$/i;

/** ISO date-time, or a calendar date in China time (the end bound of a date is the next day's start). */
function parseBound(value: string | undefined, field: 'from' | 'to'): Date | undefined {
  if (value === undefined || value === '') return undefined;
  let d: Date;
  if (DATE_ONLY.test(value)) {
    d = new Date(`${value}T00:00:00+08:00`);
    if (field === 'to') d = new Date(d.getTime() + 86_400_000);
  } else if (DATE_TIME.test(value)) {
    d = new Date(/(Z|[+-]\d{2}:?\d{2})$/i.test(value) ? value : `${value.replace(' ', 'T')}+08:00`);
  } else {
    d = new Date(NaN);
  }
  if (Number.isNaN(d.getTime())) throw badRequest('LEDGER_INVALID_TIME', { value }, { field });
  return d;
}

function toFilters(q: S.EntryFiltersQuery): EntryFilters {
  return {
    actor: q.actor || undefined,
    org: q.org || undefined,
    action: q.action || undefined,
    objectType: q.objectType || undefined,
    objectId: q.objectId || undefined,
    from: parseBound(q.from, 'from'),
    to: parseBound(q.to, 'to'),
  };
}

const entryJson = (e: EntryRow) => ({ ...e, time: e.time.toISOString() });
const checkpointJson = (c: CheckpointRow) => ({ ...c, signedAt: c.signedAt.toISOString() });

const CSV_COLUMNS = [
  'seq',
  'time',
  'actorId',
  'actorName',
  'actorKind',
  'orgId',
  'action',
  'objectType',
  'objectId',
  'purpose',
  'details',
  'prevHash',
  'hash',
] as const;

/** One CSV cell: quoted, and neutralized when a spreadsheet would read it as a formula. */
export function csvCell(value: unknown): string {
  let s = value === null || value === undefined ? '' : typeof value === 'string' ? value : JSON.stringify(value);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return `"${s.replace(/"/g, '""')}"`;
}

function csvRow(e: EntryRow): string {
  const v = { ...e, time: e.time.toISOString() } as Record<string, unknown>;
  return CSV_COLUMNS.map((c) => (c === 'seq' ? String(e.seq) : csvCell(v[c]))).join(',') + '\r\n';
}

function localize(result: VerifyResult, lang: 'zh-CN' | 'en'): VerifyResult {
  if (!result.firstBad) return result;
  const { seq, code } = result.firstBad;
  return { ...result, firstBad: { ...result.firstBad, reason: translate(`LEDGER_BAD_${code}`, lang, { seq, prev: seq - 1 }) } };
}

export async function registerLedgerRoutes(app: App, ctx: AppContext) {
  const { ledger, authz } = ctx;
  const read = { type: 'ledger' } as const;

  app.get(
    '/api/ledger/key',
    {
      schema: {
        tags: ['ledger'],
        summary: 'Public key that signs the ledger checkpoints (public, no login)',
        security: [],
        response: { 200: S.PublicKey },
      },
    },
    async () => {
      const key = await ledger.signingKey();
      return {
        algorithm: 'Ed25519' as const,
        keyId: key.keyId,
        publicKeyPem: key.publicKeyPem,
        publicKeyRawBase64: key.publicKeyRaw.toString('base64'),
      };
    },
  );

  app.get(
    '/api/ledger/entries',
    {
      schema: {
        tags: ['ledger'],
        summary: 'Ledger entries, newest first, filtered',
        querystring: S.EntryListQuery,
        response: { 200: S.EntryPage },
      },
    },
    async (req) => {
      await authz.authorize(req.actor, 'ledger.read', read);
      const { page, pageSize, ...q } = req.query;
      const r = await ledger.list(toFilters(q), page, pageSize);
      return { ...r, items: r.items.map(entryJson) };
    },
  );

  app.get(
    '/api/ledger/entries.csv',
    {
      schema: {
        tags: ['ledger'],
        summary: 'Export the filtered entries as CSV (UTF-8 with BOM; recorded in the ledger)',
        querystring: S.EntryFiltersQuery,
        response: {
          200: {
            description: 'CSV, newest first; cells starting with = + - @ are prefixed with an apostrophe',
            content: { 'text/csv': { schema: { type: 'string' } } },
          },
        },
      },
    },
    async (req, reply) => {
      await authz.authorize(req.actor, 'ledger.export', read);
      const filters = toFilters(req.query);
      await ledger.recordExport(req.actor, filters);
      async function* lines() {
        yield '\uFEFF' + CSV_COLUMNS.join(',') + '\r\n';
        let chunk = '';
        for await (const e of ledger.iterate(filters)) {
          chunk += csvRow(e);
          if (chunk.length > 64_000) {
            yield chunk;
            chunk = '';
          }
        }
        if (chunk) yield chunk;
      }
      const stamp = new Date().toISOString().replace(/[:.]/g, '-');
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="ledger-${stamp}.csv"`)
        .send(Readable.from(lines()) as unknown as string); // a stream (the typed reply expects the schema's string)
    },
  );

  app.get(
    '/api/ledger/entries/:seq',
    { schema: { tags: ['ledger'], summary: 'One ledger entry', params: S.SeqParams, response: { 200: S.Entry } } },
    async (req) => {
      await authz.authorize(req.actor, 'ledger.read', read);
      return entryJson(await ledger.get(req.params.seq));
    },
  );

  app.get(
    '/api/ledger/entries/:seq/proof',
    {
      schema: {
        tags: ['ledger'],
        summary: 'RFC 9162 inclusion proof of an entry in a signed tree',
        params: S.SeqParams,
        querystring: S.ProofQuery,
        response: { 200: S.InclusionProof },
      },
    },
    async (req) => {
      await authz.authorize(req.actor, 'ledger.read', read);
      const p = await ledger.inclusionProof(req.params.seq, req.query.treeSize);
      return { ...p, checkpoint: p.checkpoint && checkpointJson(p.checkpoint) };
    },
  );

  app.get(
    '/api/ledger/consistency',
    {
      schema: {
        tags: ['ledger'],
        summary: 'RFC 9162 consistency proof between two tree sizes (e.g. two checkpoints)',
        querystring: S.ConsistencyQuery,
        response: { 200: S.ConsistencyProof },
      },
    },
    async (req) => {
      await authz.authorize(req.actor, 'ledger.read', read);
      const p = await ledger.consistencyProof(req.query.from, req.query.to);
      return {
        ...p,
        fromCheckpoint: p.fromCheckpoint && checkpointJson(p.fromCheckpoint),
        toCheckpoint: p.toCheckpoint && checkpointJson(p.toCheckpoint),
      };
    },
  );

  app.get(
    '/api/ledger/checkpoints',
    {
      schema: {
        tags: ['ledger'],
        summary: 'Signed checkpoints (Merkle tree heads), largest first',
        querystring: S.PageQuery,
        response: { 200: S.CheckpointPage },
      },
    },
    async (req) => {
      await authz.authorize(req.actor, 'ledger.read', read);
      const r = await ledger.checkpoints(req.query.page, req.query.pageSize);
      return { ...r, items: r.items.map(checkpointJson) };
    },
  );

  app.get(
    '/api/ledger/checkpoints/latest',
    {
      schema: {
        tags: ['ledger'],
        summary: 'The latest signed checkpoint (null when there is none yet)',
        response: { 200: Type.Union([S.Checkpoint, Type.Null()]) },
      },
    },
    async (req) => {
      await authz.authorize(req.actor, 'ledger.read', read);
      const c = await ledger.latestCheckpoint();
      return c && checkpointJson(c);
    },
  );

  app.post(
    '/api/ledger/verify',
    {
      schema: {
        tags: ['ledger'],
        summary: 'Start a full verification of the chain and the checkpoints (a background job; recorded in the ledger)',
        response: { 202: S.VerifyStarted },
      },
    },
    async (req, reply) => {
      await authz.authorize(req.actor, 'ledger.verify', read);
      const jobId = await ledger.startVerification(req.actor);
      return reply.status(202).send({ jobId });
    },
  );

  app.get(
    '/api/ledger/verify/:jobId',
    {
      schema: { tags: ['ledger'], summary: 'State and result of a verification job', params: S.JobParams, response: { 200: S.VerifyJob } },
    },
    async (req) => {
      await authz.authorize(req.actor, 'ledger.verify', read);
      const job = await ledger.verification(req.params.jobId);
      const output = job.output as (VerifyResult & { message?: string }) | null;
      const done = job.state === 'completed' && output && typeof output.ok === 'boolean';
      return {
        jobId: job.id,
        state: job.state,
        result: done ? localize(output, pickLang(req.headers['accept-language'])) : null,
        error: job.state === 'failed' ? String(output?.message ?? 'failed') : null,
        createdAt: job.createdAt.toISOString(),
        completedAt: job.completedAt ? job.completedAt.toISOString() : null,
      };
    },
  );
}
