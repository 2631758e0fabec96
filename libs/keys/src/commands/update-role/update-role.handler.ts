import { isDeepStrictEqual } from 'node:util';
import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { Problem } from '@keyward/common';
import { CommandWriter, EventStore } from '@keyward/event-store';
import { loadCatalog } from '../../domain/aggregates';
import { assertNotBuiltInRole, checkRolePermissions } from '../../domain/rules';
import { KeywardEvent, RoleUpdatedData, streamOf } from '../../events/keyward-events';
import { UpdateRoleCommand } from './update-role.command';

@CommandHandler(UpdateRoleCommand)
export class UpdateRoleHandler implements ICommandHandler<UpdateRoleCommand> {
  constructor(
    private readonly store: EventStore,
    private readonly writer: CommandWriter,
  ) {}

  async execute({ ctx, name, input }: UpdateRoleCommand): Promise<void> {
    assertNotBuiltInRole(name, 'name');
    const catalog = await loadCatalog(this.store, ctx.companyId);
    const role = catalog.roles.get(name);
    if (!role) throw Problem.notFound(`role ${name}`);
    const changes: RoleUpdatedData['changes'] = {};
    if (input.description !== undefined && input.description !== role.description) changes.description = input.description;
    if (input.permissions !== undefined) {
      const permissions = checkRolePermissions(input.permissions, catalog);
      if (!isDeepStrictEqual(permissions, [...role.permissions].sort())) changes.permissions = permissions;
    }
    if (Object.keys(changes).length === 0) return;
    const stream = streamOf.catalog(ctx.companyId);
    const data: RoleUpdatedData = { name, changes };
    await this.writer.appendAndSettle(ctx, [{ streamId: stream, type: KeywardEvent.RoleUpdated, data }], { expectedVersions: { [stream]: catalog.version } });
  }
}
