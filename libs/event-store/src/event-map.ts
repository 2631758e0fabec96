import { ProjectedEvent, StoredEvent } from './event.types';

/**
 * A domain's events by name: `{ KeyCreated: KeyCreatedData; ... }`. Declared with `type` (an
 * interface has no index signature and does not fit the constraint).
 */
export type EventMap = Record<string, object>;

/** A stored event of the map, as a union discriminated by `type`: `switch (e.type)` narrows `e.data`. */
export type StoredEventOf<M extends EventMap> = { [T in keyof M & string]: Omit<StoredEvent, 'type' | 'data'> & { type: T; data: M[T] } }[keyof M & string];

/** What a projection reads of an event of the map, discriminated by `type` as StoredEventOf. */
export type ProjectedEventOf<M extends EventMap> = {
  [T in keyof M & string]: Omit<ProjectedEvent, 'type' | 'data'> & { type: T; data: M[T] };
}[keyof M & string];

/**
 * The log's events read as the map's: the one place where the data of an event is taken to be what
 * its type says (every append names a type and the data that goes with it). A type outside the map
 * (another domain's event in a projector batch) is read as none of the map's cases, and falls
 * through a `switch` on `type`.
 */
export function eventsOf<M extends EventMap>(events: readonly StoredEvent[]): readonly StoredEventOf<M>[];
export function eventsOf<M extends EventMap>(events: readonly ProjectedEvent[]): readonly ProjectedEventOf<M>[];
export function eventsOf(events: readonly ProjectedEvent[]): readonly ProjectedEvent[] {
  return events;
}
