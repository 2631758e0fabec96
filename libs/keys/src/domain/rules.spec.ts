import { Problem } from '@keyward/common';
import { CommandContext } from '@keyward/event-store';
import { CatalogState } from './catalog.state';
import {
  assertCoversOwnerOf,
  assertGrantable,
  assertMayManageKeysOf,
  assertNotAbove,
  assertNotBuiltInRole,
  assertWithinRestrictions,
  checkAllowedIps,
  checkExpiry,
  checkMeta,
  checkRolePermissions,
  keyReach,
  resolveKeyGrants,
  resolvePermissions,
  throwIfAny,
} from './rules';

const DAY = 86_400_000;
const now = Date.parse('2026-06-01T00:00:00Z');
const at = (days: number) => new Date(now + days * DAY).toISOString();

const ctx = (permissions: CommandContext['permissions'], extra: Partial<CommandContext> = {}): CommandContext => ({
  companyId: 'c',
  actor: { type: 'key', id: 'k' },
  permissions,
  metadata: {},
  ownerId: 'me',
  ...extra,
});
const catalog = (permissions: string[] = [], roles: Record<string, string[]> = {}): CatalogState => ({
  permissions: new Map(permissions.map((p) => [p, { description: null }])),
  roles: new Map(Object.entries(roles).map(([name, ps]) => [name, { name, description: null, permissions: ps }])),
  version: 1,
});
/** What a rule threw: status, code and the fields it named. */
const thrown = (run: () => unknown) => {
  try {
    run();
  } catch (err) {
    if (!(err instanceof Problem)) throw err;
    const body = err.getResponse() as { code: string; errors?: { field: string }[] };
    return { status: err.getStatus(), code: body.code, fields: (body.errors ?? []).map((e) => e.field) };
  }
  return null;
};

describe('expiry bounds', () => {
  it('no expiry is allowed', () => {
    expect(checkExpiry(undefined, 365, now)).toBeNull();
    expect(checkExpiry(null, 365, now)).toBeNull();
  });
  it('an expiry must be a date, in the future, and within the configured horizon', () => {
    expect(checkExpiry('next week', 365, now)).toMatchObject({ field: 'expiresAt', message: 'must be an ISO 8601 date-time' });
    expect(checkExpiry(at(0), 365, now)).toMatchObject({ message: 'must be in the future' });
    expect(checkExpiry(at(365), 365, now)).toBeNull();
    expect(checkExpiry(new Date(now + 365 * DAY + 1).toISOString(), 365, now)).toMatchObject({ message: 'must be at most 365 days ahead' });
  });
});

describe('allowed addresses and meta', () => {
  it('each entry must be an IPv4/IPv6 address or CIDR, named by its index', () => {
    expect(checkAllowedIps(['10.0.0.1', '2001:db8::/32', '192.0.2.0/24'])).toEqual([]);
    expect(checkAllowedIps(['10.0.0.1', '10.0.0.0/33', 'example.com']).map((e) => e.field)).toEqual(['allowedIps[1]', 'allowedIps[2]']);
    expect(checkAllowedIps(undefined)).toEqual([]);
  });
  it('meta is a JSON object of at most 4 KB', () => {
    expect(checkMeta({ a: 1 })).toBeNull();
    expect(checkMeta(['a'])).toMatchObject({ field: 'meta', message: 'must be a JSON object' });
    expect(checkMeta('text')).toMatchObject({ field: 'meta' });
    expect(checkMeta({ a: 'x'.repeat(4096 - 8) })).toBeNull(); // {"a":"…"} is exactly 4096 bytes
    expect(checkMeta({ a: 'x'.repeat(4096 - 7) })).toMatchObject({ message: 'must be at most 4 KB as JSON' });
  });
  it('field errors become one 400 naming every field', () => {
    expect(thrown(() => throwIfAny([null, { field: 'a', message: 'x' }, { field: 'b', message: 'y' }]))).toEqual({ status: 400, code: 'VALIDATION_FAILED', fields: ['a', 'b'] });
    expect(thrown(() => throwIfAny([null]))).toBeNull();
  });
});

describe('restrictions of a restricted key', () => {
  const restricted = ctx(['keys:write'], { restrictions: { expiresAt: at(10), allowedIps: ['10.0.0.0/8'] } });

  it('an unrestricted caller (or the operator) may hand out anything', () => {
    expect(thrown(() => assertWithinRestrictions(ctx('all'), { expiresAt: null, allowedIps: [] }))).toBeNull();
    expect(thrown(() => assertWithinRestrictions(ctx(['keys:write'], { restrictions: { expiresAt: null, allowedIps: [] } }), { expiresAt: null, allowedIps: [] }))).toBeNull();
  });
  it('the key must expire no later than the caller, and never without expiry', () => {
    expect(thrown(() => assertWithinRestrictions(restricted, { expiresAt: at(10), allowedIps: ['10.1.2.3'] }))).toBeNull();
    expect(thrown(() => assertWithinRestrictions(restricted, { expiresAt: at(11), allowedIps: ['10.1.2.3'] }))).toMatchObject({ status: 403, fields: ['expiresAt'] });
    expect(thrown(() => assertWithinRestrictions(restricted, { expiresAt: null, allowedIps: ['10.1.2.3'] }))).toMatchObject({ fields: ['expiresAt'] });
  });
  it("the key must be limited to addresses inside the caller's networks", () => {
    expect(thrown(() => assertWithinRestrictions(restricted, { expiresAt: at(1), allowedIps: ['10.9.0.0/16'] }))).toBeNull();
    expect(thrown(() => assertWithinRestrictions(restricted, { expiresAt: at(1), allowedIps: ['10.0.0.1', '192.0.2.1'] }))).toMatchObject({ fields: ['allowedIps'] });
    expect(thrown(() => assertWithinRestrictions(restricted, { expiresAt: at(1), allowedIps: ['0.0.0.0/0'] }))).toMatchObject({ fields: ['allowedIps'] });
    expect(thrown(() => assertWithinRestrictions(restricted, { expiresAt: at(1), allowedIps: [] }))).toMatchObject({ fields: ['allowedIps'] });
  });
  it('only the fields given are checked; settings not the request own are named once under the field given', () => {
    expect(thrown(() => assertWithinRestrictions(restricted, {}))).toBeNull();
    expect(thrown(() => assertWithinRestrictions(restricted, { expiresAt: null, allowedIps: [] }, 'the key', 'keyId'))).toEqual({
      status: 403,
      code: 'INSUFFICIENT_PERMISSIONS',
      fields: ['keyId'],
    });
  });
});

describe('permission checks', () => {
  it('a caller can grant only what it has; the operator can grant anything', () => {
    expect(thrown(() => assertGrantable(ctx('all'), ['admin.system.api'], 'permissions'))).toBeNull();
    expect(thrown(() => assertGrantable(ctx(['keys:read', 'keys:write']), ['keys:read'], 'permissions'))).toBeNull();
    expect(thrown(() => assertGrantable(ctx(['keys:write']), ['keys:read'], 'role'))).toEqual({ status: 403, code: 'INSUFFICIENT_PERMISSIONS', fields: ['role'] });
  });
  it("a key manages its own owner's keys with keys:write alone; another user's need users:write", () => {
    expect(thrown(() => assertMayManageKeysOf(ctx(['keys:write']), 'me'))).toBeNull();
    expect(thrown(() => assertMayManageKeysOf(ctx(['keys:write']), 'other'))).toMatchObject({ status: 403, fields: ['ownerId'] });
    expect(thrown(() => assertMayManageKeysOf(ctx(['keys:write', 'users:write']), 'other'))).toBeNull();
  });
  it("acting on another user's key needs a caller covering that user's permissions", () => {
    const owner = { permissions: ['keys:read', 'audit:read'] };
    expect(thrown(() => assertCoversOwnerOf(ctx(['users:write', 'keys:read']), { ownerId: 'other' }, owner))).toMatchObject({ status: 403, fields: ['keyId'] });
    expect(thrown(() => assertCoversOwnerOf(ctx(['users:write', 'keys:read', 'audit:read']), { ownerId: 'other' }, owner))).toBeNull();
    expect(thrown(() => assertCoversOwnerOf(ctx(['keys:write']), { ownerId: 'me' }, owner))).toBeNull();
  });
  it('a caller cannot change a user who has a permission it lacks', () => {
    expect(thrown(() => assertNotAbove(ctx(['users:write']), ['users:write', 'audit:read']))).toMatchObject({ status: 403, code: 'INSUFFICIENT_PERMISSIONS' });
    expect(thrown(() => assertNotAbove(ctx('all'), ['admin.system.api']))).toBeNull();
  });
  it("an administration key reaches all of its owner's permissions, a standard key its own", () => {
    expect(keyReach('administration', [], ['keys:read', 'users:write'])).toEqual(['keys:read', 'users:write']);
    expect(keyReach('standard', ['keys:read'], ['keys:read', 'users:write'])).toEqual(['keys:read']);
  });
});

describe('grants of users and keys', () => {
  it('a user gets either permissions or a role, normalised', () => {
    expect(resolvePermissions({ permissions: ['users:read', 'keys:read', 'keys:read'] }, null)).toEqual(['keys:read', 'users:read']);
    expect(resolvePermissions({ role: 'READONLY' }, null)).toEqual(['audit:read', 'keys:read', 'users:read']);
    expect(resolvePermissions({}, ['x'])).toEqual(['x']);
    expect(thrown(() => resolvePermissions({ permissions: [], role: 'ADMIN' }, null))).toMatchObject({ status: 400, fields: ['role'] });
  });
  it("a key's permissions and roles must exist in the company's catalog, each unknown one named", () => {
    const c = catalog(['invoices:read'], { billing: ['invoices:read'] });
    expect(resolveKeyGrants({ permissions: ['keys:read', 'invoices:read'] }, c)).toEqual({ permissions: ['keys:read', 'invoices:read'], roles: [] });
    expect(thrown(() => resolveKeyGrants({ permissions: ['invoices:write'], roles: ['billing', 'support'] }, c))).toEqual({
      status: 422,
      code: 'UNKNOWN_PERMISSION_OR_ROLE',
      fields: ['permissions[0]', 'roles[1]'],
    });
    expect(thrown(() => resolveKeyGrants({ role: 'support' }, c))).toMatchObject({ fields: ['role'] });
    expect(thrown(() => resolveKeyGrants({ role: 'billing', roles: [] }, c))).toMatchObject({ status: 400, fields: ['role'] });
    expect(resolveKeyGrants({}, c)).toBeNull();
  });
  it('a built-in role sets the Keyward permissions; a company role leaves them; an edit keeps what is not given', () => {
    const c = catalog(['invoices:read'], { billing: ['invoices:read'] });
    expect(resolveKeyGrants({ role: 'READONLY' }, c)).toEqual({ permissions: ['audit:read', 'keys:read', 'users:read'], roles: ['READONLY'] });
    const current = { permissions: ['keys:write', 'invoices:read'], roles: ['READONLY'] };
    expect(resolveKeyGrants({ roles: ['billing'] }, c, current)).toEqual({ permissions: ['keys:write', 'invoices:read'], roles: ['billing'] });
    expect(resolveKeyGrants({ permissions: ['keys:read'] }, c, current)).toEqual({ permissions: ['keys:read'], roles: [] });
  });
  it("a company role holds only defined company permissions, never Keyward's own", () => {
    const c = catalog(['invoices:read', 'invoices:write']);
    expect(checkRolePermissions(['invoices:write', 'invoices:read', 'invoices:write'], c)).toEqual(['invoices:read', 'invoices:write']);
    expect(thrown(() => checkRolePermissions(['invoices:read', 'keys:write', 'nope:x'], c))).toEqual({
      status: 422,
      code: 'UNKNOWN_PERMISSION_OR_ROLE',
      fields: ['permissions[1]', 'permissions[2]'],
    });
  });
  it('ADMIN and READONLY in any case are built in', () => {
    expect(thrown(() => assertNotBuiltInRole('ReadOnly'))).toEqual({ status: 409, code: 'BUILT_IN_ROLE', fields: ['name'] });
    expect(thrown(() => assertNotBuiltInRole('billing'))).toBeNull();
  });
});
