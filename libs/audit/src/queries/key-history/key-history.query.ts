import { Query } from '@nestjs/cqrs';
import { AuditPage } from '../list-audit-events/list-audit-events.query';

/** Every event about one key (lifecycle, use, refusals), in log order; deleted keys included. */
export class KeyHistoryQuery extends Query<AuditPage> {
  constructor(
    readonly companyId: string,
    readonly keyId: string,
    readonly limit: number,
    readonly cursor?: string,
  ) {
    super();
  }
}
