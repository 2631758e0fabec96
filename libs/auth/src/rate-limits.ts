import { performance } from 'node:perf_hooks';
import { Inject, Injectable, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import * as ipaddr from 'ipaddr.js';
import { LRUCache } from 'lru-cache';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { KEYWARD_CONFIG, KeywardConfig } from '@keyward/config';
import { RateLimitSetting } from '@keyward/database';
import { REDIS, RedisClient, duplicateRedis } from '@keyward/queue';
import { Problem } from '@keyward/common';

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

/** A count slower than this waited for Redis's command timeout (500 ms): Redis is paused or cut off. */
const SLOW_COUNT_MS = 400;
/** How long counts then go straight to memory before Redis is tried again. */
const REDIS_RETRY_AFTER_MS = 2_000;

/** A block of requests taken from a key's current window for a service to spend itself. */
export interface QuotaGrant {
  granted: number;
  limit: number;
  windowSeconds: number;
  /** Seconds until the window resets. */
  resetSeconds: number;
}

/**
 * min(want, what is left) taken from the counter rate-limiter-flexible keeps for the key (its
 * own script's layout: one integer of points consumed, expiring with the window), in one script:
 * atomic with every other take and with the guard's own consume. The guard counts refused
 * requests too, so what is consumed may exceed the limit; what is left is then 0.
 */
const TAKE_QUOTA_SCRIPT = `redis.call('set', KEYS[1], 0, 'EX', ARGV[3], 'NX')
local used = tonumber(redis.call('get', KEYS[1]))
local left = tonumber(ARGV[2]) - used
if left < 0 then left = 0 end
local granted = math.min(tonumber(ARGV[1]), left)
if granted > 0 then redis.call('incrby', KEYS[1], granted) end
local ttl = redis.call('pttl', KEYS[1])
if ttl == -1 then
  redis.call('expire', KEYS[1], ARGV[3])
  ttl = 1000 * tonumber(ARGV[3])
end
return {granted, ttl}`;

/**
 * Resolves once the connection is ready and has counted once, or after `ms` (Redis may be away:
 * counts then fall back to memory). The one count loads the limiter's script into the server that
 * holds Keyward's keys and, on a Cluster, opens the connection to that master (ready means only
 * that the slots are known): otherwise the first burst of counts pays for both, takes longer than
 * SLOW_COUNT_MS on a busy machine, and the instance counts in memory for a while.
 */
async function readyOrAfter(redis: RedisClient, ms: number, prefix: string): Promise<void> {
  const deadline = Date.now() + ms;
  await new Promise<void>((resolve) => {
    if (redis.status === 'ready') return resolve();
    const done = () => {
      clearTimeout(timer);
      redis.off('ready', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    redis.once('ready', done);
  });
  if (redis.status !== 'ready') return;
  const warmUp = new RateLimiterRedis({ storeClient: redis, keyPrefix: `${prefix}:rl:warm-up`, points: 1_000_000, duration: 1 });
  await Promise.race([warmUp.consume('start').catch(() => undefined), new Promise((r) => setTimeout(r, Math.max(0, deadline - Date.now())).unref())]);
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
  /** One limiter per (limit, window) in use, with its in-memory insurance; bounded, an evicted one is rebuilt on demand. */
  private readonly limiters = new LRUCache<string, { shared: RateLimiterRedis; memory: RateLimiterMemory }>({ max: 1000 });
  private readonly counts: RedisClient;
  /**
   * performance.now() until which counts go straight to memory: a Redis that just made a count
   * wait for its timeout (paused, partitioned) would otherwise cost every keyed request that wait.
   * Redis is tried again when it passes.
   */
  private redisSuspectUntil = 0;

  constructor(
    @Inject(KEYWARD_CONFIG) private readonly config: KeywardConfig,
    @Inject(REDIS) redis: RedisClient,
  ) {
    // the shared connection's options (no offline queue: while Redis is away a count fails
    // at once and the in-memory insurance limiter answers), plus auto-pipelining
    // commandTimeout: a Redis that stops answering (paused, partitioned) fails the count after
    // 500 ms, so the in-memory limiter answers instead of every keyed request hanging
    this.counts = duplicateRedis(redis, { connectionName: 'keyward-rate-limits', enableAutoPipelining: true, commandTimeout: 500 });
    this.counts.on('error', () => undefined); // reconnects by itself; the shared connection logs Redis outages
  }

  /** Before the server listens, give the connection a moment to be up (not longer: Redis may be away). */
  async onModuleInit(): Promise<void> {
    await readyOrAfter(this.counts, 1_000, this.config.redisPrefix);
  }

  /** After the HTTP server closed (Nest calls shutdown hooks last): no request counts any more. */
  async onApplicationShutdown(): Promise<void> {
    await this.counts.quit().catch(() => this.counts.disconnect());
  }

  async consume(keyId: string, setting: RateLimitSetting | null): Promise<RateDecision> {
    const { limit, windowSeconds } = setting ?? this.config.keys.defaultRateLimit;
    const limiter = this.limiter(limit, windowSeconds);
    const startedAt = performance.now();
    const viaRedis = startedAt >= this.redisSuspectUntil && this.counts.status === 'ready';
    try {
      const res = await (viaRedis ? limiter.shared : limiter.memory).consume(keyId);
      return { allowed: true, limit, remaining: res.remainingPoints, resetSeconds: Math.ceil(res.msBeforeNext / 1000) };
    } catch (err) {
      if (err instanceof RateLimiterRes) {
        return { allowed: false, limit, remaining: 0, resetSeconds: Math.max(1, Math.ceil(err.msBeforeNext / 1000)) };
      }
      throw err;
    } finally {
      // the insurance answered after Redis's timeout: spare the next requests that wait for a while
      if (viaRedis && performance.now() - startedAt >= SLOW_COUNT_MS) this.redisSuspectUntil = performance.now() + REDIS_RETRY_AFTER_MS;
    }
  }

  /**
   * Takes up to `want` requests from the key's current window, exactly across every instance and
   * service. Only Redis can count that: without it, 503 UNAVAILABLE (a per-instance count would
   * hand every service a whole limit).
   */
  async take(keyId: string, setting: RateLimitSetting | null, want: number): Promise<QuotaGrant> {
    const { limit, windowSeconds } = setting ?? this.config.keys.defaultRateLimit;
    const counter = this.limiter(limit, windowSeconds).shared.getKey(keyId);
    let answer: unknown;
    try {
      if (this.counts.status !== 'ready') throw new Error(`Redis is ${this.counts.status}`);
      answer = await this.counts.eval(TAKE_QUOTA_SCRIPT, 1, counter, want, limit, windowSeconds);
    } catch {
      throw new Problem(503, 'UNAVAILABLE', 'rate-limit quota needs Redis, which does not answer; retry shortly', undefined, { 'Retry-After': '1' });
    }
    const [granted, ttl] = answer as [number, number];
    return { granted, limit, windowSeconds, resetSeconds: Math.max(1, Math.ceil(ttl / 1000)) };
  }

  private limiter(points: number, duration: number): { shared: RateLimiterRedis; memory: RateLimiterMemory } {
    const id = `${points}/${duration}`;
    let limiter = this.limiters.get(id);
    if (!limiter) {
      const memory = new RateLimiterMemory({ points, duration });
      const shared = new RateLimiterRedis({
        storeClient: this.counts,
        keyPrefix: `${this.config.redisPrefix}:rl:key:${points}:${duration}`,
        points,
        duration,
        insuranceLimiter: memory,
      });
      limiter = { shared, memory };
      this.limiters.set(id, limiter);
    }
    return limiter;
  }
}

/** How long a failure count waits for Redis before the in-memory count answers instead. */
const FAILURE_COUNT_TIMEOUT_MS = 250;

/**
 * Counts refused authentications per client address (IPv6 by /64), in fixed windows of
 * AUTH_FAILURE_WINDOW_SECONDS, and says when an address is over AUTH_FAILURE_LIMIT.
 *
 * It never refuses a key: the guard asks it only about a key it already refused (a
 * well-formed key that is unknown, revoked, expired, deleted, of a disabled owner or from
 * an address it does not allow; or two different keys), and answers such a refusal 429
 * instead of 401 while the address is over its limit. A valid key from the same address
 * (behind a NAT, or a proxy that is not trusted) is answered as usual. Malformed keys are
 * refused before anything is counted and never count.
 *
 * The counts are shared by every instance in Redis (rate-limiter-flexible), on a connection
 * of its own that gives up after FAILURE_COUNT_TIMEOUT_MS (a paused Redis) or at once (a
 * stopped one); the in-memory insurance limiter then counts. An address known here to be
 * over its limit is answered without asking Redis until its window ends.
 */
@Injectable()
export class AuthFailureThrottle implements OnModuleInit, OnApplicationShutdown {
  private readonly throttledUntil = new LRUCache<string, number>({ max: 100_000 });
  private readonly counts: RedisClient;
  private readonly failures: RateLimiterRedis;

  constructor(@Inject(KEYWARD_CONFIG) private readonly config: KeywardConfig, @Inject(REDIS) redis: RedisClient) {
    const { limit, windowSeconds } = config.authFailures;
    this.counts = duplicateRedis(redis, {
      connectionName: 'keyward-auth-failures',
      lazyConnect: false,
      enableAutoPipelining: true,
      commandTimeout: FAILURE_COUNT_TIMEOUT_MS,
    });
    this.counts.on('error', () => undefined); // reconnects by itself; the shared connection logs Redis outages
    this.failures = new RateLimiterRedis({
      storeClient: this.counts,
      keyPrefix: `${config.redisPrefix}:rl:authfail`,
      points: limit,
      duration: windowSeconds,
      insuranceLimiter: new RateLimiterMemory({ points: limit, duration: windowSeconds }),
    });
  }

  /** Before the server listens, give the connection a moment to be up (not longer: Redis may be away). */
  async onModuleInit(): Promise<void> {
    await readyOrAfter(this.counts, 1_000, this.config.redisPrefix);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.counts.quit().catch(() => this.counts.disconnect());
  }

  /**
   * Counts one refused authentication from the address. Resolves to the seconds the
   * address is throttled for (0: it is not); never rejects.
   */
  async countFailure(ip: string | undefined): Promise<number> {
    const bucket = throttleBucket(ip);
    const known = this.secondsLeft(bucket);
    if (known > 0) return known;
    try {
      await this.failures.consume(bucket);
      return 0;
    } catch (err) {
      if (!(err instanceof RateLimiterRes)) return 0; // counting never fails a request
      this.throttledUntil.set(bucket, Date.now() + err.msBeforeNext);
      return Math.max(1, Math.ceil(err.msBeforeNext / 1000));
    }
  }

  private secondsLeft(bucket: string): number {
    const until = this.throttledUntil.get(bucket);
    if (until === undefined) return 0;
    const left = until - Date.now();
    if (left > 0) return Math.ceil(left / 1000);
    this.throttledUntil.delete(bucket);
    return 0;
  }
}

/** IPv4 addresses count one by one; IPv6 by /64 (one host usually holds a whole /64). */
export function throttleBucket(ip: string | undefined): string {
  if (!ip || !ipaddr.isValid(ip)) return ip ?? '';
  const addr = ipaddr.process(ip);
  if (addr.kind() === 'ipv4') return addr.toString();
  return (addr as ipaddr.IPv6).toNormalizedString().split(':').slice(0, 4).join(':') + '::/64';
}
