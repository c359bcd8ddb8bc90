// Which pages a user's roles open, and which of them the user may change. The server checks every request
// again (authorize()); this only decides what the menu shows.
import type { Role } from './types.ts';

export type PageKey =
  | 'home'
  | 'catalog'
  | 'catalogResource'
  | 'catalogNew'
  | 'catalogEdit'
  | 'review'
  | 'elements'
  | 'lists'
  | 'registrations'
  | 'users'
  | 'orgs'
  | 'ledger'
  | 'calendar'
  | 'apiKeys'
  | 'notifications';

export interface PageDef {
  key: PageKey;
  path: string;
  /** Roles that see the page; undefined = every logged-in user. */
  roles?: readonly Role[];
  /** Roles that may change things on the page (others get a read-only view). */
  editRoles?: readonly Role[];
  /** A page reached from another page (detail, editor), not listed in the side menu. */
  hidden?: boolean;
}

const ADMIN_READERS = ['authority_admin', 'auditor', 'security_officer'] as const;
const CATALOG_EDITORS = ['authority_admin', 'provider_clerk'] as const;
/** Government roles that read the lists (the API refuses the others). */
const LIST_READERS = ['authority_admin', 'provider_clerk', 'consumer_clerk', 'auditor'] as const;

export const PAGES: readonly PageDef[] = [
  { key: 'home', path: '/' },
  { key: 'catalog', path: '/catalog', editRoles: CATALOG_EDITORS },
  { key: 'catalogResource', path: '/catalog/resources/:id', hidden: true, editRoles: CATALOG_EDITORS },
  { key: 'catalogNew', path: '/catalog/new', hidden: true, roles: CATALOG_EDITORS },
  { key: 'catalogEdit', path: '/catalog/resources/:id/edit', hidden: true, roles: CATALOG_EDITORS },
  { key: 'review', path: '/review', roles: ['authority_admin'] },
  { key: 'elements', path: '/elements', roles: ['authority_admin', 'provider_clerk', 'auditor'], editRoles: ['authority_admin'] },
  { key: 'lists', path: '/lists', roles: LIST_READERS, editRoles: CATALOG_EDITORS },
  {
    key: 'registrations',
    path: '/registrations',
    roles: ['authority_admin', 'provider_clerk', 'auditor'],
    editRoles: ['authority_admin', 'provider_clerk'],
  },
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
  return PAGES.filter((p) => !p.hidden && canSee(p, roles));
}
