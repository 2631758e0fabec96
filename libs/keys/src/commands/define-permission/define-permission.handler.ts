import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { companyPermissionNameProblem, isPermission } from '@keyward/auth';
import { Problem } from '@keyward/common';
import { CommandWriter, EventStore } from '@keyward/event-store';
import { loadCatalog } from '../../domain/aggregates';
import { KeywardEvent, PermissionDefinedData, streamOf } from '../../events/keyward-events';
import { PermissionResource } from '../../queries/catalog-resources';
import { DefinePermissionCommand } from './define-permission.command';

@CommandHandler(DefinePermissionCommand)
export class DefinePermissionHandler implements ICommandHandler<DefinePermissionCommand> {
  constructor(
    private readonly store: EventStore,
    private readonly writer: CommandWriter,
  ) {}

  async execute({ ctx, input }: DefinePermissionCommand): Promise<PermissionResource> {
    const problem = companyPermissionNameProblem(input.name);
    if (problem) throw Problem.invalidField('name', problem);
    if (isPermission(input.name)) {
      throw new Problem(409, 'RESERVED_PERMISSION', `name: ${input.name} is one of Keyward's own permissions`, [
        { field: 'name', message: "is one of Keyward's own permissions (reserved)" },
      ]);
    }
    const catalog = await loadCatalog(this.store, ctx.companyId);
    if (catalog.permissions.has(input.name)) {
      throw new Problem(409, 'ALREADY_EXISTS', `name: the permission ${input.name} already exists`, [{ field: 'name', message: 'already exists' }]);
    }
    const stream = streamOf.catalog(ctx.companyId);
    const data: PermissionDefinedData = { name: input.name, description: input.description ?? null };
    const result = await this.writer.appendAndSettle(
      ctx,
      [{ streamId: stream, type: KeywardEvent.PermissionDefined, data }],
      { expectedVersions: { [stream]: catalog.version } },
    );
    return { name: data.name, description: data.description, createdAt: result.events[0].occurredAt.toISOString() };
  }
}
