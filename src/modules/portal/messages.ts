// Messages of the portal module (open data portal, issue 7), keyed by code, registered at import.
// SoQL errors (src/modules/portal/soql.ts; docs/portal-soql.md): {param} is the query parameter at fault
// ($where, $query, …), {at} the 1-based character position (details.position is 0-based), {reasonZh}/{reasonEn}
// the reason from soql.ts's REASONS table.
import { registerMessages } from '../../i18n/messages.ts';

export const PORTAL_MESSAGES = {
  SOQL_SYNTAX: {
    'zh-CN': '{param} 第 {at} 个字符附近语法错误：{reasonZh}（{nearZh}）',
    en: 'Syntax error in {param} near character {at}: {reasonEn} ({nearEn})',
  },
  SOQL_UNKNOWN_COLUMN: {
    'zh-CN': '{param} 第 {at} 个字符处：数据集没有列“{column}”',
    en: '{param}, character {at}: the dataset has no column "{column}"',
  },
  SOQL_UNKNOWN_FUNCTION: {
    'zh-CN': '{param} 第 {at} 个字符处：不支持函数 {function}（可用：{allowed}）',
    en: '{param}, character {at}: function {function} is not supported (available: {allowed})',
  },
  SOQL_TYPE: {
    'zh-CN': '{param} 第 {at} 个字符处类型错误：{reasonZh}',
    en: 'Type error in {param} at character {at}: {reasonEn}',
  },
  SOQL_AGGREGATE: {
    'zh-CN': '{param} 第 {at} 个字符处分组或聚合错误：{reasonZh}',
    en: 'Grouping or aggregation error in {param} at character {at}: {reasonEn}',
  },
  SOQL_DUPLICATE_NAME: {
    'zh-CN': '{param} 第 {at} 个字符处：结果列名“{column}”重复',
    en: '{param}, character {at}: the result column name "{column}" is used twice',
  },
  SOQL_LIMIT: {
    'zh-CN': '{param} 超出上限：{reasonZh}（上限 {max}）',
    en: '{param} exceeds a limit: {reasonEn} (maximum {max})',
  },
  SOQL_PARAM: {
    'zh-CN': '查询参数 {param} 无效：{reasonZh}',
    en: 'Invalid query parameter {param}: {reasonEn}',
  },
};

registerMessages(PORTAL_MESSAGES);
