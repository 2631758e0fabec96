import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, Logger } from '@nestjs/common';
import { Queue } from 'bullmq';
import { KEEP_FAILED_JOBS } from './job-retention';
import { JobName, JobPayloads, QueueName } from './queue.names';

export const ENQUEUE_TIMEOUT_MS = 2000;

/** Rejects when `work` has not settled within `ms` (the work itself goes on). */
export function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    work.finally(() => clearTimeout(timer)),
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer from Redis within ${ms} ms`)), ms);
      timer.unref();
    }),
  ]);
}

/** The one place that enqueues jobs. */
@Injectable()
export class QueueProducer {
  private readonly logger = new Logger(QueueProducer.name);

  constructor(
    @InjectQueue(QueueName.Projections) private readonly projections: Queue,
    @InjectQueue(QueueName.Webhooks) private readonly webhooks: Queue,
  ) {}

  /**
   * Wakes the projector. Coalesced: at most one job runs and one waits, whatever the
   * number of appends; a wake-up lost to a Redis fault is covered by the scheduled tick.
   */
  async wakeProjector(reason: string): Promise<void> {
    const payload: JobPayloads[JobName.Project] = { reason };
    try {
      // bounded: with Redis away, BullMQ would wait for it indefinitely
      await withTimeout(
        this.projections.add(JobName.Project, payload, {
          deduplication: { id: JobName.Project, keepLastIfActive: true },
          removeOnComplete: true,
          removeOnFail: KEEP_FAILED_JOBS,
        }),
        ENQUEUE_TIMEOUT_MS,
      );
    } catch (err) {
      this.logger.warn(`projector wake-up not enqueued (the scheduled tick will catch up): ${(err as Error).message}`);
    }
  }

  /**
   * Wakes a webhook's delivery. Its jobs share one deduplication id: one runs at a time (deliveries
   * stay in order) and a wake-up while it runs makes one more run after it, so nothing that
   * arrived meanwhile waits for the sweep. A lost wake-up is made up by the sweep.
   */
  async wakeWebhook(webhookId: string): Promise<void> {
    const payload: JobPayloads[JobName.DeliverWebhook] = { webhookId };
    try {
      await withTimeout(
        this.webhooks.add(JobName.DeliverWebhook, payload, {
          deduplication: { id: `${JobName.DeliverWebhook}:${webhookId}`, keepLastIfActive: true },
          removeOnComplete: true,
          removeOnFail: KEEP_FAILED_JOBS,
        }),
        ENQUEUE_TIMEOUT_MS,
      );
    } catch (err) {
      this.logger.warn(`webhook ${webhookId} wake-up not enqueued (the sweep will catch up): ${(err as Error).message}`);
    }
  }
}
