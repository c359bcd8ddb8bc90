// Messages of the harvest module (采集其他门户的目录, issue 7 §8), registered into the platform's message table at import.
import { registerMessages } from '../../i18n/messages.ts';

export const HARVEST_MESSAGES = {
  HARVEST_FIELD_REQUIRED: { 'zh-CN': '请填写 {field}', en: 'Please fill in {field}' },
  HARVEST_URL_INVALID: { 'zh-CN': '采集地址须为 http 或 https 网址', en: 'The harvest URL must be an http or https URL' },
  HARVEST_OWNER_INVALID: {
    'zh-CN': '接收部门须为本平台的数据管理机构、部门或单位',
    en: 'The receiving organization must be an authority, department or unit of this platform',
  },
  HARVEST_CATEGORY_UNKNOWN: { 'zh-CN': '目录分类“{value}”不存在或未启用', en: 'Catalog category "{value}" does not exist or is disabled' },
  HARVEST_SCHEDULE_INVALID: { 'zh-CN': '采集计划无效：{reason}', en: 'The harvest schedule is not valid: {reason}' },
  HARVEST_SOURCE_EXISTS: { 'zh-CN': '该部门已配置相同地址的采集源', en: 'This organization already harvests that URL' },
  HARVEST_SOURCE_NOT_FOUND: { 'zh-CN': '采集源不存在', en: 'Harvest source not found' },
  HARVEST_SOURCE_DISABLED: { 'zh-CN': '采集源已停用', en: 'The harvest source is disabled' },
  HARVEST_RUN_IN_PROGRESS: { 'zh-CN': '该采集源正在采集，请稍后再试', en: 'A harvest of this source is already queued or running' },
  HARVEST_RUN_NOT_FOUND: { 'zh-CN': '采集记录不存在', en: 'Harvest run not found' },
  HARVEST_ORIGIN_NOT_FOUND: { 'zh-CN': '该数据资源不是采集所得', en: 'This resource was not harvested' },
} as const;

registerMessages(HARVEST_MESSAGES);
