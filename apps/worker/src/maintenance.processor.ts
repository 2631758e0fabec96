import { Processor, WorkerHost } from '@nestjs/bullmq';
import { CommandBus } from '@nestjs/cqrs';
import { Job } from 'bullmq';
import { ExpireKeysCommand } from '@keyward/keys';
import { JobName, QueueName } from '@keyward/queue';

/** Scheduled housekeeping: the expiry sweep. */
@Processor(QueueName.Maintenance, { concurrency: 1 })
export class MaintenanceProcessor extends WorkerHost {
  static readonly handles = [JobName.ExpireKeys];

  constructor(private readonly commands: CommandBus) {
    super();
  }

  async process(job: Job): Promise<{ expired: number }> {
    if (job.name !== JobName.ExpireKeys) throw new Error(`no handler for job ${job.name} on ${QueueName.Maintenance}`);
    return this.commands.execute(new ExpireKeysCommand());
  }
}
