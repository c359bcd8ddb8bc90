// Synthetic catalog for the search benchmark: N resources with realistic Chinese names, abstracts, keywords
// and fields, deterministic for a seed (mulberry32), bulk-loaded with multi-row INSERT … SELECT unnest(…)
// and search tokens precomputed by the search module's own tokenizer.
//
// Vocabulary: a municipal government's departments, districts, topics and kinds of records (below), the
// field names of typical government tables, and ~60,000 nouns/verbs from jieba's bundled dictionary (rare
// words: each appears in a few dozen resources).
//
// `npm run bench -- gen-catalog` measures generation + load of GEN_COUNT (default 100,000) resources into a
// fresh database and drops it; bench/search.ts uses loadCatalog() for its 400,000.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import pg from 'pg';
import { loadJieba, resourceVectors } from '../src/modules/search/tokenize.ts';

// ---------------------------------------------------------------------------------------------------------
// PRNG

export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

class Rng {
  next: () => number;
  constructor(seed: number) {
    this.next = mulberry32(seed);
  }
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
  pick<T>(list: readonly T[]): T {
    return list[Math.floor(this.next() * list.length)]!;
  }
  /** Zipf-like pick: early entries much more often. */
  skewed<T>(list: readonly T[], power = 2): T {
    return list[Math.floor(Math.pow(this.next(), power) * list.length)]!;
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  weighted<T>(entries: readonly (readonly [T, number])[]): T {
    const total = entries.reduce((s, e) => s + e[1], 0);
    let x = this.next() * total;
    for (const [v, w] of entries) if ((x -= w) < 0) return v;
    return entries[entries.length - 1]![0];
  }
  sample<T>(list: readonly T[], n: number): T[] {
    const out = new Set<T>();
    for (let guard = 0; out.size < Math.min(n, list.length) && guard < n * 10; guard++) out.add(this.pick(list));
    return [...out];
  }
  uuid(): string {
    const h = (n: number) => Array.from({ length: n }, () => Math.floor(this.next() * 16).toString(16)).join('');
    return `${h(8)}-${h(4)}-4${h(3)}-${'89ab'[this.int(0, 3)]}${h(3)}-${h(12)}`;
  }
}

// ---------------------------------------------------------------------------------------------------------
// Vocabulary

export const CITY = '示范市';
export const DISTRICTS = [
  '上城区',
  '下城区',
  '江干区',
  '拱墅区',
  '西湖区',
  '滨江区',
  '萧山区',
  '余杭区',
  '富阳区',
  '临安区',
  '临平区',
  '钱塘区',
  '桐庐县',
  '淳安县',
  '建德市',
  '高新区',
  '经开区',
  '东湖街道',
  '南山街道',
  '北塘镇',
];

/** Topics by category code (catalog_categories): [topic words, typical fields]. */
export const TOPICS: Record<string, { topics: string[]; fields: string[] }> = {
  RK: {
    topics: ['户籍人口', '常住人口', '流动人口', '出生登记', '死亡登记', '婚姻登记', '人口迁移', '居住证', '老年人口', '新生儿'],
    fields: ['姓名', '公民身份号码', '性别', '民族', '出生日期', '户籍地址', '现住址', '联系电话', '婚姻状况', '文化程度'],
  },
  FR: {
    topics: ['企业登记', '个体工商户', '法人单位', '社会组织', '事业单位', '企业变更', '企业注销', '股东信息', '经营范围', '年度报告'],
    fields: ['统一社会信用代码', '企业名称', '法定代表人', '注册资本', '成立日期', '登记机关', '住所', '经营范围', '企业类型', '登记状态'],
  },
  ZRKJ: {
    topics: ['地理国情', '土地利用', '基础测绘', '遥感影像', '行政区划', '地名地址', '高程模型', '控制点'],
    fields: ['图斑编号', '地类名称', '面积', '经度', '纬度', '行政区划代码', '坐标系', '采集日期'],
  },
  DZZZ: {
    topics: ['营业执照', '身份证照', '驾驶证', '行驶证', '不动产权证书', '结婚证', '出生医学证明', '食品经营许可证', '排污许可证'],
    fields: ['证照编号', '证照名称', '持证主体', '持证主体代码', '发证机关', '发证日期', '有效期起', '有效期止', '证照状态'],
  },
  SHXY: {
    topics: ['信用评价', '失信被执行人', '行政处罚', '行政许可', '红黑名单', '信用承诺', '信用修复', '守信激励'],
    fields: ['主体名称', '统一社会信用代码', '处罚决定书文号', '处罚事由', '处罚依据', '处罚结果', '决定日期', '信用等级'],
  },
  HGJJ: {
    topics: ['地区生产总值', '固定资产投资', '社会消费品零售总额', '居民消费价格', '财政收支', '进出口贸易', '工业增加值', '就业人数'],
    fields: ['指标名称', '统计期', '指标值', '计量单位', '同比增长', '环比增长', '数据来源'],
  },
  SCJG: {
    topics: ['食品安全抽检', '特种设备', '产品质量监督', '价格监测', '消费投诉', '计量器具', '广告监测', '市场主体'],
    fields: ['检查对象', '检查日期', '检查结果', '抽检批次', '不合格项目', '处置措施', '投诉编号', '受理日期'],
  },
  SHBZ: {
    topics: ['社会保险参保', '养老保险', '医疗保险', '失业保险', '工伤认定', '最低生活保障', '就业登记', '职业技能培训'],
    fields: ['参保人姓名', '社会保障号码', '参保单位', '缴费基数', '缴费月份', '险种类型', '待遇类别', '发放金额'],
  },
  WSJK: {
    topics: ['医疗机构', '执业医师', '疫苗接种', '传染病监测', '卫生监督', '健康体检', '妇幼保健', '药品零售'],
    fields: ['机构名称', '机构代码', '床位数', '执业范围', '医师姓名', '接种日期', '疫苗名称', '报告日期'],
  },
  JTYS: {
    topics: ['公交线路', '公交站点', '地铁客流', '出租汽车', '网约车', '道路运输', '充电桩', '停车场', '交通流量', '公路养护'],
    fields: ['线路名称', '站点名称', '车辆号牌', '经营者', '客运量', '经度', '纬度', '泊位数', '采集时间', '道路名称'],
  },
  JYKY: {
    topics: ['学校名录', '学籍信息', '招生计划', '教师资格', '校外培训机构', '学前教育', '职业教育', '学位分配'],
    fields: ['学校名称', '学校代码', '办学类型', '在校生数', '教职工数', '学段', '所属学区', '招生人数'],
  },
  MZFW: {
    topics: ['养老机构', '社区服务', '殡葬服务', '慈善组织', '残疾人', '低保家庭', '地名管理', '志愿服务'],
    fields: ['机构名称', '床位数', '服务对象', '补贴标准', '登记日期', '联系人', '联系电话'],
  },
  ZFCX: {
    topics: ['商品房预售', '房屋租赁', '建筑施工许可', '物业管理', '住房公积金', '保障性住房', '老旧小区改造', '燃气管网'],
    fields: ['项目名称', '预售许可证号', '开发企业', '建筑面积', '套数', '合同编号', '缴存金额', '小区名称'],
  },
  TJXX: {
    topics: ['人口普查', '经济普查', '农业普查', '统计年鉴', '规模以上工业', '服务业统计', '能源消费', '住户调查'],
    fields: ['指标名称', '指标代码', '统计年度', '数值', '计量单位', '区划名称'],
  },
  GGAQ: {
    topics: ['治安管理', '消防检查', '交通违法', '道路交通事故', '危险化学品', '安全生产', '出入境', '视频监控点位'],
    fields: ['案件编号', '发生时间', '发生地点', '处理结果', '违法行为', '车辆号牌', '点位编号'],
  },
  ZRZY: {
    topics: ['不动产登记', '国有土地出让', '矿产资源', '林地资源', '规划许可', '耕地保护', '地质灾害隐患点'],
    fields: ['不动产单元号', '权利人', '坐落', '面积', '用途', '权利性质', '登记日期', '宗地代码'],
  },
  STHJ: {
    topics: ['空气质量', '水质监测', '噪声监测', '排污许可', '固体废物', '环境影响评价', '污染源', '碳排放'],
    fields: ['监测站点', '监测时间', 'PM2.5浓度', 'PM10浓度', '臭氧浓度', '水质类别', '排放口编号', '排放量'],
  },
  WHLY: {
    topics: ['旅游景区', '星级酒店', '文物保护单位', '公共图书馆', '演出场所', '旅行社', '非物质文化遗产', '体育场馆'],
    fields: ['景区名称', '景区等级', '地址', '开放时间', '接待人次', '门票价格', '联系电话'],
  },
  NYNC: {
    topics: ['农产品质量', '农业补贴', '家庭农场', '农民专业合作社', '耕地流转', '畜禽养殖', '农机购置', '农村集体资产'],
    fields: ['主体名称', '种植面积', '补贴金额', '品种', '产量', '所在村', '登记日期'],
  },
  YJGL: {
    topics: ['应急避难场所', '应急物资储备', '自然灾害', '安全生产许可', '危险源', '救援队伍', '防汛抗旱'],
    fields: ['场所名称', '容纳人数', '物资名称', '储备数量', '灾害类型', '发生时间', '经度', '纬度'],
  },
  CZJR: {
    topics: ['财政预算', '政府采购', '专项资金', '政府债务', '国有资产', '非税收入', '金融机构', '普惠金融'],
    fields: ['项目名称', '预算金额', '采购单位', '中标单位', '合同金额', '资金用途', '年度'],
  },
  ZWFW: {
    topics: ['政务服务事项', '办件信息', '一网通办', '12345热线', '好差评', '证明事项', '行政审批'],
    fields: ['事项名称', '事项编码', '办件编号', '申请人', '受理时间', '办结时间', '办理结果', '评价等级'],
  },
  JJFZ: {
    topics: ['重点项目', '招商引资', '营商环境', '高新技术企业', '专精特新', '产业园区', '数字经济'],
    fields: ['项目名称', '投资额', '建设地点', '开工日期', '企业名称', '所属行业', '产值'],
  },
};
export const CATEGORY_CODES = Object.keys(TOPICS);
export const BASE_CATEGORIES = ['RK', 'FR', 'ZRKJ', 'DZZZ', 'SHXY', 'HGJJ'];

const KINDS = ['信息', '数据', '名录', '清单', '统计表', '台账', '明细', '汇总表', '目录', '监测数据', '基本信息', '动态信息'];
const ABSTRACT_OPENERS = ['本数据集', '该资源', '本目录', '本数据资源'];
const PURPOSES = ['政务服务', '行政监管', '决策分析', '社会治理', '公共服务', '应急处置', '信用监管', '统计分析'];
const EN_TOPIC_WORDS = ['registry', 'statistics', 'records', 'monitoring', 'licence', 'inspection', 'directory', 'survey', 'list', 'data'];
export const FORMATS = ['CSV', 'XLSX', 'JSON', 'XML', 'API', 'SHP', 'PDF'];
const FREQUENCIES = [
  ['realtime', 3],
  ['daily', 10],
  ['weekly', 6],
  ['monthly', 25],
  ['quarterly', 15],
  ['half_yearly', 6],
  ['yearly', 25],
  ['irregular', 10],
] as const;
const STATUSES = [
  ['published', 70],
  ['updated', 8],
  ['deprecated', 5],
  ['draft', 5],
  ['submitted', 4],
  ['approved', 3],
  ['returned', 3],
  ['withdrawn', 2],
] as const;
const PII: Record<string, string> = {
  姓名: 'name',
  参保人姓名: 'name',
  医师姓名: 'name',
  公民身份号码: 'id_number',
  社会保障号码: 'id_number',
  联系电话: 'phone',
  现住址: 'address',
  户籍地址: 'address',
  车辆号牌: 'license_plate',
  统一社会信用代码: 'credit_code',
};
const DATA_TYPES: Record<string, string> = {
  面积: 'decimal',
  经度: 'decimal',
  纬度: 'decimal',
  注册资本: 'decimal',
  金额: 'decimal',
  日期: 'date',
  时间: 'datetime',
  数: 'integer',
  量: 'integer',
};

/** Extra departments (beyond the demo world's) that provide synthetic resources: [code, name]. */
export const EXTRA_DEPARTMENTS: Array<[string, string, string]> = [
  ['SWJ', '示范市税务局', 'Taxation Bureau'],
  ['YBJ', '示范市医疗保障局', 'Healthcare Security Bureau'],
  ['STJ', '示范市生态环境局', 'Ecology and Environment Bureau'],
  ['NYJ', '示范市农业农村局', 'Agriculture and Rural Affairs Bureau'],
  ['WLJ', '示范市文化广电旅游局', 'Culture, Radio, TV and Tourism Bureau'],
  ['YJJ', '示范市应急管理局', 'Emergency Management Bureau'],
  ['CZJ', '示范市财政局', 'Finance Bureau'],
  ['FGW', '示范市发展和改革委员会', 'Development and Reform Commission'],
  ['SWJU', '示范市商务局', 'Commerce Bureau'],
  ['SLJ', '示范市水利局', 'Water Resources Bureau'],
  ['CGJ', '示范市城市管理局', 'Urban Management Bureau'],
  ['SFJ', '示范市司法局', 'Justice Bureau'],
  ['TYJ', '示范市体育局', 'Sports Bureau'],
  ['KJJ', '示范市科学技术局', 'Science and Technology Bureau'],
  ['JXJ', '示范市经济和信息化局', 'Economy and Information Technology Bureau'],
  ['TYJR', '示范市退役军人事务局', 'Veterans Affairs Bureau'],
  ['LYJ', '示范市林业局', 'Forestry Bureau'],
  ['DAJ', '示范市档案馆', 'Municipal Archives'],
  ['ZWFWJ', '示范市政务服务管理办公室', 'Government Services Office'],
  ['RFB', '示范市人民防空办公室', 'Civil Air Defence Office'],
];

let dictWords: string[] | null = null;
/** 2–4 character Han nouns/verbs of moderate frequency from jieba's dictionary (the rare-word pool). */
export function dictionaryWords(): string[] {
  if (dictWords) return dictWords;
  const require = createRequire(import.meta.url);
  const file = path.join(path.dirname(require.resolve('@node-rs/jieba/package.json')), 'dict.txt');
  const out: string[] = [];
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    const [w, f, tag] = line.split(' ');
    if (!w || !f || !tag) continue;
    const freq = Number(f);
    if (!/^\p{Script=Han}{2,4}$/u.test(w) || freq < 5 || freq > 3000) continue;
    if (tag !== 'n' && tag !== 'vn' && tag !== 'nz' && tag !== 'v') continue;
    out.push(w);
  }
  dictWords = out;
  return out;
}

// ---------------------------------------------------------------------------------------------------------
// Generation

export interface GenOrg {
  id: string;
  code: string;
  nameZh: string;
}

export interface GenResource {
  id: string;
  code: string;
  providerOrgId: string;
  nameZh: string;
  nameEn: string;
  abstractZh: string;
  keywords: string[];
  subjectCategory: string;
  domainCategory: string;
  formats: string[];
  updateFrequency: string;
  shareMode: string;
  openMode: string;
  grade: string;
  gradeLevel: number | null;
  status: string;
  releaseDate: string | null;
  publishedAt: string | null;
  createdAt: string;
  updatedAt: string;
  popularity: number;
  fields: { nameZh: string; code: string; dataType: string; grade: string; gradeLevel: number | null; piiKind: string }[];
  searchTokens: string;
  searchNames: string;
}

const DOMAIN_CODES = CATEGORY_CODES.filter((c) => !BASE_CATEGORIES.includes(c));

function isoDate(t: number): string {
  return new Date(t).toISOString().slice(0, 10);
}

/** Deterministic resources i = from … to-1 for a seed (each resource depends only on seed and i). */
export function* generateResources(seed: number, from: number, to: number, orgs: GenOrg[]): Generator<GenResource> {
  const words = dictionaryWords();
  for (let i = from; i < to; i++) {
    const r = new Rng(seed * 1_000_003 + i);
    const org = orgs[i % orgs.length]!;
    const subject = r.chance(0.45) ? r.pick(BASE_CATEGORIES) : r.pick(DOMAIN_CODES);
    const domain = BASE_CATEGORIES.includes(subject) ? r.pick(DOMAIN_CODES) : subject;
    const vocab = TOPICS[subject]!;
    const topic = r.skewed(vocab.topics, 1.6);
    const kind = r.pick(KINDS);
    const district = r.chance(0.55) ? r.pick(DISTRICTS) : '';
    const year = r.chance(0.5) ? `${r.int(2015, 2024)}年` : '';
    const rare = r.sample(words, r.int(2, 5));
    const qualifier = r.chance(0.35) ? rare[0]! : '';
    const nameZh = `${district || (r.chance(0.3) ? CITY : '')}${year}${qualifier}${topic}${kind}`;
    const nameEn = r.chance(0.6) ? `${r.pick(EN_TOPIC_WORDS)} ${r.pick(EN_TOPIC_WORDS)} of ${subject.toLowerCase()} ${i}` : '';
    const fieldNames = r.sample(vocab.fields, r.int(3, Math.min(10, vocab.fields.length)));
    const freq = r.weighted(FREQUENCIES);
    const abstractZh =
      `${r.pick(ABSTRACT_OPENERS)}记录${district || CITY}${topic}相关的${kind}，包括${fieldNames.slice(0, 4).join('、')}等信息项，` +
      `由${org.nameZh}负责采集和维护，主要用于${r.pick(PURPOSES)}和${r.pick(PURPOSES)}。` +
      `内容涉及${rare.join('、')}等方面。` +
      (r.chance(0.5) ? `数据覆盖${year || '近年'}${r.pick(DISTRICTS)}等区域，按${freqZh(freq)}更新。` : '');
    const keywords = [...new Set([topic, ...r.sample(vocab.topics, 2), ...rare.slice(0, 2), r.pick(PURPOSES)])];
    const roll = r.next();
    const grade = roll < 0.03 ? 'core' : roll < 0.15 ? 'important' : 'general';
    const gradeLevel = grade === 'general' ? r.int(1, 4) : null;
    const shareMode =
      grade === 'core'
        ? r.pick(['conditional', 'none'])
        : r.weighted([
            ['unconditional', 55],
            ['conditional', 35],
            ['none', 10],
          ] as const);
    const openMode =
      grade === 'core'
        ? 'none'
        : grade === 'important' || gradeLevel === 4
          ? r.pick(['conditional', 'none'])
          : r.weighted([
              ['unconditional', 40],
              ['conditional', 25],
              ['none', 35],
            ] as const);
    const status = r.weighted(STATUSES);
    const created = Date.UTC(2016, 0, 1) + r.next() * (Date.UTC(2024, 11, 31) - Date.UTC(2016, 0, 1));
    const updated = created + r.next() * 200 * 86_400_000;
    const published = ['published', 'updated', 'deprecated', 'withdrawn'].includes(status);
    const fields = fieldNames.map((name, k) => {
      const pii = PII[name] ?? 'none';
      const dt = Object.entries(DATA_TYPES).find(([suffix]) => name.endsWith(suffix))?.[1] ?? 'string';
      const fg = pii === 'id_number' ? 4 : pii !== 'none' ? 3 : r.int(1, 2);
      return { nameZh: name, code: `f${k + 1}`, dataType: dt, grade: 'general', gradeLevel: fg, piiKind: pii };
    });
    const res: GenResource = {
      id: r.uuid(),
      // Unique whatever the seed: the sequence part is the resource number.
      code: `${subject}-${org.code}-${String(i + 1).padStart(6, '0')}`,
      providerOrgId: org.id,
      nameZh,
      nameEn,
      abstractZh,
      keywords,
      subjectCategory: subject,
      domainCategory: domain,
      formats: r.sample(FORMATS, r.int(1, 3)),
      updateFrequency: freq,
      shareMode,
      openMode,
      grade,
      gradeLevel,
      status,
      releaseDate: published ? isoDate(updated) : null,
      publishedAt: published ? new Date(updated).toISOString() : null,
      createdAt: new Date(created).toISOString(),
      updatedAt: new Date(updated).toISOString(),
      popularity: Math.floor(Math.pow(r.next(), 6) * 50_000),
      fields,
      searchTokens: '',
      searchNames: '',
    };
    const v = resourceVectors({
      code: res.code,
      names: [res.nameZh, res.nameEn],
      keywords: res.keywords,
      abstracts: [res.abstractZh],
      fieldNames: fields.map((f) => f.nameZh),
    });
    res.searchTokens = v.tokens;
    res.searchNames = v.names;
    yield res;
  }
}

function freqZh(f: string): string {
  return (
    {
      realtime: '实时',
      daily: '日',
      weekly: '周',
      monthly: '月',
      quarterly: '季度',
      half_yearly: '半年',
      yearly: '年',
      irregular: '不定期',
    }[f] ?? f
  );
}

// ---------------------------------------------------------------------------------------------------------
// Loading

/** Creates the extra departments (idempotent) and returns every department/unit that provides resources. */
export async function ensureOrgs(client: pg.ClientBase): Promise<GenOrg[]> {
  const { rows: root } = await client.query<{ id: string }>(
    `select id from organizations where kind = 'authority' order by created_at limit 1`,
  );
  for (const [code, nameZh, nameEn] of EXTRA_DEPARTMENTS) {
    await client.query(
      `insert into organizations (parent_id, code, name_zh, name_en, kind)
       select $1, $2::text, $3, $4, 'department' where not exists (select 1 from organizations where upper(code) = upper($2::text))`,
      [root[0]?.id ?? null, code, nameZh, `Shifan ${nameEn}`],
    );
  }
  const { rows } = await client.query<GenOrg>(
    `select id, code, name_zh as "nameZh" from organizations where kind in ('department', 'unit') and status = 'active' order by code`,
  );
  return rows;
}

const RES_COLS: [string, string][] = [
  ['id', 'uuid'],
  ['code', 'text'],
  ['provider_org_id', 'uuid'],
  ['name_zh', 'text'],
  ['name_en', 'text'],
  ['abstract_zh', 'text'],
  ['keywords', 'text'],
  ['subject_category', 'text'],
  ['domain_category', 'text'],
  ['formats', 'text'],
  ['update_frequency', 'text'],
  ['share_mode', 'text'],
  ['open_mode', 'text'],
  ['grade', 'text'],
  ['grade_level', 'int2'],
  ['status', 'text'],
  ['release_date', 'date'],
  ['published_at', 'timestamptz'],
  ['created_at', 'timestamptz'],
  ['updated_at', 'timestamptz'],
  ['popularity', 'int4'],
  ['search_tokens', 'text'],
  ['search_names', 'text'],
];

async function insertBatch(client: pg.ClientBase, batch: GenResource[]): Promise<void> {
  const cols: unknown[][] = RES_COLS.map(() => []);
  const f: unknown[][] = [[], [], [], [], [], [], [], []];
  for (const r of batch) {
    const v = [
      r.id,
      r.code,
      r.providerOrgId,
      r.nameZh,
      r.nameEn,
      r.abstractZh,
      r.keywords.join('\u001f'),
      r.subjectCategory,
      r.domainCategory,
      r.formats.join('\u001f'),
      r.updateFrequency,
      r.shareMode,
      r.openMode,
      r.grade,
      r.gradeLevel,
      r.status,
      r.releaseDate,
      r.publishedAt,
      r.createdAt,
      r.updatedAt,
      r.popularity,
      r.searchTokens,
      r.searchNames,
    ];
    v.forEach((x, k) => cols[k]!.push(x));
    r.fields.forEach((fl, k) => {
      f[0]!.push(r.id);
      f[1]!.push(k);
      f[2]!.push(fl.nameZh);
      f[3]!.push(fl.code);
      f[4]!.push(fl.dataType);
      f[5]!.push(fl.grade);
      f[6]!.push(fl.gradeLevel);
      f[7]!.push(fl.piiKind);
    });
  }
  const sel = RES_COLS.map(([name]) =>
    name === 'keywords' || name === 'formats'
      ? `string_to_array(${name}, E'\\x1f')`
      : name === 'search_tokens' || name === 'search_names'
        ? `${name}::tsvector`
        : name,
  );
  await client.query(
    `insert into catalog_resources (${RES_COLS.map((c) => c[0]).join(', ')}, revision_status)
     select ${sel.join(', ')}, case when status = 'updated' then 'draft' end
     from unnest(${RES_COLS.map(([, t], k) => `$${k + 1}::${t}[]`).join(', ')}) as t(${RES_COLS.map((c) => c[0]).join(', ')})`,
    cols,
  );
  await client.query(
    `insert into catalog_fields (resource_id, position, name_zh, code, data_type, grade, grade_level, pii_kind, share_mode, open_mode)
     select r, p, n, c, d, g, l, k, 'conditional', 'conditional'
     from unnest($1::uuid[], $2::int4[], $3::text[], $4::text[], $5::text[], $6::text[], $7::int2[], $8::text[]) as t(r, p, n, c, d, g, l, k)`,
    f,
  );
}

export interface LoadResult {
  count: number;
  fields: number;
  generateMs: number;
  insertMs: number;
  indexMs: number;
  totalMs: number;
}

/**
 * Loads `count` generated resources through `client` (the database OWNER: it drops and recreates the GIN
 * index around the load, as a bulk load should). Generation of the next batch overlaps the INSERT of the
 * previous one.
 */
export async function loadCatalog(
  client: pg.ClientBase,
  opts: { count: number; seed?: number; batch?: number; log?: (m: string) => void },
): Promise<LoadResult> {
  await loadJieba();
  const seed = opts.seed ?? 20240401;
  const batchSize = opts.batch ?? 5000;
  const log = opts.log ?? (() => undefined);
  const t0 = performance.now();
  const orgs = await ensureOrgs(client);
  await client.query('drop index if exists catalog_resources_search_idx');
  await client.query('drop index if exists catalog_resources_search_names_idx');
  let generateMs = 0;
  let insertMs = 0;
  let fields = 0;
  let pending: Promise<void> = Promise.resolve();
  for (let from = 0; from < opts.count; from += batchSize) {
    const g0 = performance.now();
    const batch = [...generateResources(seed, from, Math.min(opts.count, from + batchSize), orgs)];
    generateMs += performance.now() - g0;
    fields += batch.reduce((s, r) => s + r.fields.length, 0);
    const w0 = performance.now();
    await pending;
    insertMs += performance.now() - w0;
    const i0 = performance.now();
    pending = insertBatch(client, batch).then(() => {
      insertMs += performance.now() - i0;
    });
    if ((from / batchSize) % 10 === 9) log(`  … ${from + batch.length} resources`);
  }
  await pending;
  const x0 = performance.now();
  await client.query('create index catalog_resources_search_idx on catalog_resources using gin (search_tokens)');
  await client.query('create index catalog_resources_search_names_idx on catalog_resources using gin (search_names)');
  await client.query('analyze catalog_resources');
  await client.query('analyze catalog_fields');
  const indexMs = performance.now() - x0;
  return { count: opts.count, fields, generateMs, insertMs, indexMs, totalMs: performance.now() - t0 };
}

// ---------------------------------------------------------------------------------------------------------
// `npm run bench -- gen-catalog`

export async function run(): Promise<void> {
  const { benchDatabase } = await import('./search.ts');
  const count = Number(process.env.GEN_COUNT ?? 100_000);
  const db = await benchDatabase();
  try {
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      const r = await loadCatalog(client, { count, log: console.log });
      console.log(
        `${r.count} resources, ${r.fields} fields: generate+tokenize ${(r.generateMs / 1000).toFixed(1)} s, ` +
          `insert wait ${(r.insertMs / 1000).toFixed(1)} s, GIN index + analyze ${(r.indexMs / 1000).toFixed(1)} s, total ${(r.totalMs / 1000).toFixed(1)} s`,
      );
      const { rows } = await client.query(
        `select pg_size_pretty(pg_total_relation_size('catalog_resources')) as table, pg_size_pretty(pg_relation_size('catalog_resources_search_idx')) as gin`,
      );
      console.log(`catalog_resources ${rows[0].table} (with indexes), GIN ${rows[0].gin}`);
    } finally {
      await client.end();
    }
  } finally {
    await db.close();
  }
}
