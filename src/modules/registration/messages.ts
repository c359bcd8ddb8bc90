// Messages of the registration module (登记), registered into the platform's message table at import.
import { registerMessages } from '../../i18n/messages.ts';

export const REGISTRATION_MESSAGES = {
  // registration: applications, workflow, objections, certificates, settings
  REGISTRATION_ALREADY_OPEN: {
    'zh-CN': '该数据资源已有一件办理中的登记申请',
    en: 'This resource already has a registration application in progress',
  },
  REGISTRATION_ALREADY_REGISTERED: {
    'zh-CN': '该数据资源已登记（登记号 {number}），不能重复首次登记',
    en: 'This resource is already registered (number {number}); it cannot be registered for the first time again',
  },
  REGISTRATION_APPLICANT_ONLY: {
    'zh-CN': '只有数据提供部门的经办人可以办理登记申请、补正和撤回',
    en: 'Only a clerk of the providing department may apply, resubmit or withdraw a registration',
  },
  REGISTRATION_CERTIFICATE_NOT_FOUND: {
    'zh-CN': '未查到已登记的证书，请核对登记号或查询码',
    en: 'No registered certificate found; check the registration number or query code',
  },
  REGISTRATION_LOOKUP_QUERY: {
    'zh-CN': '请提供登记号或查询码之一',
    en: 'Give either a registration number or a query code',
  },
  REGISTRATION_NOT_FOUND: { 'zh-CN': '登记申请不存在', en: 'Registration not found' },
  REGISTRATION_NOT_IN_NOTICE: {
    'zh-CN': '该登记不在公示期内，不能提出异议',
    en: 'This registration is not in its public notice period; objections are closed',
  },
  REGISTRATION_RESOURCE_NOT_FOUND: { 'zh-CN': '数据资源不存在', en: 'Resource not found' },
  REGISTRATION_RESOURCE_NOT_REGISTRABLE: {
    'zh-CN': '只有已审核或已发布的数据资源可以登记（当前状态：{status}）',
    en: 'Only an approved or published resource can be registered (current status: {status})',
  },
  REGISTRATION_SETTING_NOT_FOUND: { 'zh-CN': '登记参数 {key} 不存在', en: 'Registration setting {key} does not exist' },
  REGISTRATION_SETTING_OUT_OF_RANGE: {
    'zh-CN': '登记参数 {key} 的取值应在 {min} 到 {max} 之间',
    en: 'Registration setting {key} must be between {min} and {max}',
  },
  REGISTRATION_TRANSITION_NOT_ALLOWED: {
    'zh-CN': '登记申请当前状态为“{fromLabel}”，不能变更为“{toLabel}”',
    en: 'The registration is "{fromLabel}" and cannot move to "{toLabel}"',
  },
  REGISTRATION_TRANSITION_WRONG_ROLE: {
    'zh-CN': '“{fromLabel}”→“{toLabel}”须由{byLabel}办理',
    en: '"{fromLabel}" → "{toLabel}" must be done by {byLabel}',
  },
} satisfies Record<string, { 'zh-CN': string; en: string }>;

registerMessages(REGISTRATION_MESSAGES);
