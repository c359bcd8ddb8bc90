// STUB — search routes (filled in by the search module).
import type { App } from '../../http/app.ts';
import type { AppContext } from '../../context.ts';

export async function registerSearchRoutes(_app: App, _ctx: AppContext) {}
