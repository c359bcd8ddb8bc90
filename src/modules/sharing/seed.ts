// Demo sharing requests (共享申请) of 示范市: one or more in each state, played through the service at past
// working days, so the deadlines, grants, escalations and statistics are what the real workflow produced. The
// demo consumer (人社局) holds an approved grant on 市场主体登记信息 and has a request waiting for the
// authority; 民政局 negotiated a narrowed grant on 社会保险参保登记信息. Run after the catalog and dataset seeds.
// Idempotent: nothing happens when any sharing request exists (a session lock makes two starts seed once).
import type { AppContext } from '../../context.ts';
import { withSessionLock } from '../../db/locks.ts';
import { SYSTEM, type Actor, type Role } from '../identity/actor.ts';
import { addDays, chinaDate } from '../jobs/calendar.ts';
import type { RequestInput } from './service.ts';
import type { SharingState } from './workflow.ts';

type By = 'consumer' | 'provider' | 'authority';
type Step =
  | { at: number; do: 'to'; by: By; to: SharingState; comment: string; terms?: Record<string, unknown> }
  | { at: number; do: 'message'; by: By; text: string }
  | { at: number; do: 'deadline' };

interface Scenario {
  /** Requesting organization (code) and the resource by name. */
  requester: string;
  resource: string;
  fields: string[];
  actions: RequestInput['actions'];
  usageScope: RequestInput['usageScope'];
  legalBasis: string;
  purpose: string;
  scenario: string;
  /** Working days ago the request was made. */
  at: number;
  steps: Step[];
}

const SCENARIOS: Scenario[] = [
  {
    requester: 'RS',
    resource: '市场主体登记信息',
    fields: ['tyshxydm', 'qymc', 'fddbr', 'djzt'],
    actions: ['query', 'verify'],
    usageScope: 'business_collaboration',
    legalBasis: '《社会保险法》第五十七条：用人单位应当自成立之日起三十日内申请办理社会保险登记',
    purpose: '用人单位社会保险登记时核验企业登记状态',
    scenario: '参保登记窗口办理时自动核验统一社会信用代码与企业名称',
    at: 9,
    steps: [{ at: 8, do: 'to', by: 'authority', to: 'approved', comment: '符合性审查通过，无条件共享直接授权。' }],
  },
  {
    requester: 'MZ',
    resource: '社会保险参保登记信息',
    fields: ['sfzh', 'xm', 'xzlx', 'cbzt'],
    actions: ['query', 'verify'],
    usageScope: 'data_verification',
    legalBasis: '《社会救助暂行办法》第十一条：民政部门对申请人家庭收入和财产状况进行调查核实',
    purpose: '最低生活保障申请家庭经济状况核对',
    scenario: '低保审批时核对申请人及家庭成员参保状态',
    at: 12,
    steps: [
      { at: 11, do: 'to', by: 'authority', to: 'provider_review', comment: '符合性审查通过，转数据提供部门。' },
      { at: 9, do: 'to', by: 'provider', to: 'provider_refused', comment: '姓名、险种类型不属于核对所需的最小必要信息项。' },
      { at: 8, do: 'to', by: 'consumer', to: 'negotiation', comment: '申请协商：核对仅需身份证号与参保状态。' },
      { at: 8, do: 'message', by: 'consumer', text: '可以不要姓名和险种类型，仅按身份证号核对参保状态。' },
      {
        at: 7,
        do: 'to',
        by: 'provider',
        to: 'approved',
        comment: '协商一致：提供公民身份号码与参保状态，每次调用须注明办件号。',
        terms: {
          fields: ['sfzh', 'cbzt'],
          actions: ['query', 'verify'],
          quota: { calls: { day: 1000 } },
          conditions: { businessRefRequired: true, verifyPerMinute: 60, notes: '仅用于低保审批，不得向第三方提供。' },
        },
      },
    ],
  },
  {
    requester: 'RS',
    resource: '常住人口基本信息',
    fields: ['sfzh', 'xm', 'hjdz'],
    actions: ['verify'],
    usageScope: 'data_verification',
    legalBasis: '《社会保险法》第五十八条：用人单位应当自用工之日起三十日内为其职工申请办理社会保险登记',
    purpose: '参保人员身份信息核验',
    scenario: '个人参保登记时核验身份证号与姓名一致',
    at: 0,
    steps: [],
  },
  {
    requester: 'WJ',
    resource: '社会保险参保登记信息',
    fields: ['sfzh', 'cbzt'],
    actions: ['query'],
    usageScope: 'work_reference',
    legalBasis: '《基本医疗卫生与健康促进法》第八十二条',
    purpose: '家庭医生签约服务对象参保情况参考',
    scenario: '签约服务时查询参保状态',
    at: 14,
    steps: [
      { at: 13, do: 'to', by: 'authority', to: 'provider_review', comment: '符合性审查通过，转数据提供部门。' },
      // The provider lets the 5 working days pass: the deadline job escalates to coordination.
      { at: 7, do: 'deadline' },
      { at: 6, do: 'message', by: 'authority', text: '请社保中心说明是否同意共享及理由。' },
    ],
  },
  {
    requester: 'JT',
    resource: '市场主体登记信息',
    fields: ['tyshxydm', 'qymc', 'zs'],
    actions: ['bulk'],
    usageScope: 'work_reference',
    legalBasis: '—（未说明具体条款）',
    purpose: '道路运输经营者信息比对',
    scenario: '批量比对',
    at: 6,
    steps: [{ at: 5, do: 'to', by: 'authority', to: 'rejected', comment: '履职依据未列明具体法律条款，请补充后重新申请。' }],
  },
];

export async function seedSharingDemo(ctx: AppContext): Promise<{ created: boolean; requests: number }> {
  const svc = ctx.sharing;
  return withSessionLock(ctx.db, 'shuyuan.sharing.seed', async () => {
    if ((await svc.repo.list(ctx.db, { limit: 1, offset: 0 })).total > 0) return { created: false, requests: 0 };
    const resources = (await ctx.catalog.list(SYSTEM, { status: ['published'], pageSize: 500, sort: 'code' })).items;
    const byName = new Map(resources.map((r) => [r.nameZh, r] as const));
    const admins = await ctx.identity.listUsers(SYSTEM, { role: 'authority_admin', status: 'active', pageSize: 10 });
    const admin = admins.items[0];
    const authority: Actor = admin
      ? await userActor(ctx, admin.id, admin.username, admin.displayName, admin.org.id, [...admin.roles])
      : SYSTEM;

    const today = chinaDate(svc.now());
    const ago = async (n: number, minute: number): Promise<Date> => {
      let date = today;
      for (let k = 0; k < n;) {
        date = addDays(date, -1);
        if (await ctx.calendar.isWorkingDay(date)) k++;
      }
      return new Date(new Date(`${date}T10:00:00+08:00`).getTime() + minute * 60_000);
    };
    const clerk = async (orgId: string, role: Role): Promise<Actor> => {
      // The demo users where they exist; otherwise the platform acting for that department's clerk.
      const users = await ctx.identity.listUsers(SYSTEM, { role, status: 'active', pageSize: 200 });
      const u = users.items.find((x) => x.org.id === orgId);
      if (u) return userActor(ctx, u.id, u.username, u.displayName, u.org.id, [...u.roles]);
      return { ...SYSTEM, displayName: '系统（演示数据）', orgId, orgPath: await ctx.authz.orgs.path(orgId), roles: [role] };
    };

    const orgs = new Map((await ctx.identity.listOrgs(SYSTEM)).map((o) => [o.code, o] as const));
    let count = 0;
    for (const s of SCENARIOS) {
      const resource = byName.get(s.resource);
      const org = orgs.get(s.requester);
      if (!resource || !org) continue;
      const consumer = await clerk(org.id, 'consumer_clerk');
      const provider = await clerk(resource.providerOrg.id, 'provider_clerk');
      const start = await ago(s.at, 0);
      const validTo = new Date(start.getTime() + 365 * 86_400_000).toISOString();
      const created = await svc.request(
        consumer,
        {
          resourceId: resource.id,
          fields: s.fields,
          actions: s.actions,
          legalBasis: s.legalBasis,
          purpose: s.purpose,
          scenario: s.scenario,
          usageScope: s.usageScope,
          validFrom: start.toISOString(),
          validTo,
        },
        { at: start },
      );
      count++;
      let minute = 1;
      for (const step of s.steps) {
        const at = await ago(step.at, minute++);
        const actor = step.do === 'deadline' ? SYSTEM : step.by === 'authority' ? authority : step.by === 'provider' ? provider : consumer;
        if (step.do === 'to') await svc.transition(actor, created.id, step.to, step.comment, step.terms ?? {}, { at });
        else if (step.do === 'message') await svc.message(actor, created.id, step.text, { at });
        else {
          const dl = (await svc.deadlines.open(ctx.db, created.id))[0];
          if (dl) await svc.fireDeadline(dl.id, { at: dl.due_at > at ? new Date(dl.due_at.getTime() + 60_000) : at });
        }
      }
    }
    return { created: count > 0, requests: count };
  });
}

async function userActor(ctx: AppContext, id: string, username: string, displayName: string, orgId: string, roles: Role[]): Promise<Actor> {
  return { kind: 'user', userId: id, username, displayName, orgId, orgPath: await ctx.authz.orgs.path(orgId), roles };
}
