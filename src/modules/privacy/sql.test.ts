import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { listValue } from '@duckdb/node-api';
import { DuckEngine } from '../datasets/duckdb.ts';
import { PRIVACY_KINDS, VALIDATORS } from './recognizers.ts';
import { validSql } from './sql.ts';
import { sampleValues } from './testing.ts';
import { scratchEngine } from '../../../test/duck.ts';

let engine: DuckEngine;
let close: () => Promise<void>;
before(async () => ({ engine, close } = await scratchEngine('shuyuan-privacy-sql-', { threads: 1 })));
after(() => close());

test('validSql agrees with the JavaScript validators on generated, corrupted and edge-case values', async () => {
  const values = sampleValues('sql-agreement', 60);
  for (const kind of PRIVACY_KINDS) {
    const rows = await engine.json<{ v: string; ok: boolean | null }>(`SELECT v, ${validSql(kind, 'v')} AS ok FROM unnest($1) t(v)`, [
      listValue(values),
    ]);
    assert.equal(rows.length, values.length);
    let valid = 0;
    let invalid = 0;
    for (const r of rows) {
      const js = VALIDATORS[kind](r.v);
      assert.equal(r.ok, js, `${kind}: ${JSON.stringify(r.v)}`);
      if (js) valid++;
      else invalid++;
    }
    // Each kind saw both answers, so agreement is not vacuous.
    assert.ok(valid >= 60 && invalid >= 60, `${kind}: ${valid} valid, ${invalid} invalid`);
  }
});

test('validSql: NULL stays NULL; works over any VARCHAR expression', async () => {
  const [row] = await engine.json<Record<string, boolean | null>>(
    `SELECT ${validSql('id_number', 'NULL::VARCHAR')} AS a, ${validSql('phone', "'138' || '12345678'")} AS b, ${validSql('email', "upper('x@example.com')")} AS c`,
  );
  assert.deepEqual(row, { a: null, b: true, c: true });
});

test('validSql rejects an unknown kind', () => {
  assert.throws(() => validSql('ssn' as never, 'v'), RangeError);
});
