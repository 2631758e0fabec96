import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { DataSource } from 'typeorm';
import { Problem } from '@keyward/common';
import { WebhookDeliveryList } from '../webhook-resources';
import { ListDeliveriesQuery } from './list-deliveries.query';

interface DeliveryRow {
  id: string;
  attempted_at: Date;
  position: string | null;
  event_type: string;
  attempt: number;
  status: number | null;
  ok: boolean;
  duration_ms: number;
  error: string | null;
  test: boolean;
}

const cursorOf = (id: string) => Buffer.from(`d:${id}`).toString('base64url');
function idOf(cursor: string): string | null {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  return /^d:[1-9]\d{0,17}$/.test(text) ? text.slice(2) : null;
}

@QueryHandler(ListDeliveriesQuery)
export class ListDeliveriesHandler implements IQueryHandler<ListDeliveriesQuery> {
  constructor(private readonly dataSource: DataSource) {}

  async execute({ companyId, webhookId, page }: ListDeliveriesQuery): Promise<WebhookDeliveryList> {
    // the webhook's deliveries stay readable after it was deleted (its log is its history)
    const owned: unknown[] = await this.dataSource.query('SELECT 1 FROM webhooks WHERE id = $1 AND company_id = $2', [webhookId, companyId]);
    if (owned.length === 0) throw Problem.notFound('the webhook');
    const params: unknown[] = [webhookId, page.limit + 1];
    let before = '';
    if (page.cursor) {
      const id = idOf(page.cursor);
      if (!id) throw Problem.invalidField('cursor', 'is not a cursor this API returned');
      params.push(id);
      before = ' AND id < $3';
    }
    const rows: DeliveryRow[] = await this.dataSource.query(
      `SELECT id, attempted_at, position, event_type, attempt, status, ok, duration_ms, error, test
         FROM webhook_deliveries WHERE webhook_id = $1${before} ORDER BY id DESC LIMIT $2`,
      params,
    );
    const items = rows.slice(0, page.limit).map((r) => ({
      id: String(r.id),
      attemptedAt: r.attempted_at.toISOString(),
      position: r.position === null ? null : Number(r.position),
      eventType: r.event_type,
      attempt: r.attempt,
      status: r.status,
      ok: r.ok,
      durationMs: r.duration_ms,
      error: r.error,
      test: r.test,
    }));
    return { items, nextCursor: rows.length > page.limit ? cursorOf(items.at(-1)!.id) : null };
  }
}
