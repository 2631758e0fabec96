import { Controller, Get, Header, Inject, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AuthPipeline, Public, setAuthOutcome } from '@keyward/auth';
import { Problem } from '@keyward/common';
import { KEYWARD_CONFIG, KeywardConfig } from '@keyward/config';
import { Metrics } from '@keyward/observability';
import { InstallationOperator } from '@keyward/system';

/**
 * Prometheus exposition. Public by default; METRICS_PUBLIC=false requires an admin.system.api key
 * of the operator company, through the same AuthPipeline as every keyed route (failure throttle,
 * AuthenticationFailed, rate limit).
 */
@ApiExcludeController()
@Public()
@Controller('metrics')
export class MetricsController {
  constructor(
    private readonly metrics: Metrics,
    private readonly pipeline: AuthPipeline,
    private readonly operator: InstallationOperator,
    @Inject(KEYWARD_CONFIG) private readonly config: KeywardConfig,
  ) {}

  @Get()
  @Header('Cache-Control', 'no-store')
  async scrape(@Req() req: FastifyRequest, @Res({ passthrough: true }) res: FastifyReply): Promise<string> {
    if (!this.config.metricsPublic) await this.requireAdmin(req, res);
    res.type(this.metrics.registry.contentType);
    return this.metrics.registry.metrics();
  }

  private async requireAdmin(req: FastifyRequest, res: FastifyReply): Promise<void> {
    const principal = await this.pipeline.admit(req.raw, res.raw, ['admin.system.api']);
    // installation-wide figures: the operator company only
    await this.operator.assert(principal).catch((err: unknown) => {
      if (err instanceof Problem) setAuthOutcome(req.raw, 'NOT_INSTALLATION_OPERATOR');
      throw err;
    });
  }
}
