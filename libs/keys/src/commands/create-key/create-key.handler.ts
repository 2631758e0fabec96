import { Inject } from '@nestjs/common';
import { CommandHandler, ICommandHandler, QueryBus } from '@nestjs/cqrs';
import { KEYWARD_CONFIG, KeywardConfig } from '@keyward/config';
import { Problem } from '@keyward/common';
import { CommandWriter, EventStore, NewEvent } from '@keyward/event-store';
import { splitPermissions } from '@keyward/auth';
import { loadCatalog, loadUser } from '../../domain/aggregates';
import { mintKey } from '../../domain/key-factory';
import {
  assertGrantable,
  checkAllowedIps,
  checkExpiry,
  assertMayManageKeysOf,
  assertWithinRestrictions,
  checkMeta,
  has,
  resolveKeyGrants,
  throwIfAny,
} from '../../domain/rules';
import { GetKeyQuery } from '../../queries/get-key/get-key.query';
import { CreateKeyCommand, CreatedKey } from './create-key.command';

@CommandHandler(CreateKeyCommand)
export class CreateKeyHandler implements ICommandHandler<CreateKeyCommand> {
  constructor(
    private readonly store: EventStore,
    private readonly writer: CommandWriter,
    private readonly queries: QueryBus,
    @Inject(KEYWARD_CONFIG) private readonly config: KeywardConfig,
  ) {}

  async execute({ ctx, input }: CreateKeyCommand): Promise<CreatedKey> {
    const now = Date.now();
    throwIfAny([checkExpiry(input.expiresAt, this.config.keys.maxExpiryDays, now), ...checkAllowedIps(input.allowedIps), checkMeta(input.meta)]);

    const ownerId = input.ownerId ?? ctx.ownerId;
    if (!ownerId) throw Problem.invalidField('ownerId', 'is required here');
    assertMayManageKeysOf(ctx, ownerId);
    const owner = await loadUser(this.store, ownerId, ctx.companyId).catch((err: unknown) => {
      if (!(err instanceof Problem)) throw err; // e.g. the database is away: not a 404
      throw new Problem(404, 'NOT_FOUND', 'ownerId: no such user in this company', [
        { field: 'ownerId', message: 'no such user in this company' },
      ]);
    });
    if (owner.disabled) {
      throw new Problem(422, 'OWNER_DISABLED', 'ownerId: the user is disabled', [{ field: 'ownerId', message: 'the user is disabled' }]);
    }

    const type = input.type ?? 'standard';
    let grants = { permissions: [] as string[], roles: [] as string[] };
    if (type === 'administration') {
      if (input.permissions !== undefined || input.role !== undefined || input.roles !== undefined) {
        throw Problem.invalidField('permissions', "an administration key takes all of its owner's permissions; leave permissions and roles out");
      }
      if (!owner.permissions.includes('admin.system.api') || !has(ctx, 'admin.system.api')) {
        throw new Problem(403, 'INSUFFICIENT_PERMISSIONS', 'type: administration keys need admin.system.api on the owner and the calling key', [
          { field: 'type', message: 'needs admin.system.api on the owner and the calling key' },
        ]);
      }
      // it will carry all of its owner's rights: the caller must hold every one of them
      assertGrantable(ctx, owner.permissions, 'type');
    } else {
      grants = resolveKeyGrants(input, await loadCatalog(this.store, ctx.companyId)) ?? grants;
      // Keyward's own permissions need the caller to hold them; the company's own need keys:write only
      assertGrantable(ctx, splitPermissions(grants.permissions).keyward, input.permissions !== undefined ? 'permissions' : 'role');
    }

    const expiresAt = input.expiresAt ? new Date(input.expiresAt).toISOString() : null;
    assertWithinRestrictions(ctx, { expiresAt, allowedIps: input.allowedIps ?? [] });

    const minted = mintKey(
      this.config.pepper,
      ctx,
      {
        ownerId,
        type,
        name: input.name,
        description: input.description ?? null,
        permissions: grants.permissions,
        roles: grants.roles,
        meta: input.meta ?? {},
        externalId: input.externalId ?? null,
        expiresAt,
        allowedIps: input.allowedIps ?? [],
        rateLimit: input.rateLimit ?? null,
      },
      new Date(now),
    );
    await this.writer.appendAndSettle(ctx, [minted.event], { expectedVersions: { [minted.event.streamId]: 0 } });
    const resource = await this.queries.execute(new GetKeyQuery(ctx.companyId, minted.keyId));
    return { ...resource, key: minted.key };
  }
}
