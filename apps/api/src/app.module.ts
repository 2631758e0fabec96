import { DynamicModule, Module } from '@nestjs/common';
import { AuditModule } from '@keyward/audit';
import { AuthModule } from '@keyward/auth';
import { ConfigModule, KeywardConfig } from '@keyward/config';
import { DatabaseModule } from '@keyward/database';
import { ProjectorModule } from '@keyward/event-store';
import { KeysModule, KeysReadModelProjection } from '@keyward/keys';
import { RedisModule } from '@keyward/queue';
import { UsageModule } from '@keyward/usage';
import { AuditController } from './audit/audit.controller';
import { HealthController } from './health/health.controller';
import { KeysController } from './keys/keys.controller';
import { MeController } from './me/me.controller';
import { UsersController } from './users/users.controller';

@Module({})
export class AppModule {
  static forRoot(config?: KeywardConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        DatabaseModule,
        RedisModule,
        UsageModule,
        AuthModule.forApi(),
        ProjectorModule.register([KeysReadModelProjection]),
        KeysModule.register('wait'),
        AuditModule,
      ],
      controllers: [MeController, UsersController, KeysController, AuditController, HealthController],
    };
  }
}
