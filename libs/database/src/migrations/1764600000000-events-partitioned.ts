import { MigrationInterface, QueryRunner } from 'typeorm';

/** libs/event-store APPEND_LOCK and PROJECTOR_LOCK (not imported: a migration does not depend on the apps' libs). */
const APPEND_LOCK = 7_301_944_002;
const PROJECTOR_LOCK = 7_301_944_003;
/** Taken by keyward_events_ensure_partitions, so two callers never create the same partition. */
const PARTITION_LOCK = 7_301_944_030;
/** Positions per partition of a new installation or an upgrade (events_partitioning.width; docs/audit-archive.md). */
const DEFAULT_WIDTH = 10_000_000;
/** Empty partitions kept ahead of the sequence. */
const DEFAULT_AHEAD = 2;

/**
 * The log partitioned by position range (docs/audit-archive.md): the archive drops whole
 * partitions, and a position range keeps the hash-chain walks, the head read and every
 * `position` index scan what they were (an ordered append over range partitions; no default
 * partition, which would forbid that).
 *
 * An existing table (an installation upgrading) is not copied: under the projector and append
 * locks and an exclusive lock on the table, it is renamed and attached as the first partition,
 * [1, the next multiple of the width above its last position); its indexes are attached to the
 * parent's (not rebuilt), its unique constraints stay its own. Attaching checks every row against
 * the range once (one sequential read, no write).
 *
 * Kept: the primary key (position), every index (the parent's partitioned indexes, recreated from
 * the old table's definitions, whoever added them), the CHECK, the append-only triggers (row
 * trigger on the parent; TRUNCATE on each partition), the `events_position_seq` default, now owned
 * by the parent's column (dropping a partition must never drop it). Postgres cannot enforce a
 * UNIQUE that leaves out the partition key across partitions: `event_id` and (stream_id,
 * stream_version) are unique in each partition (each has both constraints), and across them by
 * the append path, which checks both under the append lock (findByEventIds, the streams table).
 *
 * Partitions are created ahead of need by keyward_events_ensure_partitions(through): `ahead`
 * empty partitions beyond max(through, the sequence); called here, by the worker's maintenance
 * schedule, and by the append path when its positions come near the last partition.
 *
 * events_retained: when a partition is archived, its events other than the per-request records
 * (KeyUsed, AuthenticationFailed: nearly all of the volume) are copied here first, so that what the
 * write side folds (a key's, a user's, a company's stream) and a key's state replay stay whole.
 */
export class EventsPartitioned1764600000000 implements MigrationInterface {
  name = 'EventsPartitioned1764600000000';

  async up(q: QueryRunner): Promise<void> {
    const [kind]: { relkind: string }[] = await q.query(`SELECT relkind FROM pg_class WHERE oid = 'events'::regclass`);
    if (kind.relkind === 'p') return;
    // an upgrade of a big log waits for the projector and the appends, and may take a while
    await q.query(`SET LOCAL lock_timeout = 0`);
    await q.query(`SET LOCAL statement_timeout = 0`);
    await q.query('SELECT pg_advisory_xact_lock($1)', [PROJECTOR_LOCK]);
    await q.query('SELECT pg_advisory_xact_lock($1)', [APPEND_LOCK]);
    await q.query('LOCK TABLE events IN ACCESS EXCLUSIVE MODE');

    await q.query(`
      CREATE TABLE events_partitioning (
        singleton  boolean PRIMARY KEY DEFAULT true CHECK (singleton),
        width      bigint NOT NULL CHECK (width >= 1),
        ahead      integer NOT NULL CHECK (ahead >= 1)
      );
      INSERT INTO events_partitioning (width, ahead) VALUES (${DEFAULT_WIDTH}, ${DEFAULT_AHEAD});
    `);

    const [{ last }]: { last: string }[] = await q.query('SELECT coalesce(max(position), 0)::text AS last FROM events');
    const firstEnd = (BigInt(Math.max(1, Number(last))) - 1n) / BigInt(DEFAULT_WIDTH) * BigInt(DEFAULT_WIDTH) + BigInt(DEFAULT_WIDTH) + 1n;
    const legacy = 'events_from_1';

    // the old table's indexes and constraints, before anything is renamed
    const indexes: { name: string; def: string; constraint: string | null }[] = await q.query(`
      SELECT c.relname AS name, pg_get_indexdef(i.indexrelid) AS def, con.contype::text AS constraint
        FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
        LEFT JOIN pg_constraint con ON con.conindid = i.indexrelid AND con.conrelid = i.indrelid
       WHERE i.indrelid = 'events'::regclass ORDER BY c.relname`);

    await q.query(`
      DROP TRIGGER events_append_only_row ON events;
      ALTER TABLE events RENAME TO ${legacy};
      ALTER TABLE ${legacy} RENAME CONSTRAINT events_event_id_key TO ${legacy}_event_id_key;
      ALTER TABLE ${legacy} RENAME CONSTRAINT events_stream_version_unique TO ${legacy}_stream_version_key;
      ALTER TABLE ${legacy} RENAME CONSTRAINT events_pkey TO ${legacy}_pkey;
    `);
    const plain = indexes.filter((i) => i.constraint === null);
    for (const i of plain) await q.query(`ALTER INDEX ${quoteIdent(i.name)} RENAME TO ${quoteIdent(partitionIndexName(legacy, i.name))}`);

    await q.query(`
      CREATE TABLE events (
        position        bigint NOT NULL DEFAULT nextval('events_position_seq'),
        transaction_id  xid8 NOT NULL DEFAULT pg_current_xact_id(),
        event_id        uuid NOT NULL,
        stream_id       text NOT NULL,
        stream_version  integer NOT NULL CONSTRAINT events_stream_version_check CHECK (stream_version > 0),
        type            text NOT NULL,
        occurred_at     timestamptz NOT NULL,
        company_id      uuid,
        actor           jsonb NOT NULL,
        data            jsonb NOT NULL,
        metadata        jsonb NOT NULL,
        prev_hash       char(64) NOT NULL,
        hash            char(64) NOT NULL,
        CONSTRAINT events_pkey PRIMARY KEY (position)
      ) PARTITION BY RANGE (position);
      ALTER SEQUENCE events_position_seq OWNED BY events.position;
      CREATE TRIGGER events_append_only_row BEFORE UPDATE OR DELETE ON events
        FOR EACH ROW EXECUTE FUNCTION keyward_events_append_only();
      CREATE TRIGGER events_append_only_truncate BEFORE TRUNCATE ON events
        FOR EACH STATEMENT EXECUTE FUNCTION keyward_events_append_only();
    `);
    // the same indexes on the parent: attaching the old table then attaches its own (no rebuild)
    // (their definitions were read before the rename: they name the index and `events`, now the parent)
    for (const i of plain) await q.query(i.def);
    await q.query(`ALTER TABLE events ATTACH PARTITION ${legacy} FOR VALUES FROM (1) TO (${firstEnd})`);

    await q.query(`
      CREATE VIEW events_partition_bounds AS
        SELECT c.relname::text AS name, m[1]::bigint AS from_position, m[2]::bigint AS to_position
          FROM pg_inherits i
          JOIN pg_class c ON c.oid = i.inhrelid,
          LATERAL regexp_match(pg_get_expr(c.relpartbound, c.oid), 'FROM \\(''?(-?\\d+)''?\\) TO \\(''?(-?\\d+)''?\\)') m
         WHERE i.inhparent = 'events'::regclass;

      -- wait = false (the append path, under the append lock): no waiting for another creator or for a
      -- lock on events (a DETACH … CONCURRENTLY holds one while readers finish): NULL, nothing created
      CREATE FUNCTION keyward_events_ensure_partitions(through bigint DEFAULT 0, wait boolean DEFAULT true) RETURNS bigint
      LANGUAGE plpgsql AS $$
      DECLARE
        w bigint;
        n integer;
        top bigint;
        need bigint;
        part text;
        previous_timeout text := current_setting('lock_timeout');
      BEGIN
        IF wait THEN
          PERFORM pg_advisory_xact_lock(${PARTITION_LOCK});
        ELSIF NOT pg_try_advisory_xact_lock(${PARTITION_LOCK}) THEN
          RETURN NULL;
        END IF;
        SELECT width, ahead INTO w, n FROM events_partitioning;
        SELECT coalesce(max(to_position), 1) INTO top FROM events_partition_bounds;
        need := greatest(through, (SELECT last_value FROM events_position_seq)) + w * n;
        IF top > need THEN
          RETURN top;
        END IF;
        IF NOT wait THEN
          PERFORM set_config('lock_timeout', '200ms', true);
        END IF;
        BEGIN
          WHILE top <= need LOOP
            part := 'events_from_' || top;
            EXECUTE format('CREATE TABLE %I (LIKE events INCLUDING DEFAULTS INCLUDING CONSTRAINTS)', part);
            EXECUTE format('ALTER TABLE %I ADD CONSTRAINT %I UNIQUE (event_id), ADD CONSTRAINT %I UNIQUE (stream_id, stream_version),'
                           ' ADD CONSTRAINT %I CHECK (position >= %s AND position < %s)',
                           part, part || '_event_id_key', part || '_stream_version_key', part || '_range', top, top + w);
            EXECUTE format('CREATE TRIGGER events_append_only_truncate BEFORE TRUNCATE ON %I'
                           ' FOR EACH STATEMENT EXECUTE FUNCTION keyward_events_append_only()', part);
            EXECUTE format('ALTER TABLE events ATTACH PARTITION %I FOR VALUES FROM (%s) TO (%s)', part, top, top + w);
            top := top + w;
          END LOOP;
        EXCEPTION WHEN lock_not_available THEN
          IF wait THEN
            RAISE;
          END IF;
          PERFORM set_config('lock_timeout', previous_timeout, true);
          RETURN NULL;
        END;
        PERFORM set_config('lock_timeout', previous_timeout, true);
        RETURN top;
      END $$;
    `);
    await q.query('SELECT keyward_events_ensure_partitions(0)');

    // what the write side folds, kept when its partition is archived (docs/audit-archive.md)
    await q.query(`
      CREATE TABLE events_retained (LIKE events INCLUDING CONSTRAINTS);
      ALTER TABLE events_retained ADD CONSTRAINT events_retained_pkey PRIMARY KEY (position),
        ADD CONSTRAINT events_retained_event_id_key UNIQUE (event_id),
        ADD CONSTRAINT events_retained_stream_version_key UNIQUE (stream_id, stream_version);
      CREATE TRIGGER events_retained_append_only_row BEFORE UPDATE OR DELETE ON events_retained
        FOR EACH ROW EXECUTE FUNCTION keyward_append_only();
      CREATE TRIGGER events_retained_append_only_truncate BEFORE TRUNCATE ON events_retained
        FOR EACH STATEMENT EXECUTE FUNCTION keyward_append_only();
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('SELECT pg_advisory_xact_lock($1)', [PROJECTOR_LOCK]);
    await q.query('SELECT pg_advisory_xact_lock($1)', [APPEND_LOCK]);
    // back to one table: every live event copied (archived ones stay in their archive)
    await q.query(`
      SET LOCAL statement_timeout = 0;
      CREATE TABLE events_unpartitioned (LIKE events INCLUDING DEFAULTS INCLUDING CONSTRAINTS);
      INSERT INTO events_unpartitioned SELECT * FROM events ORDER BY position;
      DROP VIEW events_partition_bounds;
      DROP FUNCTION keyward_events_ensure_partitions(bigint, boolean);
      DROP TABLE events_partitioning;
      DROP TABLE events_retained;
      ALTER SEQUENCE events_position_seq OWNED BY NONE;
      DROP TABLE events;
      ALTER TABLE events_unpartitioned RENAME TO events;
      ALTER SEQUENCE events_position_seq OWNED BY events.position;
      ALTER TABLE events ADD CONSTRAINT events_pkey PRIMARY KEY (position),
        ADD CONSTRAINT events_event_id_key UNIQUE (event_id),
        ADD CONSTRAINT events_stream_version_unique UNIQUE (stream_id, stream_version);
      CREATE INDEX events_reader_order ON events (transaction_id, position);
      CREATE INDEX events_company_type ON events (company_id, type, position);
      CREATE INDEX events_company_key ON events (company_id, (data->>'keyId'), position);
      CREATE INDEX events_company_actor ON events (company_id, (actor->>'id'), position);
      CREATE INDEX events_company_ip ON events (company_id, (metadata->>'ip'), position);
      CREATE INDEX events_company_request ON events (company_id, (metadata->>'requestId'), position);
      CREATE INDEX events_company_time ON events (company_id, occurred_at, position);
      CREATE INDEX events_company_position_time ON events (company_id, position) INCLUDE (occurred_at);
      CREATE TRIGGER events_append_only_row BEFORE UPDATE OR DELETE ON events
        FOR EACH ROW EXECUTE FUNCTION keyward_events_append_only();
      CREATE TRIGGER events_append_only_truncate BEFORE TRUNCATE ON events
        FOR EACH STATEMENT EXECUTE FUNCTION keyward_events_append_only();
    `);
  }
}

/** `events_company_type` of partition `events_from_1` → `events_from_1_company_type` (63 bytes at most). */
function partitionIndexName(partition: string, index: string): string {
  return `${partition}_${index.replace(/^events_/, '')}`.slice(0, 63);
}

function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
