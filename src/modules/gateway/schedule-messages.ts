// Messages of scheduled bulk delivery (定时交付), registered at import.
import { registerMessages } from '../../i18n/messages.ts';

export const SCHEDULE_MESSAGES = {
  EXTRACT_SCHEDULE_NOT_FOUND: { 'zh-CN': '定时交付计划不存在', en: 'Scheduled delivery not found' },
  EXTRACT_SCHEDULE_CRON_INVALID: {
    'zh-CN': '执行周期“{cron}”不是有效的 cron 表达式：{reason}',
    en: 'The schedule "{cron}" is not a valid cron expression: {reason}',
  },
  EXTRACT_SCHEDULE_TOO_FREQUENT: {
    'zh-CN': '执行周期“{cron}”过于频繁：两次交付至少间隔 {minMinutes} 分钟',
    en: 'The schedule "{cron}" runs too often: deliveries must be at least {minMinutes} minutes apart',
  },
  EXTRACT_SCHEDULE_APPLICATION_REQUIRED: {
    'zh-CN': '请选择以哪个应用的身份执行定时交付',
    en: 'Choose the application the scheduled delivery acts as',
  },
  EXTRACT_SCHEDULE_APPLICATION_MISMATCH: {
    'zh-CN': '以 AppKey 调用时只能为本应用创建定时交付',
    en: 'A signed call can only schedule deliveries for its own application',
  },
  EXTRACT_SCHEDULE_APPLICATION_DISABLED: {
    'zh-CN': '应用已停用，不能为其安排定时交付',
    en: 'The application is disabled; no deliveries can be scheduled for it',
  },
  EXTRACT_SCHEDULE_KEY_REQUIRED: {
    'zh-CN': '该应用没有有效的密钥：请先签发密钥，定时交付以密钥的身份执行',
    en: 'The application has no live key: issue one first (scheduled deliveries act as a key)',
  },
  EXTRACT_SCHEDULE_KEY_INVALID: {
    'zh-CN': '密钥不属于该应用，或已吊销、应用已停用、签发人已停用',
    en: 'The key does not belong to the application, or it is revoked, the application disabled or its owner disabled',
  },
  EXTRACT_SCHEDULE_GRANT_REQUIRED: {
    'zh-CN': '该应用没有此数据资源的批量交付（bulk）授权',
    en: 'The application holds no bulk-delivery grant on this resource',
  },
  EXTRACT_SCHEDULE_PAUSED: { 'zh-CN': '定时交付已暂停', en: 'The scheduled delivery is paused' },
  EXTRACT_SCHEDULE_NOT_PAUSED: { 'zh-CN': '定时交付未暂停', en: 'The scheduled delivery is not paused' },
  EXTRACT_SCHEDULE_RUN_IN_PROGRESS: {
    'zh-CN': '上一次交付仍在排队或执行中，本次跳过',
    en: 'The previous delivery is still queued or running; this one is skipped',
  },
  EXTRACT_SCHEDULE_RUN_INTERRUPTED: {
    'zh-CN': '交付执行中断（进程退出），将在下一周期重试',
    en: 'The delivery was interrupted (the process stopped); the next occurrence tries again',
  },
} as const;

registerMessages(SCHEDULE_MESSAGES);
