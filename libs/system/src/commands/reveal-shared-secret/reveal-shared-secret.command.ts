import { Command } from '@nestjs/cqrs';
import { CommandContext } from '@keyward/event-store';
import { SharedSecretWithValue } from '../../queries/resources';

/** Shows the company's shared secret; SharedSecretRevealed (who, when) is committed before it is returned. */
export class RevealSharedSecretCommand extends Command<SharedSecretWithValue> {
  constructor(readonly ctx: CommandContext) {
    super();
  }
}
