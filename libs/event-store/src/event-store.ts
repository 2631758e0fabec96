import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { DuplicateEventError, ReservationConflictError, StreamConflictError } from './errors';
import {
  AppendOptions,
  AppendResult,
  LogCheckpoint,
  NewEvent,
  ProjectedEvent,
  StoredEvent,
} from './event.types';
import { ChainBreak, GENESIS_HASH, checkLink, computeEventHash } from './hash-chain';
import { InlineProjection } from './projection';

/** Every append takes this transaction-scoped advisory lock first, so the hash chain is built in commit order. */
export const APPEND_LOCK = 7_301_944_002;

/**
 * How long a transaction that holds the append lock (or the projector's row locks) may sit idle
 * before Postgres ends its session. A process frozen in the middle of such a transaction (SIGSTOP,
 * a paused VM, a partition) would otherwise hold every append — revokes included — until the
 * server-wide idle timeout (10 minutes). Its work is rolled back and retried (stable event ids).
 */
export const LOCK_HOLDER_IDLE_TIMEOUT_MS = 5_000;

/** Bounds the current transaction's idle time (see LOCK_HOLDER_IDLE_TIMEOUT_MS); call before taking a shared lock. */
export async function boundIdleLockHolder(m: EntityManager): Promise<void> {
  await m.query(`SET LOCAL idle_in_transaction_session_timeout = ${LOCK_HOLDER_IDLE_TIMEOUT_MS}`);
}

const COLUMNS = `position, transaction_id::text AS transaction_id, event_id, stream_id, stream_version, type,
  occurred_at, company_id, actor, data, metadata, prev_hash, hash`;

/** The columns of a ProjectedEvent, for the projector's reads. */
const PROJECTED_COLUMNS = `position, transaction_id::text AS transaction_id, stream_id, stream_version, type, occurred_at, company_id, data`;

type ProjectedRow = Pick<EventRow, 'position' | 'transaction_id' | 'stream_id' | 'stream_version' | 'type' | 'occurred_at' | 'company_id' | 'data'>;

function toProjectedEvent(r: ProjectedRow): ProjectedEvent {
  return {
    position: Number(r.position),
    transactionId: r.transaction_id,
    streamId: r.stream_id,
    streamVersion: r.stream_version,
    type: r.type,
    occurredAt: r.occurred_at,
    companyId: r.company_id,
    data: r.data,
  };
}

interface EventRow {
  position: string;
  transaction_id: string;
  event_id: string;
  stream_id: string;
  stream_version: number;
  type: string;
  occurred_at: Date;
  company_id: string | null;
  actor: StoredEvent['actor'];
  data: Record<string, unknown>;
  metadata: StoredEvent['metadata'];
  prev_hash: string;
  hash: string;
}

export function toStoredEvent(r: EventRow): StoredEvent {
  return {
    position: Number(r.position),
    transactionId: r.transaction_id,
    eventId: r.event_id,
    streamId: r.stream_id,
    streamVersion: r.stream_version,
    type: r.type,
    occurredAt: r.occurred_at,
    companyId: r.company_id,
    actor: r.actor,
    data: r.data,
    metadata: r.metadata,
    prevHash: r.prev_hash,
    hash: r.hash,
  };
}

export interface VerifyResult {
  ok: boolean;
  checked: number;
  firstBadPosition?: number;
  reason?: ChainBreak['reason'];
  head: { position: number; hash: string } | null;
}

/**
 * The append-only, hash-chained event log.
 *
 * Appends are serialised by one advisory lock taken as the first statement of the
 * appending transaction (before it has a transaction id), so positions, transaction
 * ids and the hash chain all follow commit order. Readers do not rely on that: they
 * read in (transaction_id, position) order below the oldest running transaction,
 * which never skips a late commit whoever wrote it.
 */
@Injectable()
export class EventStore {
  private readonly listeners: ((events: StoredEvent[]) => void)[] = [];
  private readonly inline: InlineProjection[] = [];
  /** The position from which an append first makes sure partitions exist ahead (keyward_events_ensure_partitions); 0: at once. */
  private ensurePartitionsAt = 0;

  constructor(private readonly dataSource: DataSource) {}

  /** Read models applied in the appending transaction from now on (see InlineProjection). */
  useInline(projections: InlineProjection[]): void {
    for (const p of projections) if (!this.inline.includes(p)) this.inline.push(p);
  }

  /** Called after each committed append (metrics); a listener must not throw. */
  onAppended(listener: (events: StoredEvent[]) => void): void {
    this.listeners.push(listener);
  }

  async append(events: NewEvent[], options: AppendOptions): Promise<AppendResult> {
    const result = await this.dataSource.transaction('READ COMMITTED', async (m) => {
      const appended = await this.appendWithin(m, events, options);
      // still under the append lock: inline read models change in commit order, with their events
      for (const p of this.inline) {
        const own = appended.events.filter((e) => p.inlineTypes.has(e.type));
        if (own.length > 0) await p.applyInline(m, own);
      }
      const appliedInline = appended.events.every((e) => this.inline.some((p) => p.inlineTypes.has(e.type)));
      return { ...appended, appliedInline };
    });
    for (const listener of this.listeners) listener(result.events);
    return result;
  }

  /**
   * Appends inside the caller's transaction, visible when it commits. Takes the append
   * lock, held to the commit: call it last. Readers stay correct even though such a
   * transaction may have had its id long before (see readAfter).
   */
  async appendWithin(m: EntityManager, events: NewEvent[], options: AppendOptions): Promise<AppendResult> {
    if (events.length === 0) throw new Error('append needs at least one event');
    // written out, not spread: V8's slow path for a spread followed by more properties cost µs per event
    let prepared = events.map((e) => ({
      eventId: e.eventId ?? randomUUID(),
      streamId: e.streamId,
      type: e.type,
      companyId: e.companyId,
      actor: e.actor,
      data: e.data as Record<string, unknown>,
      metadata: e.metadata ?? {},
      // the log keeps millisecond precision, which is what the hash covers
      occurredAt: new Date((e.occurredAt ?? new Date()).getTime()),
    }));

    const stored = await (async () => {
      await boundIdleLockHolder(m);
      await m.query('SELECT pg_advisory_xact_lock($1)', [APPEND_LOCK]);

      const existing = await this.findByEventIds(m, prepared.map((e) => e.eventId));
      if (existing.length === prepared.length) return existing; // an idempotent re-append
      if (existing.length > 0 && !options.skipExisting) throw new DuplicateEventError(existing[0].eventId);
      if (existing.length > 0) {
        const seen = new Set(existing.map((e) => e.eventId));
        prepared = prepared.filter((e) => !seen.has(e.eventId));
      }

      const nextVersion = await this.checkAndBumpStreams(m, prepared, options);
      for (const r of options.reservations ?? []) {
        const inserted = await m.query(
          `INSERT INTO reservations (scope, value, stream_id) VALUES ($1, $2, $3)
           ON CONFLICT DO NOTHING RETURNING scope`,
          [r.scope, r.value, prepared[0].streamId],
        );
        if (inserted.length === 0) throw new ReservationConflictError(r.scope, r.value);
      }

      // the head to chain to, the positions, and the transaction id the rows' default will take
      // (assigned by the streams' upsert above); one round trip
      const [next]: { hash: string | null; xid: string; positions: string[] }[] = await m.query(
        `SELECT (SELECT hash FROM events ORDER BY position DESC LIMIT 1) AS hash, pg_current_xact_id()::text AS xid,
                ARRAY(SELECT nextval('events_position_seq') FROM generate_series(1, $1))::text[] AS positions`,
        [prepared.length],
      );
      const positions = next.positions.map(Number).sort((a, b) => a - b);
      let prevHash = next.hash ?? GENESIS_HASH;
      // the log is partitioned by position: near the last partition, the next ones are made now
      // (the worker's schedule normally has; this keeps appends going when it has not run). Without
      // waiting: under the append lock, a creator or a detach holding events' lock must not hold every
      // append (null: not now; the next append tries again, there is room until the last partition ends)
      const last = positions[positions.length - 1];
      if (last >= this.ensurePartitionsAt) {
        const [{ top }]: { top: string | null }[] = await m.query('SELECT keyward_events_ensure_partitions($1, false) AS top', [last]);
        if (top !== null) this.ensurePartitionsAt = last + Math.floor((Number(top) - last) / 2);
      }

      const rows: StoredEvent[] = prepared.map((e, i) => {
        const row: StoredEvent = {
          position: positions[i],
          transactionId: next.xid,
          eventId: e.eventId,
          streamId: e.streamId,
          streamVersion: nextVersion(e.streamId),
          type: e.type,
          occurredAt: e.occurredAt,
          companyId: e.companyId,
          actor: e.actor,
          data: e.data,
          metadata: e.metadata,
          prevHash,
          hash: '',
        };
        row.hash = prevHash = computeEventHash(row);
        return row;
      });

      // nothing returned: the rows are the ones just sent (what the hash covers)
      await m.query(
        `INSERT INTO events (position, event_id, stream_id, stream_version, type, occurred_at, company_id,
                             actor, data, metadata, prev_hash, hash)
         SELECT position, event_id, stream_id, stream_version, type, occurred_at, company_id,
                actor, data, metadata, prev_hash, hash
           FROM jsonb_to_recordset($1::jsonb) AS x(position bigint, event_id uuid, stream_id text,
                stream_version int, type text, occurred_at timestamptz, company_id uuid, actor jsonb,
                data jsonb, metadata jsonb, prev_hash text, hash text)
         ORDER BY position`,
        [
          JSON.stringify(
            rows.map((r) => ({
              position: r.position,
              event_id: r.eventId,
              stream_id: r.streamId,
              stream_version: r.streamVersion,
              type: r.type,
              occurred_at: r.occurredAt.toISOString(),
              company_id: r.companyId,
              actor: r.actor,
              data: r.data,
              metadata: r.metadata,
              prev_hash: r.prevHash,
              hash: r.hash,
            })),
          ),
        ],
      );
      return rows;
    })();

    const last = stored[stored.length - 1];
    return {
      events: stored,
      checkpoint: { transactionId: last.transactionId, position: last.position },
      appliedInline: false, // append() applies inline projections; a caller's own transaction does not
    };
  }

  /** Checks every stream's expected version and moves it on; returns the version of each next event. */
  private async checkAndBumpStreams(
    m: EntityManager,
    events: { streamId: string }[],
    options: AppendOptions,
  ): Promise<(streamId: string) => number> {
    const counts = new Map<string, number>();
    for (const e of events) counts.set(e.streamId, (counts.get(e.streamId) ?? 0) + 1);
    const ids = [...counts.keys()];
    const current: { stream_id: string; version: number }[] = await m.query(
      'SELECT stream_id, version FROM streams WHERE stream_id = ANY($1)',
      [ids],
    );
    const versions = new Map(current.map((r) => [r.stream_id, r.version]));
    for (const id of ids) {
      const actual = versions.get(id) ?? 0;
      const expected = options.expectedVersions[id] ?? 'any';
      if (expected !== 'any' && expected !== actual) throw new StreamConflictError(id, expected, actual);
    }
    await m.query(
      `INSERT INTO streams (stream_id, version)
       SELECT * FROM unnest($1::text[], $2::int[])
       ON CONFLICT (stream_id) DO UPDATE SET version = excluded.version, updated_at = now()`,
      [ids, ids.map((id) => (versions.get(id) ?? 0) + counts.get(id)!)],
    );
    const next = new Map(ids.map((id) => [id, versions.get(id) ?? 0]));
    return (streamId) => {
      const v = next.get(streamId)! + 1;
      next.set(streamId, v);
      return v;
    };
  }

  /** Looks in the retained events too: an archived lifecycle event re-appended with its id is still a no-op. */
  private async findByEventIds(m: EntityManager, ids: string[]): Promise<StoredEvent[]> {
    const rows: EventRow[] = await m.query(
      `SELECT ${COLUMNS} FROM events_retained WHERE event_id = ANY($1::uuid[])
       UNION ALL
       SELECT ${COLUMNS} FROM events WHERE event_id = ANY($1::uuid[]) AND NOT EXISTS (SELECT 1 FROM events_retained r WHERE r.position = events.position)
       ORDER BY position`,
      [ids],
    );
    return rows.map(toStoredEvent);
  }

  /**
   * A stream's events in order: those whose partition was archived come from events_retained (every
   * archived event but the per-request records), so a fold sees the whole stream.
   */
  async readStream(streamId: string, manager: EntityManager = this.dataSource.manager): Promise<StoredEvent[]> {
    const rows: EventRow[] = await manager.query(
      `SELECT ${COLUMNS} FROM events_retained WHERE stream_id = $1
       UNION ALL
       SELECT ${COLUMNS} FROM events WHERE stream_id = $1 AND NOT EXISTS (SELECT 1 FROM events_retained r WHERE r.position = events.position)
       ORDER BY stream_version`,
      [streamId],
    );
    return rows.map(toStoredEvent);
  }

  /**
   * The next events after `after` in (transaction_id, position) order, only from
   * transactions older than every transaction still running: an event committed
   * later can never land before what was already returned.
   * Call it before the calling transaction writes anything (its own id would hold the horizon back).
   */
  async readAfter(
    after: LogCheckpoint,
    limit: number,
    manager: EntityManager = this.dataSource.manager,
  ): Promise<ProjectedEvent[]> {
    const rows: ProjectedRow[] = await manager.query(
      `SELECT ${PROJECTED_COLUMNS} FROM events
        WHERE (transaction_id, position) > ($1::text::xid8, $2::bigint)
          AND transaction_id < pg_snapshot_xmin(pg_current_snapshot())
        ORDER BY events.transaction_id, events.position -- the columns, not the text aliases of the select list
        LIMIT $3`,
      [after.transactionId, after.position, limit],
    );
    return rows.map(toProjectedEvent);
  }

  /**
   * The next events after `afterPosition` in position order, with no visibility horizon: for a
   * caller that holds the append lock, for whom every event is committed (a rebuild).
   */
  async readByPosition(afterPosition: number, limit: number, manager: EntityManager): Promise<ProjectedEvent[]> {
    const rows: ProjectedRow[] = await manager.query(`SELECT ${PROJECTED_COLUMNS} FROM events WHERE position > $1 ORDER BY position LIMIT $2`, [
      afterPosition,
      limit,
    ]);
    return rows.map(toProjectedEvent);
  }

  /** The newest position and hash (null on an empty log). */
  async head(): Promise<{ position: number; hash: string } | null> {
    const rows: { position: string; hash: string }[] = await this.dataSource.query(
      'SELECT position, hash FROM events ORDER BY position DESC LIMIT 1',
    );
    return rows[0] ? { position: Number(rows[0].position), hash: rows[0].hash } : null;
  }

  /**
   * Creates the partitions `ahead` of the sequence (or of `through`) that do not exist yet, and
   * returns the end of the last one (exclusive). Idempotent; the worker calls it on a schedule.
   */
  async ensurePartitions(through = 0): Promise<number> {
    const [{ top }]: { top: string }[] = await this.dataSource.query('SELECT keyward_events_ensure_partitions($1) AS top', [through]);
    return Number(top);
  }

  /**
   * Walks the chain in position order from `fromPosition` and names the first
   * event whose previous hash or own hash does not match. `sealed`: the last archived event
   * (the log's start went to an archive): the walk starts after it, the first event chained to its hash.
   */
  async verify(
    options: {
      fromPosition?: number;
      sealed?: { position: number; hash: string } | null;
      batchSize?: number;
      onProgress?: (checked: number) => void;
    } = {},
  ): Promise<VerifyResult> {
    const batchSize = options.batchSize ?? 5000;
    let after = Math.max(0, (options.fromPosition ?? 1) - 1);
    let expectedPrev = GENESIS_HASH;
    if (options.sealed && after <= options.sealed.position) {
      after = options.sealed.position;
      expectedPrev = options.sealed.hash;
    } else if (after > 0) {
      const prev: { hash: string }[] = await this.dataSource.query(
        'SELECT hash FROM events WHERE position <= $1 ORDER BY position DESC LIMIT 1',
        [after],
      );
      expectedPrev = prev[0]?.hash ?? GENESIS_HASH;
    }
    let checked = 0;
    let head: VerifyResult['head'] = null;
    for (;;) {
      const rows: EventRow[] = await this.dataSource.query(
        `SELECT ${COLUMNS} FROM events WHERE position > $1 ORDER BY position LIMIT $2`,
        [after, batchSize],
      );
      if (rows.length === 0) break;
      for (const row of rows) {
        const e = toStoredEvent(row);
        const broken = checkLink(e, expectedPrev);
        if (broken) {
          return { ok: false, checked, firstBadPosition: broken.position, reason: broken.reason, head };
        }
        checked++;
        expectedPrev = e.hash;
        head = { position: e.position, hash: e.hash };
        after = e.position;
      }
      options.onProgress?.(checked);
    }
    return { ok: true, checked, head };
  }
}
