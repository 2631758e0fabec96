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

/** One request's use, field by field (positional: nothing allocated per request). `occurredAt`: now when left out. */
export type AddUse = (
  keyId: string,
  method: string,
  route: string,
  status: number,
  ip: string | null,
  userAgent: string | null,
  requestId: string | null,
  durationMs: number,
  occurredAt?: string | number,
) => void;

export type UsageInput = Omit<UsageRecord, 'eventId' | 'occurredAt'> & { occurredAt?: string };

/**
 * One record per request of the service, sent to Keyward in batches (`POST /v1/usage`). Records
 * wait column by column (what a request adds are strings and numbers it already has: no object,
 * no id, no timestamp text per request, and nothing for the garbage collector to promote while a
 * batch fills); a batch's records are built when it is first sent, each getting its eventId then,
 * kept for every retry, so a retried batch appends nothing twice. A batch that fails stays at the
 * front and is retried with backoff; a record Keyward rejects by name (422 `records[i]…`) is
 * dropped alone. `close()` sends everything left (retrying until `drainTimeoutMs`): nothing is
 * lost on a graceful stop while Keyward answers.
 */
export class UsageReporter {
  private readonly pendingUses = new PendingUses();
  private sending?: Promise<void>;
  /** Records at the front that belong to the batch in flight. */
  private inFlight = 0;
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
    return this.pendingUses.length;
  }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.flush(), this.options.flushIntervalMs ?? 1_000);
    this.timer.unref();
  }

  record(input: UsageInput): void {
    this.add(input.keyId, input.method, input.route, input.status, input.ip, input.userAgent ?? null, input.requestId ?? null, input.durationMs, input.occurredAt);
  }

  /**
   * One request, as the guard reports it (positional: no object per request). `requestId` null:
   * the record's eventId serves as its request id. `occurredAt`: now when left out.
   */
  readonly add: AddUse = (keyId, method, route, status, ip, userAgent, requestId, durationMs, occurredAt = Date.now()) => {
    const uses = this.pendingUses;
    uses.push(keyId, method, route, status, ip, userAgent, requestId, durationMs, occurredAt);
    const excess = uses.length - (this.options.maxBuffered ?? 100_000);
    if (excess > 0) {
      uses.drop(this.inFlight, excess); // the oldest not in flight
      this.logger.warn(`Keyward usage buffer full: ${excess} record(s) dropped`);
    }
    if (uses.length >= this.batchSize && !this.closed) void this.flush();
  };

  /** Sends what is buffered now, one batch at a time; keeps a failed batch for the next attempt. */
  flush(): Promise<void> {
    if (this.sending) return this.sending;
    if (this.pendingUses.length === 0 || this.now() < this.retryAt) return Promise.resolve();
    this.sending = this.sendAll().finally(() => (this.sending = undefined));
    return this.sending;
  }

  /** Stops the timer and sends everything left, retrying with backoff until `drainTimeoutMs`. */
  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.timer);
    this.timer = undefined;
    const deadline = this.now() + (this.options.drainTimeoutMs ?? 10_000);
    while (this.pendingUses.length > 0 || this.sending) {
      this.retryAt = 0;
      await this.flush();
      if (this.pendingUses.length === 0) break;
      if (this.now() >= deadline) {
        this.logger.warn(`Keyward usage: ${this.pendingUses.length} record(s) could not be sent before the stop`);
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, Math.min(1_000, 50 * 2 ** Math.min(this.failures, 5))));
    }
  }

  private async sendAll(): Promise<void> {
    const uses = this.pendingUses;
    while (uses.length > 0) {
      const batch = uses.take(Math.min(this.batchSize, uses.length));
      this.inFlight = batch.length;
      try {
        await this.client.reportUsage(batch);
      } catch (err) {
        this.inFlight = 0;
        if (err instanceof KeywardHttpError && err.status === 413 && batch.length > 1) {
          // Keyward takes smaller bodies than this batch: send halves from now on (never stuck on one size)
          this.batchSize = Math.max(1, Math.floor(batch.length / 2));
          this.logger.warn(`Keyward refused a usage batch of ${batch.length} records as too large; sending ${this.batchSize} at a time`);
          continue;
        }
        const rejected = rejectedIndex(err, batch.length);
        if (rejected !== undefined) {
          uses.drop(rejected, 1);
          this.logger.warn(`Keyward refused a usage record of key ${batch[rejected].keyId} (${(err as KeywardHttpError).detail}); it is dropped`);
          continue;
        }
        this.failures++;
        this.retryAt = this.now() + Math.min(30_000, 250 * 2 ** Math.min(this.failures - 1, 7));
        if (this.failures === 1 || this.failures % 10 === 0) {
          this.logger.warn(`Keyward usage report failed (${(err as Error).message}); ${uses.length} record(s) kept for a retry`);
        }
        return;
      }
      this.inFlight = 0;
      uses.drop(0, batch.length);
      this.failures = 0;
      this.retryAt = 0;
    }
  }
}

/** Records waiting to be sent, one array per field. */
class PendingUses {
  private keyId: string[] = [];
  private method: string[] = [];
  private route: string[] = [];
  private status: number[] = [];
  private ip: (string | null)[] = [];
  private userAgent: (string | null)[] = [];
  private requestId: (string | null)[] = [];
  private durationMs: number[] = [];
  private occurredAt: (string | number)[] = [];
  /** Given when a record is first sent, then kept. */
  private eventId: (string | undefined)[] = [];

  get length(): number {
    return this.keyId.length;
  }

  readonly push: AddUse = (keyId, method, route, status, ip, userAgent, requestId, durationMs, occurredAt = Date.now()) => {
    this.keyId.push(keyId);
    this.method.push(method);
    this.route.push(route);
    this.status.push(status);
    this.ip.push(ip);
    this.userAgent.push(userAgent);
    this.requestId.push(requestId);
    this.durationMs.push(durationMs);
    this.occurredAt.push(occurredAt);
    this.eventId.push(undefined);
  };

  /** The first `n` records, as sent (optional fields that are null are left out). */
  take(n: number): UsageRecord[] {
    const records: UsageRecord[] = [];
    for (let i = 0; i < n; i++) {
      const eventId = (this.eventId[i] ??= randomUUID());
      const at = this.occurredAt[i];
      records.push({
        eventId,
        keyId: this.keyId[i],
        method: this.method[i],
        route: this.route[i],
        status: this.status[i],
        ip: this.ip[i],
        userAgent: this.userAgent[i] ?? undefined,
        requestId: this.requestId[i] ?? eventId,
        durationMs: this.durationMs[i],
        occurredAt: typeof at === 'number' ? new Date(at).toISOString() : at,
      });
    }
    return records;
  }

  drop(start: number, count: number): void {
    for (const column of this.columns()) column.splice(start, count);
  }

  private columns(): unknown[][] {
    return [this.keyId, this.method, this.route, this.status, this.ip, this.userAgent, this.requestId, this.durationMs, this.occurredAt, this.eventId];
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
