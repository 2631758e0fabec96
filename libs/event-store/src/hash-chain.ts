import { hash } from 'node:crypto';
import { canonicalJson } from './canonical-json';
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

/** The hashed form's keys in canonical (sorted) order, each written as `"key":`. */
const HASHED_KEYS = (
  ['actor', 'companyId', 'data', 'eventId', 'metadata', 'occurredAt', 'position', 'prevHash', 'streamId', 'streamVersion', 'type'] as const
).map((key) => [key, `${JSON.stringify(key)}:`] as const) satisfies readonly (readonly [keyof HashedForm, string])[];

/** The RFC 8785 canonical JSON of the hashed form (its keys are known: only their values are walked). */
export function canonicalHashedForm(e: Hashable): string {
  const form = hashedForm(e);
  let out = '{';
  for (const [key, prefix] of HASHED_KEYS) {
    const value = form[key];
    if (value === undefined) continue;
    out += (out.length > 1 ? ',' : '') + prefix + canonicalJson(value);
  }
  return `${out}}`;
}

/** SHA-256 over the RFC 8785 canonical JSON of the hashed form, previous hash included. */
export function computeEventHash(e: Hashable): string {
  return hash('sha256', canonicalHashedForm(e), 'hex');
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
