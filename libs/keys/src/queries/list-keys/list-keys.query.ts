import { Query } from '@nestjs/cqrs';
import { KeyResource, Page } from '../resources';

export type KeySort = 'createdAt' | 'lastUsedAt' | 'name';

export interface ListKeysFilter {
  status?: ('active' | 'revoked' | 'expired')[];
  ownerId?: string;
  q?: string;
  /** The customer's own id for the key's holder. */
  externalId?: string;
  /** Never used, or last used before this instant. */
  unusedSince?: Date;
  /** createdAt (default, newest first), lastUsedAt (most recent first; never used last), name (A→Z); `order` reverses. */
  sort?: KeySort;
  order?: 'asc' | 'desc';
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
