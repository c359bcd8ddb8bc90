// Messages of the CKAN Action API (issue 7 §6). CKAN's own wording in English; the field-level validation texts
// of a Validation Error stay CKAN's English strings (clients match on them), only `message` is localized.
import { registerMessages } from '../../i18n/messages.ts';

export const CKAN_MESSAGES = {
  CKAN_NOT_FOUND: { 'zh-CN': '未找到', en: 'Not found' },
  CKAN_RESOURCE_NOT_FOUND: { 'zh-CN': '未找到：资源不存在。', en: 'Not found: Resource was not found.' },
  CKAN_DATASTORE_NOT_FOUND: { 'zh-CN': '未找到：资源“{id}”不存在。', en: 'Not found: Resource "{id}" was not found.' },
  CKAN_GROUP_NOT_FOUND: { 'zh-CN': '未找到：主题不存在', en: 'Not found: Group not found' },
  CKAN_ORG_NOT_FOUND: { 'zh-CN': '未找到：组织不存在', en: 'Not found: Organization not found' },
  CKAN_ACCESS_DENIED: {
    'zh-CN': '拒绝访问：该数据为有条件开放，需先申请并获批（{code}）',
    en: 'Access denied: this data is opened on conditions; apply for it and be approved first ({code})',
  },
  CKAN_QUERY_TIMEOUT: { 'zh-CN': '查询超过 {seconds} 秒被中止', en: 'The query ran longer than {seconds} s and was stopped' },
} as const;

registerMessages(CKAN_MESSAGES);
