import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { DataSource } from 'typeorm';
import { Problem } from '@keyward/common';
import { CommandWriter, EventStore } from '@keyward/event-store';
import { loadCatalog } from '../../domain/aggregates';
import { KeywardEvent, PermissionRemovedData, streamOf } from '../../events/keyward-events';
import { RemovePermissionCommand } from './remove-permission.command';

@CommandHandler(RemovePermissionCommand)
export class RemovePermissionHandler implements ICommandHandler<RemovePermissionCommand> {
  constructor(
    private readonly store: EventStore,
    private readonly writer: CommandWriter,
    private readonly dataSource: DataSource,
  ) {}

  async execute({ ctx, name, force }: RemovePermissionCommand): Promise<void> {
    const catalog = await loadCatalog(this.store, ctx.companyId);
    if (!catalog.permissions.has(name)) throw Problem.notFound(`permission ${name}`);
    const roles = [...catalog.roles.values()].filter((r) => r.permissions.includes(name)).map((r) => r.name).sort();
    const keys: { id: string }[] = await this.dataSource.query(
      `SELECT id FROM api_keys WHERE company_id = $1 AND $2 = ANY(permissions) AND deleted_at IS NULL ORDER BY id`,
      [ctx.companyId, name],
    );
    if ((roles.length > 0 || keys.length > 0) && !force) {
      throw Problem.conflict(
        'PERMISSION_IN_USE',
        `${name} is held by ${roles.length} role(s) and ${keys.length} key(s); remove it from them, or delete with ?force=true to take it from all of them`,
      );
    }
    const stream = streamOf.catalog(ctx.companyId);
    // the roles and keys it is taken from are named in the event: the trail says exactly what changed
    const data: PermissionRemovedData = { name, forced: roles.length > 0 || keys.length > 0, roles, keyIds: keys.map((k) => k.id) };
    await this.writer.appendAndSettle(
      ctx,
      [{ streamId: stream, type: KeywardEvent.PermissionRemoved, data }],
      { expectedVersions: { [stream]: catalog.version } },
    );
  }
}
