import { Command } from '@nestjs/cqrs';
import { CommandContext } from '@keyward/event-store';
import { TelemetryView } from '../../queries/resources';

/**
 * Turns telemetry on or off (TelemetryEnabled / TelemetryDisabled; nothing when it already is).
 * Nothing else changes: keys, the central link and the shared secrets stay as they are.
 */
export class SetTelemetryCommand extends Command<TelemetryView> {
  constructor(
    readonly ctx: CommandContext,
    readonly enabled: boolean,
  ) {
    super();
  }
}
