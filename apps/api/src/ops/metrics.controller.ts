import { Controller, Get, Header, Inject, Req } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request } from 'express';
import { KeyLookupService, Public, presentedKey } from '@keyward/auth';
import { Problem } from '@keyward/common';
import { KEYWARD_CONFIG, KeywardConfig } from '@keyward/config';
import { Metrics } from '@keyward/observability';
import { InstallationOperator } from '@keyward/system';

/** Prometheus exposition. Public by default; METRICS_PUBLIC=false requires an admin.system.api key of the operator company. */
@ApiExcludeController()
@Public()
@Controller('metrics')
export class MetricsController {
  constructor(
    private readonly metrics: Metrics,
    private readonly lookup: KeyLookupService,
    private readonly operator: InstallationOperator,
    @Inject(KEYWARD_CONFIG) private readonly config: KeywardConfig,
  ) {}

  @Get()
  @Header('Cache-Control', 'no-store')
  async scrape(@Req() req: Request): Promise<string> {
    if (!this.config.metricsPublic) await this.requireAdmin(req);
    req.res?.type(this.metrics.registry.contentType);
    return this.metrics.registry.metrics();
  }

  private async requireAdmin(req: Request): Promise<void> {
    const presented = presentedKey(req);
    if (presented.kind === 'ambiguous') throw new Problem(401, 'AMBIGUOUS_API_KEY', presented.detail, undefined, { 'WWW-Authenticate': 'Bearer' });
    const verdict = await this.lookup.evaluate(presented.kind === 'key' ? presented.key : undefined, req.ip);
    if (!verdict.ok) throw new Problem(401, 'INVALID_API_KEY', 'the key is not valid', undefined, { 'WWW-Authenticate': 'Bearer' });
    if (!verdict.principal.permissions.includes('admin.system.api')) {
      throw new Problem(403, 'INSUFFICIENT_PERMISSIONS', 'this key lacks the permission admin.system.api');
    }
    await this.operator.assert(verdict.principal); // installation-wide figures: the operator company only
  }
}
