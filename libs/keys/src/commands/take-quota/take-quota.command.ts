import { Command } from '@nestjs/cqrs';
import { QuotaGrant } from '@keyward/auth';

/** A company's service takes a block of a key's rate limit to spend itself (docs/verifier-protocol.md). */
export class TakeQuotaCommand extends Command<QuotaGrant> {
  constructor(
    readonly companyId: string,
    readonly keyId: string,
    readonly want: number,
  ) {
    super();
  }
}
