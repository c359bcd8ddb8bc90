// The gateway's part of the demo world: the demo public user ('public') gets the 公民身份号码 of the first synthetic
// person of 社会保险参保登记信息 as their own (users.id_number, migrations/0013_gateway.sql), so that "who used my
// data" (GET /api/gateway/my-uses) shows the gateway calls that returned or verified that person's record.
// Idempotent: a user that already has an ID number keeps it.
import type { AppContext } from '../../context.ts';
import { SYSTEM } from '../identity/actor.ts';
import { DEMO_DATASETS } from '../datasets/seed.ts';

/** The demo public user's ID number (synthetic, valid check digit; the same on every machine). */
export function demoPublicIdNumber(): string | null {
  const people = DEMO_DATASETS.find((d) => d.nameZh === '社会保险参保登记信息');
  const first = people?.versions()[0]?.[0];
  return typeof first?.sfzh === 'string' ? first.sfzh : null;
}

export async function seedGatewayDemo(ctx: AppContext): Promise<void> {
  const id = demoPublicIdNumber();
  if (id) await ctx.identity.setIdNumber(SYSTEM, 'public', id);
}
