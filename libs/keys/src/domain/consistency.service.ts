import { Inject, Injectable } from '@nestjs/common';
import { CacheCoherenceService, InvalidationTarget } from '@keyward/auth';
import { Problem } from '@keyward/common';
import { AppendResult, ProjectionTimeoutError, ProjectionWaiter, Projector, hasReached } from '@keyward/event-store';
import { KEYWARD_CONFIG, KeywardConfig } from '@keyward/config';
import { QueueProducer } from '@keyward/queue';

/**
 * 'wait': the API wakes the worker and waits for its checkpoint.
 * 'inline': the command line applies the log itself (under the projector's lock),
 * so it works before any worker runs, e.g. at the first start.
 */
export const PROJECTION_MODE = Symbol('PROJECTION_MODE');
export type ProjectionMode = 'wait' | 'inline';

/**
 * What a write waits for before it answers: the projector has applied its events
 * (so every instance's database lookups see them) and, when keys lose rights,
 * every instance has dropped them from its cache.
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

  async settle(result: AppendResult, invalidate?: InvalidationTarget): Promise<void> {
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
    if (invalidate) await this.coherence.invalidate(invalidate);
  }
}
