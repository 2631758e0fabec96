import { KeywardClient, KeywardHttpError } from './client';
import { KeyCache, KeyChange } from './key-cache';
import { readServerSentEvents } from './sse';

/** Where the package writes its warnings (Nest's Logger in the module); never given a key. */
export interface KeywardLogger {
  warn(message: string): void;
  log?(message: string): void;
}

export interface VerifierStreamOptions {
  /** First reconnection delay; doubles up to `maxBackoffMs` (with jitter). Default 250 ms. */
  minBackoffMs?: number;
  maxBackoffMs?: number;
  now?: () => number;
}

/**
 * Keeps a `KeyCache` coherent with Keyward through `GET /v1/verifiers/stream` (docs/verifier-protocol.md):
 * `hello` starts a lease with an empty cache; each `change` is applied, then acknowledged; each
 * `head` is acknowledged; an ack also goes out every `leaseMs / 4`. A successful ack renews the
 * cache's trust from the moment it was sent.
 *
 * Fail closed: the cache is emptied and trusted no more when the stream ends (Keyward may have
 * dropped the lease with it, so changes need not wait for this verifier any longer), when an ack
 * says the lease is unknown or lapsed, and when the trusted time passes without a successful ack;
 * then it reconnects with backoff. A failed ack alone (Keyward unreachable) keeps the stream and
 * the trust until the trusted time passes.
 */
export class VerifierStream {
  private stopped = false;
  private running?: Promise<void>;
  private connection?: AbortController;
  private verifierId?: string;
  private leaseMs = 0;
  private seq = 0;
  private acking = false;
  private ackAgain = false;
  private ackTimer?: NodeJS.Timeout;
  private wake?: () => void;
  private readonly now: () => number;
  private connectedOnce?: () => void;
  /** Resolves at the first lease (or at stop): lets a service start with a warm lease. */
  readonly connected: Promise<void>;

  constructor(
    private readonly client: KeywardClient,
    private readonly cache: KeyCache,
    private readonly logger: KeywardLogger,
    private readonly options: VerifierStreamOptions = {},
  ) {
    this.now = options.now ?? (() => performance.now());
    this.connected = new Promise((resolve) => (this.connectedOnce = resolve));
  }

  get isLive(): boolean {
    return this.verifierId !== undefined && this.cache.trusted();
  }

  start(): void {
    this.running ??= this.run();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.connectedOnce?.();
    this.connection?.abort();
    this.wake?.();
    await this.running;
    this.cache.lapse();
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (!this.stopped) {
      const connection = new AbortController();
      this.connection = connection;
      try {
        const openedAt = this.now();
        const body = await this.client.openVerifierStream(connection.signal);
        for await (const event of readServerSentEvents(body)) {
          if (event.event === 'hello') {
            const hello = JSON.parse(event.data) as { verifierId: string; leaseMs: number; head: number };
            this.cache.lapse(); // what was cached before this lease may have missed changes
            this.verifierId = hello.verifierId;
            this.leaseMs = hello.leaseMs;
            this.seq = Number(hello.head);
            this.cache.renew(openedAt, hello.leaseMs);
            this.startAckTimer(connection);
            failures = 0;
            this.connectedOnce?.();
            void this.ack(connection);
          } else if (event.event === 'change' && this.verifierId) {
            const change = JSON.parse(event.data) as KeyChange;
            this.cache.apply(change);
            this.seq = Math.max(this.seq, Number(change.seq));
            void this.ack(connection);
          } else if (event.event === 'head' && this.verifierId) {
            const head = JSON.parse(event.data) as { seq: number };
            this.seq = Math.max(this.seq, Number(head.seq));
            void this.ack(connection);
          }
        }
        if (!this.stopped && !connection.signal.aborted) this.logger.warn('Keyward verifier stream ended; reconnecting');
      } catch (err) {
        if (!this.stopped && !connection.signal.aborted) this.logger.warn(`Keyward verifier stream failed (${(err as Error).message}); reconnecting`);
      } finally {
        this.endConnection(connection);
      }
      if (this.stopped) break;
      failures++;
      const ceiling = Math.min(this.options.maxBackoffMs ?? 5_000, (this.options.minBackoffMs ?? 250) * 2 ** Math.min(failures - 1, 10));
      await this.sleep(ceiling / 2 + Math.random() * (ceiling / 2));
    }
  }

  private endConnection(connection: AbortController): void {
    connection.abort();
    clearInterval(this.ackTimer);
    this.ackTimer = undefined;
    const released = this.verifierId;
    this.verifierId = undefined;
    this.cache.lapse();
    // the cache is empty now: give the lease back, so Keyward's changes stop waiting for it
    // (best effort — unanswered, it lapses by itself within one lease)
    if (released) void this.client.releaseVerifier(released, 2_000).catch(() => undefined);
  }

  private startAckTimer(connection: AbortController): void {
    clearInterval(this.ackTimer);
    this.ackTimer = setInterval(() => {
      // the trusted time passed without a successful ack: this lease is of no use, start another
      if (!this.cache.trusted()) {
        this.logger.warn('Keyward verifier lease lapsed without an acknowledgement; the cache is emptied and the stream reopened');
        connection.abort();
        return;
      }
      void this.ack(connection);
    }, Math.max(50, this.leaseMs / 4));
    this.ackTimer.unref();
  }

  /** One ack at a time; a request for another while one is in flight sends the newest seq after it. */
  private async ack(connection: AbortController): Promise<void> {
    if (this.acking) {
      this.ackAgain = true;
      return;
    }
    this.acking = true;
    try {
      do {
        this.ackAgain = false;
        const verifierId = this.verifierId;
        if (!verifierId || connection.signal.aborted) return;
        const seq = this.seq;
        const sentAt = this.now();
        try {
          const { leaseMs } = await this.client.ack(verifierId, seq, Math.max(250, this.leaseMs / 4));
          if (this.verifierId === verifierId && !connection.signal.aborted) {
            this.leaseMs = leaseMs;
            this.cache.renew(sentAt, leaseMs);
          }
        } catch (err) {
          if (err instanceof KeywardHttpError && (err.status === 404 || err.status === 410)) {
            this.logger.warn(`Keyward refused the verifier's ack (${err.code}); the cache is emptied and the stream reopened`);
            connection.abort();
            return;
          }
          // unreachable: the trust runs out by itself; the timer tries again
          return;
        }
      } while (this.ackAgain);
    } finally {
      this.acking = false;
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
  }
}
