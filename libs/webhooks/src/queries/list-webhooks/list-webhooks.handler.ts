import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { DataSource } from 'typeorm';
import { Problem } from '@keyward/common';
import { decodeCursor, encodeCursor } from '@keyward/keys';
import { WebhookList } from '../webhook-resources';
import { WebhookRow, selectWebhooks, toWebhookResource } from '../webhook-rows';
import { ListWebhooksQuery } from './list-webhooks.query';

@QueryHandler(ListWebhooksQuery)
export class ListWebhooksHandler implements IQueryHandler<ListWebhooksQuery> {
  constructor(private readonly dataSource: DataSource) {}

  async execute({ companyId, page }: ListWebhooksQuery): Promise<WebhookList> {
    const params: unknown[] = [companyId, page.limit + 1];
    let after = '';
    if (page.cursor) {
      const at = decodeCursor(page.cursor);
      if (!at) throw Problem.invalidField('cursor', 'is not a cursor this API returned');
      params.push(at[0], at[1]);
      after = ' AND (w.created_at, w.id) > ($3::timestamptz, $4::uuid)';
    }
    const rows: WebhookRow[] = await this.dataSource.query(`${selectWebhooks(`w.company_id = $1${after}`)} ORDER BY w.created_at, w.id LIMIT $2`, params);
    const items = rows.slice(0, page.limit).map(toWebhookResource);
    const last = rows.length > page.limit ? items.at(-1)! : null;
    return { items, nextCursor: last ? encodeCursor([last.createdAt, last.id]) : null };
  }
}
