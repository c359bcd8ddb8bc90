// Messages of the source-database module (源数据库接入), registered into the platform's message table at import.
import { registerMessages } from '../../i18n/messages.ts';

export const SOURCES_MESSAGES = {
  SOURCE_NOT_FOUND: { 'zh-CN': '源数据库连接不存在', en: 'Source database connection not found' },
  SOURCE_SPEC_NOT_FOUND: { 'zh-CN': '数据接入任务不存在', en: 'Database ingest spec not found' },
  SOURCE_NAME_TAKEN: {
    'zh-CN': '本机构已有名为“{name}”的源数据库连接',
    en: 'This organization already has a source connection named "{name}"',
  },
  SOURCE_ORG_INVALID: {
    'zh-CN': '源数据库连接只能归属于数据提供部门（所选机构不存在或不是部门）',
    en: 'A source connection must belong to a providing department (the organization does not exist or is not a department)',
  },
  SOURCE_HOST_FORBIDDEN: {
    'zh-CN': '不允许连接该地址：{reason}',
    en: 'Connecting to this address is not allowed: {reason}',
  },
  SOURCE_HOST_UNRESOLVED: { 'zh-CN': '无法解析主机名 {host}', en: 'The host name {host} cannot be resolved' },
  SOURCE_PASSWORD_REQUIRED: {
    'zh-CN': '修改主机、端口、数据库类型或用户名时必须重新输入密码（已保存的密码不会发往新的地址）',
    en: 'Changing the host, port, database kind or user requires entering the password again (a stored password is never sent to a new address)',
  },
  SOURCE_IN_USE: {
    'zh-CN': '该连接仍被 {count} 个数据接入任务使用，请先删除这些任务',
    en: 'This connection is still used by {count} ingest spec(s); delete them first',
  },
  SOURCE_UNREACHABLE: {
    'zh-CN': '无法连接源数据库 {host}:{port}：{reason}',
    en: 'Cannot reach the source database {host}:{port}: {reason}',
  },
  SOURCE_AUTH_FAILED: {
    'zh-CN': '源数据库拒绝了用户名或密码：{reason}',
    en: 'The source database refused the user name or password: {reason}',
  },
  SOURCE_DATABASE_UNKNOWN: {
    'zh-CN': '源数据库服务器上不存在数据库 {database}',
    en: 'The database {database} does not exist on the source server',
  },
  SOURCE_QUERY_NOT_SELECT: {
    'zh-CN': '查询只能是一条 SELECT（或 WITH … SELECT）语句：{reason}',
    en: 'The query must be a single SELECT (or WITH … SELECT) statement: {reason}',
  },
  SOURCE_QUERY_FAILED: { 'zh-CN': '源数据库执行查询失败：{reason}', en: 'The source database could not run the query: {reason}' },
  SOURCE_QUERY_TIMEOUT: {
    'zh-CN': '查询超过 {seconds} 秒仍未完成，已中止',
    en: 'The query did not finish within {seconds} s and was stopped',
  },
  SOURCE_COLUMN_DUPLICATE: {
    'zh-CN': '查询结果中列名“{column}”重复（不区分大小写），请在查询中为列取不同的别名',
    en: 'The query returns the column name "{column}" more than once (case-insensitive); give the columns distinct aliases',
  },
  SOURCE_NO_COLUMNS: { 'zh-CN': '查询结果没有任何列', en: 'The query returns no columns' },
  SOURCE_INCREMENTAL_COLUMN_REQUIRED: {
    'zh-CN': '增量接入必须指定增量列（递增的编号或时间戳列）',
    en: 'An incremental ingest needs an incremental column (an increasing key or timestamp)',
  },
  SOURCE_INCREMENTAL_COLUMN_INVALID: {
    'zh-CN': '增量列“{column}”不可用：{reason}',
    en: 'The incremental column "{column}" cannot be used: {reason}',
  },
  SOURCE_SCHEDULE_INVALID: {
    'zh-CN': '定时规则“{schedule}”无效：{reason}',
    en: 'The schedule "{schedule}" is not valid: {reason}',
  },
  SOURCE_DATASET_CHECK_UNAVAILABLE: {
    'zh-CN': '数据集服务尚未就绪，暂不能创建或修改数据接入任务',
    en: 'The datasets service is not ready; ingest specs cannot be created or changed yet',
  },
  SOURCE_RUNNER_MISSING: {
    'zh-CN': '数据接入执行器尚未就绪（数据集服务未注册），任务未执行',
    en: 'The ingest runner is not set (the datasets service has not registered it); nothing was run',
  },
  SOURCE_RUN_IN_PROGRESS: {
    'zh-CN': '该数据接入任务已在排队或执行中',
    en: 'This ingest spec is already queued or running',
  },
} satisfies Record<string, { 'zh-CN': string; en: string }>;

registerMessages(SOURCES_MESSAGES);
