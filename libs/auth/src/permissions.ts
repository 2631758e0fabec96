export const PERMISSIONS = [
  'keys:read',
  'keys:write',
  'keys:verify',
  'users:read',
  'users:write',
  'audit:read',
  'admin.system.api',
] as const;

export type Permission = (typeof PERMISSIONS)[number];

export const ROLES = {
  ADMIN: [...PERMISSIONS] as Permission[],
  READONLY: PERMISSIONS.filter((p) => p.endsWith(':read')) as Permission[],
} as const;

export type Role = keyof typeof ROLES;

export function isPermission(p: unknown): p is Permission {
  return typeof p === 'string' && (PERMISSIONS as readonly string[]).includes(p);
}

/** Sorted, de-duplicated; the one spelling of a permission set everywhere (events, tables, responses). */
export function normalisePermissions(list: readonly string[]): Permission[] {
  return [...new Set(list.filter(isPermission))].sort() as Permission[];
}

export function intersect(a: readonly string[], b: readonly string[]): Permission[] {
  const set = new Set(b);
  return normalisePermissions(a.filter((p) => set.has(p)));
}
