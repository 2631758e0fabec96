import { InjectQueue } from '@nestjs/bullmq';
import { Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { Queue } from 'bullmq';
import { KEYWARD_CONFIG, KeywardConfig } from '@keyward/config';
import { JobName, PROJECTION_TICK_SCHEDULER, QueueName } from '@keyward/queue';

/** Job schedulers: idempotent upserts, so every worker may declare them at start. */
@Injectable()
export class Schedules implements OnApplicationBootstrap {
  constructor(
    @InjectQueue(QueueName.Projections) private readonly projections: Queue,
    @Inject(KEYWARD_CONFIG) private readonly config: KeywardConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.projections.upsertJobScheduler(
      PROJECTION_TICK_SCHEDULER,
      { every: this.config.projection.tickMs },
      { name: JobName.Project, data: { reason: 'tick' }, opts: { removeOnComplete: true, removeOnFail: 100 } },
    );
  }
}
