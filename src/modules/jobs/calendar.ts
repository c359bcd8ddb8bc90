// The working-day calendar every deadline uses (工作日历).
//
// Dates are calendar days in China time (Asia/Shanghai, UTC+8 all year, no daylight saving), written as
// 'YYYY-MM-DD' strings; an instant becomes a date with chinaDate(), a deadline date becomes an instant with
// endOfChinaDay().
//
// What makes a day a working day, first rule that applies wins:
//   1. an admin override (table calendar_overrides: 'workday' or 'holiday'),
//   2. the statutory holidays (法定节假日) and adjusted working days (调休上班) published by the State Council,
//      from the maintained `chinese-days` package (its JSON data, one file per release),
//   3. Saturday and Sunday are rest days, Monday to Friday working days.
// Years the package has no data for use rule 3 only, and every answer says so (dataAvailable: false).
//
// Counting rule (民法典 第二百零一条/第二百零三条 and common administrative practice for
// "自受理之日起 N 个工作日内"): the start day itself is never counted; day 1 is the first working day after the
// start date, whether the start date is a working day or not (an application received on a Saturday is
// counted from Monday). The deadline is the END of the Nth working day (23:59:59 China time).
// addWorkingDays(d, 0) is d when d is a working day, otherwise the next working day (a period that would
// end on a rest day ends on the next working day).
// workingDaysBetween(a, b) counts the working days in (a, b] — so workingDaysBetween(d, addWorkingDays(d, n))
// is n — and is negative when b is before a.
import { createRequire } from 'node:module';
import { badRequest, notFound } from '../../errors.ts';
import type { Db } from '../../db/database.ts';
import type { LedgerService } from '../ledger/service.ts';
import type { Actor } from '../identity/actor.ts';
import { CalendarRepository, type CalendarOverrideRow } from './repository.ts';

export type DayKind = 'workday' | 'weekend' | 'holiday' | 'adjusted_workday';
export type OverrideKind = 'workday' | 'holiday';

export interface CalendarOverride {
  date: string;
  kind: OverrideKind;
  note: string;
  createdBy: string | null;
  createdAt: Date;
}

export interface CalendarDay {
  date: string;
  working: boolean;
  kind: DayKind;
  /** Name of the statutory holiday this day belongs to (zh-CN), e.g. 国庆节. */
  name?: string;
  /** The same name in English, e.g. National Day. */
  nameEn?: string;
  /** Present when an admin override decided this day. */
  override?: { kind: OverrideKind; note: string };
}

export interface YearView {
  year: number;
  /** False when the holiday package has no data for this year: only weekends are rest days (plus overrides). */
  dataAvailable: boolean;
  days: CalendarDay[];
}

// ---------------------------------------------------------------------------------------------------------
// The package data: { holidays: { 'YYYY-MM-DD': 'English name,中文名,n' }, workdays: {...}, inLieuDays: {...} }.
interface PackageData {
  holidays: Record<string, string>;
  workdays: Record<string, string>;
}
const PACKAGE: PackageData = createRequire(import.meta.url)('chinese-days/dist/chinese-days.json') as PackageData;
const PACKAGE_YEARS: ReadonlySet<number> = new Set(Object.keys(PACKAGE.holidays).map((d) => Number(d.slice(0, 4))));

/** The years (ascending) for which the holiday package publishes statutory holidays. */
export const DATA_YEARS: readonly number[] = [...PACKAGE_YEARS].sort((a, b) => a - b);

export function hasHolidayData(year: number): boolean {
  return PACKAGE_YEARS.has(year);
}

function packageName(raw: string | undefined): { name: string; nameEn: string } | null {
  if (!raw) return null;
  const [en = '', zh = ''] = raw.split(',');
  return { name: zh || en, nameEn: en || zh };
}

// ---------------------------------------------------------------------------------------------------------
// Date strings.
const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DAY_MS = 86_400_000;
const CHINA_OFFSET_MS = 8 * 3_600_000;
export const MIN_YEAR = 1900;
export const MAX_YEAR = 2999;

/** True for a real calendar date 'YYYY-MM-DD' within the supported range (1900–2999). */
export function isValidDate(s: string): boolean {
  const m = DATE_RE.exec(s);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (y < MIN_YEAR || y > MAX_YEAR) return false;
  const t = new Date(Date.UTC(y, mo - 1, d));
  return t.getUTCFullYear() === y && t.getUTCMonth() === mo - 1 && t.getUTCDate() === d;
}

/** Throws a 400 CALENDAR_INVALID_DATE naming `field` unless `s` is a valid date. */
export function assertDate(s: string, field = 'date'): string {
  if (!isValidDate(s)) throw badRequest('CALENDAR_INVALID_DATE', { value: s }, { field });
  return s;
}

function toEpochDay(s: string): number {
  return Date.UTC(Number(s.slice(0, 4)), Number(s.slice(5, 7)) - 1, Number(s.slice(8, 10))) / DAY_MS;
}

function fromEpochDay(n: number): string {
  return new Date(n * DAY_MS).toISOString().slice(0, 10);
}

export function addDays(s: string, n: number): string {
  return fromEpochDay(toEpochDay(s) + n);
}

/** The calendar date in China (Asia/Shanghai) at an instant. */
export function chinaDate(at: Date = new Date()): string {
  return new Date(at.getTime() + CHINA_OFFSET_MS).toISOString().slice(0, 10);
}

/** The first instant after the end of a China calendar day (i.e. the next midnight in Asia/Shanghai). */
export function endOfChinaDay(date: string): Date {
  return new Date((toEpochDay(date) + 1) * DAY_MS - CHINA_OFFSET_MS);
}

function isWeekend(s: string): boolean {
  const dow = new Date(toEpochDay(s) * DAY_MS).getUTCDay();
  return dow === 0 || dow === 6;
}

// ---------------------------------------------------------------------------------------------------------
// Pure rules over a set of overrides (the service supplies the cached table).
export type OverrideMap = ReadonlyMap<string, { kind: OverrideKind; note: string }>;
const NO_OVERRIDES: OverrideMap = new Map();

export function classifyDay(date: string, overrides: OverrideMap = NO_OVERRIDES): CalendarDay {
  const weekend = isWeekend(date);
  const holiday = packageName(PACKAGE.holidays[date]);
  const adjusted = packageName(PACKAGE.workdays[date]);
  const named = holiday ?? adjusted;
  const base: CalendarDay = holiday
    ? { date, working: false, kind: 'holiday' }
    : adjusted
      ? { date, working: true, kind: 'adjusted_workday' }
      : weekend
        ? { date, working: false, kind: 'weekend' }
        : { date, working: true, kind: 'workday' };
  if (named) {
    base.name = named.name;
    base.nameEn = named.nameEn;
  }
  const o = overrides.get(date);
  if (!o) return base;
  const day: CalendarDay =
    o.kind === 'holiday'
      ? { date, working: false, kind: 'holiday' }
      : { date, working: true, kind: weekend || holiday ? 'adjusted_workday' : 'workday' };
  if (named) {
    day.name = named.name;
    day.nameEn = named.nameEn;
  }
  day.override = { kind: o.kind, note: o.note };
  return day;
}

export function isWorkingDayPure(date: string, overrides: OverrideMap = NO_OVERRIDES): boolean {
  return classifyDay(date, overrides).working;
}

/** The Nth working day strictly after `date` (n ≥ 1); for n = 0, `date` or the next working day. */
export function addWorkingDaysPure(date: string, n: number, overrides: OverrideMap = NO_OVERRIDES): string {
  if (!Number.isInteger(n) || n < 0) throw badRequest('CALENDAR_INVALID_DAYS', { value: n }, { field: 'days' });
  let d = date;
  if (n === 0) {
    while (!isWorkingDayPure(d, overrides)) d = addDays(d, 1);
    return d;
  }
  let left = n;
  while (left > 0) {
    d = addDays(d, 1);
    if (isWorkingDayPure(d, overrides)) left--;
  }
  return d;
}

/** Working days in (from, to]; negative when `to` is before `from`. */
export function workingDaysBetweenPure(from: string, to: string, overrides: OverrideMap = NO_OVERRIDES): number {
  const a = toEpochDay(from);
  const b = toEpochDay(to);
  if (b < a) return -workingDaysBetweenPure(to, from, overrides);
  let count = 0;
  for (let day = a + 1; day <= b; day++) if (isWorkingDayPure(fromEpochDay(day), overrides)) count++;
  return count;
}

export function yearViewPure(year: number, overrides: OverrideMap = NO_OVERRIDES): YearView {
  const days: CalendarDay[] = [];
  const end = toEpochDay(`${year + 1}-01-01`);
  for (let day = toEpochDay(`${year}-01-01`); day < end; day++) days.push(classifyDay(fromEpochDay(day), overrides));
  return { year, dataAvailable: hasHolidayData(year), days };
}

// ---------------------------------------------------------------------------------------------------------
/** Largest span the API computes over (about 27 years), so one request cannot loop for long. */
export const MAX_SPAN_DAYS = 10_000;

export interface CalendarServiceOptions {
  /** How long the override table is cached in memory (default 10 s; changes made here apply at once). */
  overrideTtlMs?: number;
}

export class CalendarService {
  readonly repo: CalendarRepository;
  private cache: { map: OverrideMap; at: number } | null = null;
  private readonly ttlMs: number;

  constructor(
    readonly db: Db,
    readonly ledger: LedgerService,
    opts: CalendarServiceOptions = {},
  ) {
    this.repo = new CalendarRepository(db);
    this.ttlMs = opts.overrideTtlMs ?? 10_000;
  }

  /** The admin overrides, from a short-lived in-memory cache. */
  async overrides(): Promise<OverrideMap> {
    if (this.cache && Date.now() - this.cache.at < this.ttlMs) return this.cache.map;
    const rows = await this.repo.listOverrides();
    const map = new Map(rows.map((r) => [r.date, { kind: r.kind, note: r.note }] as const));
    this.cache = { map, at: Date.now() };
    return map;
  }

  invalidate(): void {
    this.cache = null;
  }

  async day(date: string): Promise<CalendarDay> {
    return classifyDay(assertDate(date), await this.overrides());
  }

  async isWorkingDay(date: string): Promise<boolean> {
    return (await this.day(date)).working;
  }

  /** The deadline date of "N working days from `date`" (see the counting rule at the top of this file). */
  async addWorkingDays(date: string, n: number): Promise<string> {
    assertDate(date);
    if (!Number.isInteger(n) || n < 0 || n > MAX_SPAN_DAYS) throw badRequest('CALENDAR_INVALID_DAYS', { value: n }, { field: 'days' });
    const result = addWorkingDaysPure(date, n, await this.overrides());
    if (!isValidDate(result)) throw badRequest('CALENDAR_INVALID_DAYS', { value: n }, { field: 'days' });
    return result;
  }

  /** Working days in (from, to]; negative when `to` is before `from`. */
  async workingDaysBetween(from: string, to: string): Promise<number> {
    assertDate(from, 'from');
    assertDate(to, 'to');
    if (Math.abs(toEpochDay(to) - toEpochDay(from)) > MAX_SPAN_DAYS)
      throw badRequest('CALENDAR_SPAN_TOO_LONG', { max: MAX_SPAN_DAYS }, { field: 'to' });
    return workingDaysBetweenPure(from, to, await this.overrides());
  }

  /** The instant a deadline of N working days from `date` passes (end of that day, China time). */
  async deadlineAt(date: string, n: number): Promise<Date> {
    return endOfChinaDay(await this.addWorkingDays(date, n));
  }

  async year(year: number): Promise<YearView> {
    if (!Number.isInteger(year) || year < MIN_YEAR || year > MAX_YEAR)
      throw badRequest('CALENDAR_INVALID_YEAR', { value: year }, { field: 'year' });
    return yearViewPure(year, await this.overrides());
  }

  async listOverrides(): Promise<CalendarOverride[]> {
    return (await this.repo.listOverrides()).map(toOverride);
  }

  /** Sets (or replaces) the override of one date; recorded in the ledger. */
  async setOverride(actor: Actor, date: string, kind: OverrideKind, note: string): Promise<CalendarOverride> {
    assertDate(date);
    const row = await this.db.transaction().execute(async (tx) => {
      const before = await this.repo.getOverride(tx, date);
      const saved = await this.repo.upsertOverride(tx, { date, kind, note, createdBy: actor.userId });
      await this.ledger.append(tx, {
        actor,
        action: 'calendar.override_set',
        objectType: 'calendar_override',
        objectId: date,
        details: { date, kind, note, previous: before ? { kind: before.kind, note: before.note } : null },
      });
      return saved;
    });
    this.invalidate();
    return toOverride(row);
  }

  /** Removes the override of one date (404 when there is none); recorded in the ledger. */
  async deleteOverride(actor: Actor, date: string): Promise<void> {
    assertDate(date);
    await this.db.transaction().execute(async (tx) => {
      const removed = await this.repo.deleteOverride(tx, date);
      if (!removed) throw notFound('CALENDAR_OVERRIDE_NOT_FOUND', { date }, { field: 'date' });
      await this.ledger.append(tx, {
        actor,
        action: 'calendar.override_delete',
        objectType: 'calendar_override',
        objectId: date,
        details: { date, kind: removed.kind, note: removed.note },
      });
    });
    this.invalidate();
  }
}

function toOverride(r: CalendarOverrideRow): CalendarOverride {
  return { date: r.date, kind: r.kind, note: r.note, createdBy: r.createdBy, createdAt: r.createdAt };
}
