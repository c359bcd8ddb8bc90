// TypeBox schemas of the identity API; the TypeScript types are derived from them.
import { Type, type Static } from 'typebox';
import { ORG_KINDS, ROLES } from './actor.ts';

const Uuid = Type.String({ format: 'uuid' });
const DateTime = Type.String({ format: 'date-time' });
const NullableDateTime = Type.Union([DateTime, Type.Null()]);

export const RoleSchema = Type.Enum([...ROLES], { description: 'Role: ' + ROLES.join(', ') });
export const OrgKindSchema = Type.Enum([...ORG_KINDS], { description: 'Organization kind: ' + ORG_KINDS.join(', ') });

export const Username = Type.String({
  minLength: 2,
  maxLength: 64,
  pattern: '^[A-Za-z0-9][A-Za-z0-9._@-]{1,63}$',
  description: 'Login name (letters, digits, . _ @ -), unique case-insensitively',
});
export const Password = Type.String({ minLength: 1, maxLength: 256 });

export const OrgRef = Type.Object({ id: Uuid, code: Type.String(), nameZh: Type.String(), nameEn: Type.String(), kind: OrgKindSchema });

export const Me = Type.Object(
  {
    id: Uuid,
    username: Type.String(),
    displayName: Type.String(),
    roles: Type.Array(RoleSchema),
    org: OrgRef,
    authMethod: Type.Enum(['session', 'api_key']),
  },
  { $id: 'Me', title: 'Me' },
);
export type MeT = Static<typeof Me>;

export const LoginBody = Type.Object(
  { username: Type.String({ minLength: 1, maxLength: 128 }), password: Password },
  { additionalProperties: false },
);
export const LoginResponse = Type.Object({ user: Me });
export const ChangePasswordBody = Type.Object({ currentPassword: Password, newPassword: Password }, { additionalProperties: false });

export const Org = Type.Object(
  {
    id: Uuid,
    parentId: Type.Union([Uuid, Type.Null()]),
    code: Type.String(),
    nameZh: Type.String(),
    nameEn: Type.String(),
    kind: OrgKindSchema,
    creditCode: Type.Union([Type.String(), Type.Null()], { description: '统一社会信用代码 (GB 32100)' }),
    status: Type.Enum(['active', 'disabled']),
    createdAt: DateTime,
  },
  { $id: 'Org', title: 'Org' },
);
export type OrgT = Static<typeof Org>;
export const OrgList = Type.Object({ items: Type.Array(Org) });
export const OrgCode = Type.String({ pattern: '^[A-Za-z0-9_-]{1,32}$', description: 'Short unique code, e.g. GA' });
export const CreditCode = Type.String({
  pattern: '^[0-9A-HJ-NP-RTUWXY]{18}$',
  description: '统一社会信用代码, 18 characters with valid check digits',
});
export const CreateOrgBody = Type.Object(
  {
    parentId: Type.Optional(Type.Union([Uuid, Type.Null()])),
    code: OrgCode,
    nameZh: Type.String({ minLength: 1, maxLength: 200 }),
    nameEn: Type.Optional(Type.String({ maxLength: 200 })),
    kind: OrgKindSchema,
    creditCode: Type.Optional(Type.Union([CreditCode, Type.Null()])),
  },
  { additionalProperties: false },
);
export type CreateOrgInput = Static<typeof CreateOrgBody>;
export const UpdateOrgBody = Type.Object(
  {
    parentId: Type.Optional(Type.Union([Uuid, Type.Null()])),
    nameZh: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    nameEn: Type.Optional(Type.String({ maxLength: 200 })),
    kind: Type.Optional(OrgKindSchema),
    creditCode: Type.Optional(Type.Union([CreditCode, Type.Null()])),
    status: Type.Optional(Type.Enum(['active', 'disabled'])),
  },
  { additionalProperties: false },
);
export type UpdateOrgInput = Static<typeof UpdateOrgBody>;

export const User = Type.Object(
  {
    id: Uuid,
    username: Type.String(),
    displayName: Type.String(),
    org: Type.Object({ id: Uuid, code: Type.String(), nameZh: Type.String(), nameEn: Type.String() }),
    roles: Type.Array(RoleSchema),
    status: Type.Enum(['active', 'disabled']),
    lockedUntil: NullableDateTime,
    lastLoginAt: NullableDateTime,
    createdAt: DateTime,
  },
  { $id: 'User', title: 'User' },
);
export type UserT = Static<typeof User>;
export const UserList = Type.Object({ items: Type.Array(User), total: Type.Integer() });
export const UserQuery = Type.Object({
  q: Type.Optional(Type.String({ maxLength: 100, description: 'Part of the username or display name' })),
  orgId: Type.Optional(Type.String({ format: 'uuid', description: 'Organization; users of its sub-units are included' })),
  role: Type.Optional(RoleSchema),
  status: Type.Optional(Type.Enum(['active', 'disabled', 'locked'])),
  page: Type.Optional(Type.Integer({ minimum: 1, default: 1 })),
  pageSize: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 20 })),
});
export const CreateUserBody = Type.Object(
  {
    username: Username,
    displayName: Type.String({ minLength: 1, maxLength: 100 }),
    orgId: Uuid,
    roles: Type.Array(RoleSchema, { minItems: 1, uniqueItems: true }),
    password: Password,
  },
  { additionalProperties: false },
);
export const UpdateUserBody = Type.Object(
  {
    displayName: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    orgId: Type.Optional(Uuid),
    roles: Type.Optional(Type.Array(RoleSchema, { minItems: 1, uniqueItems: true })),
  },
  { additionalProperties: false },
);
export type UpdateUserInput = Static<typeof UpdateUserBody>;
export const ResetPasswordBody = Type.Object({ password: Password }, { additionalProperties: false });

export const ApiKey = Type.Object(
  {
    id: Uuid,
    name: Type.String(),
    appKey: Type.String(),
    userId: Uuid,
    username: Type.String(),
    secretSha256Prefix: Type.String({ description: 'First 12 hex digits of SHA-256(AppSecret), to recognise a secret' }),
    createdAt: DateTime,
    lastUsedAt: NullableDateTime,
    revokedAt: NullableDateTime,
  },
  { $id: 'ApiKey', title: 'ApiKey' },
);
export type ApiKeyT = Static<typeof ApiKey>;
export const ApiKeyList = Type.Object({ items: Type.Array(ApiKey) });
export const CreateApiKeyBody = Type.Object({ name: Type.String({ minLength: 1, maxLength: 100 }) }, { additionalProperties: false });
export const CreatedApiKey = Type.Object({
  id: Uuid,
  name: Type.String(),
  appKey: Type.String(),
  appSecret: Type.String({ description: 'Shown only in this response; store it safely' }),
});
export const IdParams = Type.Object({ id: Uuid });
