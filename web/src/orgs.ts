// The organization list (GET /api/orgs), shared by the pages that pick or show organizations.
import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { get } from './api.ts';
import { ORG_KINDS, type Org, type OrgRef } from './types.ts';

const KIND_ORDER: readonly string[] = ORG_KINDS;

export interface OrgNode {
  org: Org;
  children: OrgNode[];
}

export function buildOrgTree(orgs: Org[]): OrgNode[] {
  const nodes = new Map(orgs.map((o) => [o.id, { org: o, children: [] as OrgNode[] }]));
  const roots: OrgNode[] = [];
  for (const n of nodes.values()) {
    const parent = n.org.parentId ? nodes.get(n.org.parentId) : undefined;
    (parent ? parent.children : roots).push(n);
  }
  const sort = (list: OrgNode[]) => {
    list.sort((a, b) => KIND_ORDER.indexOf(a.org.kind) - KIND_ORDER.indexOf(b.org.kind) || a.org.code.localeCompare(b.org.code));
    list.forEach((n) => sort(n.children));
  };
  sort(roots);
  return roots;
}

export function useOrgName() {
  const { i18n } = useTranslation();
  const en = i18n.language === 'en';
  return (o: Pick<OrgRef, 'nameZh' | 'nameEn'> | null | undefined) => (o ? (en ? o.nameEn || o.nameZh : o.nameZh) : '');
}

export function useOrgs() {
  const [orgs, setOrgs] = useState<Org[]>([]);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<unknown>(null);
  const reload = useCallback(async () => {
    setLoading(true);
    try {
      const r = await get<Org[] | { items: Org[] }>('/api/orgs');
      setOrgs(Array.isArray(r) ? r : r.items);
      setError(null);
    } catch (e) {
      setError(e);
    } finally {
      setLoading(false);
    }
  }, []);
  useEffect(() => {
    void reload();
  }, [reload]);
  return { orgs, loading, error, reload };
}

export interface OrgTreeSelectNode {
  value: string;
  title: string;
  children: OrgTreeSelectNode[];
}

/** TreeSelect data: value = org id, title = name in the UI language. */
export function useOrgTreeSelect(orgs: Org[]): OrgTreeSelectNode[] {
  const name = useOrgName();
  const map = (n: OrgNode): OrgTreeSelectNode => ({ value: n.org.id, title: name(n.org), children: n.children.map(map) });
  return buildOrgTree(orgs).map(map);
}
