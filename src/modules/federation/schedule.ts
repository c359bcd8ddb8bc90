// Pull schedules of back-flow links: five-field cron expressions in China time, parsed by cron-parser (as the
// source-database ingest schedules, src/modules/sources/schedule.ts). Each occurrence is one durable pg-boss job
// (service.ts), so only "is this schedule acceptable" and "when is the next occurrence after t" live here.
import cronParser from 'cron-parser';
import { badRequest } from '../../errors.ts';
import './messages.ts';

export const PULL_SCHEDULE_TZ = 'Asia/Shanghai';
/**
 * Pulls closer together than this are refused: every pull asks the issuing platform for a full extract (its
 * gateway, its quota, its exchange log), and back-flow data changes monthly or daily, not by the minute.
 */
export const MIN_PULL_INTERVAL_MINUTES = 60;

/** Validates a schedule; returns it normalized (single spaces). 400 FEDERATION_SCHEDULE_INVALID / _TOO_FREQUENT. */
export function checkPullSchedule(schedule: string, now: Date, minMinutes = MIN_PULL_INTERVAL_MINUTES): string {
  const expr = schedule.trim().replace(/\s+/g, ' ');
  const invalid = (reason: string) => badRequest('FEDERATION_SCHEDULE_INVALID', { schedule, reason }, { field: 'cron', reason });
  const fields = expr.split(' ');
  if (fields.length !== 5) throw invalid('five fields are needed: minute hour day-of-month month day-of-week');
  if (!fields.every((f) => /^[0-9A-Za-z*/,\-?LW#]+$/.test(f))) throw invalid('unexpected characters');
  const it = (() => {
    try {
      return cronParser.parseExpression(expr, { tz: PULL_SCHEDULE_TZ, currentDate: now });
    } catch (e) {
      throw invalid((e as Error).message.slice(0, 200));
    }
  })();
  // The closest two of the next occurrences (a year of hourly ones, at most) must be minMinutes apart.
  let prev: number | null = null;
  for (let k = 0; k < 400; k++) {
    let t: number;
    try {
      t = it.next().getTime();
    } catch {
      break; // no further occurrence (e.g. 30 February never comes)
    }
    if (prev !== null && t - prev < minMinutes * 60_000)
      throw badRequest('FEDERATION_SCHEDULE_TOO_FREQUENT', { schedule, minutes: minMinutes }, { field: 'cron', minMinutes });
    prev = t;
  }
  if (prev === null) throw invalid('it never runs');
  return expr;
}

/** The first occurrence strictly after `after`, or null when there is none. */
export function nextPull(schedule: string, after: Date): Date | null {
  try {
    return cronParser.parseExpression(schedule, { tz: PULL_SCHEDULE_TZ, currentDate: after }).next().toDate();
  } catch {
    return null;
  }
}
