import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { DataSource } from 'typeorm';
import { ROLES, Role } from '@keyward/auth';
import { RoleResource, builtInRole, companyRole, companyRoles } from '../catalog-resources';
import { ListRolesQuery } from './list-roles.query';

@QueryHandler(ListRolesQuery)
export class ListRolesHandler implements IQueryHandler<ListRolesQuery> {
  constructor(private readonly dataSource: DataSource) {}

  async execute({ companyId }: ListRolesQuery): Promise<{ items: RoleResource[] }> {
    const own = await companyRoles(this.dataSource, companyId);
    return { items: [...(Object.keys(ROLES) as Role[]).map(builtInRole), ...own.map(companyRole)] };
  }
}
