import { DataSource, Entity, EntityManager, PrimaryColumn, Column } from 'typeorm';
import { TestDatabase, createTestDatabase } from '@keyward/testing';
import { ApiKeyEntity } from './api-key.entity';
import { InstallationStatusEntity } from './installation-status.entity';
import { UserEntity } from './user.entity';
import { ENTITIES } from './index';
import { EntityColumn, columnsOf, insertRow, tableOf, upsertColumns, versionedUpdate } from './entity-columns';

/** A column as Postgres reports it, in the entity's terms (udt `_text` is a text array). */
const asEntityDescribes = (c: { column_name: string; udt_name: string; is_nullable: string }) => ({
  column: c.column_name,
  type: ({ int2: 'smallint', int4: 'integer', bool: 'boolean' } as Record<string, string>)[c.udt_name.replace(/^_/, '')] ?? c.udt_name.replace(/^_/, ''),
  nullable: c.is_nullable === 'YES',
  array: c.udt_name.startsWith('_'),
});
const sorted = <T extends { column: string }>(list: T[]) => [...list].sort((a, b) => a.column.localeCompare(b.column));

describe('read-model tables described once, by their entities (real Postgres)', () => {
  let db: TestDatabase;
  let ds: DataSource;

  beforeAll(async () => {
    db = await createTestDatabase();
    ds = new DataSource({ type: 'postgres', url: db.url, entities: ENTITIES, extra: { max: 2 } });
    await ds.initialize();
  });
  afterAll(async () => {
    await ds.destroy();
    await db.drop();
  });

  const migrated = async (table: string) =>
    sorted(
      ((await ds.query(`SELECT column_name, udt_name, is_nullable FROM information_schema.columns WHERE table_schema = 'public' AND table_name = $1`, [
        table,
      ])) as { column_name: string; udt_name: string; is_nullable: string }[]).map(asEntityDescribes),
    );
  const described = (columns: readonly EntityColumn[]) => sorted(columns.map(({ column, type, nullable, array }) => ({ column, type, nullable, array })));

  it.each(ENTITIES.map((e) => [tableOf(e), e] as const))('%s: every column of the migrated table, with its type and nullability, and no other', async (table, entity) => {
    const columns = await migrated(table);
    expect(columns.length).toBeGreaterThan(0);
    expect(described(columnsOf(entity))).toEqual(columns);
    const [primary] = await ds.query(
      `SELECT array_agg(a.attname::text ORDER BY a.attname) AS columns FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)
        WHERE i.indrelid = $1::regclass AND i.indisprimary`,
      [table],
    );
    expect(columnsOf(entity).filter((c) => c.primary).map((c) => c.column).sort()).toEqual(primary.columns);
  });

  it('the check fails on drift: an entity naming a column the table does not have, or missing one it has', async () => {
    @Entity('companies')
    class DriftedCompany {
      @PrimaryColumn('uuid') id!: string;
      @Column('text', { name: 'legal_name' }) name!: string;
      @Column('timestamptz', { name: 'created_at' }) createdAt!: Date;
    }
    expect(described(columnsOf(DriftedCompany))).not.toEqual(await migrated('companies'));
  });

  it('a row written from the entity reads back through the entity: jsonb, arrays, timestamps and nulls', async () => {
    const m: EntityManager = ds.manager;
    const id = '00000000-0000-4000-8000-00000000000a';
    const at = new Date('2026-01-02T03:04:05.678Z');
    await insertRow(m, UserEntity, { id, companyId: id, email: 'a@b.test', name: 'A', permissions: ['keys:read'], disabled: false, createdAt: at, updatedAt: at, version: 1 });
    await insertRow(m, ApiKeyEntity, {
      id, companyId: id, ownerId: id, name: 'k', description: null, start: 'kw_1234567', hash: 'h', type: 'standard', permissions: [], status: 'active',
      createdAt: at, updatedAt: at, expiresAt: null, revokedAt: null, revokedReason: null, deletedAt: null, lastUsedAt: null, allowedIps: ['10.0.0.0/8'],
      rateLimit: { limit: 5, windowSeconds: 60 }, rotatedFrom: null, replacedBy: null, graceEndsAt: null, roles: ['READONLY'], meta: { tier: ['gold'] },
      externalId: null, version: 1,
    });
    // a version the row already has changes nothing; a newer one moves it, a null for a NOT NULL column is left out
    await versionedUpdate(m, ApiKeyEntity, id, { name: 'old news' }, { occurredAt: at, streamVersion: 1 });
    const later = new Date(at.getTime() + 1000);
    await versionedUpdate(m, ApiKeyEntity, id, { name: null, description: 'd', meta: { tier: [] }, expiresAt: later.toISOString() }, { occurredAt: later, streamVersion: 2 });
    const key = await m.findOneByOrFail(ApiKeyEntity, { id });
    expect(key).toMatchObject({ name: 'k', description: 'd', rateLimit: { limit: 5, windowSeconds: 60 }, meta: { tier: [] }, allowedIps: ['10.0.0.0/8'], roles: ['READONLY'], expiresAt: later, updatedAt: later, version: 2 });
    expect(await m.findOneByOrFail(UserEntity, { id })).toMatchObject({ email: 'a@b.test', permissions: ['keys:read'], createdAt: at });
    // @ts-expect-error a property the entity does not have is refused by the compiler
    await versionedUpdate(m, UserEntity, id, { nickname: 'x' }, { occurredAt: later, streamVersion: 3 });
  });

  it('a row kept column by column: the first upsert inserts what it names (the rest takes its default), a later one changes only what it names', async () => {
    const m: EntityManager = ds.manager;
    const first = new Date('2026-02-01T00:00:00Z');
    await upsertColumns(m, InstallationStatusEntity, { id: 1, updatedAt: first, centralActive: true, centralUrl: 'https://central.test' });
    const later = new Date('2026-02-02T00:00:00Z');
    await upsertColumns(m, InstallationStatusEntity, { id: 1, updatedAt: later, telemetryEnabled: true, lastCheckLatencyMs: null });
    expect(await m.findOneByOrFail(InstallationStatusEntity, { id: 1 })).toMatchObject({
      centralActive: true,
      centralUrl: 'https://central.test',
      telemetryEnabled: true,
      lastCheckLatencyMs: null,
      installationId: null,
      updatedAt: later,
    });
  });
});
