// The read side of the datasets API: preview, typed query, downloads (Range/resume) and the quality report.
// Every route goes through DatasetsService.access() (who may read, masked how) and leaves a ledger entry.
import { Type } from 'typebox';
import type { App } from '../../http/app.ts';
import type { AppContext } from '../../context.ts';
import { pickLang } from '../../i18n/messages.ts';
import { contentDisposition, EXPORT_FORMATS, EXPORT_MEDIA, QueryBodySchema, sendFile } from './read.ts';
import * as S from './schemas.ts';

const ReadResult = Type.Object({
  version: Type.Integer(),
  basis: Type.Enum(['owner', 'entitlement', 'masked'], {
    description:
      "owner: 明文 (the provider, the authority); entitlement: the fields of the caller's grant, personal information masked unless granted in clear; masked: unconditional data, personal information masked",
  }),
  columns: Type.Array(Type.Object({ name: Type.String(), type: Type.String(), policy: Type.Enum(['clear', 'mask', 'token']) })),
  rows: Type.Array(Type.Record(Type.String(), Type.Unknown())),
  total: Type.Optional(Type.Integer()),
  nextCursor: Type.Optional(Type.String()),
});

export async function registerReadRoutes(app: App, ctx: AppContext) {
  const ds = ctx.datasets;
  const tags = ['datasets'];

  app.get(
    '/api/datasets/:id/preview',
    {
      schema: {
        tags,
        summary: 'The first rows of a version (current by default), masked by who reads',
        security: [],
        params: S.IdParams,
        querystring: Type.Object({
          version: Type.Optional(Type.Integer({ minimum: 1 })),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 20 })),
        }),
        response: { 200: ReadResult },
      },
    },
    async (req) => ds.preview(req.actor, req.params.id, req.query),
  );

  app.post(
    '/api/datasets/:id/query',
    {
      schema: {
        tags,
        summary: 'Rows with typed filters (no SQL), sort, offset or keyset paging; masked columns cannot be filtered on',
        security: [],
        params: S.IdParams,
        body: Type.Object(
          {
            ...QueryBodySchema.properties,
            version: Type.Optional(Type.Integer({ minimum: 1, description: 'Default: the current version' })),
          },
          { additionalProperties: false },
        ),
        response: { 200: ReadResult },
      },
    },
    async (req) => ds.query(req.actor, req.params.id, req.body),
  );

  app.get(
    '/api/datasets/:id/download',
    {
      schema: {
        tags,
        summary: 'Download a version as CSV (csv-bom: with a BOM for Excel), JSON, NDJSON, XLSX or Parquet; supports Range and If-Range',
        security: [],
        params: S.IdParams,
        querystring: Type.Object({
          format: Type.Enum([...EXPORT_FORMATS], { default: 'csv' }),
          version: Type.Optional(Type.Integer({ minimum: 1 })),
          columns: Type.Optional(Type.String({ maxLength: 20_000, description: 'Comma-separated columns (default: all readable)' })),
        }),
        response: { 200: Type.Unknown({ description: 'The file' }), 206: Type.Unknown({ description: 'A byte range of the file' }) },
      },
    },
    async (req, reply) => {
      const columns = req.query.columns
        ?.split(',')
        .map((c) => c.trim())
        .filter(Boolean);
      const dl = { format: req.query.format, version: req.query.version, columns };
      // A whole-file GET may get the bytes while the export is being written (no length known: chunked); a Range,
      // If-Range or HEAD request is answered from the finished file.
      const whole = req.method === 'GET' && req.headers.range === undefined;
      const out = whole ? await ds.downloadFollowing(req.actor, req.params.id, dl) : await ds.download(req.actor, req.params.id, dl);
      const fileName = `${out.fileName}.${EXPORT_MEDIA[out.format].extension}`;
      if ('body' in out) {
        return reply
          .code(200)
          .header('content-type', out.contentType)
          .header('content-disposition', contentDisposition(fileName))
          .header('accept-ranges', 'bytes')
          .send(out.body);
      }
      return sendFile(req, reply, out.path, { contentType: out.contentType, fileName });
    },
  );

  app.get(
    '/api/datasets/:id/versions/:version/failing-rows',
    {
      schema: {
        tags,
        summary: 'Rows of a version failing its quality rules, as CSV (行号, 字段, 值, 规则, 原因)',
        params: S.VersionParams,
        response: { 200: Type.Unknown({ description: 'CSV file' }) },
      },
    },
    async (req, reply) => {
      const lang = pickLang(req.headers['accept-language']);
      const out = await ds.failingRowsReport(req.actor, req.params.id, req.params.version, lang);
      return sendFile(req, reply, out.path, { contentType: 'text/csv; charset=utf-8', fileName: out.fileName });
    },
  );
}
