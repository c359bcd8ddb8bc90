// Messages of the public portal's web module (issue 7 §1: pages, registration, application tokens).
import { registerMessages } from '../../i18n/messages.ts';

export const PORTALWEB_MESSAGES = {
  APP_TOKEN_INVALID: {
    'zh-CN': '应用令牌（X-App-Token）无效或已吊销',
    en: 'The application token (X-App-Token) is unknown or revoked',
  },
  REGISTER_USERNAME_INVALID: {
    'zh-CN': '用户名须为 3–32 个字母、数字或 . _ -，以字母或数字开头，且不能是保留名称',
    en: 'The username must be 3–32 letters, digits or . _ -, start with a letter or digit, and not be a reserved name',
  },
  REGISTER_SIGNED_IN: {
    'zh-CN': '您已登录，无需注册',
    en: 'You are signed in already',
  },
  PORTAL_DEPARTMENT_NOT_FOUND: {
    'zh-CN': '部门“{code}”不存在或没有开放数据',
    en: 'Department "{code}" does not exist or has no open data',
  },
} as const;

registerMessages(PORTALWEB_MESSAGES);
