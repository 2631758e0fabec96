import 'reflect-metadata';
import { ConsoleLogger, INestApplicationContext, LogLevel } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { NestFactory } from '@nestjs/core';
import { Command, Option } from 'commander';
import { KeywardConfig, loadConfig } from '@keyward/config';
import { migrate } from '@keyward/database';
import { EventStore, Projector } from '@keyward/event-store';
import {
  BootstrapCommand,
  CommandContext,
  CreateKeyCommand,
  ListKeysQuery,
  RevokeKeyCommand,
  RotateKeyCommand,
} from '@keyward/keys';
import { CliModule } from './cli.module';
import { printJson, printLine, printTable, progress } from './output';

const program = new Command()
  .name('keyward')
  .description(
    'Keyward from the command line. Every command here is an operator command: it talks to the database ' +
      '(DATABASE_URL) and Redis (REDIS_URL) directly, with the same configuration as the API, and acts as the ' +
      "system actor 'cli' in the audit log.",
  )
  .showHelpAfterError();

async function withApp<T>(fn: (app: INestApplicationContext, config: KeywardConfig) => Promise<T>): Promise<T> {
  const config = loadConfig();
  await migrate(config.databaseUrl);
  const app = await NestFactory.createApplicationContext(CliModule.forRoot(config), { logger: new StderrLogger() });
  try {
    return await fn(app, config);
  } finally {
    await app.close();
  }
}

function operator(companyId: string, ownerId?: string): CommandContext {
  return { companyId, actor: { type: 'system', id: 'cli' }, permissions: 'all', metadata: {}, ownerId };
}

/** Logs go to stderr: stdout is the command's output (and JSON for scripts). */
class StderrLogger extends ConsoleLogger {
  constructor() {
    super('keyward', { logLevels: ['error', 'warn'] });
  }
  protected override printMessages(messages: unknown[], context?: string, logLevel?: LogLevel): void {
    super.printMessages(messages, context, logLevel, 'stderr');
  }
}

const json = new Option('--json', 'print JSON instead of a table');

program
  .command('bootstrap')
  .description('create the first company, its admin user and an ADMIN key (printed once)')
  .option('--company <name>', 'company name', 'Default company')
  .option('--email <email>', 'admin e-mail', 'admin@localhost')
  .option('--name <name>', 'admin name', 'Admin')
  .option('--if-needed', 'do nothing (and succeed) when a company already exists')
  .addOption(json)
  .action(async (o) => {
    const result = await withApp((app) =>
      app.get(CommandBus).execute(
        new BootstrapCommand({ companyName: o.company, adminEmail: o.email, adminName: o.name, firstOnly: true }),
      ),
    );
    if (!result && !o.ifNeeded) throw new Error('already bootstrapped: a company exists (use `companies create` for another)');
    if (o.json) return printJson(result ? { created: true, ...result } : { created: false });
    if (!result) return printLine('Already bootstrapped: nothing to do.');
    printCreatedCompany(result);
  });

const companies = program.command('companies').description('tenants');
companies
  .command('create')
  .description('another company with its admin user and ADMIN key (printed once)')
  .requiredOption('--name <name>', 'company name')
  .option('--email <email>', 'admin e-mail', 'admin@localhost')
  .option('--admin-name <name>', 'admin name', 'Admin')
  .addOption(json)
  .action(async (o) => {
    const result = await withApp((app) =>
      app.get(CommandBus).execute(
        new BootstrapCommand({ companyName: o.name, adminEmail: o.email, adminName: o.adminName, firstOnly: false }),
      ),
    );
    if (o.json) return printJson({ created: true, ...result });
    printCreatedCompany(result!);
  });

function printCreatedCompany(r: { companyId: string; userId: string; keyId: string; key: string }): void {
  printLine(`company  ${r.companyId}`);
  printLine(`admin    ${r.userId}`);
  printLine(`key id   ${r.keyId}`);
  printLine(`key      ${r.key}`);
  printLine('The key is shown this once; store it now.');
}

const keys = program.command('keys').description('API keys of one company');
keys
  .command('list')
  .requiredOption('--company <id>', 'company id')
  .option('--status <list>', 'active,revoked,expired')
  .option('--limit <n>', 'at most this many', '100')
  .addOption(json)
  .action(async (o) => {
    const page = await withApp((app) =>
      app.get(QueryBus).execute(
        new ListKeysQuery(o.company, { status: o.status?.split(','), limit: Number(o.limit) }),
      ),
    );
    if (o.json) return printJson(page);
    printTable(page.items as unknown as Record<string, unknown>[], ['id', 'name', 'start', 'status', 'permissions', 'expiresAt', 'lastUsedAt']);
  });
keys
  .command('create')
  .requiredOption('--company <id>', 'company id')
  .requiredOption('--owner <userId>', 'owner (a user of the company)')
  .requiredOption('--name <name>', 'key name')
  .option('--permissions <list>', 'comma-separated permissions')
  .option('--role <role>', 'ADMIN or READONLY')
  .option('--expires-at <iso>', 'expiry instant')
  .addOption(json)
  .action(async (o) => {
    const created = await withApp((app) =>
      app.get(CommandBus).execute(
        new CreateKeyCommand(operator(o.company, o.owner), {
          name: o.name,
          permissions: o.permissions?.split(','),
          role: o.role,
          expiresAt: o.expiresAt,
        }),
      ),
    );
    if (o.json) return printJson(created);
    printLine(`key id   ${created.id}`);
    printLine(`key      ${created.key}`);
    printLine('The key is shown this once; store it now.');
  });
keys
  .command('revoke <keyId>')
  .requiredOption('--company <id>', 'company id')
  .option('--reason <text>', 'why')
  .addOption(json)
  .action(async (keyId: string, o) => {
    const key = await withApp((app) =>
      app.get(CommandBus).execute(new RevokeKeyCommand(operator(o.company), keyId, o.reason ?? null)),
    );
    if (o.json) return printJson(key);
    printLine(`revoked ${key.id} (${key.start}…); every API instance refuses it now`);
  });
keys
  .command('rotate <keyId>')
  .requiredOption('--company <id>', 'company id')
  .option('--grace <seconds>', 'how long the old key keeps working', '0')
  .addOption(json)
  .action(async (keyId: string, o) => {
    const created = await withApp((app) =>
      app.get(CommandBus).execute(new RotateKeyCommand(operator(o.company), keyId, Number(o.grace))),
    );
    if (o.json) return printJson(created);
    printLine(`new key id ${created.id}`);
    printLine(`new key    ${created.key}`);
    printLine(`old key works until ${created.graceEndsAt ?? 'now'}; the new key is shown this once`);
  });

program
  .command('projections')
  .description('read models')
  .command('rebuild')
  .description('empty the read models and replay the whole log from position zero')
  .addOption(json)
  .action(async (o) => {
    const run = await withApp((app) => app.get(Projector).rebuild(progress('events applied', !o.json)));
    if (o.json) return printJson(run);
    printLine(`\nrebuilt from ${run.applied} events, up to position ${run.checkpoint.position}`);
  });

program
  .command('audit')
  .description('the event log')
  .command('verify')
  .description('recompute the hash chain and name the first bad position')
  .option('--from <position>', 'start at this position (trusting the one before it)')
  .addOption(json)
  .action(async (o) => {
    const result = await withApp((app) =>
      app.get(EventStore).verify({ fromPosition: o.from ? Number(o.from) : undefined, onProgress: progress('events checked', !o.json) }),
    );
    if (o.json) printJson(result);
    else if (result.ok) printLine(`\nchain intact: ${result.checked} events checked, head at position ${result.head?.position ?? 0}`);
    else printLine(`\nCHAIN BROKEN at position ${result.firstBadPosition} (${result.reason}) after ${result.checked} good events`);
    if (!result.ok) process.exitCode = 2;
  });

program.parseAsync(process.argv).catch((err: unknown) => {
  const e = err as { response?: { detail?: string }; message?: string };
  process.stderr.write(`keyward: ${e.response?.detail ?? e.message ?? String(err)}\n`);
  process.exit(1);
});
