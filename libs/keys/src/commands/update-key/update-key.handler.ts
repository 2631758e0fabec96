import { isDeepStrictEqual } from 'node:util';
import { Inject } from '@nestjs/common';
import { CommandHandler, ICommandHandler, QueryBus } from '@nestjs/cqrs';
import { KEYWARD_CONFIG, KeywardConfig } from '@keyward/config';
import { Problem } from '@keyward/common';
import { CommandWriter, EventStore } from '@keyward/event-store';
import { splitPermissions } from '@keyward/auth';
import { loadCatalog, loadKey, loadUser } from '../../domain/aggregates';
import { isKeyLive } from '../../domain/key.state';
import { assertCoversOwnerOf, assertGrantable, assertMayManageKeysOf, keyReach, assertWithinRestrictions, checkAllowedIps, checkExpiry, checkMeta, resolveKeyGrants, throwIfAny } from '../../domain/rules';
import { KeyUpdatedData, KeywardEvent, streamOf } from '../../events/keyward-events';
import { GetKeyQuery } from '../../queries/get-key/get-key.query';
import { KeyResource } from '../../queries/resources';
import { UpdateKeyCommand } from './update-key.command';

@CommandHandler(UpdateKeyCommand)
export class UpdateKeyHandler implements ICommandHandler<UpdateKeyCommand> {
  constructor(
    private readonly store: EventStore,
    private readonly writer: CommandWriter,
    private readonly queries: QueryBus,
    @Inject(KEYWARD_CONFIG) private readonly config: KeywardConfig,
  ) {}

  async execute({ ctx, keyId, input }: UpdateKeyCommand): Promise<KeyResource> {
    const now = Date.now();
    throwIfAny([checkExpiry(input.expiresAt, this.config.keys.maxExpiryDays, now), ...checkAllowedIps(input.allowedIps), checkMeta(input.meta)]);
    const key = await loadKey(this.store, keyId, ctx.companyId);
    assertMayManageKeysOf(ctx, key.ownerId);
    const own = ctx.actor.type === 'key' && ctx.actor.id === keyId;
    const restriction = (['expiresAt', 'allowedIps', 'rateLimit'] as const).find((f) => input[f] !== undefined);
    if (own && restriction) {
      throw new Problem(403, 'INSUFFICIENT_PERMISSIONS', `${restriction}: a key cannot change its own restrictions`, [
        { field: restriction, message: 'a key cannot change its own restrictions' },
      ]);
    }
    if (!isKeyLive(key, now)) throw Problem.conflict('KEY_NOT_ACTIVE', 'a revoked, expired or rotated-out key cannot be changed');
    if (restriction) {
      // new restrictions on a key could open it wider: the caller must be able to hand out what the key can do
      const owner = await loadUser(this.store, key.ownerId, ctx.companyId);
      assertCoversOwnerOf(ctx, key, owner);
      assertGrantable(ctx, keyReach(key.type, key.permissions, owner.permissions), restriction);
    }

    assertWithinRestrictions(
      ctx,
      { expiresAt: input.expiresAt === undefined ? undefined : input.expiresAt && new Date(input.expiresAt).toISOString(), allowedIps: input.allowedIps },
      'the key',
    );
    const grants =
      input.permissions !== undefined || input.role !== undefined || input.roles !== undefined
        ? resolveKeyGrants(input, await loadCatalog(this.store, ctx.companyId), { permissions: key.permissions, roles: key.roles })
        : null;
    if (grants) {
      // more rights for a key wider than the caller (no expiry, other addresses) would be handing out something wider
      assertWithinRestrictions(
        ctx,
        {
          expiresAt: input.expiresAt === undefined ? key.expiresAt : input.expiresAt && new Date(input.expiresAt).toISOString(),
          allowedIps: input.allowedIps ?? key.allowedIps,
        },
        'the key',
        'keyId',
      );
      if (key.type === 'administration') {
        throw Problem.invalidField('permissions', "an administration key takes all of its owner's permissions");
      }
      // Keyward's own permissions need the caller to hold them; the company's own need keys:write only
      assertGrantable(ctx, splitPermissions(grants.permissions).keyward, input.permissions !== undefined ? 'permissions' : 'role');
    }
    const wanted: KeyUpdatedData['changes'] = {
      name: input.name,
      description: input.description,
      permissions: grants?.permissions,
      roles: grants?.roles,
      meta: input.meta,
      externalId: input.externalId,
      expiresAt: input.expiresAt === undefined ? undefined : input.expiresAt && new Date(input.expiresAt).toISOString(),
      allowedIps: input.allowedIps,
      rateLimit: input.rateLimit,
    };
    const changes = Object.fromEntries(
      Object.entries(wanted).filter(([field, value]) => value !== undefined && !isDeepStrictEqual(value, key[field as keyof typeof wanted])),
    ) as KeyUpdatedData['changes'];

    if (Object.keys(changes).length > 0) {
      const stream = streamOf.key(keyId);
      await this.writer.appendAndSettle(
        ctx,
        [{ streamId: stream, type: KeywardEvent.KeyUpdated, data: { keyId, changes } }],
        { expectedVersions: { [stream]: key.version } },
      );
    }
    return this.queries.execute(new GetKeyQuery(ctx.companyId, keyId));
  }
}
