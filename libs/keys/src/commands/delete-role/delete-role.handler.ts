import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { DataSource } from 'typeorm';
import { Problem } from '@keyward/common';
import { CommandWriter, EventStore } from '@keyward/event-store';
import { loadCatalog } from '../../domain/aggregates';
import { assertNotBuiltInRole } from '../../domain/rules';
import { KeywardEvent, RoleDeletedData, streamOf } from '../../events/keyward-events';
import { DeleteRoleCommand } from './delete-role.command';

@CommandHandler(DeleteRoleCommand)
export class DeleteRoleHandler implements ICommandHandler<DeleteRoleCommand> {
  constructor(
    private readonly store: EventStore,
    private readonly writer: CommandWriter,
    private readonly dataSource: DataSource,
  ) {}

  async execute({ ctx, name }: DeleteRoleCommand): Promise<void> {
    assertNotBuiltInRole(name, 'name');
    const catalog = await loadCatalog(this.store, ctx.companyId);
    if (!catalog.roles.has(name)) throw Problem.notFound(`role ${name}`);
    const keys: { id: string }[] = await this.dataSource.query(
      `SELECT id FROM api_keys WHERE company_id = $1 AND $2 = ANY(roles) ORDER BY id`,
      [ctx.companyId, name],
    );
    const stream = streamOf.catalog(ctx.companyId);
    const data: RoleDeletedData = { name, keyIds: keys.map((k) => k.id) };
    await this.writer.appendAndSettle(ctx, [{ streamId: stream, type: KeywardEvent.RoleDeleted, data }], { expectedVersions: { [stream]: catalog.version } });
  }
}
