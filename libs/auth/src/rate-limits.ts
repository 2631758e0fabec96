import { Inject, Injectable, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import Redis from 'ioredis';
import * as ipaddr from 'ipaddr.js';
import { LRUCache } from 'lru-cache';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { KEYWARD_CONFIG, KeywardConfig } from '@keyward/config';
import { RateLimitSetting } from '@keyward/database';
import { REDIS } from '@keyward/queue';

export interface RateDecision {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** Seconds until the window resets. */
  resetSeconds: number;
}

/** The RateLimit-* headers (and Retry-After when refused) of a keyed response. */
export function rateLimitHeaders(d: RateDecision): Record<string, string> {
  const headers: Record<string, string> = {
    'RateLimit-Limit': String(d.limit),
    'RateLimit-Remaining': String(d.remaining),
    'RateLimit-Reset': String(d.resetSeconds),
  };
  if (!d.allowed) headers['Retry-After'] = String(d.resetSeconds);
  return headers;
}

/**
 * Per-key limits in fixed windows, counted atomically in Redis across every API
 * instance (rate-limiter-flexible). If Redis is unreachable each instance falls back
 * to counting in memory, so a limit then holds per instance rather than in total.
 *
 * The counts go over a connection of their own with ioredis auto-pipelining: the
 * increments of the requests handled in one turn of the event loop leave in one write
 * and their answers come back in one read. Each is still its own atomic script on its
 * own key in Redis — nothing is counted locally or in advance — so limits stay exact
 * across instances; only the system calls are shared.
 */
@Injectable()
export class KeyRateLimiter implements OnModuleInit, OnApplicationShutdown {
  /** One limiter per (limit, window) in use; bounded, an evicted one is rebuilt on demand. */
  private readonly limiters = new LRUCache<string, RateLimiterRedis>({ max: 1000 });
  private readonly counts: Redis;

  constructor(
    @Inject(KEYWARD_CONFIG) private readonly config: KeywardConfig,
    @Inject(REDIS) redis: Redis,
  ) {
    // the shared connection's options (no offline queue: while Redis is away a count fails
    // at once and the in-memory insurance limiter answers), plus auto-pipelining
    // commandTimeout: a Redis that stops answering (paused, partitioned) fails the count after
    // 500 ms, so the in-memory limiter answers instead of every keyed request hanging
    this.counts = redis.duplicate({ connectionName: 'keyward-rate-limits', enableAutoPipelining: true, commandTimeout: 500 });
    this.counts.on('error', () => undefined); // reconnects by itself; the shared connection logs Redis outages
  }

  /** Before the server listens, give the connection a moment to be up (not longer: Redis may be away). */
  async onModuleInit(): Promise<void> {
    if (this.counts.status === 'ready') return;
    await new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.counts.off('ready', done);
        resolve();
      };
      const timer = setTimeout(done, 1_000);
      this.counts.once('ready', done);
    });
  }

  /** After the HTTP server closed (Nest calls shutdown hooks last): no request counts any more. */
  async onApplicationShutdown(): Promise<void> {
    await this.counts.quit().catch(() => this.counts.disconnect());
  }

  async consume(keyId: string, setting: RateLimitSetting | null): Promise<RateDecision> {
    const { limit, windowSeconds } = setting ?? this.config.keys.defaultRateLimit;
    const limiter = this.limiter(limit, windowSeconds);
    try {
      const res = await limiter.consume(keyId);
      return { allowed: true, limit, remaining: res.remainingPoints, resetSeconds: Math.ceil(res.msBeforeNext / 1000) };
    } catch (err) {
      if (err instanceof RateLimiterRes) {
        return { allowed: false, limit, remaining: 0, resetSeconds: Math.max(1, Math.ceil(err.msBeforeNext / 1000)) };
      }
      throw err;
    }
  }

  private limiter(points: number, duration: number): RateLimiterRedis {
    const id = `${points}/${duration}`;
    let limiter = this.limiters.get(id);
    if (!limiter) {
      limiter = new RateLimiterRedis({
        storeClient: this.counts,
        keyPrefix: `${this.config.redisPrefix}:rl:key:${points}:${duration}`,
        points,
        duration,
        insuranceLimiter: new RateLimiterMemory({ points, duration }),
      });
      this.limiters.set(id, limiter);
    }
    return limiter;
  }
}

/**
 * Throttles failed authentication per client address. Failures with a well-formed key
 * are counted in Redis (shared by all instances); malformed ones in memory only, since
 * they are refused before any I/O. An address over the limit is refused locally, with
 * no I/O, until its window ends.
 */
@Injectable()
export class AuthFailureThrottle {
  private readonly blockedUntil = new LRUCache<string, number>({ max: 100_000 });
  private readonly shared: RateLimiterRedis;
  private readonly local: RateLimiterMemory;

  constructor(@Inject(KEYWARD_CONFIG) config: KeywardConfig, @Inject(REDIS) redis: Redis) {
    const { limit, windowSeconds } = config.authFailures;
    this.local = new RateLimiterMemory({ points: limit, duration: windowSeconds });
    this.shared = new RateLimiterRedis({
      storeClient: redis,
      keyPrefix: `${config.redisPrefix}:rl:authfail`,
      points: limit,
      duration: windowSeconds,
      insuranceLimiter: new RateLimiterMemory({ points: limit, duration: windowSeconds }),
    });
  }

  /** Seconds the address must wait, or 0. */
  retryAfter(ip: string | undefined): number {
    const bucket = throttleBucket(ip);
    const until = this.blockedUntil.get(bucket);
    if (until === undefined) return 0;
    const left = until - Date.now();
    if (left <= 0) {
      this.blockedUntil.delete(bucket);
      return 0;
    }
    return Math.ceil(left / 1000);
  }

  async fail(ip: string | undefined, wellFormed: boolean): Promise<void> {
    const address = throttleBucket(ip);
    try {
      await (wellFormed ? this.shared : this.local).consume(address);
    } catch (err) {
      if (err instanceof RateLimiterRes) this.blockedUntil.set(address, Date.now() + err.msBeforeNext);
    }
  }
}

/** IPv4 addresses count one by one; IPv6 by /64 (one host usually holds a whole /64). */
export function throttleBucket(ip: string | undefined): string {
  if (!ip || !ipaddr.isValid(ip)) return ip ?? '';
  const addr = ipaddr.process(ip);
  if (addr.kind() === 'ipv4') return addr.toString();
  return (addr as ipaddr.IPv6).toNormalizedString().split(':').slice(0, 4).join(':') + '::/64';
}
