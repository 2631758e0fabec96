import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { roleNameProblem } from '@keyward/auth';
import { Problem } from '@keyward/common';
import { EventStore } from '@keyward/event-store';
import { loadCatalog } from '../../domain/aggregates';
import { ConsistencyService } from '../../domain/consistency.service';
import { asConflict, assertNotBuiltInRole, checkRolePermissions } from '../../domain/rules';
import { KeywardEvent, RoleDefinedData, streamOf } from '../../events/keyward-events';
import { RoleResource } from '../../queries/catalog-resources';
import { DefineRoleCommand } from './define-role.command';

@CommandHandler(DefineRoleCommand)
export class DefineRoleHandler implements ICommandHandler<DefineRoleCommand> {
  constructor(
    private readonly store: EventStore,
    private readonly consistency: ConsistencyService,
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
    const result = await this.store
      .append([{ streamId: stream, type: KeywardEvent.RoleDefined, companyId: ctx.companyId, actor: ctx.actor, metadata: ctx.metadata, data }], {
        expectedVersions: { [stream]: catalog.version },
      })
      .catch((err) => asConflict(err));
    await this.consistency.settle(result);
    const at = result.events[0].occurredAt.toISOString();
    return { ...data, builtIn: false, createdAt: at, updatedAt: at };
  }
}
