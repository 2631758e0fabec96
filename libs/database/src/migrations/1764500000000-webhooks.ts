import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Webhooks: `webhooks` is a read model of WebhookCreated/WebhookDeleted (a rebuild empties and
 * refills it); `webhook_cursors` is where each webhook's delivery stands in the log and how its
 * retries go, and `webhook_deliveries` one row per attempt. Those two are delivery state kept by
 * the worker, not read models: a projection rebuild leaves them as they are, so nothing is sent
 * twice or skipped because of a rebuild.
 */
export class Webhooks1764500000000 implements MigrationInterface {
  name = 'Webhooks1764500000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE webhooks (
        id           uuid PRIMARY KEY,
        company_id   uuid NOT NULL,
        url          text NOT NULL,
        events       text[] NOT NULL,
        description  text,
        created_at   timestamptz NOT NULL,
        deleted_at   timestamptz,
        version      integer NOT NULL
      );
      CREATE INDEX webhooks_company ON webhooks (company_id, created_at, id) WHERE deleted_at IS NULL;

      CREATE TABLE webhook_cursors (
        webhook_id          uuid PRIMARY KEY,
        company_id          uuid NOT NULL,
        delivered_position  bigint NOT NULL,
        failed_attempts     integer NOT NULL DEFAULT 0,
        failing_since       timestamptz,
        next_attempt_at     timestamptz,
        last_attempt_at     timestamptz,
        last_status         integer,
        last_error          text
      );

      CREATE TABLE webhook_deliveries (
        id            bigserial PRIMARY KEY,
        webhook_id    uuid NOT NULL,
        attempted_at  timestamptz NOT NULL,
        position      bigint,
        event_type    text NOT NULL,
        attempt       integer NOT NULL,
        status        integer,
        ok            boolean NOT NULL,
        duration_ms   integer NOT NULL,
        error         text,
        test          boolean NOT NULL DEFAULT false
      );
      CREATE INDEX webhook_deliveries_by_webhook ON webhook_deliveries (webhook_id, id);
      CREATE INDEX webhook_deliveries_by_time ON webhook_deliveries (attempted_at);
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE webhook_deliveries; DROP TABLE webhook_cursors; DROP TABLE webhooks;');
  }
}
