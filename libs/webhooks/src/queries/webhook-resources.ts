/** A webhook as the API shows it (never a secret: deliveries are signed with the company's shared secret). */
export interface WebhookResource {
  id: string;
  url: string;
  events: string[];
  description: string | null;
  createdAt: string;
  /** `failing` from the first failed attempt until an attempt succeeds again. */
  state: 'active' | 'failing';
  /** Events waiting to be delivered (counted up to BACKLOG_COUNT_LIMIT; more shows as that number). */
  backlog: number;
  /** Log position of the last event the receiver acknowledged (its own creation at first). */
  deliveredPosition: number;
  lastDeliveryAt: string | null;
  lastStatus: number | null;
  lastError: string | null;
  failingSince: string | null;
  nextAttemptAt: string | null;
}

export interface WebhookList {
  items: WebhookResource[];
  nextCursor: string | null;
}

export interface WebhookDeliveryResource {
  id: string;
  attemptedAt: string;
  position: number | null;
  eventType: string;
  attempt: number;
  status: number | null;
  ok: boolean;
  durationMs: number;
  error: string | null;
  test: boolean;
}

export interface WebhookDeliveryList {
  items: WebhookDeliveryResource[];
  nextCursor: string | null;
}

/** How a test delivery went. */
export interface WebhookTestResult {
  ok: boolean;
  status: number | null;
  durationMs: number;
  error: string | null;
}

export const BACKLOG_COUNT_LIMIT = 100_000;
