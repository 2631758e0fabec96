import { Command } from '@nestjs/cqrs';
import { Role } from '@keyward/auth';
import { RateLimitSetting } from '@keyward/database';
import { CommandContext } from '../../domain/command-context';
import { KeyResource } from '../../queries/resources';

export interface CreateKeyInput {
  name: string;
  description?: string;
  permissions?: string[];
  role?: Role;
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
