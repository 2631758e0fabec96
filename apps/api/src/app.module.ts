import { DynamicModule, Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { AuditModule } from '@keyward/audit';
import { AuthModule } from '@keyward/auth';
import { ConfigModule, KeywardConfig, loadConfig } from '@keyward/config';
import { DatabaseModule } from '@keyward/database';
import { ProjectorModule } from '@keyward/event-store';
import { KeysModule, KeysReadModelProjection } from '@keyward/keys';
import { MetricsModule, loggingModule } from '@keyward/observability';
import { RedisModule } from '@keyward/queue';
import { SystemModule, SystemReadModelProjection } from '@keyward/system';
import { UsageModule, UsageSeriesProjection } from '@keyward/usage';
import { WebhooksModule, WebhooksProjection } from '@keyward/webhooks';
import { AuditController } from './audit/audit.controller';
import { HealthController } from './health/health.controller';
import { KeysController } from './keys/keys.controller';
import { MeController } from './me/me.controller';
import { MetricsController } from './ops/metrics.controller';
import { queueDashboard } from './ops/queue-dashboard';
import { SharedSecretController } from './system/shared-secret.controller';
import { SystemController } from './system/system.controller';
import { DashboardSessionController } from './system/dashboard-session.controller';
import { DashboardSessions } from './ops/dashboard-sessions';
import { UsersController } from './users/users.controller';
import { PermissionsController } from './catalog/permissions.controller';
import { RolesController } from './catalog/roles.controller';
import { VerifiersController } from './verifiers/verifiers.controller';
import { VerifierStreams } from './verifiers/verifier-streams';
import { UsageSeriesController } from './usage/usage-series.controller';
import { UsageController } from './usage/usage.controller';
import { WebhooksController } from './webhooks/webhooks.controller';

@Module({})
export class AppModule {
  static forRoot(given?: KeywardConfig): DynamicModule {
    const config = given ?? loadConfig();
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        loggingModule(config, 'api'),
        TerminusModule,
        DatabaseModule,
        RedisModule,
        UsageModule,
        AuthModule.forApi(),
        ProjectorModule.register([KeysReadModelProjection, SystemReadModelProjection, UsageSeriesProjection, WebhooksProjection]),
        KeysModule.register('wait'),
        SystemModule.register('wait'),
        WebhooksModule.register('wait'),
        AuditModule,
        MetricsModule,
        ...queueDashboard(),
      ],
      controllers: [MeController, UsersController, KeysController, PermissionsController, RolesController, AuditController, HealthController, MetricsController, SharedSecretController, SystemController, DashboardSessionController, VerifiersController, UsageController, UsageSeriesController, WebhooksController],
      providers: [DashboardSessions, VerifierStreams],
    };
  }
}
