import { Command } from '@nestjs/cqrs';
import { CommandContext } from '@keyward/event-store';
import { SharedSecretWithValue } from '../../queries/resources';

/** How long a replaced secret keeps signing webhook deliveries beside the new one, unless told. */
export const DEFAULT_SECRET_OVERLAP_SECONDS = 86_400;
export const MAX_SECRET_OVERLAP_SECONDS = 604_800;

/**
 * Creates the company's shared secret, or replaces it. The replaced one keeps signing webhook
 * deliveries beside the new one for `overlapSeconds` (default a day; 0: it stops at once, e.g.
 * after a leak); requests to the central service are signed with the new one only. The secret is
 * in this result only; the log keeps it sealed under SECRETS_ENCRYPTION_KEY.
 */
export class RotateSharedSecretCommand extends Command<SharedSecretWithValue> {
  constructor(
    readonly ctx: CommandContext,
    readonly overlapSeconds: number = DEFAULT_SECRET_OVERLAP_SECONDS,
  ) {
    super();
  }
}
