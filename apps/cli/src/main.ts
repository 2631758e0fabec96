import 'reflect-metadata';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { Command, Option } from 'commander';
import { EventStore, Projector } from '@keyward/event-store';
import {
  BootstrapCommand,
  CreateKeyCommand,
  DeleteKeyCommand,
  ListKeysQuery,
  RevokeKeyCommand,
  RotateKeyCommand,
} from '@keyward/keys';
import { registerApiCommands } from './api-commands';
import { registerAuditCommands } from './audit-commands';
import { operator, withApp } from './cli-app';
import { integer, isoInstant, jsonOption, permissionList, permissionsHelp, role, roleHelp, uuid } from './cli-options';
import { printJson, printLine, printTable, progressBar } from './output';
import { registerUsersCommands } from './users-commands';

const program = new Command()
  .name('keyward')
  .description('Keyward from the command line: operator commands on the database, auditor commands over the HTTP API.')
  .addHelpText(
    'after',
    `
Who talks to what:
  operator  bootstrap, companies, keys, users, projections, audit verify, api
            PostgreSQL (DATABASE_URL) and Redis (REDIS_URL) directly, with the API's configuration
            (KEYWARD_PEPPER, REDIS_PREFIX, …); acts as the system actor 'cli' in the audit log.
  auditor   audit list, audit export
            a running API over HTTP: --url or KEYWARD_URL, and a key with audit:read in
            KEYWARD_API_KEY (or --key); sees only that key's company, needs no database access.
  offline   audit verify --file export.jsonl: no database, no configuration.
Every command takes --json (one JSON line on stdout, no progress bar). Exit codes: 0 done,
1 error (message on stderr), 2 the audit chain or a checkpoint shows tampering.`,
  )
  .showHelpAfterError();

const json = jsonOption();

program
  .command('bootstrap')
  .description('[operator] create the first company, its admin user and an ADMIN key (printed once)')
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

const companies = program.command('companies').description('[operator] tenants');
companies
  .command('create')
  .description('[operator] another company with its admin user and ADMIN key (printed once)')
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

const keys = program.command('keys').description('[operator] API keys of one company');
keys
  .command('list')
  .description('[operator] the keys of a company (never their values)')
  .requiredOption('--company <id>', 'company id', uuid)
  .option('--status <list>', 'active,revoked,expired')
  .option('--limit <n>', 'at most this many (1..500)', integer(1, 500), 100)
  .addOption(json)
  .action(async (o) => {
    const page = await withApp((app) =>
      app.get(QueryBus).execute(
        new ListKeysQuery(o.company, { status: o.status?.split(','), limit: o.limit }),
      ),
    );
    if (o.json) return printJson(page);
    printTable(page.items as unknown as Record<string, unknown>[], ['id', 'name', 'start', 'status', 'type', 'permissions', 'expiresAt', 'lastUsedAt']);
  });
keys
  .command('create')
  .description('[operator] a key for a user of the company (printed once)')
  .requiredOption('--company <id>', 'company id', uuid)
  .requiredOption('--owner <userId>', 'owner (a user of the company)', uuid)
  .requiredOption('--name <name>', 'key name')
  .option('--permissions <list>', permissionsHelp, permissionList)
  .addOption(new Option('--role <role>', roleHelp).argParser(role).conflicts('permissions'))
  .option('--expires-at <iso>', 'expiry instant', isoInstant)
  .addOption(json)
  .action(async (o) => {
    const created = await withApp((app) =>
      app.get(CommandBus).execute(
        new CreateKeyCommand(operator(o.company, o.owner), {
          name: o.name,
          permissions: o.permissions,
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
  .description('[operator] refuse the key everywhere from now on; it stays listed as revoked')
  .requiredOption('--company <id>', 'company id', uuid)
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
  .description('[operator] a new key with the same settings (printed once); the old one works until the grace ends')
  .requiredOption('--company <id>', 'company id', uuid)
  .option('--grace <seconds>', 'how long the old key keeps working (0..604800)', integer(0, 604_800), 0)
  .addOption(json)
  .action(async (keyId: string, o) => {
    const created = await withApp((app) =>
      app.get(CommandBus).execute(new RotateKeyCommand(operator(o.company), keyId, o.grace)),
    );
    if (o.json) return printJson(created);
    printLine(`new key id ${created.id}`);
    printLine(`new key    ${created.key}`);
    printLine(`old key works until ${created.graceEndsAt ?? 'now'}; the new key is shown this once`);
  });
keys
  .command('delete')
  .description('[operator] remove the key from lists and refuse it everywhere; its history stays in the audit log')
  .argument('<keyId>', 'key id', uuid)
  .requiredOption('--company <id>', 'company id', uuid)
  .addOption(json)
  .action(async (keyId: string, o) => {
    await withApp((app) => app.get(CommandBus).execute(new DeleteKeyCommand(operator(o.company), keyId)));
    if (o.json) return printJson({ id: keyId, deleted: true });
    printLine(`deleted ${keyId}; every API instance refuses it now, and its history stays in the audit log`);
  });

registerUsersCommands(program);

program
  .command('projections')
  .description('[operator] read models')
  .command('rebuild')
  .description('[operator] empty the read models and replay the whole log from position zero, in one transaction')
  .addOption(json)
  .action(async (o) => {
    const run = await withApp(async (app) => {
      const bar = progressBar('rebuilding', { enabled: !o.json, total: (await app.get(EventStore).head())?.position ?? 0 });
      try {
        return await app.get(Projector).rebuild((n) => bar.update(n));
      } finally {
        bar.stop();
      }
    });
    if (o.json) return printJson(run);
    printLine(`rebuilt from ${run.applied.toLocaleString('en')} events, up to position ${run.checkpoint.position}`);
  });

registerAuditCommands(program);
registerApiCommands(program);

program.parseAsync(process.argv).catch((err: unknown) => {
  const e = err as { response?: { detail?: string }; message?: string };
  process.stderr.write(`keyward: ${e.response?.detail ?? e.message ?? String(err)}\n`);
  process.exit(1);
});
