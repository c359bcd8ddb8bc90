// STUB — catalog routes (filled in by the catalog module).
import type { App } from '../../http/app.ts';
import type { AppContext } from '../../context.ts';

export async function registerCatalogRoutes(_app: App, _ctx: AppContext) {}
