import { InvalidArgumentError, Option } from 'commander';
import { PERMISSIONS, ROLES, Role } from '@keyward/auth';

/**
 * Checks of command-line values, done before any database or HTTP work so a typo is
 * named at once (the operator bypasses the API's request validation).
 */

export const jsonOption = () => new Option('--json', 'print one JSON line instead of a table (no progress bar)');

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function uuid(value: string): string {
  if (!UUID.test(value)) throw new InvalidArgumentError('must be a UUID.');
  return value.toLowerCase();
}

export const integer = (min: number, max: number) => (value: string): number => {
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n < min || n > max) {
    throw new InvalidArgumentError(`must be a whole number from ${min} to ${max}.`);
  }
  return n;
};

/** A comma-separated list of known permissions; an unknown one is refused, never dropped. */
export function permissionList(value: string): string[] {
  const list = value.split(',').map((p) => p.trim()).filter(Boolean);
  const unknown = list.filter((p) => !(PERMISSIONS as readonly string[]).includes(p));
  if (list.length === 0) throw new InvalidArgumentError(`give at least one of ${PERMISSIONS.join(', ')}.`);
  if (unknown.length) throw new InvalidArgumentError(`unknown permission ${unknown.join(', ')} (known: ${PERMISSIONS.join(', ')}).`);
  return list;
}

export function role(value: string): Role {
  const name = value.toUpperCase();
  if (!(name in ROLES)) throw new InvalidArgumentError(`must be one of ${Object.keys(ROLES).join(', ')}.`);
  return name as Role;
}

export function isoInstant(value: string): string {
  if (!/^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:\d\d)$/.test(value) || Number.isNaN(Date.parse(value))) {
    throw new InvalidArgumentError('must be an ISO 8601 date-time with a time zone, e.g. 2026-11-23T12:00:00Z.');
  }
  return value;
}

export const permissionsHelp = `comma-separated, of ${PERMISSIONS.join(', ')}`;
export const roleHelp = `${Object.keys(ROLES).join(' or ')} (instead of --permissions)`;
