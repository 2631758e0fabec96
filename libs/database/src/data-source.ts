import { DataSource, DataSourceOptions } from 'typeorm';
import { ENTITIES } from './entities';
import { Initial1763900000000 } from './migrations/1763900000000-initial';
import { Audit1763990000000 } from './migrations/1763990000000-audit';
import { System1764000000000 } from './migrations/1764000000000-system';
import { AuditTimeCovering1764100000000 } from './migrations/1764100000000-audit-time-covering';
import { AuthCoherence1764200000000 } from './migrations/1764200000000-auth-coherence';
import { CompanyCatalog1764300000000 } from './migrations/1764300000000-company-catalog';
import { UsageSeries1764400000000 } from './migrations/1764400000000-usage-series';
import { Webhooks1764500000000 } from './migrations/1764500000000-webhooks';
import { UsageRefusals1764510000000 } from './migrations/1764510000000-usage-refusals';
import { EventsPartitioned1764600000000 } from './migrations/1764600000000-events-partitioned';

export const MIGRATIONS = [Initial1763900000000, Audit1763990000000, System1764000000000, AuditTimeCovering1764100000000, AuthCoherence1764200000000, CompanyCatalog1764300000000, UsageSeries1764400000000, Webhooks1764500000000, UsageRefusals1764510000000, EventsPartitioned1764600000000];

/** The one data source definition, shared by the apps, the CLI and the tests. */
export function dataSourceOptions(databaseUrl: string, overrides: Partial<DataSourceOptions> = {}): DataSourceOptions {
  return {
    type: 'postgres',
    url: databaseUrl,
    entities: ENTITIES,
    migrations: MIGRATIONS,
    synchronize: false,
    migrationsRun: false,
    migrationsTransactionMode: 'each',
    logging: ['error'],
    extra: {
      max: 20,
      application_name: 'keyward',
      // nothing waits forever: a lost database answers 503 instead of hanging requests
      connectionTimeoutMillis: 10_000,
      statement_timeout: 60_000,
      lock_timeout: 15_000,
      idle_in_transaction_session_timeout: 600_000,
    },
    ...overrides,
  } as DataSourceOptions;
}

const MIGRATION_LOCK = 7_301_944_001;

/**
 * Runs pending migrations under a Postgres advisory lock, so several processes
 * starting at once apply each migration exactly once.
 */
export async function runMigrations(dataSource: DataSource): Promise<string[]> {
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    await runner.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    // each migration in its own transaction, so one that must run outside any (an index built
    // CONCURRENTLY on the log) can say so; the advisory lock still serialises whole runs
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    return applied.map((m) => m.name);
  } finally {
    await runner.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => undefined);
    await runner.release();
  }
}

/** Opens a short-lived connection and applies pending migrations (under the lock). */
export async function migrate(databaseUrl: string): Promise<string[]> {
  const ds = new DataSource(dataSourceOptions(databaseUrl, { extra: { max: 2, application_name: 'keyward-migrate' } }));
  await ds.initialize();
  try {
    return await runMigrations(ds);
  } finally {
    await ds.destroy();
  }
}
