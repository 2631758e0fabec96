import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DataSource } from 'typeorm';
import { KeywardConfig } from '@keyward/config';
import { MIGRATIONS } from '@keyward/database';
import { EventStore, GENESIS_HASH, StoredEvent, computeEventHash } from '@keyward/event-store';
import { TEST_AUDIT_SIGNING_KEY, databaseUrl, testEnvironment } from '@keyward/testing';
import { CheckpointSigner } from '../checkpoints/checkpoint-signer';
import { verifyArchiveDir } from './archive-manifest';
import { ArchiveSeals } from './archive-seals';
import { AuditArchiver } from './audit-archiver';

const actor = { type: 'system' as const, id: 'test' };

/**
 * An installation that upgraded: its old events table became the first partition (the old table
 * itself, its own column order, constraints and trigger). The archive takes it like any other.
 */
describe('AuditArchiver on an upgraded installation (real Postgres)', () => {
  let admin: DataSource;
  let ds: DataSource;
  let name: string;
  let dir: string;

  beforeAll(async () => {
    const env = testEnvironment();
    name = `keyward_test_${env.runId}_archive${randomBytes(3).toString('hex')}`;
    admin = new DataSource({ type: 'postgres', url: env.pgAdminUrl, extra: { max: 1 } });
    await admin.initialize();
    await admin.query(`CREATE DATABASE ${name}`);
    ds = new DataSource({ type: 'postgres', url: databaseUrl(env.pgAdminUrl, name), migrations: MIGRATIONS, migrationsTransactionMode: 'each', extra: { max: 4 } });
    await ds.initialize();
    dir = mkdtempSync(path.join(tmpdir(), 'keyward-archiver-spec-'));
  });

  afterAll(async () => {
    await ds?.destroy();
    await admin?.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin?.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  it('archives the old table (the first partition), keeps its lifecycle events, and the chain goes on from the seal', async () => {
    const before = new DataSource({ ...ds.options, migrations: MIGRATIONS.filter((m) => m.name !== 'EventsPartitioned1764600000000') } as never);
    await before.initialize();
    await before.runMigrations({ transaction: 'each' });
    // 30 events as the old code wrote them: a key's lifecycle and its usage
    let prevHash = GENESIS_HASH;
    const old = new Date(Date.UTC(2026, 0, 1));
    for (let position = 1; position <= 30; position++) {
      const lifecycle = position <= 2;
      const e: StoredEvent = {
        position,
        transactionId: '0',
        eventId: randomUUID(),
        streamId: lifecycle ? 'key-k1' : 'usage-k1',
        streamVersion: lifecycle ? position : position - 2,
        type: position === 1 ? 'KeyCreated' : position === 2 ? 'KeyUpdated' : 'KeyUsed',
        occurredAt: new Date(old.getTime() + position * 1000),
        companyId: null,
        actor,
        data: { keyId: 'k1', n: position },
        metadata: {},
        prevHash,
        hash: '',
      };
      e.hash = prevHash = computeEventHash(e);
      await before.query(
        `INSERT INTO events (position, event_id, stream_id, stream_version, type, occurred_at, company_id, actor, data, metadata, prev_hash, hash)
         VALUES (nextval('events_position_seq'), $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
        [e.eventId, e.streamId, e.streamVersion, e.type, e.occurredAt, e.companyId, e.actor, e.data, e.metadata, e.prevHash, e.hash],
      );
    }
    await before.query(`INSERT INTO streams (stream_id, version) VALUES ('key-k1', 2), ('usage-k1', 28)`);
    await before.destroy();
    await ds.runMigrations({ transaction: 'each' });

    const store = new EventStore(ds);
    // the sequence past the first partition's end (10,000,000): it is closed, the next event goes to the second
    await ds.query(`SELECT setval('events_position_seq', 10000000)`);
    await store.append([{ streamId: 'key-k1', type: 'KeyRevoked', companyId: null, actor, data: { keyId: 'k1' } }], { expectedVersions: { 'key-k1': 2 } });

    const signer = new CheckpointSigner({ audit: { signingKey: TEST_AUDIT_SIGNING_KEY } } as KeywardConfig, ds, store);
    const archiver = new AuditArchiver(ds, store, signer, new ArchiveSeals(ds));
    const run = await archiver.archive({ before: new Date(), dir, actor });
    expect(run).toMatchObject({ events: 30, through: { position: 30, hash: prevHash }, dropped: ['events_from_1'] });
    expect(readdirSync(dir).sort()).toEqual(['events-000000000000001-000000010000000.jsonl.gz', 'manifest-000000000000030.json']);
    expect(await ds.query(`SELECT 1 FROM pg_class WHERE relname = 'events_from_1'`)).toEqual([]);
    // the key's stream is whole for the write side: its two archived lifecycle events and the live revoke
    expect((await store.readStream('key-k1')).map((e) => [e.streamVersion, e.type])).toEqual([
      [1, 'KeyCreated'],
      [2, 'KeyUpdated'],
      [3, 'KeyRevoked'],
    ]);
    expect(await store.readStream('usage-k1')).toEqual([]);
    // the live log (the revoke and the AuditArchived record) chains to the seal
    expect(await store.verify({ sealed: { position: 30, hash: prevHash } })).toMatchObject({ ok: true, checked: 2 });
    expect(await store.verify()).toMatchObject({ ok: false, reason: 'prev_hash_mismatch' }); // from genesis it cannot
    expect(await verifyArchiveDir(dir, { publicKeyPem: signer.publicKey })).toMatchObject({ ok: true, events: 30, segments: 1 });
    // nothing more to archive: the partition holding the revoke is open
    expect(await archiver.archive({ before: new Date(), dir, actor })).toMatchObject({ manifest: null, events: 0, dropped: [] });
  });
});
