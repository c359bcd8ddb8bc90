// Deterministic synthetic personal data for tests, demos and benchmarks: every identifier carries valid
// check digits, real dates and real region prefixes, so the recognizers take them for the real thing —
// and none of it is anyone's (addresses are in a fictional 示范市, names are random draws).
import { COMPOUND_SURNAMES, idCheck, luhnValid } from './recognizers.ts';
import { makeUscc, USCC_CHARSET } from './uscc.ts';

/** A PRNG: uniform in [0, 1). */
export type Rng = () => number;

/** mulberry32: small, fast, deterministic for a seed (not for secrets). A string seed is hashed (FNV-1a). */
export function createRng(seed: number | string): Rng {
  let a: number;
  if (typeof seed === 'string') {
    a = 0x811c9dc5;
    for (let i = 0; i < seed.length; i++) a = Math.imul(a ^ seed.charCodeAt(i), 0x01000193) >>> 0;
  } else a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function int(rng: Rng, min: number, max: number): number {
  return min + Math.floor(rng() * (max - min + 1));
}

export function pick<T>(rng: Rng, list: readonly T[]): T {
  return list[Math.floor(rng() * list.length)]!;
}

function digits(rng: Rng, n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += String(Math.floor(rng() * 10));
  return s;
}

const pad = (n: number, width: number) => String(n).padStart(width, '0');

/** County-level division codes (GB/T 2260) used for IDs and credit codes, with their names. */
export const DIVISIONS: readonly (readonly [string, string])[] = [
  ['110101', '北京市东城区'],
  ['110105', '北京市朝阳区'],
  ['110108', '北京市海淀区'],
  ['120101', '天津市和平区'],
  ['130102', '河北省石家庄市长安区'],
  ['140105', '山西省太原市小店区'],
  ['210102', '辽宁省沈阳市和平区'],
  ['230103', '黑龙江省哈尔滨市南岗区'],
  ['310101', '上海市黄浦区'],
  ['310115', '上海市浦东新区'],
  ['320102', '江苏省南京市玄武区'],
  ['320506', '江苏省苏州市吴中区'],
  ['330106', '浙江省杭州市西湖区'],
  ['340104', '安徽省合肥市蜀山区'],
  ['350203', '福建省厦门市思明区'],
  ['360102', '江西省南昌市东湖区'],
  ['370102', '山东省济南市历下区'],
  ['410105', '河南省郑州市金水区'],
  ['420106', '湖北省武汉市武昌区'],
  ['430104', '湖南省长沙市岳麓区'],
  ['440106', '广东省广州市天河区'],
  ['440305', '广东省深圳市南山区'],
  ['450103', '广西壮族自治区南宁市青秀区'],
  ['460105', '海南省海口市秀英区'],
  ['500103', '重庆市渝中区'],
  ['510104', '四川省成都市锦江区'],
  ['520102', '贵州省贵阳市南明区'],
  ['530102', '云南省昆明市五华区'],
  ['610113', '陕西省西安市雁塔区'],
  ['620102', '甘肃省兰州市城关区'],
  ['640104', '宁夏回族自治区银川市兴庆区'],
  ['650102', '新疆维吾尔自治区乌鲁木齐市天山区'],
];

/** An 18-digit 居民身份证号 born 1940–2008 (or `opts.birth` 'YYYYMMDD'), `opts.sex` via the sequence parity. */
export function idNumber(rng: Rng, opts: { birth?: string; sex?: 'male' | 'female'; region?: string } = {}): string {
  const region = opts.region ?? pick(rng, DIVISIONS)[0];
  let birth = opts.birth;
  if (!birth) {
    const day = new Date(Date.UTC(1940, 0, 1) + int(rng, 0, 25_000) * 86_400_000);
    birth = `${day.getUTCFullYear()}${pad(day.getUTCMonth() + 1, 2)}${pad(day.getUTCDate(), 2)}`;
  }
  let seq = int(rng, 0, 999);
  if (opts.sex) seq = (seq & ~1) + (opts.sex === 'male' ? 1 : 0);
  const first17 = region + birth + pad(seq, 3);
  return first17 + idCheck(first17);
}

/** A legacy 15-digit ID (born 1940–1999). */
export function idNumber15(rng: Rng): string {
  const day = new Date(Date.UTC(1940, 0, 1) + int(rng, 0, 21_900) * 86_400_000);
  return `${pick(rng, DIVISIONS)[0]}${pad(day.getUTCFullYear() % 100, 2)}${pad(day.getUTCMonth() + 1, 2)}${pad(day.getUTCDate(), 2)}${digits(rng, 3)}`;
}

/** A 统一社会信用代码: 91 (企业) mostly, some 11/12/52/92, a real division, a random organization code. */
export function uscc(rng: Rng): string {
  const kind = pick(rng, ['91', '91', '91', '91', '92', '11', '12', '52']);
  let body = '';
  for (let i = 0; i < 8; i++) body += i < 2 && rng() < 0.3 ? USCC_CHARSET[int(rng, 10, 30)] : String(int(rng, 0, 9));
  return makeUscc(kind, pick(rng, DIVISIONS)[0], body);
}

/** Number segments of the three mainland carriers (and the virtual ones) in use. */
// prettier-ignore
export const MOBILE_PREFIXES = [
  '130', '131', '132', '133', '134', '135', '136', '137', '138', '139', '145', '147', '150', '151', '152', '153',
  '155', '156', '157', '158', '159', '166', '170', '171', '173', '175', '176', '177', '178', '180', '181', '182',
  '183', '184', '185', '186', '187', '188', '189', '191', '193', '195', '196', '197', '198', '199',
] as const;

export function mobile(rng: Rng): string {
  return pick(rng, MOBILE_PREFIXES) + digits(rng, 8);
}

/** A Luhn-valid UnionPay-style card number: 62 + issuer digits, 16 or 19 digits. */
export function bankCard(rng: Rng): string {
  const length = rng() < 0.7 ? 16 : 19;
  const body = '62' + digits(rng, length - 3);
  for (let d = 0; d <= 9; d++) if (luhnValid(body + d)) return body + d;
  throw new Error('unreachable: one Luhn digit always fits');
}

const SURNAMES_BY_FREQUENCY =
  '王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤';
const GIVEN_CHARS =
  '伟芳娜敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂英华玉萍红玲芬燕彬鹏辉建国文斌宇浩凯健俊帆旭宁龙林欣怡佳琪涵雨萱梓轩思博昊天晨阳子豪一诺嘉怡梦瑶志鸿晓东海波丹婷雪梅秀云峰亮';

/** 2–4 Han characters: a surname (frequent ones more often, a few compound) and one or two given characters. */
export function personName(rng: Rng): string {
  const surname =
    rng() < 0.02 ? pick(rng, COMPOUND_SURNAMES) : SURNAMES_BY_FREQUENCY[Math.floor(rng() ** 2 * SURNAMES_BY_FREQUENCY.length)]!;
  const given = rng() < 0.3 ? 1 : 2;
  let s = surname;
  for (let i = 0; i < given; i++) s += pick(rng, [...GIVEN_CHARS]);
  return s;
}

const DISTRICTS = ['东城区', '西城区', '新城区', '高新区', '滨江区', '城南区', '北湖区', '示范县'];
const STREETS = ['人民', '解放', '建设', '和平', '中山', '文化', '新华', '光明', '胜利', '长江', '黄河', '学府'];
const SUBDISTRICTS = ['和平街道', '新华街道', '城关镇', '东湖街道', '桥西街道', '白沙镇'];

/** A 示范省示范市 address down to the door: 省/市/区/街道/路/号 (and often 栋/单元/室). */
export function address(rng: Rng): string {
  let s = `示范省示范市${pick(rng, DISTRICTS)}${pick(rng, SUBDISTRICTS)}${pick(rng, STREETS)}${pick(rng, ['路', '街', '大道'])}${int(rng, 1, 999)}号`;
  if (rng() < 0.6) s += `${int(rng, 1, 30)}栋${int(rng, 1, 6)}单元${int(rng, 1, 32)}${pad(int(rng, 1, 8), 2)}室`;
  return s;
}

export const DISTRICT_NAMES = DISTRICTS;

const PLATE_PROVINCES = '京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼';
const PLATE_LETTERS = 'ABCDEFGHJKLMNPQRSTUVWXYZ';

/** A license plate: ordinary (省 + letter + 5) or new-energy (省 + letter + D/F + 5). */
export function plate(rng: Rng): string {
  const head = pick(rng, [...PLATE_PROVINCES]) + pick(rng, [...PLATE_LETTERS]);
  if (rng() < 0.25) return head + pick(rng, ['D', 'F']) + pick(rng, [...PLATE_LETTERS, ...'0123456789']) + digits(rng, 4);
  let tail = '';
  for (let i = 0; i < 5; i++) tail += i < 2 && rng() < 0.3 ? pick(rng, [...PLATE_LETTERS]) : String(int(rng, 0, 9));
  return head + tail;
}

const TRADE_NAMES = ['华信', '瑞丰', '鼎盛', '恒通', '嘉禾', '同舟', '远航', '汇智', '安康', '宏远', '博润', '启明'];
const INDUSTRIES = ['科技', '商贸', '建设工程', '物流', '餐饮管理', '信息技术', '医药', '文化传媒', '农业发展', '环保'];

/** 示范市 + trade name + industry + form, e.g. 示范市瑞丰信息技术有限公司. */
export function company(rng: Rng): string {
  return `示范市${pick(rng, TRADE_NAMES)}${pick(rng, INDUSTRIES)}${pick(rng, ['有限公司', '有限责任公司', '股份有限公司'])}`;
}

/** An ordinary passport number (E + 8 digits, or E + letter + 7). */
export function passport(rng: Rng): string {
  return rng() < 0.5 ? 'E' + digits(rng, 8) : 'E' + pick(rng, [...'ABCDEFGHJKLMNPQRSTUVWXYZ']) + digits(rng, 7);
}

/** A 往来港澳通行证 (C + 8) or 港澳居民来往内地通行证 (H/M + 8) number. */
export function hkMacaoPermit(rng: Rng): string {
  return pick(rng, ['C', 'H', 'M']) + digits(rng, 8);
}

export function email(rng: Rng): string {
  const user = pick(rng, ['zhang', 'li', 'wang', 'chen', 'liu', 'user', 'info', 'admin']) + int(rng, 1, 9999);
  return `${user}@${pick(rng, ['example.com', 'example.cn', 'mail.example.org', 'demo.gov.cn'])}`;
}
