import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AttemptOutcome } from './webhook-sender';

/** One POST to a receiver, as the delivery log keeps it. */
export interface WebhookAttempt extends AttemptOutcome {
  webhookId: string;
  attemptedAt: Date;
  /** Log position of the event sent; null for a test delivery. */
  position: number | null;
  eventType: string;
  /** 1 for the first attempt at this event, then 2, 3, … */
  attempt: number;
  test: boolean;
}

const COLUMNS = 10;

/** `webhook_deliveries`: every attempt, with its status and duration (written in one statement per round). */
@Injectable()
export class WebhookDeliveryLog {
  constructor(private readonly dataSource: DataSource) {}

  async record(attempts: WebhookAttempt[]): Promise<void> {
    if (attempts.length === 0) return;
    const params: unknown[] = [];
    const rows = attempts.map((a, i) => {
      params.push(a.webhookId, a.attemptedAt, a.position, a.eventType, a.attempt, a.status, a.ok, a.durationMs, a.error, a.test);
      return `(${Array.from({ length: COLUMNS }, (_, c) => `$${i * COLUMNS + c + 1}`).join(', ')})`;
    });
    await this.dataSource.query(
      `INSERT INTO webhook_deliveries (webhook_id, attempted_at, position, event_type, attempt, status, ok, duration_ms, error, test) VALUES ${rows.join(', ')}`,
      params,
    );
  }

  /** Removes attempts older than `days` (the events themselves stay in the log). */
  async trim(days: number): Promise<number> {
    const [, count]: [unknown[], number] = await this.dataSource.query(
      `DELETE FROM webhook_deliveries WHERE attempted_at < now() - $1 * interval '1 day'`,
      [days],
    );
    return count;
  }
}
