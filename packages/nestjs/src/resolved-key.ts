import { ipMatcher } from './ip-allow';
import type { RateLimitSetting } from './client';

/** What the guard needs of a key, as Keyward's verify answered it. */
export interface KeyRecord {
  keyId: string;
  ownerId: string;
  companyId: string;
  name: string;
  permissions: string[];
  roles: string[];
  meta: Record<string, unknown>;
  externalId: string | null;
  expiresAt: string | null;
  allowedIps: string[] | null;
  rateLimit: RateLimitSetting | null;
}

/** What a handler learns of the key that authenticated its request (`@KeywardKey()`); frozen. */
export type KeywardKeyInfo = Readonly<Omit<KeyRecord, 'allowedIps' | 'rateLimit'>>;

/**
 * A key as the request path uses it, prepared once when Keyward's answer arrives (and then kept
 * in the cache): the handlers' frozen view, the expiry as a number and the compiled address
 * check, so that a cached request parses, copies and compiles nothing.
 */
export interface ResolvedKey {
  readonly record: KeyRecord;
  readonly key: KeywardKeyInfo;
  /** Epoch ms after which the key is refused (Infinity: no expiry). */
  readonly expiresAtMs: number;
  /** Whether an address may use the key; null when the key names no addresses. */
  readonly allowsIp: ((ip: string | undefined) => boolean) | null;
}

export function resolveKey(record: KeyRecord): ResolvedKey {
  const { allowedIps, rateLimit: _limit, ...info } = record;
  return Object.freeze({
    record,
    key: deepFreeze({ ...info, permissions: [...info.permissions], roles: [...info.roles], meta: structuredClone(info.meta) }),
    expiresAtMs: expiryOf(record.expiresAt),
    allowsIp: allowedIps && allowedIps.length > 0 ? ipMatcher(allowedIps) : null,
  });
}

/** An expiry that does not parse is taken as passed: the key is refused, not kept forever. */
function expiryOf(expiresAt: string | null): number {
  if (expiresAt === null) return Number.POSITIVE_INFINITY;
  const ms = Date.parse(expiresAt);
  return Number.isNaN(ms) ? Number.NEGATIVE_INFINITY : ms;
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
}
