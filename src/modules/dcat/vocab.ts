// Controlled vocabularies of the DCAT-AP feed (docs/portal-dcat.md): the EU Publications Office authority
// tables DCAT-AP 3 recommends (frequency, access-right, file-type, data-theme, language, licence), IANA media
// types, and the mapping of the platform's own codes onto them.
import type { UpdateFrequency } from '../catalog/repository.ts';

export const EU = 'http://publications.europa.eu/resource/authority/';

/** Update frequency → EU frequency table (http://publications.europa.eu/resource/authority/frequency). */
export const FREQUENCY: Record<UpdateFrequency, { code: string; label: string }> = {
  realtime: { code: 'UPDATE_CONT', label: 'continuously updated' },
  daily: { code: 'DAILY', label: 'daily' },
  weekly: { code: 'WEEKLY', label: 'weekly' },
  monthly: { code: 'MONTHLY', label: 'monthly' },
  quarterly: { code: 'QUARTERLY', label: 'quarterly' },
  half_yearly: { code: 'ANNUAL_2', label: 'semiannual' },
  yearly: { code: 'ANNUAL', label: 'annual' },
  irregular: { code: 'IRREG', label: 'irregular' },
};
export const frequencyIri = (f: UpdateFrequency) => `${EU}frequency/${FREQUENCY[f].code}`;

/** 无条件开放 → PUBLIC, 有条件开放 → RESTRICTED (EU access-right table). */
export const ACCESS_RIGHT = {
  unconditional: { iri: `${EU}access-right/PUBLIC`, en: 'public', zh: '无条件开放' },
  conditional: { iri: `${EU}access-right/RESTRICTED`, en: 'restricted', zh: '有条件开放' },
} as const;

/** EU data themes (http://publications.europa.eu/resource/authority/data-theme) with their English labels. */
export const DATA_THEMES: Record<string, string> = {
  AGRI: 'Agriculture, fisheries, forestry and food',
  ECON: 'Economy and finance',
  EDUC: 'Education, culture and sport',
  ENER: 'Energy',
  ENVI: 'Environment',
  GOVE: 'Government and public sector',
  HEAL: 'Health',
  INTR: 'International issues',
  JUST: 'Justice, legal system and public safety',
  REGI: 'Regions and cities',
  SOCI: 'Population and society',
  TECH: 'Science and technology',
  TRAN: 'Transport',
};
export const dataThemeIri = (code: string) => `${EU}data-theme/${code}`;

/**
 * Our category codes (catalog_categories: base libraries and domains) → the nearest EU data theme. A category
 * not listed (a category added later) gets no EU theme; it still has its own concept in our scheme.
 */
export const CATEGORY_TO_EU_THEME: Record<string, string> = {
  RK: 'SOCI',
  FR: 'ECON',
  ZRKJ: 'REGI',
  DZZZ: 'GOVE',
  SHXY: 'JUST',
  HGJJ: 'ECON',
  SCJG: 'ECON',
  SHBZ: 'SOCI',
  WSJK: 'HEAL',
  JTYS: 'TRAN',
  JYKY: 'EDUC',
  MZFW: 'SOCI',
  ZFCX: 'REGI',
  TJXX: 'ECON',
  GGAQ: 'JUST',
  ZRZY: 'ENVI',
  STHJ: 'ENVI',
  WHLY: 'EDUC',
  NYNC: 'AGRI',
  YJGL: 'JUST',
  CZJR: 'ECON',
  ZWFW: 'GOVE',
  JJFZ: 'ECON',
};

/** The distributions of a dataset version: the download formats, with the EU file type and the IANA media type. */
export const DISTRIBUTION_FORMATS = [
  { format: 'csv', fileType: 'CSV', mediaType: 'text/csv', zh: 'CSV 文件', en: 'CSV file' },
  { format: 'json', fileType: 'JSON', mediaType: 'application/json', zh: 'JSON 文件', en: 'JSON file' },
  {
    format: 'xlsx',
    fileType: 'XLSX',
    mediaType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    zh: 'Excel 文件',
    en: 'Excel file',
  },
  { format: 'parquet', fileType: 'PARQUET', mediaType: 'application/vnd.apache.parquet', zh: 'Parquet 文件', en: 'Parquet file' },
] as const;
export type DistributionFormat = (typeof DISTRIBUTION_FORMATS)[number]['format'] | 'api';

export const fileTypeIri = (t: string) => `${EU}file-type/${t}`;
export const mediaTypeIri = (t: string) => `https://www.iana.org/assignments/media-types/${t}`;

export const LANGUAGES = {
  zh: { iri: `${EU}language/ZHO`, en: 'Chinese', zh: '中文' },
  en: { iri: `${EU}language/ENG`, en: 'English', zh: '英语' },
} as const;

/** Licence texts recognized as a licence of the EU licence table; anything else becomes a licence document of ours. */
const KNOWN_LICENCES: [RegExp, string, string][] = [
  [/^cc[\s_-]*by[\s_-]*4\.?0$/i, 'CC_BY_4_0', 'Creative Commons Attribution 4.0 International'],
  [/^cc[\s_-]*by[\s_-]*sa[\s_-]*4\.?0$/i, 'CC_BY_SA_4_0', 'Creative Commons Attribution-ShareAlike 4.0 International'],
  [/^cc[\s_-]*0([\s_-]*1\.?0)?$/i, 'CC0', 'Creative Commons CC0 1.0 Universal'],
];

export function licenceOf(text: string, base: string): { iri: string; title: string; lang: 'zh' | 'en' } | null {
  const t = text.trim();
  if (!t) return null;
  if (/^https?:\/\/[^\s<>"{}|\\^`]+$/.test(t)) return { iri: t, title: t, lang: 'en' };
  for (const [re, code, title] of KNOWN_LICENCES) if (re.test(t)) return { iri: `${EU}licence/${code}`, title, lang: 'en' };
  return { iri: `${base}/catalog/licenses/${encodeURIComponent(t)}`, title: t, lang: hasHan(t) ? 'zh' : 'en' };
}

export const hasHan = (s: string) => /\p{Script=Han}/u.test(s);
