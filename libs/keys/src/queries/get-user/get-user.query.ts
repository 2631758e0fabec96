import { Query } from '@nestjs/cqrs';
import { UserResource } from '../resources';

export class GetUserQuery extends Query<UserResource> {
  constructor(
    readonly companyId: string,
    readonly userId: string,
  ) {
    super();
  }
}
