import { Query } from '@nestjs/cqrs';
import { RoleResource } from '../catalog-resources';

/** The built-in roles, then the company's own, by name. */
export class ListRolesQuery extends Query<{ items: RoleResource[] }> {
  constructor(readonly companyId: string) {
    super();
  }
}
