import { Command } from '@nestjs/cqrs';
import { CommandContext } from '@keyward/event-store';
import { WebhookResource } from '../../queries/webhook-resources';

export class CreateWebhookCommand extends Command<WebhookResource> {
  constructor(
    readonly ctx: CommandContext,
    readonly input: { url: string; events: string[]; description?: string },
  ) {
    super();
  }
}
