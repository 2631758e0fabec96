import { WorkerHost } from '@nestjs/bullmq';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { REDIS, RedisClient } from '@keyward/queue';
import { DataSource } from 'typeorm';
import { WORKER_HOSTS } from './worker-hosts';

export type ReadinessCheck = { status: 'up' } | { status: 'down'; message: string };

export interface Readiness {
  ready: boolean;
  checks: { postgres: ReadinessCheck; redis: ReadinessCheck; workers: ReadinessCheck };
}

export const CHECK_TIMEOUT_MS = 2000;

/** The worker is ready when Postgres and Redis answer and every processor's BullMQ Worker runs. */
@Injectable()
export class WorkerReadiness {
  private readonly logger = new Logger(WorkerReadiness.name);
  private stopping = false;

  constructor(
    private readonly dataSource: DataSource,
    @Inject(REDIS) private readonly redis: RedisClient,
    @Inject(WORKER_HOSTS) private readonly hosts: WorkerHost[],
  ) {}

  /** From now on the workers count as stopped (the process is shutting down). */
  stop(): void {
    this.stopping = true;
  }

  async check(): Promise<Readiness> {
    const [postgres, redis] = await Promise.all([
      this.probe('postgres', () => this.dataSource.query('SELECT 1')),
      this.probe('redis', () => this.redis.ping()),
    ]);
    const checks = { postgres, redis, workers: this.workersCheck() };
    return { ready: Object.values(checks).every((c) => c.status === 'up'), checks };
  }

  private workersCheck(): ReadinessCheck {
    if (this.stopping) return { status: 'down', message: 'shutting down' };
    const stopped = this.hosts.map((h) => h.worker).filter((w) => !w.isRunning());
    return stopped.length === 0 ? { status: 'up' } : { status: 'down', message: `not running: ${stopped.map((w) => w.name).join(', ')}` };
  }

  /**
   * One check, bounded in time. Its answer names a fixed reason: the driver's own text
   * (addresses, user names, server versions) goes to the log only.
   */
  private async probe(name: string, work: () => Promise<unknown>): Promise<ReadinessCheck> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), CHECK_TIMEOUT_MS).unref()));
    try {
      const answer = await Promise.race([work(), timeout]);
      return answer === 'timeout' ? { status: 'down', message: `no answer within ${CHECK_TIMEOUT_MS} ms` } : { status: 'up' };
    } catch (err) {
      this.logger.warn(`readiness check ${name} failed: ${err instanceof Error ? err.message : String(err)}`);
      return { status: 'down', message: 'unavailable' };
    } finally {
      clearTimeout(timer);
    }
  }
}
