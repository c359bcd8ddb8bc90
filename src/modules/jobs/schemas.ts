// Request and response schemas of the calendar and notification routes.
import { Type } from 'typebox';

const DATE_PATTERN = '^\\d{4}-\\d{2}-\\d{2}$';
export const DateString = Type.String({
  pattern: DATE_PATTERN,
  description: "Calendar date in China time (Asia/Shanghai), 'YYYY-MM-DD'",
  examples: ['2025-10-09'],
});

export const DayKind = Type.Union(
  [Type.Literal('workday'), Type.Literal('weekend'), Type.Literal('holiday'), Type.Literal('adjusted_workday')],
  {
    description:
      'workday: Monday–Friday; weekend: Saturday/Sunday; holiday: statutory holiday (or admin override); adjusted_workday: a weekend day worked in exchange (调休上班)',
  },
);
export const OverrideKind = Type.Union([Type.Literal('workday'), Type.Literal('holiday')]);

export const CalendarDay = Type.Object({
  date: DateString,
  working: Type.Boolean(),
  kind: DayKind,
  name: Type.Optional(Type.String({ description: 'Statutory holiday name (zh-CN), e.g. 国庆节' })),
  nameEn: Type.Optional(Type.String({ description: 'Statutory holiday name in English' })),
  override: Type.Optional(
    Type.Object({ kind: OverrideKind, note: Type.String() }, { description: 'Set when an admin override decided this day' }),
  ),
});

export const YearParams = Type.Object({ year: Type.Integer({ minimum: 1900, maximum: 2999 }) });
export const YearView = Type.Object({
  year: Type.Integer(),
  dataAvailable: Type.Boolean({
    description: 'False: the holiday package has no data for this year; only weekends (and overrides) are rest days',
  }),
  days: Type.Array(CalendarDay),
});

export const AddQuery = Type.Object({
  date: DateString,
  days: Type.Integer({ minimum: 0, maximum: 10000, description: 'Working days to add (N in "N 个工作日")' }),
});
export const AddResult = Type.Object({
  date: DateString,
  days: Type.Integer(),
  deadline: Type.String({
    description: 'The Nth working day after date (the start date is not counted); the deadline is the end of this day',
  }),
  deadlineAt: Type.String({
    format: 'date-time',
    description: 'The instant the deadline passes: the end of the deadline day in China time',
  }),
  dataAvailable: Type.Boolean({ description: 'False when a year in the range has no holiday data (weekends only)' }),
});

export const BetweenQuery = Type.Object({ from: DateString, to: DateString });
export const BetweenResult = Type.Object({
  from: DateString,
  to: DateString,
  workingDays: Type.Integer({ description: 'Working days in (from, to]; negative when to is before from' }),
  dataAvailable: Type.Boolean(),
});

export const OverrideParams = Type.Object({ date: DateString });
export const OverrideBody = Type.Object(
  {
    kind: OverrideKind,
    note: Type.Optional(Type.String({ maxLength: 200, default: '' })),
  },
  { additionalProperties: false },
);
export const Override = Type.Object({
  date: DateString,
  kind: OverrideKind,
  note: Type.String(),
  createdBy: Type.Union([Type.String(), Type.Null()]),
  createdAt: Type.String({ format: 'date-time' }),
});
export const OverrideList = Type.Object({ items: Type.Array(Override) });

export const Notification = Type.Object({
  id: Type.String({ format: 'uuid' }),
  kind: Type.String(),
  titleZh: Type.String(),
  titleEn: Type.String(),
  bodyZh: Type.String(),
  bodyEn: Type.String(),
  link: Type.Union([Type.String(), Type.Null()]),
  createdAt: Type.String({ format: 'date-time' }),
  readAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
});
export const NotificationQuery = Type.Object({
  unread: Type.Optional(
    Type.Union([Type.Literal('1'), Type.Literal('0'), Type.Literal('true'), Type.Literal('false')], {
      description: '1: only unread notifications',
    }),
  ),
  page: Type.Optional(Type.Integer({ minimum: 1, default: 1 })),
  pageSize: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })),
});
export const NotificationPage = Type.Object({
  items: Type.Array(Notification),
  total: Type.Integer({ description: 'Matching notifications (unread ones only with unread=1)' }),
  unread: Type.Integer({ description: 'All unread notifications of the user' }),
  page: Type.Integer(),
  pageSize: Type.Integer(),
});
export const NotificationParams = Type.Object({ id: Type.String({ format: 'uuid' }) });
export const UnreadCount = Type.Object({ count: Type.Integer() });
export const ReadAllResult = Type.Object({ updated: Type.Integer() });
