// STUB
import type { App } from '../../http/app.ts';
import type { AppContext } from '../../context.ts';
export async function registerJobsRoutes(_app: App, _ctx: AppContext) {}
