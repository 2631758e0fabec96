import { ConsoleLogger, INestApplicationContext, LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { KeywardConfig, loadConfig } from '@keyward/config';
import { migrate } from '@keyward/database';
import { CommandContext } from '@keyward/keys';
import { CliModule } from './cli.module';

/**
 * What every operator command shares: the configuration (validated like the API's, so a
 * missing DATABASE_URL is named), migrations, and the Nest context of CliModule — opened
 * only when the command runs, so commands that need no database never read the configuration.
 */
export async function withApp<T>(fn: (app: INestApplicationContext, config: KeywardConfig) => Promise<T>): Promise<T> {
  const config = loadConfig();
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
