import { performance } from 'node:perf_hooks';
import { Inject, Injectable, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import * as ipaddr from 'ipaddr.js';
import type { Result } from 'ioredis';
import { LRUCache } from 'lru-cache';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { KEYWARD_CONFIG, KeywardConfig } from '@keyward/config';
import { RateLimitSetting } from '@keyward/database';
import { REDIS, RedisClient, duplicateRedis } from '@keyward/queue';
import { Problem } from '@keyward/common';
import { LeasedGrant, QuotaDecision, QuotaLeases } from '@keyward/nestjs';

/**
 * One request's answer: allowed or not, the key's limit, what is left of the window after this
 * request (0 when refused) and the seconds until the window resets.
 */
export type RateDecision = QuotaDecision & { readonly remaining: number };

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

/** A failed block take slower than this waited for Redis's command timeout (500 ms): Redis is paused or cut off. */
const SLOW_COUNT_MS = 400;
/** How long counts then go straight to memory before Redis is tried again. */
const REDIS_RETRY_AFTER_MS = 2_000;
/** An instance's block is at most this share of what is left of the window (besides its want): blocks shrink as the window fills. */
const LEASE_SHARE = 20;
/** Keys whose blocks an instance keeps (the least recently refilled go first, with what is left of their block). */
const LEASED_KEYS = 100_000;

/** A block of requests taken from a key's current window for a service to spend itself. */
export interface QuotaGrant {
  granted: number;
  limit: number;
  windowSeconds: number;
  /** Seconds until the window resets. */
  resetSeconds: number;
}

/**
 * Takes min(want, what is left) from the counter of the key's window (rate-limiter-flexible's
 * layout: one integer of requests taken, expiring with the window, created by the first take), in
 * one script: atomic with every other take, by an API instance's lease or a service's
 * `POST /v1/keys/:id/quota`, so the sum granted never exceeds the limit. Refused requests take
 * nothing: the counter never passes the limit. With a share n > 0 (the API instances' leases) the
 * grant is also at most max(1, floor(left / n)), so blocks shrink as the window fills and an
 * instance cannot hold much of what others may still need. Returns the grant, the milliseconds
 * until the window resets and the requests taken before it (the grant's requests are positions
 * used + 1 … used + granted of the window).
 *
 * KEYS[1] counter; ARGV want, limit, window seconds, share (0: none).
 */
const TAKE_QUOTA_SCRIPT = `redis.call('set', KEYS[1], 0, 'EX', ARGV[3], 'NX')
local used = tonumber(redis.call('get', KEYS[1]))
local left = tonumber(ARGV[2]) - used
if left < 0 then left = 0 end
local granted = math.min(tonumber(ARGV[1]), left)
local share = tonumber(ARGV[4])
if share > 0 then granted = math.min(granted, math.max(1, math.floor(left / share))) end
if granted > 0 then redis.call('incrby', KEYS[1], granted) end
local ttl = redis.call('pttl', KEYS[1])
if ttl == -1 then
  redis.call('expire', KEYS[1], ARGV[3])
  ttl = 1000 * tonumber(ARGV[3])
end
return {granted, ttl, used}`;

declare module 'ioredis' {
  interface RedisCommander<Context> {
    /** TAKE_QUOTA_SCRIPT (EVALSHA, loaded on first use): [granted, ttl ms, used before]. */
    keywardTakeQuota(counter: string, want: number, limit: number, windowSeconds: number, share: number): Result<[number, number, number], Context>;
  }
}

/**
 * Resolves once the connection is ready and has answered `warmUp` once, or after `ms` (Redis may
 * be away: counts then fall back to memory). The one script loads it into the server that holds
 * Keyward's keys and, on a Cluster, opens the connection to that master (ready means only that the
 * slots are known): otherwise the first burst of counts pays for both, may outlast the command
 * timeout on a busy machine, and the instance counts in memory for a while.
 */
async function readyOrAfter(redis: RedisClient, ms: number, warmUp: () => Promise<unknown>): Promise<void> {
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
  await Promise.race([warmUp().catch(() => undefined), new Promise((r) => setTimeout(r, Math.max(0, deadline - Date.now())).unref())]);
}

/** What a lease's refill rejects with while Redis is away or suspect: the request is counted in memory. */
const REDIS_AWAY = new Error('Redis does not answer: counted in memory');

/**
 * Per-key limits in fixed windows, exact across every API instance and service: the sum of what
 * is admitted never exceeds the limit. Each instance leases blocks of a key's window from its Redis
 * counter (QuotaLeases of @keyward/nestjs, the algorithm the services use, with Redis as the
 * source instead of `POST /v1/keys/:id/quota`) and decides from the block in memory, synchronously,
 * while it lasts: a hot key costs one script per block (1, 2, 4, … up to a twentieth of the limit
 * or 1,000), not one per request. Blocks shrink as the window fills (LEASE_SHARE), and each request
 * gets its own position in the window, so RateLimit-Remaining is exact too. What an instance holds
 * unspent when the window ends is lost (never more than its last block).
 *
 * If Redis is unreachable or slow, each instance falls back to counting in memory (the insurance
 * limiter), so a limit then holds per instance rather than in total; blocks already held are still
 * spent (they are counted in Redis).
 */
@Injectable()
export class KeyRateLimiter implements OnModuleInit, OnApplicationShutdown {
  /** The in-memory insurance per (limit, window) in use; bounded, an evicted one is rebuilt on demand. */
  private readonly insurance = new LRUCache<string, RateLimiterMemory>({ max: 1000 });
  private readonly counts: RedisClient;
  private readonly leases: QuotaLeases;
  /**
   * performance.now() until which counts go straight to memory: a Redis that just made a take
   * wait for its timeout (paused, partitioned) would otherwise cost every keyed request that needs a block that wait.
   * Redis is tried again when it passes.
   */
  private redisSuspectUntil = 0;

  constructor(
    @Inject(KEYWARD_CONFIG) private readonly config: KeywardConfig,
    @Inject(REDIS) redis: RedisClient,
  ) {
    // the shared connection's options (no offline queue: while Redis is away a take fails
    // at once and the in-memory insurance limiter answers), plus auto-pipelining
    // commandTimeout: a Redis that stops answering (paused, partitioned) fails the take after
    // 500 ms, so the in-memory limiter answers instead of every keyed request hanging
    this.counts = duplicateRedis(redis, { connectionName: 'keyward-rate-limits', enableAutoPipelining: true, commandTimeout: 500 });
    this.counts.on('error', () => undefined); // reconnects by itself; the shared connection logs Redis outages
    this.counts.defineCommand('keywardTakeQuota', { numberOfKeys: 1, lua: TAKE_QUOTA_SCRIPT });
    this.leases = new QuotaLeases({ takeQuota: (keyId, want, setting) => this.lease(keyId, want, setting) }, { maxKeys: LEASED_KEYS });
  }

  /** Before the server listens, give the connection a moment to be up (not longer: Redis may be away). */
  async onModuleInit(): Promise<void> {
    await readyOrAfter(this.counts, 1_000, () => this.counts.keywardTakeQuota(`${this.config.redisPrefix}:rl:warm-up`, 0, 0, 1, 0));
  }

  /** After the HTTP server closed (Nest calls shutdown hooks last): no request counts any more. */
  async onApplicationShutdown(): Promise<void> {
    await this.counts.quit().catch(() => this.counts.disconnect());
  }

  /**
   * Spends one request of the key's current window: synchronously while this instance holds a
   * block of it, otherwise once a block is taken from Redis (or counted in memory, Redis away).
   */
  consume(keyId: string, setting: RateLimitSetting | null): RateDecision | Promise<RateDecision> {
    const applied = setting ?? this.config.keys.defaultRateLimit;
    const decision = this.leases.take(keyId, applied);
    if (decision instanceof Promise) return decision.then(positioned, () => this.countInMemory(keyId, applied));
    return positioned(decision);
  }

  /**
   * Takes up to `want` requests from the key's current window, exactly across every instance and
   * service. Only Redis can count that: without it, 503 UNAVAILABLE (a per-instance count would
   * hand every service a whole limit).
   */
  async take(keyId: string, setting: RateLimitSetting | null, want: number): Promise<QuotaGrant> {
    const applied = setting ?? this.config.keys.defaultRateLimit;
    let grant: LeasedGrant;
    try {
      if (this.counts.status !== 'ready') throw new Error(`Redis is ${this.counts.status}`);
      grant = await this.takeFromWindow(keyId, applied, want, 0);
    } catch {
      throw new Problem(503, 'UNAVAILABLE', 'rate-limit quota needs Redis, which does not answer; retry shortly', undefined, { 'Retry-After': '1' });
    }
    return { granted: grant.granted, limit: grant.limit, windowSeconds: grant.windowSeconds, resetSeconds: grant.resetSeconds };
  }

  /** The lease's source: a block from Redis, unless Redis is away or just made a take wait for its timeout (then the request is counted in memory). */
  private async lease(keyId: string, want: number, setting: RateLimitSetting): Promise<LeasedGrant> {
    const startedAt = performance.now();
    if (startedAt < this.redisSuspectUntil || this.counts.status !== 'ready') throw REDIS_AWAY;
    try {
      return await this.takeFromWindow(keyId, setting, want, LEASE_SHARE);
    } catch (err) {
      // the insurance answers after Redis's timeout: spare the next requests that wait for a while.
      // A take that succeeded slowly is not counted: the time includes the event loop's own delays
      // (a burst of requests on a busy instance), and its block is as good as any
      if (performance.now() - startedAt >= SLOW_COUNT_MS) this.redisSuspectUntil = performance.now() + REDIS_RETRY_AFTER_MS;
      throw err;
    }
  }

  private async takeFromWindow(keyId: string, { limit, windowSeconds }: RateLimitSetting, want: number, share: number): Promise<LeasedGrant> {
    const counter = `${this.config.redisPrefix}:rl:key:${limit}:${windowSeconds}:${keyId}`;
    const [granted, ttl, used] = await this.counts.keywardTakeQuota(counter, want, limit, windowSeconds, share);
    return { granted, used, limit, windowSeconds, resetMs: ttl, resetSeconds: Math.max(1, Math.ceil(ttl / 1000)) };
  }

  /** The per-instance count, while Redis cannot be asked. */
  private async countInMemory(keyId: string, { limit, windowSeconds }: RateLimitSetting): Promise<RateDecision> {
    const id = `${limit}/${windowSeconds}`;
    let memory = this.insurance.get(id);
    if (!memory) this.insurance.set(id, (memory = new RateLimiterMemory({ points: limit, duration: windowSeconds })));
    try {
      const res = await memory.consume(keyId);
      return { allowed: true, limit, remaining: res.remainingPoints, resetSeconds: Math.ceil(res.msBeforeNext / 1000) };
    } catch (err) {
      if (err instanceof RateLimiterRes) {
        return { allowed: false, limit, remaining: 0, resetSeconds: Math.max(1, Math.ceil(err.msBeforeNext / 1000)) };
      }
      throw err;
    }
  }
}

/** A lease's decision as the guard reads it: blocks taken from Redis always say where their requests lie. */
function positioned(decision: QuotaDecision | undefined): RateDecision {
  if (!hasPosition(decision)) throw new Error('a rate-limit lease without its position in the window');
  return decision;
}

function hasPosition(decision: QuotaDecision | undefined): decision is RateDecision {
  return decision?.remaining !== undefined;
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
    const warmUp = new RateLimiterRedis({ storeClient: this.counts, keyPrefix: `${this.config.redisPrefix}:rl:warm-up`, points: 1_000_000, duration: 1 });
    await readyOrAfter(this.counts, 1_000, () => warmUp.consume('start'));
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
