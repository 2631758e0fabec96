import { DynamicModule, Module } from '@nestjs/common';
import { AuditModule } from '@keyward/audit';
import { AuthModule } from '@keyward/auth';
import { ConfigModule, KeywardConfig } from '@keyward/config';
import { DatabaseModule } from '@keyward/database';
import { EventStoreModule, ProjectorModule } from '@keyward/event-store';
import { KeysModule, KeysReadModelProjection } from '@keyward/keys';
import { RedisModule } from '@keyward/queue';
import { SystemModule, SystemReadModelProjection } from '@keyward/system';
import { UsageSeriesProjection } from '@keyward/usage';
import { WebhooksProjection } from '@keyward/webhooks';

/** The operator's view: the database directly, the log applied inline; API caches confirmed through Postgres like any write. */
@Module({})
export class CliModule {
  static forRoot(config: KeywardConfig): DynamicModule {
    return {
      module: CliModule,
      imports: [
        ConfigModule.forRoot(config),
        DatabaseModule,
        RedisModule,
        EventStoreModule,
        AuthModule.forInvalidation(),
        ProjectorModule.register([KeysReadModelProjection, SystemReadModelProjection, UsageSeriesProjection, WebhooksProjection]),
        KeysModule.register('inline'),
        AuditModule,
        SystemModule.register('inline'),
      ],
    };
  }
}
