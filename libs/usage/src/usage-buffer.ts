import { randomUUID } from 'node:crypto';
import { InjectQueue } from '@nestjs/bullmq';
import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { Queue } from 'bullmq';
import { KEYWARD_CONFIG, KeywardConfig } from '@keyward/config';
import { JobName, JobPayloads, QueueName, UsageRecord } from '@keyward/queue';

/** Records kept when Redis is unreachable, before the oldest are dropped (memory bound). */
const MAX_PENDING = 200_000;

/**
 * Collects usage records (one per authenticated request, one per refused
 * authentication) in memory and hands them to the worker in batches: no database
 * write on the request path. A batch is a BullMQ job with a deterministic id and
 * records with fixed event ids, so a retried job appends nothing twice.
 *
 * A graceful stop flushes everything. A kill -9 loses what was recorded since the
 * last flush: at most USAGE_FLUSH_MS of traffic (250 ms by default).
 */
@Injectable()
export class UsageBuffer implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(UsageBuffer.name);
  private readonly instanceId = randomUUID();
  private pending: UsageRecord[] = [];
  private sequence = 0;
  private timer?: NodeJS.Timeout;
  private flushing: Promise<void> = Promise.resolve();
  private dropped = 0;

  constructor(
    @Inject(KEYWARD_CONFIG) private readonly config: KeywardConfig,
    @InjectQueue(QueueName.Usage) private readonly queue: Queue,
  ) {}

  onModuleInit(): void {
    this.timer = setInterval(() => void this.flush(), this.config.usage.flushMs);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.flush();
  }

  /** Records in memory, not yet handed to the worker. */
  get size(): number {
    return this.pending.length;
  }

  record(record: Omit<UsageRecord, 'eventId'>): void {
    this.pending.push({ eventId: randomUUID(), ...record });
    if (this.pending.length > MAX_PENDING) {
      const excess = this.pending.length - MAX_PENDING;
      this.pending.splice(0, excess);
      this.dropped += excess;
      this.logger.error(`usage buffer full (Redis unreachable?): ${this.dropped} oldest records dropped so far`);
    }
    if (this.pending.length >= this.config.usage.batchSize) void this.flush();
  }

  /** Hands every pending record to the queue; on failure keeps them for the next flush. */
  flush(): Promise<void> {
    this.flushing = this.flushing.then(() => this.drain());
    return this.flushing;
  }

  private async drain(): Promise<void> {
    while (this.pending.length > 0) {
      const records = this.pending.slice(0, this.config.usage.batchSize);
      const payload: JobPayloads[JobName.RecordUsage] = { instanceId: this.instanceId, records };
      try {
        await this.queue.add(JobName.RecordUsage, payload, {
          jobId: `${this.instanceId}-${++this.sequence}`,
          attempts: 20,
          backoff: { type: 'exponential', delay: 500 },
          removeOnComplete: true,
          removeOnFail: false,
        });
      } catch (err) {
        this.logger.warn(`usage batch not handed over, kept for the next flush: ${(err as Error).message}`);
        return;
      }
      this.pending.splice(0, records.length);
    }
  }
}
