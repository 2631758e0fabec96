import { existsSync } from 'node:fs';
import path from 'node:path';
import { ConsoleLogger, INestApplicationContext, LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { KeywardConfig, loadConfig } from '@keyward/config';
import { resolveOperatorEnvironment } from '@keyward/embedded';
import { migrate } from '@keyward/database';
import { CommandContext } from '@keyward/event-store';
import { CliModule } from './cli.module';

/** The folder of this installation (its package.json), where `npm start` keeps `.keyward` by default. */
function packageRoot(): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'package.json')) || path.dirname(dir) === dir) return dir;
  }
}

/**
 * What every operator command shares: the configuration (validated like the API's, so a
 * missing DATABASE_URL is named; with none of DATABASE_URL, REDIS_URL, KEYWARD_PEPPER set, the
 * installation that `npm start` runs, named on stderr), migrations, and the Nest context of
 * CliModule — opened only when the command runs, so commands that need no database never read
 * the configuration.
 */
export async function withApp<T>(fn: (app: INestApplicationContext, config: KeywardConfig) => Promise<T>): Promise<T> {
  const { env, installation } = await resolveOperatorEnvironment(process.env, { cwd: process.cwd(), packageRoot: packageRoot() });
  if (installation) {
    const { record } = installation;
    // stderr: stdout stays the command's output (--json). No URL with credentials, no secret.
    process.stderr.write(`keyward: acting on the Keyward that \`npm start\` runs from ${record.dataDir} (API ${record.apiUrl}, launcher pid ${record.pids.launcher})\n`);
  }
  const config = loadConfig(env);
  await migrate(config.databaseUrl);
  const app = await NestFactory.createApplicationContext(CliModule.forRoot(config), { logger: new StderrLogger() });
  try {
    return await fn(app, config);
  } finally {
    await app.close();
  }
}

/** The operator acting in a company: the system actor 'cli', with every permission. */
export function operator(companyId: string, ownerId?: string): CommandContext {
  return { companyId, actor: { type: 'system', id: 'cli' }, permissions: 'all', metadata: {}, ownerId };
}

/** Logs go to stderr: stdout is the command's output (and JSON for scripts). */
export class StderrLogger extends ConsoleLogger {
  constructor() {
    super('keyward', { logLevels: ['error', 'warn'] });
  }
  protected override printMessages(messages: unknown[], context?: string, logLevel?: LogLevel): void {
    super.printMessages(messages, context, logLevel, 'stderr');
  }
}
