import { Inject, Injectable } from '@nestjs/common';
import { CacheCoherenceService } from '@keyward/auth';
import { Problem } from '@keyward/common';
import { AppendResult, ProjectionTimeoutError, ProjectionWaiter, Projector, hasReached } from '@keyward/event-store';
import { KEYWARD_CONFIG, KeywardConfig } from '@keyward/config';
import { QueueProducer } from '@keyward/queue';
import { takesKeyRights } from '../projections/read-model.projection';

/**
 * 'wait': the API wakes the worker and waits for its checkpoint.
 * 'inline': the command line applies the log itself (under the projector's lock),
 * so it works before any worker runs, e.g. at the first start.
 */
export const PROJECTION_MODE = Symbol('PROJECTION_MODE');
export type ProjectionMode = 'wait' | 'inline';

/**
 * What a write waits for before it answers.
 *
 * Key, user and company events are applied to their read model in the appending transaction
 * (KeysReadModelProjection), so they need no worker: a write of only those waits for nothing
 * but, when it can take rights away, every API instance's cache (confirmApplied, through
 * Postgres). Other events (system read models) wait for the projector's checkpoint.
 */
@Injectable()
export class ConsistencyService {
  constructor(
    private readonly producer: QueueProducer,
    private readonly waiter: ProjectionWaiter,
    private readonly projector: Projector,
    private readonly coherence: CacheCoherenceService,
    @Inject(PROJECTION_MODE) private readonly mode: ProjectionMode,
    @Inject(KEYWARD_CONFIG) private readonly config: KeywardConfig,
  ) {}

  async settle(result: AppendResult): Promise<void> {
    if (result.appliedInline) {
      // the projector still moves its checkpoint past these events (and the worker's other read
      // models may care); a wake-up it misses is made up by its tick
      if (this.mode === 'wait') void this.producer.wakeProjector(result.events[0].type); // bounded, never throws
    } else {
      await this.awaitProjection(result);
    }
    // a change that can take rights away: no instance may still serve the key from its cache
    if (result.events.some(takesKeyRights)) await this.coherence.confirmApplied(result.events[0].companyId ?? undefined);
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
