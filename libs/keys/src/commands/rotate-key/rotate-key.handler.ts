import { Inject } from '@nestjs/common';
import { CommandHandler, ICommandHandler, QueryBus } from '@nestjs/cqrs';
import { KEYWARD_CONFIG, KeywardConfig } from '@keyward/config';
import { Problem } from '@keyward/common';
import { CommandWriter, EventStore, NewEvent } from '@keyward/event-store';
import { loadKey, loadUser } from '../../domain/aggregates';
import { mintKey } from '../../domain/key-factory';
import { isKeyLive } from '../../domain/key.state';
import { assertGrantable, assertMayManageKeysOf, assertWithinRestrictions, keyReach } from '../../domain/rules';
import { KeyRotatedData, KeywardEvent, streamOf } from '../../events/keyward-events';
import { GetKeyQuery } from '../../queries/get-key/get-key.query';
import { CreatedKey } from '../create-key/create-key.command';
import { RotateKeyCommand } from './rotate-key.command';

@CommandHandler(RotateKeyCommand)
export class RotateKeyHandler implements ICommandHandler<RotateKeyCommand> {
  constructor(
    private readonly store: EventStore,
    private readonly writer: CommandWriter,
    private readonly queries: QueryBus,
    @Inject(KEYWARD_CONFIG) private readonly config: KeywardConfig,
  ) {}

  async execute({ ctx, keyId, gracePeriodSeconds }: RotateKeyCommand): Promise<CreatedKey> {
    const now = Date.now();
    const old = await loadKey(this.store, keyId, ctx.companyId);
    assertMayManageKeysOf(ctx, old.ownerId);
    // the new key can do what the old one could: the caller must be able to grant that
    const owner = await loadUser(this.store, old.ownerId, ctx.companyId);
    assertGrantable(ctx, keyReach(old.type, old.permissions, owner.permissions), 'keyId');
    // and the new key keeps the old one's expiry and addresses: they must be within the caller's own
    assertWithinRestrictions(ctx, { expiresAt: old.expiresAt, allowedIps: old.allowedIps }, 'the key', 'keyId');
    if (old.replacedBy) throw Problem.conflict('KEY_ALREADY_ROTATED', `key ${keyId} was already rotated to ${old.replacedBy}`);
    if (!isKeyLive(old, now)) throw Problem.conflict('KEY_NOT_ACTIVE', 'only an active key can be rotated');

    const minted = mintKey(
      this.config.pepper,
      ctx,
      {
        ownerId: old.ownerId,
        type: old.type,
        name: old.name,
        description: old.description,
        permissions: old.permissions,
        expiresAt: old.expiresAt,
        allowedIps: old.allowedIps,
        rateLimit: old.rateLimit,
        roles: old.roles,
        meta: old.meta,
        externalId: old.externalId,
        rotatedFrom: keyId,
      },
      new Date(now),
    );
    const oldStream = streamOf.key(keyId);
    const rotated: KeyRotatedData = {
      keyId,
      newKeyId: minted.keyId,
      graceEndsAt: new Date(now + gracePeriodSeconds * 1000).toISOString(),
    };
    await this.writer.appendAndSettle(
      ctx,
      [{ streamId: oldStream, type: KeywardEvent.KeyRotated, data: rotated, occurredAt: new Date(now) }, minted.event],
      { expectedVersions: { [oldStream]: old.version, [minted.event.streamId]: 0 } },
    );
    const resource = await this.queries.execute(new GetKeyQuery(ctx.companyId, minted.keyId));
    return { ...resource, key: minted.key };
  }
}
