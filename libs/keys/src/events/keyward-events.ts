import { RateLimitSetting } from '@keyward/database';
import { UsageRecord } from '@keyward/queue';

/**
 * Event names are written to the log and never change once written.
 * Data never holds a key or a secret in clear (a key appears only as its HMAC).
 */
export const KeywardEvent = {
  CompanyCreated: 'CompanyCreated',
  UserCreated: 'UserCreated',
  UserUpdated: 'UserUpdated',
  KeyCreated: 'KeyCreated',
  KeyUpdated: 'KeyUpdated',
  KeyRotated: 'KeyRotated',
  KeyRevoked: 'KeyRevoked',
  KeyExpired: 'KeyExpired',
  KeyDeleted: 'KeyDeleted',
  KeyUsed: 'KeyUsed',
  AuthenticationFailed: 'AuthenticationFailed',
} as const;
export type KeywardEventType = (typeof KeywardEvent)[keyof typeof KeywardEvent];

export const streamOf = {
  company: (id: string) => `company-${id}`,
  user: (id: string) => `user-${id}`,
  key: (id: string) => `key-${id}`,
  /** Usage has streams of its own: it must never conflict with a change to the key. */
  keyUsage: (id: string) => `usage-${id}`,
  authFailures: (companyId: string | null) => `auth-failures-${companyId ?? 'unknown'}`,
};

export interface CompanyCreatedData {
  companyId: string;
  name: string;
}

export interface UserCreatedData {
  userId: string;
  email: string;
  name: string;
  permissions: string[];
  disabled: boolean;
}

export interface UserUpdatedData {
  userId: string;
  changes: { name?: string; permissions?: string[]; disabled?: boolean };
}

export interface KeySettings {
  name: string;
  description: string | null;
  permissions: string[];
  expiresAt: string | null;
  allowedIps: string[];
  rateLimit: RateLimitSetting | null;
}

export interface KeyCreatedData extends KeySettings {
  keyId: string;
  ownerId: string;
  type: 'standard' | 'administration';
  /** First characters of the key, shown so people recognise it. */
  start: string;
  /** HMAC-SHA-256(pepper, key), never the key. */
  hash: string;
  rotatedFrom: string | null;
}

export interface KeyUpdatedData {
  keyId: string;
  changes: Partial<KeySettings>;
}

export interface KeyRevokedData {
  keyId: string;
  reason: string | null;
}

export interface KeyRotatedData {
  keyId: string;
  newKeyId: string;
  graceEndsAt: string;
}

export interface KeyDeletedData {
  keyId: string;
}

export interface KeyExpiredData {
  keyId: string;
  /** 'expiry': its expiresAt passed; 'rotation': its rotation grace ended. */
  reason: 'expiry' | 'rotation';
  /** The instant it stopped working (the guard refused it from then on). */
  expiredAt: string;
}

/** One authenticated request: the usage record as the API instance took it. */
export type KeyUsedData = { keyId: string } & Pick<
  UsageRecord,
  'method' | 'route' | 'status' | 'ip' | 'userAgent' | 'requestId' | 'durationMs'
>;

/** A refused authentication with a well-formed key (never the key itself). */
export interface AuthenticationFailedData {
  keyId: string | null;
  reason: string;
  method: string;
  route: string;
  ip: string | null;
  userAgent: string | null;
  requestId: string | null;
}
