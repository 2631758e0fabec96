import { Command } from '@nestjs/cqrs';
import { CommandContext } from '@keyward/event-store';
import { WebhookTestResult } from '../../queries/webhook-resources';

/** Sends a signed `WebhookTest` to the webhook now and answers how it went (logged as a test attempt). */
export class TestWebhookCommand extends Command<WebhookTestResult> {
  constructor(
    readonly ctx: CommandContext,
    readonly webhookId: string,
  ) {
    super();
  }
}
