// What a registration covers (its subject), read through the owning module's service: today a catalog
// resource (ctx.catalog), later also a data product. The snapshot is the registered metadata: the
// certificate's content hash is computed over its RFC 8785 canonical JSON, so it holds only stable
// metadata (no view counts, timestamps of edits or contact persons).
import type { AppContext } from '../../context.ts';
import { notFound } from '../../errors.ts';
import type { Actor } from '../identity/actor.ts';

/** Catalog statuses a resource may be registered in (the brief: published, or approved by the authority). */
export const REGISTRABLE_STATUSES = ['approved', 'published', 'updated'];

export interface SubjectInfo {
  subjectType: 'resource';
  resourceId: string;
  code: string;
  nameZh: string;
  nameEn: string;
  abstractZh: string;
  abstractEn: string;
  providerOrgId: string;
  status: string;
  /** The registered metadata (what the certificate's content hash covers). */
  snapshot: RegistrationSnapshot;
}

export interface RegistrationSnapshot {
  schema: 'shuyuan.registration/1';
  subjectType: 'resource';
  registrationType: 'first';
  resource: Record<string, unknown>;
  provider: { id: string; code: string; nameZh: string; nameEn: string };
  fields: Array<Record<string, unknown>>;
}

/** The resource as the actor may see it (404 otherwise), with the snapshot to register. */
export async function loadResourceSubject(ctx: AppContext, actor: Actor, resourceId: string): Promise<SubjectInfo> {
  const r = await ctx.catalog.registrationSubject(actor, resourceId);
  if (!r) throw notFound('REGISTRATION_RESOURCE_NOT_FOUND', { id: resourceId }, { field: 'resourceId' });
  const org = await ctx.authz.orgs.get(r.providerOrgId);
  const provider = { id: r.providerOrgId, code: org?.code ?? '', nameZh: org?.nameZh ?? '', nameEn: org?.nameEn ?? '' };
  return {
    subjectType: 'resource',
    resourceId: r.id,
    code: r.code,
    nameZh: r.nameZh,
    nameEn: r.nameEn,
    abstractZh: r.abstractZh,
    abstractEn: r.abstractEn,
    providerOrgId: r.providerOrgId,
    status: r.status,
    snapshot: {
      schema: 'shuyuan.registration/1',
      subjectType: 'resource',
      registrationType: 'first',
      resource: r.metadata,
      provider,
      fields: r.fields,
    },
  };
}
