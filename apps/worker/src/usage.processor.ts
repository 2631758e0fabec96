import { Processor, WorkerHost } from '@nestjs/bullmq';
import { CommandBus } from '@nestjs/cqrs';
import { Job } from 'bullmq';
import { RecordUsageCommand } from '@keyward/keys';
import { JobName, JobPayloads, QueueName } from '@keyward/queue';

/** Usage batches from the API instances, appended to the log. */
@Processor(QueueName.Usage, { concurrency: 2 })
export class UsageProcessor extends WorkerHost {
  static readonly handles = [JobName.RecordUsage];

  constructor(private readonly commands: CommandBus) {
    super();
  }

  async process(job: Job<JobPayloads[JobName.RecordUsage]>): Promise<{ appended: number }> {
    if (job.name !== JobName.RecordUsage) throw new Error(`no handler for job ${job.name} on ${QueueName.Usage}`);
    return this.commands.execute(new RecordUsageCommand(job.data.records));
  }
}
