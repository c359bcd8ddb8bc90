// STUB
import type { App } from '../../http/app.ts';
import type { AppContext } from '../../context.ts';
export async function registerLedgerRoutes(_app: App, _ctx: AppContext) {}
