import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { loadConfig } from '@keyward/config';
import { migrate } from '@keyward/database';
import { WorkerModule } from './worker.module';

/** The worker: BullMQ processors only, no HTTP server. */
async function main(): Promise<void> {
  const config = loadConfig();
  await migrate(config.databaseUrl);
  const app = await NestFactory.createApplicationContext(WorkerModule.forRoot(config), {
    logger: ['error', 'warn', 'log'],
  });
  app.enableShutdownHooks();
  new Logger('Keyward').log('worker started');
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
