// What search engines read of the public portal (issue 7 §1; docs/portal.md "SEO"): the SPA's index.html with the
// page's <title>, meta description, canonical link and a schema.org JSON-LD block written into <head> on the
// server; sitemap.xml (a sitemap index above 50,000 URLs) and robots.txt. Pure functions, unit tested.

/** HTML text and attribute values. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/**
 * JSON for an inline <script type="application/ld+json">: `<`, `>` and `&` (and U+2028/2029) as \u escapes, so
 * that metadata containing `</script>` or `<!--` cannot end the script element; JSON.parse reads it back unchanged.
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

export interface PageHead {
  title: string;
  description: string;
  /** Absolute URL. */
  canonical: string;
  lang: 'zh-CN' | 'en';
  jsonLd?: unknown;
  /** noindex for pages that must not be indexed (not found). */
  noindex?: boolean;
}

/** index.html with the page's head: its <title> replaced, the rest inserted before </head>. */
export function injectHead(template: string, head: PageHead): string {
  const tags = [
    `<meta name="description" content="${escapeHtml(head.description)}" />`,
    `<link rel="canonical" href="${escapeHtml(head.canonical)}" />`,
    `<meta property="og:title" content="${escapeHtml(head.title)}" />`,
    `<meta property="og:description" content="${escapeHtml(head.description)}" />`,
    `<meta property="og:url" content="${escapeHtml(head.canonical)}" />`,
    head.noindex ? '<meta name="robots" content="noindex" />' : '',
    head.jsonLd === undefined ? '' : `<script type="application/ld+json">${jsonForScript(head.jsonLd)}</script>`,
  ]
    .filter(Boolean)
    .join('\n    ');
  const title = `<title>${escapeHtml(head.title)}</title>`;
  let html = /<title>[\s\S]*?<\/title>/.test(template) ? template.replace(/<title>[\s\S]*?<\/title>/, () => title) : template;
  if (html === template && !template.includes(title)) html = html.replace('</head>', () => `    ${title}\n  </head>`);
  html = html.replace('</head>', () => `    ${tags}\n  </head>`);
  return html.replace(/<html lang="[^"]*"/, () => `<html lang="${head.lang}"`);
}

/** Shortens a description for the meta tag (search engines show ~160 characters). */
export function snippet(s: string, max = 160): string {
  const one = s.replace(/\s+/g, ' ').trim();
  return [...one].length > max ? [...one].slice(0, max - 1).join('') + '…' : one;
}

export interface DatasetLdInput {
  base: string;
  platformName: string;
  code: string;
  nameZh: string;
  nameEn: string;
  abstractZh: string;
  abstractEn: string;
  keywords: string[];
  license: string;
  org: { code: string; nameZh: string; nameEn: string };
  updatedAt: string;
  releaseDate: string | null;
  openMode: string;
  updateFrequency: string;
  /** The dataset (data plane) id when it has a published version; null: metadata only. */
  datasetId: string | null;
}

export const DOWNLOAD_FORMATS: Array<{ format: string; mime: string }> = [
  { format: 'csv', mime: 'text/csv' },
  { format: 'json', mime: 'application/json' },
  { format: 'xlsx', mime: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' },
  { format: 'parquet', mime: 'application/vnd.apache.parquet' },
];

/** The schema.org Dataset of a public dataset page. */
export function datasetJsonLd(d: DatasetLdInput): Record<string, unknown> {
  const url = `${d.base}/data/datasets/${encodeURIComponent(d.code)}`;
  const publisher = {
    '@type': 'GovernmentOrganization',
    name: d.org.nameZh,
    ...(d.org.nameEn ? { alternateName: d.org.nameEn } : {}),
    url: `${d.base}/data/departments/${encodeURIComponent(d.org.code)}`,
  };
  const open = d.openMode === 'unconditional';
  return {
    '@context': 'https://schema.org',
    '@type': 'Dataset',
    '@id': url,
    name: d.nameZh,
    ...(d.nameEn ? { alternateName: d.nameEn } : {}),
    description: d.abstractZh || d.nameZh,
    identifier: d.code,
    url,
    keywords: d.keywords,
    ...(d.license ? { license: d.license } : {}),
    creator: publisher,
    publisher,
    includedInDataCatalog: { '@type': 'DataCatalog', name: d.platformName, url: `${d.base}/data` },
    dateModified: d.updatedAt,
    ...(d.releaseDate ? { datePublished: d.releaseDate } : {}),
    inLanguage: 'zh-CN',
    isAccessibleForFree: true,
    ...(open ? {} : { conditionsOfAccess: '有条件开放：须在线申请并获批准后使用 (conditionally open: apply online; data after approval)' }),
    ...(open && d.datasetId
      ? {
          distribution: DOWNLOAD_FORMATS.map((f) => ({
            '@type': 'DataDownload',
            encodingFormat: f.mime,
            contentUrl: `${d.base}/api/datasets/${d.datasetId}/download?format=${f.format}`,
          })),
        }
      : {}),
  };
}

// ---------------------------------------------------------------------------------------------- sitemap

/** The sitemaps protocol's limit of URLs per file. */
export const SITEMAP_MAX_URLS = 50_000;

export interface SitemapUrl {
  loc: string;
  lastmod?: string;
}

const XML_HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n';
const NS = 'http://www.sitemaps.org/schemas/sitemap/0.9';

function xmlEscape(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!);
}

export function urlset(urls: SitemapUrl[]): string {
  const body = urls
    .map((u) => `  <url><loc>${xmlEscape(u.loc)}</loc>${u.lastmod ? `<lastmod>${xmlEscape(u.lastmod)}</lastmod>` : ''}</url>`)
    .join('\n');
  return `${XML_HEAD}<urlset xmlns="${NS}">\n${body}\n</urlset>\n`;
}

export function sitemapIndex(base: string, parts: number): string {
  const body = Array.from({ length: parts }, (_, i) => `  <sitemap><loc>${xmlEscape(`${base}/sitemap-${i + 1}.xml`)}</loc></sitemap>`).join(
    '\n',
  );
  return `${XML_HEAD}<sitemapindex xmlns="${NS}">\n${body}\n</sitemapindex>\n`;
}

export function robotsTxt(base: string): string {
  return [
    'User-agent: *',
    'Allow: /data',
    'Allow: /resource/',
    'Disallow: /api/',
    'Disallow: /login',
    'Disallow: /data/developer',
    `Sitemap: ${base}/sitemap.xml`,
    '',
  ].join('\n');
}
