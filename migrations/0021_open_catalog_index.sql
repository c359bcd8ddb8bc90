-- The open catalog in code order (issue 7 §7, docs/portal-dcat.md): the DCAT-AP feed pages published open
-- resources by resource code (keyset cursor or page number), and the public catalog counts them. Measured on
-- 400,000 resources (181,842 open): a page by number deep in the catalog took 355–515 ms p50 without this index
-- (a scan and sort) and 12–18 ms with it; the count went from 180 ms to 14 ms.
create index catalog_resources_open_code_idx on catalog_resources (code) include (id)
  where status in ('published', 'updated') and open_mode in ('unconditional', 'conditional');
