import { Command } from '@nestjs/cqrs';
import { CommandContext } from '@keyward/event-store';
import { CentralView } from '../../queries/resources';

/**
 * Validates a central API key against CENTRAL_URL (POST /v1/activate, signed) and, only if the
 * central service accepts it, stores it sealed (CentralActivated). A refusal, no connection or
 * no answer in time changes nothing.
 */
export class ActivateCentralCommand extends Command<CentralView> {
  constructor(
    readonly ctx: CommandContext,
    readonly apiKey: string,
  ) {
    super();
  }
}
