import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { InjectRepository } from '@nestjs/typeorm';
import { IsNull, Repository } from 'typeorm';
import { KeyRateLimiter, QuotaGrant } from '@keyward/auth';
import { Problem } from '@keyward/common';
import { ApiKeyEntity } from '@keyward/database';
import { TakeQuotaCommand } from './take-quota.command';

/** The key of the caller's company (404 otherwise), then min(want, left) of its current window. */
@CommandHandler(TakeQuotaCommand)
export class TakeQuotaHandler implements ICommandHandler<TakeQuotaCommand> {
  constructor(
    @InjectRepository(ApiKeyEntity) private readonly keys: Repository<ApiKeyEntity>,
    private readonly limits: KeyRateLimiter,
  ) {}

  async execute({ companyId, keyId, want }: TakeQuotaCommand): Promise<QuotaGrant> {
    const key = await this.keys.findOne({ select: { id: true, rateLimit: true }, where: { id: keyId, companyId, deletedAt: IsNull() } });
    if (!key) throw Problem.notFound(`key ${keyId}`);
    return this.limits.take(key.id, key.rateLimit, want);
  }
}
