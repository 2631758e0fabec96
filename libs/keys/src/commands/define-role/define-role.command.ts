import { Command } from '@nestjs/cqrs';
import { CommandContext } from '@keyward/event-store';
import { RoleResource } from '../../queries/catalog-resources';

export class DefineRoleCommand extends Command<RoleResource> {
  constructor(
    readonly ctx: CommandContext,
    readonly input: { name: string; description?: string; permissions: string[] },
  ) {
    super();
  }
}
