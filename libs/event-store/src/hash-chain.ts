import { createHash } from 'node:crypto';
import { canonicalize } from 'json-canonicalize';
import { StoredEvent } from './event.types';

export const GENESIS_HASH = '0'.repeat(64);

type Hashable = Omit<StoredEvent, 'hash' | 'transactionId'>;

/** Exactly what the hash covers, as JSON: also the form in which auditors read and export events. */
export interface HashedForm {
  position: number;
  eventId: string;
  streamId: string;
  streamVersion: number;
  type: string;
  occurredAt: string;
  companyId: string | null;
  actor: StoredEvent['actor'];
  data: Record<string, unknown>;
  metadata: StoredEvent['metadata'];
  prevHash: string;
}

/**
 * The event's hashed fields. The transaction id is left out: it is an implementation
 * detail of ordering, not part of what happened.
 */
export function hashedForm(e: Hashable): HashedForm {
  return {
    position: e.position,
    eventId: e.eventId,
    streamId: e.streamId,
    streamVersion: e.streamVersion,
    type: e.type,
    occurredAt: e.occurredAt.toISOString(),
    companyId: e.companyId,
    actor: e.actor,
    data: e.data,
    metadata: e.metadata,
    prevHash: e.prevHash,
  };
}

/** SHA-256 over the RFC 8785 canonical JSON of the hashed form, previous hash included. */
export function computeEventHash(e: Hashable): string {
  const canonical = canonicalize(hashedForm(e));
  if (canonical === undefined) throw new Error('event is not serialisable');
  return createHash('sha256').update(canonical).digest('hex');
}

export interface ChainBreak {
  position: number;
  reason: 'prev_hash_mismatch' | 'hash_mismatch';
}

/** Checks one event against the hash of the event before it in the chain. */
export function checkLink(e: StoredEvent, expectedPrevHash: string): ChainBreak | null {
  if (e.prevHash !== expectedPrevHash) return { position: e.position, reason: 'prev_hash_mismatch' };
  if (computeEventHash(e) !== e.hash) return { position: e.position, reason: 'hash_mismatch' };
  return null;
}
