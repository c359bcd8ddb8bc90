// Working-day calendar: statutory holidays and adjusted working days of 2024–2026, the counting rule,
// overrides, years without data. Pure rules, no database.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import {
  addDays,
  addWorkingDaysPure as add,
  chinaDate,
  classifyDay,
  DATA_YEARS,
  endOfChinaDay,
  hasHolidayData,
  isValidDate,
  isWorkingDayPure as working,
  workingDaysBetweenPure as between,
  yearViewPure,
  type OverrideMap,
} from './calendar.ts';

const pkg = createRequire(import.meta.url)('chinese-days/dist/chinese-days.json') as {
  holidays: Record<string, string>;
  workdays: Record<string, string>;
};

test('every 2024–2026 statutory holiday and adjusted working day of the package is honoured', () => {
  for (const year of [2024, 2025, 2026]) {
    const holidays = Object.keys(pkg.holidays).filter((d) => d.startsWith(`${year}-`));
    const workdays = Object.keys(pkg.workdays).filter((d) => d.startsWith(`${year}-`));
    assert.ok(holidays.length >= 25, `${year} has its holidays in the package`);
    assert.ok(workdays.length >= 4, `${year} has its adjusted working days in the package`);
    for (const d of holidays) {
      const day = classifyDay(d);
      assert.equal(day.working, false, d);
      assert.equal(day.kind, 'holiday', d);
      assert.ok(day.name && day.nameEn, d);
    }
    for (const d of workdays) {
      const day = classifyDay(d);
      assert.equal(day.working, true, d);
      assert.equal(day.kind, 'adjusted_workday', d);
    }
    // Every other day follows the week.
    const view = yearViewPure(year);
    assert.equal(view.dataAvailable, true);
    assert.equal(view.days.length, year === 2024 ? 366 : 365);
    for (const day of view.days) {
      if (pkg.holidays[day.date] || pkg.workdays[day.date]) continue;
      const dow = new Date(`${day.date}T00:00:00Z`).getUTCDay();
      assert.equal(day.working, dow !== 0 && dow !== 6, day.date);
      assert.equal(day.kind, day.working ? 'workday' : 'weekend', day.date);
    }
  }
});

test('2025 National Day and Mid-Autumn: 10-01..10-08 off, Sunday 09-28 and Saturday 10-11 worked', () => {
  for (let d = '2025-10-01'; d <= '2025-10-08'; d = addDays(d, 1)) assert.equal(working(d), false, d);
  assert.equal(classifyDay('2025-10-01').name, '国庆节');
  assert.equal(classifyDay('2025-10-06').name, '中秋');
  assert.deepEqual(classifyDay('2025-09-28'), {
    date: '2025-09-28',
    working: true,
    kind: 'adjusted_workday',
    name: '国庆节',
    nameEn: 'National Day',
  });
  assert.equal(classifyDay('2025-10-11').kind, 'adjusted_workday');
  assert.equal(working('2025-10-09'), true);
  assert.equal(working('2025-10-12'), false); // an ordinary Sunday
  assert.equal(classifyDay('2025-10-12').kind, 'weekend');
});

test('2026 Spring Festival: 02-15..02-23 off, Saturdays 02-14 and 02-28 worked', () => {
  for (let d = '2026-02-15'; d <= '2026-02-23'; d = addDays(d, 1)) {
    assert.equal(classifyDay(d).kind, 'holiday', d);
    assert.equal(classifyDay(d).name, '春节');
  }
  assert.equal(classifyDay('2026-02-14').kind, 'adjusted_workday');
  assert.equal(classifyDay('2026-02-28').kind, 'adjusted_workday');
  assert.equal(working('2026-02-24'), true);
  // Friday 02-13 + 1 working day: Saturday 02-14 is worked.
  assert.equal(add('2026-02-13', 1), '2026-02-14');
  // Saturday 02-14 + 1: the festival and its weekend pass, Tuesday 02-24.
  assert.equal(add('2026-02-14', 1), '2026-02-24');
});

test('2024 Spring Festival: 02-10..02-17 off, Sundays 02-04 and 02-18 worked', () => {
  assert.equal(working('2024-02-04'), true);
  assert.equal(working('2024-02-18'), true);
  for (let d = '2024-02-10'; d <= '2024-02-17'; d = addDays(d, 1)) assert.equal(working(d), false, d);
  // Friday 02-09 + 1: Sunday 02-18 is the first working day after the festival.
  assert.equal(add('2024-02-09', 1), '2024-02-18');
});

test('addWorkingDays: the start date is never counted; a start on a rest day counts from the next working day', () => {
  assert.equal(add('2025-09-30', 1), '2025-10-09'); // Tuesday before National Day
  assert.equal(add('2025-09-26', 1), '2025-09-28'); // Friday → the adjusted Sunday
  assert.equal(add('2025-09-27', 1), '2025-09-28'); // received on a Saturday
  assert.equal(add('2025-10-03', 1), '2025-10-09'); // received during the holiday
  assert.equal(add('2025-10-09', 2), '2025-10-11'); // Thursday + 2 = the adjusted Saturday
  assert.equal(add('2025-10-09', 3), '2025-10-13');
  assert.equal(add('2025-06-02', 5), '2025-06-09'); // Dragon Boat Monday (holiday) + 5
  // 20 working days from Monday 2025-09-15: 16–19 and 22–26 (9), Sunday 28 (10), 29–30 (12),
  // Oct 9–10 (14), Saturday 11 (15), 13–17 (20).
  assert.equal(add('2025-09-15', 20), '2025-10-17');
  assert.equal(between('2025-09-15', '2025-10-17'), 20);
});

test('addWorkingDays(d, 0): d itself when working, else the next working day', () => {
  assert.equal(add('2025-10-09', 0), '2025-10-09');
  assert.equal(add('2025-10-04', 0), '2025-10-09');
  assert.equal(add('2025-09-28', 0), '2025-09-28');
});

test('workingDaysBetween counts (from, to] and inverts addWorkingDays', () => {
  assert.equal(between('2025-09-30', '2025-10-09'), 1);
  assert.equal(between('2025-10-01', '2025-10-08'), 0);
  assert.equal(between('2025-10-09', '2025-10-09'), 0);
  assert.equal(between('2025-10-09', '2025-09-30'), -1);
  assert.equal(between('2024-12-31', '2025-12-31'), 248); // 2025 has 248 working days
  for (const start of ['2024-01-05', '2024-09-13', '2025-01-25', '2025-04-30', '2026-02-13', '2026-09-30']) {
    for (const n of [1, 3, 10, 20, 60]) assert.equal(between(start, add(start, n)), n, `${start} + ${n}`);
  }
});

test('overrides win over the package and the week', () => {
  const o: OverrideMap = new Map([
    ['2025-10-09', { kind: 'holiday', note: '市政府通知：临时停工' }],
    ['2025-10-12', { kind: 'workday', note: '补班' }],
    ['2025-10-02', { kind: 'workday', note: '值班' }],
  ]);
  assert.deepEqual(classifyDay('2025-10-09', o), {
    date: '2025-10-09',
    working: false,
    kind: 'holiday',
    override: { kind: 'holiday', note: '市政府通知：临时停工' },
  });
  assert.equal(classifyDay('2025-10-12', o).kind, 'adjusted_workday');
  assert.equal(classifyDay('2025-10-02', o).working, true);
  assert.equal(classifyDay('2025-10-02', o).name, '国庆节');
  assert.equal(add('2025-09-30', 1, o), '2025-10-02');
  assert.equal(add('2025-10-08', 1, o), '2025-10-10');
});

test('years beyond the package data: weekends only, flagged', () => {
  const last = DATA_YEARS.at(-1)!;
  assert.ok(last >= 2026);
  const beyond = last + 1;
  assert.equal(hasHolidayData(beyond), false);
  const view = yearViewPure(beyond);
  assert.equal(view.dataAvailable, false);
  assert.ok(view.days.every((d) => d.kind === 'workday' || d.kind === 'weekend'));
  assert.ok(view.days.filter((d) => !d.working).length >= 104);
  assert.equal(yearViewPure(2025).dataAvailable, true);
});

test('dates are China calendar days', () => {
  assert.equal(chinaDate(new Date('2025-09-30T15:59:59Z')), '2025-09-30');
  assert.equal(chinaDate(new Date('2025-09-30T16:00:00Z')), '2025-10-01');
  assert.equal(endOfChinaDay('2025-10-09').toISOString(), '2025-10-09T16:00:00.000Z');
  assert.equal(isValidDate('2025-02-29'), false);
  assert.equal(isValidDate('2024-02-29'), true);
  assert.equal(isValidDate('2025-13-01'), false);
  assert.equal(isValidDate('20251001'), false);
});
