import { CommandHandler, ICommandHandler, QueryBus } from '@nestjs/cqrs';
import { EventStore } from '@keyward/event-store';
import { ConsistencyService } from '@keyward/keys';
import { CentralLink, linkProblems } from '../../domain/central-link';
import { asConflict } from '../../domain/conflicts';
import { InstallationOperator } from '../../domain/installation-operator';
import { CentralDeactivatedData, SystemEvent, systemStreams } from '../../events/system-events';
import { GetSystemStatusQuery } from '../../queries/get-system-status/get-system-status.query';
import { CentralView } from '../../queries/resources';
import { DeactivateCentralCommand } from './deactivate-central.command';

@CommandHandler(DeactivateCentralCommand)
export class DeactivateCentralHandler implements ICommandHandler<DeactivateCentralCommand> {
  constructor(
    private readonly store: EventStore,
    private readonly operator: InstallationOperator,
    private readonly link: CentralLink,
    private readonly consistency: ConsistencyService,
    private readonly queries: QueryBus,
  ) {}

  async execute({ ctx }: DeactivateCentralCommand): Promise<CentralView> {
    await this.operator.assert(ctx);
    const state = await this.link.installation();
    if (!state.central || !state.installationId) throw linkProblems.notActive();
    const data: CentralDeactivatedData = { installationId: state.installationId };
    const stream = systemStreams.installation;
    const result = await this.store
      .append(
        [{ streamId: stream, type: SystemEvent.CentralDeactivated, companyId: ctx.companyId, actor: ctx.actor, metadata: ctx.metadata, data }],
        { expectedVersions: { [stream]: state.version } },
      )
      .catch(asConflict);
    await this.consistency.settle(result);
    return (await this.queries.execute(new GetSystemStatusQuery(ctx.companyId))).central;
  }
}
