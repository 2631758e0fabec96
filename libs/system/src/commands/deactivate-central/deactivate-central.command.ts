import { Command } from '@nestjs/cqrs';
import { CommandContext } from '@keyward/event-store';
import { CentralView } from '../../queries/resources';

/** Ends the central link (CentralDeactivated); the sealed key is no longer used. Telemetry keeps its switch. */
export class DeactivateCentralCommand extends Command<CentralView> {
  constructor(readonly ctx: CommandContext) {
    super();
  }
}
