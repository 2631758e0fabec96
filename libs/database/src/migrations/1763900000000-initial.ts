import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The event log (source of truth) and the first read models projected from it.
 */
export class Initial1763900000000 implements MigrationInterface {
  name = 'Initial1763900000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE SEQUENCE events_position_seq AS bigint;

      CREATE TABLE events (
        position        bigint PRIMARY KEY DEFAULT nextval('events_position_seq'),
        transaction_id  xid8 NOT NULL DEFAULT pg_current_xact_id(),
        event_id        uuid NOT NULL UNIQUE,
        stream_id       text NOT NULL,
        stream_version  integer NOT NULL CHECK (stream_version > 0),
        type            text NOT NULL,
        occurred_at     timestamptz NOT NULL,
        company_id      uuid,
        actor           jsonb NOT NULL,
        data            jsonb NOT NULL,
        metadata        jsonb NOT NULL,
        prev_hash       char(64) NOT NULL,
        hash            char(64) NOT NULL,
        CONSTRAINT events_stream_version_unique UNIQUE (stream_id, stream_version)
      );
      ALTER SEQUENCE events_position_seq OWNED BY events.position;
      CREATE INDEX events_reader_order ON events (transaction_id, position);
      CREATE INDEX events_company_position ON events (company_id, position);

      CREATE FUNCTION keyward_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'events is append-only: % refused', TG_OP USING ERRCODE = 'KW001';
      END $$;
      CREATE TRIGGER events_append_only_row BEFORE UPDATE OR DELETE ON events
        FOR EACH ROW EXECUTE FUNCTION keyward_events_append_only();
      CREATE TRIGGER events_append_only_truncate BEFORE TRUNCATE ON events
        FOR EACH STATEMENT EXECUTE FUNCTION keyward_events_append_only();

      CREATE TABLE streams (
        stream_id   text PRIMARY KEY,
        version     integer NOT NULL,
        updated_at  timestamptz NOT NULL DEFAULT now()
      );

      CREATE TABLE reservations (
        scope      text NOT NULL,
        value      text NOT NULL,
        stream_id  text NOT NULL,
        PRIMARY KEY (scope, value)
      );

      CREATE TABLE projection_checkpoints (
        name            text PRIMARY KEY,
        transaction_id  xid8 NOT NULL DEFAULT '0',
        position        bigint NOT NULL DEFAULT 0,
        updated_at      timestamptz NOT NULL DEFAULT now()
      );

      CREATE TABLE companies (
        id          uuid PRIMARY KEY,
        name        text NOT NULL,
        created_at  timestamptz NOT NULL,
        updated_at  timestamptz NOT NULL
      );

      CREATE TABLE users (
        id           uuid PRIMARY KEY,
        company_id   uuid NOT NULL,
        email        text NOT NULL,
        name         text NOT NULL,
        permissions  text[] NOT NULL,
        disabled     boolean NOT NULL DEFAULT false,
        created_at   timestamptz NOT NULL,
        updated_at   timestamptz NOT NULL,
        version      integer NOT NULL
      );
      CREATE UNIQUE INDEX users_company_email ON users (company_id, lower(email));
      CREATE INDEX users_company_created ON users (company_id, created_at, id);

      CREATE TABLE api_keys (
        id              uuid PRIMARY KEY,
        company_id      uuid NOT NULL,
        owner_id        uuid NOT NULL,
        name            text NOT NULL,
        description     text,
        start           text NOT NULL,
        hash            text NOT NULL UNIQUE,
        type            text NOT NULL,
        permissions     text[] NOT NULL,
        status          text NOT NULL,
        created_at      timestamptz NOT NULL,
        updated_at      timestamptz NOT NULL,
        expires_at      timestamptz,
        revoked_at      timestamptz,
        revoked_reason  text,
        deleted_at      timestamptz,
        last_used_at    timestamptz,
        allowed_ips     text[] NOT NULL DEFAULT '{}',
        rate_limit      jsonb,
        rotated_from    uuid,
        replaced_by     uuid,
        grace_ends_at   timestamptz,
        version         integer NOT NULL
      );
      CREATE INDEX api_keys_company_created ON api_keys (company_id, created_at DESC, id DESC);
      CREATE INDEX api_keys_owner ON api_keys (owner_id);
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP TABLE api_keys; DROP TABLE users; DROP TABLE companies; DROP TABLE projection_checkpoints;
      DROP TABLE reservations; DROP TABLE streams; DROP TABLE events;
      DROP FUNCTION keyward_events_append_only();
    `);
  }
}
