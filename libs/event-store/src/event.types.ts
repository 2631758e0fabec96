export type ActorType = 'user' | 'key' | 'system';

export interface ActorRef {
  type: ActorType;
  id: string;
}

export interface EventMetadata {
  ip?: string | null;
  userAgent?: string | null;
  requestId?: string | null;
}

/** An event about to be appended. `eventId` makes a retried append idempotent. */
export interface NewEvent<D extends object = object> {
  eventId?: string;
  streamId: string;
  type: string;
  companyId: string | null;
  actor: ActorRef;
  data: D;
  metadata?: EventMetadata;
  occurredAt?: Date;
}

/** An event as stored in the log. */
export interface StoredEvent<D = Record<string, unknown>> {
  position: number;
  transactionId: string;
  eventId: string;
  streamId: string;
  streamVersion: number;
  type: string;
  occurredAt: Date;
  companyId: string | null;
  actor: ActorRef;
  data: D;
  metadata: EventMetadata;
  prevHash: string;
  hash: string;
}

/**
 * What a projection reads of an event, and all the projector reads from the log: no actor,
 * metadata or hashes (no read model holds them), so the projector's read of a batch leaves out the
 * largest columns of a usage event.
 */
export type ProjectedEvent<D = Record<string, unknown>> = Pick<
  StoredEvent<D>,
  'position' | 'transactionId' | 'streamId' | 'streamVersion' | 'type' | 'occurredAt' | 'companyId' | 'data'
>;

/**
 * Where a reader stands in the log: readers consume events in
 * (transaction_id, position) order, so this pair is their checkpoint.
 */
export interface LogCheckpoint {
  transactionId: string;
  position: number;
}

export const LOG_START: LogCheckpoint = { transactionId: '0', position: 0 };

/** Expected version of a stream before the append: 0 means the stream must not exist yet. */
export type ExpectedVersion = number | 'any';

export interface AppendOptions {
  expectedVersions: Record<string, ExpectedVersion>;
  /** Unique values claimed in the same transaction (e.g. a user's e-mail in a company). */
  reservations?: { scope: string; value: string }[];
  /** Leave out events whose ids are already in the log and append the rest (usage batches re-sent after a fault). */
  skipExisting?: boolean;
}

export interface AppendResult {
  events: StoredEvent[];
  /** The checkpoint a reader has passed once it has applied every event of this append. */
  checkpoint: LogCheckpoint;
  /**
   * Every event of the append was applied to its read model in the appending transaction
   * (an inline projection): nothing to wait for before the change is what readers see.
   */
  appliedInline: boolean;
}
