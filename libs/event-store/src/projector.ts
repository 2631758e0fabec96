import { Inject, Injectable, Logger } from '@nestjs/common';
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
}

/**
 * Applies the log to every registered projection. Each batch, its read-model changes and its
 * checkpoint are one transaction, so a batch applied twice changes nothing and a
 * crash in the middle leaves nothing half-applied.
 */
@Injectable()
export class Projector {
  private readonly logger = new Logger(Projector.name);

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

  /** Applies batches until the log has nothing more below the visibility horizon. */
  async catchUp(): Promise<ProjectionRun> {
    let applied = 0;
    let checkpoint: LogCheckpoint;
    for (;;) {
      const batch = await this.dataSource.transaction('READ COMMITTED', (m) => this.applyBatch(m));
      applied += batch.applied;
      checkpoint = batch.checkpoint;
      if (batch.applied > 0) {
        for (const p of this.projections) await p.afterCommit?.(batch.events).catch(() => undefined);
        await this.announce(checkpoint);
      }
      if (batch.applied < this.config.projection.batchSize) break;
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
    if (events.length === 0) return { applied: 0, checkpoint: from, events };
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
    return { applied: events.length, checkpoint: to, events };
  }

  private async announce(checkpoint: LogCheckpoint): Promise<void> {
    await this.redis
      .publish(Channels.projectionCheckpoint(this.config.redisPrefix), JSON.stringify(checkpoint))
      .catch((err: Error) => this.logger.warn(`checkpoint not announced: ${err.message}`));
  }
}
