// Helpers for the entitlement tests (not used by the server): sign a demo user in, grant an entitlement as the
// platform with a test's defaults.
import type { TestClient, TestPlatform } from '../../../test/helpers.ts';
import { SYSTEM } from '../identity/actor.ts';
import { DEMO_PASSWORD } from '../identity/service.ts';
import type { NewEntitlement } from './repository.ts';

export async function signIn(p: TestPlatform, username: string): Promise<TestClient> {
  const c = p.client();
  await c.login(username, DEMO_PASSWORD);
  return c;
}

/** A manual entitlement of `holderOrgId` on the resource, valid from a minute ago without end, no quota. */
export function baseGrant(ids: { holderOrgId: string; resourceId: string; providerOrgId: string }): NewEntitlement {
  return {
    ...ids,
    holderApplicationId: null,
    holderUserId: null,
    fields: null,
    actions: ['query'],
    purpose: '测试',
    scenario: '',
    legalBasis: '测试',
    validFrom: new Date(Date.now() - 60_000).toISOString(),
    validTo: null,
    quota: null,
    conditions: {},
    origin: 'manual',
    originId: null,
  };
}

/** `grant(over)`: grants the test's defaults (read when called) with `over` on top, as the platform. */
export function granter(p: TestPlatform, defaults: () => NewEntitlement) {
  return (over: Partial<NewEntitlement> = {}) =>
    p.ctx.db.transaction().execute((tx) => p.ctx.entitlements.grant(tx, SYSTEM, { ...defaults(), ...over }));
}
