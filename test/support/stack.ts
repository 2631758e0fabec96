import { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { CommandBus } from '@nestjs/cqrs';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DataSource } from 'typeorm';
import { AppModule } from '../../apps/api/src/app.module';
import { createApi } from '../../apps/api/src/app.setup';
import { WorkerModule } from '../../apps/worker/src/worker.module';
import { KeywardConfig } from '@keyward/config';
import { Projector } from '@keyward/event-store';
import { QueueName, openQueue } from '@keyward/queue';
import { UsageBuffer } from '@keyward/usage';
import { BootstrapCommand, BootstrapResult } from '@keyward/keys';
import { TestDatabase, createTestDatabase, testConfig } from '@keyward/testing';

export interface Stack {
  config: KeywardConfig;
  db: TestDatabase;
  api: NestFastifyApplication;
  worker: INestApplicationContext;
  url: string;
  admin: BootstrapResult;
  /** A direct connection for assertions on the log and the read models. */
  sql: DataSource;
  eventCount(): Promise<number>;
  /** Hands the usage buffer over and waits until the worker appended it (the projector may still be behind). */
  appendUsage(): Promise<void>;
  /** Hands the usage buffer over and waits until the worker appended and projected it. */
  settleUsage(): Promise<void>;
  close(): Promise<void>;
}

/** One API and one worker in this process, on a fresh database and Redis prefix, with a bootstrapped company. */
export async function startStack(env: NodeJS.ProcessEnv = {}): Promise<Stack> {
  const db = await createTestDatabase();
  const config = testConfig({ DATABASE_URL: db.url, PROJECTION_TICK_MS: '60000', ...env });
  const worker = await NestFactory.createApplicationContext(WorkerModule.forRoot(config), { logger: ['error'] });
  await worker.init();
  const api = await createApi(AppModule.forRoot(config), config, { logger: ['error'] });
  await api.listen(0, '127.0.0.1');
  const address = api.getHttpServer().address() as { port: number };
  const admin = await api.get(CommandBus).execute(
    new BootstrapCommand({ companyName: 'Acme', adminEmail: 'admin@acme.test', adminName: 'Admin', firstOnly: true }),
  );
  const sql = new DataSource({ type: 'postgres', url: db.url, extra: { max: 2 } });
  await sql.initialize();
  /** Hands the usage buffer over and waits until the worker appended it (not projected). */
  const appendUsage = async () => {
    await api.get(UsageBuffer).flush();
    const queue = openQueue(config, QueueName.Usage);
    try {
      const deadline = Date.now() + 20_000;
      for (;;) {
        const c = await queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized');
        if (Object.values(c).every((n) => n === 0)) break;
        if (Date.now() > deadline) throw new Error(`usage queue did not drain: ${JSON.stringify(c)}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    } finally {
      await queue.close();
    }
  };
  return {
    config,
    db,
    api,
    worker,
    url: `http://127.0.0.1:${address.port}`,
    admin: admin!,
    sql,
    // usage events (one per authenticated request, one per refused authentication) are
    // expected of every request; what a refused request must not add is anything else
    eventCount: async () =>
      Number((await sql.query(`SELECT count(*) AS n FROM events WHERE type NOT IN ('KeyUsed', 'AuthenticationFailed')`))[0].n),
    appendUsage,
    settleUsage: async () => {
      await appendUsage();
      // applied up to the last event: a transaction open elsewhere in the cluster may hold the
      // projector's horizon back for a while (bounded poll for that state)
      const projector = worker.get(Projector);
      const deadline = Date.now() + 30_000;
      for (;;) {
        const { checkpoint } = await projector.catchUp();
        const [{ n }] = await sql.query(`SELECT count(*)::int AS n FROM events WHERE (transaction_id, position) > ($1::text::xid8, $2::bigint)`, [
          checkpoint.transactionId,
          checkpoint.position,
        ]);
        if (n === 0) break;
        if (Date.now() > deadline) throw new Error(`the projector is ${n} events behind after 30 s`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    close: async () => {
      await api.close();
      await worker.close();
      await sql.destroy();
      await db.drop();
    },
  };
}

export interface Reply<T = any> {
  status: number;
  headers: Headers;
  body: T;
}

/** A small JSON client; `key` goes in x-api-key unless `bearer` is set. */
export async function call<T = any>(
  url: string,
  method: string,
  path: string,
  options: { key?: string; bearer?: string; body?: unknown; rawBody?: string | Uint8Array; headers?: Record<string, string> } = {},
): Promise<Reply<T>> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.key !== undefined) headers['x-api-key'] = options.key;
  if (options.bearer !== undefined) headers.authorization = `Bearer ${options.bearer}`;
  // bytes as given (a copy the fetch types accept): tests send bodies that are not valid UTF-8
  let body: string | Uint8Array<ArrayBuffer> | undefined = typeof options.rawBody === 'string' ? options.rawBody : options.rawBody && new Uint8Array(options.rawBody);
  if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers['content-type'] ??= 'application/json';
  }
  const res = await fetch(url + path, { method, headers, body });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON: keep the text
  }
  return { status: res.status, headers: res.headers, body: parsed as T };
}
