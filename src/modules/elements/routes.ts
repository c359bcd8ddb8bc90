// STUB — elements routes (filled in by the elements module).
import type { App } from '../../http/app.ts';
import type { AppContext } from '../../context.ts';

export async function registerElementsRoutes(_app: App, _ctx: AppContext) {}
