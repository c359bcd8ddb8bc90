// The ingest query check (query.ts): one SELECT only, in each dialect's lexical rules; and the schedule check.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AppError } from '../../errors.ts';
import { isForbiddenAddress, checkTarget, platformDatabase } from './network.ts';
import { checkQuery, ingestStatement, type Dialect } from './query.ts';
import { checkSchedule, nextRun } from './schedule.ts';

function refused(query: string, dialect: Dialect, reason: RegExp) {
  assert.throws(
    () => checkQuery(query, dialect),
    (e: unknown) =>
      e instanceof AppError && e.status === 400 && e.code === 'SOURCE_QUERY_NOT_SELECT' && reason.test(String(e.params.reason)),
    `${dialect}: ${query}`,
  );
}

test('accepts one SELECT or WITH … SELECT, with comments, strings and a trailing semicolon', () => {
  for (const d of ['postgresql', 'mysql'] as const) {
    assert.equal(checkQuery('  select 1  ', d), 'select 1');
    assert.equal(checkQuery('select 1;', d), 'select 1');
    assert.equal(checkQuery('select 1; -- done\n', d), 'select 1 -- done');
    assert.equal(checkQuery("select 'a;b' as x", d), "select 'a;b' as x");
    assert.equal(checkQuery("select 'it''s; fine'", d), "select 'it''s; fine'");
    assert.equal(
      checkQuery('/* lead; */ WITH t AS (SELECT 1 AS a) SELECT a FROM t', d),
      '/* lead; */ WITH t AS (SELECT 1 AS a) SELECT a FROM t',
    );
    assert.equal(checkQuery('(select 1) union all (select 2)', d), '(select 1) union all (select 2)');
    assert.equal(checkQuery('select 1 -- a comment; with a semicolon\n from t', d), 'select 1 -- a comment; with a semicolon\n from t');
    // Column names that contain keywords are words of their own.
    assert.ok(checkQuery('select update_time, into_date, for_share from t', d));
  }
  assert.ok(checkQuery('select "a;b" from t', 'postgresql'));
  assert.ok(checkQuery('select $$ ; $$, $tag$ ; $ ; $tag$ from t where x = $1', 'postgresql'));
  assert.ok(checkQuery("select E'\\' ; ' from t", 'postgresql'));
  assert.ok(checkQuery('select /* outer /* nested ; */ still comment ; */ 1', 'postgresql'));
  assert.ok(checkQuery("select 'a\\'; b' from t", 'mysql'));
  assert.ok(checkQuery('select `a;b` from t # trailing; comment', 'mysql'));
  assert.ok(checkQuery('select "x\\"; y" from t', 'mysql'));
});

test('refuses anything that is not a single SELECT', () => {
  for (const d of ['postgresql', 'mysql'] as const) {
    refused('', d, /empty/);
    refused('delete from t', d, /start with SELECT or WITH/);
    refused('update t set a = 1', d, /start with SELECT or WITH/);
    refused('insert into t values (1)', d, /start with SELECT or WITH/);
    refused('-- only a comment', d, /start with SELECT or WITH/);
    refused('select 1; drop table t', d, /more than one statement/);
    refused('select 1;; ', d, /more than one statement/);
    refused('select 1; select 2', d, /more than one statement/);
    refused("select 'open", d, /unterminated string/);
    refused('select 1 /* open', d, /unterminated comment/);
    refused('select * into new_table from t', d, /INTO/);
    refused('select * from t for update', d, /FOR UPDATE/);
    refused('select * from t for share', d, /FOR SHARE/);
    refused('values (1), (2)', d, /start with SELECT or WITH/);
    refused('with x as (select 1) insert into t select * from x', d, /INTO/);
    refused('select 1\0', d, /NUL/);
    refused(`select '${'x'.repeat(100_001)}'`, d, /longer than/);
  }
  refused('select * from t for no key update', 'postgresql', /FOR NO KEY UPDATE/);
  refused('select * from t lock in share mode', 'mysql', /LOCK IN SHARE MODE/);
  refused("select 1 into outfile '/tmp/x'", 'mysql', /INTO/);
  refused('select 1 /*!50000 ; drop table t */', 'mysql', /executable comments/);
  // A dollar quote that hides a second statement from a naive check is still one token; an open one is refused.
  refused('select $q$ ; $q$; drop table t', 'postgresql', /more than one statement/);
  refused('select $q$ open', 'postgresql', /unterminated dollar-quoted string/);
  // Nested comments in PostgreSQL: the statement after the inner close is still inside the outer comment.
  refused('select 1 /* a /* b */ c */; drop table t', 'postgresql', /more than one statement/);
  // MySQL: a backslash escapes the quote, so the string runs on past "; drop".
  refused("select 'a\\'; drop table t", 'mysql', /unterminated string/);
});

test('the incremental wrapper quotes the column and survives a trailing line comment', () => {
  assert.equal(ingestStatement('select 1 as id', 'postgresql', null), 'select 1 as id');
  assert.equal(
    ingestStatement('select id from t -- note', 'postgresql', { column: 'id', placeholder: '$1' }),
    'select sy_q.* from (\nselect id from t -- note\n) sy_q where sy_q."id" > $1 order by sy_q."id"',
  );
  assert.equal(
    ingestStatement('select 1', 'mysql', { column: 'we`ird', placeholder: null }),
    'select sy_q.* from (\nselect 1\n) sy_q order by sy_q.`we``ird`',
  );
});

test('schedules: five fields, China time, at most every 5 minutes', () => {
  assert.equal(checkSchedule(' 0  2 * * * '), '0 2 * * *');
  assert.equal(checkSchedule('*/5 * * * *'), '*/5 * * * *');
  // 02:00 China time is 18:00 UTC the day before.
  const next = nextRun('0 2 * * *', new Date('2024-01-05T00:00:00Z'));
  assert.equal(next.toISOString(), '2024-01-05T18:00:00.000Z');
  for (const [bad, reason] of [
    ['* * * * *', /5 minutes/],
    ['*/2 * * * *', /5 minutes/],
    ['0,1 3 * * *', /5 minutes/],
    ['0 2 * *', /five fields/],
    ['0 0 2 * * *', /five fields/],
    ['61 2 * * *', /./],
    ['0 2 * * *; rm', /./],
  ] as const) {
    assert.throws(
      () => checkSchedule(bad),
      (e: unknown) => e instanceof AppError && e.code === 'SOURCE_SCHEDULE_INVALID' && reason.test(String(e.params.reason)),
      bad,
    );
  }
});

test('addresses: metadata and link-local refused, the platform database refused, others allowed', async () => {
  for (const a of ['169.254.169.254', '100.100.100.200', 'fe80::1', 'fd00:ec2::254', '::ffff:169.254.169.254', '0.0.0.0', '224.0.0.1']) {
    assert.equal(isForbiddenAddress(a), true, a);
  }
  for (const a of ['127.0.0.1', '10.1.2.3', '192.168.1.10', '::1', '8.8.8.8']) assert.equal(isForbiddenAddress(a), false, a);
  const platform = platformDatabase('postgres://app:secret@localhost:5432/shuyuan');
  assert.deepEqual(platform, { host: 'localhost', port: 5432, database: 'shuyuan' });
  await assert.rejects(checkTarget({ kind: 'postgresql', host: '127.0.0.1', port: 5432, database: 'shuyuan' }, platform), (e: unknown) => {
    return e instanceof AppError && e.code === 'SOURCE_HOST_FORBIDDEN' && /own database/.test(String(e.params.reason));
  });
  await assert.rejects(
    checkTarget({ kind: 'mysql', host: '169.254.169.254', port: 3306, database: 'x' }, platform),
    /SOURCE_HOST_FORBIDDEN/,
  );
  await assert.rejects(
    checkTarget({ kind: 'mysql', host: 'no-such-host.invalid', port: 3306, database: 'x' }, platform),
    /SOURCE_HOST_UNRESOLVED/,
  );
  // Another database on the same server, or the same name elsewhere, is a source like any other.
  assert.equal(await checkTarget({ kind: 'postgresql', host: '127.0.0.1', port: 5432, database: 'other' }, platform), '127.0.0.1');
  assert.equal(await checkTarget({ kind: 'postgresql', host: '127.0.0.1', port: 5433, database: 'shuyuan' }, platform), '127.0.0.1');
});
