import { Command } from '@nestjs/cqrs';
import { RateLimitSetting } from '@keyward/database';
import { CommandContext } from '@keyward/event-store';
import { KeyResource } from '../../queries/resources';

export interface CreateKeyInput {
  name: string;
  description?: string;
  /** Keyward's own permissions and the company's own. */
  permissions?: string[];
  /** One role: a shorthand for `roles: [role]`. */
  role?: string;
  /** Built-in roles (ADMIN, READONLY) and the company's own. */
  roles?: string[];
  meta?: Record<string, unknown>;
  externalId?: string;
  type?: 'standard' | 'administration';
  expiresAt?: string;
  allowedIps?: string[];
  rateLimit?: RateLimitSetting;
  ownerId?: string;
}

/** The new key's resource and, this once, the key itself. */
export type CreatedKey = KeyResource & { key: string };

export class CreateKeyCommand extends Command<CreatedKey> {
  constructor(
    readonly ctx: CommandContext,
    readonly input: CreateKeyInput,
  ) {
    super();
  }
}
