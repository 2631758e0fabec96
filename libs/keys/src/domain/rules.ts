import { ROLES, Role, allowedIpWithin, isBuiltInRole, isPermission, normalisePermissions, parseAllowedIp, splitPermissions } from '@keyward/auth';
import { FieldError, Problem } from '@keyward/common';
import { CatalogState } from './catalog.state';
import { CommandContext } from '@keyward/event-store';

/** Permissions from either an explicit list or a role preset (never both). */
export function resolvePermissions(
  input: { permissions?: string[]; role?: Role },
  fallback: string[] | null,
): string[] | null {
  if (input.permissions !== undefined && input.role !== undefined) {
    throw Problem.invalidField('role', 'give either permissions or role, not both');
  }
  if (input.role !== undefined) return normalisePermissions(ROLES[input.role]);
  if (input.permissions !== undefined) return normalisePermissions(input.permissions);
  return fallback;
}

/** What a key is given: permissions (Keyward's own and the company's) and roles (built-in and the company's). */
export interface KeyGrants {
  permissions: string[];
  roles: string[];
}

/**
 * The grants of a new or edited key, each name checked against the company's catalog (422 naming
 * the field when it does not exist). `role` is a shorthand for one role. A built-in role (ADMIN,
 * READONLY) sets the key's Keyward permissions, as `role` always did, and is remembered; a company
 * role is held by name, so editing the role changes the key. When editing (`current`), what is not
 * given is kept; new permissions drop the built-in role names (they no longer describe the key).
 * Null when nothing is given.
 */
export function resolveKeyGrants(
  input: { permissions?: string[]; role?: string; roles?: string[] },
  catalog: CatalogState,
  current?: KeyGrants,
): KeyGrants | null {
  if (input.role !== undefined && input.roles !== undefined) throw Problem.invalidField('role', 'give role or roles, not both');
  const rolesGiven = input.role !== undefined ? [input.role] : input.roles;
  if (input.permissions === undefined && rolesGiven === undefined) return null;

  const errors: FieldError[] = [];
  (input.permissions ?? []).forEach((p, i) => {
    if (!isPermission(p) && !catalog.permissions.has(p)) {
      errors.push({ field: `permissions[${i}]`, message: `no permission ${p} in this company: define it first (POST /v1/permissions)` });
    }
  });
  (rolesGiven ?? []).forEach((r, i) => {
    if (!isBuiltInRole(r) && !catalog.roles.has(r)) {
      errors.push({ field: input.role !== undefined ? 'role' : `roles[${i}]`, message: `no role ${r} in this company: define it first (POST /v1/roles)` });
    }
  });
  if (errors.length > 0) throw new Problem(422, 'UNKNOWN_PERMISSION_OR_ROLE', errors.map((e) => `${e.field}: ${e.message}`).join('; '), errors);

  // what is kept of the key's own grants: only what the catalog still has (a removal may have raced an edit)
  const roles = [...new Set(rolesGiven ?? current?.roles.filter((r) => catalog.roles.has(r)) ?? [])].sort();
  const kept = splitPermissions(current?.permissions ?? []);
  kept.company = kept.company.filter((p) => catalog.permissions.has(p));
  const given = splitPermissions(input.permissions ?? []);
  // a built-in role sets the Keyward permissions (as `role` always did); company roles leave them
  const keyward = input.permissions !== undefined ? given.keyward : roles.some(isBuiltInRole) ? [] : kept.keyward;
  const fromRoles = roles.filter(isBuiltInRole).flatMap((r) => ROLES[r]);
  const company = input.permissions !== undefined ? given.company : kept.company;
  return { permissions: [...normalisePermissions([...keyward, ...fromRoles]), ...company], roles };
}

/**
 * A company role holds company permissions that exist (422 naming `permissions[i]` otherwise).
 * Keyward's own permissions are given to keys directly, never through a role someone with
 * keys:write could later widen.
 */
export function checkRolePermissions(permissions: string[], catalog: CatalogState): string[] {
  const errors: FieldError[] = [];
  permissions.forEach((p, i) => {
    if (isPermission(p)) errors.push({ field: `permissions[${i}]`, message: `${p} is one of Keyward's own permissions: give it to keys directly` });
    else if (!catalog.permissions.has(p)) errors.push({ field: `permissions[${i}]`, message: `no permission ${p} in this company: define it first` });
  });
  if (errors.length > 0) throw new Problem(422, 'UNKNOWN_PERMISSION_OR_ROLE', errors.map((e) => `${e.field}: ${e.message}`).join('; '), errors);
  return [...new Set(permissions)].sort();
}

/** ADMIN and READONLY (any case) are Keyward's: never a company role's name, never edited or deleted. */
export function assertNotBuiltInRole(name: string, field = 'name'): void {
  if (Object.keys(ROLES).some((r) => r.toLowerCase() === name.toLowerCase())) {
    throw new Problem(409, 'BUILT_IN_ROLE', `${field}: ${name} is a built-in role`, [{ field, message: 'is a built-in role (ADMIN, READONLY)' }]);
  }
}

/** A caller cannot hand out a permission its own key does not have. */
export function assertGrantable(ctx: CommandContext, requested: readonly string[], field: string): void {
  if (ctx.permissions === 'all') return;
  const have = new Set(ctx.permissions);
  const extra = requested.filter((p) => !have.has(p));
  if (extra.length > 0) {
    throw new Problem(403, 'INSUFFICIENT_PERMISSIONS', `${field}: this key cannot grant ${extra.join(', ')}`, [
      { field, message: `cannot grant ${extra.join(', ')}: the calling key does not have it` },
    ]);
  }
}

export function has(ctx: CommandContext, permission: string): boolean {
  return ctx.permissions === 'all' || ctx.permissions.includes(permission);
}

/**
 * Acting on another user's key (create, edit, revoke, rotate, delete) needs users:write;
 * a key manages its own owner's keys with keys:write alone.
 */
export function assertMayManageKeysOf(ctx: CommandContext, ownerId: string): void {
  if (ownerId === ctx.ownerId || has(ctx, 'users:write')) return;
  throw new Problem(403, 'INSUFFICIENT_PERMISSIONS', "managing another user's keys needs users:write", [
    { field: 'ownerId', message: "managing another user's keys needs users:write" },
  ]);
}

/** What a key would be able to do: all of its owner's rights for an administration key. */
export function keyReach(type: 'standard' | 'administration', permissions: readonly string[], ownerPermissions: readonly string[]): string[] {
  return type === 'administration' ? [...ownerPermissions] : [...permissions];
}

/**
 * A caller cannot change a user who may do more than the caller: no demoting, disabling
 * or re-enabling someone with rights the calling key lacks.
 */
export function assertNotAbove(ctx: CommandContext, targetPermissions: readonly string[]): void {
  if (ctx.permissions === 'all') return;
  const have = new Set(ctx.permissions);
  const above = targetPermissions.filter((p) => !have.has(p));
  if (above.length > 0) {
    throw new Problem(403, 'INSUFFICIENT_PERMISSIONS', `this user has ${above.join(', ')}, which the calling key lacks`);
  }
}

/**
 * Revoking or deleting another user's key changes what that user can do: like editing the user,
 * it needs a calling key that covers every permission the user holds (users:write alone does
 * not let a lesser key cut off an administrator).
 */
export function assertCoversOwnerOf(ctx: CommandContext, key: { ownerId: string }, owner: { permissions: readonly string[] }): void {
  if (key.ownerId === ctx.ownerId || ctx.permissions === 'all') return;
  const have = new Set(ctx.permissions);
  const above = owner.permissions.filter((p) => !have.has(p));
  if (above.length > 0) {
    throw new Problem(403, 'INSUFFICIENT_PERMISSIONS', `the key's owner has ${above.join(', ')}, which the calling key lacks`, [
      { field: 'keyId', message: `the key's owner has ${above.join(', ')}, which the calling key lacks` },
    ]);
  }
}

/**
 * A key with an expiry or allowed addresses cannot hand out more than it has: the keys it
 * creates, edits or rotates must expire no later than it does and be usable only from
 * inside its own networks. Only the given fields are checked (an edit of the name of an
 * unrestricted sibling key widens nothing).
 */
export function assertWithinRestrictions(
  ctx: CommandContext,
  target: { expiresAt?: string | null; allowedIps?: readonly string[] },
  subject: 'the new key' | 'the key' = 'the new key',
  /** The request field to name when the settings are not the request's own (rotation: keyId). */
  asField?: string,
): void {
  const own = ctx.restrictions;
  if (!own) return;
  const errors: FieldError[] = [];
  if (own.expiresAt && target.expiresAt !== undefined) {
    const limit = Date.parse(own.expiresAt);
    if (target.expiresAt === null || Date.parse(target.expiresAt) > limit) {
      errors.push({ field: asField ?? 'expiresAt', message: `${subject} must expire no later than the calling key (${own.expiresAt})` });
    }
  }
  if (own.allowedIps.length > 0 && target.allowedIps !== undefined) {
    const outside = target.allowedIps.filter((entry) => !allowedIpWithin(entry, own.allowedIps));
    if (target.allowedIps.length === 0 || outside.length > 0) {
      errors.push({
        field: asField ?? 'allowedIps',
        message:
          target.allowedIps.length === 0
            ? `${subject} must be limited to the calling key's allowed addresses (${own.allowedIps.join(', ')})`
            : `${outside.join(', ')}: outside the calling key's allowed addresses (${own.allowedIps.join(', ')})`,
      });
    }
  }
  if (errors.length === 0) return;
  // settings that are not the request's own are named once, under the field given
  const named = asField ? [{ field: asField, message: errors.map((e) => e.message).join('; ') }] : errors;
  throw new Problem(403, 'INSUFFICIENT_PERMISSIONS', named.map((e) => `${e.field}: ${e.message}`).join('; '), named);
}

/** The customer's own data about a key: a JSON object of at most 4 KB (as JSON text). */
export function checkMeta(meta: unknown): FieldError | null {
  if (meta === undefined || meta === null) return null;
  if (typeof meta !== 'object' || Array.isArray(meta)) return { field: 'meta', message: 'must be a JSON object' };
  if (Buffer.byteLength(JSON.stringify(meta), 'utf8') > 4096) return { field: 'meta', message: 'must be at most 4 KB as JSON' };
  return null;
}

/** Expiry in the future and within the configured horizon. */
export function checkExpiry(expiresAt: string | null | undefined, maxDays: number, now: number): FieldError | null {
  if (expiresAt === undefined || expiresAt === null) return null;
  const t = Date.parse(expiresAt);
  if (Number.isNaN(t)) return { field: 'expiresAt', message: 'must be an ISO 8601 date-time' };
  if (t <= now) return { field: 'expiresAt', message: 'must be in the future' };
  if (t > now + maxDays * 86_400_000) return { field: 'expiresAt', message: `must be at most ${maxDays} days ahead` };
  return null;
}

export function checkAllowedIps(list: string[] | undefined): FieldError[] {
  return (list ?? []).flatMap((entry, i) =>
    parseAllowedIp(entry) ? [] : [{ field: `allowedIps[${i}]`, message: 'must be an IPv4/IPv6 address or CIDR' }],
  );
}

export function throwIfAny(errors: (FieldError | null)[]): void {
  const list = errors.filter((e): e is FieldError => e !== null);
  if (list.length > 0) {
    throw new Problem(400, 'VALIDATION_FAILED', list.map((e) => `${e.field}: ${e.message}`).join('; '), list);
  }
}
