import { Query } from '@nestjs/cqrs';
import { PermissionResource } from '../catalog-resources';

/** The company's own permissions, by name. */
export class ListPermissionsQuery extends Query<{ items: PermissionResource[] }> {
  constructor(readonly companyId: string) {
    super();
  }
}
