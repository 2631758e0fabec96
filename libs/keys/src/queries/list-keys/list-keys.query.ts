import { Query } from '@nestjs/cqrs';
import { KeyResource, Page } from '../resources';

export interface ListKeysFilter {
  status?: ('active' | 'revoked' | 'expired')[];
  ownerId?: string;
  q?: string;
  limit: number;
  cursor?: string;
}

export class ListKeysQuery extends Query<Page<KeyResource>> {
  constructor(
    readonly companyId: string,
    readonly filter: ListKeysFilter,
  ) {
    super();
  }
}
