import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { Problem } from '@keyward/common';
import { WebhookDispatcher } from '../../delivery/webhook-dispatcher';
import { WebhookTestResult } from '../../queries/webhook-resources';
import { TestWebhookCommand } from './test-webhook.command';

@CommandHandler(TestWebhookCommand)
export class TestWebhookHandler implements ICommandHandler<TestWebhookCommand> {
  constructor(private readonly dispatcher: WebhookDispatcher) {}

  async execute({ ctx, webhookId }: TestWebhookCommand): Promise<WebhookTestResult> {
    const outcome = await this.dispatcher.sendTest(ctx.companyId, webhookId);
    if (!outcome) throw Problem.notFound('the webhook');
    return outcome;
  }
}
