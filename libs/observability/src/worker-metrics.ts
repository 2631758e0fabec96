import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, Module } from '@nestjs/common';
import { Job, Queue, Worker } from 'bullmq';
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { JobName, QueueModule, QueueName } from '@keyward/queue';
import { DataSource } from 'typeorm';
import { ProjectionLag, registerProjectionLagGauges, registerQueueJobsGauge, registerWebhookGauges } from './cluster-gauges';

/**
 * The worker's Prometheus registry, served on its own port (WORKER_HTTP_PORT): what this worker
 * did with its jobs (counters and durations per queue, heartbeat failures), and the installation's
 * queue backlogs and projection lag, read when scraped.
 */
@Injectable()
export class WorkerMetrics {
  readonly registry = new Registry();
  private readonly completed = perQueueCounter(this.registry, 'keyward_jobs_completed_total', 'Jobs this worker completed, by queue');
  private readonly failed = perQueueCounter(
    this.registry,
    'keyward_jobs_failed_total',
    'Jobs that ended failed in this worker (last attempt; kept in the failed set, see /admin/queues), by queue',
  );
  private readonly attemptsFailed = perQueueCounter(this.registry, 'keyward_job_attempts_failed_total', 'Failed attempts in this worker, retried or not, by queue');
  private readonly duration = new Histogram({
    name: 'keyward_job_duration_seconds',
    help: 'Time from a job attempt taken to its end, by queue and outcome (completed, failed)',
    labelNames: ['queue', 'outcome'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers: [this.registry],
  });
  private readonly heartbeatFailures = new Counter({
    name: 'keyward_heartbeat_failures_total',
    help: 'Scheduled heartbeats to the central service that failed: final="false" is an attempt that will be retried, final="true" the last one (HeartbeatFailed recorded)',
    labelNames: ['final'],
    registers: [this.registry],
  });

  constructor(
    lag: ProjectionLag,
    @InjectQueue(QueueName.Projections) projections: Queue,
    @InjectQueue(QueueName.Usage) usage: Queue,
    @InjectQueue(QueueName.Maintenance) maintenance: Queue,
    @InjectQueue(QueueName.Telemetry) telemetry: Queue,
    @InjectQueue(QueueName.Webhooks) webhooks: Queue,
    dataSource: DataSource,
  ) {
    collectDefaultMetrics({ register: this.registry, prefix: 'keyward_process_' });
    registerQueueJobsGauge(this.registry, [projections, usage, maintenance, telemetry, webhooks]);
    registerWebhookGauges(this.registry, dataSource);
    registerProjectionLagGauges(this.registry, lag);
    this.heartbeatFailures.inc({ final: 'false' }, 0);
    this.heartbeatFailures.inc({ final: 'true' }, 0);
  }

  /** Counts and times what `worker` does with its jobs from now on. */
  watch(worker: Worker): void {
    const queue = worker.name;
    worker.on('completed', (job: Job) => {
      this.completed.inc({ queue });
      this.observe(queue, 'completed', job);
    });
    // emitted for every failed attempt; BullMQ sets finishedOn only when the job moved to the failed set
    worker.on('failed', (job: Job | undefined) => {
      const final = job === undefined || job.finishedOn !== undefined;
      this.attemptsFailed.inc({ queue });
      if (final) this.failed.inc({ queue });
      if (job) this.observe(queue, 'failed', job);
      if (job?.name === JobName.SendHeartbeat) this.heartbeatFailures.inc({ final: String(final) });
    });
  }

  private observe(queue: string, outcome: 'completed' | 'failed', job: Job): void {
    if (job.processedOn === undefined) return;
    this.duration.observe({ queue, outcome }, Math.max(0, (job.finishedOn ?? Date.now()) - job.processedOn) / 1000);
  }
}

/** A counter by queue, every queue exported from the start (at 0). */
function perQueueCounter(registry: Registry, name: string, help: string): Counter<'queue'> {
  const counter = new Counter({ name, help, labelNames: ['queue'], registers: [registry] });
  // increase() over a series that appears only at its first count would miss that count
  for (const queue of Object.values(QueueName)) counter.inc({ queue }, 0);
  return counter;
}

@Module({ imports: [QueueModule], providers: [WorkerMetrics, ProjectionLag], exports: [WorkerMetrics] })
export class WorkerMetricsModule {}
