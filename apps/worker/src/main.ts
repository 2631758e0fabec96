import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Logger as PinoLogger } from 'nestjs-pino';
import { loadConfig } from '@keyward/config';
import { migrate } from '@keyward/database';
import { WorkerHttpServer } from './ops/worker-http-server';
import { WorkerModule } from './worker.module';

/**
 * The worker: BullMQ processors, and on its own port (WORKER_HTTP_PORT) /health/live,
 * /health/ready and /metrics only — a plain HTTP server, never an API.
 */
async function main(): Promise<void> {
  const config = loadConfig();
  await migrate(config.databaseUrl);
  const app = await NestFactory.createApplicationContext(WorkerModule.forRoot(config, { serveHttp: true }), { bufferLogs: true });
  app.useLogger(app.get(PinoLogger));
  app.enableShutdownHooks();
  new Logger('Keyward').log(`worker started; health and metrics on ${app.get(WorkerHttpServer).url}`);
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
