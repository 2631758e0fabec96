import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ExampleInvoicesModule } from './example.module';

/**
 * The example invoices service. It reads its settings as a customer's service would:
 * KEYWARD_URL, KEYWARD_API_KEY (a keys:verify key of the company), HOST, PORT.
 */
async function main(): Promise<void> {
  const url = process.env.KEYWARD_URL;
  const apiKey = process.env.KEYWARD_API_KEY;
  if (!url || !apiKey) throw new Error('KEYWARD_URL and KEYWARD_API_KEY (a keys:verify key) must be set');
  const app = await NestFactory.create(ExampleInvoicesModule.forRoot({ url, apiKey }), { logger: ['error', 'warn', 'log'] });
  app.enableShutdownHooks(); // SIGTERM: the usage left is sent before the process ends
  await app.listen(Number(process.env.PORT ?? 3100), process.env.HOST ?? '127.0.0.1');
  new Logger('ExampleInvoices').log(`listening on ${await app.getUrl()}`);
}

main().catch((err: Error) => {
  process.stderr.write(`example-invoices: ${err.message}\n`);
  process.exit(1);
});
