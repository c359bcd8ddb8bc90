// The SODA 2-style query API of the open data portal (issue 7 §5): GET /resource/{dataset-id}.json|.csv with
// $select, $where, $order, $group, $having, $limit, $offset, $q or a whole $query (docs/portal-soql.md), over the
// dataset's current version as the caller may see it — the same gate as every read (PDP: anonymous callers read
// data opened unconditionally, personal information masked), a time limit, and a dataset.read ledger entry.
import { Type } from 'typebox';
import type { App } from '../../http/app.ts';
import type { AppContext } from '../../context.ts';
import { neutralizeText } from '../datasets/read.ts';
import { compileSoql, SOQL_PARAMS, type SoqlParams, type SoqlResultColumn } from './soql.ts';
import './messages.ts';

/** A SoQL statement that runs longer is interrupted (400 QUERY_TIMEOUT). */
export const SOQL_TIMEOUT_MS = 10_000;

/** JSON for a header: non-ASCII characters (Chinese column names) as \uXXXX escapes, which JSON.parse reads back. */
function headerJson(v: unknown): string {
  return JSON.stringify(v).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function csvCell(v: unknown): string {
  if (v === null || v === undefined) return '';
  const s = neutralizeText(typeof v === 'string' ? v : typeof v === 'object' ? JSON.stringify(v) : String(v));
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

export async function registerPortalRoutes(app: App, ctx: AppContext) {
  app.get(
    '/resource/:id.:format',
    {
      schema: {
        tags: ['portal'],
        summary: 'SODA 2-style query of a dataset (SoQL): JSON rows or CSV, masked by who asks',
        description:
          'Query parameters: $select, $where, $order, $group, $having, $limit (default 1000, at most 50000), $offset, $q, or $query (a whole statement without FROM). Errors name the parameter and the character position. See docs/portal-soql.md.',
        security: [],
        params: Type.Object({ id: Type.String({ format: 'uuid' }), format: Type.Enum(['json', 'csv']) }),
        querystring: Type.Object(Object.fromEntries(SOQL_PARAMS.map((k) => [k, Type.Optional(Type.String({ maxLength: 8000 }))])), {
          additionalProperties: true,
        }),
        response: {
          200: {
            description:
              'JSON: an array of row objects (headers X-SODA2-Fields and X-SODA2-Types name and type the columns); CSV: a header line and the rows',
            content: {
              'application/json': { schema: Type.Array(Type.Record(Type.String(), Type.Unknown())) },
              'text/csv': { schema: Type.String() },
            },
          },
        },
      },
    },
    async (req, reply) => {
      const { id, format } = req.params;
      const params: SoqlParams = {};
      for (const k of SOQL_PARAMS) {
        const v = (req.query as Record<string, unknown>)[k];
        if (typeof v === 'string') params[k] = v;
      }
      let columns: SoqlResultColumn[] = [];
      const r = await ctx.datasets.queryVisible(
        req.actor,
        id,
        (rel) => {
          const c = compileSoql(params, {
            from: rel.from,
            columns: rel.columns,
            leadingParams: rel.params,
            tieBreaker: rel.rowColumn ? [rel.rowColumn] : [],
          });
          columns = c.columns;
          return { sql: c.sql, params: c.params, details: { soql: params } };
        },
        { timeoutMs: SOQL_TIMEOUT_MS },
      );
      reply.header('x-soda2-fields', headerJson(columns.map((c) => c.name)));
      reply.header('x-soda2-types', headerJson(columns.map((c) => c.type)));
      reply.header('x-shuyuan-version', String(r.version));
      if (format === 'csv') {
        const lines = [columns.map((c) => csvCell(c.name)).join(','), ...r.rows.map((row) => row.map(csvCell).join(','))];
        return reply
          .type('text/csv; charset=utf-8')
          .header('content-disposition', `attachment; filename="${id}.csv"`)
          .send('\uFEFF' + lines.join('\r\n') + '\r\n');
      }
      return reply.type('application/json; charset=utf-8').send(
        JSON.stringify(
          r.rows.map((row) => {
            const o: Record<string, unknown> = {};
            columns.forEach((c, i) => Object.defineProperty(o, c.name, { value: row[i] ?? null, enumerable: true, writable: true }));
            return o;
          }),
        ),
      );
    },
  );
}
