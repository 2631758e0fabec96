import { CommandHandler, ICommandHandler, QueryBus } from '@nestjs/cqrs';
import { CommandWriter } from '@keyward/event-store';
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
    private readonly operator: InstallationOperator,
    private readonly link: CentralLink,
    private readonly writer: CommandWriter,
    private readonly queries: QueryBus,
  ) {}

  async execute({ ctx }: DeactivateCentralCommand): Promise<CentralView> {
    await this.operator.assert(ctx);
    const state = await this.link.installation();
    if (!state.central || !state.installationId) throw linkProblems.notActive();
    const data: CentralDeactivatedData = { installationId: state.installationId };
    const stream = systemStreams.installation;
    await this.writer.appendAndSettle(
      ctx,
      [{ streamId: stream, type: SystemEvent.CentralDeactivated, data }],
      { expectedVersions: { [stream]: state.version }, conflict: asConflict },
    );
    return (await this.queries.execute(new GetSystemStatusQuery(ctx.companyId))).central;
  }
}
