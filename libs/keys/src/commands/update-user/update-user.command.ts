import { Command } from '@nestjs/cqrs';
import { Role } from '@keyward/auth';
import { CommandContext } from '@keyward/event-store';
import { UserResource } from '../../queries/resources';

export interface UpdateUserInput {
  name?: string;
  permissions?: string[];
  role?: Role;
  disabled?: boolean;
}

export class UpdateUserCommand extends Command<UserResource> {
  constructor(
    readonly ctx: CommandContext,
    readonly userId: string,
    readonly input: UpdateUserInput,
  ) {
    super();
  }
}
