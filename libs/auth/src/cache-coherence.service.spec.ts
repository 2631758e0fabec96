import { performance } from 'node:perf_hooks';
import { DataSource } from 'typeorm';
import { KeywardConfig } from '@keyward/config';
import { TestDatabase, createTestDatabase, testConfig } from '@keyward/testing';
import { AuthCache } from './auth-cache';
import { AuthRecord, CompiledAuthRecord } from './auth-record';
import { CacheCoherenceService } from './cache-coherence.service';

const LEASE_MS = 1_000;

const record = (keyId: string, ownerId = 'owner-1'): CompiledAuthRecord =>
  new CompiledAuthRecord({
    keyId,
    companyId: 'c',
    ownerId,
    type: 'standard',
    permissions: ['keys:read'],
    status: 'active',
    deleted: false,
    expiresAt: null,
    graceEndsAt: null,
    allowedIps: [],
    rateLimit: null,
    ownerPermissions: ['keys:read'],
    ownerDisabled: false,
    roles: [],
    rolePermissions: [],
    name: keyId,
    meta: {},
    externalId: null,
  } satisfies AuthRecord);

/** An API instance's cache and its coherence, over its own connections (as separate processes would have). */
async function instance(config: KeywardConfig) {
  const ds = new DataSource({ type: 'postgres', url: config.databaseUrl, extra: { max: 4 } });
  await ds.initialize();
  const cache = new AuthCache(config);
  const coherence = new CacheCoherenceService(config, ds, cache, true);
  await coherence.onModuleInit();
  return {
    cache,
    coherence,
    ds,
    /** Caches a record the way the lookup does: only while the lease is live and nothing changed meanwhile. */
    warm(hash: string, keyId: string, ownerId?: string) {
      expect(coherence.cacheUsable()).toBe(true);
      cache.setIfUnchanged(hash, record(keyId, ownerId), cache.currentEpoch());
      expect(cache.get(hash)).toBeDefined();
    },
    async close() {
      await coherence.onModuleDestroy();
      if (ds.isInitialized) await ds.destroy();
    },
  };
}

/** What a command does in the transaction of its event (KeysReadModelProjection.applyInline). */
async function commitChange(ds: DataSource, change: { keyIds?: string[]; ownerIds?: string[] }): Promise<void> {
  await ds.query(
    `WITH change AS (INSERT INTO auth_changes (company_id, key_ids, owner_ids) VALUES ($1, $2::uuid[], $3::uuid[]) RETURNING seq)
     SELECT pg_notify('keyward_auth_changes', seq::text) FROM change`,
    ['00000000-0000-4000-8000-0000000000c1', change.keyIds ?? [], change.ownerIds ?? []],
  );
}

const KEY_A = '00000000-0000-4000-8000-00000000000a';
const KEY_B = '00000000-0000-4000-8000-00000000000b';
const OWNER = '00000000-0000-4000-8000-0000000000f1';

describe('CacheCoherenceService (real Postgres, no Redis)', () => {
  let db: TestDatabase;
  let config: KeywardConfig;
  let writer: DataSource;
  const open: { close(): Promise<void> }[] = [];

  beforeEach(async () => {
    db = await createTestDatabase();
    // Redis is named but never reached: coherence must not need it
    config = testConfig({ DATABASE_URL: db.url, REDIS_URL: 'redis://127.0.0.1:1', INSTANCE_LEASE_MS: String(LEASE_MS) });
    writer = new DataSource({ type: 'postgres', url: db.url, extra: { max: 2 } });
    await writer.initialize();
  });

  afterEach(async () => {
    for (const o of open.splice(0)) await o.close();
    await writer.destroy();
    await db.drop();
  });

  const start = async () => {
    const i = await instance(config);
    open.push(i);
    return i;
  };

  it('confirms a change only once every instance dropped the key, and only the keys and owners named', async () => {
    const [a, b] = [await start(), await start()];
    a.warm('h-a', KEY_A);
    b.warm('h-a', KEY_A);
    b.warm('h-b', KEY_B);
    b.warm('h-o', 'other-key', OWNER);

    await commitChange(writer, { keyIds: [KEY_A], ownerIds: [OWNER] });
    const confirming = new CacheCoherenceService(config, writer, new AuthCache(config), false);
    await confirming.confirmApplied();

    expect(a.cache.get('h-a')).toBeUndefined();
    expect(b.cache.get('h-a')).toBeUndefined();
    expect(b.cache.get('h-o')).toBeUndefined();
    expect(b.cache.get('h-b')).toBeDefined(); // untouched
    expect(a.coherence.cacheUsable() && b.coherence.cacheUsable()).toBe(true);
  });

  it('a lookup that raced the change cannot put the old record back', async () => {
    const a = await start();
    const epochBeforeRead = a.cache.currentEpoch();
    await commitChange(writer, { keyIds: [KEY_A] });
    await a.coherence.poll();
    a.cache.setIfUnchanged('h-a', record(KEY_A), epochBeforeRead);
    expect(a.cache.get('h-a')).toBeUndefined();
  });

  it('an instance that stops polling holds a change back at most one lease, and has stopped trusting its cache by then', async () => {
    const [a, stalled] = [await start(), await start()];
    stalled.warm('h-a', KEY_A);
    a.warm('h-a', KEY_A);
    // the stalled instance's process stops running its coherence (as under SIGSTOP): no poll, no notification
    freeze(stalled.coherence);

    await commitChange(writer, { keyIds: [KEY_A] });
    await a.coherence.confirmApplied();

    // the change was confirmed only once the stalled instance's lease had lapsed
    expect(stalled.coherence.cacheUsable()).toBe(false);
    expect(stalled.cache.get('h-a')).toBeDefined(); // it never applied the change...
    expect(a.cache.get('h-a')).toBeUndefined();
    const [lease] = await writer.query('SELECT valid_until < clock_timestamp() AS lapsed FROM auth_instances WHERE instance_id = $1', [
      stalled.coherence.instanceId,
    ]);
    expect(lease).toEqual({ lapsed: true }); // ...and its lease says it may not use it
  });

  it('an instance that cannot reach Postgres stops trusting its cache within one lease', async () => {
    const a = await start();
    a.warm('h-a', KEY_A);
    // cut its database connections under it: polls fail from now on
    await a.ds.destroy();
    const deadline = performance.now() + 5 * LEASE_MS;
    while (a.coherence.cacheUsable() && performance.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(a.coherence.cacheUsable()).toBe(false);
  });

  it('a stopped instance leaves no lease behind, so it holds nothing back', async () => {
    const a = await start();
    await a.close();
    open.splice(open.indexOf(a), 1);
    expect(await writer.query('SELECT instance_id FROM auth_instances')).toEqual([]);
  });
});

/** Stops an instance's polling and listening without removing its lease: a process that stopped running. */
function freeze(service: CacheCoherenceService): void {
  const inner = service as unknown as { closing: boolean; timer?: NodeJS.Timeout; listener?: { end(): Promise<void> } };
  inner.closing = true;
  clearInterval(inner.timer);
  void inner.listener?.end();
}
