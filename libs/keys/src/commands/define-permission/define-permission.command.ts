import { Command } from '@nestjs/cqrs';
import { CommandContext } from '@keyward/event-store';
import { PermissionResource } from '../../queries/catalog-resources';

export class DefinePermissionCommand extends Command<PermissionResource> {
  constructor(
    readonly ctx: CommandContext,
    readonly input: { name: string; description?: string },
  ) {
    super();
  }
}
