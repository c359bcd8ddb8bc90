// Ingest schedules: five-field cron expressions in China time, parsed by cron-parser (the parser pg-boss itself
// uses for its schedules). A spec's next run is one durable pg-boss job (see service.ts), so only "when is the
// next occurrence after t" is needed here.
import cronParser from 'cron-parser';
import { badRequest } from '../../errors.ts';
import './messages.ts';

export const SCHEDULE_TZ = 'Asia/Shanghai';
/** Runs closer together than this are refused (an ingest re-reads the source each time). */
export const MIN_INTERVAL_MINUTES = 5;

const invalid = (schedule: string, reason: string) =>
  badRequest('SOURCE_SCHEDULE_INVALID', { schedule, reason }, { field: 'schedule', reason });

/** Validates a schedule and returns it normalized (single spaces). */
export function checkSchedule(schedule: string): string {
  const expr = schedule.trim().replace(/\s+/g, ' ');
  const fields = expr.split(' ');
  if (fields.length !== 5) throw invalid(schedule, 'five fields are needed: minute hour day-of-month month day-of-week');
  if (!fields.every((f) => /^[0-9A-Za-z*/,\-?LW#]+$/.test(f))) throw invalid(schedule, 'unexpected characters');
  const it = (() => {
    try {
      return cronParser.parseExpression(expr, { tz: SCHEDULE_TZ, currentDate: new Date() });
    } catch (e) {
      throw invalid(schedule, (e as Error).message.slice(0, 200));
    }
  })();
  // The closest two of the next occurrences must be at least MIN_INTERVAL_MINUTES apart.
  let prev: number | null = null;
  for (let k = 0; k < 50; k++) {
    let t: number;
    try {
      t = it.next().getTime();
    } catch {
      break; // no further occurrence (e.g. 30 February never comes)
    }
    if (prev !== null && t - prev < MIN_INTERVAL_MINUTES * 60_000) {
      throw invalid(schedule, `runs must be at least ${MIN_INTERVAL_MINUTES} minutes apart`);
    }
    prev = t;
  }
  if (prev === null) throw invalid(schedule, 'it never runs');
  return expr;
}

/** The first occurrence strictly after `after`. */
export function nextRun(schedule: string, after: Date): Date {
  const it = cronParser.parseExpression(schedule, { tz: SCHEDULE_TZ, currentDate: after });
  return it.next().toDate();
}
