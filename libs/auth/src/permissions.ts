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

/** The characters of any permission name, Keyward's or a company's (request validation). */
export const PERMISSION_NAME_SHAPE = /^[a-z0-9_.:-]{1,100}$/;

/** A company's own permission: 3..100 of a-z 0-9 _ - . :, with a ':' or '.' (e.g. invoices:write). */
export const COMPANY_PERMISSION = /^[a-z0-9_.:-]{3,100}$/;

/** Why a name cannot be a company permission, or null when it can. */
export function companyPermissionNameProblem(name: string): string | null {
  if (!COMPANY_PERMISSION.test(name)) return 'must be 3 to 100 characters of lowercase letters, digits, _ - . :';
  if (!/[:.]/.test(name)) return 'must contain ":" or "." (for example invoices:write)';
  return null;
}

/** A company role's name: 2..64 of letters, digits, _ - . : (ADMIN and READONLY are built in). */
export const ROLE_NAME = /^[A-Za-z0-9_.:-]{2,64}$/;

export function roleNameProblem(name: string): string | null {
  return ROLE_NAME.test(name) ? null : 'must be 2 to 64 characters of letters, digits, _ - . :';
}

export function isBuiltInRole(name: string): name is Role {
  return Object.prototype.hasOwnProperty.call(ROLES, name);
}

/** Keyward's own permissions among `list`, and the others (the company's), each sorted and de-duplicated. */
export function splitPermissions(list: readonly string[]): { keyward: Permission[]; company: string[] } {
  return { keyward: normalisePermissions(list), company: [...new Set(list.filter((p) => !isPermission(p)))].sort() };
}
