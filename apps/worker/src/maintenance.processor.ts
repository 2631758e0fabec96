import { Processor, WorkerHost } from '@nestjs/bullmq';
import { CommandBus } from '@nestjs/cqrs';
import { Job } from 'bullmq';
import { ArchiveAuditOnScheduleCommand, EnsureLogPartitionsCommand, SignCheckpointCommand } from '@keyward/audit';
import { ExpireKeysCommand } from '@keyward/keys';
import { JobName, QueueName } from '@keyward/queue';

/** Scheduled housekeeping: the expiry sweep, the signing of audit checkpoints, the log's partitions and its archive. */
@Processor(QueueName.Maintenance, { concurrency: 1 })
export class MaintenanceProcessor extends WorkerHost {
  static readonly handles = [JobName.ExpireKeys, JobName.SignCheckpoint, JobName.EnsureLogPartitions, JobName.ArchiveAudit];

  constructor(private readonly commands: CommandBus) {
    super();
  }

  async process(job: Job): Promise<unknown> {
    switch (job.name) {
      case JobName.ExpireKeys:
        return this.commands.execute(new ExpireKeysCommand());
      case JobName.SignCheckpoint:
        return this.commands.execute(new SignCheckpointCommand());
      case JobName.EnsureLogPartitions:
        return this.commands.execute(new EnsureLogPartitionsCommand());
      case JobName.ArchiveAudit:
        return this.commands.execute(new ArchiveAuditOnScheduleCommand());
      default:
        throw new Error(`no handler for job ${job.name} on ${QueueName.Maintenance}`);
    }
  }
}
