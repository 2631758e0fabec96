import type { DynamicModule, Provider, Type } from '@nestjs/common';
import type { TestingModule } from '@nestjs/testing';
import type { CommandBus, QueryBus } from '@nestjs/cqrs';
import type { DataSource } from 'typeorm';
import type { KeywardConfig } from '@keyward/config';
import type { CommandContext, EventStore } from '@keyward/event-store';
import { createTestDatabase, TestDatabase } from './test-database';
import { testConfig } from './test-config';

/** A company made by BootstrapCommand: its first admin user and that user's administration key. */
export interface TestCompany {
  companyId: string;
  adminId: string;
  adminKeyId: string;
  /** The operator at the command line: every permission, no owner, no restrictions. */
  operator: CommandContext;
}

export interface KeysTestApp {
  db: TestDatabase;
  config: KeywardConfig;
  module: TestingModule;
  dataSource: DataSource;
  store: EventStore;
  commands: CommandBus;
  queries: QueryBus;
  /** A fresh company (one per test keeps tests of one file apart on one database). */
  company(): Promise<TestCompany>;
  /** A user of the company, with these permissions; returns its id. */
  user(company: TestCompany, permissions: string[], options?: { disabled?: boolean }): Promise<string>;
  /** The context of a key of `ownerId` with these permissions (and optionally restrictions). */
  keyCtx(company: TestCompany, ownerId: string, permissions: string[], extra?: Partial<CommandContext>): CommandContext;
  /** How many events the log holds: a refusal must leave it unchanged. */
  eventCount(): Promise<number>;
  /** The refusal of a command (see `refusal`), after checking that it appended nothing. */
  refused(running: () => Promise<unknown>): Promise<{ status: number; code: string; fields: string[] }>;
  close(): Promise<void>;
}

/**
 * The key domain as the command line runs it, on a database of its own: real Postgres, the real
 * EventStore, Redis, and the 'inline' projection mode (writes apply the log themselves, no worker).
 * `providers`/`imports` add what the inline module leaves out (the API's usage and quota handlers,
 * the worker's expiry sweep). Modules are loaded only when called, so other specs importing
 * @keyward/testing do not pay for them.
 */
export async function createKeysTestApp(options: { imports?: (Type<unknown> | DynamicModule)[]; providers?: Provider[] } = {}): Promise<KeysTestApp> {
  // required here rather than imported at the top: specs that use only the rest of @keyward/testing do not load Nest and the libs
  const { Test }: typeof import('@nestjs/testing') = require('@nestjs/testing');
  const { CommandBus, QueryBus }: typeof import('@nestjs/cqrs') = require('@nestjs/cqrs');
  const { DataSource }: typeof import('typeorm') = require('typeorm');
  const { AuthModule }: typeof import('@keyward/auth') = require('@keyward/auth');
  const { ConfigModule }: typeof import('@keyward/config') = require('@keyward/config');
  const { DatabaseModule }: typeof import('@keyward/database') = require('@keyward/database');
  const es: typeof import('@keyward/event-store') = require('@keyward/event-store');
  const keys: typeof import('@keyward/keys') = require('@keyward/keys');
  const { RedisModule }: typeof import('@keyward/queue') = require('@keyward/queue');
  const db = await createTestDatabase();
  const config = testConfig({ DATABASE_URL: db.url });
  const module = await Test.createTestingModule({
    imports: [
      ConfigModule.forRoot(config),
      DatabaseModule,
      RedisModule,
      es.EventStoreModule,
      AuthModule.forInvalidation(),
      es.ProjectorModule.register([keys.KeysReadModelProjection]),
      keys.KeysModule.register('inline'),
      ...(options.imports ?? []),
    ],
    providers: options.providers ?? [],
  }).compile();
  await module.init();
  const dataSource = module.get(DataSource);
  const store = module.get(es.EventStore);
  const commands = module.get(CommandBus);
  const queries = module.get(QueryBus);

  const eventCount = async (): Promise<number> => {
    const [{ n }] = await dataSource.query('SELECT count(*)::int AS n FROM events');
    return n;
  };
  return {
    db,
    config,
    module,
    dataSource,
    store,
    commands,
    queries,
    async company() {
      const made = await commands.execute(
        new keys.BootstrapCommand({ companyName: 'Acme', adminEmail: `admin-${Math.random().toString(36).slice(2)}@acme.test`, adminName: 'Admin', firstOnly: false }),
      );
      const { companyId, userId, keyId } = made!;
      return { companyId, adminId: userId, adminKeyId: keyId, operator: { companyId, actor: { type: 'system', id: 'test' }, permissions: 'all', metadata: {} } };
    },
    async user(company, permissions, { disabled = false } = {}) {
      const email = `u-${Math.random().toString(36).slice(2)}@acme.test`;
      const made = await commands.execute(new keys.CreateUserCommand(company.operator, { email, name: 'U', permissions, disabled }));
      return made.id;
    },
    keyCtx(company, ownerId, permissions, extra = {}) {
      return {
        companyId: company.companyId,
        actor: { type: 'key', id: `caller-of-${ownerId}` },
        permissions,
        metadata: {},
        ownerId,
        restrictions: { expiresAt: null, allowedIps: [] },
        ...extra,
      };
    },
    eventCount,
    async refused(running) {
      const before = await eventCount();
      const answer = await refusal(running());
      const after = await eventCount();
      if (after !== before) throw new Error(`the refused command appended ${after - before} event(s)`);
      return answer;
    },
    async close() {
      await module.close();
      await db.drop();
    },
  };
}

/** What a refused command threw, as the HTTP answer would carry it: status, code and the fields named. */
export async function refusal(running: Promise<unknown>): Promise<{ status: number; code: string; fields: string[] }> {
  const { Problem }: typeof import('@keyward/common') = require('@keyward/common');
  try {
    await running;
  } catch (err) {
    if (!(err instanceof Problem)) throw err;
    const body = err.getResponse() as { code: string; errors?: { field: string }[] };
    return { status: err.getStatus(), code: body.code, fields: (body.errors ?? []).map((e) => e.field) };
  }
  throw new Error('expected the command to be refused, and it was not');
}

/**
 * One app (one database) for a spec file, and a fresh company before each test:
 * `const app = keysTestSuite();` then `app.acme`, `app.commands`, `app.refused(...)`.
 */
export function keysTestSuite(options: Parameters<typeof createKeysTestApp>[0] = {}): KeysTestApp & { acme: TestCompany } {
  const suite = {} as KeysTestApp & { acme: TestCompany };
  beforeAll(async () => {
    Object.assign(suite, await createKeysTestApp(options));
  });
  afterAll(() => suite.close());
  beforeEach(async () => {
    suite.acme = await suite.company();
  });
  return suite;
}
