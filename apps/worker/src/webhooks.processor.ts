import { Processor, WorkerHost } from '@nestjs/bullmq';
import { CommandBus } from '@nestjs/cqrs';
import { DelayedError, Job } from 'bullmq';
import { JobName, JobPayloads, QueueName } from '@keyward/queue';
import { DeliverWebhookCommand, DeliveryRun, SweepResult, SweepWebhooksCommand } from '@keyward/webhooks';

/**
 * Webhook deliveries. A run that ended on a failed attempt puts its job back as delayed until the
 * retry is due (not a failed job: a receiver that is away is not a fault of the worker, and its
 * job keeps the webhook's deduplication id, so the retry stays the only run of that webhook).
 */
@Processor(QueueName.Webhooks, { concurrency: 8 })
export class WebhooksProcessor extends WorkerHost {
  static readonly handles = [JobName.DeliverWebhook, JobName.SweepWebhooks];

  constructor(private readonly commands: CommandBus) {
    super();
  }

  async process(job: Job, token?: string): Promise<DeliveryRun | SweepResult> {
    switch (job.name) {
      case JobName.DeliverWebhook: {
        const run = await this.commands.execute(new DeliverWebhookCommand((job.data as JobPayloads[JobName.DeliverWebhook]).webhookId));
        if (run.retryAt) {
          await job.moveToDelayed(run.retryAt.getTime(), token);
          throw new DelayedError();
        }
        return run;
      }
      case JobName.SweepWebhooks:
        return this.commands.execute(new SweepWebhooksCommand());
      default:
        throw new Error(`no handler for job ${job.name} on ${QueueName.Webhooks}`);
    }
  }
}
