import { DynamicModule, Module } from '@nestjs/common';
import { AuditModule } from '@keyward/audit';
import { ConfigModule, KeywardConfig } from '@keyward/config';
import { DatabaseModule } from '@keyward/database';
import { ProjectorModule } from '@keyward/event-store';
import { KeysReadModelProjection, KeysWorkerModule } from '@keyward/keys';
import { JOB_QUEUE, JobName, QueueModule, RedisModule } from '@keyward/queue';
import { MaintenanceProcessor } from './maintenance.processor';
import { ProjectionsProcessor } from './projections.processor';
import { Schedules } from './schedules';
import { UsageProcessor } from './usage.processor';

export const PROCESSORS = [ProjectionsProcessor, UsageProcessor, MaintenanceProcessor];

/** Fails the start when a job has no processor, or more than one. */
export function checkEveryJobHasOneHandler(): void {
  for (const job of Object.values(JobName)) {
    const handlers = PROCESSORS.filter((p) => p.handles.includes(job));
    if (handlers.length !== 1) {
      throw new Error(`job ${job} (queue ${JOB_QUEUE[job]}) has ${handlers.length} processors; it needs exactly one`);
    }
  }
}

@Module({})
export class WorkerModule {
  static forRoot(config?: KeywardConfig): DynamicModule {
    checkEveryJobHasOneHandler();
    return {
      module: WorkerModule,
      imports: [
        ConfigModule.forRoot(config),
        DatabaseModule,
        RedisModule,
        QueueModule,
        ProjectorModule.register([KeysReadModelProjection]),
        KeysWorkerModule,
        AuditModule,
      ],
      providers: [...PROCESSORS, Schedules],
    };
  }
}
