// The public portal's server side (issue 7 §1; docs/portal.md): what anonymous visitors see, gathered through the
// other modules' services as ANONYMOUS (the one visibility rule of the catalog and the gate apply), with short
// caches so that a burst of crawler or visitor traffic does not turn into one catalog read per request.
import type { AppContext } from '../../context.ts';
import { AppError, notFound } from '../../errors.ts';
import { ANONYMOUS, SYSTEM, type Role } from '../identity/actor.ts';
import { TtlCache } from '../../ttl-cache.ts';
import { dataCounts } from '../system/repository.ts';
import type { ResourceT } from '../catalog/schemas.ts';
import type { OrgT } from '../identity/schemas.ts';
import { SITEMAP_MAX_URLS, type SitemapUrl } from './seo.ts';
import './messages.ts';

/** Public pages change rarely; their metadata is kept this long (a withdrawn dataset disappears within it). */
export const PAGE_CACHE_MS = 10_000;
const LIST_CACHE_MS = 60_000;

/** Self-registered users join this organization (kind 'public'; created on first registration when missing). */
export const PUBLIC_ORG_CODE = 'PUBLIC';
const PUBLIC_ROLE: Role = 'public_user';
/** Names a self-registered user cannot take (they could be mistaken for the platform or its staff). */
const RESERVED_USERNAMES = new Set([
  'admin',
  'administrator',
  'root',
  'system',
  'sys',
  'support',
  'security',
  'auditor',
  'operator',
  'provider',
  'consumer',
  'public',
  'company',
  'anonymous',
  'shuyuan',
  'null',
  'undefined',
  'api',
  'data',
  'www',
  'webmaster',
]);
export const USERNAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{2,31}$/;

export interface PortalStats {
  datasets: number;
  rows: number;
  departments: number;
  topics: number;
  reads: number;
}
export interface DepartmentT {
  id: string;
  code: string;
  nameZh: string;
  nameEn: string;
  datasets: number;
}
export interface TopicT {
  code: string;
  nameZh: string;
  nameEn: string;
  datasets: number;
}
export interface DatasetPageT {
  resource: ResourceT;
  datasetId: string | null;
  version: number | null;
}

export class PortalWebService {
  readonly #pages = new TtlCache<string, DatasetPageT | null>(PAGE_CACHE_MS);
  readonly #lists = new TtlCache<string, unknown>(LIST_CACHE_MS, 100);

  constructor(private readonly ctx: AppContext) {}

  /** A public dataset page's data by resource code (null: no such dataset visible to the public). */
  datasetPage(code: string): Promise<DatasetPageT | null> {
    return this.#pages.get(code, async () => {
      let resource: ResourceT;
      try {
        resource = await this.ctx.catalog.getByCode(ANONYMOUS, code);
      } catch (e) {
        if (e instanceof AppError && e.status === 404) return null;
        throw e;
      }
      const d = await this.ctx.datasets.byResource(ANONYMOUS, resource.id).catch(() => null);
      return { resource, datasetId: d && d.current_version ? d.id : null, version: d?.current_version ?? null };
    });
  }

  /** The resource code of a public resource id (the portal redirects /data/datasets/<uuid> to the code URL). */
  async codeOf(id: string): Promise<string | null> {
    try {
      return (await this.ctx.catalog.get(ANONYMOUS, id)).code;
    } catch (e) {
      if (e instanceof AppError && e.status === 404) return null;
      throw e;
    }
  }

  private cached<T>(key: string, load: () => Promise<T>): Promise<T> {
    return this.#lists.get(key, load) as Promise<T>;
  }

  /** Departments with open data (any provider organization with at least one publicly visible resource). */
  departments(): Promise<DepartmentT[]> {
    return this.cached('departments', async () => {
      const [facets, orgs] = await Promise.all([
        this.ctx.search.search(ANONYMOUS, { page: 1, pageSize: 1, facets: true }),
        this.ctx.identity.listOrgs(SYSTEM),
      ]);
      const byId = new Map<string, OrgT>(orgs.map((o) => [o.id, o]));
      return facets.facets.org
        .map((f) => ({ f, o: byId.get(f.value) }))
        .filter((x): x is { f: (typeof facets.facets.org)[number]; o: OrgT } => !!x.o)
        .map(({ f, o }) => ({ id: o.id, code: o.code, nameZh: o.nameZh, nameEn: o.nameEn, datasets: f.count }))
        .sort((a, b) => b.datasets - a.datasets || a.code.localeCompare(b.code));
    });
  }

  async department(code: string): Promise<DepartmentT> {
    const d = (await this.departments()).find((x) => x.code === code);
    if (!d) throw notFound('PORTAL_DEPARTMENT_NOT_FOUND', { code }, { code });
    return d;
  }

  /** Topics: the catalog categories that public datasets fall in (subject or domain), with counts. */
  topics(): Promise<TopicT[]> {
    return this.cached('topics', async () => {
      const [facets, cats] = await Promise.all([
        this.ctx.search.search(ANONYMOUS, { page: 1, pageSize: 1, facets: true }),
        this.ctx.catalog.categories(),
      ]);
      const byCode = new Map(cats.map((c) => [c.code, c]));
      return facets.facets.category
        .filter((f) => byCode.has(f.value))
        .map((f) => ({ code: f.value, nameZh: byCode.get(f.value)!.nameZh, nameEn: byCode.get(f.value)!.nameEn, datasets: f.count }));
    });
  }

  /** The home page's counts. */
  stats(): Promise<PortalStats> {
    return this.cached('stats', async () => {
      const [browse, data, reads, deps, topics] = await Promise.all([
        this.ctx.search.search(ANONYMOUS, { page: 1, pageSize: 1, facets: false }),
        dataCounts(this.ctx.db),
        this.ctx.ledger.list({ action: 'dataset.read' }, 1, 1),
        this.departments(),
        this.topics(),
      ]);
      return { datasets: browse.total, rows: data.datasetRows, departments: deps.length, topics: topics.length, reads: reads.total };
    });
  }

  /**
   * Every public page for sitemap.xml: the portal home, departments, topics and each public dataset. Paths (the
   * base URL is prefixed per request), so a request with another Host header does not rebuild the list.
   */
  async sitemapUrls(base: string): Promise<SitemapUrl[]> {
    const paths = await this.cached('sitemap', async () => {
      const urls: SitemapUrl[] = [{ loc: '/data' }];
      for (const d of await this.departments()) urls.push({ loc: `/data/departments/${encodeURIComponent(d.code)}` });
      for (const t of await this.topics()) urls.push({ loc: `/data/topics/${encodeURIComponent(t.code)}` });
      const pageSize = 5000;
      for (let page = 1; ; page++) {
        const r = await this.ctx.catalog.list(ANONYMOUS, { page, pageSize, sort: 'code' });
        for (const it of r.items) urls.push({ loc: `/data/datasets/${encodeURIComponent(it.code)}`, lastmod: it.updatedAt.slice(0, 10) });
        if (r.items.length < pageSize) break;
      }
      return urls;
    });
    return paths.map((u) => ({ ...u, loc: base + u.loc }));
  }

  /** Sitemap files needed for `n` URLs. */
  static sitemapParts(n: number, max = SITEMAP_MAX_URLS): number {
    return Math.max(1, Math.ceil(n / max));
  }

  // ------------------------------------------------------------------------------------ registration

  private async publicOrgCode(): Promise<string> {
    const find = async () => (await this.ctx.identity.listOrgs(SYSTEM)).find((o) => o.code === PUBLIC_ORG_CODE && o.kind === 'public');
    if (await find()) return PUBLIC_ORG_CODE;
    try {
      await this.ctx.identity.createOrg(SYSTEM, { code: PUBLIC_ORG_CODE, nameZh: '社会公众', nameEn: 'The Public', kind: 'public' });
    } catch (e) {
      if (!(e instanceof AppError && e.code === 'ORG_CODE_TAKEN')) throw e;
    }
    if (!(await find())) throw new AppError(500, 'INTERNAL', {}, { reason: `organization ${PUBLIC_ORG_CODE} is not of kind public` });
    return PUBLIC_ORG_CODE;
  }

  /** Self-registration of a member of the public (role public_user in the PUBLIC organization). */
  async register(input: { username: string; displayName?: string; password: string }): Promise<{ id: string }> {
    const username = input.username.trim();
    if (!USERNAME_PATTERN.test(username) || RESERVED_USERNAMES.has(username.toLowerCase()))
      throw new AppError(400, 'REGISTER_USERNAME_INVALID', {}, { field: 'username' });
    const orgCode = await this.publicOrgCode();
    return this.ctx.identity.createUser(SYSTEM, {
      username,
      displayName: input.displayName?.trim() || username,
      password: input.password,
      roles: [PUBLIC_ROLE],
      orgCode,
    });
  }
}
