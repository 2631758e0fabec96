import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { DataSource } from 'typeorm';
import { PermissionResource } from '../catalog-resources';
import { ListPermissionsQuery } from './list-permissions.query';

@QueryHandler(ListPermissionsQuery)
export class ListPermissionsHandler implements IQueryHandler<ListPermissionsQuery> {
  constructor(private readonly dataSource: DataSource) {}

  async execute({ companyId }: ListPermissionsQuery): Promise<{ items: PermissionResource[] }> {
    const rows: { name: string; description: string | null; created_at: Date }[] = await this.dataSource.query(
      'SELECT name, description, created_at FROM company_permissions WHERE company_id = $1 ORDER BY name',
      [companyId],
    );
    return { items: rows.map((r) => ({ name: r.name, description: r.description, createdAt: r.created_at.toISOString() })) };
  }
}
