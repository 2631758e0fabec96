import { Command } from '@nestjs/cqrs';
import { CommandContext } from '@keyward/event-store';

/** Ends a webhook: nothing more is sent to it (a delivery under way finishes its attempt). */
export class DeleteWebhookCommand extends Command<void> {
  constructor(
    readonly ctx: CommandContext,
    readonly webhookId: string,
  ) {
    super();
  }
}
