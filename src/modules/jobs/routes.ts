// Calendar (working days, admin overrides) and notification inbox routes.
import { Type } from 'typebox';
import type { App } from '../../http/app.ts';
import type { AppContext } from '../../context.ts';
import { hasHolidayData } from './calendar.ts';
import * as S from './schemas.ts';

function yearsCovered(a: string, b: string): boolean {
  const [lo, hi] = [Number(a.slice(0, 4)), Number(b.slice(0, 4))].sort((x, y) => x - y) as [number, number];
  for (let y = lo; y <= hi; y++) if (!hasHolidayData(y)) return false;
  return true;
}

/** Authorizers that already carry this module's rules (one platform may build its app more than once). */
const rulesAdded = new WeakSet<object>();

export async function registerJobsRoutes(app: App, ctx: AppContext) {
  const { calendar, notifications } = ctx;
  // Any signed-in user reads the calendar; calendar.manage stays with the authority admin ('*').
  // notification.* is in identity's signed-in baseline with scope 'self'.
  if (!rulesAdded.has(ctx.authz)) {
    ctx.authz.allow('signed_in', 'calendar.read', 'any');
    rulesAdded.add(ctx.authz);
  }

  // ---------------------------------------------------------------------------------------------- calendar
  app.get(
    '/api/calendar/add',
    {
      schema: {
        tags: ['calendar'],
        summary: 'Deadline of N working days from a date (the start date is not counted)',
        querystring: S.AddQuery,
        response: { 200: S.AddResult },
      },
    },
    async (req) => {
      await ctx.authz.authorize(req.actor, 'calendar.read', { type: 'calendar' });
      const { date, days } = req.query;
      const deadline = await calendar.addWorkingDays(date, days);
      return {
        date,
        days,
        deadline,
        deadlineAt: (await calendar.deadlineAt(date, days)).toISOString(),
        dataAvailable: yearsCovered(date, deadline),
      };
    },
  );

  app.get(
    '/api/calendar/between',
    {
      schema: {
        tags: ['calendar'],
        summary: 'Working days in (from, to]',
        querystring: S.BetweenQuery,
        response: { 200: S.BetweenResult },
      },
    },
    async (req) => {
      await ctx.authz.authorize(req.actor, 'calendar.read', { type: 'calendar' });
      const { from, to } = req.query;
      return { from, to, workingDays: await calendar.workingDaysBetween(from, to), dataAvailable: yearsCovered(from, to) };
    },
  );

  app.get(
    '/api/calendar/overrides',
    {
      schema: { tags: ['calendar'], summary: 'Admin overrides of the working-day calendar', response: { 200: S.OverrideList } },
    },
    async (req) => {
      await ctx.authz.authorize(req.actor, 'calendar.read', { type: 'calendar' });
      const items = await calendar.listOverrides();
      return { items: items.map((o) => ({ ...o, createdAt: o.createdAt.toISOString() })) };
    },
  );

  app.put(
    '/api/calendar/overrides/:date',
    {
      schema: {
        tags: ['calendar'],
        summary: 'Make one date a working day or a holiday, overriding the statutory calendar (authority admin)',
        params: S.OverrideParams,
        body: S.OverrideBody,
        response: { 200: S.Override },
      },
    },
    async (req) => {
      await ctx.authz.authorize(req.actor, 'calendar.manage', { type: 'calendar', id: req.params.date });
      const o = await calendar.setOverride(req.actor, req.params.date, req.body.kind, (req.body.note ?? '').trim());
      return { ...o, createdAt: o.createdAt.toISOString() };
    },
  );

  app.delete(
    '/api/calendar/overrides/:date',
    {
      schema: {
        tags: ['calendar'],
        summary: 'Remove the override of one date (authority admin)',
        params: S.OverrideParams,
        response: { 204: Type.Null({ description: 'Removed' }) },
      },
    },
    async (req, reply) => {
      await ctx.authz.authorize(req.actor, 'calendar.manage', { type: 'calendar', id: req.params.date });
      await calendar.deleteOverride(req.actor, req.params.date);
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/api/calendar/:year',
    {
      schema: {
        tags: ['calendar'],
        summary: 'Every day of a year: working or not, and why (China time)',
        params: S.YearParams,
        response: { 200: S.YearView },
      },
    },
    async (req) => {
      await ctx.authz.authorize(req.actor, 'calendar.read', { type: 'calendar' });
      return calendar.year(req.params.year);
    },
  );

  // ------------------------------------------------------------------------------------------ notifications
  app.get(
    '/api/notifications',
    {
      schema: {
        tags: ['notifications'],
        summary: 'My notifications, newest first',
        querystring: S.NotificationQuery,
        response: { 200: S.NotificationPage },
      },
    },
    async (req) => {
      await ctx.authz.authorize(req.actor, 'notification.read', { type: 'notification', userId: req.actor.userId });
      const unreadOnly = req.query.unread === '1' || req.query.unread === 'true';
      return notifications.list(req.actor.userId!, { unreadOnly, page: req.query.page, pageSize: req.query.pageSize });
    },
  );

  app.get(
    '/api/notifications/unread-count',
    {
      schema: {
        tags: ['notifications'],
        summary: 'How many of my notifications are unread (the header badge)',
        response: { 200: S.UnreadCount },
      },
    },
    async (req) => {
      await ctx.authz.authorize(req.actor, 'notification.read', { type: 'notification', userId: req.actor.userId });
      return { count: await notifications.unreadCount(req.actor.userId!) };
    },
  );

  app.post(
    '/api/notifications/:id/read',
    {
      schema: {
        tags: ['notifications'],
        summary: 'Mark one of my notifications read (404 for anyone else’s)',
        params: S.NotificationParams,
        response: { 200: S.Notification },
      },
    },
    async (req) => {
      await ctx.authz.authorize(req.actor, 'notification.update', { type: 'notification', id: req.params.id, userId: req.actor.userId });
      return notifications.markRead(req.actor, req.params.id);
    },
  );

  app.post(
    '/api/notifications/read-all',
    {
      schema: { tags: ['notifications'], summary: 'Mark all my notifications read', response: { 200: S.ReadAllResult } },
    },
    async (req) => {
      await ctx.authz.authorize(req.actor, 'notification.update', { type: 'notification', userId: req.actor.userId });
      return { updated: await notifications.markAllRead(req.actor) };
    },
  );
}
