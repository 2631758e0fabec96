import { Query } from '@nestjs/cqrs';
import { WebhookList } from '../webhook-resources';

/** The company's webhooks, oldest first, with where each one's delivery stands. */
export class ListWebhooksQuery extends Query<WebhookList> {
  constructor(
    readonly companyId: string,
    readonly page: { limit: number; cursor?: string },
  ) {
    super();
  }
}
