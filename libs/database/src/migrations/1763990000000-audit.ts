import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Indexes for the company-scoped audit queries (each filter keeps log order), and the
 * signed checkpoints of the chain head, append-only like the log.
 */
export class Audit1763990000000 implements MigrationInterface {
  name = 'Audit1763990000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE INDEX events_company_type ON events (company_id, type, position);
      CREATE INDEX events_company_key ON events (company_id, (data->>'keyId'), position);
      CREATE INDEX events_company_actor ON events (company_id, (actor->>'id'), position);
      CREATE INDEX events_company_ip ON events (company_id, (metadata->>'ip'), position);
      CREATE INDEX events_company_request ON events (company_id, (metadata->>'requestId'), position);
      CREATE INDEX events_company_time ON events (company_id, occurred_at, position);

      CREATE TABLE audit_checkpoints (
        position           bigint PRIMARY KEY,
        hash               char(64) NOT NULL,
        previous_position  bigint,
        previous_hash      char(64),
        signed_at          timestamptz NOT NULL,
        public_key         text NOT NULL,
        signature          text NOT NULL
      );
      CREATE FUNCTION keyward_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP USING ERRCODE = 'KW001';
      END $$;
      CREATE TRIGGER audit_checkpoints_append_only_row BEFORE UPDATE OR DELETE ON audit_checkpoints
        FOR EACH ROW EXECUTE FUNCTION keyward_append_only();
      CREATE TRIGGER audit_checkpoints_append_only_truncate BEFORE TRUNCATE ON audit_checkpoints
        FOR EACH STATEMENT EXECUTE FUNCTION keyward_append_only();
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP TABLE audit_checkpoints;
      DROP FUNCTION keyward_append_only();
      DROP INDEX events_company_type, events_company_key, events_company_actor, events_company_ip,
        events_company_request, events_company_time;
    `);
  }
}
