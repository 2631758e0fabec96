import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { roleNameProblem } from '@keyward/auth';
import { Problem } from '@keyward/common';
import { CommandWriter, EventStore } from '@keyward/event-store';
import { loadCatalog } from '../../domain/aggregates';
import { assertNotBuiltInRole, checkRolePermissions } from '../../domain/rules';
import { KeywardEvent, RoleDefinedData, streamOf } from '../../events/keyward-events';
import { RoleResource } from '../../queries/catalog-resources';
import { DefineRoleCommand } from './define-role.command';

@CommandHandler(DefineRoleCommand)
export class DefineRoleHandler implements ICommandHandler<DefineRoleCommand> {
  constructor(
    private readonly store: EventStore,
    private readonly writer: CommandWriter,
  ) {}

  async execute({ ctx, input }: DefineRoleCommand): Promise<RoleResource> {
    const problem = roleNameProblem(input.name);
    if (problem) throw Problem.invalidField('name', problem);
    assertNotBuiltInRole(input.name);
    const catalog = await loadCatalog(this.store, ctx.companyId);
    if (catalog.roles.has(input.name)) {
      throw new Problem(409, 'ALREADY_EXISTS', `name: the role ${input.name} already exists`, [{ field: 'name', message: 'already exists' }]);
    }
    const data: RoleDefinedData = { name: input.name, description: input.description ?? null, permissions: checkRolePermissions(input.permissions, catalog) };
    const stream = streamOf.catalog(ctx.companyId);
    const result = await this.writer.appendAndSettle(
      ctx,
      [{ streamId: stream, type: KeywardEvent.RoleDefined, data }],
      { expectedVersions: { [stream]: catalog.version } },
    );
    const at = result.events[0].occurredAt.toISOString();
    return { ...data, builtIn: false, createdAt: at, updatedAt: at };
  }
}
