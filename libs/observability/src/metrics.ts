import { InjectQueue } from '@nestjs/bullmq';
import { Inject, Injectable, Module, OnModuleInit } from '@nestjs/common';
import { Queue } from 'bullmq';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { KEYWARD_CONFIG, KeywardConfig } from '@keyward/config';
import { EventStore, EventStoreModule } from '@keyward/event-store';
import { QueueModule, QueueName, REDIS, RedisClient } from '@keyward/queue';
import { ProjectionLag, ProjectionLagReading, registerProjectionLagGauges, registerQueueJobsGauge } from './cluster-gauges';

const eventsKey = (prefix: string) => `${prefix}:metrics:events-appended`;

/**
 * Counts appended events by type in Redis, from the API and worker processes (the
 * command line's few appends are not counted), so /metrics on any API instance shows
 * the cluster's totals.
 */
@Injectable()
export class EventCounter implements OnModuleInit {
  constructor(
    private readonly store: EventStore,
    @Inject(REDIS) private readonly redis: RedisClient,
    @Inject(KEYWARD_CONFIG) private readonly config: KeywardConfig,
  ) {}

  onModuleInit(): void {
    this.store.onAppended((events) => {
      const byType = new Map<string, number>();
      for (const e of events) byType.set(e.type, (byType.get(e.type) ?? 0) + 1);
      // plain commands, no MULTI: counts of different types need no atomicity, and ioredis builds a
      // whole pipeline object for each multi() (a share of the API's CPU on usage batches)
      for (const [type, n] of byType) this.redis.hincrby(eventsKey(this.config.redisPrefix), type, n).catch(() => undefined);
    });
  }
}

@Module({ imports: [EventStoreModule], providers: [EventCounter] })
export class EventCounterModule {}

/**
 * The guard's verdicts, each exported from the start (at 0): a rate over a series that appears
 * only at its first refusal would miss that refusal.
 */
export const AUTH_OUTCOME_CODES = [
  'OK',
  'MISSING_API_KEY',
  'MALFORMED_API_KEY',
  'AMBIGUOUS_API_KEY',
  'INVALID_API_KEY',
  'TOO_MANY_FAILED_AUTHENTICATIONS',
  'RATE_LIMITED',
  'INSUFFICIENT_PERMISSIONS',
] as const;

/** The API's Prometheus registry. Gauges about the cluster are read when scraped. */
@Injectable()
export class Metrics {
  readonly registry = new Registry();
  readonly httpDuration = new Histogram({
    name: 'keyward_http_request_duration_seconds',
    help: 'HTTP request latency by route',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });
  readonly authOutcomes = new Counter({
    name: 'keyward_auth_outcomes_total',
    help: `Authentication outcomes by code (${AUTH_OUTCOME_CODES.join(', ')})`,
    labelNames: ['code'],
    registers: [this.registry],
  });
  private usageBufferSize: () => number = () => 0;

  constructor(
    @Inject(KEYWARD_CONFIG) private readonly config: KeywardConfig,
    @Inject(REDIS) private readonly redis: RedisClient,
    private readonly lag: ProjectionLag,
    @InjectQueue(QueueName.Projections) projections: Queue,
    @InjectQueue(QueueName.Usage) usage: Queue,
    @InjectQueue(QueueName.Maintenance) maintenance: Queue,
  ) {
    collectDefaultMetrics({ register: this.registry, prefix: 'keyward_process_' });
    for (const code of AUTH_OUTCOME_CODES) this.authOutcomes.inc({ code }, 0);
    registerQueueJobsGauge(this.registry, [projections, usage, maintenance]);
    const self = this;
    new Gauge({
      name: 'keyward_events_appended_total',
      help: 'Events appended to the log, by type (all processes; kept in Redis)',
      labelNames: ['type'],
      registers: [this.registry],
      async collect() {
        this.reset();
        const counts = await self.redis.hgetall(eventsKey(self.config.redisPrefix)).catch(() => ({}));
        for (const [type, n] of Object.entries(counts)) this.set({ type }, Number(n));
      },
    });
    registerProjectionLagGauges(this.registry, lag);
    new Gauge({
      name: 'keyward_usage_buffer_size',
      help: 'Usage records held in this API instance, not yet handed to the worker',
      registers: [this.registry],
      collect() {
        this.set(self.usageBufferSize());
      },
    });
  }

  watchUsageBuffer(size: () => number): void {
    this.usageBufferSize = size;
  }

  /** Events after the projector's checkpoint, and the age of the oldest of them. */
  projectionLag(): Promise<ProjectionLagReading> {
    return this.lag.read();
  }
}

@Module({ imports: [QueueModule, EventCounterModule], providers: [Metrics, ProjectionLag], exports: [Metrics] })
export class MetricsModule {}
