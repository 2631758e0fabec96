import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Refusals by reason: per company, the refused authentications (`AuthenticationFailed`) of each
 * minute, hour and day (UTC) by their reason — what the console's overview shows as "refused
 * requests by reason". Kept by the worker in the projector's transaction beside `usage_buckets`,
 * so each refusal counts once.
 */
export class UsageRefusals1764510000000 implements MigrationInterface {
  name = 'UsageRefusals1764510000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE usage_refusals (
        company_id   uuid NOT NULL,
        granularity  "char" NOT NULL CHECK (granularity IN ('m', 'h', 'd')),
        start        timestamptz NOT NULL,
        reason       text NOT NULL,
        count        bigint NOT NULL,
        PRIMARY KEY (company_id, granularity, start, reason)
      )
    `);
    // the refusals the projector has already passed are counted here, once: under the projector's
    // lock (no batch runs meanwhile), exactly the events up to its checkpoint; the rest it projects
    await q.query('SELECT pg_advisory_xact_lock(7301944003)');
    await q.query(`
      INSERT INTO usage_refusals (company_id, granularity, start, reason, count)
      SELECT e.company_id, g.code, date_trunc(g.unit, e.occurred_at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC',
             coalesce(e.data->>'reason', 'UNKNOWN'), count(*)
        FROM events e
       CROSS JOIN (VALUES ('m'::"char", 'minute'), ('h'::"char", 'hour'), ('d'::"char", 'day')) AS g(code, unit)
       WHERE e.type = 'AuthenticationFailed' AND e.company_id IS NOT NULL
         AND (e.transaction_id, e.position) <= (SELECT transaction_id, position FROM projection_checkpoints WHERE name = 'read-models')
       GROUP BY 1, 2, 3, 4
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE usage_refusals');
  }
}
