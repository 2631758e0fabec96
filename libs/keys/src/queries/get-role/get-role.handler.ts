import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { DataSource } from 'typeorm';
import { ROLES, Role } from '@keyward/auth';
import { Problem } from '@keyward/common';
import { RoleResource, builtInRole, companyRole, companyRoles } from '../catalog-resources';
import { GetRoleQuery } from './get-role.query';

@QueryHandler(GetRoleQuery)
export class GetRoleHandler implements IQueryHandler<GetRoleQuery> {
  constructor(private readonly dataSource: DataSource) {}

  async execute({ companyId, name }: GetRoleQuery): Promise<RoleResource> {
    if (Object.prototype.hasOwnProperty.call(ROLES, name)) return builtInRole(name as Role);
    const [row] = await companyRoles(this.dataSource, companyId, name);
    if (!row) throw Problem.notFound(`role ${name}`);
    return companyRole(row);
  }
}
