import { randomUUID } from 'node:crypto';
import { RedisClient, createRedisClient } from '@keyward/queue';
import { DataSource } from 'typeorm';
import { KeywardConfig } from '@keyward/config';
import { CommandContext, EventStore, NewEvent, Projector } from '@keyward/event-store';
import { TestDatabase, createTestDatabase, testConfig } from '@keyward/testing';
import { mintKey } from '../domain/key-factory';
import { KeywardEvent, streamOf } from '../events/keyward-events';
import { KeysReadModelProjection } from './read-model.projection';

const companyId = randomUUID();
const ownerId = randomUUID();
const ctx: CommandContext = { companyId, actor: { type: 'system', id: 'test' }, permissions: 'all', metadata: {} };

describe('KeysReadModelProjection: inline with the append, again by the projector (real Postgres)', () => {
  let db: TestDatabase;
  let config: KeywardConfig;
  let ds: DataSource;
  let redis: RedisClient;
  let store: EventStore;
  let projector: Projector;

  const keyRow = async (id: string) =>
    (await ds.query(`SELECT status, allowed_ips, version, revoked_at IS NOT NULL AS revoked FROM api_keys WHERE id = $1`, [id]))[0];
  const tables = async () => ({
    keys: await ds.query('SELECT * FROM api_keys ORDER BY id'),
    users: await ds.query('SELECT * FROM users ORDER BY id'),
    companies: await ds.query('SELECT * FROM companies ORDER BY id'),
  });
  const event = (keyId: string, type: string, data: object): NewEvent => ({
    streamId: streamOf.key(keyId),
    type,
    companyId,
    actor: ctx.actor,
    data: { keyId, ...data },
  });

  beforeEach(async () => {
    db = await createTestDatabase();
    config = testConfig({ DATABASE_URL: db.url });
    ds = new DataSource({ type: 'postgres', url: db.url, extra: { max: 6 } });
    await ds.initialize();
    redis = createRedisClient(config.redis);
    store = new EventStore(ds);
    projector = new Projector(ds, store, config, redis, [new KeysReadModelProjection(store)]);
    await store.append(
      [
        { streamId: streamOf.company(companyId), type: KeywardEvent.CompanyCreated, companyId, actor: ctx.actor, data: { companyId, name: 'Acme' } },
        {
          streamId: streamOf.user(ownerId),
          type: KeywardEvent.UserCreated,
          companyId,
          actor: ctx.actor,
          data: { userId: ownerId, email: 'o@acme.test', name: 'O', permissions: ['keys:read'], disabled: false },
        },
      ],
      { expectedVersions: {} },
    );
  });

  afterEach(async () => {
    redis.disconnect();
    await ds.destroy();
    await db.drop();
  });

  const createKey = async () => {
    const minted = mintKey(config.pepper, ctx, { ownerId, type: 'standard', name: 'k', description: null, permissions: ['keys:read'], expiresAt: null, allowedIps: [], rateLimit: null }, new Date());
    await store.append([minted.event], { expectedVersions: { [minted.event.streamId]: 0 } });
    return minted.keyId;
  };

  it('a revoke is in the key table when its append commits, while a long transaction holds the projector back', async () => {
    const keyId = await createKey();
    expect(await keyRow(keyId)).toMatchObject({ status: 'active', version: 1 });
    await projector.catchUp();

    // someone else's transaction stays open: the projector may not read past it
    const long = ds.createQueryRunner();
    await long.connect();
    await long.startTransaction();
    await long.query('SELECT pg_current_xact_id()');
    try {
      const result = await store.append([event(keyId, KeywardEvent.KeyRevoked, { reason: 'leaked' })], { expectedVersions: { [streamOf.key(keyId)]: 1 } });
      expect(result.appliedInline).toBe(true);
      expect(await keyRow(keyId)).toMatchObject({ status: 'revoked', revoked: true, version: 2 });
      expect((await projector.catchUp()).applied).toBe(0); // the projector has not got there, and did not need to
      const [change] = await ds.query('SELECT key_ids FROM auth_changes ORDER BY seq DESC LIMIT 1');
      expect(change.key_ids).toEqual([keyId]);
    } finally {
      await long.rollbackTransaction();
      await long.release();
    }
  });

  it('the projector applying the same events again changes nothing, and a rebuild gives the same tables', async () => {
    const keyId = await createKey();
    const stream = streamOf.key(keyId);
    await store.append([event(keyId, KeywardEvent.KeyUpdated, { changes: { allowedIps: ['10.0.0.0/8'] } })], { expectedVersions: { [stream]: 1 } });
    await store.append([event(keyId, KeywardEvent.KeyUpdated, { changes: { allowedIps: ['192.0.2.1'] } })], { expectedVersions: { [stream]: 2 } });
    await store.append([event(keyId, KeywardEvent.KeyRevoked, { reason: null })], { expectedVersions: { [stream]: 3 } });
    const inline = await tables();
    expect(await keyRow(keyId)).toMatchObject({ status: 'revoked', allowed_ips: ['192.0.2.1'], version: 4 });

    // the projector replays every event above over rows that already have them, one event per batch
    // here: after each batch the row must still be the newest state (an older event must never win)
    const seen: unknown[] = [];
    const watching = new KeysReadModelProjection(store);
    const apply = watching.apply.bind(watching);
    watching.apply = async (m, events) => {
      await apply(m, events);
      seen.push((await m.query('SELECT status, allowed_ips FROM api_keys WHERE id = $1', [keyId]))[0]);
    };
    const oneAtATime = new Projector(ds, store, testConfig({ DATABASE_URL: db.url, PROJECTION_BATCH_SIZE: '1' }), redis, [watching]);
    expect((await oneAtATime.catchUp()).applied).toBeGreaterThan(4);
    expect(seen.length).toBeGreaterThan(4);
    for (const row of seen) expect(row).toEqual({ status: 'revoked', allowed_ips: ['192.0.2.1'] });
    expect(await tables()).toEqual(inline);
    await projector.rebuild();
    expect(await tables()).toEqual(inline);
  });

  it('a rebuild replays the whole log even while a transaction elsewhere holds the projector back', async () => {
    const long = ds.createQueryRunner();
    await long.connect();
    await long.startTransaction();
    await long.query('SELECT pg_current_xact_id()');
    try {
      const keyId = await createKey();
      await store.append([event(keyId, KeywardEvent.KeyRevoked, { reason: null })], { expectedVersions: { [streamOf.key(keyId)]: 1 } });
      const live = await tables();
      await projector.rebuild();
      // a rebuild that stopped at the open transaction would bring the key back as active, or lose it
      expect(await keyRow(keyId)).toMatchObject({ status: 'revoked', version: 2 });
      expect(await tables()).toEqual(live);
    } finally {
      await long.rollbackTransaction();
      await long.release();
    }
  });

  it('a row behind its stream (events appended without the inline projection) first gets what it missed', async () => {
    const keyId = await createKey();
    const stream = streamOf.key(keyId);
    // appended in a caller's own transaction, which does not run inline projections
    await ds.transaction((m) =>
      store.appendWithin(m, [event(keyId, KeywardEvent.KeyUpdated, { changes: { allowedIps: ['10.0.0.0/8'] } })], { expectedVersions: { [stream]: 1 } }),
    );
    expect(await keyRow(keyId)).toMatchObject({ allowed_ips: [], version: 1 });

    await store.append([event(keyId, KeywardEvent.KeyRevoked, { reason: null })], { expectedVersions: { [stream]: 2 } });
    expect(await keyRow(keyId)).toMatchObject({ status: 'revoked', allowed_ips: ['10.0.0.0/8'], version: 3 });
  });
});
