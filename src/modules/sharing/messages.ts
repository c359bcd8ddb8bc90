// Messages of the sharing module (共享申请), registered into the platform's message table at import.
import { registerMessages } from '../../i18n/messages.ts';

export const SHARING_MESSAGES = {
  SHARING_REQUEST_NOT_FOUND: { 'zh-CN': '共享申请不存在', en: 'Sharing request not found' },
  SHARING_RESOURCE_NOT_FOUND: { 'zh-CN': '数据资源不存在', en: 'Resource not found' },
  SHARING_RESOURCE_NOT_PUBLISHED: {
    'zh-CN': '只能申请共享目录中已发布的数据资源（当前状态：{status}）',
    en: 'Only resources published in the sharing catalog can be requested (current status: {status})',
  },
  SHARING_NOT_SHAREABLE: {
    'zh-CN': '该数据资源不予共享，依据：{basis}',
    en: 'This resource is not shareable; legal basis: {basis}',
  },
  SHARING_NEGATIVE_LIST: {
    'zh-CN': '该数据资源列入负面清单，不能申请共享，依据：{legalBasis}',
    en: 'This resource is on the negative list and cannot be requested; legal basis: {legalBasis}',
  },
  SHARING_OWN_DATA: {
    'zh-CN': '本部门（或上级部门）提供的数据无需申请共享',
    en: 'Data provided by your own organization (or a parent) needs no sharing request',
  },
  SHARING_FIELD_UNKNOWN: { 'zh-CN': '数据资源没有信息项“{field}”', en: 'The resource has no field "{field}"' },
  SHARING_FIELD_NOT_SHAREABLE: {
    'zh-CN': '信息项“{field}”不予共享',
    en: 'The field "{field}" is not shareable',
  },
  SHARING_FIELD_REQUIRED: { 'zh-CN': '请填写{label}', en: 'Please fill in {label}' },
  SHARING_ALREADY_OPEN: {
    'zh-CN': '本部门对该数据资源已有一件办理中的共享申请（{number}）',
    en: 'Your organization already has a sharing request in progress for this resource ({number})',
  },
  SHARING_VALIDITY_INVALID: {
    'zh-CN': '有效期结束时间须晚于开始时间，且不能早于今天',
    en: 'The validity must end after it starts, and not before today',
  },
  SHARING_VALIDITY_TOO_LONG: {
    'zh-CN': '有效期最长 {max} 天',
    en: 'The validity may be at most {max} days',
  },
  SHARING_APPLICATION_NOT_FOUND: {
    'zh-CN': '应用系统不存在或不属于申请部门',
    en: 'The application does not exist or does not belong to the requesting organization',
  },
  SHARING_RENEWAL_NOT_FOUND: {
    'zh-CN': '要续期的授权不存在或不属于本部门、本数据资源',
    en: 'The entitlement to renew does not exist or is not your organization’s grant on this resource',
  },
  SHARING_TRANSITION_NOT_ALLOWED: {
    'zh-CN': '共享申请当前状态为“{fromLabel}”，不能变更为“{toLabel}”',
    en: 'The sharing request is "{fromLabel}" and cannot move to "{toLabel}"',
  },
  SHARING_TRANSITION_WRONG_ROLE: {
    'zh-CN': '“{fromLabel}”→“{toLabel}”须由{byLabel}办理',
    en: '"{fromLabel}" → "{toLabel}" must be done by {byLabel}',
  },
  SHARING_DEADLINE_PASSED: {
    'zh-CN': '答复时限已于 {dueDate} 届满，申请已转数据管理机构协调',
    en: 'The time limit ended on {dueDate}; the request has gone to the data authority for coordination',
  },
  SHARING_REASON_REQUIRED: {
    'zh-CN': '不予共享须说明理由（至少 {min} 个字）',
    en: 'A refusal must give its reasons (at least {min} characters)',
  },
  SHARING_TERMS_WIDENED: {
    'zh-CN': '审批只能缩小申请范围：{what}超出了申请',
    en: 'An approval may only narrow the request: {what} goes beyond what was asked',
  },
  SHARING_NOT_NEGOTIATING: {
    'zh-CN': '只有协商或协调中的申请可以留言',
    en: 'Messages are possible only while the request is in negotiation or coordination',
  },
  SHARING_SETTING_NOT_FOUND: { 'zh-CN': '共享参数 {key} 不存在', en: 'Sharing setting {key} does not exist' },
  SHARING_SETTING_OUT_OF_RANGE: {
    'zh-CN': '共享参数 {key} 的取值应在 {min} 到 {max} 之间',
    en: 'Sharing setting {key} must be between {min} and {max}',
  },
} satisfies Record<string, { 'zh-CN': string; en: string }>;

registerMessages(SHARING_MESSAGES);
