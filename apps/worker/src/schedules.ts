import { InjectQueue } from '@nestjs/bullmq';
import { Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { Queue } from 'bullmq';
import { KEYWARD_CONFIG, KeywardConfig } from '@keyward/config';
import { CHECKPOINT_SCHEDULER, EXPIRY_SWEEP_SCHEDULER, JobName, KEEP_FAILED_JOBS, PROJECTION_TICK_SCHEDULER, QueueName, WEBHOOK_SWEEP_SCHEDULER } from '@keyward/queue';
import { TelemetrySchedule } from '@keyward/system';
// the log's partitions and its archive (a line of their own: the webhooks schedule edits the import above)
import { AUDIT_ARCHIVE_SCHEDULER, LOG_PARTITIONS_SCHEDULER } from '@keyward/queue';

/** How often the worker makes sure the log's next partitions exist (the append path also does, as a fallback). */
export const LOG_PARTITIONS_EVERY_MS = 60_000;
/** How often the archive schedule looks for whole partitions older than AUDIT_ARCHIVE_AFTER_DAYS. */
export const AUDIT_ARCHIVE_EVERY_MS = 3_600_000;

/** How often every webhook with events waiting and no retry pending is woken (lost wake-ups), and the delivery log trimmed. */
export const WEBHOOK_SWEEP_MS = 30_000;

/** Job schedulers: idempotent upserts, so every worker may declare them at start. */
@Injectable()
export class Schedules implements OnApplicationBootstrap {
  constructor(
    @InjectQueue(QueueName.Projections) private readonly projections: Queue,
    @InjectQueue(QueueName.Maintenance) private readonly maintenance: Queue,
    @InjectQueue(QueueName.Webhooks) private readonly webhooks: Queue,
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
    await this.webhooks.upsertJobScheduler(
      WEBHOOK_SWEEP_SCHEDULER,
      { every: WEBHOOK_SWEEP_MS },
      { name: JobName.SweepWebhooks, data: {}, opts: { removeOnComplete: true, removeOnFail: KEEP_FAILED_JOBS } },
    );
    await this.maintenance.upsertJobScheduler(
      LOG_PARTITIONS_SCHEDULER,
      { every: LOG_PARTITIONS_EVERY_MS },
      { name: JobName.EnsureLogPartitions, data: {}, opts: { removeOnComplete: true, removeOnFail: KEEP_FAILED_JOBS } },
    );
    // the archive: present exactly while AUDIT_ARCHIVE_AFTER_DAYS and AUDIT_ARCHIVE_DIR are set
    if (this.config.audit.archive) {
      await this.maintenance.upsertJobScheduler(
        AUDIT_ARCHIVE_SCHEDULER,
        { every: AUDIT_ARCHIVE_EVERY_MS, immediately: true },
        { name: JobName.ArchiveAudit, data: {}, opts: { removeOnComplete: true, removeOnFail: KEEP_FAILED_JOBS } },
      );
    } else {
      await this.maintenance.removeJobScheduler(AUDIT_ARCHIVE_SCHEDULER);
    }
    // heartbeats: present exactly while telemetry is on (the log decides)
    await this.telemetry.sync();
  }
}
