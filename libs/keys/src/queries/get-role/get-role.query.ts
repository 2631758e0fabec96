import { Query } from '@nestjs/cqrs';
import { RoleResource } from '../catalog-resources';

export class GetRoleQuery extends Query<RoleResource> {
  constructor(
    readonly companyId: string,
    readonly name: string,
  ) {
    super();
  }
}
