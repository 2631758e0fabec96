import { randomUUID } from 'node:crypto';
import { RedisClient, createRedisClient } from '@keyward/queue';
import { DataSource } from 'typeorm';
import { KeywardConfig } from '@keyward/config';
import { TestDatabase, createTestDatabase, testConfig } from '@keyward/testing';
import { EventStore } from './event-store';
import { NewEvent, ProjectedEvent } from './event.types';
import { Projection } from './projection';
import { Projector } from './projector';

/** A projection of its own for these tests: a table of names. */
class NamesProjection implements Projection {
  readonly tables = ['test_names'];
  async apply(m: import('typeorm').EntityManager, events: ProjectedEvent[]): Promise<void> {
    for (const e of events) {
      if (e.type === 'Named') await m.query('INSERT INTO test_names (name) VALUES ($1)', [(e.data as { name: string }).name]);
    }
  }
}

const companyCreated = (name: string): NewEvent => ({
  streamId: `thing-${randomUUID()}`,
  type: 'Named',
  companyId: null,
  actor: { type: 'system', id: 'test' },
  data: { name },
});

describe('Projector (real Postgres and Redis)', () => {
  let db: TestDatabase;
  let ds: DataSource;
  let redis: RedisClient;
  let config: KeywardConfig;
  let store: EventStore;
  let projector: Projector;
  const names = async () => (await ds.query('SELECT name FROM test_names ORDER BY name')).map((r: { name: string }) => r.name);

  beforeEach(async () => {
    db = await createTestDatabase();
    config = testConfig({ DATABASE_URL: db.url });
    ds = new DataSource({ type: 'postgres', url: db.url, extra: { max: 10 } });
    await ds.initialize();
    await ds.query('CREATE TABLE test_names (name text NOT NULL)');
    redis = createRedisClient(config.redis);
    store = new EventStore(ds);
    projector = new Projector(ds, store, config, redis, [new NamesProjection()]);
  });

  afterEach(async () => {
    redis.disconnect();
    await ds.destroy();
    await db.drop();
  });

  /** Resolves after the projector's next read of the log has returned (what it got). */
  const nextRead = (of: EventStore = store) =>
    new Promise<ProjectedEvent[]>((resolve) => {
      const read = of.readAfter.bind(of);
      const spy = jest.spyOn(of, 'readAfter').mockImplementation(async (...args) => {
        const got = await read(...args);
        spy.mockRestore();
        resolve(got);
        return got;
      });
    });

  /** A transaction holding an id, open on another connection (of `url`: another database is the same server's xids). */
  const openHolder = async (url = db.url) => {
    const other = new DataSource({ type: 'postgres', url, extra: { max: 1 } });
    await other.initialize();
    const runner = other.createQueryRunner();
    await runner.startTransaction();
    const [{ xid }] = await runner.query('SELECT pg_current_xact_id()::text AS xid');
    return {
      xid: BigInt(xid),
      runner,
      end: async () => {
        if (runner.isTransactionActive) await runner.commitTransaction();
        await runner.release();
        await other.destroy();
      },
    };
  };

  it('applies both of two appends that commit out of order, waiting for the earlier transaction', async () => {
    const early = await openHolder();
    // this transaction takes its id first, a later one appends and commits while it is still open
    const late = await store.append([companyCreated('late')], { expectedVersions: {} });
    expect(BigInt(late.checkpoint.transactionId)).toBeGreaterThan(early.xid);

    // the committed event sits above the horizon: the projector must not move past it yet ...
    const firstRead = nextRead();
    const run = projector.catchUp();
    expect(await firstRead).toEqual([]);
    expect(await names()).toEqual([]);
    expect((await projector.checkpoint()).position).toBe(0);

    // ... and waits: the early transaction appends last and commits
    const earlyAppend = await store.appendWithin(early.runner.manager, [companyCreated('early')], { expectedVersions: {} });
    await early.end();
    expect(earlyAppend.events[0].position).toBeGreaterThan(late.events[0].position);

    const done = await run;
    expect(done.applied).toBe(2);
    expect(await names()).toEqual(['early', 'late']);
    // reader order is (transaction id, position): the early transaction's event first
    expect(done.checkpoint).toEqual(late.checkpoint);
    expect(await store.verify()).toMatchObject({ ok: true, checked: 2 });
  });

  it('applies an append its wake-up found hidden by a transaction of another database, once that one ends', async () => {
    // the stall: a run woken by an append read while a transaction elsewhere on the server (any
    // database: xids are server-wide) held the horizon below the append's id, returned, and nothing
    // woke it again — the writer waited CONSISTENCY_TIMEOUT_MS for its checkpoint and answered 503
    const elsewhere = await openHolder(process.env.TEST_DATABASE_URL ?? db.url.replace(/\/[^/]*$/, '/postgres'));
    const written = await store.append([companyCreated('written')], { expectedVersions: {} });
    expect(BigInt(written.checkpoint.transactionId)).toBeGreaterThan(elsewhere.xid);
    try {
      const firstRead = nextRead();
      const run = projector.catchUp();
      expect(await firstRead).toEqual([]);
      await elsewhere.end(); // it writes nothing to this log
      const done = await run;
      expect(done).toEqual({ applied: 1, checkpoint: written.checkpoint });
      expect(await names()).toEqual(['written']);
    } finally {
      await elsewhere.end().catch(() => undefined);
    }
  });

  it('does not wait for a transaction that has committed nothing to the log yet (its commit wakes the projector)', async () => {
    await store.append([companyCreated('a')], { expectedVersions: {} });
    const open = await openHolder();
    try {
      const read = jest.spyOn(store, 'readAfter');
      const run = await projector.catchUp();
      expect(run.applied).toBe(1);
      expect(read).toHaveBeenCalledTimes(1);
      read.mockRestore();
    } finally {
      await open.end();
    }
  });

  it('stops waiting for the horizon after CONSISTENCY_TIMEOUT_MS without progress, and at shutdown', async () => {
    const open = await openHolder();
    try {
      await store.append([companyCreated('hidden')], { expectedVersions: {} });
      const bounded = new Projector(ds, store, { ...config, consistencyTimeoutMs: 100 }, redis, [new NamesProjection()]);
      expect((await bounded.catchUp()).applied).toBe(0);
      const stopped = new Projector(ds, store, config, redis, [new NamesProjection()]);
      stopped.onModuleDestroy();
      expect((await stopped.catchUp()).applied).toBe(0);
      expect(await names()).toEqual([]);
    } finally {
      await open.end();
    }
  });

  it('rebuilds its tables from position zero', async () => {
    await store.append([companyCreated('a'), companyCreated('b')], { expectedVersions: {} });
    await projector.catchUp();
    await ds.query(`INSERT INTO test_names (name) VALUES ('stray')`);
    const run = await projector.rebuild();
    expect(run.applied).toBe(2);
    expect(await names()).toEqual(['a', 'b']);
  });

  it('changes nothing when run again (a job delivered twice)', async () => {
    await store.append([companyCreated('a'), companyCreated('b')], { expectedVersions: {} });
    expect((await projector.catchUp()).applied).toBe(2);
    const again = await projector.catchUp();
    expect(again.applied).toBe(0);
    expect(await names()).toEqual(['a', 'b']);
  });

  it('applies in batches up to the end, one checkpoint per batch', async () => {
    const small = new Projector(ds, store, { ...config, projection: { ...config.projection, batchSize: 3 } }, redis, [new NamesProjection()]);
    await store.append(Array.from({ length: 10 }, (_, i) => companyCreated(`c${String(i).padStart(2, '0')}`)), { expectedVersions: {} });
    const run = await small.catchUp();
    expect(run.applied).toBe(10);
    expect((await small.checkpoint()).position).toBe(run.checkpoint.position);
    expect(await names()).toHaveLength(10);
  });

  it('announces its checkpoint on Redis after each commit', async () => {
    const sub = redis.duplicate();
    const heard: string[] = [];
    await sub.subscribe(`${config.redisPrefix}:projections:checkpoint`);
    const got = new Promise<void>((resolve) => sub.on('message', (_c, m) => (heard.push(m), resolve())));
    const r = await store.append([companyCreated('x')], { expectedVersions: {} });
    await projector.catchUp();
    await got;
    expect(JSON.parse(heard[0])).toEqual(r.checkpoint);
    sub.disconnect();
  });
});
