import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import { loadConfig } from '@keyward/config';
import { migrate } from '@keyward/database';
import { AppModule } from './app.module';
import { answerClientErrorsAsProblems, configureApp } from './app.setup';

async function main(): Promise<void> {
  const config = loadConfig();
  await migrate(config.databaseUrl);
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config), {
    bodyParser: false,
    bufferLogs: true,
  });
  configureApp(app, config);
  await app.listen(config.port, config.host);
  answerClientErrorsAsProblems(app.getHttpServer());
  new Logger('Keyward').log(`API listening on http://${config.host}:${config.port} (playground: /docs)`);
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
