import { Command } from '@nestjs/cqrs';
import type { DeliveryRun } from '../../delivery/webhook-dispatcher';

/** Delivers a webhook's waiting events, in log order, until none is left or an attempt fails. */
export class DeliverWebhookCommand extends Command<DeliveryRun> {
  constructor(readonly webhookId: string) {
    super();
  }
}
