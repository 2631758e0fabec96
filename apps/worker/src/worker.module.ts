import { DynamicModule, Module } from '@nestjs/common';
import { ConfigModule, KeywardConfig } from '@keyward/config';
import { DatabaseModule } from '@keyward/database';
import { ProjectorModule } from '@keyward/event-store';
import { KeysReadModelProjection } from '@keyward/keys';
import { JOB_QUEUE, JobName, QueueModule, RedisModule } from '@keyward/queue';
import { ProjectionsProcessor } from './projections.processor';
import { Schedules } from './schedules';

export const PROCESSORS = [ProjectionsProcessor];

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
      ],
      providers: [...PROCESSORS, Schedules],
    };
  }
}
