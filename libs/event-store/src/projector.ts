import { Inject, Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { KEYWARD_CONFIG, KeywardConfig } from '@keyward/config';
import { Channels, REDIS, RedisClient } from '@keyward/queue';
import { APPEND_LOCK, EventStore, boundIdleLockHolder } from './event-store';
import { LogArchivedError } from './errors';
import { GENESIS_HASH } from './hash-chain';
import { LOG_START, LogCheckpoint, ProjectedEvent } from './event.types';
import { PROJECTIONS, Projection, isInlineProjection } from './projection';

export const PROJECTION_NAME = 'read-models';
/** Held for each batch: one projector applies events at a time, across every worker process. */
export const PROJECTOR_LOCK = 7_301_944_003;

export interface ProjectionRun {
  applied: number;
  checkpoint: LogCheckpoint;
}

interface BatchRun extends ProjectionRun {
  events: ProjectedEvent[];
  /** Committed events after the checkpoint that the visibility horizon hid (checked on a short batch only). */
  heldBack: boolean;
}

/** First and longest pause between reads while committed events wait behind the horizon. */
const HELD_BACK_FIRST_PAUSE_MS = 10;
const HELD_BACK_MAX_PAUSE_MS = 200;

/**
 * Applies the log to every registered projection. Each batch, its read-model changes and its
 * checkpoint are one transaction, so a batch applied twice changes nothing and a
 * crash in the middle leaves nothing half-applied.
 */
@Injectable()
export class Projector implements OnModuleDestroy {
  private readonly logger = new Logger(Projector.name);
  private stopping = false;

  constructor(
    private readonly dataSource: DataSource,
    private readonly events: EventStore,
    @Inject(KEYWARD_CONFIG) private readonly config: KeywardConfig,
    @Inject(REDIS) private readonly redis: RedisClient,
    @Inject(PROJECTIONS) private readonly projections: Projection[],
  ) {
    // the same read models, applied by every append of this process as it commits
    events.useInline(projections.filter(isInlineProjection));
  }

  onModuleDestroy(): void {
    // a run waiting for the horizon stops waiting: the worker's shutdown waits for its active job
    this.stopping = true;
  }

  /**
   * Applies batches until the log has nothing more below the visibility horizon, and waits for the
   * horizon when committed events lie beyond it. The horizon is the oldest transaction running on
   * the whole Postgres server (transaction ids are server-wide: another database's transaction counts),
   * so a run woken by an append can find that append's event still hidden by a transaction that
   * began just before it and ends a few milliseconds later. Returning then would leave the event —
   * and the writer waiting for it — until the next wake-up or tick; so the run reads again, with a
   * growing pause, until the hidden events are applied or nothing has moved for
   * CONSISTENCY_TIMEOUT_MS (as long as a writer waits): a transaction left open that long is named
   * in a warning, and the tick takes over. Transactions not committed yet are not waited for: their
   * commit wakes the projector again.
   */
  async catchUp(): Promise<ProjectionRun> {
    let applied = 0;
    let checkpoint: LogCheckpoint;
    let heldSince: number | null = null;
    let pause = HELD_BACK_FIRST_PAUSE_MS;
    for (;;) {
      const batch = await this.dataSource.transaction('READ COMMITTED', (m) => this.applyBatch(m));
      applied += batch.applied;
      checkpoint = batch.checkpoint;
      if (batch.applied > 0) {
        for (const p of this.projections) await p.afterCommit?.(batch.events).catch(() => undefined);
        await this.announce(checkpoint);
        heldSince = null;
        pause = HELD_BACK_FIRST_PAUSE_MS;
      }
      if (batch.applied >= this.config.projection.batchSize) continue;
      if (!batch.heldBack || this.stopping) break;
      heldSince ??= Date.now();
      if (Date.now() - heldSince >= this.config.consistencyTimeoutMs) {
        this.logger.warn(`events after position ${checkpoint.position} are committed but held back by ${await this.oldestTransaction()}; the next tick tries again`);
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, pause));
      pause = Math.min(pause * 2, HELD_BACK_MAX_PAUSE_MS);
    }
    return { applied, checkpoint };
  }

  /**
   * Empties the read models and replays the whole log, in one transaction. It holds the append
   * lock throughout: no append is in flight, so every event of the log is committed and replayed
   * — a transaction left open elsewhere cannot make the rebuilt tables stop short of the log (the
   * key tables are what the guard reads). Appends wait for the rebuild.
   */
  async rebuild(onProgress?: (applied: number) => void): Promise<ProjectionRun> {
    const run = await this.dataSource.transaction('READ COMMITTED', async (m) => {
      await boundIdleLockHolder(m);
      await m.query('SELECT pg_advisory_xact_lock($1)', [PROJECTOR_LOCK]);
      await m.query('SELECT pg_advisory_xact_lock($1)', [APPEND_LOCK]);
      // a log whose start went to an archive cannot be replayed from zero: the read models stay as they are
      const [first]: { position: string; prev_hash: string }[] = await m.query('SELECT position, prev_hash FROM events ORDER BY position LIMIT 1');
      if (first && first.prev_hash !== GENESIS_HASH) throw new LogArchivedError(Number(first.position));
      await m.query(`TRUNCATE ${this.projections.flatMap((p) => p.tables).join(', ')}`);
      let applied = 0;
      let position = 0;
      for (;;) {
        const events = await this.events.readByPosition(position, this.config.projection.batchSize, m);
        if (events.length === 0) break;
        for (const projection of this.projections) await projection.apply(m, events);
        applied += events.length;
        position = events[events.length - 1].position;
        onProgress?.(applied);
      }
      // every event is applied: the checkpoint is the last one in reader order
      const last: { transaction_id: string; position: string }[] = await m.query(
        // the columns, not the text aliases of the select list ('999' sorts after '1330' as text)
        'SELECT transaction_id::text AS transaction_id, position FROM events ORDER BY events.transaction_id DESC, events.position DESC LIMIT 1',
      );
      const checkpoint = last[0] ? { transactionId: last[0].transaction_id, position: Number(last[0].position) } : LOG_START;
      await m.query(
        `INSERT INTO projection_checkpoints (name, transaction_id, position, updated_at) VALUES ($1, $2::text::xid8, $3, now())
         ON CONFLICT (name) DO UPDATE SET transaction_id = excluded.transaction_id, position = excluded.position, updated_at = now()`,
        [PROJECTION_NAME, checkpoint.transactionId, checkpoint.position],
      );
      return { applied, checkpoint };
    });
    await this.announce(run.checkpoint);
    return run;
  }

  async checkpoint(): Promise<LogCheckpoint> {
    const rows: { transaction_id: string; position: string }[] = await this.dataSource.query(
      'SELECT transaction_id::text AS transaction_id, position FROM projection_checkpoints WHERE name = $1',
      [PROJECTION_NAME],
    );
    return rows[0] ? { transactionId: rows[0].transaction_id, position: Number(rows[0].position) } : LOG_START;
  }

  private async applyBatch(m: EntityManager): Promise<BatchRun> {
    // it takes row locks on the key table (last use) that an inline revoke may need
    await boundIdleLockHolder(m);
    await m.query('SELECT pg_advisory_xact_lock($1)', [PROJECTOR_LOCK]);
    const rows: { transaction_id: string; position: string }[] = await m.query(
      'SELECT transaction_id::text AS transaction_id, position FROM projection_checkpoints WHERE name = $1',
      [PROJECTION_NAME],
    );
    const from = rows[0] ? { transactionId: rows[0].transaction_id, position: Number(rows[0].position) } : LOG_START;
    // read before writing anything: this transaction's own id would hold the horizon back
    const events = await this.events.readAfter(from, this.config.projection.batchSize, m);
    if (events.length === 0) return { applied: 0, checkpoint: from, events, heldBack: await this.heldBack(m, from) };
    for (const projection of this.projections) await projection.apply(m, events);
    const last = events[events.length - 1];
    const to = { transactionId: last.transactionId, position: last.position };
    await m.query(
      `INSERT INTO projection_checkpoints (name, transaction_id, position, updated_at)
       VALUES ($1, $2::text::xid8, $3, now())
       ON CONFLICT (name) DO UPDATE SET transaction_id = excluded.transaction_id, position = excluded.position,
         updated_at = now()`,
      [PROJECTION_NAME, to.transactionId, to.position],
    );
    const heldBack = events.length < this.config.projection.batchSize && (await this.heldBack(m, to));
    return { applied: events.length, checkpoint: to, events, heldBack };
  }

  /** Whether committed events follow `after` in reader order (on a short batch: the horizon hid them). */
  private async heldBack(m: EntityManager, after: LogCheckpoint): Promise<boolean> {
    const [{ held }]: { held: boolean }[] = await m.query(
      'SELECT EXISTS (SELECT 1 FROM events WHERE (transaction_id, position) > ($1::text::xid8, $2::bigint)) AS held',
      [after.transactionId, after.position],
    );
    return held;
  }

  /** The oldest transaction holding an id on the server, for the warning (its database, pid, state and age). */
  private async oldestTransaction(): Promise<string> {
    const rows: { datname: string | null; pid: number; state: string | null; age: string }[] = await this.dataSource
      .query(
        `SELECT datname, pid, state, (now() - xact_start)::text AS age FROM pg_stat_activity
          WHERE backend_xid IS NOT NULL ORDER BY age(backend_xid) DESC LIMIT 1`,
      )
      .catch(() => []);
    const t = rows[0];
    return t ? `a transaction older than them (database ${t.datname}, pid ${t.pid}, ${t.state}, open for ${t.age})` : 'a transaction older than them';
  }

  private async announce(checkpoint: LogCheckpoint): Promise<void> {
    await this.redis
      .publish(Channels.projectionCheckpoint(this.config.redisPrefix), JSON.stringify(checkpoint))
      .catch((err: Error) => this.logger.warn(`checkpoint not announced: ${err.message}`));
  }
}
