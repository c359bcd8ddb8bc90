// Configuration is read once and refuses bad values with a message that names the variable.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { CONFIG_VARS, ConfigError, loadConfig } from '../src/config.ts';

function refused(env: Record<string, string>, variable: string) {
  assert.throws(
    () => loadConfig(env),
    (e: unknown) => e instanceof ConfigError && e.message.includes(variable),
    `${JSON.stringify(env)} should be refused naming ${variable}`,
  );
}

test('defaults: embedded database under ./data, loopback on 8080, demo on', () => {
  const c = loadConfig({});
  assert.equal(c.databaseUrl, null);
  assert.equal(c.dataDir, path.resolve('./data'));
  assert.equal(c.host, '127.0.0.1');
  assert.equal(c.port, 8080);
  assert.equal(c.demo, true);
  assert.equal(c.publicUrl, null);
  assert.equal(c.smtpUrl, null);
});

test('values from the environment are parsed and typed', () => {
  const c = loadConfig({
    SHUYUAN_PORT: '9000',
    SHUYUAN_DEMO: '0',
    SHUYUAN_DATA_DIR: '/var/lib/shuyuan',
    DATABASE_URL: 'postgres://u@db:5432/shuyuan',
    SHUYUAN_COOKIE_SECURE: 'true',
  });
  assert.equal(c.port, 9000);
  assert.equal(c.demo, false);
  assert.equal(c.dataDir, '/var/lib/shuyuan');
  assert.equal(c.databaseUrl, 'postgres://u@db:5432/shuyuan');
  assert.equal(c.cookieSecure, true);
});

test('bad values are refused with a ConfigError naming the variable', () => {
  refused({ SHUYUAN_PORT: 'abc' }, 'SHUYUAN_PORT');
  refused({ SHUYUAN_PORT: '70000' }, 'SHUYUAN_PORT');
  refused({ SHUYUAN_PORT: '80.5' }, 'SHUYUAN_PORT');
  refused({ SHUYUAN_DEMO: 'maybe' }, 'SHUYUAN_DEMO');
  refused({ DATABASE_URL: 'not a url' }, 'DATABASE_URL');
  refused({ SHUYUAN_LOG_LEVEL: 'loud' }, 'SHUYUAN_LOG_LEVEL');
  refused({ SHUYUAN_BODY_LIMIT: '10' }, 'SHUYUAN_BODY_LIMIT');
  refused({ SHUYUAN_RATE_LIMIT: '0' }, 'SHUYUAN_RATE_LIMIT');
});

test('a bad DATABASE_URL is refused without echoing the value (it may hold a password)', () => {
  assert.throws(
    () => loadConfig({ DATABASE_URL: 'postgres://user:s3cret@host:bad port/db' }),
    (e: unknown) => e instanceof ConfigError && !e.message.includes('s3cret'),
  );
});

test('every configuration variable is documented', () => {
  for (const v of CONFIG_VARS) {
    assert.match(v.name, /^(DATABASE_URL|SHUYUAN_[A-Z0-9_]+)$/);
    assert.ok(v.doc.length > 10, `${v.name} has a description`);
  }
});
