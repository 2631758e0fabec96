import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { TestDatabase, createTestDatabase } from '@keyward/testing';
import { DuplicateEventError, ReservationConflictError, StreamConflictError } from './errors';
import { EventStore, LOCK_HOLDER_IDLE_TIMEOUT_MS } from './event-store';
import { NewEvent } from './event.types';
import { GENESIS_HASH } from './hash-chain';

const actor = { type: 'system' as const, id: 'test' };
const event = (streamId: string, data: Record<string, unknown> = {}): NewEvent => ({
  streamId,
  type: 'Thing',
  companyId: null,
  actor,
  data,
});

describe('EventStore (real Postgres)', () => {
  let db: TestDatabase;
  let ds: DataSource;
  let store: EventStore;

  beforeEach(async () => {
    db = await createTestDatabase();
    ds = new DataSource({ type: 'postgres', url: db.url, extra: { max: 10 } });
    await ds.initialize();
    store = new EventStore(ds);
  });

  afterEach(async () => {
    await ds.destroy();
    await db.drop();
  });

  /** Runs SQL as a superuser would, with the append-only triggers switched off. */
  const tamper = (sql: string, params: unknown[] = []) =>
    ds.transaction(async (m) => {
      await m.query('SET LOCAL session_replication_role = replica');
      await m.query(sql, params);
    });

  it('a process frozen while it holds the append lock holds other appends only until its idle session is ended', async () => {
    const frozen = ds.createQueryRunner();
    await frozen.connect();
    await frozen.startTransaction();
    // it appended and then stopped running (SIGSTOP, a paused VM): the lock is held, the session idle
    await store.appendWithin(frozen.manager, [event('frozen-1')], { expectedVersions: {} });
    // a lock wait longer than the idle bound would end as a lock timeout instead of an append
    const next = await ds.transaction(async (m) => {
      await m.query(`SET LOCAL lock_timeout = ${LOCK_HOLDER_IDLE_TIMEOUT_MS * 3}`);
      return store.appendWithin(m, [event('next-1')], { expectedVersions: {} });
    });
    expect(next.events).toHaveLength(1);
    // the frozen transaction was ended by Postgres: its append never committed
    await expect(frozen.commitTransaction()).rejects.toThrow();
    await frozen.release().catch(() => undefined);
    expect(await store.readStream('frozen-1')).toEqual([]);
    expect(await store.verify()).toMatchObject({ ok: true, checked: 1 });
  });

  it('appends with stream versions and chains each hash to the one before', async () => {
    const a = await store.append([event('s-1', { n: 1 }), event('s-1', { n: 2 })], { expectedVersions: { 's-1': 0 } });
    const b = await store.append([event('s-2')], { expectedVersions: { 's-2': 0 } });
    expect(a.events.map((e) => e.streamVersion)).toEqual([1, 2]);
    expect(a.events[0].prevHash).toBe(GENESIS_HASH);
    expect(a.events[1].prevHash).toBe(a.events[0].hash);
    expect(b.events[0].prevHash).toBe(a.events[1].hash);
    expect(await store.verify()).toMatchObject({ ok: true, checked: 3, head: { position: b.events[0].position } });
  });

  it('answers with the events as the log holds them (positions, transaction id, hashes, payloads), and its checkpoint', async () => {
    const company = randomUUID();
    const at = new Date('2026-12-05T09:27:19.123Z');
    const events: NewEvent[] = [
      { ...event('r-1', { keyId: 'k', status: 200, durationMs: 0.5, nested: { b: [1, null], a: 'é' } }), companyId: company, occurredAt: at },
      { ...event('r-2', {}), metadata: { ip: '::1', userAgent: null, requestId: 'r' } },
      event('r-1', { n: 2 }),
    ];
    const result = await store.append(events, { expectedVersions: {} });
    const held = [...(await store.readStream('r-1')), ...(await store.readStream('r-2'))].sort((a, b) => a.position - b.position);
    expect(result.events).toEqual(held);
    const [xid] = await ds.query('SELECT DISTINCT transaction_id::text AS x FROM events');
    expect(result.checkpoint).toEqual({ transactionId: xid.x, position: held[2].position });
    expect(result.events.map((e) => e.position)).toEqual([held[0].position, held[0].position + 1, held[0].position + 2]);
    expect(await store.verify()).toMatchObject({ ok: true, checked: 3 });
  });

  it('refuses an append whose expected version is stale, and writes nothing', async () => {
    await store.append([event('s-1')], { expectedVersions: { 's-1': 0 } });
    await expect(store.append([event('s-1'), event('s-2')], { expectedVersions: { 's-1': 0, 's-2': 0 } })).rejects.toBeInstanceOf(
      StreamConflictError,
    );
    expect(await store.readStream('s-2')).toHaveLength(0);
    expect((await ds.query('SELECT count(*)::int AS n FROM events'))[0].n).toBe(1);
  });

  it('gives exactly one winner to concurrent appends at the same expected version', async () => {
    await store.append([event('race')], { expectedVersions: { race: 0 } });
    const results = await Promise.allSettled(
      Array.from({ length: 8 }, (_, i) => store.append([event('race', { i })], { expectedVersions: { race: 1 } })),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const failures = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(failures).toHaveLength(7);
    for (const f of failures) expect(f.reason).toBeInstanceOf(StreamConflictError);
  });

  it('keeps the chain intact under many concurrent appends', async () => {
    await Promise.all(Array.from({ length: 40 }, (_, i) => store.append([event(`c-${i}`), event(`c-${i}`)], { expectedVersions: {} })));
    expect(await store.verify()).toMatchObject({ ok: true, checked: 80 });
  });

  it('treats a re-append of the same event ids as already done', async () => {
    const e = { ...event('idem'), eventId: randomUUID() };
    const first = await store.append([e], { expectedVersions: { idem: 0 } });
    const again = await store.append([e], { expectedVersions: { idem: 0 } });
    expect(again.events[0].position).toBe(first.events[0].position);
    expect((await ds.query('SELECT count(*)::int AS n FROM events'))[0].n).toBe(1);
    await expect(store.append([e, event('idem')], { expectedVersions: {} })).rejects.toBeInstanceOf(DuplicateEventError);
  });

  it('claims a reservation once', async () => {
    await store.append([event('u-1')], { expectedVersions: {}, reservations: [{ scope: 'email:c', value: 'a@b.c' }] });
    await expect(
      store.append([event('u-2')], { expectedVersions: {}, reservations: [{ scope: 'email:c', value: 'a@b.c' }] }),
    ).rejects.toBeInstanceOf(ReservationConflictError);
    expect(await store.readStream('u-2')).toHaveLength(0);
  });

  it.each([
    ['UPDATE', `UPDATE events SET data = '{"x":1}'`],
    ['DELETE', 'DELETE FROM events'],
    ['TRUNCATE', 'TRUNCATE events'],
  ])('refuses %s with its trigger', async (op, sql) => {
    await store.append([event('t')], { expectedVersions: {} });
    await expect(ds.query(sql)).rejects.toThrow(new RegExp(`append-only: ${op} refused`));
    expect((await ds.query('SELECT count(*)::int AS n FROM events'))[0].n).toBe(1);
  });

  describe('verify finds tampering by a superuser', () => {
    let positions: number[];
    beforeEach(async () => {
      const r = await store.append(
        Array.from({ length: 6 }, (_, i) => event(`v-${i}`, { i })),
        { expectedVersions: {} },
      );
      positions = r.events.map((e) => e.position);
    });

    it('an edited payload, at its position', async () => {
      await tamper(`UPDATE events SET data = '{"i":99}' WHERE position = $1`, [positions[3]]);
      expect(await store.verify()).toMatchObject({ ok: false, firstBadPosition: positions[3], reason: 'hash_mismatch', checked: 3 });
    });

    it('a deleted event, at the position after it', async () => {
      await tamper('DELETE FROM events WHERE position = $1', [positions[2]]);
      expect(await store.verify()).toMatchObject({ ok: false, firstBadPosition: positions[3], reason: 'prev_hash_mismatch' });
    });

    it('two swapped events, at the first of them', async () => {
      await tamper(
        `UPDATE events e SET data = o.data FROM events o
          WHERE (e.position, o.position) IN (($1::bigint, $2::bigint), ($2::bigint, $1::bigint))`,
        [positions[1], positions[4]],
      );
      expect(await store.verify()).toMatchObject({ ok: false, firstBadPosition: positions[1] });
    });

    it('starts from a given position when asked', async () => {
      await tamper(`UPDATE events SET data = '{"i":99}' WHERE position = $1`, [positions[1]]);
      expect(await store.verify({ fromPosition: positions[3] })).toMatchObject({ ok: true, checked: 3 });
      expect(await store.verify()).toMatchObject({ ok: false, firstBadPosition: positions[1] });
    });
  });
});
