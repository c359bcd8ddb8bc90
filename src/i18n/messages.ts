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
  // identity: login, sessions, API keys, organizations, users
  API_KEY_INVALID: { 'zh-CN': 'AppKey 无效或已吊销', en: 'Unknown or revoked AppKey' },
  API_KEY_NOT_FOUND: { 'zh-CN': 'API 密钥不存在', en: 'API key not found' },
  AUTH_INVALID_CREDENTIALS: { 'zh-CN': '用户名或密码错误', en: 'Wrong username or password' },
  AUTH_LOCKED: {
    'zh-CN': '登录失败次数过多，账号已临时锁定至 {lockedUntil}',
    en: 'Too many failed logins; the account is locked until {lockedUntil}',
  },
  AUTH_THROTTLED: {
    'zh-CN': '该地址登录失败次数过多，请在 {retryAfter} 秒后重试',
    en: 'Too many failed logins from this address; retry in {retryAfter} s',
  },
  AUTH_USER_DISABLED: { 'zh-CN': '账号已停用，请联系管理员', en: 'This account is disabled; please contact the administrator' },
  CANNOT_DISABLE_SELF: { 'zh-CN': '不能停用自己的账号', en: 'You cannot disable your own account' },
  CREDIT_CODE_INVALID: { 'zh-CN': '统一社会信用代码无效（校验位不符）', en: 'Invalid unified social credit code (check digit mismatch)' },
  CREDIT_CODE_TAKEN: { 'zh-CN': '统一社会信用代码已被其他机构使用', en: 'This unified social credit code belongs to another organization' },
  CSRF_FAILED: { 'zh-CN': '请求缺少有效的 CSRF 令牌，请刷新页面后重试', en: 'Missing or invalid CSRF token; reload the page and retry' },
  CURRENT_PASSWORD_WRONG: { 'zh-CN': '当前密码不正确', en: 'The current password is wrong' },
  LAST_ADMIN: { 'zh-CN': '不能停用或降级最后一位数据管理机构管理员', en: 'The last authority administrator cannot be disabled or demoted' },
  ORG_CODE_TAKEN: { 'zh-CN': '机构代码 {code} 已存在', en: 'Organization code {code} already exists' },
  ORG_CYCLE: {
    'zh-CN': '不能把机构移动到它自己或其下级机构之下',
    en: 'An organization cannot be moved under itself or one of its sub-units',
  },
  ORG_NOT_FOUND: { 'zh-CN': '机构不存在', en: 'Organization not found' },
  ORG_UNKNOWN: { 'zh-CN': '所选机构不存在', en: 'The chosen organization does not exist' },
  PASSWORD_POLICY: {
    'zh-CN': '密码不符合要求：至少 {min} 位，包含大写字母、小写字母、数字、符号中的至少三类，且不能包含用户名',
    en: 'The password does not meet the policy: at least {min} characters, at least three of upper case, lower case, digits and symbols, and not containing the username',
  },
  SIGNATURE_EXPIRED: {
    'zh-CN': '签名时间戳超出允许范围（±{window} 秒），请校准时钟',
    en: 'Signature timestamp outside the allowed window (±{window} s); check the clock',
  },
  SIGNATURE_INVALID: { 'zh-CN': '请求签名无效', en: 'Invalid request signature' },
  SIGNATURE_REPLAYED: { 'zh-CN': '请求重放：该 nonce 已使用过', en: 'Replayed request: this nonce was already used' },
  USER_NOT_FOUND: { 'zh-CN': '用户不存在', en: 'User not found' },
  USERNAME_TAKEN: { 'zh-CN': '用户名 {username} 已被使用', en: 'Username {username} is already taken' },
  // jobs: calendar and notifications
  CALENDAR_INVALID_DATE: {
    'zh-CN': '日期无效：{value}（格式 YYYY-MM-DD，1900–2999 年）',
    en: 'Invalid date: {value} (YYYY-MM-DD, years 1900–2999)',
  },
  CALENDAR_INVALID_DAYS: { 'zh-CN': '工作日天数无效：{value}', en: 'Invalid number of working days: {value}' },
  CALENDAR_INVALID_YEAR: { 'zh-CN': '年份无效：{value}', en: 'Invalid year: {value}' },
  CALENDAR_OVERRIDE_NOT_FOUND: { 'zh-CN': '{date} 没有人工调整', en: 'There is no override on {date}' },
  CALENDAR_SPAN_TOO_LONG: { 'zh-CN': '日期区间过长（最多 {max} 天）', en: 'Date range too long (at most {max} days)' },
  NOTIFICATION_NOT_FOUND: { 'zh-CN': '通知不存在', en: 'Notification not found' },
  // ledger: entries, checkpoints, proofs, verification
  LEDGER_BAD_CHECKPOINT_BEYOND_END: {
    'zh-CN': '签名检查点覆盖的记录已不存在（账本止于第 {prev} 条）',
    en: 'A signed checkpoint covers entries that no longer exist (the ledger ends at #{prev})',
  },
  LEDGER_BAD_CHECKPOINT_KEY_UNKNOWN: {
    'zh-CN': '覆盖至第 {seq} 条的检查点由未知密钥签名',
    en: 'The checkpoint covering entries up to #{seq} is signed by an unknown key',
  },
  LEDGER_BAD_CHECKPOINT_ROOT_MISMATCH: {
    'zh-CN': '覆盖至第 {seq} 条的签名检查点与记录不符：这些记录被改写过',
    en: 'The signed checkpoint covering entries up to #{seq} does not match them: they were rewritten',
  },
  LEDGER_BAD_CHECKPOINT_SIGNATURE_INVALID: {
    'zh-CN': '覆盖至第 {seq} 条的检查点签名验证失败',
    en: 'The signature of the checkpoint covering entries up to #{seq} does not verify',
  },
  LEDGER_BAD_ENTRY_MISSING: { 'zh-CN': '第 {seq} 条记录缺失', en: 'Entry #{seq} is missing' },
  LEDGER_BAD_HASH_MISMATCH: {
    'zh-CN': '第 {seq} 条记录在写入后被修改（内容与其哈希不符）',
    en: 'Entry #{seq} was changed after it was written (its content does not match its hash)',
  },
  LEDGER_BAD_PREV_HASH_MISMATCH: {
    'zh-CN': '第 {seq} 条记录的前序哈希与第 {prev} 条的哈希不符',
    en: 'The prev_hash of entry #{seq} is not the hash of entry #{prev}',
  },
  LEDGER_ENTRY_NOT_FOUND: { 'zh-CN': '账本记录 #{seq} 不存在', en: 'Ledger entry #{seq} not found' },
  LEDGER_ENTRY_OUTSIDE_TREE: {
    'zh-CN': '记录 #{seq} 不在前 {treeSize} 条记录构成的树中',
    en: 'Entry #{seq} is not in the tree of the first {treeSize} entries',
  },
  LEDGER_INVALID_TIME: {
    'zh-CN': '时间格式无效：{value}（请使用 2025-01-31 或 2025-01-31T08:00:00+08:00）',
    en: 'Invalid time: {value} (use 2025-01-31 or 2025-01-31T08:00:00+08:00)',
  },
  LEDGER_NO_CHECKPOINT: { 'zh-CN': '账本还没有签名检查点', en: 'The ledger has no signed checkpoint yet' },
  LEDGER_TREE_SIZE_INVALID: {
    'zh-CN': '树大小无效：须在 1 至最新检查点的 {max} 之间，且起点不大于终点',
    en: 'Invalid tree size: it must be between 1 and the latest checkpoint ({max}), the first not larger than the second',
  },
  LEDGER_VERIFY_ALREADY_QUEUED: { 'zh-CN': '已有一个账本校验任务在排队', en: 'A ledger verification is already queued' },
  LEDGER_VERIFY_JOB_NOT_FOUND: { 'zh-CN': '校验任务不存在', en: 'Verification job not found' },
};

/**
 * Adds a module's own messages (e.g. src/modules/catalog/messages.ts calls this at import time), so modules
 * built side by side do not all edit this file. A code defined twice is a programming error.
 */
export function registerMessages(table: Record<string, { 'zh-CN': string; en: string }>): void {
  for (const [code, text] of Object.entries(table)) {
    if (code in MESSAGES && MESSAGES[code]!['zh-CN'] !== text['zh-CN']) throw new Error(`message code ${code} is defined twice`);
    MESSAGES[code] = text;
  }
}

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
