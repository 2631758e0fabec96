import { Command } from '@nestjs/cqrs';
import { CommandContext } from '@keyward/event-store';

/** `description: null` clears it; `permissions` replaces the list. Every key holding the role follows before it returns. */
export class UpdateRoleCommand extends Command<void> {
  constructor(
    readonly ctx: CommandContext,
    readonly name: string,
    readonly input: { description?: string | null; permissions?: string[] },
  ) {
    super();
  }
}
