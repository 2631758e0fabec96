import { EntityManager } from 'typeorm';
import { BACKLOG_COUNT_LIMIT, WebhookResource } from './webhook-resources';

export interface WebhookRow {
  id: string;
  company_id: string;
  url: string;
  events: string[];
  description: string | null;
  created_at: Date;
  delivered_position: string;
  failing_since: Date | null;
  next_attempt_at: Date | null;
  last_attempt_at: Date | null;
  last_status: number | null;
  last_error: string | null;
  backlog: number;
}

/**
 * Webhooks of a company with their delivery state and backlog (events of their types after the
 * cursor, counted up to a limit so a long outage never makes the list slow).
 */
export function selectWebhooks(where: string): string {
  return `SELECT w.id, w.company_id, w.url, w.events, w.description, w.created_at,
                 c.delivered_position, c.failing_since, c.next_attempt_at, c.last_attempt_at, c.last_status, c.last_error,
                 (SELECT count(*)::int FROM (
                    SELECT 1 FROM events e
                     WHERE e.company_id = w.company_id AND e.position > c.delivered_position
                       AND ('*' = ANY(w.events) OR e.type = ANY(w.events))
                     LIMIT ${BACKLOG_COUNT_LIMIT}) pending) AS backlog
            FROM webhooks w JOIN webhook_cursors c ON c.webhook_id = w.id
           WHERE w.deleted_at IS NULL AND ${where}`;
}

export function toWebhookResource(r: WebhookRow): WebhookResource {
  return {
    id: r.id,
    url: r.url,
    events: r.events,
    description: r.description,
    createdAt: r.created_at.toISOString(),
    state: r.failing_since ? 'failing' : 'active',
    backlog: r.backlog,
    deliveredPosition: Number(r.delivered_position),
    lastDeliveryAt: r.last_attempt_at?.toISOString() ?? null,
    lastStatus: r.last_status,
    lastError: r.last_error,
    failingSince: r.failing_since?.toISOString() ?? null,
    nextAttemptAt: r.next_attempt_at?.toISOString() ?? null,
  };
}

export async function findWebhook(m: EntityManager, companyId: string, id: string): Promise<WebhookResource | null> {
  const rows: WebhookRow[] = await m.query(selectWebhooks('w.company_id = $1 AND w.id = $2'), [companyId, id]);
  return rows[0] ? toWebhookResource(rows[0]) : null;
}
