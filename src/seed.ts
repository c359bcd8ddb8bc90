// The demo world (示范市): seeded on first start with an empty database (SHUYUAN_DEMO=0 turns it off).
// Idempotent: each module's seed does nothing when its demo objects already exist.
import type { AppContext } from './context.ts';

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
  return ctx.identity.seedDemo();
}
