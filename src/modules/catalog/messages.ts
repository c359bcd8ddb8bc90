// Messages of the catalog module (zh-CN first, English), keyed by error code; registered at import time.
// STALE_VERSION, TRANSITION_NOT_ALLOWED and GRADE_POLICY_VIOLATION are platform-wide codes first defined here:
// other modules reuse them with the same text.
import { registerMessages } from '../../i18n/messages.ts';

export const CATALOG_MESSAGES = {
  // catalog: resources, fields, lifecycle, grading
  NEGATIVE_LIST_BLOCKS: {
    'zh-CN': '该资源已列入负面清单，{field} 只能为“不予”（依据：{legalBasis}）',
    en: 'This resource is on the negative list: {field} must be "none" (legal basis: {legalBasis})',
  },
  CATALOG_CATEGORY_UNKNOWN: { 'zh-CN': '分类 {value} 不存在（{field}）', en: 'Unknown category {value} ({field})' },
  CATALOG_CODE_INVALID: {
    'zh-CN': '资源代码格式无效：{value}（应为 分类代码-机构代码-五位序号，如 FR-SCJG-00001）',
    en: 'Invalid resource code: {value} (expected category-org-sequence, e.g. FR-SCJG-00001)',
  },
  CATALOG_CODE_TAKEN: { 'zh-CN': '资源代码 {code} 已被使用', en: 'Resource code {code} is already taken' },
  CATALOG_COMMENT_REQUIRED: { 'zh-CN': '此操作必须填写意见说明', en: 'A comment is required for this action' },
  CATALOG_CONDITIONS_REQUIRED: {
    'zh-CN': '{field} 必须填写：{reason}',
    en: '{field} is required: {reason}',
  },
  CATALOG_ELEMENT_UNKNOWN: { 'zh-CN': '信息项引用的数据元不存在', en: 'A field refers to a data element that does not exist' },
  CATALOG_FIELD_CODE_DUPLICATE: {
    'zh-CN': '信息项代码重复：{code}（第 {index} 项）',
    en: 'Duplicate field code {code} (field #{index})',
  },
  CATALOG_FIELD_TYPE_UNKNOWN: {
    'zh-CN': '第 {index} 个信息项的数据类型 {value} 不存在',
    en: 'Field #{index} has an unknown data type {value}',
  },
  CATALOG_FIELDS_REQUIRED: { 'zh-CN': '提交前至少需要一个信息项', en: 'At least one field is required before submission' },
  CATALOG_GRADE_BELOW_COMPUTED: {
    'zh-CN': '确认的级别低于按规则和信息项计算的级别 {computed}（就高从严）',
    en: 'The confirmed grade is below the grade computed from the rules and fields ({computed}; the highest applies)',
  },
  CATALOG_MISSING_METADATA: { 'zh-CN': '缺少必填元数据：{fields}', en: 'Missing required metadata: {fields}' },
  CATALOG_NOT_EDITABLE: {
    'zh-CN': '资源当前状态（{state}）不允许修改',
    en: 'The resource cannot be edited in its current state ({state})',
  },
  CATALOG_ORG_NOT_PROVIDER: {
    'zh-CN': '机构 {org} 不能作为数据提供方（只能是数据管理机构、部门或其下属单位）',
    en: 'Organization {org} cannot provide data (only the authority, departments and their units can)',
  },
  CATALOG_ORG_UNKNOWN: { 'zh-CN': '提供方机构不存在（{field}）', en: 'Unknown provider organization ({field})' },
  CATALOG_POLICY_INVALID: { 'zh-CN': '分级策略第 {index} 条无效：{reason}', en: 'Grade policy rule #{index} is invalid: {reason}' },
  CATALOG_RESOURCE_NOT_FOUND: { 'zh-CN': '数据资源不存在', en: 'Data resource not found' },
  CATALOG_RULE_CODE_TAKEN: { 'zh-CN': '分级规则代码 {code} 已存在', en: 'Grading rule code {code} already exists' },
  CATALOG_RULE_FACTOR_TAKEN: {
    'zh-CN': '已有启用的分级规则 {code} 针对同一因素',
    en: 'An enabled grading rule ({code}) already covers the same factor',
  },
  CATALOG_RULE_INVALID: { 'zh-CN': '分级规则无效：{reason}', en: 'Invalid grading rule: {reason}' },
  CATALOG_RULE_NOT_FOUND: { 'zh-CN': '分级规则不存在', en: 'Grading rule not found' },
  CATALOG_VALUE_INVALID: { 'zh-CN': '{field} 的取值无效：{value}', en: 'Invalid value for {field}: {value}' },
  CATALOG_VERSION_NOT_FOUND: { 'zh-CN': '版本 {version} 不存在', en: 'Version {version} does not exist' },
  GRADE_POLICY_VIOLATION: {
    'zh-CN': '违反分级策略 {rule}：{gradeZh}的{attributeZh}不能为“{valueZh}”（依据：{source}）',
    en: 'Grade policy {rule} violated: {attribute} of {gradeEn} data cannot be "{value}" (source: {source})',
  },
  STALE_VERSION: {
    'zh-CN': '数据已被他人修改（当前版本 {current}，您提交的版本 {given}），请刷新后重试',
    en: 'Someone else changed this meanwhile (current version {current}, yours {given}); reload and retry',
  },
  TRANSITION_NOT_ALLOWED: {
    'zh-CN': '当前状态 {from} 不能转为 {to}；允许的操作：{allowedText}',
    en: 'Cannot go from {from} to {to}; allowed: {allowedText}',
  },
};

registerMessages(CATALOG_MESSAGES);

// catalog: bulk import and export (bulk.ts)
export const CATALOG_BULK_MESSAGES = {
  IMPORT_BAD_FILE: {
    'zh-CN': '文件不是 XLSX 或 CSV（按文件内容识别，与扩展名无关；旧版 .xls 请另存为 .xlsx）',
    en: 'The file is not an XLSX or CSV file (detected from its content, not its name; save old .xls files as .xlsx)',
  },
  IMPORT_BAD_HEADERS: {
    'zh-CN': '工作表“{sheet}”的表头与模板不符（缺少：{missing}；无法识别：{unknown}；重复：{duplicate}），请下载模板对照',
    en: 'The headers of sheet "{sheet}" do not match the template (missing: {missing}; unknown: {unknown}; duplicated: {duplicate}); download the template to compare',
  },
  IMPORT_CONFLICTING_VALUE: {
    'zh-CN': '同一资源（{code}）的各行中“{column}”取值不一致：第 {first} 行为“{expected}”',
    en: 'Rows of the same resource ({code}) disagree on "{column}": row {first} says "{expected}"',
  },
  IMPORT_DUPLICATE_CODE: {
    'zh-CN': '资源代码 {code} 在文件中重复（首次出现于第 {first} 行）',
    en: 'Resource code {code} appears twice in the file (first on row {first})',
  },
  IMPORT_EMPTY: { 'zh-CN': '文件中没有数据行', en: 'The file has no data rows' },
  IMPORT_FIELD_RESOURCE_UNKNOWN: {
    'zh-CN': '信息项所属的资源代码 {code} 不在“资源”工作表中',
    en: 'The field belongs to resource code {code}, which is not on the resources sheet',
  },
  IMPORT_INVALID_ROWS: {
    'zh-CN': '导入文件有 {total} 处错误，未写入任何数据；请按错误清单（工作表、行、列）修改后重新导入',
    en: 'The file has {total} errors; nothing was imported. Fix them (sheet, row, column listed) and import again',
  },
  IMPORT_ORG_FORBIDDEN: {
    'zh-CN': '无权为机构 {org} 导入资源（只能导入本机构及下属单位的资源）',
    en: 'You may not import resources for organization {org} (only your own organization and its units)',
  },
  IMPORT_TEXT_TOO_LONG: { 'zh-CN': '“{column}”超过 {max} 个字符', en: '"{column}" is longer than {max} characters' },
  IMPORT_TOO_MANY_ROWS: {
    'zh-CN': '文件行数过多：一次最多导入 {max} 行（{what}）',
    en: 'Too many rows: at most {max} per import ({what})',
  },
  IMPORT_TOO_MANY_VALUES: { 'zh-CN': '“{column}”最多 {max} 项', en: '"{column}" takes at most {max} values' },
};

registerMessages(CATALOG_BULK_MESSAGES);
