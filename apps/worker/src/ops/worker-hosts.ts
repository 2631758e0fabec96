import { WorkerHost } from '@nestjs/bullmq';
import { Inject, Injectable, OnApplicationBootstrap, Provider, Type } from '@nestjs/common';
import { WorkerMetrics } from '@keyward/observability';

/** Every processor of this worker (one BullMQ Worker each). */
export const WORKER_HOSTS = Symbol('WORKER_HOSTS');

export function workerHostsProvider(processors: Type<WorkerHost>[]): Provider {
  return { provide: WORKER_HOSTS, inject: processors, useFactory: (...hosts: WorkerHost[]) => hosts };
}

/** Counts and times every processor's jobs (their BullMQ Workers exist once modules are initialised). */
@Injectable()
export class JobMetricsWatcher implements OnApplicationBootstrap {
  constructor(
    @Inject(WORKER_HOSTS) private readonly hosts: WorkerHost[],
    private readonly metrics: WorkerMetrics,
  ) {}

  onApplicationBootstrap(): void {
    for (const host of this.hosts) this.metrics.watch(host.worker);
  }
}
