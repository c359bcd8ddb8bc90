// Request and response schemas of the search routes.
import { Type } from 'typebox';
import { SORTS } from './repository.ts';

const FilterValues = (description: string) =>
  Type.Optional(Type.String({ maxLength: 4000, description: `${description}; several values separated by commas (any of them)` }));

export const SearchQuery = Type.Object({
  q: Type.Optional(
    Type.String({
      maxLength: 4000,
      description:
        'Words to find (Chinese or English); all must match, the last one as a prefix. Any character is allowed and taken as text (no query syntax).',
    }),
  ),
  org: FilterValues('Provider organization id'),
  category: FilterValues('Category code (subject or domain), e.g. FR, JTYS'),
  grade: FilterValues('Grade: core, important, general'),
  share: FilterValues('Share attribute: unconditional, conditional, none'),
  open: FilterValues('Open attribute: unconditional, conditional, none'),
  format: FilterValues('Format, e.g. csv, api'),
  frequency: FilterValues('Update frequency, e.g. monthly'),
  keyword: FilterValues('Keyword (exact)'),
  license: FilterValues('License (exact), e.g. CC-BY-4.0'),
  sort: Type.Optional(
    Type.Enum([...SORTS], {
      default: 'relevance',
      description: 'relevance (names above keywords above abstracts above field names), release (newest first), updated, popularity',
    }),
  ),
  page: Type.Integer({ minimum: 1, maximum: 1000, default: 1 }),
  pageSize: Type.Integer({ minimum: 1, maximum: 100, default: 20 }),
  facets: Type.Boolean({ default: true, description: 'false: skip the facet counts (faster; total is still given)' }),
});

const OrgRef = Type.Object({ id: Type.String(), nameZh: Type.String(), nameEn: Type.String() });
// A type list rather than anyOf: fast-json-stringify writes anyOf by running a validator on each value to pick the
// branch, and these are on every item of every page.
const NullableInteger = Type.Unsafe<number | null>({ type: ['integer', 'null'] });
const NullableString = (description: string) => Type.Unsafe<string | null>({ type: ['string', 'null'], description });

export const SearchItem = Type.Object({
  id: Type.String({ format: 'uuid' }),
  code: Type.String(),
  nameZh: Type.String(),
  nameEn: Type.String(),
  abstractZh: Type.String(),
  highlight: Type.Object(
    {
      name: Type.String({ description: 'Name (in the request language when available), HTML-escaped, matches in <mark>' }),
      abstract: Type.String({ description: 'Snippet of the abstract around the first match, HTML-escaped, matches in <mark>' }),
    },
    { description: 'Safe to insert as HTML: everything but the <mark> tags is escaped' },
  ),
  org: OrgRef,
  grade: Type.String(),
  gradeLevel: NullableInteger,
  shareMode: Type.String(),
  openMode: Type.String(),
  status: Type.String(),
  releaseDate: NullableString('YYYY-MM-DD'),
  updatedAt: Type.String({ format: 'date-time' }),
  popularity: Type.Integer(),
});

const FacetValues = Type.Array(Type.Object({ value: Type.String(), label: Type.String(), count: Type.Integer() }), {
  description: 'Counts over the results with every other filter applied (not this facet’s own), largest first',
});

export const SearchResult = Type.Object({
  items: Type.Array(SearchItem),
  total: Type.Integer(),
  page: Type.Integer(),
  pageSize: Type.Integer(),
  facets: Type.Object({
    org: FacetValues,
    category: FacetValues,
    grade: FacetValues,
    share: FacetValues,
    open: FacetValues,
    format: FacetValues,
    frequency: FacetValues,
    keyword: FacetValues,
    license: FacetValues,
  }),
});

export const SuggestQuery = Type.Object({
  q: Type.String({ maxLength: 4000, description: 'What the user has typed so far' }),
  limit: Type.Integer({ minimum: 1, maximum: 10, default: 10 }),
});

export const SuggestResult = Type.Object({
  items: Type.Array(
    Type.Object({ id: Type.String({ format: 'uuid' }), code: Type.String(), nameZh: Type.String(), nameEn: Type.String() }),
  ),
});
