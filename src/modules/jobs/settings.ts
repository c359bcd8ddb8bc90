// The figures of a workflow's rules (time limits in working days, validity periods, report intervals…), one row
// per figure with its range and its source, in a table of the workflow's module (sharing_settings,
// openapply_settings, feedback_settings; the same columns). Read through a short cache; changed by the data
// authority within the range, in the ledger in the same transaction. One class for every such table, so the
// rule "every number from a regulation lives in one table with its source" is kept the same way everywhere.
import { sql } from 'kysely';
import type { Db, Executor } from '../../db/database.ts';
import { badRequest, notFound } from '../../errors.ts';
import type { Actor } from '../identity/actor.ts';
import type { Authorizer } from '../identity/authorize.ts';
import type { LedgerService } from '../ledger/service.ts';
import { SettingsCache } from './deadlines.ts';

export interface SettingRow<U extends string = 'working_days' | 'days' | 'count'> {
  key: string;
  value: number;
  min_value: number;
  max_value: number;
  unit: U;
  label_zh: string;
  label_en: string;
  source_zh: string;
  source_en: string;
  platform_default: boolean;
  updated_at: Date;
}

/** The API view of a setting (the same in every module's GET …/settings). */
export function settingView<U extends string>(s: SettingRow<U>) {
  return {
    key: s.key,
    value: s.value,
    min: s.min_value,
    max: s.max_value,
    unit: s.unit,
    labelZh: s.label_zh,
    labelEn: s.label_en,
    sourceZh: s.source_zh,
    sourceEn: s.source_en,
    platformDefault: s.platform_default,
    updatedAt: s.updated_at.toISOString(),
  };
}

export interface WorkflowSettingsOptions {
  /** The module's table, e.g. sharing_settings. */
  table: 'sharing_settings' | 'openapply_settings' | 'feedback_settings';
  /** The module's name: the authorization and ledger action is `<module>.settings.update`. */
  module: string;
  /** The module's message-code prefix: <PREFIX>_SETTING_NOT_FOUND, <PREFIX>_SETTING_OUT_OF_RANGE. */
  codePrefix: string;
}

/** `U`: the units the module's table allows (its check constraint and its API schema). */
export class WorkflowSettings<U extends string = 'working_days' | 'days'> {
  readonly #cache: SettingsCache;

  constructor(
    private readonly deps: { db: Db; authz: Authorizer; ledger: LedgerService },
    private readonly opts: WorkflowSettingsOptions,
  ) {
    this.#cache = new SettingsCache(deps.db, (db) => this.list(db), opts.module);
  }

  async list(db: Executor = this.deps.db): Promise<SettingRow<U>[]> {
    return (await sql<SettingRow<U>>`select * from ${sql.table(this.opts.table)} order by key`.execute(db)).rows;
  }

  /** One figure's value (cached a few seconds; inside a transaction, read in it). */
  async get(key: string, db: Executor = this.deps.db): Promise<number> {
    return this.#cache.get(key, db);
  }

  async update(actor: Actor, key: string, value: number): Promise<SettingRow<U>> {
    const { module, codePrefix } = this.opts;
    await this.deps.authz.authorize(actor, `${module}.settings.update`, { type: `${module}_setting`, id: key });
    return this.deps.db.transaction().execute(async (tx) => {
      // Locked: two changes at once each record the value the other left ("from" of the second = "to" of the first).
      const current = (await sql<SettingRow<U>>`select * from ${sql.table(this.opts.table)} where key = ${key} for update`.execute(tx))
        .rows[0];
      if (!current) throw notFound(`${codePrefix}_SETTING_NOT_FOUND`, { key }, { field: 'key' });
      if (!Number.isInteger(value) || value < current.min_value || value > current.max_value)
        throw badRequest(`${codePrefix}_SETTING_OUT_OF_RANGE`, { key, min: current.min_value, max: current.max_value }, { field: 'value' });
      const updated = (
        await sql<SettingRow<U>>`update ${sql.table(this.opts.table)} set value = ${value}, updated_by = ${actor.userId},
          updated_at = now() where key = ${key} returning *`.execute(tx)
      ).rows[0]!;
      await this.deps.ledger.append(tx, {
        actor,
        action: `${module}.settings.update`,
        objectType: `${module}_setting`,
        objectId: null,
        details: { key, from: current.value, to: value },
      });
      this.#cache.clear();
      return updated;
    });
  }
}
