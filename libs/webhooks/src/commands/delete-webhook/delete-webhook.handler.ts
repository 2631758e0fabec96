import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { Problem } from '@keyward/common';
import { CommandWriter, EventStore, StreamConflictError } from '@keyward/event-store';
import { foldWebhook } from '../../domain/webhook.state';
import { WebhookDeletedData, WebhookEvent, webhookStream } from '../../events/webhook-events';
import { DeleteWebhookCommand } from './delete-webhook.command';

@CommandHandler(DeleteWebhookCommand)
export class DeleteWebhookHandler implements ICommandHandler<DeleteWebhookCommand> {
  constructor(
    private readonly store: EventStore,
    private readonly writer: CommandWriter,
  ) {}

  async execute({ ctx, webhookId }: DeleteWebhookCommand): Promise<void> {
    const stream = webhookStream(webhookId);
    const state = foldWebhook(await this.store.readStream(stream));
    // another company's webhook is not found, as a key of another company is
    if (!state || state.companyId !== ctx.companyId || state.deleted) throw Problem.notFound('the webhook');
    const data: WebhookDeletedData = { webhookId };
    await this.writer.appendAndSettle(ctx, [{ streamId: stream, type: WebhookEvent.WebhookDeleted, data }], {
      expectedVersions: { [stream]: state.version },
      conflict: (err) => {
        if (err instanceof StreamConflictError) throw Problem.notFound('the webhook'); // deleted by a concurrent request
        throw err;
      },
    });
  }
}
