// Who is acting. Built once per request (session cookie, API-key signature, or anonymous) and passed to
// authorize() and to the ledger. Later issues add entitlements; the shape here stays.
export const ROLES = [
  'authority_admin', // 数据管理机构管理员
  'provider_clerk', // 数据提供部门经办人
  'consumer_clerk', // 数据使用部门经办人
  'operator', // 运营机构
  'public_user', // 社会公众/企业
  'auditor', // 审计
  'security_officer', // 安全管理员
] as const;
export type Role = (typeof ROLES)[number];

export const ORG_KINDS = ['authority', 'department', 'unit', 'operator', 'company', 'public'] as const;
export type OrgKind = (typeof ORG_KINDS)[number];

export interface Actor {
  kind: 'user' | 'api_key' | 'system' | 'anonymous';
  /** User id (for an API key: the user that owns it). */
  userId: string | null;
  username: string | null;
  displayName: string | null;
  orgId: string | null;
  /** Ids from the root organization down to orgId: scope checks are "is X inside my subtree". */
  orgPath: string[];
  roles: Role[];
  apiKeyId?: string;
  /** The application (应用系统) an API key belongs to: entitlements narrowed to it match (issue 6 §4). */
  applicationId?: string;
  sessionId?: string;
}

export const ANONYMOUS: Actor = Object.freeze({
  kind: 'anonymous',
  userId: null,
  username: null,
  displayName: null,
  orgId: null,
  orgPath: [],
  roles: [],
}) as Actor;

/** The platform itself (jobs, seeding, checkpoints). */
export const SYSTEM: Actor = Object.freeze({
  kind: 'system',
  userId: null,
  username: 'system',
  displayName: '系统',
  orgId: null,
  orgPath: [],
  roles: [],
}) as Actor;

declare module 'fastify' {
  interface FastifyRequest {
    /** Resolved by the identity module's onRequest hook before any handler runs. */
    actor: Actor;
    /** The exact body bytes of a JSON request (API-key signatures hash them). */
    rawBody?: Buffer;
  }
}
