import { Command } from '@nestjs/cqrs';
import { CommandContext } from '@keyward/keys';
import { SharedSecretWithValue } from '../../queries/resources';

/**
 * Creates the company's shared secret, or replaces it (the old one stops signing at once). The
 * secret is in this result only; the log keeps it sealed under SECRETS_ENCRYPTION_KEY.
 */
export class RotateSharedSecretCommand extends Command<SharedSecretWithValue> {
  constructor(readonly ctx: CommandContext) {
    super();
  }
}
