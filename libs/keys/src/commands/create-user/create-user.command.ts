import { Command } from '@nestjs/cqrs';
import { Role } from '@keyward/auth';
import { CommandContext } from '@keyward/event-store';
import { UserResource } from '../../queries/resources';

export interface CreateUserInput {
  email: string;
  name: string;
  permissions?: string[];
  role?: Role;
  disabled?: boolean;
}

export class CreateUserCommand extends Command<UserResource> {
  constructor(
    readonly ctx: CommandContext,
    readonly input: CreateUserInput,
  ) {
    super();
  }
}
