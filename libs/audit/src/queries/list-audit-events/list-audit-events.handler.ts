import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { DataSource } from 'typeorm';
import { Problem } from '@keyward/common';
import { toStoredEvent } from '@keyward/event-store';
import { pageSql, toAuditEvent } from '../../audit-filter';
import { AuditPage, ListAuditEventsQuery, decodePositionCursor, encodePositionCursor } from './list-audit-events.query';

@QueryHandler(ListAuditEventsQuery)
export class ListAuditEventsHandler implements IQueryHandler<ListAuditEventsQuery> {
  constructor(private readonly dataSource: DataSource) {}

  async execute(q: ListAuditEventsQuery): Promise<AuditPage> {
    let from: number | null = null;
    if (q.cursor !== undefined) {
      from = decodePositionCursor(q.cursor, q.order);
      if (from === null) throw Problem.invalidField('cursor', `is not a cursor this API returned for order=${q.order}`);
    }
    const bound = q.order === 'asc' ? { after: from ?? 0 } : { before: from ?? Number.MAX_SAFE_INTEGER };
    const { sql, params } = pageSql(q.filter, bound, q.order, q.limit + 1);
    const rows = await this.dataSource.query(sql, params);
    const items = rows.slice(0, q.limit).map(toStoredEvent).map(toAuditEvent);
    const last = items[items.length - 1];
    return { items, nextCursor: rows.length > q.limit && last ? encodePositionCursor(last.position, q.order) : null };
  }
}
