import { CommandHandler, ICommandHandler, QueryBus } from '@nestjs/cqrs';
import { Problem } from '@keyward/common';
import { EventStore } from '@keyward/event-store';
import { loadKey, loadUser } from '../../domain/aggregates';
import { ConsistencyService } from '../../domain/consistency.service';
import { asConflict, assertCoversOwnerOf, assertMayManageKeysOf } from '../../domain/rules';
import { KeyRevokedData, KeywardEvent, streamOf } from '../../events/keyward-events';
import { GetKeyQuery } from '../../queries/get-key/get-key.query';
import { KeyResource } from '../../queries/resources';
import { RevokeKeyCommand } from './revoke-key.command';

@CommandHandler(RevokeKeyCommand)
export class RevokeKeyHandler implements ICommandHandler<RevokeKeyCommand> {
  constructor(
    private readonly store: EventStore,
    private readonly consistency: ConsistencyService,
    private readonly queries: QueryBus,
  ) {}

  async execute({ ctx, keyId, reason }: RevokeKeyCommand): Promise<KeyResource> {
    const key = await loadKey(this.store, keyId, ctx.companyId);
    assertMayManageKeysOf(ctx, key.ownerId);
    if (key.ownerId !== ctx.ownerId) assertCoversOwnerOf(ctx, key, await loadUser(this.store, key.ownerId, ctx.companyId));
    if (key.revoked) throw Problem.conflict('KEY_ALREADY_REVOKED', `key ${keyId} is already revoked`);
    const stream = streamOf.key(keyId);
    const data: KeyRevokedData = { keyId, reason };
    const result = await this.store
      .append(
        [{ streamId: stream, type: KeywardEvent.KeyRevoked, companyId: ctx.companyId, actor: ctx.actor, metadata: ctx.metadata, data }],
        { expectedVersions: { [stream]: key.version } },
      )
      .catch((err) => asConflict(err));
    await this.consistency.settle(result);
    return this.queries.execute(new GetKeyQuery(ctx.companyId, keyId));
  }
}
