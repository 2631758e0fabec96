import { Query } from '@nestjs/cqrs';
import { KeyResource } from '../resources';

export class GetKeyQuery extends Query<KeyResource> {
  constructor(
    readonly companyId: string,
    readonly keyId: string,
  ) {
    super();
  }
}
