// Elements and lists tables, and the only SQL of the elements module. Catalog tables (catalog_resources,
// catalog_fields) are read here through the shared contract of issue 4 (read-only, except the seed's field
// → element mapping); every write to them stays with the catalog module.
import { sql, type ColumnType, type Generated, type Selectable } from 'kysely';
import type { Executor } from '../../db/database.ts';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;

export type ElementDataType = 'string' | 'code' | 'integer' | 'decimal' | 'date' | 'datetime' | 'boolean';
export type ClaimStatus = 'accepted' | 'pending' | 'rejected' | 'superseded';
export type DemandStatus = 'open' | 'answered' | 'closed' | 'rejected';
export type NegativeScope = 'share' | 'open' | 'both';

export interface DataElementsTable {
  id: Generated<string>;
  code: string;
  name_zh: string;
  name_en: Generated<string>;
  definition_zh: Generated<string>;
  definition_en: Generated<string>;
  data_type: ElementDataType;
  format: Generated<string>;
  pattern: string | null;
  standard_ref: Generated<string>;
  synonyms: ColumnType<string[], string[] | undefined, string[]>;
  authoritative_resource_id: string | null;
  authoritative_org_id: string | null;
  status: Generated<'active' | 'retired'>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface DataElementArbitrationsTable {
  id: Generated<string>;
  element_id: string;
  status: Generated<'open' | 'decided'>;
  opened_at: Timestamp;
  decided_at: NullableTimestamp;
  decided_by: string | null;
  winner_claim_id: string | null;
  comment: Generated<string>;
}

export interface DataElementClaimsTable {
  id: Generated<string>;
  element_id: string;
  org_id: string;
  resource_id: string;
  basis: string;
  status: ClaimStatus;
  arbitration_id: string | null;
  claimed_by: string | null;
  created_at: Timestamp;
  decided_at: NullableTimestamp;
}

export interface ResponsibilityItemsTable {
  id: Generated<string>;
  org_id: string;
  name_zh: string;
  name_en: Generated<string>;
  description: Generated<string>;
  legal_basis: Generated<string>;
  created_by: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface ResponsibilityItemResourcesTable {
  item_id: string;
  resource_id: string;
}

export interface ResourceDemandsTable {
  id: Generated<string>;
  title: string;
  description: Generated<string>;
  needed_fields: ColumnType<string[], string[] | undefined, string[]>;
  purpose: Generated<string>;
  raiser_kind: 'department' | 'public';
  raised_by: string;
  raiser_org_id: string | null;
  target_org_id: string | null;
  status: Generated<DemandStatus>;
  reply: Generated<string>;
  responded_by: string | null;
  responded_at: NullableTimestamp;
  closed_at: NullableTimestamp;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface ResourceDemandLinksTable {
  demand_id: string;
  resource_id: string;
}

export interface NegativeListEntriesTable {
  id: Generated<string>;
  resource_id: string;
  scope: NegativeScope;
  legal_basis: string;
  note: Generated<string>;
  added_by: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
  removed_at: NullableTimestamp;
  removed_by: string | null;
  remove_reason: string | null;
}

export interface ElementsTables {
  data_elements: DataElementsTable;
  data_element_arbitrations: DataElementArbitrationsTable;
  data_element_claims: DataElementClaimsTable;
  responsibility_items: ResponsibilityItemsTable;
  responsibility_item_resources: ResponsibilityItemResourcesTable;
  resource_demands: ResourceDemandsTable;
  resource_demand_links: ResourceDemandLinksTable;
  negative_list_entries: NegativeListEntriesTable;
}

export type ElementRow = Selectable<DataElementsTable>;
export type ClaimRow = Selectable<DataElementClaimsTable>;
export type ArbitrationRow = Selectable<DataElementArbitrationsTable>;
export type ResponsibilityRow = Selectable<ResponsibilityItemsTable>;
export type DemandRow = Selectable<ResourceDemandsTable>;
export type NegativeRow = Selectable<NegativeListEntriesTable>;

/** The catalog columns this module reads (issue 4's shared contract). */
export interface ResourceRef {
  id: string;
  code: string;
  name_zh: string;
  name_en: string;
  provider_org_id: string;
  status: string;
  share_mode: string;
  open_mode: string;
}

export interface FieldRef {
  id: string;
  resource_id: string;
  position: number;
  name_zh: string;
  name_en: string;
  code: string;
  element_id: string | null;
}

/** A field mapped to an element, with its resource (the 一数一源 report). */
export interface MappedField {
  field_id: string;
  field_name_zh: string;
  field_name_en: string;
  field_code: string;
  resource_id: string;
  resource_code: string;
  resource_name_zh: string;
  resource_name_en: string;
  resource_status: string;
  provider_org_id: string;
  element_id: string;
  authoritative_org_id: string | null;
  authoritative_resource_id: string | null;
}

const RESOURCE_COLS = sql`r.id, r.code, r.name_zh, r.name_en, r.provider_org_id, r.status, r.share_mode, r.open_mode`;

export class ElementsRepository {
  // ================================================================================== catalog (read-only)
  async resource(db: Executor, id: string): Promise<ResourceRef | undefined> {
    const { rows } = await sql<ResourceRef>`select ${RESOURCE_COLS} from catalog_resources r where r.id = ${id}`.execute(db);
    return rows[0];
  }

  async resources(db: Executor, ids: readonly string[]): Promise<ResourceRef[]> {
    if (!ids.length) return [];
    const { rows } = await sql<ResourceRef>`select ${RESOURCE_COLS} from catalog_resources r
      where r.id = any(${sql.val([...ids])}::uuid[]) order by r.code`.execute(db);
    return rows;
  }

  /** Every resource (the demo seed looks its resources up by organization and name). */
  async allResources(db: Executor): Promise<ResourceRef[]> {
    const { rows } = await sql<ResourceRef>`select ${RESOURCE_COLS} from catalog_resources r order by r.code`.execute(db);
    return rows;
  }

  async fieldsOf(db: Executor, resourceId: string): Promise<FieldRef[]> {
    const { rows } = await sql<FieldRef>`select f.id, f.resource_id, f.position, f.name_zh, coalesce(f.name_en, '') as name_en,
        coalesce(f.code, '') as code, f.element_id
      from catalog_fields f where f.resource_id = ${resourceId} order by f.position, f.id`.execute(db);
    return rows;
  }

  /** Fields whose element's source is another organization (candidates for repeated collection). */
  async crossOrgFields(db: Executor): Promise<MappedField[]> {
    const { rows } = await sql<MappedField>`
      select f.id as field_id, f.name_zh as field_name_zh, coalesce(f.name_en, '') as field_name_en, coalesce(f.code, '') as field_code,
        r.id as resource_id, r.code as resource_code, r.name_zh as resource_name_zh, r.name_en as resource_name_en,
        r.status as resource_status, r.provider_org_id,
        e.id as element_id, e.authoritative_org_id, e.authoritative_resource_id
      from catalog_fields f
      join catalog_resources r on r.id = f.resource_id
      join data_elements e on e.id = f.element_id
      where r.status <> 'withdrawn' and e.status = 'active'
        and e.authoritative_org_id is not null and r.provider_org_id <> e.authoritative_org_id
      order by r.code, f.position`.execute(db);
    return rows;
  }

  /** Fields without an element whose name is an element's name or synonym (the demo seed maps them). */
  async mapFieldsByName(db: Executor, elementId: string, names: readonly string[]): Promise<number> {
    if (!names.length) return 0;
    const res = await sql`update catalog_fields set element_id = ${elementId}
      where element_id is null and name_zh = any(${sql.val([...names])}::text[])`.execute(db);
    return Number(res.numAffectedRows ?? 0);
  }

  // =========================================================================================== elements
  async listElements(db: Executor, opts: { q?: string; status?: 'active' | 'retired' } = {}): Promise<ElementRow[]> {
    let q = db.selectFrom('data_elements').selectAll();
    if (opts.status) q = q.where('status', '=', opts.status);
    if (opts.q) {
      const p = `%${escapeLike(opts.q)}%`;
      q = q.where((eb) =>
        eb.or([
          eb('name_zh', 'ilike', p),
          eb('name_en', 'ilike', p),
          eb('code', 'ilike', p),
          eb('standard_ref', 'ilike', p),
          eb(sql<string>`array_to_string(synonyms, ' ')`, 'ilike', p),
        ]),
      );
    }
    return q.orderBy('code').execute();
  }

  async getElement(db: Executor, id: string, forUpdate = false): Promise<ElementRow | undefined> {
    let q = db.selectFrom('data_elements').selectAll().where('id', '=', id);
    if (forUpdate) q = q.forUpdate();
    return q.executeTakeFirst();
  }

  async getElementByCode(db: Executor, code: string): Promise<ElementRow | undefined> {
    return db
      .selectFrom('data_elements')
      .selectAll()
      .where(sql`upper(code)`, '=', code.toUpperCase())
      .executeTakeFirst();
  }

  async getElementByName(db: Executor, nameZh: string): Promise<ElementRow | undefined> {
    return db.selectFrom('data_elements').selectAll().where('name_zh', '=', nameZh).where('status', '=', 'active').executeTakeFirst();
  }

  async insertElement(
    db: Executor,
    v: Omit<ElementRow, 'id' | 'created_at' | 'updated_at' | 'status' | 'authoritative_org_id' | 'authoritative_resource_id'>,
  ): Promise<ElementRow> {
    return db
      .insertInto('data_elements')
      .values({ ...v, synonyms: v.synonyms })
      .returningAll()
      .executeTakeFirstOrThrow();
  }

  async updateElement(db: Executor, id: string, patch: Partial<Omit<ElementRow, 'id' | 'created_at'>>): Promise<ElementRow> {
    return db
      .updateTable('data_elements')
      .set({ ...patch, updated_at: new Date() })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
  }

  /** Fields mapped to each element, per provider organization (withdrawn resources excluded). */
  async elementOrgUsage(db: Executor): Promise<Array<{ element_id: string; provider_org_id: string; fields: number }>> {
    const { rows } = await sql<{ element_id: string; provider_org_id: string; fields: number }>`
      select f.element_id, r.provider_org_id, count(*)::int as fields
      from catalog_fields f join catalog_resources r on r.id = f.resource_id
      where f.element_id is not null and r.status <> 'withdrawn'
      group by f.element_id, r.provider_org_id`.execute(db);
    return rows;
  }

  // ============================================================================================= claims
  async claimsOf(db: Executor, elementId: string): Promise<ClaimRow[]> {
    return db
      .selectFrom('data_element_claims')
      .selectAll()
      .where('element_id', '=', elementId)
      .orderBy('created_at')
      .orderBy('id')
      .execute();
  }

  async claimsIn(db: Executor, arbitrationIds: readonly string[]): Promise<ClaimRow[]> {
    if (!arbitrationIds.length) return [];
    return db
      .selectFrom('data_element_claims')
      .selectAll()
      .where('arbitration_id', 'in', [...arbitrationIds])
      .orderBy('created_at')
      .orderBy('id')
      .execute();
  }

  async getClaim(db: Executor, id: string): Promise<ClaimRow | undefined> {
    return db.selectFrom('data_element_claims').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async acceptedClaim(db: Executor, elementId: string): Promise<ClaimRow | undefined> {
    return db
      .selectFrom('data_element_claims')
      .selectAll()
      .where('element_id', '=', elementId)
      .where('status', '=', 'accepted')
      .executeTakeFirst();
  }

  async insertClaim(db: Executor, v: Omit<ClaimRow, 'id' | 'created_at' | 'decided_at'> & { decided_at?: Date | null }): Promise<ClaimRow> {
    return db.insertInto('data_element_claims').values(v).returningAll().executeTakeFirstOrThrow();
  }

  async setClaim(db: Executor, id: string, patch: Partial<Pick<ClaimRow, 'status' | 'arbitration_id' | 'decided_at'>>): Promise<ClaimRow> {
    return db.updateTable('data_element_claims').set(patch).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
  }

  // ======================================================================================= arbitrations
  async openArbitration(db: Executor, elementId: string): Promise<ArbitrationRow | undefined> {
    return db
      .selectFrom('data_element_arbitrations')
      .selectAll()
      .where('element_id', '=', elementId)
      .where('status', '=', 'open')
      .executeTakeFirst();
  }

  async insertArbitration(db: Executor, elementId: string): Promise<ArbitrationRow> {
    return db.insertInto('data_element_arbitrations').values({ element_id: elementId }).returningAll().executeTakeFirstOrThrow();
  }

  async getArbitration(db: Executor, id: string, forUpdate = false): Promise<ArbitrationRow | undefined> {
    let q = db.selectFrom('data_element_arbitrations').selectAll().where('id', '=', id);
    if (forUpdate) q = q.forUpdate();
    return q.executeTakeFirst();
  }

  async listArbitrations(db: Executor, status?: 'open' | 'decided'): Promise<ArbitrationRow[]> {
    let q = db.selectFrom('data_element_arbitrations').selectAll();
    if (status) q = q.where('status', '=', status);
    return q.orderBy('opened_at', 'desc').orderBy('id').execute();
  }

  async decideArbitration(
    db: Executor,
    id: string,
    v: { decidedBy: string | null; winnerClaimId: string; comment: string },
  ): Promise<ArbitrationRow> {
    return db
      .updateTable('data_element_arbitrations')
      .set({ status: 'decided', decided_at: new Date(), decided_by: v.decidedBy, winner_claim_id: v.winnerClaimId, comment: v.comment })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
  }

  // ================================================================================ responsibility list
  async listResponsibilities(db: Executor, orgIds: readonly string[] | null): Promise<ResponsibilityRow[]> {
    let q = db.selectFrom('responsibility_items').selectAll();
    if (orgIds) {
      if (!orgIds.length) return [];
      q = q.where('org_id', 'in', [...orgIds]);
    }
    return q.orderBy('created_at').orderBy('id').execute();
  }

  async getResponsibility(db: Executor, id: string, forUpdate = false): Promise<ResponsibilityRow | undefined> {
    let q = db.selectFrom('responsibility_items').selectAll().where('id', '=', id);
    if (forUpdate) q = q.forUpdate();
    return q.executeTakeFirst();
  }

  async insertResponsibility(db: Executor, v: Omit<ResponsibilityRow, 'id' | 'created_at' | 'updated_at'>): Promise<ResponsibilityRow> {
    return db.insertInto('responsibility_items').values(v).returningAll().executeTakeFirstOrThrow();
  }

  async updateResponsibility(
    db: Executor,
    id: string,
    patch: Partial<Pick<ResponsibilityRow, 'name_zh' | 'name_en' | 'description' | 'legal_basis'>>,
  ): Promise<ResponsibilityRow> {
    return db
      .updateTable('responsibility_items')
      .set({ ...patch, updated_at: new Date() })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
  }

  async deleteResponsibility(db: Executor, id: string): Promise<void> {
    await db.deleteFrom('responsibility_items').where('id', '=', id).execute();
  }

  async responsibilityLinks(db: Executor, itemIds: readonly string[]): Promise<Array<{ item_id: string; resource_id: string }>> {
    if (!itemIds.length) return [];
    return db
      .selectFrom('responsibility_item_resources')
      .selectAll()
      .where('item_id', 'in', [...itemIds])
      .execute();
  }

  async setResponsibilityLinks(db: Executor, itemId: string, resourceIds: readonly string[]): Promise<void> {
    await db.deleteFrom('responsibility_item_resources').where('item_id', '=', itemId).execute();
    if (resourceIds.length)
      await db
        .insertInto('responsibility_item_resources')
        .values(resourceIds.map((r) => ({ item_id: itemId, resource_id: r })))
        .execute();
  }

  // ======================================================================================== demand list
  async listDemands(
    db: Executor,
    opts: {
      scope: { userId: string | null; orgIds: readonly string[] } | null;
      status?: DemandStatus;
      targetOrgId?: string;
      limit: number;
      offset: number;
    },
  ): Promise<{ items: DemandRow[]; total: number }> {
    let q = db.selectFrom('resource_demands');
    if (opts.scope) {
      const { userId, orgIds } = opts.scope;
      q = q.where((eb) => {
        const ors = [];
        if (userId) ors.push(eb('raised_by', '=', userId));
        if (orgIds.length) {
          ors.push(eb('raiser_org_id', 'in', [...orgIds]));
          ors.push(eb('target_org_id', 'in', [...orgIds]));
        }
        return ors.length ? eb.or(ors) : eb.val(false);
      });
    }
    if (opts.status) q = q.where('status', '=', opts.status);
    if (opts.targetOrgId) q = q.where('target_org_id', '=', opts.targetOrgId);
    const [items, total] = await Promise.all([
      q.selectAll().orderBy('created_at', 'desc').orderBy('id').limit(opts.limit).offset(opts.offset).execute(),
      q.select(sql<number>`count(*)::int`.as('n')).executeTakeFirstOrThrow(),
    ]);
    return { items, total: total.n };
  }

  async allDemands(db: Executor): Promise<DemandRow[]> {
    return db.selectFrom('resource_demands').selectAll().execute();
  }

  async getDemand(db: Executor, id: string, forUpdate = false): Promise<DemandRow | undefined> {
    let q = db.selectFrom('resource_demands').selectAll().where('id', '=', id);
    if (forUpdate) q = q.forUpdate();
    return q.executeTakeFirst();
  }

  async insertDemand(
    db: Executor,
    v: Pick<
      DemandRow,
      'title' | 'description' | 'needed_fields' | 'purpose' | 'raiser_kind' | 'raised_by' | 'raiser_org_id' | 'target_org_id'
    > & {
      created_at?: Date;
    },
  ): Promise<DemandRow> {
    return db
      .insertInto('resource_demands')
      .values({ ...v, updated_at: v.created_at ?? new Date() })
      .returningAll()
      .executeTakeFirstOrThrow();
  }

  async updateDemand(
    db: Executor,
    id: string,
    patch: Partial<Pick<DemandRow, 'status' | 'reply' | 'responded_by' | 'responded_at' | 'closed_at' | 'target_org_id'>>,
  ): Promise<DemandRow> {
    return db
      .updateTable('resource_demands')
      .set({ ...patch, updated_at: new Date() })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
  }

  async updateDemandContent(db: Executor, id: string, patch: Record<string, unknown>): Promise<DemandRow> {
    const allowed = ['title', 'description', 'needed_fields', 'purpose', 'target_org_id'] as const;
    const set: Partial<Pick<DemandRow, (typeof allowed)[number]>> = {};
    for (const k of allowed) if (k in patch) (set as Record<string, unknown>)[k] = patch[k];
    return db
      .updateTable('resource_demands')
      .set({ ...set, updated_at: new Date() })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
  }

  async demandLinks(db: Executor, demandIds: readonly string[]): Promise<Array<{ demand_id: string; resource_id: string }>> {
    if (!demandIds.length) return [];
    return db
      .selectFrom('resource_demand_links')
      .selectAll()
      .where('demand_id', 'in', [...demandIds])
      .execute();
  }

  async addDemandLinks(db: Executor, demandId: string, resourceIds: readonly string[]): Promise<void> {
    if (!resourceIds.length) return;
    await db
      .insertInto('resource_demand_links')
      .values(resourceIds.map((r) => ({ demand_id: demandId, resource_id: r })))
      .onConflict((oc) => oc.doNothing())
      .execute();
  }

  // ====================================================================================== negative list
  async listNegative(db: Executor, includeRemoved: boolean): Promise<NegativeRow[]> {
    let q = db.selectFrom('negative_list_entries').selectAll();
    if (!includeRemoved) q = q.where('removed_at', 'is', null);
    return q.orderBy('created_at', 'desc').orderBy('id').execute();
  }

  async getNegative(db: Executor, id: string, forUpdate = false): Promise<NegativeRow | undefined> {
    let q = db.selectFrom('negative_list_entries').selectAll().where('id', '=', id);
    if (forUpdate) q = q.forUpdate();
    return q.executeTakeFirst();
  }

  async activeNegativeFor(db: Executor, resourceId: string): Promise<NegativeRow | undefined> {
    return db
      .selectFrom('negative_list_entries')
      .selectAll()
      .where('resource_id', '=', resourceId)
      .where('removed_at', 'is', null)
      .executeTakeFirst();
  }

  async insertNegative(
    db: Executor,
    v: Pick<NegativeRow, 'resource_id' | 'scope' | 'legal_basis' | 'note' | 'added_by'>,
  ): Promise<NegativeRow> {
    return db.insertInto('negative_list_entries').values(v).returningAll().executeTakeFirstOrThrow();
  }

  async updateNegative(
    db: Executor,
    id: string,
    patch: Partial<Pick<NegativeRow, 'scope' | 'legal_basis' | 'note' | 'removed_at' | 'removed_by' | 'remove_reason'>>,
  ): Promise<NegativeRow> {
    return db
      .updateTable('negative_list_entries')
      .set({ ...patch, updated_at: new Date() })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
  }
}

export function escapeLike(s: string): string {
  return s.replace(/[\\%_]/g, (c) => `\\${c}`);
}
