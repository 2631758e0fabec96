import { InjectQueue } from '@nestjs/bullmq';
import { Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { Queue } from 'bullmq';
import { KEYWARD_CONFIG, KeywardConfig } from '@keyward/config';
import { CHECKPOINT_SCHEDULER, EXPIRY_SWEEP_SCHEDULER, JobName, KEEP_FAILED_JOBS, PROJECTION_TICK_SCHEDULER, QueueName } from '@keyward/queue';
import { TelemetrySchedule } from '@keyward/system';

/** Job schedulers: idempotent upserts, so every worker may declare them at start. */
@Injectable()
export class Schedules implements OnApplicationBootstrap {
  constructor(
    @InjectQueue(QueueName.Projections) private readonly projections: Queue,
    @InjectQueue(QueueName.Maintenance) private readonly maintenance: Queue,
    @Inject(KEYWARD_CONFIG) private readonly config: KeywardConfig,
    private readonly telemetry: TelemetrySchedule,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.projections.upsertJobScheduler(
      PROJECTION_TICK_SCHEDULER,
      { every: this.config.projection.tickMs },
      { name: JobName.Project, data: { reason: 'tick' }, opts: { removeOnComplete: true, removeOnFail: KEEP_FAILED_JOBS } },
    );
    await this.maintenance.upsertJobScheduler(
      EXPIRY_SWEEP_SCHEDULER,
      { every: this.config.expirySweepMs },
      { name: JobName.ExpireKeys, data: {}, opts: { removeOnComplete: true, removeOnFail: KEEP_FAILED_JOBS } },
    );
    await this.maintenance.upsertJobScheduler(
      CHECKPOINT_SCHEDULER,
      { every: this.config.audit.checkpointMs },
      { name: JobName.SignCheckpoint, data: {}, opts: { removeOnComplete: true, removeOnFail: KEEP_FAILED_JOBS } },
    );
    // heartbeats: present exactly while telemetry is on (the log decides)
    await this.telemetry.sync();
  }
}
