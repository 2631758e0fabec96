import { NestFactory } from '@nestjs/core';
import type { OpenAPIObject } from '@nestjs/swagger';
import { loadConfig } from '@keyward/config';
import { AppModule } from './app.module';
import { apiHttpAdapter, openApiDocument } from './app.setup';

/**
 * The configuration the snapshot is built with: fixed, so the document does not depend on the
 * machine that writes it. Nothing connects to these addresses: the app is created in preview mode.
 */
const SNAPSHOT_ENV = {
  NODE_ENV: 'production',
  DATABASE_URL: 'postgres://unused@127.0.0.1:1/openapi_snapshot',
  REDIS_URL: 'redis://127.0.0.1:1',
  KEYWARD_PEPPER: 'openapi-snapshot-pepper-not-a-secret-0123456789',
  LOG_LEVEL: 'fatal',
};

/**
 * The OpenAPI document the API serves at /docs/openapi.json, built without Postgres or Redis:
 * Nest's preview mode scans the modules and controllers (all the document needs) and
 * instantiates no provider, so no connection is opened. Used to generate the console's client
 * types (scripts/console-schema.js).
 */
export async function openApiSnapshot(): Promise<OpenAPIObject> {
  const config = loadConfig(SNAPSHOT_ENV);
  // on the API's HTTP adapter, as the document it serves
  const app = await NestFactory.create(AppModule.forRoot(config), apiHttpAdapter(config), { preview: true, logger: false, abortOnError: false });
  try {
    return openApiDocument(app);
  } finally {
    await app.close();
  }
}

if (require.main === module) {
  openApiSnapshot().then(
    (document) => process.stdout.write(`${JSON.stringify(document, null, 2)}\n`),
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
