import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { KEYWARD_CONFIG, KeywardConfig } from '@keyward/config';
import { Channels, REDIS, RedisClient, duplicateRedis } from '@keyward/queue';
import { hasReached } from './checkpoint';
import { LogCheckpoint } from './event.types';
import { Projector } from './projector';

const POLL_MS = 250;

/**
 * Resolves when the projector's checkpoint has passed a given event. Woken by the
 * checkpoint the worker publishes after each commit; polls the checkpoint table as
 * well, so a lost message only costs a poll interval.
 */
@Injectable()
export class ProjectionWaiter implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(ProjectionWaiter.name);
  private subscriber?: RedisClient;
  private latest: LogCheckpoint | null = null;
  private readonly wakers = new Set<() => void>();
  private closing = false;

  constructor(
    @Inject(KEYWARD_CONFIG) private readonly config: KeywardConfig,
    @Inject(REDIS) private readonly redis: RedisClient,
    private readonly projector: Projector,
  ) {}

  onModuleInit(): void {
    // on a Cluster: SUBSCRIBE on one node, which receives what PUBLISH on any node sends (docs/redis-cluster.md)
    this.subscriber = duplicateRedis(this.redis, { connectionName: 'keyward-projection-sub', maxRetriesPerRequest: null, enableOfflineQueue: true });
    this.subscriber.on('error', () => undefined);
    this.subscriber.on('message', (_channel, raw) => {
      try {
        const cp = JSON.parse(raw) as LogCheckpoint;
        if (!this.latest || hasReached(cp, this.latest)) this.latest = cp;
      } catch {
        return;
      }
      for (const wake of this.wakers) wake();
    });
    this.subscriber.subscribe(Channels.projectionCheckpoint(this.config.redisPrefix)).catch((err: Error) => {
      if (!this.closing) this.logger.warn(`checkpoint channel unavailable, polling only: ${err.message}`);
    });
  }

  onModuleDestroy(): void {
    this.closing = true;
    this.subscriber?.disconnect();
  }

  /** Throws a TimeoutError when the projector has not passed `target` within `timeoutMs`. */
  async waitFor(target: LogCheckpoint, timeoutMs = this.config.consistencyTimeoutMs): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let polledAt = 0;
    for (;;) {
      if (this.latest && hasReached(this.latest, target)) return;
      if (Date.now() - polledAt >= POLL_MS) {
        polledAt = Date.now();
        const current = await this.projector.checkpoint();
        if (!this.latest || hasReached(current, this.latest)) this.latest = current;
        if (hasReached(current, target)) return;
      }
      const left = deadline - Date.now();
      if (left <= 0) throw new ProjectionTimeoutError(target);
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          this.wakers.delete(done);
          resolve();
        };
        const timer = setTimeout(done, Math.min(POLL_MS, left));
        this.wakers.add(done);
      });
    }
  }
}

export class ProjectionTimeoutError extends Error {
  constructor(readonly target: LogCheckpoint) {
    super(`the projector has not reached position ${target.position} yet`);
  }
}
