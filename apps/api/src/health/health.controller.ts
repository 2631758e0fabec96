import { Controller, Get, Inject, ServiceUnavailableException } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { HealthCheckService, HealthIndicatorResult, HealthIndicatorService, TypeOrmHealthIndicator } from '@nestjs/terminus';
import Redis from 'ioredis';
import { Public } from '@keyward/auth';
import { Problem } from '@keyward/common';
import { KEYWARD_CONFIG, KeywardConfig } from '@keyward/config';
import { Metrics } from '@keyward/observability';
import { REDIS } from '@keyward/queue';

@ApiTags('health')
@Public()
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly db: TypeOrmHealthIndicator,
    private readonly metrics: Metrics,
    @Inject(REDIS) private readonly redis: Redis,
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
      const result = await this.health.check([
        () => this.db.pingCheck('postgres', { timeout: 2000 }),
        () => this.redisCheck(),
        () => this.projectionCheck(),
      ]);
      return { status: 'ok', checks: result.details };
    } catch (err) {
      if (!(err instanceof ServiceUnavailableException)) throw err;
      const details = (err.getResponse() as { details?: Record<string, { status: string; message?: string }> }).details ?? {};
      const failing = Object.entries(details).filter(([, d]) => d.status !== 'up');
      throw new Problem(
        503,
        'NOT_READY',
        `not ready: ${failing.map(([name]) => name).join(', ')}`,
        failing.map(([field, d]) => ({ field, message: d.message ?? 'down' })),
        { 'Retry-After': '5' },
      );
    }
  }

  private async redisCheck(): Promise<HealthIndicatorResult> {
    const check = this.indicators.check('redis');
    try {
      await withTimeout(this.redis.ping(), 2000);
      return check.up();
    } catch (err) {
      return check.down({ message: (err as Error).message });
    }
  }

  private async projectionCheck(): Promise<HealthIndicatorResult> {
    const check = this.indicators.check('projection');
    try {
      const lag = await withTimeout(this.metrics.projectionLag(), 2000);
      const max = this.config.projectionLagMaxSeconds;
      return lag.seconds <= max
        ? check.up({ lagEvents: lag.events, lagSeconds: Math.round(lag.seconds) })
        : check.down({ message: `lagging ${Math.round(lag.seconds)} s behind (bound ${max} s)`, lagEvents: lag.events });
    } catch (err) {
      return check.down({ message: (err as Error).message });
    }
  }
}

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  return Promise.race([work, new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms).unref())]);
}
