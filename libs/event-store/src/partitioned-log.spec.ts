import { randomBytes, randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { MIGRATIONS } from '@keyward/database';
import { TestDatabase, createTestDatabase, databaseUrl, testEnvironment } from '@keyward/testing';
import { DuplicateEventError } from './errors';
import { EventStore } from './event-store';
import { StoredEvent } from './event.types';
import { GENESIS_HASH, computeEventHash } from './hash-chain';

const actor = { type: 'system' as const, id: 'test' };

/** The indexes, constraints and triggers of a table and of its partitions' parent, by name and definition. */
async function shape(ds: DataSource) {
  const indexes: { name: string; def: string }[] = await ds.query(
    `SELECT c.relname AS name, regexp_replace(pg_get_indexdef(i.indexrelid), ' ON (ONLY )?\\S+ ', ' ON events ') AS def
       FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE i.indrelid = 'events'::regclass ORDER BY 1`,
  );
  const constraints: { name: string; def: string }[] = await ds.query(
    `SELECT conname AS name, pg_get_constraintdef(oid) AS def FROM pg_constraint WHERE conrelid = 'events'::regclass ORDER BY 1`,
  );
  const triggers: { name: string }[] = await ds.query(`SELECT tgname AS name FROM pg_trigger WHERE tgrelid = 'events'::regclass AND NOT tgisinternal ORDER BY 1`);
  const [{ owner }]: { owner: string }[] = await ds.query(
    `SELECT d.refobjid::regclass::text || '.' || a.attname AS owner FROM pg_depend d
       JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
      WHERE d.objid = 'events_position_seq'::regclass AND d.deptype = 'a'`,
  );
  return { indexes, constraints, triggers, owner };
}

const partitions = (ds: DataSource): Promise<{ name: string; from_position: string; to_position: string }[]> =>
  ds.query('SELECT name, from_position::text, to_position::text FROM events_partition_bounds b ORDER BY b.from_position');

/** An empty log's partitions made `width` positions wide from position 1 (the migration made them 10,000,000). */
async function narrowPartitions(ds: DataSource, width: number): Promise<void> {
  await ds.query('UPDATE events_partitioning SET width = $1, ahead = 2', [width]);
  for (const p of await partitions(ds)) await ds.query(`ALTER TABLE events DETACH PARTITION ${p.name}; DROP TABLE ${p.name}`);
  await ds.query('SELECT keyward_events_ensure_partitions(0)');
}

describe('the partitioned log (real Postgres)', () => {
  describe('an installation upgrading: the migration converts a table holding events', () => {
    let ds: DataSource;
    let adminDs: DataSource;
    let name: string;

    beforeAll(async () => {
      const env = testEnvironment();
      name = `keyward_test_${env.runId}_upgrade${randomBytes(3).toString('hex')}`;
      adminDs = new DataSource({ type: 'postgres', url: env.pgAdminUrl, extra: { max: 1 } });
      await adminDs.initialize();
      await adminDs.query(`CREATE DATABASE ${name}`);
      ds = new DataSource({
        type: 'postgres',
        url: databaseUrl(env.pgAdminUrl, name),
        migrations: MIGRATIONS,
        migrationsTransactionMode: 'each',
        extra: { max: 4 },
      });
      await ds.initialize();
    });

    afterAll(async () => {
      await ds?.destroy();
      await adminDs?.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await adminDs?.destroy();
    });

    it('keeps every event, index, constraint, trigger and the sequence, and the chain goes on', async () => {
      // the migrations before this one, as an installation has them
      const before = new DataSource({ ...ds.options, migrations: MIGRATIONS.filter((m) => m.name !== 'EventsPartitioned1764600000000') } as never);
      await before.initialize();
      await before.runMigrations({ transaction: 'each' });
      // 40 events written as the old code wrote them (no partition function exists yet)
      let prevHash = GENESIS_HASH;
      const written: StoredEvent[] = [];
      for (let position = 1; position <= 40; position++) {
        const e: StoredEvent = {
          position,
          transactionId: '0',
          eventId: randomUUID(),
          streamId: `s-${position % 3}`,
          streamVersion: Math.floor((position - 1) / 3) + 1,
          type: 'Thing',
          occurredAt: new Date(Date.UTC(2026, 0, 1) + position * 1000),
          companyId: null,
          actor,
          data: { n: position },
          metadata: {},
          prevHash,
          hash: '',
        };
        e.hash = prevHash = computeEventHash(e);
        written.push(e);
        await before.query(
          `INSERT INTO events (position, event_id, stream_id, stream_version, type, occurred_at, company_id, actor, data, metadata, prev_hash, hash)
           VALUES (nextval('events_position_seq'), $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
          [e.eventId, e.streamId, e.streamVersion, e.type, e.occurredAt, e.companyId, e.actor, e.data, e.metadata, e.prevHash, e.hash],
        );
      }
      await before.query(`INSERT INTO streams (stream_id, version) VALUES ('s-0', 13), ('s-1', 14), ('s-2', 13)`);
      const old = await shape(before);
      await before.destroy();

      await ds.runMigrations({ transaction: 'each' });
      const [{ relkind }] = await ds.query(`SELECT relkind FROM pg_class WHERE oid = 'events'::regclass`);
      expect(relkind).toBe('p');
      const now = await shape(ds);
      // every plain index by name and definition; the primary key and CHECK as they were
      const plain = (s: typeof old) => s.indexes.filter((i) => !/_key$|_unique$/.test(i.name));
      expect(plain(now)).toEqual(plain(old));
      // PostgreSQL 18 catalogues NOT NULL as named constraints; the new parent's get a suffix
      // (the attached old table keeps the plain names): compare those by definition
      const kept = (s: typeof old) =>
        s.constraints.filter((c) => !/UNIQUE/.test(c.def)).map((c) => (c.def.startsWith('NOT NULL') ? { ...c, name: c.name.replace(/\d+$/, '') } : c));
      expect(kept(now)).toEqual(kept(old));
      expect(now.triggers).toEqual(old.triggers);
      expect(old.owner).toBe('events.position');
      expect(now.owner).toBe('events.position');
      // the old table is the first partition, with its unique constraints; two empty ones ahead
      expect(await partitions(ds)).toEqual([
        { name: 'events_from_1', from_position: '1', to_position: '10000001' },
        { name: 'events_from_10000001', from_position: '10000001', to_position: '20000001' },
        { name: 'events_from_20000001', from_position: '20000001', to_position: '30000001' },
      ]);
      for (const p of ['events_from_1', 'events_from_10000001']) {
        const uniques: { def: string }[] = await ds.query(`SELECT pg_get_constraintdef(oid) AS def FROM pg_constraint WHERE conrelid = $1::regclass AND contype = 'u' ORDER BY 1`, [p]);
        expect(uniques.map((u) => u.def)).toEqual(['UNIQUE (event_id)', 'UNIQUE (stream_id, stream_version)']);
      }

      const store = new EventStore(ds);
      expect(await store.verify()).toMatchObject({ ok: true, checked: 40, head: { position: 40, hash: written[39].hash } });
      const next = await store.append([{ streamId: 's-1', type: 'Thing', companyId: null, actor, data: { n: 41 } }], { expectedVersions: { 's-1': 14 } });
      expect(next.events[0]).toMatchObject({ position: 41, prevHash: written[39].hash, streamVersion: 15 });
      expect(await store.verify()).toMatchObject({ ok: true, checked: 41 });
      // still append-only, still one event id once
      await expect(ds.query('UPDATE events SET type = $1 WHERE position = 3', ['Other'])).rejects.toThrow(/append-only/);
      await expect(ds.query('DELETE FROM events WHERE position = 3')).rejects.toThrow(/append-only/);
      await expect(ds.query('TRUNCATE events')).rejects.toThrow(/append-only/);
      await expect(ds.query('TRUNCATE events_from_1')).rejects.toThrow(/append-only/);
      const again = await store.append([{ eventId: written[5].eventId, streamId: 's-0', type: 'Thing', companyId: null, actor, data: { n: 6 } }], { expectedVersions: {} });
      expect(again.events[0].position).toBe(6); // an idempotent re-append, found across partitions
      await expect(
        store.append(
          [
            { eventId: written[5].eventId, streamId: 's-0', type: 'Thing', companyId: null, actor, data: { n: 6 } },
            { streamId: 's-0', type: 'Thing', companyId: null, actor, data: {} },
          ],
          { expectedVersions: {} },
        ),
      ).rejects.toThrow(DuplicateEventError);
      await expect(
        ds.query(`INSERT INTO events (event_id, stream_id, stream_version, type, occurred_at, actor, data, metadata, prev_hash, hash)
                  SELECT event_id, 'y', 1, type, occurred_at, actor, data, metadata, prev_hash, hash FROM events WHERE position = 41`),
      ).rejects.toThrow(/duplicate key/);
    });
  });

  describe('partitions ahead of need', () => {
    let db: TestDatabase;
    let ds: DataSource;

    beforeEach(async () => {
      db = await createTestDatabase();
      ds = new DataSource({ type: 'postgres', url: db.url, extra: { max: 4 } });
      await ds.initialize();
      await narrowPartitions(ds, 10);
    });

    afterEach(async () => {
      await ds.destroy();
      await db.drop();
    });

    it('appends make the next partitions as their positions come near the last one, and the head read stays an ordered scan', async () => {
      const store = new EventStore(ds);
      for (let i = 0; i < 12; i++) {
        await store.append(
          Array.from({ length: 7 }, (_, n) => ({ streamId: `s-${i}-${n}`, type: 'Thing', companyId: null, actor, data: { i, n } })),
          { expectedVersions: {} },
        );
      }
      const parts = await partitions(ds);
      const top = Number(parts[parts.length - 1].to_position);
      // 84 events: at least one partition (10 positions) beyond the last one used, every range contiguous
      expect(top).toBeGreaterThan(84 + 10);
      parts.forEach((p, i) => i > 0 && expect(p.from_position).toBe(parts[i - 1].to_position));
      const counts: { n: string }[] = await ds.query(`SELECT count(*) AS n FROM events_from_71`);
      expect(Number(counts[0].n)).toBe(10);
      expect(await store.verify()).toMatchObject({ ok: true, checked: 84 });

      const plan: { 'QUERY PLAN': string }[] = await ds.query('EXPLAIN SELECT hash FROM events ORDER BY position DESC LIMIT 1');
      const text = plan.map((r) => r['QUERY PLAN']).join('\n');
      expect(text).toMatch(/Append/);
      expect(text).not.toMatch(/Sort/);
      expect(text).toMatch(/Index Scan Backward using events_from_\d+_pkey/);
    });

    it('an append does not wait for another creator of partitions: it goes on in the room left, and the next one creates them', async () => {
      const holder = ds.createQueryRunner();
      await holder.connect();
      try {
        await holder.query('SELECT pg_advisory_lock(7301944030)'); // keyward_events_ensure_partitions' lock, held elsewhere
        const store = new EventStore(ds);
        const before = await partitions(ds);
        // would hang (and time the test out) if the append waited for the lock
        await store.append(Array.from({ length: 25 }, (_, n) => ({ streamId: `s-${n}`, type: 'Thing', companyId: null, actor, data: {} })), { expectedVersions: {} });
        expect(await partitions(ds)).toEqual(before);
        await holder.query('SELECT pg_advisory_unlock(7301944030)');
        await store.append([{ streamId: 'next', type: 'Thing', companyId: null, actor, data: {} }], { expectedVersions: {} });
        const after = await partitions(ds);
        expect(Number(after[after.length - 1].to_position)).toBeGreaterThan(26 + 2 * 10);
        expect(await store.verify()).toMatchObject({ ok: true, checked: 26 });
      } finally {
        await holder.release();
      }
    });

    it('the worker\'s call creates them before any append, and is idempotent', async () => {
      const store = new EventStore(ds);
      const before = (await partitions(ds)).length;
      await ds.query(`SELECT setval('events_position_seq', 55)`);
      const top = await store.ensurePartitions();
      expect(top).toBeGreaterThanOrEqual(56 + 20);
      expect(await store.ensurePartitions()).toBe(top);
      expect((await partitions(ds)).length).toBeGreaterThan(before);
    });
  });
});
