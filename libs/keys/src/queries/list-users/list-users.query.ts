import { Query } from '@nestjs/cqrs';
import { Page, UserResource } from '../resources';

export class ListUsersQuery extends Query<Page<UserResource>> {
  constructor(
    readonly companyId: string,
    readonly filter: { limit: number; cursor?: string },
  ) {
    super();
  }
}
