import { Query } from '@nestjs/cqrs';
import { WebhookDeliveryList } from '../webhook-resources';

/** One webhook's delivery attempts, newest first (kept WEBHOOK_DELIVERY_LOG_DAYS). */
export class ListDeliveriesQuery extends Query<WebhookDeliveryList> {
  constructor(
    readonly companyId: string,
    readonly webhookId: string,
    readonly page: { limit: number; cursor?: string },
  ) {
    super();
  }
}
