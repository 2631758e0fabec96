import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { CommandWriter, EventStore } from '@keyward/event-store';
import { loadKey, loadUser } from '../../domain/aggregates';
import { assertCoversOwnerOf, assertMayManageKeysOf } from '../../domain/rules';
import { KeywardEvent, streamOf } from '../../events/keyward-events';
import { DeleteKeyCommand } from './delete-key.command';

@CommandHandler(DeleteKeyCommand)
export class DeleteKeyHandler implements ICommandHandler<DeleteKeyCommand> {
  constructor(
    private readonly store: EventStore,
    private readonly writer: CommandWriter,
  ) {}

  async execute({ ctx, keyId }: DeleteKeyCommand): Promise<void> {
    const key = await loadKey(this.store, keyId, ctx.companyId);
    assertMayManageKeysOf(ctx, key.ownerId);
    if (key.ownerId !== ctx.ownerId) assertCoversOwnerOf(ctx, key, await loadUser(this.store, key.ownerId, ctx.companyId));
    const stream = streamOf.key(keyId);
    await this.writer.appendAndSettle(
      ctx,
      [{ streamId: stream, type: KeywardEvent.KeyDeleted, data: { keyId } }],
      { expectedVersions: { [stream]: key.version } },
    );
  }
}
