// Messages of the portal feedback module (需求征集, 纠错, 应用展示), registered into the platform's message table at import.
import { registerMessages } from '../../i18n/messages.ts';

export const FEEDBACK_MESSAGES = {
  FEEDBACK_DEMAND_NOT_FOUND: { 'zh-CN': '需求不存在', en: 'Demand not found' },
  FEEDBACK_REPORT_NOT_FOUND: { 'zh-CN': '纠错不存在', en: 'Error report not found' },
  FEEDBACK_REUSE_NOT_FOUND: { 'zh-CN': '应用成果不存在', en: 'Reuse not found' },
  FEEDBACK_RESOURCE_NOT_FOUND: { 'zh-CN': '数据资源不存在', en: 'Resource not found' },
  FEEDBACK_RESOURCE_UNKNOWN: { 'zh-CN': '所选数据资源不存在或不可见', en: 'The chosen resource does not exist or is not visible' },
  FEEDBACK_RESOURCE_NOT_PUBLIC: {
    'zh-CN': '“已有数据”须指向公众无需登录即可查看的开放数据资源',
    en: '"Already available" must point at an open resource the public can see without logging in',
  },
  FEEDBACK_ORG_UNKNOWN: { 'zh-CN': '所选部门不存在或已停用', en: 'The chosen department does not exist or is inactive' },
  FEEDBACK_FIELD_REQUIRED: { 'zh-CN': '请填写 {field}', en: 'Please fill in {field}' },
  FEEDBACK_TEXT_TOO_LONG: { 'zh-CN': '{field} 不能超过 {max} 个字', en: '{field} may have at most {max} characters' },
  FEEDBACK_REASON_REQUIRED: {
    'zh-CN': '不予采纳须说明理由（至少 {min} 个字）',
    en: 'A refusal must give its reason (at least {min} characters)',
  },
  FEEDBACK_PLANNED_DATE_REQUIRED: { 'zh-CN': '采纳需求须给出计划开放日期', en: 'Accepting a demand needs a planned date' },
  FEEDBACK_PLANNED_DATE_PAST: { 'zh-CN': '计划开放日期不能早于今天', en: 'The planned date cannot be in the past' },
  FEEDBACK_DEMAND_CLOSED: { 'zh-CN': '该需求已答复（状态：{status}）', en: 'This demand has been answered already (status: {status})' },
  FEEDBACK_NO_DATASET: { 'zh-CN': '该数据资源尚无已发布的数据，无法纠错', en: 'This resource has no published data to report an error on' },
  FEEDBACK_VERSION_UNKNOWN: { 'zh-CN': '数据版本 {version} 不存在', en: 'Dataset version {version} does not exist' },
  FEEDBACK_ROW_UNKNOWN: {
    'zh-CN': '第 {row} 行不存在（该版本共 {rows} 行）',
    en: 'Row {row} does not exist (the version has {rows} rows)',
  },
  FEEDBACK_FIELD_UNKNOWN: { 'zh-CN': '数据没有字段“{field}”', en: 'The dataset has no field "{field}"' },
  FEEDBACK_REPORT_STEP_INVALID: {
    'zh-CN': '纠错当前状态为 {status}，不能执行 {action}',
    en: 'The error report is {status}; {action} is not possible now',
  },
  FEEDBACK_FIXED_VERSION_INVALID: {
    'zh-CN': '更正须指向晚于被纠错版本（{version}）的新版本',
    en: 'A correction must point at a version newer than the reported one ({version})',
  },
  FEEDBACK_URL_INVALID: { 'zh-CN': '链接须为 http:// 或 https:// 开头的网址', en: 'The link must be an http:// or https:// address' },
  FEEDBACK_TOO_MANY_DATASETS: { 'zh-CN': '一个应用成果最多关联 {max} 个数据资源', en: 'A reuse may name at most {max} datasets' },
  FEEDBACK_REUSE_NOT_PUBLISHED: { 'zh-CN': '只有已发布的应用成果可以设为精选', en: 'Only published reuses can be featured' },
  FEEDBACK_RATE_LIMITED: {
    'zh-CN': '提交过于频繁：每小时最多 {max} 条，请稍后再试',
    en: 'Too many submissions: at most {max} an hour, please try again later',
  },
  FEEDBACK_SETTING_NOT_FOUND: { 'zh-CN': '参数 {key} 不存在', en: 'Setting {key} does not exist' },
  FEEDBACK_SETTING_OUT_OF_RANGE: {
    'zh-CN': '参数 {key} 的取值应在 {min} 到 {max} 之间',
    en: 'Setting {key} must be between {min} and {max}',
  },
} satisfies Record<string, { 'zh-CN': string; en: string }>;

registerMessages(FEEDBACK_MESSAGES);
