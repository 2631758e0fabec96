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
  KeyExpiringSoon: 'KeyExpiringSoon',
  KeyDeleted: 'KeyDeleted',
  KeyUsed: 'KeyUsed',
  AuthenticationFailed: 'AuthenticationFailed',
  PermissionDefined: 'PermissionDefined',
  PermissionRemoved: 'PermissionRemoved',
  RoleDefined: 'RoleDefined',
  RoleUpdated: 'RoleUpdated',
  RoleDeleted: 'RoleDeleted',
} as const;
export type KeywardEventType = (typeof KeywardEvent)[keyof typeof KeywardEvent];

export const streamOf = {
  company: (id: string) => `company-${id}`,
  user: (id: string) => `user-${id}`,
  key: (id: string) => `key-${id}`,
  /** Usage has streams of its own: it must never conflict with a change to the key. */
  keyUsage: (id: string) => `usage-${id}`,
  authFailures: (companyId: string | null) => `auth-failures-${companyId ?? 'unknown'}`,
  /** Notices about a key (its expiry coming): never conflicting with a change to the key itself. */
  keyNotices: (id: string) => `notices-${id}`,
  /** A company's own permissions and roles: one stream, so names stay unique under its version. */
  catalog: (companyId: string) => `catalog-${companyId}`,
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
  /** Keyward's own permissions and the company's own, by name. */
  permissions: string[];
  expiresAt: string | null;
  allowedIps: string[];
  rateLimit: RateLimitSetting | null;
  /** Roles held by name (built-in or the company's); absent in events written before roles existed. */
  roles?: string[];
  /** The customer's own data about the key (a JSON object); absent in older events. */
  meta?: Record<string, unknown>;
  /** The customer's own id for the key's holder; absent in older events. */
  externalId?: string | null;
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

/** A key's expiry is near: recorded once 7 days before it and once 1 day before (only the nearest, for a key made closer to it). */
export interface KeyExpiringSoonData {
  keyId: string;
  name: string;
  expiresAt: string;
  notice: '7d' | '1d';
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

export interface PermissionDefinedData {
  name: string;
  description: string | null;
}

/** A company permission removed; with `forced`, also taken from the roles and keys named here. */
export interface PermissionRemovedData {
  name: string;
  forced: boolean;
  roles: string[];
  keyIds: string[];
}

export interface RoleDefinedData {
  name: string;
  description: string | null;
  permissions: string[];
}

export interface RoleUpdatedData {
  name: string;
  changes: { description?: string | null; permissions?: string[] };
}

/** A company role deleted; the keys named here held it and no longer do. */
export interface RoleDeletedData {
  name: string;
  keyIds: string[];
}

/** Each event's data by its name: a stored event of the key domain narrows by `type` (StoredEventOf<KeywardEvents>). */
export type KeywardEvents = {
  CompanyCreated: CompanyCreatedData;
  UserCreated: UserCreatedData;
  UserUpdated: UserUpdatedData;
  KeyCreated: KeyCreatedData;
  KeyUpdated: KeyUpdatedData;
  KeyRotated: KeyRotatedData;
  KeyRevoked: KeyRevokedData;
  KeyExpired: KeyExpiredData;
  KeyExpiringSoon: KeyExpiringSoonData;
  KeyDeleted: KeyDeletedData;
  KeyUsed: KeyUsedData;
  AuthenticationFailed: AuthenticationFailedData;
  PermissionDefined: PermissionDefinedData;
  PermissionRemoved: PermissionRemovedData;
  RoleDefined: RoleDefinedData;
  RoleUpdated: RoleUpdatedData;
  RoleDeleted: RoleDeletedData;
};
