// The organization tree, cached in memory for scope checks. Changes made by this process invalidate it at
// once; changes made by other processes are picked up within TTL_MS (the tree is small and read on almost
// every request, so one query per TTL per process is the whole cost).
import type { Db } from '../../db/database.ts';
import { IdentityRepository, type OrgRow } from './repository.ts';

const TTL_MS = 5_000;

export interface OrgNode {
  id: string;
  parentId: string | null;
  code: string;
  nameZh: string;
  nameEn: string;
  kind: OrgRow['kind'];
  status: OrgRow['status'];
}

export class OrgTree {
  #byId = new Map<string, OrgNode>();
  #loadedAt = 0;
  #loading: Promise<void> | null = null;
  #generation = 0;
  readonly repo = new IdentityRepository();

  constructor(readonly db: Db) {}

  /** Drops the cache (call after any change to organizations). */
  invalidate(): void {
    this.#loadedAt = 0;
    this.#generation++;
  }

  private async ensure(): Promise<void> {
    if (Date.now() - this.#loadedAt < TTL_MS) return;
    this.#loading ??= (async () => {
      const generation = this.#generation;
      try {
        const rows = await this.repo.listOrgs(this.db);
        const map = new Map<string, OrgNode>();
        for (const r of rows)
          map.set(r.id, {
            id: r.id,
            parentId: r.parent_id,
            code: r.code,
            nameZh: r.name_zh,
            nameEn: r.name_en,
            kind: r.kind,
            status: r.status,
          });
        this.#byId = map;
        // An invalidation during the load means the rows may be stale: keep them, but reload next time.
        this.#loadedAt = generation === this.#generation ? Date.now() : 0;
      } finally {
        this.#loading = null;
      }
    })();
    await this.#loading;
  }

  /** Every organization by id, as of now (one await for many look-ups; the map is replaced, never changed, on reload). */
  async nodes(): Promise<ReadonlyMap<string, OrgNode>> {
    if (Date.now() - this.#loadedAt >= TTL_MS) await this.ensure();
    return this.#byId;
  }

  async get(id: string): Promise<OrgNode | undefined> {
    if (Date.now() - this.#loadedAt >= TTL_MS) await this.ensure();
    return this.#byId.get(id);
  }

  /** Ids from the root down to `id` (empty for an unknown id). */
  async path(id: string | null): Promise<string[]> {
    if (!id) return [];
    if (Date.now() - this.#loadedAt >= TTL_MS) await this.ensure();
    const out: string[] = [];
    const seen = new Set<string>();
    for (let cur = this.#byId.get(id); cur && !seen.has(cur.id); cur = cur.parentId ? this.#byId.get(cur.parentId) : undefined) {
      seen.add(cur.id);
      out.unshift(cur.id);
    }
    return out;
  }

  /** True when `orgId` is `ancestorId` or lies below it. */
  async isWithin(orgId: string | null | undefined, ancestorId: string | null | undefined): Promise<boolean> {
    if (!orgId || !ancestorId) return false;
    return (await this.path(orgId)).includes(ancestorId);
  }

  /** `id` and every organization below it. */
  async subtree(id: string): Promise<string[]> {
    await this.ensure();
    const children = new Map<string, string[]>();
    for (const n of this.#byId.values()) {
      if (!n.parentId) continue;
      const list = children.get(n.parentId) ?? [];
      list.push(n.id);
      children.set(n.parentId, list);
    }
    const out: string[] = [];
    const stack = this.#byId.has(id) ? [id] : [];
    while (stack.length) {
      const cur = stack.pop()!;
      if (out.includes(cur)) continue;
      out.push(cur);
      stack.push(...(children.get(cur) ?? []));
    }
    return out;
  }
}
