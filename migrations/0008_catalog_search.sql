-- Catalog search (issue 4 §7): jieba tokens of each resource in a tsvector with a GIN index.
--
-- The application computes the tokens (src/modules/search/tokenize.ts: @node-rs/jieba search mode, letters
-- and digits only, lower-cased English with a plural stemmer) and writes the tsvector as a literal, so the
-- lexemes are exactly jieba's and PostgreSQL's text-search parser and locale never touch them. Weights:
-- A = code and names (plus the names' single Han characters), B = keywords, C = abstracts, D = field names.
-- The catalog recomputes the column inside every write transaction (SearchService.indexResource);
-- `shuyuan search reindex` rebuilds all of them.
alter table catalog_resources add column search_tokens tsvector not null default ''::tsvector;
comment on column catalog_resources.search_tokens is 'Search lexemes (jieba), weighted A names/code, B keywords, C abstracts, D field names; written by the search module.';

create index catalog_resources_search_idx on catalog_resources using gin (search_tokens);

-- Type-ahead: the words of the code and names only (no positions, no single characters). A weight-restricted
-- query on search_tokens ('交':*A) would have to recheck every row holding such a word in any part (the GIN
-- index does not keep weights); this small index answers "names with a word starting with …" by itself.
alter table catalog_resources add column search_names tsvector not null default ''::tsvector;
comment on column catalog_resources.search_names is 'Words of the code and names (jieba), for type-ahead; written by the search module.';
create index catalog_resources_search_names_idx on catalog_resources using gin (search_names);

-- Newest-first lists (the portal's landing page, sort=release|updated) walk these instead of sorting every
-- visible row. No index on popularity: views bump it on every read, and an indexed column would turn those
-- cheap HOT updates into new entries in every index of the table (the GIN above included).
create index catalog_resources_release_idx on catalog_resources (release_date desc nulls last, id);
create index catalog_resources_updated_idx on catalog_resources (updated_at desc, id);
