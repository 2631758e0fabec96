import { randomUUID } from 'node:crypto';
import { KeywardClient, KeywardHttpError, UsageRecord } from './client';
import { KeywardLogger } from './verifier-stream';

export interface UsageReporterOptions {
  /** How often buffered records are sent; default 1000 ms. */
  flushIntervalMs?: number;
  /** Records per `POST /v1/usage` (1..1000); default 500. A full batch is sent at once. */
  batchSize?: number;
  /** Records kept while Keyward is unreachable; the oldest are dropped past it (with a warning). Default 100 000. */
  maxBuffered?: number;
  /** How long a graceful stop keeps retrying to send what is left; default 10 000 ms. */
  drainTimeoutMs?: number;
  now?: () => number;
}

export type UsageInput = Omit<UsageRecord, 'eventId' | 'occurredAt'> & { occurredAt?: string };

/**
 * One record per request of the service, sent to Keyward in batches (`POST /v1/usage`). Each
 * record gets its eventId when it is recorded, so a retried batch appends nothing twice. A batch
 * that fails stays at the front and is retried with backoff; a record Keyward rejects by name
 * (422 `records[i]…`) is dropped alone. `close()` sends everything left (retrying until
 * `drainTimeoutMs`): nothing is lost on a graceful stop while Keyward answers.
 */
export class UsageReporter {
  private buffer: UsageRecord[] = [];
  private sending?: Promise<void>;
  private timer?: NodeJS.Timeout;
  private failures = 0;
  private retryAt = 0;
  private closed = false;
  /** Records per batch; halved when Keyward answers 413 (its body limit is smaller than such a batch). */
  private batchSize: number;
  private readonly now: () => number;

  constructor(
    private readonly client: Pick<KeywardClient, 'reportUsage'>,
    private readonly logger: KeywardLogger,
    private readonly options: UsageReporterOptions = {},
  ) {
    this.batchSize = Math.min(1000, Math.max(1, options.batchSize ?? 500));
    this.now = options.now ?? (() => performance.now());
  }

  get pending(): number {
    return this.buffer.length;
  }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.flush(), this.options.flushIntervalMs ?? 1_000);
    this.timer.unref();
  }

  record(input: UsageInput): void {
    // one shape for every record (no spread, no delete); an undefined field is left out of the JSON sent
    const record: UsageRecord = {
      eventId: randomUUID(),
      keyId: input.keyId,
      method: input.method,
      route: input.route,
      status: input.status,
      ip: input.ip,
      userAgent: input.userAgent ?? undefined,
      requestId: input.requestId ?? undefined,
      durationMs: input.durationMs,
      occurredAt: input.occurredAt ?? new Date().toISOString(),
    };
    this.buffer.push(record);
    const max = this.options.maxBuffered ?? 100_000;
    if (this.buffer.length > max) {
      const dropped = this.buffer.splice(0, this.buffer.length - max);
      this.logger.warn(`Keyward usage buffer full: ${dropped.length} record(s) dropped`);
    }
    if (this.buffer.length >= this.batchSize && !this.closed) void this.flush();
  }

  /** Sends what is buffered now, one batch at a time; keeps a failed batch for the next attempt. */
  flush(): Promise<void> {
    if (this.sending) return this.sending;
    if (this.buffer.length === 0 || this.now() < this.retryAt) return Promise.resolve();
    this.sending = this.sendAll().finally(() => (this.sending = undefined));
    return this.sending;
  }

  /** Stops the timer and sends everything left, retrying with backoff until `drainTimeoutMs`. */
  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.timer);
    this.timer = undefined;
    const deadline = this.now() + (this.options.drainTimeoutMs ?? 10_000);
    while (this.buffer.length > 0 || this.sending) {
      this.retryAt = 0;
      await this.flush();
      if (this.buffer.length === 0) break;
      if (this.now() >= deadline) {
        this.logger.warn(`Keyward usage: ${this.buffer.length} record(s) could not be sent before the stop`);
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, Math.min(1_000, 50 * 2 ** Math.min(this.failures, 5))));
    }
  }

  private async sendAll(): Promise<void> {
    while (this.buffer.length > 0) {
      const batch = this.buffer.slice(0, this.batchSize);
      try {
        await this.client.reportUsage(batch);
      } catch (err) {
        if (err instanceof KeywardHttpError && err.status === 413 && batch.length > 1) {
          // Keyward takes smaller bodies than this batch: send halves from now on (never stuck on one size)
          this.batchSize = Math.max(1, Math.floor(batch.length / 2));
          this.logger.warn(`Keyward refused a usage batch of ${batch.length} records as too large; sending ${this.batchSize} at a time`);
          continue;
        }
        const rejected = rejectedIndex(err, batch.length);
        if (rejected !== undefined) {
          const [record] = this.buffer.splice(rejected, 1);
          this.logger.warn(`Keyward refused a usage record of key ${record.keyId} (${(err as KeywardHttpError).detail}); it is dropped`);
          continue;
        }
        this.failures++;
        this.retryAt = this.now() + Math.min(30_000, 250 * 2 ** Math.min(this.failures - 1, 7));
        if (this.failures === 1 || this.failures % 10 === 0) {
          this.logger.warn(`Keyward usage report failed (${(err as Error).message}); ${this.buffer.length} record(s) kept for a retry`);
        }
        return;
      }
      this.buffer.splice(0, batch.length);
      this.failures = 0;
      this.retryAt = 0;
    }
  }
}

/**
 * The record a 400/422 names (`records[i].…`), when it names one of this batch: that record can
 * never be appended, and retrying it would hold every other record back.
 */
function rejectedIndex(err: unknown, size: number): number | undefined {
  if (!(err instanceof KeywardHttpError) || (err.status !== 422 && err.status !== 400)) return undefined;
  const match = /records\[(\d+)\]/.exec(err.detail);
  const index = match ? Number(match[1]) : undefined;
  return index !== undefined && index < size ? index : undefined;
}
