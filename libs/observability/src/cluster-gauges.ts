import { Injectable } from '@nestjs/common';
import { Queue } from 'bullmq';
import { Gauge, Registry } from 'prom-client';
import { Projector } from '@keyward/event-store';
import { DataSource } from 'typeorm';

/** The job states `keyward_queue_jobs` reports: waiting/active/delayed for backlogs, failed for the kept dead letters. */
const QUEUE_STATES = ['waiting', 'active', 'delayed', 'failed', 'completed', 'prioritized'] as const;

/**
 * `keyward_queue_jobs{queue,state}`, read from Redis when scraped. Every process that exports it
 * (each API instance, the worker) reports the same installation-wide figures: aggregate with max.
 */
export function registerQueueJobsGauge(registry: Registry, queues: Queue[]): void {
  new Gauge({
    name: 'keyward_queue_jobs',
    help: 'BullMQ jobs by queue and state (failed included)',
    labelNames: ['queue', 'state'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const q of queues) {
        const counts = await q.getJobCounts(...QUEUE_STATES).catch(() => ({}));
        for (const [state, n] of Object.entries(counts)) this.set({ queue: q.name, state }, n as number);
      }
    },
  });
}

export interface ProjectionLagReading {
  /** Committed events after the projector's checkpoint (behind the log head). */
  events: number;
  /** Age of the oldest of them, 0 when caught up. */
  seconds: number;
}

/** How far the projector is behind the log, read from Postgres. */
@Injectable()
export class ProjectionLag {
  private reading: Promise<ProjectionLagReading> | null = null;

  constructor(
    private readonly dataSource: DataSource,
    private readonly projector: Projector,
  ) {}

  /** Events after the projector's checkpoint, and the age of the oldest of them. Concurrent callers share one reading. */
  read(): Promise<ProjectionLagReading> {
    this.reading ??= this.query().finally(() => (this.reading = null));
    return this.reading;
  }

  private async query(): Promise<ProjectionLagReading> {
    const checkpoint = await this.projector.checkpoint();
    const [row] = await this.dataSource.query(
      `SELECT count(*)::int AS n, min(occurred_at) AS oldest FROM events WHERE (transaction_id, position) > ($1::text::xid8, $2::bigint)`,
      [checkpoint.transactionId, checkpoint.position],
    );
    const oldest: Date | null = row.oldest;
    return { events: row.n, seconds: oldest ? Math.max(0, (Date.now() - oldest.getTime()) / 1000) : 0 };
  }
}

/**
 * `keyward_projection_lag_events` and `keyward_projection_lag_seconds`, read when scraped (one query
 * for both). NaN while Postgres does not answer: the rest of the scrape (request and job counters)
 * still goes out, and no lag of 0 is made up.
 */
export function registerProjectionLagGauges(registry: Registry, lag: ProjectionLag): void {
  const reading = () => lag.read().catch(() => ({ events: NaN, seconds: NaN }));
  new Gauge({
    name: 'keyward_projection_lag_events',
    help: 'Committed events the projector has not applied yet (behind the log head); NaN while Postgres does not answer',
    registers: [registry],
    async collect() {
      this.set((await reading()).events);
    },
  });
  new Gauge({
    name: 'keyward_projection_lag_seconds',
    help: 'Age of the oldest event the projector has not applied yet (0 when caught up); NaN while Postgres does not answer',
    registers: [registry],
    async collect() {
      this.set((await reading()).seconds);
    },
  });
}

/** Past this many events waiting, a webhook's backlog counts as this: just over the KeywardWebhookBacklog alert's 10,000. */
export const WEBHOOK_BACKLOG_COUNT_LIMIT = 10_001;

/**
 * `keyward_webhooks_failing`, `keyward_webhook_failing_seconds` (the longest a webhook has been
 * failing) and `keyward_webhook_backlog_events` (events waiting over every webhook, each counted up
 * to WEBHOOK_BACKLOG_COUNT_LIMIT, so a scrape reads at most that many index entries per webhook
 * however long a receiver has been down), read from Postgres when scraped (one query). NaN while
 * Postgres does not answer.
 */
export function registerWebhookGauges(registry: Registry, dataSource: DataSource): void {
  let reading: Promise<{ failing: number; seconds: number; backlog: number }> | null = null;
  const read = () =>
    (reading ??= dataSource
      .query(
        `SELECT count(*) FILTER (WHERE c.failing_since IS NOT NULL)::int AS failing,
                COALESCE(EXTRACT(EPOCH FROM now() - min(c.failing_since)), 0)::float8 AS seconds,
                COALESCE(sum((SELECT count(*) FROM (SELECT 1 FROM events e
                                WHERE e.company_id = w.company_id AND e.position > c.delivered_position
                                  AND ('*' = ANY(w.events) OR e.type = ANY(w.events)) LIMIT ${WEBHOOK_BACKLOG_COUNT_LIMIT}) pending)), 0)::float8 AS backlog
           FROM webhooks w JOIN webhook_cursors c ON c.webhook_id = w.id WHERE w.deleted_at IS NULL`,
      )
      .then(([row]: { failing: number; seconds: number; backlog: number }[]) => row)
      .catch(() => ({ failing: NaN, seconds: NaN, backlog: NaN }))
      .finally(() => (reading = null)));
  const gauge = (name: string, help: string, pick: (r: { failing: number; seconds: number; backlog: number }) => number) =>
    new Gauge({
      name,
      help,
      registers: [registry],
      async collect() {
        this.set(pick(await read()));
      },
    });
  gauge('keyward_webhooks_failing', 'Webhooks whose last delivery attempt failed (retried with backoff until the receiver takes the event)', (r) => r.failing);
  gauge('keyward_webhook_failing_seconds', 'How long the longest-failing webhook has been failing (0 when none is)', (r) => r.seconds);
  gauge('keyward_webhook_backlog_events', `Events waiting to be delivered, over every webhook (each counted up to ${WEBHOOK_BACKLOG_COUNT_LIMIT})`, (r) => r.backlog);
}
