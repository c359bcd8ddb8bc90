// The DCAT-AP feed on a large catalog (issue 7 §7, docs/portal-dcat.md): time to serve one page of
// /catalog.ttl and /catalog.jsonld (the count, the page's SQL, the graph, the serialization) at the first, a
// middle and the last page by number (offset), and the middle page by the keyset cursor of a hydra:next link,
// anonymously. For bench/portal.ts, on a platform whose catalog is already loaded
// (bench/gen-catalog.ts loadCatalog, e.g. 400,000 resources): `await measureDcatPage({ baseUrl })`.

const pct = (xs: number[], p: number) => {
  const v = [...xs].sort((a, b) => a - b);
  return v[Math.min(v.length - 1, Math.max(0, Math.ceil((p / 100) * v.length) - 1))]!;
};

export interface DcatPageMeasure {
  total: number;
  pageSize: number;
  /** Per document ('ttl first', 'jsonld last', …): p50 and p95 in ms, response bytes. */
  rows: { doc: string; page: number; p50: number; p95: number; bytes: number }[];
}

export async function measureDcatPage(opts: { baseUrl: string; pageSize?: number; rounds?: number }): Promise<DcatPageMeasure> {
  const pageSize = opts.pageSize ?? 100;
  const rounds = opts.rounds ?? 10;
  const head = await fetch(`${opts.baseUrl}/catalog.ttl?pageSize=1`);
  if (head.status !== 200) throw new Error(`GET /catalog.ttl ${head.status}: ${(await head.text()).slice(0, 300)}`);
  const total = Number(/hydra:totalItems "(\d+)"/.exec(await head.text())?.[1] ?? NaN);
  const last = Math.max(1, Math.ceil(total / pageSize));
  const middle = Math.ceil(last / 2);
  // The middle page as a harvester reaches it: by the keyset cursor of the page before's hydra:next link.
  const before = await (await fetch(`${opts.baseUrl}/catalog.ttl?page=${middle - 1}&pageSize=${pageSize}`)).text();
  const cursor = /hydra:next <[^>]*[?&]after=([^>&]+)>/.exec(before)?.[1];
  const pages: [string, number, string][] = [
    ['first', 1, ''],
    ['middle', middle, ''],
    ['middle/next', middle, cursor ? `&after=${cursor}` : ''],
    ['last', last, ''],
  ];
  const rows: DcatPageMeasure['rows'] = [];
  for (const ext of ['ttl', 'jsonld'] as const) {
    for (const [name, page, extra] of pages) {
      const times: number[] = [];
      let bytes = 0;
      for (let i = 0; i < rounds + 2; i++) {
        const t0 = performance.now();
        const r = await fetch(`${opts.baseUrl}/catalog.${ext}?page=${page}&pageSize=${pageSize}${extra}`);
        const body = await r.arrayBuffer();
        const ms = performance.now() - t0;
        if (r.status !== 200) throw new Error(`GET /catalog.${ext} page ${page}: ${r.status}`);
        bytes = body.byteLength;
        if (i >= 2) times.push(ms); // two warm-up requests
      }
      rows.push({ doc: `${ext} ${name}`, page, p50: pct(times, 50), p95: pct(times, 95), bytes });
    }
  }
  return { total, pageSize, rows };
}
