// Demo rows of the demo world (示范市): four published resources of four departments get a dataset with synthetic
// rows, so a newcomer opening a resource's 数据 page sees data, masked for other departments:
//   - 市场监管 登记注册处 市场主体登记信息 (enterprises: valid 统一社会信用代码; two versions, for history and diff),
//   - 人社 社会保险事业中心 社会保险参保登记信息 (people: valid 公民身份号码 whose birth date and sex match),
//   - 统计局 地区生产总值统计 (statistics by quarter and district, no personal information),
//   - 民政局 养老机构信息 (institutions, opened to the public, with a masked 联系电话).
// Every value comes from a seeded PRNG (src/modules/privacy/synthetic.ts): the same rows on every machine, none of
// them anyone's. The rows follow the resource's catalog fields (columns named by 中文名称, PII kinds and types as
// catalogued, the key a code-like field) and go through the real ingest (DatasetsService.ingestLocalFile:
// staging, inference, build, quality, atomic publish, ledger), without the job queue.
//
// Idempotent: a dataset that already has a current version is left alone; a resource missing from the catalog
// (another demo, or edited away) is skipped.
import fs from 'node:fs/promises';
import path from 'node:path';
import { sql } from 'kysely';
import type { AppContext } from '../../context.ts';
import { SYSTEM } from '../identity/actor.ts';
import { address, createRng, DISTRICT_NAMES, idNumber, int, mobile, personName, pick, type Rng } from '../privacy/synthetic.ts';
import { makeUscc, USCC_CHARSET } from '../privacy/uscc.ts';
import type { TableSchema } from './schema-infer.ts';

// ---------------------------------------------------------------------------------------------- the 示范市

/** 示范市 (990100) and its districts: 区 01–06, 县 21, the development zone 71 (GB/T 2260 practice). */
const CITY_CODE = '990100';
const DISTRICT_CODES: Record<string, string> = {
  东城区: '990101',
  西城区: '990102',
  新城区: '990103',
  滨江区: '990104',
  城南区: '990105',
  北湖区: '990106',
  示范县: '990121',
  高新区: '990171',
};
const DISTRICT_RE = new RegExp(`示范市(${DISTRICT_NAMES.join('|')})`);
/** The demo data describe the city as of these days (fixed, so the rows never depend on the clock). */
const AS_OF_V1 = '2025-06-30';
const AS_OF_V2 = '2025-07-31';

const DAY = 86_400_000;
const day = (iso: string) => Date.parse(`${iso}T00:00:00Z`);
const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);
/** A day in [from, to], `skew` > 1 favouring recent days. */
function dayBetween(rng: Rng, from: number, to: number, skew = 1): string {
  const span = Math.floor((to - from) / DAY);
  return isoDay(to - Math.floor(rng() ** skew * span) * DAY);
}

/** An address in 示范市 and the district it lies in. */
function located(rng: Rng): { address: string; district: string; code: string } {
  const a = address(rng);
  const district = DISTRICT_RE.exec(a)?.[1] ?? '东城区';
  return { address: a, district, code: DISTRICT_CODES[district] ?? CITY_CODE };
}

/** An 8-character organization-code body: numeric before the 2015 reform, `MA…` after. */
function orgBody(rng: Rng, modern: boolean): string {
  let s = modern ? 'MA' : String(int(rng, 1, 9));
  while (s.length < 8) s += modern && s.length < 4 ? USCC_CHARSET[int(rng, 0, USCC_CHARSET.length - 1)] : String(int(rng, 0, 9));
  return s;
}

/** Draws until `make` gives a value not seen before (names and codes are unique within a dataset). */
function unique<T, K = T>(seen: Set<K>, make: () => T, key: (v: T) => K = (v) => v as unknown as K): T {
  for (let tries = 0; tries < 10_000; tries++) {
    const v = make();
    const k = key(v);
    if (!seen.has(k)) {
      seen.add(k);
      return v;
    }
  }
  throw new Error('demo data: no unique value left to draw');
}

function weighted<T>(rng: Rng, choices: readonly (readonly [T, number])[]): T {
  const total = choices.reduce((s, [, w]) => s + w, 0);
  let x = rng() * total;
  for (const [v, w] of choices) if ((x -= w) < 0) return v;
  return choices[choices.length - 1]![0];
}

// ---------------------------------------------------------------------------------------------- rows

/** A row: values by catalog field code (text as it would stand in a department's export; null = empty cell). */
type Row = Record<string, string | null>;

const TRADE_NAMES = [
  '华信', '瑞丰', '鼎盛', '恒通', '嘉禾', '同舟', '远航', '汇智', '安康', '宏远', '博润', '启明', '金桥', '东方', '润泽', '天合',
  '中联', '永兴', '万达', '新元', '盛世', '和诚', '宝丰', '联创', '广源', '德信', '正阳', '海纳', '众诚', '星河', '蓝图', '锦程',
  '祥云', '长青', '明德', '利民', '泰和', '国信', '信达', '卓越', '智联', '晨光', '百川', '诚意', '兴业', '福润', '丰华', '聚力',
  '创新', '睿达', '云帆', '弘毅', '佳禾', '合力', '思远', '致远', '鸿运', '立达', '开元', '世纪',
] as const; // prettier-ignore

const INDUSTRIES: readonly (readonly [string, string])[] = [
  ['信息技术', '软件开发；信息技术咨询服务；信息系统集成服务；数据处理和存储支持服务'],
  ['科技', '技术服务、技术开发、技术咨询、技术交流、技术转让、技术推广；电子产品销售'],
  ['商贸', '日用百货销售；五金产品零售；服装服饰批发；食品销售（仅销售预包装食品）'],
  ['建设工程', '房屋建筑和市政基础设施项目工程总承包；建设工程施工；园林绿化工程施工'],
  ['物流', '普通货物仓储服务；国内货物运输代理；道路货物运输（不含危险货物）；装卸搬运'],
  ['餐饮管理', '餐饮服务；餐饮管理；食品销售；外卖递送服务'],
  ['医药', '药品零售；第二类医疗器械销售；保健食品（预包装）销售'],
  ['文化传媒', '文艺创作；组织文化艺术交流活动；广告设计、代理；会议及展览服务'],
  ['农业发展', '谷物种植；蔬菜种植；农产品的生产、销售、加工、运输、贮藏及其他相关服务'],
  ['环保科技', '环境保护专用设备销售；固体废物治理；水污染治理；大气污染治理'],
  ['新能源', '太阳能发电技术服务；储能技术服务；新能源汽车整车销售；充电桩销售'],
  ['机械制造', '通用设备制造（不含特种设备制造）；机械零件、零部件加工；金属加工机械制造'],
  ['食品', '食品生产；食品销售；农副产品销售；食用农产品初加工'],
  ['企业管理咨询', '企业管理咨询；信息咨询服务（不含许可类信息咨询服务）；市场调查（不含涉外调查）'],
];
const LICENSED = '（依法须经批准的项目，经相关部门批准后方可开展经营活动）';

/** Enterprise forms: name ending, 企业类型, weight. */
const FORMS: readonly (readonly [string, string, number])[] = [
  ['有限公司', '有限责任公司（自然人投资或控股）', 60],
  ['有限公司', '有限责任公司（自然人独资）', 15],
  ['有限责任公司', '有限责任公司（自然人投资或控股）', 6],
  ['股份有限公司', '股份有限公司（非上市、自然人投资或控股）', 6],
  ['经营部', '个人独资企业', 7],
  ['企业（有限合伙）', '有限合伙企业', 3],
  ['分公司', '有限责任公司分公司（自然人投资或控股）', 3],
];

function registrationAuthority(district: string): string {
  return district === '示范县'
    ? '示范县市场监督管理局'
    : district === '高新区'
      ? '示范市市场监督管理局'
      : `示范市${district}市场监督管理局`;
}

/** 市场主体登记信息: an enterprise established up to `asOf`. */
function enterprise(rng: Rng, names: Set<string>, codes: Set<string>, from: string, asOf: string): Row {
  const [ending, type] = weighted(
    rng,
    FORMS.map(([e, t, w]) => [[e, t], w] as const),
  );
  const place = located(rng);
  // 示范市 + 字号 + 行业 + 组织形式, or the district's name first, or the city in brackets after the trade (all in use).
  const { name, industry } = unique(
    names,
    () => {
      const trade = pick(rng, TRADE_NAMES);
      const [industry, scope] = pick(rng, INDUSTRIES);
      const style = rng();
      const head =
        style < 0.6 || (style >= 0.85 && !ending.endsWith('公司'))
          ? `示范市${trade}${industry}`
          : style < 0.85
            ? `示范市${place.district}${trade}${industry}`
            : `${trade}${industry}（示范市）`;
      const name =
        ending === '分公司'
          ? `示范市${trade}${industry}有限公司${place.district}分公司`
          : ending === '企业（有限合伙）'
            ? `示范市${trade}${industry}合伙企业（有限合伙）`
            : `${head}${ending}`;
      return { name, industry: [industry, scope] as const };
    },
    (v) => v.name,
  );
  const [, scope] = industry;
  const established = dayBetween(rng, day(from), day(asOf), 0.55);
  const code = unique(codes, () => makeUscc('91', place.code, orgBody(rng, established >= '2015-10-01')));
  const capital =
    type === '个人独资企业'
      ? pick(rng, [1, 3, 5, 10, 20, 50])
      : type.startsWith('股份')
        ? pick(rng, [1000, 2000, 5000, 10000, 20000])
        : rng() < 0.15
          ? Math.round(rng() * 300_000) / 100
          : pick(rng, [10, 30, 50, 100, 100, 200, 300, 500, 500, 1000, 2000, 5000]);
  const old = established < '2012-01-01';
  const status = weighted(rng, [
    ['存续', old ? 72 : 91],
    ['注销', old ? 14 : 6],
    ['吊销', old ? 11 : 2],
    ['迁出', 3],
  ]);
  return {
    tyshxydm: code,
    qymc: name,
    qylx: type,
    fddbr: personName(rng),
    // A branch has no registered capital of its own.
    zczb: ending === '分公司' ? null : Number.isInteger(capital) ? String(capital) : capital.toFixed(2),
    clrq: established,
    djjg: registrationAuthority(place.district),
    zs: place.address,
    jyfw: rng() < 0.6 ? scope + LICENSED : scope,
    djzt: status,
  };
}

/** 社会保险参保登记信息: a person enrolled in one insurance, with the employer for the employees' insurances. */
function enrolment(rng: Rng, ids: Set<string>, employers: string[]): Row {
  const birth = dayBetween(rng, day('1958-01-01'), day('2006-12-31'));
  const sex = rng() < 0.52 ? 'male' : 'female';
  const id = unique(ids, () => idNumber(rng, { birth: birth.replaceAll('-', ''), sex }));
  const insurance = weighted(rng, [
    ['企业职工基本养老保险', 45],
    ['城乡居民基本养老保险', 20],
    ['职工基本医疗保险', 15],
    ['城乡居民基本医疗保险', 10],
    ['失业保险', 5],
    ['工伤保险', 5],
  ]);
  const adult = Math.max(day(birth) + Math.round(18 * 365.25) * DAY, day('1998-01-01'));
  return {
    sfzh: id,
    xm: personName(rng),
    dwmc: insurance.startsWith('城乡居民') ? null : pick(rng, employers),
    xzlx: insurance,
    djrq: dayBetween(rng, adult, day(AS_OF_V1), 0.8),
    cbzt: weighted(rng, [
      ['参保缴费', 76],
      ['暂停缴费', 15],
      ['终止参保', 9],
    ]),
  };
}

/** 养老机构信息: a public welfare home (事业单位), a private non-profit (社会服务机构) or a company. */
function careHome(rng: Rng, names: Set<string>, codes: Set<string>): Row {
  const place = located(rng);
  const kind = weighted(rng, [
    ['public', 10],
    ['nonprofit', 70],
    ['company', 20],
  ] as const);
  const name = unique(names, () => {
    const trade = pick(rng, TRADE_NAMES);
    if (kind === 'public')
      return rng() < 0.3
        ? `示范市${place.district}社会福利院`
        : `示范市${place.district}${pick(rng, ['第一', '第二', '第三', '第四', '中心'])}敬老院`;
    if (kind === 'company') return `示范市${trade}${pick(rng, ['养老服务', '健康养老', '康养产业', '颐养服务'])}有限公司`;
    return `示范市${place.district}${trade}${pick(rng, ['养老院', '颐养院', '老年公寓', '康养中心', '护理院', '长者照护之家'])}`;
  });
  const prefix = kind === 'public' ? '12' : kind === 'nonprofit' ? '52' : '91';
  const code = unique(codes, () => makeUscc(prefix, place.code, orgBody(rng, kind !== 'public' && rng() < 0.8)));
  return {
    tyshxydm: code,
    dwmc: name,
    dz: place.address,
    cws: String(kind === 'public' ? int(rng, 60, 320) : kind === 'company' ? int(rng, 30, 600) : int(rng, 20, 260)),
    lxdh: mobile(rng),
  };
}

/** 地区生产总值统计: quarterly GDP (亿元) and its year-on-year growth (%) for the city and each district, 2015Q1–2025Q2. */
function gdpTable(rng: Rng): Row[] {
  // Growth of the city by year and quarter (the 2020 dip and the 2021 rebound included), shares of the districts.
  const growth: Record<number, number[]> = {
    2015: [7.9, 7.8, 7.6, 7.7], 2016: [7.4, 7.5, 7.4, 7.5], 2017: [7.3, 7.2, 7.1, 7.0], 2018: [7.0, 6.9, 6.7, 6.6],
    2019: [6.5, 6.4, 6.2, 6.1], 2020: [-6.5, 3.1, 4.9, 6.3], 2021: [18.1, 7.6, 4.8, 4.2], 2022: [4.6, 0.6, 3.8, 2.9],
    2023: [4.4, 6.1, 4.7, 5.1], 2024: [5.2, 4.6, 4.5, 5.3], 2025: [5.3, 5.1],
  }; // prettier-ignore
  const season = [0.22, 0.245, 0.25, 0.285];
  const share: Record<string, number> = {
    东城区: 0.14, 西城区: 0.13, 新城区: 0.1, 滨江区: 0.15, 城南区: 0.1, 北湖区: 0.08, 示范县: 0.1, 高新区: 0.2,
  }; // prettier-ignore
  const districts = Object.keys(share);
  // 2014 by district and quarter; each later quarter grows from the same quarter a year before.
  let prev = districts.map((d) => season.map((s) => 3650 * s * share[d]! * (0.97 + rng() * 0.06)));
  const rows: Row[] = [];
  for (let year = 2015; year <= 2025; year++) {
    const cur = districts.map((d, di) =>
      growth[year]!.map(
        (g, q) => prev[di]![q]! * (1 + (g + (d === '高新区' ? 1.5 : d === '北湖区' ? -0.8 : 0) + (rng() - 0.5) * 1.2) / 100),
      ),
    );
    growth[year]!.forEach((_, q) => {
      const label = `${year}-Q${q + 1}`;
      const city = cur.reduce((s, r) => s + r[q]!, 0);
      const cityBefore = prev.reduce((s, r) => s + r[q]!, 0);
      rows.push({ tjjd: label, zl: city.toFixed(2), zzl: ((city / cityBefore - 1) * 100).toFixed(1), xzqh: CITY_CODE });
      districts.forEach((d, di) =>
        rows.push({
          tjjd: label,
          zl: cur[di]![q]!.toFixed(2),
          zzl: ((cur[di]![q]! / prev[di]![q]! - 1) * 100).toFixed(1),
          xzqh: DISTRICT_CODES[d]!,
        }),
      );
    });
    // 2025 has two quarters: the other two carry over (never read again).
    prev = cur.map((r, di) => [...r, ...prev[di]!.slice(r.length)]);
  }
  return rows;
}

// ---------------------------------------------------------------------------------------------- the demo datasets

export interface DemoDataset {
  /** Provider organization code and resource name in the demo catalog. */
  org: string;
  nameZh: string;
  /** Field codes of the primary key. */
  key: string[];
  /** Rows of each version (the first is version 1). */
  versions(): Row[][];
}

/** Enterprises the person-level data names as employers (the same seeded draw as the registry's first rows). */
function enterprisesV1(): Row[] {
  const rng = createRng('demo:scjg:market-entities');
  const names = new Set<string>();
  const codes = new Set<string>();
  return Array.from({ length: 1000 }, () => enterprise(rng, names, codes, '1993-01-01', AS_OF_V1));
}

export const DEMO_DATASETS: DemoDataset[] = [
  {
    org: 'SCJG-DJ',
    nameZh: '市场主体登记信息',
    key: ['tyshxydm'],
    versions() {
      const v1 = enterprisesV1();
      // A month later: 30 new enterprises, 8 deregistered, 7 capital increases, 5 new legal representatives.
      const rng = createRng('demo:scjg:market-entities:2025-07');
      const names = new Set(v1.map((r) => r.qymc!));
      const codes = new Set(v1.map((r) => r.tyshxydm!));
      const v2 = v1.map((r) => ({ ...r }));
      const live = v2.filter((r) => r.djzt === '存续');
      const changed = new Set<Row>();
      const take = (pool: Row[]) => unique(changed, () => pick(rng, pool));
      for (let i = 0; i < 8; i++) take(live).djzt = '注销';
      for (let i = 0; i < 7; i++) {
        const r = take(live.filter((x) => x.zczb !== null));
        r.zczb = String(Math.round(Number(r.zczb) * 2));
      }
      for (let i = 0; i < 5; i++) {
        const r = take(live);
        r.fddbr = unique(new Set([r.fddbr ?? '']), () => personName(rng));
      }
      for (let i = 0; i < 30; i++) v2.push(enterprise(rng, names, codes, '2025-07-01', AS_OF_V2));
      return [v1, v2];
    },
  },
  {
    org: 'RS-SB',
    nameZh: '社会保险参保登记信息',
    key: ['sfzh'],
    versions() {
      const employers = enterprisesV1()
        .filter((r) => r.djzt === '存续')
        .map((r) => r.qymc!);
      const rng = createRng('demo:rs:insurance-enrolments');
      const ids = new Set<string>();
      return [Array.from({ length: 2000 }, () => enrolment(rng, ids, employers))];
    },
  },
  {
    org: 'TJ',
    nameZh: '地区生产总值统计',
    key: ['tjjd', 'xzqh'],
    versions: () => [gdpTable(createRng('demo:tj:gdp'))],
  },
  {
    org: 'MZ',
    nameZh: '养老机构信息',
    key: ['tyshxydm'],
    versions() {
      const rng = createRng('demo:mz:care-homes');
      const names = new Set<string>();
      const codes = new Set<string>();
      return [Array.from({ length: 240 }, () => careHome(rng, names, codes))];
    },
  },
];

// ---------------------------------------------------------------------------------------------- files and schema

interface CatalogField {
  code: string;
  nameZh: string;
  dataType: string;
  piiKind: string;
}

/** A value for a field the demo rows do not know (the catalog changed): by its PII kind and type. */
function fallback(rng: Rng, f: CatalogField): string | null {
  switch (f.piiKind) {
    case 'id_number':
      return idNumber(rng);
    case 'name':
      return personName(rng);
    case 'phone':
      return mobile(rng);
    case 'address':
      return address(rng);
    case 'credit_code':
      return makeUscc('91', CITY_CODE, orgBody(rng, true));
  }
  switch (f.dataType) {
    case 'integer':
      return String(int(rng, 0, 1000));
    case 'decimal':
      return (rng() * 1000).toFixed(2);
    case 'date':
      return dayBetween(rng, day('2015-01-01'), day(AS_OF_V1));
    case 'datetime':
      return `${dayBetween(rng, day('2015-01-01'), day(AS_OF_V1))} ${String(int(rng, 8, 17)).padStart(2, '0')}:${String(int(rng, 0, 59)).padStart(2, '0')}:00`;
    default:
      return null;
  }
}

function csvCell(v: string | null): string {
  if (v === null) return '';
  return /[",\r\n]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v;
}

/** The CSV a department would export: the catalog's fields in order, headed by their Chinese names. */
function toCsv(fields: CatalogField[], rows: Row[], rng: Rng): string {
  const lines = [fields.map((f) => csvCell(f.nameZh)).join(',')];
  for (const r of rows) lines.push(fields.map((f) => csvCell(f.code in r ? r[f.code]! : fallback(rng, f))).join(','));
  return lines.join('\n') + '\n';
}

const TYPES: Record<string, TableSchema['fields'][number]['type']> = { string: 'string', integer: 'integer', decimal: 'number' };

/**
 * The schema the provider would confirm: the inferred one with the catalog's PII kinds (none where the catalog says
 * none), the catalog's text, integer and decimal types (a 行政区划代码 of digits stays text), and the key.
 */
export function schemaFromCatalog(fields: CatalogField[], key: string[]) {
  const byName = new Map(fields.map((f) => [f.nameZh, f]));
  return (proposed: TableSchema): TableSchema => ({
    ...proposed,
    fields: proposed.fields.map((p) => {
      const f = byName.get(p.source ?? p.name);
      if (!f) return p;
      const hints = { ...p['x-shuyuan']! };
      if (f.piiKind && f.piiKind !== 'none') hints.piiKind = f.piiKind;
      else delete hints.piiKind;
      const type = TYPES[f.dataType] ?? p.type;
      const { format, ...rest } = p;
      return { ...rest, ...(type === p.type && format !== undefined ? { format } : {}), type, 'x-shuyuan': hints };
    }),
    primaryKey: key.map((code) => fields.find((f) => f.code === code)?.nameZh).filter((n): n is string => !!n),
  });
}

// ---------------------------------------------------------------------------------------------- seed

export interface DatasetsSeedSummary {
  /** Datasets that got their rows in this run. */
  seeded: string[];
  /** Datasets whose rows could not be ingested (logged; tried again on the next start). */
  failed: string[];
  /** Versions published in this run. */
  versions: number;
  ms: number;
}

/** Seeds the demo datasets (idempotent). Call after the catalog seed. */
export async function seedDatasetsDemo(ctx: AppContext): Promise<DatasetsSeedSummary> {
  const t0 = performance.now();
  const summary: DatasetsSeedSummary = { seeded: [], failed: [], versions: 0, ms: 0 };
  const orgs = new Map((await ctx.identity.listOrgs(SYSTEM)).map((o) => [o.code, o.id]));
  const dir = path.join(ctx.datasets.scratchDir, 'seed');
  // Two processes starting at once on one database: the second waits here, then finds the versions published.
  await ctx.db.transaction().execute(async (tx) => {
    await sql`select pg_advisory_xact_lock(hashtext('shuyuan.datasets.seed'))`.execute(tx);
    try {
      for (const spec of DEMO_DATASETS) {
        const orgId = orgs.get(spec.org);
        if (!orgId) continue;
        const list = await ctx.catalog.list(SYSTEM, { orgId, status: ['published'], pageSize: 200 });
        const found = list.items.find((r) => r.nameZh === spec.nameZh && r.providerOrg.id === orgId);
        if (!found) continue;
        const existing = await ctx.datasets.repo.byResource(ctx.db, found.id);
        if (existing?.current_version) continue;
        const resource = await ctx.catalog.get(SYSTEM, found.id);
        const fields: CatalogField[] = resource.fields.map((f) => ({
          code: f.code,
          nameZh: f.nameZh,
          dataType: f.dataType,
          piiKind: f.piiKind,
        }));
        const dataset = await ctx.datasets.ensureForResource(SYSTEM, resource.id);
        await fs.mkdir(dir, { recursive: true });
        const fillRng = createRng(`demo:fill:${resource.code}`);
        const versions = spec.versions();
        try {
          for (const [n, rows] of versions.entries()) {
            const fileName = `${resource.code}-${n === 0 ? AS_OF_V1 : AS_OF_V2}.csv`;
            const file = path.join(dir, fileName);
            await fs.writeFile(file, toCsv(fields, rows, fillRng));
            try {
              const done = await ctx.datasets.ingestLocalFile(SYSTEM, dataset.id, file, fileName, {
                confirm: schemaFromCatalog(fields, spec.key),
              });
              if (done.status !== 'published') throw new Error(`the ingest ended ${done.status}`);
              summary.versions++;
            } finally {
              await fs.rm(file, { force: true });
            }
          }
          summary.seeded.push(resource.code);
        } catch (e) {
          // The demo world stays usable without these rows (the failed ingest is on the dataset's page); the next
          // start tries again while the dataset has no version.
          summary.failed.push(resource.code);
          ctx.log.warn({ err: e, resource: resource.code }, 'demo dataset not seeded');
        }
      }
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });
  summary.ms = Math.round(performance.now() - t0);
  if (summary.versions) ctx.log.info({ datasets: summary.seeded, versions: summary.versions, ms: summary.ms }, 'demo datasets seeded');
  return summary;
}
