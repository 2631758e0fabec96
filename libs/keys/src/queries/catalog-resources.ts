import { DataSource } from 'typeorm';
import { ROLES, Role } from '@keyward/auth';

/** A company's own permission, as the API shows it. */
export interface PermissionResource {
  name: string;
  description: string | null;
  createdAt: string;
}

/** A role: built-in (ADMIN, READONLY: Keyward's own permissions, fixed) or the company's own. */
export interface RoleResource {
  name: string;
  description: string | null;
  permissions: string[];
  builtIn: boolean;
  createdAt: string | null;
  updatedAt: string | null;
}

const BUILT_IN_DESCRIPTIONS: Record<Role, string> = {
  ADMIN: "every Keyward permission (within the key owner's)",
  READONLY: "every Keyward read permission (within the key owner's)",
};

export const builtInRole = (name: Role): RoleResource => ({
  name,
  description: BUILT_IN_DESCRIPTIONS[name],
  permissions: [...ROLES[name]].sort(),
  builtIn: true,
  createdAt: null,
  updatedAt: null,
});

export interface RoleRow {
  name: string;
  description: string | null;
  permissions: string[];
  created_at: Date;
  updated_at: Date;
}

export const companyRole = (r: RoleRow): RoleResource => ({
  name: r.name,
  description: r.description,
  permissions: r.permissions,
  builtIn: false,
  createdAt: r.created_at.toISOString(),
  updatedAt: r.updated_at.toISOString(),
});

export async function companyRoles(dataSource: DataSource, companyId: string, name?: string): Promise<RoleRow[]> {
  return dataSource.query(
    `SELECT name, description, permissions, created_at, updated_at FROM company_roles
      WHERE company_id = $1 AND ($2::text IS NULL OR name = $2) ORDER BY name`,
    [companyId, name ?? null],
  );
}

