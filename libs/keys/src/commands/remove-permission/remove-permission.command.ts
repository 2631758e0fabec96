import { Command } from '@nestjs/cqrs';
import { CommandContext } from '@keyward/event-store';

/** Removes a company permission; `force` also takes it from every role and key that holds it. */
export class RemovePermissionCommand extends Command<void> {
  constructor(
    readonly ctx: CommandContext,
    readonly name: string,
    readonly force: boolean,
  ) {
    super();
  }
}
