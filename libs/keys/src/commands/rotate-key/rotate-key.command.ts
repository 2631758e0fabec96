import { Command } from '@nestjs/cqrs';
import { CommandContext } from '@keyward/event-store';
import { CreatedKey } from '../create-key/create-key.command';

/**
 * Rotate: a new key with the same settings; the old one keeps working until
 * `gracePeriodSeconds` have passed (0: refused from the moment this returns).
 */
export class RotateKeyCommand extends Command<CreatedKey> {
  constructor(
    readonly ctx: CommandContext,
    readonly keyId: string,
    readonly gracePeriodSeconds: number,
  ) {
    super();
  }
}
