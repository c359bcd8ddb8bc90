// Demo data of the elements module (示范市): the standard data element registry with its sources cited, the
// catalog fields mapped to the elements, an authoritative source per element (一数一源) — which makes the
// other departments' copies repeated collection (e.g. 人社局 resources carrying 公民身份号码, whose source is
// 公安局's 常住人口基本信息) — one open conflict to arbitrate (民政局 claims 统一社会信用代码, held by 市场监管局),
// a responsibility list per department, demands in every status and a few negative-list entries.
//
// Idempotent: the registry is upserted by code; everything else happens once (when no responsibility item
// exists yet for a demo department). Runs after the catalog demo seed; without demo resources it seeds the
// registry only. Every object it creates is ledgered as the platform (SYSTEM, details.demo).
import { sql } from 'kysely';
import type { AppContext } from '../../context.ts';
import type { Tx } from '../../db/database.ts';
import { SYSTEM } from '../identity/actor.ts';
import type { ElementDataType, ElementRow, ResourceRef } from './repository.ts';

export interface ElementSeed {
  code: string;
  nameZh: string;
  nameEn: string;
  definitionZh: string;
  definitionEn: string;
  dataType: ElementDataType;
  format: string;
  pattern: string | null;
  standardRef: string;
  /** Field names (catalog_fields.name_zh) that mean this element. */
  synonyms: string[];
  /** The demo source: organization code and resource name, with the basis of the designation. */
  source?: { org: string; resource: string; basis: string };
}

/** The standard data elements of the demo registry, each citing the standard or regulation that defines it. */
export const ELEMENT_SEEDS: ElementSeed[] = [
  {
    code: 'DE-RK-0001',
    nameZh: '公民身份号码',
    nameEn: 'Citizen identification number',
    definitionZh: '每个公民唯一的、终身不变的法定号码，由十七位数字本体码和一位校验码组成。',
    definitionEn: 'The unique, lifelong statutory number of a citizen: a 17-digit body and one check character.',
    dataType: 'string',
    format: 'c18',
    pattern: '^[0-9]{17}[0-9X]$',
    standardRef: 'GB 11643-1999《公民身份号码》',
    synonyms: ['身份证号码', '身份号码', '证件号码'],
    source: {
      org: 'GA-RK',
      resource: '常住人口基本信息',
      basis: '《中华人民共和国居民身份证法》第三条；公安机关负责户籍管理和公民身份号码编制',
    },
  },
  {
    code: 'DE-RK-0002',
    nameZh: '姓名',
    nameEn: 'Name',
    definitionZh: '在户籍管理部门正式登记注册、人事档案中正式记载的姓氏名称。',
    definitionEn: 'The surname and given name as registered by the household registration authority.',
    dataType: 'string',
    format: 'c..50',
    pattern: null,
    standardRef: 'GB/T 19488.2-2008《电子政务数据元 第2部分：公共数据元目录》',
    synonyms: [],
    source: { org: 'GA-RK', resource: '常住人口基本信息', basis: '《户口登记条例》；常住人口登记表为姓名的法定登记' },
  },
  {
    code: 'DE-RK-0003',
    nameZh: '性别',
    nameEn: 'Sex',
    definitionZh: '人的性别，采用人的性别代码（0 未知的性别，1 男性，2 女性，9 未说明的性别）。',
    definitionEn: 'Sex of a person, coded 0 unknown, 1 male, 2 female, 9 not stated.',
    dataType: 'code',
    format: 'n1',
    pattern: '^[0129]$',
    standardRef: 'GB/T 2261.1-2003《个人基本信息分类与代码 第1部分：人的性别代码》',
    synonyms: ['性别代码'],
    source: { org: 'GA-RK', resource: '常住人口基本信息', basis: '《户口登记条例》' },
  },
  {
    code: 'DE-RK-0004',
    nameZh: '出生日期',
    nameEn: 'Date of birth',
    definitionZh: '人出生的公历日期。',
    definitionEn: 'The Gregorian date on which a person was born.',
    dataType: 'date',
    format: 'YYYY-MM-DD',
    pattern: null,
    standardRef: 'GB/T 7408.1-2023《日期和时间 信息交换表示法 第1部分：基本原则》',
    synonyms: [],
    source: { org: 'GA-RK', resource: '常住人口基本信息', basis: '《户口登记条例》第七条（出生登记）' },
  },
  {
    code: 'DE-RK-0005',
    nameZh: '住址',
    nameEn: 'Registered address',
    definitionZh: '公民常住户口所在地的住址。',
    definitionEn: 'The address of a citizen’s permanent household registration.',
    dataType: 'string',
    format: 'c..200',
    pattern: null,
    standardRef: '《中华人民共和国居民身份证法》第三条（居民身份证登记项目：常住户口所在地住址）',
    synonyms: ['户籍地址', '户籍所在地'],
    source: { org: 'GA-RK', resource: '常住人口基本信息', basis: '《中华人民共和国居民身份证法》第三条' },
  },
  {
    code: 'DE-RK-0006',
    nameZh: '手机号码',
    nameEn: 'Mobile phone number',
    definitionZh: '公众移动通信网的用户号码（11 位）。',
    definitionEn: 'Subscriber number in a public mobile network (11 digits).',
    dataType: 'string',
    format: 'n11',
    pattern: '^1[3-9][0-9]{9}$',
    standardRef: '工业和信息化部《电信网编号计划（2017年版）》',
    synonyms: ['联系电话', '移动电话号码'],
  },
  {
    code: 'DE-RK-0007',
    nameZh: '社会保障号码',
    nameEn: 'Social security number',
    definitionZh: '个人社会保障号码，为公民身份号码。',
    definitionEn: 'The personal social security number, which is the citizen identification number.',
    dataType: 'string',
    format: 'c18',
    pattern: '^[0-9]{17}[0-9X]$',
    standardRef: '《中华人民共和国社会保险法》第五十八条',
    synonyms: [],
    source: { org: 'RS-SB', resource: '社会保险参保登记信息', basis: '《中华人民共和国社会保险法》第五十八条、第七十二条' },
  },
  {
    code: 'DE-RK-0008',
    nameZh: '医保卡号',
    nameEn: 'Medical insurance card number',
    definitionZh: '参保人员医疗保障凭证（社会保障卡、医保电子凭证）的卡号或个人医保编码。',
    definitionEn: 'Card number of the insured person’s medical insurance credential (social security card or e-credential).',
    dataType: 'string',
    format: 'c..32',
    pattern: null,
    standardRef: '国家医疗保障局 医疗保障信息业务编码标准（个人医保编码）',
    synonyms: ['医保编码'],
  },
  {
    code: 'DE-RK-0009',
    nameZh: '学籍号',
    nameEn: 'Student registration number',
    definitionZh: '全国中小学生学籍信息管理系统为学生分配的终身不变的学籍编号，以学生居民身份证号为主体生成。',
    definitionEn: 'Lifelong student number assigned by the national primary and secondary student registry, derived from the ID number.',
    dataType: 'string',
    format: 'c19',
    pattern: '^[GLJ][0-9]{17}[0-9X]$',
    standardRef: '教育部《中小学生学籍管理办法》（教基一〔2013〕7号）第六条',
    synonyms: ['全国学籍号'],
    source: { org: 'JY-XJ', resource: '中小学生学籍信息', basis: '《中小学生学籍管理办法》第四条、第六条' },
  },
  {
    code: 'DE-RK-0010',
    nameZh: '婚姻登记证号',
    nameEn: 'Marriage registration certificate number',
    definitionZh: '结婚证、离婚证的证件字号。',
    definitionEn: 'The number of a marriage or divorce certificate.',
    dataType: 'string',
    format: 'c..30',
    pattern: null,
    standardRef: '《婚姻登记条例》（国务院令第387号）；民政部《婚姻登记工作规范》',
    synonyms: ['结婚证字号', '离婚证字号'],
    source: { org: 'MZ-HY', resource: '婚姻登记信息', basis: '《婚姻登记条例》第二条' },
  },
  {
    code: 'DE-FR-0001',
    nameZh: '统一社会信用代码',
    nameEn: 'Unified social credit code',
    definitionZh:
      '法人和其他组织唯一的、终身不变的身份识别代码，由登记管理部门代码、机构类别代码、登记管理机关行政区划码、主体标识码和校验码组成。',
    definitionEn:
      'The unique, lifelong identification code of a legal person or other organization: registration authority, kind, division, body identifier and check character.',
    dataType: 'string',
    format: 'c18',
    pattern: '^[0-9A-HJ-NP-RTUWXY]{2}[0-9]{6}[0-9A-HJ-NP-RTUWXY]{10}$',
    standardRef: 'GB 32100-2015《法人和其他组织统一社会信用代码编码规则》',
    synonyms: ['社会信用代码'],
    source: {
      org: 'SCJG-DJ',
      resource: '市场主体登记信息',
      basis: '《中华人民共和国市场主体登记管理条例》第五条；市场监管部门为市场主体赋码',
    },
  },
  {
    code: 'DE-FR-0002',
    nameZh: '企业名称',
    nameEn: 'Enterprise name',
    definitionZh: '经企业登记机关登记的企业名称。',
    definitionEn: 'The name of an enterprise as registered by the business registration authority.',
    dataType: 'string',
    format: 'c..200',
    pattern: null,
    standardRef: '《企业名称登记管理规定》（国务院令第734号）',
    synonyms: ['市场主体名称'],
    source: { org: 'SCJG-DJ', resource: '市场主体登记信息', basis: '《企业名称登记管理规定》第三条' },
  },
  {
    code: 'DE-FR-0003',
    nameZh: '法定代表人',
    nameEn: 'Legal representative',
    definitionZh: '依照法律或者法人章程的规定，代表法人从事民事活动的负责人姓名。',
    definitionEn: 'Name of the person who represents a legal person under law or its articles.',
    dataType: 'string',
    format: 'c..50',
    pattern: null,
    standardRef: '《中华人民共和国民法典》第六十一条；《中华人民共和国市场主体登记管理条例》第八条',
    synonyms: ['法定代表人姓名'],
    source: { org: 'SCJG-DJ', resource: '市场主体登记信息', basis: '《中华人民共和国市场主体登记管理条例》第八条' },
  },
  {
    code: 'DE-ZR-0001',
    nameZh: '不动产单元号',
    nameEn: 'Real estate unit number',
    definitionZh: '不动产单元的唯一编码，28 位，由宗地（宗海）代码与定着物代码组成。',
    definitionEn: 'The unique 28-character code of a real estate unit: parcel (sea area) code plus fixture code.',
    dataType: 'string',
    format: 'c28',
    pattern: '^[0-9]{12}[A-Z]{2}[0-9]{5}[A-Z][0-9]{8}$',
    standardRef: 'GB/T 37346-2019《不动产单元设定与代码编制规则》',
    synonyms: ['不动产单元代码'],
    source: { org: 'ZRZY', resource: '不动产登记信息', basis: '《不动产登记暂行条例》第八条、第六条（不动产登记机构）' },
  },
  {
    code: 'DE-JT-0001',
    nameZh: '车牌号码',
    nameEn: 'Vehicle plate number',
    definitionZh: '机动车号牌上的号码，由省级简称、发牌机关代号和序号组成。',
    definitionEn: 'The number on a motor vehicle plate: province abbreviation, issuing office letter and serial.',
    dataType: 'string',
    format: 'c..10',
    pattern: null,
    standardRef: 'GA 36-2018《中华人民共和国机动车号牌》',
    synonyms: ['号牌号码', '机动车号牌号码'],
    source: { org: 'GA', resource: '机动车登记信息', basis: '《中华人民共和国道路交通安全法》第八条；公安机关交通管理部门负责机动车登记' },
  },
];

/** Field name (catalog_fields.name_zh) → element code: the names the demo catalog uses. */
export function elementFieldNames(): Map<string, string> {
  const m = new Map<string, string>();
  for (const e of ELEMENT_SEEDS) for (const n of [e.nameZh, ...e.synonyms]) if (!m.has(n)) m.set(n, e.code);
  return m;
}

/**
 * Field name → data element id for the demo catalog, after seeding the registry. The catalog demo seed can
 * set `elementId` on its fields from this map when it creates them (run `seedElementRegistry` first), so
 * that the mapping is part of their first version and of pending revisions; seedElementsDemo then finds
 * nothing left to map.
 */
export async function demoElementIdsByFieldName(ctx: AppContext, tx?: Tx): Promise<Map<string, string>> {
  const run = async (t: Tx) => {
    await seedElementRegistry(ctx, t);
    const out = new Map<string, string>();
    for (const [name, code] of elementFieldNames()) {
      const e = await ctx.elements.repo.getElementByCode(t, code);
      if (e) out.set(name, e.id);
    }
    return out;
  };
  return tx ? run(tx) : ctx.db.transaction().execute(run);
}

const DEPT_BASIS: Record<string, string> = {
  GA: '《中华人民共和国居民身份证法》《户口登记条例》',
  SCJG: '《中华人民共和国市场主体登记管理条例》《企业信息公示暂行条例》',
  RS: '《中华人民共和国社会保险法》《中华人民共和国就业促进法》',
  WJ: '《中华人民共和国基本医疗卫生与健康促进法》《医疗机构管理条例》',
  JT: '《中华人民共和国道路运输条例》',
  ZRZY: '《不动产登记暂行条例》《中华人民共和国测绘法》',
  TJ: '《中华人民共和国统计法》',
  JY: '《中华人民共和国教育法》《中小学生学籍管理办法》',
  MZ: '《婚姻登记条例》《社会团体登记管理条例》《社会救助暂行办法》',
  ZJ: '《住房公积金管理条例》《中华人民共和国城市房地产管理法》',
};

interface DemandSeed {
  by: string;
  target: string | null;
  title: string;
  description: string;
  neededFields: string[];
  purpose: string;
  created: string;
  /** Final status; answered/closed/rejected get a reply after `days` calendar days. */
  status: 'open' | 'answered' | 'closed' | 'rejected';
  days?: number;
  reply?: string;
  resources?: string[];
}

const DEMANDS: DemandSeed[] = [
  {
    by: 'consumer',
    target: 'SCJG',
    title: '企业登记信息批量比对',
    description: '社会保险稽核需要按统一社会信用代码比对用人单位的登记状态，识别已注销仍在参保的单位。',
    neededFields: ['统一社会信用代码', '企业名称', '登记状态'],
    purpose: '社会保险稽核（《社会保险法》第八十二条）',
    created: '2025-03-03T09:30:00+08:00',
    status: 'answered',
    days: 4,
    reply: '市场主体登记信息已在共享目录发布（无条件共享），请按目录发起共享调用。',
    resources: ['市场主体登记信息'],
  },
  {
    by: 'consumer',
    target: 'GA',
    title: '死亡人口信息用于养老金领取资格认证',
    description: '按月比对死亡注销人员，及时停发基本养老保险待遇。',
    neededFields: ['公民身份号码', '姓名', '登记日期'],
    purpose: '养老保险待遇领取资格认证',
    created: '2025-04-07T10:00:00+08:00',
    status: 'closed',
    days: 9,
    reply: '已提供死亡人口注销信息核验接口，按有条件共享办理。',
    resources: ['死亡人口注销信息'],
  },
  {
    by: 'consumer',
    target: 'MZ',
    title: '低保对象名单用于就业援助',
    description: '对最低生活保障家庭中有劳动能力的成员开展就业援助。',
    neededFields: ['公民身份号码', '姓名', '家庭人口数'],
    purpose: '就业援助（《就业促进法》第五十二条）',
    created: '2025-05-12T14:00:00+08:00',
    status: 'answered',
    days: 13,
    reply: '可提供核验结果，不提供名单明细；请通过有条件共享申请。',
    resources: ['最低生活保障对象信息'],
  },
  {
    by: 'consumer',
    target: 'ZJ',
    title: '住房公积金缴存信息',
    description: '核实灵活就业人员参保缴费能力。',
    neededFields: ['公民身份号码', '单位名称', '金额'],
    purpose: '灵活就业人员参保服务',
    created: '2025-11-03T09:00:00+08:00',
    status: 'open',
  },
  {
    by: 'company',
    target: 'SCJG',
    title: '经营异常名录数据接口',
    description: '为中小企业提供合作方信用风险提示服务，需要经营异常名录的开放接口。',
    neededFields: ['统一社会信用代码', '企业名称', '列入原因'],
    purpose: '企业信用风险提示（商业用途）',
    created: '2025-06-02T11:00:00+08:00',
    status: 'closed',
    days: 6,
    reply: '经营异常名录信息已无条件开放，可在开放门户下载或调用接口。',
    resources: ['经营异常名录信息'],
  },
  {
    by: 'public',
    target: 'JT',
    title: '公交线路与实时到站数据',
    description: '希望开放公交线路、站点及实时到站数据，便于开发出行应用。',
    neededFields: ['线路名称', '站点名称', '到站时间'],
    purpose: '便民出行服务',
    created: '2025-10-20T20:15:00+08:00',
    status: 'open',
  },
  {
    by: 'public',
    target: 'WJ',
    title: '开放居民电子健康档案',
    description: '希望开放居民电子健康档案用于健康研究。',
    neededFields: ['疾病诊断', '出生日期'],
    purpose: '健康研究',
    created: '2025-07-14T16:40:00+08:00',
    status: 'rejected',
    days: 5,
    reply: '居民电子健康档案属于敏感个人信息，依据《个人信息保护法》第二十八条不予开放；可关注已开放的卫生健康统计数据。',
  },
  {
    by: 'public',
    target: null,
    title: '全市新能源汽车充电桩位置数据',
    description: '希望开放公共充电桩的位置、功率和空闲状态。',
    neededFields: ['名称', '地址', '经度', '纬度'],
    purpose: '出行服务',
    created: '2025-11-10T08:45:00+08:00',
    status: 'open',
  },
];

const NEGATIVE: Array<{ org: string; resource: string; scope: 'share' | 'open' | 'both'; legalBasis: string; note: string }> = [
  {
    org: 'ZRZY-CH',
    resource: '1:500 高精度基础地理信息',
    scope: 'open',
    legalBasis: '《中华人民共和国测绘法》第三十四条；《中华人民共和国数据安全法》第二十一条（核心数据）',
    note: '属涉密测绘成果，仅限审批范围内单位在专网使用',
  },
  {
    org: 'GA',
    resource: '重点场所视频监控点位',
    scope: 'open',
    legalBasis: '《中华人民共和国数据安全法》第二十一条；涉及公共安全和关键基础设施',
    note: '',
  },
  {
    org: 'WJ-XX',
    resource: '居民电子健康档案',
    scope: 'open',
    legalBasis: '《中华人民共和国个人信息保护法》第二十八条（敏感个人信息：医疗健康）',
    note: '共享时仅提供核验结果或脱敏数据',
  },
];

export interface ElementsSeedSummary {
  created: boolean;
  elements: number;
  mappedFields: number;
  responsibilityItems: number;
  demands: number;
  negativeEntries: number;
  arbitrations: number;
}

/** Seeds the registry only (idempotent by element code). May run before the catalog seed. */
export async function seedElementRegistry(ctx: AppContext, tx?: Tx): Promise<number> {
  const run = async (t: Tx) => {
    await sql`select pg_advisory_xact_lock(hashtext('shuyuan.elements.seed'))`.execute(t);
    const repo = ctx.elements.repo;
    let n = 0;
    for (const s of ELEMENT_SEEDS) {
      if (await repo.getElementByCode(t, s.code)) continue;
      if (await repo.getElementByName(t, s.nameZh)) continue;
      const e = await repo.insertElement(t, {
        code: s.code,
        name_zh: s.nameZh,
        name_en: s.nameEn,
        definition_zh: s.definitionZh,
        definition_en: s.definitionEn,
        data_type: s.dataType,
        format: s.format,
        pattern: s.pattern,
        standard_ref: s.standardRef,
        synonyms: s.synonyms,
      });
      await ctx.ledger.append(t, {
        actor: SYSTEM,
        action: 'elements.create',
        objectType: 'data_element',
        objectId: e.id,
        details: { code: s.code, nameZh: s.nameZh, standardRef: s.standardRef, demo: true },
      });
      n++;
    }
    return n;
  };
  return tx ? run(tx) : ctx.db.transaction().execute(run);
}

/** Seeds the elements and lists demo (idempotent). Call after the catalog demo seed. */
export async function seedElementsDemo(ctx: AppContext): Promise<ElementsSeedSummary> {
  const summary: ElementsSeedSummary = {
    created: false,
    elements: 0,
    mappedFields: 0,
    responsibilityItems: 0,
    demands: 0,
    negativeEntries: 0,
    arbitrations: 0,
  };
  const orgs = new Map((await ctx.identity.listOrgs(SYSTEM)).map((o) => [o.code, o.id]));
  if (!orgs.has('GA') || !orgs.has('SCJG')) return summary; // not the demo world
  const svc = ctx.elements;
  const repo = svc.repo;

  return ctx.db.transaction().execute(async (tx) => {
    await sql`select pg_advisory_xact_lock(hashtext('shuyuan.elements.seed'))`.execute(tx);
    summary.elements = await seedElementRegistry(ctx, tx);
    const deptIds = Object.keys(DEPT_BASIS)
      .map((c) => orgs.get(c))
      .filter((x): x is string => !!x);
    if ((await repo.listResponsibilities(tx, deptIds)).length) return summary;

    const resources = await repo.allResources(tx);
    if (!resources.length) return summary; // no demo catalog: the registry is all there is to seed
    summary.created = true;
    const byName = (org: string, name: string): ResourceRef | undefined => {
      const orgId = orgs.get(org);
      return resources.find((r) => r.provider_org_id === orgId && r.name_zh === name);
    };
    const anyByName = (name: string) => resources.find((r) => r.name_zh === name);

    // 1. Map the catalog's fields to elements by name (fields the catalog already mapped stay as they are).
    const elements = new Map<string, ElementRow>();
    for (const s of ELEMENT_SEEDS) {
      const e = await repo.getElementByCode(tx, s.code);
      if (!e) continue;
      elements.set(s.code, e);
      summary.mappedFields += await repo.mapFieldsByName(tx, e.id, [s.nameZh, ...s.synonyms]);
    }

    // 2. One authoritative source per element (一数一源), designated by the authority with its basis.
    const now = new Date();
    for (const s of ELEMENT_SEEDS) {
      const e = elements.get(s.code);
      const r = s.source ? byName(s.source.org, s.source.resource) : undefined;
      if (!e || !r || e.authoritative_org_id) continue;
      const claim = await repo.insertClaim(tx, {
        element_id: e.id,
        org_id: r.provider_org_id,
        resource_id: r.id,
        basis: s.source!.basis,
        status: 'accepted',
        arbitration_id: null,
        claimed_by: null,
        decided_at: now,
      });
      elements.set(
        s.code,
        await repo.updateElement(tx, e.id, { authoritative_resource_id: r.id, authoritative_org_id: r.provider_org_id }),
      );
      await ctx.ledger.append(tx, {
        actor: SYSTEM,
        action: 'elements.claim',
        objectType: 'data_element',
        objectId: e.id,
        orgId: r.provider_org_id,
        details: { claimId: claim.id, resourceId: r.id, orgId: r.provider_org_id, outcome: 'accepted', basis: s.source!.basis, demo: true },
      });
    }

    // 3. One conflict: 民政局 (which codes social organizations) claims 统一社会信用代码, held by 市场监管局.
    const uscc = elements.get('DE-FR-0001');
    const social = byName('MZ', '社会组织登记信息');
    if (uscc?.authoritative_org_id && social && !(await repo.openArbitration(tx, uscc.id))) {
      const arbitration = await repo.insertArbitration(tx, uscc.id);
      const held = await repo.acceptedClaim(tx, uscc.id);
      if (held) await repo.setClaim(tx, held.id, { arbitration_id: arbitration.id });
      const basis =
        '《社会团体登记管理条例》《民办非企业单位登记管理暂行条例》；民政部门为社会组织赋统一社会信用代码（GB 32100-2015 登记管理部门代码 5）';
      const claim = await repo.insertClaim(tx, {
        element_id: uscc.id,
        org_id: social.provider_org_id,
        resource_id: social.id,
        basis,
        status: 'pending',
        arbitration_id: arbitration.id,
        claimed_by: null,
      });
      await ctx.notifications.notify(tx, {
        role: 'authority_admin',
        kind: 'elements.arbitration.opened',
        title: {
          zh: '数据元“统一社会信用代码”权威来源待仲裁',
          en: 'Authoritative source of “Unified social credit code” awaits arbitration',
        },
        body: {
          zh: '示范市民政局认领数据元“统一社会信用代码”的权威来源，与市场监督管理局冲突，请裁决。',
          en: 'The Civil Affairs Bureau claims to be the authoritative source of “Unified social credit code”, held by the Market Regulation Administration. Please decide.',
        },
        link: `/elements/arbitrations/${arbitration.id}`,
        email: false,
      });
      await ctx.ledger.append(tx, {
        actor: SYSTEM,
        action: 'elements.claim',
        objectType: 'data_element',
        objectId: uscc.id,
        orgId: social.provider_org_id,
        details: {
          claimId: claim.id,
          resourceId: social.id,
          orgId: social.provider_org_id,
          outcome: 'arbitration',
          arbitrationId: arbitration.id,
          basis,
          demo: true,
        },
      });
      summary.arbitrations++;
    }

    // 4. Responsibility list: per department, items for its first resources (by code) plus one item not yet
    //    catalogued — so the coverage report has backed and unbacked items.
    for (const [code, basis] of Object.entries(DEPT_BASIS)) {
      const deptId = orgs.get(code);
      if (!deptId) continue;
      const subtree = await ctx.authz.orgs.subtree(deptId);
      const own = resources
        .filter((r) => subtree.includes(r.provider_org_id) && r.status !== 'withdrawn')
        .sort((a, b) => a.code.localeCompare(b.code));
      const picks = own.filter((_, i) => i % 2 === 0).slice(0, 5);
      const items: Array<{ nameZh: string; nameEn: string; description: string; resources: string[] }> = picks.map((r) => ({
        nameZh: `${r.name_zh}共享`,
        nameEn: r.name_en ? `Share: ${r.name_en}` : '',
        description: `按职责向政务部门提供${r.name_zh}，支撑“高效办成一件事”等跨部门业务协同。`,
        resources: [r.id],
      }));
      items.push({
        nameZh: `${code === 'TJ' ? '部门统计调查数据' : '业务办理过程数据'}共享（待编目）`,
        nameEn: 'Business process data (not yet catalogued)',
        description: '职责范围内应当共享、尚未编目发布的数据，列入下一批编目计划。',
        resources: [],
      });
      for (const it of items) {
        const row = await repo.insertResponsibility(tx, {
          org_id: deptId,
          name_zh: it.nameZh,
          name_en: it.nameEn,
          description: it.description,
          legal_basis: basis,
          created_by: null,
        });
        await repo.setResponsibilityLinks(tx, row.id, it.resources);
        await ctx.ledger.append(tx, {
          actor: SYSTEM,
          action: 'lists.responsibility.create',
          objectType: 'responsibility_item',
          objectId: row.id,
          orgId: deptId,
          details: { nameZh: it.nameZh, resourceIds: it.resources, demo: true },
        });
        summary.responsibilityItems++;
      }
    }

    // 5. Demands in every status, with answer times in working days for the coverage report.
    const users = new Map<string, { id: string; orgId: string; kind: 'department' | 'public' }>();
    for (const username of new Set(DEMANDS.map((d) => d.by).concat('admin', 'provider'))) {
      const u = (await ctx.identity.listUsers(SYSTEM, { q: username, pageSize: 50 })).items.find((x) => x.username === username);
      if (!u) continue;
      const kind = (await ctx.authz.orgs.get(u.org.id))?.kind;
      users.set(username, {
        id: u.id,
        orgId: u.org.id,
        kind: kind && ['authority', 'department', 'unit'].includes(kind) ? 'department' : 'public',
      });
    }
    const admin = users.get('admin');
    for (const d of DEMANDS) {
      const u = users.get(d.by);
      if (!u) continue;
      const created = new Date(d.created);
      const responded = d.days !== undefined ? new Date(created.getTime() + d.days * 86_400_000) : null;
      const row = await repo.insertDemand(tx, {
        title: d.title,
        description: d.description,
        needed_fields: d.neededFields,
        purpose: d.purpose,
        raiser_kind: u.kind,
        raised_by: u.id,
        raiser_org_id: u.orgId,
        target_org_id: d.target ? (orgs.get(d.target) ?? null) : null,
        created_at: created,
      });
      const linked = (d.resources ?? []).map((n) => anyByName(n)?.id).filter((x): x is string => !!x);
      if (d.status !== 'open') {
        await repo.updateDemand(tx, row.id, {
          status: d.status,
          reply: d.reply ?? '',
          responded_by: (d.target === 'SCJG' ? users.get('provider') : admin)?.id ?? null,
          responded_at: responded,
          closed_at: d.status === 'closed' || d.status === 'rejected' ? new Date(responded!.getTime() + 2 * 86_400_000) : null,
        });
        await repo.addDemandLinks(tx, row.id, linked);
      }
      await ctx.ledger.append(tx, {
        actor: SYSTEM,
        action: 'lists.demand.create',
        objectType: 'demand',
        objectId: row.id,
        details: { title: d.title, status: d.status, targetOrgId: row.target_org_id, resourceIds: linked, demo: true },
      });
      summary.demands++;
    }

    // 6. Negative list.
    for (const n of NEGATIVE) {
      const r = byName(n.org, n.resource);
      if (!r || (await repo.activeNegativeFor(tx, r.id))) continue;
      const row = await repo.insertNegative(tx, {
        resource_id: r.id,
        scope: n.scope,
        legal_basis: n.legalBasis,
        note: n.note,
        added_by: admin?.id ?? null,
      });
      await ctx.ledger.append(tx, {
        actor: SYSTEM,
        action: 'lists.negative.add',
        objectType: 'negative_list_entry',
        objectId: row.id,
        details: { resourceId: r.id, scope: n.scope, legalBasis: n.legalBasis, demo: true },
      });
      summary.negativeEntries++;
    }
    return summary;
  });
}
