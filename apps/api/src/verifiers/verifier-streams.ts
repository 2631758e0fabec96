import { performance } from 'node:perf_hooks';
import { Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import type { ServerResponse } from 'node:http';
import { AuthChange, AuthChangeSubscriber, CacheCoherenceService, RoutedRequest, VerifierLeases } from '@keyward/auth';
import { Problem } from '@keyward/common';
import { problemDocument, sendProblem } from '../http/problem.filter';

/** How often every stream gets a `head` event (the protocol's "at least every second"). */
const HEAD_EVERY_MS = 1_000;
/** A keep-alive comment every this many head ticks (15 s). */
const KEEP_ALIVE_TICKS = 15;
/** Bytes a stream may have waiting in its socket buffer before it is ended whatever the time. */
const MAX_BUFFERED_BYTES = 1 << 20;

interface OpenStream {
  verifierId: string;
  companyId: string;
  res: ServerResponse;
  /** The last seq told to the verifier, by a `change` or a `head`. */
  sent: number;
  /** performance.now() since when the socket buffer has been full; null: it drains. */
  blockedSince: number | null;
  ticks: number;
  ended: boolean;
  unsubscribe: () => void;
}

function event(name: string, data: unknown): string {
  return `event: ${name}\ndata: ${JSON.stringify(data)}\n\n`;
}

/**
 * The open `GET /v1/verifiers/stream` responses of this instance. Changes come from the instance's
 * own poll and LISTEN of `auth_changes` (CacheCoherenceService.subscribe), never from a query per
 * stream; one timer sends every stream its `head` each second.
 */
@Injectable()
export class VerifierStreams implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(VerifierStreams.name);
  private readonly streams = new Set<OpenStream>();
  private timer?: NodeJS.Timeout;
  private closing = false;

  constructor(
    private readonly leases: VerifierLeases,
    private readonly coherence: CacheCoherenceService,
  ) {}

  onModuleInit(): void {
    this.timer = setInterval(() => this.tick(), HEAD_EVERY_MS);
    this.timer.unref();
  }

  /** Before the HTTP server closes: every stream ends (its lease deleted), so the server can close. */
  async onModuleDestroy(): Promise<void> {
    this.closing = true;
    if (this.timer) clearInterval(this.timer);
    await Promise.all([...this.streams].map((s) => this.end(s, 'end')));
  }

  get size(): number {
    return this.streams.size;
  }

  /** Registers a lease for the company and streams its changes on `res` until either side ends. */
  async open(companyId: string, req: RoutedRequest, res: ServerResponse): Promise<void> {
    if (this.closing) throw new Problem(503, 'UNAVAILABLE', 'this instance is shutting down; reconnect', undefined, { 'Retry-After': '1' });
    // subscribed before the head is read: every change committed after it reaches this stream
    let early: { rows: AuthChange[]; head: number } | null = { rows: [], head: 0 };
    let stream: OpenStream | undefined;
    let gap = false;
    const subscriber: AuthChangeSubscriber = {
      changes: (rows, head) => {
        if (early) {
          early.rows.push(...rows);
          early.head = Math.max(early.head, head);
        } else if (stream) this.deliver(stream, rows, head);
      },
      gap: () => {
        if (stream) void this.end(stream, 'end');
        else gap = true;
      },
    };
    const unsubscribe = this.coherence.subscribe(subscriber);
    let lease;
    try {
      lease = await this.leases.open(companyId, `verifier ${req.ip ?? 'unknown'}`);
    } catch (err) {
      unsubscribe();
      throw err;
    }
    stream = { verifierId: lease.verifierId, companyId, res, sent: lease.head, blockedSince: null, ticks: 0, ended: false, unsubscribe };
    this.streams.add(stream);
    const opened = stream;
    res.once('close', () => void this.end(opened, 'gone'));
    if (res.destroyed || gap || this.closing) return this.end(stream, 'end');

    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache, no-transform',
      'X-Accel-Buffering': 'no',
      Connection: 'keep-alive',
    });
    this.write(stream, event('hello', { verifierId: lease.verifierId, leaseMs: lease.leaseMs, head: lease.head }));
    const waiting = early;
    early = null;
    this.deliver(stream, waiting.rows, waiting.head);
  }

  /** Changes of the stream's company after what it was told, then the head when it moved past them. */
  private deliver(s: OpenStream, rows: readonly AuthChange[], head: number): void {
    if (s.ended) return;
    for (const r of rows) {
      if (r.seq <= s.sent || r.companyId !== s.companyId) continue;
      this.write(s, event('change', { seq: r.seq, keyIds: r.keyIds, ownerIds: r.ownerIds, wholeCompany: r.wholeCompany }));
      s.sent = r.seq;
    }
    if (head > s.sent && s.blockedSince === null) {
      s.sent = head;
      this.write(s, event('head', { seq: head }));
    }
  }

  private tick(): void {
    const now = performance.now();
    for (const s of this.streams) {
      if (s.ended) continue;
      if (s.blockedSince !== null) {
        // a client that does not read: its lease runs out anyway (it cannot ack what it never read)
        if (now - s.blockedSince > this.leases.leaseMs) void this.end(s, 'destroy');
        continue;
      }
      s.ticks += 1;
      this.write(s, event('head', { seq: s.sent }));
      if (s.ticks % KEEP_ALIVE_TICKS === 0) this.write(s, ': keep-alive\n\n');
    }
  }

  private write(s: OpenStream, text: string): void {
    if (s.ended) return;
    const flushed = s.res.write(text);
    if (!flushed && s.blockedSince === null) {
      s.blockedSince = performance.now();
      s.res.once('drain', () => {
        s.blockedSince = null;
      });
    }
    if (s.res.writableLength > MAX_BUFFERED_BYTES) void this.end(s, 'destroy');
  }

  /** Ends the stream once: unsubscribed, the response ended (or the socket dropped), the lease deleted. */
  private async end(s: OpenStream, how: 'end' | 'destroy' | 'gone'): Promise<void> {
    if (s.ended) return;
    s.ended = true;
    s.unsubscribe();
    this.streams.delete(s);
    if (how === 'end' && !s.res.destroyed) {
      if (s.res.headersSent) s.res.end();
      else sendProblem(s.res, problemDocument(503, 'UNAVAILABLE', 'the stream could not start; reconnect'), { 'Retry-After': '1', Connection: 'close' });
    } else if (how === 'destroy') s.res.destroy();
    await this.leases.close(s.verifierId).catch((err: Error) => {
      this.logger.warn(`verifier lease ${s.verifierId} not deleted (${err.message}): it lapses by itself`);
    });
  }
}
