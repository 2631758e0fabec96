import { Processor, WorkerHost } from '@nestjs/bullmq';
import { CommandBus } from '@nestjs/cqrs';
import { Job, UnrecoverableError } from 'bullmq';
import { JobName, JobPayloads, QueueName } from '@keyward/queue';
import { HeartbeatResult, SendHeartbeatCommand } from '@keyward/system';

/**
 * Scheduled heartbeats (telemetry on). The command decides and records; a failed attempt is
 * thrown back so BullMQ retries it with exponential backoff (TELEMETRY_RETRY_*), and the last
 * one, or one retrying cannot help (key refused), ends the job as failed.
 */
@Processor(QueueName.Telemetry, { concurrency: 1 })
export class TelemetryProcessor extends WorkerHost {
  static readonly handles = [JobName.SendHeartbeat];

  constructor(private readonly commands: CommandBus) {
    super();
  }

  async process(job: Job<JobPayloads[JobName.SendHeartbeat]>): Promise<HeartbeatResult> {
    if (job.name !== JobName.SendHeartbeat) throw new Error(`no handler for job ${job.name} on ${QueueName.Telemetry}`);
    const result = await this.commands.execute(
      new SendHeartbeatCommand({
        trigger: 'scheduled',
        heartbeatId: job.id!,
        attempt: job.attemptsMade + 1,
        maxAttempts: job.opts.attempts ?? 1,
      }),
    );
    if (result.outcome === 'failed') {
      const message = `heartbeat ${result.failure}: ${result.reason}`;
      throw result.final ? new UnrecoverableError(message) : new Error(message);
    }
    return result;
  }
}
