// Measuring openness (issue 7 §9; docs/portal-openness.md): per dataset, an MQA-style metadata score and the
// 5-star level (score.ts); per portal, statistics of what is opened and how it is used, by department; and a
// self-evaluation organized like the Fudan 开放数林 index (readiness, platform, data, use, effect), every
// indicator computed from the platform's own records. All of it is public (the Opinions ask for openness to be
// measured and shown; 开放数林 rewards platforms that publish their figures).
import type { AppContext } from '../../context.ts';
import { notFound } from '../../errors.ts';
import type { Actor } from '../identity/actor.ts';
import { TtlCache } from '../../ttl-cache.ts';
import { formatName, mqa, stars, type DatasetFacts, type DistributionFacts, type MqaScore } from './score.ts';
import { OpennessRepository, type FactsRow } from './repository.ts';
import './messages.ts';

/** The platform's own forms of a published version (GET /api/datasets/:id/download?format=…, and the SODA API). */
const OWN_FILES: DistributionFacts[] = [
  { format: 'csv', hasDownloadUrl: true, reachable: true, hasMediaType: true, hasByteSize: false },
  { format: 'json', hasDownloadUrl: true, reachable: true, hasMediaType: true, hasByteSize: false },
  { format: 'xlsx', hasDownloadUrl: true, reachable: true, hasMediaType: true, hasByteSize: false },
  // The stored file: its size is known (dcat:byteSize); the others are encoded on the fly.
  { format: 'parquet', hasDownloadUrl: true, reachable: true, hasMediaType: true, hasByteSize: true },
  { format: 'api', hasDownloadUrl: false, reachable: true, hasMediaType: true, hasByteSize: false },
];
const MACHINE = new Set(['csv', 'json', 'xlsx', 'xls', 'xml', 'parquet', 'geojson', 'shp', 'api', 'rdf', 'ttl', 'jsonld']);
const NON_PROPRIETARY = new Set(['csv', 'json', 'xml', 'parquet', 'geojson', 'rdf', 'ttl', 'jsonld']);
const DAY = 86_400_000;
/** Statistics are recomputed at most this often (a whole-catalog pass). */
const STATS_TTL_MS = 60_000;

export function factsOf(r: FactsRow): DatasetFacts {
  const harvested = (r.harvested_formats ?? []).map((f) => ({
    format: f,
    hasDownloadUrl: true,
    // Harvested links are not checked here: unknown reachability earns no points.
    reachable: null,
    hasMediaType: false,
    hasByteSize: false,
  }));
  return {
    keywords: r.keywords,
    hasTheme: true,
    hasSpatial: r.spatial,
    hasTemporal: r.temporal,
    distributions: r.bytes !== null ? OWN_FILES : harvested,
    licence: r.license,
    hasAccessRights: true,
    hasContactPoint: r.contact,
    hasPublisher: true,
    hasRights: r.conditions,
    hasIssued: r.issued,
    hasModified: true,
    dcatConformant: true,
  };
}

export interface Figure {
  total: number;
  answered: number;
  overdue: number;
  answerRate: number | null;
  medianAnswerDays: number | null;
}
export interface Indicator {
  key: string;
  /** The measured value (a count, a share 0..1, days). */
  value: number | null;
  /** 0–100, or null when there is nothing to score yet (e.g. no applications decided). */
  score: number | null;
}
export interface Layer {
  key: 'readiness' | 'platform' | 'data' | 'use' | 'effect';
  score: number | null;
  indicators: Indicator[];
}

const share = (n: number, d: number) => (d > 0 ? n / d : null);
const pct = (x: number | null) => (x === null ? null : Math.round(x * 1000) / 10);
const mean = (xs: Array<number | null>) => {
  const v = xs.filter((x): x is number => x !== null);
  return v.length ? Math.round((v.reduce((s, x) => s + x, 0) / v.length) * 10) / 10 : null;
};

export class OpennessService {
  readonly repo = new OpennessRepository();
  readonly #cache = new TtlCache<'stats', Awaited<ReturnType<OpennessService['compute']>>>(STATS_TTL_MS, 1);

  constructor(private readonly ctx: AppContext) {}

  /** One dataset's score (404 unless the actor may see it, by the catalog's own rule; only open resources are scored). */
  async dataset(actor: Actor, resourceId: string): Promise<{ resourceId: string; mqa: MqaScore; stars: number }> {
    await this.ctx.catalog.getForRead(actor, resourceId);
    const row = await this.repo.facts(this.ctx.db, resourceId);
    if (!row) throw notFound('OPENNESS_NOT_OPEN', {}, { id: resourceId });
    const f = factsOf(row);
    return { resourceId, mqa: mqa(f), stars: stars(f) };
  }

  async stats() {
    return (await this.#cache.get('stats', () => this.compute())).stats;
  }

  async evaluation() {
    return (await this.#cache.get('stats', () => this.compute())).evaluation;
  }

  /** Forget the cached figures (tests, and after bulk changes). */
  refresh(): void {
    this.#cache.clear();
  }

  private async compute() {
    const db = this.ctx.db;
    const now = new Date();
    const [facts, departments, reads, months, apps, reports, readiness, feedback] = await Promise.all([
      this.repo.allFacts(db),
      this.repo.departmentCount(db),
      this.repo.readCounts(db, new Date(now.getTime() - 30 * DAY)),
      this.repo.readMonths(db, new Date(now.getFullYear() - 1, now.getMonth(), 1)),
      this.repo.applications(db),
      this.repo.usageReports(db),
      this.repo.readiness(db),
      this.ctx.feedback.stats(),
    ]);

    // Per dataset, then per department.
    type Acc = { unconditional: number; conditional: number; withData: number; rows: number; cells: number; mqa: number; datasets: number };
    const blank = (): Acc => ({ unconditional: 0, conditional: 0, withData: 0, rows: 0, cells: 0, mqa: 0, datasets: 0 });
    const byOrg = new Map<string, Acc>();
    const all = blank();
    const starCounts = [0, 0, 0, 0, 0, 0];
    let machine = 0;
    let openFormat = 0;
    let licensed = 0;
    let unconditionalWithData = 0;
    for (const r of facts) {
      const f = factsOf(r);
      const score = mqa(f).total;
      starCounts[stars(f)]!++;
      const names = f.distributions.map((d) => formatName(d.format));
      if (names.some((n) => MACHINE.has(n))) machine++;
      if (names.some((n) => NON_PROPRIETARY.has(n))) openFormat++;
      if (r.license.trim()) licensed++;
      if (r.open_mode === 'unconditional' && r.bytes !== null) unconditionalWithData++;
      let acc = byOrg.get(r.provider_org_id);
      if (!acc) byOrg.set(r.provider_org_id, (acc = blank()));
      for (const a of [all, acc]) {
        a.datasets++;
        a[r.open_mode]++;
        a.mqa += score;
        if (r.bytes !== null) {
          a.withData++;
          a.rows += Number(r.rows);
          a.cells += Number(r.rows) * (r.columns ?? 0);
        }
      }
    }
    const readsBy = new Map(reads.map((r) => [r.org_id ?? '', { downloads: Number(r.downloads), apiCalls: Number(r.api_calls) }]));
    const appsBy = new Map(apps.map((a) => [a.provider_org_id, a]));
    const fbBy = new Map(feedback.departments.filter((d) => d.org).map((d) => [d.org!.id, d]));
    const orgIds = new Set([...byOrg.keys(), ...appsBy.keys(), ...fbBy.keys()]);
    const emptyFigure: Figure = { total: 0, answered: 0, overdue: 0, answerRate: null, medianAnswerDays: null };
    const appFigure = (a: (typeof apps)[number] | undefined) => ({
      total: Number(a?.total ?? 0),
      approved: Number(a?.approved ?? 0),
      rejected: Number(a?.rejected ?? 0),
      pending: Number(a?.pending ?? 0),
      medianDecisionDays: a?.median_days === null || a?.median_days === undefined ? null : Math.round(a.median_days * 10) / 10,
    });
    const deptRows = [];
    for (const id of orgIds) {
      const o = await this.ctx.authz.orgs.get(id);
      if (!o) continue;
      const acc = byOrg.get(id) ?? blank();
      const rd = readsBy.get(id) ?? { downloads: 0, apiCalls: 0 };
      deptRows.push({
        org: { id, code: o.code, nameZh: o.nameZh, nameEn: o.nameEn },
        unconditional: acc.unconditional,
        conditional: acc.conditional,
        withData: acc.withData,
        rows: acc.rows,
        averageMqa: acc.datasets ? Math.round(acc.mqa / acc.datasets) : null,
        downloads30d: rd.downloads,
        apiCalls30d: rd.apiCalls,
        applications: appFigure(appsBy.get(id)),
        demands: fbBy.get(id)?.demands ?? emptyFigure,
        errorReports: fbBy.get(id)?.errorReports ?? emptyFigure,
      });
    }
    deptRows.sort((a, b) => b.unconditional + b.conditional - (a.unconditional + a.conditional) || a.org.code.localeCompare(b.org.code));
    const sumApps = appFigure({
      provider_org_id: '',
      total: String(apps.reduce((s, a) => s + Number(a.total), 0)),
      approved: String(apps.reduce((s, a) => s + Number(a.approved), 0)),
      rejected: String(apps.reduce((s, a) => s + Number(a.rejected), 0)),
      pending: String(apps.reduce((s, a) => s + Number(a.pending), 0)),
      median_days: null,
    });
    const decided = apps.filter((a) => a.median_days !== null);
    const medianDecision = decided.length
      ? decided.map((a) => a.median_days!).sort((x, y) => x - y)[Math.floor(decided.length / 2)]!
      : null;
    const downloads30d = [...readsBy.values()].reduce((s, r) => s + r.downloads, 0);
    const apiCalls30d = [...readsBy.values()].reduce((s, r) => s + r.apiCalls, 0);
    const averageMqa = all.datasets ? Math.round(all.mqa / all.datasets) : null;
    const opening = [...byOrg.values()].filter((a) => a.datasets > 0).length;

    const stats = {
      generatedAt: now.toISOString(),
      totals: {
        openDatasets: all.datasets,
        unconditional: all.unconditional,
        conditional: all.conditional,
        withData: all.withData,
        rows: all.rows,
        cells: all.cells,
        departmentsOpening: opening,
        departments,
        downloads30d,
        apiCalls30d,
        averageMqa,
        stars: starCounts,
        applications: { ...sumApps, medianDecisionDays: medianDecision === null ? null : Math.round(medianDecision * 10) / 10 },
        reuses: feedback.reuses,
      },
      demands: feedback.demands,
      errorReports: feedback.errorReports,
      months: months.map((m) => ({ month: m.month, downloads: Number(m.downloads), apiCalls: Number(m.api_calls) })),
      departments: deptRows,
    };

    // The self-evaluation: each indicator's value and a 0–100 score; a layer is the mean of its scored indicators.
    const reviewLimitDays = 14; // 10 working days ≈ two calendar weeks (openapply_settings.review_days default)
    const ind = (key: string, value: number | null, score: number | null): Indicator => ({
      key,
      value,
      score: score === null ? null : Math.max(0, Math.min(100, Math.round(score * 10) / 10)),
    });
    const answered = feedback.demands.answered + feedback.errorReports.answered;
    const asked = feedback.demands.total + feedback.errorReports.total;
    const layers: Layer[] = [
      {
        key: 'readiness',
        score: null,
        indicators: [
          ind('rulesCited', readiness.settings ? readiness.cited : null, pct(share(readiness.cited, readiness.settings))),
          ind('gradePolicy', readiness.gradeRules, readiness.gradeRules > 0 ? 100 : 0),
          ind('negativeList', readiness.negative, null),
          ind('departmentsOpening', share(opening, departments), pct(share(opening, departments))),
        ],
      },
      {
        key: 'platform',
        score: null,
        indicators: [
          ind('anonymousDownload', share(unconditionalWithData, all.unconditional), pct(share(unconditionalWithData, all.unconditional))),
          ind('apiCoverage', share(all.withData, all.datasets), pct(share(all.withData, all.datasets))),
          // DCAT-AP 3 (validated against the official shapes in the tests), the CKAN Action API, SODA queries, sitemap.
          ind('standardFeeds', 4, 100),
          ind(
            'applicationTimeliness',
            medianDecision,
            medianDecision === null ? null : medianDecision <= reviewLimitDays ? 100 : (reviewLimitDays / medianDecision) * 100,
          ),
          ind('feedbackAnswerRate', share(answered, asked), pct(share(answered, asked))),
        ],
      },
      {
        key: 'data',
        score: null,
        indicators: [
          ind('openDatasets', all.datasets, null),
          ind('capacity', all.cells, null),
          ind('effectiveDatasets', share(all.withData, all.datasets), pct(share(all.withData, all.datasets))),
          ind('machineReadable', share(machine, all.datasets), pct(share(machine, all.datasets))),
          ind('openFormat', share(openFormat, all.datasets), pct(share(openFormat, all.datasets))),
          ind('licensed', share(licensed, all.datasets), pct(share(licensed, all.datasets))),
          ind('metadataQuality', averageMqa, averageMqa === null ? null : (averageMqa / 405) * 100),
          ind(
            'threeStars',
            share(starCounts[3]! + starCounts[4]! + starCounts[5]!, all.datasets),
            pct(share(starCounts[3]! + starCounts[4]! + starCounts[5]!, all.datasets)),
          ),
        ],
      },
      {
        key: 'use',
        score: null,
        indicators: [
          ind('downloads30d', downloads30d, null),
          ind('apiCalls30d', apiCalls30d, null),
          ind(
            'applicationsApproved',
            share(sumApps.approved, sumApps.approved + sumApps.rejected),
            pct(share(sumApps.approved, sumApps.approved + sumApps.rejected)),
          ),
          ind('usageReports', share(reports.submitted, reports.due), pct(share(reports.submitted, reports.due))),
        ],
      },
      {
        key: 'effect',
        score: null,
        indicators: [
          ind('reuses', feedback.reuses, null),
          ind('demandsAnswered', feedback.demands.answerRate, pct(feedback.demands.answerRate)),
          ind('errorsAnswered', feedback.errorReports.answerRate, pct(feedback.errorReports.answerRate)),
        ],
      },
    ];
    for (const l of layers) l.score = mean(l.indicators.map((i) => i.score));
    const evaluation = { generatedAt: now.toISOString(), overall: mean(layers.map((l) => l.score)), layers };
    return { stats, evaluation };
  }
}
