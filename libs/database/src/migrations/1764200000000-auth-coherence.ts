import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Cache coherence of the API instances, in Postgres beside the key table (no Redis, no worker):
 *
 * - `auth_changes`: one row per committed change that can take rights away from cached keys
 *   (revoke, delete, rotation, key edit, owner change), written by the command in the transaction
 *   of its event, under the append lock — so `seq` follows commit order and a reader that saw
 *   `seq` N has seen every change before it. Pruned after a while: it is a signal, not a record
 *   (the log is the record).
 * - `auth_instances`: each API instance's lease: the last change it applied to its cache and
 *   until when (database clock) it may trust that cache. A revoke returns once every instance
 *   with a live lease has applied it.
 */
export class AuthCoherence1764200000000 implements MigrationInterface {
  name = 'AuthCoherence1764200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE auth_changes (
        seq            bigserial PRIMARY KEY,
        company_id     uuid NOT NULL,
        key_ids        uuid[] NOT NULL DEFAULT '{}',
        owner_ids      uuid[] NOT NULL DEFAULT '{}',
        -- a role or permission of the company changed: every key of it may be affected
        whole_company  boolean NOT NULL DEFAULT false,
        created_at     timestamptz NOT NULL DEFAULT clock_timestamp()
      );

      -- company_id NULL: a Keyward API instance (caches every company's keys); otherwise a
      -- verifier of that company's own service (@keyward/nestjs), which sees only its changes
      CREATE TABLE auth_instances (
        instance_id  uuid PRIMARY KEY,
        company_id   uuid,
        seen_seq     bigint NOT NULL,
        valid_until  timestamptz NOT NULL,
        host         text NOT NULL,
        pid          integer NOT NULL,
        started_at   timestamptz NOT NULL DEFAULT clock_timestamp(),
        -- a verifier whose stream ended: its lease is no longer renewed, but still waited for
        -- until it lapses (the verifier may not know yet that its stream is gone)
        ended_at     timestamptz
      );
      CREATE INDEX auth_instances_valid_until ON auth_instances (valid_until);
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE auth_instances; DROP TABLE auth_changes;');
  }
}
