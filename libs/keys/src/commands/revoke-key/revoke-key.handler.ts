import { CommandHandler, ICommandHandler, QueryBus } from '@nestjs/cqrs';
import { Problem } from '@keyward/common';
import { CommandWriter, EventStore } from '@keyward/event-store';
import { loadKey, loadUser } from '../../domain/aggregates';
import { assertCoversOwnerOf, assertMayManageKeysOf } from '../../domain/rules';
import { KeyRevokedData, KeywardEvent, streamOf } from '../../events/keyward-events';
import { GetKeyQuery } from '../../queries/get-key/get-key.query';
import { KeyResource } from '../../queries/resources';
import { RevokeKeyCommand } from './revoke-key.command';

@CommandHandler(RevokeKeyCommand)
export class RevokeKeyHandler implements ICommandHandler<RevokeKeyCommand> {
  constructor(
    private readonly store: EventStore,
    private readonly writer: CommandWriter,
    private readonly queries: QueryBus,
  ) {}

  async execute({ ctx, keyId, reason }: RevokeKeyCommand): Promise<KeyResource> {
    const key = await loadKey(this.store, keyId, ctx.companyId);
    assertMayManageKeysOf(ctx, key.ownerId);
    if (key.ownerId !== ctx.ownerId) assertCoversOwnerOf(ctx, key, await loadUser(this.store, key.ownerId, ctx.companyId));
    if (key.revoked) throw Problem.conflict('KEY_ALREADY_REVOKED', `key ${keyId} is already revoked`);
    const stream = streamOf.key(keyId);
    const data: KeyRevokedData = { keyId, reason };
    await this.writer.appendAndSettle(ctx, [{ streamId: stream, type: KeywardEvent.KeyRevoked, data }], { expectedVersions: { [stream]: key.version } });
    return this.queries.execute(new GetKeyQuery(ctx.companyId, keyId));
  }
}
