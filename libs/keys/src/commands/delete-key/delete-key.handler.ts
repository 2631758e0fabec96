import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { EventStore } from '@keyward/event-store';
import { loadKey, loadUser } from '../../domain/aggregates';
import { ConsistencyService } from '../../domain/consistency.service';
import { asConflict, assertCoversOwnerOf, assertMayManageKeysOf } from '../../domain/rules';
import { KeywardEvent, streamOf } from '../../events/keyward-events';
import { DeleteKeyCommand } from './delete-key.command';

@CommandHandler(DeleteKeyCommand)
export class DeleteKeyHandler implements ICommandHandler<DeleteKeyCommand> {
  constructor(
    private readonly store: EventStore,
    private readonly consistency: ConsistencyService,
  ) {}

  async execute({ ctx, keyId }: DeleteKeyCommand): Promise<void> {
    const key = await loadKey(this.store, keyId, ctx.companyId);
    assertMayManageKeysOf(ctx, key.ownerId);
    if (key.ownerId !== ctx.ownerId) assertCoversOwnerOf(ctx, key, await loadUser(this.store, key.ownerId, ctx.companyId));
    const stream = streamOf.key(keyId);
    const result = await this.store
      .append(
        [{ streamId: stream, type: KeywardEvent.KeyDeleted, companyId: ctx.companyId, actor: ctx.actor, metadata: ctx.metadata, data: { keyId } }],
        { expectedVersions: { [stream]: key.version } },
      )
      .catch((err) => asConflict(err));
    await this.consistency.settle(result);
  }
}
