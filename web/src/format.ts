// Dates and times shown in the platform's time zone (Asia/Shanghai), formatted for the UI language.
import { currentLang } from './i18n.ts';

export const TIME_ZONE = 'Asia/Shanghai';

function locale(): string {
  return currentLang() === 'en' ? 'en-US' : 'zh-CN';
}

function toDate(v: string | number | Date | null | undefined): Date | null {
  if (v === null || v === undefined || v === '') return null;
  const d = v instanceof Date ? v : new Date(v);
  return Number.isNaN(d.getTime()) ? null : d;
}

/** 2024/05/01 14:03:22 (zh-CN) or May 1, 2024, 14:03:22 (en). Empty string for no value. */
export function formatDateTime(v: string | number | Date | null | undefined): string {
  const d = toDate(v);
  if (!d) return '';
  const en = currentLang() === 'en';
  return new Intl.DateTimeFormat(locale(), {
    timeZone: TIME_ZONE,
    year: 'numeric',
    month: en ? 'short' : '2-digit',
    day: en ? 'numeric' : '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
  }).format(d);
}

export function formatDate(v: string | number | Date | null | undefined): string {
  const d = toDate(v);
  if (!d) return '';
  const en = currentLang() === 'en';
  return new Intl.DateTimeFormat(locale(), {
    timeZone: TIME_ZONE,
    year: 'numeric',
    month: en ? 'short' : '2-digit',
    day: en ? 'numeric' : '2-digit',
  }).format(d);
}

/** The Shanghai calendar day of an instant, YYYY-MM-DD. */
export function shanghaiDay(v: string | number | Date): string {
  const d = toDate(v);
  if (!d) return '';
  return new Intl.DateTimeFormat('en-CA', { timeZone: TIME_ZONE, year: 'numeric', month: '2-digit', day: '2-digit' }).format(d);
}

/** HH:mm in Shanghai; prefixed with the date when the instant is not today. */
export function formatUntil(v: string | number | Date | null | undefined): string {
  const d = toDate(v);
  if (!d) return '';
  const hm = new Intl.DateTimeFormat(locale(), { timeZone: TIME_ZONE, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(d);
  return shanghaiDay(d) === shanghaiDay(new Date()) ? hm : `${formatDate(d)} ${hm}`;
}

export function formatNumber(n: number | null | undefined): string {
  if (n === null || n === undefined) return '';
  return new Intl.NumberFormat(locale()).format(n);
}
