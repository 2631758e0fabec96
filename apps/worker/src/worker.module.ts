import { DynamicModule, Module } from '@nestjs/common';
import { AuditModule } from '@keyward/audit';
import { ConfigModule, KeywardConfig, loadConfig } from '@keyward/config';
import { DatabaseModule } from '@keyward/database';
import { ProjectorModule } from '@keyward/event-store';
import { KeysReadModelProjection, KeysWorkerModule } from '@keyward/keys';
import { EventCounterModule, WorkerMetricsModule, loggingModule } from '@keyward/observability';
import { JOB_QUEUE, JobName, QueueModule, RedisModule } from '@keyward/queue';
import { SystemReadModelProjection, SystemWorkerModule } from '@keyward/system';
import { UsageSeriesProjection } from '@keyward/usage';
import { WebhooksProjection, WebhooksWorkerModule } from '@keyward/webhooks';
import { MaintenanceProcessor } from './maintenance.processor';
import { JobMetricsWatcher, workerHostsProvider } from './ops/worker-hosts';
import { WorkerHttpServer } from './ops/worker-http-server';
import { WorkerReadiness } from './ops/worker-readiness';
import { ProjectionsProcessor } from './projections.processor';
import { Schedules } from './schedules';
import { TelemetryProcessor } from './telemetry.processor';
import { UsageProcessor } from './usage.processor';
import { WebhooksProcessor } from './webhooks.processor';

export const PROCESSORS = [ProjectionsProcessor, UsageProcessor, MaintenanceProcessor, TelemetryProcessor, WebhooksProcessor];

/** Fails the start when a job has no processor, or more than one. */
export function checkEveryJobHasOneHandler(): void {
  for (const job of Object.values(JobName)) {
    const handlers = PROCESSORS.filter((p) => p.handles.includes(job));
    if (handlers.length !== 1) {
      throw new Error(`job ${job} (queue ${JOB_QUEUE[job]}) has ${handlers.length} processors; it needs exactly one`);
    }
  }
}

export interface WorkerOptions {
  /** Serve /health/live, /health/ready and /metrics on WORKER_HTTP_PORT (the worker process; not tests that run it in-process). */
  serveHttp?: boolean;
}

@Module({})
export class WorkerModule {
  static forRoot(given?: KeywardConfig, options: WorkerOptions = {}): DynamicModule {
    const config = given ?? loadConfig();
    checkEveryJobHasOneHandler();
    return {
      module: WorkerModule,
      imports: [
        ConfigModule.forRoot(config),
        loggingModule(config, 'worker'),
        DatabaseModule,
        RedisModule,
        QueueModule,
        ProjectorModule.register([KeysReadModelProjection, SystemReadModelProjection, UsageSeriesProjection, WebhooksProjection]),
        KeysWorkerModule,
        SystemWorkerModule,
        WebhooksWorkerModule,
        AuditModule,
        EventCounterModule,
        WorkerMetricsModule,
      ],
      providers: [
        ...PROCESSORS,
        Schedules,
        workerHostsProvider(PROCESSORS),
        JobMetricsWatcher,
        WorkerReadiness,
        ...(options.serveHttp ? [WorkerHttpServer] : []),
      ],
    };
  }
}
