// Messages of the uploads module (resumable uploads), registered into the platform's message table at import.
import { registerMessages } from '../../i18n/messages.ts';

export const UPLOADS_MESSAGES = {
  UPLOAD_FILENAME_INVALID: {
    'zh-CN': '上传须在 Upload-Metadata 中提供文件名（filename，1–255 个字符，不含控制字符）',
    en: 'An upload must name its file in Upload-Metadata (filename, 1–255 characters, no control characters)',
  },
  UPLOAD_INCOMPLETE: {
    'zh-CN': '文件尚未上传完成（已收到 {offset} / {size} 字节）',
    en: 'The upload is not finished yet ({offset} of {size} bytes received)',
  },
  UPLOAD_LENGTH_REQUIRED: {
    'zh-CN': '创建上传时须用 Upload-Length 声明文件大小（不支持延后声明）',
    en: 'Declare the file size with Upload-Length when creating an upload (deferred length is not supported)',
  },
  UPLOAD_CHUNK_TOO_LARGE: {
    'zh-CN': '数据块超出了创建上传时声明的文件大小',
    en: 'The chunk goes beyond the file size declared when the upload was created',
  },
  UPLOAD_NOT_FOUND: { 'zh-CN': '上传不存在或已过期', en: 'Upload not found or expired' },
  UPLOAD_OFFSET_CONFLICT: {
    'zh-CN': '上传位置不一致：请先用 HEAD 查询已收到的字节数，再从该位置续传',
    en: 'Offset mismatch: ask with HEAD how many bytes arrived and resume from there',
  },
  UPLOAD_REQUEST_INVALID: {
    'zh-CN': '上传请求不符合 tus 协议：{detail}',
    en: 'The upload request does not follow the tus protocol: {detail}',
  },
  UPLOAD_TOO_LARGE: {
    'zh-CN': '文件过大：{size} 字节，上限为 {limitText}（{limit} 字节）',
    en: 'File too large: {size} bytes; the limit is {limitText} ({limit} bytes)',
  },
} satisfies Record<string, { 'zh-CN': string; en: string }>;

registerMessages(UPLOADS_MESSAGES);
