// Messages of the federation module (数据回流), registered into the platform's message table at import.
import { registerMessages } from '../../i18n/messages.ts';

export const FEDERATION_MESSAGES = {
  FEDERATION_FIELD_REQUIRED: { 'zh-CN': '请填写 {field}', en: 'Please fill in {field}' },
  FEDERATION_FIELD_UNKNOWN: { 'zh-CN': '数据资源没有信息项“{field}”', en: 'The resource has no field "{field}"' },
  FEDERATION_RESOURCE_NOT_FOUND: { 'zh-CN': '数据资源不存在', en: 'Resource not found' },
  FEDERATION_RESOURCE_NOT_PUBLISHED: {
    'zh-CN': '只能回流已发布的数据资源（当前状态：{status}）',
    en: 'Only a published resource can flow back (current status: {status})',
  },
  FEDERATION_PEER_NOT_FOUND: { 'zh-CN': '接收方机构不存在', en: 'The receiving organization does not exist' },
  FEDERATION_PEER_IS_PROVIDER: {
    'zh-CN': '接收方不能是数据提供部门本身或其下级',
    en: 'The receiver cannot be the providing organization or one of its units',
  },
  FEDERATION_VALIDITY_INVALID: { 'zh-CN': '有效期须晚于现在', en: 'The validity must end in the future' },
  FEDERATION_APPLICATION_DISABLED: {
    'zh-CN': '接收方的数据回流接口应用已停用',
    en: 'The receiver’s back-flow application is disabled',
  },
  FEDERATION_PACKAGE_INVALID: {
    'zh-CN': '授权包无效（{reason}）：格式、签发方公钥指纹、签名或有效期未通过核验',
    en: 'The grant package is not valid ({reason}): its format, issuer key fingerprint, signature or validity failed the check',
  },
  FEDERATION_LINK_EXISTS: { 'zh-CN': '该授权包已导入', en: 'This grant package has been accepted already' },
  FEDERATION_LINK_NOT_FOUND: { 'zh-CN': '回流链接不存在', en: 'Back-flow link not found' },
  FEDERATION_LINK_DISABLED: { 'zh-CN': '回流链接已停用', en: 'The back-flow link is disabled' },
  FEDERATION_PULL_FAILED: {
    'zh-CN': '从上级平台拉取数据失败（{reason}），本地数据未改变',
    en: 'Pulling from the issuing platform failed ({reason}); local data is unchanged',
  },
  FEDERATION_PULL_IN_PROGRESS: {
    'zh-CN': '该回流链接正在拉取数据，请等待本次拉取结束',
    en: 'A pull of this back-flow link is already queued or running; wait for it to finish',
  },
  FEDERATION_SCHEDULE_INVALID: {
    'zh-CN': '拉取计划“{schedule}”不是有效的 cron 表达式（{reason}），格式为“分 时 日 月 周”，按北京时间',
    en: 'The pull schedule "{schedule}" is not a valid cron expression ({reason}); use "minute hour day month weekday", China time',
  },
  FEDERATION_SCHEDULE_TOO_FREQUENT: {
    'zh-CN': '拉取计划“{schedule}”过于频繁：两次拉取至少间隔 {minutes} 分钟',
    en: 'The pull schedule "{schedule}" is too frequent: pulls must be at least {minutes} minutes apart',
  },
  FEDERATION_SCHEDULE_REQUIRED: {
    'zh-CN': '该回流链接尚未设置拉取计划，无法暂停或恢复',
    en: 'This back-flow link has no pull schedule to pause or resume',
  },
  FEDERATION_PEER_ONE_OF: {
    'zh-CN': '请选择已有的接收方机构，或填写新机构的代码和名称（二者选一）',
    en: 'Choose an existing receiving organization or give the code and name of a new one (one of the two)',
  },
} satisfies Record<string, { 'zh-CN': string; en: string }>;

registerMessages(FEDERATION_MESSAGES);
