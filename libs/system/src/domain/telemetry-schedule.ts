import { InjectQueue } from '@nestjs/bullmq';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { Queue } from 'bullmq';
import { Problem } from '@keyward/common';
import { KEYWARD_CONFIG, KeywardConfig } from '@keyward/config';
import { EventStore } from '@keyward/event-store';
import { JobName, JobPayloads, KEEP_FAILED_JOBS, QueueName, TELEMETRY_HEARTBEAT_SCHEDULER } from '@keyward/queue';
import { systemStreams } from '../events/system-events';
import { foldInstallation } from './system.state';

/** BullMQ waits for Redis indefinitely: a scheduler update gives up after this long. */
const REDIS_TIMEOUT_MS = 5_000;

/**
 * Keeps the heartbeat job scheduler in step with the log: present (every TELEMETRY_INTERVAL_MS,
 * first run at once) exactly while telemetry is on. Called after every telemetry change and by
 * each worker at start. Whoever applies a state reads the stream again afterwards and applies
 * the newer state if it moved meanwhile, so racing callers converge on the latest one; each
 * heartbeat also checks the switch itself before it sends anything.
 */
@Injectable()
export class TelemetrySchedule {
  private readonly logger = new Logger(TelemetrySchedule.name);

  constructor(
    @InjectQueue(QueueName.Telemetry) private readonly queue: Queue,
    private readonly store: EventStore,
    @Inject(KEYWARD_CONFIG) private readonly config: KeywardConfig,
  ) {}

  /**
   * Returns whether the scheduler is now present. 503 SCHEDULER_UNAVAILABLE when Redis does not
   * answer: the switch is recorded in the log; the same request again (or a worker start) completes it.
   */
  async sync(): Promise<boolean> {
    let state = foldInstallation(await this.store.readStream(systemStreams.installation));
    for (let round = 0; ; round++) {
      await bounded<unknown>(state.telemetryEnabled ? this.schedule() : this.queue.removeJobScheduler(TELEMETRY_HEARTBEAT_SCHEDULER));
      const again = foldInstallation(await this.store.readStream(systemStreams.installation));
      if (again.version === state.version) return state.telemetryEnabled;
      if (round >= 10) {
        this.logger.warn('telemetry switch keeps changing; the next change or worker start settles the scheduler');
        return again.telemetryEnabled;
      }
      state = again;
    }
  }

  private async schedule(): Promise<void> {
    const data: JobPayloads[JobName.SendHeartbeat] = {};
    await this.queue.upsertJobScheduler(
      TELEMETRY_HEARTBEAT_SCHEDULER,
      { every: this.config.telemetryIntervalMs },
      {
        name: JobName.SendHeartbeat,
        data,
        opts: {
          attempts: this.config.telemetryRetry.attempts,
          backoff: { type: 'exponential', delay: this.config.telemetryRetry.delayMs },
          removeOnComplete: true,
          removeOnFail: KEEP_FAILED_JOBS,
        },
      },
    );
  }
}

async function bounded<T>(work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new Problem(
            503,
            'SCHEDULER_UNAVAILABLE',
            `Redis did not answer within ${REDIS_TIMEOUT_MS} ms, so the heartbeat schedule was not updated; the telemetry ` +
              'switch itself is recorded: send the same request again once Redis is back (a worker start also catches up)',
            undefined,
            { 'Retry-After': '5' },
          ),
        ),
      REDIS_TIMEOUT_MS,
    );
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
