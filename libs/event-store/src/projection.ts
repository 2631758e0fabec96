import { EntityManager } from 'typeorm';
import { ProjectedEvent, StoredEvent } from './event.types';

/**
 * A read model kept from the log. The projector hands it each batch of events in log
 * order, inside the transaction that also moves the checkpoint.
 */
export interface Projection {
  /** Tables it owns: emptied by a rebuild. */
  readonly tables: string[];
  apply(m: EntityManager, events: ProjectedEvent[]): Promise<void>;
  /** After the batch committed (e.g. telling caches); must not throw. */
  afterCommit?(events: ProjectedEvent[]): Promise<void>;
}

/**
 * A read model (or part of one) that must never wait for a worker: applied inside the very
 * transaction that appends its events, so it is current the moment the append commits. The
 * asynchronous projector applies the same events again later; `apply` must then change nothing
 * (rows carry their stream version and only move forward).
 */
export interface InlineProjection extends Projection {
  /** The event types applied inline; an append made only of these needs no projector to take effect. */
  readonly inlineTypes: ReadonlySet<string>;
  applyInline(m: EntityManager, events: StoredEvent[]): Promise<void>;
}

export function isInlineProjection(p: Projection): p is InlineProjection {
  return typeof (p as Partial<InlineProjection>).applyInline === 'function';
}

/** Injection token of the registered projections. */
export const PROJECTIONS = Symbol('PROJECTIONS');
