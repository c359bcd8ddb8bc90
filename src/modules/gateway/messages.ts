// Messages of the data gateway (applications, the three delivery forms, the exchange log), registered at import.
import { registerMessages } from '../../i18n/messages.ts';

export const GATEWAY_MESSAGES = {
  APPLICATION_NOT_FOUND: { 'zh-CN': '应用不存在', en: 'Application not found' },
  APPLICATION_NAME_TAKEN: { 'zh-CN': '本单位已有名为“{name}”的应用', en: 'Your organization already has an application named "{name}"' },
  APPLICATION_DISABLED: { 'zh-CN': '应用已停用，不能签发新密钥', en: 'The application is disabled; no new keys can be issued' },
  APPLICATION_ORG_REQUIRED: {
    'zh-CN': '只有隶属于某个单位的用户才能登记应用',
    en: 'Only a user of an organization can register applications',
  },
  GATEWAY_RESOURCE_NOT_FOUND: { 'zh-CN': '数据资源不存在或尚无数据', en: 'The resource does not exist or has no data yet' },
  VERIFY_RATE_LIMITED: {
    'zh-CN': '核验调用过于频繁（每分钟最多 {limit} 次），请于 {resetAt} 后再试',
    en: 'Too many verification calls (at most {limit} a minute); try again after {resetAt}',
  },
  VERIFY_KEY_IS_CLAIM: { 'zh-CN': '核验的主键字段不能同时作为待核验字段', en: 'The key field cannot also be a claimed field' },
  EXTRACT_NOT_FOUND: { 'zh-CN': '批量交付任务不存在', en: 'Extract not found' },
  EXTRACT_NOT_READY: { 'zh-CN': '批量交付文件尚未生成（状态：{state}）', en: 'The extract file is not ready (state: {state})' },
  EXTRACT_SINCE_VERSION_REQUIRED: {
    'zh-CN': '增量交付须指定起始版本 sinceVersion',
    en: 'An incremental extract needs sinceVersion',
  },
  EXTRACT_SINCE_VERSION_INVALID: {
    'zh-CN': '起始版本 {sinceVersion} 无效（当前版本 {current}）',
    en: 'sinceVersion {sinceVersion} is not valid (current version {current})',
  },
  GATEWAY_MESSAGE_NOT_FOUND: { 'zh-CN': '交换日志中没有此消息', en: 'No such message in the exchange log' },
  SUBJECT_ID_UNKNOWN: {
    'zh-CN': '您的账户未登记公民身份号码，无法查询数据使用记录',
    en: 'Your account has no citizen ID number on record; uses of your data cannot be looked up',
  },
} as const;

registerMessages(GATEWAY_MESSAGES);
