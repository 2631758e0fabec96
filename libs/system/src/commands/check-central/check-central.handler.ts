import { CommandHandler, ICommandHandler, QueryBus } from '@nestjs/cqrs';
import { CommandWriter } from '@keyward/event-store';
import { CentralClient } from '../../central/central-client';
import { CentralLink } from '../../domain/central-link';
import { InstallationOperator } from '../../domain/installation-operator';
import { keywardVersion } from '../../domain/version';
import { CentralCheckedData, SystemEvent, systemStreams } from '../../events/system-events';
import { GetSystemStatusQuery } from '../../queries/get-system-status/get-system-status.query';
import { CentralCheckResult } from '../../queries/resources';
import { CheckCentralCommand } from './check-central.command';

@CommandHandler(CheckCentralCommand)
export class CheckCentralHandler implements ICommandHandler<CheckCentralCommand> {
  constructor(
    private readonly operator: InstallationOperator,
    private readonly link: CentralLink,
    private readonly client: CentralClient,
    private readonly writer: CommandWriter,
    private readonly queries: QueryBus,
  ) {}

  async execute({ ctx }: CheckCentralCommand): Promise<CentralCheckResult> {
    await this.operator.assert(ctx);
    const opened = await this.link.open();
    if ('unavailable' in opened) throw opened.unavailable.problem;
    const { link } = opened;
    const attemptedAt = new Date().toISOString();
    const call = await this.client.call('check', { apiKey: link.apiKey, secret: link.secret }, {
      installationId: link.installationId,
      version: keywardVersion(),
      sentAt: attemptedAt,
    });
    const data: CentralCheckedData = {
      installationId: link.installationId,
      attemptedAt,
      outcome: call.outcome,
      httpStatus: call.httpStatus,
      latencyMs: call.latencyMs,
      reason: call.reason,
    };
    const result = await this.writer.appendAndSettle(
      ctx,
      [{ streamId: systemStreams.centralChecks, type: SystemEvent.CentralChecked, data }],
      { expectedVersions: {} },
    );
    const status = await this.queries.execute(new GetSystemStatusQuery(ctx.companyId));
    return {
      outcome: call.outcome,
      httpStatus: call.httpStatus,
      latencyMs: call.latencyMs,
      reason: call.reason,
      checkedAt: result.events[0].occurredAt.toISOString(),
      central: status.central,
    };
  }
}
