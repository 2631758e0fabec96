import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Read models of the shared secrets (metadata only: the sealed secret stays in the log) and of
 * the installation's central link and telemetry (one row). Both are projections: a rebuild
 * empties and refills them from the log.
 */
export class System1764000000000 implements MigrationInterface {
  name = 'System1764000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE shared_secrets (
        company_id        uuid PRIMARY KEY,
        fingerprint       text NOT NULL,
        created_at        timestamptz NOT NULL,
        rotated_at        timestamptz,
        last_revealed_at  timestamptz,
        version           integer NOT NULL
      );

      CREATE TABLE installation_status (
        id                         smallint PRIMARY KEY CHECK (id = 1),
        installation_id            uuid,
        central_active             boolean NOT NULL DEFAULT false,
        central_url                text,
        central_activated_at       timestamptz,
        central_deactivated_at     timestamptz,
        last_contact_at            timestamptz,
        last_contact_outcome       text,
        last_check_at              timestamptz,
        last_check_outcome         text,
        last_check_latency_ms      integer,
        last_heartbeat_at          timestamptz,
        last_heartbeat_failed_at   timestamptz,
        last_heartbeat_failure     text,
        telemetry_enabled          boolean NOT NULL DEFAULT false,
        telemetry_changed_at       timestamptz,
        updated_at                 timestamptz NOT NULL
      );
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE installation_status; DROP TABLE shared_secrets;');
  }
}
