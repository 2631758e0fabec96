import { Command } from '@nestjs/cqrs';
import { RateLimitSetting } from '@keyward/database';
import { CommandContext } from '@keyward/event-store';
import { KeyResource } from '../../queries/resources';

/** `null` clears a nullable setting (description, expiresAt, rateLimit). */
export interface UpdateKeyInput {
  name?: string;
  description?: string | null;
  permissions?: string[];
  role?: string;
  roles?: string[];
  meta?: Record<string, unknown>;
  externalId?: string | null;
  expiresAt?: string | null;
  allowedIps?: string[];
  rateLimit?: RateLimitSetting | null;
}

export class UpdateKeyCommand extends Command<KeyResource> {
  constructor(
    readonly ctx: CommandContext,
    readonly keyId: string,
    readonly input: UpdateKeyInput,
  ) {
    super();
  }
}
