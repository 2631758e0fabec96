import { Command } from '@nestjs/cqrs';
import { CommandContext } from '@keyward/event-store';

/** Deletes a company role; the keys holding it lose it (and its permissions) before it returns. */
export class DeleteRoleCommand extends Command<void> {
  constructor(
    readonly ctx: CommandContext,
    readonly name: string,
  ) {
    super();
  }
}
