// Test helpers of the source-database tests (not used by the server): a scratch database of their own on the
// PostgreSQL test server (TEST_DATABASE_URL) and on the MySQL/MariaDB server (TEST_MYSQL_URL, default
// mysql://root@127.0.0.1:3306/test), dropped afterwards; a port nothing listens on.
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { testServerUrl } from '../../../test/helpers.ts';
import type { SourceEndpoint } from './stage.ts';

export function mysqlServerUrl(): URL {
  return new URL(process.env.TEST_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/test');
}

export interface ScratchPg {
  name: string;
  endpoint: SourceEndpoint;
  query<T extends pg.QueryResultRow = Record<string, unknown>>(text: string, values?: unknown[]): Promise<T[]>;
  /**
   * A login role with this password that may read every table of the scratch database, also tables made later
   * (dropped with it). The server's own user is not used with another password: the embedded test server checks
   * passwords (scram-sha-256), unlike a trust-auth server, so a test must connect with a password that is true.
   */
  createUser(password: string): Promise<string>;
  drop(): Promise<void>;
}

export async function scratchPg(): Promise<ScratchPg> {
  const server = new URL(testServerUrl());
  const name = `sy_src_${process.pid}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: server.toString() });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(server.toString());
  url.pathname = `/${name}`;
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  const roles: string[] = [];
  return {
    name,
    endpoint: {
      kind: 'postgresql',
      host: server.hostname,
      port: Number(server.port || 5432),
      database: name,
      user: decodeURIComponent(server.username || 'postgres'),
      password: decodeURIComponent(server.password),
      ssl: false,
    },
    async query(text, values) {
      return (await client.query(text, values)).rows;
    },
    async createUser(password) {
      const role = `sy_u_${randomBytes(4).toString('hex')}`;
      await client.query(`create role ${role} login password ${client.escapeLiteral(password)}`);
      await client.query(`grant connect on database ${name} to ${role}`);
      await client.query(`grant usage on schema public to ${role}`);
      await client.query(`grant select on all tables in schema public to ${role}`);
      await client.query(`alter default privileges in schema public grant select on tables to ${role}`);
      roles.push(role);
      return role;
    },
    async drop() {
      await client.end();
      const c = new pg.Client({ connectionString: server.toString() });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      for (const r of roles) await c.query(`drop role if exists ${r}`);
      await c.end();
    },
  };
}

export interface ScratchMysql {
  name: string;
  endpoint: SourceEndpoint;
  query<T = Record<string, unknown>>(text: string, values?: unknown[]): Promise<T[]>;
  /** A user with a password and SELECT on the scratch database only (dropped with it). */
  createUser(password: string): Promise<string>;
  drop(): Promise<void>;
}

export async function scratchMysql(): Promise<ScratchMysql> {
  const server = mysqlServerUrl();
  const base = {
    host: server.hostname,
    port: Number(server.port || 3306),
    user: decodeURIComponent(server.username || 'root'),
    password: decodeURIComponent(server.password),
  };
  const name = `sy_src_${process.pid}_${randomBytes(4).toString('hex')}`;
  const admin = await mysql.createConnection(base);
  await admin.query(`create database ${name} character set utf8mb4 collate utf8mb4_unicode_ci`);
  await admin.changeUser({ database: name });
  const users: string[] = [];
  return {
    name,
    endpoint: { kind: 'mysql', host: base.host, port: base.port, database: name, user: base.user, password: base.password, ssl: false },
    async query(text, values) {
      const [rows] = await admin.query(text, values);
      return rows as never;
    },
    async createUser(password) {
      const user = `sy_u_${randomBytes(4).toString('hex')}`;
      await admin.query(`create user ?@'%' identified by ?`, [user, password]);
      await admin.query(`create user ?@'localhost' identified by ?`, [user, password]);
      await admin.query(`grant select on ${name}.* to ?@'%'`, [user]);
      await admin.query(`grant select on ${name}.* to ?@'localhost'`, [user]);
      users.push(user);
      return user;
    },
    async drop() {
      for (const u of users) {
        await admin.query(`drop user if exists ?@'%'`, [u]);
        await admin.query(`drop user if exists ?@'localhost'`, [u]);
      }
      await admin.query(`drop database if exists ${name}`);
      await admin.end();
    },
  };
}

/** A local TCP port with nothing listening on it (bound, then released). */
export async function closedPort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const port = (srv.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  return port;
}
