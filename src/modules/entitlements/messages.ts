// Messages of the entitlements module (policy decision point refusals, entitlement management), registered at import.
import { registerMessages } from '../../i18n/messages.ts';

export const ENTITLEMENTS_MESSAGES = {
  FIELD_NOT_GRANTED: { 'zh-CN': '字段“{field}”不在授权范围内', en: 'The field "{field}" is not granted' },
  ENTITLEMENT_ACTION_NOT_GRANTED: {
    'zh-CN': '授权不包含此操作（{action}）',
    en: 'The entitlement does not include this action ({action})',
  },
  ENTITLEMENT_REVOKED: { 'zh-CN': '授权已被撤销', en: 'The entitlement has been revoked' },
  ENTITLEMENT_SUSPENDED: { 'zh-CN': '授权已被暂停', en: 'The entitlement is suspended' },
  ENTITLEMENT_EXPIRED: { 'zh-CN': '授权已过期', en: 'The entitlement has expired' },
  ENTITLEMENT_NOT_YET_VALID: { 'zh-CN': '授权尚未生效', en: 'The entitlement is not valid yet' },
  BUSINESS_REF_REQUIRED: {
    'zh-CN': '该授权要求每次调用注明办件号或事项编码',
    en: 'This entitlement requires a business reference (case number or service item code) on every call',
  },
  QUOTA_EXCEEDED: {
    'zh-CN': '已达到授权的用量上限（{unit}，{period}：{limit}）',
    en: 'The entitlement quota is used up ({unit} per {period}: {limit})',
  },
  ENTITLEMENT_ROW_FILTER_UNRESOLVED: {
    'zh-CN': '授权限定的数据范围字段“{field}”不在当前数据版本中，暂不能提供数据',
    en: 'The field "{field}" that limits this entitlement’s rows is not in the current version; no data can be served',
  },
  ENTITLEMENT_NOT_FOUND: { 'zh-CN': '授权不存在', en: 'Entitlement not found' },
  ENTITLEMENT_STATE_CONFLICT: {
    'zh-CN': '授权当前状态为“{state}”，不能执行此操作',
    en: 'The entitlement is {state}; this change is not possible',
  },
  ENTITLEMENT_RENEW_INVALID: {
    'zh-CN': '续期的截止时间“{validTo}”必须晚于当前时间和原截止时间',
    en: 'The new end "{validTo}" must be later than now and than the current end',
  },
} as const;

registerMessages(ENTITLEMENTS_MESSAGES);
