import { Controller, Get, Inject, Logger, ServiceUnavailableException } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { HealthCheckService, HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import { Public } from '@keyward/auth';
import { Problem } from '@keyward/common';
import { KEYWARD_CONFIG, KeywardConfig } from '@keyward/config';
import { Metrics } from '@keyward/observability';
import { REDIS, RedisClient } from '@keyward/queue';
import { DataSource } from 'typeorm';

@ApiTags('health')
@Public()
@Controller('health')
export class HealthController {
  private readonly logger = new Logger(HealthController.name);

  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly dataSource: DataSource,
    private readonly metrics: Metrics,
    @Inject(REDIS) private readonly redis: RedisClient,
    @Inject(KEYWARD_CONFIG) private readonly config: KeywardConfig,
  ) {}

  @Get('live')
  @ApiOperation({ summary: 'The process answers' })
  live() {
    return { status: 'ok' };
  }

  @Get('ready')
  @ApiOperation({ summary: 'Postgres and Redis answer, and the projector is within PROJECTION_LAG_MAX_SECONDS' })
  @ApiOkResponse({ description: '{ status: "ok", checks }' })
  @ApiServiceUnavailableResponse({ description: 'problem+json NOT_READY naming each failing check' })
  async ready() {
    try {
      const result = await this.health.check([() => this.postgresCheck(), () => this.redisCheck(), () => this.projectionCheck()]);
      return { status: 'ok', checks: result.details };
    } catch (err) {
      if (!(err instanceof ServiceUnavailableException)) throw err;
      const details = (err.getResponse() as { details?: Record<string, { status: string; message?: string }> }).details ?? {};
      const failing = Object.entries(details).filter(([, d]) => d.status !== 'up');
      // every message here is written by this controller (never a driver's text): see failure()
      throw new Problem(
        503,
        'NOT_READY',
        `not ready: ${failing.map(([name]) => name).join(', ')}`,
        failing.map(([field, d]) => ({ field, message: d.message ?? 'unavailable' })),
        { 'Retry-After': '5' },
      );
    }
  }

  private async postgresCheck(): Promise<HealthIndicatorResult> {
    try {
      await withTimeout(this.dataSource.query('SELECT 1'), CHECK_TIMEOUT_MS);
      return this.indicators.check('postgres').up();
    } catch (err) {
      return this.failure('postgres', err);
    }
  }

  private async redisCheck(): Promise<HealthIndicatorResult> {
    try {
      await withTimeout(this.redis.ping(), CHECK_TIMEOUT_MS);
      return this.indicators.check('redis').up();
    } catch (err) {
      return this.failure('redis', err);
    }
  }

  private async projectionCheck(): Promise<HealthIndicatorResult> {
    const check = this.indicators.check('projection');
    try {
      const lag = await withTimeout(this.metrics.projectionLag(), CHECK_TIMEOUT_MS);
      const max = this.config.projectionLagMaxSeconds;
      return lag.seconds <= max
        ? check.up({ lagEvents: lag.events, lagSeconds: Math.round(lag.seconds) })
        : check.down({ message: `lagging ${Math.round(lag.seconds)} s behind (bound ${max} s)`, lagEvents: lag.events });
    } catch (err) {
      return this.failure('projection', err); // the lag is read from Postgres
    }
  }

  /**
   * A failed check as the public answer shows it: the check's name and a fixed reason. The
   * driver's own text (addresses, user names, server versions) goes to the log only.
   */
  private failure(name: 'postgres' | 'redis' | 'projection', cause: unknown): HealthIndicatorResult {
    const timedOut = cause instanceof CheckTimeout;
    if (!timedOut) this.logger.warn(`readiness check ${name} failed: ${cause instanceof Error ? cause.message : String(cause ?? 'down')}`);
    return this.indicators.check(name).down({ message: timedOut ? `no answer within ${CHECK_TIMEOUT_MS} ms` : 'unavailable' });
  }
}

const CHECK_TIMEOUT_MS = 2000;

class CheckTimeout extends Error {}

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  return Promise.race([work, new Promise<T>((_, reject) => setTimeout(() => reject(new CheckTimeout(`no answer within ${ms} ms`)), ms).unref())]);
}
