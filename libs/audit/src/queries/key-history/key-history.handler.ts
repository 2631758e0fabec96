import { IQueryHandler, QueryBus, QueryHandler } from '@nestjs/cqrs';
import { Problem } from '@keyward/common';
import { ListAuditEventsQuery } from '../list-audit-events/list-audit-events.query';
import { AuditPage } from '../list-audit-events/list-audit-events.query';
import { KeyHistoryQuery } from './key-history.query';

@QueryHandler(KeyHistoryQuery)
export class KeyHistoryHandler implements IQueryHandler<KeyHistoryQuery> {
  constructor(private readonly queries: QueryBus) {}

  async execute(q: KeyHistoryQuery): Promise<AuditPage> {
    const page = await this.queries.execute(
      new ListAuditEventsQuery({ companyId: q.companyId, keyId: q.keyId }, q.limit, q.cursor),
    );
    if (page.items.length === 0 && q.cursor === undefined) throw Problem.notFound(`key ${q.keyId}`);
    return page;
  }
}
