import { Controller, Get, HttpException, Inject } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import Redis from 'ioredis';
import { DataSource } from 'typeorm';
import { Public } from '@keyward/auth';
import { REDIS } from '@keyward/queue';

@ApiTags('health')
@Public()
@Controller('health')
export class HealthController {
  constructor(
    private readonly dataSource: DataSource,
    @Inject(REDIS) private readonly redis: Redis,
  ) {}

  @Get('live')
  live() {
    return { status: 'ok' };
  }

  @Get('ready')
  async ready() {
    const checks = await Promise.all([
      this.dataSource.query('SELECT 1').then(() => ['postgres', 'up'], () => ['postgres', 'down']),
      this.redis.ping().then(() => ['redis', 'up'], () => ['redis', 'down']),
    ]);
    const failing = checks.filter(([, s]) => s === 'down').map(([n]) => n);
    const body = { status: failing.length ? 'error' : 'ok', checks: Object.fromEntries(checks) };
    if (failing.length) {
      throw new HttpException({ code: 'NOT_READY', detail: `not ready: ${failing.join(', ')} down` }, 503);
    }
    return body;
  }
}
