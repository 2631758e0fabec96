import { Command } from '@nestjs/cqrs';
import { CommandContext } from '@keyward/event-store';
import { CentralCheckResult } from '../../queries/resources';

/**
 * Checks the active link (POST /v1/check, signed) and records the outcome and latency
 * (CentralChecked), whatever it is: a failed check is an answer, not an error.
 */
export class CheckCentralCommand extends Command<CentralCheckResult> {
  constructor(readonly ctx: CommandContext) {
    super();
  }
}
