import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { Problem } from '@keyward/common';
import { EventStore, StreamConflictError } from '@keyward/event-store';
import { ConsistencyService } from '@keyward/keys';
import { foldWebhook } from '../../domain/webhook.state';
import { WebhookDeletedData, WebhookEvent, webhookStream } from '../../events/webhook-events';
import { DeleteWebhookCommand } from './delete-webhook.command';

@CommandHandler(DeleteWebhookCommand)
export class DeleteWebhookHandler implements ICommandHandler<DeleteWebhookCommand> {
  constructor(
    private readonly store: EventStore,
    private readonly consistency: ConsistencyService,
  ) {}

  async execute({ ctx, webhookId }: DeleteWebhookCommand): Promise<void> {
    const stream = webhookStream(webhookId);
    const state = foldWebhook(await this.store.readStream(stream));
    // another company's webhook is not found, as a key of another company is
    if (!state || state.companyId !== ctx.companyId || state.deleted) throw Problem.notFound('the webhook');
    const data: WebhookDeletedData = { webhookId };
    const result = await this.store
      .append([{ streamId: stream, type: WebhookEvent.WebhookDeleted, companyId: ctx.companyId, actor: ctx.actor, metadata: ctx.metadata, data }], {
        expectedVersions: { [stream]: state.version },
      })
      .catch((err) => {
        if (err instanceof StreamConflictError) throw Problem.notFound('the webhook'); // deleted by a concurrent request
        throw err;
      });
    await this.consistency.settle(result);
  }
}
