// The one authorization entry point: every route calls `ctx.authz.authorize(req.actor, action, object)`.
//
// Decision = (a role rule allows it  OR  a plugin answers 'allow')  AND  no plugin answers 'deny'.
// Not allowed: 401 UNAUTHENTICATED for an anonymous actor, 403 FORBIDDEN { action } otherwise.
//
// Actions are dotted verbs: '<object>.<verb>' ('user.read', 'org.update', 'ledger.export', …). A rule has an
// action pattern ('*', 'user.*', '*.read', or an exact action) and a scope:
//   any          — every object
//   org_subtree  — object.orgId is the actor's organization or lies below it in the org tree
//   self         — object.userId is the actor's own user id
//
// Role matrix (issue 3; later modules add their rules with authz.allow()):
//
// | role              | actions                                                           | scope |
// |-------------------|-------------------------------------------------------------------|-------|
// | (anonymous)       | auth.login, auth.logout                                           | any   |
// | every signed-in   | auth.*, user.read, user.change_password, api_key.*, notification.* | self  |
// |   user            | org.read, stats.read                                              | any   |
// | authority_admin   | * (everything)                                                    | any   |
// | auditor           | *.read, ledger.export, ledger.verify (read-only everywhere)        | any   |
// | security_officer  | ledger.read, user.read, org.read, security.*                      | any   |
// | provider_clerk, consumer_clerk, operator, public_user | only the signed-in baseline above | —     |
//
// API-key actors (machine clients) act with their owner's roles but may not manage credentials:
// api_key.create and user.change_password are refused to them whatever a rule or plugin says.
// The platform itself (SYSTEM) is allowed everything.
//
// Extension: `authz.use(plugin)` — a plugin `(actor, action, object) => 'allow' | 'deny' | undefined`
// lets the sharing/open/operation modules plug entitlement checks in (a grant allows, a revocation or a
// negative list denies; deny wins).
import type { Db } from '../../db/database.ts';
import { AppError } from '../../errors.ts';
import type { Actor, Role } from './actor.ts';
import { OrgTree } from './orgtree.ts';

export interface AuthzObject {
  type: string;
  id?: string | null;
  /** Organization that owns the object (scope checks). */
  orgId?: string | null;
  /** User the object belongs to (self-service checks). */
  userId?: string | null;
}

export type Scope = 'any' | 'org_subtree' | 'self';
export interface Rule {
  action: string;
  scope: Scope;
}
export type AuthzDecision = 'allow' | 'deny' | undefined;
export type AuthzPlugin = (actor: Actor, action: string, object: AuthzObject) => AuthzDecision | Promise<AuthzDecision>;

/** Rules for anonymous callers. */
export const ANONYMOUS_RULES: Rule[] = [
  { action: 'auth.login', scope: 'any' },
  { action: 'auth.logout', scope: 'any' },
];

/** Rules every signed-in user has, whatever the role. */
export const BASELINE_RULES: Rule[] = [
  { action: 'auth.*', scope: 'self' },
  { action: 'user.read', scope: 'self' },
  { action: 'user.change_password', scope: 'self' },
  { action: 'api_key.*', scope: 'self' },
  { action: 'notification.*', scope: 'self' },
  { action: 'org.read', scope: 'any' },
  { action: 'stats.read', scope: 'any' },
];

export const ROLE_RULES: Record<Role, Rule[]> = {
  authority_admin: [{ action: '*', scope: 'any' }],
  auditor: [
    { action: '*.read', scope: 'any' },
    { action: 'ledger.export', scope: 'any' },
    { action: 'ledger.verify', scope: 'any' },
  ],
  security_officer: [
    { action: 'ledger.read', scope: 'any' },
    { action: 'user.read', scope: 'any' },
    { action: 'org.read', scope: 'any' },
    { action: 'security.*', scope: 'any' },
  ],
  provider_clerk: [],
  consumer_clerk: [],
  operator: [],
  public_user: [],
};

/** Actions a machine client (API key) may never perform. */
export const SESSION_ONLY_ACTIONS = new Set(['api_key.create', 'user.change_password']);

export function matchAction(pattern: string, action: string): boolean {
  if (pattern === '*' || pattern === action) return true;
  if (pattern.endsWith('.*')) return action.startsWith(pattern.slice(0, -1));
  if (pattern.startsWith('*.')) return action.endsWith(pattern.slice(1));
  return false;
}

export class Authorizer {
  readonly orgs: OrgTree;
  #plugins: AuthzPlugin[] = [];
  #roleRules: Record<Role, Rule[]>;
  #baseline: Rule[];
  #anonymous: Rule[];

  constructor(readonly db: Db) {
    this.orgs = new OrgTree(db);
    this.#roleRules = Object.fromEntries(Object.entries(ROLE_RULES).map(([r, rules]) => [r, [...rules]])) as Record<Role, Rule[]>;
    this.#baseline = [...BASELINE_RULES];
    this.#anonymous = [...ANONYMOUS_RULES];
  }

  /** Adds an entitlement plugin (sharing, open access, operation). */
  use(plugin: AuthzPlugin): this {
    this.#plugins.push(plugin);
    return this;
  }

  /** Adds a role rule; `role` 'signed_in' adds to every user's baseline, 'anonymous' to anonymous callers. */
  allow(role: Role | 'signed_in' | 'anonymous', action: string, scope: Scope = 'any'): this {
    const list = role === 'signed_in' ? this.#baseline : role === 'anonymous' ? this.#anonymous : this.#roleRules[role];
    list.push({ action, scope });
    return this;
  }

  /** Throws 401/403 unless `actor` may do `action` on `object`. */
  async authorize(actor: Actor, action: string, object: AuthzObject = { type: action.split('.')[0] ?? 'unknown' }): Promise<void> {
    if (await this.can(actor, action, object)) return;
    if (actor.kind === 'anonymous') throw new AppError(401, 'UNAUTHENTICATED', {}, { action });
    throw new AppError(403, 'FORBIDDEN', {}, { action });
  }

  /** The decision without throwing (menus, filtering lists). */
  async can(actor: Actor, action: string, object: AuthzObject = { type: action.split('.')[0] ?? 'unknown' }): Promise<boolean> {
    if (actor.kind === 'system') return true;
    if (actor.kind === 'api_key' && SESSION_ONLY_ACTIONS.has(action)) return false;
    let allowed = await this.rulesAllow(actor, action, object);
    for (const plugin of this.#plugins) {
      const d = await plugin(actor, action, object);
      if (d === 'deny') return false;
      if (d === 'allow') allowed = true;
    }
    return allowed;
  }

  /** Role rules; synchronous unless an org_subtree rule needs the org tree. */
  private rulesAllow(actor: Actor, action: string, object: AuthzObject): boolean | Promise<boolean> {
    let needsTree = false;
    if (actor.kind === 'user' || actor.kind === 'api_key') {
      for (const role of actor.roles) {
        const rules = this.#roleRules[role];
        if (!rules) continue;
        const r = scanRules(rules, actor, action, object);
        if (r === true) return true;
        if (r === 'tree') needsTree = true;
      }
      const r = scanRules(this.#baseline, actor, action, object);
      if (r === true) return true;
      if (r === 'tree') needsTree = true;
    } else {
      const r = scanRules(this.#anonymous, actor, action, object);
      if (r === true) return true;
      if (r === 'tree') needsTree = true;
    }
    if (!needsTree || !actor.orgId || !object.orgId) return false;
    return this.orgs.isWithin(object.orgId, actor.orgId);
  }
}

/** true: a rule allows; 'tree': only an org_subtree rule matches the action (needs the org tree); false: none. */
function scanRules(rules: Rule[], actor: Actor, action: string, object: AuthzObject): boolean | 'tree' {
  let tree = false;
  for (const rule of rules) {
    if (!matchAction(rule.action, action)) continue;
    if (rule.scope === 'any') return true;
    if (rule.scope === 'self') {
      if (actor.userId && object.userId === actor.userId) return true;
    } else tree = true;
  }
  return tree ? 'tree' : false;
}
