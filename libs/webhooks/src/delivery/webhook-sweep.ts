import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { KEYWARD_CONFIG, KeywardConfig } from '@keyward/config';
import { QueueProducer } from '@keyward/queue';
import { WebhookDeliveryLog } from './webhook-delivery-log';

export interface SweepResult {
  /** Webhooks with events waiting and no retry pending: woken. */
  woken: number;
  /** Attempts older than WEBHOOK_DELIVERY_LOG_DAYS removed from the delivery log. */
  trimmed: number;
}

/**
 * The safety net under the wake-ups: every webhook with events waiting and no retry set for later
 * is woken (a wake-up lost with Redis, a worker stopped mid-delivery), and the delivery log is trimmed.
 */
@Injectable()
export class WebhookSweep {
  constructor(
    private readonly dataSource: DataSource,
    private readonly producer: QueueProducer,
    private readonly deliveries: WebhookDeliveryLog,
    @Inject(KEYWARD_CONFIG) private readonly config: KeywardConfig,
  ) {}

  async run(): Promise<SweepResult> {
    const due: { id: string }[] = await this.dataSource.query(
      `SELECT w.id FROM webhooks w JOIN webhook_cursors c ON c.webhook_id = w.id
        WHERE w.deleted_at IS NULL AND (c.next_attempt_at IS NULL OR c.next_attempt_at <= now())
          AND EXISTS (SELECT 1 FROM events e WHERE e.company_id = w.company_id AND e.position > c.delivered_position
                        AND ('*' = ANY(w.events) OR e.type = ANY(w.events)))`,
    );
    await Promise.all(due.map(({ id }) => this.producer.wakeWebhook(id))); // each bounded by the enqueue timeout, never throws
    const trimmed = await this.deliveries.trim(this.config.webhooks.deliveryLogDays);
    return { woken: due.length, trimmed };
  }
}
