// Structured logs (pino). Credentials never reach a log line: the paths below are redacted everywhere.
import { pino, type Logger as PinoLogger } from 'pino';

export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-csrf-token"]',
  'req.headers["x-shuyuan-signature"]',
  'res.headers["set-cookie"]',
  'password',
  'secret',
  'appSecret',
  'token',
  '*.password',
  '*.newPassword',
  '*.secret',
  '*.appSecret',
  '*.token',
  'databaseUrl',
  'smtpUrl',
];

export function createLogger(level: string): PinoLogger {
  return pino({ level, redact: { paths: REDACT_PATHS, censor: '[redacted]' }, base: { service: 'shuyuan' } });
}
