import { Command } from '@nestjs/cqrs';

/**
 * Records KeyExpired for every key whose expiry or rotation grace has passed (the
 * guard has refused them since that instant; this makes the read model and the audit
 * trail say so). Idempotent: a key already expired, revoked or deleted is skipped.
 */
export class ExpireKeysCommand extends Command<{ expired: number; noticed: number }> {
  constructor(readonly limit = 500) {
    super();
  }
}
