import { Command } from '@nestjs/cqrs';
import { CommandContext } from '@keyward/event-store';
import { KeyResource } from '../../queries/resources';

/** Revoke: the record stays, with status `revoked`; every instance refuses the key before this returns. */
export class RevokeKeyCommand extends Command<KeyResource> {
  constructor(
    readonly ctx: CommandContext,
    readonly keyId: string,
    readonly reason: string | null,
  ) {
    super();
  }
}
