import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { Command, InvalidArgumentError, Option } from 'commander';
import { CreateUserCommand, ListUsersQuery, UserResource } from '@keyward/keys';
import { operator, withApp } from './cli-app';
import { integer, jsonOption, permissionList, permissionsHelp, role, roleHelp, uuid } from './cli-options';
import { printJson, printLine, printTable } from './output';

const USER_COLUMNS = ['id', 'email', 'name', 'permissions', 'disabled', 'createdAt'];

function email(value: string): string {
  if (value.length > 254 || !/^[^\s@]+@[^\s@]+$/.test(value)) throw new InvalidArgumentError('must be an e-mail address.');
  return value;
}

function name(value: string): string {
  if (value.trim().length === 0 || value.length > 100) throw new InvalidArgumentError('must be 1 to 100 characters.');
  return value;
}

/** `keyward users …`: the owners of keys in one company (operator: the database directly). */
export function registerUsersCommands(program: Command): void {
  const users = program.command('users').description('[operator] users of one company: the owners of keys');

  users
    .command('create')
    .description('[operator] a user who can own keys; give --role or --permissions')
    .requiredOption('--company <id>', 'company id', uuid)
    .requiredOption('--email <email>', 'e-mail, unique in the company', email)
    .requiredOption('--name <name>', 'display name', name)
    .addOption(new Option('--role <role>', roleHelp).argParser(role).conflicts('permissions'))
    .addOption(new Option('--permissions <list>', permissionsHelp).argParser(permissionList))
    .option('--disabled', 'create the user disabled (its keys will not work)')
    .addOption(jsonOption())
    .action(async (o) => {
      if (!o.role && !o.permissions) throw new Error('give --role or --permissions');
      const user: UserResource = await withApp((app) =>
        app.get(CommandBus).execute(
          new CreateUserCommand(operator(o.company), {
            email: o.email,
            name: o.name,
            role: o.role,
            permissions: o.permissions,
            disabled: o.disabled ?? false,
          }),
        ),
      );
      if (o.json) return printJson(user);
      printTable([user as unknown as Record<string, unknown>], USER_COLUMNS);
    });

  users
    .command('list')
    .description('[operator] the users of a company, oldest first')
    .requiredOption('--company <id>', 'company id', uuid)
    .option('--limit <n>', 'at most this many (1..500)', integer(1, 500), 100)
    .option('--cursor <cursor>', 'continue after a previous page (its nextCursor)')
    .addOption(jsonOption())
    .action(async (o) => {
      const page = await withApp((app) =>
        app.get(QueryBus).execute(new ListUsersQuery(o.company, { limit: o.limit, cursor: o.cursor })),
      );
      if (o.json) return printJson(page);
      printTable(page.items as unknown as Record<string, unknown>[], USER_COLUMNS);
      if (page.nextCursor) printLine(`more: --cursor ${page.nextCursor}`);
    });
}
