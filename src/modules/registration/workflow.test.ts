// The registration state machine and the certificate pieces, without a database.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { canonicalJson, contentHash, displayQueryCode, formatNumber, newQueryCode, normalizeQueryCode } from './certificate.ts';
import { addYears } from './service.ts';
import { FINAL_STATES, OPEN_STATES, STATES, TRANSITIONS, allowedTransitions, findTransition } from './workflow.ts';

describe('registration workflow', () => {
  it('has no transition out of a final state, and every open state can be withdrawn by the applicant', () => {
    for (const s of FINAL_STATES) assert.deepEqual(allowedTransitions(s, ['applicant', 'authority']), []);
    for (const s of OPEN_STATES) assert.equal(findTransition(s, 'withdrawn')?.by, 'applicant', s);
    assert.deepEqual([...OPEN_STATES, ...FINAL_STATES].sort(), [...STATES].sort());
  });

  it('leaves the end of the notice to the system: no user can move a registration out of public notice except by withdrawing', () => {
    assert.deepEqual(
      allowedTransitions('public_notice', ['applicant', 'authority']).map((t) => t.to),
      ['withdrawn'],
    );
    assert.equal(findTransition('public_notice', 'pending_decision')?.by, 'system');
    assert.equal(findTransition('public_notice', 'objection_review')?.by, 'system');
  });

  it('lets only the authority accept, return, start the notice and decide', () => {
    for (const t of TRANSITIONS) {
      if (['accepted', 'returned_incomplete', 'public_notice', 'approved', 'rejected'].includes(t.to))
        assert.equal(t.by, 'authority', `${t.from}→${t.to}`);
    }
    assert.equal(findTransition('returned_incomplete', 'applied')?.by, 'applicant');
    assert.equal(findTransition('applied', 'approved'), undefined, 'no approval without notice');
    assert.equal(findTransition('public_notice', 'approved'), undefined, 'no approval during the notice');
  });
});

describe('registration certificate', () => {
  it('numbers certificates SF-<year>-<6 digits>', () => {
    assert.equal(formatNumber(2026, 123), 'SF-2026-000123');
    assert.equal(formatNumber(2026, 1234567), 'SF-2026-1234567');
  });

  it('makes 16-character base32 query codes that differ every time and survive sloppy typing', () => {
    const codes = new Set(Array.from({ length: 200 }, () => newQueryCode()));
    assert.equal(codes.size, 200);
    for (const c of codes) assert.match(c, /^[A-Z2-7]{16}$/);
    const c = [...codes][0]!;
    const shown = displayQueryCode(c);
    assert.match(shown, /^[A-Z2-7]{4}(-[A-Z2-7]{4}){3}$/);
    assert.equal(normalizeQueryCode(shown.toLowerCase()), c);
    assert.equal(normalizeQueryCode(` ${shown.replace(/-/g, ' ')} `), c);
    assert.equal(normalizeQueryCode('ABC'), null);
    assert.equal(normalizeQueryCode("' or 1=1 --"), null);
  });

  it('hashes the RFC 8785 canonical JSON: key order and number spelling do not matter', () => {
    const a = { b: 1, a: '数据', c: [1.0, { y: true, x: null }] };
    const b = JSON.parse('{"c":[1,{"x":null,"y":true}],"a":"数据","b":1.0}');
    assert.equal(canonicalJson(a), '{"a":"数据","b":1,"c":[1,{"x":null,"y":true}]}');
    assert.equal(contentHash(a), contentHash(b));
    assert.equal(contentHash(a), createHash('sha256').update(canonicalJson(a)).digest('hex'));
    assert.notEqual(contentHash(a), contentHash({ ...a, b: 2 }));
  });

  it('computes the last day of validity in calendar years', () => {
    assert.equal(addYears('2026-03-10', 3), '2029-03-09');
    assert.equal(addYears('2028-02-29', 1), '2029-02-28');
    assert.equal(addYears('2026-01-01', 1), '2026-12-31');
  });
});
