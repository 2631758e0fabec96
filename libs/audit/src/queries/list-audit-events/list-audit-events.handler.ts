import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { DataSource } from 'typeorm';
import { Problem } from '@keyward/common';
import { toStoredEvent } from '@keyward/event-store';
import { EVENT_COLUMNS, filterSql, toAuditEvent } from '../../audit-filter';
import { AuditPage, ListAuditEventsQuery, decodePositionCursor, encodePositionCursor } from './list-audit-events.query';

@QueryHandler(ListAuditEventsQuery)
export class ListAuditEventsHandler implements IQueryHandler<ListAuditEventsQuery> {
  constructor(private readonly dataSource: DataSource) {}

  async execute(q: ListAuditEventsQuery): Promise<AuditPage> {
    let after = 0;
    if (q.cursor !== undefined) {
      const decoded = decodePositionCursor(q.cursor);
      if (decoded === null) throw Problem.invalidField('cursor', 'is not a cursor this API returned');
      after = decoded;
    }
    const { where, params } = filterSql(q.filter, after);
    const rows = await this.dataSource.query(
      `SELECT ${EVENT_COLUMNS} FROM events WHERE ${where} ORDER BY position LIMIT ${q.limit + 1}`,
      params,
    );
    const items = rows.slice(0, q.limit).map(toStoredEvent).map(toAuditEvent);
    const last = items[items.length - 1];
    return { items, nextCursor: rows.length > q.limit && last ? encodePositionCursor(last.position) : null };
  }
}
