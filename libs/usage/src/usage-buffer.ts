import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { Queue } from 'bullmq';
import { KEYWARD_CONFIG, KeywardConfig } from '@keyward/config';
import { ENQUEUE_TIMEOUT_MS, JobName, JobPayloads, QueueName, UsageRecord, openQueue, withTimeout } from '@keyward/queue';

/** Records kept when Redis is unreachable, before the oldest are dropped (memory bound). */
const MAX_PENDING = 200_000;
const SHUTDOWN_FLUSH_MS = 10_000;

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
  private inFlight: { id: string; records: UsageRecord[] } | null = null;
  private sequence = 0;
  private timer?: NodeJS.Timeout;
  private draining: Promise<void> | null = null;
  private dropped = 0;

  /**
   * A queue (and Redis connection) of its own: @nestjs/bullmq closes the shared ones
   * during shutdown, before this buffer's last flush; this one is closed after it.
   */
  private readonly queue: Queue;

  constructor(@Inject(KEYWARD_CONFIG) private readonly config: KeywardConfig) {
    this.queue = openQueue(config, QueueName.Usage);
    this.queue.on('error', () => undefined); // reconnects by itself; flush failures are logged there
  }

  onModuleInit(): void {
    this.timer = setInterval(() => void this.flush(), this.config.usage.flushMs);
    this.timer.unref();
  }

  /** A graceful stop hands everything over, waiting at most SHUTDOWN_FLUSH_MS for Redis. */
  async onApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    const deadline = Date.now() + SHUTDOWN_FLUSH_MS;
    while ((this.pending.length > 0 || this.inFlight) && Date.now() < deadline) {
      await this.flush();
      if (this.pending.length > 0 || this.inFlight) await new Promise((r) => setTimeout(r, 100));
    }
    const left = this.pending.length + (this.inFlight?.records.length ?? 0);
    if (left > 0) this.logger.error(`stopping with ${left} usage records not handed over (Redis unreachable)`);
    await this.queue.close().catch(() => undefined);
  }

  /** Records in memory, not yet handed to the worker. */
  get size(): number {
    return this.pending.length + (this.inFlight?.records.length ?? 0);
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

  /** Hands pending records to the queue, one batch at a time; one drain runs at once. */
  flush(): Promise<void> {
    this.draining ??= this.drain().finally(() => (this.draining = null));
    return this.draining;
  }

  private async drain(): Promise<void> {
    while (this.inFlight || this.pending.length > 0) {
      // a batch keeps its id and content until Redis took it: a retried add is the same job
      this.inFlight ??= {
        id: `${this.instanceId}-${++this.sequence}`,
        records: this.pending.splice(0, this.config.usage.batchSize),
      };
      const payload: JobPayloads[JobName.RecordUsage] = { instanceId: this.instanceId, records: this.inFlight.records };
      try {
        await withTimeout(
          this.queue.add(JobName.RecordUsage, payload, {
            jobId: this.inFlight.id,
            attempts: 20,
            backoff: { type: 'exponential', delay: 500 },
            removeOnComplete: true,
            removeOnFail: false,
          }),
          ENQUEUE_TIMEOUT_MS,
        );
      } catch (err) {
        this.logger.warn(`usage batch not handed over, kept for the next flush: ${(err as Error).message}`);
        return;
      }
      this.inFlight = null;
    }
  }
}
