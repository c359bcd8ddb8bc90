// The ODRL 2.2 export of entitlements, checked against the real vocabulary: the W3C ODRL 2.2 ontology
// (test/fixtures/odrl/ODRL22.nt, N-Triples: one triple a line, so a line regex is an exact parser) and the
// published JSON-LD context (test/fixtures/odrl/odrl.jsonld). See test/fixtures/odrl/SOURCE.md. No database.
//
// Every key and every @type of the export is resolved through the two contexts the export names (the vendored
// ODRL context, then the export's own `shuyuan` prefix) the way a JSON-LD processor would, and the resulting IRI
// must be: an ODRL term defined (and not deprecated) in the ontology with the right type (rdf:Property for keys,
// rdfs:Class for @type, odrl:Action / LeftOperand / Operator for the values of action / leftOperand / operator);
// or a shuyuan: term declared by the profile document; or a term of another vocabulary that the ODRL ontology
// itself uses (rdfs:label, dct:description, vcard:Organization, …).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { ODRL_CONTEXT, entitlementToOdrl, shuyuanNamespace, shuyuanOdrlProfile, type OdrlPolicy } from './odrl.ts';
import type { Entitlement } from './types.ts';

const ODRL = 'http://www.w3.org/ns/odrl/2/';
const RDF = 'http://www.w3.org/1999/02/22-rdf-syntax-ns#';
const RDFS = 'http://www.w3.org/2000/01/rdf-schema#';
const OWL = 'http://www.w3.org/2002/07/owl#';
const XSD = 'http://www.w3.org/2001/XMLSchema#';
const BASE = 'https://shuyuan.example.gov.cn';
const NS = shuyuanNamespace(BASE);

// ---------------------------------------------------------------------------------------------------------------
// The vocabulary.

const fixture = (name: string) => readFileSync(new URL(`../../../test/fixtures/odrl/${name}`, import.meta.url), 'utf8');

interface Vocabulary {
  triples: number;
  types: Map<string, Set<string>>;
  includedIn: Map<string, string[]>;
  deprecated: Set<string>;
  /** Every IRI the ontology mentions (subject, predicate or object). */
  mentioned: Set<string>;
}

function parseNTriples(text: string): Vocabulary {
  const term = String.raw`<[^<>"{}|^\x60\\\s]*>|_:[A-Za-z0-9]+`;
  const literal = String.raw`"(?:[^"\\\n\r]|\\[tbnrf"'\\]|\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8})*"(?:@[a-zA-Z]+(?:-[a-zA-Z0-9]+)*|\^\^<[^<>\s]*>)?`;
  const line = new RegExp(`^(${term}) (<[^<>\\s]*>) (${term}|${literal}) \\.$`);
  const v: Vocabulary = { triples: 0, types: new Map(), includedIn: new Map(), deprecated: new Set(), mentioned: new Set() };
  const iri = (t: string) => (t.startsWith('<') ? t.slice(1, -1) : null);
  for (const [i, raw] of text.split('\n').entries()) {
    if (raw.trim() === '' || raw.startsWith('#')) continue;
    const m = line.exec(raw);
    assert.ok(m, `ODRL22.nt line ${i + 1} is not an N-Triples triple: ${raw}`);
    const [s, p, o] = [iri(m[1]!), iri(m[2]!)!, m[3]!.startsWith('<') ? iri(m[3]!) : null];
    v.triples++;
    for (const x of [s, p, o]) if (x) v.mentioned.add(x);
    if (!s) continue;
    if (p === `${RDF}type` && o) {
      if (!v.types.has(s)) v.types.set(s, new Set());
      v.types.get(s)!.add(o);
    }
    if (p === `${ODRL}includedIn` && o) v.includedIn.set(s, [...(v.includedIn.get(s) ?? []), o]);
    if (p === `${OWL}deprecated` && m[3] === `"true"^^<${XSD}boolean>`) v.deprecated.add(s);
  }
  return v;
}

const vocab = parseNTriples(fixture('ODRL22.nt'));
const odrlContext = (JSON.parse(fixture('odrl.jsonld')) as { '@context': Record<string, unknown> })['@context'];
const isA = (iri: string, type: string) => vocab.types.get(iri)?.has(type) ?? false;

// ---------------------------------------------------------------------------------------------------------------
// A small JSON-LD term resolver (JSON-LD 1.1 §4.2/IRI expansion, enough for flat term definitions).

interface TermDef {
  id: string;
  type?: string;
}

function contextOf(doc: { '@context': unknown }): Map<string, TermDef> {
  const layers = Array.isArray(doc['@context']) ? doc['@context'] : [doc['@context']];
  const terms = new Map<string, TermDef>();
  for (const layer of layers) {
    // The export references the ODRL context by URL: resolve it to the vendored copy, as a document loader would.
    const obj = layer === ODRL_CONTEXT ? odrlContext : layer;
    assert.ok(obj && typeof obj === 'object', `unsupported @context entry ${JSON.stringify(layer)}`);
    for (const [k, def] of Object.entries(obj as Record<string, unknown>)) {
      if (typeof def === 'string') terms.set(k, { id: def });
      else {
        const d = def as { '@id'?: string; '@type'?: string };
        terms.set(k, { id: d['@id'] ?? k, type: d['@type'] });
      }
    }
  }
  return terms;
}

/** An absolute IRI or keyword; `vocab`: terms are allowed (keys, @type, @vocab-typed values). */
function expand(terms: Map<string, TermDef>, value: string, vocab: boolean, depth = 0): string | null {
  if (depth > 5) return null;
  if (value.startsWith('@')) return value;
  if (vocab && terms.has(value)) return expand(terms, terms.get(value)!.id, false, depth + 1);
  const colon = value.indexOf(':');
  if (colon > 0) {
    const prefix = value.slice(0, colon);
    const suffix = value.slice(colon + 1);
    if (!suffix.startsWith('//') && terms.has(prefix)) return terms.get(prefix)!.id + suffix;
    return /^[a-z][a-z0-9+.-]*:/i.test(value) ? value : null;
  }
  return null; // a relative IRI or an unknown term: a JSON-LD processor would drop it or resolve it wrongly
}

// ---------------------------------------------------------------------------------------------------------------
// The profile: what the shuyuan: terms are declared as.

interface Declared {
  types: Set<string>;
  includedIn: string[];
}

function profileDeclarations(): Map<string, Declared> {
  const profile = shuyuanOdrlProfile(BASE);
  const terms = contextOf(profile);
  const out = new Map<string, Declared>();
  for (const t of profile['@graph']) {
    const id = expand(terms, t['@id'], false)!;
    assert.ok(id.startsWith(NS), `profile term ${t['@id']} outside the Shuyuan namespace`);
    const types = new Set([t['@type']].map((x) => expand(terms, x, true)!));
    const includedIn = t.includedIn ? [expand(terms, t.includedIn, false)!] : [];
    out.set(id, { types, includedIn });
    // The profile's own vocabulary is ODRL's too.
    for (const type of types) assert.ok(isA(type, `${RDFS}Class`) || vocab.mentioned.has(type), `profile type ${type} unknown`);
  }
  return out;
}

const declared = profileDeclarations();
const declaredAs = (iri: string, type: string) => declared.get(iri)?.types.has(type) ?? false;

/** Reaches an ODRL Action of the ontology by includedIn, from a profile action. */
function odrlAncestor(iri: string, seen = new Set<string>()): string | null {
  if (isA(iri, `${ODRL}Action`)) return iri;
  if (seen.has(iri)) return null;
  seen.add(iri);
  for (const parent of declared.get(iri)?.includedIn ?? []) {
    const a = odrlAncestor(parent, seen);
    if (a) return a;
  }
  return null;
}

// ---------------------------------------------------------------------------------------------------------------
// The check of one exported policy against the vocabulary.

interface Report {
  constraints: Record<string, unknown>[];
  actions: string[];
  external: Set<string>;
}

function checkAgainstVocabulary(policy: OdrlPolicy): Report {
  const terms = contextOf(policy);
  assert.equal(expand(terms, 'shuyuan:x', false), `${NS}x`);
  const report: Report = { constraints: [], actions: [], external: new Set() };

  const checkTerm = (iri: string, odrlType: string, where: string) => {
    if (iri.startsWith(ODRL)) {
      assert.ok(isA(iri, odrlType), `${where}: ${iri} is not an ${odrlType.replace(/.*[#/]/, '')} of ODRL 2.2`);
      assert.ok(!vocab.deprecated.has(iri), `${where}: ${iri} is deprecated in ODRL 2.2`);
    } else if (iri.startsWith(NS)) {
      assert.ok(declaredAs(iri, odrlType), `${where}: ${iri} is not declared as ${odrlType} by the Shuyuan profile`);
    } else {
      assert.ok(vocab.mentioned.has(iri), `${where}: ${iri} is neither ODRL, Shuyuan nor a term the ODRL ontology uses`);
      report.external.add(iri);
    }
  };

  const walk = (node: unknown, path: string, parentKey: string | null): void => {
    if (Array.isArray(node)) return node.forEach((n, i) => walk(n, `${path}[${i}]`, parentKey));
    if (node === null || typeof node !== 'object') return;
    const obj = node as Record<string, unknown>;
    if ('@value' in obj) {
      assert.equal(typeof obj['@value'], 'string', `${path}: @value`);
      if (obj['@type'] !== undefined) assert.ok(expand(terms, String(obj['@type']), true)?.startsWith(XSD), `${path}: @type not xsd`);
      return;
    }
    if (parentKey === 'constraint' || parentKey === 'refinement') report.constraints.push(obj);
    for (const [key, value] of Object.entries(obj)) {
      if (key === '@context') continue;
      const where = `${path}.${key}`;
      const iri = expand(terms, key, true);
      assert.ok(iri, `${where}: the key does not resolve to an IRI`);
      if (iri === '@type') {
        for (const t of Array.isArray(value) ? value : [value]) {
          const type = expand(terms, String(t), true);
          assert.ok(type, `${where}: ${String(t)} does not resolve`);
          checkTerm(type, `${RDFS}Class`, where);
        }
        continue;
      }
      if (iri === '@id') {
        const id = expand(terms, String(value), false) ?? '';
        assert.match(id, /^https?:\/\//, `${where}: ${String(value)} is not an absolute IRI`);
        if (id.startsWith(NS)) assert.ok(declared.has(id), `${where}: ${id} is not declared by the Shuyuan profile`);
        continue;
      }
      checkTerm(iri, `${RDF}Property`, where);
      const def = terms.get(key);
      const values = Array.isArray(value) ? value : [value];
      if (def?.type === '@vocab') {
        for (const v of values) {
          const target = expand(terms, String(v), true);
          assert.ok(target, `${where}: ${String(v)} does not resolve`);
          const kind = key === 'action' ? 'Action' : key === 'leftOperand' ? 'LeftOperand' : key === 'operator' ? 'Operator' : null;
          assert.ok(kind, `${where}: unexpected @vocab-typed key`);
          checkTerm(target, `${ODRL}${kind}`, where);
          if (kind === 'Action') {
            report.actions.push(target);
            assert.ok(odrlAncestor(target), `${where}: ${target} is not, or is not included in, an ODRL action`);
          }
        }
      } else if (def?.type === '@id') {
        for (const v of values) {
          if (typeof v === 'string') assert.match(expand(terms, v, false) ?? '', /^https?:\/\//, `${where}: ${v} is not an IRI`);
        }
      }
      for (const v of values) if (typeof v === 'object') walk(v, where, key);
    }
  };
  walk(policy, '$', null);
  return report;
}

// The ODRL 2.2 rules a valid Agreement must satisfy, plus the shape of constraints and dates.
function checkAgreement(policy: OdrlPolicy, report: Report) {
  assert.deepEqual(policy['@context'][0], ODRL_CONTEXT);
  assert.equal(policy['@type'], 'Agreement');
  assert.ok(isA(`${ODRL}Agreement`, `${RDFS}Class`));
  assert.match(policy.uid, /^https:\/\//, 'an Agreement has a uid');
  assert.ok(policy.assigner?.uid, 'an Agreement has an assigner');
  assert.ok(policy.assignee?.uid, 'an Agreement has an assignee');
  assert.ok(policy.target?.uid, 'the rules have a target');
  assert.ok(policy.permission.length > 0, 'an Agreement has at least one permission');
  for (const p of policy.permission) assert.ok(p.action, 'each permission has an action');
  assert.ok(report.constraints.length > 0);
  for (const c of report.constraints) {
    for (const k of ['leftOperand', 'operator', 'rightOperand'])
      assert.ok(c[k] !== undefined, `constraint without ${k}: ${JSON.stringify(c)}`);
    if (c.leftOperand === 'dateTime') {
      const v = c.rightOperand as { '@value': string; '@type': string };
      assert.equal(v['@type'], 'xsd:dateTime', 'dateTime right operands are xsd:dateTime literals');
      assert.match(v['@value'], /^-?\d{4,}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/);
    }
    if (c.unit !== undefined) assert.match((c.unit as { '@id': string })['@id'], /^shuyuan:/, 'units are IRIs ({"@id"})');
  }
  for (const d of [policy['dct:issued'], policy['shuyuan:updatedAt']]) assert.equal(d['@type'], 'xsd:dateTime');
  // Plain JSON: what is exported is what a client receives.
  assert.deepEqual(JSON.parse(JSON.stringify(policy)), policy);
}

// ---------------------------------------------------------------------------------------------------------------
// Entitlements.

const full: Entitlement = {
  id: '0b5b8d0e-7d1c-4c55-9d1e-3f0a2b9c4e11',
  holderOrgId: 'org-hz-gongan',
  holderApplicationId: 'app-juzhuzheng',
  holderUserId: null,
  resourceId: 'res-rk-00003',
  providerOrgId: 'org-zj-gongan',
  fields: ['xm', 'sfzhm', 'hjdz'],
  actions: ['query', 'verify', 'bulk', 'download'],
  purpose: '居住证办理中核验申请人户籍信息',
  scenario: '居住证办理',
  legalBasis: '《居住证暂行条例》第九条',
  validFrom: '2025-01-01T00:00:00.000Z',
  validTo: '2026-01-01T00:00:00.000Z',
  quota: { calls: { day: 1000, month: 20000, total: 100000 }, rows: { day: 5000 } },
  conditions: {
    businessRefRequired: true,
    clearFields: ['xm'],
    rowFilter: { column: 'xzqh', values: ['330100', '330200'] },
    notes: '数据仅用于本事项办理，不得向第三方提供。',
    verifyPerMinute: 60,
  },
  state: 'active',
  stateReason: null,
  origin: 'sharing_request',
  originId: 'req-0042',
  createdAt: '2024-12-20T08:30:00.000Z',
  updatedAt: '2024-12-21T09:00:00.000Z',
};

const minimal: Entitlement = {
  ...full,
  id: 'e-minimal',
  holderApplicationId: null,
  fields: null,
  actions: ['query'],
  purpose: 'statistics',
  scenario: '',
  legalBasis: 'open data agreement',
  validTo: null,
  quota: null,
  conditions: {},
  origin: 'open_agreement',
  originId: null,
};

const suspendedUser: Entitlement = {
  ...minimal,
  id: 'e-user',
  holderUserId: 'user-7',
  holderApplicationId: 'app-3',
  actions: ['verify'],
  validFrom: '2025-03-01T08:00:00+08:00',
  quota: { calls: { total: 10 } },
  conditions: { verifyPerMinute: 5 },
  state: 'suspended',
  stateReason: 'provider review',
};

const ctx = { baseUrl: `${BASE}/`, resourceCode: 'RK-GA-RK-00003', holderName: '杭州市公安局', providerName: '浙江省公安厅' };

// ---------------------------------------------------------------------------------------------------------------

test('the vendored ODRL 2.2 vocabulary is the one the checks rely on', () => {
  assert.ok(vocab.triples > 2000, `${vocab.triples} triples`);
  for (const a of ['use', 'read', 'extract', 'reproduce', 'inform', 'reviewPolicy']) assert.ok(isA(`${ODRL}${a}`, `${ODRL}Action`), a);
  for (const l of ['purpose', 'dateTime', 'count']) assert.ok(isA(`${ODRL}${l}`, `${ODRL}LeftOperand`), l);
  for (const o of ['eq', 'lt', 'lteq', 'gteq', 'isAnyOf']) assert.ok(isA(`${ODRL}${o}`, `${ODRL}Operator`), o);
  assert.deepEqual(vocab.includedIn.get(`${ODRL}extract`), [`${ODRL}reproduce`]);
  assert.ok(vocab.deprecated.has(`${ODRL}copy`), 'deprecated terms are recognised');
  // The context maps uid to @id (the policy IRI is the node's @id) and the ODRL terms to the ontology's IRIs.
  assert.equal(odrlContext.uid, '@id');
  assert.equal(expand(contextOf({ '@context': ODRL_CONTEXT }), 'refinement', true), `${ODRL}refinement`);
});

test('the Shuyuan profile declares its actions as included in ODRL actions', () => {
  assert.equal(odrlAncestor(`${NS}verify`), `${ODRL}use`);
  assert.equal(odrlAncestor(`${NS}citeBusinessRef`), `${ODRL}inform`);
  assert.deepEqual(vocab.includedIn.get(`${ODRL}inform`), [`${ODRL}use`], 'citeBusinessRef ⊂ inform ⊂ use');
  assert.deepEqual(declared.get(`${NS}citeBusinessRef`)?.includedIn, [`${ODRL}inform`]);
  for (const l of ['field', 'columnValue', 'rowCount']) assert.ok(declaredAs(`${NS}${l}`, `${ODRL}LeftOperand`), l);
});

for (const [name, e] of [
  ['full', full],
  ['minimal', minimal],
  ['suspended, user-narrowed', suspendedUser],
] as const) {
  test(`${name} entitlement: every term of the export is defined by ODRL 2.2 or the Shuyuan profile`, () => {
    const policy = entitlementToOdrl(e, ctx);
    const report = checkAgainstVocabulary(policy);
    checkAgreement(policy, report);
    // Every permission's action (and every duty's) went through the check.
    const terms = contextOf(policy);
    for (const perm of policy.permission) assert.ok(report.actions.includes(expand(terms, perm.action, true)!), perm.action);
    // The only foreign terms are ones the ODRL ontology uses itself.
    for (const x of report.external)
      assert.match(
        x,
        /^(http:\/\/www\.w3\.org\/2000\/01\/rdf-schema#|http:\/\/purl\.org\/dc\/terms\/|http:\/\/www\.w3\.org\/2006\/vcard\/ns#)/,
      );
  });
}

test('full entitlement: the concrete mapping', () => {
  const p = entitlementToOdrl(full, ctx);
  assert.equal(p.uid, `${BASE}/api/entitlements/${full.id}`);
  assert.equal(p.profile, `${BASE}/ns`);
  assert.deepEqual(p['@context'], [ODRL_CONTEXT, { shuyuan: `${BASE}/ns#` }]);
  assert.equal(p.assigner.uid, `${BASE}/api/orgs/org-zj-gongan`);
  assert.equal(p.assigner['rdfs:label'], '浙江省公安厅');
  // Narrowed to an application: the application is the assignee, a member of the holder organization.
  assert.equal(p.assignee.uid, `${BASE}/api/applications/app-juzhuzheng`);
  assert.equal(p.assignee.partOf?.uid, `${BASE}/api/orgs/org-hz-gongan`);
  assert.deepEqual(p.assignee.partOf?.['@type'], ['PartyCollection', 'vcard:Organization']);
  assert.equal(p.assignee.partOf?.['rdfs:label'], '杭州市公安局');

  // Restricted fields and the row filter: an AssetCollection refined from the resource.
  assert.equal(p.target['@type'], 'AssetCollection');
  assert.ok(p.target['@type'] === 'AssetCollection');
  assert.equal(p.target.source.uid, `${BASE}/api/catalog/resources/res-rk-00003`);
  assert.equal(p.target.source['shuyuan:resourceCode'], 'RK-GA-RK-00003');
  assert.deepEqual(p.target.refinement, [
    { leftOperand: 'shuyuan:field', operator: 'isAnyOf', rightOperand: ['xm', 'sfzhm', 'hjdz'] },
    { leftOperand: 'shuyuan:columnValue', 'shuyuan:column': 'xzqh', operator: 'isAnyOf', rightOperand: ['330100', '330200'] },
  ]);

  assert.deepEqual(
    p.permission.map((x) => [x['shuyuan:entitlementAction'], x.action]),
    [
      ['query', 'read'],
      ['verify', 'shuyuan:verify'],
      ['bulk', 'extract'],
      ['download', 'reproduce'],
    ],
  );
  for (const perm of p.permission) {
    const c = (left: string, op: string) => perm.constraint.filter((x) => x.leftOperand === left && x.operator === op);
    assert.deepEqual(
      c('purpose', 'eq').map((x) => x.rightOperand),
      [full.purpose],
    );
    assert.deepEqual(
      c('dateTime', 'gteq').map((x) => x.rightOperand),
      [{ '@value': '2025-01-01T00:00:00.000Z', '@type': 'xsd:dateTime' }],
    );
    assert.deepEqual(
      c('dateTime', 'lt').map((x) => x.rightOperand),
      [{ '@value': '2026-01-01T00:00:00.000Z', '@type': 'xsd:dateTime' }],
    );
    const counts = c('count', 'lteq');
    const total = counts.find((x) => x.unit === undefined)!;
    assert.deepEqual(total.rightOperand, { '@value': '100000', '@type': 'xsd:integer' }, 'total calls: count lteq');
    assert.equal(total.uid, `${p.uid}#quota-calls-total`, 'one shared counter for every action');
    assert.deepEqual(
      counts.filter((x) => x.unit).map((x) => [x.unit!['@id'], (x.rightOperand as { '@value': string })['@value']]),
      perm.action === 'shuyuan:verify'
        ? [
            ['shuyuan:perMonth', '20000'],
            ['shuyuan:perDay', '1000'],
            ['shuyuan:perMinute', '60'],
          ]
        : [
            ['shuyuan:perMonth', '20000'],
            ['shuyuan:perDay', '1000'],
          ],
    );
    assert.deepEqual(
      c('shuyuan:rowCount', 'lteq').map((x) => [x.unit?.['@id'], x.rightOperand]),
      [['shuyuan:perDay', { '@value': '5000', '@type': 'xsd:integer' }]],
    );
    assert.deepEqual(perm.duty, [
      { action: 'shuyuan:citeBusinessRef', informedParty: p.assigner.uid },
      { action: 'reviewPolicy', 'dct:description': full.conditions.notes },
    ]);
  }
  assert.equal(p['shuyuan:state'], 'active');
  assert.equal(p['shuyuan:legalBasis'], full.legalBasis);
  assert.equal(p['shuyuan:scenario'], '居住证办理');
  assert.equal(p['shuyuan:origin'], 'sharing_request');
  assert.equal(p['shuyuan:originId'], 'req-0042');
  assert.deepEqual(p['shuyuan:clearFields'], ['xm']);
  assert.deepEqual(p['dct:issued'], { '@value': full.createdAt, '@type': 'xsd:dateTime' });
});

test('minimal entitlement: the whole resource, the holder organization, purpose and start only', () => {
  const p = entitlementToOdrl(minimal, { baseUrl: BASE });
  assert.deepEqual(p.target, { '@type': 'Asset', uid: `${BASE}/api/catalog/resources/res-rk-00003` });
  assert.deepEqual(p.assignee, { '@type': ['Party', 'vcard:Organization'], uid: `${BASE}/api/orgs/org-hz-gongan` });
  assert.equal(p.assigner['rdfs:label'], undefined);
  assert.equal(p.permission.length, 1);
  assert.equal(p.permission[0]!.action, 'read');
  assert.equal(p.permission[0]!.duty, undefined);
  assert.deepEqual(p.permission[0]!.constraint, [
    { leftOperand: 'purpose', operator: 'eq', rightOperand: 'statistics' },
    { leftOperand: 'dateTime', operator: 'gteq', rightOperand: { '@value': minimal.validFrom, '@type': 'xsd:dateTime' } },
  ]);
  for (const k of ['shuyuan:scenario', 'shuyuan:originId', 'shuyuan:clearFields', 'shuyuan:stateReason']) assert.ok(!(k in p), k);
});

test('user-narrowed, suspended entitlement: the user is the assignee, the state is kept, times in UTC', () => {
  const p = entitlementToOdrl(suspendedUser, ctx);
  assert.equal(p.assignee.uid, `${BASE}/api/users/user-7`);
  assert.deepEqual(p.assignee['@type'], ['Party', 'vcard:Individual']);
  assert.equal(p.assignee.partOf?.uid, `${BASE}/api/orgs/org-hz-gongan`);
  assert.deepEqual(p.assignee['shuyuan:viaApplication'], { '@id': `${BASE}/api/applications/app-3` });
  assert.equal(p['shuyuan:state'], 'suspended');
  assert.equal(p['shuyuan:stateReason'], 'provider review');
  assert.equal(p.permission.length, 1, 'what was granted is exported; the state says it does not apply now');
  const [perm] = p.permission;
  assert.equal(perm!.action, 'shuyuan:verify');
  assert.deepEqual(
    perm!.constraint.find((c) => c.leftOperand === 'dateTime')!.rightOperand,
    { '@value': '2025-03-01T00:00:00.000Z', '@type': 'xsd:dateTime' },
    '+08:00 normalised to UTC',
  );
  assert.deepEqual(
    perm!.constraint.filter((c) => c.leftOperand === 'count').map((c) => [c.unit?.['@id'], c.rightOperand]),
    [
      [undefined, { '@value': '10', '@type': 'xsd:integer' }],
      ['shuyuan:perMinute', { '@value': '5', '@type': 'xsd:integer' }],
    ],
  );
});

test('the checker rejects terms outside ODRL 2.2 (it is not vacuous)', () => {
  const bad = (mutate: (p: any) => void, message: RegExp) => {
    const p = structuredClone(entitlementToOdrl(full, ctx)) as any;
    mutate(p);
    assert.throws(() => checkAgainstVocabulary(p), message);
  };
  bad((p) => (p.permission[0].action = 'odrl:copy'), /deprecated/); // odrl:copy is deprecated in 2.2
  bad((p) => (p.permission[0].action = 'query'), /does not resolve/);
  bad((p) => (p.permission[0].constraint[0].operator = 'neq'), /not an Operator/); // the context maps neq to odrl:neg
  bad((p) => (p.permission[0].constraint[0].leftOperand = 'shuyuan:nope'), /not declared/);
  bad((p) => (p.permission[0].foo = 1), /does not resolve/);
  bad((p) => (p['@type'] = 'Contract'), /does not resolve/);
  bad((p) => (p['dct:title'] = 'x'), /neither ODRL/);
});
