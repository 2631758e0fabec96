import { withClient } from './postgres-admin';
import { createTestDatabase, TestDatabase } from './test-database';
import { testEnvironment } from './test-env';

describe('createTestDatabase', () => {
  const created: TestDatabase[] = [];
  afterAll(() => Promise.all(created.map((db) => db.drop())));

  it('gives each caller a distinct database with the migrated schema', async () => {
    const first = await createTestDatabase();
    const second = await createTestDatabase();
    created.push(first, second);

    expect(first.name).not.toBe(second.name);
    for (const db of [first, second]) {
      expect(db.name).toMatch(new RegExp(`^keyward_test_${testEnvironment().runId}_`));
      const row = await withClient(db.url, async (client) => {
        const { rows } = await client.query(
          "SELECT current_database() AS name, to_regclass('public.events') IS NOT NULL AS has_events",
        );
        return rows[0];
      });
      expect(row).toEqual({ name: db.name, has_events: true });
    }

    // What one test writes, the other does not see.
    await withClient(first.url, (client) => client.query('CREATE TABLE only_in_first (id int)'));
    const inSecond = await withClient(second.url, (client) =>
      client.query("SELECT to_regclass('public.only_in_first') AS found"),
    );
    expect(inSecond.rows[0].found).toBeNull();
  });

  it('drop() removes the database', async () => {
    const db = await createTestDatabase();
    await db.drop();
    expect(await databaseExists(db.name)).toBe(false);
  });

  it('refuses a database whose name lacks "test"', async () => {
    await expect(createTestDatabase({ name: 'keyward_production' })).rejects.toThrow(/must contain "test"/);
    expect(await databaseExists('keyward_production')).toBe(false);
  });
});

function databaseExists(name: string): Promise<boolean> {
  return withClient(testEnvironment().pgAdminUrl, async (client) => {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    return rowCount === 1;
  });
}
