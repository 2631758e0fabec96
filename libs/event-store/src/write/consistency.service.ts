import { Inject, Injectable } from '@nestjs/common';
import { Problem } from '@keyward/common';
import { KEYWARD_CONFIG, KeywardConfig } from '@keyward/config';
import { QueueProducer } from '@keyward/queue';
import { hasReached } from '../checkpoint';
import { AppendResult } from '../event.types';
import { ProjectionTimeoutError, ProjectionWaiter } from '../projection-waiter';
import { Projector } from '../projector';

/**
 * 'wait': the API wakes the worker and waits for its checkpoint.
 * 'inline': the command line applies the log itself (under the projector's lock),
 * so it works before any worker runs, e.g. at the first start.
 */
export const PROJECTION_MODE = Symbol('PROJECTION_MODE');
export type ProjectionMode = 'wait' | 'inline';

/**
 * A domain's own last step before a write answers, once its events are what readers see — e.g.
 * libs/keys: when the events take rights away, no API instance may still serve the key from its
 * cache. Registered by the domain module (writeKernelProviders), so this lib knows no domain.
 */
export interface SettleParticipant {
  afterSettle(result: AppendResult): Promise<void>;
}
export const SETTLE_PARTICIPANTS = Symbol('SETTLE_PARTICIPANTS');

/**
 * What a write waits for before it answers.
 *
 * Events applied to their read model in the appending transaction (an inline projection) need no
 * worker: a write of only those waits for nothing but its domain's participants. Other events
 * wait for the projector's checkpoint.
 */
@Injectable()
export class ConsistencyService {
  constructor(
    private readonly producer: QueueProducer,
    private readonly waiter: ProjectionWaiter,
    private readonly projector: Projector,
    @Inject(PROJECTION_MODE) private readonly mode: ProjectionMode,
    @Inject(KEYWARD_CONFIG) private readonly config: KeywardConfig,
    @Inject(SETTLE_PARTICIPANTS) private readonly participants: SettleParticipant[],
  ) {}

  async settle(result: AppendResult): Promise<void> {
    if (result.appliedInline) {
      // the projector still moves its checkpoint past these events (and the worker's other read
      // models may care); a wake-up it misses is made up by its tick
      if (this.mode === 'wait') void this.producer.wakeProjector(result.events[0].type); // bounded, never throws
    } else {
      await this.awaitProjection(result);
    }
    for (const participant of this.participants) await participant.afterSettle(result);
  }

  private async awaitProjection(result: AppendResult): Promise<void> {
    if (this.mode === 'inline') {
      // an older transaction still open holds the horizon back: apply again until past our event
      const deadline = Date.now() + this.config.consistencyTimeoutMs;
      while (!hasReached((await this.projector.catchUp()).checkpoint, result.checkpoint) && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 50));
      }
    } else {
      await this.producer.wakeProjector(result.events[0].type);
    }
    try {
      await this.waiter.waitFor(result.checkpoint);
    } catch (err) {
      if (!(err instanceof ProjectionTimeoutError)) throw err;
      throw new Problem(
        503,
        'PROJECTION_PENDING',
        `the change was recorded at position ${result.checkpoint.position} and takes effect when the worker has ` +
          'applied it; it is not lost — check the worker, then read the resource again',
        undefined,
        { 'Retry-After': '5' },
      );
    }
  }
}
