import { EntityManager } from 'typeorm';
import { StoredEvent } from './event.types';

/**
 * A read model kept from the log. The projector hands it each batch of events in log
 * order, inside the transaction that also moves the checkpoint.
 */
export interface Projection {
  /** Tables it owns: emptied by a rebuild. */
  readonly tables: string[];
  apply(m: EntityManager, events: StoredEvent[]): Promise<void>;
  /** After the batch committed (e.g. telling caches); must not throw. */
  afterCommit?(events: StoredEvent[]): Promise<void>;
}

/** Injection token of the registered projections. */
export const PROJECTIONS = Symbol('PROJECTIONS');
