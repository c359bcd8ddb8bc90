// STUB — registration routes (filled in by the registration module).
import type { App } from '../../http/app.ts';
import type { AppContext } from '../../context.ts';

export async function registerRegistrationRoutes(_app: App, _ctx: AppContext) {}
