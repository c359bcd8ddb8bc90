// HTTP API of the catalog's bulk import and export (see ./bulk.ts for the file formats and the rules).
// The routes live in their own encapsulated plugin: the import route reads its body raw (any content type, up
// to IMPORT_BODY_LIMIT) without changing how the rest of the API parses bodies.
import { Type } from 'typebox';
import type { FastifyReply } from 'fastify';
import type { App } from '../../http/app.ts';
import type { AppContext } from '../../context.ts';
import { errorHandler } from '../../http/errors.ts';
import { badRequest } from '../../errors.ts';
import { pickLang } from '../../i18n/messages.ts';
import { CatalogBulk, IMPORT_BODY_LIMIT, XLSX_TYPE, multipartFile } from './bulk.ts';
import { ResourceQuery } from './schemas.ts';

const TAGS = ['catalog'];
const Flag = Type.Optional(Type.Enum(['0', '1', 'true', 'false'], { description: '1/true to enable' }));
const on = (v: string | undefined) => v === '1' || v === 'true';

const ImportQuery = Type.Object(
  {
    dryRun: Flag,
    newCodes: Type.Optional(
      Type.Enum(['0', '1', 'true', 'false'], {
        description: "1: give every resource a new code (category-org-sequence); the file's codes only link its rows",
      }),
    ),
  },
  { additionalProperties: false },
);

const ImportResult = Type.Object({
  dryRun: Type.Boolean(),
  format: Type.Enum(['xlsx', 'csv']),
  resources: Type.Integer(),
  fields: Type.Integer(),
  items: Type.Array(
    Type.Object({
      sheet: Type.String(),
      row: Type.Integer(),
      code: Type.String({ description: 'The resource code (empty in a dry run with new codes)' }),
      id: Type.Union([Type.String({ format: 'uuid' }), Type.Null()], { description: 'null in a dry run' }),
      nameZh: Type.String(),
    }),
  ),
});

const ExportQuery = Type.Object(
  { ...ResourceQuery.properties, page: Type.Optional(Type.Integer()), pageSize: Type.Optional(Type.Integer()) },
  { additionalProperties: false, description: 'The list filters (page and pageSize are ignored: everything visible is exported)' },
);

const xlsxResponse = (description: string) => ({
  description,
  content: { [XLSX_TYPE]: { schema: { type: 'string', format: 'binary' } } },
});
const csvResponse = (description: string) => ({ description, content: { 'text/csv': { schema: { type: 'string' } } } });

const stamp = () => new Date().toISOString().slice(0, 19).replace(/[-:]/g, '').replace('T', '-');

function download(reply: FastifyReply, type: string, name: string) {
  return reply
    .type(type)
    .header('cache-control', 'no-store')
    .header('content-disposition', `attachment; filename="${name}"; filename*=UTF-8''${encodeURIComponent(name)}`);
}

export async function registerCatalogBulkRoutes(app: App, ctx: AppContext) {
  const bulk = new CatalogBulk(ctx);

  await app.register(async (scope: App) => {
    // Raw bodies for the import, whatever their content type (the type is decided from the bytes).
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: IMPORT_BODY_LIMIT }, (_req, body, done) => done(null, body));
    scope.setErrorHandler(errorHandler(IMPORT_BODY_LIMIT));

    scope.get(
      '/api/catalog/template.xlsx',
      {
        schema: {
          tags: TAGS,
          summary: 'The import template (XLSX): sheets 资源, 信息项, 允许值 (drop-down lists) and 填写说明',
          response: { 200: xlsxResponse('An empty template with Chinese headers, notes, and drop-down lists of the allowed values') },
        },
      },
      async (req, reply) => {
        await bulk.checkExport(req.actor);
        const dict = await bulk.dictionaries();
        return download(reply, XLSX_TYPE, 'catalog-template.xlsx').send(bulk.xlsx(dict, null) as unknown as string);
      },
    );

    scope.get(
      '/api/catalog/template.csv',
      {
        schema: {
          tags: TAGS,
          summary: 'The import template (CSV, UTF-8 with BOM): resource columns, then field columns, one row per field',
          response: { 200: csvResponse('The header line') },
        },
      },
      async (req, reply) => {
        await bulk.checkExport(req.actor);
        const dict = await bulk.dictionaries();
        return download(reply, 'text/csv; charset=utf-8', 'catalog-template.csv').send(bulk.csv(dict, null) as unknown as string);
      },
    );

    scope.post(
      '/api/catalog/import',
      {
        bodyLimit: IMPORT_BODY_LIMIT,
        schema: {
          tags: TAGS,
          summary: 'Import resources (drafts) with their fields from an XLSX or CSV file in the template; all or nothing',
          description:
            'Body: the file itself (any Content-Type, e.g. ' +
            `${XLSX_TYPE} or text/csv) or multipart/form-data with one file; at most 50 MB. The type is detected from the bytes ` +
            '(400 IMPORT_BAD_FILE otherwise); wrong or missing headers: 400 IMPORT_BAD_HEADERS (details.sheets[].missing/unknown/duplicate). ' +
            'The whole file is validated first with the same checks as POST /api/catalog/resources; any bad row: 400 IMPORT_INVALID_ROWS ' +
            'with details.errors [{sheet,row,column,code,message}] (first 1000, in the Accept-Language) and details.total, nothing written. ' +
            'Provider clerks import for their own organization subtree only (others: per-row IMPORT_ORG_FORBIDDEN); the authority for any. ' +
            'dryRun=1 validates only. One transaction; a ledger entry per resource plus a catalog.import summary.',
          querystring: ImportQuery,
          body: Type.Unknown({ description: 'The file: XLSX or CSV bytes, or multipart/form-data with one file part' }),
          consumes: [XLSX_TYPE, 'text/csv', 'multipart/form-data', 'application/octet-stream'],
          response: { 200: ImportResult, 201: ImportResult },
        },
      },
      async (req, reply) => {
        const ct = String(req.headers['content-type'] ?? '');
        let file = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
        if (/^multipart\/form-data/i.test(ct)) {
          const part = multipartFile(file, ct);
          if (!part) throw badRequest('IMPORT_BAD_FILE', {}, { detected: 'no file in the form' });
          file = part;
        }
        const dryRun = on(req.query.dryRun);
        const result = await bulk.import(req.actor, file, {
          dryRun,
          newCodes: on(req.query.newCodes),
          lang: pickLang(req.headers['accept-language']),
        });
        return reply.code(dryRun ? 200 : 201).send(result);
      },
    );

    scope.get(
      '/api/catalog/export.xlsx',
      {
        schema: {
          tags: TAGS,
          summary: 'Export the visible catalog (list filters) as XLSX in the import template (streamed)',
          querystring: ExportQuery,
          response: { 200: xlsxResponse('The resources and their fields; re-importable') },
        },
      },
      async (req, reply) => {
        await bulk.checkExport(req.actor);
        const dict = await bulk.dictionaries();
        const stream = bulk.xlsx(dict, bulk.exportRows(req.actor, req.query));
        return download(reply, XLSX_TYPE, `catalog-${stamp()}.xlsx`).send(stream as unknown as string);
      },
    );

    scope.get(
      '/api/catalog/export.csv',
      {
        schema: {
          tags: TAGS,
          summary: 'Export the visible catalog (list filters) as CSV, UTF-8 with BOM, one row per field (streamed)',
          querystring: ExportQuery,
          response: { 200: csvResponse('Cells starting with = + - @ are prefixed with an apostrophe (formula injection); re-importable') },
        },
      },
      async (req, reply) => {
        await bulk.checkExport(req.actor);
        const dict = await bulk.dictionaries();
        const stream = bulk.csv(dict, bulk.exportRows(req.actor, req.query));
        return download(reply, 'text/csv; charset=utf-8', `catalog-${stamp()}.csv`).send(stream as unknown as string);
      },
    );
  });
}
