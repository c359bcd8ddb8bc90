// Messages of the openness module (开放度评估, issue 7 §9), registered into the platform's message table at import.
import { registerMessages } from '../../i18n/messages.ts';

export const OPENNESS_MESSAGES = {
  OPENNESS_NOT_OPEN: { 'zh-CN': '该数据资源未开放，不参与开放度评估', en: 'This resource is not opened, so it has no openness score' },
} as const;

registerMessages(OPENNESS_MESSAGES);
