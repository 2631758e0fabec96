import { Command } from '@nestjs/cqrs';
import { CommandContext } from '@keyward/event-store';

/** Delete: gone from lists and refused everywhere; its history stays in the log. */
export class DeleteKeyCommand extends Command<void> {
  constructor(
    readonly ctx: CommandContext,
    readonly keyId: string,
  ) {
    super();
  }
}
