import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import Redis from 'ioredis';
import { KEYWARD_CONFIG, KeywardConfig } from '@keyward/config';
import { Problem } from '@keyward/common';
import { Channels, REDIS } from '@keyward/queue';
import { AuthCache } from './auth-cache';

export const AUTH_CACHE_PARTICIPANT = Symbol('AUTH_CACHE_PARTICIPANT');

export interface InvalidationTarget {
  keyIds?: string[];
  ownerIds?: string[];
}

interface InvalidationMessage extends InvalidationTarget {
  nonce: string;
  origin: string;
}

/**
 * Tells every instance to drop keys or owners from its cache, without waiting for
 * acknowledgements (the projector does this after applying changes a write could not
 * wait for, e.g. one that answered 503 PROJECTION_PENDING).
 */
export async function publishInvalidation(redis: Redis, prefix: string, target: InvalidationTarget): Promise<void> {
  const message: InvalidationMessage = { ...target, nonce: randomUUID(), origin: 'projector' };
  await redis.publish(Channels.authInvalidate(prefix), JSON.stringify(message));
}

/**
 * Keeps every API instance's key cache coherent.
 *
 * An instance may read its cache only while it holds a lease it renewed in Redis
 * (a sorted set scored by lease end) and while its subscription is up. `invalidate()`
 * publishes the change and returns once every instance holding a lease has
 * acknowledged it, or that instance's lease has ended — after which it no longer
 * trusts its cache and empties it when it renews. A lease is renewed only after a
 * message to the instance's own channel came back through its subscription, so a
 * live lease means invalidations reach it. So when a revoke returns, no instance can
 * still accept the key from its cache. When that cannot be confirmed (Redis errors, an
 * instance renewing without acknowledging), `invalidate()` answers 503 after a lease.
 */
@Injectable()
export class CacheCoherenceService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(CacheCoherenceService.name);
  readonly instanceId = randomUUID();
  private subscriber!: Redis;
  private subscribed = false;
  private subscribedOnce!: Promise<void>;
  private leaseValidUntil = 0;
  private leaseTimer?: NodeJS.Timeout;
  private closing = false;
  private readonly waiters = new Map<string, { acked: Set<string>; wake: () => void }>();
  private readonly pings = new Map<string, () => void>();
  private readonly leaseMs: number;
  private readonly cacheTtlMs: number;
  /** Allowance for clock differences between hosts and for delivery. */
  private readonly marginMs: number;
  private readonly prefix: string;

  constructor(
    @Inject(KEYWARD_CONFIG) config: KeywardConfig,
    @Inject(REDIS) private readonly redis: Redis,
    private readonly cache: AuthCache,
    @Inject(AUTH_CACHE_PARTICIPANT) private readonly participant: boolean,
  ) {
    this.leaseMs = config.authCache.leaseMs;
    this.cacheTtlMs = config.authCache.ttlMs;
    this.marginMs = Math.max(250, Math.floor(this.leaseMs / 5));
    this.prefix = config.redisPrefix;
  }

  onModuleInit(): void {
    this.subscriber = this.redis.duplicate({ connectionName: 'keyward-auth-sub', maxRetriesPerRequest: null, enableOfflineQueue: true });
    const channels = [Channels.authAck(this.prefix, this.instanceId)];
    if (this.participant) channels.push(Channels.authInvalidate(this.prefix));

    this.subscriber.on('message', (channel, message) => this.onMessage(channel, message));
    this.subscriber.on('close', () => {
      if (this.subscribed && !this.closing) this.logger.warn('invalidation channel lost: the key cache is bypassed until it is back');
      this.subscribed = false;
      this.cache.invalidate({ all: true });
    });
    this.subscriber.on('error', () => undefined); // reconnects by itself; 'close' handles the state
    let first: () => void;
    this.subscribedOnce = new Promise((resolve) => (first = resolve));
    this.subscriber.on('ready', () => {
      this.subscriber
        .subscribe(...channels)
        .then(() => {
          this.cache.invalidate({ all: true }); // anything published while we were away is lost
          this.subscribed = true;
          first();
          if (this.participant) void this.renewLease();
        })
        .catch((err) => {
          if (!this.closing) this.logger.warn(`subscribe failed: ${(err as Error).message}`);
        });
    });

    if (this.participant) {
      // the first lease is taken once the subscription is up (see 'ready')
      this.leaseTimer = setInterval(() => void this.renewLease(), Math.max(200, Math.floor(this.leaseMs / 4)));
      this.leaseTimer.unref();
    }
  }

  async onModuleDestroy(): Promise<void> {
    this.closing = true;
    if (this.leaseTimer) clearInterval(this.leaseTimer);
    this.leaseValidUntil = 0;
    if (this.participant) await this.redis.zrem(Channels.authInstances(this.prefix), this.instanceId).catch(() => 0);
    this.subscriber?.disconnect();
  }

  /** True while this instance may answer from its cache. */
  cacheUsable(): boolean {
    return this.participant && this.subscribed && Date.now() < this.leaseValidUntil;
  }

  /**
   * Renews the lease only after a message sent to this instance's own channel came back
   * through its subscription: a lease proves that invalidations reach this instance.
   */
  private async renewLease(): Promise<void> {
    const sentAt = Date.now();
    try {
      await this.pingThroughSubscription(Math.max(100, Math.floor(this.leaseMs / 4)));
      await this.redis.zadd(Channels.authInstances(this.prefix), sentAt + this.leaseMs, this.instanceId);
      // a lapsed lease means invalidations may have been given up on us: start empty
      if (Date.now() >= this.leaseValidUntil) this.cache.invalidate({ all: true });
      this.leaseValidUntil = sentAt + this.leaseMs - this.marginMs;
      await this.redis.zremrangebyscore(Channels.authInstances(this.prefix), '-inf', sentAt - 60_000);
    } catch (err) {
      if (!this.closing) this.logger.warn(`lease not renewed: ${(err as Error).message}`);
    }
  }

  private pingThroughSubscription(timeoutMs: number): Promise<void> {
    if (!this.subscribed) return Promise.reject(new Error('not subscribed'));
    const nonce = randomUUID();
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pings.delete(nonce);
        reject(new Error('own channel did not answer'));
      }, timeoutMs);
      this.pings.set(nonce, () => {
        clearTimeout(timer);
        this.pings.delete(nonce);
        resolve();
      });
      this.redis.publish(Channels.authAck(this.prefix, this.instanceId), JSON.stringify({ ping: nonce })).catch((err: Error) => {
        clearTimeout(timer);
        this.pings.delete(nonce);
        reject(err);
      });
    });
  }

  private onMessage(channel: string, raw: string): void {
    let msg: InvalidationMessage & { instanceId?: string; ping?: string };
    try {
      msg = JSON.parse(raw);
    } catch {
      return;
    }
    if (channel === Channels.authInvalidate(this.prefix)) {
      this.cache.invalidate(msg);
      const ack = JSON.stringify({ nonce: msg.nonce, instanceId: this.instanceId });
      this.redis.publish(Channels.authAck(this.prefix, msg.origin), ack).catch(() => undefined);
    } else if (msg.ping) {
      this.pings.get(msg.ping)?.();
    } else if (msg.instanceId) {
      const waiter = this.waiters.get(msg.nonce);
      if (waiter) {
        waiter.acked.add(msg.instanceId);
        waiter.wake();
      }
    }
  }

  /**
   * Removes the keys or owners from every instance's cache; resolves when no
   * instance can still serve them from a cache.
   */
  async invalidate(target: InvalidationTarget): Promise<void> {
    this.cache.invalidate(target);
    const nonce = randomUUID();
    const acked = new Set<string>();
    let wake: () => void = () => undefined;
    this.waiters.set(nonce, { acked, wake: () => wake() });
    const key = Channels.authInstances(this.prefix);
    const deadline = Date.now() + 3 * this.leaseMs;
    try {
      await Promise.race([this.subscribedOnce, sleep(this.marginMs)]);
      const raw = await this.redis.zrangebyscore(key, Date.now(), '+inf', 'WITHSCORES');
      const leases = new Map<string, number>();
      for (let i = 0; i < raw.length; i += 2) leases.set(raw[i], Number(raw[i + 1]));
      await this.redis.publish(
        Channels.authInvalidate(this.prefix),
        JSON.stringify({ ...target, nonce, origin: this.instanceId } satisfies InvalidationMessage),
      );
      for (;;) {
        const now = Date.now();
        const waiting = [...leases].filter(([id, end]) => !acked.has(id) && now <= end + this.marginMs);
        if (waiting.length === 0) return;
        if (now > deadline) throw new Error(`no acknowledgement from ${waiting.length} instance(s) that keep renewing their lease`);
        const nextEnd = Math.min(...waiting.map(([, end]) => end + this.marginMs + 1));
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, Math.max(1, Math.min(nextEnd - now, 250)));
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        // an instance that renewed meanwhile still holds a cache: keep waiting for it
        const silent = [...leases.keys()].filter((id) => !acked.has(id));
        if (silent.length > 0) {
          const scores = await this.redis.zmscore(key, ...silent);
          silent.forEach((id, i) => {
            const score = scores[i];
            if (score !== null) leases.set(id, Math.max(leases.get(id)!, Number(score)));
          });
        }
      }
    } catch (err) {
      this.logger.warn(`invalidation not confirmed: ${(err as Error).message}`);
      await sleep(Math.max(0, Math.min(this.leaseMs + this.marginMs, deadline - Date.now())));
      throw new Problem(
        503,
        'INVALIDATION_UNCONFIRMED',
        'the change was recorded, but not every API instance confirmed it dropped the key from its cache; ' +
          `it is refused everywhere within ${Math.ceil(this.cacheTtlMs / 1000)} s at most`,
        undefined,
        { 'Retry-After': '5' },
      );
    } finally {
      this.waiters.delete(nonce);
    }
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms).unref());
}
