/** Resource shapes of CONTRACT.md, as the console reads them. */

export const PERMISSIONS = ['keys:read', 'keys:write', 'keys:verify', 'users:read', 'users:write', 'audit:read', 'admin.system.api'] as const;
export type Permission = (typeof PERMISSIONS)[number];

export const ROLES: Record<'ADMIN' | 'READONLY', readonly Permission[]> = {
  ADMIN: PERMISSIONS,
  READONLY: PERMISSIONS.filter((p) => p.endsWith(':read')),
};

export const PERMISSION_LABELS: Record<Permission, string> = {
  'keys:read': 'Read keys',
  'keys:write': 'Create, edit, revoke, rotate and delete keys',
  'keys:verify': 'Verify keys',
  'users:read': 'Read users',
  'users:write': 'Create and edit users',
  'audit:read': 'Read, export and verify the audit trail',
  'admin.system.api': 'System settings and queue dashboard',
};

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface RateLimit {
  limit: number;
  windowSeconds: number;
}

export interface Me {
  keyId: string;
  ownerId: string;
  companyId: string;
  permissions: Permission[];
  expiresAt: string | null;
  rateLimit: RateLimit;
  /** The signed-in key's allowed addresses (empty: any): keys it creates must stay inside them. */
  allowedIps: string[];
}

export type KeyStatus = 'active' | 'revoked' | 'expired';

export interface ApiKey {
  id: string;
  name: string;
  description: string | null;
  start: string;
  type: 'standard' | 'administration';
  permissions: Permission[];
  ownerId: string;
  companyId: string;
  status: KeyStatus;
  createdAt: string;
  updatedAt: string;
  expiresAt: string | null;
  revokedAt: string | null;
  lastUsedAt: string | null;
  allowedIps: string[];
  rateLimit: RateLimit | null;
  /** Rotation: the key this one replaced, the key that replaced it, and when the old one stops. */
  rotatedFrom: string | null;
  replacedBy: string | null;
  graceEndsAt: string | null;
}

/** The one answer that holds the key itself (create, rotate). */
export interface CreatedKey extends ApiKey {
  key: string;
}

export interface User {
  id: string;
  companyId: string;
  email: string;
  name: string;
  permissions: Permission[];
  disabled: boolean;
  createdAt: string;
  updatedAt: string;
}

export const EVENT_TYPES = [
  'CompanyCreated', 'UserCreated', 'UserUpdated', 'KeyCreated', 'KeyUpdated', 'KeyRotated', 'KeyRevoked',
  'KeyExpired', 'KeyDeleted', 'KeyUsed', 'AuthenticationFailed', 'SharedSecretRotated', 'SharedSecretRevealed',
  'AuditExported', 'TelemetryEnabled', 'TelemetryDisabled', 'HeartbeatSent', 'HeartbeatFailed',
  'CentralActivated', 'CentralDeactivated', 'CentralChecked',
  'PermissionDefined', 'PermissionRemoved', 'RoleDefined', 'RoleUpdated', 'RoleDeleted',
  'WebhookCreated', 'WebhookDeleted', 'KeyExpiringSoon',
] as const;

export interface AuditEvent {
  position: number;
  eventId: string;
  streamId: string;
  streamVersion: number;
  type: string;
  occurredAt: string;
  companyId: string | null;
  actor: { type?: string; id?: string | null };
  data: Record<string, unknown>;
  metadata: { ip?: string | null; userAgent?: string | null; requestId?: string | null };
  prevHash: string;
  hash: string;
}

export interface VerifyResult {
  ok: boolean;
  checked: number;
  firstBadPosition?: number;
  reason?: string;
  head: { position: number; hash: string } | null;
  checkpoints: Record<string, unknown>;
}

export interface CentralStatus {
  status: 'not_configured' | 'inactive' | 'url_changed' | 'active' | 'rejected' | 'unreachable';
  url: string | null;
  installationId: string | null;
  activatedAt: string | null;
  lastCheckAt: string | null;
  lastCheckOutcome: 'ok' | 'rejected' | 'unreachable' | 'timeout' | null;
  lastHeartbeatAt: string | null;
}

export interface SystemStatus {
  version: string;
  central: CentralStatus;
  telemetry: {
    enabled: boolean;
    state: 'off' | 'on' | 'paused';
    pausedReason: string | null;
    intervalMs: number;
    lastFailureAt: string | null;
    lastFailureReason: string | null;
  };
  queues: Record<string, { waiting: number; active: number; failed: number; delayed: number } | null>;
  projectionLag: { events: number; seconds: number };
}

export type Granularity = 'minute' | 'hour' | 'day';

/** One bucket of a usage series: requests (KeyUsed by status class, and refusals) of a minute, hour or day (UTC). */
export interface UsageBucket {
  start: string;
  total: number;
  byStatus: { '2xx': number; '3xx': number; '4xx': number; '5xx': number };
  refused: number;
}

/** GET /v1/keys/:id/usage: every bucket of the range in order, empty ones as zeros. */
export interface UsageSeries {
  granularity: Granularity;
  from: string;
  to: string;
  buckets: UsageBucket[];
}

export interface KeyUsageTotal {
  keyId: string;
  name: string | null;
  total: number;
  refused: number;
}

export interface RefusalCount {
  reason: string;
  count: number;
}

/** GET /v1/usage: the company's series, its refusals by reason, and (groupBy=key) its busiest keys. */
export interface CompanyUsage extends UsageSeries {
  refusedByReason: RefusalCount[];
  keys?: KeyUsageTotal[];
}

export interface Webhook {
  id: string;
  url: string;
  /** `*`: every audit event (an audit stream), else event type names. */
  events: string[];
  description: string | null;
  createdAt: string;
  state: 'active' | 'failing';
  /** Events waiting to be delivered. */
  backlog: number;
  /** Log position of the last event the receiver acknowledged. */
  deliveredPosition: number;
  lastDeliveryAt: string | null;
  /** HTTP status of the last attempt; null when no answer came. */
  lastStatus: number | null;
  lastError: string | null;
  failingSince: string | null;
  nextAttemptAt: string | null;
}

export interface WebhookDelivery {
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

/** POST /v1/webhooks/:id/test */
export interface WebhookTestResult {
  ok: boolean;
  status: number | null;
  durationMs: number;
  error: string | null;
}
