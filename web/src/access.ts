// Which pages a user's roles open, and which of them the user may change. The server checks every request
// again (authorize()); this only decides what the menu shows.
import type { Role } from './types.ts';

export type PageKey =
  | 'home'
  | 'catalog'
  | 'catalogResource'
  | 'catalogNew'
  | 'catalogEdit'
  | 'catalogData'
  | 'datasets'
  | 'sources'
  | 'review'
  | 'elements'
  | 'lists'
  | 'registrations'
  | 'sharingNew'
  | 'sharingMine'
  | 'sharingIncoming'
  | 'sharingRequest'
  | 'sharingGrants'
  | 'sharingManage'
  | 'applications'
  | 'myDataUses'
  | 'federationGrants'
  | 'federationLinks'
  | 'feedbackDesk'
  | 'harvest'
  | 'users'
  | 'orgs'
  | 'ledger'
  | 'calendar'
  | 'apiKeys'
  | 'notifications'
  | 'openApply'
  | 'openApplyMine'
  | 'openApplyIncoming'
  | 'openApplyDetail'
  | 'openApplyOverview';

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
/** Department clerks: departments both request shared data and provide it (issue 6). */
const CLERKS = ['consumer_clerk', 'provider_clerk'] as const;

export const PAGES: readonly PageDef[] = [
  { key: 'home', path: '/' },
  { key: 'catalog', path: '/catalog', editRoles: CATALOG_EDITORS },
  { key: 'catalogResource', path: '/catalog/resources/:id', hidden: true, editRoles: CATALOG_EDITORS },
  { key: 'catalogNew', path: '/catalog/new', hidden: true, roles: CATALOG_EDITORS },
  { key: 'catalogEdit', path: '/catalog/resources/:id/edit', hidden: true, roles: CATALOG_EDITORS },
  // A resource's data (issue 5): everyone signed in; what they may do there is the dataset's canManage.
  { key: 'catalogData', path: '/catalog/resources/:id/data', hidden: true },
  { key: 'datasets', path: '/datasets', roles: ['authority_admin', 'provider_clerk', 'auditor'] },
  // Source databases (issue 5): a department's connections; auditors read.
  { key: 'sources', path: '/sources', roles: ['authority_admin', 'provider_clerk', 'auditor'], editRoles: CATALOG_EDITORS },
  { key: 'review', path: '/review', roles: ['authority_admin'] },
  { key: 'elements', path: '/elements', roles: ['authority_admin', 'provider_clerk', 'auditor'], editRoles: ['authority_admin'] },
  { key: 'lists', path: '/lists', roles: LIST_READERS, editRoles: CATALOG_EDITORS },
  {
    key: 'registrations',
    path: '/registrations',
    roles: ['authority_admin', 'provider_clerk', 'auditor'],
    editRoles: ['authority_admin', 'provider_clerk'],
  },
  // Government data sharing (issue 6): requests, the provider's answers, grants, the authority's supervision.
  { key: 'sharingNew', path: '/sharing/new', roles: CLERKS },
  { key: 'sharingMine', path: '/sharing/requests', roles: CLERKS },
  { key: 'sharingIncoming', path: '/sharing/incoming', roles: ['provider_clerk'] },
  { key: 'sharingRequest', path: '/sharing/requests/:id', hidden: true, roles: LIST_READERS },
  { key: 'sharingGrants', path: '/sharing/grants', roles: LIST_READERS, editRoles: ['authority_admin', 'provider_clerk'] },
  { key: 'sharingManage', path: '/sharing/manage', roles: ['authority_admin', 'auditor'], editRoles: ['authority_admin'] },
  { key: 'applications', path: '/applications', roles: CLERKS },
  // The data subject's own view: who used records about me (a person or company signed in).
  { key: 'myDataUses', path: '/my-data-uses', roles: ['public_user'] },
  // Back-flow between platforms (数据回流, issue 6 §7): grants issued to lower-level platforms, data received from higher ones.
  { key: 'federationGrants', path: '/federation/grants', roles: ['authority_admin'] },
  { key: 'federationLinks', path: '/federation/links', roles: ['authority_admin'] },
  // Portal feedback (issue 7 §3, §4): a department answers demands and error reports; the authority also routes and moderates reuses.
  { key: 'feedbackDesk', path: '/feedback', roles: ['authority_admin', 'provider_clerk'] },
  // Catalog harvesting from other portals (issue 7 §8): the authority configures and runs; auditors read.
  { key: 'harvest', path: '/harvest', roles: ['authority_admin', 'auditor'], editRoles: ['authority_admin'] },
  { key: 'users', path: '/users', roles: ADMIN_READERS, editRoles: ['authority_admin'] },
  { key: 'orgs', path: '/orgs', roles: ADMIN_READERS, editRoles: ['authority_admin'] },
  { key: 'ledger', path: '/ledger', roles: ADMIN_READERS },
  { key: 'calendar', path: '/calendar', editRoles: ['authority_admin'] },
  { key: 'apiKeys', path: '/api-keys' },
  // Conditional open (有条件开放, issue 7 §2): companies, researchers and citizens apply (the form will move under
  // the public portal's layout at /data/...); providers review; the authority oversees.
  { key: 'openApply', path: '/data/apply/:resourceId', hidden: true, roles: ['public_user', 'operator'] },
  { key: 'openApplyMine', path: '/open/applications', roles: ['public_user', 'operator'] },
  { key: 'openApplyIncoming', path: '/open/incoming', roles: ['provider_clerk'] },
  {
    key: 'openApplyDetail',
    path: '/open/applications/:id',
    hidden: true,
    roles: ['public_user', 'operator', 'provider_clerk', 'authority_admin', 'auditor'],
  },
  { key: 'openApplyOverview', path: '/open/overview', roles: ['authority_admin', 'auditor'] },
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
