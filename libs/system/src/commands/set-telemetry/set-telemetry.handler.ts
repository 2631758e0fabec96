import { Inject } from '@nestjs/common';
import { CommandHandler, ICommandHandler, QueryBus } from '@nestjs/cqrs';
import { KEYWARD_CONFIG, KeywardConfig } from '@keyward/config';
import { CommandWriter } from '@keyward/event-store';
import { CentralLink } from '../../domain/central-link';
import { asConflict } from '../../domain/conflicts';
import { InstallationOperator } from '../../domain/installation-operator';
import { TelemetrySchedule } from '../../domain/telemetry-schedule';
import { SystemEvent, TelemetryEnabledData, systemStreams } from '../../events/system-events';
import { GetSystemStatusQuery } from '../../queries/get-system-status/get-system-status.query';
import { TelemetryView } from '../../queries/resources';
import { SetTelemetryCommand } from './set-telemetry.command';

@CommandHandler(SetTelemetryCommand)
export class SetTelemetryHandler implements ICommandHandler<SetTelemetryCommand> {
  constructor(
    private readonly operator: InstallationOperator,
    private readonly link: CentralLink,
    private readonly schedule: TelemetrySchedule,
    private readonly writer: CommandWriter,
    private readonly queries: QueryBus,
    @Inject(KEYWARD_CONFIG) private readonly config: KeywardConfig,
  ) {}

  async execute({ ctx, enabled }: SetTelemetryCommand): Promise<TelemetryView> {
    await this.operator.assert(ctx);
    const state = await this.link.installation();
    if (state.telemetryEnabled !== enabled) {
      const stream = systemStreams.installation;
      const event = enabled
        ? { type: SystemEvent.TelemetryEnabled, data: { intervalMs: this.config.telemetryIntervalMs } satisfies TelemetryEnabledData }
        : { type: SystemEvent.TelemetryDisabled, data: {} };
      await this.writer.appendAndSettle(ctx, [{ streamId: stream, ...event }], { expectedVersions: { [stream]: state.version }, conflict: asConflict });
    }
    // also when nothing changed: repairs a scheduler lost with a Redis flush
    await this.schedule.sync();
    return (await this.queries.execute(new GetSystemStatusQuery(ctx.companyId))).telemetry;
  }
}
