// Search routes: one endpoint for the internal catalog and the public portal (anonymous callers see the
// open catalog only), and type-ahead suggestions.
import type { App } from '../../http/app.ts';
import type { AppContext } from '../../context.ts';
import { pickLang } from '../../i18n/messages.ts';
import * as S from './schemas.ts';

export async function registerSearchRoutes(app: App, ctx: AppContext) {
  const { search, authz } = ctx;
  const object = { type: 'catalog' } as const;

  app.get(
    '/api/search/resources',
    {
      schema: {
        tags: ['search'],
        summary: 'Search the catalog: Chinese/English words, filters, facet counts, sort, highlighted snippets, pages',
        security: [],
        querystring: S.SearchQuery,
        response: { 200: S.SearchResult },
      },
    },
    async (req) => {
      await authz.authorize(req.actor, 'catalog.search', object);
      return search.search(req.actor, req.query, pickLang(req.headers['accept-language']));
    },
  );

  app.get(
    '/api/search/suggest',
    {
      schema: {
        tags: ['search'],
        summary: 'Type-ahead: up to 10 visible resources whose name has words starting with the input',
        security: [],
        querystring: S.SuggestQuery,
        response: { 200: S.SuggestResult },
      },
    },
    async (req) => {
      await authz.authorize(req.actor, 'catalog.search', object);
      return { items: await search.suggest(req.actor, req.query.q, req.query.limit) };
    },
  );
}
