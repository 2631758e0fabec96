import { Inject, Injectable } from '@nestjs/common';
import { CacheCoherenceService, InvalidationTarget } from '@keyward/auth';
import { Problem } from '@keyward/common';
import { AppendResult, ProjectionTimeoutError, ProjectionWaiter, Projector } from '@keyward/event-store';
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
  ) {}

  async settle(result: AppendResult, invalidate?: InvalidationTarget): Promise<void> {
    if (this.mode === 'inline') {
      await this.projector.catchUp();
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
