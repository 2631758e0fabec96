import { Command } from '@nestjs/cqrs';
import { CommandContext } from '../../domain/command-context';
import { PermissionResource } from '../../queries/catalog-resources';

export class DefinePermissionCommand extends Command<PermissionResource> {
  constructor(
    readonly ctx: CommandContext,
    readonly input: { name: string; description?: string },
  ) {
    super();
  }
}
