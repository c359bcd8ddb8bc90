// The `shuyuan` command line: start, migrate, seed-demo, user create, ledger verify.
import { Command, Option } from 'commander';
import { loadConfig, ConfigError, type Config } from '../config.ts';
import { createContext } from '../context.ts';
import { openDatabase } from '../db/database.ts';
import { migrate } from '../db/migrate.ts';
import { createLogger } from '../log.ts';
import { AppError } from '../errors.ts';
import { translate } from '../i18n/messages.ts';
import { ROLES, SYSTEM, type Role } from '../modules/identity/actor.ts';
import { resolveDatabase, startPlatform } from '../server.ts';
import { seedDemo, type DemoSummary } from '../seed.ts';

function printBanner(url: string, demo: DemoSummary | null) {
  const lines = ['', `  数源 Shuyuan is running at ${url}`, `  API docs: ${url}/api/docs`, ''];
  if (demo && demo.logins.length) {
    lines.push('  Demo logins (示范市):');
    const w = Math.max(...demo.logins.map((l) => l.username.length));
    for (const l of demo.logins) lines.push(`    ${l.username.padEnd(w)}  ${l.password}   ${l.role} · ${l.org}`);
    lines.push('');
  }
  lines.push('  Press Ctrl-C to stop.', '');
  process.stdout.write(lines.join('\n') + '\n');
}

/** Runs fn with services on a migrated database, without HTTP or background jobs; stops everything after. */
async function withServices<T>(config: Config, fn: (ctx: ReturnType<typeof createContext>) => Promise<T>): Promise<T> {
  const log = createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel);
  const handle = await resolveDatabase(config, log);
  try {
    await migrate(handle.url);
    const database = openDatabase(handle.url);
    try {
      const ctx = createContext(config, database, log);
      await ctx.ledger.init({ checkpointTimer: false });
      try {
        return await fn(ctx);
      } finally {
        // Seeds schedule deadlines, which boot pg-boss lazily: stop it, or the process never exits.
        await ctx.jobs.stop();
        await ctx.ledger.stop();
      }
    } finally {
      await database.close();
    }
  } finally {
    await handle.embedded?.stop();
  }
}

export function buildCli(): Command {
  const program = new Command('shuyuan').description('数源 Shuyuan — public data resource platform').showHelpAfterError();

  program
    .command('start', { isDefault: true })
    .description('start the platform (embedded PostgreSQL unless DATABASE_URL is set)')
    .action(async () => {
      const config = loadConfig();
      const log = createLogger(config.logLevel);
      const platform = await startPlatform(config, { log });
      printBanner(platform.url, platform.demo);
      let stopping = false;
      const stop = (signal: string) => {
        if (stopping) return;
        stopping = true;
        log.info({ signal }, 'stopping');
        platform.stop().then(
          () => process.exit(0),
          () => process.exit(1),
        );
      };
      process.on('SIGINT', () => stop('SIGINT'));
      process.on('SIGTERM', () => stop('SIGTERM'));
    });

  program
    .command('migrate')
    .description('apply pending database migrations and exit')
    .action(async () => {
      const config = loadConfig();
      const handle = await resolveDatabase(config, createLogger('warn'));
      try {
        const { applied, current } = await migrate(handle.url, (m) => console.log(m));
        console.log(
          applied.length ? `applied ${applied.length} migration(s); schema is at ${current}` : `schema is up to date (${current})`,
        );
      } finally {
        await handle.embedded?.stop();
      }
    });

  program
    .command('seed-demo')
    .description('seed the demo city 示范市 (idempotent)')
    .action(async () => {
      const config = loadConfig();
      const summary = await withServices(config, (ctx) => seedDemo(ctx));
      console.log(summary.created ? 'demo world created' : 'demo world already present');
      for (const l of summary.logins) console.log(`${l.username}\t${l.password}\t${l.role}\t${l.org}`);
    });

  const user = program.command('user').description('manage users');
  user
    .command('create')
    .description('create a user')
    .requiredOption('-u, --username <name>', 'login name')
    .requiredOption('-p, --password <password>', 'initial password (must meet the password policy)')
    .option('-n, --name <displayName>', 'display name')
    .requiredOption('-o, --org <code>', 'organization code, e.g. AUTH')
    .addOption(new Option('-r, --role <role...>', 'role(s)').choices([...ROLES]).makeOptionMandatory())
    .action(async (o: { username: string; password: string; name?: string; org: string; role: Role[] }) => {
      const config = loadConfig();
      const created = await withServices(config, (ctx) =>
        ctx.identity.createUser(SYSTEM, {
          username: o.username,
          password: o.password,
          displayName: o.name ?? o.username,
          orgCode: o.org,
          roles: o.role,
        }),
      );
      console.log(`created user ${o.username} (${created.id})`);
    });

  const ledger = program.command('ledger').description('the tamper-evident ledger');
  ledger
    .command('verify')
    .description('recompute the hash chain and the signed checkpoints; name the first entry that does not verify')
    .action(async () => {
      const config = loadConfig();
      const result = await withServices(config, (ctx) =>
        ctx.ledger.verify((checked, total) => {
          if (process.stderr.isTTY) process.stderr.write(`\rverified ${checked}/${total}`);
        }),
      );
      if (process.stderr.isTTY) process.stderr.write('\n');
      if (result.ok) {
        console.log(`ledger OK: ${result.entries} entries, ${result.checkpoints} checkpoints verified`);
      } else {
        console.log(`ledger BROKEN at entry #${result.firstBad?.seq}: ${result.firstBad?.reason}`);
        process.exitCode = 2;
      }
    });

  const search = program.command('search').description('catalog search');
  search
    .command('reindex')
    .description('recompute the search tokens of every catalog resource (after a bulk load or a tokenizer upgrade)')
    .action(async () => {
      const config = loadConfig();
      const n = await withServices(config, (ctx) =>
        ctx.search.reindexAll({
          onProgress: (done) => {
            if (process.stderr.isTTY) process.stderr.write(`\rindexed ${done}`);
          },
        }),
      );
      if (process.stderr.isTTY) process.stderr.write('\n');
      console.log(`search index rebuilt: ${n} resources`);
    });

  return program;
}

try {
  await buildCli().parseAsync(process.argv);
} catch (e) {
  if (e instanceof ConfigError) {
    console.error(`configuration error: ${e.message}`);
  } else if (e instanceof AppError) {
    // The same stable code and messages as the HTTP API, in both languages (the CLI has no Accept-Language).
    console.error(`error ${e.code}: ${translate(e.code, 'zh-CN', e.params)} / ${translate(e.code, 'en', e.params)}`);
    if (e.details !== undefined) console.error(JSON.stringify(e.details, null, 2));
  } else {
    console.error(`error: ${(e as Error).message}`);
  }
  process.exit(1);
}
