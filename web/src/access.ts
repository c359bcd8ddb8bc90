// Which pages a user's roles open, and which of them the user may change. The server checks every request
// again (authorize()); this only decides what the menu shows.
import type { Role } from './types.ts';

export type PageKey = 'home' | 'users' | 'orgs' | 'ledger' | 'calendar' | 'apiKeys' | 'notifications';

export interface PageDef {
  key: PageKey;
  path: string;
  /** Roles that see the page; undefined = every logged-in user. */
  roles?: readonly Role[];
  /** Roles that may change things on the page (others get a read-only view). */
  editRoles?: readonly Role[];
}

const ADMIN_READERS = ['authority_admin', 'auditor', 'security_officer'] as const;

export const PAGES: readonly PageDef[] = [
  { key: 'home', path: '/' },
  { key: 'users', path: '/users', roles: ADMIN_READERS, editRoles: ['authority_admin'] },
  { key: 'orgs', path: '/orgs', roles: ADMIN_READERS, editRoles: ['authority_admin'] },
  { key: 'ledger', path: '/ledger', roles: ADMIN_READERS },
  { key: 'calendar', path: '/calendar', editRoles: ['authority_admin'] },
  { key: 'apiKeys', path: '/api-keys' },
  { key: 'notifications', path: '/notifications' },
];

export function canSee(page: PageDef, roles: readonly Role[]): boolean {
  return !page.roles || page.roles.some((r) => roles.includes(r));
}

export function canEdit(key: PageKey, roles: readonly Role[]): boolean {
  const page = PAGES.find((p) => p.key === key);
  if (!page) return false;
  if (!page.editRoles) return canSee(page, roles);
  return page.editRoles.some((r) => roles.includes(r));
}

export function visiblePages(roles: readonly Role[]): PageDef[] {
  return PAGES.filter((p) => canSee(p, roles));
}
