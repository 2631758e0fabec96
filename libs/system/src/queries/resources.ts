import { CentralOutcome } from '../events/system-events';

/** GET /v1/shared-secret: metadata only, never the secret. */
export interface SharedSecretMetadata {
  exists: boolean;
  fingerprint: string | null;
  createdAt: string | null;
  rotatedAt: string | null;
}

/** Rotate and reveal: the only two answers that hold the secret. */
export interface SharedSecretWithValue {
  secret: string;
  fingerprint: string;
  createdAt: string;
  rotatedAt: string | null;
  /** Rotate only: until when the replaced secret still signs webhook deliveries (null: it stopped at once, or none was replaced). */
  previousValidUntil?: string | null;
}

/**
 * - `not_configured`: CENTRAL_URL is not set;
 * - `inactive`: no link (never activated, or deactivated);
 * - `url_changed`: activated for another CENTRAL_URL (activate again);
 * - `active`: linked, and the last contact (activation, check or heartbeat) succeeded;
 * - `rejected`: linked, but the central service refused the key at the last contact;
 * - `unreachable`: linked, but the last contact failed (no connection, 5xx, timeout).
 */
export type CentralStatus = 'not_configured' | 'inactive' | 'url_changed' | 'active' | 'rejected' | 'unreachable';

export interface CentralView {
  status: CentralStatus;
  /** CENTRAL_URL, as configured. */
  url: string | null;
  installationId: string | null;
  activatedAt: string | null;
  lastCheckAt: string | null;
  lastCheckOutcome: CentralOutcome | null;
  /** Last heartbeat the central service accepted. */
  lastHeartbeatAt: string | null;
}

/**
 * - `off`: telemetry disabled (the default);
 * - `on`: heartbeats go out every `intervalMs`;
 * - `paused`: enabled, but the central link cannot be used (`pausedReason`); scheduled
 *   heartbeats are skipped, without an event, until it can.
 */
export interface TelemetryView {
  enabled: boolean;
  state: 'off' | 'on' | 'paused';
  pausedReason: 'CENTRAL_NOT_CONFIGURED' | 'CENTRAL_NOT_ACTIVE' | 'CENTRAL_URL_CHANGED' | null;
  intervalMs: number;
  lastFailureAt: string | null;
  lastFailureReason: string | null;
}

export interface QueueCounts {
  waiting: number;
  active: number;
  failed: number;
  delayed: number;
}

export interface SystemStatus {
  version: string;
  central: CentralView;
  telemetry: TelemetryView;
  /** Per BullMQ queue; null when Redis did not answer. */
  queues: Record<string, QueueCounts | null>;
  /** Events committed after the projector's checkpoint, and the age of the oldest of them. */
  projectionLag: { events: number; seconds: number };
}

export interface CentralCheckResult {
  outcome: CentralOutcome;
  httpStatus: number | null;
  latencyMs: number;
  reason: string | null;
  checkedAt: string;
  central: CentralView;
}

export type HeartbeatResult =
  | { outcome: 'sent'; heartbeatId: string; attempt: number; httpStatus: number; latencyMs: number; sentAt: string }
  | {
      outcome: 'failed';
      heartbeatId: string;
      attempt: number;
      /** HeartbeatFailed was recorded: no attempt follows. */
      final: boolean;
      /** Another attempt may succeed (no connection, timeout). */
      retryable: boolean;
      failure: CentralOutcome | 'error';
      httpStatus: number | null;
      latencyMs: number | null;
      reason: string;
    }
  | { outcome: 'skipped'; reason: 'TELEMETRY_DISABLED' | string };
