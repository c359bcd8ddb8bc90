// Bulk import and export of the catalog: XLSX (exceljs) and CSV in the platform's Chinese-headed template.
//
// Template (GET /api/catalog/template.xlsx|csv): sheet 资源 (one row per resource), sheet 信息项 (one row per
// field, linked by 资源代码), sheet 允许值 (the dictionaries; the XLSX has drop-down lists pointing at them),
// sheet 填写说明 (every column, required or not, what it takes). The CSV is one table in "long" form: the
// resource columns followed by the field columns (信息项名称, 信息项代码, …), one row per field; the rows of one
// resource share its 资源代码 (later rows may leave the resource columns empty).
// Headers are matched ignoring case, spaces, '*', '_', '-' and brackets; the English header names and the
// API property names (nameZh, shareMode, …) are accepted too. Enumerations take the Chinese label, the English
// label or the API code (无条件共享 / Shared unconditionally / unconditional).
//
// Import (POST /api/catalog/import): the file type comes from its first bytes (an XLSX is a zip: "PK\x03\x04";
// a CSV is text: UTF-8 with or without BOM, UTF-16 with BOM, else GB18030/GBK). The WHOLE file is checked
// first — headers, then every row through the catalog service's own checks (CatalogService.prepareCreate:
// provider organization and permission, code format, validateResource with grading and the grade policy),
// duplicate codes in the file and in the database — and nothing is written unless every row is valid. Then
// all resources are inserted in ONE transaction as drafts, each indexed for search, with one ledger entry per
// resource ('catalog.resource.create', details.import = the file's SHA-256, like a resource created through
// the API) and one summary entry ('catalog.import': file hash, format, counts per organization) appended last.
//
// Export (GET /api/catalog/export.xlsx|csv): what the caller may see (the catalog's visibility rule), with the
// list endpoint's filters, read in one REPEATABLE READ snapshot and streamed; it is a valid import file.
// CSV cells starting with = + - @ (or a tab / carriage return) get a leading apostrophe against formula
// injection; the import removes exactly that apostrophe again.
import { createHash } from 'node:crypto';
import { PassThrough, Readable } from 'node:stream';
import ExcelJS from 'exceljs';
import { Compile } from 'typebox/compile';
import type { AppContext } from '../../context.ts';
import { AppError, badRequest, conflict } from '../../errors.ts';
import { translate, type Lang } from '../../i18n/messages.ts';
import { SafeWorkbookReader, type WorkbookReaderOptions } from '../../xlsx-reader.ts';
import { SYSTEM, type Actor } from '../identity/actor.ts';
import './messages.ts';
import {
  DATA_TYPES,
  IMPACT_DEGREES,
  IMPACT_OBJECTS,
  PII_KINDS,
  SHARE_MODES,
  STATUSES,
  UPDATE_FREQUENCIES,
  type FieldRow,
  type Grade,
  type ResourceInsert,
  type ResourceRow,
  type Status,
} from './repository.ts';
import { CreateResourceBody, FORMATS, type CreateResourceInput, type FieldInputT, type ResourceQueryT } from './schemas.ts';
import { dataToColumns, fieldRowToData, fieldsToInsert, rowToData, visibleSql, type PreparedResource } from './service.ts';

export const IMPORT_BODY_LIMIT = 50 * 1024 * 1024;
export const IMPORT_MAX_RESOURCES = 20_000;
export const IMPORT_MAX_ROWS = 500_000;
export const IMPORT_MAX_ERRORS = 1000;
export const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

const SHEET_RESOURCES = '资源';
const SHEET_FIELDS = '信息项';
const SHEET_DICT = '允许值';
const SHEET_HELP = '填写说明';

// ============================================================================================ dictionaries

type Pair = readonly [zh: string, en: string];
const SHARE_LABELS: Record<string, Pair> = {
  unconditional: ['无条件共享', 'Shared unconditionally'],
  conditional: ['有条件共享', 'Shared on conditions'],
  none: ['不予共享', 'Not shared'],
};
const OPEN_LABELS: Record<string, Pair> = {
  unconditional: ['无条件开放', 'Open unconditionally'],
  conditional: ['有条件开放', 'Open on conditions'],
  none: ['不予开放', 'Not open'],
};
const FREQUENCY_LABELS: Record<string, Pair> = {
  realtime: ['实时', 'Real time'],
  daily: ['每日', 'Daily'],
  weekly: ['每周', 'Weekly'],
  monthly: ['每月', 'Monthly'],
  quarterly: ['每季度', 'Quarterly'],
  half_yearly: ['每半年', 'Half-yearly'],
  yearly: ['每年', 'Yearly'],
  irregular: ['不定期', 'Irregular'],
};
const TYPE_LABELS: Record<string, Pair> = {
  string: ['字符型', 'String'],
  integer: ['整数型', 'Integer'],
  decimal: ['数值型', 'Decimal'],
  date: ['日期型', 'Date'],
  datetime: ['日期时间型', 'Date and time'],
  time: ['时间型', 'Time'],
  boolean: ['布尔型', 'Boolean'],
  binary: ['二进制', 'Binary'],
  geometry: ['空间几何', 'Geometry'],
  json: ['JSON', 'JSON'],
};
const PII_LABELS: Record<string, Pair> = {
  id_number: ['公民身份号码', 'ID number'],
  phone: ['电话号码', 'Phone number'],
  name: ['姓名', 'Name'],
  address: ['地址', 'Address'],
  email: ['电子邮箱', 'Email'],
  bank_card: ['银行账号', 'Bank card'],
  passport: ['护照号码', 'Passport'],
  license_plate: ['车牌号码', 'Licence plate'],
  credit_code: ['统一社会信用代码', 'Credit code'],
  none: ['无', 'None'],
};
const OBJECT_LABELS: Record<string, Pair> = {
  national_security: ['国家安全', 'National security'],
  economy: ['经济运行', 'Economy'],
  social_order: ['社会秩序', 'Social order'],
  public_interest: ['公共利益', 'Public interest'],
  organization_rights: ['组织权益', 'Organization rights'],
  personal_rights: ['个人权益', 'Personal rights'],
};
const DEGREE_LABELS: Record<string, Pair> = {
  particularly_serious: ['特别严重危害', 'Particularly serious'],
  serious: ['严重危害', 'Serious'],
  general: ['一般危害', 'General'],
};
const STATUS_LABELS: Record<Status, Pair> = {
  draft: ['草稿', 'Draft'],
  submitted: ['已提交', 'Submitted'],
  returned: ['已退回', 'Returned'],
  approved: ['已审核', 'Approved'],
  published: ['已发布', 'Published'],
  updated: ['修订中', 'Being revised'],
  deprecated: ['已停用', 'Deprecated'],
  withdrawn: ['已撤销', 'Withdrawn'],
};
const BOOL_LABELS: Record<string, Pair> = { true: ['是', 'Yes'], false: ['否', 'No'] };
const GRADE_VALUES: Array<{ grade: Grade; level: number | null; zh: string; en: string }> = [
  { grade: 'core', level: null, zh: '核心数据', en: 'Core' },
  { grade: 'important', level: null, zh: '重要数据', en: 'Important' },
  ...[1, 2, 3, 4].map((l) => ({ grade: 'general' as Grade, level: l, zh: `一般数据${l}级`, en: `General ${l}` })),
];
const EXTRA_ALIASES: Record<string, Record<string, string>> = {
  share: { 无条件: 'unconditional', 有条件: 'conditional', 不予: 'none', 不共享: 'none', 不予共享: 'none' },
  open: { 无条件: 'unconditional', 有条件: 'conditional', 不予: 'none', 不开放: 'none', 不予开放: 'none' },
  bool: { y: 'true', yes: 'true', '1': 'true', '√': 'true', 必填: 'true', n: 'false', no: 'false', '0': 'false', '×': 'false' },
  type: {
    字符: 'string',
    字符串: 'string',
    文本: 'string',
    整数: 'integer',
    数值: 'decimal',
    小数: 'decimal',
    日期: 'date',
    日期时间: 'datetime',
    时间: 'time',
    布尔: 'boolean',
  },
  frequency: { 每天: 'daily', 每月一次: 'monthly', 每年一次: 'yearly', 半年: 'half_yearly', 季度: 'quarterly' },
};

/** Case, width, spaces and decoration-insensitive key for headers and labels. */
export function norm(s: string): string {
  return s
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[\s*_\-()[\]（）【】:：]+/g, '');
}

function lookupOf(labels: Record<string, Pair>, extra: Record<string, string> = {}): Map<string, string> {
  const m = new Map<string, string>();
  for (const [code, [zh, en]] of Object.entries(labels)) {
    m.set(norm(code), code);
    m.set(norm(zh), code);
    m.set(norm(en), code);
  }
  for (const [k, v] of Object.entries(extra)) m.set(norm(k), v);
  return m;
}

const LOOKUP = {
  share: lookupOf(SHARE_LABELS, EXTRA_ALIASES.share),
  open: lookupOf(OPEN_LABELS, EXTRA_ALIASES.open),
  frequency: lookupOf(FREQUENCY_LABELS, EXTRA_ALIASES.frequency),
  type: lookupOf(TYPE_LABELS, EXTRA_ALIASES.type),
  pii: lookupOf(PII_LABELS),
  object: lookupOf(OBJECT_LABELS),
  degree: lookupOf(DEGREE_LABELS),
  bool: lookupOf(BOOL_LABELS, EXTRA_ALIASES.bool),
};

/** '一般数据3级', '一般3级', 'general 3', 'general-3', '核心数据', 'core', 'L3' … → grade and level; null when unreadable. */
export function parseGrade(s: string): { grade: Grade; gradeLevel: number | null } | null {
  const n = norm(s);
  if (!n) return null;
  if (/^(核心|核心数据|core)$/.test(n)) return { grade: 'core', gradeLevel: null };
  if (/^(重要|重要数据|important)$/.test(n)) return { grade: 'important', gradeLevel: null };
  const m = /^(?:一般|一般数据|general|l|level)?(?:第)?([1-4一二三四])?(?:级|level)?$/.exec(n);
  if (m && (m[1] || /^(一般|一般数据|general)$/.test(n))) {
    const d = m[1] ? '1一2二3三4四'.indexOf(m[1]) : 0;
    return { grade: 'general', gradeLevel: m[1] ? Math.floor(d / 2) + 1 : 1 };
  }
  return null;
}

function gradeLabel(grade: Grade, level: number | null): string {
  return grade === 'general' ? `一般数据${level ?? 1}级` : grade === 'core' ? '核心数据' : '重要数据';
}

// ============================================================================================ columns

type Kind =
  | 'text'
  | 'keywords'
  | 'formats'
  | 'share'
  | 'open'
  | 'frequency'
  | 'grade'
  | 'factors'
  | 'date'
  | 'category'
  | 'domain'
  | 'org'
  | 'status'
  | 'type'
  | 'pii'
  | 'int'
  | 'bool'
  | 'element';

export interface Column {
  key: string;
  zh: string;
  en: string;
  kind: Kind;
  required?: boolean;
  aliases?: string[];
  /** Header names in the CSV (field columns are prefixed there: 信息项代码 …). */
  csvZh?: string;
  csvEn?: string;
  /** Export only: read for information, ignored on import. */
  exportOnly?: boolean;
  note: Pair;
  width?: number;
}

export const RESOURCE_COLUMNS: Column[] = [
  {
    key: 'code',
    zh: '资源代码',
    en: 'Resource code',
    kind: 'text',
    required: true,
    width: 18,
    note: [
      '分类代码-机构代码-五位序号，如 FR-SCJG-00001；信息项工作表用它关联资源。选择“生成新代码”导入时仅作关联用',
      'category-org-sequence, e.g. FR-SCJG-00001; links the fields sheet. With "new codes" it only links rows',
    ],
  },
  {
    key: 'nameZh',
    zh: '资源名称',
    en: 'Name',
    kind: 'text',
    required: true,
    width: 24,
    note: ['必填，最多 200 字', 'Required, at most 200 characters'],
  },
  { key: 'nameEn', zh: '英文名称', en: 'English name', kind: 'text', width: 24, note: ['可选', 'Optional'] },
  {
    key: 'abstractZh',
    zh: '摘要',
    en: 'Abstract',
    kind: 'text',
    required: true,
    aliases: ['资源摘要'],
    width: 40,
    note: ['必填，最多 4000 字', 'Required, at most 4000 characters'],
  },
  { key: 'abstractEn', zh: '英文摘要', en: 'English abstract', kind: 'text', width: 30, note: ['可选', 'Optional'] },
  {
    key: 'provider',
    zh: '提供部门代码',
    en: 'Provider org code',
    kind: 'org',
    aliases: ['提供部门', '提供方', '提供单位代码', 'providerOrgCode', 'providerOrg'],
    width: 14,
    note: [
      '机构代码（见“允许值”）；留空为导入人所在机构。部门经办人只能填本机构及下属单位',
      'Organization code (see allowed values); empty: your own. Clerks: own organization and its units only',
    ],
  },
  {
    key: 'subjectCategory',
    zh: '主题分类',
    en: 'Subject category',
    kind: 'category',
    required: true,
    aliases: ['资源分类', '基础库'],
    width: 12,
    note: ['分类代码或名称，如 FR（法人基础库）', 'Category code or name, e.g. FR'],
  },
  {
    key: 'domainCategory',
    zh: '领域分类',
    en: 'Domain category',
    kind: 'domain',
    required: true,
    aliases: ['主题领域'],
    width: 12,
    note: ['领域分类代码或名称，如 SCJG（市场监管）', 'Domain code or name, e.g. SCJG'],
  },
  {
    key: 'keywords',
    zh: '关键词',
    en: 'Keywords',
    kind: 'keywords',
    width: 20,
    note: ['多个用分号、逗号或顿号分隔，最多 30 个', 'Separated by ; , or 、 (at most 30)'],
  },
  {
    key: 'formats',
    zh: '格式',
    en: 'Formats',
    kind: 'formats',
    aliases: ['资源格式', '数据格式'],
    width: 14,
    note: [`多个用逗号分隔：${FORMATS.join(', ')}`, `Comma separated: ${FORMATS.join(', ')}`],
  },
  {
    key: 'updateFrequency',
    zh: '更新频率',
    en: 'Update frequency',
    kind: 'frequency',
    required: true,
    aliases: ['更新周期'],
    width: 10,
    note: ['见“允许值”', 'See allowed values'],
  },
  { key: 'spatialCoverage', zh: '空间范围', en: 'Spatial coverage', kind: 'text', width: 12, note: ['可选，如 示范市', 'Optional'] },
  {
    key: 'temporalStart',
    zh: '时间范围起',
    en: 'Temporal start',
    kind: 'date',
    aliases: ['开始日期', '起始日期'],
    width: 12,
    note: ['YYYY-MM-DD', 'YYYY-MM-DD'],
  },
  {
    key: 'temporalEnd',
    zh: '时间范围止',
    en: 'Temporal end',
    kind: 'date',
    aliases: ['结束日期', '截止日期'],
    width: 12,
    note: ['YYYY-MM-DD', 'YYYY-MM-DD'],
  },
  {
    key: 'shareMode',
    zh: '共享属性',
    en: 'Share attribute',
    kind: 'share',
    required: true,
    aliases: ['共享类型'],
    width: 12,
    note: ['无条件共享 / 有条件共享 / 不予共享', 'Unconditional / conditional / not shared'],
  },
  {
    key: 'shareConditions',
    zh: '共享条件',
    en: 'Share conditions',
    kind: 'text',
    width: 20,
    note: ['有条件共享时必填', 'Required when conditional'],
  },
  {
    key: 'shareBasis',
    zh: '共享依据',
    en: 'Share basis',
    kind: 'text',
    aliases: ['不予共享依据'],
    width: 20,
    note: ['不予共享时必填（法律、行政法规或政策依据）', 'Required when not shared (legal basis)'],
  },
  {
    key: 'openMode',
    zh: '开放属性',
    en: 'Open attribute',
    kind: 'open',
    required: true,
    aliases: ['开放类型'],
    width: 12,
    note: [
      '无条件开放 / 有条件开放 / 不予开放；须符合分级策略（核心数据不开放等）',
      'Must satisfy the grade policy (core data is never open, …)',
    ],
  },
  {
    key: 'openConditions',
    zh: '开放条件',
    en: 'Open conditions',
    kind: 'text',
    width: 20,
    note: ['有条件开放时必填', 'Required when conditional'],
  },
  { key: 'openBasis', zh: '开放依据', en: 'Open basis', kind: 'text', aliases: ['不予开放依据'], width: 20, note: ['可选', 'Optional'] },
  {
    key: 'grade',
    zh: '分级',
    en: 'Grade',
    kind: 'grade',
    aliases: ['数据分级', '级别', '分级级别'],
    width: 12,
    note: [
      '核心数据 / 重要数据 / 一般数据1级–4级；留空为一般数据1级。最终级别取信息项和规则中最高者（就高从严）',
      'Core / important / general 1–4; empty: general 1. The highest of fields and rules applies',
    ],
  },
  {
    key: 'gradingFactors',
    zh: '分级因素',
    en: 'Grading factors',
    kind: 'factors',
    aliases: ['影响分析'],
    width: 20,
    note: ['GB/T 43697 影响分析“影响对象:影响程度”，多个用分号分隔，如 个人权益:严重危害', 'GB/T 43697 "object:degree", separated by ;'],
  },
  { key: 'license', zh: '许可', en: 'License', kind: 'text', aliases: ['许可协议', '开放许可'], width: 14, note: ['可选', 'Optional'] },
  { key: 'contactName', zh: '联系人', en: 'Contact', kind: 'text', width: 10, note: ['可选', 'Optional'] },
  { key: 'contactPhone', zh: '联系电话', en: 'Contact phone', kind: 'text', width: 14, note: ['可选', 'Optional'] },
  { key: 'contactEmail', zh: '联系邮箱', en: 'Contact email', kind: 'text', aliases: ['电子邮箱'], width: 18, note: ['可选', 'Optional'] },
  {
    key: 'releaseDate',
    zh: '发布日期',
    en: 'Release date',
    kind: 'date',
    width: 12,
    note: ['YYYY-MM-DD，可选（发布时默认当天）', 'YYYY-MM-DD, optional'],
  },
  {
    key: 'status',
    zh: '状态',
    en: 'Status',
    kind: 'status',
    exportOnly: true,
    width: 10,
    note: ['仅导出时提供；导入时忽略，导入的资源均为草稿', 'Export only; imported resources are always drafts'],
  },
];

export const FIELD_COLUMNS: Column[] = [
  {
    key: 'resourceCode',
    zh: '资源代码',
    en: 'Resource code',
    kind: 'text',
    required: true,
    width: 18,
    note: ['所属资源，须与“资源”工作表中的资源代码一致', 'The resource, as on the resources sheet'],
  },
  {
    key: 'nameZh',
    zh: '信息项名称',
    en: 'Field name',
    kind: 'text',
    required: true,
    csvZh: '信息项名称',
    csvEn: 'Field name',
    width: 18,
    note: ['必填', 'Required'],
  },
  {
    key: 'nameEn',
    zh: '英文名',
    en: 'Field English name',
    kind: 'text',
    aliases: ['英文名称'],
    csvZh: '信息项英文名',
    csvEn: 'Field English name',
    width: 18,
    note: ['可选', 'Optional'],
  },
  {
    key: 'code',
    zh: '代码',
    en: 'Field code',
    kind: 'text',
    required: true,
    aliases: ['字段代码', '字段名'],
    csvZh: '信息项代码',
    csvEn: 'Field code',
    width: 14,
    note: ['必填，字母开头，字母数字下划线，资源内唯一', 'Required, letters/digits/_, unique in the resource'],
  },
  {
    key: 'dataType',
    zh: '数据类型',
    en: 'Data type',
    kind: 'type',
    required: true,
    csvZh: '数据类型',
    csvEn: 'Data type',
    width: 10,
    note: ['见“允许值”', 'See allowed values'],
  },
  {
    key: 'length',
    zh: '长度',
    en: 'Length',
    kind: 'int',
    aliases: ['数据长度'],
    csvZh: '长度',
    csvEn: 'Length',
    width: 8,
    note: ['正整数，可选', 'Positive integer, optional'],
  },
  {
    key: 'precision',
    zh: '精度',
    en: 'Precision',
    kind: 'int',
    aliases: ['小数位数'],
    csvZh: '精度',
    csvEn: 'Precision',
    width: 8,
    note: ['小数位数，可选', 'Decimal places, optional'],
  },
  {
    key: 'unit',
    zh: '单位',
    en: 'Unit',
    kind: 'text',
    aliases: ['计量单位'],
    csvZh: '单位',
    csvEn: 'Unit',
    width: 8,
    note: ['可选', 'Optional'],
  },
  {
    key: 'element',
    zh: '数据元',
    en: 'Data element',
    kind: 'element',
    aliases: ['数据元代码', 'elementId', 'elementCode'],
    csvZh: '数据元',
    csvEn: 'Data element',
    width: 14,
    note: ['数据元代码（见“允许值”），可选', 'Data element code, optional'],
  },
  {
    key: 'grade',
    zh: '分级',
    en: 'Field grade',
    kind: 'grade',
    csvZh: '信息项分级',
    csvEn: 'Field grade',
    width: 12,
    note: ['同资源分级；个人信息按规则自动调高', 'As for resources; raised by the personal-information rules'],
  },
  {
    key: 'piiKind',
    zh: '个人信息类型',
    en: 'Personal information kind',
    kind: 'pii',
    aliases: ['个人信息'],
    csvZh: '个人信息类型',
    csvEn: 'Personal information kind',
    width: 14,
    note: ['见“允许值”，留空为无', 'See allowed values; empty: none'],
  },
  {
    key: 'shareMode',
    zh: '共享属性',
    en: 'Field share attribute',
    kind: 'share',
    csvZh: '信息项共享属性',
    csvEn: 'Field share attribute',
    width: 12,
    note: ['留空同资源', 'Empty: as the resource'],
  },
  {
    key: 'openMode',
    zh: '开放属性',
    en: 'Field open attribute',
    kind: 'open',
    csvZh: '信息项开放属性',
    csvEn: 'Field open attribute',
    width: 12,
    note: ['留空同资源', 'Empty: as the resource'],
  },
  {
    key: 'required',
    zh: '是否必填',
    en: 'Required',
    kind: 'bool',
    aliases: ['必填'],
    csvZh: '信息项是否必填',
    csvEn: 'Field required',
    width: 8,
    note: ['是 / 否', 'Yes / no'],
  },
  {
    key: 'descriptionZh',
    zh: '说明',
    en: 'Description',
    kind: 'text',
    aliases: ['描述', '信息项说明'],
    csvZh: '信息项说明',
    csvEn: 'Field description',
    width: 20,
    note: ['可选', 'Optional'],
  },
  {
    key: 'descriptionEn',
    zh: '英文说明',
    en: 'English description',
    kind: 'text',
    csvZh: '信息项英文说明',
    csvEn: 'Field English description',
    width: 20,
    note: ['可选', 'Optional'],
  },
];
/** In the CSV the field columns follow the resource columns (without their own resource code). */
const CSV_FIELD_COLUMNS = FIELD_COLUMNS.filter((c) => c.key !== 'resourceCode');

type Layout = 'resources' | 'fields' | 'csv';

interface HeaderMatch {
  /** Column key → index in the row. */
  index: Map<string, number>;
  /** Index → the header as written in the file. */
  labels: string[];
}

function headerLookup(layout: Layout): Map<string, string> {
  const m = new Map<string, string>();
  const add = (names: Array<string | undefined>, key: string) => {
    for (const n of names) if (n && !m.has(norm(n))) m.set(norm(n), key);
  };
  if (layout !== 'fields') for (const c of RESOURCE_COLUMNS) add([c.zh, c.en, c.key, ...(c.aliases ?? [])], c.key);
  if (layout === 'fields') {
    for (const c of FIELD_COLUMNS) add([c.zh, c.en, c.key, c.csvZh, c.csvEn, ...(c.aliases ?? [])], c.key);
  } else if (layout === 'csv') {
    // Field keys get a 'field.' prefix; the plain field names (信息项名称 …) that do not clash are accepted too.
    for (const c of CSV_FIELD_COLUMNS) add([c.csvZh, c.csvEn, `field.${c.key}`, `field${c.key}`], `field.${c.key}`);
  }
  return m;
}

interface HeaderProblem {
  sheet: string;
  missing: string[];
  unknown: string[];
  duplicate: string[];
}

function matchHeaders(sheet: string, headers: string[], layout: Layout, lang: Lang): { match: HeaderMatch; problem: HeaderProblem | null } {
  const lookup = headerLookup(layout);
  const index = new Map<string, number>();
  const unknown: string[] = [];
  const duplicate: string[] = [];
  let last = headers.length;
  while (last > 0 && !headers[last - 1]!.trim()) last--;
  for (let i = 0; i < last; i++) {
    const h = headers[i]!.trim();
    if (!h) continue;
    const key = lookup.get(norm(h));
    if (!key) unknown.push(h);
    else if (index.has(key)) duplicate.push(h);
    else index.set(key, i);
  }
  const label = (c: Column, csv = false) => (lang === 'en' ? ((csv ? c.csvEn : undefined) ?? c.en) : ((csv ? c.csvZh : undefined) ?? c.zh));
  const missing: string[] = [];
  if (layout === 'fields') {
    for (const c of FIELD_COLUMNS) if (c.required && !index.has(c.key)) missing.push(label(c));
  } else {
    for (const c of RESOURCE_COLUMNS) if (c.required && !index.has(c.key)) missing.push(label(c));
    if (layout === 'csv' && CSV_FIELD_COLUMNS.some((c) => index.has(`field.${c.key}`))) {
      for (const c of CSV_FIELD_COLUMNS) if (c.required && !index.has(`field.${c.key}`)) missing.push(label(c, true));
    }
  }
  const problem = missing.length || unknown.length || duplicate.length ? { sheet, missing, unknown, duplicate } : null;
  return { match: { index, labels: headers.map((h) => h.trim()) }, problem };
}

// ============================================================================================ reading files

export type CellValue = string | number | boolean | Date | null;

export interface Table {
  sheet: string;
  headerRow: number;
  headers: string[];
  rows: Array<{ row: number; cells: CellValue[] }>;
}

/** What a file is, from its first bytes. */
export function detectFormat(buf: Buffer): { format: 'xlsx' | 'csv' } | { format: null; detected: string } {
  if (!buf.length) return { format: null, detected: 'empty' };
  const starts = (...bytes: number[]) => bytes.every((b, i) => buf[i] === b);
  if (starts(0x50, 0x4b, 0x03, 0x04)) return { format: 'xlsx' };
  if (starts(0x50, 0x4b)) return { format: null, detected: 'zip' };
  if (starts(0xd0, 0xcf, 0x11, 0xe0)) return { format: null, detected: 'xls' };
  if (starts(0x25, 0x50, 0x44, 0x46)) return { format: null, detected: 'pdf' };
  if (starts(0x89, 0x50, 0x4e, 0x47) || starts(0xff, 0xd8, 0xff) || starts(0x47, 0x49, 0x46, 0x38))
    return { format: null, detected: 'image' };
  if (starts(0x1f, 0x8b) || starts(0x52, 0x61, 0x72, 0x21) || starts(0x37, 0x7a, 0xbc, 0xaf)) return { format: null, detected: 'archive' };
  if (starts(0xff, 0xfe) || starts(0xfe, 0xff)) return { format: 'csv' };
  const head = buf.subarray(0, 65536);
  if (head.includes(0)) return { format: null, detected: 'binary' };
  // Other control characters than tab, CR, LF, form feed and ESC-free text: binary.
  let control = 0;
  for (const b of head) if (b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d && b !== 0x0c) control++;
  if (control > head.length / 100) return { format: null, detected: 'binary' };
  return { format: 'csv' };
}

/** UTF-8 (BOM optional), UTF-16 with BOM, else GB18030 (a superset of GBK and GB2312). */
export function decodeText(buf: Buffer): { text: string; encoding: string } {
  if (buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) return { text: buf.subarray(3).toString('utf8'), encoding: 'utf-8-bom' };
  if (buf[0] === 0xff && buf[1] === 0xfe) return { text: new TextDecoder('utf-16le').decode(buf.subarray(2)), encoding: 'utf-16le' };
  if (buf[0] === 0xfe && buf[1] === 0xff) return { text: new TextDecoder('utf-16be').decode(buf.subarray(2)), encoding: 'utf-16be' };
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(buf), encoding: 'utf-8' };
  } catch {
    return { text: new TextDecoder('gb18030').decode(buf), encoding: 'gb18030' };
  }
}

/** RFC 4180 records (quotes, doubled quotes, newlines inside quotes), each with the line it starts on. */
export function parseCsv(text: string): Array<{ line: number; cells: string[] }> {
  const firstLine = text.slice(0, text.search(/\r?\n|$/));
  const delimiter = (firstLine.match(/\t/g)?.length ?? 0) > (firstLine.match(/,/g)?.length ?? 0) ? '\t' : ',';
  const out: Array<{ line: number; cells: string[] }> = [];
  let cells: string[] = [];
  let cell = '';
  let quoted = false;
  let line = 1;
  let start = 1;
  let i = 0;
  const n = text.length;
  const endRecord = () => {
    cells.push(cell);
    if (cells.length > 1 || cells[0] !== '') out.push({ line: start, cells });
    cells = [];
    cell = '';
  };
  while (i < n) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          cell += '"';
          i += 2;
          continue;
        }
        quoted = false;
        i++;
        continue;
      }
      if (ch === '\n') line++;
      cell += ch;
      i++;
      continue;
    }
    if (ch === '"' && cell === '') {
      quoted = true;
      i++;
    } else if (ch === delimiter) {
      cells.push(cell);
      cell = '';
      i++;
    } else if (ch === '\r' || ch === '\n') {
      endRecord();
      i += ch === '\r' && text[i + 1] === '\n' ? 2 : 1;
      line++;
      start = line;
    } else {
      cell += ch;
      i++;
    }
  }
  if (cell !== '' || cells.length) endRecord();
  return out;
}

/** Undoes the export's neutralization: "'=SUM(1)" → "=SUM(1)" (only before = + - @ tab CR). */
function unneutralize(s: string): string {
  return /^'[=+\-@\t\r]/.test(s) ? s.slice(1) : s;
}

function cellOf(v: unknown): CellValue {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' || v instanceof Date) return v;
  if (typeof v === 'object') {
    const o = v as Record<string, unknown>;
    if (Array.isArray(o.richText)) return (o.richText as Array<{ text?: string }>).map((r) => r.text ?? '').join('');
    if ('result' in o) return cellOf(o.result);
    if ('formula' in o || 'sharedFormula' in o) return null;
    if ('text' in o) return cellOf(o.text);
    if ('error' in o) return null;
  }
  return String(v);
}

class TooManyRows extends Error {}

async function readXlsx(buf: Buffer): Promise<Table[]> {
  const reader = new SafeWorkbookReader(buf, {
    sharedStrings: 'cache',
    hyperlinks: 'ignore',
    styles: 'ignore',
    worksheets: 'emit',
    entries: 'ignore',
  } as WorkbookReaderOptions);
  const tables: Table[] = [];
  let total = 0;
  for await (const ws of reader) {
    const t: Table = { sheet: String(ws.name ?? `Sheet${tables.length + 1}`), headerRow: 0, headers: [], rows: [] };
    const skip = norm(t.sheet) === norm(SHEET_DICT) || norm(t.sheet) === norm(SHEET_HELP);
    for await (const row of ws) {
      if (skip) continue;
      const values = (row.values as unknown[]).slice(1).map(cellOf);
      if (!t.headerRow) {
        t.headerRow = row.number;
        t.headers = values.map((v) => (v === null ? '' : String(v)));
        continue;
      }
      if (values.every((v) => v === null || (typeof v === 'string' && !v.trim()))) continue;
      if (++total > IMPORT_MAX_ROWS) throw new TooManyRows();
      t.rows.push({ row: row.number, cells: values });
    }
    tables.push(t);
  }
  return tables;
}

function readCsv(buf: Buffer): Table {
  const { text } = decodeText(buf);
  const records = parseCsv(text);
  if (records.length > IMPORT_MAX_ROWS + 1) throw new TooManyRows();
  const [head, ...rest] = records;
  return {
    sheet: 'CSV',
    headerRow: head?.line ?? 1,
    headers: head?.cells ?? [],
    rows: rest.filter((r) => r.cells.some((c) => c.trim())).map((r) => ({ row: r.line, cells: r.cells.map((c) => unneutralize(c)) })),
  };
}

/** The file of a multipart/form-data body (the first part with a filename, else the part named "file"). */
export function multipartFile(body: Buffer, contentType: string): Buffer | null {
  const m = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  if (!m) return null;
  const delim = Buffer.from(`--${m[1] ?? m[2]}`);
  let pos = body.indexOf(delim);
  let named: Buffer | null = null;
  while (pos >= 0) {
    const headStart = pos + delim.length + 2; // CRLF after the boundary
    if (body[pos + delim.length] === 0x2d && body[pos + delim.length + 1] === 0x2d) break; // closing "--"
    const headEnd = body.indexOf('\r\n\r\n', headStart);
    if (headEnd < 0) break;
    const headers = body.subarray(headStart, headEnd).toString('utf8');
    const next = body.indexOf(Buffer.concat([Buffer.from('\r\n'), delim]), headEnd + 4);
    if (next < 0) break;
    const content = body.subarray(headEnd + 4, next);
    if (/filename\*?=/i.test(headers)) return content;
    if (/name="file"/i.test(headers)) named = content;
    pos = next + 2;
  }
  return named;
}

// ============================================================================================ import

export interface ImportErrorT {
  sheet: string;
  row: number;
  column: string | null;
  code: string;
  message: string;
}

export interface ImportOptions {
  dryRun?: boolean;
  /** Give every resource a fresh structured code; the file's codes only link its rows. */
  newCodes?: boolean;
  lang?: Lang;
}

export interface ImportResult {
  dryRun: boolean;
  format: 'xlsx' | 'csv';
  resources: number;
  fields: number;
  items: Array<{ sheet: string; row: number; code: string; id: string | null; nameZh: string }>;
}

interface Ref {
  sheet: string;
  row: number;
  match: HeaderMatch;
  layout: Layout;
}

interface Draft {
  ref: Ref;
  key: string;
  input: CreateResourceInput & { fields: FieldInputT[] };
  fieldRefs: Ref[];
  /** CSV: the first row's resource cells, to check that later rows agree. */
  first?: CellValue[];
  bad: boolean;
  prepared?: PreparedResource;
}

interface Dictionaries {
  categories: Array<{ code: string; kind: 'base' | 'domain'; nameZh: string; nameEn: string; enabled: boolean }>;
  orgs: Array<{ id: string; code: string; nameZh: string; nameEn: string; kind: string; status: string }>;
  elements: Array<{ id: string; code: string; nameZh: string; nameEn: string; status: string }>;
}

const compiledBody = Compile(CreateResourceBody);

function text(v: CellValue): string {
  if (v === null) return '';
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? '' : v.toISOString().slice(0, 10);
  if (typeof v === 'boolean') return v ? '是' : '否';
  return String(v).trim();
}

/** YYYY-MM-DD from a date cell, an Excel serial number, or 2024/1/5, 2024.1.5, 2024年1月5日; else the text. */
export function toIsoDate(v: CellValue): string {
  if (v instanceof Date) return text(v);
  if (typeof v === 'number' && v > 0 && v < 2958466) {
    return new Date(Math.round((v - 25569) * 86400_000)).toISOString().slice(0, 10);
  }
  const s = text(v);
  const m = /^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[T\s]00:00(?::00(?:\.0+)?)?Z?)?$/.exec(s);
  return m ? `${m[1]}-${m[2]!.padStart(2, '0')}-${m[3]!.padStart(2, '0')}` : s;
}

const splitList = (s: string, re: RegExp) =>
  s
    .split(re)
    .map((x) => x.trim())
    .filter(Boolean);

export class CatalogBulk {
  constructor(readonly ctx: AppContext) {}

  private get catalog() {
    return this.ctx.catalog;
  }

  async dictionaries(): Promise<Dictionaries> {
    const [categories, orgs, elements] = await Promise.all([
      this.catalog.categories(),
      this.ctx.identity.listOrgs(SYSTEM),
      this.ctx.elements.repo.listElements(this.ctx.db, {}),
    ]);
    return {
      categories,
      orgs: orgs.map((o) => ({ id: o.id, code: o.code, nameZh: o.nameZh, nameEn: o.nameEn, kind: o.kind, status: o.status })),
      elements: elements.map((e) => ({ id: e.id, code: e.code, nameZh: e.name_zh, nameEn: e.name_en, status: e.status })),
    };
  }

  // ------------------------------------------------------------------------------------------ import

  async import(actor: Actor, file: Buffer, opts: ImportOptions = {}): Promise<ImportResult> {
    const lang = opts.lang ?? 'zh-CN';
    // Anyone who may create resources for their own organization (or anywhere: the authority) may import.
    await this.ctx.authz.authorize(actor, 'catalog.create', { type: 'catalog_resource', orgId: actor.orgId ?? undefined });
    const kind = detectFormat(file);
    if (!kind.format) throw badRequest('IMPORT_BAD_FILE', {}, { detected: kind.detected });
    const format = kind.format;

    let tables: Table[];
    try {
      tables = format === 'xlsx' ? await readXlsx(file) : [readCsv(file)];
    } catch (e) {
      if (e instanceof TooManyRows)
        throw badRequest('IMPORT_TOO_MANY_ROWS', { max: IMPORT_MAX_ROWS, what: lang === 'en' ? 'rows' : '行' }, { max: IMPORT_MAX_ROWS });
      if (e instanceof AppError) throw e;
      throw badRequest(
        'IMPORT_BAD_FILE',
        {},
        { detected: format === 'xlsx' ? 'zip' : 'text', reason: (e as Error).message?.slice(0, 200) },
      );
    }

    // Which sheet is which: by name, else the first sheet holds the resources.
    let resTable: Table | undefined;
    let fieldTable: Table | undefined;
    if (format === 'csv') resTable = tables[0];
    else {
      const named = (names: string[]) => tables.find((t) => names.includes(norm(t.sheet)));
      resTable = named(['资源', '数据资源', '资源目录', 'resources', 'resource', 'catalog']);
      fieldTable = named(['信息项', '数据项', 'fields', 'field']);
      resTable ??= tables.find((t) => t !== fieldTable && t.headerRow);
    }
    if (!resTable) throw badRequest('IMPORT_BAD_FILE', {}, { detected: 'no worksheet' });

    const problems: HeaderProblem[] = [];
    const res = matchHeaders(resTable.sheet, resTable.headers, format === 'csv' ? 'csv' : 'resources', lang);
    if (res.problem) problems.push(res.problem);
    const fld = fieldTable ? matchHeaders(fieldTable.sheet, fieldTable.headers, 'fields', lang) : null;
    if (fld?.problem && fieldTable!.headers.some((h) => h.trim())) problems.push(fld.problem);
    if (problems.length) {
      const p = problems[0]!;
      const list = (xs: string[]) => (xs.length ? xs.join(lang === 'en' ? ', ' : '、') : '—');
      throw badRequest(
        'IMPORT_BAD_HEADERS',
        { sheet: p.sheet, missing: list(p.missing), unknown: list(p.unknown), duplicate: list(p.duplicate) },
        { sheets: problems },
      );
    }
    const resourceRows =
      format === 'csv'
        ? new Set(resTable.rows.map((r) => text(r.cells[res.match.index.get('code') ?? -1] ?? null))).size
        : resTable.rows.length;
    if (!resTable.rows.length) throw badRequest('IMPORT_EMPTY', {}, { sheet: resTable.sheet });
    if (resourceRows > IMPORT_MAX_RESOURCES) {
      throw badRequest(
        'IMPORT_TOO_MANY_ROWS',
        { max: IMPORT_MAX_RESOURCES, what: lang === 'en' ? 'resources' : '资源' },
        { max: IMPORT_MAX_RESOURCES, count: resourceRows },
      );
    }

    const dict = await this.dictionaries();
    const errors = new ErrorList(lang);
    const drafts = this.readDrafts(
      resTable,
      res.match,
      fieldTable && fld ? { table: fieldTable, match: fld.match } : null,
      format,
      dict,
      errors,
      !!opts.newCodes,
    );

    // Every resource through the catalog service's checks (the same as POST /api/catalog/resources).
    const g = await this.catalog.gradingContext();
    for (const d of drafts) {
      const schemaErrors = [...compiledBody.Errors(d.input)];
      if (schemaErrors.length) {
        d.bad = true;
        const seen = new Set<string>();
        for (const e of schemaErrors) {
          if (seen.has(e.instancePath) || e.keyword === 'anyOf') continue;
          seen.add(e.instancePath);
          this.schemaError(d, e, errors);
        }
        continue;
      }
      try {
        d.prepared = await this.catalog.prepareCreate(actor, d.input, g);
      } catch (e) {
        if (!(e instanceof AppError)) throw e;
        d.bad = true;
        this.serviceError(d, e, errors, dict);
      }
    }

    // Codes: unique in the file (XLSX; the CSV groups rows by code) and, when kept, not taken in the database.
    if (!opts.newCodes) {
      const taken = new Set(
        await this.catalog.repo.existingCodes(
          this.ctx.db,
          drafts.filter((d) => d.prepared?.code).map((d) => d.prepared!.code!),
        ),
      );
      for (const d of drafts) {
        if (d.prepared?.code && taken.has(d.prepared.code)) {
          d.bad = true;
          errors.add(d.ref, 'code', 'CATALOG_CODE_TAKEN', { code: d.prepared.code });
        }
      }
    }

    if (errors.total) {
      throw badRequest('IMPORT_INVALID_ROWS', { total: errors.total }, errors.details([resTable.sheet, fieldTable?.sheet ?? '']));
    }
    const items = drafts.map((d) => ({
      sheet: d.ref.sheet,
      row: d.ref.row,
      code: d.prepared!.code ?? '',
      id: null as string | null,
      nameZh: d.prepared!.data.nameZh,
    }));
    const fieldCount = drafts.reduce((n, d) => n + d.prepared!.fields.length, 0);
    if (opts.dryRun) return { dryRun: true, format, resources: drafts.length, fields: fieldCount, items };

    const fileHash = createHash('sha256').update(file).digest('hex');
    const ids = await this.insertAll(
      actor,
      drafts.map((d) => d.prepared!),
      { fileHash, format, newCodes: !!opts.newCodes, lang, drafts, errors },
    );
    ids.forEach((r, i) => Object.assign(items[i]!, r));
    return { dryRun: false, format, resources: drafts.length, fields: fieldCount, items };
  }

  /** Rows → one CreateResourceInput per resource (with its fields); cell problems go to `errors`. */
  private readDrafts(
    table: Table,
    match: HeaderMatch,
    fieldSheet: { table: Table; match: HeaderMatch } | null,
    format: 'xlsx' | 'csv',
    dict: Dictionaries,
    errors: ErrorList,
    newCodes: boolean,
  ): Draft[] {
    const orgByCode = new Map<string, string>();
    for (const o of dict.orgs) {
      orgByCode.set(norm(o.nameZh), o.id);
      if (o.nameEn) orgByCode.set(norm(o.nameEn), o.id);
    }
    for (const o of dict.orgs) orgByCode.set(norm(o.code), o.id);
    const category = new Map<string, string>();
    for (const c of dict.categories) {
      category.set(norm(c.nameZh), c.code);
      category.set(norm(c.nameEn), c.code);
    }
    for (const c of dict.categories) category.set(norm(c.code), c.code);
    const element = new Map<string, string>();
    for (const e of dict.elements) {
      element.set(norm(e.nameZh), e.id);
      element.set(norm(e.id), e.id);
    }
    for (const e of dict.elements) element.set(norm(e.code), e.id);

    const layout: Layout = format === 'csv' ? 'csv' : 'resources';
    const refOf = (sheet: string, row: number, m: HeaderMatch, l: Layout): Ref => ({ sheet, row, match: m, layout: l });
    const cell = (cells: CellValue[], m: HeaderMatch, key: string): CellValue => {
      const i = m.index.get(key);
      return i === undefined ? null : (cells[i] ?? null);
    };
    const categoryCode = (s: string) => {
      if (!s) return s;
      const hit = category.get(norm(s)) ?? category.get(norm(s.split(/[\s|｜:：—-]/)[0] ?? ''));
      return hit ?? s;
    };
    const enumOf = (lookup: Map<string, string>, s: string) => (s ? (lookup.get(norm(s)) ?? s) : undefined);

    const resourceInput = (cells: CellValue[], ref: Ref): Draft['input'] => {
      const m = ref.match;
      const t = (k: string) => text(cell(cells, m, k));
      const has = (k: string) => m.index.has(k);
      const input: Record<string, unknown> = { fields: [] };
      const code = t('code');
      if (code && !newCodes) input.code = code;
      for (const k of [
        'nameZh',
        'nameEn',
        'abstractZh',
        'abstractEn',
        'spatialCoverage',
        'shareConditions',
        'shareBasis',
        'openConditions',
        'openBasis',
        'license',
        'contactName',
        'contactPhone',
        'contactEmail',
      ]) {
        if (has(k)) input[k] = t(k);
      }
      const provider = t('provider');
      if (provider) {
        const id = orgByCode.get(norm(provider));
        if (id) input.providerOrgId = id;
        else errors.add(ref, 'provider', 'CATALOG_ORG_UNKNOWN', { field: provider });
      }
      const subject = t('subjectCategory');
      if (subject || has('subjectCategory')) input.subjectCategory = categoryCode(subject);
      const domain = t('domainCategory');
      if (domain || has('domainCategory')) input.domainCategory = categoryCode(domain);
      if (has('keywords')) input.keywords = splitList(t('keywords'), /[;；,，、|\n]+/);
      if (has('formats')) input.formats = splitList(t('formats'), /[;；,，、|\s]+/).map((f) => f.toLowerCase());
      input.updateFrequency = enumOf(LOOKUP.frequency, t('updateFrequency'));
      input.shareMode = enumOf(LOOKUP.share, t('shareMode'));
      input.openMode = enumOf(LOOKUP.open, t('openMode'));
      for (const k of ['temporalStart', 'temporalEnd', 'releaseDate']) {
        if (!has(k)) continue;
        const d = toIsoDate(cell(cells, m, k));
        input[k] = d || null;
      }
      const grade = t('grade');
      if (grade) {
        const g = parseGrade(grade);
        if (g) Object.assign(input, g);
        else input.grade = grade;
      }
      const factors = t('gradingFactors');
      if (factors) {
        input.gradingFactors = splitList(factors, /[;；,，、|\n]+/).map((f) => {
          const [o = '', dg = ''] = f.split(/[:：/／]/).map((x) => x.trim());
          return { object: LOOKUP.object.get(norm(o)) ?? o, degree: LOOKUP.degree.get(norm(dg)) ?? dg };
        });
      }
      return input as Draft['input'];
    };

    const fieldInput = (cells: CellValue[], ref: Ref, prefix: string): FieldInputT => {
      const m = ref.match;
      const t = (k: string) => text(cell(cells, m, prefix + k));
      const f: Record<string, unknown> = { nameZh: t('nameZh'), code: t('code'), dataType: enumOf(LOOKUP.type, t('dataType')) ?? '' };
      for (const k of ['nameEn', 'unit', 'descriptionZh', 'descriptionEn']) if (m.index.has(prefix + k)) f[k] = t(k);
      for (const k of ['length', 'precision']) {
        const v = cell(cells, m, prefix + k);
        const s = text(v);
        if (!s) continue;
        f[k] = typeof v === 'number' ? v : /^\d+$/.test(s) ? Number(s) : s;
      }
      const el = t('element');
      if (el) {
        const id = element.get(norm(el));
        if (id) f.elementId = id;
        else errors.add(ref, prefix + 'element', 'CATALOG_ELEMENT_UNKNOWN', {});
      }
      const grade = t('grade');
      if (grade) {
        const g = parseGrade(grade);
        if (g) Object.assign(f, g);
        else f.grade = grade;
      }
      const pii = t('piiKind');
      if (pii) f.piiKind = enumOf(LOOKUP.pii, pii);
      const share = t('shareMode');
      if (share) f.shareMode = enumOf(LOOKUP.share, share);
      const open = t('openMode');
      if (open) f.openMode = enumOf(LOOKUP.open, open);
      const req = t('required');
      if (req) f.required = LOOKUP.bool.get(norm(req)) === 'true' ? true : LOOKUP.bool.get(norm(req)) === 'false' ? false : req;
      return f as FieldInputT;
    };

    const drafts: Draft[] = [];
    const byKey = new Map<string, Draft>();
    const codeIdx = match.index.get('code')!;
    const resourceKeys = RESOURCE_COLUMNS.filter((c) => !c.exportOnly).map((c) => c.key);
    for (const r of table.rows) {
      const ref = refOf(table.sheet, r.row, match, layout);
      const key = text(r.cells[codeIdx] ?? null);
      const existing = key ? byKey.get(key) : undefined;
      let d: Draft;
      if (existing && format === 'csv') {
        d = existing;
        // A later row of the same resource: its resource cells must be empty or the same.
        for (const k of resourceKeys) {
          const i = match.index.get(k);
          if (i === undefined) continue;
          const v = text(r.cells[i] ?? null);
          const first = text(d.first![i] ?? null);
          const isDate = k === 'releaseDate' || k.startsWith('temporal');
          const same = isDate ? toIsoDate(r.cells[i] ?? null) === toIsoDate(d.first![i] ?? null) : v === first;
          if (v && !same) {
            errors.add(ref, k, 'IMPORT_CONFLICTING_VALUE', { code: key, first: d.ref.row, expected: first });
            d.bad = true;
          }
        }
      } else {
        if (existing) {
          errors.add(ref, 'code', 'IMPORT_DUPLICATE_CODE', { code: key, first: existing.ref.row });
          continue;
        }
        d = { ref, key, input: resourceInput(r.cells, ref), fieldRefs: [], bad: false, first: format === 'csv' ? r.cells : undefined };
        if (!key) errors.add(ref, 'code', 'CATALOG_MISSING_METADATA', { fields: errors.label(ref, 'code') });
        else byKey.set(key, d);
        drafts.push(d);
      }
      if (format === 'csv' && CSV_FIELD_COLUMNS.some((c) => text(cell(r.cells, match, `field.${c.key}`)))) {
        d.input.fields.push(fieldInput(r.cells, ref, 'field.'));
        d.fieldRefs.push(ref);
      }
    }
    if (fieldSheet) {
      const fm = fieldSheet.match;
      for (const r of fieldSheet.table.rows) {
        const ref = refOf(fieldSheet.table.sheet, r.row, fm, 'fields');
        const key = text(cell(r.cells, fm, 'resourceCode'));
        const d = key ? byKey.get(key) : undefined;
        if (!key) errors.add(ref, 'resourceCode', 'CATALOG_MISSING_METADATA', { fields: errors.label(ref, 'resourceCode') });
        else if (!d) errors.add(ref, 'resourceCode', 'IMPORT_FIELD_RESOURCE_UNKNOWN', { code: key });
        if (!d) continue;
        d.input.fields.push(fieldInput(r.cells, ref, ''));
        d.fieldRefs.push(ref);
      }
    }
    return drafts;
  }

  /** Where an API property path ('fields[2].dataType', 'gradeLevel', 'formats[0]') is in the file. */
  private locate(d: Draft, path: string): { ref: Ref; key: string } {
    const fm = /^fields[[/.]?(\d+)\]?[./]?(\w+)?/.exec(path);
    if (fm) {
      const ref = d.fieldRefs[Number(fm[1])] ?? d.ref;
      const prefix = ref.layout === 'csv' ? 'field.' : '';
      const k = fieldKey(fm[2] ?? 'code');
      return { ref, key: prefix + k };
    }
    const head = path.replace(/^\//, '').split(/[[./]/)[0] ?? '';
    return { ref: d.ref, key: resourceKey(head) };
  }

  private schemaError(d: Draft, e: { keyword: string; instancePath: string; params: Record<string, unknown> }, errors: ErrorList) {
    const path = e.instancePath
      .replace(/^\//, '')
      .replace(/\/(\d+)(?=\/|$)/g, '[$1]')
      .replace(/\//g, '.');
    if (path === 'fields' && e.keyword === 'maxItems') {
      errors.add(d.ref, 'code', 'IMPORT_TOO_MANY_VALUES', { column: errors.label(d.ref, 'code'), max: e.params.limit });
      return;
    }
    const { ref, key } = this.locate(d, path);
    const column = errors.label(ref, key);
    if (e.keyword === 'maxLength') errors.add(ref, key, 'IMPORT_TEXT_TOO_LONG', { column, max: e.params.limit });
    else if (e.keyword === 'maxItems') errors.add(ref, key, 'IMPORT_TOO_MANY_VALUES', { column, max: e.params.limit });
    else {
      const value = valueAt(d.input, path);
      errors.add(ref, key, 'CATALOG_VALUE_INVALID', {
        field: column,
        value: value === undefined ? '' : typeof value === 'object' ? JSON.stringify(value) : String(value),
      });
    }
  }

  private serviceError(d: Draft, e: AppError, errors: ErrorList, dict: Dictionaries) {
    const details = (e.details ?? {}) as { field?: string; fields?: string[] };
    if (e.code === 'CATALOG_MISSING_METADATA' && details.fields?.length) {
      for (const f of details.fields) {
        const { ref, key } = this.locate(d, f);
        errors.add(ref, key, 'CATALOG_MISSING_METADATA', { fields: errors.label(ref, key) });
      }
      return;
    }
    if (e.code === 'FORBIDDEN' || e.code === 'UNAUTHENTICATED') {
      const org = dict.orgs.find((o) => o.id === d.input.providerOrgId);
      errors.add(d.ref, 'provider', 'IMPORT_ORG_FORBIDDEN', { org: org ? `${org.code} ${org.nameZh}` : '' });
      return;
    }
    const { ref, key } = this.locate(d, details.field ?? (e.code.startsWith('CATALOG_ORG') ? 'provider' : 'code'));
    const params = { ...e.params };
    if ('field' in params) params.field = errors.label(ref, key);
    errors.add(ref, key, e.code, params);
  }

  /** One transaction: every resource and field, search tokens, a ledger entry per resource and a summary. */
  private async insertAll(
    actor: Actor,
    items: PreparedResource[],
    meta: { fileHash: string; format: string; newCodes: boolean; lang: Lang; drafts: Draft[]; errors: ErrorList },
  ): Promise<Array<{ id: string; code: string }>> {
    const repo = this.catalog.repo;
    return this.ctx.db.transaction().execute(async (tx) => {
      const codes = items.map((p) => p.code);
      // Generated codes: one sequence reservation per (category, organization).
      const groups = new Map<string, number[]>();
      items.forEach((p, i) => {
        if (codes[i]) return;
        const k = `${p.data.subjectCategory}\u0000${p.orgId}`;
        groups.set(k, [...(groups.get(k) ?? []), i]);
      });
      for (const idx of groups.values()) {
        const p = items[idx[0]!]!;
        let first = await repo.reserveSequence(tx, p.data.subjectCategory, p.orgId, idx.length);
        idx.forEach((i, n) => (codes[i] = `${p.data.subjectCategory}-${p.orgCode}-${String(first + n).padStart(5, '0')}`));
        // Codes given explicitly elsewhere may already use some of these numbers: take the next free ones.
        for (
          let taken = await repo.existingCodes(
            tx,
            idx.map((i) => codes[i]!),
          );
          taken.length;
        ) {
          first = await repo.reserveSequence(tx, p.data.subjectCategory, p.orgId, taken.length);
          const set = new Set(taken);
          let n = 0;
          const redo: number[] = [];
          for (const i of idx) if (set.has(codes[i]!)) redo.push(i);
          for (const i of redo) codes[i] = `${p.data.subjectCategory}-${p.orgCode}-${String(first + n++).padStart(5, '0')}`;
          taken = await repo.existingCodes(
            tx,
            redo.map((i) => codes[i]!),
          );
        }
      }
      // Explicit codes: checked before, checked again under the transaction (a concurrent import may have won).
      const clash = new Set(
        await repo.existingCodes(
          tx,
          items.filter((p) => p.code).map((p) => p.code!),
        ),
      );
      if (clash.size) {
        const errors = new ErrorList(meta.lang);
        meta.drafts.forEach((d, i) => {
          if (items[i]!.code && clash.has(items[i]!.code!)) errors.add(d.ref, 'code', 'CATALOG_CODE_TAKEN', { code: items[i]!.code });
        });
        throw badRequest('IMPORT_INVALID_ROWS', { total: errors.total }, errors.details([]));
      }

      const rows: ResourceInsert[] = items.map((p, i) => ({
        code: codes[i]!,
        provider_org_id: p.orgId,
        ...dataToColumns(p.data),
        created_by: actor.userId,
        revision_status: null,
        pending: null,
        grade_confirmed_by: null,
      }));
      const ids: string[] = [];
      try {
        for (let i = 0; i < rows.length; i += 1000) {
          const got = await repo.insertResources(tx, rows.slice(i, i + 1000));
          const byCode = new Map(got.map((r) => [r.code, r.id]));
          for (const r of rows.slice(i, i + 1000)) ids.push(byCode.get(r.code)!);
        }
      } catch (e) {
        if ((e as { code?: string }).code === '23505') throw conflict('CATALOG_CODE_TAKEN', { code: '' }, {});
        throw e;
      }
      await repo.insertFields(
        tx,
        items.flatMap((p, i) => fieldsToInsert(ids[i]!, p.fields)),
      );
      await this.ctx.search.indexResources(tx, ids);

      const importRef = meta.fileHash;
      const perOrg: Record<string, number> = {};
      for (let i = 0; i < items.length; i++) {
        const p = items[i]!;
        perOrg[p.orgCode] = (perOrg[p.orgCode] ?? 0) + 1;
        await this.ctx.ledger.append(tx, {
          actor,
          action: 'catalog.resource.create',
          objectType: 'catalog_resource',
          objectId: ids[i]!,
          orgId: p.orgId,
          details: {
            code: codes[i],
            nameZh: p.data.nameZh,
            fields: p.fields.length,
            grade: p.data.grade,
            gradeLevel: p.data.gradeLevel,
            import: importRef,
          },
        });
      }
      await this.ctx.ledger.append(tx, {
        actor,
        action: 'catalog.import',
        objectType: 'catalog_import',
        details: {
          sha256: meta.fileHash,
          format: meta.format,
          newCodes: meta.newCodes,
          resources: items.length,
          fields: items.reduce((n, p) => n + p.fields.length, 0),
          perOrg,
        },
      });
      return ids.map((id, i) => ({ id, code: codes[i]! }));
    });
  }

  // ------------------------------------------------------------------------------------------ export

  /** The visible resources (list filters) page by page, with their fields, in one snapshot. */
  async *exportRows(
    actor: Actor,
    q: ResourceQueryT,
    pageSize = 1000,
  ): AsyncGenerator<{ rows: ResourceRow[]; fields: Map<string, FieldRow[]> }> {
    const v = await this.catalog.visibility(actor);
    const orgIds = q.orgId ? await this.ctx.authz.orgs.subtree(q.orgId) : undefined;
    const trx = await this.ctx.db.startTransaction().setIsolationLevel('repeatable read').setAccessMode('read only').execute();
    try {
      for (let offset = 0; ; offset += pageSize) {
        const { rows } = await this.catalog.repo.listResources(
          trx,
          visibleSql(v, 'r'),
          { orgIds, statuses: q.status, subjectCategory: q.subjectCategory, domainCategory: q.domainCategory, grade: q.grade },
          { limit: pageSize, offset, sort: 'code' },
        );
        if (!rows.length) break;
        const fields = new Map<string, FieldRow[]>();
        for (const f of await this.catalog.repo.fieldsOfResources(
          trx,
          rows.map((r) => r.id),
        )) {
          const list = fields.get(f.resource_id) ?? [];
          list.push(f);
          fields.set(f.resource_id, list);
        }
        yield { rows, fields };
        if (rows.length < pageSize) break;
      }
    } finally {
      await trx.rollback().execute();
    }
  }

  async checkExport(actor: Actor): Promise<void> {
    await this.ctx.authz.authorize(actor, 'catalog.read', { type: 'catalog_resource' });
  }

  /** The XLSX template (no data rows) or an export (the rows given), streamed. */
  xlsx(dict: Dictionaries, pages: AsyncIterable<{ rows: ResourceRow[]; fields: Map<string, FieldRow[]> }> | null): Readable {
    const out = new PassThrough();
    void writeWorkbook(out, dict, pages).catch((e: unknown) => out.destroy(e as Error));
    return out;
  }

  csv(dict: Dictionaries, pages: AsyncIterable<{ rows: ResourceRow[]; fields: Map<string, FieldRow[]> }> | null): Readable {
    return Readable.from(csvLines(dict, pages));
  }
}

// ============================================================================================ errors

function fieldKey(apiKey: string): string {
  if (apiKey === 'elementId') return 'element';
  if (apiKey === 'gradeLevel') return 'grade';
  return apiKey;
}

function resourceKey(apiKey: string): string {
  if (apiKey === 'providerOrgId') return 'provider';
  if (apiKey === 'gradeLevel') return 'grade';
  return RESOURCE_COLUMNS.some((c) => c.key === apiKey) ? apiKey : 'code';
}

function valueAt(obj: unknown, path: string): unknown {
  let cur: unknown = obj;
  for (const part of path.split(/[[\].]+/).filter(Boolean)) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

class ErrorList {
  total = 0;
  private list: Array<{ ref: Ref; key: string; code: string; params: Record<string, unknown> }> = [];
  constructor(readonly lang: Lang) {}

  /** The column as the file names it (or the template's name when the file lacks it). */
  label(ref: Ref, key: string): string {
    const i = ref.match.index.get(key);
    if (i !== undefined && ref.match.labels[i]) return ref.match.labels[i]!;
    const en = this.lang === 'en';
    if (key.startsWith('field.')) {
      const c = FIELD_COLUMNS.find((x) => x.key === key.slice(6));
      return c ? ((en ? c.csvEn : c.csvZh) ?? c.zh) : key;
    }
    const c = (ref.layout === 'fields' ? FIELD_COLUMNS : RESOURCE_COLUMNS).find((x) => x.key === key);
    return c ? (en ? c.en : c.zh) : key;
  }

  add(ref: Ref, key: string, code: string, params: Record<string, unknown>) {
    this.total++;
    // Rows are read in order, so the first errors kept are the first of the file (sorted by sheet and row later).
    if (this.list.length < IMPORT_MAX_ERRORS * 5) this.list.push({ ref, key, code, params });
  }

  details(sheetOrder: string[]) {
    const order = (s: string) => {
      const i = sheetOrder.indexOf(s);
      return i < 0 ? sheetOrder.length : i;
    };
    const sorted = [...this.list].sort((a, b) => order(a.ref.sheet) - order(b.ref.sheet) || a.ref.row - b.ref.row);
    const errors: ImportErrorT[] = sorted.slice(0, IMPORT_MAX_ERRORS).map((e) => ({
      sheet: e.ref.sheet,
      row: e.ref.row,
      column: this.label(e.ref, e.key),
      code: e.code,
      message: translate(e.code, this.lang, { column: this.label(e.ref, e.key), ...e.params }),
    }));
    return { total: this.total, truncated: this.total > errors.length, errors };
  }
}

// ============================================================================================ writing files

interface DictColumn {
  title: string;
  values: string[];
  names?: string[];
}

function dictColumns(dict: Dictionaries): Record<string, DictColumn> {
  const zh = (labels: Record<string, Pair>, codes: readonly string[]) => codes.map((c) => labels[c]![0]);
  const providers = dict.orgs.filter((o) => ['authority', 'department', 'unit'].includes(o.kind) && o.status === 'active');
  const enabled = dict.categories.filter((c) => c.enabled);
  return {
    subject: { title: '主题分类', values: enabled.map((c) => c.code), names: enabled.map((c) => c.nameZh) },
    domain: {
      title: '领域分类',
      values: enabled.filter((c) => c.kind === 'domain').map((c) => c.code),
      names: enabled.filter((c) => c.kind === 'domain').map((c) => c.nameZh),
    },
    org: { title: '提供部门代码', values: providers.map((o) => o.code), names: providers.map((o) => o.nameZh) },
    frequency: { title: '更新频率', values: zh(FREQUENCY_LABELS, UPDATE_FREQUENCIES) },
    share: { title: '共享属性', values: zh(SHARE_LABELS, SHARE_MODES) },
    open: { title: '开放属性', values: zh(OPEN_LABELS, SHARE_MODES) },
    grade: { title: '分级', values: GRADE_VALUES.map((g) => g.zh) },
    object: { title: '分级因素：影响对象', values: zh(OBJECT_LABELS, IMPACT_OBJECTS) },
    degree: { title: '分级因素：影响程度', values: zh(DEGREE_LABELS, IMPACT_DEGREES) },
    formats: { title: '格式', values: [...FORMATS] },
    type: { title: '数据类型', values: zh(TYPE_LABELS, DATA_TYPES) },
    pii: { title: '个人信息类型', values: zh(PII_LABELS, PII_KINDS) },
    element: {
      title: '数据元代码',
      values: dict.elements.filter((e) => e.status === 'active').map((e) => e.code),
      names: dict.elements.filter((e) => e.status === 'active').map((e) => e.nameZh),
    },
    bool: { title: '是否必填', values: ['是', '否'] },
    status: { title: '状态（仅导出）', values: STATUSES.map((s) => STATUS_LABELS[s][0]) },
  };
}

/** The dictionary a column's drop-down list uses. */
const COLUMN_DICT: Partial<Record<Kind, string>> = {
  category: 'subject',
  domain: 'domain',
  org: 'org',
  frequency: 'frequency',
  share: 'share',
  open: 'open',
  grade: 'grade',
  type: 'type',
  pii: 'pii',
  element: 'element',
  bool: 'bool',
};

function resourceCells(r: ResourceRow, orgCode: Map<string, string>): string[] {
  const d = rowToData(r);
  return RESOURCE_COLUMNS.map((c) => {
    switch (c.key) {
      case 'code':
        return r.code;
      case 'provider':
        return orgCode.get(r.provider_org_id) ?? '';
      case 'keywords':
        return d.keywords.join('；');
      case 'formats':
        return d.formats.join(',');
      case 'updateFrequency':
        return FREQUENCY_LABELS[d.updateFrequency]![0];
      case 'shareMode':
        return SHARE_LABELS[d.shareMode]![0];
      case 'openMode':
        return OPEN_LABELS[d.openMode]![0];
      case 'grade':
        return gradeLabel(d.grade, d.gradeLevel);
      case 'gradingFactors':
        return d.gradingFactors.map((f) => `${OBJECT_LABELS[f.object]![0]}:${DEGREE_LABELS[f.degree]![0]}`).join('；');
      case 'status':
        return STATUS_LABELS[r.status][0];
      default: {
        const v = (d as unknown as Record<string, unknown>)[c.key];
        return v === null || v === undefined ? '' : String(v);
      }
    }
  });
}

function fieldCells(code: string, f: FieldRow, elementCode: Map<string, string>): Array<string | number> {
  const d = fieldRowToData(f);
  return FIELD_COLUMNS.map((c) => {
    switch (c.key) {
      case 'resourceCode':
        return code;
      case 'dataType':
        return TYPE_LABELS[d.dataType]![0];
      case 'length':
        return d.length ?? '';
      case 'precision':
        return d.precision ?? '';
      case 'element':
        return d.elementId ? (elementCode.get(d.elementId) ?? d.elementId) : '';
      case 'grade':
        return gradeLabel(d.grade, d.gradeLevel);
      case 'piiKind':
        return PII_LABELS[d.piiKind]![0];
      case 'shareMode':
        return SHARE_LABELS[d.shareMode]![0];
      case 'openMode':
        return OPEN_LABELS[d.openMode]![0];
      case 'required':
        return d.required ? '是' : '否';
      default: {
        const v = (d as unknown as Record<string, unknown>)[c.key];
        return v === null || v === undefined ? '' : String(v);
      }
    }
  });
}

function colLetter(n: number): string {
  let s = '';
  for (let x = n; x > 0; x = Math.floor((x - 1) / 26)) s = String.fromCharCode(65 + ((x - 1) % 26)) + s;
  return s;
}

const HEADER_FILL: ExcelJS.Fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFE8EEF7' } };

async function writeWorkbook(
  out: PassThrough,
  dict: Dictionaries,
  pages: AsyncIterable<{ rows: ResourceRow[]; fields: Map<string, FieldRow[]> }> | null,
): Promise<void> {
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: true, useSharedStrings: false });
  wb.creator = 'Shuyuan 数源';
  wb.created = new Date();
  const frozen: Partial<ExcelJS.WorksheetView>[] = [{ state: 'frozen', ySplit: 1 }];
  const resSheet = wb.addWorksheet(SHEET_RESOURCES, { views: frozen });
  const fieldSheet = wb.addWorksheet(SHEET_FIELDS, { views: frozen });
  const dictSheet = wb.addWorksheet(SHEET_DICT);
  const helpSheet = wb.addWorksheet(SHEET_HELP);
  const dicts = dictColumns(dict);

  // The allowed-values sheet: one column per dictionary (with names beside codes), drop-downs point here.
  const dictRef = new Map<string, string>();
  const layout: Array<{ col: number; values: string[] }> = [];
  let col = 1;
  const headerRow: string[] = [];
  for (const [key, d] of Object.entries(dicts)) {
    headerRow[col - 1] = d.title;
    layout.push({ col, values: d.values });
    dictRef.set(key, `'${SHEET_DICT}'!$${colLetter(col)}$2:$${colLetter(col)}$${Math.max(2, d.values.length + 1)}`);
    if (d.names) {
      headerRow[col] = `${d.title.replace(/代码$/, '')}名称`;
      layout.push({ col: col + 1, values: d.names });
      col += 1;
    }
    col += 1;
  }

  const header = (ws: ExcelJS.Worksheet, cols: Column[]) => {
    ws.columns = cols.map((c) => ({ header: c.zh, key: c.key, width: c.width ?? 14 }));
    const row = ws.getRow(1);
    cols.forEach((c, i) => {
      const cell = row.getCell(i + 1);
      cell.font = { bold: true, color: { argb: c.required ? 'FFC00000' : c.exportOnly ? 'FF808080' : 'FF1F1F1F' } };
      cell.fill = HEADER_FILL;
      cell.note = `${c.required ? '必填。' : ''}${c.note[0]}\n${c.en}${c.required ? ' (required)' : ''}: ${c.note[1]}`;
    });
    row.commit();
  };
  // Drop-down lists, 2000 rows beyond the data (at least 5000): Excel keeps a range as it is, but some
  // readers expand it cell by cell, so "the whole column" would make the file heavy for them.
  const validate = (ws: ExcelJS.Worksheet, cols: Column[], rows: number) => {
    const lastRow = Math.max(5001, rows + 2001);
    cols.forEach((c, i) => {
      const d = COLUMN_DICT[c.kind];
      if (!d || c.exportOnly) return;
      const letter = colLetter(i + 1);
      (ws as unknown as { dataValidations: { add(range: string, v: ExcelJS.DataValidation): void } }).dataValidations.add(
        `${letter}2:${letter}${lastRow}`,
        {
          type: 'list',
          allowBlank: true,
          formulae: [dictRef.get(d)!],
          showErrorMessage: true,
          errorStyle: 'warning',
          errorTitle: c.zh,
          error: `请从“${SHEET_DICT}”工作表中选择 / choose a value from the "${SHEET_DICT}" sheet`,
        },
      );
    });
  };
  header(resSheet, RESOURCE_COLUMNS);
  header(fieldSheet, FIELD_COLUMNS);

  let resources = 0;
  let fields = 0;
  if (pages) {
    const orgCode = new Map(dict.orgs.map((o) => [o.id, o.code]));
    const elementCode = new Map(dict.elements.map((e) => [e.id, e.code]));
    for await (const page of pages) {
      for (const r of page.rows) {
        resSheet.addRow(resourceCells(r, orgCode)).commit();
        resources++;
        for (const f of page.fields.get(r.id) ?? []) {
          fieldSheet.addRow(fieldCells(r.code, f, elementCode)).commit();
          fields++;
        }
      }
    }
  }
  validate(resSheet, RESOURCE_COLUMNS, resources);
  validate(fieldSheet, FIELD_COLUMNS, fields);
  resSheet.commit();
  fieldSheet.commit();

  dictSheet.columns = headerRow.map(() => ({ width: 16 }));
  const h = dictSheet.addRow(headerRow);
  h.font = { bold: true };
  h.fill = HEADER_FILL;
  h.commit();
  const height = Math.max(...layout.map((l) => l.values.length));
  for (let i = 0; i < height; i++) {
    const values: string[] = [];
    for (const l of layout) values[l.col - 1] = l.values[i] ?? '';
    dictSheet.addRow(values).commit();
  }
  dictSheet.commit();

  helpSheet.columns = [
    { header: '工作表 Sheet', width: 12 },
    { header: '列名', width: 16 },
    { header: 'Header', width: 26 },
    { header: '必填 Required', width: 12 },
    { header: '说明', width: 60 },
    { header: 'Description', width: 60 },
  ];
  helpSheet.getRow(1).font = { bold: true };
  helpSheet.getRow(1).commit();
  const rules: Array<[string, string]> = [
    [
      '整份文件先校验，任何一行有错误都不会写入；错误清单列出工作表、行、列和原因。',
      'The whole file is checked first; nothing is written unless every row is valid. Errors list sheet, row, column and reason.',
    ],
    [
      '导入的资源为草稿，属于“提供部门代码”所指机构（留空为导入人机构），提交审核后才会进入共享目录。',
      'Imported resources are drafts of the provider organization (empty: yours) and need review before publication.',
    ],
    [
      '表头按名称匹配，不区分大小写与空格，也接受英文表头；列的顺序不限。',
      'Headers are matched by name (case and spaces ignored, English names accepted), in any order.',
    ],
    [
      `取值见“${SHEET_DICT}”工作表；也可填写英文或接口代码（如 unconditional）。`,
      `Allowed values are on the "${SHEET_DICT}" sheet; English labels and API codes are accepted too.`,
    ],
    [
      'CSV 文件为一张表：资源列在前，信息项列（信息项名称、信息项代码……）在后，每个信息项一行，同一资源各行的资源代码相同。',
      'CSV: one table, resource columns then field columns (Field name, Field code, …), one row per field, rows of a resource share its code.',
    ],
  ];
  for (const [zh, en] of rules) helpSheet.addRow(['', '', '', '', zh, en]).commit();
  for (const [sheet, cols] of [
    [SHEET_RESOURCES, RESOURCE_COLUMNS],
    [SHEET_FIELDS, FIELD_COLUMNS],
  ] as const) {
    for (const c of cols)
      helpSheet.addRow([sheet, c.zh, c.en, c.required ? '是 Yes' : c.exportOnly ? '仅导出' : '', c.note[0], c.note[1]]).commit();
  }
  helpSheet.commit();
  await wb.commit();
}

/** One CSV cell, quoted, neutralized when a spreadsheet would read it as a formula. */
export function csvCell(value: unknown): string {
  let s = value === null || value === undefined ? '' : String(value);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) || s !== s.trim() ? `"${s.replace(/"/g, '""')}"` : s;
}

async function* csvLines(
  dict: Dictionaries,
  pages: AsyncIterable<{ rows: ResourceRow[]; fields: Map<string, FieldRow[]> }> | null,
): AsyncGenerator<string> {
  const header = [...RESOURCE_COLUMNS.map((c) => c.zh), ...CSV_FIELD_COLUMNS.map((c) => c.csvZh ?? c.zh)];
  yield '\uFEFF' + header.map(csvCell).join(',') + '\r\n';
  if (!pages) return;
  const orgCode = new Map(dict.orgs.map((o) => [o.id, o.code]));
  const elementCode = new Map(dict.elements.map((e) => [e.id, e.code]));
  const empty = CSV_FIELD_COLUMNS.map(() => '');
  for await (const page of pages) {
    let chunk = '';
    for (const r of page.rows) {
      const res = resourceCells(r, orgCode).map(csvCell).join(',');
      const fields = page.fields.get(r.id) ?? [];
      if (!fields.length) chunk += `${res},${empty.join(',')}\r\n`;
      for (const f of fields) chunk += `${res},${fieldCells(r.code, f, elementCode).slice(1).map(csvCell).join(',')}\r\n`;
    }
    yield chunk;
  }
}
