import { Processor, WorkerHost } from '@nestjs/bullmq';
import { Job } from 'bullmq';
import { ProjectionRun, Projector } from '@keyward/event-store';
import { JobName, JobPayloads, QueueName } from '@keyward/queue';

/** Wake-ups and ticks of the projector; the projector decides everything. */
@Processor(QueueName.Projections, { concurrency: 1 })
export class ProjectionsProcessor extends WorkerHost {
  static readonly handles = [JobName.Project];

  constructor(private readonly projector: Projector) {
    super();
  }

  async process(job: Job<JobPayloads[JobName.Project]>): Promise<ProjectionRun> {
    if (job.name !== JobName.Project) throw new Error(`no handler for job ${job.name} on ${QueueName.Projections}`);
    return this.projector.catchUp();
  }
}
