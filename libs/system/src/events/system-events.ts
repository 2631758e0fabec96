import { SealedSecret } from '../crypto/secret-box';

/**
 * Events of the shared secret (one per company), the central link and telemetry (one per
 * installation). Names are written to the log and never change. No event holds a secret or
 * the central API key in clear: only AES-256-GCM ciphertext and non-reversible fingerprints.
 */
export const SystemEvent = {
  SharedSecretRotated: 'SharedSecretRotated',
  SharedSecretRevealed: 'SharedSecretRevealed',
  CentralActivated: 'CentralActivated',
  CentralDeactivated: 'CentralDeactivated',
  CentralChecked: 'CentralChecked',
  TelemetryEnabled: 'TelemetryEnabled',
  TelemetryDisabled: 'TelemetryDisabled',
  HeartbeatSent: 'HeartbeatSent',
  HeartbeatFailed: 'HeartbeatFailed',
} as const;
export type SystemEventType = (typeof SystemEvent)[keyof typeof SystemEvent];

export const systemStreams = {
  /** One company's shared secret: rotations and reveals. */
  sharedSecret: (companyId: string) => `shared-secret-${companyId}`,
  /** The installation's settings: central link and telemetry switch (small, folded by commands). */
  installation: 'installation',
  /** Connection checks: a stream of their own, so they never conflict with a settings change. */
  centralChecks: 'installation-checks',
  /** Heartbeats, likewise. */
  heartbeats: 'installation-heartbeats',
};

/** How a call to the central service ended. */
export type CentralOutcome = 'ok' | 'rejected' | 'unreachable' | 'timeout';

export interface SharedSecretRotatedData {
  /** The secret, sealed under SECRETS_ENCRYPTION_KEY; never in clear. */
  sealed: SealedSecret;
  /** `sha256:` + 16 hex characters of SHA-256(secret): tells secrets apart, reveals nothing. */
  fingerprint: string;
  /** Fingerprint of the secret this one replaces (null on creation). */
  previousFingerprint: string | null;
  /**
   * Until when the replaced secret still signs webhook deliveries beside this one (two `v1=`),
   * so receivers can switch over; null or absent: it stopped at once.
   */
  previousValidUntil?: string | null;
}

export interface SharedSecretRevealedData {
  fingerprint: string;
}

export interface CentralActivatedData {
  /** Random id of this installation, kept across activations; heartbeats carry it. */
  installationId: string;
  /** CENTRAL_URL the key was validated against; the key is only ever sent there. */
  url: string;
  /** The central API key, sealed under SECRETS_ENCRYPTION_KEY. */
  sealedKey: SealedSecret;
  /** Fingerprint of the company shared secret that signed the activation. */
  signedWith: string;
  latencyMs: number;
}

export interface CentralDeactivatedData {
  installationId: string;
}

export interface CentralCheckedData {
  installationId: string;
  /** When the request was made: the status follows the latest attempt, whatever order events land in. */
  attemptedAt: string;
  outcome: CentralOutcome;
  httpStatus: number | null;
  latencyMs: number;
  /** Why it failed, in words (never a header or a key). */
  reason: string | null;
}

export interface TelemetryEnabledData {
  intervalMs: number;
}

export type TelemetryDisabledData = Record<string, never>;

/** Anonymous counts sent with a heartbeat. */
export interface TelemetryCounts {
  companies: number;
  users: number;
  activeKeys: number;
  /** Position of the newest event (≈ the number of events). */
  events: number;
}

export interface HeartbeatSentData {
  heartbeatId: string;
  installationId: string;
  trigger: 'manual' | 'scheduled';
  attempt: number;
  /** When the successful attempt was made. */
  attemptedAt: string;
  httpStatus: number;
  latencyMs: number;
  /** What was sent, for the audit trail. */
  payload: HeartbeatPayload;
}

export interface HeartbeatFailedData {
  heartbeatId: string;
  installationId: string;
  trigger: 'manual' | 'scheduled';
  /** Attempts made, the last one included. */
  attempts: number;
  /** When the last attempt was made. */
  attemptedAt: string;
  outcome: Exclude<CentralOutcome, 'ok'> | 'error';
  httpStatus: number | null;
  latencyMs: number | null;
  reason: string;
}

/** Each system event's data by its name: a stored event narrows by `type` (StoredEventOf<SystemEvents>). */
export type SystemEvents = {
  SharedSecretRotated: SharedSecretRotatedData;
  SharedSecretRevealed: SharedSecretRevealedData;
  CentralActivated: CentralActivatedData;
  CentralDeactivated: CentralDeactivatedData;
  CentralChecked: CentralCheckedData;
  TelemetryEnabled: TelemetryEnabledData;
  TelemetryDisabled: TelemetryDisabledData;
  HeartbeatSent: HeartbeatSentData;
  HeartbeatFailed: HeartbeatFailedData;
};

/** The body of POST {CENTRAL_URL}/v1/heartbeat (README: "Shared secret, central link and telemetry"). */
export interface HeartbeatPayload {
  heartbeatId: string;
  installationId: string;
  instanceId: string;
  version: string;
  uptimeSeconds: number;
  sentAt: string;
  counts: TelemetryCounts;
}
