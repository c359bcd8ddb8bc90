// Messages of the conditional open application module (有条件开放申请), registered into the platform's table at import.
import { registerMessages } from '../../i18n/messages.ts';

export const OPENAPPLY_MESSAGES = {
  OPENAPPLY_NOT_FOUND: { 'zh-CN': '开放申请不存在', en: 'Application not found' },
  OPENAPPLY_RESOURCE_NOT_FOUND: { 'zh-CN': '数据资源不存在或尚未开放', en: 'The resource does not exist or is not open' },
  OPENAPPLY_NOT_CONDITIONAL: {
    'zh-CN': '只有“有条件开放”的数据资源需要申请（该资源开放属性：{mode}；依据：{basis}）',
    en: 'Only resources opened on conditions are applied for (this one: {mode}; basis: {basis})',
  },
  OPENAPPLY_NEGATIVE_LIST: {
    'zh-CN': '该数据资源列入负面清单，不予开放，依据：{legalBasis}',
    en: 'This resource is on the negative list and is not opened; legal basis: {legalBasis}',
  },
  OPENAPPLY_APPLICANT_ONLY: {
    'zh-CN': '有条件开放数据由企业、科研人员或公民个人以本人账号申请；政务部门请通过共享申请获取数据',
    en: 'Conditionally opened data is applied for by companies, researchers or citizens with their own account; government departments use a sharing request',
  },
  OPENAPPLY_FIELD_REQUIRED: { 'zh-CN': '请填写{label}', en: 'Please fill in {label}' },
  OPENAPPLY_FIELD_UNKNOWN: { 'zh-CN': '数据资源没有信息项“{field}”', en: 'The resource has no field "{field}"' },
  OPENAPPLY_FIELD_NOT_OPEN: { 'zh-CN': '信息项“{field}”不予开放', en: 'The field "{field}" is not opened' },
  OPENAPPLY_PERIOD_INVALID: {
    'zh-CN': '使用期限的结束时间须晚于开始时间，且不能早于今天',
    en: 'The period must end after it starts, and not before today',
  },
  OPENAPPLY_PERIOD_TOO_LONG: { 'zh-CN': '使用期限最长 {max} 天', en: 'The period may be at most {max} days' },
  OPENAPPLY_ALREADY_OPEN: {
    'zh-CN': '您对该数据资源已有一件办理中的申请（{number}）',
    en: 'You already have an application in progress for this resource ({number})',
  },
  OPENAPPLY_DOCUMENT_TYPE: {
    'zh-CN': '附件“{name}”不是 PDF、PNG 或 JPEG 文件',
    en: 'The document "{name}" is not a PDF, PNG or JPEG file',
  },
  OPENAPPLY_DOCUMENT_TOO_LARGE: { 'zh-CN': '附件“{name}”超过 {max}', en: 'The document "{name}" is larger than {max}' },
  OPENAPPLY_DOCUMENTS_TOO_MANY: { 'zh-CN': '每件申请最多 {max} 个附件', en: 'At most {max} documents per application' },
  OPENAPPLY_DOCUMENTS_NOT_HERE: {
    'zh-CN': '只有申请人补充材料并重新提交时可以上传附件',
    en: 'Documents are uploaded only by the applicant when supplementing and resubmitting',
  },
  OPENAPPLY_DOCUMENT_NOT_FOUND: { 'zh-CN': '附件不存在', en: 'Document not found' },
  OPENAPPLY_TRANSITION_NOT_ALLOWED: {
    'zh-CN': '申请当前状态为“{fromLabel}”，不能变更为“{toLabel}”',
    en: 'The application is "{fromLabel}" and cannot move to "{toLabel}"',
  },
  OPENAPPLY_WRONG_ROLE: { 'zh-CN': '此操作须由{byLabel}办理', en: 'This step must be taken by {byLabel}' },
  OPENAPPLY_REASON_REQUIRED: {
    'zh-CN': '不予同意须说明理由（至少 {min} 个字）',
    en: 'A rejection must give its reasons (at least {min} characters)',
  },
  OPENAPPLY_ASK_REQUIRED: {
    'zh-CN': '请写明需要补充的材料或信息（至少 {min} 个字）',
    en: 'Say what must be supplemented (at least {min} characters)',
  },
  OPENAPPLY_TERMS_WIDENED: {
    'zh-CN': '协议条款只能在申请范围内收窄（{what}）',
    en: 'The agreement may only narrow what was applied for ({what})',
  },
  OPENAPPLY_REPORT_NOT_FOUND: { 'zh-CN': '利用情况报告不存在', en: 'Usage report not found' },
  OPENAPPLY_REPORT_DONE: { 'zh-CN': '第 {period} 期报告已提交', en: 'The report for period {period} has been submitted' },
  OPENAPPLY_REPORT_TOO_SHORT: {
    'zh-CN': '请说明数据利用情况、成果与效益（至少 {min} 个字）',
    en: 'Describe the use, results and benefits (at least {min} characters)',
  },
  OPENAPPLY_NOT_SUSPENDED: { 'zh-CN': '授权未处于暂停状态', en: 'The entitlement is not suspended' },
  OPENAPPLY_REPORTS_MISSING: {
    'zh-CN': '仍有逾期未提交的利用情况报告（第 {periods} 期），不能恢复授权',
    en: 'Usage reports are still missing (period {periods}); the entitlement cannot be reinstated',
  },
  OPENAPPLY_SETTING_NOT_FOUND: { 'zh-CN': '没有设置项 {key}', en: 'No setting {key}' },
  OPENAPPLY_SETTING_OUT_OF_RANGE: {
    'zh-CN': '{key} 须在 {min} 到 {max} 之间',
    en: '{key} must be between {min} and {max}',
  },
} satisfies Record<string, { 'zh-CN': string; en: string }>;

registerMessages(OPENAPPLY_MESSAGES);
