// API tests of source databases on a running platform: connections with a sealed password (never returned,
// never in the table in clear, never in the ledger), the connection test against the real PostgreSQL and
// MariaDB (ok / closed port / wrong password), IDOR (another department's clerk gets 404), the SSRF rule,
// ingest specs and their checks, schedules as durable jobs, "run now" through the runner the datasets module
// registers, and staging from a stored connection with the incremental mark advanced on publish.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, test } from 'node:test';
import pg from 'pg';
import { startTestPlatform, type TestClient, type TestPlatform } from '../../../test/helpers.ts';
import { gaClerk, login } from '../catalog/testkit.ts';
import { createPublishedResource } from '../registration/test-fixtures.ts';
import { DuckEngine } from '../datasets/duckdb.ts';
import { SYSTEM, type Actor } from '../identity/actor.ts';
import { SCHEDULE_QUEUE } from './service.ts';
import { closedPort, scratchMysql, scratchPg, type ScratchMysql, type ScratchPg } from './testkit.ts';

let p: TestPlatform;
let provider: TestClient;
let admin: TestClient;
let auditor: TestClient;
let consumer: TestClient;
let ga: TestClient;
let pgdb: ScratchPg;
let mydb: ScratchMysql;
let mysqlUser: string;
let pgUser: string;
let engine: DuckEngine;
let platformDb: pg.Client;
let scjgOrg: string;
let gaOrg: string;

const PG_PASSWORD = 'pg-口令-Secret-2024';
const MY_PASSWORD = 'My-口令-Secret-2024';
const runs: Array<{ specId: string; actor: Actor; trigger: string; jobId: string }> = [];

before(async () => {
  p = await startTestPlatform();
  provider = await login(p, 'provider');
  admin = await login(p, 'admin');
  auditor = await login(p, 'auditor');
  consumer = await login(p, 'consumer');
  ga = await gaClerk(p);
  pgdb = await scratchPg();
  mydb = await scratchMysql();
  mysqlUser = await mydb.createUser(MY_PASSWORD);
  pgUser = await pgdb.createUser(PG_PASSWORD);
  engine = await DuckEngine.open({
    allowedDirs: [path.join(p.dataDir, 'scratch')],
    tempDir: path.join(p.dataDir, 'scratch', 'tmp'),
    memoryLimit: '256MB',
    threads: 1,
  });
  platformDb = new pg.Client({ connectionString: p.testDb.url });
  await platformDb.connect();
  const orgs = await p.ctx.identity.listOrgs(SYSTEM);
  scjgOrg = orgs.find((o) => o.code === 'SCJG')!.id;
  gaOrg = orgs.find((o) => o.code === 'GA')!.id;
  // Real datasets of real catalog resources: the datasets module's own check decides who may feed them.
  SCJG_DATASET = (
    await p.ctx.datasets.ensureForResource(SYSTEM, (await createPublishedResource(p.ctx, 'SCJG', '企业许可信息（接入测试）')).id)
  ).id;
  GA_DATASET = (await p.ctx.datasets.ensureForResource(SYSTEM, (await createPublishedResource(p.ctx, 'GA', '户籍信息（接入测试）')).id)).id;
});
after(async () => {
  await platformDb?.end();
  engine?.close();
  await p?.close();
  await pgdb?.drop();
  await mydb?.drop();
});

let SCJG_DATASET: string;
let GA_DATASET: string;

async function q<T extends pg.QueryResultRow = Record<string, unknown>>(text: string, values?: unknown[]): Promise<T[]> {
  return (await platformDb.query<T>(text, values)).rows;
}

function pgBody(over: Record<string, unknown> = {}) {
  const ep = pgdb.endpoint;
  return {
    name: '人口库（PostgreSQL）',
    kind: 'postgresql',
    host: ep.host,
    port: ep.port,
    database: ep.database,
    user: pgUser,
    password: PG_PASSWORD,
    ...over,
  };
}
function myBody(over: Record<string, unknown> = {}) {
  const ep = mydb.endpoint;
  return {
    name: '登记库（MariaDB）',
    kind: 'mysql',
    host: ep.host,
    port: ep.port,
    database: ep.database,
    user: mysqlUser,
    password: MY_PASSWORD,
    ...over,
  };
}

async function createConnection(body: Record<string, unknown>, as = provider) {
  const r = await as.post('/api/sources', body);
  assert.equal(r.status, 201, r.text);
  return r.body;
}

function expectError(r: { status: number; body: any; text: string }, status: number, code: string) {
  assert.equal(r.status, status, r.text);
  assert.equal(r.body.error.code, code, r.text);
  return r.body.error;
}

async function waitFor<T>(what: string, fn: () => Promise<T | undefined | null | false>, ms = 60_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

test('connections: the password is sealed in the table, never returned, never in the ledger', async () => {
  const c = await createConnection(pgBody());
  assert.equal(c.org.code, 'SCJG');
  assert.equal(c.kind, 'postgresql');
  assert.equal(c.hasPassword, true);
  assert.deepEqual(c.options, { ssl: false });
  assert.equal(c.specCount, 0);
  assert.ok(!('password' in c));
  assert.doesNotMatch(JSON.stringify(c), /Secret-2024/);

  const [row] = await q<{ password_sealed: string; t: string }>(
    'select password_sealed, t::text as t from source_connections t where id = $1',
    [c.id],
  );
  assert.ok(row);
  assert.doesNotMatch(row.t, /Secret-2024|口令/);
  assert.doesNotMatch(Buffer.from(row.password_sealed, 'base64').toString('latin1'), /Secret-2024/);
  // Sealed under the connection id: it opens with that id and with no other.
  assert.equal(await p.ctx.identity.secrets.open(row.password_sealed, c.id), PG_PASSWORD);
  await assert.rejects(p.ctx.identity.secrets.open(row.password_sealed, '00000000-0000-4000-8000-000000000000'));

  for (const r of [await provider.get(`/api/sources/${c.id}`), await provider.get('/api/sources'), await admin.get('/api/sources')]) {
    assert.equal(r.status, 200, r.text);
    assert.doesNotMatch(r.text, /Secret-2024|password"/);
  }
  const ledger = await q<{ action: string; details: Record<string, unknown> }>(
    'select action, details from ledger_entries where object_id = $1 order by seq',
    [c.id],
  );
  assert.deepEqual(
    ledger.map((l) => l.action),
    ['source.connection.create'],
  );
  assert.equal(ledger[0]!.details.host, pgdb.endpoint.host);
  const all = await q<{ t: string }>(`select string_agg(details::text, ' ') as t from ledger_entries`);
  assert.doesNotMatch(all[0]!.t ?? '', /Secret-2024/);

  // Edit: the name alone; a new host/port/user without the password is refused; with it, fine.
  let r = await provider.patch(`/api/sources/${c.id}`, { name: '人口库（主库）' });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.name, '人口库（主库）');
  expectError(await provider.patch(`/api/sources/${c.id}`, { port: 5433 }), 400, 'SOURCE_PASSWORD_REQUIRED');
  expectError(await provider.patch(`/api/sources/${c.id}`, { user: 'someone_else' }), 400, 'SOURCE_PASSWORD_REQUIRED');
  r = await provider.patch(`/api/sources/${c.id}`, { port: 5433, password: 'New-pw-2024' });
  assert.equal(r.status, 200, r.text);
  r = await provider.patch(`/api/sources/${c.id}`, { port: pgdb.endpoint.port, password: PG_PASSWORD });
  assert.equal(r.status, 200, r.text);
  const actions = (
    await q<{ action: string; details: any }>('select action, details from ledger_entries where object_id = $1 order by seq', [c.id])
  ).map((l) => [l.action, l.details.changed, l.details.passwordChanged]);
  assert.deepEqual(actions, [
    ['source.connection.create', undefined, undefined],
    ['source.connection.update', ['name'], false],
    ['source.connection.update', ['port'], true],
    ['source.connection.update', ['port'], true],
  ]);

  expectError(await provider.post('/api/sources', pgBody({ name: '人口库（主库）' })), 409, 'SOURCE_NAME_TAKEN');
  r = await provider.delete(`/api/sources/${c.id}`);
  assert.equal(r.status, 204, r.text);
  expectError(await provider.get(`/api/sources/${c.id}`), 404, 'SOURCE_NOT_FOUND');
});

test('test endpoint: server version, closed port, wrong password, unknown role', async () => {
  const okPg = await createConnection(pgBody({ name: 'pg ok' }));
  let r = await provider.post(`/api/sources/${okPg.id}/test`);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.ok, true);
  assert.match(r.body.serverVersion, /^PostgreSQL \d+/);
  assert.equal(typeof r.body.privileged, 'boolean');

  const okMy = await createConnection(myBody({ name: 'mariadb ok' }));
  r = await provider.post(`/api/sources/${okMy.id}/test`);
  assert.equal(r.status, 200, r.text);
  assert.match(r.body.serverVersion, /^(MariaDB|MySQL) /);
  assert.equal(r.body.privileged, false); // SELECT on one database only

  const closed = await createConnection(myBody({ name: 'closed port', port: await closedPort() }));
  r = await provider.post(`/api/sources/${closed.id}/test`);
  const e1 = expectError(r, 502, 'SOURCE_UNREACHABLE');
  assert.match(e1.message, /无法连接源数据库/);

  const wrong = await createConnection(myBody({ name: 'wrong password', password: 'Not-the-password-1' }));
  r = await provider.post(`/api/sources/${wrong.id}/test`, {}, { 'accept-language': 'en' });
  const e2 = expectError(r, 502, 'SOURCE_AUTH_FAILED');
  assert.match(e2.message, /refused the user name or password/);
  assert.doesNotMatch(r.text, /Not-the-password-1/);

  const role = await createConnection(pgBody({ name: 'unknown role', user: 'sy_no_such_role' }));
  expectError(await provider.post(`/api/sources/${role.id}/test`), 502, 'SOURCE_AUTH_FAILED');
});

test('IDOR and roles: another department gets 404, auditors read only, consumers nothing', async () => {
  const c = await createConnection(pgBody({ name: 'idor target' }));
  for (const r of [
    await ga.get(`/api/sources/${c.id}`),
    await ga.patch(`/api/sources/${c.id}`, { name: 'hijacked' }),
    await ga.delete(`/api/sources/${c.id}`),
    await ga.post(`/api/sources/${c.id}/test`),
  ]) {
    expectError(r, 404, 'SOURCE_NOT_FOUND');
  }
  let r = await ga.get('/api/sources');
  assert.equal(r.status, 200);
  assert.ok(!r.body.items.some((x: { id: string }) => x.id === c.id));
  // A clerk cannot create a connection for another department either.
  expectError(await ga.post('/api/sources', pgBody({ name: 'for scjg', orgId: scjgOrg })), 403, 'FORBIDDEN');

  r = await auditor.get(`/api/sources/${c.id}`);
  assert.equal(r.status, 200, r.text);
  expectError(await auditor.patch(`/api/sources/${c.id}`, { name: 'x' }), 403, 'FORBIDDEN');
  expectError(await auditor.post(`/api/sources/${c.id}/test`), 403, 'FORBIDDEN');
  expectError(await consumer.get('/api/sources'), 403, 'FORBIDDEN');
  expectError(await consumer.get(`/api/sources/${c.id}`), 404, 'SOURCE_NOT_FOUND');

  // The authority admin may act for a department.
  const made = await createConnection(pgBody({ name: '局代建连接', orgId: gaOrg }), admin);
  assert.equal(made.org.code, 'GA');
  r = await ga.get(`/api/sources/${made.id}`);
  assert.equal(r.status, 200, r.text);
  expectError(await provider.get(`/api/sources/${made.id}`), 404, 'SOURCE_NOT_FOUND');
});

test('SSRF rule: metadata / link-local addresses and the platform’s own database are refused', async () => {
  let e = expectError(
    await provider.post('/api/sources', pgBody({ name: 'metadata', host: '169.254.169.254' })),
    400,
    'SOURCE_HOST_FORBIDDEN',
  );
  assert.match(e.message, /169\.254\.169\.254/);
  expectError(await provider.post('/api/sources', pgBody({ name: 'aliyun', host: '100.100.100.200' })), 400, 'SOURCE_HOST_FORBIDDEN');
  const own = new URL(p.testDb.url);
  e = expectError(
    await provider.post(
      '/api/sources',
      pgBody({ name: 'own', host: own.hostname, port: Number(own.port || 5432), database: p.testDb.name }),
    ),
    400,
    'SOURCE_HOST_FORBIDDEN',
  );
  assert.match(e.details.reason, /own database/);
  expectError(
    await provider.post('/api/sources', pgBody({ name: 'nowhere', host: 'no-such-host.invalid' })),
    400,
    'SOURCE_HOST_UNRESOLVED',
  );
  // Not by editing an existing connection either.
  const c = await createConnection(pgBody({ name: 'ssrf edit' }));
  expectError(await provider.patch(`/api/sources/${c.id}`, { host: '169.254.169.254', password: 'x' }), 400, 'SOURCE_HOST_FORBIDDEN');
});

test('specs: checks, dataset access, schedules as durable jobs, run now through the registered runner', async () => {
  const c = await createConnection(pgBody({ name: 'spec source' }));
  const body = { connectionId: c.id, datasetId: SCJG_DATASET, query: 'select 1 as id', mode: 'full' };
  expectError(await provider.post('/api/sources/specs', { ...body, query: 'delete from t' }), 400, 'SOURCE_QUERY_NOT_SELECT');
  expectError(await provider.post('/api/sources/specs', { ...body, query: 'select 1; select 2' }), 400, 'SOURCE_QUERY_NOT_SELECT');
  expectError(await provider.post('/api/sources/specs', { ...body, mode: 'incremental' }), 400, 'SOURCE_INCREMENTAL_COLUMN_REQUIRED');
  expectError(await provider.post('/api/sources/specs', { ...body, schedule: '* * * * *' }), 400, 'SOURCE_SCHEDULE_INVALID');
  expectError(await provider.post('/api/sources/specs', { ...body, schedule: 'every day' }), 400, 'SOURCE_SCHEDULE_INVALID');
  // Another department's dataset cannot be fed from here.
  // (the datasets module's check: GA's published resource is visible, its dataset is not ours to manage)
  expectError(await provider.post('/api/sources/specs', { ...body, datasetId: GA_DATASET }), 403, 'FORBIDDEN');
  expectError(
    await provider.post('/api/sources/specs', { ...body, datasetId: '00000000-0000-4000-8000-000000000000' }),
    404,
    'DATASET_NOT_FOUND',
  );
  // Nor can another department use this connection.
  expectError(await ga.post('/api/sources/specs', { ...body, datasetId: GA_DATASET }), 404, 'SOURCE_NOT_FOUND');
  const before = await q<{ n: number }>('select count(*)::int as n from source_ingest_specs');
  assert.equal(before[0]!.n, 0);

  // A scheduled spec: one pending pg-boss job at the next 02:00 China time.
  let r = await provider.post('/api/sources/specs', { ...body, name: '每日全量', schedule: '0 2 * * *' });
  assert.equal(r.status, 201, r.text);
  const spec = r.body;
  assert.equal(spec.scheduleTimeZone, 'Asia/Shanghai');
  const due = new Date(spec.nextRunAt);
  assert.ok(due.getTime() > Date.now());
  assert.equal(due.getUTCHours(), 18); // 02:00 in Beijing
  assert.equal(due.getUTCMinutes(), 0);
  const jobsOf = async () =>
    q<{ state: string; singleton_key: string; start_after: Date }>(
      `select state, singleton_key, start_after from pgboss.job where name = $1 and data->>'specId' = $2 order by created_on`,
      [SCHEDULE_QUEUE, spec.id],
    );
  let jobs = await jobsOf();
  assert.deepEqual(
    jobs.map((j) => [j.state, j.singleton_key, j.start_after.toISOString()]),
    [['created', `${spec.id}@${due.toISOString()}`, due.toISOString()]],
  );

  // Rescheduling cancels the pending job and books the new time.
  r = await provider.patch(`/api/sources/specs/${spec.id}`, { schedule: '30 3 * * 1' });
  assert.equal(r.status, 200, r.text);
  const due2 = new Date(r.body.nextRunAt);
  assert.equal(due2.getUTCHours(), 19);
  assert.equal(due2.getUTCMinutes(), 30);
  jobs = await jobsOf();
  assert.deepEqual(
    jobs.map((j) => j.state),
    ['cancelled', 'created'],
  );

  // The occurrence comes due (its job is moved to now; pg-boss's worker runs it): the next one is booked and a run
  // is queued; without a registered runner the run fails with a clear error on the spec.
  p.ctx.sources.setIngestRunner(null);
  await q(`update pgboss.job set start_after = now() where name = $1 and singleton_key = $2 and state = 'created'`, [
    SCHEDULE_QUEUE,
    `${spec.id}@${due2.toISOString()}`,
  ]);
  const failed = await waitFor('the scheduled run without a runner to fail', async () => {
    const s = (await provider.get(`/api/sources/specs/${spec.id}`)).body;
    return s.lastRun?.status === 'failed' ? s : null;
  });
  assert.equal(failed.lastRun.error.code, 'SOURCE_RUNNER_MISSING');
  assert.match(failed.lastRun.error.message, /执行器尚未就绪/);
  assert.ok(new Date(failed.nextRunAt) > due2);
  jobs = await jobsOf();
  assert.deepEqual(
    jobs.map((j) => [j.state, j.start_after.toISOString() === failed.nextRunAt]),
    [
      ['cancelled', false],
      ['completed', false],
      ['created', true],
    ],
  );
  // pg-boss marks its job failed just after the run is recorded as failed: wait for it (it raced once in CI).
  const runJob = await waitFor('the run job to be failed in pg-boss', async () => {
    const [j] = await q<{ state: string; output: any; data: any }>(`select state, output, data from pgboss.job where id = $1`, [
      failed.lastRun.jobId,
    ]);
    return j?.state === 'failed' ? j : null;
  });
  assert.equal(runJob.state, 'failed');
  assert.equal(runJob.data.trigger, 'schedule');
  assert.equal(runJob.data.actor.kind, 'system');
  assert.match(JSON.stringify(runJob.output), /SOURCE_RUNNER_MISSING/);
  // A stale occurrence (from before a reschedule) does nothing.
  assert.deepEqual(await p.ctx.sources.handleSchedule({ specId: spec.id, due: due.toISOString() }), { stale: true });
  expectError(await provider.post(`/api/sources/specs/${spec.id}/run`), 503, 'SOURCE_RUNNER_MISSING');

  // With the runner registered, "run now" queues a job that calls it with the caller as actor.
  let release: () => void = () => undefined;
  const gate = new Promise<void>((resolve) => (release = resolve));
  p.ctx.sources.setIngestRunner(async (specId, run) => {
    runs.push({ specId, ...run });
    await gate;
    return { ingestId: 'ingest-of-' + specId };
  });
  r = await provider.post(`/api/sources/specs/${spec.id}/run`);
  assert.equal(r.status, 202, r.text);
  assert.equal(r.body.status, 'queued');
  const jobId = r.body.jobId;
  await waitFor('the runner to be called', async () => runs.find((x) => x.jobId === jobId));
  // While it runs, another request is refused.
  expectError(await provider.post(`/api/sources/specs/${spec.id}/run`), 409, 'SOURCE_RUN_IN_PROGRESS');
  release();
  const done = await waitFor('the run to succeed', async () => {
    const s = (await provider.get(`/api/sources/specs/${spec.id}`)).body;
    return s.lastRun?.status === 'succeeded' ? s : null;
  });
  assert.equal(done.lastRun.jobId, jobId);
  const call = runs.find((x) => x.jobId === jobId)!;
  assert.equal(call.specId, spec.id);
  assert.equal(call.trigger, 'manual');
  assert.equal(call.actor.username, 'provider');
  const [okJob] = await q<{ state: string; output: any }>(`select state, output from pgboss.job where id = $1`, [jobId]);
  assert.equal(okJob!.state, 'completed');
  assert.deepEqual(okJob!.output, { ingestId: 'ingest-of-' + spec.id });
  const ledger = await q<{ action: string }>('select action from ledger_entries where object_id = $1 order by seq', [spec.id]);
  assert.deepEqual(
    ledger.map((l) => l.action),
    ['source.spec.create', 'source.spec.update', 'source.spec.run'],
  );

  // IDOR on specs; a connection in use cannot be deleted; deleting the spec cancels its schedule.
  for (const res of [
    await ga.get(`/api/sources/specs/${spec.id}`),
    await ga.patch(`/api/sources/specs/${spec.id}`, { name: 'x' }),
    await ga.post(`/api/sources/specs/${spec.id}/run`),
    await ga.delete(`/api/sources/specs/${spec.id}`),
  ]) {
    expectError(res, 404, 'SOURCE_SPEC_NOT_FOUND');
  }
  assert.ok(!(await ga.get('/api/sources/specs')).body.items.some((s: { id: string }) => s.id === spec.id));
  expectError(await provider.delete(`/api/sources/${c.id}`), 409, 'SOURCE_IN_USE');
  // Its specs' queries were checked as PostgreSQL: the kind cannot change under them.
  expectError(await provider.patch(`/api/sources/${c.id}`, { kind: 'mysql', port: 3306, password: 'x' }), 409, 'SOURCE_IN_USE');
  assert.equal((await provider.delete(`/api/sources/specs/${spec.id}`)).status, 204);
  jobs = await jobsOf();
  assert.ok(
    jobs.every((j) => j.state !== 'created'),
    JSON.stringify(jobs),
  );
  assert.equal((await provider.delete(`/api/sources/${c.id}`)).status, 204);
});

test('staging from a stored connection (sealed password used), incremental mark stored only by markDone', async () => {
  await mydb.query(`create table licences (id int primary key, holder varchar(50), issued date)`);
  await mydb.query(`insert into licences values (1, '示范科技有限公司', '2024-01-05'), (2, '王五', '2024-02-01')`);
  const c = await createConnection(myBody({ name: 'licences' }));
  const r = await provider.post('/api/sources/specs', {
    connectionId: c.id,
    datasetId: SCJG_DATASET,
    query: 'select id, holder, issued from licences;',
    mode: 'incremental',
    incrementalColumn: 'id',
  });
  assert.equal(r.status, 201, r.text);
  const spec = r.body;
  assert.equal(spec.lastValue, null);

  const out1 = path.join(p.dataDir, 'scratch', 'a.parquet');
  const first = await p.ctx.sources.stageForIngest(engine, { specId: spec.id }, out1);
  assert.equal(first.rows, 2);
  assert.deepEqual(first.highWater, { value: '2', type: 'mysql:3' });
  assert.deepEqual(await engine.json(`select * from read_parquet($1) order by _row`, [out1]), [
    { _row: '1', id: '1', holder: '示范科技有限公司', issued: '2024-01-05' },
    { _row: '2', id: '2', holder: '王五', issued: '2024-02-01' },
  ]);
  const described = await p.ctx.sources.describe(spec.id);
  assert.deepEqual(described, {
    kind: 'database',
    specId: spec.id,
    connectionId: c.id,
    connectionName: 'licences',
    engine: 'mysql',
    mode: 'incremental',
    incrementalColumn: 'id',
    since: null,
  });

  // Not published yet: the mark did not move, a second staging reads the same rows.
  await mydb.query(`insert into licences values (3, '赵六', '2024-03-01')`);
  assert.equal((await p.ctx.sources.stageSpec(engine, spec.id, out1)).rows, 3);
  // Published: the datasets module stores the mark in its publishing transaction.
  await p.ctx.db.transaction().execute((tx) => p.ctx.sources.markDone(spec.id, { value: '2', type: 'mysql:3' }, tx));
  assert.equal((await provider.get(`/api/sources/specs/${spec.id}`)).body.lastValue, '2');
  const out2 = path.join(p.dataDir, 'scratch', 'b.parquet');
  const second = await p.ctx.sources.stageSpec(engine, spec.id, out2);
  assert.equal(second.rows, 1);
  assert.deepEqual(second.highWater, { value: '3', type: 'mysql:3' });
  assert.deepEqual(await engine.json(`select id, holder from read_parquet($1)`, [out2]), [{ id: '3', holder: '赵六' }]);
  const advance = await q<{ details: any }>(`select details from ledger_entries where object_id = $1 and action = 'source.spec.advance'`, [
    spec.id,
  ]);
  assert.deepEqual(advance[0]!.details, { from: null, to: '2', column: 'id' });

  // The password used was the sealed one: change it to a wrong one and the same spec cannot sign in.
  assert.equal((await provider.patch(`/api/sources/${c.id}`, { password: 'Wrong-pw-2024' })).status, 200);
  await assert.rejects(p.ctx.sources.stageSpec(engine, spec.id, out2), (e: any) => e.code === 'SOURCE_AUTH_FAILED');
  // Changing the column drops the mark.
  const changed = await provider.patch(`/api/sources/specs/${spec.id}`, { incrementalColumn: 'issued' });
  assert.equal(changed.status, 200, changed.text);
  assert.equal(changed.body.lastValue, null);
});

test('end to end through the datasets module: run now → ingest → confirm → publish moves the mark; the next run reads only new rows', async () => {
  // The runner the datasets module registers at start (the specs test above replaced it with its own).
  p.ctx.sources.setIngestRunner((specId, run) => p.ctx.datasets.ingestFromSource(specId, run.actor));
  await mydb.query(`create table permits (id int primary key, holder varchar(50), amount decimal(12,2), issued datetime)`);
  await mydb.query(
    `insert into permits values (1, '示范科技有限公司', 1200.50, '2024-01-05 09:30:00'), (2, '示范餐饮店', 88.00, '2024-02-01 14:00:00')`,
  );
  const c = await createConnection(myBody({ name: 'permits' }));
  let r = await provider.post('/api/sources/specs', {
    connectionId: c.id,
    datasetId: SCJG_DATASET,
    query: 'select id, holder, amount, issued from permits',
    mode: 'incremental',
    incrementalColumn: 'id',
  });
  assert.equal(r.status, 201, r.text);
  const spec = r.body;

  const runOnce = async () => {
    const run = await provider.post(`/api/sources/specs/${spec.id}/run`);
    assert.equal(run.status, 202, run.text);
    const job = await waitFor('the run job', async () => {
      const [j] = await q<{ state: string; output: any }>(`select state, output from pgboss.job where id = $1`, [run.body.jobId]);
      return j && (j.state === 'completed' || j.state === 'failed') ? j : null;
    });
    assert.equal(job.state, 'completed', JSON.stringify(job.output));
    return job.output.ingestId as string;
  };
  const settle = (ingestId: string, states: string[]) =>
    waitFor(`ingest ${ingestId} in ${states.join('/')}`, async () => {
      const i = (await provider.get(`/api/ingests/${ingestId}`)).body;
      return states.includes(i.status) ? i : null;
    });

  const first = await settle(await runOnce(), ['awaiting_schema', 'failed']);
  assert.equal(first.status, 'awaiting_schema', JSON.stringify(first.error));
  assert.equal(first.source.kind, 'database');
  assert.equal(first.source.specId, spec.id);
  assert.equal(first.progress.rowsRead, 2);
  const types = Object.fromEntries(first.proposedSchema.fields.map((f: { name: string; type: string }) => [f.name, f.type]));
  assert.deepEqual(types, { id: 'integer', holder: 'string', amount: 'number', issued: 'datetime' });
  // Staged, not published: the mark has not moved.
  assert.equal((await provider.get(`/api/sources/specs/${spec.id}`)).body.lastValue, null);
  r = await provider.post(`/api/ingests/${first.id}/confirm`, { schema: first.proposedSchema });
  assert.equal(r.status, 200, r.text);
  const published = await settle(first.id, ['published', 'failed']);
  assert.equal(published.status, 'published', JSON.stringify(published.error));
  assert.equal((await provider.get(`/api/sources/specs/${spec.id}`)).body.lastValue, '2');
  const advance = await q<{ details: any }>(`select details from ledger_entries where object_id = $1 and action = 'source.spec.advance'`, [
    spec.id,
  ]);
  assert.deepEqual(
    advance.map((a) => a.details),
    [{ from: null, to: '2', column: 'id' }],
  );

  await mydb.query(`insert into permits values (3, '示范物流公司', 5000.00, '2024-03-01 08:00:00')`);
  const second = await settle(await runOnce(), ['awaiting_schema', 'published', 'failed']);
  assert.notEqual(second.status, 'failed', JSON.stringify(second.error));
  assert.equal(second.progress.rowsRead, 1);
  assert.equal(second.source.since, '2');
  const done = second.status === 'published' ? second : await settle(second.id, ['published', 'failed']);
  assert.equal(done.status, 'published', JSON.stringify(done.error));
  assert.equal((await provider.get(`/api/sources/specs/${spec.id}`)).body.lastValue, '3');
  // The version holds the earlier rows plus the new one (an incremental run stages only the delta).
  const ds = await provider.get(`/api/datasets/${SCJG_DATASET}`);
  assert.equal(ds.body.current.rows, 3, ds.text);
  const preview = await provider.get(`/api/datasets/${SCJG_DATASET}/preview`);
  assert.deepEqual(preview.body.rows.map((row: { id: number }) => Number(row.id)).sort(), [1, 2, 3]);
});
