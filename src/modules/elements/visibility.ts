// Which catalog resources an actor may see: the catalog's one rule (src/modules/catalog/visibility.ts),
// computed once per actor (request) and applied to the rows this module loads.
import type { Actor } from '../identity/actor.ts';
import type { Authorizer } from '../identity/authorize.ts';
import { catalogVisibility, isVisible, visibleSql, type CatalogVisibility } from '../catalog/visibility.ts';

export { visibleSql, type CatalogVisibility };

export interface VisibilityRow {
  status: string;
  provider_org_id: string;
  open_mode: string;
}

const cache = new WeakMap<Actor, Promise<CatalogVisibility>>();

export function visibilityOf(authz: Authorizer, actor: Actor): Promise<CatalogVisibility> {
  let v = cache.get(actor);
  if (!v) {
    v = catalogVisibility(authz, actor);
    cache.set(actor, v);
  }
  return v;
}

export async function resourceVisible(actor: Actor, r: VisibilityRow, authz: Authorizer): Promise<boolean> {
  return isVisible(await visibilityOf(authz, actor), r);
}
