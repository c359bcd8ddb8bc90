// Server-side user-facing messages, keyed by the stable error code. zh-CN first, English a switch away.
// Modules add their codes here (one table, so translators see every message in one place).
export type Lang = 'zh-CN' | 'en';

export const MESSAGES: Record<string, { 'zh-CN': string; en: string }> = {
  BAD_REQUEST: { 'zh-CN': '请求无效', en: 'Bad request' },
  VALIDATION_FAILED: { 'zh-CN': '请求参数校验失败：{detail}', en: 'Request validation failed: {detail}' },
  MALFORMED_JSON: { 'zh-CN': '请求体不是合法的 JSON', en: 'The request body is not valid JSON' },
  UNSUPPORTED_MEDIA_TYPE: { 'zh-CN': '不支持的内容类型', en: 'Unsupported content type' },
  NOT_FOUND: { 'zh-CN': '资源不存在', en: 'Not found' },
  ROUTE_NOT_FOUND: { 'zh-CN': '接口不存在：{method} {url}', en: 'No such endpoint: {method} {url}' },
  PAYLOAD_TOO_LARGE: { 'zh-CN': '请求体过大（上限 {limit} 字节）', en: 'Request body too large (limit {limit} bytes)' },
  RATE_LIMITED: { 'zh-CN': '请求过于频繁，请在 {retryAfter} 秒后重试', en: 'Too many requests; retry in {retryAfter} s' },
  UNAUTHENTICATED: { 'zh-CN': '请先登录', en: 'Please log in' },
  FORBIDDEN: { 'zh-CN': '无权执行此操作', en: 'You are not allowed to do this' },
  CONFLICT: { 'zh-CN': '与当前状态冲突', en: 'Conflicts with the current state' },
  INTERNAL: { 'zh-CN': '服务器内部错误，请稍后重试（请求号 {requestId}）', en: 'Internal error; please retry later (request {requestId})' },
  SERVICE_UNAVAILABLE: { 'zh-CN': '服务暂不可用', en: 'Service unavailable' },
  // jobs: calendar and notifications
  CALENDAR_INVALID_DATE: { 'zh-CN': '日期无效：{value}（格式 YYYY-MM-DD，1900–2999 年）', en: 'Invalid date: {value} (YYYY-MM-DD, years 1900–2999)' },
  CALENDAR_INVALID_DAYS: { 'zh-CN': '工作日天数无效：{value}', en: 'Invalid number of working days: {value}' },
  CALENDAR_INVALID_YEAR: { 'zh-CN': '年份无效：{value}', en: 'Invalid year: {value}' },
  CALENDAR_OVERRIDE_NOT_FOUND: { 'zh-CN': '{date} 没有人工调整', en: 'There is no override on {date}' },
  CALENDAR_SPAN_TOO_LONG: { 'zh-CN': '日期区间过长（最多 {max} 天）', en: 'Date range too long (at most {max} days)' },
  NOTIFICATION_NOT_FOUND: { 'zh-CN': '通知不存在', en: 'Notification not found' },
};

export function pickLang(acceptLanguage: string | undefined): Lang {
  if (!acceptLanguage) return 'zh-CN';
  // First language tag that we support wins (q-values are ordered by clients in practice; honour them anyway).
  const tags = acceptLanguage
    .split(',')
    .map((part) => {
      const [tag = '', ...params] = part.trim().split(';');
      const q = params.find((p) => p.trim().startsWith('q='));
      return { tag: tag.toLowerCase(), q: q ? Number(q.trim().slice(2)) || 0 : 1 };
    })
    .sort((a, b) => b.q - a.q);
  for (const { tag } of tags) {
    if (tag.startsWith('zh')) return 'zh-CN';
    if (tag.startsWith('en')) return 'en';
  }
  return 'zh-CN';
}

export function translate(code: string, lang: Lang, params: Record<string, unknown> = {}): string {
  const entry = MESSAGES[code];
  const template = entry ? entry[lang] : code;
  return template.replace(/\{(\w+)\}/g, (_, k: string) => (params[k] === undefined ? `{${k}}` : String(params[k])));
}
