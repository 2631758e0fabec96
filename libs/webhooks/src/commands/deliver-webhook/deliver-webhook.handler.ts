import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { DeliveryRun, WebhookDispatcher } from '../../delivery/webhook-dispatcher';
import { DeliverWebhookCommand } from './deliver-webhook.command';

@CommandHandler(DeliverWebhookCommand)
export class DeliverWebhookHandler implements ICommandHandler<DeliverWebhookCommand> {
  constructor(private readonly dispatcher: WebhookDispatcher) {}

  execute({ webhookId }: DeliverWebhookCommand): Promise<DeliveryRun> {
    return this.dispatcher.deliver(webhookId);
  }
}
