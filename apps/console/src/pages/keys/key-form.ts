import { localInputToIso, splitList } from '../../format';
import type { ApiKey, KeyChanges, NewKey } from '../../api/types';

/** What the create/edit form holds: strings as typed, turned into a request body by the functions below. */
export interface KeyFormValues {
  name: string;
  description: string;
  /** Keyward's own, and on an existing key the company's own it holds. */
  permissions: string[];
  type: 'standard' | 'administration';
  /** `datetime-local` value; empty = never expires. */
  expiresAt: string;
  allowedIps: string;
  /** Both empty = the server's default rate limit. */
  rateLimit: string;
  rateWindowSeconds: string;
  /** Empty = the signed-in key's owner. */
  ownerId: string;
}

export const EMPTY_KEY_FORM: KeyFormValues = {
  name: '',
  description: '',
  permissions: [],
  type: 'standard',
  expiresAt: '',
  allowedIps: '',
  rateLimit: '',
  rateWindowSeconds: '3600',
  ownerId: '',
};

export type FieldErrors = Partial<Record<string, string>>;

function rateLimitOf(values: KeyFormValues, errors: FieldErrors): NonNullable<NewKey['rateLimit']> | null {
  if (!values.rateLimit.trim()) return null;
  const limit = Number(values.rateLimit);
  const windowSeconds = Number(values.rateWindowSeconds);
  if (!Number.isInteger(limit) || limit < 1) errors['rateLimit.limit'] = 'must be a whole number of requests, at least 1';
  if (!Number.isInteger(windowSeconds) || windowSeconds < 1) errors['rateLimit.windowSeconds'] = 'must be a whole number of seconds, at least 1';
  return { limit, windowSeconds };
}

/**
 * The POST /v1/keys body, or the fields the browser can already tell are wrong (the API
 * checks everything again and names the field the same way).
 */
export function createKeyBody(values: KeyFormValues, now: number = Date.now()): { body: NewKey } | { errors: FieldErrors } {
  const errors: FieldErrors = {};
  const name = values.name.trim();
  if (!name) errors.name = 'is required';
  else if (name.length > 100) errors.name = 'must be at most 100 characters';
  if (values.description.length > 500) errors.description = 'must be at most 500 characters';
  if (values.type === 'standard' && values.permissions.length === 0) errors.permissions = 'choose at least one permission, or a role preset';
  const expiresAt = values.expiresAt ? localInputToIso(values.expiresAt) : null;
  if (values.expiresAt && !expiresAt) errors.expiresAt = 'is not a valid date and time';
  else if (expiresAt && new Date(expiresAt).getTime() <= now) errors.expiresAt = 'must be in the future';
  const rateLimit = rateLimitOf(values, errors);
  if (Object.keys(errors).length) return { errors };
  const body: NewKey = { name, type: values.type };
  if (values.description.trim()) body.description = values.description.trim();
  if (values.type === 'standard') body.permissions = values.permissions;
  if (expiresAt) body.expiresAt = expiresAt;
  const ips = splitList(values.allowedIps);
  if (ips.length) body.allowedIps = ips;
  if (rateLimit) body.rateLimit = rateLimit;
  if (values.ownerId) body.ownerId = values.ownerId;
  return { body };
}

/** The form filled from an existing key, for editing. */
export function formFromKey(key: ApiKey, toLocalInput: (iso: string | null) => string): KeyFormValues {
  return {
    name: key.name,
    description: key.description ?? '',
    permissions: key.permissions,
    type: key.type,
    expiresAt: toLocalInput(key.expiresAt),
    allowedIps: key.allowedIps.join('\n'),
    rateLimit: key.rateLimit ? String(key.rateLimit.limit) : '',
    rateWindowSeconds: key.rateLimit ? String(key.rateLimit.windowSeconds) : '3600',
    ownerId: key.ownerId,
  };
}

const sameList = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((x, i) => x === b[i]);

/** The PATCH /v1/keys/:id body: only what changed (null clears expiry or the own rate limit). */
export function updateKeyBody(key: ApiKey, values: KeyFormValues, now: number = Date.now()): { body: KeyChanges } | { errors: FieldErrors } {
  const errors: FieldErrors = {};
  const body: KeyChanges = {};
  const name = values.name.trim();
  if (!name) errors.name = 'is required';
  else if (name.length > 100) errors.name = 'must be at most 100 characters';
  else if (name !== key.name) body.name = name;
  if (values.description.length > 500) errors.description = 'must be at most 500 characters';
  else if (values.description.trim() !== (key.description ?? '')) body.description = values.description.trim();
  if (key.type === 'standard' && !sameList([...values.permissions].sort(), [...key.permissions].sort())) {
    if (values.permissions.length === 0) errors.permissions = 'choose at least one permission, or a role preset';
    else body.permissions = values.permissions;
  }
  const expiresAt = values.expiresAt ? localInputToIso(values.expiresAt) : null;
  if (values.expiresAt && !expiresAt) errors.expiresAt = 'is not a valid date and time';
  else if ((expiresAt ?? null) !== (key.expiresAt ? new Date(key.expiresAt).toISOString() : null)) {
    // a datetime-local input holds minutes only: an unchanged field must not move the instant
    const unchanged = expiresAt && key.expiresAt && Math.abs(new Date(expiresAt).getTime() - new Date(key.expiresAt).getTime()) < 60_000;
    if (!unchanged) {
      if (expiresAt && new Date(expiresAt).getTime() <= now) errors.expiresAt = 'must be in the future';
      else body.expiresAt = expiresAt;
    }
  }
  const ips = splitList(values.allowedIps);
  if (!sameList(ips, key.allowedIps)) body.allowedIps = ips;
  const rateLimit = rateLimitOf(values, errors);
  const before = key.rateLimit;
  if (!rateLimit && before) body.rateLimit = null;
  else if (rateLimit && (!before || before.limit !== rateLimit.limit || before.windowSeconds !== rateLimit.windowSeconds)) body.rateLimit = rateLimit;
  if (Object.keys(errors).length) return { errors };
  return { body };
}

/** The latest moment a new key may expire: one year ahead (the server's default KEY_MAX_EXPIRY_DAYS). */
export function maxExpiry(now: number = Date.now(), days = 365): Date {
  return new Date(now + days * 86_400_000);
}
