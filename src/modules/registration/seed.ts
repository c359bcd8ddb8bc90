// Demo registrations (登记) of 示范市 over the demo catalog: one or more in every workflow state, played
// through the service at past dates on the working-day calendar, so their deadlines, reminders, overdue flags,
// objections, public notices and certificates are what the real workflow would have produced. Run after the
// catalog seed. Idempotent: nothing happens when any registration exists (a session advisory lock makes two
// processes starting at once seed once).
import type { AppContext } from '../../context.ts';
import { ANONYMOUS, SYSTEM, type Actor } from '../identity/actor.ts';
import { addDays, chinaDate } from '../jobs/calendar.ts';
import type { RegistrationState } from './workflow.ts';

export interface RegistrationSeedSummary {
  created: boolean;
  registrations: number;
}

type Step =
  | { at: number; do: 'apply' }
  | { at: number; do: 'to'; to: RegistrationState; comment: string; by: 'applicant' | 'authority' }
  | { at: number; do: 'object'; name: string; contact: string; reason: string }
  | { at: number; do: 'notice_end' };

/** A scenario: steps at "N working days before today" (10:00 China time), oldest first. */
interface Scenario {
  comment: string;
  steps: Step[];
}

const apply = (at: number): Step => ({ at, do: 'apply' });
const authority = (at: number, to: RegistrationState, comment: string): Step => ({ at, do: 'to', to, comment, by: 'authority' });
const applicant = (at: number, to: RegistrationState, comment: string): Step => ({ at, do: 'to', to, comment, by: 'applicant' });
const noticeEnd = (at: number): Step => ({ at, do: 'notice_end' });
const object = (at: number, name: string, contact: string, reason: string): Step => ({ at, do: 'object', name, contact, reason });

const SCENARIOS: Scenario[] = [
  {
    comment: '纳入授权运营范围，申请首次登记。',
    steps: [
      apply(40),
      authority(38, 'accepted', '材料齐全，予以受理。'),
      authority(37, 'public_notice', '形式审核通过，进入公示。'),
      noticeEnd(26),
      authority(24, 'approved', '公示期满无异议，准予登记。'),
    ],
  },
  {
    comment: '申请首次登记，数据存储于市政务云。',
    steps: [
      apply(30),
      authority(29, 'accepted', '予以受理。'),
      authority(28, 'public_notice', '形式审核通过，进入公示。'),
      object(25, '示范市某信息科技有限公司', 'contact@example.com', '认为该资源的更新频率与实际不符，数据实际按季度更新。'),
      noticeEnd(17),
      authority(15, 'approved', '经核实，更新频率与实际一致，异议不成立，准予登记。'),
    ],
  },
  {
    comment: '申请首次登记。',
    steps: [apply(16), authority(15, 'accepted', '予以受理。'), authority(14, 'public_notice', '进入公示。'), noticeEnd(3)],
  },
  {
    comment: '申请首次登记。',
    steps: [
      apply(15),
      authority(14, 'accepted', '予以受理。'),
      authority(13, 'public_notice', '进入公示。'),
      object(10, '王先生', '139****0000', '资源摘要中的统计口径与已公开的年报不一致，请核实。'),
      noticeEnd(2),
    ],
  },
  {
    comment: '申请首次登记，用于授权运营场景。',
    steps: [
      apply(6),
      authority(5, 'accepted', '予以受理。'),
      authority(4, 'public_notice', '进入公示。'),
      object(1, '李女士', 'li@example.com', '该数据资源含有个人信息，请说明脱敏处理方式。'),
    ],
  },
  { comment: '申请首次登记。', steps: [apply(4), authority(3, 'accepted', '予以受理。'), authority(2, 'public_notice', '进入公示。')] },
  { comment: '申请首次登记。', steps: [apply(3), authority(1, 'accepted', '材料齐全，予以受理。')] },
  { comment: '申请首次登记。', steps: [apply(2)] },
  { comment: '申请首次登记（待受理，已逾期）。', steps: [apply(6)] },
  {
    comment: '申请首次登记。',
    steps: [apply(8), authority(6, 'returned_incomplete', '缺少数据存储信息（存储位置、存储方式）和登记承诺书，请一次性补正。')],
  },
  {
    comment: '申请首次登记。',
    steps: [apply(20), authority(18, 'rejected', '该资源为不予共享、不予开放的内部工作数据，不属于登记范围，不予受理。')],
  },
  {
    comment: '申请首次登记。',
    steps: [
      apply(12),
      authority(11, 'accepted', '予以受理。'),
      applicant(9, 'withdrawn', '资源元数据需大幅修订，撤回申请，修订后重新申请。'),
    ],
  },
];

export async function seedRegistrationDemo(ctx: AppContext): Promise<RegistrationSeedSummary> {
  const svc = ctx.registration;
  return svc.repo.withSeedLock(ctx.db, async () => {
    if ((await svc.repo.countAll(ctx.db)) > 0) return { created: false, registrations: 0 };

    // Published demo resources, those of organizations with a demo provider clerk first (their clerk applies).
    const resources = (await ctx.catalog.list(SYSTEM, { status: ['published'], pageSize: 200, sort: 'code' })).items;
    if (!resources.length) return { created: false, registrations: 0 };
    const clerks = await userActors(ctx, 'provider_clerk');
    const admins = await userActors(ctx, 'authority_admin');
    const adminActor = admins[0] ?? SYSTEM;
    const clerkFor = async (orgId: string): Promise<Actor | null> => {
      for (const c of clerks) if (c.orgId && (await ctx.authz.orgs.isWithin(orgId, c.orgId))) return c;
      return null;
    };
    const candidates: Array<{ id: string; applicant: Actor }> = [];
    const others: Array<{ id: string; applicant: Actor }> = [];
    const seenOrgs = new Set<string>();
    for (const r of resources) {
      const orgId = r.providerOrg.id;
      const clerk = await clerkFor(orgId);
      if (clerk) candidates.push({ id: r.id, applicant: clerk });
      // One resource per other department (their applications are filed by the platform on their behalf).
      else if (!seenOrgs.has(orgId)) {
        seenOrgs.add(orgId);
        others.push({ id: r.id, applicant: SYSTEM });
      }
    }
    // Interleave: most registrations belong to the demo provider, some to other departments.
    const pool: Array<{ id: string; applicant: Actor }> = [];
    while (candidates.length || others.length) {
      if (candidates.length) pool.push(candidates.shift()!);
      if (candidates.length) pool.push(candidates.shift()!);
      if (others.length) pool.push(others.shift()!);
    }

    const today = chinaDate(svc.now());
    const dayCache = new Map<number, Date>();
    const ago = async (n: number): Promise<Date> => {
      let d = dayCache.get(n);
      if (!d) {
        let date = addDays(today, -n);
        while ((await ctx.calendar.workingDaysBetween(date, today)) > n) date = addDays(date, 1);
        while ((await ctx.calendar.workingDaysBetween(date, today)) < n || !(await ctx.calendar.isWorkingDay(date)))
          date = addDays(date, -1);
        d = new Date(`${date}T10:00:00+08:00`);
        dayCache.set(n, d);
      }
      return d;
    };

    // The seed ends the notices itself; the jobs of deadlines already past run a little after it finishes.
    const jobsNotBefore = new Date(Date.now() + 120_000);
    let count = 0;
    for (const [i, scenario] of SCENARIOS.entries()) {
      const target = pool[i];
      if (!target) break;
      let id: string | null = null;
      let minute = 0;
      for (const s of scenario.steps) {
        // Steps on the same day keep their order.
        const at = new Date((await ago(s.at)).getTime() + minute++ * 60_000);
        if (s.do === 'apply') {
          id = (await svc.apply(target.applicant, { resourceId: target.id, comment: scenario.comment }, { at, jobsNotBefore })).id;
          count++;
        } else if (!id) {
          break;
        } else if (s.do === 'to') {
          await svc.transition(s.by === 'authority' ? adminActor : target.applicant, id, s.to, s.comment, { at, jobsNotBefore });
        } else if (s.do === 'object') {
          await svc.object(ANONYMOUS, id, { name: s.name, contact: s.contact, reason: s.reason }, { at });
        } else {
          const dl = (await svc.deadlines.open(ctx.db, id, ['notice_end']))[0];
          if (dl) await svc.fireDeadline(dl.id, { at });
        }
      }
    }
    return { created: count > 0, registrations: count };
  });
}

async function userActors(ctx: AppContext, role: 'provider_clerk' | 'authority_admin'): Promise<Actor[]> {
  const { items } = await ctx.identity.listUsers(SYSTEM, { role, status: 'active', pageSize: 200 });
  const out: Actor[] = [];
  for (const u of items.sort((a, b) => a.createdAt.localeCompare(b.createdAt)))
    out.push({
      kind: 'user',
      userId: u.id,
      username: u.username,
      displayName: u.displayName,
      orgId: u.org.id,
      orgPath: await ctx.authz.orgs.path(u.org.id),
      roles: [...u.roles],
    });
  return out;
}
