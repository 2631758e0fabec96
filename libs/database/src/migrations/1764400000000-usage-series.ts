import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Usage series: per key, the requests of each minute, hour and day (UTC), by status class, and
 * the refused authentications — kept by the worker from `KeyUsed` and `AuthenticationFailed`, in
 * the projector's transaction, so each event is counted exactly once. Refusals of a key that does
 * not exist count under the nil UUID (the company's series has them; no key's does).
 */
export class UsageSeries1764400000000 implements MigrationInterface {
  name = 'UsageSeries1764400000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE usage_buckets (
        key_id       uuid NOT NULL,
        granularity  "char" NOT NULL CHECK (granularity IN ('m', 'h', 'd')),
        start        timestamptz NOT NULL,
        company_id   uuid NOT NULL,
        total        bigint NOT NULL,
        status_2xx   bigint NOT NULL,
        status_3xx   bigint NOT NULL,
        status_4xx   bigint NOT NULL,
        status_5xx   bigint NOT NULL,
        refused      bigint NOT NULL,
        PRIMARY KEY (key_id, granularity, start)
      );
      CREATE INDEX usage_buckets_company ON usage_buckets (company_id, granularity, start);
    `);
    // the usage the projector has already passed is counted here, once: under the projector's lock
    // (no batch runs meanwhile), exactly the events up to its checkpoint; the rest it projects itself
    await q.query('SELECT pg_advisory_xact_lock(7301944003)');
    await q.query(`
      INSERT INTO usage_buckets (key_id, granularity, start, company_id, total, status_2xx, status_3xx, status_4xx, status_5xx, refused)
      SELECT coalesce((e.data->>'keyId')::uuid, '00000000-0000-0000-0000-000000000000'), g.code,
             date_trunc(g.unit, e.occurred_at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC', e.company_id,
             count(*),
             count(*) FILTER (WHERE e.type = 'KeyUsed' AND (e.data->>'status')::int / 100 = 2),
             count(*) FILTER (WHERE e.type = 'KeyUsed' AND (e.data->>'status')::int / 100 = 3),
             count(*) FILTER (WHERE e.type = 'KeyUsed' AND (e.data->>'status')::int / 100 = 4),
             count(*) FILTER (WHERE e.type = 'KeyUsed' AND (e.data->>'status')::int / 100 = 5),
             count(*) FILTER (WHERE e.type = 'AuthenticationFailed')
        FROM events e
       CROSS JOIN (VALUES ('m'::"char", 'minute'), ('h'::"char", 'hour'), ('d'::"char", 'day')) AS g(code, unit)
       WHERE e.type IN ('KeyUsed', 'AuthenticationFailed') AND e.company_id IS NOT NULL
         AND (e.transaction_id, e.position) <= (SELECT transaction_id, position FROM projection_checkpoints WHERE name = 'read-models')
       GROUP BY 1, 2, 3, 4
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE usage_buckets');
  }
}
