// Messages of the object store, registered into the platform's message table at import.
import { registerMessages } from '../i18n/messages.ts';

export const STORAGE_MESSAGES = {
  OBJECT_CORRUPT: {
    'zh-CN': '存储的数据文件校验失败（SHA-256 不符），请联系管理员',
    en: 'A stored data file failed its check (SHA-256 mismatch); please contact the administrator',
  },
  OBJECT_KEY_INVALID: { 'zh-CN': '数据文件标识无效：{key}', en: 'Invalid data file key: {key}' },
  OBJECT_NOT_FOUND: { 'zh-CN': '数据文件不存在', en: 'Data file not found' },
  OBJECT_RANGE_INVALID: {
    'zh-CN': '读取范围无效（起点 {start}，终点 {end}）',
    en: 'Invalid byte range (start {start}, end {end})',
  },
  OBJECT_RANGE_NOT_SATISFIABLE: {
    'zh-CN': '读取范围超出文件大小（起点 {start}，文件 {size} 字节）',
    en: 'Byte range beyond the end of the file (start {start}, file of {size} bytes)',
  },
} satisfies Record<string, { 'zh-CN': string; en: string }>;

registerMessages(STORAGE_MESSAGES);
