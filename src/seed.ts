// The demo world (示范市): seeded on first start with an empty database (SHUYUAN_DEMO=0 turns it off).
// Idempotent: each module's seed does nothing when its demo objects already exist.
import type { AppContext } from './context.ts';
import { ROLES, SYSTEM } from './modules/identity/actor.ts';
import { seedCatalogDemo } from './modules/catalog/seed.ts';
import { seedDatasetsDemo } from './modules/datasets/seed.ts';
import { seedGatewayDemo } from './modules/gateway/seed.ts';
import { seedElementsDemo } from './modules/elements/seed.ts';
import { seedRegistrationDemo } from './modules/registration/seed.ts';
import { seedSharingDemo } from './modules/sharing/seed.ts';

export interface DemoLogin {
  username: string;
  password: string;
  role: string;
  org: string;
}

export interface DemoSummary {
  /** True when this run created the demo world (false: it was already there). */
  created: boolean;
  logins: DemoLogin[];
}

export async function seedDemo(ctx: AppContext): Promise<DemoSummary> {
  const summary = await ctx.identity.seedDemo();
  // A database with users of its own (logins empty): no demo catalog either.
  if (summary.logins.length) {
    await seedCatalogDemo(ctx);
    await seedElementsDemo(ctx);
    await seedRegistrationDemo(ctx);
    await seedDatasetsDemo(ctx);
    await seedGatewayDemo(ctx);
    await seedSharingDemo(ctx);
  }
  if (summary.created) {
    // A first message in every demo user's inbox, so the bell and the inbox are not empty on first look.
    await ctx.db.transaction().execute(async (tx) => {
      let recipients = 0;
      for (const role of ROLES) {
        const r = await ctx.notifications.notify(tx, {
          role,
          kind: 'system.welcome',
          title: { zh: '欢迎使用数源公共数据资源平台', en: 'Welcome to the Shuyuan public data platform' },
          body: {
            zh: '这是示范市的演示环境：组织机构、用户和存证账本都已就绪。菜单随您的角色而变化。',
            en: 'This is the demo city: organizations, users and the ledger are ready. The menu follows your roles.',
          },
          link: '/',
          email: false,
        });
        recipients += r.ids.length;
      }
      await ctx.ledger.append(tx, {
        actor: SYSTEM,
        action: 'notification.send',
        objectType: 'notification',
        details: { kind: 'system.welcome', recipients },
      });
    });
  }
  return summary;
}
