// The two routes of a workflow's rule figures (WorkflowSettings, settings.ts): GET <base>/settings lists them with
// their sources, PUT <base>/settings/:key changes one (the data authority; range-checked, ledgered). One helper, so
// that the sharing, open-application and feedback figures are read and changed alike.
import { Type } from 'typebox';
import type { App } from '../../http/app.ts';
import type { AppContext } from '../../context.ts';
import { settingView, type WorkflowSettings } from './settings.ts';

/** The schemas of one figure, the list, the key and the change, for a table that allows `units`. */
export function settingSchemas(units: readonly string[]) {
  const Setting = Type.Object({
    key: Type.String(),
    value: Type.Integer(),
    min: Type.Integer(),
    max: Type.Integer(),
    unit: Type.Enum([...units]),
    labelZh: Type.String(),
    labelEn: Type.String(),
    sourceZh: Type.String({ description: 'Where the figure comes from (regulation, or why it is a platform default)' }),
    sourceEn: Type.String(),
    platformDefault: Type.Boolean(),
    updatedAt: Type.String({ format: 'date-time' }),
  });
  return {
    Setting,
    SettingList: Type.Object({ items: Type.Array(Setting) }),
    SettingParams: Type.Object({ key: Type.String({ pattern: '^[a-z][a-z0-9_]{1,63}$' }) }),
    SettingBody: Type.Object({ value: Type.Integer() }, { additionalProperties: false }),
  };
}

export interface SettingsRoutes<U extends string> {
  /** The module's API prefix, e.g. /api/sharing. */
  base: string;
  tags: string[];
  settings: WorkflowSettings<U>;
  /** The units the module's table allows (default working_days, days). */
  units?: readonly U[];
  /** Who may read the figures: signed-in callers allowed `org.read` on this object type, or anyone ('public'). */
  read: { type: string } | 'public';
  /** The list route's summary. */
  summary: string;
  /** What a changed figure applies to (default: deadlines opened from now on). */
  appliesTo?: string;
}

export function registerSettingsRoutes<U extends string>(app: App, ctx: AppContext, o: SettingsRoutes<U>): void {
  const S = settingSchemas(o.units ?? ['working_days', 'days']);
  const read = o.read;
  app.get(
    `${o.base}/settings`,
    {
      schema: {
        tags: o.tags,
        ...(read === 'public' ? { security: [] } : {}),
        summary: o.summary,
        response: { 200: S.SettingList },
      },
    },
    async (req) => {
      if (read !== 'public') await ctx.authz.authorize(req.actor, 'org.read', { type: read.type });
      return { items: (await o.settings.list()).map(settingView) };
    },
  );
  app.put(
    `${o.base}/settings/:key`,
    {
      schema: {
        tags: o.tags,
        summary: `Change one figure (data authority; ledgered; applies to ${o.appliesTo ?? 'deadlines opened from now on'})`,
        params: S.SettingParams,
        body: S.SettingBody,
        response: { 200: S.Setting },
      },
    },
    async (req) => settingView(await o.settings.update(req.actor, req.params.key, req.body.value)),
  );
}
