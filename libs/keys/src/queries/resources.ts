import { ApiKeyEntity, RateLimitSetting, UserEntity } from '@keyward/database';

export interface KeyResource {
  id: string;
  name: string;
  description: string | null;
  start: string;
  type: string;
  permissions: string[];
  /** Roles held by name: built-in (ADMIN, READONLY) or the company's own. */
  roles: string[];
  meta: Record<string, unknown>;
  externalId: string | null;
  ownerId: string;
  companyId: string;
  status: 'active' | 'revoked' | 'expired';
  createdAt: string;
  updatedAt: string;
  expiresAt: string | null;
  revokedAt: string | null;
  lastUsedAt: string | null;
  allowedIps: string[];
  rateLimit: RateLimitSetting | null;
  rotatedFrom: string | null;
  replacedBy: string | null;
  graceEndsAt: string | null;
}

export interface UserResource {
  id: string;
  companyId: string;
  email: string;
  name: string;
  permissions: string[];
  disabled: boolean;
  createdAt: string;
  updatedAt: string;
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);

/** Status as of `now`: an active key past its expiry or rotation grace is already expired. */
export function effectiveStatus(k: Pick<ApiKeyEntity, 'status' | 'expiresAt' | 'graceEndsAt'>, now: number) {
  if (k.status !== 'active') return k.status;
  const ended = [k.expiresAt, k.graceEndsAt].some((d) => d !== null && d.getTime() <= now);
  return ended ? 'expired' : 'active';
}

export function toKeyResource(k: ApiKeyEntity, now = Date.now()): KeyResource {
  return {
    id: k.id,
    name: k.name,
    description: k.description,
    start: k.start,
    type: k.type,
    permissions: k.permissions,
    roles: k.roles,
    meta: k.meta,
    externalId: k.externalId,
    ownerId: k.ownerId,
    companyId: k.companyId,
    status: effectiveStatus(k, now),
    createdAt: k.createdAt.toISOString(),
    updatedAt: k.updatedAt.toISOString(),
    expiresAt: iso(k.expiresAt),
    revokedAt: iso(k.revokedAt),
    lastUsedAt: iso(k.lastUsedAt),
    allowedIps: k.allowedIps,
    rateLimit: k.rateLimit,
    rotatedFrom: k.rotatedFrom,
    replacedBy: k.replacedBy,
    graceEndsAt: iso(k.graceEndsAt),
  };
}

export function toUserResource(u: UserEntity): UserResource {
  return {
    id: u.id,
    companyId: u.companyId,
    email: u.email,
    name: u.name,
    permissions: u.permissions,
    disabled: u.disabled,
    createdAt: u.createdAt.toISOString(),
    updatedAt: u.updatedAt.toISOString(),
  };
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** Opaque keyset cursors: base64url of the last row's sort key. */
export function encodeCursor(parts: [string, string]): string {
  return Buffer.from(JSON.stringify(parts)).toString('base64url');
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Years 0001–9999 only: JavaScript reads more than PostgreSQL stores. */
const CURSOR_TIME = /^(?!0000)\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

export function decodeCursor(cursor: string): [string, string] | null {
  try {
    const parts: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (!Array.isArray(parts) || parts.length !== 2) return null;
    const [at, id] = parts;
    if (typeof at !== 'string' || typeof id !== 'string' || !UUID.test(id) || !CURSOR_TIME.test(at)) return null;
    const time = new Date(at);
    if (Number.isNaN(time.getTime()) || time.toISOString() !== at) return null;
    return [at, id];
  } catch {
    return null;
  }
}
