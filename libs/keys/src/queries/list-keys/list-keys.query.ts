import { Query } from '@nestjs/cqrs';
import { KeyResource, Page } from '../resources';

export interface ListKeysFilter {
  status?: ('active' | 'revoked' | 'expired')[];
  ownerId?: string;
  q?: string;
  /** The customer's own id for the key's holder. */
  externalId?: string;
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
