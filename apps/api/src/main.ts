import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { loadConfig } from '@keyward/config';
import { migrate } from '@keyward/database';
import { AppModule } from './app.module';
import { createApi } from './app.setup';

async function main(): Promise<void> {
  const config = loadConfig();
  await migrate(config.databaseUrl);
  const app = await createApi(AppModule.forRoot(config), config, { bufferLogs: true });
  await app.listen(config.port, config.host);
  new Logger('Keyward').log(`API listening on http://${config.host}:${config.port} (playground: /docs)`);
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
