// ODRL 2.2 (W3C Recommendation, https://www.w3.org/TR/odrl-model/ and https://www.w3.org/TR/odrl-vocab/) export
// of one entitlement, as JSON-LD with the published context http://www.w3.org/ns/odrl.jsonld plus one prefix,
// `shuyuan`, for the platform's own terms (`${baseUrl}/ns#`, declared by shuyuanOdrlProfile() and named by the
// policy's `profile`, as ODRL requires of a policy that uses profile terms). Pure: no database, no clock.
//
// An entitlement is an ODRL Agreement: the provider organization (assigner) grants the holder (assignee) rules
// over one catalog resource (target). Target, assigner and assignee are given once at the policy level (the
// ODRL "compact policy"; every permission inherits them); constraints and duties are repeated in each permission.
//
// | Entitlement                         | ODRL 2.2                                                                              |
// | ----------------------------------- | ------------------------------------------------------------------------------------- |
// | id                                  | Agreement `uid` = ${baseUrl}/api/entitlements/${id}                                   |
// | providerOrgId (+ providerName)      | `assigner` Party (vcard:Organization) ${baseUrl}/api/orgs/${id}, `rdfs:label` = name   |
// | holderOrgId (+ holderName)          | `assignee` Party ${baseUrl}/api/orgs/${id}, when the grant is not narrowed            |
// | holderApplicationId                 | `assignee` = the application Party ${baseUrl}/api/applications/${id}, `partOf` the     |
// |                                     | holder organization as a PartyCollection (the org is not itself granted: pdp.holds)   |
// | holderUserId                        | `assignee` = the user Party ${baseUrl}/api/users/${id} (vcard:Individual), `partOf` the |
// |                                     | organization; with an application too: `shuyuan:viaApplication` names it             |
// | resourceId (+ resourceCode)         | `target` Asset ${baseUrl}/api/catalog/resources/${id} (`shuyuan:resourceCode`)         |
// | fields (not null)                   | `target` = AssetCollection, `source` = the resource, `refinement`                      |
// |                                     | shuyuan:field isAnyOf [fields] (see below)                                            |
// | conditions.rowFilter                | one more refinement of that collection: shuyuan:columnValue isAnyOf [values], with     |
// |                                     | `shuyuan:column` naming the column                                                    |
// | action query                        | permission `read` ("to obtain data from the Asset", e.g. a record from a database)    |
// | action verify                       | permission `shuyuan:verify`, declared odrl:includedIn odrl:use (only match / no match |
// |                                     | comes back, no data is obtained, so it is not included in read)                       |
// | action bulk                         | permission `extract` ("to extract parts of the Asset and to use it as a new Asset";    |
// |                                     | includedIn reproduce): the granted fields and rows delivered as the holder's dataset |
// | action download                     | permission `reproduce` ("to make duplicate copies of the Asset"): a file copy          |
// | (each action)                       | `shuyuan:entitlementAction` on the permission keeps the platform's action name         |
// | purpose                             | constraint purpose eq "<purpose text>" (a literal: ODRL allows literal right operands) |
// | validFrom                           | constraint dateTime gteq xsd:dateTime                                                  |
// | validTo (when set)                  | constraint dateTime lt xsd:dateTime — lt, not lteq: pdp.inactiveReason expires the     |
// |                                     | grant at validTo itself (now >= validTo)                                              |
// | quota.calls.total                   | constraint count lteq N (xsd:integer)                                                 |
// | quota.calls.day / .month            | constraint count lteq N with `unit` shuyuan:perDay / shuyuan:perMonth                  |
// | quota.rows.{total,day,month}        | constraint shuyuan:rowCount lteq N (same units); odrl:count counts executions, not rows |
// | conditions.verifyPerMinute          | on the verify permission only: count lteq N, `unit` shuyuan:perMinute                  |
// | conditions.businessRefRequired      | duty `shuyuan:citeBusinessRef` (includedIn inform), informedParty = the assigner       |
// | conditions.notes                    | duty `reviewPolicy` with `dct:description` = the text (human review of free-text terms)|
// | conditions.clearFields              | `shuyuan:clearFields` (fields delivered unmasked; all other PII is masked)             |
// | legalBasis / scenario               | `shuyuan:legalBasis` / `shuyuan:scenario`                                              |
// | state / stateReason                 | `shuyuan:state` / `shuyuan:stateReason` (see below)                                    |
// | origin / originId                   | `shuyuan:origin` / `shuyuan:originId`                                                  |
// | createdAt / updatedAt               | `dct:issued` / `shuyuan:updatedAt` (xsd:dateTime)                                      |
//
// Choices, and why:
// - Restricted fields. ODRL 2.2 narrows a target with an AssetCollection whose `source` is the whole asset and
//   whose `refinement` constraints select the parts (ODRL IM §2.2.2/§2.5.1, e.g. its "runningTime lt 60"
//   example). ODRL has no left operand for "column of a table", so the profile declares `shuyuan:field` (the
//   catalog field code of a part of the resource) and the refinement is `shuyuan:field isAnyOf [codes]`: the
//   collection is the granted columns of the resource. Row filters (数据回流) refine the same collection.
// - Per-period quotas. odrl:count is "numeric count of executions of the action of the Rule" with no window;
//   odrl:timeInterval is "a recurring period of time before the next execution" (a gap between executions, not a
//   counting window), and a logical `and` of the two would not say "per". ODRL 2.2 does give every Constraint a
//   `unit` ("the unit of measurement of the value of the rightOperand"), so a per-day limit is count lteq N in
//   the unit shuyuan:perDay (calendar day of the platform; the counter resets at midnight), likewise perMonth and
//   perMinute. The published context maps `unit` to a plain literal (w3c/poe#317), so the value is written
//   {"@id": ...} to stay an IRI.
// - Shared quota. Shuyuan counts calls per entitlement, whatever the action; ODRL counts per rule. Each quota
//   constraint therefore has one `uid` (${uid}#quota-<unit>-<period>) and the same node is attached to every
//   permission: one counter, shared by the rules. A processor that counts per rule would be more lenient.
// - State. The export states what was granted; a suspended, expired or revoked entitlement is not turned into
//   prohibitions. ODRL has no policy status (odrl:status is a Constraint's current value), so the state is
//   `shuyuan:state`: a consumer must treat anything but "active" as the agreement not applying now.
// - Legal basis. `shuyuan:legalBasis` (free text citing the law; not an IRI, so not dct:source).
// - Extra, non-ODRL terms are limited to `shuyuan:*` (declared in the profile) and the few terms of other
//   vocabularies that the ODRL 2.2 ontology itself uses (rdfs:label, dct:description, dct:issued,
//   vcard:Organization, vcard:Individual); the test checks this against the vendored vocabulary.
import type { Entitlement, EntitlementAction, EntitlementOrigin, EntitlementState, QuotaLimits } from './types.ts';

export const ODRL_CONTEXT = 'http://www.w3.org/ns/odrl.jsonld';

export interface OdrlExportContext {
  /** Public base URL of the platform (no trailing slash needed). */
  baseUrl: string;
  resourceCode?: string;
  holderName?: string;
  providerName?: string;
}

/** A typed JSON-LD literal (`@type` a compact xsd: IRI). */
export interface TypedLiteral {
  '@value': string;
  '@type': string;
}

export type OdrlOperator = 'eq' | 'lt' | 'lteq' | 'gteq' | 'isAnyOf';

export interface OdrlConstraint {
  /** Set on constraints shared by several permissions (quotas): one node, one counter. */
  uid?: string;
  leftOperand: string;
  operator: OdrlOperator;
  rightOperand: string | string[] | TypedLiteral;
  unit?: { '@id': string };
  /** With leftOperand shuyuan:columnValue: the column whose value is compared. */
  'shuyuan:column'?: string;
}

export interface OdrlParty {
  '@type': string[];
  uid: string;
  'rdfs:label'?: string;
  partOf?: OdrlParty;
  'shuyuan:viaApplication'?: { '@id': string };
}

export interface OdrlAsset {
  '@type': 'Asset';
  uid: string;
  'shuyuan:resourceCode'?: string;
}

export interface OdrlAssetCollection {
  '@type': 'AssetCollection';
  uid: string;
  source: OdrlAsset;
  refinement: OdrlConstraint[];
}

export interface OdrlDuty {
  action: string;
  informedParty?: string;
  'dct:description'?: string;
}

export interface OdrlPermission {
  action: string;
  constraint: OdrlConstraint[];
  duty?: OdrlDuty[];
  'shuyuan:entitlementAction': EntitlementAction;
}

export interface OdrlPolicy {
  '@context': [typeof ODRL_CONTEXT, { shuyuan: string }];
  '@type': 'Agreement';
  uid: string;
  profile: string;
  assigner: OdrlParty;
  assignee: OdrlParty;
  target: OdrlAsset | OdrlAssetCollection;
  permission: OdrlPermission[];
  'dct:issued': TypedLiteral;
  'shuyuan:updatedAt': TypedLiteral;
  'shuyuan:state': EntitlementState;
  'shuyuan:stateReason'?: string;
  'shuyuan:legalBasis': string;
  'shuyuan:scenario'?: string;
  'shuyuan:origin': EntitlementOrigin;
  'shuyuan:originId'?: string;
  'shuyuan:clearFields'?: string[];
}

/** The ODRL action of each entitlement action (the table above). */
export const ODRL_ACTION: Record<EntitlementAction, string> = {
  query: 'read',
  verify: 'shuyuan:verify',
  bulk: 'extract',
  download: 'reproduce',
};

const PERIOD_UNIT = { day: 'shuyuan:perDay', month: 'shuyuan:perMonth' } as const;

const base = (baseUrl: string) => baseUrl.replace(/\/+$/, '');

/** The namespace of the Shuyuan terms (the `shuyuan:` prefix). */
export const shuyuanNamespace = (baseUrl: string) => `${base(baseUrl)}/ns#`;

/** The profile the exported policies conform to (ODRL `profile`); shuyuanOdrlProfile() is its document. */
export const shuyuanProfileUri = (baseUrl: string) => `${base(baseUrl)}/ns`;

function dateTime(value: string): TypedLiteral {
  const t = Date.parse(value);
  if (Number.isNaN(t)) throw new Error(`not a date-time: ${value}`);
  // toISOString: the xsd:dateTime lexical form, always with a time zone (Z), as ODRL recommends for dateTime.
  return { '@value': new Date(t).toISOString(), '@type': 'xsd:dateTime' };
}

function integer(n: number): TypedLiteral {
  return Number.isInteger(n) ? { '@value': String(n), '@type': 'xsd:integer' } : { '@value': String(n), '@type': 'xsd:decimal' };
}

function quotaConstraints(uid: string, e: Entitlement): OdrlConstraint[] {
  const out: OdrlConstraint[] = [];
  for (const unit of ['calls', 'rows'] as const) {
    const limits: QuotaLimits | undefined = e.quota?.[unit];
    for (const period of ['total', 'month', 'day'] as const) {
      const limit = limits?.[period];
      if (limit === undefined || limit === null) continue;
      const c: OdrlConstraint = {
        uid: `${uid}#quota-${unit}-${period}`,
        leftOperand: unit === 'calls' ? 'count' : 'shuyuan:rowCount',
        operator: 'lteq',
        rightOperand: integer(limit),
      };
      if (period !== 'total') c.unit = { '@id': PERIOD_UNIT[period] };
      out.push(c);
    }
  }
  return out;
}

function assigneeOf(e: Entitlement, root: string, holderName?: string): OdrlParty {
  const org: OdrlParty = { '@type': ['Party', 'vcard:Organization'], uid: `${root}/api/orgs/${e.holderOrgId}` };
  if (holderName) org['rdfs:label'] = holderName;
  if (!e.holderUserId && !e.holderApplicationId) return org;
  const collection: OdrlParty = { ...org, '@type': ['PartyCollection', 'vcard:Organization'] };
  const appUri = e.holderApplicationId ? `${root}/api/applications/${e.holderApplicationId}` : null;
  if (e.holderUserId) {
    const user: OdrlParty = { '@type': ['Party', 'vcard:Individual'], uid: `${root}/api/users/${e.holderUserId}`, partOf: collection };
    if (appUri) user['shuyuan:viaApplication'] = { '@id': appUri };
    return user;
  }
  return { '@type': ['Party'], uid: appUri!, partOf: collection };
}

/** The ODRL 2.2 Agreement of one entitlement (JSON-LD, compacted with the ODRL context). */
export function entitlementToOdrl(e: Entitlement, ctx: OdrlExportContext): OdrlPolicy {
  const root = base(ctx.baseUrl);
  const uid = `${root}/api/entitlements/${e.id}`;

  const assigner: OdrlParty = { '@type': ['Party', 'vcard:Organization'], uid: `${root}/api/orgs/${e.providerOrgId}` };
  if (ctx.providerName) assigner['rdfs:label'] = ctx.providerName;

  const resource: OdrlAsset = { '@type': 'Asset', uid: `${root}/api/catalog/resources/${e.resourceId}` };
  if (ctx.resourceCode) resource['shuyuan:resourceCode'] = ctx.resourceCode;
  const refinement: OdrlConstraint[] = [];
  if (e.fields !== null) refinement.push({ leftOperand: 'shuyuan:field', operator: 'isAnyOf', rightOperand: [...e.fields] });
  const rowFilter = e.conditions.rowFilter;
  if (rowFilter) {
    refinement.push({
      leftOperand: 'shuyuan:columnValue',
      'shuyuan:column': rowFilter.column,
      operator: 'isAnyOf',
      rightOperand: [...rowFilter.values],
    });
  }
  const target: OdrlAsset | OdrlAssetCollection =
    refinement.length === 0 ? resource : { '@type': 'AssetCollection', uid: `${uid}#target`, source: resource, refinement };

  // Constraints every permission carries: purpose, validity, and the (shared) quotas.
  const common: OdrlConstraint[] = [
    { leftOperand: 'purpose', operator: 'eq', rightOperand: e.purpose },
    { leftOperand: 'dateTime', operator: 'gteq', rightOperand: dateTime(e.validFrom) },
  ];
  if (e.validTo !== null) common.push({ leftOperand: 'dateTime', operator: 'lt', rightOperand: dateTime(e.validTo) });
  common.push(...quotaConstraints(uid, e));

  const duties: OdrlDuty[] = [];
  if (e.conditions.businessRefRequired) duties.push({ action: 'shuyuan:citeBusinessRef', informedParty: assigner.uid });
  if (e.conditions.notes?.trim()) duties.push({ action: 'reviewPolicy', 'dct:description': e.conditions.notes });

  const permission: OdrlPermission[] = e.actions.map((a) => {
    const constraint = common.map((c) => ({ ...c }));
    if (a === 'verify' && e.conditions.verifyPerMinute !== undefined) {
      constraint.push({
        uid: `${uid}#verify-per-minute`,
        leftOperand: 'count',
        operator: 'lteq',
        rightOperand: integer(e.conditions.verifyPerMinute),
        unit: { '@id': 'shuyuan:perMinute' },
      });
    }
    const p: OdrlPermission = { action: ODRL_ACTION[a], constraint, 'shuyuan:entitlementAction': a };
    if (duties.length > 0) p.duty = duties.map((d) => ({ ...d }));
    return p;
  });

  const policy: OdrlPolicy = {
    '@context': [ODRL_CONTEXT, { shuyuan: shuyuanNamespace(root) }],
    '@type': 'Agreement',
    uid,
    profile: shuyuanProfileUri(root),
    assigner,
    assignee: assigneeOf(e, root, ctx.holderName),
    target,
    permission,
    'dct:issued': dateTime(e.createdAt),
    'shuyuan:updatedAt': dateTime(e.updatedAt),
    'shuyuan:state': e.state,
    'shuyuan:legalBasis': e.legalBasis,
    'shuyuan:origin': e.origin,
  };
  if (e.stateReason) policy['shuyuan:stateReason'] = e.stateReason;
  if (e.scenario) policy['shuyuan:scenario'] = e.scenario;
  if (e.originId) policy['shuyuan:originId'] = e.originId;
  if (e.conditions.clearFields?.length) policy['shuyuan:clearFields'] = [...e.conditions.clearFields];
  return policy;
}

/** One term of the Shuyuan ODRL profile. */
export interface ProfileTerm {
  '@id': string;
  '@type': string;
  'rdfs:label': string;
  'rdfs:comment': string;
  includedIn?: string;
}

/**
 * The profile document (served at shuyuanProfileUri): the actions, left operands, units and properties the
 * exported policies use beyond ODRL 2.2. Profile actions say which ODRL action includes them (odrl:includedIn),
 * so a processor that does not know them can still reason with the ODRL action.
 */
export function shuyuanOdrlProfile(baseUrl: string): {
  '@context': [typeof ODRL_CONTEXT, { shuyuan: string }];
  '@id': string;
  '@type': 'owl:Ontology';
  'rdfs:label': string;
  '@graph': ProfileTerm[];
} {
  const term = (id: string, type: string, label: string, comment: string, includedIn?: string): ProfileTerm => ({
    '@id': `shuyuan:${id}`,
    '@type': type,
    'rdfs:label': label,
    'rdfs:comment': comment,
    ...(includedIn ? { includedIn } : {}),
  });
  return {
    '@context': [ODRL_CONTEXT, { shuyuan: shuyuanNamespace(baseUrl) }],
    '@id': shuyuanProfileUri(baseUrl),
    '@type': 'owl:Ontology',
    'rdfs:label': 'Shuyuan ODRL profile',
    '@graph': [
      term(
        'verify',
        'Action',
        'Verify',
        'To submit values and learn only whether a record of the Asset matches them (核验); no field value is returned.',
        'odrl:use',
      ),
      term(
        'citeBusinessRef',
        'Action',
        'Cite business reference',
        'To state, with every call, the business reference (办件号/事项编码) of the case the call serves; the platform records it for the informed party.',
        'odrl:inform',
      ),
      term('field', 'LeftOperand', 'Field', 'The catalog field code (信息项) of a part of the target resource: a column.'),
      term(
        'columnValue',
        'LeftOperand',
        'Column value',
        'The value, in a record of the target resource, of the column named by shuyuan:column on the same constraint.',
      ),
      term('rowCount', 'LeftOperand', 'Row count', 'Number of records returned by the executions of the action of the Rule.'),
      term('perMinute', 'skos:Concept', 'per minute', 'Unit of a count limit: per clock minute.'),
      term('perDay', 'skos:Concept', 'per day', 'Unit of a count limit: per calendar day of the platform time zone (resets at midnight).'),
      term('perMonth', 'skos:Concept', 'per month', 'Unit of a count limit: per calendar month of the platform time zone.'),
      term(
        'entitlementAction',
        'rdf:Property',
        'Entitlement action',
        'The platform action (query, verify, bulk, download) a permission expresses.',
      ),
      term('column', 'rdf:Property', 'Column', 'The column whose value a shuyuan:columnValue constraint compares.'),
      term('resourceCode', 'rdf:Property', 'Resource code', 'The catalog code of the resource (信息资源代码).'),
      term('viaApplication', 'rdf:Property', 'Via application', 'The application through which the assignee user must call.'),
      term('state', 'rdf:Property', 'State', 'active, suspended, expired or revoked; only active grants apply.'),
      term('stateReason', 'rdf:Property', 'State reason', 'Why the entitlement was suspended, revoked or expired.'),
      term('legalBasis', 'rdf:Property', 'Legal basis', 'The legal basis of the grant (laws, regulations, documents).'),
      term('scenario', 'rdf:Property', 'Scenario', 'The business scenario (应用场景) of the use.'),
      term('origin', 'rdf:Property', 'Origin', 'What created the entitlement (sharing request, open agreement, …).'),
      term('originId', 'rdf:Property', 'Origin id', 'The id of that sharing request, agreement, authorization or order.'),
      term('clearFields', 'rdf:Property', 'Clear fields', 'Fields holding personal information delivered unmasked.'),
      term('updatedAt', 'rdf:Property', 'Updated at', 'When the entitlement was last changed.'),
    ],
  };
}
